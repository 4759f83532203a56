#!/bin/sh
# Kill `ddbtrail ingest` with SIGKILL at random points, re-run it, and check
# the store against an uninterrupted run: integrity_check ok, no event
# missing or duplicated, no file marked complete that was not. Then SIGINT:
# a clean stop with a message and status 130, finished by a re-run.
. "$(dirname "$0")/../lib.sh"
cc -O2 -D_GNU_SOURCE -o "$T/gencorpus" tests/bench/gencorpus.c -lz || skip "cannot build gencorpus"
"$T/gencorpus" "$T/corpus" 200000 7 || exit 1      # 100 files of 2 000 events
ddb ingest -q --db "$T/ref.db" "$T/corpus" || fail "reference ingest"
summary() { q "$1" "SELECT count(*), count(DISTINCT event_id), sum(length(request_parameters)),
                    group_concat(event_id, '') FROM (SELECT * FROM events ORDER BY event_id)" | md5sum; }
ref=$(summary "$T/ref.db")

# Each round: a fresh store, killed at a random moment, checked, then finished.
# "$DDBTRAIL" is started directly (not through a shell function) so that $!
# is ddbtrail itself.
i=0
while [ $i -lt 4 ]; do
    db=$T/k$i.db
    "$DDBTRAIL" ingest -q --batch 3000 --db "$db" "$T/corpus" >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v s=$i 'BEGIN {srand(s * 7919 + 1); printf "%.2f", 0.1 + rand() * 1.0}')"
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    echo "after kill $i: $(q "$db" "SELECT group_concat(status || ' ' || n, ', ') FROM
        (SELECT status, count(*) AS n FROM files GROUP BY status)" 2>/dev/null)"
    eq "$(q "$db" "PRAGMA integrity_check" 2>&1)" ok "integrity after kill $i"
    # every file marked complete holds exactly what the reference run stored for it
    bad=$(sqlite3 "$db" "ATTACH '$T/ref.db' AS r;
        SELECT count(*) FROM files k JOIN r.files rf ON rf.path = k.path
        WHERE k.status = 'complete' AND (k.events_seen <> rf.events_seen
          OR (SELECT count(*) FROM events e WHERE e.file_id = k.file_id) + k.events_duplicate
             <> rf.events_stored)")
    eq "$bad" 0 "complete files after kill $i are really complete"
    run ingest -q --db "$db" "$T/corpus"
    eq "$rc" 0 "re-run after kill $i"
    eq "$(q "$db" "PRAGMA integrity_check")" ok "integrity after re-run $i"
    eq "$(summary "$db")" "$ref" "same events as the uninterrupted run ($i)"
    eq "$(q "$db" "SELECT count(DISTINCT path) FROM files WHERE status='complete'")" 100 \
       "every file complete in the end ($i)"
    i=$((i + 1))
done

# SIGINT stops cleanly, says so, exits 130; a re-run finishes
"$DDBTRAIL" ingest --batch 3000 --db "$T/i.db" "$T/corpus" >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
if [ "$rc" = 0 ]; then
    echo "note: ingest finished before SIGINT arrived; nothing to check"
else
    eq "$rc" 130 "SIGINT status"
    contains "$T/err" "interrupted after" "SIGINT message"
    eq "$(q "$T/i.db" "PRAGMA integrity_check")" ok "integrity after SIGINT"
fi
run ingest -q --db "$T/i.db" "$T/corpus"
eq "$rc" 0 "re-run after SIGINT"
eq "$(summary "$T/i.db")" "$ref" "same events after SIGINT and re-run"
done_case
