/*
 * evidence: the events behind an alert, an incident or a pivot (see
 * evidence.h).
 *
 * An alert or an incident first becomes a set of event ids in a temporary
 * table (the alert rows say which events they keep); then one query joins
 * that set, and every other filter, to the events, in time order. Filters
 * are bound, never spliced into the SQL: an actor ARN from a log is a value.
 */
#include "evidence.h"
#include "writer.h"
#include "escape.h"
#include "record.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The columns of an evidence row, in SELECT order, and their JSON / CSV names. */
enum { E_TIME, E_ACTOR, E_PRINCIPAL, E_KEY, E_IP, E_REGION, E_ACCOUNT, E_TABLE, E_SOURCE,
       E_CALL, E_ERROR, E_AGENT, E_ITEMS, E_ID, E_FILE, E_OFFSET, E_NCOLS,
       E_FSIZE = E_NCOLS, E_FMTIME }; /* the file's as ingest saw it: not written */

static const char *const evidence_keys[E_NCOLS] = {
    "event_time", "actor",      "principal_arn", "access_key_id", "source_ip",  "aws_region",
    "account_id", "table_name", "event_source",  "event_name",    "error_code", "user_agent",
    "items",      "event_id",   "file",          "byte_offset"};

/* The items a call names: one for the single-item calls, each request of a
 * batch or a transaction, whichever form the record keeps it in (CloudTrail
 * writes requestItems as a list; the SDK's own form is a map of tables to
 * keys or requests). NULL where the record does not say (Query, Scan). */
#define ITEMS_SQL                                                                                \
    "CASE WHEN e.event_name IN ('GetItem','PutItem','UpdateItem','DeleteItem') THEN 1"           \
    " WHEN NOT json_valid(e.request_parameters) THEN NULL"                                       \
    " WHEN json_type(e.request_parameters, '$.requestItems') = 'array'"                          \
    "  THEN json_array_length(e.request_parameters, '$.requestItems')"                           \
    " WHEN json_type(e.request_parameters, '$.requestItems') = 'object'"                         \
    "  THEN (SELECT sum(CASE json_type(t.value) WHEN 'array' THEN json_array_length(t.value)"    \
    "                   ELSE coalesce(json_array_length(t.value, '$.keys'), 0) END)"              \
    "        FROM json_each(e.request_parameters, '$.requestItems') t)"                          \
    " WHEN json_type(e.request_parameters, '$.transactItems') = 'array'"                         \
    "  THEN json_array_length(e.request_parameters, '$.transactItems')"                          \
    " WHEN json_type(e.request_parameters, '$.statements') = 'array'"                            \
    "  THEN json_array_length(e.request_parameters, '$.statements')"                             \
    " WHEN json_type(e.request_parameters, '$.transactStatements') = 'array'"                    \
    "  THEN json_array_length(e.request_parameters, '$.transactStatements') END"

static const char select_sql[] =
    "SELECT e.event_time, e.actor_arn, e.principal_arn, e.access_key_id, e.source_ip,"
    " e.aws_region, e.account_id, e.table_name, e.event_source, e.event_name, e.error_code,"
    " e.user_agent, " ITEMS_SQL ", e.event_id, f.path, e.byte_offset, f.size, f.mtime";

static const char from_sql[] =
    " FROM events e LEFT JOIN files f ON f.file_id = e.file_id"
    " WHERE (?1 = 0 OR e.event_id IN (SELECT event_id FROM temp.evidence_ids))"
    "   AND (?2 IS NULL OR e.actor_arn = ?2 OR e.principal_arn = ?2)"
    "   AND (?3 IS NULL OR e.access_key_id = ?3)"
    "   AND (?4 IS NULL OR e.source_ip = ?4)"
    "   AND (?5 IS NULL OR e.table_name = ?5)"
    "   AND (?6 IS NULL OR e.aws_region = ?6)"
    "   AND (?7 IS NULL OR e.account_id = ?7)"
    "   AND (?8 IS NULL OR e.event_name = ?8)"
    "   AND (?9 IS NULL OR e.event_ts >= ?9)"
    "   AND (?10 IS NULL OR e.event_ts <= ?10)";

/* The table filter: a name, or an ARN split into name, region and account. */
struct table_ref {
    char name[256], region[64], account[32];
};

static int parse_table(const char *s, struct table_ref *t)
{
    const char *f[6];
    int i;

    memset(t, 0, sizeof *t);
    if (strncmp(s, "arn:", 4) != 0) {
        if (strlen(s) >= sizeof t->name)
            return -1;
        memcpy(t->name, s, strlen(s) + 1);
        return 0;
    }
    /* arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME[/stream/...] */
    f[0] = s;
    for (i = 1; i < 6; i++) {
        f[i] = strchr(f[i - 1], ':');
        if (f[i] == NULL)
            return -1;
        f[i]++;
    }
    if (strncmp(f[5], "table/", 6) != 0 || (size_t)(f[4] - f[3]) > sizeof t->region ||
        (size_t)(f[5] - f[4]) > sizeof t->account)
        return -1;
    memcpy(t->region, f[3], (size_t)(f[4] - f[3] - 1));
    memcpy(t->account, f[4], (size_t)(f[5] - f[4] - 1));
    s = f[5] + 6;
    i = (int)strcspn(s, "/");
    if (i == 0 || (size_t)i >= sizeof t->name)
        return -1;
    memcpy(t->name, s, (size_t)i);
    return 0;
}

struct idset {
    sqlite3_stmt *ins;
    int failed;
};

static void add_id(void *arg, const char *s, size_t n)
{
    struct idset *set = arg;

    sqlite3_bind_text(set->ins, 1, s, (int)n, SQLITE_TRANSIENT);
    if (sqlite3_step(set->ins) != SQLITE_DONE)
        set->failed = 1;
    sqlite3_reset(set->ins);
}

/* What the chosen alerts say about themselves, for the note above the events. */
struct chosen {
    char id[REPORT_ALERT_ID_LEN + 1];
    char rule[128], actor[512], first[32], last[32];
};

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int c)
{
    const char *s = (const char *)sqlite3_column_text(st, c);
    size_t n = s ? (size_t)sqlite3_column_bytes(st, c) : 0;

    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, s, n);
    dst[n] = '\0';
}

/* Fills temp.evidence_ids with the events the alert or the incident keeps.
 * Returns 0, 1 (not found, or an ambiguous prefix: err says), or -1. */
static int collect_ids(sqlite3 *db, const evidence_filter *f, evidence_result *res,
                       struct chosen *ch, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    struct idset set = {NULL, 0};
    size_t plen = f->alert ? strlen(f->alert) : 0;
    int rc, found = 0;

    if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO temp.evidence_ids VALUES(?1)", -1,
                           &set.ins, NULL) != SQLITE_OK)
        goto dberr;
    if (f->alert && (plen < EVIDENCE_MIN_PREFIX || plen > REPORT_ALERT_ID_LEN ||
                     strspn(f->alert, "0123456789abcdefABCDEF") != plen)) {
        snprintf(err, errlen,
                 "'%.40s' is not an alert id (the %d hex digits JSON Lines and CSV give as "
                 "alert_id, or at least %d of them)",
                 f->alert, REPORT_ALERT_ID_LEN, EVIDENCE_MIN_PREFIX);
        rc = 1;
        goto out;
    }
    rc = sqlite3_prepare_v2(db,
                            "SELECT fingerprint, event_ids, event_count, rule_id, principal_arn,"
                            " first_seen, last_seen FROM alerts"
                            " WHERE ?1 IS NULL OR incident_id = ?1 ORDER BY first_seen, alert_id",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        goto dberr;
    if (f->incident)
        sqlite3_bind_int64(st, 1, f->incident);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char id[REPORT_ALERT_ID_LEN + 1];
        report_alert_id((const char *)sqlite3_column_text(st, 0),
                        (size_t)sqlite3_column_bytes(st, 0), id);
        if (f->alert && strncasecmp(id, f->alert, plen) != 0)
            continue;
        if (found++ == 0) {
            memcpy(ch->id, id, sizeof id);
            copy_col(ch->rule, sizeof ch->rule, st, 3);
            copy_col(ch->actor, sizeof ch->actor, st, 4);
            copy_col(ch->first, sizeof ch->first, st, 5);
            copy_col(ch->last, sizeof ch->last, st, 6);
        }
        res->alerts++;
        res->counted += (uint64_t)sqlite3_column_int64(st, 2);
        report_each_item((const char *)sqlite3_column_text(st, 1),
                         (size_t)sqlite3_column_bytes(st, 1), add_id, &set);
    }
    if (rc != SQLITE_DONE || set.failed)
        goto dberr;
    if (found == 0 || (f->alert && found > 1)) {
        if (f->alert && found > 1)
            snprintf(err, errlen, "alert id '%s' matches %d alerts; give more of its digits",
                     f->alert, found);
        else if (f->alert)
            snprintf(err, errlen, "no alert with id '%s' in this database", f->alert);
        else
            snprintf(err, errlen, "no incident #%lld in this database", f->incident);
        rc = 1;
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*), sum(NOT EXISTS (SELECT 1 FROM events e"
                           "                                 WHERE e.event_id = i.event_id))"
                           " FROM temp.evidence_ids i",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        goto dberr;
    res->listed = (uint64_t)sqlite3_column_int64(st, 0);
    res->missing = (uint64_t)sqlite3_column_int64(st, 1);
    rc = 0;
    goto out;
dberr:
    snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
    rc = -1;
out:
    sqlite3_finalize(st);
    sqlite3_finalize(set.ins);
    return rc;
}

static void bind_filter(sqlite3_stmt *st, const evidence_filter *f, const struct table_ref *t)
{
    sqlite3_bind_int(st, 1, f->alert != NULL || f->incident != 0);
    if (f->actor)
        sqlite3_bind_text(st, 2, f->actor, -1, SQLITE_STATIC);
    if (f->key)
        sqlite3_bind_text(st, 3, f->key, -1, SQLITE_STATIC);
    if (f->ip)
        sqlite3_bind_text(st, 4, f->ip, -1, SQLITE_STATIC);
    if (t->name[0])
        sqlite3_bind_text(st, 5, t->name, -1, SQLITE_STATIC);
    if (t->region[0])
        sqlite3_bind_text(st, 6, t->region, -1, SQLITE_STATIC);
    if (t->account[0])
        sqlite3_bind_text(st, 7, t->account, -1, SQLITE_STATIC);
    if (f->call)
        sqlite3_bind_text(st, 8, f->call, -1, SQLITE_STATIC);
    if (f->has_since)
        sqlite3_bind_int64(st, 9, f->since);
    if (f->has_until)
        sqlite3_bind_int64(st, 10, f->until);
}

/* ---- the three forms ------------------------------------------------------- */

/* A log value in a text column: escaped for the terminal, padded to width. */
static void text_cell(struct report_out *o, sqlite3_stmt *st, int c, int width)
{
    const char *s = report_col(st, c);
    size_t n = s ? report_col_len(st, c) : 1;

    buffer_reset(&o->tmp);
    if (escape_term(&o->tmp, s ? s : "-", n) != 0) {
        o->failed = 1;
        return;
    }
    report_out_raw(o, o->tmp.p ? o->tmp.p : "", o->tmp.len);
    for (n = o->tmp.len; (int)n < width; n++)
        report_out_raw(o, " ", 1);
}

static void text_labelled(struct report_out *o, const char *label, sqlite3_stmt *st, int c)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        return;
    report_out_fmt(o, "  %s ", label);
    report_out_esc(o, escape_term, report_col(st, c), report_col_len(st, c));
}

static void text_event(struct report_out *o, sqlite3_stmt *st)
{
    const char *src = report_col(st, E_SOURCE);
    size_t svc = src ? strcspn(src, ".") : 0;

    text_cell(o, st, E_TIME, 22);
    /* the call with its service, as IAM writes actions: dynamodb:Scan, iam:CreateRole */
    buffer_reset(&o->tmp);
    if (svc && (escape_term(&o->tmp, src, svc) != 0 || buffer_addc(&o->tmp, ':') != 0))
        o->failed = 1;
    else if (report_col(st, E_CALL) &&
             escape_term(&o->tmp, report_col(st, E_CALL), report_col_len(st, E_CALL)) != 0)
        o->failed = 1;
    report_out_raw(o, o->tmp.p ? o->tmp.p : "", o->tmp.len);
    report_out_fmt(o, "%*s", o->tmp.len < 34 ? (int)(34 - o->tmp.len) : 1, "");
    text_cell(o, st, E_TABLE, 18);
    text_cell(o, st, E_REGION, 15);
    text_cell(o, st, E_IP, 17);
    text_cell(o, st, E_ERROR, 0);
    report_out_str(o, "\n   ");
    text_labelled(o, "actor", st, sqlite3_column_type(st, E_ACTOR) != SQLITE_NULL ? E_ACTOR
                                                                                : E_PRINCIPAL);
    text_labelled(o, "key", st, E_KEY);
    text_labelled(o, "items", st, E_ITEMS);
    text_labelled(o, "id", st, E_ID);
    report_out_str(o, "\n   ");
    text_labelled(o, "agent", st, E_AGENT);
    report_out_str(o, "\n");
}

static void json_event(struct report_out *o, yajl_gen g, sqlite3_stmt *st)
{
    int c;

    yajl_gen_map_open(g);
    for (c = 0; c < E_NCOLS; c++) {
        report_gen_key(g, evidence_keys[c]);
        if ((c == E_ITEMS || c == E_OFFSET) && sqlite3_column_type(st, c) == SQLITE_INTEGER)
            yajl_gen_integer(g, sqlite3_column_int64(st, c));
        else
            report_gen_col(g, &o->tmp, st, c);
    }
    yajl_gen_map_close(g);
    report_gen_flush(o, g);
}


/* One record as its file holds it, on its own line, its origin through note. */
static void raw_event(struct report_out *o, sqlite3_stmt *st, const evidence_filter *f,
                      buffer *rec, evidence_result *res)
{
    const char *path = report_col(st, E_FILE), *id = report_col(st, E_ID);
    char err[600], msg[800];

    if (path == NULL || sqlite3_column_type(st, E_OFFSET) != SQLITE_INTEGER) {
        snprintf(err, sizeof err, "its file or offset was not kept (a store made before "
                                  "schema 7, or a merged store's event)");
    } else if (record_read(path, (uint64_t)sqlite3_column_int64(st, E_OFFSET),
                           sqlite3_column_type(st, E_FSIZE) == SQLITE_INTEGER
                               ? sqlite3_column_int64(st, E_FSIZE) : -1,
                           sqlite3_column_type(st, E_FMTIME) == SQLITE_INTEGER
                               ? sqlite3_column_int64(st, E_FMTIME) : -1,
                           id, rec, err, sizeof err) == 0) {
        snprintf(msg, sizeof msg, "%.100s: %s, decompressed byte %lld", id ? id : "?", path,
                 (long long)sqlite3_column_int64(st, E_OFFSET));
        if (f->note)
            f->note(f->note_ctx, msg);
        report_out_raw(o, rec->p, rec->len);
        report_out_str(o, "\n");
        return;
    }
    res->unread++;
    snprintf(msg, sizeof msg, "%.100s: not read back: %s", id ? id : "?", err);
    if (f->note)
        f->note(f->note_ctx, msg);
}

/* The text form's first lines: what was asked, and what the alerts keep. */
static void text_head(struct report_out *o, const evidence_filter *f, const evidence_result *r,
                      const struct chosen *ch)
{
    report_out_fmt(o, "%llu event(s)", (unsigned long long)r->matched);
    if (f->alert) {
        report_out_fmt(o, " behind alert %s (", ch->id);
        report_out_esc(o, escape_term, ch->rule, strlen(ch->rule));
        report_out_str(o, ")");
    } else if (f->incident) {
        report_out_fmt(o, " behind incident #%lld (%llu alert(s))", f->incident,
                       (unsigned long long)r->alerts);
    }
    if (r->shown < r->matched)
        report_out_fmt(o, "; the first %llu shown (--limit)", (unsigned long long)r->shown);
    report_out_str(o, "\n");
    if ((f->alert || f->incident) && r->listed < r->counted) {
        report_out_fmt(o,
                       "note: the alert(s) counted %llu event(s) and keep the ids of %llu; list "
                       "the rest by actor and time",
                       (unsigned long long)r->counted, (unsigned long long)r->listed);
        if (f->alert && ch->actor[0]) {
            report_out_str(o, ": --actor ");
            report_out_esc(o, escape_term, ch->actor, strlen(ch->actor));
            report_out_fmt(o, " --since %s --until %s", ch->first, ch->last);
        }
        report_out_str(o, "\n");
    }
    if (r->missing)
        report_out_fmt(o,
                       "note: %llu listed event(s) are not in this database (a merged store "
                       "keeps its events in the shards)\n",
                       (unsigned long long)r->missing);
    if (r->matched)
        report_out_fmt(o, "\n%-22s%-34s%-18s%-15s%-17s%s\n", "TIME", "CALL", "TABLE", "REGION",
                       "SOURCE IP", "ERROR");
}

static int count_matches(sqlite3 *db, const evidence_filter *f, const struct table_ref *t,
                         uint64_t *out)
{
    char sql[sizeof from_sql + 32];
    sqlite3_stmt *st;
    int rc;

    snprintf(sql, sizeof sql, "SELECT count(*)%s", from_sql);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    bind_filter(st, f, t);
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

int evidence_render(sqlite3 *db, const evidence_filter *f, enum evidence_format fmt,
                    report_write_fn write, void *ctx, evidence_result *res, char *err,
                    size_t errlen)
{
    char sql[sizeof select_sql + sizeof from_sql + 64];
    struct report_out o;
    buffer rec;
    struct table_ref t;
    struct chosen ch;
    evidence_result local;
    sqlite3_stmt *st = NULL;
    yajl_gen g = NULL;
    int rc;

    if (res == NULL)
        res = &local;
    memset(res, 0, sizeof *res);
    memset(&ch, 0, sizeof ch);
    if (f->table && parse_table(f->table, &t) != 0) {
        snprintf(err, errlen, "'%.200s' is neither a table name nor a DynamoDB table ARN",
                 f->table);
        return 1;
    }
    if (f->table == NULL)
        memset(&t, 0, sizeof t);
    /* the query reads the set whether or not an alert filled it */
    if (sqlite3_exec(db,
                     "DROP TABLE IF EXISTS temp.evidence_ids;"
                     "CREATE TEMP TABLE evidence_ids(event_id TEXT PRIMARY KEY) WITHOUT ROWID;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        return -1;
    }
    if ((f->alert || f->incident) && (rc = collect_ids(db, f, res, &ch, err, errlen)) != 0)
        return rc;
    if (count_matches(db, f, &t, &res->matched) != 0) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        return -1;
    }
    snprintf(sql, sizeof sql, "%s%s ORDER BY e.event_ts, e.event_time, e.event_id LIMIT ?11",
             select_sql, from_sql);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        return -1;
    }
    bind_filter(st, f, &t);
    sqlite3_bind_int64(st, 11, f->limit ? (sqlite3_int64)f->limit : -1);
    res->shown = f->limit && f->limit < res->matched ? f->limit : res->matched;
    report_out_open(&o, write, ctx);
    buffer_init(&rec, RECORD_MAX);
    if (fmt == EVIDENCE_RAW) {
        /* nothing before the records: the output is theirs alone */
    } else if (fmt == EVIDENCE_TEXT) {
        text_head(&o, f, res, &ch);
    } else if (fmt == EVIDENCE_CSV) {
        report_csv_header(&o, evidence_keys, E_NCOLS);
    } else if ((g = yajl_gen_alloc(NULL)) == NULL) {
        o.failed = 1;
    }
    rc = SQLITE_DONE;
    while (!o.failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fmt == EVIDENCE_TEXT) {
            text_event(&o, st);
        } else if (fmt == EVIDENCE_CSV) {
            report_csv_row(&o, st, E_NCOLS);
            report_out_str(&o, "\r\n");
        } else if (fmt == EVIDENCE_RAW) {
            raw_event(&o, st, f, &rec, res);
        } else {
            json_event(&o, g, st);
        }
    }
    buffer_free(&rec);
    return report_listing_end(&o, db, st, g, rc, "events", err, errlen);
}
