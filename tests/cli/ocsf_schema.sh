#!/bin/sh
# Every OCSF finding ddbtrail writes is a valid Detection Finding of OCSF
# 1.1.0 (the version Amazon Security Lake takes), checked against the schema
# itself (../shared/ocsf-schema-1.1.0: extends, $include and profiles
# resolved; names, types, required attributes, enums, no nulls, profiles
# declared) by tests/tools/ocsf_check.py; and the checker is shown to catch
# each kind of fault on findings broken on purpose.
. "$(dirname "$0")/../lib.sh"
schema="$SHARED/ocsf-schema-1.1.0"
[ -n "$SHARED" ] && [ -d "$schema" ] || skip "../shared/ocsf-schema-1.1.0 not present; skipped"
check() { python3 tests/tools/ocsf_check.py "$schema" detection_finding "$1" >"$T/check" 2>&1; }
# the sample fires every rule: every shape of finding (with and without an actor, a key, an
# address, a region, tables, events), a suppressed one, and routine ones (a store of
# earlier days) among them
cat >"$T/cfg.json" <<'JSON'
{"allowed_regions": ["eu-west-1"], "decoy_tables": ["customers-archive"],
 "dax_role_arns": ["arn:aws:iam::111122223333:role/DAXServiceRole"],
 "suppress": [{"rule": "DDB-INSECURE-CREATE", "reason": "staging table, ticket OPS-7"}]}
JSON
run scan --db "$T/s.db" --config "$T/cfg.json" --format ocsf --show-suppressed sample-logs/
cp "$T/out" "$T/sample.jsonl"
check "$T/sample.jsonl"
eq "$?" 0 "the sample's findings are valid OCSF 1.1.0"
sed 's/^/      /' "$T/check" | tail -5
eq "$(jq -r .status "$T/sample.jsonl" | sort -u | tr '\n' ' ')" "New Suppressed " "both statuses checked"
ok_if '[ "$(wc -l <"$T/sample.jsonl")" -ge 29 ]' "every rule's finding checked"
eq "$(grep -c 'null' "$T/sample.jsonl")" 0 "no null anywhere"
eq "$(jq -r '.metadata.profiles | join(",")' "$T/sample.jsonl" | sort -u)" cloud "the cloud profile declared"
eq "$(jq -r 'has("src_endpoint") or has("actor")' "$T/sample.jsonl" | sort -u)" false \
   "no top-level src_endpoint or actor (not Detection Finding attributes)"
ok_if '[ "$(jq -r "[.evidences[] | select(.src_endpoint.ip)] | length" "$T/sample.jsonl" | sort -nu | tail -1)" -gt 0 ]' \
   "source addresses are in the evidences"
eq "$(jq -r .unmapped.integrity "$T/sample.jsonl" | sort -u | grep -c 'log files verified')" 1 \
   "every finding carries the integrity summary"

# --summary: the findings, then the run as a Scan Activity (class 6007), each line checked
# against the class its class_uid names
run report --db "$T/s.db" --format ocsf --summary --show-suppressed
python3 tests/tools/ocsf_check.py "$schema" any "$T/out" >"$T/check" 2>&1
eq "$?" 0 "findings and the run record are valid OCSF 1.1.0"
sed 's/^/      /' "$T/check" | tail -3
eq "$(tail -1 "$T/out" | jq -r '[.class_uid, .type_uid,
    .num_detections + .unmapped.alerts_suppressed] | join(" ")')" \
   "6007 600702 $(($(wc -l <"$T/out") - 1))" \
   "the last line is a Scan Activity counting the findings (open and suppressed)"

# the checker catches each fault
one=$(head -1 "$T/sample.jsonl")
broken() {
    printf '%s\n' "$one" | jq -c "$1" >"$T/bad.jsonl"
    check "$T/bad.jsonl"
    eq "$?" 1 "checker refuses: $2"
    contains "$T/check" "$3" "checker names it: $2"
}
broken '.severity_id = 7' "an id outside its enum" "severity_id = 7 is not in its enum"
broken '.severity = "Low"' "a caption that disagrees with its id" "but severity says"
broken '.message = null' "a null" "null (leave the attribute out"
broken 'del(.finding_info.title)' "a required attribute missing" "required title missing"
broken '.count = "3"' "a wrong type" "count must be an integer"
broken '.src_endpoint = {"ip": "1.2.3.4"}' "an attribute the class lacks" "src_endpoint is not an attribute"
broken 'del(.metadata.profiles)' "an undeclared profile" "cloud comes from profile cloud"
broken '.class_uid = 2001' "a wrong class" "class_uid 2001, want 2004"
broken '.evidences = [{}]' "an evidence with nothing in it" "evidences needs at least one of"
broken '.metadata.version = "1.0.0"' "another version" "metadata.version '1.0.0'"
done_case
