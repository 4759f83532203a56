/*
 * summary: the run record that ends a JSON Lines or OCSF report when
 * --summary asks for it. The text and HTML reports open with what the run
 * read, proved and could not do; the line-per-alert formats carry the
 * integrity line on every alert, but an alert-free run writes no alert, so
 * a consumer that must tell "clean" from "nothing checked" asks for this
 * record: files and events read, the integrity summary, the rules that did
 * not run, the alerts per severity. In JSON Lines it is one object with
 * "record_type": "summary" (alerts have a rule_id, this has none); in OCSF
 * a Scan Activity (class 6007) event, the class OCSF gives a scan's result,
 * with what it has no attribute for under unmapped.
 */
#include "writer.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The one-word state of the run: what a consumer branches on first. */
static const char *run_state(const struct report_summary *s)
{
    if (s->interrupted[0])
        return "interrupted";
    if (s->nothing_read)
        return "nothing read";
    if (s->not_run > 0)
        return "incomplete";
    return "complete";
}

static void str_or_null(yajl_gen g, buffer *tmp, const char *k, const char *v)
{
    report_gen_key(g, k);
    if (v[0])
        report_gen_str(g, tmp, v, strlen(v));
    else
        yajl_gen_null(g);
}

/* The rules of the last detect that failed, were skipped or warned, as an
 * array of {rule_id, status, message}; an empty array when there are none or
 * the store cannot say. */
static void gen_rule_problems(yajl_gen g, buffer *tmp, sqlite3 *db)
{
    sqlite3_stmt *st = NULL;

    yajl_gen_array_open(g);
    if (report_rule_problems(db, &st) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW) {
            yajl_gen_map_open(g);
            report_gen_key(g, "rule_id");
            report_gen_col(g, tmp, st, 0);
            report_gen_key(g, "status");
            report_gen_col(g, tmp, st, 1);
            if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
                report_gen_key(g, "message");
                report_gen_col(g, tmp, st, 2);
            }
            yajl_gen_map_close(g);
        }
    sqlite3_finalize(st);
    yajl_gen_array_close(g);
}

/* The record's fields, into the map g has open. ocsf leaves out what is
 * unknown (OCSF takes no null) where JSON Lines says null. */
static void gen_fields(yajl_gen g, buffer *tmp, sqlite3 *db, const struct report_summary *s,
                       int ocsf)
{
    int r;

    report_gen_str_kv(g, tmp, "state", run_state(s));
    report_gen_int_kv(g, "files", s->files);
    report_gen_int_kv(g, "files_with_errors", s->failed);
    report_gen_int_kv(g, "events_seen", s->seen);
    report_gen_int_kv(g, "events_new", s->stored - s->duplicate);
    report_gen_int_kv(g, "events_already_stored", s->duplicate);
    report_gen_int_kv(g, "events_skipped", s->skipped);
    report_gen_int_kv(g, "events_rejected", s->rejected);
    report_gen_int_kv(g, "dynamodb_events", s->ddb_events);
    if (!ocsf || s->first[0]) {
        str_or_null(g, tmp, "first_event", s->first);
        str_or_null(g, tmp, "last_event", s->last);
    }
    if (!ocsf || s->integrity[0])
        str_or_null(g, tmp, "integrity", s->integrity);
    if (!ocsf || s->read_window[0])
        str_or_null(g, tmp, "read_window", s->read_window);
    if (!ocsf || s->interrupted[0])
        str_or_null(g, tmp, "interrupted", s->interrupted);
    report_gen_int_kv(g, "rules", s->rules);
    report_gen_int_kv(g, "rules_not_run", s->not_run);
    report_gen_int_kv(g, "rules_failed", s->rules_failed);
    report_gen_key(g, "rule_problems");
    gen_rule_problems(g, tmp, db);
    report_gen_int_kv(g, "alerts", s->alerts);
    report_gen_key(g, "alerts_by_severity");
    yajl_gen_map_open(g);
    for (r = 4; r >= 0; r--)
        report_gen_int_kv(g, report_sev_names[r], s->counts.by_rank[r]);
    yajl_gen_map_close(g);
    report_gen_int_kv(g, "alerts_outside_filter", s->outside);
    report_gen_int_kv(g, "alerts_suppressed", s->suppressed);
    report_gen_int_kv(g, "incidents", s->incidents);
}

static void jsonl_summary(yajl_gen g, buffer *tmp, sqlite3 *db, const struct report_summary *s,
                          const report_opts *opt)
{
    yajl_gen_map_open(g);
    report_gen_str_kv(g, tmp, "record_type", "summary");
    report_gen_str_kv(g, tmp, "tool", "ddbtrail");
    report_gen_str_kv(g, tmp, "version", opt->version ? opt->version : "unknown");
    gen_fields(g, tmp, db, s, 0);
    yajl_gen_map_close(g);
}

static void ocsf_summary(yajl_gen g, buffer *tmp, sqlite3 *db, const struct report_summary *s,
                         const report_opts *opt)
{
    /* activity: 2 Completed, 3 Cancelled (a signal stopped it), 6 Error (a rule failed) */
    int activity = s->interrupted[0] ? 3 : s->rules_failed > 0 ? 6 : 2;
    static const char *const activity_name[] = {"", "", "Completed", "Cancelled", "", "",
                                                "Error"};
    int whole = strcmp(run_state(s), "complete") == 0;
    char type_name[64];

    snprintf(type_name, sizeof type_name, "Scan Activity: %s", activity_name[activity]);
    yajl_gen_map_open(g);
    report_gen_int_kv(g, "activity_id", activity);
    report_gen_str_kv(g, tmp, "activity_name", activity_name[activity]);
    report_gen_int_kv(g, "category_uid", 6);
    report_gen_str_kv(g, tmp, "category_name", "Application Activity");
    report_gen_int_kv(g, "class_uid", 6007);
    report_gen_str_kv(g, tmp, "class_name", "Scan Activity");
    report_gen_int_kv(g, "type_uid", 600700 + activity);
    report_gen_str_kv(g, tmp, "type_name", type_name);
    report_gen_int_kv(g, "severity_id", 1);
    report_gen_str_kv(g, tmp, "severity", "Informational");
    report_gen_int_kv(g, "status_id", whole ? 1 : 2);
    report_gen_str_kv(g, tmp, "status", whole ? "Success" : "Failure");
    if (!whole)
        report_gen_str_kv(g, tmp, "status_detail", run_state(s));
    report_gen_int_kv(g, "time", (long long)time(NULL) * 1000);
    if (s->integrity[0])
        report_gen_str_kv(g, tmp, "message", s->integrity);
    report_ocsf_metadata(g, tmp, opt, NULL);
    report_gen_key(g, "scan");
    yajl_gen_map_open(g);
    report_gen_str_kv(g, tmp, "name", "ddbtrail CloudTrail scan");
    report_gen_int_kv(g, "type_id", 99);
    report_gen_str_kv(g, tmp, "type", "CloudTrail logs");
    yajl_gen_map_close(g);
    report_gen_int_kv(g, "num_files", s->files);
    report_gen_int_kv(g, "num_detections", s->alerts);
    report_gen_int_kv(g, "num_skipped_items", s->skipped + s->rejected);
    report_gen_int_kv(g, "total", s->seen);
    report_gen_key(g, "unmapped");
    yajl_gen_map_open(g);
    gen_fields(g, tmp, db, s, 1);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

void report_write_summary(struct report_out *o, yajl_gen g, sqlite3 *db,
                          const struct report_summary *s, const report_opts *opt)
{
    if (!opt->summary || o->failed)
        return;
    if (opt->format == REPORT_OCSF)
        ocsf_summary(g, &o->tmp, db, s, opt);
    else
        jsonl_summary(g, &o->tmp, db, s, opt);
    report_gen_flush(o, g);
}
