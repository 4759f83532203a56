#!/bin/sh
# Never a false all-clear: what can be checked before input is checked before
# input; a rule that failed, was skipped or timed out is said at the top of the
# report; a crafted value against a backtracking pattern costs no alerts; -o
# never writes through a symlink; a store with foreign schema objects is refused;
# a symlink fan-out is read once.
. "$(dirname "$0")/../lib.sh"
ev='{"eventID":"fs-1","eventTime":"2026-11-12T02:10:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"GetItem","recipientAccountId":"111122223333"}'
printf '{"Records":[%s]}' "$ev" >"$T/one.json"
mkdir -p "$T/tmp"

# 1. a config typo, a bad CIDR, a bad pattern: exit 2 before anything is read
for c in '{"allowed_region":["eu-west-1"]}' '{"trusted_cidrs":["10.0.0.0/33"]}' \
         '{"offensive_user_agents":["(kali"]}' '{"window_seconds":"3600"}'; do
    echo "$c" >"$T/bad.json"
    TMPDIR=$T/tmp run scan "$T/one.json" --config "$T/bad.json" -o "$T/report.txt"
    eq "$rc" 2 "bad config $c: exit status"
    eq "$(cat "$T/out")" "" "bad config $c: no report on stdout"
    lacks "$T/err" "inputs:" "bad config $c: no input read"
    ok_if '[ ! -e "$T/report.txt" ]' "bad config $c: no report file"
    eq "$(ls -A "$T/tmp")" "" "bad config $c: no temporary database left"
done
contains "$T/err" 'window_seconds" must be a positive integer' "wrong type named"

# 2. a broken rule file: exit 2 before input, naming the file
r=$T/rules; mkdir -p "$r"
cp detections/DDB-ROOT.sql "$r/"
printf -- '-- id: T-BROKEN\n-- title: t\n-- severity: low\n-- description: d\nSELECT nonsense FROM nowhere\n' >"$r/T-BROKEN.sql"
run scan "$T/one.json" --rules "$r"
eq "$rc" 2 "broken rule: exit status"
contains "$T/err" "T-BROKEN.sql: SQL does not compile" "broken rule named"
lacks "$T/err" "inputs:" "broken rule: no input read"

# 3. a rule that runs away: stopped by rule_timeout_seconds; the report says so at the top,
#    the other rules' alerts are kept, JSON carries only the alerts that exist, exit 2
rm "$r/T-BROKEN.sql"
cat >"$r/T-RUNAWAY.sql" <<'SQL'
-- id: T-RUNAWAY
-- title: never ends
-- severity: low
-- description: test rule that loops forever
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
SELECT NULL AS first_seen, NULL AS last_seen, 0 AS event_count, NULL AS account_id,
       NULL AS aws_region, NULL AS principal_arn, NULL AS access_key_id, NULL AS source_ip,
       NULL AS table_name, NULL AS event_names, NULL AS event_ids, NULL AS detail
FROM c WHERE x < 0
SQL
printf '{"Records":[{"eventID":"root-1","eventTime":"2026-11-12T02:10:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"ListTables","recipientAccountId":"111122223333","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"}}]}' >"$T/root.json"
echo '{"rule_timeout_seconds": 1}' >"$T/t1.json"
run scan -q --db "$T/t.db" "$T/root.json" --rules "$r" --config "$T/t1.json"
eq "$rc" 2 "timed-out rule: exit status"
contains "$T/err" "rule T-RUNAWAY failed: timed out after 1 s (rule_timeout_seconds)" "timeout named"
contains "$T/out" "INCOMPLETE 1 rule(s) did not run" "text report says it is incomplete, at the top"
ok_if '[ "$(grep -n INCOMPLETE "$T/out" | cut -d: -f1)" -le 3 ]' "the warning is at the top"
contains "$T/out" "T-RUNAWAY failed: timed out" "text report names the rule and why"
contains "$T/out" "DDB-ROOT" "the other rule's alert is there"
run report --db "$T/t.db" --format html
contains "$T/out" 'class="incomplete"' "html says it is incomplete"
run report --db "$T/t.db" --format json
eq "$(grep -c . "$T/out")" 1 "json: the one alert that exists, nothing else"
run report --db "$T/t.db" --format json --summary
eq "$(tail -1 "$T/out" | jq -r '[.state, .rules_failed, .rule_problems[0].rule_id,
    .rule_problems[0].status] | join(" ")')" "incomplete 1 T-RUNAWAY failed" \
    "json --summary: the run record names the rule that did not run"
run report --db "$T/t.db" --format ocsf --summary
eq "$(tail -1 "$T/out" | jq -r '[.class_uid, .activity_name, .status, .status_detail] | join(" ")')" \
    "6007 Error Failure incomplete" "ocsf --summary: a Scan Activity that ended in error"
# only the runaway rule, nothing found: no "no alerts" line
run scan -q "$T/one.json" --rules "$r" --only T-RUNAWAY --config "$T/t1.json"
eq "$rc" 2 "nothing found, a rule failed: exit 2"
lacks "$T/out" "^no alerts$" "no plain 'no alerts' when a rule did not run"
contains "$T/out" "no alerts from the rules that ran; 1 rule(s) did not run" "says why it is empty"
# a skipped rule (allowed_regions unset) is named at the top too
run scan -q "$T/one.json"
contains "$T/out" "DDB-OFF-REGION skipped: set allowed_regions" "skipped rule named in the report"

# 4. SIGTERM (as SIGINT) while the rules run: exit 130, scan's temporary database removed.
#    (A background job of a script ignores SIGINT, so the test sends SIGTERM.)
echo '{"rule_timeout_seconds": 120}' >"$T/t120.json"
TMPDIR=$T/tmp $VALGRIND "$DDBTRAIL" scan "$T/one.json" --rules "$r" --only T-RUNAWAY \
    --config "$T/t120.json" >"$T/out" 2>"$T/err" &
pid=$!
for i in $(seq 1 50); do grep -q "rules:\|^events:" "$T/err" 2>/dev/null && break; sleep 0.2; done
sleep 1; kill -TERM $pid; wait $pid; rc=$?
eq "$rc" 130 "SIGTERM during detection: exit status"
contains "$T/err" "interrupted while the rules ran" "SIGTERM during detection: said"
eq "$(ls -A "$T/tmp")" "" "SIGTERM during detection: temporary database removed"
# the text report is written and says at its top that the run was stopped, and where; it
# never says "no alerts" as if the run were whole
contains "$T/out" "^  INTERRUPTED the run was stopped by a signal while the rules ran" \
    "SIGTERM during detection: the report says it was interrupted"
lacks "$T/out" "^no alerts$" "SIGTERM during detection: no plain 'no alerts'"
# a machine format writes nothing: no half result a SIEM could take for a whole one
TMPDIR=$T/tmp $VALGRIND "$DDBTRAIL" scan --format json "$T/one.json" --rules "$r" \
    --only T-RUNAWAY --config "$T/t120.json" >"$T/out" 2>"$T/err" &
pid=$!
for i in $(seq 1 50); do grep -q "rules:\|^events:" "$T/err" 2>/dev/null && break; sleep 0.2; done
sleep 1; kill -TERM $pid; wait $pid; rc=$?
eq "$rc" 130 "SIGTERM during detection, JSON: exit status"
eq "$(cat "$T/out")" "" "SIGTERM during detection, JSON: no half report"

# 5. a crafted user agent against a backtracking pattern: a warning naming the rule and the
#    event, a non-match for that value, and the rule's other alerts kept
python3 - "$T/ua.json" <<'PY'
import json, sys
recs = [{"eventID": "re-%d" % i, "eventTime": "2026-11-12T02:10:00Z",
         "eventSource": "dynamodb.amazonaws.com", "eventName": "GetItem",
         "recipientAccountId": "111122223333",
         "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/u%d" % i,
                          "accountId": "111122223333"}, "userAgent": ua}
        for i, ua in enumerate(["a" * 30000 + "!", "aws-cli/2.15.0 Linux/6.5.0-kali3-amd64"])]
json.dump({"Records": recs}, open(sys.argv[1], "w"))
PY
echo '{"offensive_user_agents":["^(a|aa)+$"]}' >"$T/re.json"
run scan -q --db "$T/re.db" --only DDB-SUSPICIOUS-AGENT --config "$T/re.json" "$T/ua.json"
eq "$rc" 0 "regexp limit: the rule still ran"
contains "$T/err" "rule DDB-SUSPICIOUS-AGENT: 1 value(s) hit PCRE2's match or depth limit and count as no match; the first: event re-0" \
    "regexp limit: one warning naming the rule and the event"
eq "$(q "$T/re.db" "SELECT count(*) FROM alerts WHERE event_ids = 're-1'")" 1 "regexp limit: the other alert kept"
contains "$T/out" "WARNING    1 rule(s) ran with a warning" "regexp limit: said on the report"

# 6. -o: never through a symlink unless --force, which replaces the link itself
echo secret >"$T/target"; ln -s "$T/target" "$T/link.txt"
run scan -q "$T/one.json" -o "$T/link.txt"
eq "$rc" 2 "-o symlink: refused"
contains "$T/err" "link.txt is a symbolic link; refusing" "-o symlink: said"
lacks "$T/err" "inputs:" "-o symlink: refused before reading"
eq "$(cat "$T/target")" "secret" "-o symlink: target untouched"
run scan -q --force "$T/one.json" -o "$T/link.txt"
eq "$(cat "$T/target")" "secret" "--force: target still untouched"
ok_if '[ -f "$T/link.txt" ] && [ ! -L "$T/link.txt" ]' "--force: the link replaced by the report"
contains "$T/link.txt" "ddbtrail report" "--force: the report written"
eq "$(ls -A "$T" | grep -c ddbtrail-)" 0 "-o: no temporary file left"
# a FIFO (like /dev/null, a device: the same branch) is written to, never replaced by a
# renamed file; the reader gives up after 10 s should the report never come
mkfifo "$T/pipe"
timeout 10 cat "$T/pipe" >"$T/from-pipe" &
reader=$!
run scan -q "$T/one.json" -o "$T/pipe"
wait $reader
eq "$rc" 0 "-o FIFO: exit status"
ok_if '[ -p "$T/pipe" ]' "-o FIFO: still a FIFO, not replaced by a file"
contains "$T/from-pipe" "ddbtrail report" "-o FIFO: the report came through"
run scan -q "$T/one.json" -o "$T/no-such-dir/r.txt"
eq "$rc" 2 "-o in a missing directory: exit 2"
lacks "$T/err" "inputs:" "-o in a missing directory: refused before reading"

# 7. a store with a schema object ddbtrail did not create is refused
run ingest -q --db "$T/s.db" "$T/root.json"
sqlite3 "$T/s.db" "CREATE TRIGGER hide AFTER INSERT ON alerts BEGIN DELETE FROM alerts; END;"
for cmd in "detect -q --db $T/s.db" "report --db $T/s.db" "ingest -q --db $T/s.db $T/one.json"; do
    run $cmd
    eq "$rc" 2 "$cmd on a store with a foreign trigger: exit 2"
    contains "$T/err" "holds a trigger 'hide' on 'alerts' that ddbtrail did not create" "$cmd: names it"
done

# 8. a fan of symlinks to one directory is read once
mkdir -p "$T/fan/real"; cp "$T/one.json" "$T/fan/real/a.json"
for i in 1 2 3 4 5 6 7 8; do ln -s real "$T/fan/l$i"; done
run ingest --db "$T/fan.db" "$T/fan"
contains "$T/out" "inputs: 1 read" "symlink fan-out: the directory read once"
done_case
