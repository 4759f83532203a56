/*
 * novelty: routine and new alerts (see novelty.h).
 *
 * Only the alerts the rules just wrote are judged (their upsert cleared
 * novelty); the history they are judged against is every open alert of the
 * store, which a persistent --db keeps across runs. Each judgement must cost
 * a few index probes, never a pass over the history: a log in which one
 * rule fires 50 000 times is a log an attacker can write. So the history is
 * first folded into indexed temp tables, de-duplicated to what a judgement
 * reads:
 *
 *   novelty_x      the alerts to judge, with their day and hour
 *   novelty_first  per (rule, actor): the first day it fired ("seen" before?)
 *   novelty_days   per (rule, actor, table) of a burst rule: the days it fired
 *   novelty_hist   per such day: the distinct (hour, volume) spots it fired at
 *   novelty_keys   per (rule, actor, table): how many spots and days
 *
 * and an alert of a burst rule counts the earlier days of its pattern
 * either by reading the pattern's spots at the five hours near its own (a
 * nightly job: one spot a day) or, when a pattern has more than five spots
 * a day, with one probe per earlier day and hour. Either way a judgement
 * reads at most five index entries per earlier day of its own pattern, so
 * the cost is O(n log n) in the alerts for a store of a given span,
 * whatever their shape: one actor's thousands, or many actors' nightly
 * bursts.
 * NULL actors and tables compare with IS, as values of their own, which the
 * indexes serve.
 */
#include "novelty.h"

#include <stdio.h>

/* The statements of one judgement, run in order; ?1 is routine_days, ?2
 * the JSON array of burst rule ids. */
static const char *const novelty_steps[] = {
    "DROP TABLE IF EXISTS temp.novelty_x", "DROP TABLE IF EXISTS temp.novelty_first",
    "DROP TABLE IF EXISTS temp.novelty_days", "DROP TABLE IF EXISTS temp.novelty_hist",
    "DROP TABLE IF EXISTS temp.novelty_keys",
    "CREATE TEMP TABLE novelty_x AS"
    " SELECT alert_id, rule_id, principal_arn, table_name, event_count, severity,"
    "        date(first_seen) AS day, CAST(strftime('%H', first_seen) AS INTEGER) AS hour,"
    "        rule_id IN (SELECT value FROM json_each(?2)) AS burst"
    " FROM alerts WHERE status = 'open' AND first_seen IS NOT NULL AND novelty IS NULL",
    "CREATE TEMP TABLE novelty_first AS"
    " SELECT rule_id, principal_arn, min(date(first_seen)) AS day FROM alerts"
    " WHERE status = 'open' AND first_seen IS NOT NULL"
    "   AND rule_id IN (SELECT rule_id FROM novelty_x)"
    " GROUP BY rule_id, principal_arn",
    "CREATE INDEX temp.novelty_first_key ON novelty_first(rule_id, principal_arn)",
    "CREATE TEMP TABLE novelty_hist AS"
    " SELECT DISTINCT rule_id, principal_arn, table_name, date(first_seen) AS day,"
    "        CAST(strftime('%H', first_seen) AS INTEGER) AS hour, event_count FROM alerts"
    " WHERE status = 'open' AND first_seen IS NOT NULL"
    "   AND rule_id IN (SELECT rule_id FROM novelty_x WHERE burst)",
    "CREATE INDEX temp.novelty_hist_key"
    " ON novelty_hist(rule_id, principal_arn, table_name, hour, day, event_count)",
    "CREATE TEMP TABLE novelty_days AS"
    " SELECT DISTINCT rule_id, principal_arn, table_name, day FROM novelty_hist"
    " WHERE day IS NOT NULL",
    "CREATE INDEX temp.novelty_days_key ON novelty_days(rule_id, principal_arn, table_name, day)",
    "CREATE TEMP TABLE novelty_keys AS"
    " SELECT rule_id, principal_arn, table_name, count(*) AS spots, count(DISTINCT day) AS days"
    " FROM novelty_hist GROUP BY rule_id, principal_arn, table_name",
    "CREATE INDEX temp.novelty_keys_key ON novelty_keys(rule_id, principal_arn, table_name)",
    /* days: the earlier distinct days of the same rule, actor and table with an alert of half
     * to twice the events within two hours of the clock (23:00 is near 01:00). A pattern with
     * few (hour, volume) spots per day reads its spots at those hours; a dense one probes
     * each earlier day once per hour instead: either way the cheaper of the two */
    "UPDATE alerts SET"
    "  novelty = CASE WHEN h.burst AND h.days >= ?1 THEN 'routine'"
    "                 WHEN NOT h.seen THEN 'new' END,"
    "  severity = CASE WHEN h.burst AND h.days >= ?1 THEN 'info' ELSE alerts.severity END,"
    "  detail = CASE WHEN h.burst AND h.days >= ?1"
    "                THEN printf('routine: seen on %d earlier days (%s otherwise); %s', h.days,"
    "                            h.severity, alerts.detail)"
    "                ELSE alerts.detail END"
    " FROM (SELECT x.alert_id, x.severity, x.burst,"
    "         coalesce((SELECT f.day < x.day FROM novelty_first f WHERE f.rule_id = x.rule_id"
    "                   AND f.principal_arn IS x.principal_arn), 0) AS seen,"
    "         CASE WHEN NOT x.burst THEN 0"
    "              WHEN (SELECT k.spots <= 5 * k.days FROM novelty_keys k"
    "                    WHERE k.rule_id = x.rule_id AND k.principal_arn IS x.principal_arn"
    "                      AND k.table_name IS x.table_name) THEN"
    "           (SELECT count(DISTINCT b.day) FROM novelty_hist b"
    "            WHERE b.rule_id = x.rule_id AND b.principal_arn IS x.principal_arn"
    "              AND b.table_name IS x.table_name"
    "              AND b.hour IN ((x.hour + 22) % 24, (x.hour + 23) % 24, x.hour,"
    "                             (x.hour + 1) % 24, (x.hour + 2) % 24)"
    "              AND b.day < x.day"
    "              AND b.event_count BETWEEN x.event_count / 2.0 AND x.event_count * 2.0)"
    "         ELSE"
    "           (SELECT count(*) FROM novelty_days d"
    "            WHERE d.rule_id = x.rule_id AND d.principal_arn IS x.principal_arn"
    "              AND d.table_name IS x.table_name AND d.day < x.day"
    "              AND EXISTS (SELECT 1 FROM novelty_hist b"
    "                          WHERE b.rule_id = d.rule_id AND b.principal_arn IS d.principal_arn"
    "                            AND b.table_name IS d.table_name"
    "                            AND b.hour IN ((x.hour + 22) % 24, (x.hour + 23) % 24, x.hour,"
    "                                           (x.hour + 1) % 24, (x.hour + 2) % 24)"
    "                            AND b.day = d.day"
    "                            AND b.event_count BETWEEN x.event_count / 2.0"
    "                                                  AND x.event_count * 2.0))"
    "         END AS days"
    "       FROM novelty_x x) h"
    " WHERE h.alert_id = alerts.alert_id AND alerts.novelty IS NULL",
    "DROP TABLE temp.novelty_x", "DROP TABLE temp.novelty_first", "DROP TABLE temp.novelty_days",
    "DROP TABLE temp.novelty_hist", "DROP TABLE temp.novelty_keys", NULL};

/* Prepares, binds (the parameters a statement names) and runs sql; adds its
 * VM steps to *work. Returns 0, or -1 with err. */
static int novelty_exec(sqlite3 *db, const char *sql, long routine_days, const char *routine_rules,
                        uint64_t *work, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int rc, n;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "novelty: %s", sqlite3_errmsg(db));
        return -1;
    }
    n = sqlite3_bind_parameter_count(st);
    if (n >= 1)
        sqlite3_bind_int64(st, 1, routine_days);
    if (n >= 2)
        sqlite3_bind_text(st, 2, routine_rules, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (work)
        *work += (uint64_t)sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "novelty: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

int novelty_apply(sqlite3 *db, const char *routine_rules, long routine_days, long *routine,
                  long *fresh, uint64_t *work, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    size_t i;

    *routine = *fresh = 0;
    if (routine_rules == NULL)
        routine_rules = "[]";
    for (i = 0; novelty_steps[i]; i++)
        if (novelty_exec(db, novelty_steps[i], routine_days, routine_rules, work, err, errlen) != 0)
            return -1;
    if (sqlite3_prepare_v2(db,
                           "SELECT sum(novelty = 'routine'), sum(novelty = 'new')"
                           " FROM alerts WHERE status = 'open'",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "novelty: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        *routine = (long)sqlite3_column_int64(st, 0);
        *fresh = (long)sqlite3_column_int64(st, 1);
    }
    if (work)
        *work += (uint64_t)sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0);
    sqlite3_finalize(st);
    return 0;
}
