#!/bin/sh
# The line-per-alert formats say what a run checked: every alert of JSON
# Lines, CSV and OCSF carries the integrity summary the text report opens
# with, and --summary ends JSON Lines and OCSF with one run record (files and
# events read, integrity, the rules that did not run, alerts per severity),
# whose counts agree with the alerts written before it.
. "$(dirname "$0")/../lib.sh"
run scan --db "$T/s.db" sample-logs/
integrity=$(sed -n 's/^  integrity  //p' "$T/out")
ok_if '[ -n "$integrity" ]' "the text report has its integrity line"

run report --db "$T/s.db" --format json --summary
eq "$rc" 0 "json --summary: exit 0"
head -n -1 "$T/out" >"$T/alerts.jsonl"
tail -1 "$T/out" >"$T/record.json"
eq "$(jq -r .record_type "$T/record.json")" summary "the last line is the run record"
eq "$(jq -r 'has("rule_id")' "$T/record.json")" false "it is no alert (no rule_id)"
eq "$(jq -r '.record_type // "alert"' "$T/alerts.jsonl" | sort -u)" alert \
   "every line before it is an alert"
eq "$(jq -r .alerts "$T/record.json")" "$(wc -l <"$T/alerts.jsonl")" "alerts = the lines written"
for sev in critical high medium low info; do
    eq "$(jq -r ".alerts_by_severity.$sev" "$T/record.json")" \
       "$(jq -r "select(.severity == \"$sev\") | .rule_id" "$T/alerts.jsonl" | wc -l)" \
       "alerts_by_severity.$sev = the $sev lines"
done
eq "$(jq -r .integrity "$T/record.json")" "$integrity" "the record's integrity = the text report's"
eq "$(jq -r .integrity "$T/alerts.jsonl" | sort -u)" "$integrity" "and every alert's"
eq "$(jq -r '[.files, .events_seen, .state, .rules_not_run] | join(" ")' "$T/record.json")" \
   "168 2858 incomplete 3" "files and events read; three rules skipped: incomplete"
eq "$(jq -r '[.rule_problems[] | .rule_id + " " + .status] | join(",")' "$T/record.json")" \
   "DDB-DAX-POLICY skipped,DDB-DECOY-ACCESS skipped,DDB-OFF-REGION skipped" \
   "the rules that did not run, named"

# a filtered report counts what it leaves out
run report --db "$T/s.db" --format json --summary --severity critical
eq "$(tail -1 "$T/out" | jq -r '.alerts')" "$(($(wc -l <"$T/out") - 1))" \
   "filtered: alerts = the lines written"
ok_if '[ "$(tail -1 "$T/out" | jq -r .alerts_outside_filter)" -gt 0 ]' \
   "filtered: the alerts left out are counted"

# without --summary nothing but alerts (the line-per-alert contract)
run report --db "$T/s.db" --format json
eq "$(jq -r .rule_id "$T/out" | grep -c null)" 0 "no --summary: every line an alert"

# stdin proves nothing, and every format says so
gzip -dc sample-logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/12/*T0305Z*.json.gz \
    >"$T/hour.json" || fail "the sample hour of 03:00 on 12 November is there"
ddb scan --format json --summary - <"$T/hour.json" >"$T/out" 2>"$T/err"
ok_if '[ "$(grep -c rule_id "$T/out")" -gt 0 ]' "stdin: the hour raises alerts"
eq "$(jq -r .integrity "$T/out" | sort -u)" "not checked: input from stdin carries no digests" \
   "stdin: alerts and record say not checked"
ddb scan --format csv - <"$T/hour.json" >"$T/out" 2>"$T/err"
ok_if '[ "$(wc -l <"$T/out")" -gt 1 ]' "stdin: CSV rows"
eq "$(tail -n +2 "$T/out" | grep -vc ',not checked: input from stdin carries no digests.$')" 0 \
   "stdin: every CSV row says not checked"

# what --summary cannot do
run report --db "$T/s.db" --format csv --summary
eq "$rc" 2 "csv --summary: a usage error"
contains "$T/err" "integrity column is on every row" "and says where CSV carries it"
run scan --follow --summary - </dev/null
eq "$rc" 2 "--follow --summary: a usage error (a live feed has no end to summarise)"
done_case
