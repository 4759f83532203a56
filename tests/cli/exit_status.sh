#!/bin/sh
# Exit statuses as documented: 0 clean, 1 --fail-on, 2 usage/fatal,
# 3 rejected input, 1 wins over 3.
. "$(dirname "$0")/../lib.sh"
cfg=tests/detections/config.json
clean=tests/detections/DDB-ROOT/benign.json
alerting=tests/detections/DDB-ROOT/fires.json
printf '{"Records":[{"eventID":"x"}]}' >"$T/bad.json"
run scan -q "$clean" --config "$cfg";                        eq "$rc" 0 "clean scan"
run scan -q --fail-on high "$clean" --config "$cfg";         eq "$rc" 0 "clean with --fail-on"
run scan -q --fail-on high "$alerting" --config "$cfg";      eq "$rc" 1 "alert at --fail-on"
contains "$T/err" "ddbtrail: --fail-on high: 1 alert(s) at or above it (1 high)" "one line says why"
run scan -q --fail-on HIGH "$alerting" --config "$cfg";      eq "$rc" 1 "a severity in capitals"
run scan -q --fail-on hgh "$alerting" --config "$cfg";       eq "$rc" 2 "a misspelt severity"
run scan -q --fail-on critical "$alerting" --config "$cfg";  eq "$rc" 0 "alert below --fail-on"
run scan -q "$alerting" --config "$cfg";                     eq "$rc" 0 "alerts without --fail-on"
run scan -q "$clean" "$T/bad.json" --config "$cfg";          eq "$rc" 3 "rejected input"
contains "$T/err" "bad.json: missing eventTime (byte 12)" "reject message"
run scan -q --fail-on high "$alerting" "$T/bad.json" --config "$cfg"; eq "$rc" 1 "1 wins over 3"
run scan;                                                     eq "$rc" 2 "no path"
contains "$T/err" "scan needs at least one PATH" "no path message"
run scan --format xml "$clean";                              eq "$rc" 2 "bad format"
run scan --min-severity severe "$clean";                     eq "$rc" 2 "bad severity"
run scan --since yesterday "$clean";                         eq "$rc" 2 "bad time"
run scan --bogus "$clean";                                   eq "$rc" 2 "unknown option"
run frobnicate;                                              eq "$rc" 2 "unknown command"
run ingest "$clean";                                         eq "$rc" 2 "ingest without --db"
run report --db "$T/nonexistent.db";                         eq "$rc" 2 "report on a missing db"
run --help;    eq "$rc" 0 "--help"; contains "$T/out" "exit status" "--help documents exit status"
run --version; eq "$rc" 0 "--version"; contains "$T/out" "^ddbtrail [0-9]" "--version"
for c in scan ingest detect report rules; do
    run "$c" --help; eq "$rc" 0 "$c --help"; contains "$T/out" "usage: ddbtrail $c" "$c --help"
done
# config mistakes name the key
echo '{"allowed_region":["eu-west-1"]}' >"$T/typo.json"
run scan -q "$clean" --config "$T/typo.json"; eq "$rc" 2 "config typo"
contains "$T/err" 'unknown key "allowed_region"' "config typo message"
# scan without --db leaves no temporary database behind
mkdir -p "$T/tmp"
TMPDIR=$T/tmp ddb scan -q "$clean" --config "$cfg" >/dev/null 2>&1
eq "$(ls -A "$T/tmp" | wc -l)" 0 "temporary database removed"
done_case
