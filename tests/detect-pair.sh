#!/bin/sh
# tests/detect-pair.sh RULE: ingests tests/detections/RULE/fires.json and
# benign.json into separate stores, runs only RULE on each, and checks that
# the first fires and the benign twin yields what its expect file allows
# ("none", or the highest severity it may reach, e.g. "low").
rule=$1
. "$(dirname "$0")/lib.sh"
d=tests/detections/$rule
[ -d "$d" ] || { echo "no case directory $d"; exit 1; }
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
q "$T/fires.db" "SELECT rule_id, severity, detail FROM alerts"
done_case
