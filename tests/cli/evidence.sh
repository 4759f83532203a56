#!/bin/sh
# From an alert to its evidence: every alert has a stable alert_id (the same
# in two stores, derived from its fingerprint), `events --alert ID` lists the
# events it keeps, in time order, and says when it counted more; --incident,
# --actor, --key, --ip, --table and --call pivot; multi-table alerts name
# every table (JSON, OCSF resources).
. "$(dirname "$0")/../lib.sh"
run scan --db "$T/a.db" --config sample-logs/ddbtrail.json --format json sample-logs/
cp "$T/out" "$T/a.jsonl"
run scan --db "$T/b.db" --config sample-logs/ddbtrail.json --format json sample-logs/
eq "$(jq -r '.alert_id' "$T/a.jsonl" | sort | tr '\n' ' ')" \
   "$(jq -r '.alert_id' "$T/out" | sort | tr '\n' ' ')" "the same alert ids from two stores"
eq "$(jq -r '.alert_id' "$T/a.jsonl" | sort -u | wc -l)" "$(wc -l <"$T/a.jsonl")" "alert ids unique"
fp=$(q "$T/a.db" "SELECT fingerprint FROM alerts WHERE rule_id = 'DDB-DESTRUCTIVE'")
want=$(printf '%s' "$fp" | sha256sum | cut -c1-16)
id=$(jq -r 'select(.rule_id == "DDB-DESTRUCTIVE") | .alert_id' "$T/a.jsonl")
eq "$id" "$want" "alert_id is the SHA-256 of the fingerprint, 16 digits"

# the events an alert keeps, in time order
run events --db "$T/a.db" --alert "$id" --format json
eq "$rc" 0 "events --alert status"
eq "$(jq -r '.event_id' "$T/out" | sort | tr '\n' ' ')" \
   "$(jq -r 'select(.rule_id == "DDB-DESTRUCTIVE") | .event_ids[]' "$T/a.jsonl" | sort | tr '\n' ' ')" \
   "the alert's events"
eq "$(jq -r '.event_time' "$T/out" | tr '\n' ' ')" "$(jq -r '.event_time' "$T/out" | sort | tr '\n' ' ')" \
   "in time order"
eq "$(jq -r 'keys_unsorted | join(",")' "$T/out" | sort -u)" \
   "event_time,actor,principal_arn,access_key_id,source_ip,aws_region,account_id,table_name,event_source,event_name,error_code,user_agent,items,event_id,file,byte_offset" \
   "JSON keys exactly"
eq "$(jq -r '.tables | join(" ")' "$T/a.jsonl" | sed -n "$(jq -r '.rule_id' "$T/a.jsonl" | grep -n '^DDB-DESTRUCTIVE$' | cut -d: -f1)p")" \
   "orders payments customers" "a multi-table alert lists every table"
run report --db "$T/a.db" --format ocsf
eq "$(jq -r 'select(.finding_info.uid == "'"$id"'") | [.resources[].name] | join(" ")' "$T/out")" \
   "orders payments customers" "OCSF: one resource per table"
run events --db "$T/a.db" --alert "$(echo "$id" | cut -c1-6 | tr a-f A-F)"
eq "$rc" 0 "a 6-digit prefix is enough, in any case"
contains "$T/out" "4 event(s) behind alert $id (DDB-DESTRUCTIVE)" "text names the alert"
contains "$T/out" "dynamodb:DeleteTable" "text shows the call with its service"

# an alert that counted more than it keeps says how to list the rest
scan_id=$(jq -r 'select(.rule_id == "DDB-MASS-SCAN") | .alert_id' "$T/a.jsonl" | head -1)
count=$(jq -r 'select(.alert_id == "'"$scan_id"'") | .event_count' "$T/a.jsonl")
run events --db "$T/a.db" --alert "$scan_id"
contains "$T/out" "counted $count event(s) and keep the ids of 20" "the cap said"
hint=$(sed -n 's/.*list the rest by actor and time: //p' "$T/out")
# shellcheck disable=SC2086
run events --db "$T/a.db" $hint --call Scan --format json
ok_if '[ "$(wc -l <"$T/out")" -ge "$count" ]' "the hint lists every event the alert counted"
run events --db "$T/a.db" --alert "$scan_id" --format json
contains "$T/err" "keep the ids of 20" "JSON Lines: the cap said on stderr"

# --raw: each record exactly as its file holds it (checked against Python's own reading of
# the decompressed file at the stored offset), its file and offset on stderr
run events --db "$T/a.db" --alert "$id" --raw
eq "$rc" 0 "--raw status"
eq "$(jq -r .eventID "$T/out" | sort | tr '\n' ' ')" \
   "$(jq -r 'select(.rule_id == "DDB-DESTRUCTIVE") | .event_ids[]' "$T/a.jsonl" | sort | tr '\n' ' ')" \
   "the alert's records"
python3 - "$T/out" "$T/err" <<'PY' || fail "--raw is not the bytes the files hold"
import gzip, json, re, sys
out = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
notes = [l for l in open(sys.argv[2]).read().splitlines() if "decompressed byte" in l]
assert len(out) == len(notes) == 4, (len(out), len(notes))
for line, note in zip(out, notes):
    m = re.match(r"ddbtrail: (\S+): (.*), decompressed byte (\d+)$", note)
    data = open(m.group(2), "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    off = len(data[:int(m.group(3))].decode("utf-8"))
    obj, end = json.JSONDecoder().raw_decode(text, off)
    assert text[off:end].encode() == line, m.group(1)
    assert obj["eventID"] == m.group(1)
PY
# an event from a lookup-events page is the JSON string the page holds
run ingest -q --db "$T/l.db" tests/inputs/lookup-events.json
run events --db "$T/l.db" --raw --limit 1
eq "$rc" 0 "--raw of an embedded event"
eq "$(head -c 1 "$T/out")" '"' "the embedded record is the page's string"
eq "$(jq -r 'fromjson | .eventID' "$T/out" | head -1)" \
   "$(q "$T/l.db" "SELECT event_id FROM events ORDER BY event_ts, event_time, event_id LIMIT 1")" \
   "and decodes to the event"
# a file changed since, and an event read from stdin, are said, never printed as evidence
cp sample-logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/12/111122223333_CloudTrail_eu-west-1_20261112T0205Z_02967e50290f4b.json.gz "$T/one.json.gz"
run ingest -q --db "$T/c.db" "$T/one.json.gz"
printf 'x' >>"$T/one.json.gz"
run events --db "$T/c.db" --raw --limit 1
eq "$rc" 3 "a changed file: status 3"
contains "$T/err" "changed since it was read" "a changed file named"
eq "$(wc -c <"$T/out")" 0 "nothing printed from it"
zcat "$T/one.json.gz" 2>/dev/null | head -c 100000 >/dev/null
gzip -dc <"$T/one.json.gz" 2>/dev/null | ddb ingest -q --db "$T/p.db" - 2>/dev/null
run events --db "$T/p.db" --raw --limit 1
eq "$rc" 3 "stdin: status 3"
contains "$T/err" "read from stdin" "stdin named"

# refusals
run events --db "$T/a.db" --alert 12345
eq "$rc" 2 "too short an id"
contains "$T/err" "not an alert id" "too short an id named"
run events --db "$T/a.db" --alert ffffffffffffffff
eq "$rc" 2 "an unknown id"
contains "$T/err" "no alert with id 'ffffffffffffffff'" "unknown id named"
run events --db "$T/a.db" --incident 99
eq "$rc" 2 "an unknown incident"
run events --db "$T/a.db" --since 2026-11-13 --until 2026-11-12
eq "$rc" 2 "an inverted range"
run events --db "$T/a.db" --table 'arn:aws:dynamodb:eu-west-1'
eq "$rc" 2 "a malformed table ARN"

# an incident: every event its alerts keep
run events --db "$T/a.db" --incident 1 --format json
eq "$rc" 0 "events --incident status"
eq "$(wc -l <"$T/out")" "$(q "$T/a.db" "WITH RECURSIVE s(id, rest) AS (
      SELECT NULL, event_ids || ',' FROM alerts WHERE incident_id = 1
      UNION ALL SELECT substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
      FROM s WHERE rest <> '')
    SELECT count(DISTINCT s.id) FROM s JOIN events e ON e.event_id = s.id")" \
   "the incident's events, once each"

# pivots agree with the store
key=AKIA5Q3EXAMPLELEAKED
run events --db "$T/a.db" --key $key --format csv
eq "$(head -1 "$T/out" | tr -d '\r')" \
   "event_time,actor,principal_arn,access_key_id,source_ip,aws_region,account_id,table_name,event_source,event_name,error_code,user_agent,items,event_id,file,byte_offset" \
   "CSV header"
eq "$(($(wc -l <"$T/out") - 1))" "$(q "$T/a.db" "SELECT count(*) FROM events WHERE access_key_id = '$key'")" \
   "--key: every call of the key"
run events --db "$T/a.db" --ip 185.220.101.47 --table orders --format json
eq "$(wc -l <"$T/out")" \
   "$(q "$T/a.db" "SELECT count(*) FROM events WHERE source_ip = '185.220.101.47' AND table_name = 'orders'")" \
   "--ip with --table: both hold"
run events --db "$T/a.db" --table arn:aws:dynamodb:eu-west-1:111122223333:table/customers --format json
eq "$(wc -l <"$T/out")" "$(q "$T/a.db" "SELECT count(*) FROM events WHERE table_name = 'customers'
      AND aws_region = 'eu-west-1' AND account_id = '111122223333'")" "a table ARN"
run events --db "$T/a.db" --table arn:aws:dynamodb:us-east-1:111122223333:table/customers --format json
eq "$(wc -l <"$T/out")" 0 "a table ARN is one region's table, not every table of that name"
run events --db "$T/a.db" --actor arn:aws:iam::111122223333:user/svc-reporting --limit 5
contains "$T/out" "the first 5 shown (--limit)" "--limit said"

# items a call names; hostile values escaped in the text form
cat >"$T/items.json" <<'EOF'
{"Records":[
{"eventVersion":"1.08","eventTime":"2026-11-12T01:00:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"BatchWriteItem","awsRegion":"eu-west-1","sourceIPAddress":"10.0.0.5","userAgent":"x\u001b[31mred","eventID":"i-1","eventType":"AwsApiCall","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/etl","accountId":"111122223333","accessKeyId":"AKIAETL"},"requestParameters":{"requestItems":[{"operation":"Put","tableName":"t","key":{"pk":"1"}},{"operation":"Put","tableName":"t","key":{"pk":"2"}},{"operation":"Delete","tableName":"t","key":{"pk":"3"}}]}},
{"eventVersion":"1.08","eventTime":"2026-11-12T01:00:01Z","eventSource":"dynamodb.amazonaws.com","eventName":"GetItem","awsRegion":"eu-west-1","sourceIPAddress":"10.0.0.5","userAgent":"sdk","eventID":"i-2","eventType":"AwsApiCall","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/etl","accountId":"111122223333","accessKeyId":"AKIAETL"},"requestParameters":{"tableName":"t","key":{"pk":"1"}}},
{"eventVersion":"1.08","eventTime":"2026-11-12T01:00:02Z","eventSource":"dynamodb.amazonaws.com","eventName":"Scan","awsRegion":"eu-west-1","sourceIPAddress":"10.0.0.5","userAgent":"sdk","eventID":"i-3","eventType":"AwsApiCall","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/etl","accountId":"111122223333","accessKeyId":"AKIAETL"},"requestParameters":{"tableName":"t"}}
]}
EOF
run ingest -q --db "$T/i.db" "$T/items.json"
run events --db "$T/i.db" --format json
eq "$(jq -r '"\(.event_name)=\(.items)"' "$T/out" | tr '\n' ' ')" "BatchWriteItem=3 GetItem=1 Scan=null " \
   "items: a batch's requests, one for a single-item call, none said for a scan"
run events --db "$T/i.db"
lacks "$T/out" "$(printf '\033')" "no escape byte reaches the terminal"
contains "$T/out" 'x\\x1b\[31mred' "the escape shown"
done_case
