#!/bin/sh
# A store made before the actor and incident columns existed (schema version 1) is upgraded
# when ingest or detect opens it: actor_arn and actor_kind derived from the
# stored identity, rules run, nothing lost.
. "$(dirname "$0")/../lib.sh"
sqlite3 "$T/old.db" <<'SQL'
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
INSERT INTO meta VALUES('schema_version','1');
CREATE TABLE files(file_id INTEGER PRIMARY KEY, path TEXT NOT NULL, size INTEGER, mtime INTEGER,
  format TEXT, events_seen INTEGER NOT NULL DEFAULT 0, events_stored INTEGER NOT NULL DEFAULT 0,
  events_skipped INTEGER NOT NULL DEFAULT 0, records_rejected INTEGER NOT NULL DEFAULT 0,
  events_duplicate INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, error TEXT, ingested_at TEXT);
CREATE INDEX files_path ON files(path, size, mtime);
CREATE TABLE events(event_id TEXT PRIMARY KEY, event_time TEXT, event_ts INTEGER, event_source TEXT,
  event_name TEXT, event_type TEXT, event_category TEXT, read_only INTEGER, aws_region TEXT,
  source_ip TEXT, source_kind TEXT, vpc_endpoint_id TEXT, user_agent TEXT, identity_type TEXT,
  principal_arn TEXT, principal_id TEXT, account_id TEXT, access_key_id TEXT, credential_kind TEXT,
  session_issuer_arn TEXT, session_issuer_name TEXT, invoked_by TEXT, mfa_authenticated INTEGER,
  table_name TEXT, error_code TEXT, error_message TEXT, recipient_account_id TEXT, request_id TEXT,
  request_parameters TEXT, response_elements TEXT, additional_event_data TEXT, file_id INTEGER);
CREATE TABLE rejects(file_id INTEGER, byte_offset INTEGER, reason TEXT);
CREATE TABLE alerts(alert_id INTEGER PRIMARY KEY, rule_id TEXT NOT NULL, severity TEXT NOT NULL,
  title TEXT, first_seen TEXT, last_seen TEXT, event_count INTEGER, account_id TEXT,
  aws_region TEXT, principal_arn TEXT, access_key_id TEXT, source_ip TEXT, table_name TEXT,
  event_names TEXT, event_ids TEXT, detail TEXT, mitre TEXT, fingerprint TEXT NOT NULL UNIQUE,
  detected_at TEXT);
INSERT INTO alerts(rule_id, severity, fingerprint) VALUES('DDB-ROOT', 'high', 'DDB-ROOT|111122223333');
CREATE TABLE rule_runs(rule_id TEXT PRIMARY KEY, title TEXT, severity TEXT, status TEXT,
  alerts INTEGER, message TEXT, ran_at TEXT);
CREATE TABLE settings(key TEXT PRIMARY KEY, value);
CREATE TABLE settings_list(key TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX settings_list_key ON settings_list(key, value);
INSERT INTO events(event_id, event_time, event_ts, event_source, event_name, identity_type,
  principal_arn, account_id, session_issuer_arn, source_kind, source_ip)
  VALUES ('r1', '2026-11-12T02:00:00Z', 1794448800, 'dynamodb.amazonaws.com', 'Root-call',
          'Root', 'arn:aws:iam::111122223333:root', '111122223333', NULL, 'private', '10.0.0.1'),
         ('a1', '2026-11-12T02:00:01Z', 1794448801, 'dynamodb.amazonaws.com', 'GetItem',
          'AssumedRole', 'arn:aws:sts::111122223333:assumed-role/app/s1', '111122223333',
          'arn:aws:iam::111122223333:role/app', 'private', '10.0.0.1');
SQL
run detect -q --db "$T/old.db"
eq "$rc" 0 "detect on a version 1 store"
eq "$(q "$T/old.db" "SELECT value FROM meta WHERE key='schema_version'")" 8 "schema version now 8"
eq "$(q "$T/old.db" "SELECT count(*) FROM pragma_table_info('alerts') WHERE name = 'tables'")" \
   1 "alerts gained the tables column"
eq "$(q "$T/old.db" "SELECT count(*) FROM pragma_table_info('events') WHERE name IN ('web_id_provider','web_id_attributes')")" \
   2 "events gained the web identity columns"
eq "$(q "$T/old.db" "SELECT count(*) > 100 FROM effects")" 1 "the catalogue written into an old store"
eq "$(q "$T/old.db" "SELECT value LIKE '% 2' FROM meta WHERE key = 'effects'")" 1 \
   "its two events judged by the effect catalogue"
eq "$(q "$T/old.db" "SELECT group_concat(event_id || ':' || op || ':' || items) FROM event_items")" \
   "a1:read:1" "and sized (event_items): its GetItem reads one item"
eq "$(q "$T/old.db" "SELECT count(*) FROM pragma_table_info('alerts') WHERE name IN ('stage','story','incident_id','status','status_reason','novelty')")" \
   6 "alerts gained the incident, suppression and novelty columns"
eq "$(q "$T/old.db" "SELECT group_concat(event_id || '=' || actor_arn || '/' || actor_kind, ' ') FROM (SELECT * FROM events ORDER BY event_id)")" \
   "a1=arn:aws:iam::111122223333:role/app/role r1=arn:aws:iam::111122223333:root/root" "actor derived"
eq "$(q "$T/old.db" "SELECT count(*) FROM alerts WHERE rule_id='DDB-ROOT'")" 1 \
   "old-format alert replaced by its re-derived twin, not duplicated"
eq "$(q "$T/old.db" "SELECT fingerprint GLOB 'DDB-ROOT:*' FROM alerts WHERE rule_id='DDB-ROOT'")" 1 "hashed fingerprint"
n=$(q "$T/old.db" "SELECT count(*) FROM alerts")
run detect -q --db "$T/old.db"
eq "$(q "$T/old.db" "SELECT count(*) FROM alerts")" "$n" "a second detect adds nothing"
# its eventID stays the primary key (never dropped for a load): a file read twice is
# stored once, the second time counted as already stored
f=$(find sample-logs -path '*/CloudTrail/*' -name '*.json.gz' | sort | sed -n 40p)
cp "$f" "$T/again.json.gz"
run ingest --db "$T/old.db" "$f" "$T/again.json.gz"
eq "$rc" 0 "ingest into a version 1 store"
ok_if 'grep -Eq " [1-9][0-9]* already stored" "$T/out"' "the second copy's events already stored"
eq "$(q "$T/old.db" "SELECT count(*) - count(DISTINCT event_id) FROM events")" 0 \
   "no eventID twice"
eq "$(q "$T/old.db" "SELECT pk FROM pragma_table_info('events') WHERE name = 'event_id'")" 1 \
   "the old primary key kept"
done_case
