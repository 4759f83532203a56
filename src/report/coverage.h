/*
 * coverage: what the logs could see. A clean report means nothing if the trail
 * never logged DynamoDB reads; so per account and region the store says the
 * time it covers, its DynamoDB management and data events, the hours in that
 * span with no event at all, and warns where tables are managed but no data
 * event was ever logged (DDB-BLIND-SPOT raises the same as an alert).
 *
 * Like report, output goes through a caller-supplied write function.
 */
#ifndef DDBTRAIL_COVERAGE_H
#define DDBTRAIL_COVERAGE_H

#include <sqlite3.h>
#include <stddef.h>

enum coverage_format { COVERAGE_TEXT, COVERAGE_HTML, COVERAGE_JSON };

/* Writes n bytes; returns 0, or non-zero to stop. */
typedef int (*coverage_write_fn)(void *ctx, const char *p, size_t n);

/* Renders the coverage of db's events: a text section, an HTML section, or
 * one JSON object per account and region. Sets *blind to the regions with
 * management but no data events (may be NULL). Returns 0, or -1 with err. */
int coverage_render(sqlite3 *db, enum coverage_format f, coverage_write_fn write, void *ctx,
                    long *blind, char *err, size_t errlen);

#endif
