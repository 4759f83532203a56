/*
 * evidence: the stored events behind an alert, an incident or a pivot (an
 * actor, an access key, a source IP, a table, a time range), in time order,
 * as text a person reads, JSON Lines or CSV. It is the step after a report:
 * "which calls are behind this alert, and what else did that key do?".
 *
 * An alert keeps the ids of its first FUNCTIONS_ID_LIST_MAX events, not all
 * of them: an alert with more events says so (evidence_result.listed against
 * .counted), and the text form says how to list the rest by actor and time.
 * Like report, output goes through a caller-supplied write function.
 */
#ifndef DDBTRAIL_EVIDENCE_H
#define DDBTRAIL_EVIDENCE_H

#include "report.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* EVIDENCE_RAW: each event's CloudTrail record exactly as its file holds it
 * (record.h), one per line, with where it came from said through note. */
enum evidence_format { EVIDENCE_TEXT, EVIDENCE_JSON, EVIDENCE_CSV, EVIDENCE_RAW };

/* What to list; every filter given must hold (NULL or 0: not filtered). */
typedef struct evidence_filter {
    const char *alert;  /* an alert id (report_alert_id(), or a unique prefix of at least
                           EVIDENCE_MIN_PREFIX of its digits) */
    long long incident; /* an incident id */
    const char *actor;  /* the actor the rules group by (actor_arn) or the principal ARN */
    const char *key;    /* access key id */
    const char *ip;     /* source IP address */
    const char *table;  /* table name, or a table ARN (name, region and account) */
    const char *call;   /* event name */
    int has_since, has_until;
    int64_t since, until; /* Unix seconds, inclusive */
    uint64_t limit;       /* at most this many events (0: all) */
    /* EVIDENCE_RAW: called with "EVENTID: FILE, decompressed byte N" before each record,
     * or why it could not be read back (may be NULL) */
    void (*note)(void *ctx, const char *msg);
    void *note_ctx;
} evidence_filter;

enum { EVIDENCE_MIN_PREFIX = 6 };

typedef struct evidence_result {
    uint64_t matched; /* events that match the filters */
    uint64_t shown;   /* of those, written (limit) */
    uint64_t alerts;  /* --alert/--incident: the alerts behind the events */
    uint64_t counted; /* the events those alerts counted */
    uint64_t listed;  /* the event ids they keep, so the most they can show */
    uint64_t missing; /* listed ids with no event in the store (a merged store's events
                         stay in its shards) */
    uint64_t unread;  /* EVIDENCE_RAW: records that could not be read back */
} evidence_result;

/* Writes the events that match f in time order. Returns 0; 1 when f names
 * an alert or incident the store does not hold, or an alert prefix that
 * matches several (err says which); -1 with err on a database or write
 * error. res (may be NULL) is filled in every case. */
int evidence_render(sqlite3 *db, const evidence_filter *f, enum evidence_format fmt,
                    report_write_fn write, void *ctx, evidence_result *res, char *err,
                    size_t errlen);

#endif
