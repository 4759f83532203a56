#!/bin/sh
# `ddbtrail actors`: one summary per actor as the rules group them, most
# alerted first, every count agreeing with the store; top lists keep a user
# agent with commas whole; CSV and JSON Lines have exact columns; log values
# never reach the terminal raw.
. "$(dirname "$0")/../lib.sh"
run scan -q --db "$T/a.db" --config sample-logs/ddbtrail.json sample-logs/
run actors --db "$T/a.db" --format json
eq "$rc" 0 "actors status"
eq "$(wc -l <"$T/out")" "$(q "$T/a.db" "SELECT count(DISTINCT coalesce(actor_arn, principal_arn, '(unknown)')) FROM events")" \
   "one line per actor"
eq "$(jq -r 'keys_unsorted | join(",")' "$T/out" | sort -u)" \
   "actor,kind,events,dynamodb_events,errors,tables,first_seen,last_seen,source_ip_count,access_key_count,user_agent_count,alerts,top_severity,source_ips,access_keys,user_agents" \
   "JSON keys exactly"
eq "$(jq -s 'map(.events) | add' "$T/out")" "$(q "$T/a.db" "SELECT count(*) FROM events")" \
   "every event counted once"
eq "$(head -1 "$T/out" | jq -r .actor)" "arn:aws:iam::111122223333:user/svc-reporting" \
   "the most alerted actor first"
top=arn:aws:iam::111122223333:user/svc-reporting
eq "$(head -1 "$T/out" | jq -r '"\(.alerts) \(.events) \(.errors) \(.tables)"')" \
   "$(q "$T/a.db" "SELECT (SELECT count(*) FROM alerts WHERE status = 'open' AND principal_arn = '$top')
      || ' ' || count(*) || ' ' || sum(error_code IS NOT NULL) || ' ' || count(DISTINCT table_name)
      FROM events WHERE actor_arn = '$top'")" "its counts agree with the store"
run actors --db "$T/a.db" --format csv --limit 2
eq "$(head -1 "$T/out" | tr -d '\r')" \
   "actor,kind,events,dynamodb_events,errors,tables,first_seen,last_seen,source_ip_count,access_key_count,user_agent_count,alerts,top_severity,source_ips,access_keys,user_agents" \
   "CSV header"
eq "$(($(wc -l <"$T/out") - 1))" 2 "--limit"
run actors --db "$T/a.db" --since 2026-11-15
contains "$T/out" "actor(s), most alerted first" "text"
run actors --db "$T/a.db" --since 2026-11-16 --until 2026-11-15
eq "$rc" 2 "an inverted range"
run actors --db "$T/a.db" --format xml
eq "$rc" 2 "an unknown format"

# a browser's user agent holds commas; a hostile one holds an escape
cat >"$T/ua.json" <<'JSON'
{"Records":[
{"eventVersion":"1.08","eventTime":"2026-11-12T01:00:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"GetItem","awsRegion":"eu-west-1","sourceIPAddress":"10.0.0.5","userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)","eventID":"u-1","eventType":"AwsApiCall","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/web","accountId":"111122223333","accessKeyId":"AKIAWEB"},"requestParameters":{"tableName":"t"}},
{"eventVersion":"1.08","eventTime":"2026-11-12T01:00:01Z","eventSource":"dynamodb.amazonaws.com","eventName":"GetItem","awsRegion":"eu-west-1","sourceIPAddress":"10.0.0.5","userAgent":"evil\u001b]0;owned\u0007","eventID":"u-2","eventType":"AwsApiCall","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/web","accountId":"111122223333","accessKeyId":"AKIAWEB"},"requestParameters":{"tableName":"t"}}
]}
JSON
run ingest -q --db "$T/u.db" "$T/ua.json"
run actors --db "$T/u.db" --format json
eq "$(jq -r '.user_agents | length' "$T/out")" 2 "two agents, a comma inside one splits nothing"
run actors --db "$T/u.db"
lacks "$T/out" "$(printf '\033')" "no escape byte reaches the terminal"
contains "$T/out" "(KHTML, like Gecko)" "the browser's agent whole"
done_case
