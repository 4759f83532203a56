#!/bin/sh
# tests/detect-pair.sh CASE: ingests tests/detections/CASE/fires.json and
# benign.json into separate stores, runs only the case's rule on each, and
# checks that the first fires and the benign twin yields what its expect file
# allows ("none", or the highest severity it may reach, e.g. "low").
#
# CASE is a rule id (DDB-ROOT) or RULE__what (DDB-MASS-SCAN__partiql) for a
# further pair of the same rule. The expect file may also say
#   fires_alerts N        the fires store holds exactly N alerts of the rule
#   fires_detail TEXT     some alert's detail contains TEXT
#   fires_principal ARN   every alert names ARN as its principal (the actor)
case=$1
rule=${case%%__*}
. "$(dirname "$0")/lib.sh"
d=tests/detections/$case
[ -d "$d" ] || { echo "no case directory $d"; exit 1; }
[ -f "detections/$rule.sql" ] || { echo "no rule $rule for case $case"; exit 1; }
cfg=tests/detections/config.json
[ -f "$d/config.json" ] && cfg=$d/config.json
want_benign=$(sed -n 's/^benign //p' "$d/expect")
want_fires=$(sed -n 's/^fires //p' "$d/expect")

for kind in fires benign; do
    run ingest -q --db "$T/$kind.db" "$d/$kind.json"
    eq "$rc" 0 "$kind: ingest status"
    run detect -q --db "$T/$kind.db" --config "$cfg" --only "$rule"
    eq "$rc" 0 "$kind: detect status"
    [ -s "$T/err" ] && { echo "$kind: detect stderr:"; cat "$T/err"; }
done
highest() {
    q "$1" "SELECT severity FROM alerts WHERE rule_id='$rule' ORDER BY CASE severity
        WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1
        ELSE 0 END DESC LIMIT 1"
}
top_fires=$(highest "$T/fires.db")
eq "${top_fires:-none}" "$want_fires" "fires.json's highest $rule alert"
top_benign=$(highest "$T/benign.db")
eq "${top_benign:-none}" "$want_benign" "benign twin's highest $rule alert"
n=$(sed -n 's/^fires_alerts //p' "$d/expect")
[ -z "$n" ] || eq "$(q "$T/fires.db" "SELECT count(*) FROM alerts WHERE rule_id='$rule'")" "$n" \
    "fires.json's number of $rule alerts"
sed -n 's/^fires_detail //p' "$d/expect" | while IFS= read -r text; do
    [ "$(q "$T/fires.db" "SELECT count(*) FROM alerts WHERE rule_id='$rule' AND instr(detail, '$text') > 0")" -gt 0 ] ||
        { echo "FAIL: no $rule alert's detail contains '$text'"; exit 1; }
done || failures=$((failures + 1))
p=$(sed -n 's/^fires_principal //p' "$d/expect")
[ -z "$p" ] || eq "$(q "$T/fires.db" "SELECT group_concat(DISTINCT principal_arn) FROM alerts WHERE rule_id='$rule'")" \
    "$p" "fires.json's alerts name the actor"
q "$T/fires.db" "SELECT rule_id, severity, detail FROM alerts"
done_case
