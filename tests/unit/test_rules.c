/*
 * Unit tests: rules (rules.h) run side by side keep every row of a result
 * larger than the in-memory budget, in a scratch table, so the caller
 * stores it without running the rule a second time (job status 0, never 1).
 */
#include "rules.h"
#include "functions.h"
#include "store.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A rule of `rows` alerts of about 300 bytes each: 40 000 of them is ~12 MiB,
 * three times the 4 MiB budget. */
static const char big_rule[] =
    "-- id: T-BIG\n"
    "-- title: many alerts\n"
    "-- severity: low\n"
    "-- description: a result larger than the budget\n"
    "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < %ld)\n"
    "SELECT '2026-11-12T02:00:00Z' AS first_seen, '2026-11-12T02:00:00Z' AS last_seen,\n"
    "       1 AS event_count, '111122223333' AS account_id, 'eu-west-1' AS aws_region,\n"
    "       'arn:aws:iam::111122223333:user/u' || k AS principal_arn, NULL AS access_key_id,\n"
    "       NULL AS source_ip, 't' || k AS table_name, 'Scan' AS event_names,\n"
    "       'ev-' || k AS event_ids, printf('%%.250c', 'x') || k AS detail, k AS group_key\n"
    "FROM i\n";

static void on_bad_rule(void *ctx, const char *path, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "  %s: %s\n", path, msg);
    unit_failed = 1;
}

static void spill(void)
{
    static const long sizes[] = {10, 40000};
    size_t c;

    for (c = 0; c < sizeof sizes / sizeof sizes[0]; c++) {
        char dir[512], path[600], dbpath[600], err[512] = "";
        rules_job job[2];
        rules_pool *pool = NULL;
        rules *set;
        store *s;
        FILE *f;
        long alerts = 0;
        sqlite3_stmt *st;

        snprintf(dir, sizeof dir, "%s/ddbtrail-rules-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        CHECK(mkdtemp(dir) != NULL);
        snprintf(path, sizeof path, "%s/T-BIG.sql", dir);
        snprintf(dbpath, sizeof dbpath, "%s/s.db", dir);
        f = fopen(path, "w");
        CHECK(f != NULL);
        if (f == NULL)
            return;
        fprintf(f, big_rule, sizes[c]);
        fclose(f);
        set = rules_load_dir(dir, on_bad_rule, NULL, err, sizeof err);
        s = store_open(dbpath, 0, err, sizeof err);
        CHECKF(set && s && rules_count(set) == 1, "%s", err);
        if (set == NULL || s == NULL || rules_count(set) != 1) {
            rules_free(set);
            store_free(s);
            return;
        }
        memset(job, 0, sizeof job);
        job[0].rule = rules_get(set, 0);
        job[1].rule = rules_get(set, 0); /* two jobs, so that two workers start */
        /* the small case waits for both jobs before it stores; the big one stores the
         * first job while the second may still run, as detect does */
        pool = rules_query_start(dbpath, 0, job, 2, 2, NULL);
        CHECK(pool != NULL);
        rules_query_wait(pool, 0);
        if (c == 0)
            rules_query_wait(pool, 1);
        CHECKF(job[0].status == 0, "%ld rows: status %d (%s): 1 would run the rule again",
               sizes[c], job[0].status, job[0].err);
        if (job[0].status == 0) {
            CHECK(sqlite3_exec(store_db(s), "BEGIN", NULL, NULL, NULL) == SQLITE_OK);
            CHECKF(rules_store(job[0].rule, job[0].result, store_db(s), NULL, &alerts, err,
                               sizeof err) == 0, "%s", err);
            CHECK(sqlite3_exec(store_db(s), "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
        }
        CHECKF(alerts == sizes[c], "%ld rows: %ld stored", sizes[c], alerts);
        /* every row whole, in order: the last one's detail and the count of distinct ones */
        if (sqlite3_prepare_v2(store_db(s),
                               "SELECT count(DISTINCT detail), max(length(detail)),"
                               " (SELECT table_name FROM alerts ORDER BY alert_id DESC LIMIT 1)"
                               " FROM alerts", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            char last[32];
            snprintf(last, sizeof last, "t%ld", sizes[c] - 1);
            CHECK(sqlite3_column_int64(st, 0) == sizes[c]);
            CHECK(sqlite3_column_int64(st, 1) >= 251);
            CHECK(strcmp((const char *)sqlite3_column_text(st, 2), last) == 0);
        }
        sqlite3_finalize(st);
        rules_query_release(pool, &job[0]);
        rules_query_wait(pool, 1);
        CHECKF(job[1].status == 0, "%ld rows: the second job's status %d (%s): 1 would run the"
               " rule again", sizes[c], job[1].status, job[1].err);
        rules_query_release(pool, &job[1]);
        rules_query_end(pool);
        rules_free(set);
        store_free(s);
        unlink(path);
        snprintf(path, sizeof path, "rm -rf '%s'", dir);
        CHECK(system(path) == 0);
    }
}

const unit_test unit_rules[] = {
    {"rules_spill_not_rerun", spill},
    {NULL, NULL},
};
