#!/bin/sh
# One walk per run: scan lists its trees once and the shard plan, ingest and
# digest verification all take that list, so no folder of the input is opened
# twice (strace counts the opens), with and without --shard.
. "$(dirname "$0")/../lib.sh"
command -v strace >/dev/null || skip "needs strace (apt-get install strace)"
[ -z "$VALGRIND" ] || skip "strace of valgrind counts valgrind's opens"
strace -f -o "$T/probe" true 2>/dev/null || skip "strace cannot trace here (ptrace refused)"
for shard in "" "--shard 1/2"; do
    # LeakSanitizer cannot run under ptrace: under check-asan the leak check is left to the
    # other cases, this one counts opens
    # shellcheck disable=SC2086
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
        strace -f -e trace=openat,open -o "$T/trace" "$DDBTRAIL" scan -q --format json sample-logs/ \
        --config sample-logs/ddbtrail.json $shard >"$T/out" 2>"$T/err"
    rc=$?
    # shard 1 of 2 holds no account of the one in sample-logs/: nothing read, status 4
    ok_if '[ "$rc" = 0 ] || [ "$rc" = 1 ] || [ "$rc" = 4 ]' "scan $shard ran (status $rc)"
    grep O_DIRECTORY "$T/trace" | grep -o '"sample-logs[^"]*"' | sort | uniq -c | sort -rn >"$T/dirs"
    eq "$(awk '$1 > 1' "$T/dirs" | head -n 3)" "" "scan $shard: no folder of the tree opened twice"
    ok_if 'grep -q "CloudTrail-Digest/eu-west-1/2026/11/12\"" "$T/dirs"' \
        "scan $shard: the digest folders were listed too (verification ran from the list)"
done
done_case
