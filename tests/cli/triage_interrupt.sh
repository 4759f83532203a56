#!/bin/sh
# SIGTERM during triage (novelty, suppressions, incidents over a store of
# 600 000 alerts): the run ends within a second of the signal, exit 130,
# the transaction rolled back (the alerts as the rules wrote them, the
# store intact), and the report then says the run was interrupted during
# triage.
. "$(dirname "$0")/../lib.sh"
command -v sqlite3 >/dev/null || skip "needs the sqlite3 shell"
echo '{"Records":[]}' >"$T/empty.json"
run ingest -q --db "$T/s.db" "$T/empty.json"
eq "$rc" 0 "an empty store"
q "$T/s.db" "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < 600000)
  INSERT INTO alerts(rule_id, severity, title, first_seen, last_seen, event_count,
    principal_arn, table_name, detail, fingerprint, stage, story, status)
  SELECT 'DDB-INSECURE-CREATE', 'low', 'created',
    strftime('%Y-%m-%dT%H:%M:%SZ', 1793491200 + k * 4, 'unixepoch'),
    strftime('%Y-%m-%dT%H:%M:%SZ', 1793491200 + k * 4, 'unixepoch'), 1,
    'arn:aws:sts::111122223333:assumed-role/table-factory/s', 't' || k, 'd', 'F:' || k,
    'credential-use', 'table created without safeguards', 'open' FROM i"
$VALGRIND "$DDBTRAIL" detect --db "$T/s.db" --only DDB-TTL-ABUSE >"$T/out" 2>"$T/err" &
pid=$!
sleep 2
if ! kill -0 $pid 2>/dev/null; then
    wait $pid
    skip "triage finished within 2 s on this machine, before the signal; nothing to check"
fi
t0=$(date +%s%N)
kill -TERM $pid; wait $pid; rc=$?
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "note: exited $ms ms after SIGTERM"
eq "$rc" 130 "SIGTERM during triage: exit status"
contains "$T/err" "interrupted during triage" "SIGTERM during triage: said"
ok_if '[ "$ms" -le 1000 ]' "SIGTERM during triage: ended ${ms} ms after the signal (at most 1000)"
eq "$(q "$T/s.db" "PRAGMA integrity_check")" ok "the store is intact"
eq "$(q "$T/s.db" "SELECT count(*), count(novelty), count(incident_id) FROM alerts")" "600000|0|0" \
   "rolled back: no alert judged or grouped"
eq "$(q "$T/s.db" "SELECT count(*) FROM incidents")" 0 "rolled back: no incident"
run report --db "$T/s.db"
contains "$T/out" "^  INTERRUPTED the run was stopped by a signal during triage" \
    "the report says where the run stopped"
# a detect that finishes clears the note
run detect -q --db "$T/s.db" --only DDB-TTL-ABUSE
eq "$rc" 0 "a detect run to its end"
run report --db "$T/s.db"
lacks "$T/out" "INTERRUPTED" "and the report no longer says interrupted"
done_case
