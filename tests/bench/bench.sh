#!/bin/sh
# make bench / make bench-scale: a reproducible benchmark.
#
#   sh tests/bench/bench.sh [EVENTS...]     (default 200000)
#
# For each size: generates (once, cached in build/bench/) a deterministic
# corpus with tests/bench/gencorpus.c, then measures, median of 3 runs each:
#   zcat        the single-thread inflate floor
#   floor       zlib inflate + yajl tokenising (no callbacks), one process per core over
#               its share of the files (tests/bench/floor.c): what any reader on these two
#               libraries needs at least
#   jq          zcat | jq selecting DynamoDB events: what a user does instead
#   ingest      ddbtrail ingest into a fresh database
#   detect      ddbtrail detect over the freshly ingested database (all rules,
#               index building included)
#   scan        ddbtrail scan (ingest + all rules + JSON report), temporary db
#   duckdb      the peer to beat: DuckDB (@duckdb/node-api, 2 threads) answering ONE rule
#               (DDB-IAM-USER-KEY's grouping) over the gzip files, end to end; installed
#               with npm into build/bench/duckdb when npm is there (skipped otherwise), its
#               groups checked against ddbtrail's DDB-IAM-USER-KEY alerts
# and prints wall seconds, events/s, MB/s of JSON, peak RSS, and the ratios;
# then times scan on a flood corpus (the windowed rules' worst case), floor, ingest and scan
# on an organisation trail's mix (mostly other services), and the alert-heavy corpus.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
BIN=$top/ddbtrail
RUNS=${RUNS:-3}
mkdir -p build/bench
if [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y -q time >/dev/null 2>&1 || true; fi
    [ -x /usr/bin/time ] || { echo "bench: needs GNU time (/usr/bin/time; apt-get install time)"; exit 2; }
fi
command -v jq >/dev/null || { echo "bench: needs jq"; exit 2; }
cc -O2 -D_GNU_SOURCE -o build/bench/gencorpus tests/bench/gencorpus.c -lz || exit 2
cc -O2 -Wall -Wextra -o build/bench/floor tests/bench/floor.c -lyajl -lz || exit 2
cores=$(nproc)
# the floor over the files list, one process per core, failing when any part fails
cat >build/bench/floor-all.sh <<'SH'
pids=
for p in build/bench/floor-part.*; do
    xargs build/bench/floor <"$p" &
    pids="$pids $!"
done
for q in $pids; do wait "$q" || exit 1; done
SH

# duck_ready: installs @duckdb/node-api into build/bench/duckdb once; 1 when it can run
duck_ready() {
    command -v node >/dev/null && command -v npm >/dev/null ||
        { echo "bench: no node/npm; the DuckDB peer is skipped"; return 1; }
    d=build/bench/duckdb
    if [ ! -d "$d/node_modules/@duckdb/node-api" ]; then
        mkdir -p "$d"
        (cd "$d" && npm install --silent --no-audit --no-fund @duckdb/node-api >/dev/null 2>&1) ||
            { echo "bench: npm could not install @duckdb/node-api; the DuckDB peer is skipped"; return 1; }
    fi
    cp tests/bench/duckdb_peer.mjs "$d/"
}

# measure LABEL CMD: runs CMD (a shell string) RUNS times; sets $wall (median
# seconds) and $rss (peak RSS in MiB of the slowest run)
measure() {
    : >build/bench/times
    i=0
    while [ $i -lt "$RUNS" ]; do
        [ -n "${PREP:-}" ] && sh -c "$PREP"
        /usr/bin/time -f "%e %M" -o build/bench/one sh -c "$2" >/dev/null 2>build/bench/stderr ||
            { echo "bench: $1 failed:"; cat build/bench/stderr; exit 1; }
        cat build/bench/one >>build/bench/times
        i=$((i + 1))
    done
    wall=$(sort -n build/bench/times | awk -v n="$RUNS" 'NR == int((n + 1) / 2) {print $1}')
    rss=$(sort -n build/bench/times | awk '{m = $2 > m ? $2 : m} END {printf "%.1f", m / 1024}')
}

row() { # LABEL
    awk -v l="$1" -v w="$wall" -v r="$rss" -v n="$events" -v b="$json_bytes" \
        'BEGIN {printf "| %-8s | %7.2f | %10.0f | %7.1f | %8s |\n", l, w, n / w, b / 1e6 / w, r}'
}

printf 'machine: %s, %s CPU(s), %s\n' "$(uname -m)" "$(nproc)" \
    "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
for events in ${*:-200000}; do
    corpus=build/bench/corpus-$events
    if [ ! -f "$corpus/.done" ]; then
        rm -rf "$corpus"
        build/bench/gencorpus "$corpus" "$events" || exit 1
        touch "$corpus/.done"
    fi
    find "$corpus" -name '*.json.gz' | sort >build/bench/files
    json_bytes=$(xargs zcat <build/bench/files | wc -c)
    gz_bytes=$(xargs cat <build/bench/files | wc -c)
    echo
    awk -v n="$events" -v f="$(wc -l <build/bench/files)" -v g="$gz_bytes" -v j="$json_bytes" \
        'BEGIN {printf "corpus: %d events, %d files, %.1f MB gzip, %.1f MB JSON (%.2f KB/event)\n",
                n, f, g / 1e6, j / 1e6, j / n / 1000}'
    echo
    echo "| step     | wall s  | events/s   | MB/s    | peak RSS MiB |"
    echo "|----------|---------|------------|---------|--------------|"
    db=build/bench/bench.db
    measure zcat "xargs zcat <build/bench/files >/dev/null"; zcat_wall=$wall; row zcat
    rm -f build/bench/floor-part.*
    split -n "r/$cores" build/bench/files build/bench/floor-part.
    measure floor "sh build/bench/floor-all.sh"
    floor_wall=$wall; row floor
    measure jq "xargs zcat <build/bench/files | jq -c '.Records[] | select(.eventSource==\"dynamodb.amazonaws.com\") | [.eventTime,.eventName,.sourceIPAddress,.userIdentity.arn,.requestParameters.tableName]' >/dev/null"
    jq_wall=$wall; row jq
    PREP="rm -f $db $db-wal $db-shm" measure ingest "$BIN ingest -q --db $db $corpus"; row ingest
    # each detect run starts from the freshly ingested database, so index building counts
    cp $db $db.ingested
    PREP="cp $db.ingested $db; rm -f $db-wal $db-shm" measure detect "$BIN detect -q --db $db"
    detect_wall=$wall; row detect
    rm -f $db.ingested
    measure scan "$BIN scan -q --format json $corpus"; scan_wall=$wall; row scan
    duck_wall=""
    if duck_ready; then
        measure duckdb "node build/bench/duckdb/duckdb_peer.mjs $corpus"; duck_wall=$wall; row duckdb
        node build/bench/duckdb/duckdb_peer.mjs "$corpus" 2>/dev/null | sort >build/bench/duck.groups
        "$BIN" scan -q --format json --only DDB-IAM-USER-KEY "$corpus" |
            jq -r '[.principal_arn, .access_key_id, (.event_count|tostring)] | join("\t")' |
            sort >build/bench/ddb.groups
        cmp -s build/bench/duck.groups build/bench/ddb.groups ||
            { echo "bench: DuckDB's groups differ from DDB-IAM-USER-KEY's:"; diff build/bench/duck.groups build/bench/ddb.groups | head; exit 1; }
    fi
    db_bytes=$(stat -c %s $db)
    echo
    awk -v s="$scan_wall" -v z="$zcat_wall" -v j="$jq_wall" -v d="$detect_wall" -v db="$db_bytes" \
        -v b="$json_bytes" 'BEGIN {
        printf "scan / zcat = %.2f (target <= 1.3)   jq / scan = %.1f (target >= 5)\n", s / z, j / s;
        printf "detect / scan = %.2f   database / JSON = %.2f (target <= 0.5)\n", d / s, db / b }'
    awk -v s="$scan_wall" -v f="$floor_wall" -v c="$cores" 'BEGIN {
        printf "scan / floor (inflate + yajl on %d core(s)) = %.2f (target <= 2.0)\n", c, s / f }'
    rm -f build/bench/floor-part.*
    # linearity: scan's cost per event against the first size's
    [ -n "${first_per_event:-}" ] ||
        first_per_event=$(awk -v s="$scan_wall" -v n="$events" 'BEGIN {printf "%.9f", s / n}')
    awk -v s="$scan_wall" -v n="$events" -v f="$first_per_event" 'BEGIN {
        printf "scan per event = %.2f us, %.2f x the first size'"'"'s (target <= 1.25)\n",
               s / n * 1e6, s / n / f }'
    [ -z "$duck_wall" ] || awk -v s="$scan_wall" -v k="$duck_wall" 'BEGIN {
        printf "scan (all rules) / duckdb (one rule) = %.2f (target <= 1.0); groups identical\n", s / k }'
done

# corpus DIR EVENTS MODE TITLE: generates DIR once (gencorpus MODE), lists its files in
# build/bench/files, sets events and json_bytes for row, and opens its table.
corpus() {
    if [ ! -f "$1/.done" ]; then
        rm -rf "$1"
        build/bench/gencorpus "$1" "$2" 1 "$3" || exit 1
        touch "$1/.done"
    fi
    find "$1" -name '*.json.gz' | sort >build/bench/files
    events=$2 json_bytes=$(xargs zcat <build/bench/files | wc -c)
    echo
    echo "$4"
    echo
    echo "| step     | wall s  | events/s   | MB/s    | peak RSS MiB |"
    echo "|----------|---------|------------|---------|--------------|"
}

# The worst case for the windowed rules (DDB-MASS-SCAN, DDB-RECON): one leaked key making
# every other call a Scan, thousands inside every window.
flood=build/bench/flood-50000
corpus "$flood" 50000 flood "flood: 50000 events, 25000 of them Scans by one key"
measure scan "$BIN scan -q --format json $flood"; row scan

# An organisation trail: most records are other services' (the skimmer passes over the
# ones the catalogue does not keep without yajl); the floor still tokenises every byte.
org=build/bench/org-200000
corpus "$org" 200000 org \
    "org: 200000 events, 10 % DynamoDB data and 10 % management, 80 % other services"
rm -f build/bench/floor-part.*
split -n "r/$cores" build/bench/files build/bench/floor-part.
measure floor "sh build/bench/floor-all.sh"; org_floor=$wall; row floor
rm -f build/bench/org.db
measure ingest "rm -f build/bench/org.db; $BIN ingest -q --db build/bench/org.db $org"; row ingest
measure scan "$BIN scan -q --format json $org"; row scan
awk -v s="$wall" -v f="$org_floor" 'BEGIN { printf "org scan / floor = %.2f\n", s / f }'

# The worst case for triage: one rule firing on a quarter of the events (DDB-INSECURE-CREATE,
# 50 000 alerts of one role, one incident), scanned whole; then the store those alerts make,
# where a detect that adds nothing pays triage alone (target: <= 2 s at 50 000 alerts).
noisy=build/bench/noisy-200000
corpus "$noisy" 200000 noisy \
    "noisy: 200000 events, 50000 of them CreateTable without safeguards by one role"
measure scan "$BIN scan -q --format json $noisy"; scan_wall=$wall; row scan
duck_wall=""
if duck_ready; then
    measure duckdb "node build/bench/duckdb/duckdb_peer.mjs $noisy"; duck_wall=$wall; row duckdb
fi
db=build/bench/noisy.db
rm -f $db $db-wal $db-shm
"$BIN" ingest -q --db $db "$noisy" && "$BIN" detect -q --db $db ||
    { echo "bench: the noisy store could not be built"; exit 1; }
measure "detect+0" "$BIN detect -q --db $db --only DDB-TTL-ABUSE"; row "detect+0"
echo
echo "detect+0: a detect that adds nothing (--only DDB-TTL-ABUSE) over $(sqlite3 $db 'SELECT count(*) FROM alerts' 2>/dev/null || echo '?') alerts"
"$BIN" detect -q --timings --db $db 2>&1 >/dev/null | sed 's/^ddbtrail: /all rules: /'
"$BIN" detect -q --timings --db $db --only DDB-TTL-ABUSE 2>&1 >/dev/null | sed 's/^ddbtrail: /detect+0: /'
[ -z "$duck_wall" ] || awk -v s="$scan_wall" -v k="$duck_wall" 'BEGIN {
    printf "noisy scan (all rules) / duckdb (one rule) = %.2f (target <= 1.5)\n", s / k }'
