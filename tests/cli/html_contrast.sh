#!/bin/sh
# The HTML report as a person sees it: the real Chromium, driven by
# puppeteer-core (npm), renders the page, and every element that shows text
# (HTML and SVG) must reach WCAG AA contrast (4.5:1) against the background
# it is drawn on, in every section and at every severity (a rule of severity
# info is added so that all five appear, with a suppressed alert and a rule
# that did not run). A full-page screenshot is kept in build/artefacts/.
# Skips where Chromium or npm is missing; under CI=true that is a failure.
. "$(dirname "$0")/../lib.sh"
need() {
    if [ "${CI:-}" = true ]; then fail "$1 (CI=true: the contrast check must run)"; done_case; fi
    skip "$1; skipped"
}
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || need "node/npm not installed"
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing chromium for the contrast test"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; }
fi
command -v chromium >/dev/null 2>&1 || need "chromium not installed"
pp="$top/build/npm-browser"
if [ ! -d "$pp/node_modules/puppeteer-core" ]; then
    echo "installing puppeteer-core 25.16.0 from npm into build/npm-browser"
    mkdir -p "$pp"
    (cd "$pp" && timeout 300 npm install --no-audit --no-fund --no-save --loglevel=error \
        puppeteer-core@25.16.0 >"$T/npm.log" 2>&1) || { cat "$T/npm.log"; need "npm install puppeteer-core failed"; }
fi
mkdir -p "$T/rules"
cp detections/* "$T/rules/"
cat >"$T/rules/ZZ-INFO.sql" <<'SQL'
-- id: ZZ-INFO
-- title: An informational note the test adds
-- severity: info
-- description: One alert at severity info, so that the page shows all five.
SELECT min(event_time) AS first_seen, max(event_time) AS last_seen, count(*) AS event_count,
       account_id, aws_region, NULL AS principal_arn, NULL AS access_key_id, NULL AS source_ip,
       NULL AS table_name, 'ListTables' AS event_names, NULL AS event_ids, 'a note' AS detail
FROM events WHERE event_name = 'ListTables' GROUP BY account_id, aws_region
SQL
cat >"$T/cfg.json" <<'JSON'
{"decoy_tables": ["customers-archive"],
 "dax_role_arns": ["arn:aws:iam::111122223333:role/DAXServiceRole"],
 "suppress": [{"rule": "DDB-INSECURE-CREATE", "reason": "staging table, ticket OPS-7"}]}
JSON
run scan --db "$T/s.db" --rules "$T/rules" --config "$T/cfg.json" --format html \
    --show-suppressed -o "$T/report.html" sample-logs/
eq "$(q "$T/s.db" "SELECT count(DISTINCT severity) FROM alerts")" 5 "all five severities on the page"
eq "$(q "$T/s.db" "SELECT count(*) > 0 FROM alerts WHERE status = 'suppressed'")" 1 "a suppressed alert"
contains "$T/report.html" "did not run" "a rule that did not run"
mkdir -p "$top/build/artefacts"
shot="$top/build/artefacts/html-report.png"
timeout 180 node tests/tools/contrast.mjs "$pp" "$(command -v chromium)" "$T/report.html" "$shot" 4.5 \
    >"$T/contrast" 2>&1
rc=$?
cat "$T/contrast" | tail -20
eq "$rc" 0 "every text element at 4.5:1 or more"
ok_if '[ -s "$shot" ]' "a screenshot kept"
echo "screenshot: $shot"
# the checker itself can fail: the same page with the badges' white text on light amber
sed 's/\.sev-medium{background:#9a5b00/.sev-medium{background:#e69a00/' "$T/report.html" >"$T/bad.html"
timeout 180 node tests/tools/contrast.mjs "$pp" "$(command -v chromium)" "$T/bad.html" "$T/bad.png" 4.5 \
    >"$T/bad" 2>&1
eq "$?" 1 "a page under the bar fails"
contains "$T/bad" "span.sev sev-medium" "and names the element"
done_case
