#!/bin/sh
# scan --follow on a FIFO: records written a few at a time; the attack's alert
# appears on stdout within two intervals of its last event, before the writer
# closes the FIFO; the same stream in one batch gives the same alert set;
# --fail-on is a tripwire (exit 1 at the first alert); SIGTERM exits 130 with
# nothing half-written; a long generated stream keeps RSS flat.
. "$(dirname "$0")/../lib.sh"
python3 - "$T" <<'PY'
import json, sys
A = "111122223333"
k = {"type": "IAMUser", "arn": "arn:aws:iam::%s:user/leaky" % A, "accountId": A,
     "accessKeyId": "AKIALEAKYKEY00000001"}
r = {"type": "AssumedRole", "arn": "arn:aws:sts::%s:assumed-role/app/i-1" % A, "accountId": A,
     "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::%s:role/app" % A}}}
def ev(i, who, name, t, table):
    return json.dumps({"eventID": "f-%04d" % i, "eventTime": t, "eventSource": "dynamodb.amazonaws.com",
                       "eventName": name, "awsRegion": "eu-west-1", "sourceIPAddress": "10.1.1.1",
                       "userIdentity": who, "recipientAccountId": A, "eventCategory": "Data",
                       "requestParameters": {"tableName": table}})
# ordinary reads first, then the attack: 60 scans over 6 tables
quiet = [ev(i, r, "GetItem", "2026-11-12T02:%02d:00Z" % i, "orders") for i in range(40)]
attack = [ev(100 + i, k, "Scan", "2026-11-12T03:%02d:%02dZ" % (i // 2, i % 2 * 30), "t%d" % (i % 6))
          for i in range(60)]
open(sys.argv[1] + "/quiet.jsonl", "w").write("\n".join(quiet) + "\n")
open(sys.argv[1] + "/attack.jsonl", "w").write("\n".join(attack) + "\n")
PY
cat "$T/quiet.jsonl" "$T/attack.jsonl" >"$T/all.jsonl"
now() { date +%s.%N; }
mkfifo "$T/feed"
$VALGRIND "$DDBTRAIL" scan --follow --interval 1 --db "$T/f.db" --format json \
    --only DDB-MASS-SCAN,DDB-IAM-USER-KEY "$T/feed" >"$T/out" 2>"$T/err" &
pid=$!
exec 3>"$T/feed"
# the quiet part, a few records at a time
split -l 5 "$T/quiet.jsonl" "$T/q."
for f in "$T"/q.*; do cat "$f" >&3; sleep 0.1; done
cat "$T/attack.jsonl" >&3
sent=$(now)
seen=""
for i in $(seq 1 100); do
    if grep -q DDB-MASS-SCAN "$T/out" 2>/dev/null; then seen=$(now); break; fi
    sleep 0.05
done
exec 3>&-   # only now does the writer close the FIFO
wait $pid; rc=$?
eq "$rc" 0 "follow ends cleanly at EOF"
ok_if '[ -n "$seen" ]' "the mass-scan alert appeared before the writer closed the FIFO"
if [ -n "$seen" ]; then
    latency=$(awk -v a="$seen" -v b="$sent" 'BEGIN {printf "%.3f", a - b}')
    echo "latency from the attack's last write to its alert line: ${latency} s (interval 1 s)"
    ok_if '[ "$(awk -v l="$latency" "BEGIN {print (l < 2)}")" = 1 ]' "alert within two intervals (took ${latency} s)"
fi
eq "$(grep -c '"rule_id":"DDB-MASS-SCAN"' "$T/out")" 1 "printed once, though later detections saw it again"
jq -e . "$T/out" >/dev/null || fail "follow output is JSON Lines"
# the same stream in one batch: the same alerts
run scan -q --db "$T/b.db" --only DDB-MASS-SCAN,DDB-IAM-USER-KEY "$T/all.jsonl"
sig() { q "$1" "SELECT group_concat(rule_id || ' ' || principal_arn || ' ' || first_seen || ' ' || event_count, '; ') FROM (SELECT * FROM alerts ORDER BY rule_id)"; }
eq "$(sig "$T/f.db")" "$(sig "$T/b.db")" "followed and batch alert sets agree"

# --fail-on: exit 1 at the first alert at or above it, with the writer still open
rm -f "$T/feed2"; mkfifo "$T/feed2"
$VALGRIND "$DDBTRAIL" scan --follow --interval 0.5 --fail-on high --format json \
    --only DDB-MASS-SCAN "$T/feed2" >"$T/out2" 2>"$T/err2" &
pid=$!
exec 4>"$T/feed2"
cat "$T/attack.jsonl" >&4
wait $pid; rc=$?
exec 4>&-
eq "$rc" 1 "--fail-on trips on the first high alert"
contains "$T/out2" DDB-MASS-SCAN "the tripping alert is printed first"

# SIGTERM: commit, nothing half-written, 130
rm -f "$T/feed3"; mkfifo "$T/feed3"
$VALGRIND "$DDBTRAIL" scan --follow --interval 0.3 --db "$T/s.db" --format json "$T/feed3" \
    >"$T/out3" 2>"$T/err3" &
pid=$!
exec 5>"$T/feed3"
cat "$T/quiet.jsonl" >&5
sleep 1
kill -TERM $pid; wait $pid; rc=$?
exec 5>&-
eq "$rc" 130 "SIGTERM exits 130"
eq "$(q "$T/s.db" "SELECT count(*) FROM events")" 40 "what arrived is committed"
eq "$(q "$T/s.db" "SELECT status FROM files")" interrupted "the stream is marked interrupted"
[ ! -s "$T/out3" ] || jq -e . "$T/out3" >/dev/null || fail "nothing half-written"

# a long stream: RSS stays flat (the throwaway store keeps only what rule windows reach)
if [ -x /usr/bin/time ] && cc -O2 -D_GNU_SOURCE -o "$T/gencorpus" tests/bench/gencorpus.c -lz 2>/dev/null; then
    n=200000; [ "${SUITE_NAME:-}" = asan ] && n=100000 # the generator attacks at event 50 000 of each 100 000
    "$T/gencorpus" - "$n" | /usr/bin/time -f "%M" -o "$T/rss" $VALGRIND "$DDBTRAIL" scan --follow \
        --interval 0.5 --every 20000 --format json - >"$T/long" 2>"$T/errl"
    eq "$?" 0 "long follow status"
    rss=$(cat "$T/rss")
    echo "follow: $n events, peak RSS $((rss / 1024)) MiB"
    [ "${SUITE_NAME:-}" = asan ] || ok_if '[ "$rss" -lt 65536 ]' "peak RSS ${rss} KiB is not under 64 MiB"
    ok_if '[ "$(grep -c DDB-MASS-SCAN "$T/long")" -ge 1 ]' "attack bursts detected while following"
else
    echo "note: GNU time or gencorpus unavailable; the RSS part is skipped"
fi

# a scan that goes on for four hours, followed 20 records at a time: the throwaway
# store prunes what is older than two windows, but not the head of a burst that is
# still open, so the burst stays one alert and is printed once (it was three)
python3 - "$T/longscan.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(240):
        t = "2026-11-13T%02d:%02d:00Z" % (8 + i // 60, i % 60)
        f.write(json.dumps({"eventVersion": "1.09", "eventTime": t,
            "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/etl/bob",
                             "accountId": "111122223333", "accessKeyId": "ASIASCAN00000000001",
                             "sessionContext": {"sessionIssuer": {"type": "Role",
                                 "arn": "arn:aws:iam::111122223333:role/etl", "accountId": "111122223333"}}},
            "eventSource": "dynamodb.amazonaws.com", "eventName": "Scan", "awsRegion": "eu-west-1",
            "sourceIPAddress": "10.20.0.9", "userAgent": "aws-cli/2.15",
            "requestParameters": {"tableName": "t%d" % (i % 4)}, "responseElements": None,
            "eventID": "5ca7%04d-0000-4000-8000-000000000000" % i, "readOnly": True,
            "eventType": "AwsApiCall", "managementEvent": False,
            "recipientAccountId": "111122223333", "eventCategory": "Data"}) + "\n")
PY
printf '{"mass_scan_calls": 50, "mass_scan_tables": 2}\n' >"$T/ls.json"
$VALGRIND "$DDBTRAIL" scan --follow --every 20 --config "$T/ls.json" --format text - \
    <"$T/longscan.jsonl" >"$T/ls.txt" 2>"$T/errls"
eq "$(grep -c DDB-MASS-SCAN "$T/ls.txt")" 1 "a four-hour scan followed: printed once"

# the sample week followed a few hundred records at a time and the same stream in one batch:
# the same incidents under the same numbers (they go by their first alert, then severity and
# fingerprint, never by the order alerts were stored in)
find sample-logs -name '*_CloudTrail_*.json.gz' | sort | xargs gzip -dc |
    jq -c '.Records[]' >"$T/week.jsonl"
split -l 300 "$T/week.jsonl" "$T/w."
for f in "$T"/w.*; do cat "$f"; sleep 0.2; done |
    $VALGRIND "$DDBTRAIL" scan --follow --interval 0.3 --db "$T/fw.db" --format json \
        --config sample-logs/ddbtrail.json - >/dev/null 2>"$T/errw"
eq "$?" 0 "the week followed"
run scan -q --db "$T/bw.db" --config sample-logs/ddbtrail.json "$T/week.jsonl"
inc() { q "$1" "SELECT group_concat(incident_id || ':' || fingerprint, ' ') FROM
  (SELECT incident_id, fingerprint FROM alerts WHERE incident_id IS NOT NULL ORDER BY 1, 2)"; }
ok_if '[ -n "$(inc "$T/bw.db")" ]' "the batch has incidents"
eq "$(inc "$T/fw.db")" "$(inc "$T/bw.db")" "followed and batch: the same incident numbers"

# the severity filters hold while following, as in a report: JSON and text
$VALGRIND "$DDBTRAIL" scan --follow --interval 0.3 --format json --min-severity high \
    --config sample-logs/ddbtrail.json - <"$T/week.jsonl" >"$T/fh.jsonl" 2>"$T/errh"
ok_if '[ -s "$T/fh.jsonl" ]' "--min-severity high: alerts printed"
eq "$(jq -r .severity "$T/fh.jsonl" | sort -u | tr '\n' ' ')" "critical high " \
   "--min-severity high: only high and critical"
$VALGRIND "$DDBTRAIL" scan --follow --interval 0.3 --format text --severity medium \
    --config sample-logs/ddbtrail.json - <"$T/week.jsonl" >"$T/fm.txt" 2>"$T/errm"
ok_if '[ -s "$T/fm.txt" ]' "--severity medium: alerts printed"
eq "$(awk '{print $2}' "$T/fm.txt" | sort -u)" MEDIUM "--severity medium, text: only medium"
done_case
