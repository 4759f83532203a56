#!/bin/sh
# `rules check` passes on the shipped catalogue and names each bad file;
# a rule cannot write to the store; detect is idempotent; --only works;
# parallel and sequential detect agree.
. "$(dirname "$0")/../lib.sh"
run rules check
eq "$rc" 0 "shipped rules check"
contains "$T/out" "$(ls detections/*.sql | wc -l) rules checked, 0 bad" "all rules checked"
mkdir -p "$T/r"
cp detections/DDB-ROOT.sql "$T/r/"
printf -- '-- id: NO-TITLE\n-- severity: high\n-- description: x\nSELECT 1\n' >"$T/r/NO-TITLE.sql"
printf -- '-- id: WRITER\n-- title: t\n-- severity: high\n-- description: x\nDELETE FROM events\n' >"$T/r/WRITER.sql"
printf -- '-- id: ATTACHER\n-- title: t\n-- severity: high\n-- description: x\nATTACH DATABASE '"'"'/tmp/x.db'"'"' AS x\n' >"$T/r/ATTACHER.sql"
printf -- '-- id: COLS\n-- title: t\n-- severity: high\n-- description: x\nSELECT 1 AS first_seen\n' >"$T/r/COLS.sql"
printf -- '-- id: SEV\n-- title: t\n-- severity: urgent\n-- description: x\nSELECT 1\n' >"$T/r/SEV.sql"
printf -- '-- id: TWO\n-- title: t\n-- severity: low\n-- description: x\nSELECT * FROM events; DELETE FROM events\n' >"$T/r/TWO.sql"
run rules check --rules "$T/r"
eq "$rc" 2 "bad rules status"
contains "$T/err" "NO-TITLE.sql: header lacks title" "missing title"
contains "$T/err" "WRITER.sql: SQL does not compile: not authorized" "write denied"
contains "$T/err" "ATTACHER.sql: SQL does not compile: not authorized" "attach denied"
contains "$T/err" "COLS.sql: result lacks column 'last_seen'" "columns checked"
contains "$T/err" "SEV.sql: severity 'urgent'" "severity checked"
contains "$T/err" "TWO.sql: more than one SQL statement" "one statement"
run rules list --rules "$T/r"
contains "$T/out" "DDB-ROOT" "list shows the good rule"

# detect twice: no duplicate alerts; a broken rule is reported and the others run
run ingest -q --db "$T/s.db" sample-logs/
run detect -q --db "$T/s.db" --config sample-logs/ddbtrail.json
eq "$rc" 0 "detect status"
n=$(q "$T/s.db" "SELECT count(*) FROM alerts")
run detect -q --db "$T/s.db" --config sample-logs/ddbtrail.json
eq "$(q "$T/s.db" "SELECT count(*) FROM alerts")" "$n" "re-running detect adds no alerts"
eq "$(q "$T/s.db" "SELECT count(*) FROM events")" "$(q "$T/s.db" "SELECT sum(events_stored) FROM files")" \
   "rules left events untouched"
mkdir -p "$T/r2"; cp detections/*.sql "$T/r2/"
printf -- '-- id: ZZ-BROKEN\n-- title: t\n-- severity: low\n-- description: x\nSELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count, account_id, aws_region, principal_arn, access_key_id, source_ip, table_name, event_name AS event_names, event_id AS event_ids, regexp('"'"'('"'"', event_id) AS detail FROM events\n' >"$T/r2/ZZ-BROKEN.sql"
run detect --db "$T/s.db" --rules "$T/r2" --config sample-logs/ddbtrail.json
eq "$rc" 2 "a failing rule makes detect exit 2"
contains "$T/err" "rule ZZ-BROKEN failed: run-time error: regexp: bad pattern" "failing rule named"
contains "$T/out" "$(ls detections/*.sql | wc -l) ran, 0 skipped, 1 failed" "the other rules ran"
# --only and the skipped off-region rule without allowed_regions
run detect --db "$T/s.db" --only DDB-ROOT,DDB-OFF-REGION
eq "$rc" 0 "--only status"
contains "$T/err" "DDB-OFF-REGION skipped: set allowed_regions" "off-region skipped once"
contains "$T/out" "1 ran, 1 skipped" "--only ran one"
run detect --db "$T/s.db" --only DDB-NOPE
eq "$rc" 2 "--only unknown id"

# rules run side by side store the same alerts as one at a time, and a result too large to
# keep in memory (more than 24 MiB: here 600 rows of 60 KB) is streamed instead
alerts() { q "$1" "SELECT rule_id, severity, title, first_seen, last_seen, event_count, account_id,
                   aws_region, principal_arn, access_key_id, source_ip, table_name, event_names,
                   event_ids, detail, mitre, fingerprint FROM alerts ORDER BY fingerprint"; }
printf -- '-- id: ZZ-HUGE\n-- title: t\n-- severity: info\n-- description: x\nSELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count, account_id, aws_region, principal_arn, access_key_id, source_ip, table_name, event_name AS event_names, event_id AS event_ids, printf('"'"'%%.60000c'"'"', '"'"'x'"'"') AS detail, event_id AS group_key FROM events LIMIT 600\n' >"$T/r2/ZZ-HUGE.sql"
rm "$T/r2/ZZ-BROKEN.sql"
run ingest -q --db "$T/one.db" sample-logs/
cp "$T/one.db" "$T/two.db"
run detect -q --threads 1 --db "$T/one.db" --rules "$T/r2" --config sample-logs/ddbtrail.json
eq "$rc" 0 "detect --threads 1"
run detect -q --threads 4 --db "$T/two.db" --rules "$T/r2" --config sample-logs/ddbtrail.json
eq "$rc" 0 "detect --threads 4"
alerts "$T/one.db" >"$T/one.txt"
alerts "$T/two.db" >"$T/two.txt"
ok_if 'cmp -s "$T/one.txt" "$T/two.txt"' "alerts differ between --threads 1 and --threads 4"
# and in the same order: stored in rule order whichever rule (cost: heavy first) ran first
eq "$(q "$T/two.db" "SELECT group_concat(fingerprint) FROM (SELECT fingerprint FROM alerts ORDER BY alert_id)")" \
   "$(q "$T/one.db" "SELECT group_concat(fingerprint) FROM (SELECT fingerprint FROM alerts ORDER BY alert_id)")" \
   "alert ids in the same order with --threads 1 and --threads 4"
eq "$(q "$T/two.db" "SELECT count(*) FROM alerts WHERE rule_id = 'ZZ-HUGE'")" 600 "huge result stored"
ok_if '[ "$(q "$T/two.db" "SELECT count(DISTINCT rule_id) FROM alerts")" -ge 10 ]' "rules fired"

# rules list --format json: one object per rule file, every header field, strings escaped
run rules list --format json
eq "$rc" 0 "rules list --format json"
eq "$(jq -r .id "$T/out" | tr '\n' ' ')" "$(ls detections/*.sql | sed 's|.*/||; s|\.sql$||' | tr '\n' ' ')" \
   "every rule, in name order"
eq "$(jq -r 'select(.id == "DDB-DAX-POLICY") | .requires' "$T/out")" dax_role_arns "a header field"
eq "$(jq -r 'select(.id == "DDB-ROOT") | .effects' "$T/out")" null "an absent field is null"
# rules show: the header and the SQL
run rules show DDB-DECOY-ACCESS
eq "$rc" 0 "rules show"
contains "$T/out" "requires        decoy_tables" "header fields shown"
contains "$T/out" "FROM touched t JOIN events e" "its SQL shown"
run rules show DDB-NOPE
eq "$rc" 2 "rules show of an unknown id"
contains "$T/err" "no rule DDB-NOPE in" "says so"
run rules show
eq "$rc" 2 "rules show without an id"
run rules list --format xml
eq "$rc" 2 "an unknown format"

# the header ends at an unindented comment that is no key: an author's note on the SQL is not
# part of the last field (which reports and alert cards print); a key after it is refused
mkdir -p "$T/notes"
cat >"$T/notes/T-NOTE.sql" <<'SQL'
-- id: T-NOTE
-- title: t
-- severity: low
-- description: d
-- falsepositives: a nightly job;
--   run it under its own role.
--
-- How: one pass over the events.
SELECT NULL AS first_seen, NULL AS last_seen, 0 AS event_count, NULL AS account_id,
       NULL AS aws_region, NULL AS principal_arn, NULL AS access_key_id, NULL AS source_ip,
       NULL AS table_name, NULL AS event_names, NULL AS event_ids, NULL AS detail
FROM events WHERE 0
SQL
run rules list --rules "$T/notes" --format json
eq "$(jq -r .falsepositives "$T/out")" "a nightly job; run it under its own role." \
   "an indented line continues a field; the note after the header does not"
run rules check --rules "$T/notes"
eq "$rc" 0 "the note is part of the SQL, which still compiles"
printf -- '-- mitre: T1530\n' >"$T/key-after"
sed '/^-- How/r '"$T/key-after" "$T/notes/T-NOTE.sql" >"$T/t" && mv "$T/t" "$T/notes/T-NOTE.sql"
run rules check --rules "$T/notes"
eq "$rc" 2 "a header key after the note: refused"
contains "$T/err" "header key 'mitre' comes after a comment that ended the header" "and named"
done_case
