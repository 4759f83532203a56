/*
 * triage: novelty, suppressions and incidents as one stoppable transaction
 * (see triage.h). The progress handler is the rules' discipline applied to
 * the main connection: it looks at the stop flag and the deadline every
 * few thousand VM steps, so no statement of triage outlives a signal by
 * more than a moment, whatever the store holds.
 */
#include "triage.h"
#include "incident.h"
#include "novelty.h"

#include <stdio.h>
#include <string.h>

int triage_run(sqlite3 *db, const triage_opts *o, triage_counts *c, char *err, size_t errlen)
{
    rules_watch l;
    int rc;

    memset(c, 0, sizeof *c);
    rules_watch_start(&l, o->lim);
    err[0] = '\0';
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "triage: %s", sqlite3_errmsg(db));
        return -1;
    }
    rules_watch_db(&l, db);
    rc = novelty_apply(db, o->routine_rules, o->routine_days, &c->routine, &c->fresh, &c->work, err,
                       errlen);
    if (rc == 0 && !rules_watch_hit(&l))
        rc = suppress_apply(db, o->now, o->on_expired, o->ctx, &c->suppressed, &c->work, err,
                            errlen);
    if (rc == 0 && !rules_watch_hit(&l))
        rc = incident_build(db, o->incident_gap, rules_watch_hit, &l, &c->incidents, &c->work, err,
                            errlen);
    if (rc == 0 && rules_watch_hit(&l))
        rc = -1;
    sqlite3_progress_handler(db, 0, NULL, NULL);
    if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "triage: %s", sqlite3_errmsg(db));
        rc = -1;
    }
    if (rc != 0) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        c->stopped = l.stopped;
        if (l.stopped == 1)
            snprintf(err, errlen, "triage interrupted");
        else if (l.stopped == 2)
            snprintf(err, errlen, "triage timed out after %ld s (rule_timeout_seconds)",
                     o->lim->timeout);
    }
    return rc;
}
