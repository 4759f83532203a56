#!/bin/sh
# Every accepted input shape, gzip or not, whatever the file name says.
. "$(dirname "$0")/../lib.sh"
ev() { printf '{"eventVersion":"1.09","eventTime":"2026-11-12T02:10:0%sZ","eventSource":"dynamodb.amazonaws.com","eventName":"GetItem","awsRegion":"eu-west-1","sourceIPAddress":"10.0.0.1","requestParameters":{"tableName":"t%s"},"eventID":"%s"}' "$2" "$2" "$1"; }
{ ev a1 1; echo; ev a2 2; echo; } >"$T/lines.jsonl"
{ printf '['; ev b1 1; printf ','; ev b2 2; printf ']'; } >"$T/array.json"
{ printf '{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.dynamodb","detail":'; ev c1 1; printf '}\n'; } >"$T/eventbridge.json"
ev d1 1 >"$T/bare.json"
{ printf '{"foo":{"Records":"decoy"},"Records":['; ev e1 1; printf '],"bar":1}'; } | gzip >"$T/renamed.txt"
run ingest --db "$T/f.db" "$T/lines.jsonl" "$T/array.json" "$T/eventbridge.json" "$T/bare.json" "$T/renamed.txt"
eq "$rc" 0 "status"
eq "$(q "$T/f.db" "SELECT group_concat(format, ' ') FROM (SELECT format FROM files ORDER BY file_id)")" \
   "jsonl array eventbridge event gzip+cloudtrail" "formats"
eq "$(q "$T/f.db" "SELECT group_concat(event_id, ' ') FROM (SELECT event_id FROM events ORDER BY event_id)")" \
   "a1 a2 b1 b2 c1 d1 e1" "events"
eq "$(q "$T/f.db" "SELECT table_name FROM events WHERE event_id='a2'")" t2 "table from requestParameters"
done_case
