#!/bin/sh
# A store fed a day at a time, with a detect after each day, ends with the
# alerts and incidents of one ingest and detect over everything, byte for
# byte (every column a rule or triage writes, novelty and incident ids too):
# on the generated organisation trail and on the bundled sample logs. Later
# days extend an actor's alerts rather than add new ones beside them. Fed in
# reverse (logs that arrive late), the end is the same: what an alert lists
# depends on its events, not on the order they were stored in.
. "$(dirname "$0")/../lib.sh"
python3 tests/tools/gen_org.py "$T" || { echo "generator failed"; exit 1; }
cd "$T" || exit 1
cp -r "$top/sample-logs" samples

alerts() { q "$1" "SELECT rule_id, severity, title, first_seen, last_seen, event_count,
                   account_id, aws_region, principal_arn, access_key_id, source_ip, table_name,
                   event_names, event_ids, detail, mitre, fingerprint, stage, story, status,
                   status_reason, novelty, tables, incident_id FROM alerts ORDER BY fingerprint"; }
incidents() { q "$1" "SELECT * FROM incidents ORDER BY incident_id"; }

for order in forward reverse; do
for corpus in org samples; do
    cfg=""
    [ "$corpus" = org ] && cfg="--config config.json"
    if [ ! -f "$corpus-one.db" ]; then
        run ingest -q --db "$corpus-one.db" "$corpus"
        # shellcheck disable=SC2086
        run detect -q $cfg --db "$corpus-one.db"
        ok_if '[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]' "$corpus: one detect exited $rc"
    fi
    days=$(find "$corpus" -path '*/CloudTrail/*' -type f -name '*.json*' |
           sed -E 's|.*/([0-9]{4}/[0-9]{2}/[0-9]{2})/[^/]*$|\1|' | sort -u)
    [ "$order" = reverse ] && days=$(echo "$days" | sort -r)
    ok_if '[ "$(echo "$days" | wc -l)" -ge 2 ]' "$corpus: fewer than two days to feed"
    for d in $days; do
        find "$corpus" -path "*/CloudTrail/*/$d/*" -type f | sort >day.list
        # shellcheck disable=SC2046
        run ingest -q --db "$corpus-$order.db" $(cat day.list)
        # shellcheck disable=SC2086
        run detect -q $cfg --db "$corpus-$order.db"
        ok_if '[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]' "$corpus: detect after $d exited $rc"
    done
    # what lies outside the day folders (loose files) comes last, as in one walk
    run ingest -q --db "$corpus-$order.db" "$corpus"
    # shellcheck disable=SC2086
    run detect -q $cfg --db "$corpus-$order.db"
    eq "$(q "$corpus-$order.db" "SELECT count(*) FROM events")" \
       "$(q "$corpus-one.db" "SELECT count(*) FROM events")" "$corpus: every event once"
    alerts "$corpus-one.db" >"$corpus-one.tsv"
    alerts "$corpus-$order.db" >"$corpus-$order.tsv"
    ok_if '[ "$(wc -l <"$corpus-one.tsv")" -ge 5 ]' "$corpus: fewer than 5 alerts to compare"
    cmp -s "$corpus-one.tsv" "$corpus-$order.tsv" ||
        { fail "$corpus: a day at a time ($order) differs from one run"
          diff "$corpus-one.tsv" "$corpus-$order.tsv" | head -10; }
    incidents "$corpus-one.db" >"$corpus-one.inc"
    incidents "$corpus-$order.db" >"$corpus-$order.inc"
    cmp -s "$corpus-one.inc" "$corpus-$order.inc" || fail "$corpus: incidents differ ($order)"
done
done
done_case
