/*
 * coverage: coverage of the stored logs (see coverage.h). One aggregate query over
 * events; every value that came from a log is escaped for its format.
 */
#include "coverage.h"
#include "buffer.h"
#include "escape.h"

#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

static const char coverage_sql[] =
    "SELECT coalesce(recipient_account_id, account_id) AS acct, aws_region,"
    " strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch'),"
    " strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch'),"
    " sum(event_source = 'dynamodb.amazonaws.com' AND event_category = 'Management'),"
    " sum(event_source = 'dynamodb.amazonaws.com' AND event_category = 'Data'),"
    " (max(event_ts) / 3600 - min(event_ts) / 3600 + 1) - count(DISTINCT event_ts / 3600)"
    " FROM events GROUP BY acct, aws_region ORDER BY acct, aws_region";

enum { C_ACCT, C_REGION, C_FROM, C_TO, C_MGMT, C_DATA, C_SILENT };

/* The silent hours of one account and region as spans (first and last
 * silent hour), in time order: the hours between two hours with events. A
 * deleted log file, a stopped trail, or a quiet night: the reader decides,
 * but must see where. */
static const char silent_sql[] =
    "SELECT strftime('%Y-%m-%dT%H:00Z', (h + 1) * 3600, 'unixepoch'),"
    " strftime('%Y-%m-%dT%H:00Z', (nh - 1) * 3600, 'unixepoch'), nh - h - 1"
    " FROM (SELECT h, lead(h) OVER (ORDER BY h) AS nh FROM"
    "  (SELECT DISTINCT event_ts / 3600 AS h FROM events"
    "   WHERE coalesce(recipient_account_id, account_id) IS ?1 AND aws_region IS ?2))"
    " WHERE nh - h > 1 ORDER BY h LIMIT ?3";

enum { SILENT_SHOWN = 5 }; /* spans named per account and region; the count is whole */

struct sink {
    coverage_write_fn write;
    void *ctx;
    buffer b;
    int failed;
};

static void put(struct sink *k, const char *s, size_t n)
{
    if (!k->failed && k->write(k->ctx, s, n) != 0)
        k->failed = 1;
}

static void puts_lit(struct sink *k, const char *s)
{
    put(k, s, strlen(s));
}

/* A log value, escaped for the terminal or HTML. */
static void put_val(struct sink *k, sqlite3_stmt *st, int c, int html)
{
    const char *s = (const char *)sqlite3_column_text(st, c);

    if (s == NULL) {
        puts_lit(k, "-");
        return;
    }
    buffer_reset(&k->b);
    if ((html ? escape_html : escape_term)(&k->b, s, (size_t)sqlite3_column_bytes(st, c)) == 0)
        put(k, k->b.p ? k->b.p : "", k->b.len);
}

static void put_fmt(struct sink *k, const char *fmt, long long a, long long b, long long c)
{
    char buf[128];
    int n = snprintf(buf, sizeof buf, fmt, a, b, c);

    if (n > 0)
        put(k, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Binds one coverage row's account and region to the silent-hours query. */
static void bind_row(sqlite3_stmt *gaps, sqlite3_stmt *st)
{
    sqlite3_reset(gaps);
    sqlite3_bind_value(gaps, 1, sqlite3_column_value(st, C_ACCT));
    sqlite3_bind_value(gaps, 2, sqlite3_column_value(st, C_REGION));
    sqlite3_bind_int(gaps, 3, SILENT_SHOWN + 1);
}

/* Text and HTML: "silent 2026-11-12T04:00Z (1 h); ..." under the row. */
static void silent_line(struct sink *k, sqlite3_stmt *gaps, sqlite3_stmt *st, int html)
{
    int n = 0;

    if (gaps == NULL || sqlite3_column_int64(st, C_SILENT) == 0)
        return;
    bind_row(gaps, st);
    while (sqlite3_step(gaps) == SQLITE_ROW) {
        if (n == SILENT_SHOWN) {
            puts_lit(k, "; more");
            break;
        }
        if (n++ == 0)
            puts_lit(k, html ? "<tr><td></td><td colspan=\"5\">silent: " : "    silent   ");
        else
            puts_lit(k, "; ");
        put_val(k, gaps, 0, html);
        if (sqlite3_column_int64(gaps, 2) > 1) {
            puts_lit(k, " .. ");
            put_val(k, gaps, 1, html);
        }
        put_fmt(k, " (%lld h)", sqlite3_column_int64(gaps, 2), 0, 0);
    }
    if (n)
        puts_lit(k, html ? "</td></tr>\n" : "\n");
}

static void json_row(struct sink *k, yajl_gen g, sqlite3_stmt *st, sqlite3_stmt *gaps)
{
    static const char *const keys[] = {"account_id", "aws_region", "first_seen", "last_seen"};
    const unsigned char *buf;
    size_t len;
    int c;

    yajl_gen_map_open(g);
    for (c = C_ACCT; c <= C_TO; c++) {
        const char *s = (const char *)sqlite3_column_text(st, c);
        yajl_gen_string(g, (const unsigned char *)keys[c], strlen(keys[c]));
        buffer_reset(&k->b);
        if (s && escape_utf8(&k->b, s, (size_t)sqlite3_column_bytes(st, c)) == 0)
            yajl_gen_string(g, (const unsigned char *)(k->b.p ? k->b.p : ""), k->b.len);
        else
            yajl_gen_null(g);
    }
    yajl_gen_string(g, (const unsigned char *)"management_events", 17);
    yajl_gen_integer(g, sqlite3_column_int64(st, C_MGMT));
    yajl_gen_string(g, (const unsigned char *)"data_events", 11);
    yajl_gen_integer(g, sqlite3_column_int64(st, C_DATA));
    yajl_gen_string(g, (const unsigned char *)"silent_hours", 12);
    yajl_gen_integer(g, sqlite3_column_int64(st, C_SILENT));
    /* the first SILENT_SHOWN spans, as ISO 8601 intervals of whole hours */
    yajl_gen_string(g, (const unsigned char *)"silent_spans", 12);
    yajl_gen_array_open(g);
    if (gaps && sqlite3_column_int64(st, C_SILENT) > 0) {
        int n = 0;
        bind_row(gaps, st);
        while (n++ < SILENT_SHOWN && sqlite3_step(gaps) == SQLITE_ROW) {
            char span[64];
            const char *a = (const char *)sqlite3_column_text(gaps, 0);
            if (snprintf(span, sizeof span, "%.17s/PT%lldH", a ? a : "",
                         sqlite3_column_int64(gaps, 2)) > 0)
                yajl_gen_string(g, (const unsigned char *)span, strlen(span));
        }
    }
    yajl_gen_array_close(g);
    yajl_gen_string(g, (const unsigned char *)"blind_spot", 10);
    yajl_gen_bool(g, sqlite3_column_int64(st, C_MGMT) > 0 && sqlite3_column_int64(st, C_DATA) == 0);
    yajl_gen_map_close(g);
    yajl_gen_get_buf(g, &buf, &len);
    put(k, (const char *)buf, len);
    put(k, "\n", 1);
    yajl_gen_clear(g);
    yajl_gen_reset(g, NULL); /* one top-level object per line */
}

int coverage_render(sqlite3 *db, enum coverage_format f, coverage_write_fn write, void *ctx,
                    long *blind, char *err, size_t errlen)
{
    struct sink k = {write, ctx, {0}, 0};
    sqlite3_stmt *st, *gaps = NULL;
    yajl_gen g = NULL;
    long nblind = 0, rows = 0;
    int rc, html = f == COVERAGE_HTML;

    if (sqlite3_prepare_v2(db, coverage_sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "coverage: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (sqlite3_prepare_v2(db, silent_sql, -1, &gaps, NULL) != SQLITE_OK)
        gaps = NULL; /* the counts stand without the spans */
    buffer_init(&k.b, 1u << 20);
    if (f == COVERAGE_JSON && (g = yajl_gen_alloc(NULL)) == NULL) {
        sqlite3_finalize(st);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (f == COVERAGE_TEXT)
        puts_lit(&k, "\nCOVERAGE (what the logs could see, per account and region)\n");
    else if (html)
        puts_lit(&k, "<h2>Coverage</h2>\n<table class=\"top\"><tr><th>account</th><th>region"
                     "</th><th>time covered</th><th>DynamoDB management</th><th>DynamoDB data"
                     "</th><th>hours with no events</th></tr>\n");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !k.failed) {
        int is_blind =
            sqlite3_column_int64(st, C_MGMT) > 0 && sqlite3_column_int64(st, C_DATA) == 0;
        nblind += is_blind;
        rows++;
        if (f == COVERAGE_JSON) {
            json_row(&k, g, st, gaps);
            continue;
        }
        puts_lit(&k, html ? "<tr><td class=\"mono\">" : "  ");
        put_val(&k, st, C_ACCT, html);
        puts_lit(&k, html ? "</td><td>" : " ");
        put_val(&k, st, C_REGION, html);
        puts_lit(&k, html ? "</td><td>" : ": ");
        put_val(&k, st, C_FROM, html);
        puts_lit(&k, " .. ");
        put_val(&k, st, C_TO, html);
        put_fmt(&k, html ? "</td><td>%lld</td><td>%lld</td><td>%lld</td></tr>\n"
                         : "; DynamoDB %lld management, %lld data events; %lld hour(s) with no "
                           "events\n",
                sqlite3_column_int64(st, C_MGMT), sqlite3_column_int64(st, C_DATA),
                sqlite3_column_int64(st, C_SILENT));
        silent_line(&k, gaps, st, html);
        if (is_blind) {
            puts_lit(&k, html ? "<tr><td colspan=\"6\" class=\"incomplete\">" : "    WARNING  ");
            put_val(&k, st, C_REGION, html);
            puts_lit(&k, " of ");
            put_val(&k, st, C_ACCT, html);
            puts_lit(&k, " shows DynamoDB management activity (tables exist) but no data events: "
                         "reads, scans and exports by item are invisible to every rule");
            puts_lit(&k, html ? "</td></tr>\n" : "\n");
        }
    }
    if (f == COVERAGE_TEXT && rows == 0)
        puts_lit(&k, "  no events stored\n");
    if (html)
        puts_lit(&k, "</table>\n");
    /* what no trail shows, however complete: said where coverage is read, so that a clean
     * report is never taken for more than the logs can know */
    if (f != COVERAGE_JSON)
        puts_lit(&k, html ? "<p>Never in CloudTrail: item values (so whether an application "
                            "encrypts them client-side before writing), and the items a call "
                            "returned or wrote.</p>\n"
                          : "  never in CloudTrail: item values (so whether an application "
                            "encrypts them client-side before writing), and the items a call "
                            "returned or wrote\n");
    sqlite3_finalize(st);
    sqlite3_finalize(gaps);
    if (g)
        yajl_gen_free(g); /* yajl_gen_free(NULL) is not a no-op */
    buffer_free(&k.b);
    if (blind)
        *blind = nblind;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        snprintf(err, errlen, "coverage: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (k.failed) {
        snprintf(err, errlen, "cannot write the coverage");
        return -1;
    }
    return 0;
}
