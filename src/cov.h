/*
 * cov: what the logs could see. A clean report means nothing if the trail
 * never logged DynamoDB reads; so per account and region the store says the
 * time it covers, its DynamoDB management and data events, the hours in that
 * span with no event at all, and warns where tables are managed but no data
 * event was ever logged (DDB-BLIND-SPOT raises the same as an alert).
 *
 * Like report, output goes through a caller-supplied write function.
 */
#ifndef DDBTRAIL_COV_H
#define DDBTRAIL_COV_H

#include <sqlite3.h>
#include <stddef.h>

enum cov_format { COV_TEXT, COV_HTML, COV_JSON };

/* Writes n bytes; returns 0, or non-zero to stop. */
typedef int (*cov_write_fn)(void *ctx, const char *p, size_t n);

/* Renders the coverage of db's events: a text section, an HTML section, or
 * one JSON object per account and region. Sets *blind to the regions with
 * management but no data events (may be NULL). Returns 0, or -1 with err. */
int cov_render(sqlite3 *db, enum cov_format f, cov_write_fn write, void *ctx, long *blind,
               char *err, size_t errlen);

#endif
