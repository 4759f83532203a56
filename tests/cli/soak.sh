#!/bin/sh
# Soak: a generated stream of SOAK_EVENTS (default 2 000 000) events through
# stdin into `scan -`; peak RSS is printed and must stay under 64 MiB.
. "$(dirname "$0")/../lib.sh"
[ -x /usr/bin/time ] || skip "GNU time (/usr/bin/time) not installed; skipped"
n=${SOAK_EVENTS:-2000000}
cc -O2 -D_GNU_SOURCE -o "$T/gencorpus" tests/bench/gencorpus.c -lz || skip "cannot build gencorpus"
"$T/gencorpus" - "$n" |
    /usr/bin/time -f "%M" -o "$T/rss" $VALGRIND "$DDBTRAIL" scan --format json - >"$T/alerts" 2>"$T/err"
rc=$?
cat "$T/err"
eq "$rc" 0 "scan status"
rss=$(cat "$T/rss")
echo "soak: $n events through stdin, peak RSS $((rss / 1024)) MiB"
ok_if '[ "$rss" -lt 65536 ]' "peak RSS ${rss} KiB is not under 64 MiB"
contains "$T/err" "events: $n seen" "every event seen"
ok_if '[ "$(grep -c DDB-MASS-SCAN "$T/alerts")" -ge 1 ]' "attack bursts detected"
done_case
