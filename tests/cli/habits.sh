#!/bin/sh
# The habits of the tools users know: help for a command, did-you-mean for a
# mistyped command, config key or region, --version after any command, --fail-on
# saying why.
. "$(dirname "$0")/../lib.sh"
run help scan
eq "$rc" 0 "ddbtrail help scan"
contains "$T/out" "usage: ddbtrail scan" "scan's own help"
run help scna
eq "$rc" 2 "help of an unknown command"
contains "$T/err" "unknown command 'scna'; did you mean 'scan'?" "the closest command"
run verfy
eq "$rc" 2 "a mistyped command"
contains "$T/err" "did you mean 'verify'?" "the closest command"
run frobnicate
contains "$T/err" "unknown command 'frobnicate'; run 'ddbtrail --help' for the list" \
    "nothing close: the list"
run scan --version
eq "$rc" 0 "--version after a command"
contains "$T/out" "^ddbtrail [0-9]" "the version"
run rules -- --version
eq "$rc" 2 "--version after -- is an operand"
printf '{"alowed_regions": ["eu-west-1"]}' >"$T/c1.json"
run scan -q sample-logs --config "$T/c1.json"
eq "$rc" 2 "a mistyped config key"
contains "$T/err" "did you mean \"allowed_regions\"?" "the closest key"
lacks "$T/out" "." "nothing read, nothing reported"
printf '{"allowed_regions": ["eu-west-l"]}' >"$T/c2.json"
run scan -q sample-logs --config "$T/c2.json"
eq "$rc" 2 "a misspelt region"
contains "$T/err" "\"eu-west-l\" is not a region name (want e.g. eu-west-1); did you mean \"eu-west-1\"?" \
    "the closest region"
printf '{"window_seconds": 60, "window_seconds": 600}' >"$T/c3.json"
run scan -q sample-logs --config "$T/c3.json"
eq "$rc" 2 "a key given twice"
contains "$T/err" "key \"window_seconds\" given twice" "says so"
# times: epoch seconds and ages (24h, 7d) besides ISO-8601; an inverted range is a usage error
cfg=sample-logs/ddbtrail.json
run scan -q sample-logs --config "$cfg" --since 2026-11-13 --until 2026-11-12
eq "$rc" 2 "an inverted range"
contains "$T/err" "--since 2026-11-13 is after --until 2026-11-12" "says so"
run scan -q sample-logs --config "$cfg" --format json --since 2026-11-12T02:00:00Z --until 2026-11-12T03:00:00Z
cp "$T/out" "$T/iso.jsonl"
run scan -q sample-logs --config "$cfg" --format json --since 1794448800 --until 1794452400
cmp -s "$T/out" "$T/iso.jsonl" || fail "epoch seconds select what the same ISO times do"
ok_if '[ -s "$T/iso.jsonl" ]' "the hour holds alerts"
run scan -q sample-logs --config "$cfg" --format json --since 3650d
eq "$rc" 0 "an age"
eq "$(wc -l <"$T/out")" "$(ddb scan -q sample-logs --config "$cfg" --format json | wc -l)" \
   "the last ten years hold every alert"
run scan -q sample-logs --config "$cfg" --since 5x
eq "$rc" 2 "not a time"
# a filtered report says what it left out; "no alerts" alone would be an all-clear
run scan -q --db "$T/f.db" sample-logs --config "$cfg"
n=$(q "$T/f.db" "SELECT count(*) FROM alerts WHERE status = 'open'")
run report --db "$T/f.db" --since 2026-11-14
contains "$T/out" "0 incident(s); $n more outside the filter" "the summary counts them"
contains "$T/out" "no alerts in the filter; $n outside it" "and says so where alerts would be"
run report --db "$T/f.db"
lacks "$T/out" "outside the filter" "an unfiltered report has nothing outside"
# --since/--until on scan also limit what is read: files filed under other days are not
# opened, events outside are not stored, the digests are held to that period, and the report
# says so; the same store scanned later without them reads the rest (nothing lost)
run scan --db "$T/w.db" --config "$cfg" --since 2026-11-12 --until 2026-11-12 sample-logs
contains "$T/out" "  read       2026-11-12T00:00:00Z .. 2026-11-12T23:59:59Z (--since/--until): 96 log file(s) filed under other days not read" \
   "the report says what was read"
eq "$(q "$T/w.db" "SELECT count(*) FROM files")" 72 "only the files of the day and its neighbours' edges opened"
eq "$(q "$T/w.db" "SELECT count(*) FROM events WHERE event_ts < unixepoch('2026-11-12') OR event_ts > unixepoch('2026-11-12T23:59:59Z')")" \
   0 "no event outside the window stored"
eq "$(q "$T/w.db" "SELECT count(*) FROM alerts WHERE rule_id = 'DDB-LOG-TAMPER' AND event_names = 'missing'")" 1 \
   "the day's deleted log file still found"
eq "$(q "$T/w.db" "SELECT count(*) FROM alerts WHERE rule_id = 'DDB-LOG-TAMPER'")" 1 \
   "and the days not read are no tampering"
run scan -q --db "$T/w.db" --config "$cfg" sample-logs
run scan -q --db "$T/full.db" --config "$cfg" sample-logs
eq "$(q "$T/w.db" "SELECT count(*) FROM events")" "$(q "$T/full.db" "SELECT count(*) FROM events")" \
   "a later run without the window reads what the window left"
lacks "$T/out" "  read  " "and its report has no window"

# severities as lists, in any case (trivy's --severity HIGH,CRITICAL)
run report --db "$T/f.db" --severity HIGH,critical --format json
eq "$rc" 0 "--severity list status"
eq "$(jq -r .severity "$T/out" | sort -u | tr '\n' ' ')" "critical high " "only the listed severities"
eq "$(wc -l <"$T/out")" \
   "$(q "$T/f.db" "SELECT count(*) FROM alerts WHERE status = 'open' AND severity IN ('high','critical')")" \
   "every alert of those"
run report --db "$T/f.db" --severity medium,low
contains "$T/out" "alerts     [0-9]*: [0-9]* medium, [0-9]* low; " "the summary counts what is shown"
contains "$T/out" "more outside the filter" "and what is not"
lacks "$T/out" "^CRITICAL" "no critical section"
run report --db "$T/f.db" --severity critical --min-severity high --format csv
eq "$(tail -n +2 "$T/out" | cut -d, -f2 | sort -u | tr -d '\r')" critical "both filters hold"
run report --db "$T/f.db" --severity high,severe
eq "$rc" 2 "an unknown severity in a list"
contains "$T/err" "not 'severe'" "named"
run report --db "$T/f.db" --severity high,
eq "$rc" 2 "an empty item"
done_case
