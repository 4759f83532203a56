/*
 * store: SQLite schema and ingest statements (see store.h).
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STORE_SCHEMA_VERSION 8

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);\n"
    "CREATE TABLE IF NOT EXISTS files(\n"
    "  file_id INTEGER PRIMARY KEY, path TEXT NOT NULL, size INTEGER, mtime INTEGER,\n"
    "  format TEXT, events_seen INTEGER NOT NULL DEFAULT 0,\n"
    "  events_stored INTEGER NOT NULL DEFAULT 0, events_skipped INTEGER NOT NULL DEFAULT 0,\n"
    "  records_rejected INTEGER NOT NULL DEFAULT 0,\n"
    "  events_duplicate INTEGER NOT NULL DEFAULT 0,\n"
    "  status TEXT NOT NULL, error TEXT, ingested_at TEXT, shard TEXT);\n"
    "CREATE INDEX IF NOT EXISTS files_path ON files(path, size, mtime);\n"
    "CREATE TABLE IF NOT EXISTS events(\n"
    "  event_id TEXT, event_time TEXT, event_ts INTEGER, event_source TEXT,\n"
    "  event_name TEXT, event_type TEXT, event_category TEXT, read_only INTEGER,\n"
    "  aws_region TEXT, source_ip TEXT, source_kind TEXT, vpc_endpoint_id TEXT,\n"
    "  user_agent TEXT, identity_type TEXT, principal_arn TEXT, principal_id TEXT,\n"
    "  account_id TEXT, access_key_id TEXT, credential_kind TEXT, session_issuer_arn TEXT,\n"
    "  session_issuer_name TEXT, invoked_by TEXT, mfa_authenticated INTEGER,\n"
    "  table_name TEXT, error_code TEXT, error_message TEXT, recipient_account_id TEXT,\n"
    "  request_id TEXT, request_parameters TEXT, response_elements TEXT,\n"
    "  additional_event_data TEXT, file_id INTEGER, actor_arn TEXT, actor_kind TEXT,\n"
    "  vpc_endpoint_account_id TEXT, web_id_provider TEXT, web_id_attributes TEXT,\n"
    "  byte_offset INTEGER);\n"
    "CREATE TABLE IF NOT EXISTS rejects(file_id INTEGER, byte_offset INTEGER, reason TEXT);\n"
    "CREATE TABLE IF NOT EXISTS alerts(\n"
    "  alert_id INTEGER PRIMARY KEY, rule_id TEXT NOT NULL, severity TEXT NOT NULL,\n"
    "  title TEXT, first_seen TEXT, last_seen TEXT, event_count INTEGER, account_id TEXT,\n"
    "  aws_region TEXT, principal_arn TEXT, access_key_id TEXT, source_ip TEXT,\n"
    "  table_name TEXT, event_names TEXT, event_ids TEXT, detail TEXT, mitre TEXT,\n"
    "  fingerprint TEXT NOT NULL UNIQUE, detected_at TEXT, stage TEXT, story TEXT,\n"
    "  incident_id INTEGER, status TEXT NOT NULL DEFAULT 'open', status_reason TEXT,\n"
    "  novelty TEXT, tables TEXT);\n"
    "CREATE TABLE IF NOT EXISTS incidents(\n"
    "  incident_id INTEGER PRIMARY KEY, first_seen TEXT, last_seen TEXT, severity TEXT,\n"
    "  alerts INTEGER, stages TEXT, story TEXT, actors TEXT, access_keys TEXT,\n"
    "  source_ips TEXT);\n"
    "CREATE TABLE IF NOT EXISTS settings_actor(actor TEXT NOT NULL, key TEXT NOT NULL,\n"
    "  value INTEGER NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS integrity(\n"
    "  kind TEXT NOT NULL, trail TEXT, region TEXT, digest_path TEXT, log_path TEXT,\n"
    "  expected TEXT, actual TEXT, time_start TEXT, time_end TEXT, message TEXT);\n"
    "CREATE TABLE IF NOT EXISTS rule_runs(\n"
    "  rule_id TEXT PRIMARY KEY, title TEXT, severity TEXT, status TEXT, alerts INTEGER,\n"
    "  message TEXT, ran_at TEXT, rule_sha256 TEXT, description TEXT, falsepositives TEXT,\n"
    "  refs TEXT, mitre TEXT);\n"
    "CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value);\n"
    "CREATE TABLE IF NOT EXISTS settings_list(key TEXT NOT NULL, value TEXT NOT NULL);\n"
    "CREATE INDEX IF NOT EXISTS settings_list_key ON settings_list(key, value);\n"
    "CREATE TABLE IF NOT EXISTS effects(event_source TEXT NOT NULL, event_name TEXT NOT NULL,\n"
    "  effect TEXT NOT NULL, side TEXT, path TEXT, deep INTEGER, op TEXT, value);\n"
    "CREATE TABLE IF NOT EXISTS event_effects(effect TEXT NOT NULL, event_id TEXT NOT NULL,\n"
    "  PRIMARY KEY(effect, event_id)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS event_refs(event_id TEXT NOT NULL, kind TEXT NOT NULL,\n"
    "  service TEXT, account TEXT, region TEXT, resource TEXT, field TEXT);\n"
    "CREATE TABLE IF NOT EXISTS event_items(event_id TEXT NOT NULL, tbl TEXT, op TEXT NOT NULL,\n"
    "  items INTEGER, basis TEXT NOT NULL);\n" STORE_JUDGED_INDEXES_SQL;

/* What makes eventIDs unique. An index, not a primary key, so that a load
 * can drop it and build it once at the end (store_defer_keys()): an insert
 * into a random-keyed index per event made a big load grow faster than its
 * input. Stores of version 7 and before keep their primary key instead. */
static const char events_key_sql[] =
    "CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON events(event_id);";

/* The meta key marking a load without the unique key (set by store_defer_keys(),
 * cleared by store_settle_keys()): while it is set the events may hold one
 * eventID twice, so only an ingest, which settles them, may open the store. */
#define KEYS_PENDING "keys_pending"

/* Every schema object ddbtrail creates (or created in earlier versions). A
 * store holding anything else is refused: a trigger on alerts could delete
 * what a rule finds, a view could stand in for a table. */
static const char *const known_objects[] = {"table meta",
                                            "table files",
                                            "table events",
                                            "table rejects",
                                            "table alerts",
                                            "table rule_runs",
                                            "table settings",
                                            "table settings_list",
                                            "table incidents",
                                            "table settings_actor",
                                            "table integrity",
                                            "table effects",
                                            "table event_effects",
                                            "table event_refs",
                                            "index event_refs_event",
                                            "table event_items",
                                            "index event_items_event",
                                            "index files_path",
                                            "index settings_list_key",
                                            "index events_name_ts",
                                            "index events_ts",
                                            "index events_principal_ts",
                                            "index events_event_id",
                                            NULL};

struct store {
    sqlite3 *db;            /* the connection */
    sqlite3_stmt *ins_event; /* INSERT OR IGNORE INTO events */
    sqlite3_stmt *selectors_event; /* the stored row of an eventID, to compare a duplicate */
    sqlite3_stmt *ins_reject;
    sqlite3_stmt *upd_file;  /* counters, status, format, error */
    int in_txn;              /* a transaction is open */
    int deferred;            /* events appended without the unique key: store_settle_keys() */
    int may_defer;           /* opened with STORE_DEFERRED_KEYS */
    int throwaway;           /* STORE_THROWAWAY */
};

static int fail(store *s, char *err, size_t errlen, const char *what)
{
    int code = sqlite3_errcode(s->db);

    snprintf(err, errlen, "%s: %s%s", what, sqlite3_errmsg(s->db),
             code == SQLITE_BUSY || code == SQLITE_LOCKED
                 ? " (another process kept it busy for 30 s; try again when it is done)"
                 : "");
    return -1;
}

int store_exec(store *s, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;

    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        sqlite3_free(msg);
        return fail(s, err, errlen, "database");
    }
    return 0;
}

static int prepare(store *s, const char *sql, sqlite3_stmt **st, char *err, size_t errlen)
{
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return fail(s, err, errlen, "database");
    return 0;
}

static int prepare_ingest(store *s, char *err, size_t errlen)
{
    char sql[2048];
    size_t n = 0;
    int i;

    /* without the unique key (s->deferred) nothing is ignored */
    n += (size_t)snprintf(sql + n, sizeof sql - n, "INSERT OR IGNORE INTO events(");
    for (i = 0; i < NC_COUNT; i++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s,", normalize_col_names[i]);
    n += (size_t)snprintf(sql + n, sizeof sql - n, "file_id, byte_offset) VALUES(");
    for (i = 0; i <= NC_COUNT + 1; i++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "?%s", i < NC_COUNT + 1 ? "," : ")");
    if (prepare(s, sql, &s->ins_event, err, errlen) != 0)
        return -1;
    n = (size_t)snprintf(sql, sizeof sql, "SELECT ");
    for (i = 0; i < NC_COUNT; i++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s", normalize_col_names[i],
                              i + 1 < NC_COUNT ? "," : "");
    snprintf(sql + n, sizeof sql - n, " FROM events WHERE event_id=?");
    if (prepare(s, sql, &s->selectors_event, err, errlen) != 0 ||
        prepare(s, "INSERT INTO rejects(file_id, byte_offset, reason) VALUES(?,?,?)",
                &s->ins_reject, err, errlen) != 0 ||
        prepare(s,
                "UPDATE files SET events_seen=?2, events_stored=?3, events_skipped=?4,"
                " records_rejected=?5, events_duplicate=?6, status=?7, format=?8, error=?9"
                " WHERE file_id=?1",
                &s->upd_file, err, errlen) != 0)
        return -1;
    return 0;
}

/* Refuses a store written by a newer ddbtrail (a schema_version past this
 * one's: its tables may mean something else), and says whether the store
 * existed before (it has a meta table). Returns 0 or -1. */
static int check_version(store *s, int *existing, int64_t *version, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int rc;

    *existing = 0;
    *version = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_schema WHERE type = 'table'"
                                  " AND name = 'meta'", -1, &st, NULL) != SQLITE_OK)
        return fail(s, err, errlen, "not a ddbtrail database");
    *existing = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!*existing)
        return 0;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1,
                           &st, NULL) != SQLITE_OK)
        return fail(s, err, errlen, "not a ddbtrail database");
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > STORE_SCHEMA_VERSION) {
        snprintf(err, errlen, "written by a newer ddbtrail (schema %lld; this one knows up to %d); "
                 "refusing to use this database", (long long)sqlite3_column_int64(st, 0),
                 STORE_SCHEMA_VERSION);
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

/* Refuses a database holding schema objects ddbtrail did not create, naming
 * the first one. An empty database passes. Returns 0 or -1. */
static int check_schema(store *s, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int rc, bad = 0;

    if (sqlite3_prepare_v2(s->db,
                           "SELECT type, name, tbl_name FROM sqlite_schema"
                           " WHERE name NOT LIKE 'sqlite_autoindex_%' ORDER BY type <> 'trigger'",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(s, err, errlen, "not a ddbtrail database");
    while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *tbl = (const char *)sqlite3_column_text(st, 2);
        char want[160];
        int k;
        snprintf(want, sizeof want, "%s %s", type ? type : "?", name ? name : "?");
        for (k = 0; known_objects[k] && strcmp(known_objects[k], want) != 0; k++)
            ;
        if (known_objects[k] == NULL) {
            snprintf(err, errlen, "holds a %s '%.60s' on '%.60s' that ddbtrail did not create "
                     "(it could hide or change results); refusing to use this database",
                     type ? type : "?", name ? name : "?", tbl ? tbl : "?");
            bad = 1;
        }
    }
    sqlite3_finalize(st);
    if (bad)
        return -1;
    if (rc != SQLITE_DONE)
        return fail(s, err, errlen, "not a ddbtrail database");
    return 0;
}

/* The shape of each table and index of db, one line per column or key:
 * what check_shape() compares. */
static const char shape_sql[] =
    "SELECT m.name, group_concat(x.name || ' ' || x.type || ' ' || x.\"notnull\" || ' ' ||"
    "   quote(x.dflt_value) || ' ' ||"
    "   (CASE WHEN m.name = 'events' AND x.name = 'event_id' THEN 0 ELSE x.pk END) || ' ' ||"
    "   x.hidden, ', ')"
    " FROM sqlite_schema m, pragma_table_xinfo(m.name) x WHERE m.type = 'table'"
    "   AND (?1 IS NULL OR m.name = ?1) GROUP BY m.name"
    " UNION ALL "
    "SELECT m.name, group_concat(x.cid || ' ' || coalesce(x.name, '?') || ' ' || x.\"desc\" ||"
    "   ' ' || x.coll || ' ' || x.key, ', ')"
    " FROM sqlite_schema m, pragma_index_xinfo(m.name) x WHERE m.type = 'index'"
    "   AND m.name NOT LIKE 'sqlite_autoindex_%' AND (?1 IS NULL OR m.name = ?1) GROUP BY m.name";

/* A store from elsewhere (a --db, a shard) must have the shape this version
 * gives its tables and indexes, not only their names: a generated column or
 * an index on an expression makes one row cost what its author wants (a 1 MB
 * shard grew to 1.5 GB). Compared, after migration, with a reference store
 * built in memory from this version's schema; columns are compared as sets
 * (a migration appends them). Returns 0 or -1 naming the first difference. */
static int check_shape(store *s, char *err, size_t errlen)
{
    sqlite3 *ref = NULL;
    sqlite3_stmt *mine = NULL, *theirs = NULL;
    int rc, bad = 0;

    if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(ref, schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(ref, events_key_sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, shape_sql, -1, &mine, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(ref, shape_sql, -1, &theirs, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot check the store's shape: %s",
                 ref ? sqlite3_errmsg(ref) : "out of memory");
        sqlite3_finalize(mine);
        sqlite3_close(ref);
        return -1;
    }
    sqlite3_bind_null(mine, 1);
    while (!bad && (rc = sqlite3_step(mine)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(mine, 0);
        const char *shape = (const char *)sqlite3_column_text(mine, 1);
        sqlite3_reset(theirs);
        sqlite3_bind_text(theirs, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(theirs) == SQLITE_ROW) {
            const char *want = (const char *)sqlite3_column_text(theirs, 1);
            /* the same columns in any order: compare each of mine is in theirs, and the
             * counts agree */
            size_t nm = 1, nw = 1;
            const char *p;
            for (p = shape; p && *p; p++)
                nm += *p == ',';
            for (p = want; p && *p; p++)
                nw += *p == ',';
            bad = nm != nw;
            for (p = shape; !bad && p && *p;) {
                size_t len = strcspn(p, ",");
                char item[400];
                snprintf(item, sizeof item, "%.*s", (int)len, p);
                bad = strstr(want, item) == NULL;
                p += len;
                while (*p == ',' || *p == ' ')
                    p++;
            }
        } else {
            /* an index of an earlier version: keys on columns only, never an expression */
            bad = shape && (strncmp(shape, "-2 ", 3) == 0 || strstr(shape, ", -2 ") != NULL);
        }
        if (bad)
            snprintf(err, errlen, "its '%.60s' is not shaped as ddbtrail makes it (a column or "
                     "key added or changed: it could hide or inflate results); refusing to use "
                     "this database", name ? name : "?");
    }
    sqlite3_finalize(mine);
    sqlite3_finalize(theirs);
    sqlite3_close(ref);
    return bad ? -1 : 0;
}

/* Version 1 stores lack the actor columns: add them and derive the actor
 * from what is stored, as normalize.c's set_actor() does (an endpoint's owner was
 * not kept, so it stays NULL for old rows). Runs inside the schema
 * transaction; a no-op on current stores. */
static const char migrate_v2_sql[] =
    "ALTER TABLE events ADD COLUMN actor_arn TEXT;"
    "ALTER TABLE events ADD COLUMN actor_kind TEXT;"
    "ALTER TABLE events ADD COLUMN vpc_endpoint_account_id TEXT;"
    "UPDATE events SET actor_arn = CASE"
    "  WHEN identity_type IN ('AssumedRole', 'FederatedUser') AND session_issuer_arn IS NOT NULL"
    "    THEN session_issuer_arn"
    "  WHEN identity_type = 'AWSService' AND invoked_by IS NOT NULL THEN invoked_by"
    "  ELSE coalesce(principal_arn, access_key_id,"
    "                CASE WHEN identity_type = 'Root' THEN account_id END, principal_id) END;"
    "UPDATE events SET actor_kind = CASE"
    "  WHEN identity_type = 'AWSService' OR instr(actor_arn, ':role/aws-service-role/') > 0"
    "       OR instr(principal_arn, ':assumed-role/AWSServiceRoleFor') > 0 THEN 'aws-service'"
    "  WHEN identity_type = 'Root' THEN 'root' WHEN identity_type = 'IAMUser' THEN 'user'"
    "  WHEN identity_type = 'AssumedRole' THEN 'role'"
    "  WHEN identity_type = 'FederatedUser' THEN 'federated' ELSE 'other' END;"
    "UPDATE meta SET value = '2' WHERE key = 'schema_version';";

/* Version 2 stores lack the incident, suppression and novelty columns of
 * alerts (the tables they need are created by schema_sql). */
static const char migrate_v3_sql[] =
    "ALTER TABLE alerts ADD COLUMN stage TEXT;"
    "ALTER TABLE alerts ADD COLUMN story TEXT;"
    "ALTER TABLE alerts ADD COLUMN incident_id INTEGER;"
    "ALTER TABLE alerts ADD COLUMN status TEXT NOT NULL DEFAULT 'open';"
    "ALTER TABLE alerts ADD COLUMN status_reason TEXT;"
    "ALTER TABLE alerts ADD COLUMN novelty TEXT;"
    "UPDATE meta SET value = '3' WHERE key = 'schema_version';";

/* Version 3 stores lack the rule file digests that merge compares, and the
 * shard a merged files row came from. */
static const char migrate_v4_sql[] = "ALTER TABLE rule_runs ADD COLUMN rule_sha256 TEXT;"
                                     "ALTER TABLE files ADD COLUMN shard TEXT;"
                                     "UPDATE meta SET value = '4' WHERE key = 'schema_version';";

/* Version 4 stores lack the effect tables, which schema_sql creates, and
 * judged the actor as normalize.c no longer does: a user or role acting
 * through a service (invokedBy) was "AWS itself", and a federated session of
 * an IAM user was not that user. */
static const char migrate_v5_sql[] =
    "UPDATE events SET actor_kind = CASE"
    "  WHEN identity_type = 'AWSService' OR instr(actor_arn, ':role/aws-service-role/') > 0"
    "       OR instr(principal_arn, ':assumed-role/AWSServiceRoleFor') > 0 THEN 'aws-service'"
    "  WHEN identity_type = 'Root' THEN 'root'"
    "  WHEN identity_type = 'IAMUser' THEN 'user'"
    "  WHEN identity_type = 'FederatedUser' AND instr(session_issuer_arn, ':user/') > 0"
    "    THEN 'user'"
    "  WHEN identity_type = 'AssumedRole' THEN 'role'"
    "  WHEN identity_type = 'FederatedUser' THEN 'federated' ELSE 'other' END"
    " WHERE (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version') < 5;"
    "UPDATE meta SET value = '5' WHERE key = 'schema_version' AND CAST(value AS INTEGER) < 5;";

/* Version 5 stores lack the web identity facts (a Cognito guest's amr). */
static const char migrate_v6_sql[] =
    "ALTER TABLE events ADD COLUMN web_id_provider TEXT;"
    "ALTER TABLE events ADD COLUMN web_id_attributes TEXT;";

/* v7: alerts over several tables name them all; a rule's run keeps what the
 * report says of the rule; every event keeps where its record starts. */
static const char migrate_v7_sql[] = "ALTER TABLE alerts ADD COLUMN tables TEXT;";
static const char migrate_v7_offset_sql[] = "ALTER TABLE events ADD COLUMN byte_offset INTEGER;";
static const char migrate_v7_rules_sql[] =
    "ALTER TABLE rule_runs ADD COLUMN description TEXT;"
    "ALTER TABLE rule_runs ADD COLUMN falsepositives TEXT;"
    "ALTER TABLE rule_runs ADD COLUMN refs TEXT;"
    "ALTER TABLE rule_runs ADD COLUMN mitre TEXT;";

/* 2 when table has the column as (part of) its primary key, 1 when it has it
 * otherwise, 0 when not, -1 on error. */
static int has_column(store *s, const char *table, const char *column)
{
    sqlite3_stmt *st;
    int rc, pk = 0;

    if (sqlite3_prepare_v2(s->db, "SELECT pk FROM pragma_table_info(?1) WHERE name = ?2", -1,
                           &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        pk = sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 + pk : rc == SQLITE_DONE ? 0 : -1;
}

static int migrate(store *s, char *err, size_t errlen)
{
    int v2 = has_column(s, "events", "actor_arn"), v3 = has_column(s, "alerts", "incident_id");
    int v4 = has_column(s, "rule_runs", "rule_sha256");
    int v6 = has_column(s, "events", "web_id_attributes"), v7 = has_column(s, "alerts", "tables");
    int v7r = has_column(s, "rule_runs", "refs"), v7o = has_column(s, "events", "byte_offset");

    if (v2 < 0 || v3 < 0 || v4 < 0 || v6 < 0 || v7 < 0 || v7r < 0 || v7o < 0)
        return fail(s, err, errlen, "database");
    if (!v2 && store_exec(s, migrate_v2_sql, err, errlen) != 0)
        return -1;
    if (!v3 && store_exec(s, migrate_v3_sql, err, errlen) != 0)
        return -1;
    if (!v4 && store_exec(s, migrate_v4_sql, err, errlen) != 0)
        return -1;
    if (!v6 && store_exec(s, migrate_v6_sql, err, errlen) != 0)
        return -1;
    if (!v7 && store_exec(s, migrate_v7_sql, err, errlen) != 0)
        return -1;
    if (!v7r && store_exec(s, migrate_v7_rules_sql, err, errlen) != 0)
        return -1;
    if (!v7o && store_exec(s, migrate_v7_offset_sql, err, errlen) != 0)
        return -1;
    if (store_exec(s, migrate_v5_sql, err, errlen) != 0)
        return -1;
    /* v8: the eventID key is an index (events_key_sql); older stores keep their
     * primary key, which serves the same */
    return store_exec(s, "UPDATE meta SET value = '8' WHERE key = 'schema_version'"
                         " AND CAST(value AS INTEGER) < 8;", err, errlen);
}

/* Switches to WAL unless already there. Changing the journal mode needs an
 * exclusive lock, and SQLite does not run the busy handler for it, so two
 * processes creating the same database at once retry here. */
static int set_wal(store *s, char *err, size_t errlen)
{
    int tries;

    for (tries = 0; tries < 600; tries++) {
        sqlite3_stmt *st;
        int rc, wal = 0;

        if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK)
            return fail(s, err, errlen, "database");
        rc = sqlite3_step(st);
        /* an in-memory database (rules check) reports "memory" and stays so */
        if (rc == SQLITE_ROW)
            wal = strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0 ||
                  strcmp((const char *)sqlite3_column_text(st, 0), "memory") == 0;
        sqlite3_finalize(st);
        if (wal)
            return 0;
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED && rc != SQLITE_ROW)
            return fail(s, err, errlen, "database");
        sqlite3_sleep(50);
    }
    return fail(s, err, errlen, "database");
}

/* 1 when the events table has its eventID as primary key (a store of
 * version 7 or before), 0 when not, -1 on error. */
static int has_key_column(store *s)
{
    int c = has_column(s, "events", "event_id");

    return c < 0 ? -1 : c == 2;
}

/* Sees that the store's eventIDs are unique, or will be made so by this
 * opener: a primary key (older stores), the unique index (created here on a
 * new store unless it loads without it), or a load without it that this
 * opener, an ingest, finishes. Anything else is refused: a store whose
 * events may repeat an eventID would count them twice. Returns 0 or -1. */
static int check_key(store *s, int readonly, char *err, size_t errlen)
{
    char v[32];
    int pk = has_key_column(s), pending = store_meta_get(s, KEYS_PENDING, v, sizeof v);

    if (pk < 0 || pending < 0)
        return fail(s, err, errlen, "database");
    if (pk)
        return 0;
    if (pending) {
        if (s->may_defer && !readonly) {
            s->deferred = 1; /* this ingest settles the earlier load's keys too */
            return 0;
        }
        snprintf(err, errlen, "an ingest into it is loading events without their eventID key "
                 "(still running, or interrupted): wait for it to finish, or run the "
                 "interrupted ingest again to finish it; until then its events may repeat");
        return -1;
    }
    if (s->deferred)
        return 0; /* a throwaway store loading its one batch */
    if (!readonly && store_exec(s, events_key_sql, err, errlen) != 0)
        return -1;
    /* a partial index (WHERE ...) is unique only over the rows it picks */
    if (store_first_int(s->db, "SELECT \"unique\" AND NOT partial FROM pragma_index_list"
                               "('events') WHERE name = 'events_event_id'") != 1) {
        snprintf(err, errlen, "its events have no unique eventID key (a unique index "
                 "events_event_id over every row); refusing to use this database");
        return -1;
    }
    return 0;
}

store *store_open(const char *path, int flags, char *err, size_t errlen)
{
    store *s = calloc(1, sizeof *s);
    int existing = 0;
    int64_t version = 0;
    int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
                                           : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->may_defer = (flags & STORE_DEFERRED_KEYS) != 0;
    s->throwaway = (flags & STORE_THROWAWAY) != 0;
    s->deferred = s->may_defer && s->throwaway;
    if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
        store_free(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 30000);
    sqlite3_extended_result_codes(s->db, 1);
    /* a store may come from elsewhere: no writes to the schema through SQL, no
     * functions with side effects run from the schema itself */
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    /* read-only, a store of an earlier version cannot be migrated to compare: its names
     * are checked, and it is read as it is */
    if (check_schema(s, err, errlen) != 0 ||
        check_version(s, &existing, &version, err, errlen) != 0 ||
        ((flags & STORE_READONLY) && existing && version == STORE_SCHEMA_VERSION &&
         check_shape(s, err, errlen) != 0)) {
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s: %s", path, err);
        snprintf(err, errlen, "%s", tmp);
        store_free(s);
        return NULL;
    }
    if (!(flags & STORE_READONLY)) {
        char ver[64];
        snprintf(ver, sizeof ver, "INSERT OR IGNORE INTO meta VALUES('schema_version','%d');",
                 STORE_SCHEMA_VERSION);
        /* A throwaway store needs no durability: no fsync, and a rollback journal that is
         * truncated, not a WAL every page passes through twice (scan, 200 000 events:
         * 2.77 s -> 2.03 s median; an in-memory journal was as fast but grew with each
         * transaction). 16 KiB pages for a new store (an existing one keeps its own): a quarter of the
         * reads for every full pass of the rules (2 000 000 events: scan 21.4 s -> 13.8 s,
         * detect 9.0 s -> 6.5 s, ingest 28.0 s -> 21.9 s; store 5 % smaller) */
        if (store_exec(s, "PRAGMA page_size=16384;", err, errlen) ||
            (flags & STORE_THROWAWAY
                 ? store_exec(s, "PRAGMA journal_mode=TRUNCATE; PRAGMA synchronous=OFF;", err,
                              errlen)
                 : set_wal(s, err, errlen) ||
                       store_exec(s, "PRAGMA synchronous=NORMAL;", err, errlen)) ||
            store_exec(s, "PRAGMA cache_size=-8192;", err, errlen) ||
            store_exec(s, "BEGIN IMMEDIATE", err, errlen) ||
            store_exec(s, schema_sql, err, errlen) || migrate(s, err, errlen) ||
            (existing && check_shape(s, err, errlen)) || check_key(s, 0, err, errlen) ||
            store_exec(s, ver, err, errlen) ||
            store_exec(s, "COMMIT", err, errlen) || prepare_ingest(s, err, errlen)) {
            char tmp[512];
            snprintf(tmp, sizeof tmp, "%s: %s", path, err);
            snprintf(err, errlen, "%s", tmp);
            store_free(s);
            return NULL;
        }
    } else {
        sqlite3_stmt *st = NULL;
        int ok = sqlite3_prepare_v2(s->db, "SELECT 1 FROM events LIMIT 1", -1, &st, NULL) ==
                 SQLITE_OK;
        sqlite3_finalize(st);
        if (!ok) {
            snprintf(err, errlen, "%s is not a ddbtrail database (%s)", path,
                     sqlite3_errmsg(s->db));
            store_free(s);
            return NULL;
        }
        if (check_key(s, 1, err, errlen) != 0) {
            char tmp[512];
            snprintf(tmp, sizeof tmp, "%s: %s", path, err);
            snprintf(err, errlen, "%s", tmp);
            store_free(s);
            return NULL;
        }
    }
    return s;
}

sqlite3 *store_db(store *s)
{
    return s->db;
}

void store_free(store *s)
{
    if (s == NULL)
        return;
    if (s->in_txn)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_finalize(s->ins_event);
    sqlite3_finalize(s->selectors_event);
    sqlite3_finalize(s->ins_reject);
    sqlite3_finalize(s->upd_file);
    sqlite3_close(s->db);
    free(s);
}

int store_file_known(store *s, const char *path, int64_t size, int64_t mtime)
{
    sqlite3_stmt *st;
    int found = 0;

    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM files WHERE path=? AND size=? AND mtime=?"
                           " AND status='complete' LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, size);
    sqlite3_bind_int64(st, 3, mtime);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

int store_first_text(sqlite3 *db, const char *sql, const char *param, char *buf, size_t len)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (param)
        sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(buf, len, "%s",
                 sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int64_t store_first_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int store_meta_get(store *s, const char *key, char *buf, size_t len)
{
    return store_first_text(s->db, "SELECT value FROM meta WHERE key = ?", key, buf, len);
}

int store_meta_set(store *s, const char *key, const char *value, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1,
                           &st, NULL) != SQLITE_OK)
        return fail(s, err, errlen, "database");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(s, err, errlen, "database");
}

int store_begin(store *s, char *err, size_t errlen)
{
    if (s->in_txn)
        return 0;
    if (store_exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
        return -1;
    s->in_txn = 1;
    return 0;
}

int store_commit(store *s, char *err, size_t errlen)
{
    if (!s->in_txn)
        return 0;
    if (store_exec(s, "COMMIT", err, errlen) != 0)
        return -1;
    s->in_txn = 0;
    return 0;
}

int store_file_begin(store *s, const char *path, int64_t size, int64_t mtime,
                     int64_t *file_id, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int rc;

    if (store_begin(s, err, errlen) != 0)
        return -1;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO files(path, size, mtime, status, ingested_at)"
                           " VALUES(?,?,?,'in-progress',strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(s, err, errlen, "database");
    sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
    if (size >= 0)
        sqlite3_bind_int64(st, 2, size);
    sqlite3_bind_int64(st, 3, mtime);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(s, err, errlen, "database");
    *file_id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

/* 1 when the stored column c of st holds v. */
static int same_value(sqlite3_stmt *st, int c, const normalize_val *v)
{
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_NULL:
        return v->type == NT_NULL;
    case SQLITE_INTEGER:
        return v->type == NT_INT && sqlite3_column_int64(st, c) == v->i;
    default:
        return v->type == NT_TEXT && (size_t)sqlite3_column_bytes(st, c) == v->n &&
               (v->n == 0 || memcmp(sqlite3_column_blob(st, c), v->p, v->n) == 0);
    }
}

/* Compares row with the stored row of its eventID; the names of the columns
 * that differ go to diff. Returns the number of differing columns, or -1. */
static int compare_stored(store *s, const normalize_row *row, char *diff, size_t difflen)
{
    sqlite3_stmt *st = s->selectors_event;
    const normalize_val *id = &row->col[NC_EVENT_ID];
    size_t n = 0;
    int c, ndiff = 0, rc;

    if (difflen)
        diff[0] = '\0';
    sqlite3_bind_text(st, 1, id->p, (int)id->n, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        for (c = 0; c < NC_COUNT; c++) {
            if (same_value(st, c, &row->col[c]))
                continue;
            if (n < difflen)
                n += (size_t)snprintf(diff + n, difflen - n, "%s%s", ndiff ? ", " : "",
                                      normalize_col_names[c]);
            ndiff++;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? ndiff : rc == SQLITE_DONE ? 0 : -1;
}

int store_event(store *s, int64_t file_id, uint64_t offset, const normalize_row *row,
                enum store_outcome *outcome, char *diff, size_t difflen, char *err, size_t errlen)
{
    sqlite3_stmt *st = s->ins_event;
    int i, rc;

    for (i = 0; i < NC_COUNT; i++) {
        const normalize_val *v = &row->col[i];
        if (v->type == NT_TEXT)
            sqlite3_bind_text(st, i + 1, v->p, (int)v->n, SQLITE_STATIC);
        else if (v->type == NT_INT)
            sqlite3_bind_int64(st, i + 1, v->i);
        else
            sqlite3_bind_null(st, i + 1);
    }
    sqlite3_bind_int64(st, NC_COUNT + 1, file_id);
    /* where the record starts in its file, decompressed: 'events --raw' reads it back */
    sqlite3_bind_int64(st, NC_COUNT + 2, (int64_t)offset);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return fail(s, err, errlen, "database");
    /* without the unique key every row is inserted; with it (also when a
     * concurrent load built it meanwhile) an ignored row is compared */
    if (sqlite3_changes(s->db) > 0) {
        *outcome = STORE_NEW;
        return 0;
    }
    rc = compare_stored(s, row, diff, difflen);
    if (rc < 0)
        return fail(s, err, errlen, "database");
    *outcome = rc > 0 ? STORE_CLASH : STORE_DUPLICATE;
    return 0;
}

static void clash_reason(const char *id, size_t n, const char *diff, char *buf, size_t len)
{
    snprintf(buf, len, "eventID %.*s is already stored with other content (differs: %s); "
             "this record was not stored", (int)(n > 100 ? 100 : n), id, diff);
}

void store_clash_reason(const normalize_row *row, const char *diff, char *buf, size_t len)
{
    clash_reason(row->col[NC_EVENT_ID].p, row->col[NC_EVENT_ID].n, diff, buf, len);
}

/* One later record of an eventID against the first: a duplicate is counted
 * where it was read, a clash becomes that file's reject. Deletes the record. */
static int settle_one(store *s, sqlite3_stmt *cmp, sqlite3_stmt *const upd[3], int64_t keep,
                      int64_t rid, int64_t file_id, uint64_t offset, const char *id,
                      store_clash_fn on_clash, void *ctx, uint64_t *dups, uint64_t *clashes)
{
    char diff[300] = "", why[512];
    size_t n = 0;
    int c, ndiff = 0, rc;

    sqlite3_bind_int64(cmp, 1, keep);
    sqlite3_bind_int64(cmp, 2, rid);
    if ((rc = sqlite3_step(cmp)) == SQLITE_ROW)
        for (c = 0; c < NC_COUNT; c++)
            if (sqlite3_column_int(cmp, c)) {
                if (n < sizeof diff)
                    n += (size_t)snprintf(diff + n, sizeof diff - n, "%s%s", ndiff ? ", " : "",
                                          normalize_col_names[c]);
                ndiff++;
            }
    sqlite3_reset(cmp);
    if (rc != SQLITE_ROW)
        return -1;
    sqlite3_bind_int64(upd[0], 1, rid);
    sqlite3_bind_int64(upd[ndiff ? 2 : 1], 1, file_id);
    rc = sqlite3_step(upd[0]) == SQLITE_DONE && sqlite3_step(upd[ndiff ? 2 : 1]) == SQLITE_DONE;
    sqlite3_reset(upd[0]);
    sqlite3_reset(upd[ndiff ? 2 : 1]);
    if (!rc)
        return -1;
    if (ndiff == 0) {
        (*dups)++;
        return 0;
    }
    (*clashes)++;
    clash_reason(id, strlen(id), diff, why, sizeof why);
    sqlite3_bind_int64(s->ins_reject, 1, file_id);
    sqlite3_bind_int64(s->ins_reject, 2, (int64_t)offset);
    sqlite3_bind_text(s->ins_reject, 3, why, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s->ins_reject);
    sqlite3_reset(s->ins_reject);
    if (rc != SQLITE_DONE)
        return -1;
    if (on_clash)
        on_clash(ctx, file_id, offset, why);
    return 0;
}

/* The end of a load without the unique key, in its transaction. */
static int settled(store *s, char *err, size_t errlen)
{
    if (store_exec(s, "DELETE FROM meta WHERE key = '" KEYS_PENDING "'", err, errlen) != 0 ||
        store_commit(s, err, errlen) != 0)
        return -1;
    s->deferred = s->throwaway; /* a throwaway store is never written again */
    return 0;
}

int store_settle_keys(store *s, store_clash_fn on_clash, void *ctx, uint64_t *dups,
                      uint64_t *clashes, char *err, size_t errlen)
{
    static const char *const upd_sql[3] = {
        "DELETE FROM events WHERE rowid = ?1",
        "UPDATE files SET events_duplicate = events_duplicate + 1 WHERE file_id = ?1",
        ("UPDATE files SET events_stored = events_stored - 1,"
         " records_rejected = records_rejected + 1 WHERE file_id = ?1")};
    sqlite3_stmt *cmp = NULL, *list = NULL, *upd[3] = {NULL, NULL, NULL};
    char sql[4096], *last = NULL;
    size_t n;
    int64_t keep = 0;
    int i, rc = -1;

    *dups = *clashes = 0;
    if (!s->deferred)
        return 0;
    if (store_begin(s, err, errlen) != 0)
        return -1;
    /* a lasting store needs the unique key back, and most loads hold no
     * eventID twice: one index build when it holds, then none to settle (nor
     * when a concurrent load built it: what this one added since was checked
     * row by row) */
    if (!s->throwaway) {
        /* (an index of its name that is not the key, left by a settle that stopped
         * half-way, would make the build below a no-op) */
        if (store_first_int(s->db, "SELECT NOT \"unique\" OR partial FROM pragma_index_list"
                                   "('events') WHERE name = 'events_event_id'") == 1 &&
            store_exec(s, "DROP INDEX events_event_id;", err, errlen) != 0)
            return -1;
        if (sqlite3_exec(s->db, events_key_sql, NULL, NULL, NULL) == SQLITE_OK)
            return settled(s, err, errlen);
        if ((sqlite3_errcode(s->db) & 0xff) != SQLITE_CONSTRAINT) /* extended codes are on */
            return fail(s, err, errlen, "database");
    }
    /* every record of an eventID read more than once, in the order they were
     * stored; a throwaway store keeps the plain index that finds them, a lasting
     * one sorts for them and builds its unique index once, after */
    if ((s->throwaway &&
         store_exec(s, "CREATE INDEX IF NOT EXISTS events_event_id ON events(event_id);", err,
                    errlen) != 0) ||
        store_exec(s,
                   "DROP TABLE IF EXISTS temp.settle;"
                   "CREATE TEMP TABLE settle AS SELECT rowid AS rid, event_id, file_id, byte_offset"
                   " FROM events WHERE event_id IN"
                   " (SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1)"
                   " ORDER BY event_id, rowid;",
                   err, errlen) != 0)
        return -1;
    n = (size_t)snprintf(sql, sizeof sql, "SELECT ");
    for (i = 0; i < NC_COUNT; i++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "a.%s IS NOT b.%s%s", normalize_col_names[i],
                              normalize_col_names[i], i + 1 < NC_COUNT ? ", " : "");
    snprintf(sql + n, sizeof sql - n, " FROM events a, events b WHERE a.rowid = ?1"
             " AND b.rowid = ?2");
    if (sqlite3_prepare_v2(s->db, sql, -1, &cmp, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "SELECT rid, event_id, file_id, byte_offset FROM temp.settle"
                                  " ORDER BY rowid", -1, &list, NULL) != SQLITE_OK)
        goto out;
    for (i = 0; i < 3; i++)
        if (sqlite3_prepare_v2(s->db, upd_sql[i], -1, &upd[i], NULL) != SQLITE_OK)
            goto out;
    while ((rc = sqlite3_step(list)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(list, 1);
        if (id == NULL)
            continue; /* no eventID: never stored, but be safe */
        if (last == NULL || strcmp(id, last) != 0) { /* the first of its eventID stays */
            free(last);
            if ((last = strdup(id)) == NULL) {
                rc = SQLITE_NOMEM;
                break;
            }
            keep = sqlite3_column_int64(list, 0);
            continue;
        }
        if (settle_one(s, cmp, upd, keep, sqlite3_column_int64(list, 0),
                       sqlite3_column_int64(list, 2), (uint64_t)sqlite3_column_int64(list, 3),
                       id, on_clash, ctx, dups, clashes) != 0) {
            rc = SQLITE_ERROR;
            break;
        }
    }
    rc = rc == SQLITE_DONE ? 0 : -1;
out:
    free(last);
    if (rc != 0)
        fail(s, err, errlen, "database");
    sqlite3_finalize(cmp);
    sqlite3_finalize(list);
    for (i = 0; i < 3; i++)
        sqlite3_finalize(upd[i]);
    if (rc == 0 && store_exec(s, "DROP TABLE temp.settle", err, errlen) != 0)
        rc = -1;
    if (rc == 0 && !s->throwaway && store_exec(s, events_key_sql, err, errlen) != 0)
        rc = -1;
    return rc == 0 ? settled(s, err, errlen) : -1;
}

int store_defer_keys(store *s, int64_t new_bytes, char *err, size_t errlen)
{
    int64_t held;
    int pk;

    if (s->deferred || !s->may_defer)
        return s->deferred;
    if ((pk = has_key_column(s)) != 0)
        return pk < 0 ? fail(s, err, errlen, "database") : 0;
    /* dropping the key costs a build over all events at the end; inserting
     * through it costs a random index page per event: build when the load is
     * at least what the store already holds */
    held = store_first_int(s->db, "SELECT CASE WHEN EXISTS (SELECT 1 FROM events)"
                                  " THEN (SELECT total(size) FROM files WHERE size > 0)"
                                  " ELSE 0 END");
    if (held < 0)
        return fail(s, err, errlen, "database");
    if (held > new_bytes)
        return 0;
    if (store_begin(s, err, errlen) != 0 ||
        store_exec(s, "DROP INDEX IF EXISTS events_event_id;", err, errlen) != 0 ||
        store_meta_set(s, KEYS_PENDING, "1", err, errlen) != 0 || store_commit(s, err, errlen) != 0)
        return -1;
    s->deferred = 1;
    return 1;
}

int store_reject(store *s, int64_t file_id, uint64_t offset, const char *reason, char *err,
                 size_t errlen)
{
    sqlite3_stmt *st = s->ins_reject;
    int rc;

    sqlite3_bind_int64(st, 1, file_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)offset);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return fail(s, err, errlen, "database");
    return 0;
}

int store_file_update(store *s, int64_t file_id, const store_counts *c, const char *status,
                      const char *format, const char *error, char *err, size_t errlen)
{
    sqlite3_stmt *st = s->upd_file;
    int rc;

    sqlite3_bind_int64(st, 1, file_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)c->seen);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)c->stored);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)c->skipped);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)c->rejected);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)c->duplicate);
    sqlite3_bind_text(st, 7, status, -1, SQLITE_STATIC);
    if (format)
        sqlite3_bind_text(st, 8, format, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 8);
    if (error)
        sqlite3_bind_text(st, 9, error, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 9);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return fail(s, err, errlen, "database");
    return 0;
}

int store_integrity(store *s, const char *const f[STORE_INTEGRITY_COLS], char *err,
                    size_t errlen)
{
    sqlite3_stmt *st;
    int i, rc;

    if (f == NULL)
        return store_exec(s, "DELETE FROM integrity", err, errlen);
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO integrity(kind, trail, region, digest_path, log_path,"
                           " expected, actual, time_start, time_end, message)"
                           " VALUES(?,?,?,?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(s, err, errlen, "database");
    for (i = 0; i < STORE_INTEGRITY_COLS; i++)
        if (f[i])
            sqlite3_bind_text(st, i + 1, f[i], -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(s, err, errlen, "database");
}

int store_prepare_detect(store *s, char *err, size_t errlen)
{
    /* Created on first detect, not at ingest, so bulk loading stays fast. Only the
     * selective lookups rules make (management calls by name, the report's time range) get
     * an index: whole-table rules read faster in row order than through an index, and
     * events_principal_ts, which older versions made, tempted the planner into that.
     * Rules read in order, so the page cache buys them little, but SQLite sizes every
     * sorter's memory by it: a smaller cache bounds a rule that sorts a flood (400 000
     * events, half of them Scans by one key: 93 MiB -> 49 MiB peak, no slower). */
    return store_exec(s,
                      "PRAGMA cache_size=-2048;"
                      "DROP INDEX IF EXISTS events_principal_ts;"
                      "CREATE INDEX IF NOT EXISTS events_name_ts ON events(event_name, event_ts);"
                      "CREATE INDEX IF NOT EXISTS events_ts ON events(event_ts);",
                      err, errlen);
}
