#!/bin/sh
# A live feed never stops reading (issue 22, FL1/FL2): a bad first line, a lone
# {"Records":[ line and a line past the 8 MiB value cap are one reject each and
# the records after them are read; a record dated 2099 is flagged and moves no
# pruning bound, so a scan spread over several detection cycles still adds up
# to a mass scan.
. "$(dirname "$0")/../lib.sh"
python3 - "$T" <<'PY'
import json, sys
T = sys.argv[1]
def rec(i, name="Scan", t="2026-11-12T02:10:%02dZ", table=None, who=None):
    return json.dumps({"eventVersion": "1.09", "eventID": "fr-%d" % i, "eventTime": t % (i % 60),
        "eventSource": "dynamodb.amazonaws.com", "eventName": name, "awsRegion": "eu-west-1",
        "recipientAccountId": "111122223333", "sourceIPAddress": "185.220.101.47",
        "userIdentity": who or {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/leaky",
                                "accountId": "111122223333", "accessKeyId": "AKIALEAKYKEY00000001"},
        "requestParameters": {"tableName": table or "t%d" % i}})
root = {"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}
open(T + "/bad.jsonl", "w").write("not json {\n" + rec(1, "DeleteTable", who=root) + "\n" +
    '{"Records":[\n' + rec(2, "DeleteTable", who=root) + "\n" +
    '{"x":"' + "a" * (9 << 20) + '"}\n' + rec(3, "DeleteTable", who=root) + "\n")
open(T + "/future.jsonl", "w").write(rec(9, "DescribeTable", t="2099-01-01T00:00:%02dZ") + "\n")
for k in range(3):
    open(T + "/scan%d.jsonl" % k, "w").write(rec(20 + k) + "\n")
PY
run scan --follow --interval 0.3 --format json --only DDB-ROOT --db "$T/s.db" - <"$T/bad.jsonl"
eq "$rc" 3 "the feed ends at EOF with its rejects counted (exit 3)"
contains "$T/err" "invalid JSON" "the bad first line is one reject"
contains "$T/err" "truncated JSON line" "the lone wrapper line is one reject"
contains "$T/err" "a line longer than 8 MiB; skipped to the next line" "the oversized line is one reject"
eq "$(q "$T/s.db" "SELECT group_concat(event_id, ' ') FROM (SELECT event_id FROM events ORDER BY 1)")" \
    "fr-1 fr-2 fr-3" "every record after a bad line was read"
eq "$(q "$T/s.db" "SELECT events_seen, events_stored, records_rejected FROM files")" "6|3|3" \
    "seen = stored + rejected"
contains "$T/out" '"rule_id":"DDB-ROOT"' "and detected while the feed was open"

# FL2: 2099 first, then one Scan per detection cycle; mass_scan_calls 3 over 3 tables
echo '{"mass_scan_calls": 3, "mass_scan_tables": 3}' >"$T/ms.json"
rm -f "$T/feed"; mkfifo "$T/feed"
$VALGRIND "$DDBTRAIL" scan --follow --interval 0.3 --format json --only DDB-MASS-SCAN \
    --config "$T/ms.json" "$T/feed" >"$T/out2" 2>"$T/err2" &
pid=$!
exec 3>"$T/feed"
cat "$T/future.jsonl" >&3
for k in 0 1 2; do sleep 1; cat "$T/scan$k.jsonl" >&3; done
sleep 1.5
exec 3>&-
wait $pid
contains "$T/err2" "dated more than 15 minutes ahead of this machine's clock" "the 2099 record is flagged"
contains "$T/out2" '"rule_id":"DDB-MASS-SCAN"' "three Scans in three cycles still add up: nothing pruned by 2099"
done_case
