#!/bin/sh
# Hostile and broken inputs in one batch: each gets one clear error line with
# its path (and byte offset where one exists), the good file is still stored,
# counts reconcile and the exit status is 3.
. "$(dirname "$0")/../lib.sh"
good=$T/good.json
printf '{"Records":[{"eventID":"good-1","eventTime":"2026-11-12T02:10:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"GetItem"}]}' >"$good"
ev='{"eventID":"x1","eventTime":"2026-11-12T02:10:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"GetItem"}'
d=$T/in; mkdir -p "$d"
: >"$d/empty.json"
printf '{"Records":[%s]}' "$ev" | gzip >"$T/full.gz"
head -c 40 "$T/full.gz" >"$d/truncated.json.gz"
cp "$T/full.gz" "$d/corrupt.json.gz"; printf 'XXXXXXXX' | dd of="$d/corrupt.json.gz" bs=1 seek=14 conv=notrunc 2>/dev/null
{ cat "$T/full.gz"; printf 'garbage after'; } >"$d/trailing.json.gz"
# the events inflated before a problem are good data and must be stored
ev2() { printf '{"eventID":"%s","eventTime":"2026-11-12T02:10:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"GetItem"}' "$1"; }
printf '{"Records":[%s]}' "$(ev2 keep-trailing)" | gzip >"$d/keep-trailing.json.gz"; printf 'junk' >>"$d/keep-trailing.json.gz"
printf '{"Records":[%s]}' "$(ev2 keep-nul)" | gzip >"$d/keep-nul.json.gz"; head -c 512 /dev/zero >>"$d/keep-nul.json.gz"
printf '{"Records":[%s]}' "$(ev2 keep-member)" | gzip >"$d/keep-member.json.gz"
printf '{"Records":[%s]}' "$(ev2 lost-member)" | gzip | head -c 30 >>"$d/keep-member.json.gz"
printf '{"Records":[%s]}' "$(ev2 keep-crc)" | gzip >"$T/crc.gz"
python3 -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); d[-8]^=1; open(sys.argv[2],'wb').write(d)" "$T/crc.gz" "$d/keep-crc.json.gz"
# JSON Lines: a line cut short does not take the next good line with it
{ ev2 jl-1; printf '\n{"eventID":"jl-cut","eventTime":"2026"\n'; ev2 jl-2; printf '\n{"eventID":"jl-cut2","eventTime":\n'
  ev2 jl-3; printf '\n{"eventID":"jl-cut3","eventTi\n'; ev2 jl-4; printf '\n'; } >"$d/lines.jsonl"
echo "this is not json at all" >"$d/text.json"
echo '{"hello":"world"}' >"$d/notcloudtrail.json"
echo '{"Records":{"eventID":"x"}}' >"$d/records-not-array.json"
echo '{"Records":[42,"str",null]}' >"$d/record-not-object.json"
printf '{"Records":[{"eventID":"n1","eventTime":12345,"eventSource":"dynamodb.amazonaws.com"}]}' >"$d/time-number.json"
printf '{"Records":[{"eventID":"u1","eventTime":"2026-11-12T02:10:00Z","eventSource":"dynamodb.amazonaws.com","userIdentity":"root"}]}' >"$d/uid-string.json"
printf '{"Records":[{"eventID":"k1","eventName":"A","eventName":"B","eventTime":"2026-11-12T02:10:00Z","eventSource":"dynamodb.amazonaws.com"}]}' >"$d/dupkey.json"
printf '{"Records":[{"eventTime":"2026-11-12T02:10:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"GetItem"}]}' >"$d/no-eventid.json"
printf '{"Records":[{"eventID":"bad\\u0000nul","eventTime":"2026-11-12T02:10:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"Get\377\376Item","userAgent":"\\u001b[31mred"}]}' >"$d/nul-and-utf8.json"
python3 -c "import sys; sys.stdout.write('[' * 100000)" >"$d/deep.json"
python3 -c "import sys; sys.stdout.write('{\"Records\":[{\"eventID\":\"big\",\"userAgent\":\"' + 'A' * (64 << 20) + '\"}]}')" >"$d/huge-string.json"
printf '{"Records":[%s' "$ev" >"$d/cut.json"
mkdir -p "$d/unreadable"; echo '{}' >"$d/unreadable/secret.json"; chmod 000 "$d/unreadable/secret.json"
mkfifo "$d/fifo.json" && ( printf '{"Records":[{"eventID":"fifo-1","eventTime":"2026-11-12T02:10:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"GetItem"}]}' >"$d/fifo.json" & )
ln -s .. "$d/unreadable/loop"

run ingest --db "$T/h.db" "$good" "$d" "$T/does-not-exist.json"
eq "$rc" 3 "exit status"
cat "$T/err"
for f in empty truncated corrupt trailing text notcloudtrail records-not-array record-not-object \
         time-number uid-string dupkey no-eventid deep huge-string cut; do
    contains "$T/err" "^ddbtrail: .*$f[^:]*: " "error line for $f"
done
contains "$T/err" "empty.json: empty file" "empty"
contains "$T/err" "truncated.json.gz: truncated gzip stream (byte 40)" "truncated gzip"
contains "$T/err" "corrupt.json.gz: corrupt gzip data" "corrupt deflate"
contains "$T/err" "trailing.json.gz: unexpected data after the end of the gzip stream (byte" "trailing"
contains "$T/err" "text.json: invalid JSON: .*(byte [0-9]*)" "plain text"
contains "$T/err" "notcloudtrail.json: not a CloudTrail record" "not CloudTrail"
contains "$T/err" "records-not-array.json: Records is not an array (byte" "Records not array"
contains "$T/err" "time-number.json: eventTime is a number, expected a string (byte 12)" "eventTime number"
contains "$T/err" "uid-string.json: userIdentity is a string, expected an object" "userIdentity string"
contains "$T/err" "dupkey.json: duplicate key eventName" "duplicate key"
contains "$T/err" "no-eventid.json: missing eventID" "missing eventID"
contains "$T/err" "deep.json: JSON nested deeper than 10000 levels" "deep nesting"
contains "$T/err" "huge-string.json: a JSON value longer than 8 MiB" "64 MB string"
contains "$T/err" "cut.json: truncated JSON" "cut JSON"
if [ "$(id -u)" != 0 ]; then
    contains "$T/err" "secret.json: cannot open: Permission denied" "unreadable"
else
    echo "note: running as root, which reads mode-000 files; cli/unreadable checks this as nobody"
fi
contains "$T/err" "loop: directory loop" "symlink loop"
contains "$T/err" "does-not-exist.json: No such file or directory" "missing path"
lacks "$T/err" "$(printf '\033')" "no raw escape reaches the terminal"
eq "$(q "$T/h.db" "SELECT group_concat(event_id, ' ') FROM (SELECT event_id FROM events WHERE event_id LIKE 'keep-%' ORDER BY 1)")" \
   "keep-crc keep-member keep-nul keep-trailing" "events before trailing junk, NUL padding, a bad CRC or a corrupt next member are stored"
contains "$T/err" "keep-crc.json.gz: corrupt gzip data: incorrect data check" "bad trailer CRC reported"
eq "$(q "$T/h.db" "SELECT group_concat(event_id, ' ') FROM (SELECT event_id FROM events WHERE event_id LIKE 'jl-%' ORDER BY 1)")" \
   "jl-1 jl-2 jl-3 jl-4" "JSON Lines: every good line after a cut one is stored"
eq "$(grep -c 'lines.jsonl' "$T/err")" 3 "JSON Lines: one error per cut line, no spurious second one"
lacks "$T/err" "(byte [0-9]*) (byte" "an offset is named once"
eq "$(q "$T/h.db" "SELECT count(*) FROM events WHERE event_id IN ('good-1','fifo-1')")" 2 \
   "good inputs stored, FIFO read"
eq "$(q "$T/h.db" "SELECT length(CAST(event_id AS BLOB)) FROM events WHERE event_id LIKE 'bad%'")" 7 \
   "NUL byte kept inside the value"
eq "$(q "$T/h.db" "SELECT count(*) FROM files WHERE events_seen <> events_stored + events_skipped + records_rejected")" \
   0 "counts reconcile per file"
eq "$(q "$T/h.db" "SELECT count(*) FROM rejects")" \
   "$(q "$T/h.db" "SELECT sum(records_rejected) FROM files")" "one rejects row per rejected record"
eq "$(q "$T/h.db" "SELECT count(*) FROM files WHERE path LIKE '%record-not-object%' AND records_rejected=3")" 1 \
   "three bad records counted"
chmod 644 "$d/unreadable/secret.json"
done_case
