/*
 * chart: the HTML report's timelines, as inline SVG: DynamoDB events per
 * bucket as bars (each bar's tooltip gives its time and count), the alerts
 * as markers under them (tooltip: rule, severity and time), a time axis with
 * ticks on round hours or days, and a scale of events per bucket. The whole
 * span of the report gets one; each incident gets one zoomed on its own
 * hours, so that an attack hour is not one blob on a week's axis.
 */
#include "writer.h"
#include "escape.h"
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { CW = 1000, CH = 150, LEFT = 48, RIGHT = 10, TOP = 16, AXIS = 34, MAX_BUCKETS = 240 };

/* The marker colours, by severity rank (darker than the badges: drawn on white). */
static const char *const marker_fill[] = {"#5b6270", "#25679f", "#9a5b00", "#c0261d", "#8b0000"};


/* The smallest step of ladder that splits span into at most n parts. */
static long long step_for(long long span, long long n, const long long *ladder, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (span / ladder[i] <= n)
            return ladder[i];
    return ladder[len - 1] * (span / (ladder[len - 1] * n) + 1);
}

static double x_of(long long t, long long t0, long long t1)
{
    return LEFT + (double)(CW - LEFT - RIGHT) * (double)(t - t0) / (double)(t1 - t0);
}

static void fmt_time(long long t, const char *fmt, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, cap, fmt, &tm);
}

/* The bars: DynamoDB events per bucket in [t0, t1). Returns the largest
 * count, or -1 on a database error. */
static long long bars(struct report_out *o, sqlite3 *db, long long t0, long long t1,
                      long long bucket)
{
    long long nb = (t1 - t0 + bucket - 1) / bucket, maxc = 0, i;
    long long *counts = calloc((size_t)nb, sizeof *counts);
    sqlite3_stmt *st;

    if (counts == NULL ||
        sqlite3_prepare_v2(db,
                           "SELECT (event_ts - ?1) / ?2, count(*) FROM events"
                           " WHERE event_source IN ('dynamodb.amazonaws.com','dax.amazonaws.com')"
                           " AND event_ts >= ?1 AND event_ts < ?3 GROUP BY 1",
                           -1, &st, NULL) != SQLITE_OK) {
        free(counts);
        return -1;
    }
    sqlite3_bind_int64(st, 1, t0);
    sqlite3_bind_int64(st, 2, bucket);
    sqlite3_bind_int64(st, 3, t1);
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long b = sqlite3_column_int64(st, 0);
        if (b >= 0 && b < nb && (counts[b] = sqlite3_column_int64(st, 1)) > maxc)
            maxc = counts[b];
    }
    sqlite3_finalize(st);
    for (i = 0; i < nb && maxc > 0; i++) {
        double xa = x_of(t0 + i * bucket, t0, t1), xb = x_of(t0 + (i + 1) * bucket, t0, t1);
        double h = (double)counts[i] * (CH - TOP) / (double)maxc;
        char when[32];
        if (counts[i] == 0)
            continue;
        fmt_time(t0 + i * bucket, bucket >= 86400 ? "%Y-%m-%d" : "%Y-%m-%d %H:%MZ", when,
                 sizeof when);
        report_out_fmt(o,
                       "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                       "fill=\"#7a8fb3\"><title>%s: %lld event(s)</title></rect>\n",
                       xa, (double)CH - h, xb - xa > 1.5 ? xb - xa - 0.5 : xb - xa, h, when,
                       counts[i]);
    }
    free(counts);
    return maxc;
}

/* The alerts as markers under the bars: those of one incident, or all in range. */
static void markers(struct report_out *o, sqlite3 *db, const report_opts *opt, long long t0,
                    long long t1, long long incident)
{
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(db,
                           "SELECT unixepoch(first_seen), severity, rule_id, first_seen FROM alerts"
                           " WHERE (?1 IS NULL OR unixepoch(last_seen) >= ?1)"
                           " AND (?2 IS NULL OR unixepoch(first_seen) <= ?2)"
                           " AND (?3 = 0 OR incident_id = ?3) AND first_seen IS NOT NULL"
                           " ORDER BY first_seen",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    report_bind_range(st, opt);
    sqlite3_bind_int64(st, 3, incident);
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long t = sqlite3_column_int64(st, 0);
        int r = rules_severity_rank(report_col(st, 1));
        if (t < t0 || t > t1)
            continue;
        report_out_fmt(o, "<path d=\"M%.2f %d l-5 -9 h10 z\" fill=\"%s\"><title>",
                       x_of(t, t0, t1), CH + 12, marker_fill[r < 0 ? 0 : r]);
        report_html_text(o, report_col(st, 2));
        report_out_str(o, " (");
        report_html_text(o, report_col(st, 1));
        report_out_str(o, ") ");
        report_html_text(o, report_col(st, 3));
        report_out_str(o, "</title></path>\n");
    }
    sqlite3_finalize(st);
}

/* The time axis and its ticks, on round hours or days. */
static void axis(struct report_out *o, long long t0, long long t1)
{
    static const long long ladder[] = {300,   600,   900,   1800,  3600,   7200,   10800,
                                       21600, 43200, 86400, 172800, 604800};
    long long step = step_for(t1 - t0, 12, ladder, sizeof ladder / sizeof ladder[0]), t;
    const char *fmt = step >= 86400 ? "%m-%d" : t1 - t0 > 86400 ? "%m-%d %H:%M" : "%H:%M";
    char label[32];

    report_out_fmt(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#5b6270\"/>\n", LEFT,
                   CH, CW - RIGHT, CH);
    for (t = (t0 + step - 1) / step * step; t <= t1; t += step) {
        double x = x_of(t, t0, t1);
        fmt_time(t, fmt, label, sizeof label);
        report_out_fmt(o,
                       "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#5b6270\"/>"
                       "<text x=\"%.2f\" y=\"%d\" font-size=\"11\" fill=\"#1d2330\" "
                       "text-anchor=\"middle\">%s</text>\n",
                       x, CH, x, CH + 4, x, CH + AXIS - 4, label);
    }
}

/* The scale of events per bucket: 0, half and the largest count. */
static void scale(struct report_out *o, long long maxc, long long bucket)
{
    long long v[3] = {0, maxc / 2, maxc};
    int i;

    for (i = 0; i < 3; i++) {
        double y = (double)CH - (double)v[i] * (CH - TOP) / (double)(maxc ? maxc : 1);
        if (i == 1 && (v[1] == 0 || v[1] == maxc))
            continue;
        report_out_fmt(o,
                       "<text x=\"%d\" y=\"%.2f\" font-size=\"11\" fill=\"#1d2330\" "
                       "text-anchor=\"end\">%lld</text>"
                       "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#e3e6ea\"/>\n",
                       LEFT - 6, y + 4, v[i], LEFT, y, CW - RIGHT, y);
    }
    report_out_fmt(o,
                   "<text x=\"%d\" y=\"11\" font-size=\"11\" fill=\"#1d2330\">events per %lld "
                   "%s</text>\n",
                   LEFT, bucket >= 3600 ? bucket / 3600 : bucket / 60,
                   bucket >= 3600 ? "h" : "min");
}

int report_chart(struct report_out *o, sqlite3 *db, const report_opts *opt, long long t0,
                 long long t1, long long incident, const char *title)
{
    static const long long ladder[] = {60,   120,  300,   600,   900,   1800,  3600,
                                       7200, 10800, 21600, 43200, 86400, 604800};
    long long bucket, maxc;

    if (t1 <= t0)
        t1 = t0 + 60;
    bucket = step_for(t1 - t0, MAX_BUCKETS, ladder, sizeof ladder / sizeof ladder[0]);
    t0 -= t0 % bucket; /* bars start on a round time */
    report_out_fmt(o,
                   "<svg class=\"timeline\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
                   "xmlns=\"http://www.w3.org/2000/svg\">\n<title>",
                   CW, CH + AXIS);
    report_html_text(o, title);
    report_out_str(o, "</title>\n");
    maxc = bars(o, db, t0, t1, bucket);
    if (maxc < 0)
        return -1;
    scale(o, maxc, bucket);
    markers(o, db, opt, t0, t1, incident);
    axis(o, t0, t1);
    report_out_str(o, "</svg>\n");
    return 0;
}
