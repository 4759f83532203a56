#!/bin/sh
# One lookup-events item is one event (issue 22, L1): a CloudTrailEvent string
# that holds a Records wrapper, an array or several values is one reject, and
# none of its events is stored; the items around it are read.
. "$(dirname "$0")/../lib.sh"
python3 - "$T" <<'PY'
import json, sys
T = sys.argv[1]
rec = lambda i: {"eventVersion": "1.09", "eventID": "lk-%d" % i, "eventTime": "2026-11-12T02:10:00Z",
       "eventSource": "dynamodb.amazonaws.com", "eventName": "DeleteTable", "awsRegion": "eu-west-1",
       "recipientAccountId": "111122223333",
       "userIdentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"},
       "requestParameters": {"tableName": "t%d" % i}}
json.dump({"Events": [
  {"EventId": "a", "CloudTrailEvent": json.dumps(rec(1))},
  {"EventId": "b", "CloudTrailEvent": json.dumps({"Records": [rec(2), rec(3)]})},
  {"EventId": "c", "CloudTrailEvent": json.dumps([rec(4), rec(5)])},
  {"EventId": "d", "CloudTrailEvent": json.dumps(rec(6)) + json.dumps(rec(7))},
  {"EventId": "e", "CloudTrailEvent": json.dumps(rec(8))}]}, open(T + "/page.json", "w"))
PY
run ingest --db "$T/s.db" "$T/page.json"
eq "$rc" 3 "bad items are rejects (exit 3)"
eq "$(q "$T/s.db" "SELECT group_concat(event_id, ' ') FROM (SELECT event_id FROM events ORDER BY 1)")" \
   "lk-1 lk-8" "only the items that are one event each are stored"
eq "$(q "$T/s.db" "SELECT count(*) FROM rejects")" 3 "one reject per bad item"
contains "$T/err" "embedded event (id b): holds a Records wrapper" "a wrapper named"
contains "$T/err" "embedded event (id c): holds an array" "an array named"
contains "$T/err" "embedded event (id d): holds several JSON values" "values one after the other named"
contains "$T/out" "events: 5 seen: 2 new, 0 already stored, 0 skipped (not DynamoDB-relevant), 3 rejected" \
    "seen = stored + rejected"
done_case
