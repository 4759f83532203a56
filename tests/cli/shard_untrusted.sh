#!/bin/sh
# Shard stores are input (README, "Past one machine"): an outside actor who
# splits a bulk read between two member accounts, which the plan deals to two
# shards, is judged whole when merged with --events (the rules run again over
# the merged events) and the report says so when merged without; a shard
# store that speaks for another shard's accounts, rewrites its plan, or
# brings another shard's alert with other content is refused, the reason
# named.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
python3 - <<'PY' || { echo "generator failed"; exit 1; }
import gzip, json, os
OUT = "999900000009"   # the outside actor's account
def rec(acct, i, table):
    return {"eventVersion": "1.08", "eventTime": "2026-11-10T10:%02d:%02dZ" % (i // 60, i % 60),
            "eventSource": "dynamodb.amazonaws.com", "eventName": "Scan",
            "awsRegion": "eu-west-1", "sourceIPAddress": "198.51.100.7",
            "userAgent": "aws-cli/2.15.0", "requestParameters": {"tableName": table},
            "responseElements": None, "eventID": "%s-%04d" % (acct, i),
            "requestID": "r-%s-%04d" % (acct, i), "eventType": "AwsApiCall",
            "readOnly": True, "managementEvent": False, "recipientAccountId": acct,
            "eventCategory": "Data",
            "resources": [{"type": "AWS::DynamoDB::Table",
                           "ARN": "arn:aws:dynamodb:eu-west-1:%s:table/%s" % (acct, table)}],
            "userIdentity": {"type": "AssumedRole",
                             "principalId": "AROAOUTSIDE:raid",
                             "arn": "arn:aws:sts::%s:assumed-role/raider/raid" % OUT,
                             "accountId": OUT, "accessKeyId": "ASIAOUTSIDEEXAMPLE",
                             "sessionContext": {"sessionIssuer": {
                                 "type": "Role", "principalId": "AROAOUTSIDE",
                                 "arn": "arn:aws:iam::%s:role/raider" % OUT,
                                 "accountId": OUT, "userName": "raider"}}}}
for n, acct in enumerate(["111100000001", "222200000002"]):
    d = "org/AWSLogs/o-7example01/%s/CloudTrail/eu-west-1/2026/11/10" % acct
    os.makedirs(d)
    # 30 scans each: under mass_scan_calls (50) per account, over it together
    recs = [rec(acct, 2 * i + n, "orders") for i in range(30)]
    with gzip.open("%s/%s_CloudTrail_eu-west-1_20261110T1000Z_x.json.gz" % (d, acct), "wt") as f:
        json.dump({"Records": recs}, f)
PY

# --- one run versus two shards ------------------------------------------------------
run scan -q --db one.db --format json org
eq "$(q one.db "SELECT count(*) FROM alerts WHERE rule_id = 'DDB-MASS-SCAN'")" 1 \
   "one run sees the split bulk read"
for k in 0 1; do
    run scan -q --shard $k/2 --db s$k.db --format json org
    eq "$(q s$k.db "SELECT count(DISTINCT recipient_account_id) FROM events")" 1 "shard $k: one account"
done
run merge --db full.db --events s0.db s1.db
eq "$rc" 0 "merge --events"
contains out "the rules ran over the merged store" "merge says the rules ran again"
alerts() { q "$1" "SELECT rule_id, principal_arn, first_seen, last_seen, event_count, severity,
                   status FROM alerts ORDER BY 1, 2, 3"; }
eq "$(alerts full.db)" "$(alerts one.db)" "merged with --events: the alerts of one run"
eq "$(q full.db "SELECT count(*) FROM incidents")" "$(q one.db "SELECT count(*) FROM incidents")" \
   "incidents of one run"
# again: nothing new, nothing re-run
sqlite3 full.db .dump >before.sql
run merge --db full.db --events s1.db s0.db
eq "$rc" 0 "second merge --events"
sqlite3 full.db .dump >after.sql
cmp -s before.sql after.sql || fail "a second merge --events changed the store"
# without the events the split read stays unseen, and the report says why
run merge --db part.db s0.db s1.db
eq "$rc" 0 "merge without --events"
eq "$(q part.db "SELECT count(*) FROM alerts WHERE rule_id = 'DDB-MASS-SCAN'")" 0 \
   "without the events no shard saw the whole read"
run report --db part.db
contains out "not judged whole" "the report says what a merge without events cannot see"
# --rules must be the shards' rules
mkdir rules && cp "$top"/detections/* rules/ && printf '\n-- tuned\n' >>rules/DDB-ROOT.sql
run merge --db r.db --events --rules rules s0.db s1.db
eq "$rc" 2 "merge --events with other rule files"
contains err "DDB-ROOT.sql is not the rule file the shards ran" "the other rule named"
run merge --db r2.db --rules rules s0.db
eq "$rc" 2 "--rules without --events"

# --- hostile shard stores ---------------------------------------------------------
# shard 1 carrying an event of shard 0's account (it would take that eventID)
a0=$(q s0.db "SELECT recipient_account_id FROM events LIMIT 1")
cp s1.db evil1.db
q evil1.db "INSERT INTO events(event_id, event_time, event_ts, event_source, event_name,
            recipient_account_id, file_id)
            SELECT '$a0-0000', event_time, event_ts, event_source, event_name,
                   '$a0', NULL FROM events LIMIT 1"
run merge --db e1.db --events s0.db evil1.db
eq "$rc" 2 "a shard with another shard's account's events"
contains err "events of account(s) of other shards, e.g. account $a0" "the account named"
# a plan rewritten to give shard 1 every account: its digest no longer matches
cp s1.db evil2.db
q evil2.db "UPDATE meta SET value = replace(value, ' 0' || char(10), ' 1' || char(10))
            WHERE key = 'shard_accounts'"
run merge --db e2.db --events evil2.db
eq "$rc" 2 "a rewritten plan"
contains err "does not carry the plan its digest names" "the plan mismatch named"
# shard 1 bringing shard 0's alert, suppressed (shard 0's alert planted: no rule fires per shard)
cp s0.db good0.db
q good0.db "INSERT INTO alerts(rule_id, severity, fingerprint, status, account_id)
            VALUES('DDB-MASS-SCAN', 'high', 'fp-of-shard-0', 'open', '$a0')"
cp s1.db evil3.db
q evil3.db "INSERT INTO alerts(rule_id, severity, fingerprint, status, account_id)
            VALUES('DDB-MASS-SCAN', 'info', 'fp-of-shard-0', 'suppressed', '$a0')"
run merge --db e3.db good0.db evil3.db
eq "$rc" 2 "another shard's alert with other content"
contains err "in an earlier shard with other content" "the clash named"
eq "$(q e3.db "SELECT severity || ' ' || status FROM alerts")" "high open" \
   "the first shard's alert stays as it was"
# a shard's integrity line is its own words: capped, and escaped where it is printed
cp s1.db evil4.db
q evil4.db "INSERT OR REPLACE INTO meta VALUES('integrity',
            'all verified ' || char(27) || '[2J' || replace(printf('%.3000c', 'x'), 'x', 'y'))"
run merge --db e4.db good0.db evil4.db
eq "$rc" 0 "a long integrity line is no reason to refuse"
n=$(q e4.db "SELECT length(value) FROM meta WHERE key = 'integrity'")
ok_if '[ "$n" -le 1000 ]' "the merged line is bounded (got $n characters)"
run report --db e4.db
ok_if '! grep -q "$(printf '\033')" out' "no terminal escape reaches the report"
contains out "^  integrity  shard 0/2: .*; shard 1/2: all verified" "each shard's line, named"
done_case
