/*
 * Unit tests: the store's eventID key (store.h). A load at least as big as
 * the store drops the unique key and builds it once at the end; a smaller one
 * inserts through it; a store in the middle of such a load opens only for the
 * ingest that finishes it; the key always comes back unique, and a store
 * without one (an older primary key aside) is refused.
 */
#include "store.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh temporary path in path (the file removed again). */
static void temp_path(char *path, size_t len)
{
    int fd;

    snprintf(path, len, "%s/ddbtrail-unit-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    unlink(path);
}

static void remove_store(const char *path)
{
    char side[600];

    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* A files row of size bytes and n events of it, ids prefix0..prefix(n-1). */
static int add_events(store *s, int64_t size, int n, const char *prefix)
{
    char sql[512];

    snprintf(sql, sizeof sql,
             "INSERT INTO files(path, size, mtime, status) VALUES('%s.json', %lld, 0,"
             " 'complete');"
             "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < %d)"
             " INSERT INTO events(event_id, event_name, file_id) SELECT '%s' || k, 'GetItem',"
             " (SELECT max(file_id) FROM files) FROM i;",
             prefix, (long long)size, n, prefix);
    return sqlite3_exec(store_db(s), sql, NULL, NULL, NULL) == SQLITE_OK;
}

static int64_t one_int(store *s, const char *sql)
{
    return store_first_int(store_db(s), sql);
}

/* Whether store_defer_keys() drops the key: by the bytes the store holds
 * against the bytes to read, never without STORE_DEFERRED_KEYS. */
static void defer_decision(void)
{
    static const struct {
        const char *name;
        int flags;
        int64_t held, incoming; /* held < 0: an empty store */
        int want;
    } cases[] = {
        {"empty store, input of unknown size", STORE_DEFERRED_KEYS, -1, 0, 1},
        {"load bigger than the store", STORE_DEFERRED_KEYS, 1000, 5000, 1},
        {"load as big as the store", STORE_DEFERRED_KEYS, 1000, 1000, 1},
        {"one more day: smaller than the store", STORE_DEFERRED_KEYS, 31000, 1000, 0},
        {"opener that does not settle", 0, -1, 5000, 0},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512], err[512];
        store *s;
        int got;

        temp_path(path, sizeof path);
        s = store_open(path, cases[i].flags, err, sizeof err);
        CHECKF(s != NULL, "%s: %s", cases[i].name, err);
        if (s == NULL)
            continue;
        if (cases[i].held >= 0)
            CHECK(add_events(s, cases[i].held, 10, "old"));
        got = store_defer_keys(s, cases[i].incoming, err, sizeof err);
        CHECKF(got == cases[i].want, "%s: got %d (%s)", cases[i].name, got, got < 0 ? err : "");
        CHECKF(one_int(s, "SELECT count(*) FROM meta WHERE key = 'keys_pending'") == got,
               "%s: the pending mark follows the decision", cases[i].name);
        store_free(s);
        remove_store(path);
    }
}

/* A load without the key: other openers refuse it until the ingest that
 * resumes it settles; then the key is unique again and the mark gone. */
static void pending_load(void)
{
    char path[512], err[512];
    uint64_t dups = 1, clashes = 1;
    store *s, *o;
    sqlite3 *db;

    temp_path(path, sizeof path);
    s = store_open(path, STORE_DEFERRED_KEYS, err, sizeof err);
    CHECKF(s != NULL, "%s", err);
    if (s == NULL)
        return;
    CHECK(store_defer_keys(s, 100, err, sizeof err) == 1);
    CHECK(add_events(s, 100, 5, "e") && add_events(s, 100, 3, "e")); /* e0..e2 twice */
    store_free(s); /* as if killed before settling */

    o = store_open(path, 0, err, sizeof err);
    CHECK(o == NULL && strstr(err, "without their eventID key") != NULL);
    store_free(o);
    o = store_open(path, STORE_READONLY, err, sizeof err);
    CHECK(o == NULL && strstr(err, "run the interrupted ingest again") != NULL);
    store_free(o);
    /* killed half-way through settling: a plain index of the key's name is left */
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE INDEX events_event_id ON events(event_id)", NULL, NULL,
                       NULL) == SQLITE_OK);
    sqlite3_close(db);

    s = store_open(path, STORE_DEFERRED_KEYS, err, sizeof err);
    CHECKF(s != NULL, "%s", err);
    if (s == NULL)
        return;
    CHECK(store_defer_keys(s, 0, err, sizeof err) == 1); /* resumes, whatever the size */
    CHECKF(store_settle_keys(s, NULL, NULL, &dups, &clashes, err, sizeof err) == 0, "%s", err);
    CHECKF(dups == 3 && clashes == 0, "dups %llu clashes %llu", (unsigned long long)dups,
           (unsigned long long)clashes);
    CHECK(one_int(s, "SELECT count(*) FROM events") == 5);
    CHECK(one_int(s, "SELECT \"unique\" FROM pragma_index_list('events')"
                     " WHERE name = 'events_event_id'") == 1);
    CHECK(one_int(s, "SELECT count(*) FROM meta WHERE key = 'keys_pending'") == 0);
    /* inserts now go through the key: a repeated eventID is ignored */
    CHECK(sqlite3_exec(store_db(s), "INSERT OR IGNORE INTO events(event_id) VALUES('e1')", NULL,
                       NULL, NULL) == SQLITE_OK);
    CHECK(one_int(s, "SELECT count(*) FROM events") == 5);
    store_free(s);

    o = store_open(path, STORE_READONLY, err, sizeof err);
    CHECKF(o != NULL, "settled, the store reads again: %s", err);
    store_free(o);
    remove_store(path);
}

/* Remakes db's events table with its eventID as primary key, as version 7
 * made it. */
static int as_version7(sqlite3 *db)
{
    sqlite3_stmt *st;
    char sql[4096] = "";
    int ok = 0;

    if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE name = 'events'", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        const char *k = strstr(t, "event_id TEXT,");
        if (k)
            ok = snprintf(sql, sizeof sql, "DROP INDEX events_event_id; DROP TABLE events;"
                          "%.*sevent_id TEXT PRIMARY KEY,%s", (int)(k - t), t,
                          k + strlen("event_id TEXT,")) < (int)sizeof sql;
    }
    sqlite3_finalize(st);
    return ok && sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* A store whose eventID index is not unique, or unique over some rows only
 * (made by hand, or by another tool), would take a repeated eventID
 * silently: refused. A store of version
 * 7 keeps its primary key, which is never dropped. */
static void key_shapes(void)
{
    static const char *const forged[] = {
        "CREATE INDEX events_event_id ON events(event_id)",
        "CREATE UNIQUE INDEX events_event_id ON events(event_id) WHERE event_name = 'x'",
    };
    char path[512], err[512];
    sqlite3 *db;
    store *s;
    size_t i;

    for (i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        char sql[256];
        temp_path(path, sizeof path);
        s = store_open(path, 0, err, sizeof err);
        CHECKF(s != NULL, "%s", err);
        store_free(s);
        snprintf(sql, sizeof sql, "DROP INDEX events_event_id; %s;", forged[i]);
        CHECK(sqlite3_open(path, &db) == SQLITE_OK);
        CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
        sqlite3_close(db);
        s = store_open(path, STORE_READONLY, err, sizeof err);
        CHECKF(s == NULL && strstr(err, "no unique eventID key") != NULL, "%s: %s", forged[i],
               err);
        store_free(s);
        s = store_open(path, 0, err, sizeof err);
        CHECKF(s == NULL && strstr(err, "no unique eventID key") != NULL, "%s: %s", forged[i],
               err);
        store_free(s);
        remove_store(path);
    }

    temp_path(path, sizeof path);
    s = store_open(path, 0, err, sizeof err);
    store_free(s);
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    /* the events table as version 7 made it: its eventID the primary key */
    CHECK(as_version7(db));
    sqlite3_close(db);
    s = store_open(path, STORE_DEFERRED_KEYS, err, sizeof err);
    CHECKF(s != NULL, "a version 7 key opens: %s", err);
    if (s != NULL) {
        CHECK(store_defer_keys(s, 1 << 20, err, sizeof err) == 0);
        CHECK(one_int(s, "SELECT count(*) FROM pragma_index_list('events')"
                         " WHERE name = 'events_event_id'") == 0);
        store_free(s);
    }
    remove_store(path);
}

const unit_test unit_store[] = {
    {"store_defer_decision", defer_decision},
    {"store_pending_load", pending_load},
    {"store_key_shapes", key_shapes},
    {NULL, NULL},
};
