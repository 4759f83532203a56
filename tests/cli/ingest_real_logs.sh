#!/bin/sh
# Every published CloudTrail record in ../shared/real-logs ingests with zero
# rejects, and what is stored matches the input (checked against jq).
. "$(dirname "$0")/../lib.sh"
[ -n "$SHARED" ] && [ -d "$SHARED/real-logs" ] || skip "../shared/real-logs not present; skipped"
command -v jq >/dev/null || skip "jq not installed; skipped"
for f in "$SHARED"/real-logs/*.json; do
    b=$(basename "$f" .json)
    run ingest -q --all-events --db "$T/$b.db" "$f"
    eq "$rc" 0 "$b: status"
    eq "$(q "$T/$b.db" "SELECT records_rejected FROM files")" 0 "$b: rejects"
    # every field the store copies verbatim, compared with jq's reading
    jq -r '(.Records // [.])[] | [.eventID, .eventTime, .eventSource, .eventName,
           (.awsRegion // ""), (.sourceIPAddress // ""), (.userIdentity.arn // ""),
           (.userIdentity.accessKeyId // ""), (.userAgent // ""), (.errorCode // ""),
           (if .requestParameters == null then "" else (.requestParameters | tojson) end),
           (if .responseElements == null then "" else (.responseElements | tojson) end)] | @tsv' \
        "$f" | sort -u >"$T/want"
    sqlite3 -separator '	' "$T/$b.db" "SELECT event_id, event_time, event_source, event_name,
        coalesce(aws_region,''), coalesce(source_ip,''), coalesce(principal_arn,''),
        coalesce(access_key_id,''), coalesce(user_agent,''), coalesce(error_code,''),
        coalesce(request_parameters,''), coalesce(response_elements,'') FROM events" |
        sed 's/\\/\\\\/g' | sort -u >"$T/got"
    # jq's @tsv escapes backslashes; the sed above does the same to ours
    cmp -s "$T/want" "$T/got" || { fail "$b: stored values differ from jq"; diff "$T/want" "$T/got" | head -5; }
done
# documented quirks
db=$T/awsdocs-ddb-understanding-ddb-log-entries-00.db
eq "$(q "$db" "SELECT table_name || ' ' || source_kind FROM events")" "Music other" \
   "UpdateTable named only in responseElements; 192.0.2.0 is a documentation address"
db=$T/awsdocs-ddb-understanding-ddb-log-entries-07.db
eq "$(q "$db" "SELECT table_name || ' ' || event_category || ' ' || read_only FROM events")" \
   "Music Data 0" "PartiQL ExecuteStatement"
db=$T/awsdocs-ddb-understanding-ddb-log-entries-02.db
eq "$(q "$db" "SELECT event_source || ' ' || credential_kind FROM events")" \
   "dax.amazonaws.com long-term" "DAX CreateCluster"
db=$T/awsdocs-ct-non-api-aws-service-events-00.db
eq "$(q "$db" "SELECT source_kind FROM events")" "aws-internal" "AWS Internal"
# default mode: sign-in events are counted as skipped, not stored
# the published examples reuse one eventID for different events (a954451c-... in three
# files): each file is clean alone, together the later two are clashes, not duplicates
run ingest --db "$T/default.db" "$SHARED/real-logs/"
eq "$rc" 3 "directory status: clashes are rejects"
eq "$(q "$T/default.db" "SELECT count(*) FROM rejects WHERE reason LIKE 'eventID a954451c-c2fc-4561-8aea-7a30ba1fdf52 is already stored with other content (differs: event_time, %'")" \
   2 "the reused eventID is reported twice as a clash"
eq "$(q "$T/default.db" "SELECT sum(records_rejected) FROM files")" 2 "no other rejects"
contains "$T/err" "a954451c-c2fc-4561-8aea-7a30ba1fdf52 is already stored with other content (differs: event_time" "clash named on stderr"
contains "$T/out" "2 of them eventID clashes" "clashes counted in the summary"
eq "$(q "$T/default.db" "SELECT count(*) FROM files WHERE events_seen <> events_stored + events_skipped + records_rejected")" \
   0 "counts reconcile"
eq "$(q "$T/default.db" "SELECT count(*) FROM events WHERE event_source='signin.amazonaws.com'")" 0 \
   "sign-in skipped"
ok_if '[ "$(q "$T/default.db" "SELECT sum(events_skipped) FROM files")" -ge 10 ]' "skipped counted"
done_case
