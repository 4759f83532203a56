#!/bin/sh
# From alerts to answers: routine vs new over a store built by two ingests,
# suppression (with expiry, and never of what an entry does not match), a
# per-actor threshold, incidents (grouping, gap, stage order) and the blind
# spot of a management-only input.
. "$(dirname "$0")/../lib.sh"
python3 - "$T" <<'PY'
import json, sys
T = sys.argv[1]
A = "111122223333"
def role(name, sess):
    return {"type": "AssumedRole", "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (A, name, sess),
            "accountId": A, "accessKeyId": "ASIA" + (name + sess).upper().replace("-", "")[:16].ljust(16, "X"),
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::%s:role/%s" % (A, name),
                                                 "userName": name}}}
n = [0]
def ev(who, name, t, table=None, ip="10.1.2.3", cat="Data", extra=None):
    n[0] += 1
    e = {"eventID": "tr-%05d" % n[0], "eventTime": t, "eventSource": "dynamodb.amazonaws.com",
         "eventName": name, "awsRegion": "eu-west-1", "sourceIPAddress": ip,
         "userIdentity": who, "recipientAccountId": A, "eventCategory": cat,
         "requestParameters": dict({"tableName": table} if table else {}, **(extra or {}))}
    return e
tables = ["orders", "customers", "payments", "invoices", "sessions", "audit"]
def burst(who, day, hour=1):
    return [ev(who, "Scan", "2026-11-%02dT%02d:%02d:%02dZ" % (day, hour, i // 2, i % 2 * 30), tables[i % 6])
            for i in range(60)]
etl = lambda d: role("nightly-etl", "run-%d" % d)
first = [e for d in range(9, 14) for e in burst(etl(d), d)]
second = burst(etl(14), 14) + burst(role("thief", "x"), 14, hour=9)
second.append(ev(etl(14), "DeleteTable", "2026-11-14T01:40:00Z", "old-staging", cat="Management"))
json.dump({"Records": first}, open(T + "/nights-1.json", "w"))
json.dump({"Records": second}, open(T + "/nights-2.json", "w"))
# incidents: one key's recon, then its scan; an unrelated role elsewhere; the same key back
# ten hours later
k = {"type": "IAMUser", "arn": "arn:aws:iam::%s:user/leaky" % A, "accountId": A,
     "accessKeyId": "AKIALEAKYKEY00000001"}
inc = [ev(k, "DescribeTable", "2026-11-12T02:%02d:00Z" % i, "t%02d" % i, ip="185.220.101.47",
          cat="Management") for i in range(12)]
inc += burst(k, 12, hour=3)
inc += [ev(k, "DeleteTable", "2026-11-12T03:50:00Z", "orders", ip="185.220.101.47", cat="Management")]
inc += burst(role("other-team", "o"), 12, hour=5)
inc += [ev(k, "DeleteTable", "2026-11-12T14:00:00Z", "payments", ip="185.220.101.47", cat="Management")]
json.dump({"Records": inc}, open(T + "/incident.json", "w"))
# management events only: tables exist, reads are not logged
mg = [ev(role("admin", "a"), "DescribeTable", "2026-11-12T10:%02d:00Z" % i, "orders", cat="Management")
      for i in range(3)]
json.dump({"Records": mg}, open(T + "/mgmt-only.json", "w"))
PY

# 1. routine vs new, learnt across two ingests into one store
run scan -q --db "$T/n.db" --only DDB-MASS-SCAN,DDB-DESTRUCTIVE --format json "$T/nights-1.json"
eq "$rc" 0 "first ingest"
eq "$(q "$T/n.db" "SELECT novelty FROM alerts WHERE first_seen LIKE '2026-11-09%'")" new "the first night is new"
eq "$(q "$T/n.db" "SELECT group_concat(novelty || ':' || severity) FROM (SELECT * FROM alerts WHERE first_seen >= '2026-11-12' ORDER BY first_seen)")" \
   "routine:info,routine:info" "nights 4 and 5 are routine, at info"
run scan -q --db "$T/n.db" --only DDB-MASS-SCAN,DDB-DESTRUCTIVE --format json "$T/nights-2.json"
eq "$(q "$T/n.db" "SELECT novelty || ':' || severity FROM alerts WHERE rule_id = 'DDB-MASS-SCAN' AND first_seen LIKE '2026-11-14T01%'")" \
   "routine:info" "the sixth night, ingested later, is routine"
contains "$T/out" '"novelty":"routine"' "JSON carries novelty"
contains "$T/out" 'routine: seen on 5 earlier days (high otherwise)' "detail says why"
eq "$(q "$T/n.db" "SELECT novelty || ':' || severity FROM alerts WHERE principal_arn LIKE '%role/thief'")" \
   "new:high" "a first-time actor is new and keeps its severity"
# a detect that does not re-run a rule leaves its alerts' judgement as it was: no second
# "routine:" or "new:" in front of the detail, the severity it had still named
q "$T/n.db" "SELECT detail FROM alerts ORDER BY alert_id" >"$T/details.before"
run detect -q --db "$T/n.db" --only DDB-ROOT
run detect -q --db "$T/n.db" --only DDB-ROOT
q "$T/n.db" "SELECT detail FROM alerts ORDER BY alert_id" >"$T/details.after"
cmp -s "$T/details.before" "$T/details.after" || fail "a detect of another rule re-judged alerts"
eq "$(q "$T/n.db" "SELECT count(*) FROM alerts WHERE detail LIKE 'routine:%routine:%'
                   OR detail LIKE 'new: %' OR detail LIKE '%(info otherwise)%'")" 0 \
   "judgement applied once"

# 2. suppression: kept, counted, shown on request; expired entries warn; other alerts untouched
cat >"$T/sup.json" <<'JSON'
{"suppress": [
  {"rule": "DDB-MASS-SCAN", "actor": "*:role/nightly-etl", "reason": "nightly ETL, ticket OPS-42",
   "until": "2099-12-31"},
  {"rule": "*", "actor": "*:role/thief", "reason": "old pentest", "until": "2020-01-01"}]}
JSON
run detect -q --db "$T/n.db" --only DDB-MASS-SCAN,DDB-DESTRUCTIVE --config "$T/sup.json"
eq "$rc" 0 "detect with suppressions"
contains "$T/err" 'suppress entry for \* ("old pentest") expired on 2020-01-01' "an expired entry warns"
eq "$(q "$T/n.db" "SELECT count(*) FROM alerts WHERE status = 'suppressed' AND status_reason = 'nightly ETL, ticket OPS-42'")" \
   6 "the six nightly scans suppressed, with the reason"
eq "$(q "$T/n.db" "SELECT status FROM alerts WHERE principal_arn LIKE '%role/thief'")" open \
   "the expired entry suppresses nothing"
eq "$(q "$T/n.db" "SELECT status FROM alerts WHERE rule_id = 'DDB-DESTRUCTIVE'")" open \
   "the same actor's other alert, which no entry matches, stays open"
run report --db "$T/n.db"
contains "$T/out" "6 suppressed (not shown: --show-suppressed)" "the report counts them"
lacks "$T/out" "nightly ETL, ticket OPS-42" "and does not list them"
run report --db "$T/n.db" --show-suppressed --format json
eq "$(grep -c '"status":"suppressed"' "$T/out")" 6 "--show-suppressed lists them"
run report --db "$T/n.db" --fail-on high --min-severity high --format csv
eq "$rc" 1 "--fail-on still sees the thief"
echo '{"suppress": [{"rule": "*", "actor": "*", "reason": "everything"}]}' >"$T/all.json"
run detect -q --db "$T/n.db" --config "$T/all.json"
run report --db "$T/n.db" --fail-on info
eq "$rc" 0 "--fail-on never counts suppressed alerts"
echo '{"suppress": [{"rule": "DDB-MASS-SCAN", "actor": "*"}]}' >"$T/bad.json"
run detect -q --db "$T/n.db" --config "$T/bad.json"
eq "$rc" 2 "a suppress entry without a reason is refused"
contains "$T/err" 'needs a "reason"' "and says so"

# 3. a higher threshold for one actor, none moved for the others
echo '{"actor_thresholds": [{"actor": "*:role/nightly-etl", "mass_scan_calls": 1000, "mass_scan_tables": 100}]}' >"$T/thr.json"
run scan -q --db "$T/t.db" --only DDB-MASS-SCAN --config "$T/thr.json" "$T/nights-2.json"
eq "$(q "$T/t.db" "SELECT group_concat(principal_arn) FROM alerts")" "arn:aws:iam::111122223333:role/thief" \
   "only the thief's burst is an alert"

# 4. incidents: a key's recon, scan and delete are one story; an unrelated role is another; the
#    key back ten hours later is a third (default gap 6 h), or joins with a 12 h gap
run scan -q --db "$T/i.db" --only DDB-RECON,DDB-MASS-SCAN,DDB-DESTRUCTIVE "$T/incident.json"
eq "$(q "$T/i.db" "SELECT count(*) FROM incidents")" 3 "three incidents"
eq "$(q "$T/i.db" "SELECT story FROM incidents WHERE alerts = 3")" \
   "user/leaky (AKIALEAKYKEY00000001) from 185.220.101.47: recon of tables → mass scan → tables deleted" \
   "the story in stage order"
eq "$(q "$T/i.db" "SELECT severity || ' ' || stages FROM incidents WHERE alerts = 3")" \
   "critical discovery, collection, impact" "three stages raise the severity one step"
contains "$T/out" "INCIDENTS" "the text report leads with the incidents"
echo '{"incident_gap_seconds": 43200}' >"$T/gap.json"
run detect -q --db "$T/i.db" --only DDB-RECON,DDB-MASS-SCAN,DDB-DESTRUCTIVE --config "$T/gap.json"
eq "$(q "$T/i.db" "SELECT count(*) FROM incidents")" 2 "a 12 h gap joins the key's return"
run report --db "$T/i.db" --format csv
contains "$T/out" ",incident_id,novelty,status" "CSV carries incident_id"
run report --db "$T/i.db" --format ocsf
contains "$T/out" '"incident_uid":"ddbtrail-incident-' "OCSF carries the incident"

# 5. a management-only input is a blind spot, said three ways
run scan -q --db "$T/m.db" "$T/mgmt-only.json"
contains "$T/out" "WARNING  eu-west-1 of 111122223333 shows DynamoDB management activity" "coverage warning"
eq "$(q "$T/m.db" "SELECT count(*) FROM alerts WHERE rule_id = 'DDB-BLIND-SPOT'")" 1 "DDB-BLIND-SPOT alert"
run coverage --db "$T/m.db" --format json
eq "$rc" 1 "coverage exits 1 on a blind spot"
contains "$T/out" '"blind_spot":true' "coverage JSON"
run scan -q --fail-on medium "$T/mgmt-only.json"
eq "$rc" 1 "--fail-on can gate on it"

run scan -q --db "$T/fwd.db" --config sample-logs/ddbtrail.json sample-logs/
# coverage names its silent hours: the sample week's one silent hour is the log file the
# attacker deleted (04:00, listed by its digest, DDB-LOG-TAMPER), found without the digests too
run coverage --db "$T/fwd.db" --format json 2>/dev/null
contains "$T/out" '"silent_hours":1,"silent_spans":\["2026-11-12T04:00Z/PT1H"\]' "JSON names the silent span"
run coverage --db "$T/fwd.db"
contains "$T/out" "silent   2026-11-12T04:00Z (1 h)" "text names it"

# incident numbers are a function of the alerts, not of the order they were stored in: the
# sample's alerts stored again in reverse (as --follow stores them, a few at a time) are
# numbered as in one batch; #1 is the earliest, and ties go by fingerprint
cp "$T/fwd.db" "$T/rev.db"
q "$T/rev.db" "CREATE TEMP TABLE a AS SELECT * FROM alerts ORDER BY alert_id DESC;
  DELETE FROM alerts; INSERT INTO alerts SELECT NULL, rule_id, severity, title, first_seen,
  last_seen, event_count, account_id, aws_region, principal_arn, access_key_id, source_ip,
  table_name, event_names, event_ids, detail, mitre, fingerprint, detected_at, stage, story,
  NULL, status, status_reason, novelty, tables FROM temp.a"
run detect -q --db "$T/rev.db" --config sample-logs/ddbtrail.json
inc() { q "$1" "SELECT group_concat(incident_id || ':' || fingerprint, ' ') FROM
  (SELECT incident_id, fingerprint FROM alerts WHERE incident_id IS NOT NULL ORDER BY 1, 2)"; }
ok_if '[ -n "$(inc "$T/fwd.db")" ]' "the sample has incidents"
eq "$(inc "$T/rev.db")" "$(inc "$T/fwd.db")" "the same incident numbers whatever the store order"
eq "$(q "$T/fwd.db" "SELECT count(*) FROM incidents a JOIN incidents b
  ON b.incident_id = a.incident_id + 1 WHERE unixepoch(b.first_seen) < unixepoch(a.first_seen)")" \
   0 "incidents numbered in time order"
done_case
