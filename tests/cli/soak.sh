#!/bin/sh
# Soak: a generated stream of SOAK_EVENTS (default 2 000 000) events through
# stdin into `scan -`; peak RSS is printed and must stay under 64 MiB.
# Under the sanitizer suite the stream is shorter and RSS is only reported:
# ASan's shadow memory and free quarantine grow with the work done, so a
# bound there would measure ASan, not ddbtrail.
. "$(dirname "$0")/../lib.sh"
[ -x /usr/bin/time ] || skip "GNU time (/usr/bin/time) not installed; skipped"
sanitized=0
[ "${SUITE_NAME:-}" = asan ] && sanitized=1
if [ $sanitized = 1 ]; then n=${SOAK_EVENTS:-300000}; else n=${SOAK_EVENTS:-2000000}; fi
cc -O2 -D_GNU_SOURCE -o "$T/gencorpus" tests/bench/gencorpus.c -lz || skip "cannot build gencorpus"
"$T/gencorpus" - "$n" |
    /usr/bin/time -f "%M" -o "$T/rss" $VALGRIND "$DDBTRAIL" scan --format json - >"$T/alerts" 2>"$T/err"
rc=$?
cat "$T/err"
eq "$rc" 0 "scan status"
rss=$(cat "$T/rss")
echo "soak: $n events through stdin, peak RSS $((rss / 1024)) MiB"
[ $sanitized = 1 ] || ok_if '[ "$rss" -lt 65536 ]' "peak RSS ${rss} KiB is not under 64 MiB"
contains "$T/err" "events: $n seen" "every event seen"
ok_if '[ "$(grep -c DDB-MASS-SCAN "$T/alerts")" -ge 1 ]' "attack bursts detected"
done_case
