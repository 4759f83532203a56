#!/bin/sh
# A daily job is routine from its third day (README, "Routine and new"): a CI role
# running `terraform plan` each morning describes 15 tables under a new session
# name every run; DDB-RECON fires each day, new on the first, routine (info) from
# the third, with the default routine_days.
. "$(dirname "$0")/../lib.sh"
python3 - "$T/tf.json" <<'PY' || { echo "generator failed"; exit 1; }
import json, sys
recs = []
for day in range(1, 6):
    for k in range(15):
        for n, name in enumerate(["DescribeTable", "ListTagsOfResource"]):
            t = "t%02d" % k
            recs.append({
                "eventVersion": "1.09", "eventTime": "2026-11-%02dT06:%02d:%02dZ" % (day, k, n),
                "eventSource": "dynamodb.amazonaws.com", "eventName": name,
                "awsRegion": "eu-west-1", "sourceIPAddress": "10.1.2.3",
                "userAgent": "APN/1.0 HashiCorp/1.0 Terraform/1.7.5",
                "requestParameters": {"tableName": t} if n == 0 else
                    {"resourceArn": "arn:aws:dynamodb:eu-west-1:111122223333:table/" + t},
                "responseElements": None, "eventID": "run%d-%02d-%d" % (day, k, n),
                "requestID": "r%d-%02d-%d" % (day, k, n), "eventType": "AwsApiCall",
                "readOnly": True, "managementEvent": True, "eventCategory": "Management",
                "recipientAccountId": "111122223333",
                "userIdentity": {"type": "AssumedRole", "principalId": "AROACITF:run-%d" % day,
                    "arn": "arn:aws:sts::111122223333:assumed-role/ci-terraform/run-%d" % day,
                    "accountId": "111122223333", "accessKeyId": "ASIACITERRAFORM%d" % day,
                    "sessionContext": {"sessionIssuer": {"type": "Role",
                        "principalId": "AROACITF", "accountId": "111122223333",
                        "arn": "arn:aws:iam::111122223333:role/ci-terraform",
                        "userName": "ci-terraform"}}}})
json.dump({"Records": recs}, open(sys.argv[1], "w"))
PY
run scan -q --db "$T/s.db" --format json "$T/tf.json"
eq "$rc" 0 "scan"
eq "$(q "$T/s.db" "SELECT group_concat(substr(first_seen, 9, 2) || '=' || coalesce(novelty, '-') || '/' || severity, ' ')
                   FROM (SELECT * FROM alerts WHERE rule_id = 'DDB-RECON' ORDER BY first_seen)")" \
   "01=new/medium 02=-/medium 03=routine/info 04=routine/info 05=routine/info" \
   "one RECON a day: new, seen, then routine from the third day"
done_case
