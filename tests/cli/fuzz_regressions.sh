#!/bin/sh
# Replays every input in tests/fuzz/regressions/ (fuzzer findings and
# hand-made edge cases) through the CLI: each must be handled without a
# crash (status 0 or 3) and leave consistent counts.
. "$(dirname "$0")/../lib.sh"
for f in tests/fuzz/regressions/*; do
    [ -f "$f" ] || continue
    run ingest -q --db "$T/r.db" "$f"
    case $rc in 0|3) ;; *) fail "$f: status $rc"; cat "$T/err" ;; esac
done
eq "$(q "$T/r.db" "SELECT count(*) FROM files WHERE events_seen <> events_stored + events_skipped + records_rejected")" \
   0 "counts reconcile"
done_case
