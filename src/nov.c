/*
 * nov: routine and new alerts (see nov.h), as one UPDATE over the alerts
 * table: the history an alert is judged against is the other alerts of the
 * store, which a persistent --db keeps across runs.
 */
#include "nov.h"

#include <stdio.h>

static const char nov_sql[] =
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
    "                WHEN NOT h.seen"
    "                THEN 'new: ' || alerts.detail"
    "                ELSE alerts.detail END"
    /* only alerts the rules just wrote (their upsert clears novelty): one judged before, by
     * a detect that did not re-run its rule, keeps its judgement and its detail prefix */
    " FROM h WHERE h.alert_id = alerts.alert_id AND alerts.novelty IS NULL";

int nov_apply(sqlite3 *db, const char *routine_rules, long routine_days, long *routine,
              long *fresh, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int rc;

    *routine = *fresh = 0;
    if (sqlite3_prepare_v2(db, nov_sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "novelty: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, routine_days);
    sqlite3_bind_text(st, 2, routine_rules ? routine_rules : "[]", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "novelty: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (sqlite3_prepare_v2(db, "SELECT sum(novelty = 'routine'), sum(novelty = 'new')"
                               " FROM alerts WHERE status = 'open'", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "novelty: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        *routine = (long)sqlite3_column_int64(st, 0);
        *fresh = (long)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return 0;
}
