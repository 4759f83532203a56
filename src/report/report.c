/*
 * report: alert rendering (see report.h).
 *
 * One query yields the alerts in report order (severity, then time); the
 * writer of the chosen format (writer.h: text.c, jsonl.c, csv.c, html.c,
 * ocsf.c) walks it once. What every format shares is here: the queries, the
 * summary, the buffered output handed to the caller's write function in
 * chunks, and the names of severities and JSON fields.
 */
#include "writer.h"
#include "escape.h"
#include "hash.h"
#include "normalize.h"
#include "rules.h"
#include "store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_FLUSH (64 * 1024)
#define OUT_CAP (64u << 20) /* a single alert never needs this much */

/* The severity rank of an alerts row, in SQL. */
#define SEV_RANK_SQL                                                                      \
    "(CASE severity WHEN 'info' THEN 0 WHEN 'low' THEN 1 WHEN 'medium' THEN 2"             \
    " WHEN 'high' THEN 3 WHEN 'critical' THEN 4 ELSE 0 END)"

static const char alert_sql[] =
    "SELECT rule_id, severity, title, first_seen, last_seen, event_count, account_id,"
    " aws_region, principal_arn, access_key_id, source_ip, table_name, event_names, event_ids,"
    " detail, mitre, incident_id, novelty, status, status_reason, fingerprint, alert_id, %s"
    " FROM alerts"
    " WHERE (?1 IS NULL OR unixepoch(last_seen) >= ?1)"
    "   AND (?2 IS NULL OR unixepoch(first_seen) <= ?2)"
    "   AND (?4 OR status = 'open')"
    "   AND (?3 >> " SEV_RANK_SQL ") & 1";

/* With report_opts.only_unseen: leave out what temp.followed says was shown at
 * this severity or higher. */
static const char unseen_sql[] =
    " AND NOT EXISTS (SELECT 1 FROM temp.followed f WHERE f.fingerprint = alerts.fingerprint"
    "                 AND f.rank >= " SEV_RANK_SQL ")";

static const char order_sql[] =
    " ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2"
    "          WHEN 'low' THEN 3 ELSE 4 END, first_seen, rule_id, alert_id";

/* The JSON, CSV and OCSF field names: part of the contract, keep exact. */
const char *const report_json_keys[] = {
    "rule_id", "severity", "title", "first_seen", "last_seen", "event_count", "account_id",
    "aws_region", "principal_arn", "access_key_id", "source_ip", "table_name", "event_names",
    "event_ids", "detail", "mitre", "incident_id", "novelty", "status"};

const char *const report_sev_names[] = {"info", "low", "medium", "high", "critical"};

void report_out_open(struct report_out *o, report_write_fn write, void *ctx)
{
    memset(o, 0, sizeof *o);
    buffer_init(&o->b, OUT_CAP);
    buffer_init(&o->tmp, OUT_CAP);
    o->write = write;
    o->ctx = ctx;
}

int report_out_close(struct report_out *o)
{
    int failed;

    report_out_flush(o);
    failed = o->failed;
    buffer_free(&o->b);
    buffer_free(&o->tmp);
    return failed ? -1 : 0;
}

void report_out_flush(struct report_out *o)
{
    if (o->b.len && !o->failed && o->write(o->ctx, o->b.p, o->b.len) != 0)
        o->failed = 1;
    buffer_reset(&o->b);
}

void report_out_raw(struct report_out *o, const char *s, size_t n)
{
    if (buffer_add(&o->b, s, n) != 0)
        o->failed = 1;
    if (o->b.len >= OUT_FLUSH)
        report_out_flush(o);
}

void report_out_str(struct report_out *o, const char *s)
{
    report_out_raw(o, s, strlen(s));
}

void report_out_fmt(struct report_out *o, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        report_out_raw(o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Writes a log value through an escaper. */
void report_out_esc(struct report_out *o, int (*escape)(buffer *, const char *, size_t),
                    const char *s, size_t n)
{
    buffer_reset(&o->tmp);
    if (escape(&o->tmp, s, n) != 0)
        o->failed = 1;
    else if (o->tmp.len)
        report_out_raw(o, o->tmp.p, o->tmp.len);
}

const char *report_col(sqlite3_stmt *st, int c)
{
    return (const char *)sqlite3_column_text(st, c);
}

size_t report_col_len(sqlite3_stmt *st, int c)
{
    return (size_t)sqlite3_column_bytes(st, c);
}

void report_alert_id(const char *fingerprint, size_t n, char out[REPORT_ALERT_ID_LEN + 1])
{
    char hex[65];

    if (fingerprint == NULL || hash_sha256_hex(fingerprint, n, hex) != 0) {
        out[0] = '\0';
        return;
    }
    memcpy(out, hex, REPORT_ALERT_ID_LEN);
    out[REPORT_ALERT_ID_LEN] = '\0';
}

void report_csv_header(struct report_out *o, const char *const *keys, int n)
{
    int c;

    for (c = 0; c < n; c++)
        report_out_fmt(o, "%s%s", c ? "," : "", keys[c]);
    report_out_str(o, "\r\n");
}

void report_csv_row(struct report_out *o, sqlite3_stmt *st, int n)
{
    int c;

    for (c = 0; c < n; c++) {
        if (c)
            report_out_str(o, ",");
        if (sqlite3_column_type(st, c) != SQLITE_NULL)
            report_out_esc(o, escape_csv, report_col(st, c), report_col_len(st, c));
    }
}

int report_listing_end(struct report_out *o, sqlite3 *db, sqlite3_stmt *st, yajl_gen g,
                       int step_rc, const char *what, char *err, size_t errlen)
{
    int rc = 0;

    if (!o->failed && step_rc != SQLITE_DONE) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        rc = -1;
    }
    if (g)
        yajl_gen_free(g);
    sqlite3_finalize(st);
    if (report_out_close(o) != 0 && rc == 0) {
        snprintf(err, errlen, "cannot write the %s", what);
        rc = -1;
    }
    return rc;
}

void report_each_table(sqlite3_stmt *st, void (*fn)(void *, const char *, size_t), void *arg)
{
    int c = sqlite3_column_type(st, A_TABLES) != SQLITE_NULL ? A_TABLES : A_TABLE;

    report_each_item(report_col(st, c), report_col_len(st, c), fn, arg);
}

void report_alert_id_col(sqlite3_stmt *st, char out[REPORT_ALERT_ID_LEN + 1])
{
    report_alert_id(report_col(st, A_FINGERPRINT), report_col_len(st, A_FINGERPRINT), out);
}

int report_parse_format(const char *s, enum report_format *out)
{
    static const char *const names[] = {"text", "json", "csv", "html", "ocsf"};
    int i;

    for (i = 0; i < 5; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum report_format)i;
            return 0;
        }
    }
    return -1;
}

/* Binds the report's time range to ?1 (since) and ?2 (until), Unix seconds or
 * NULL: events compare on event_ts, alerts on their times parsed, never as text
 * ("...:00Z" and "...:00.5+00:00" do not sort as the times they are). */
void report_bind_range(sqlite3_stmt *st, const report_opts *o)
{
    if (o->has_since)
        sqlite3_bind_int64(st, 1, o->since);
    if (o->has_until)
        sqlite3_bind_int64(st, 2, o->until);
}

int report_shows(const report_opts *o, int r)
{
    return r >= o->min_rank && (o->severities == 0 || (o->severities >> r & 1u));
}

static unsigned shown_mask(const report_opts *o)
{
    unsigned m = 0;
    int r;

    for (r = 0; r < 5; r++)
        if (report_shows(o, r))
            m |= 1u << r;
    return m;
}

/* The alerts in the report's range of the severities in mask (bit 1 << rank);
 * suppressed ones too when with_suppressed. */
static int prepare_alerts(sqlite3 *db, const report_opts *o, unsigned mask, int with_suppressed,
                          sqlite3_stmt **st, char *err, size_t errlen)
{
    char sql[sizeof alert_sql + sizeof unseen_sql + sizeof order_sql + 16];
    char head[sizeof alert_sql + 16];
    sqlite3_stmt *has;
    int tables;

    /* a store of schema 6 or earlier, read as it is (read-only), has no alerts.tables */
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('alerts') WHERE name = 'tables'",
                           -1, &has, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        return -1;
    }
    tables = sqlite3_step(has) == SQLITE_ROW;
    sqlite3_finalize(has);
    snprintf(head, sizeof head, alert_sql, tables ? "tables" : "NULL");
    snprintf(sql, sizeof sql, "%s%s%s", head, o->only_unseen ? unseen_sql : "", order_sql);
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        return -1;
    }
    report_bind_range(*st, o);
    sqlite3_bind_int(*st, 3, (int)mask);
    sqlite3_bind_int(*st, 4, with_suppressed);
    return 0;
}

static int report_count(sqlite3 *db, const report_opts *o, report_counts *out, char *err,
                        size_t errlen)
{
    sqlite3_stmt *st;
    int rc;

    memset(out, 0, sizeof *out);
    if (prepare_alerts(db, o, 0x1f, 0, &st, err, errlen) != 0) /* suppressed never count */
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int r = rules_severity_rank(report_col(st, A_SEV));
        out->by_rank[r < 0 ? 0 : r]++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

/* Calls fn for each item of a comma-separated list. */
void report_each_item(const char *s, size_t n, void (*fn)(void *, const char *, size_t), void *arg)
{
    size_t i = 0, start = 0;

    if (s == NULL)
        return;
    for (i = 0; i <= n; i++) {
        if (i == n || s[i] == ',') {
            size_t a = start, b = i;
            while (a < b && s[a] == ' ')
                a++;
            if (b > a)
                fn(arg, s + a, b - a);
            start = i + 1;
        }
    }
}

const char report_no_events_note[] =
    "events stayed in the shard stores (merged without --events): time span and "
    "coverage are in each shard's report, and each shard's alerts judge only its own "
    "accounts' events (an actor split between shards was not judged whole)";

static const char meta_sql[] = "SELECT value FROM meta WHERE key = ?1";

/* The summary: one query per line of it, in the order the report prints them. */
static int load_summary(sqlite3 *db, const report_opts *o, struct report_summary *s, char *err,
                        size_t errlen)
{
    sqlite3_stmt *st;
    int i;

    memset(s, 0, sizeof *s);
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*), sum(status NOT IN ('complete', 'windowed')),"
                           " sum(events_seen),"
                           " sum(events_stored), sum(events_skipped), sum(records_rejected),"
                           " sum(events_duplicate) FROM files",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->files = sqlite3_column_int64(st, 0);
        s->failed = sqlite3_column_int64(st, 1);
        s->seen = sqlite3_column_int64(st, 2);
        s->stored = sqlite3_column_int64(st, 3);
        s->skipped = sqlite3_column_int64(st, 4);
        s->rejected = sqlite3_column_int64(st, 5);
        s->duplicate = sqlite3_column_int64(st, 6);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db,
                           "SELECT min(event_time), max(event_time), count(*) FROM events"
                           " WHERE event_source IN ('dynamodb.amazonaws.com','dax.amazonaws.com')"
                           " AND (?1 IS NULL OR event_ts >= ?1)"
                           " AND (?2 IS NULL OR event_ts <= ?2)",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    report_bind_range(st, o);
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) == SQLITE_TEXT) {
            snprintf(s->first, sizeof s->first, "%s", report_col(st, 0));
            snprintf(s->last, sizeof s->last, "%s", report_col(st, 1));
        }
        s->ddb_events = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db,
                           "SELECT sum(status = 'suppressed'),"
                           " count(DISTINCT CASE WHEN status = 'open' THEN incident_id END)"
                           " FROM alerts WHERE (?1 IS NULL OR unixepoch(last_seen) >= ?1)"
                           " AND (?2 IS NULL OR unixepoch(first_seen) <= ?2)",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    report_bind_range(st, o);
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->suppressed = sqlite3_column_int64(st, 0);
        s->incidents = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM alerts WHERE status = 'open'", -1, &st,
                           NULL) != SQLITE_OK)
        goto dberr;
    if (sqlite3_step(st) == SQLITE_ROW)
        s->open_total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db,
                           "SELECT sum(status <> 'ran'),"
                           " sum(status = 'ran' AND message IS NOT NULL), count(*),"
                           " sum(status = 'failed') FROM rule_runs",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->not_run = sqlite3_column_int64(st, 0);
        s->warned = sqlite3_column_int64(st, 1);
        s->rules = sqlite3_column_int64(st, 2);
        s->rules_failed = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM meta WHERE key = 'events_merged' AND value = 'no'",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    s->no_events = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    /* what the last runs left in meta for the top of the report ("" when none) */
    if (store_first_text(db, meta_sql, "interrupted", s->interrupted, sizeof s->interrupted) < 0 ||
        store_first_text(db, meta_sql, "integrity", s->integrity, sizeof s->integrity) < 0 ||
        store_first_text(db, meta_sql, "config", s->config, sizeof s->config) < 0 ||
        store_first_text(db, meta_sql, "read_window", s->read_window, sizeof s->read_window) < 0)
        goto dberr;
    s->nothing_read = s->seen == 0 && !s->no_events;
    if (report_count(db, o, &s->counts, err, errlen) != 0)
        return -1;
    for (i = 0; i < 5; i++)
        if (report_shows(o, i))
            s->alerts += s->counts.by_rank[i];
    /* a filtered report says what it leaves out: "no alerts" must not hide 27 outside it */
    if ((o->has_since || o->has_until || o->min_rank > 0 || o->severities) && !o->only_unseen &&
        s->open_total > s->alerts)
        s->outside = s->open_total - s->alerts;
    return 0;
dberr:
    snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
    return -1;
}

/* The rules of the last detect that did not run, or ran with a warning:
 * status 'failed' or 'skipped', or a message. */
int report_rule_problems(sqlite3 *db, sqlite3_stmt **st)
{
    return sqlite3_prepare_v2(db,
                              "SELECT rule_id, status, message FROM rule_runs"
                              " WHERE status <> 'ran' OR message IS NOT NULL"
                              " ORDER BY status <> 'failed', status <> 'skipped', rule_id",
                              -1, st, NULL);
}

/* The incidents with an open alert in the report's range, most severe first. */
int report_prepare_incidents(sqlite3 *db, const report_opts *o, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(
        db,
        "SELECT i.incident_id, i.severity, i.first_seen, i.last_seen, i.alerts, i.stages,"
        " i.story FROM incidents i"
        " WHERE EXISTS (SELECT 1 FROM alerts a WHERE a.incident_id = i.incident_id"
        "   AND a.status = 'open'"
        "   AND (?1 IS NULL OR unixepoch(a.last_seen) >= ?1)"
        "   AND (?2 IS NULL OR unixepoch(a.first_seen) <= ?2))"
        " ORDER BY CASE i.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2"
        "          WHEN 'low' THEN 3 ELSE 4 END, i.first_seen, i.incident_id",
        -1, st, NULL);

    if (rc == SQLITE_OK)
        report_bind_range(*st, o);
    return rc;
}

/* The coverage section (coverage.h), written after what is buffered so far. */
void report_coverage(struct report_out *o, sqlite3 *db, enum coverage_format f,
                     const struct report_summary *s)
{
    char err[256];

    if (s->no_events)
        return;
    report_out_flush(o);
    if (!o->failed && coverage_render(db, f, o->write, o->ctx, NULL, err, sizeof err) != 0)
        o->failed = 1;
}

long long report_iso_ms(const char *s)
{
    int64_t ts;

    if (s == NULL || normalize_parse_time(s, strlen(s), &ts) != 0)
        return 0;
    return (long long)ts * 1000;
}

/* One writer per format, in enum report_format's order. */
static void (*const writers[])(struct report_out *, sqlite3 *, sqlite3_stmt *,
                               const struct report_summary *,
                               const report_opts *) = {[REPORT_TEXT] = report_write_text,
                                                       [REPORT_JSON] = report_write_jsonl,
                                                       [REPORT_CSV] = report_write_csv,
                                                       [REPORT_HTML] = report_write_html,
                                                       [REPORT_OCSF] = report_write_ocsf};

int report_render(sqlite3 *db, const report_opts *opt, report_write_fn write, void *ctx,
                  report_counts *counts, char *err, size_t errlen)
{
    struct report_out o;
    struct report_summary s;
    sqlite3_stmt *st = NULL;
    int rc = 0;

    report_out_open(&o, write, ctx);
    if (load_summary(db, opt, &s, err, errlen) != 0 ||
        prepare_alerts(db, opt, shown_mask(opt), opt->show_suppressed, &st, err, errlen) != 0) {
        rc = -1;
        goto out;
    }
    if (counts)
        *counts = s.counts;
    writers[opt->format](&o, db, st, &s, opt);
out:
    sqlite3_finalize(st);
    if (report_out_close(&o) != 0 && rc == 0) {
        snprintf(err, errlen, "cannot write the report");
        rc = -1;
    }
    return rc;
}
