#!/bin/sh
# A store from elsewhere (a --db, a shard handed to merge) is untrusted input
# (issue 22, M2): a generated column, an index on an expression under a known
# index's name, and a schema version from the future are each refused, naming
# what is wrong, by every command that opens the store; a clean store passes.
. "$(dirname "$0")/../lib.sh"
command -v sqlite3 >/dev/null || skip "needs the sqlite3 shell"
echo '{"Records":[]}' >"$T/empty.json"
run ingest -q --db "$T/clean.db" "$T/empty.json"
eq "$rc" 0 "a clean store"
cp "$T/clean.db" "$T/gen.db"
q "$T/gen.db" "ALTER TABLE events ADD COLUMN padding TEXT GENERATED ALWAYS AS (printf('%.1000000c', 'x')) VIRTUAL"
cp "$T/clean.db" "$T/idx.db"
q "$T/idx.db" "DROP INDEX files_path; CREATE INDEX files_path ON files(printf('%.100000c', path))"
cp "$T/clean.db" "$T/future.db"
q "$T/future.db" "UPDATE meta SET value = '99' WHERE key = 'schema_version'"
for bad in gen idx future; do
    run report --db "$T/$bad.db"
    eq "$rc" 2 "$bad: report refuses the store"
    run detect -q --db "$T/$bad.db"
    eq "$rc" 2 "$bad: detect refuses the store"
    run merge --db "$T/m-$bad.db" "$T/$bad.db"
    eq "$rc" 2 "$bad: merge refuses it as a shard"
done
run report --db "$T/gen.db"
contains "$T/err" "'events' is not shaped as ddbtrail makes it" "the generated column named"
run report --db "$T/idx.db"
contains "$T/err" "'files_path' is not shaped as ddbtrail makes it" "the expression index named"
run report --db "$T/future.db"
contains "$T/err" "written by a newer ddbtrail (schema 99" "the future version named"
run report --db "$T/clean.db"
eq "$rc" 0 "the clean store still opens"

# M1: one store per shard: a second store claiming an already merged K, with other content
# (here the first's alerts, one of them re-marked suppressed), is refused; the same store
# merged again adds nothing
run scan -q --shard 0/1 --db "$T/k0.db" --format json sample-logs/ --config sample-logs/ddbtrail.json
cp "$T/k0.db" "$T/k0-forged.db"
q "$T/k0-forged.db" "UPDATE alerts SET status = 'suppressed', status_reason = 'forged'
                     WHERE alert_id = (SELECT min(alert_id) FROM alerts)"
run merge -q --db "$T/m.db" "$T/k0.db"
eq "$rc" 0 "the first store of shard 0 merges"
run merge -q --db "$T/m.db" "$T/k0.db"
eq "$rc" 0 "the same store again: a no-op"
run merge -q --db "$T/m.db" "$T/k0-forged.db"
eq "$rc" 2 "a second, other store for shard 0: refused"
contains "$T/err" "a second store for shard 0/1" "and said so"
eq "$(q "$T/m.db" "SELECT count(*) FROM alerts WHERE status = 'suppressed'")" 0 \
    "nothing of the forged store was taken"
done_case
