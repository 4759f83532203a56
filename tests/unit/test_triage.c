/*
 * Unit tests: triage (triage.h) costs O(n log n) in the alerts whatever
 * their shape, and novelty (novelty.h) judges exactly as its first, quadratic
 * form did, which is kept here as the oracle.
 *
 * Cost is held by work, not time: triage_counts.work sums the SQLite VM
 * steps of every triage statement and the comparisons of its C sorts. A
 * store eight times larger may cost at most TRIAGE_GROWTH times more: n log n
 * grows about 10.4 x from 1 000 to 8 000 alerts, a quadratic step 64 x, so a
 * quadratic step fails here on any machine and a slow machine never does.
 */
#include "novelty.h"
#include "functions.h"
#include "store.h"
#include "triage.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRIAGE_GROWTH 14.0

static const char burst_rules[] = "[\"DDB-MASS-SCAN\",\"DDB-RECON\"]";

/* Alerts of each shape, ?1 of them. Columns: rule, severity, first seen,
 * events, actor, key, IP, table, stage, story. */
static const char *const shapes[] = {
    /* one role creating tables without safeguards for 28 days: one alert per table, one
     * actor, and (an alert every few minutes) one incident of all of them */
    "SELECT 'DDB-INSECURE-CREATE', 'low',"
    " strftime('%Y-%m-%dT%H:%M:%SZ', 1793491200 + k * (28 * 86400 / ?1), 'unixepoch'), 1,"
    " 'arn:aws:sts::111122223333:assumed-role/table-factory/s', 'ASIAFACTORY', '10.1.2.3',"
    " 't' || k, 'credential-use', 'table created without safeguards', k FROM i",
    /* many actors, each with a nightly burst at its own hour for 30 nights: routine after
     * the third, the volume moving within half to twice, some tables NULL */
    "SELECT 'DDB-MASS-SCAN', 'high',"
    " strftime('%Y-%m-%dT%H:%M:%SZ', 1793491200 + (k % 30) * 86400 + ((k / 30) % 24) * 3600"
    "          + (k % 7) * 60, 'unixepoch'), 40 + (k * 7) % 50,"
    " 'arn:aws:sts::111122223333:assumed-role/etl-' || (k / 30) || '/s', NULL, '10.0.0.9',"
    " CASE WHEN (k / 30) % 3 THEN 'orders' END, 'collection', 'mass scan', k FROM i",
    /* one large incident: a thousand actors and keys behind one public address within the
     * hour, under five rules' stories */
    "SELECT CASE k % 5 WHEN 0 THEN 'DDB-RECON' WHEN 1 THEN 'DDB-MASS-SCAN'"
    "        WHEN 2 THEN 'DDB-DESTRUCTIVE' WHEN 3 THEN 'DDB-EXFIL-EXPORT' ELSE 'DDB-ROOT' END,"
    " 'medium', strftime('%Y-%m-%dT%H:%M:%SZ', 1793491200 + k % 3600, 'unixepoch'), 1 + k % 9,"
    " 'arn:aws:iam::111122223333:user/u' || (k % 1000), 'AKIA' || (k % 1000),"
    " '185.220.101.47', 't' || (k % 50),"
    " CASE k % 5 WHEN 0 THEN 'discovery' WHEN 1 THEN 'collection' WHEN 2 THEN 'impact'"
    "        WHEN 3 THEN 'collection' ELSE 'credential-use' END,"
    " 'step ' || (k % 5), k FROM i",
};

/* A new store in a temporary file with n alerts of one shape; its path in
 * path (to remove). NULL on failure. */
static store *shaped_store(int shape, long n, char *path, size_t len)
{
    char err[256], sql[4096];
    store *s;
    int fd;

    snprintf(path, len, "%s/ddbtrail-unit-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    close(fd);
    s = store_open(path, 0, err, sizeof err);
    if (s == NULL || functions_register(store_db(s), 0, err, sizeof err) != 0) {
        fprintf(stderr, "  %s\n", err);
        store_free(s);
        return NULL;
    }
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < ?1),"
             " a(rule, sev, first, n, actor, akey, ip, tab, stage, story, k) AS (%s)"
             " INSERT INTO alerts(rule_id, severity, title, first_seen, last_seen, event_count,"
             "   account_id, aws_region, principal_arn, access_key_id, source_ip, table_name,"
             "   detail, fingerprint, stage, story, status)"
             " SELECT rule, sev, rule, first, first, n, '111122223333', 'eu-west-1', actor, akey,"
             "   ip, tab, 'detail ' || k, rule || ':' || k, stage, story, 'open' FROM a",
             shapes[shape]);
    {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "  %s\n", sqlite3_errmsg(store_db(s)));
            store_free(s);
            return NULL;
        }
        sqlite3_bind_int64(st, 1, n);
        if (sqlite3_step(st) != SQLITE_DONE)
            fprintf(stderr, "  %s\n", sqlite3_errmsg(store_db(s)));
        sqlite3_finalize(st);
    }
    return s;
}

static int triage_store(store *s, triage_counts *c)
{
    triage_opts o;
    char err[512];
    int rc;

    memset(&o, 0, sizeof o);
    o.routine_rules = burst_rules;
    o.routine_days = 3;
    o.incident_gap = 21600;
    o.now = 1796083200;
    rc = triage_run(store_db(s), &o, c, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "  triage: %s\n", err);
    return rc;
}

/* The work of triaging n alerts of a shape, twice: the second run judges
 * the store again as a detect that re-ran every rule would. 0 on failure. */
static uint64_t work_for(int shape, long n, triage_counts *first)
{
    char path[512];
    store *s = shaped_store(shape, n, path, sizeof path);
    triage_counts c;
    uint64_t w = 0;

    if (s == NULL)
        return 0;
    if (triage_store(s, first) == 0 &&
        sqlite3_exec(store_db(s), "UPDATE alerts SET novelty = NULL, detail = 'again'", NULL, NULL,
                     NULL) == SQLITE_OK &&
        triage_store(s, &c) == 0)
        w = first->work + c.work;
    store_free(s);
    unlink(path);
    return w;
}

static void growth(void)
{
    static const char *const names[] = {"one actor's 28 days", "many actors' routine nights",
                                        "one large incident"};
    int shape;

    for (shape = 0; shape < 3; shape++) {
        triage_counts small, big;
        uint64_t w1 = work_for(shape, 1000, &small), w8 = work_for(shape, 8000, &big);
        double ratio = w1 ? (double)w8 / (double)w1 : 0;
        CHECKF(w1 > 0 && w8 > 0, "%s: triage failed", names[shape]);
        CHECKF(ratio > 0 && ratio <= TRIAGE_GROWTH,
               "%s: 8 x the alerts took %.1f x the work (%llu -> %llu; n log n is ~10.4 x)",
               names[shape], ratio, (unsigned long long)w1, (unsigned long long)w8);
        printf("  %s: 1000 alerts %llu, 8000 alerts %llu: %.2f x\n", names[shape],
               (unsigned long long)w1, (unsigned long long)w8, ratio);
        if (shape == 0)
            CHECKF(big.incidents == 1 && big.fresh > 0 && big.fresh < 8000 / 20,
                   "one actor: %ld incident(s), %ld new (the first day's)", big.incidents,
                   big.fresh);
        if (shape == 1)
            CHECKF(big.routine > 0 && big.fresh > 0, "routine nights: %ld routine, %ld new",
                   big.routine, big.fresh);
        if (shape == 2)
            CHECKF(big.incidents == 1, "one incident: %ld", big.incidents);
    }
}

/* The first form of novelty: every open alert against every other (quadratic). */
static const char oracle_sql[] =
    "WITH a AS MATERIALIZED ("
    "  SELECT alert_id, rule_id, principal_arn, table_name, event_count, severity,"
    "         date(first_seen) AS day, CAST(strftime('%H', first_seen) AS INTEGER) AS hour"
    "  FROM alerts WHERE status = 'open' AND first_seen IS NOT NULL),"
    " h AS MATERIALIZED ("
    "  SELECT a.alert_id, a.severity,"
    "    (SELECT count(DISTINCT b.day) FROM a b"
    "     WHERE b.rule_id = a.rule_id AND b.principal_arn IS a.principal_arn"
    "       AND b.table_name IS a.table_name AND b.day < a.day"
    "       AND b.event_count BETWEEN a.event_count / 2.0 AND a.event_count * 2.0"
    "       AND min(abs(b.hour - a.hour), 24 - abs(b.hour - a.hour)) <= 2) AS days,"
    "    EXISTS (SELECT 1 FROM a b WHERE b.rule_id = a.rule_id"
    "            AND b.principal_arn IS a.principal_arn AND b.day < a.day) AS seen,"
    "    a.rule_id IN (SELECT value FROM json_each(?2)) AS burst"
    "  FROM a)"
    " UPDATE alerts SET"
    "  novelty = CASE WHEN h.burst AND h.days >= ?1 THEN 'routine'"
    "                 WHEN NOT h.seen THEN 'new' END,"
    "  severity = CASE WHEN h.burst AND h.days >= ?1 THEN 'info' ELSE alerts.severity END,"
    "  detail = CASE WHEN h.burst AND h.days >= ?1"
    "                THEN printf('routine: seen on %d earlier days (%s otherwise); %s', h.days,"
    "                            h.severity, alerts.detail)"
    "                ELSE alerts.detail END"
    " FROM h WHERE h.alert_id = alerts.alert_id AND alerts.novelty IS NULL";

static const char judged_sql[] =
    "SELECT group_concat(alert_id || '|' || severity || '|' || coalesce(novelty, '-') || '|'"
    " || detail, char(10)) FROM (SELECT * FROM alerts ORDER BY alert_id)";

/* Random stores (NULL actors, tables and times, hours across midnight, some
 * alerts judged before, some not open) judged by both forms. */
static void same_as_oracle(void)
{
    int round;

    srand(20261201);
    for (round = 0; round < 40; round++) {
        char path[2][512], *out[2] = {NULL, NULL};
        int side;
        long n = 20 + rand() % 200;

        for (side = 0; side < 2; side++) {
            store *s = shaped_store(1, 1, path[side], sizeof path[side]);
            sqlite3 *db = s ? store_db(s) : NULL;
            sqlite3_stmt *st;
            long i;
            if (s == NULL)
                break;
            sqlite3_exec(db, "DELETE FROM alerts", NULL, NULL, NULL);
            sqlite3_prepare_v2(db,
                               "INSERT INTO alerts(rule_id, severity, first_seen, event_count,"
                               " principal_arn, table_name, detail, fingerprint, status, novelty)"
                               " VALUES(?,?,?,?,?,?,?,?,?,?)",
                               -1, &st, NULL);
            srand(20261201 + (unsigned)round); /* both sides draw the same store */
            for (i = 0; i < n; i++) {
                char when[32], actor[32], fp[32];
                int r = rand();
                snprintf(when, sizeof when, "2026-11-%02dT%02d:%02d:00Z", 1 + rand() % 6,
                         (r % 3 == 0) ? 22 + rand() % 2 : rand() % 4, rand() % 60);
                snprintf(actor, sizeof actor, "role/a%d", rand() % 4);
                snprintf(fp, sizeof fp, "fp%ld", i);
                sqlite3_bind_text(st, 1, rand() % 3 ? "DDB-MASS-SCAN" : "DDB-ROOT", -1,
                                  SQLITE_STATIC);
                sqlite3_bind_text(st, 2, "high", -1, SQLITE_STATIC);
                if (rand() % 25)
                    sqlite3_bind_text(st, 3, rand() % 30 ? when : "garbage", -1,
                                      SQLITE_TRANSIENT);
                else
                    sqlite3_bind_null(st, 3);
                if (rand() % 20)
                    sqlite3_bind_int(st, 4, 1 + rand() % 40);
                else
                    sqlite3_bind_null(st, 4);
                if (rand() % 6)
                    sqlite3_bind_text(st, 5, actor, -1, SQLITE_TRANSIENT);
                else
                    sqlite3_bind_null(st, 5);
                if (rand() % 3)
                    sqlite3_bind_text(st, 6, rand() % 2 ? "orders" : "users", -1, SQLITE_STATIC);
                else
                    sqlite3_bind_null(st, 6);
                sqlite3_bind_text(st, 7, "d", -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 8, fp, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 9, rand() % 10 ? "open" : "suppressed", -1, SQLITE_STATIC);
                if (rand() % 5)
                    sqlite3_bind_null(st, 10);
                else
                    sqlite3_bind_text(st, 10, "new", -1, SQLITE_STATIC);
                sqlite3_step(st);
                sqlite3_reset(st);
            }
            sqlite3_finalize(st);
            if (side == 0) {
                sqlite3_prepare_v2(db, oracle_sql, -1, &st, NULL);
                sqlite3_bind_int(st, 1, 2);
                sqlite3_bind_text(st, 2, burst_rules, -1, SQLITE_STATIC);
                CHECK(sqlite3_step(st) == SQLITE_DONE);
                sqlite3_finalize(st);
            } else {
                long routine, fresh;
                char err[256];
                CHECK(novelty_apply(db, burst_rules, 2, &routine, &fresh, NULL, err, sizeof err) == 0);
            }
            sqlite3_prepare_v2(db, judged_sql, -1, &st, NULL);
            if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
                out[side] = strdup((const char *)sqlite3_column_text(st, 0));
            sqlite3_finalize(st);
            store_free(s);
            unlink(path[side]);
        }
        CHECKF(
            out[0] && out[1] && strcmp(out[0], out[1]) == 0,
            "round %d (%ld alerts): the judgements differ:\n--- oracle\n%s\n--- novelty_apply\n%s",
            round, n, out[0] ? out[0] : "(none)", out[1] ? out[1] : "(none)");
        free(out[0]);
        free(out[1]);
    }
}

const unit_test unit_triage[] = {
    {"triage_growth", growth},
    {"novelty_same_as_oracle", same_as_oracle},
    {NULL, NULL},
};
