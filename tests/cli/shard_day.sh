#!/bin/sh
# Sharding by day (--shard-by day): a job per share of the accounts' days, so
# that one big account splits too. Its rules see only its days, so day shards
# are merged with --events, which runs the rules again: the merged alerts are
# the whole run's, byte for byte (every column a rule or triage writes), on the
# generated organisation trail and on the bundled sample logs. Loose files go
# by each record's account and eventTime day; digests are checked by account,
# for a digest vouches for logs of the day before; merge refuses day shards
# without --events, and a shard carrying another unit's files.
. "$(dirname "$0")/../lib.sh"
python3 tests/tools/gen_org.py "$T" || { echo "generator failed"; exit 1; }
cd "$T" || exit 1
cp -r "$top/sample-logs" samples

# everything an alert says, but its row id and when it was detected
alerts() { q "$1" "SELECT rule_id, severity, title, first_seen, last_seen, event_count,
                   account_id, aws_region, principal_arn, access_key_id, source_ip, table_name,
                   event_names, event_ids, detail, mitre, fingerprint, stage, story, status,
                   status_reason, novelty, tables FROM alerts ORDER BY fingerprint"; }

# --- the plan --------------------------------------------------------------------
run shards org --shards 3 --shard-by day --format json
eq "$rc" 0 "day plan"
eq "$(jq -r .by out)" day "the plan says its unit"
eq "$(jq '[.plan[].accounts[]] | length' out)" \
   "$(find org/AWSLogs -path '*/CloudTrail/*' -type f | sed -E 's|.*/([0-9]{12})/CloudTrail/[^/]+/([0-9]{4})/([0-9]{2})/([0-9]{2})/.*|\1/\2-\3-\4|' | sort -u | wc -l | tr -d ' ')" \
   "one unit per account and day"
eq "$(jq -r '[.plan[].accounts[]] | map(test("^[0-9]{12}/[0-9]{4}-[0-9]{2}-[0-9]{2}$")) | all' out)" \
   true "units are ACCOUNT/YYYY-MM-DD"
ok_if '[ "$(jq -r .plan_digest out)" != "$(ddb shards org --shards 3 --format json | jq -r .plan_digest)" ]' \
    "a day plan has its own digest"
run shards org --shards 3 --shard-by day
contains out "account days" "the text plan names its unit"
run shards org --shards 3 --shard-by week
eq "$rc" 2 "--shard-by week refused"
contains err "account or day" "the choices are named"
run scan --shard-by day org
eq "$rc" 2 "--shard-by without --shard"

# --- one run versus day shards merged with their events --------------------------------
for corpus in org samples; do
    cfg=""
    [ "$corpus" = org ] && cfg="--config config.json"
    # shellcheck disable=SC2086
    run scan -q --db "$corpus-one.db" $cfg --format json "$corpus"
    ok_if '[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]' "$corpus: one run exited $rc"
    alerts "$corpus-one.db" >"$corpus-one.tsv"
    ok_if '[ "$(wc -l <"$corpus-one.tsv")" -ge 5 ]' "$corpus: fewer than 5 alerts to compare"
    for k in 0 1 2; do
        # shellcheck disable=SC2086
        run scan -q --shard $k/3 --shard-by day --db "$corpus-s$k.db" $cfg --format json "$corpus"
        ok_if '[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]' "$corpus: day shard $k/3 exited $rc"
    done
    run report --db "$corpus-s1.db"
    contains out "day shard 1/3: only its account days were read" \
        "$corpus: a day shard's report says it judged its days only"
    run merge --db "$corpus-merged.db" "$corpus-s0.db" "$corpus-s1.db" "$corpus-s2.db"
    eq "$rc" 2 "$corpus: day shards merged without --events refused"
    contains err "merge day shards with --events" "$corpus: the refusal says what to do"
    run merge -q --db "$corpus-full.db" --events "$corpus-s0.db" "$corpus-s1.db" "$corpus-s2.db"
    eq "$rc" 0 "$corpus: merge --events"
    eq "$(q "$corpus-full.db" "SELECT count(*) FROM events")" \
       "$(q "$corpus-one.db" "SELECT count(*) FROM events")" "$corpus: every event merged once"
    run report --db "$corpus-full.db"
    lacks out "day shard" "$corpus: the merged report is the whole run's"
    alerts "$corpus-full.db" >"$corpus-full.tsv"
    cmp -s "$corpus-one.tsv" "$corpus-full.tsv" ||
        { fail "$corpus: day shards merged differ from one run"
          diff "$corpus-one.tsv" "$corpus-full.tsv" | head -20; }
    # no shard held every day: the split is real
    for k in 0 1 2; do
        ok_if '[ "$(q "$corpus-s$k.db" "SELECT count(*) FROM events")" -lt "$(q "$corpus-one.db" "SELECT count(*) FROM events")" ]' \
            "$corpus: shard $k/3 holds every event"
    done
done
eq "$(q org-full.db "SELECT sum(events_seen) FROM files WHERE path LIKE '%mixed.json'")" \
   "$(q org-one.db "SELECT events_seen FROM files WHERE path LIKE '%mixed.json'")" \
   "loose file's records counted once across the day shards"

# --- digests: one shard checks an account's chain whole ------------------------------
one=$(q samples-one.db "SELECT count(*) FROM integrity")
sum=0
for k in 0 1 2; do sum=$((sum + $(q "samples-s$k.db" "SELECT count(*) FROM integrity"))); done
eq "$sum" "$one" "the day shards' integrity findings are the one run's"

# --- a shard carrying another unit's events is refused --------------------------------
# an event of one of shard 0's account days, passed off as a record of shard 1's loose file
cp org-s1.db forged.db
sqlite3 forged.db "ATTACH 'org-s0.db' AS s;
    INSERT INTO main.events SELECT * FROM s.events e WHERE e.file_id IN
        (SELECT file_id FROM s.files WHERE path LIKE '%AWSLogs%') LIMIT 1;
    UPDATE main.events SET file_id = (SELECT file_id FROM main.files WHERE path LIKE '%mixed.json')
        WHERE rowid = (SELECT max(rowid) FROM main.events);" || fail "forging failed"
run merge --db forged-m.db --events org-s0.db forged.db
eq "$rc" 2 "a shard with another unit's events refused"
contains err "events of account(s) of other shards" "the refusal names the events"
done_case
