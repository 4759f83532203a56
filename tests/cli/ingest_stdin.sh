#!/bin/sh
# Reading a pipe gives the same events as reading the files.
. "$(dirname "$0")/../lib.sh"
run ingest -q --db "$T/files.db" sample-logs/
find sample-logs -name '*.json.gz' ! -name '*Digest*' | sort | xargs cat |
    ddb ingest -q --db "$T/pipe.db" - >"$T/out" 2>"$T/err"
eq "$?" 0 "stdin (gzip members concatenated) status"
eq "$(q "$T/pipe.db" "SELECT count(*) FROM events")" \
   "$(q "$T/files.db" "SELECT count(*) FROM events")" "same event count"
eq "$(q "$T/pipe.db" "SELECT path || ' ' || format FROM files")" "(stdin) gzip+cloudtrail" \
   "stdin files row"
a=$(q "$T/files.db" "SELECT group_concat(event_id || table_name || coalesce(source_kind,''), '')
                    FROM (SELECT * FROM events ORDER BY event_id)" | md5sum)
b=$(q "$T/pipe.db" "SELECT group_concat(event_id || table_name || coalesce(source_kind,''), '')
                   FROM (SELECT * FROM events ORDER BY event_id)" | md5sum)
eq "$b" "$a" "same rows"
# plain JSON through zcat as well
find sample-logs -name '*.json.gz' ! -name '*Digest*' | sort | head -5 | xargs zcat |
    ddb ingest -q --db "$T/zcat.db" - 2>"$T/err"
eq "$?" 0 "zcat pipe status"
done_case
