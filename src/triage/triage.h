/*
 * triage: what happens to the alerts after the rules wrote them, in one
 * transaction: novelty (novelty.h), suppressions (suppress.h), then incidents
 * (incident.h) over what is left.
 *
 * It runs under the same limits as the rules (rules_limits): a signal or
 * the deadline stops any of its statements within a few thousand SQLite
 * steps, and its C loops between them, and the transaction is rolled back,
 * so the store keeps the alerts as the rules wrote them. Its cost is
 * O(n log n) in the store's alerts; triage_counts.work tells how much it
 * did, so that tests can hold that bound on any machine.
 */
#ifndef DDBTRAIL_TRIAGE_H
#define DDBTRAIL_TRIAGE_H

#include "rules.h"
#include "suppress.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

typedef struct triage_opts {
    const char *routine_rules; /* JSON array of the burst rules' ids */
    long routine_days;         /* earlier days that make a pattern routine */
    int64_t incident_gap;      /* seconds between alerts of one incident */
    int64_t now;               /* Unix seconds: decides suppress entries' expiry */
    suppress_expired_fn on_expired; /* may be NULL */
    void *ctx;                 /* for on_expired */
    const rules_limits *lim;   /* may be NULL: no limit */
} triage_opts;

typedef struct triage_counts {
    long routine, fresh, suppressed, incidents;
    uint64_t work; /* SQLite VM steps, plus the comparisons and visits of the C loops */
    int stopped;   /* 1 a signal (lim->stop), 2 the deadline (lim->timeout) */
} triage_counts;

/* Triages db's alerts. db needs functions's functions and is not in a
 * transaction. Returns 0, or -1 with err (rolled back; c->stopped says
 * whether a limit stopped it). */
int triage_run(sqlite3 *db, const triage_opts *o, triage_counts *c, char *err, size_t errlen);

#endif
