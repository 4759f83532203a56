#!/bin/sh
# An unreadable file gets one error line naming it, status 3, and the rest of the batch
# still ingests. Root reads mode-000 files, so as root the run drops to nobody (setpriv).
. "$(dirname "$0")/../lib.sh"
d="$T/logs"
mkdir -p "$d"
printf '{"Records":[{"eventID":"ok-1","eventTime":"2026-11-12T02:00:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"GetItem"}]}' >"$d/a.json"
printf '{"Records":[]}' >"$d/secret.json"
chmod 000 "$d/secret.json"
as=""
if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null || skip "running as root without setpriv; skipped"
    as="setpriv --reuid=65534 --regid=65534 --clear-groups"
    chmod 755 "$T" "$d"
    chmod 644 "$d/a.json"
    $as sh -c "test -x '$DDBTRAIL' && test -r '$d/a.json'" 2>/dev/null ||
        skip "user nobody cannot reach $DDBTRAIL or $T; skipped"
    mkdir -p "$T/db"
    chmod 777 "$T/db"
fi
mkdir -p "$T/db"
$as $VALGRIND "$DDBTRAIL" ingest --no-progress --db "$T/db/u.db" "$d" >"$T/out" 2>"$T/err"
rc=$?
cat "$T/err"
eq "$rc" 3 "status with an unreadable input"
contains "$T/err" "secret.json: cannot open: Permission denied" "unreadable file named"
eq "$(grep -c 'secret.json' "$T/err")" 1 "one line for it"
eq "$(q "$T/db/u.db" "SELECT count(*) FROM events WHERE event_id = 'ok-1'")" 1 "the readable file stored"
chmod 644 "$d/secret.json"
done_case
