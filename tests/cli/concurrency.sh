#!/bin/sh
# Two ingests into one database at once: the second waits for the first
# (busy timeout) and both land; the database stays consistent.
. "$(dirname "$0")/../lib.sh"
cc -O2 -D_GNU_SOURCE -o "$T/gencorpus" tests/bench/gencorpus.c -lz || skip "cannot build gencorpus"
"$T/gencorpus" "$T/a" 20000 1 && "$T/gencorpus" "$T/b" 20000 2 || exit 1
ddb ingest -q --db "$T/c.db" "$T/a" >"$T/out.a" 2>"$T/err.a" &
pa=$!
ddb ingest -q --db "$T/c.db" "$T/b" >"$T/out.b" 2>"$T/err.b" &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
cat "$T/err.a" "$T/err.b"
eq "$ra" 0 "first ingest"
eq "$rb" 0 "second ingest"
eq "$(q "$T/c.db" "PRAGMA integrity_check")" ok "integrity"
ddb ingest -q --db "$T/a.db" "$T/a"; ddb ingest -q --db "$T/b.db" "$T/b"
eq "$(q "$T/c.db" "SELECT count(*) FROM events")" \
   "$(($(q "$T/a.db" "SELECT count(*) FROM events") + $(q "$T/b.db" "SELECT count(*) FROM events")))" \
   "both inputs stored"
eq "$(q "$T/c.db" "SELECT count(*) FROM files WHERE status <> 'complete'")" 0 "all files complete"
done_case
