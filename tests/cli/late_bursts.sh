#!/bin/sh
# Bursts that late logs reshape. A store fed a day at a time ends with the
# alerts of one run even when a burst's shape depends on days that arrive
# later: a reconnaissance burst across midnight whose second day arrives
# first (the late first day moves the burst's start, and so its group key),
# and two bursts of one key that a late middle file joins into one. An alert
# the rule no longer derives from the stored events goes; one it still
# derives stays, and a rule that fails keeps what it had.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
python3 - <<'PY' || { echo "generator failed"; exit 1; }
import json, os, uuid
def rec(t, name, table, arn, key):
    return {"eventVersion": "1.09",
            "userIdentity": {"type": "AssumedRole", "arn": arn, "accountId": "111122223333",
                             "accessKeyId": key,
                             "sessionContext": {"sessionIssuer": {"type": "Role",
                                 "arn": "arn:aws:iam::111122223333:role/" + arn.split("/")[1],
                                 "accountId": "111122223333"}}},
            "eventTime": t, "eventSource": "dynamodb.amazonaws.com", "eventName": name,
            "awsRegion": "eu-west-1", "sourceIPAddress": "10.20.0.9", "userAgent": "aws-cli/2.15",
            "requestParameters": {"tableName": table}, "responseElements": None,
            "eventID": str(uuid.uuid5(uuid.NAMESPACE_URL, t + name + table + arn)),
            "readOnly": True, "eventType": "AwsApiCall", "managementEvent": name != "Scan",
            "recipientAccountId": "111122223333",
            "eventCategory": "Management" if name != "Scan" else "Data"}
def put(day, part, recs):
    d = "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/%02d" % day
    os.makedirs(d, exist_ok=True)
    with open("%s/111122223333_CloudTrail_eu-west-1_202611%02dT0000Z_%s.json" % (d, day, part), "w") as f:
        json.dump({"Records": recs}, f)
recon = "arn:aws:sts::111122223333:assumed-role/ops/mallory"
# ten tables in the last minutes of the 11th, ten more in the first of the 12th:
# each day alone is a burst, together they are one
put(11, "a", [rec("2026-11-11T23:%02d:00Z" % (40 + i), "DescribeTable", "a%02d" % i, recon,
                  "ASIARECON0000000001") for i in range(10)])
put(12, "a", [rec("2026-11-12T00:%02d:00Z" % (5 + i), "DescribeTable", "b%02d" % i, recon,
                  "ASIARECON0000000001") for i in range(10)])
scan = "arn:aws:sts::111122223333:assumed-role/etl/bob"
# scans of one key in the morning and in the afternoon of the 13th (two bursts);
# a late file of calls between them makes them one
put(13, "a", [rec("2026-11-13T%02d:%02d:00Z" % (8 + i // 60, i % 60), "Scan", "t%d" % (i % 4),
                  scan, "ASIASCAN00000000001") for i in range(0, 120, 2)] +
             [rec("2026-11-13T%02d:%02d:00Z" % (14 + i // 60, i % 60), "Scan", "t%d" % (i % 4),
                  scan, "ASIASCAN00000000001") for i in range(0, 120, 2)])
put(13, "b", [rec("2026-11-13T%02d:%02d:00Z" % (10 + i // 60, i % 60), "Scan", "t%d" % (i % 4),
                  scan, "ASIASCAN00000000001") for i in range(0, 240, 2)])
PY
cat >config.json <<'J'
{"mass_scan_calls": 50, "mass_scan_tables": 2}
J
alerts() { q "$1" "SELECT rule_id, first_seen, last_seen, event_count, principal_arn, event_ids,
                   detail, fingerprint, status, novelty, incident_id FROM alerts
                   WHERE rule_id IN ('DDB-RECON', 'DDB-MASS-SCAN') ORDER BY fingerprint"; }
files=$(find AWSLogs -type f | sort)
run ingest -q --db one.db AWSLogs
run detect -q --config config.json --db one.db
ok_if '[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]' "one detect exited $rc"
eq "$(q one.db "SELECT count(*) FROM alerts WHERE rule_id = 'DDB-RECON'")" 1 "one run: recon bursts"
eq "$(q one.db "SELECT count(*) FROM alerts WHERE rule_id = 'DDB-MASS-SCAN'")" 1 "one run: scan bursts"
alerts one.db >one.tsv

# latest file first: the 13th's middle, the 13th's two ends, the 12th, the 11th
for f in $(echo "$files" | sort -r); do
    run ingest -q --db late.db "$f"
    run detect -q --config config.json --db late.db
    ok_if '[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]' "detect after $f exited $rc"
done
eq "$(q late.db "SELECT count(*) FROM alerts WHERE rule_id = 'DDB-RECON'")" 1 "late: recon bursts"
eq "$(q late.db "SELECT count(*) FROM alerts WHERE rule_id = 'DDB-MASS-SCAN'")" 1 "late: scan bursts"
alerts late.db >late.tsv
cmp -s one.tsv late.tsv || { fail "late files: alerts differ from one run"; diff one.tsv late.tsv | head; }

# a rule that fails keeps the alerts it had: a rules folder whose DDB-RECON
# cannot run (an unknown table) leaves the stored burst where it was
mkdir rules && cp "$top"/detections/* rules/
sed -i 's/FROM events NOT INDEXED/FROM no_such_table/' rules/DDB-RECON.sql
run detect -q --config config.json --db late.db --rules rules --only DDB-RECON
ok_if '[ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]' "a failing rule exited $rc"
eq "$(q late.db "SELECT count(*) FROM alerts WHERE rule_id = 'DDB-RECON'")" 1 "failed rule: its alert stays"

# a rule may return one group twice: the run stored fewer distinct alerts than
# rows, and an alert it no longer derives still goes
mkdir twice
cat >twice/DDB-TWICE.sql <<'R'
-- id: DDB-TWICE
-- title: two groups
-- severity: low
-- description: a rule of this test
SELECT min(event_time) AS first_seen, max(event_time) AS last_seen, count(*) AS event_count,
       account_id, NULL AS aws_region, actor_arn AS principal_arn, NULL AS access_key_id,
       NULL AS source_ip, NULL AS table_name, NULL AS event_names, NULL AS event_ids,
       'x' AS detail, actor_arn AS group_key
FROM events GROUP BY actor_arn, account_id
R
run detect -q --db late.db --rules twice
eq "$(q late.db "SELECT count(*) FROM alerts WHERE rule_id = 'DDB-TWICE'")" 2 "two groups"
cat >>twice/DDB-TWICE.sql <<'R'
HAVING actor_arn LIKE '%ops%'
UNION ALL SELECT min(event_time), max(event_time), count(*), account_id, NULL, actor_arn, NULL,
       NULL, NULL, NULL, NULL, 'x', actor_arn FROM events WHERE actor_arn LIKE '%ops%'
GROUP BY actor_arn, account_id
R
run detect -q --db late.db --rules twice
eq "$(q late.db "SELECT group_concat(principal_arn) FROM alerts WHERE rule_id = 'DDB-TWICE'")" \
   "arn:aws:iam::111122223333:role/ops" "the group returned twice stays, the other goes"
done_case
