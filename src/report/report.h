/*
 * report: renders the alerts in a store as text, JSON Lines, CSV, a
 * self-contained HTML page, or OCSF Detection Findings.
 *
 * Output goes through a caller-supplied write function, so the library
 * never touches stdout. Every value that came from a log is escaped for the
 * format it is written in (escape.h): nothing in a log can run script in the
 * HTML, become a spreadsheet formula in the CSV, break the JSON, or drive the
 * terminal.
 */
#ifndef DDBTRAIL_REPORT_H
#define DDBTRAIL_REPORT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_CSV, REPORT_HTML, REPORT_OCSF };

/* Writes n bytes; returns 0, or non-zero to stop the report. */
typedef int (*report_write_fn)(void *ctx, const char *p, size_t n);

typedef struct report_opts {
    enum report_format format;
    int min_rank;        /* lowest severity shown: 0 info .. 4 critical */
    unsigned severities; /* the severities shown, bit 1 << rank (--severity high,critical);
                            0: all of them. Both it and min_rank must let an alert through */
    int has_since, has_until;
    int64_t since;       /* Unix seconds: alerts ending before are left out */
    int64_t until;       /* Unix seconds: alerts starting after are left out */
    int color;           /* text: ANSI colour */
    int show_suppressed; /* list suppressed alerts too (they are always counted apart) */
    int only_unseen;     /* list only alerts that the connection's temp.followed(fingerprint,
                            rank) does not hold at their severity or higher (scan --follow) */
    const char *version; /* ddbtrail version for OCSF metadata and the HTML footer */
    int summary;         /* JSON Lines, OCSF: end with the run record (summary.c) */
} report_opts;

/* Alerts per severity rank, within since/until whatever min_rank says (what
 * --fail-on looks at). */
typedef struct report_counts {
    long by_rank[5];
} report_counts;

enum { REPORT_ALERT_ID_LEN = 16 };

/* An alert's id, as JSON Lines, CSV and OCSF give it and 'ddbtrail events
 * --alert' takes it: the first 16 hex digits of the SHA-256 of its
 * fingerprint (the rule id and the values the rule groups by), so one alert
 * has one id in every run, every store and every merge, whatever row number
 * the store gave it. Writes the id and a NUL into out ("" when libcrypto
 * fails). */
void report_alert_id(const char *fingerprint, size_t n, char out[REPORT_ALERT_ID_LEN + 1]);

/* 1 when the report shows alerts of severity rank r. */
int report_shows(const report_opts *o, int r);

/* Parses "text", "json", "csv", "html" or "ocsf". Returns 0 or -1. */
int report_parse_format(const char *s, enum report_format *out);

/* Renders the report and, when counts is not NULL, fills it with the alert
 * counts its summary was made from. Returns 0, or -1 with err (database or
 * write error). */
int report_render(sqlite3 *db, const report_opts *o, report_write_fn write, void *ctx,
                  report_counts *counts, char *err, size_t errlen);

#endif
