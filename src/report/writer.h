/*
 * writer: what the five report writers (text.c, jsonl.c, csv.c, html.c,
 * ocsf.c) share, and the one interface report_render() calls them by.
 * Internal to the report stage: nothing outside src/report/ includes it.
 *
 * A writer gets the alert query already run up to its first row (in report
 * order: severity, then time), the summary loaded once, and an output
 * buffer that flushes to the caller's write function in chunks. Everything
 * a writer writes that came from a log goes through report_out_esc() with
 * the escaper of its format (escape.h). Severity names, the JSON field
 * names and the queries every format reads live in report.c, once.
 */
#ifndef DDBTRAIL_REPORT_WRITER_H
#define DDBTRAIL_REPORT_WRITER_H

#include "buffer.h"
#include "coverage.h"
#include "report.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>

/* Columns of the alert query, in SELECT order. */
enum { A_RULE, A_SEV, A_TITLE, A_FIRST, A_LAST, A_COUNT, A_ACCOUNT, A_REGION, A_PRINCIPAL,
       A_KEY, A_IP, A_TABLE, A_NAMES, A_IDS, A_DETAIL, A_MITRE, A_INCIDENT, A_NOVELTY, A_STATUS,
       A_REASON, A_FINGERPRINT, A_ID, A_TABLES, A_NCOLS };

/* Buffered output: appends past the buffer's cap or a failed write set
 * failed, and every later call is a no-op for the caller to see at the end. */
struct report_out {
    buffer b;
    report_write_fn write;
    void *ctx;
    int failed; /* a write or an append failed */
    buffer tmp; /* scratch for escaping */
};

/* What the top of a report says: inputs, span, counts, and what did not run. */
struct report_summary {
    long long files, failed, seen, stored, duplicate, skipped, rejected, ddb_events;
    char first[32], last[32];
    report_counts counts; /* alerts per severity */
    long alerts;          /* of those, at or above min_rank */
    long not_run;         /* rules that failed or were skipped in the last detect */
    long suppressed;      /* alerts in range a suppress entry matched */
    long open_total;      /* open alerts in the store, in range or not */
    long outside;         /* open alerts a --since/--until/--min-severity filter left out */
    long incidents;       /* incidents with an alert in range */
    long warned;          /* rules that ran with a warning (a value hit a regexp limit) */
    int no_events;        /* a merged store whose events stayed in the shards */
    int nothing_read;     /* no event was read into the store at all (and none left in shards) */
    char interrupted[512]; /* meta 'interrupted': how the last detect was stopped, or "" */
    char integrity[1024];  /* meta 'integrity': the last verification's summary, or "" */
    char config[4200];     /* meta 'config': the config file the last detect read, or "" */
    char read_window[256]; /* meta 'read_window': scan --since/--until's read, or "" */
    long rules, rules_failed; /* rules the last detect knew, and of them failed */
};

/* The JSON, CSV and OCSF field names of an alert's first columns (part of
 * the contract: keep them exact), and the five severity names by rank. */
extern const char *const report_json_keys[];
extern const char *const report_sev_names[];
extern const char report_no_events_note[];

/* Starts o writing through write(ctx); report_out_close() flushes what is
 * left and frees it, returning 0 or -1 when a write or an append failed. */
void report_out_open(struct report_out *o, report_write_fn write, void *ctx);
int report_out_close(struct report_out *o);

void report_out_flush(struct report_out *o);
void report_out_raw(struct report_out *o, const char *s, size_t n);
void report_out_str(struct report_out *o, const char *s);
void report_out_fmt(struct report_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Writes a log value through an escaper. */
void report_out_esc(struct report_out *o, int (*escape)(buffer *, const char *, size_t),
                    const char *s, size_t n);

/* Column c of the current row as text (NULL for NULL), and its length. */
const char *report_col(sqlite3_stmt *st, int c);
size_t report_col_len(sqlite3_stmt *st, int c);

/* The current row's alert id (report_alert_id() of its fingerprint). */
void report_alert_id_col(sqlite3_stmt *st, char out[REPORT_ALERT_ID_LEN + 1]);

/* Calls fn for each table of the current alert row: its tables list when
 * the rule gave one (an alert over several tables), else its one table. */
void report_each_table(sqlite3_stmt *st, void (*fn)(void *, const char *, size_t), void *arg);

/* Binds the report's since and until (?1, ?2; NULL when not given). */
void report_bind_range(sqlite3_stmt *st, const report_opts *o);

/* Calls fn for each comma-separated item of s[0..n). */
void report_each_item(const char *s, size_t n, void (*fn)(void *, const char *, size_t), void *arg);

/* Prepares the rules of the last detect that did not run or ran with a
 * warning (rule_id, status, message), failed first. An SQLite status. */
int report_rule_problems(sqlite3 *db, sqlite3_stmt **st);

/* Prepares the incidents with an open alert in the report's range, most
 * severe first. An SQLite status. */
int report_prepare_incidents(sqlite3 *db, const report_opts *o, sqlite3_stmt **st);

/* An SVG timeline of [t0, t1] (Unix seconds): DynamoDB events per bucket,
 * the alerts as markers (only incident's when incident > 0), a time axis and
 * a scale (chart.c). Returns 0, or -1 on a database error. */
int report_chart(struct report_out *o, sqlite3 *db, const report_opts *opt, long long t0,
                 long long t1, long long incident, const char *title);

/* HTML: a log value escaped; a column escaped, or a dash for NULL (html.c). */
void report_html_text(struct report_out *o, const char *s);
void report_html_col(struct report_out *o, sqlite3_stmt *st, int c);

/* The HTML alert cards (card.c): what the rule says of itself, kept by the
 * last detect in rule_runs, and the user agents and errors of the events an
 * alert keeps, looked up one event id at a time. */
struct report_cards {
    sqlite3_stmt *rule;  /* description, false positives, references; NULL on a store
                            of schema 6 or earlier */
    sqlite3_stmt *event; /* an event's user agent and error code */
};
void report_cards_open(struct report_cards *c, sqlite3 *db);
void report_card(struct report_out *o, struct report_cards *c, sqlite3_stmt *st,
                 const char *sev);
void report_cards_close(struct report_cards *c);

/* The listings (alerts' CSV, events, actors): a CSV header of keys[0..n);
 * the current row's first n columns as CSV cells (NULL empty); and the end
 * of a listing's loop: step_rc (the last sqlite3_step()) judged, g (may be
 * NULL) freed, st finalized and o closed. Returns 0, or -1 with err ("cannot
 * write the WHAT" or the database's message). */
void report_csv_header(struct report_out *o, const char *const *keys, int n);
void report_csv_row(struct report_out *o, sqlite3_stmt *st, int n);
int report_listing_end(struct report_out *o, sqlite3 *db, sqlite3_stmt *st, yajl_gen g,
                       int step_rc, const char *what, char *err, size_t errlen);

/* Writes the coverage section (coverage.h) after what is buffered so far. */
void report_coverage(struct report_out *o, sqlite3 *db, enum coverage_format f,
                     const struct report_summary *s);

/* An ISO 8601 time as Unix milliseconds, 0 when it is none. */
long long report_iso_ms(const char *s);

/* JSON values through yajl, shared by JSON Lines and OCSF (json.c). */
void report_gen_str(yajl_gen g, buffer *tmp, const char *s, size_t n);
void report_gen_key(yajl_gen g, const char *k);
void report_gen_col(yajl_gen g, buffer *tmp, sqlite3_stmt *st, int c);
void report_gen_list(yajl_gen g, buffer *tmp, sqlite3_stmt *st, int c);
/* The alert's tables (report_each_table()) as a JSON array. */
void report_gen_tables(yajl_gen g, buffer *tmp, sqlite3_stmt *st);
void report_gen_int_kv(yajl_gen g, const char *k, long long v);
void report_gen_str_kv(yajl_gen g, buffer *tmp, const char *k, const char *v);
/* Moves what g generated into o, and a newline: one JSON value per line. */
void report_gen_flush(struct report_out *o, yajl_gen g);

/* OCSF's metadata object (ocsf.c): schema version 1.1.0, the product, and
 * the one profile the event uses (NULL: none) in metadata.profiles. */
void report_ocsf_metadata(yajl_gen g, buffer *tmp, const report_opts *opt, const char *profile);

/* The run record that ends a JSON Lines or OCSF report when opt->summary
 * asks for it (summary.c), through g, flushed into o as one line. */
void report_write_summary(struct report_out *o, yajl_gen g, sqlite3 *db,
                          const struct report_summary *s, const report_opts *opt);

/* The writers: each renders the whole report from the alert query st. */
typedef void report_writer(struct report_out *o, sqlite3 *db, sqlite3_stmt *st,
                           const struct report_summary *s, const report_opts *opt);
report_writer report_write_text, report_write_jsonl, report_write_csv, report_write_html,
    report_write_ocsf;

#endif
