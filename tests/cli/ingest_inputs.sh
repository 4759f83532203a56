#!/bin/sh
# The other inputs users have: lookup-events pages, CloudWatch Logs (filter-log-events and a
# Firehose-delivered subscription with its health check), CloudTrail Lake query results.
# Each embedded event is decoded; a malformed one is one reject naming the byte offset and
# the item's id; mixed with CloudTrail's own forms in one run, on stdin too.
. "$(dirname "$0")/../lib.sh"
d=tests/inputs
check() { # file, event ids, format
    run ingest -q --db "$T/$1.db" "$d/$1"
    eq "$(q "$T/$1.db" "SELECT group_concat(event_id, ' ') FROM (SELECT event_id FROM events ORDER BY 1)")" "$2" "$1: events"
    eq "$(q "$T/$1.db" "SELECT format FROM files")" "$3" "$1: format"
}
check lookup-events.json "lk-1 lk-2 lk-3" lookup-events
eq "$rc" 3 "lookup-events: the cut event makes it exit 3"
contains "$T/err" "lookup-events.json: embedded event (id lk-bad): truncated JSON: unexpected end of input (byte [0-9]*)" \
    "one reject naming the id and the page's offset"
eq "$(grep -c . "$T/err")" 1 "exactly one error line"
eq "$(q "$T/lookup-events.json.db" "SELECT count(*) FROM rejects")" 1 "one rejects row"
check cloudwatch-filter-log-events.json "cw-0 cw-1 cw-2" cloudwatch-logs
eq "$rc" 0 "filter-log-events: clean"
check cloudwatch-subscription.json.gz "sub-0 sub-1" gzip+cloudwatch-logs
eq "$rc" 0 "subscription: the CONTROL_MESSAGE health check is no event and no error"
check lake-query-results.json "lake-0 lake-1" cloudtrail-lake
eq "$rc" 0 "Lake: clean"
# values as logged: the embedded event's fields, not the wrapper's
eq "$(q "$T/lake-query-results.json.db" "SELECT actor_arn || ' ' || table_name FROM events WHERE event_id = 'lake-0'")" \
   "arn:aws:iam::111122223333:role/orders-app-role orders" "fields come from the embedded event"
# mixed freely with the old forms, stdin included
cat "$d/lookup-events.json" | ddb ingest -q --db "$T/mix.db" - tests/detections/DDB-ROOT/fires.json "$d" \
    >"$T/out" 2>"$T/err"
eq "$(q "$T/mix.db" "SELECT count(*) FROM events")" 11 "every event of every shape stored once"
eq "$(q "$T/mix.db" "SELECT group_concat(DISTINCT format) FROM (SELECT format FROM files ORDER BY 1)")" \
   "cloudtrail,cloudtrail-lake,cloudwatch-logs,gzip+cloudwatch-logs,lookup-events" "formats recorded"
# an embedded wrapper is not unwrapped again (no nesting games)
python3 -c "
import json
inner = json.dumps({'Events': [{'EventId': 'x', 'CloudTrailEvent': '{}'}]})
print(json.dumps({'Events': [{'EventId': 'nest', 'CloudTrailEvent': inner}]}))" >"$T/nested.json"
run ingest -q --db "$T/n.db" "$T/nested.json"
eq "$rc" 3 "a wrapper inside an embedded event is rejected"
contains "$T/err" "embedded event (id nest): not a CloudTrail record" "named"
done_case
