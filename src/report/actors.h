/*
 * actors: who did what, one row per actor as the rules group them (a role
 * whatever session names it used, a user, root, an AWS service): its calls,
 * DynamoDB calls, errors, tables, first and last seen, the open alerts
 * naming it and their top severity, and its most frequent source addresses,
 * access keys and user agents. The summary Hayabusa and Chainsaw users
 * expect before they pivot (`ddbtrail events --actor`).
 *
 * Like report, output goes through a caller-supplied write function.
 */
#ifndef DDBTRAIL_ACTORS_H
#define DDBTRAIL_ACTORS_H

#include "report.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

enum actors_format { ACTORS_TEXT, ACTORS_JSON, ACTORS_CSV };

typedef struct actors_opts {
    enum actors_format format;
    int has_since, has_until;
    int64_t since, until; /* Unix seconds, inclusive: only events in the range count */
    uint64_t limit;       /* at most this many actors, most alerted first (0: all) */
} actors_opts;

enum { ACTORS_TOP = 3 }; /* addresses, keys and user agents listed per actor */

/* Writes the actor summary of db's events. Sets *shown and *total (may be
 * NULL) to the actors written and found. Returns 0, or -1 with err. */
int actors_render(sqlite3 *db, const actors_opts *o, report_write_fn write, void *ctx,
                  uint64_t *shown, uint64_t *total, char *err, size_t errlen);

#endif
