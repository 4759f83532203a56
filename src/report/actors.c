/*
 * actors: the per-actor summary (see actors.h).
 *
 * One pass groups the events in range by actor; the top addresses, keys and
 * agents come from one grouping each by (actor, value), ranked per actor, so
 * the cost is a few sorts of the events, never a scan per actor.
 */
#include "actors.h"
#include "writer.h"
#include "escape.h"

#include <stdio.h>
#include <string.h>

enum { C_ACTOR, C_KIND, C_EVENTS, C_DDB, C_ERRORS, C_TABLES, C_FIRST, C_LAST, C_NIP, C_NKEY,
       C_NAGENT, C_ALERTS, C_TOPSEV, C_IPS, C_KEYS, C_AGENTS, C_NCOLS };

static const char *const actors_keys[C_NCOLS] = {
    "actor",           "kind",           "events",          "dynamodb_events", "errors",
    "tables",          "first_seen",     "last_seen",       "source_ip_count", "access_key_count",
    "user_agent_count", "alerts",        "top_severity",    "source_ips",      "access_keys",
    "user_agents"};

/* The top values of one column per actor, joined by TOP_SEP: user agents
 * hold commas ("(KHTML, like Gecko)"), never a unit separator that
 * escape_term() would show. */
#define TOP_SEP '\x1f'
#define TOP_SQL(name, col)                                                                     \
    name " AS (SELECT actor, group_concat(v, char(31)) AS top FROM ("                          \
         "SELECT actor, " col " AS v, row_number() OVER (PARTITION BY actor"                   \
         " ORDER BY count(*) DESC, " col ") AS r FROM base WHERE " col " IS NOT NULL"          \
         " GROUP BY actor, " col ") WHERE r <= ?3 GROUP BY actor)"

static const char actors_sql[] =
    "WITH base AS MATERIALIZED (SELECT coalesce(actor_arn, principal_arn, '(unknown)') AS actor,"
    "   actor_kind, event_source, error_code, table_name, event_time, event_ts, source_ip,"
    "   access_key_id, user_agent FROM events"
    "   WHERE (?1 IS NULL OR event_ts >= ?1) AND (?2 IS NULL OR event_ts <= ?2)),"
    " a AS (SELECT actor, max(actor_kind) AS kind, count(*) AS events,"
    "   sum(event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')) AS ddb,"
    "   sum(error_code IS NOT NULL) AS errors, count(DISTINCT table_name) AS tables,"
    "   min(event_time) AS first_seen, max(event_time) AS last_seen,"
    "   count(DISTINCT source_ip) AS nip, count(DISTINCT access_key_id) AS nkey,"
    "   count(DISTINCT user_agent) AS nagent FROM base GROUP BY actor),"
    " al AS (SELECT principal_arn AS actor, count(*) AS n, max(CASE severity"
    "   WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1"
    "   ELSE 0 END) AS rank FROM alerts WHERE status = 'open' AND principal_arn IS NOT NULL"
    "   AND (?1 IS NULL OR unixepoch(last_seen) >= ?1)"
    "   AND (?2 IS NULL OR unixepoch(first_seen) <= ?2) GROUP BY principal_arn),"
    " " TOP_SQL("ips", "source_ip") ","
    " " TOP_SQL("keys", "access_key_id") ","
    " " TOP_SQL("agents", "user_agent")
    " SELECT a.actor, a.kind, a.events, a.ddb, a.errors, a.tables, a.first_seen, a.last_seen,"
    "   a.nip, a.nkey, a.nagent, coalesce(al.n, 0),"
    "   CASE al.rank WHEN 4 THEN 'critical' WHEN 3 THEN 'high' WHEN 2 THEN 'medium'"
    "   WHEN 1 THEN 'low' WHEN 0 THEN 'info' END, ips.top, keys.top, agents.top"
    " FROM a LEFT JOIN al ON al.actor = a.actor LEFT JOIN ips ON ips.actor = a.actor"
    " LEFT JOIN keys ON keys.actor = a.actor LEFT JOIN agents ON agents.actor = a.actor"
    " ORDER BY coalesce(al.rank, -1) DESC, coalesce(al.n, 0) DESC, a.events DESC, a.actor"
    " LIMIT ?4";

static int is_count(int c)
{
    return c == C_EVENTS || c == C_DDB || c == C_ERRORS || c == C_TABLES || c == C_NIP ||
           c == C_NKEY || c == C_NAGENT || c == C_ALERTS;
}

/* Calls fn for each value of a TOP_SEP-joined list. */
static void each_top(const char *s, size_t n, void (*fn)(void *, const char *, size_t), void *arg)
{
    size_t i, start = 0;

    if (s == NULL)
        return;
    for (i = 0; i <= n; i++)
        if (i == n || s[i] == TOP_SEP) {
            fn(arg, s + start, i - start);
            start = i + 1;
        }
}

struct top_out {
    struct report_out *o;
    yajl_gen g;                                 /* JSON: an array item each */
    int (*escape)(buffer *, const char *, size_t); /* else: through this, ", "-joined */
    int n;
};

static void top_item(void *arg, const char *s, size_t n)
{
    struct top_out *t = arg;

    if (t->g) {
        report_gen_str(t->g, &t->o->tmp, s, n);
        return;
    }
    if (t->n++)
        report_out_str(t->o, ", ");
    report_out_esc(t->o, t->escape, s, n);
}

static int is_top(int c)
{
    return c == C_IPS || c == C_KEYS || c == C_AGENTS;
}

static void json_actor(struct report_out *o, yajl_gen g, sqlite3_stmt *st)
{
    int c;

    yajl_gen_map_open(g);
    for (c = 0; c < C_NCOLS; c++) {
        report_gen_key(g, actors_keys[c]);
        if (is_count(c))
            yajl_gen_integer(g, sqlite3_column_int64(st, c));
        else if (is_top(c)) {
            struct top_out t = {o, g, NULL, 0};
            yajl_gen_array_open(g);
            each_top(report_col(st, c), report_col_len(st, c), top_item, &t);
            yajl_gen_array_close(g);
        }
        else
            report_gen_col(g, &o->tmp, st, c);
    }
    yajl_gen_map_close(g);
    report_gen_flush(o, g);
}

static void csv_join(void *arg, const char *s, size_t n)
{
    buffer *b = arg;

    if (b->len)
        buffer_add(b, "; ", 2);
    buffer_add(b, s, n);
}

static void csv_actor(struct report_out *o, sqlite3_stmt *st, buffer *list)
{
    int c;

    for (c = 0; c < C_NCOLS; c++) {
        if (c)
            report_out_str(o, ",");
        if (is_top(c) && sqlite3_column_type(st, c) != SQLITE_NULL) {
            /* one cell: the list joined by "; ", then escaped as one CSV value */
            buffer_reset(list);
            each_top(report_col(st, c), report_col_len(st, c), csv_join, list);
            report_out_esc(o, escape_csv, list->p ? list->p : "", list->len);
        } else if (sqlite3_column_type(st, c) != SQLITE_NULL) {
            report_out_esc(o, escape_csv, report_col(st, c), report_col_len(st, c));
        }
    }
    report_out_str(o, "\r\n");
}

/* "label top, top (+n more)" for one of the top lists. */
static void text_top(struct report_out *o, const char *label, sqlite3_stmt *st, int c, int nc)
{
    long long n = sqlite3_column_int64(st, nc);
    struct top_out t = {o, NULL, escape_term, 0};

    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        return;
    report_out_fmt(o, "    %-7s ", label);
    each_top(report_col(st, c), report_col_len(st, c), top_item, &t);
    if (n > ACTORS_TOP)
        report_out_fmt(o, " (+%lld more)", n - ACTORS_TOP);
    report_out_str(o, "\n");
}

static void text_actor(struct report_out *o, sqlite3_stmt *st)
{
    report_out_str(o, "\n  ");
    report_out_esc(o, escape_term, report_col(st, C_ACTOR), report_col_len(st, C_ACTOR));
    if (report_col(st, C_KIND)) {
        report_out_str(o, "  (");
        report_out_esc(o, escape_term, report_col(st, C_KIND), report_col_len(st, C_KIND));
        report_out_str(o, ")");
    }
    report_out_str(o, "\n    alerts  ");
    if (sqlite3_column_int64(st, C_ALERTS))
        report_out_fmt(o, "%lld, up to %s\n", (long long)sqlite3_column_int64(st, C_ALERTS),
                       report_col(st, C_TOPSEV) ? report_col(st, C_TOPSEV) : "?");
    else
        report_out_str(o, "none\n");
    report_out_fmt(o, "    calls   %lld (%lld DynamoDB, %lld failed) on %lld table(s)\n",
                   (long long)sqlite3_column_int64(st, C_EVENTS),
                   (long long)sqlite3_column_int64(st, C_DDB),
                   (long long)sqlite3_column_int64(st, C_ERRORS),
                   (long long)sqlite3_column_int64(st, C_TABLES));
    report_out_str(o, "    seen    ");
    report_out_esc(o, escape_term, report_col(st, C_FIRST) ? report_col(st, C_FIRST) : "?",
                   report_col(st, C_FIRST) ? report_col_len(st, C_FIRST) : 1);
    report_out_str(o, " .. ");
    report_out_esc(o, escape_term, report_col(st, C_LAST) ? report_col(st, C_LAST) : "?",
                   report_col(st, C_LAST) ? report_col_len(st, C_LAST) : 1);
    report_out_str(o, "\n");
    text_top(o, "from", st, C_IPS, C_NIP);
    text_top(o, "keys", st, C_KEYS, C_NKEY);
    text_top(o, "agents", st, C_AGENTS, C_NAGENT);
}

static int count_actors(sqlite3 *db, const actors_opts *o, uint64_t *total)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(db,
                           "SELECT count(DISTINCT coalesce(actor_arn, principal_arn, '(unknown)'))"
                           " FROM events WHERE (?1 IS NULL OR event_ts >= ?1)"
                           " AND (?2 IS NULL OR event_ts <= ?2)",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (o->has_since)
        sqlite3_bind_int64(st, 1, o->since);
    if (o->has_until)
        sqlite3_bind_int64(st, 2, o->until);
    rc = sqlite3_step(st);
    *total = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

int actors_render(sqlite3 *db, const actors_opts *o, report_write_fn write, void *ctx,
                  uint64_t *shown, uint64_t *total, char *err, size_t errlen)
{
    struct report_out out;
    buffer list;
    sqlite3_stmt *st = NULL;
    yajl_gen g = NULL;
    uint64_t n = 0, all = 0;
    int rc;

    if (count_actors(db, o, &all) != 0 ||
        sqlite3_prepare_v2(db, actors_sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (o->has_since)
        sqlite3_bind_int64(st, 1, o->since);
    if (o->has_until)
        sqlite3_bind_int64(st, 2, o->until);
    sqlite3_bind_int(st, 3, ACTORS_TOP);
    sqlite3_bind_int64(st, 4, o->limit ? (sqlite3_int64)o->limit : -1);
    report_out_open(&out, write, ctx);
    buffer_init(&list, 1u << 20);
    if (o->format == ACTORS_TEXT) {
        report_out_fmt(&out, "%llu actor(s)%s", (unsigned long long)all,
                       all ? ", most alerted first" : "");
        if (o->limit && o->limit < all)
            report_out_fmt(&out, "; the first %llu shown (--limit)", (unsigned long long)o->limit);
        report_out_str(&out, "\n");
    } else if (o->format == ACTORS_CSV) {
        report_csv_header(&out, actors_keys, C_NCOLS);
    } else if ((g = yajl_gen_alloc(NULL)) == NULL) {
        out.failed = 1;
    }
    rc = SQLITE_DONE;
    while (!out.failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        n++;
        if (o->format == ACTORS_TEXT)
            text_actor(&out, st);
        else if (o->format == ACTORS_CSV)
            csv_actor(&out, st, &list);
        else
            json_actor(&out, g, st);
    }
    buffer_free(&list);
    rc = report_listing_end(&out, db, st, g, rc, "actors", err, errlen);
    if (shown)
        *shown = n;
    if (total)
        *total = all;
    return rc;
}
