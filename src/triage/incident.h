/*
 * incident: incidents. A leaked key's one attack raises a dozen alerts; an analyst
 * wants one story. Alerts join one incident when they share an actor, an
 * access key or a public source IP and overlap or follow each other within
 * gap seconds (transitively: a key links recon to the scan, the scan's IP
 * links it to the root session). An incident's alerts are ordered by ATT&CK
 * stage (discovery, credential use, collection and exfiltration, impact,
 * defense evasion) and time; its severity is its highest alert's, one step
 * higher when it spans three or more stages; its story is one line ("user/x
 * (AKIA...) from 185.220.101.47: recon of tables -> mass scan -> ...").
 *
 * Suppressed and routine alerts join no incident.
 */
#ifndef DDBTRAIL_INCIDENT_H
#define DDBTRAIL_INCIDENT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

enum { INCIDENT_MAX_ALERTS = 1000000 }; /* alerts grouped in one run; more is an error */

/* Asked between the steps that run no SQL (SQL is stopped by the
 * connection's progress handler); non-zero stops the build. */
typedef int (*incident_cancel_fn)(void *ctx);

/* Rebuilds the incidents table from db's open alerts and sets each alert's
 * incident_id, in O(n log n) of the alerts whatever the size of a group.
 * cancel may be NULL. Sets *incidents to the number made; adds to *work
 * (when not NULL) the SQLite VM steps and the comparisons and visits it
 * made, which tests bound. Returns 0, or -1 with err ("incidents:
 * interrupted" when cancel stopped it). */
int incident_build(sqlite3 *db, int64_t gap, incident_cancel_fn cancel, void *ctx, long *incidents,
                   uint64_t *work, char *err, size_t errlen);

#endif
