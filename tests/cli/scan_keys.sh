#!/bin/sh
# scan without --db, and ingest into a store holding less than the batch,
# append events without a unique key and sort duplicates and clashes out after
# the last input (STORE_DEFERRED_KEYS); ingest into a store holding more checks
# each event as it comes through the key. All must say and count the same:
# the same messages (file and byte offset of each clash), the same summary,
# the same report.
. "$(dirname "$0")/../lib.sh"
f=$(find sample-logs -path '*/CloudTrail/*' -name '*.json.gz' | sort | sed -n 40p)
g=$(find sample-logs -path '*/CloudTrail/*' -name '*.json.gz' | sort | sed -n 41p)
mkdir -p "$T/in/a" "$T/in/b"
cp "$f" "$T/in/a/one.json.gz"
cp "$f" "$T/in/b/one-again.json.gz"      # every event a duplicate
cp "$g" "$T/in/a/two.json.gz"
# a clash: the first event of $g with another eventName, and a plain duplicate of its second
zcat "$g" | jq -c '{Records: [(.Records[0] | .eventName = "DeleteTable"), .Records[1]]}' \
    >"$T/in/b/forged.json"
gzip -c "$T/in/b/forged.json" >"$T/in/b/forged2.json.gz"  # the same clash, offsets inflated
n=$(zcat "$f" | jq '.Records | length')
ok_if '[ "$n" -gt 0 ]' "the sample file has no events"

run scan --format json -o "$T/scan.json" "$T/in"
scan_rc=$rc
grep -v '^rules:\|^integrity:\|skipped: set' "$T/err" | sort >"$T/scan.msgs"
run ingest --db "$T/s.db" "$T/in"
eq "$scan_rc" "$rc" "same exit status"
{ cat "$T/err"; cat "$T/out"; } | sort >"$T/ingest.msgs"
cmp -s "$T/scan.msgs" "$T/ingest.msgs" ||
    { fail "scan and ingest say different things"; diff "$T/scan.msgs" "$T/ingest.msgs"; }
contains "$T/scan.msgs" \
    "already stored with other content (differs: event_name); this record was not stored (byte " \
    "the clash named with its byte offset"
contains "$T/scan.msgs" "forged2.json.gz: .*this record was not stored (decompressed byte " \
    "a gzip file's clash named with its decompressed offset"
contains "$T/scan.msgs" "2 of them eventID clashes" "clashes counted"
ok_if 'grep -Eq " [1-9][0-9]* already stored" "$T/scan.msgs"' "duplicates counted"
run detect -q --db "$T/s.db"
ddb report --db "$T/s.db" --format json >"$T/ingest.json"
cmp -s "$T/scan.json" "$T/ingest.json" || fail "scan's alerts differ from ingest + detect"
# the same batch into a store that already holds more goes through the unique key event
# by event (a load builds the key once only when it is at least what the store holds):
# it says the same again
mkdir -p "$T/pre"
find sample-logs -path '*/CloudTrail/*' -name '*.json.gz' | sort | sed -n 1,30p |
    while read -r p; do cp "$p" "$T/pre/$(echo "$p" | tr / _)"; done
ddb ingest -q --db "$T/p.db" "$T/pre" || fail "the preload"
ok_if '[ "$(du -sb "$T/pre" | cut -f1)" -gt "$(du -sb "$T/in" | cut -f1)" ]' \
    "the preload holds more than the batch"
run ingest --db "$T/p.db" "$T/in"
eq "$scan_rc" "$rc" "same exit status, event by event"
{ cat "$T/err"; cat "$T/out"; } | sort >"$T/keyed.msgs"
cmp -s "$T/scan.msgs" "$T/keyed.msgs" ||
    { fail "scan and a keyed ingest say different things"; diff "$T/scan.msgs" "$T/keyed.msgs"; }
eq "$(q "$T/p.db" "SELECT count(*) - count(DISTINCT event_id) FROM events")" 0 "no eventID twice"
# the counts of the report's summary, from the files rows
ddb scan --format text "$T/in" 2>/dev/null | sed -n 's/^  inputs *//p' >"$T/scan.inputs"
ddb report --db "$T/s.db" | sed -n 's/^  inputs *//p' >"$T/ingest.inputs"
cmp -s "$T/scan.inputs" "$T/ingest.inputs" ||
    fail "files rows differ: $(cat "$T/scan.inputs") / $(cat "$T/ingest.inputs")"
done_case
