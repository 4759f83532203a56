/*
 * html: one self-contained page (no script, no outside resource): what did
 * not run, the summary, one timeline per incident, a timeline of all
 * alerts, the alerts themselves and the coverage section. Every log value
 * goes through escape_html(): nothing in a log can run script in the page.
 */
#include "writer.h"
#include "escape.h"
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void html_text(struct report_out *o, const char *s)
{
    if (s)
        report_out_esc(o, escape_html, s, strlen(s));
}

static void html_col(struct report_out *o, sqlite3_stmt *st, int c)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        report_out_str(o, "<span class=\"none\">&mdash;</span>");
    else
        report_out_esc(o, escape_html, report_col(st, c), report_col_len(st, c));
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'; img-src data:\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>ddbtrail report</title>\n<style>\n"
    "body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;"
    "color:#1d2330;background:#fafbfc}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:2px solid #dde;"
    "padding-bottom:.2em}\n"
    "table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25em .6em;"
    "border-bottom:1px solid #e3e6ea;vertical-align:top}th{background:#eef0f4}\n"
    ".summary td:first-child{width:12em;color:#556}\n"
    ".alert{background:#fff;border:1px solid #dde;border-left:6px solid #999;margin:1em 0;"
    "padding:.6em 1em;border-radius:4px}\n"
    ".alert h3{margin:.1em 0 .4em;font-size:1.05em}.alert td:first-child{width:9em;color:#556}\n"
    /* an incident card takes its severity as a left border only, like an alert card: the
     * badge colours under text were unreadable (dark text and links on #8b0000) */
    ".incident{background:#fff;border:1px solid #dde;border-left:6px solid #999;margin:1em 0;"
    "padding:.6em 1em;border-radius:4px}\n"
    ".sev{display:inline-block;padding:0 .5em;border-radius:3px;color:#fff;font-size:.8em;"
    "text-transform:uppercase;margin-right:.5em}\n"
    ".sev-critical{background:#8b0000;border-left-color:#8b0000}"
    ".sev-high{background:#d9342b;border-left-color:#d9342b}"
    ".sev-medium{background:#e69a00;border-left-color:#e69a00}"
    ".sev-low{background:#2f7bbf;border-left-color:#2f7bbf}"
    ".sev-info{background:#6b7280;border-left-color:#6b7280}\n"
    ".alert.sev-critical,.alert.sev-high,.alert.sev-medium,.alert.sev-low,.alert.sev-info"
    "{background:#fff}\n"
    ".incident.sev-critical,.incident.sev-high,.incident.sev-medium,.incident.sev-low,"
    ".incident.sev-info{background:#fff}\n"
    "code,.mono{font-family:ui-monospace,monospace;font-size:.92em;word-break:break-all}\n"
    ".none{color:#99a}.timeline{background:#fff;border:1px solid #dde}\n"
    "footer{margin-top:3em;color:#778;font-size:.85em}\n"
    ".incomplete{background:#fff4e5;border:2px solid #d9342b;padding:.6em 1em;margin:1em 0}\n"
    "</style>\n</head>\n<body>\n";

/* Events per bucket plus alert markers, as an inline SVG bar chart. Long: the
 * buckets' query, the bars, the axis and the markers share the chart's geometry. */
static int html_timeline(struct report_out *o, sqlite3 *db, const report_opts *opt)
{
    sqlite3_stmt *st;
    long long t0 = 0, t1 = 0, bucket = 3600, nb, i, maxc = 1;
    long long *counts;
    int rc;
    const int W = 1000, H = 160, PAD = 30;

    if (sqlite3_prepare_v2(db,
                           "SELECT min(event_ts), max(event_ts) FROM events"
                           " WHERE event_source IN ('dynamodb.amazonaws.com','dax.amazonaws.com')"
                           " AND (?1 IS NULL OR event_ts >= ?1)"
                           " AND (?2 IS NULL OR event_ts <= ?2)",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    report_bind_range(st, opt);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        t0 = sqlite3_column_int64(st, 0);
        t1 = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (t1 <= t0) {
        report_out_str(o, "<p class=\"none\">No DynamoDB events in range.</p>\n");
        return 0;
    }
    t0 -= t0 % 3600;
    while ((t1 - t0) / bucket > 400)
        bucket *= 2;
    nb = (t1 - t0) / bucket + 1;
    counts = calloc((size_t)nb, sizeof *counts);
    if (counts == NULL)
        return -1;
    if (sqlite3_prepare_v2(db,
                           "SELECT (event_ts - ?1) / ?2, count(*) FROM events"
                           " WHERE event_source IN ('dynamodb.amazonaws.com','dax.amazonaws.com')"
                           " AND event_ts BETWEEN ?1 AND ?3 GROUP BY 1",
                           -1, &st, NULL) != SQLITE_OK) {
        free(counts);
        return -1;
    }
    sqlite3_bind_int64(st, 1, t0);
    sqlite3_bind_int64(st, 2, bucket);
    sqlite3_bind_int64(st, 3, t1);
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long b = sqlite3_column_int64(st, 0);
        if (b >= 0 && b < nb) {
            counts[b] = sqlite3_column_int64(st, 1);
            if (counts[b] > maxc)
                maxc = counts[b];
        }
    }
    sqlite3_finalize(st);
    report_out_fmt(o,
                   "<svg class=\"timeline\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
                   "xmlns=\"http://www.w3.org/2000/svg\">\n<title>DynamoDB events per %lld h",
                   W, H + PAD, bucket / 3600);
    report_out_str(o, " with alert markers</title>\n");
    for (i = 0; i < nb; i++) {
        double bw = (double)(W - 20) / (double)nb;
        double h = (double)counts[i] * (H - 30) / (double)maxc;
        if (counts[i])
            report_out_fmt(o,
                           "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                           "fill=\"#7a8fb3\">"
                           "<title>%lld events</title></rect>\n",
                           10 + bw * (double)i, (double)H - h, bw > 1.5 ? bw - 0.5 : bw, h,
                           counts[i]);
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT first_seen, severity, rule_id FROM alerts"
                           " WHERE (?1 IS NULL OR unixepoch(last_seen) >= ?1)"
                           " AND (?2 IS NULL OR unixepoch(first_seen) <= ?2)",
                           -1, &st, NULL) == SQLITE_OK) {
        report_bind_range(st, opt);
        while (sqlite3_step(st) == SQLITE_ROW) {
            long long ms = report_iso_ms(report_col(st, 0));
            int r = rules_severity_rank(report_col(st, 1));
            static const char *const fills[] = {"#6b7280", "#2f7bbf", "#e69a00", "#d9342b",
                                                "#8b0000"};
            double x;
            if (ms == 0)
                continue;
            x = 10 + (double)(W - 20) * (double)(ms / 1000 - t0) / (double)(nb * bucket);
            report_out_fmt(o, "<path d=\"M%.2f %d l-5 -9 h10 z\" fill=\"%s\"><title>", x, H + 12,
                           fills[r < 0 ? 0 : r]);
            html_text(o, report_col(st, 2));
            report_out_str(o, " ");
            html_text(o, report_col(st, 0));
            report_out_str(o, "</title></path>\n");
        }
        sqlite3_finalize(st);
    }
    report_out_fmt(o, "<line x1=\"10\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#99a\"/>\n", H,
                   W - 10, H);
    {
        char a[32], b[32];
        time_t ta = (time_t)t0, tb = (time_t)t1;
        struct tm tma, tmb;
        gmtime_r(&ta, &tma);
        gmtime_r(&tb, &tmb);
        strftime(a, sizeof a, "%Y-%m-%d %H:00Z", &tma);
        strftime(b, sizeof b, "%Y-%m-%d %H:%MZ", &tmb);
        report_out_fmt(o, "<text x=\"10\" y=\"%d\" font-size=\"11\">%s</text>\n", H + PAD - 2, a);
        report_out_fmt(o,
                       "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
                       W - 10, H + PAD - 2, b);
        report_out_fmt(o,
                       "<text x=\"%d\" y=\"12\" font-size=\"11\" text-anchor=\"end\">max %lld / "
                       "bucket</text>\n",
                       W - 10, maxc);
    }
    report_out_str(o, "</svg>\n");
    free(counts);
    return 0;
}

static void html_top(struct report_out *o, sqlite3 *db, const report_opts *opt, const char *what,
                     const char *column)
{
    sqlite3_stmt *st;
    char sql[512];

    snprintf(sql, sizeof sql,
             "SELECT %s, count(*), sum(source_kind = 'public'), count(DISTINCT table_name)"
             " FROM events WHERE event_source IN ('dynamodb.amazonaws.com','dax.amazonaws.com')"
             " AND %s IS NOT NULL AND (?1 IS NULL OR event_ts >= ?1)"
             " AND (?2 IS NULL OR event_ts <= ?2)"
             " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
             column, column);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return;
    report_bind_range(st, opt);
    report_out_fmt(o,
                   "<h3>Top %s</h3>\n<table class=\"top\"><tr><th>%s</th><th>events</th>"
                   "<th>from public IPs</th><th>tables</th></tr>\n",
                   what, what);
    while (sqlite3_step(st) == SQLITE_ROW) {
        report_out_str(o, "<tr><td class=\"mono\">");
        html_col(o, st, 0);
        report_out_fmt(o, "</td><td>%lld</td><td>%lld</td><td>%lld</td></tr>\n",
                       (long long)sqlite3_column_int64(st, 1),
                       (long long)sqlite3_column_int64(st, 2),
                       (long long)sqlite3_column_int64(st, 3));
    }
    report_out_str(o, "</table>\n");
    sqlite3_finalize(st);
}

static void html_rules(struct report_out *o, sqlite3 *db)
{
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(db,
                           "SELECT rule_id, severity, title, status, alerts, message FROM rule_runs"
                           " ORDER BY rule_id", -1, &st, NULL) != SQLITE_OK)
        return;
    report_out_str(o, "<h2>Rules</h2>\n<table class=\"rules\"><tr><th>rule</th><th>default</th>"
                      "<th>title</th><th>status</th><th>alerts</th><th>note</th></tr>\n");
    while (sqlite3_step(st) == SQLITE_ROW) {
        report_out_str(o, "<tr><td class=\"mono\">");
        html_col(o, st, 0);
        report_out_str(o, "</td><td>");
        html_col(o, st, 1);
        report_out_str(o, "</td><td>");
        html_col(o, st, 2);
        report_out_str(o, "</td><td>");
        html_col(o, st, 3);
        report_out_fmt(o, "</td><td>%lld</td><td>", (long long)sqlite3_column_int64(st, 4));
        if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            html_col(o, st, 5);
        report_out_str(o, "</td></tr>\n");
    }
    report_out_str(o, "</table>\n");
    sqlite3_finalize(st);
}

static void html_rule_problems(struct report_out *o, sqlite3 *db, const struct report_summary *s)
{
    sqlite3_stmt *st;

    if ((s->not_run == 0 && s->warned == 0) || report_rule_problems(db, &st) != SQLITE_OK)
        return;
    if (s->not_run)
        report_out_fmt(o,
                       "<div class=\"incomplete\"><strong>Incomplete: %ld rule(s) did not run; "
                       "their detections are missing below.</strong>\n<ul>\n",
                       s->not_run);
    else
        report_out_fmt(o,
                       "<div class=\"incomplete\"><strong>%ld rule(s) ran with a warning."
                       "</strong>\n<ul>\n",
                       s->warned);
    while (sqlite3_step(st) == SQLITE_ROW) {
        report_out_str(o, "<li><code>");
        html_col(o, st, 0);
        report_out_str(o, "</code> ");
        html_col(o, st, 1);
        if (report_col(st, 2)) {
            report_out_str(o, ": ");
            html_col(o, st, 2);
        }
        report_out_str(o, "</li>\n");
    }
    report_out_str(o, "</ul></div>\n");
    sqlite3_finalize(st);
}

/* One section per incident: its story, then its alerts as a timeline in
 * stage order. */
static void html_incidents(struct report_out *o, sqlite3 *db, const report_opts *opt)
{
    sqlite3_stmt *st, *al = NULL;
    int n = 0;

    if (report_prepare_incidents(db, opt, &st) != SQLITE_OK)
        return;
    if (sqlite3_prepare_v2(db,
                           "SELECT first_seen, rule_id, stage, title, detail, alert_id FROM alerts"
                           " WHERE incident_id = ?1 AND status = 'open'"
                           " ORDER BY CASE stage WHEN 'discovery' THEN 0 WHEN 'credential-use'"
                           " THEN 1 WHEN 'collection' THEN 2 WHEN 'impact' THEN 3"
                           " WHEN 'evasion' THEN 4 ELSE 1 END, first_seen, alert_id",
                           -1, &al, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW && !o->failed) {
        const char *sev = report_col(st, 1) ? report_col(st, 1) : "info";
        if (n++ == 0)
            report_out_str(o, "<h2>Incidents</h2>\n");
        report_out_fmt(
            o,
            "<section class=\"incident sev-%s\" id=\"incident-%lld\">\n<h3>"
            "<span class=\"sev sev-%s\">%s</span>Incident #%lld</h3>\n<p>",
            rules_severity_rank(sev) >= 0 ? sev : "info", (long long)sqlite3_column_int64(st, 0),
            rules_severity_rank(sev) >= 0 ? sev : "info",
            rules_severity_rank(sev) >= 0 ? sev : "info", (long long)sqlite3_column_int64(st, 0));
        html_col(o, st, 6);
        report_out_str(o, "</p>\n<p class=\"detail\">");
        html_col(o, st, 2);
        report_out_str(o, " .. ");
        html_col(o, st, 3);
        report_out_str(o, "; stages: ");
        html_col(o, st, 5);
        report_out_str(o, "</p>\n<ol class=\"steps\">\n");
        sqlite3_bind_int64(al, 1, sqlite3_column_int64(st, 0));
        while (sqlite3_step(al) == SQLITE_ROW) {
            report_out_str(o, "<li><span class=\"mono\">");
            html_col(o, al, 0);
            report_out_str(o, "</span> ");
            html_col(o, al, 2);
            report_out_fmt(o, " <a href=\"#alert-%lld\"><code>",
                           (long long)sqlite3_column_int64(al, 5));
            html_col(o, al, 1);
            report_out_str(o, "</code></a> ");
            html_col(o, al, 4);
            report_out_str(o, "</li>\n");
        }
        sqlite3_reset(al);
        report_out_str(o, "</ol>\n</section>\n");
    }
    sqlite3_finalize(al);
    sqlite3_finalize(st);
}

static void html_row(struct report_out *o, const char *label, sqlite3_stmt *st, int c, int mono)
{
    report_out_fmt(o, "<tr><td>%s</td><td%s>", label, mono ? " class=\"mono\"" : "");
    html_col(o, st, c);
    report_out_str(o, "</td></tr>\n");
}

/* The HTML page. Long on purpose: its sections in the order a reader meets them. */
void report_write_html(struct report_out *o, sqlite3 *db, sqlite3_stmt *st,
                       const struct report_summary *s, const report_opts *opt)
{
    int rc, i, cur = -1;

    report_out_str(o, html_head);
    report_out_str(o,
                   "<h1>ddbtrail report</h1>\n<p>DynamoDB activity in AWS CloudTrail logs</p>\n");
    if (s->interrupted[0]) {
        report_out_str(o, "<div class=\"incomplete\"><strong>Interrupted: the run was stopped by a "
                          "signal ");
        html_text(o, s->interrupted);
        report_out_str(o, ".</strong></div>\n");
    }
    if (s->nothing_read)
        report_out_fmt(o, "<div class=\"incomplete\"><strong>Nothing read: no event was read "
                          "from %lld input file(s); this report checks nothing.</strong></div>\n",
                       s->files);
    html_rule_problems(o, db, s);
    report_out_str(o, "<h2>Summary</h2>\n<table class=\"summary\">\n");
    report_out_fmt(o, "<tr><td>inputs</td><td>%lld file(s)%s</td></tr>\n", s->files,
                   s->failed ? ", some with errors" : "");
    report_out_fmt(o,
                   "<tr><td>events</td><td>%lld seen: %lld new, %lld already stored, %lld skipped "
                   "(not DynamoDB-relevant), %lld rejected</td></tr>\n",
                   s->seen, s->stored - s->duplicate, s->duplicate, s->skipped, s->rejected);
    report_out_str(o, "<tr><td>time span</td><td>");
    if (s->no_events) {
        html_text(o, report_no_events_note);
    } else if (s->first[0]) {
        html_text(o, s->first);
        report_out_str(o, " .. ");
        html_text(o, s->last);
        report_out_fmt(o, " (%lld DynamoDB events)", s->ddb_events);
    } else {
        report_out_str(o, "no DynamoDB events");
    }
    if (s->integrity[0]) {
        report_out_str(o, "</td></tr>\n<tr><td>integrity</td><td>");
        html_text(o, s->integrity);
    }
    report_out_fmt(o, "</td></tr>\n<tr><td>alerts</td><td>%ld", s->alerts);
    for (i = 4; i >= 0; i--)
        if (report_shows(opt, i))
            report_out_fmt(o, " &nbsp;<span class=\"sev sev-%s\">%ld %s</span>",
                           report_sev_names[i], s->counts.by_rank[i], report_sev_names[i]);
    report_out_fmt(o, "; %ld incident(s)", s->incidents);
    if (s->suppressed)
        report_out_fmt(o, "; %ld suppressed%s", s->suppressed,
                       opt->show_suppressed ? " (shown)" : "");
    if (s->outside)
        report_out_fmt(o, "; %ld more outside the filter", s->outside);
    report_out_str(o, "</td></tr>\n</table>\n");
    html_incidents(o, db, opt);
    report_out_str(o, "<h2>Timeline</h2>\n");
    html_timeline(o, db, opt);
    report_out_str(o, "<h2>Alerts</h2>\n");
    if (s->alerts == 0 && s->nothing_read)
        report_out_str(o, "<p>No alerts, because no event was read (see the top).</p>\n");
    else if (s->alerts == 0 && s->not_run)
        report_out_fmt(o,
                       "<p>No alerts from the rules that ran; %ld rule(s) did not run (see the "
                       "top).</p>\n",
                       s->not_run);
    else if (s->alerts == 0)
        report_out_str(o, "<p>No alerts.</p>\n");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !o->failed) {
        int r = rules_severity_rank(report_col(st, A_SEV));
        const char *sev = report_sev_names[r < 0 ? 0 : r];
        char id[REPORT_ALERT_ID_LEN + 1];
        if (r != cur) {
            report_out_fmt(o, "<h3 class=\"group\">%s</h3>\n", sev);
            cur = r;
        }
        report_out_fmt(o,
                       "<section class=\"alert sev-%s\" id=\"alert-%lld\">\n<h3><span class=\"sev "
                       "sev-%s\">%s</span><code>",
                       sev, (long long)sqlite3_column_int64(st, A_ID), sev, sev);
        html_col(o, st, A_RULE);
        report_out_str(o, "</code> ");
        html_col(o, st, A_TITLE);
        report_out_str(o, "</h3>\n<p class=\"detail\">");
        html_col(o, st, A_DETAIL);
        report_out_str(o, "</p>\n<table>\n");
        report_alert_id_col(st, id);
        report_out_fmt(o, "<tr><td>alert id</td><td class=\"mono\">%s</td></tr>\n", id);
        html_row(o, "principal", st, A_PRINCIPAL, 1);
        html_row(o, "access key", st, A_KEY, 1);
        html_row(o, "source IP", st, A_IP, 1);
        html_row(o, "account", st, A_ACCOUNT, 1);
        html_row(o, "region", st, A_REGION, 0);
        if (sqlite3_column_type(st, A_TABLE) == SQLITE_NULL &&
            sqlite3_column_type(st, A_TABLES) != SQLITE_NULL)
            html_row(o, "tables", st, A_TABLES, 1);
        else
            html_row(o, "table", st, A_TABLE, 1);
        report_out_fmt(o, "<tr><td>events</td><td>%lld, ",
                       (long long)sqlite3_column_int64(st, A_COUNT));
        html_col(o, st, A_FIRST);
        report_out_str(o, " .. ");
        html_col(o, st, A_LAST);
        report_out_str(o, "</td></tr>\n");
        html_row(o, "API calls", st, A_NAMES, 0);
        html_row(o, "event ids", st, A_IDS, 1);
        html_row(o, "ATT&amp;CK", st, A_MITRE, 0);
        html_row(o, "incident", st, A_INCIDENT, 0);
        html_row(o, "novelty", st, A_NOVELTY, 0);
        if (report_col(st, A_STATUS) && strcmp(report_col(st, A_STATUS), "open") != 0)
            html_row(o, "suppressed", st, A_REASON, 0);
        report_out_str(o, "</table>\n</section>\n");
    }
    report_out_str(o, "<h2>Who and from where</h2>\n");
    html_top(o, db, opt, "principals", "principal_arn");
    html_top(o, db, opt, "source IPs", "source_ip");
    report_coverage(o, db, COVERAGE_HTML, s);
    html_rules(o, db);
    report_out_str(o, "<footer>Generated by ddbtrail ");
    html_text(o, opt->version);
    report_out_str(o, ". Self-contained: this file loads nothing from the network.</footer>\n"
                      "</body>\n</html>\n");
}
