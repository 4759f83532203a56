#!/bin/sh
# make fuzz: builds the libFuzzer harnesses with clang (ASan + UBSan) and
# runs each for FUZZ_SECONDS (default 60), seeded from sample-logs/, the
# detection fixtures, the real logs when present, and tests/fuzz/regressions/.
# A crash leaves its input in build-fuzz/; copy it into
# tests/fuzz/regressions/ so `make test` replays it forever after.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
secs=${FUZZ_SECONDS:-60}
out=build-fuzz
mkdir -p "$out"
command -v clang >/dev/null || { echo "fuzz: needs clang (apt-get install clang libclang-rt-dev)"; exit 2; }
flags="-Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE -std=c11"
pkg=$(pkg-config --cflags --libs zlib yajl sqlite3 libpcre2-8 libcrypto)
# the library's sources and one -I per folder of src/ (one folder per stage)
lib_src=$(find src -name '*.c' | sort | tr '\n' ' ')
lib_inc=$(find src -name '*.h' -exec dirname {} \; | sort -u | sed 's/^/-I/' | tr '\n' ' ')
pass=0 fail=0
for h in reader config text digest partiql selectors lines catalogue record skim; do
    echo "fuzz: building $h"
    # shellcheck disable=SC2086
    clang $flags $lib_inc -o "$out/fuzz_$h" tests/fuzz/fuzz_$h.c $lib_src $pkg -lpthread || exit 2
    corpus=$out/corpus-$h
    mkdir -p "$corpus"
    case $h in
    reader)
        find sample-logs -name '*.json.gz' | sort | head -n 5 | xargs -I{} cp {} "$corpus/"
        for f in tests/detections/*/*.json; do cp "$f" "$corpus/$(echo "$f" | tr / _)"; done
        [ -d ../shared/real-logs ] && cp ../shared/real-logs/*.json "$corpus/" 2>/dev/null
        cp tests/fuzz/regressions/* "$corpus/" 2>/dev/null ;;
    config)
        cp sample-logs/ddbtrail.json tests/detections/config.json "$corpus/" ;;
    catalogue)
        cp detections/effects.txt "$corpus/" ;;
    record)
        for f in tests/detections/*/fires.json; do
            jq -c '.Records[0] // empty' "$f" >"$corpus/$(echo "$f" | tr / _)" 2>/dev/null
        done
        printf '{"a":"}\\"{","b":[{"c":"]"}]}' >"$corpus/a"
        printf '"{\\"eventID\\":\\"x\\"}"' >"$corpus/b" ;;
    digest)
        find sample-logs -name '*CloudTrail-Digest*.json.gz' | sort | head -n 3 | xargs -I{} cp {} "$corpus/"
        cp tests/integrity/public-keys.json "$corpus/" ;;
    partiql)
        printf 'SELECT * FROM "orders" WHERE pk = 1|pk' >"$corpus/a"
        printf 'SELECT * FROM t WHERE a = 1 OR 1 = 1' >"$corpus/b"
        printf "SELECT x FROM \"t\".\"idx\" WHERE pk IN ('a','b') AND begins_with(sk, 'x')|pk" >"$corpus/c" ;;
    selectors)
        printf '{"trailName":"t","eventSelectors":[{"readWriteType":"All","includeManagementEvents":true,"dataResources":[{"type":"AWS::DynamoDB::Table","values":["arn:aws:dynamodb"]}]}]}' >"$corpus/a"
        printf '{"trailName":"t","advancedEventSelectors":[{"fieldSelectors":[{"field":"eventCategory","equals":["Data"]},{"field":"resources.type","equals":["AWS::DynamoDB::Table"]},{"field":"eventName","notStartsWith":["Get"]}]}]}' >"$corpus/b" ;;
    skim)
        # the first byte picks chunks and wrapping: 0x01 whole, as it is; 0x00 one record wrapped
        for f in tests/detections/*/fires.json; do
            { printf '\001'; cat "$f"; } >"$corpus/$(echo "$f" | tr / _)"
            jq -c '.Records[0] // empty' "$f" 2>/dev/null | { printf '\000'; cat; } \
                >"$corpus/rec_$(echo "$f" | tr / _)"
        done
        for f in ../shared/real-logs/*.json; do
            [ -f "$f" ] && { printf '\001'; cat "$f"; } >"$corpus/real_$(basename "$f")"
        done ;;
    lines)
        for f in tests/detections/*/fires.json; do cp "$f" "$corpus/$(echo "$f" | tr / _)"; done
        printf 'not json {\n{"Records":[\n{"eventVersion":"1.09","eventID":"x"}\n' >"$corpus/a" ;;
    text)
        printf '10.0.0.1|10.0.0.0/8' >"$corpus/a"; printf '2001:db8::1|2001:db8::/32' >"$corpus/b"
        printf '2026-11-12T02:10:00.5Z' >"$corpus/c"; printf 'SELECT * FROM "t" WHERE x' >"$corpus/d"
        printf 'arn:aws:dynamodb:eu-west-1:1:table/x/stream/y' >"$corpus/e" ;;
    esac
    echo "fuzz: running $h for ${secs}s"
    if "$out/fuzz_$h" -max_total_time="$secs" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/crash-$h-" -print_final_stats=1 "$corpus" >"$out/$h.log" 2>&1; then
        echo "ok   fuzz/$h: $(grep -E 'stat::number_of_executed_units' "$out/$h.log" | awk '{print $2}') runs, no crash"
        pass=$((pass + 1))
    else
        echo "FAIL fuzz/$h: see $out/$h.log; inputs in $out/crash-$h-*"
        tail -n 30 "$out/$h.log"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
