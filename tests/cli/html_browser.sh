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
dom() {
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$T/profile" --dump-dom "file://$1" >"$2" 2>"$T/chromium.err"
}
# The page's CSP forbids scripts, which would hide an escaping bug; so the page is also
# loaded with the CSP taken out: the escaping alone must keep the payload inert.
python3 - "$T/report.html" "$T/nocsp.html" <<'PY' || fail "CSP meta tag not found to take out"
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
out, n = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
assert n == 1
open(sys.argv[2], "w", encoding="utf-8").write(out)
PY
for page in report nocsp; do
    dom "$T/$page.html" "$T/dom.html"
    eq "$?" 0 "$page: chromium status"
    contains "$T/dom.html" "<title>ddbtrail report</title>" "$page: title unchanged: no script ran"
    lacks "$T/dom.html" "<body data-pwned" "$page: payload did not touch the DOM"
    lacks "$T/dom.html" "<b>bold</b>" "$page: no injected markup"
    lacks "$T/dom.html" "<i onmouseover" "$page: no injected attribute"
    contains "$T/dom.html" "&lt;script&gt;document.title=" "$page: payload shown as text"
done
# the check itself must be able to fail: a page with the payload unescaped and no CSP runs it
sed 's|&lt;script&gt;document.title=&#39;pwned&#39;;document.body.setAttribute(&#39;data-pwned&#39;,&#39;1&#39;)&lt;/script&gt;|<script>document.title="pwned"</script>|' \
    "$T/nocsp.html" >"$T/broken.html"
dom "$T/broken.html" "$T/broken-dom.html"
lacks "$T/broken-dom.html" "<title>ddbtrail report</title>" "a broken page is caught (the planted script ran)"
dom "$T/report.html" "$T/dom.html"
alerts=$(q "$T/s.db" "SELECT count(*) FROM alerts")
eq "$(grep -o '<section class="alert ' "$T/dom.html" | wc -l)" "$alerts" "one section per alert"
contains "$T/dom.html" "<svg class=\"timeline\"" "timeline present"
contains "$T/dom.html" "<h2 id=\"rules\">Rules</h2>" "rules table present"
eq "$(grep -c '<tr><td class="mono">DDB-' "$T/dom.html")" "$(ls detections/*.sql | wc -l)" "every rule listed"
done_case
