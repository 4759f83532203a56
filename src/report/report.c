/*
 * report: alert rendering (see report.h).
 *
 * One query yields the alerts in report order (severity, then time); each
 * format walks it once. Output is buffered in a buffer and handed to the
 * caller's write function in chunks.
 */
#include "report.h"
#include "coverage.h"
#include "buffer.h"
#include "escape.h"
#include "normalize.h"
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>

#define OUT_FLUSH (64 * 1024)
#define OUT_CAP (64u << 20) /* a single alert never needs this much */

/* Columns of the alert query, in SELECT order. */
enum { A_RULE, A_SEV, A_TITLE, A_FIRST, A_LAST, A_COUNT, A_ACCOUNT, A_REGION, A_PRINCIPAL,
       A_KEY, A_IP, A_TABLE, A_NAMES, A_IDS, A_DETAIL, A_MITRE, A_INCIDENT, A_NOVELTY, A_STATUS,
       A_REASON, A_FINGERPRINT, A_ID, A_NCOLS };

#define SEV_RANK_SQL                                                                      \
    "(CASE severity WHEN 'info' THEN 0 WHEN 'low' THEN 1 WHEN 'medium' THEN 2"             \
    " WHEN 'high' THEN 3 WHEN 'critical' THEN 4 ELSE 0 END)"

static const char alert_sql[] =
    "SELECT rule_id, severity, title, first_seen, last_seen, event_count, account_id,"
    " aws_region, principal_arn, access_key_id, source_ip, table_name, event_names, event_ids,"
    " detail, mitre, incident_id, novelty, status, status_reason, fingerprint, alert_id"
    " FROM alerts"
    " WHERE (?1 IS NULL OR unixepoch(last_seen) >= ?1)"
    "   AND (?2 IS NULL OR unixepoch(first_seen) <= ?2)"
    "   AND (?4 OR status = 'open')"
    "   AND " SEV_RANK_SQL " >= ?3";

/* With report_opts.only_unseen: leave out what temp.followed says was shown at
 * this severity or higher. */
static const char unseen_sql[] =
    " AND NOT EXISTS (SELECT 1 FROM temp.followed f WHERE f.fingerprint = alerts.fingerprint"
    "                 AND f.rank >= " SEV_RANK_SQL ")";

static const char order_sql[] =
    " ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2"
    "          WHEN 'low' THEN 3 ELSE 4 END, first_seen, rule_id, alert_id";

/* The JSON, CSV and OCSF field names: part of the contract, keep exact. */
static const char *const json_keys[] = {
    "rule_id", "severity", "title", "first_seen", "last_seen", "event_count", "account_id",
    "aws_region", "principal_arn", "access_key_id", "source_ip", "table_name", "event_names",
    "event_ids", "detail", "mitre", "incident_id", "novelty", "status"};

static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};

struct out {
    buffer b;
    report_write_fn write;
    void *ctx;
    int failed;       /* a write or an append failed */
    buffer tmp;         /* scratch for escaping */
};

static void out_flush(struct out *o)
{
    if (o->b.len && !o->failed && o->write(o->ctx, o->b.p, o->b.len) != 0)
        o->failed = 1;
    buffer_reset(&o->b);
}

static void out_raw(struct out *o, const char *s, size_t n)
{
    if (buffer_add(&o->b, s, n) != 0)
        o->failed = 1;
    if (o->b.len >= OUT_FLUSH)
        out_flush(o);
}

static void out_str(struct out *o, const char *s)
{
    out_raw(o, s, strlen(s));
}

static void out_fmt(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_fmt(struct out *o, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        out_raw(o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Writes a log value through an escaper. */
static void out_esc(struct out *o, int (*escape)(buffer *, const char *, size_t), const char *s,
                    size_t n)
{
    buffer_reset(&o->tmp);
    if (escape(&o->tmp, s, n) != 0)
        o->failed = 1;
    else if (o->tmp.len)
        out_raw(o, o->tmp.p, o->tmp.len);
}

static const char *col(sqlite3_stmt *st, int c)
{
    return (const char *)sqlite3_column_text(st, c);
}

static size_t col_len(sqlite3_stmt *st, int c)
{
    return (size_t)sqlite3_column_bytes(st, c);
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
static void bind_range(sqlite3_stmt *st, const report_opts *o)
{
    if (o->has_since)
        sqlite3_bind_int64(st, 1, o->since);
    if (o->has_until)
        sqlite3_bind_int64(st, 2, o->until);
}

/* The alerts in the report's range at or above min_rank; suppressed ones too
 * when with_suppressed. */
static int prepare_alerts(sqlite3 *db, const report_opts *o, int min_rank, int with_suppressed,
                          sqlite3_stmt **st, char *err, size_t errlen)
{
    char sql[sizeof alert_sql + sizeof unseen_sql + sizeof order_sql];

    snprintf(sql, sizeof sql, "%s%s%s", alert_sql, o->only_unseen ? unseen_sql : "", order_sql);
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        return -1;
    }
    bind_range(*st, o);
    sqlite3_bind_int(*st, 3, min_rank);
    sqlite3_bind_int(*st, 4, with_suppressed);
    return 0;
}

static int report_count(sqlite3 *db, const report_opts *o, report_counts *out, char *err,
                        size_t errlen)
{
    sqlite3_stmt *st;
    int rc;

    memset(out, 0, sizeof *out);
    if (prepare_alerts(db, o, 0, 0, &st, err, errlen) != 0) /* suppressed never count */
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int r = rules_severity_rank(col(st, A_SEV));
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
static void each_item(const char *s, size_t n, void (*fn)(void *, const char *, size_t),
                      void *arg)
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

/* ---- summary, shared by text and HTML ---------------------------------- */

struct summary {
    long long files, failed, seen, stored, duplicate, skipped, rejected, ddb_events;
    char first[32], last[32];
    report_counts counts; /* alerts per severity */
    long alerts;          /* of those, at or above min_rank */
    long not_run;         /* rules that failed or were skipped in the last detect */
    long suppressed;      /* alerts in range a suppress entry matched */
    long incidents;       /* incidents with an alert in range */
    long warned;          /* rules that ran with a warning (a value hit a regexp limit) */
    int no_events;        /* a merged store whose events stayed in the shards */
    char interrupted[512]; /* meta 'interrupted': how the last detect was stopped, or "" */
};

static const char no_events_note[] =
    "events stayed in the shard stores (merged without --events): time span and "
    "coverage are in each shard's report";

static int load_summary(sqlite3 *db, const report_opts *o, struct summary *s, char *err,
                        size_t errlen)
{
    sqlite3_stmt *st;
    int i;

    memset(s, 0, sizeof *s);
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*), sum(status <> 'complete'), sum(events_seen),"
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
    bind_range(st, o);
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) == SQLITE_TEXT) {
            snprintf(s->first, sizeof s->first, "%s", col(st, 0));
            snprintf(s->last, sizeof s->last, "%s", col(st, 1));
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
    bind_range(st, o);
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->suppressed = sqlite3_column_int64(st, 0);
        s->incidents = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db,
                           "SELECT sum(status <> 'ran'),"
                           " sum(status = 'ran' AND message IS NOT NULL) FROM rule_runs",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->not_run = sqlite3_column_int64(st, 0);
        s->warned = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM meta WHERE key = 'events_merged' AND value = 'no'",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    s->no_events = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'interrupted'", -1, &st,
                           NULL) != SQLITE_OK)
        goto dberr;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        snprintf(s->interrupted, sizeof s->interrupted, "%s", col(st, 0));
    sqlite3_finalize(st);
    if (report_count(db, o, &s->counts, err, errlen) != 0)
        return -1;
    for (i = o->min_rank > 0 ? o->min_rank : 0; i < 5; i++)
        s->alerts += s->counts.by_rank[i];
    return 0;
dberr:
    snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
    return -1;
}

/* ---- text ---------------------------------------------------------------- */

static const char *const sev_colors[] = {"\033[2m", "\033[36m", "\033[33m", "\033[31m",
                                         "\033[1;31m"};

static void text_field(struct out *o, const char *label, sqlite3_stmt *st, int c)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        return;
    out_fmt(o, "    %-10s ", label);
    out_esc(o, escape_term, col(st, c), col_len(st, c));
    out_str(o, "\n");
}

struct idlist {
    struct out *o;
    int n, max;
};

static void text_id(void *arg, const char *s, size_t n)
{
    struct idlist *l = arg;

    if (l->n < l->max) {
        if (l->n)
            out_str(l->o, ", ");
        out_esc(l->o, escape_term, s, n);
    }
    l->n++;
}

/* The rules of the last detect that did not run, or ran with a warning:
 * status 'failed' or 'skipped', or a message. */
static int rule_problems(sqlite3 *db, sqlite3_stmt **st)
{
    return sqlite3_prepare_v2(db,
                              "SELECT rule_id, status, message FROM rule_runs"
                              " WHERE status <> 'ran' OR message IS NOT NULL"
                              " ORDER BY status <> 'failed', status <> 'skipped', rule_id",
                              -1, st, NULL);
}

/* Said first, so an incomplete report can never pass for a clean one. */
static void text_rule_problems(struct out *o, sqlite3 *db, const struct summary *s)
{
    sqlite3_stmt *st;

    if ((s->not_run == 0 && s->warned == 0) || rule_problems(db, &st) != SQLITE_OK)
        return;
    if (s->not_run)
        out_fmt(o, "  INCOMPLETE %ld rule(s) did not run; their detections are missing below\n",
                s->not_run);
    else
        out_fmt(o, "  WARNING    %ld rule(s) ran with a warning\n", s->warned);
    while (sqlite3_step(st) == SQLITE_ROW) {
        out_str(o, "             ");
        out_esc(o, escape_term, col(st, 0), col_len(st, 0));
        out_str(o, " ");
        out_esc(o, escape_term, col(st, 1), col_len(st, 1));
        if (col(st, 2)) {
            out_str(o, ": ");
            out_esc(o, escape_term, col(st, 2), col_len(st, 2));
        }
        out_str(o, "\n");
    }
    sqlite3_finalize(st);
}

/* The incidents with an open alert in the report's range, most severe first. */
static int prepare_incidents(sqlite3 *db, const report_opts *o, sqlite3_stmt **st)
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
        bind_range(*st, o);
    return rc;
}

/* The coverage section (coverage.h), written after what is buffered so far. */
static void coverage(struct out *o, sqlite3 *db, enum coverage_format f, const struct summary *s)
{
    char err[256];

    if (s->no_events)
        return;
    out_flush(o);
    if (!o->failed && coverage_render(db, f, o->write, o->ctx, NULL, err, sizeof err) != 0)
        o->failed = 1;
}

/* Incidents first: the answer before the evidence. */
static void text_incidents(struct out *o, sqlite3 *db, const report_opts *opt)
{
    sqlite3_stmt *st;
    int n = 0;

    if (prepare_incidents(db, opt, &st) != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW && !o->failed) {
        if (n++ == 0)
            out_str(o, "\nINCIDENTS\n");
        out_fmt(o, "\n  #%lld  ", (long long)sqlite3_column_int64(st, 0));
        out_esc(o, escape_term, col(st, 1), col_len(st, 1));
        out_str(o, "  ");
        out_esc(o, escape_term, col(st, 2), col_len(st, 2));
        out_str(o, " .. ");
        out_esc(o, escape_term, col(st, 3), col_len(st, 3));
        out_fmt(o, "  %lld alert(s); ", (long long)sqlite3_column_int64(st, 4));
        out_esc(o, escape_term, col(st, 5), col_len(st, 5));
        out_str(o, "\n     ");
        out_esc(o, escape_term, col(st, 6), col_len(st, 6));
        out_str(o, "\n");
    }
    sqlite3_finalize(st);
}

static void text_report(struct out *o, sqlite3 *db, sqlite3_stmt *st, const struct summary *s,
                        const report_opts *opt)
{
    int cur = -1, rc, i;
    const char *reset = opt->color ? "\033[0m" : "";

    out_str(o, "ddbtrail report\n");
    if (s->interrupted[0]) {
        out_str(o, "  INTERRUPTED the run was stopped by a signal ");
        out_esc(o, escape_term, s->interrupted, strlen(s->interrupted));
        out_str(o, "\n");
    }
    text_rule_problems(o, db, s);
    out_fmt(o, "  inputs     %lld file(s)", s->files);
    if (s->failed)
        out_fmt(o, " (%lld with errors)", s->failed);
    out_fmt(o, "; %lld event(s) seen: %lld new, %lld already stored, %lld skipped "
               "(not DynamoDB), %lld rejected\n", s->seen, s->stored - s->duplicate,
            s->duplicate, s->skipped, s->rejected);
    if (s->no_events)
        out_fmt(o, "  time span  %s\n", no_events_note);
    else if (s->first[0])
        out_fmt(o, "  time span  %s .. %s (%lld DynamoDB event(s))\n", s->first, s->last,
                s->ddb_events);
    else
        out_str(o, "  time span  no DynamoDB events\n");
    out_fmt(o, "  alerts     %ld", s->alerts);
    for (i = 4; i >= opt->min_rank; i--)
        out_fmt(o, "%s %ld %s", i == 4 ? ":" : ",", s->counts.by_rank[i], sev_names[i]);
    out_fmt(o, "; %ld incident(s)", s->incidents);
    if (s->suppressed)
        out_fmt(o, "; %ld suppressed%s", s->suppressed,
                opt->show_suppressed ? " (shown)" : " (not shown: --show-suppressed)");
    out_str(o, "\n");
    text_incidents(o, db, opt);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !o->failed) {
        int r = rules_severity_rank(col(st, A_SEV));
        struct idlist ids = {o, 0, 3};
        if (r < 0)
            r = 0;
        if (r != cur) {
            char up[16];
            size_t k;
            for (k = 0; sev_names[r][k]; k++)
                up[k] = (char)(sev_names[r][k] - 'a' + 'A');
            up[k] = '\0';
            out_fmt(o, "\n%s%s%s\n", opt->color ? sev_colors[r] : "", up, reset);
            cur = r;
        }
        out_fmt(o, "\n  %s", opt->color ? sev_colors[r] : "");
        out_esc(o, escape_term, col(st, A_RULE), col_len(st, A_RULE));
        out_fmt(o, "%s  ", reset);
        out_esc(o, escape_term, col(st, A_TITLE), col_len(st, A_TITLE));
        out_str(o, "\n");
        text_field(o, "principal", st, A_PRINCIPAL);
        text_field(o, "key", st, A_KEY);
        text_field(o, "source", st, A_IP);
        text_field(o, "region", st, A_REGION);
        text_field(o, "table", st, A_TABLE);
        out_fmt(o, "    %-10s %lld, ", "events", (long long)sqlite3_column_int64(st, A_COUNT));
        out_esc(o, escape_term, col(st, A_FIRST) ? col(st, A_FIRST) : "?",
                col(st, A_FIRST) ? col_len(st, A_FIRST) : 1);
        out_str(o, " .. ");
        out_esc(o, escape_term, col(st, A_LAST) ? col(st, A_LAST) : "?",
                col(st, A_LAST) ? col_len(st, A_LAST) : 1);
        out_str(o, "\n");
        if (col(st, A_IDS)) {
            out_fmt(o, "    %-10s ", "event ids");
            each_item(col(st, A_IDS), col_len(st, A_IDS), text_id, &ids);
            if (ids.n > ids.max)
                out_fmt(o, " (+%d more)", ids.n - ids.max);
            out_str(o, "\n");
        }
        text_field(o, "detail", st, A_DETAIL);
        if (sqlite3_column_type(st, A_INCIDENT) == SQLITE_INTEGER)
            out_fmt(o, "    %-10s #%lld\n", "incident",
                    (long long)sqlite3_column_int64(st, A_INCIDENT));
        if (col(st, A_STATUS) && strcmp(col(st, A_STATUS), "open") != 0) {
            out_fmt(o, "    %-10s ", "status");
            out_esc(o, escape_term, col(st, A_STATUS), col_len(st, A_STATUS));
            if (col(st, A_REASON)) {
                out_str(o, ": ");
                out_esc(o, escape_term, col(st, A_REASON), col_len(st, A_REASON));
            }
            out_str(o, "\n");
        }
    }
    if (s->alerts == 0 && s->interrupted[0])
        out_str(o, "\nno alerts stored before the run was interrupted (see the top)\n");
    else if (s->alerts == 0 && s->not_run)
        out_fmt(o, "\nno alerts from the rules that ran; %ld rule(s) did not run (see the top)\n",
                s->not_run);
    else if (s->alerts == 0)
        out_str(o, "\nno alerts\n");
    coverage(o, db, COVERAGE_TEXT, s);
}

/* ---- JSON Lines and OCSF ------------------------------------------------- */

static void gen_str(yajl_gen g, buffer *tmp, const char *s, size_t n)
{
    buffer_reset(tmp);
    if (s == NULL || escape_utf8(tmp, s, n) != 0) {
        yajl_gen_null(g);
        return;
    }
    yajl_gen_string(g, (const unsigned char *)(tmp->p ? tmp->p : ""), tmp->len);
}

static void gen_key(yajl_gen g, const char *k)
{
    yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

static void gen_col(yajl_gen g, buffer *tmp, sqlite3_stmt *st, int c)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        yajl_gen_null(g);
    else
        gen_str(g, tmp, col(st, c), col_len(st, c));
}

struct genlist {
    yajl_gen g;
    buffer *tmp;
};

static void gen_item(void *arg, const char *s, size_t n)
{
    struct genlist *l = arg;

    gen_str(l->g, l->tmp, s, n);
}

static void gen_list(yajl_gen g, buffer *tmp, sqlite3_stmt *st, int c)
{
    struct genlist l = {g, tmp};

    yajl_gen_array_open(g);
    each_item(col(st, c), col_len(st, c), gen_item, &l);
    yajl_gen_array_close(g);
}

static void gen_flush(struct out *o, yajl_gen g)
{
    const unsigned char *buf;
    size_t len;

    yajl_gen_get_buf(g, &buf, &len);
    out_raw(o, (const char *)buf, len);
    out_str(o, "\n");
    yajl_gen_clear(g);
    yajl_gen_reset(g, NULL);
}

static void json_alert(yajl_gen g, buffer *tmp, sqlite3_stmt *st)
{
    int c;

    yajl_gen_map_open(g);
    for (c = A_RULE; c <= A_STATUS; c++) {
        gen_key(g, json_keys[c]);
        if (c == A_COUNT)
            yajl_gen_integer(g, sqlite3_column_int64(st, c));
        else if (c == A_INCIDENT && sqlite3_column_type(st, c) == SQLITE_INTEGER)
            yajl_gen_integer(g, sqlite3_column_int64(st, c));
        else if (c == A_NAMES || c == A_IDS || c == A_MITRE)
            gen_list(g, tmp, st, c);
        else
            gen_col(g, tmp, st, c);
    }
    if (sqlite3_column_type(st, A_REASON) != SQLITE_NULL) {
        gen_key(g, "status_reason");
        gen_col(g, tmp, st, A_REASON);
    }
    yajl_gen_map_close(g);
}

static long long iso_ms(const char *s)
{
    int64_t ts;

    if (s == NULL || normalize_parse_time(s, strlen(s), &ts) != 0)
        return 0;
    return (long long)ts * 1000;
}

static void gen_int_kv(yajl_gen g, const char *k, long long v)
{
    gen_key(g, k);
    yajl_gen_integer(g, v);
}

static void gen_str_kv(yajl_gen g, buffer *tmp, const char *k, const char *v)
{
    gen_key(g, k);
    gen_str(g, tmp, v, v ? strlen(v) : 0);
}

struct attacks {
    yajl_gen g;
    buffer *tmp;
};

static void gen_attack(void *arg, const char *s, size_t n)
{
    struct attacks *a = arg;

    yajl_gen_map_open(a->g);
    gen_key(a->g, "technique");
    yajl_gen_map_open(a->g);
    gen_key(a->g, "uid");
    gen_str(a->g, a->tmp, s, n);
    yajl_gen_map_close(a->g);
    gen_key(a->g, "version");
    gen_str(a->g, a->tmp, "14", 2);
    yajl_gen_map_close(a->g);
}

static void gen_evidence(void *arg, const char *s, size_t n)
{
    struct attacks *a = arg;

    yajl_gen_map_open(a->g);
    gen_key(a->g, "data");
    yajl_gen_map_open(a->g);
    gen_key(a->g, "event_uid");
    gen_str(a->g, a->tmp, s, n);
    yajl_gen_map_close(a->g);
    yajl_gen_map_close(a->g);
}

/* One OCSF 1.1 Detection Finding (class 2004). */
static void ocsf_alert(yajl_gen g, buffer *tmp, sqlite3_stmt *st, const report_opts *opt)
{
    int rank = rules_severity_rank(col(st, A_SEV));
    static const char *const ocsf_sev[] = {"Informational", "Low", "Medium", "High", "Critical"};
    struct attacks a = {g, tmp};
    char uid[64];

    if (rank < 0)
        rank = 0;
    snprintf(uid, sizeof uid, "ddbtrail-%lld", (long long)sqlite3_column_int64(st, A_ID));
    yajl_gen_map_open(g);
    gen_int_kv(g, "activity_id", 1);
    gen_str_kv(g, tmp, "activity_name", "Create");
    gen_int_kv(g, "category_uid", 2);
    gen_str_kv(g, tmp, "category_name", "Findings");
    gen_int_kv(g, "class_uid", 2004);
    gen_str_kv(g, tmp, "class_name", "Detection Finding");
    gen_int_kv(g, "type_uid", 200401);
    gen_str_kv(g, tmp, "type_name", "Detection Finding: Create");
    gen_int_kv(g, "severity_id", rank + 1);
    gen_str_kv(g, tmp, "severity", ocsf_sev[rank]);
    if (col(st, A_STATUS) && strcmp(col(st, A_STATUS), "suppressed") == 0) {
        gen_int_kv(g, "status_id", 3);
        gen_str_kv(g, tmp, "status", "Suppressed");
    } else {
        gen_int_kv(g, "status_id", 1);
        gen_str_kv(g, tmp, "status", "New");
    }
    gen_int_kv(g, "time", iso_ms(col(st, A_LAST)));
    gen_int_kv(g, "count", sqlite3_column_int64(st, A_COUNT));
    gen_key(g, "message");
    gen_col(g, tmp, st, A_DETAIL);
    gen_key(g, "metadata");
    yajl_gen_map_open(g);
    gen_str_kv(g, tmp, "version", "1.1.0");
    gen_key(g, "product");
    yajl_gen_map_open(g);
    gen_str_kv(g, tmp, "name", "ddbtrail");
    gen_str_kv(g, tmp, "vendor_name", "ddbtrail");
    gen_str_kv(g, tmp, "version", opt->version ? opt->version : "unknown");
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    gen_key(g, "finding_info");
    yajl_gen_map_open(g);
    gen_key(g, "uid");
    gen_col(g, tmp, st, A_FINGERPRINT);
    gen_key(g, "title");
    gen_col(g, tmp, st, A_TITLE);
    gen_key(g, "desc");
    gen_col(g, tmp, st, A_DETAIL);
    gen_key(g, "types");
    yajl_gen_array_open(g);
    gen_col(g, tmp, st, A_RULE);
    yajl_gen_array_close(g);
    gen_int_kv(g, "first_seen_time", iso_ms(col(st, A_FIRST)));
    gen_int_kv(g, "last_seen_time", iso_ms(col(st, A_LAST)));
    gen_key(g, "analytic");
    yajl_gen_map_open(g);
    gen_key(g, "uid");
    gen_col(g, tmp, st, A_RULE);
    gen_key(g, "name");
    gen_col(g, tmp, st, A_TITLE);
    gen_int_kv(g, "type_id", 1);
    gen_str_kv(g, tmp, "type", "Rule");
    yajl_gen_map_close(g);
    gen_key(g, "attacks");
    yajl_gen_array_open(g);
    each_item(col(st, A_MITRE), col_len(st, A_MITRE), gen_attack, &a);
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    gen_key(g, "cloud");
    yajl_gen_map_open(g);
    gen_str_kv(g, tmp, "provider", "AWS");
    gen_key(g, "region");
    gen_col(g, tmp, st, A_REGION);
    gen_key(g, "account");
    yajl_gen_map_open(g);
    gen_key(g, "uid");
    gen_col(g, tmp, st, A_ACCOUNT);
    gen_str_kv(g, tmp, "type", "AWS Account");
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    gen_key(g, "actor");
    yajl_gen_map_open(g);
    gen_key(g, "user");
    yajl_gen_map_open(g);
    gen_key(g, "uid");
    gen_col(g, tmp, st, A_PRINCIPAL);
    gen_key(g, "credential_uid");
    gen_col(g, tmp, st, A_KEY);
    yajl_gen_map_close(g);
    gen_key(g, "session");
    yajl_gen_map_open(g);
    gen_key(g, "credential_uid");
    gen_col(g, tmp, st, A_KEY);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    gen_key(g, "src_endpoint");
    yajl_gen_map_open(g);
    gen_key(g, "ip");
    gen_col(g, tmp, st, A_IP);
    yajl_gen_map_close(g);
    gen_key(g, "resources");
    yajl_gen_array_open(g);
    if (sqlite3_column_type(st, A_TABLE) != SQLITE_NULL) {
        char arn[1024];
        snprintf(arn, sizeof arn, "arn:aws:dynamodb:%s:%s:table/%s",
                 col(st, A_REGION) ? col(st, A_REGION) : "",
                 col(st, A_ACCOUNT) ? col(st, A_ACCOUNT) : "", col(st, A_TABLE));
        yajl_gen_map_open(g);
        gen_str_kv(g, tmp, "uid", arn);
        gen_key(g, "name");
        gen_col(g, tmp, st, A_TABLE);
        gen_str_kv(g, tmp, "type", "AWS::DynamoDB::Table");
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    gen_key(g, "evidences");
    yajl_gen_array_open(g);
    each_item(col(st, A_IDS), col_len(st, A_IDS), gen_evidence, &a);
    yajl_gen_array_close(g);
    gen_key(g, "unmapped");
    yajl_gen_map_open(g);
    gen_key(g, "event_names");
    gen_list(g, tmp, st, A_NAMES);
    if (sqlite3_column_type(st, A_INCIDENT) == SQLITE_INTEGER) {
        char incident[48];
        snprintf(incident, sizeof incident, "ddbtrail-incident-%lld",
                 (long long)sqlite3_column_int64(st, A_INCIDENT));
        gen_str_kv(g, tmp, "incident_uid", incident);
    }
    gen_key(g, "novelty");
    gen_col(g, tmp, st, A_NOVELTY);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

/* ---- CSV ------------------------------------------------------------------ */

static void csv_report(struct out *o, sqlite3_stmt *st)
{
    int c, rc;

    for (c = A_RULE; c <= A_STATUS; c++)
        out_fmt(o, "%s%s", c ? "," : "", json_keys[c]);
    out_str(o, "\r\n");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !o->failed) {
        for (c = A_RULE; c <= A_STATUS; c++) {
            if (c)
                out_str(o, ",");
            if (sqlite3_column_type(st, c) != SQLITE_NULL)
                out_esc(o, escape_csv, col(st, c), col_len(st, c));
        }
        out_str(o, "\r\n");
    }
}

/* ---- HTML ----------------------------------------------------------------- */

static void html_text(struct out *o, const char *s)
{
    if (s)
        out_esc(o, escape_html, s, strlen(s));
}

static void html_col(struct out *o, sqlite3_stmt *st, int c)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        out_str(o, "<span class=\"none\">&mdash;</span>");
    else
        out_esc(o, escape_html, col(st, c), col_len(st, c));
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
    ".sev{display:inline-block;padding:0 .5em;border-radius:3px;color:#fff;font-size:.8em;"
    "text-transform:uppercase;margin-right:.5em}\n"
    ".sev-critical{background:#8b0000;border-left-color:#8b0000}"
    ".sev-high{background:#d9342b;border-left-color:#d9342b}"
    ".sev-medium{background:#e69a00;border-left-color:#e69a00}"
    ".sev-low{background:#2f7bbf;border-left-color:#2f7bbf}"
    ".sev-info{background:#6b7280;border-left-color:#6b7280}\n"
    ".alert.sev-critical,.alert.sev-high,.alert.sev-medium,.alert.sev-low,.alert.sev-info"
    "{background:#fff}\n"
    "code,.mono{font-family:ui-monospace,monospace;font-size:.92em;word-break:break-all}\n"
    ".none{color:#99a}.timeline{background:#fff;border:1px solid #dde}\n"
    "footer{margin-top:3em;color:#778;font-size:.85em}\n"
    ".incomplete{background:#fff4e5;border:2px solid #d9342b;padding:.6em 1em;margin:1em 0}\n"
    "</style>\n</head>\n<body>\n";

/* Events per bucket plus alert markers, as an inline SVG bar chart. */
static int html_timeline(struct out *o, sqlite3 *db, const report_opts *opt)
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
    bind_range(st, opt);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        t0 = sqlite3_column_int64(st, 0);
        t1 = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (t1 <= t0) {
        out_str(o, "<p class=\"none\">No DynamoDB events in range.</p>\n");
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
    out_fmt(o, "<svg class=\"timeline\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
               "xmlns=\"http://www.w3.org/2000/svg\">\n<title>DynamoDB events per %lld h",
            W, H + PAD, bucket / 3600);
    out_str(o, " with alert markers</title>\n");
    for (i = 0; i < nb; i++) {
        double bw = (double)(W - 20) / (double)nb;
        double h = (double)counts[i] * (H - 30) / (double)maxc;
        if (counts[i])
            out_fmt(o, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                       "fill=\"#7a8fb3\">"
                       "<title>%lld events</title></rect>\n",
                    10 + bw * (double)i, (double)H - h, bw > 1.5 ? bw - 0.5 : bw, h, counts[i]);
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT first_seen, severity, rule_id FROM alerts"
                           " WHERE (?1 IS NULL OR unixepoch(last_seen) >= ?1)"
                           " AND (?2 IS NULL OR unixepoch(first_seen) <= ?2)",
                           -1, &st, NULL) == SQLITE_OK) {
        bind_range(st, opt);
        while (sqlite3_step(st) == SQLITE_ROW) {
            long long ms = iso_ms(col(st, 0));
            int r = rules_severity_rank(col(st, 1));
            static const char *const fills[] = {"#6b7280", "#2f7bbf", "#e69a00", "#d9342b",
                                                "#8b0000"};
            double x;
            if (ms == 0)
                continue;
            x = 10 + (double)(W - 20) * (double)(ms / 1000 - t0) / (double)(nb * bucket);
            out_fmt(o, "<path d=\"M%.2f %d l-5 -9 h10 z\" fill=\"%s\"><title>", x, H + 12,
                    fills[r < 0 ? 0 : r]);
            html_text(o, col(st, 2));
            out_str(o, " ");
            html_text(o, col(st, 0));
            out_str(o, "</title></path>\n");
        }
        sqlite3_finalize(st);
    }
    out_fmt(o, "<line x1=\"10\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#99a\"/>\n", H, W - 10, H);
    {
        char a[32], b[32];
        time_t ta = (time_t)t0, tb = (time_t)t1;
        struct tm tma, tmb;
        gmtime_r(&ta, &tma);
        gmtime_r(&tb, &tmb);
        strftime(a, sizeof a, "%Y-%m-%d %H:00Z", &tma);
        strftime(b, sizeof b, "%Y-%m-%d %H:%MZ", &tmb);
        out_fmt(o, "<text x=\"10\" y=\"%d\" font-size=\"11\">%s</text>\n", H + PAD - 2, a);
        out_fmt(o, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
                W - 10, H + PAD - 2, b);
        out_fmt(o, "<text x=\"%d\" y=\"12\" font-size=\"11\" text-anchor=\"end\">max %lld / "
                   "bucket</text>\n", W - 10, maxc);
    }
    out_str(o, "</svg>\n");
    free(counts);
    return 0;
}

static void html_top(struct out *o, sqlite3 *db, const report_opts *opt, const char *what,
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
    bind_range(st, opt);
    out_fmt(o, "<h3>Top %s</h3>\n<table class=\"top\"><tr><th>%s</th><th>events</th>"
               "<th>from public IPs</th><th>tables</th></tr>\n", what, what);
    while (sqlite3_step(st) == SQLITE_ROW) {
        out_str(o, "<tr><td class=\"mono\">");
        html_col(o, st, 0);
        out_fmt(o, "</td><td>%lld</td><td>%lld</td><td>%lld</td></tr>\n",
                (long long)sqlite3_column_int64(st, 1), (long long)sqlite3_column_int64(st, 2),
                (long long)sqlite3_column_int64(st, 3));
    }
    out_str(o, "</table>\n");
    sqlite3_finalize(st);
}

static void html_rules(struct out *o, sqlite3 *db)
{
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(db,
                           "SELECT rule_id, severity, title, status, alerts, message FROM rule_runs"
                           " ORDER BY rule_id", -1, &st, NULL) != SQLITE_OK)
        return;
    out_str(o, "<h2>Rules</h2>\n<table class=\"rules\"><tr><th>rule</th><th>default</th>"
               "<th>title</th><th>status</th><th>alerts</th><th>note</th></tr>\n");
    while (sqlite3_step(st) == SQLITE_ROW) {
        out_str(o, "<tr><td class=\"mono\">");
        html_col(o, st, 0);
        out_str(o, "</td><td>");
        html_col(o, st, 1);
        out_str(o, "</td><td>");
        html_col(o, st, 2);
        out_str(o, "</td><td>");
        html_col(o, st, 3);
        out_fmt(o, "</td><td>%lld</td><td>", (long long)sqlite3_column_int64(st, 4));
        if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            html_col(o, st, 5);
        out_str(o, "</td></tr>\n");
    }
    out_str(o, "</table>\n");
    sqlite3_finalize(st);
}

static void html_rule_problems(struct out *o, sqlite3 *db, const struct summary *s)
{
    sqlite3_stmt *st;

    if ((s->not_run == 0 && s->warned == 0) || rule_problems(db, &st) != SQLITE_OK)
        return;
    if (s->not_run)
        out_fmt(o, "<div class=\"incomplete\"><strong>Incomplete: %ld rule(s) did not run; "
                   "their detections are missing below.</strong>\n<ul>\n", s->not_run);
    else
        out_fmt(o, "<div class=\"incomplete\"><strong>%ld rule(s) ran with a warning."
                   "</strong>\n<ul>\n", s->warned);
    while (sqlite3_step(st) == SQLITE_ROW) {
        out_str(o, "<li><code>");
        html_col(o, st, 0);
        out_str(o, "</code> ");
        html_col(o, st, 1);
        if (col(st, 2)) {
            out_str(o, ": ");
            html_col(o, st, 2);
        }
        out_str(o, "</li>\n");
    }
    out_str(o, "</ul></div>\n");
    sqlite3_finalize(st);
}

/* One section per incident: its story, then its alerts as a timeline in
 * stage order. */
static void html_incidents(struct out *o, sqlite3 *db, const report_opts *opt)
{
    sqlite3_stmt *st, *al = NULL;
    int n = 0;

    if (prepare_incidents(db, opt, &st) != SQLITE_OK)
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
        const char *sev = col(st, 1) ? col(st, 1) : "info";
        if (n++ == 0)
            out_str(o, "<h2>Incidents</h2>\n");
        out_fmt(o, "<section class=\"incident sev-%s\" id=\"incident-%lld\">\n<h3>"
                   "<span class=\"sev sev-%s\">%s</span>Incident #%lld</h3>\n<p>",
                rules_severity_rank(sev) >= 0 ? sev : "info",
                (long long)sqlite3_column_int64(st, 0),
                rules_severity_rank(sev) >= 0 ? sev : "info",
                rules_severity_rank(sev) >= 0 ? sev : "info",
                (long long)sqlite3_column_int64(st, 0));
        html_col(o, st, 6);
        out_str(o, "</p>\n<p class=\"detail\">");
        html_col(o, st, 2);
        out_str(o, " .. ");
        html_col(o, st, 3);
        out_str(o, "; stages: ");
        html_col(o, st, 5);
        out_str(o, "</p>\n<ol class=\"steps\">\n");
        sqlite3_bind_int64(al, 1, sqlite3_column_int64(st, 0));
        while (sqlite3_step(al) == SQLITE_ROW) {
            out_str(o, "<li><span class=\"mono\">");
            html_col(o, al, 0);
            out_str(o, "</span> ");
            html_col(o, al, 2);
            out_fmt(o, " <a href=\"#alert-%lld\"><code>", (long long)sqlite3_column_int64(al, 5));
            html_col(o, al, 1);
            out_str(o, "</code></a> ");
            html_col(o, al, 4);
            out_str(o, "</li>\n");
        }
        sqlite3_reset(al);
        out_str(o, "</ol>\n</section>\n");
    }
    sqlite3_finalize(al);
    sqlite3_finalize(st);
}

static void html_row(struct out *o, const char *label, sqlite3_stmt *st, int c, int mono)
{
    out_fmt(o, "<tr><td>%s</td><td%s>", label, mono ? " class=\"mono\"" : "");
    html_col(o, st, c);
    out_str(o, "</td></tr>\n");
}

static void html_report(struct out *o, sqlite3 *db, sqlite3_stmt *st, const struct summary *s,
                        const report_opts *opt)
{
    int rc, i, cur = -1;

    out_str(o, html_head);
    out_str(o, "<h1>ddbtrail report</h1>\n<p>DynamoDB activity in AWS CloudTrail logs</p>\n");
    if (s->interrupted[0]) {
        out_str(o, "<div class=\"incomplete\"><strong>Interrupted: the run was stopped by a "
                   "signal ");
        html_text(o, s->interrupted);
        out_str(o, ".</strong></div>\n");
    }
    html_rule_problems(o, db, s);
    out_str(o, "<h2>Summary</h2>\n<table class=\"summary\">\n");
    out_fmt(o, "<tr><td>inputs</td><td>%lld file(s)%s</td></tr>\n", s->files,
            s->failed ? ", some with errors" : "");
    out_fmt(o, "<tr><td>events</td><td>%lld seen: %lld new, %lld already stored, %lld skipped "
               "(not DynamoDB), %lld rejected</td></tr>\n", s->seen, s->stored - s->duplicate,
            s->duplicate, s->skipped, s->rejected);
    out_str(o, "<tr><td>time span</td><td>");
    if (s->no_events) {
        html_text(o, no_events_note);
    } else if (s->first[0]) {
        html_text(o, s->first);
        out_str(o, " .. ");
        html_text(o, s->last);
        out_fmt(o, " (%lld DynamoDB events)", s->ddb_events);
    } else {
        out_str(o, "no DynamoDB events");
    }
    out_fmt(o, "</td></tr>\n<tr><td>alerts</td><td>%ld", s->alerts);
    for (i = 4; i >= opt->min_rank; i--)
        out_fmt(o, " &nbsp;<span class=\"sev sev-%s\">%ld %s</span>", sev_names[i],
                s->counts.by_rank[i], sev_names[i]);
    out_fmt(o, "; %ld incident(s)", s->incidents);
    if (s->suppressed)
        out_fmt(o, "; %ld suppressed%s", s->suppressed, opt->show_suppressed ? " (shown)" : "");
    out_str(o, "</td></tr>\n</table>\n");
    html_incidents(o, db, opt);
    out_str(o, "<h2>Timeline</h2>\n");
    html_timeline(o, db, opt);
    out_str(o, "<h2>Alerts</h2>\n");
    if (s->alerts == 0 && s->not_run)
        out_fmt(o, "<p>No alerts from the rules that ran; %ld rule(s) did not run (see the "
                   "top).</p>\n", s->not_run);
    else if (s->alerts == 0)
        out_str(o, "<p>No alerts.</p>\n");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !o->failed) {
        int r = rules_severity_rank(col(st, A_SEV));
        const char *sev = sev_names[r < 0 ? 0 : r];
        if (r != cur) {
            out_fmt(o, "<h3 class=\"group\">%s</h3>\n", sev);
            cur = r;
        }
        out_fmt(o, "<section class=\"alert sev-%s\" id=\"alert-%lld\">\n<h3><span class=\"sev "
                   "sev-%s\">%s</span><code>", sev, (long long)sqlite3_column_int64(st, A_ID),
                sev, sev);
        html_col(o, st, A_RULE);
        out_str(o, "</code> ");
        html_col(o, st, A_TITLE);
        out_str(o, "</h3>\n<p class=\"detail\">");
        html_col(o, st, A_DETAIL);
        out_str(o, "</p>\n<table>\n");
        html_row(o, "principal", st, A_PRINCIPAL, 1);
        html_row(o, "access key", st, A_KEY, 1);
        html_row(o, "source IP", st, A_IP, 1);
        html_row(o, "account", st, A_ACCOUNT, 1);
        html_row(o, "region", st, A_REGION, 0);
        html_row(o, "table", st, A_TABLE, 1);
        out_fmt(o, "<tr><td>events</td><td>%lld, ", (long long)sqlite3_column_int64(st, A_COUNT));
        html_col(o, st, A_FIRST);
        out_str(o, " .. ");
        html_col(o, st, A_LAST);
        out_str(o, "</td></tr>\n");
        html_row(o, "API calls", st, A_NAMES, 0);
        html_row(o, "event ids", st, A_IDS, 1);
        html_row(o, "ATT&amp;CK", st, A_MITRE, 0);
        html_row(o, "incident", st, A_INCIDENT, 0);
        html_row(o, "novelty", st, A_NOVELTY, 0);
        if (col(st, A_STATUS) && strcmp(col(st, A_STATUS), "open") != 0)
            html_row(o, "suppressed", st, A_REASON, 0);
        out_str(o, "</table>\n</section>\n");
    }
    out_str(o, "<h2>Who and from where</h2>\n");
    html_top(o, db, opt, "principals", "principal_arn");
    html_top(o, db, opt, "source IPs", "source_ip");
    coverage(o, db, COVERAGE_HTML, s);
    html_rules(o, db);
    out_str(o, "<footer>Generated by ddbtrail ");
    html_text(o, opt->version);
    out_str(o, ". Self-contained: this file loads nothing from the network.</footer>\n"
               "</body>\n</html>\n");
}

int report_render(sqlite3 *db, const report_opts *opt, report_write_fn write, void *ctx,
                  report_counts *counts, char *err, size_t errlen)
{
    struct out o;
    struct summary s;
    sqlite3_stmt *st = NULL;
    yajl_gen g = NULL;
    int rc = 0;

    memset(&o, 0, sizeof o);
    buffer_init(&o.b, OUT_CAP);
    buffer_init(&o.tmp, OUT_CAP);
    o.write = write;
    o.ctx = ctx;
    if (load_summary(db, opt, &s, err, errlen) != 0 ||
        prepare_alerts(db, opt, opt->min_rank, opt->show_suppressed, &st, err, errlen) != 0) {
        rc = -1;
        goto out;
    }
    if (counts)
        *counts = s.counts;
    switch (opt->format) {
    case REPORT_TEXT:
        text_report(&o, db, st, &s, opt);
        break;
    case REPORT_CSV:
        csv_report(&o, st);
        break;
    case REPORT_HTML:
        html_report(&o, db, st, &s, opt);
        break;
    case REPORT_JSON:
    case REPORT_OCSF:
        g = yajl_gen_alloc(NULL);
        if (g == NULL) {
            o.failed = 1;
            break;
        }
        while (sqlite3_step(st) == SQLITE_ROW && !o.failed) {
            if (opt->format == REPORT_JSON)
                json_alert(g, &o.tmp, st);
            else
                ocsf_alert(g, &o.tmp, st, opt);
            gen_flush(&o, g);
        }
        yajl_gen_free(g);
        break;
    }
    out_flush(&o);
    if (o.failed) {
        snprintf(err, errlen, "cannot write the report");
        rc = -1;
    }
out:
    sqlite3_finalize(st);
    buffer_free(&o.b);
    buffer_free(&o.tmp);
    return rc;
}
