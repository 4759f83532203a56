#!/bin/sh
# The HTML report in a real browser: headless Chromium loads it, the DOM has
# the summary, one section per alert and the rules table, and a planted
# <script> payload shows as text without running (the title stays put).
. "$(dirname "$0")/../lib.sh"
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing chromium for the browser test"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 &&
              DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; }
    fi
    command -v chromium >/dev/null 2>&1 || skip "chromium not installed and cannot be installed; skipped"
fi
python3 - "$T/evil.json" <<'PY'
import json, sys
ev = {"eventTime": "2026-11-12T02:10:00Z", "eventSource": "dynamodb.amazonaws.com",
      "eventName": "GetItem", "awsRegion": "eu-west-1", "sourceIPAddress": "185.220.101.47",
      "userAgent": "<script>document.title='pwned';document.body.setAttribute('data-pwned','1')</script> kali",
      "eventID": "xss-1", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/<b>bold</b>",
      "accessKeyId": "AKIAEXAMPLE"}, "requestParameters": {"tableName": "<i onmouseover=alert(1)>t</i>"}}
json.dump({"Records": [ev]}, open(sys.argv[1], "w"))
PY
ddb scan -q --db "$T/s.db" --format html -o "$T/report.html" sample-logs/ "$T/evil.json" \
    --config sample-logs/ddbtrail.json >/dev/null 2>&1
eq "$?" 0 "scan status"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$T/profile" --dump-dom "file://$T/report.html" >"$T/dom.html" 2>"$T/chromium.err"
eq "$?" 0 "chromium status"
contains "$T/dom.html" "<title>ddbtrail report</title>" "title unchanged: no script ran"
lacks "$T/dom.html" "<body data-pwned" "payload did not touch the DOM"
lacks "$T/dom.html" "<b>bold</b>" "no injected markup"
contains "$T/dom.html" "&lt;script&gt;document.title=" "payload shown as text"
alerts=$(q "$T/s.db" "SELECT count(*) FROM alerts")
eq "$(grep -o '<section class="alert ' "$T/dom.html" | wc -l)" "$alerts" "one section per alert"
contains "$T/dom.html" "<svg class=\"timeline\"" "timeline present"
contains "$T/dom.html" "<h2>Rules</h2>" "rules table present"
eq "$(grep -c '<tr><td class="mono">DDB-' "$T/dom.html")" 17 "every rule listed"
done_case
