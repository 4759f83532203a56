#!/bin/sh
# No silent all-clear: a path that is not there, a directory whose logs have
# other names, an empty input, and a verify with nothing to verify each say
# what happened, with a status that is not 0.
. "$(dirname "$0")/../lib.sh"
python3 - "$T" <<'PY'
import gzip, json, sys
T = sys.argv[1]
rec = {"eventVersion": "1.09", "eventID": "ac-1", "eventTime": "2026-11-12T02:10:00Z",
       "eventSource": "dynamodb.amazonaws.com", "eventName": "DeleteTable",
       "awsRegion": "eu-west-1", "recipientAccountId": "111122223333",
       "userIdentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root",
                        "accountId": "111122223333"},
       "requestParameters": {"tableName": "orders"}}
import os
os.makedirs(T + "/export")
# a SIEM export: one JSON file and one gzip JSON Lines file, neither named *.json(.gz)
json.dump({"Records": [rec]}, open(T + "/export/events.log", "w"))
with gzip.open(T + "/export/events.json.1", "wt") as f:
    f.write(json.dumps(dict(rec, eventID="ac-2")) + "\n")
open(T + "/export/README.txt", "w").write("exported by the SIEM\n")
os.makedirs(T + "/empty")
open(T + "/empty.json", "w").close()
json.dump({"Records": []}, open(T + "/no-records.json", "w"))
PY

# 1. a path that does not exist, and no other: a usage error, nothing on stdout
run scan "$T/nonexistent/AWSLogs"
eq "$rc" 2 "scan of a path that is not there: exit 2"
eq "$(cat "$T/out")" "" "and no report"
contains "$T/err" "nonexistent/AWSLogs: No such file or directory" "the path named"

# 2. logs named otherwise are read by their content; the file that is none is named
run scan --format json "$T/export"
eq "$(grep -c '"rule_id":"DDB-ROOT"' "$T/out")" 1 "the export's records were read (root's call)"
contains "$T/err" "events: 2 seen" "both files read"
contains "$T/err" "skipped (neither named nor shaped like a CloudTrail log): .*README.txt" \
    "the skipped file named"

# 3. an empty file is an empty file, not a record seen and rejected
run scan "$T/empty.json"
eq "$rc" 3 "an empty input: exit 3 (an input with an error)"
contains "$T/err" "empty.json: empty file" "said so"
contains "$T/err" "events: 0 seen" "no record seen"
contains "$T/out" "^  NOTHING READ no event was read" "the report says nothing was read, at its top"
lacks "$T/out" "^no alerts$" "never a bare 'no alerts'"

# 4. zero events read is never an all-clear: exit 4, said on the report
run scan "$T/no-records.json"
eq "$rc" 4 "a file of no records: exit 4"
contains "$T/out" "^  NOTHING READ no event was read from 1 input file(s)" "said at the top"
contains "$T/out" "^no alerts, because no event was read" "and instead of 'no alerts'"
run scan --format json --summary "$T/no-records.json"
eq "$rc" 4 "JSON Lines: exit 4 too"
eq "$(jq -r '[.record_type, .state, .events_seen, .alerts] | join(" ")' "$T/out")" \
    "summary nothing read 0 0" "--summary: the run record says nothing was read"
run scan --format html -o "$T/r.html" "$T/empty"
eq "$rc" 4 "an empty directory: exit 4"
contains "$T/r.html" "Nothing read: no event was read" "HTML says it too"

# 5. verify with no digest: nothing was verified, exit 4 with the reason
run verify "$T/export"
eq "$rc" 4 "verify without digests: exit 4"
contains "$T/out" "no digest files found; nothing could be verified" "with the reason"
done_case
