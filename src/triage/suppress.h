/*
 * suppress: suppression that does not blind. Each config "suppress" entry names a
 * rule (or "*"), and optionally an actor glob, table globs and source CIDRs;
 * the alerts it matches stay stored, with status 'suppressed' and the entry's
 * reason, so a report can count and show them. An alert the entry does not
 * match, even of the same actor, is untouched. An entry past its "until" date
 * stops suppressing and is reported.
 */
#ifndef DDBTRAIL_SUPPRESS_H
#define DDBTRAIL_SUPPRESS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Called once per expired entry (borrowed strings). */
typedef void (*suppress_expired_fn)(void *ctx, const char *rule, const char *until,
                                    const char *reason);

/* Applies the suppress entries in db's settings_list to its open alerts; now
 * (Unix seconds) decides expiry. db needs functions's ip_in_cidr(). Sets
 * *suppressed to the alerts suppressed and adds the SQLite VM steps it took
 * to *work (when not NULL): one pass over the open alerts per entry. Returns
 * 0, or -1 with err. */
int suppress_apply(sqlite3 *db, int64_t now, suppress_expired_fn on_expired, void *ctx,
                   long *suppressed, uint64_t *work, char *err, size_t errlen);

#endif
