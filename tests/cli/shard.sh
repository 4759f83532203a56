#!/bin/sh
# Sharding and merging (README, "Past one machine"): a generated organisation
# trail of seven accounts with attacks in four, read in one run and as three
# shards merged, gives the same alerts; the plan is balanced; merge refuses
# shards of other settings, rules or plans, and merging again is a no-op;
# a shard store takes no other shard; coverage and incidents come from the
# merged store.
. "$(dirname "$0")/../lib.sh"
python3 tests/tools/gen_org.py "$T" || { echo "generator failed"; exit 1; }
cd "$T" || exit 1

# the alert set compared: rule, account, actor, first and last seen, events
alerts() { q "$1" "SELECT rule_id, account_id, principal_arn, first_seen, last_seen, event_count
                   FROM alerts ORDER BY 1, 2, 3, 4"; }

# --- the plan ----------------------------------------------------------------
run shards org --shards 3 --format json
eq "$rc" 0 "shards exit status"
jq -e . out >/dev/null || fail "shards --format json is not JSON"
eq "$(jq '[.plan[].accounts[]] | length' out)" 7 "every account in the plan"
eq "$(jq '[.plan[].accounts[]] | unique | length' out)" 7 "no account in two shards"
eq "$(jq '.unplaced_files' out)" 1 "the loose file is counted apart"
# balance: no shard heavier than another by more than the largest account's bytes
largest=0
for a in $(jq -r '.plan[].accounts[]' out); do
    b=$(find org/AWSLogs/*/"$a" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
    [ "$b" -gt "$largest" ] && largest=$b
done
spread=$(jq '[.plan[].bytes] | max - min' out)
ok_if '[ "$spread" -le "$largest" ]' \
    "shards differ by $spread bytes, more than one account ($largest)"
eq "$(jq '[.plan[].bytes] | add' out)" \
   "$(find org/AWSLogs -type f -printf '%s\n' | awk '{s += $1} END {print s}')" "bytes add up"
run shards org --shards 3
contains out "shard 2/3:" "text plan"
contains out "not in an AWSLogs/ACCOUNT/ tree: 1 files" "text plan names the loose file"
# the same plan from the same tree, every time (each job computes it)
eq "$(ddb shards org --shards 3 --format json | jq -r .plan_digest)" \
   "$(ddb shards org --shards 3 --format json | jq -r .plan_digest)" "plan is stable"

# --- one run versus three shards merged ------------------------------------------
run scan -q --db one.db --config config.json --format json org
eq "$rc" 0 "one run"
alerts one.db >one.tsv
ok_if '[ "$(cut -f1 one.tsv | sort -u | wc -l)" -ge 6 ]' \
    "fewer than 6 rules fired: $(cut -f1 one.tsv | sort -u | tr '\n' ' ')"
ok_if '[ "$(cut -f2 one.tsv | sort -u | wc -l)" -ge 4 ]' "attacks in fewer than 4 accounts"
for k in 0 1 2; do
    run scan --shard $k/3 --db s$k.db --config config.json --format json org
    eq "$rc" 0 "shard $k/3"
    cat err >>shard.err
done
contains shard.err "records of other shards' accounts left to them" "loose records split"
run merge --db merged.db s0.db s1.db s2.db
eq "$rc" 0 "merge"
alerts merged.db >merged.tsv
if ! cmp -s one.tsv merged.tsv; then
    fail "three shards merged differ from one run"; diff one.tsv merged.tsv | head -20
fi
# every record of the loose file read once over the shards
eq "$(q merged.db "SELECT sum(events_seen) FROM files WHERE path LIKE '%mixed.json'")" \
   "$(q one.db "SELECT events_seen FROM files WHERE path LIKE '%mixed.json'")" \
   "loose file's records counted once across the shards"
eq "$(q merged.db "SELECT count(*) FROM rule_runs WHERE status = 'ran'")" \
   "$(q one.db "SELECT count(*) FROM rule_runs WHERE status = 'ran'")" "rule runs merged"
eq "$(q merged.db "SELECT sum(alerts) FROM rule_runs")" "$(wc -l <one.tsv | tr -d ' ')" \
   "rule run counts recomputed"
eq "$(q merged.db "SELECT count(*) FROM incidents")" \
   "$(q one.db "SELECT count(*) FROM incidents")" "incidents rebuilt on the merged store"
# the merged report says what each shard's digests proved (here: nothing, none were read)
run report --db merged.db
contains out "^  integrity  shard 0/3: not checked: no digest file.*; shard 1/3: .*; shard 2/3: " \
    "merged: the integrity line of every shard"
run report --db merged.db --format json
eq "$(jq -r .integrity out | sort -u | grep -c '^shard 0/3: .*shard 2/3: ')" 1 \
   "merged JSON Lines: every alert carries it"
# without --events the report says where the events are instead of "no events"
run report --db merged.db
contains out "events stayed in the shard stores" "report names the missing events"
lacks out "no DynamoDB events" "no false 'no events'"
# a detect there finds no events to judge, and keeps the shards' alerts, which
# no rule could derive again without them
cp merged.db redetect.db
run detect -q --db redetect.db
eq "$(q redetect.db "SELECT count(*) FROM alerts")" "$(wc -l <one.tsv | tr -d ' ')" \
   "detect on a merged store without events keeps its alerts"

# --- merging again changes nothing -----------------------------------------------
sqlite3 merged.db .dump >before.sql
run merge --db merged.db s1.db s0.db s2.db
eq "$rc" 0 "second merge"
contains out "0 alerts added, 2 already there" "second merge adds nothing"
sqlite3 merged.db .dump >after.sql
cmp -s before.sql after.sql ||
    { fail "a second merge changed the store"; diff before.sql after.sql | head; }

# --- with the events: coverage and time span from the merged store -----------------
run merge --db full.db --events s0.db s1.db s2.db
eq "$rc" 0 "merge --events"
eq "$(q full.db "SELECT count(*) FROM events")" "$(q one.db "SELECT count(*) FROM events")" \
   "every event merged"
alerts full.db >full.tsv
cmp -s one.tsv full.tsv || { fail "merged --events differs from one run"; diff one.tsv full.tsv | head; }
ddb coverage --db one.db --format json >cov1.json
ddb coverage --db full.db --format json >cov2.json
cmp -s cov1.json cov2.json || fail "coverage of the merged events differs from one run's"
ddb report --db one.db | grep 'time span' >span1
ddb report --db full.db | grep 'time span' >span2
cmp -s span1 span2 || fail "time span differs: $(cat span1) / $(cat span2)"

# --- refusals ------------------------------------------------------------------
# other settings
printf '{"allowed_regions": ["eu-west-1", "eu-central-1"], "mass_scan_calls": 40}\n' >other.json
run scan -q --shard 0/3 --db odd.db --config other.json --format json org
run merge --db m2.db s1.db odd.db
eq "$rc" 2 "merge refuses other settings"
contains err "mass_scan_calls" "the differing setting is named"
contains err "1 of 2 store(s) merged" "what was merged is said"
# another version of a rule
mkdir rules && cp "$top"/detections/* rules/
printf '\n-- tuned locally\n' >>rules/DDB-RECON.sql
run scan -q --shard 0/3 --db oddrule.db --config config.json --rules rules --format json org
run merge --db m3.db s1.db oddrule.db
eq "$rc" 2 "merge refuses another rule version"
contains err "rule DDB-RECON differs" "the differing rule is named"
# another plan
run scan -q --shard 0/2 --db two.db --config config.json --format json org
run merge --db m4.db s1.db two.db
eq "$rc" 2 "merge refuses another plan"
contains err "another plan" "plan difference named"
# the merged store itself
run merge --db merged.db merged.db
eq "$rc" 2 "merging a store into itself"
# a shard store takes no other shard, and no unsharded run
run ingest -q --shard 1/3 --db s0.db org
eq "$rc" 2 "shard 1 into shard 0's store"
contains err "holds shard 0/3" "the store's shard named"
run ingest -q --db s0.db org
eq "$rc" 2 "unsharded ingest into a shard store"
run ingest -q --shard 0/3 --db one.db org
eq "$rc" 2 "a shard into an unsharded store"
# bad specs
for spec in 3/3 a/b -1/3 1/0 1 2/-3 "0/65537"; do
    run scan --shard "$spec" org
    eq "$rc" 2 "--shard $spec"
done
contains err "K/N" "the bad spec says the form"
run scan --shard 0/2 --follow -
eq "$rc" 2 "--shard with --follow"
# a path that cannot be read is named once, though the plan walks it too
run ingest -q --shard 0/3 --db s9.db no-such-dir org
eq "$rc" 3 "an unreadable path among a shard's inputs"
eq "$(grep -c 'no-such-dir' err)" 1 "the unreadable path named once"
done_case
