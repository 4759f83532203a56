#!/bin/sh
# The Dask runner (cmd/ddbtrail-dask) on a local cluster of two worker
# processes, loopback only: the generated organisation trail in three shards,
# by account or by day, gives the alerts of one run; and when the worker
# running a shard is killed (SIGKILL, by a ddbtrail wrapper on its first
# attempt) the run still completes with the same alerts, the killed attempt's
# half-written store left unmerged.
. "$(dirname "$0")/../lib.sh"
if ! /usr/bin/python3 -c 'import distributed' 2>/dev/null; then
    [ "${CI:-}" = true ] && { echo "FAIL: CI must install python3-distributed"; exit 1; }
    skip "no python3-distributed for /usr/bin/python3 (make test installs it as root)"
fi
python3 tests/tools/gen_org.py "$T" || { echo "generator failed"; exit 1; }
RUNNER=$top/cmd/ddbtrail-dask
cd "$T" || exit 1
alerts() { q "$1" "SELECT rule_id, account_id, principal_arn, first_seen, last_seen, event_count
                   FROM alerts ORDER BY 1, 2, 3, 4"; }

ddb scan -q --db one.db --config config.json --format json org >/dev/null
alerts one.db >one.tsv
ok_if '[ -s one.tsv ]' "one run found nothing"

# --- a clean run ---------------------------------------------------------------
/usr/bin/python3 "$RUNNER" --shards 3 --workers 2 --work work --ddbtrail "$DDBTRAIL" \
    --config config.json --format json -o report.json org >out 2>err
rc=$?
eq "$rc" 0 "runner exit status"
[ "$rc" = 0 ] || sed 's/^/      /' err | tail -20
eq "$(ls work/shard-*-of-3.db | wc -l | tr -d ' ')" 3 "three shard stores"
alerts work/merged.db >dask.tsv
cmp -s one.tsv dask.tsv || { fail "Dask run differs from one run"; diff one.tsv dask.tsv | head; }
eq "$(jq -s length report.json)" "$(wc -l <one.tsv | tr -d ' ')" "report has every alert"
contains err "3 shards merged" "runner says it merged"

# --- sharded by day: merged with the events, the same alerts -------------------------
/usr/bin/python3 "$RUNNER" --shards 3 --shard-by day --workers 2 --work work-day \
    --ddbtrail "$DDBTRAIL" --config config.json --format json -o report-day.json org \
    >out-day 2>err-day
rc=$?
eq "$rc" 0 "runner exit status, by day"
[ "$rc" = 0 ] || sed 's/^/      /' err-day | tail -20
contains err-day "account days" "the runner names the day plan's units"
alerts work-day/merged.db >day.tsv
cmp -s one.tsv day.tsv || { fail "Dask run by day differs from one run"; diff one.tsv day.tsv | head; }

# --- a worker killed while it runs a shard -----------------------------------------
# The wrapper starts the real scan of shard 1/3 in the background, then kills the
# Dask worker process that started it (its parent): the scan writes on into its
# temporary store, which the runner must never merge; Dask runs the task again.
cat >killer.sh <<EOF
#!/bin/sh
case " \$* " in
*" 1/3 "*)
    if mkdir "$T/killed" 2>/dev/null; then
        "$DDBTRAIL" "\$@" >/dev/null 2>&1 &
        sleep 0.3
        kill -9 \$PPID
        wait
        exit 0
    fi ;;
esac
exec "$DDBTRAIL" "\$@"
EOF
chmod +x killer.sh
/usr/bin/python3 "$RUNNER" --shards 3 --workers 2 --work work2 --ddbtrail "$T/killer.sh" \
    --config config.json --format json -o report2.json org >out2 2>err2
rc=$?
eq "$rc" 0 "runner exit status after a worker was killed"
[ "$rc" = 0 ] || sed 's/^/      /' err2 | tail -20
ok_if '[ -d killed ]' "the worker was never killed"
alerts work2/merged.db >dask2.tsv
cmp -s one.tsv dask2.tsv ||
    { fail "run with a killed worker differs"; diff one.tsv dask2.tsv | head; }
contains err2 "partial store(s) of failed attempts left" "the killed attempt's store is named"
eq "$(ls work2/shard-*-of-3.db | wc -l | tr -d ' ')" 3 "three complete shard stores"

# --- a shard that keeps failing fails the run, loudly -----------------------------
printf '{"no_such_key": 1}\n' >bad.json
/usr/bin/python3 "$RUNNER" --shards 2 --workers 2 --retries 1 --work work3 \
    --ddbtrail "$DDBTRAIL" --config bad.json org >out3 2>err3
rc=$?
eq "$rc" 2 "runner exits 2 when shards fail"
contains err3 "shards failed; nothing merged" "the failure is said"
ok_if '[ ! -f work3/merged.db ]' "nothing merged after a failed shard"
# --- a --work path with glob characters, and a forged store left to --resume -------
# (issue 22, DK1) the runner lists its folder, never globs it, and reuses a store only
# when it says it is shard K/N of this very plan; a planted one is scanned again
mkdir -p "w[1]"
cp work/merged.db "w[1]/shard-0-of-3.db" # a store of the right name and the wrong content
/usr/bin/python3 "$RUNNER" --shards 3 --workers 2 --work "w[1]" --resume --ddbtrail "$DDBTRAIL" \
    --config config.json --format json -o report3.json org >out3 2>err3
rc=$?
eq "$rc" 0 "runner with a [ ] in --work and a planted store"
[ "$rc" = 0 ] || sed 's/^/      /' err3 | tail -20
lacks err3 "store of an earlier attempt reused" "the planted store is not reused"
alerts "w[1]/merged.db" >dask3.tsv
cmp -s one.tsv dask3.tsv || { fail "run over a planted store differs from one run"; diff one.tsv dask3.tsv | head; }
done_case
