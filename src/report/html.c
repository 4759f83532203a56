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

void report_html_text(struct report_out *o, const char *s)
{
    if (s)
        report_out_esc(o, escape_html, s, strlen(s));
}

void report_html_col(struct report_out *o, sqlite3_stmt *st, int c)
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
    /* white badge text stays at WCAG AA (4.5:1) on each: tests/cli/html_contrast.sh */
    ".sev-medium{background:#9a5b00;border-left-color:#9a5b00}"
    ".sev-low{background:#25679f;border-left-color:#25679f}"
    ".sev-info{background:#5b6270;border-left-color:#5b6270}\n"
    ".alert.sev-critical,.alert.sev-high,.alert.sev-medium,.alert.sev-low,.alert.sev-info"
    "{background:#fff}\n"
    ".incident.sev-critical,.incident.sev-high,.incident.sev-medium,.incident.sev-low,"
    ".incident.sev-info{background:#fff}\n"
    "code,.mono{font-family:ui-monospace,monospace;font-size:.92em;word-break:break-all}\n"
    ".none{color:#6b7280}.timeline{background:#fff;border:1px solid #dde}\n"
    "footer{margin-top:3em;color:#5b6270;font-size:.85em}\n"
    ".incomplete{background:#fff4e5;border:2px solid #d9342b;padding:.6em 1em;margin:1em 0}\n"
    "</style>\n</head>\n<body>\n";

/* The whole span's timeline (chart.c). */
static int html_timeline(struct report_out *o, sqlite3 *db, const report_opts *opt)
{
    sqlite3_stmt *st;
    long long t0 = 0, t1 = 0;
    int rc;

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
    return report_chart(o, db, opt, t0, t1 + 1, 0,
                        "DynamoDB events over the whole span, with every alert as a marker");
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
        report_html_col(o, st, 0);
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
    report_out_str(o, "<h2 id=\"rules\">Rules</h2>\n<table class=\"rules\"><tr><th>rule</th>"
                      "<th>default</th>"
                      "<th>title</th><th>status</th><th>alerts</th><th>note</th></tr>\n");
    while (sqlite3_step(st) == SQLITE_ROW) {
        report_out_str(o, "<tr><td class=\"mono\">");
        report_html_col(o, st, 0);
        report_out_str(o, "</td><td>");
        report_html_col(o, st, 1);
        report_out_str(o, "</td><td>");
        report_html_col(o, st, 2);
        report_out_str(o, "</td><td>");
        report_html_col(o, st, 3);
        report_out_fmt(o, "</td><td>%lld</td><td>", (long long)sqlite3_column_int64(st, 4));
        if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            report_html_col(o, st, 5);
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
        report_html_col(o, st, 0);
        report_out_str(o, "</code> ");
        report_html_col(o, st, 1);
        if (report_col(st, 2)) {
            report_out_str(o, ": ");
            report_html_col(o, st, 2);
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
        report_html_col(o, st, 6);
        report_out_str(o, "</p>\n<p class=\"detail\">");
        report_html_col(o, st, 2);
        report_out_str(o, " .. ");
        report_html_col(o, st, 3);
        report_out_str(o, "; stages: ");
        report_html_col(o, st, 5);
        report_out_str(o, "</p>\n<ol class=\"steps\">\n");
        sqlite3_bind_int64(al, 1, sqlite3_column_int64(st, 0));
        while (sqlite3_step(al) == SQLITE_ROW) {
            report_out_str(o, "<li><span class=\"mono\">");
            report_html_col(o, al, 0);
            report_out_str(o, "</span> ");
            report_html_col(o, al, 2);
            report_out_fmt(o, " <a href=\"#alert-%lld\"><code>",
                           (long long)sqlite3_column_int64(al, 5));
            report_html_col(o, al, 1);
            report_out_str(o, "</code></a> ");
            report_html_col(o, al, 4);
            report_out_str(o, "</li>\n");
        }
        sqlite3_reset(al);
        report_out_str(o, "</ol>\n");
        {
            /* zoomed on the incident's own hours, with a margin either side */
            long long a = report_iso_ms(report_col(st, 2)) / 1000;
            long long b = report_iso_ms(report_col(st, 3)) / 1000, pad = (b - a) / 10;
            char title[96];
            if (pad < 900)
                pad = 900;
            snprintf(title, sizeof title, "Incident #%lld: DynamoDB events and its alerts",
                     (long long)sqlite3_column_int64(st, 0));
            if (a > 0 && b >= a)
                report_chart(o, db, opt, a - pad, b + pad, sqlite3_column_int64(st, 0), title);
        }
        report_out_str(o, "</section>\n");
    }
    sqlite3_finalize(al);
    sqlite3_finalize(st);
}

/* The HTML page. Long on purpose: its sections in the order a reader meets them. */
void report_write_html(struct report_out *o, sqlite3 *db, sqlite3_stmt *st,
                       const struct report_summary *s, const report_opts *opt)
{
    struct report_cards cards;
    int rc, i, cur = -1;

    report_out_str(o, html_head);
    report_out_str(o,
                   "<h1>ddbtrail report</h1>\n<p>DynamoDB activity in AWS CloudTrail logs</p>\n");
    if (s->interrupted[0]) {
        report_out_str(o, "<div class=\"incomplete\"><strong>Interrupted: the run was stopped by a "
                          "signal ");
        report_html_text(o, s->interrupted);
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
                   "(not DynamoDB-relevant%s), %lld rejected</td></tr>\n",
                   s->seen, s->stored - s->duplicate, s->duplicate, s->skipped,
                   s->read_window[0] ? ", or outside the window read" : "", s->rejected);
    if (s->read_window[0]) {
        report_out_str(o, "<tr><td>read</td><td>");
        report_html_text(o, s->read_window);
        report_out_str(o, "</td></tr>\n");
    }
    report_out_str(o, "<tr><td>time span</td><td>");
    if (s->no_events) {
        report_html_text(o, report_no_events_note);
    } else if (s->first[0]) {
        report_html_text(o, s->first);
        report_out_str(o, " .. ");
        report_html_text(o, s->last);
        report_out_fmt(o, " (%lld DynamoDB events)", s->ddb_events);
    } else {
        report_out_str(o, "no DynamoDB events");
    }
    if (s->integrity[0]) {
        report_out_str(o, "</td></tr>\n<tr><td>integrity</td><td>");
        report_html_text(o, s->integrity);
    }
    if (s->rules)
        report_out_fmt(o,
                       "</td></tr>\n<tr><td>rules</td><td>%ld: %ld ran, %ld skipped, %ld "
                       "failed (<a href=\"#rules\">the list</a>)",
                       s->rules, s->rules - s->not_run, s->not_run - s->rules_failed,
                       s->rules_failed);
    if (s->config[0]) {
        report_out_str(o, "</td></tr>\n<tr><td>config</td><td class=\"mono\">");
        report_html_text(o, s->config);
    }
    report_out_str(o, "</td></tr>\n<tr><td>ddbtrail</td><td>");
    report_html_text(o, opt->version);
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
    report_cards_open(&cards, db);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !o->failed) {
        int r = rules_severity_rank(report_col(st, A_SEV));
        const char *sev = report_sev_names[r < 0 ? 0 : r];
        if (r != cur) {
            report_out_fmt(o, "<h3 class=\"group\">%s</h3>\n", sev);
            cur = r;
        }
        report_card(o, &cards, st, sev);
    }
    report_cards_close(&cards);
    report_out_str(o, "<h2>Who and from where</h2>\n");
    html_top(o, db, opt, "principals", "principal_arn");
    html_top(o, db, opt, "source IPs", "source_ip");
    report_coverage(o, db, COVERAGE_HTML, s);
    html_rules(o, db);
    report_out_str(o, "<footer>Generated by ddbtrail ");
    report_html_text(o, opt->version);
    report_out_str(o, ". Self-contained: this file loads nothing from the network.</footer>\n"
                      "</body>\n</html>\n");
}
