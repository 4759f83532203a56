#!/bin/sh
# Values that used to be merged or misread: alert fingerprints hash each group
# value whole (past 64 KiB, after a NUL, with '|' inside), and --since/--until
# compare times, not text.
. "$(dirname "$0")/../lib.sh"
r=$T/rules; mkdir -p "$r"
cat >"$r/T-GROUP.sql" <<'SQL'
-- id: T-GROUP
-- title: one alert per user agent
-- severity: low
-- description: test rule: groups by the whole user agent
SELECT min(event_time) AS first_seen, max(event_time) AS last_seen, count(*) AS event_count,
       account_id, NULL AS aws_region, NULL AS principal_arn, NULL AS access_key_id,
       NULL AS source_ip, NULL AS table_name, group_concat(event_name) AS event_names,
       id_list(event_id) AS event_ids, 'ua' AS detail, user_agent AS group_key
FROM events GROUP BY user_agent, account_id
SQL
python3 - "$T/ua.json" <<'PY'
import json, sys
agents = ["A" * 70000 + "1", "A" * 70000 + "2",   # differ only past 64 KiB
          "a\u0000b", "a\u0000c",                  # differ only after a NUL
          "x|y", "x"]
recs = [{"eventID": "ua-%d" % i, "eventTime": "2026-11-12T02:10:0%dZ" % i,
         "eventSource": "dynamodb.amazonaws.com", "eventName": "GetItem",
         "recipientAccountId": "111122223333", "userAgent": ua} for i, ua in enumerate(agents)]
json.dump({"Records": recs}, open(sys.argv[1], "w"))
PY
run scan -q --db "$T/ua.db" --rules "$r" --format json "$T/ua.json"
eq "$rc" 0 "scan status"
eq "$(q "$T/ua.db" "SELECT count(*) FROM alerts")" 6 "six user agents, six alerts"
eq "$(q "$T/ua.db" "SELECT count(*) FROM alerts WHERE fingerprint GLOB 'T-GROUP:[0-9a-f]*' AND length(fingerprint) = 72")" \
   6 "fingerprints are the rule id and a SHA-256"
run detect -q --db "$T/ua.db" --rules "$r"
eq "$(q "$T/ua.db" "SELECT count(*) FROM alerts")" 6 "re-running detect upserts, adds nothing"

# --since/--until compare times: "2026-11-12 02:10:00Z" (space) sorts below
# "2026-11-12T00:00:00Z" as text but is inside the day
printf '{"Records":[{"eventID":"sp-1","eventTime":"2026-11-12 02:10:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"GetItem"}]}' >"$T/space.json"
run ingest -q --db "$T/sp.db" "$T/space.json"
run report --db "$T/sp.db" --since 2026-11-12 --until 2026-11-12
contains "$T/out" "time span  2026-11-12 02:10:00Z .. 2026-11-12 02:10:00Z (1 DynamoDB event(s))" \
    "--since/--until keep an event logged with a space separator"
run report --db "$T/sp.db" --since 2026-11-13
contains "$T/out" "time span  no DynamoDB events" "--since after the event leaves it out"
done_case
