#!/bin/sh
# The effect catalogue (detections/effects.txt, README "Effects"): it names
# every operation of the DynamoDB, Streams and DAX APIs (the list kept from
# AWS's API reference in tests/effects/api-operations.txt), each with effects
# or "none", as the tool itself reads it (the catalogue a detect writes into
# the store); a rule header naming an undeclared effect fails 'rules check';
# a bad catalogue line stops a scan before any input is read, naming the line.
. "$(dirname "$0")/../lib.sh"
run scan -q --db "$T/s.db" --format json sample-logs
ok_if '[ "$rc" -le 1 ]' "scan of the sample: exit $rc"
q "$T/s.db" "SELECT DISTINCT replace(event_source, '.amazonaws.com', '') || ':' || event_name
             FROM effects" | sort >"$T/named"
grep -v '^#' tests/effects/api-operations.txt | grep . | sort >"$T/api"
missing=$(comm -23 "$T/api" "$T/named")
[ -z "$missing" ] || fail "operations of the API the catalogue does not name: $(echo $missing)"
eq "$(wc -l <"$T/api" | tr -d ' ')" 82 "the API list holds 61 DynamoDB and Streams and 21 DAX operations"
# every effect a rule header names is declared
run rules check
eq "$rc" 0 "rules check of the shipped rules"
mkdir "$T/r" && cp detections/effects.txt "$T/r/" && cp detections/DDB-ROOT.sql "$T/r/"
sed -i 's/^-- title:/-- effects: deletes-itemz\n-- title:/' "$T/r/DDB-ROOT.sql"
run rules check --rules "$T/r"
eq "$rc" 2 "rules check with an undeclared effect"
contains "$T/err" "effect 'deletes-itemz' in its 'effects:' header is not in the catalogue" "the effect named"
# a rule reading an effect its header leaves out (it would never be judged)
cp detections/DDB-DESTRUCTIVE.sql "$T/r/" && sed -i 's/^-- effects: .*/-- effects: deletes-table/' "$T/r/DDB-DESTRUCTIVE.sql"
sed -i 's/deletes-itemz//' "$T/r/DDB-ROOT.sql"
run rules check --rules "$T/r"
eq "$rc" 2 "rules check with an effect read but not declared"
contains "$T/err" "reads effect 'delete[a-z-]*', which neither its 'effects:' nor its 'catalogue:' header names" \
    "the left-out effect named"
rm "$T/r/DDB-DESTRUCTIVE.sql"
# a bad catalogue stops the run before anything is read
printf 'effect none x\ndynamodb:Scan reads-items\n' >"$T/r/effects.txt"
sed -i 's/deletes-itemz//' "$T/r/DDB-ROOT.sql"
run scan --rules "$T/r" sample-logs
eq "$rc" 2 "scan with a catalogue naming an undeclared effect"
contains "$T/err" "effects.txt:2: effect 'reads-items' is not declared" "file and line named"
done_case
