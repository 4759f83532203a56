#!/bin/sh
# Ingests the bundled S3 tree: counts reconcile, digests and the config are
# skipped, a second run adds nothing, --force re-reads without duplicating.
. "$(dirname "$0")/../lib.sh"
run ingest --db "$T/s.db" sample-logs/
eq "$rc" 0 "exit status"
contains "$T/out" "336 digest and 1 non-log files skipped" "summary"
eq "$(q "$T/s.db" "SELECT count(*) FROM files WHERE status='complete'")" 168 "complete files"
eq "$(q "$T/s.db" "SELECT count(*) FROM files WHERE format<>'gzip+cloudtrail'")" 0 "formats"
eq "$(q "$T/s.db" "SELECT sum(events_seen)=sum(events_stored)+sum(events_skipped)+sum(records_rejected)
                   FROM files")" 1 "seen = stored + skipped + rejected"
eq "$(q "$T/s.db" "SELECT sum(events_stored) FROM files")" \
   "$(q "$T/s.db" "SELECT count(*) FROM events")" "stored rows"
# only what the effect catalogue names (and all of DynamoDB and DAX) is stored
grep -o '^[a-z0-9-]*:[A-Za-z]*' detections/effects.txt | sort -u >"$T/named"
q "$T/s.db" "SELECT DISTINCT replace(event_source, '.amazonaws.com', '') || ':' || event_name
             FROM events WHERE event_source NOT IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')" |
    sort >"$T/stored"
eq "$(comm -23 "$T/stored" "$T/named" | tr '\n' ' ')" "" "only relevant events stored"
ok_if '[ -s "$T/stored" ]' "the catalogue's other services' events (trail, endpoints, keys, STS) stored"
eq "$(q "$T/s.db" "PRAGMA journal_mode")" wal "WAL mode"
n=$(q "$T/s.db" "SELECT count(*) FROM events")

run ingest --db "$T/s.db" sample-logs/
eq "$rc" 0 "second run status"
contains "$T/out" "0 read, 168 unchanged" "second run skips unchanged files"
eq "$(q "$T/s.db" "SELECT count(*) FROM events")" "$n" "second run adds no rows"

run ingest --force --db "$T/s.db" sample-logs/
eq "$rc" 0 "--force status"
eq "$(q "$T/s.db" "SELECT count(*) FROM events")" "$n" "--force adds no rows"
contains "$T/out" "seen: 0 new, $n already stored" "--force counts re-deliveries as already stored, not as stored"

# --all-events keeps the other services too
run ingest --all-events --db "$T/all.db" sample-logs/
eq "$(q "$T/all.db" "SELECT count(*) FROM events")" \
   "$(q "$T/all.db" "SELECT sum(events_seen) FROM files")" "--all-events stores all"
done_case
