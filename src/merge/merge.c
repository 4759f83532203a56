/*
 * merge: merging shard stores (see merge.h). The shard is attached to the merged
 * store's connection and folded in with INSERT ... SELECT, so nothing passes
 * through C but counts. Idempotence comes from the data, not from a log of
 * merges: events are unique by eventID, alerts by fingerprint, integrity
 * findings and files rows by their whole content; a files row already present
 * brings no rejects, since they came with it the first time.
 */
#include "merge.h"
#include "hash.h"
#include "incident.h"
#include "shard.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

enum { MERGE_SQL_MAX = 8192 };

/* Ends an INSERT into meta: an upsert that leaves an equal row alone, not a
 * replace (which moves the row), so that merging a store again changes nothing. */
#define META_UPSERT " ON CONFLICT(key) DO UPDATE SET value = excluded.value" \
                    " WHERE value IS NOT excluded.value"

static int dberr(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
    return -1;
}

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0
                                                                : dberr(db, "merge", err, errlen);
}

/* Runs sql and says in *n how many rows it changed. */
static int exec_count(sqlite3 *db, const char *sql, uint64_t *n, char *err, size_t errlen)
{
    if (exec(db, sql, err, errlen) != 0)
        return -1;
    *n = (uint64_t)sqlite3_changes64(db);
    return 0;
}

/* "prefix.a, prefix.b, ..." for the columns of main.table except those in skip
 * (a space-separated list with spaces around each name). Column names come
 * from ddbtrail's own schema, so they are pasted, never values. */
static int columns(sqlite3 *db, const char *table, const char *skip, const char *prefix,
                   char *buf, size_t len, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    size_t n = 0;
    int rc;

    buf[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1, 'main') ORDER BY cid",
                           -1, &st, NULL) != SQLITE_OK)
        return dberr(db, "merge", err, errlen);
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char pad[80];
        const char *name = (const char *)sqlite3_column_text(st, 0);
        snprintf(pad, sizeof pad, " %s ", name);
        if (strstr(skip, pad))
            continue;
        n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s%s%s", n ? ", " : "",
                              prefix, *prefix ? "." : "", name);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE || n >= len) {
        snprintf(err, errlen, "merge: cannot list the columns of %s", table);
        return -1;
    }
    return 0;
}

/* For each name in cols ("a, b, ...") not in skip (" name " form), "<left>name
 * <op>name" joined by sep, into buf: "x = excluded.x, ..." or "m.x IS a.x AND
 * ...". Returns 0, or -1 when buf is too small. */
static int column_pairs(const char *cols, const char *left, const char *op, const char *sep,
                        const char *skip, char *buf, size_t len)
{
    size_t n = 0;
    const char *p;

    buf[0] = '\0';
    for (p = cols; *p;) {
        size_t k = strcspn(p, ",");
        char pad[80];
        snprintf(pad, sizeof pad, " %.*s ", (int)k, p);
        if (!strstr(skip, pad))
            n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s%.*s%s%.*s",
                                  n ? sep : "", left, (int)k, p, op, (int)k, p);
        p += k;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return n < len ? 0 : -1;
}

/* The first difference between the shard's settings and rules and the merged
 * store's, as a sentence, or "" when they agree. */
static const char *const diff_sql[] = {
    "SELECT 'setting ' || s.key || ' is ' || quote(s.value) || ' in the shard, '"
    " || coalesce((SELECT quote(m.value) FROM main.settings m WHERE m.key = s.key), 'unset')"
    " || ' in the merged store' FROM shard.settings s WHERE NOT EXISTS"
    " (SELECT 1 FROM main.settings m WHERE m.key = s.key AND m.value IS s.value)"
    " UNION ALL SELECT 'setting ' || m.key || ' is unset in the shard, ' || quote(m.value)"
    " || ' in the merged store' FROM main.settings m WHERE NOT EXISTS"
    " (SELECT 1 FROM shard.settings s WHERE s.key = m.key) LIMIT 1",
    "SELECT 'list setting ' || key || ' holds ' || quote(value) || ' only in the shard'"
    " FROM (SELECT key, value FROM shard.settings_list EXCEPT"
    "       SELECT key, value FROM main.settings_list)"
    " UNION ALL SELECT 'list setting ' || key || ' holds ' || quote(value)"
    " || ' only in the merged store' FROM (SELECT key, value FROM main.settings_list EXCEPT"
    "       SELECT key, value FROM shard.settings_list) LIMIT 1",
    "SELECT 'actor threshold ' || key || ' for ' || quote(actor) || ' is ' || value"
    " || ' only in the shard' FROM (SELECT actor, key, value FROM shard.settings_actor EXCEPT"
    "       SELECT actor, key, value FROM main.settings_actor)"
    " UNION ALL SELECT 'actor threshold ' || key || ' for ' || quote(actor) || ' is ' || value"
    " || ' only in the merged store' FROM (SELECT actor, key, value FROM main.settings_actor"
    "       EXCEPT SELECT actor, key, value FROM shard.settings_actor) LIMIT 1",
    "SELECT 'rule ' || s.rule_id || CASE WHEN m.rule_id IS NULL"
    "   THEN ' ran in the shard but not in the merged store'"
    "   ELSE ' differs: its file hashed ' || substr(coalesce(s.rule_sha256, 'unknown'), 1, 16)"
    "        || ' in the shard, ' || substr(coalesce(m.rule_sha256, 'unknown'), 1, 16)"
    "        || ' in the merged store' END"
    " FROM shard.rule_runs s LEFT JOIN main.rule_runs m ON m.rule_id = s.rule_id"
    " WHERE m.rule_id IS NULL OR m.rule_sha256 IS NOT s.rule_sha256"
    " UNION ALL SELECT 'rule ' || m.rule_id || ' ran in the merged store but not in the shard'"
    " FROM main.rule_runs m WHERE NOT EXISTS"
    " (SELECT 1 FROM shard.rule_runs s WHERE s.rule_id = m.rule_id) LIMIT 1",
    NULL};

/* Settings and rule versions: copied into a merged store that has none yet,
 * else compared. Returns 0, 1 (err says what differs) or -1. */
static int settle_settings(sqlite3 *db, char *err, size_t errlen)
{
    int64_t shard_ran = store_first_int(db, "SELECT EXISTS (SELECT 1 FROM shard.rule_runs)");
    int64_t main_ran = store_first_int(db, "SELECT EXISTS (SELECT 1 FROM main.rule_runs)");
    char diff[1024];
    int i;

    if (shard_ran < 0 || main_ran < 0)
        return dberr(db, "merge", err, errlen);
    if (shard_ran == 0) /* ingested, never detected: nothing to compare */
        return 0;
    if (main_ran == 0)
        return exec(db,
                    "DELETE FROM main.settings; DELETE FROM main.settings_list;"
                    " DELETE FROM main.settings_actor;"
                    "INSERT INTO main.settings SELECT * FROM shard.settings;"
                    "INSERT INTO main.settings_list SELECT * FROM shard.settings_list;"
                    "INSERT INTO main.settings_actor SELECT * FROM shard.settings_actor;"
                    "INSERT INTO main.rule_runs SELECT * FROM shard.rule_runs;",
                    err, errlen);
    for (i = 0; diff_sql[i]; i++) {
        int rc = store_first_text(db, diff_sql[i], NULL, diff, sizeof diff);
        if (rc < 0)
            return dberr(db, "merge", err, errlen);
        if (rc == 1) {
            snprintf(err, errlen,
                     "%s; its alerts were found under other settings or rules "
                     "(run every shard with the same --config and detections/)",
                     diff);
            return 1;
        }
    }
    /* a rule that failed, was skipped or warned anywhere says so in the merged store */
    return exec(db,
                "UPDATE main.rule_runs SET status = s.status, message = s.message"
                " FROM shard.rule_runs s WHERE s.rule_id = rule_runs.rule_id"
                " AND s.status <> 'ran' AND rule_runs.status = 'ran';"
                "UPDATE main.rule_runs SET message = s.message FROM shard.rule_runs s"
                " WHERE s.rule_id = rule_runs.rule_id AND rule_runs.message IS NULL"
                " AND s.message IS NOT NULL;",
                err, errlen);
}

/* A shard's plan ("K/N DIGEST" in its meta) must be the merged store's, and
 * the plan's text (meta shard_accounts) must hash to its digest: it says
 * which units (accounts, or accounts' days) are shard K's, loaded into
 * temp.merge_plan for check_accounts(). *k, *n and *by (enum shard_by) are
 * set for a sharded store, *n = 0 for another. Returns 0, 1 (err says why)
 * or -1. */
static int settle_plan(sqlite3 *db, unsigned *k, unsigned *n, int *by, char *err, size_t errlen)
{
    char shard[160], merged[160], digest[65];
    const char *plan;
    sqlite3_stmt *st;
    int rc = store_first_text(db, "SELECT value FROM shard.meta WHERE key = 'shard'", NULL, shard,
                              sizeof shard);

    *n = 0;
    if (rc < 0)
        return dberr(db, "merge", err, errlen);
    if (rc == 0 || (plan = strchr(shard, '/')) == NULL)
        return 0;
    plan++;
    if (sscanf(shard, "%u/%u", k, n) != 2 || *n == 0 || *k >= *n || strchr(plan, ' ') == NULL) {
        snprintf(err, errlen, "the shard's meta says it is shard '%.100s', which is no K/N", shard);
        return 1;
    }
    if (exec(db,
             "CREATE TEMP TABLE IF NOT EXISTS merge_plan(account TEXT PRIMARY KEY, shard INTEGER);"
             "DELETE FROM temp.merge_plan",
             err, errlen) != 0)
        return -1;
    if (sqlite3_prepare_v2(db, "SELECT value FROM shard.meta WHERE key = 'shard_accounts'", -1,
                           &st, NULL) != SQLITE_OK)
        return dberr(db, "merge", err, errlen);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW || sqlite3_column_type(st, 0) != SQLITE_TEXT ||
        hash_sha256_hex(sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                        digest) != 0 ||
        strcmp(digest, strchr(plan, ' ') + 1) != 0) {
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return dberr(db, "merge", err, errlen);
        snprintf(err, errlen,
                 "shard %s does not carry the plan its digest names (meta shard_accounts %s): "
                 "which accounts are its own cannot be told (scan the shard again)",
                 shard, rc == SQLITE_ROW ? "differs" : "is missing");
        return 1;
    }
    /* "N\n" ("N day\n") then "UNIT SHARD\n" lines, as shard_plan_text() writes them */
    {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        const char *nl = strchr(text, '\n'), *sp = strchr(text, ' ');
        *by = sp && nl && sp < nl && strncmp(sp, " day\n", 5) == 0 ? SHARD_BY_DAY
                                                                    : SHARD_BY_ACCOUNT;
    }
    {
        sqlite3_stmt *ins;
        if (sqlite3_prepare_v2(db,
                               "WITH RECURSIVE l(line, rest) AS (SELECT NULL, ?1 UNION ALL"
                               " SELECT substr(rest, 1, instr(rest, char(10)) - 1),"
                               " substr(rest, instr(rest, char(10)) + 1) FROM l"
                               " WHERE instr(rest, char(10)) > 0)"
                               " INSERT OR REPLACE INTO temp.merge_plan"
                               " SELECT substr(line, 1, instr(line, ' ') - 1),"
                               " CAST(substr(line, instr(line, ' ') + 1) AS INTEGER)"
                               " FROM l WHERE instr(line, ' ') > 0",
                               -1, &ins, NULL) != SQLITE_OK) {
            sqlite3_finalize(st);
            return dberr(db, "merge", err, errlen);
        }
        sqlite3_bind_value(ins, 1, sqlite3_column_value(st, 0));
        rc = sqlite3_step(ins);
        sqlite3_finalize(ins);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return dberr(db, "merge", err, errlen);
    }
    rc = store_first_text(db, "SELECT value FROM main.meta WHERE key = 'shard_plan'", NULL, merged,
                          sizeof merged);
    if (rc < 0)
        return dberr(db, "merge", err, errlen);
    if (rc == 1 && strcmp(merged, plan) != 0) {
        snprintf(err, errlen,
                 "the shard is %s, of another plan than the merged store's (%s): "
                 "a changed tree or shard count moves accounts between shards",
                 shard, merged);
        return 1;
    }
    if (rc == 0) {
        if (sqlite3_prepare_v2(db, "INSERT INTO main.meta VALUES('shard_plan', ?1)", -1, &st,
                               NULL) != SQLITE_OK)
            return dberr(db, "merge", err, errlen);
        sqlite3_bind_text(st, 1, plan, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return dberr(db, "merge", err, errlen);
    }
    return 0;
}

/* merge_path_unit(path): the unit a path's files go by (shard_path_unit(),
 * of the plan's kind, the function's user data), or NULL when it names no
 * account. */
static void fn_path_unit(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *path = (const char *)sqlite3_value_text(argv[0]);
    char unit[SHARD_UNIT_LEN + 1];
    size_t len;

    (void)argc;
    if (path && (len = shard_path_unit(path, *(const int *)sqlite3_user_data(ctx), unit)) > 0)
        sqlite3_result_text(ctx, unit, (int)len, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
}

/* merge_record_unit(account, time): the unit of an event routed by its own
 * fields (shard_record_unit()), or NULL when it has no account. */
static void fn_record_unit(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *acct = (const char *)sqlite3_value_text(argv[0]);
    const char *time = (const char *)sqlite3_value_text(argv[1]);
    char buf[SHARD_UNIT_LEN + 1];
    const char *unit;
    size_t len;

    (void)argc;
    unit = shard_record_unit(*(const int *)sqlite3_user_data(ctx), acct,
                             (size_t)sqlite3_value_bytes(argv[0]), time,
                             time ? (size_t)sqlite3_value_bytes(argv[1]) : 0, buf, &len);
    if (unit)
        sqlite3_result_text(ctx, unit, (int)len, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
}

/* merge_fnv(account): shard_hash() of an account the plan does not know. */
static void fn_fnv(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *acct = (const char *)sqlite3_value_text(argv[0]);

    (void)argc;
    sqlite3_result_int64(ctx, acct ? (sqlite3_int64)shard_hash(acct, (size_t)
                                                               sqlite3_value_bytes(argv[0]))
                                   : 0);
}

/* The shard an owner unit goes to, as shard_plan_of() deals it. */
#define OWNER_SHARD(owner)                                                                         \
    "(CASE WHEN coalesce(" owner ", '') = '' THEN 0 ELSE coalesce((SELECT p.shard FROM"          \
    " temp.merge_plan p WHERE p.account = " owner "), merge_fnv(" owner ") % ?1) END)"

/* A shard brings only what its part of the plan owns: files whose path names
 * one of its units (or none), and events whose file's unit, else their own
 * (recipientAccountId, and by day eventTime's day), is one of its units.
 * Anything else could replace another shard's events (eventIDs are unique)
 * or speak for an account the shard never read. Returns 0, 1 (err names an
 * example) or -1. */
static int check_accounts(sqlite3 *db, unsigned k, unsigned n, int by, int with_events,
                          char *err, size_t errlen)
{
    static const int kinds[] = {SHARD_BY_ACCOUNT, SHARD_BY_DAY};
    static const char *const sql[] = {
        "SELECT count(*), min(f.path) FROM shard.files f"
        " WHERE merge_path_unit(f.path) IS NOT NULL"
        " AND " OWNER_SHARD("merge_path_unit(f.path)") " <> ?2",
        "SELECT count(*), min(o) FROM (SELECT coalesce(merge_path_unit(f.path),"
        " merge_record_unit(e.recipient_account_id, e.event_time)) AS o FROM shard.events e"
        " LEFT JOIN shard.files f ON f.file_id = e.file_id) WHERE " OWNER_SHARD("o") " <> ?2"};
    static const char *const what[] = {"files of account(s) of other shards, e.g. %s",
                                       "events of account(s) of other shards, e.g. account %s"};
    const void *kind = &kinds[by == SHARD_BY_DAY];
    int i;

    if (sqlite3_create_function(db, "merge_path_unit", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                (void *)kind, fn_path_unit, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "merge_record_unit", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                (void *)kind, fn_record_unit, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "merge_fnv", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                fn_fnv, NULL, NULL) != SQLITE_OK)
        return dberr(db, "merge", err, errlen);
    for (i = 0; i < (with_events ? 2 : 1); i++) {
        sqlite3_stmt *st;
        int rc;
        if (sqlite3_prepare_v2(db, sql[i], -1, &st, NULL) != SQLITE_OK)
            return dberr(db, "merge", err, errlen);
        sqlite3_bind_int64(st, 1, n);
        sqlite3_bind_int64(st, 2, k);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
            char ex[128];
            const unsigned char *t = sqlite3_column_text(st, 1);
            snprintf(ex, sizeof ex, "%.100s", t ? (const char *)t : "(none)");
            snprintf(err, errlen, "shard %u/%u holds %lld ", k, n,
                     (long long)sqlite3_column_int64(st, 0));
            snprintf(err + strlen(err), errlen - strlen(err), what[i], ex);
            snprintf(err + strlen(err), errlen - strlen(err),
                     ": refused (a shard brings only its own accounts)");
            sqlite3_finalize(st);
            return 1;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW)
            return dberr(db, "merge", err, errlen);
    }
    return 0;
}

/* One store per shard: the merged store remembers, per K, what the first
 * store of shard K held (the SHA-256 of its files rows and its alerts'
 * fingerprints, severities, statuses and counts). The same store merged
 * again matches and adds nothing; a second, other store claiming the same K
 * is refused, for it could replace the first one's findings. Returns 0, 1
 * (err says why) or -1. */
static int settle_identity(sqlite3 *db, char *err, size_t errlen)
{
    char shard[160], key[200], have[80], id[65];
    sqlite3_stmt *st;
    char *text = NULL;
    int rc = store_first_text(db, "SELECT value FROM shard.meta WHERE key = 'shard'", NULL, shard,
                              sizeof shard);

    if (rc < 0)
        return dberr(db, "merge", err, errlen);
    if (rc == 0)
        return 0; /* an unsharded store: nothing claims a K */
    snprintf(key, sizeof key, "merged_shard %.*s", (int)strcspn(shard, " "), shard);
    if (sqlite3_prepare_v2(db,
                           "SELECT group_concat(x, char(10)) FROM ("
                           " SELECT 'f ' || quote(path) || ' ' || quote(size) || ' ' ||"
                           "   quote(events_seen) || ' ' || quote(events_stored) AS x"
                           " FROM shard.files"
                           " UNION ALL SELECT 'a ' || quote(fingerprint) || ' ' ||"
                           "   quote(severity) || ' ' || quote(status) || ' ' ||"
                           "   quote(event_count) FROM shard.alerts"
                           " ORDER BY 1)",
                           -1, &st, NULL) != SQLITE_OK)
        return dberr(db, "merge", err, errlen);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        text = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (hash_sha256_hex(text ? text : "", text ? strlen(text) : 0, id) != 0) {
        sqlite3_free(text);
        snprintf(err, errlen, "merge: cannot hash the shard");
        return -1;
    }
    sqlite3_free(text);
    rc = store_first_text(db, "SELECT value FROM main.meta WHERE key = ?1", key, have,
                          sizeof have);
    if (rc < 0)
        return dberr(db, "merge", err, errlen);
    if (rc == 1 && strcmp(have, id) == 0)
        return 0;
    if (rc == 1) {
        snprintf(err, errlen,
                 "a second store for shard %.*s, with other content than the one merged "
                 "before: refused (one store per shard; merge into a fresh store to replace it)",
                 (int)strcspn(shard, " "), shard);
        return 1;
    }
    if (sqlite3_prepare_v2(db, "INSERT INTO main.meta VALUES(?1, ?2)", -1, &st, NULL) !=
        SQLITE_OK)
        return dberr(db, "merge", err, errlen);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : dberr(db, "merge", err, errlen);
}

/* The shard ("K/N") the attached store holds, or NULL: a loose file read by
 * every shard has a files row in each, and those stay apart when merged. */
#define SHARD_LABEL                                                                                \
    "(SELECT substr(value, 1, instr(value || ' ', ' ') - 1) FROM shard.meta"                       \
    " WHERE key = 'shard')"

/* The same files row: every column but the id and when it was written. */
#define SAME_FILE(m, f)                                                                            \
    m ".path IS " f ".path AND " m ".size IS " f ".size AND " m ".mtime IS " f ".mtime AND " m     \
      ".format IS " f ".format AND " m ".events_seen = " f ".events_seen AND " m                   \
      ".events_stored = " f ".events_stored AND " m ".events_skipped = " f                         \
      ".events_skipped AND " m ".records_rejected = " f ".records_rejected AND " m                 \
      ".events_duplicate = " f ".events_duplicate AND " m ".status = " f ".status AND " m          \
      ".error IS " f ".error AND " m ".shard IS coalesce(" f ".shard, " SHARD_LABEL ")"

static int merge_files(sqlite3 *db, merge_counts *c, char *err, size_t errlen)
{
    char sql[MERGE_SQL_MAX], cols[1024], fcols[1024];
    int64_t before = store_first_int(db, "SELECT coalesce(max(file_id), 0) FROM main.files");

    if (before < 0 || columns(db, "files", " file_id shard ", "", cols, sizeof cols, err, errlen) ||
        columns(db, "files", " file_id shard ", "f", fcols, sizeof fcols, err, errlen))
        return -1;
    snprintf(sql, sizeof sql,
             "INSERT INTO main.files(%s, shard) SELECT %s, coalesce(f.shard, " SHARD_LABEL ")"
             " FROM shard.files f WHERE NOT EXISTS"
             " (SELECT 1 FROM main.files m WHERE " SAME_FILE("m", "f") ") ORDER BY f.file_id",
             cols, fcols);
    if (exec_count(db, sql, &c->files, err, errlen) != 0)
        return -1;
    snprintf(
        sql, sizeof sql,
        "CREATE TEMP TABLE IF NOT EXISTS merge_files(old INTEGER PRIMARY KEY, new INTEGER,"
        " fresh INTEGER);"
        "DELETE FROM temp.merge_files;"
        "INSERT INTO temp.merge_files SELECT old, id, id > %lld FROM (SELECT f.file_id AS old,"
        " (SELECT min(m.file_id) FROM main.files m WHERE " SAME_FILE(
            "m",
            "f") ") AS id"
                 " FROM shard.files f);"
                 "INSERT INTO main.rejects(file_id, byte_offset, reason)"
                 " SELECT m.new, r.byte_offset, r.reason FROM shard.rejects r"
                 " JOIN temp.merge_files m ON m.old = r.file_id WHERE m.fresh ORDER BY r.rowid;",
        (long long)before);
    if (exec(db, sql, err, errlen) != 0)
        return -1;
    c->rejects = (uint64_t)sqlite3_changes64(db);
    return 0;
}

static int merge_events(sqlite3 *db, merge_counts *c, char *err, size_t errlen)
{
    char sql[MERGE_SQL_MAX], cols[2048], ecols[2048];
    int64_t total = store_first_int(db, "SELECT count(*) FROM shard.events");

    if (total < 0 ||
        columns(db, "events", " file_id ", "", cols, sizeof cols, err, errlen) != 0 ||
        columns(db, "events", " file_id ", "e", ecols, sizeof ecols, err, errlen) != 0)
        return -1;
    snprintf(sql, sizeof sql,
             "INSERT OR IGNORE INTO main.events(%s, file_id) SELECT %s,"
             " (SELECT new FROM temp.merge_files WHERE old = e.file_id) FROM shard.events e",
             cols, ecols);
    if (exec_count(db, sql, &c->events, err, errlen) != 0)
        return -1;
    c->events_present = (uint64_t)total - c->events;
    return 0;
}

/* The order a walk lists paths in: directory by directory, each one's
 * entries by name (walk.c's alphasort, in the C locale ddbtrail runs in). A
 * path compared component by component with strcmp() falls in that order. */
static int walk_order(void *arg, int na, const void *pa, int nb, const void *pb)
{
    const unsigned char *a = pa, *b = pb;
    int i = 0, j = 0;

    (void)arg;
    for (;;) {
        int ea = i >= na, eb = j >= nb;
        unsigned ca, cb;

        if (ea || eb)
            return ea && eb ? 0 : ea ? -1 : 1;
        ca = a[i] == '/' ? 0 : a[i] + 1u; /* a component's end sorts first */
        cb = b[j] == '/' ? 0 : b[j] + 1u;
        if (ca != cb)
            return ca < cb ? -1 : 1;
        i++;
        j++;
    }
}

int merge_order_events(sqlite3 *db, char *err, size_t errlen)
{
    if (sqlite3_create_collation(db, "merge_walk", SQLITE_UTF8, NULL, walk_order) != SQLITE_OK)
        return dberr(db, "merge", err, errlen);
    /* rowids change, so what was judged of them is judged again (effects.c) */
    return exec(db,
                "BEGIN IMMEDIATE;"
                "DROP TABLE IF EXISTS temp.merge_events;"
                "CREATE TEMP TABLE merge_events AS SELECT e.* FROM main.events e"
                " LEFT JOIN main.files f ON f.file_id = e.file_id"
                " ORDER BY f.path COLLATE merge_walk, e.byte_offset, e.rowid;"
                "DELETE FROM main.events;"
                "INSERT INTO main.events SELECT * FROM temp.merge_events ORDER BY rowid;"
                "DROP TABLE temp.merge_events;"
                "DELETE FROM main.event_effects; DELETE FROM main.event_refs;"
                "DELETE FROM main.event_items; DELETE FROM main.meta WHERE key = 'effects';"
                "COMMIT",
                err, errlen) == 0
               ? 0
               : (sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), -1);
}

static int merge_alerts(sqlite3 *db, int sharded, merge_counts *c, char *err, size_t errlen)
{
    char sql[MERGE_SQL_MAX], cols[1024], acols[1024], set[2048];
    int64_t total = store_first_int(db, "SELECT count(*) FROM shard.alerts");

    if (total < 0 ||
        columns(db, "alerts", " alert_id incident_id ", "", cols, sizeof cols, err, errlen) ||
        columns(db, "alerts", " alert_id incident_id ", "a", acols, sizeof acols, err, errlen))
        return -1;
    if (column_pairs(cols, "", " = excluded.", ", ", "", set, sizeof set) != 0) {
        snprintf(err, errlen, "merge: too many alert columns");
        return -1;
    }
    /* Of a sharded run, each finding has one owner: the same fingerprint with
     * other content in two shards is an actor the shards split (only a run
     * over both shards' events judges it) or a store speaking for another. */
    if (sharded) {
        char same[2048], id[200];
        int rc;
        if (column_pairs(cols, "m.", " IS a.", " AND ", " detected_at ", same, sizeof same) !=
            0) {
            snprintf(err, errlen, "merge: too many alert columns");
            return -1;
        }
        snprintf(sql, sizeof sql,
                 "SELECT a.rule_id || ' ' || a.fingerprint FROM shard.alerts a"
                 " JOIN main.alerts m ON m.fingerprint = a.fingerprint WHERE NOT (%s) LIMIT 1",
                 same);
        rc = store_first_text(db, sql, NULL, id, sizeof id);
        if (rc < 0)
            return dberr(db, "merge", err, errlen);
        if (rc == 1) {
            snprintf(err, errlen,
                     "alert %s is in an earlier shard with other content: refused (an actor "
                     "split between shards is judged by a run over both: merge with --events)",
                     id);
            return 1;
        }
    }
    /* the same finding merged again is left alone; one detected later replaces it */
    snprintf(sql, sizeof sql,
             "INSERT INTO main.alerts(%s) SELECT %s FROM shard.alerts a WHERE true"
             " ORDER BY a.alert_id"
             " ON CONFLICT(fingerprint) DO UPDATE SET %s"
             " WHERE excluded.detected_at > alerts.detected_at",
             cols, acols, set);
    {
        int64_t before = store_first_int(db, "SELECT count(*) FROM main.alerts");
        if (before < 0 || exec(db, sql, err, errlen) != 0)
            return -1;
        c->alerts = (uint64_t)(store_first_int(db, "SELECT count(*) FROM main.alerts") - before);
    }
    c->alerts_present = (uint64_t)total - c->alerts;
    return 0;
}

/* The shard's integrity line (meta 'integrity': what its digests proved, or
 * why nothing could be) kept under 'integrity:shard K/N' (or the store's
 * path when it is no shard), for merge_finish() to put on the merged
 * report; a shard that has none says so rather than vanish from it. */
static int keep_integrity(sqlite3 *db, const char *path, unsigned k, unsigned n, char *err,
                          size_t errlen)
{
    char who[4200];
    sqlite3_stmt *st;
    int rc;

    if (n > 0)
        snprintf(who, sizeof who, "integrity:shard %u/%u", k, n);
    else
        snprintf(who, sizeof who, "integrity:%s", path);
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO main.meta SELECT ?1, coalesce((SELECT"
                           " substr(value, 1, 400) FROM shard.meta WHERE key = 'integrity'),"
                           " 'no integrity summary in this store') WHERE 1"
                           META_UPSERT,
                           -1, &st, NULL) != SQLITE_OK)
        return dberr(db, "merge", err, errlen);
    sqlite3_bind_text(st, 1, who, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : dberr(db, "merge", err, errlen);
}

int merge_shard(sqlite3 *out, const char *path, int with_events, merge_counts *c, char *err,
                size_t errlen)
{
    sqlite3_stmt *st;
    unsigned k = 0, n = 0;
    int rc, by = SHARD_BY_ACCOUNT;

    memset(c, 0, sizeof *c);
    if (sqlite3_prepare_v2(out, "ATTACH ?1 AS shard", -1, &st, NULL) != SQLITE_OK)
        return dberr(out, "merge", err, errlen);
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return dberr(out, "cannot attach the shard", err, errlen);
    rc = exec(out, "BEGIN IMMEDIATE", err, errlen);
    if (rc == 0)
        rc = settle_settings(out, err, errlen);
    if (rc == 0)
        rc = settle_plan(out, &k, &n, &by, err, errlen);
    /* a day shard's rules saw its days only: its alerts are no part of the whole run's */
    if (rc == 0 && n > 0 && by == SHARD_BY_DAY && !with_events) {
        snprintf(err, errlen, "shard %u/%u was sharded by day, so its alerts judged only its "
                 "days of each actor: merge day shards with --events, which runs the rules "
                 "again over all of them", k, n);
        rc = 1;
    }
    if (rc == 0 && n > 0)
        rc = check_accounts(out, k, n, by, with_events, err, errlen);
    if (rc == 0)
        rc = settle_identity(out, err, errlen);
    if (rc == 0 && !with_events)
        rc = merge_alerts(out, n > 0, c, err, errlen);
    if (rc == 0)
        rc = keep_integrity(out, path, k, n, err, errlen);
    if (rc == 0 && (merge_files(out, c, err, errlen) != 0 ||
                    (with_events && merge_events(out, c, err, errlen) != 0) ||
                    exec_count(out,
                               "INSERT INTO main.integrity SELECT * FROM shard.integrity i"
                               " WHERE NOT EXISTS (SELECT 1 FROM main.integrity m WHERE"
                               " m.kind IS i.kind AND m.trail IS i.trail AND m.region IS i.region"
                               " AND m.digest_path IS i.digest_path AND m.log_path IS i.log_path"
                               " AND m.expected IS i.expected AND m.actual IS i.actual"
                               " AND m.time_start IS i.time_start AND m.time_end IS i.time_end"
                               " AND m.message IS i.message)",
                               &c->integrity, err, errlen) != 0))
        rc = -1;
    /* new events: the caller runs the rules again (cleared when they ran) */
    if (rc == 0 && with_events && c->events > 0 &&
        exec(out, "INSERT INTO main.meta VALUES('merge_detect', 'pending')"
                  META_UPSERT, err, errlen) != 0)
        rc = -1;
    /* the merged store's report must not read a missing event as no event */
    if (rc == 0 && !with_events &&
        store_first_int(out, "SELECT EXISTS (SELECT 1 FROM shard.events)") == 1 &&
        exec(out, "INSERT INTO main.meta VALUES('events_merged', 'no')"
                  META_UPSERT, err, errlen) != 0)
        rc = -1;
    if (rc == 0 && exec(out, "COMMIT", err, errlen) != 0)
        rc = -1;
    if (rc != 0)
        sqlite3_exec(out, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_exec(out, "DETACH shard", NULL, NULL, NULL);
    return rc;
}

int merge_finish(sqlite3 *out, long *incidents, char *err, size_t errlen)
{
    int64_t gap = store_first_int(out, "SELECT coalesce((SELECT value FROM settings"
                                       " WHERE key = 'incident_gap_seconds'), -1)");

    *incidents = 0;
    if (exec(out,
             "BEGIN IMMEDIATE; UPDATE rule_runs SET alerts ="
             " (SELECT count(*) FROM alerts a WHERE a.rule_id = rule_runs.rule_id)",
             err, errlen) != 0)
        goto fail;
    if (gap >= 0 && incident_build(out, gap, NULL, NULL, incidents, NULL, err, errlen) != 0)
        goto fail;
    /* the report's integrity line: each store's, in one bounded line (the findings
     * themselves are merged rows, which DDB-LOG-TAMPER reads whatever the line keeps) */
    if (exec(out,
             "WITH l(s) AS (SELECT group_concat(substr(key, 11) || ': ' || value, '; ')"
             "  FROM (SELECT key, value FROM meta WHERE key LIKE 'integrity:%' ORDER BY key))"
             " INSERT INTO meta SELECT 'integrity', CASE WHEN length(s) > 900"
             "  THEN substr(s, 1, 860) || ' ... (cut: each shard''s own report has its line)'"
             "  ELSE s END FROM l WHERE s IS NOT NULL"
             META_UPSERT,
             err, errlen) != 0)
        goto fail;
    if (exec(out, "COMMIT", err, errlen) != 0)
        goto fail;
    return 0;
fail:
    sqlite3_exec(out, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}
