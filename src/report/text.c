/*
 * text: the report a person reads in a terminal. What did not run comes
 * first, then the summary, the incidents (the answer before the evidence),
 * the alerts by severity, and the coverage section. Log values go through
 * escape_term(): nothing in a log can drive the terminal.
 */
#include "writer.h"
#include "rules.h"
#include "escape.h"

#include <stdio.h>
#include <string.h>

static const char *const sev_colors[] = {"\033[2m", "\033[36m", "\033[33m", "\033[31m",
                                         "\033[1;31m"};

static void text_field(struct report_out *o, const char *label, sqlite3_stmt *st, int c)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        return;
    report_out_fmt(o, "    %-10s ", label);
    report_out_esc(o, escape_term, report_col(st, c), report_col_len(st, c));
    report_out_str(o, "\n");
}

struct idlist {
    struct report_out *o;
    int n, max;
};

static void text_id(void *arg, const char *s, size_t n)
{
    struct idlist *l = arg;

    if (l->n < l->max) {
        if (l->n)
            report_out_str(l->o, ", ");
        report_out_esc(l->o, escape_term, s, n);
    }
    l->n++;
}

/* Said first, so an incomplete report can never pass for a clean one. */
static void text_rule_problems(struct report_out *o, sqlite3 *db, const struct report_summary *s)
{
    sqlite3_stmt *st;

    if ((s->not_run == 0 && s->warned == 0) || report_rule_problems(db, &st) != SQLITE_OK)
        return;
    if (s->not_run)
        report_out_fmt(o,
                       "  INCOMPLETE %ld rule(s) did not run; their detections are missing below\n",
                       s->not_run);
    else
        report_out_fmt(o, "  WARNING    %ld rule(s) ran with a warning\n", s->warned);
    while (sqlite3_step(st) == SQLITE_ROW) {
        report_out_str(o, "             ");
        report_out_esc(o, escape_term, report_col(st, 0), report_col_len(st, 0));
        report_out_str(o, " ");
        report_out_esc(o, escape_term, report_col(st, 1), report_col_len(st, 1));
        if (report_col(st, 2)) {
            report_out_str(o, ": ");
            report_out_esc(o, escape_term, report_col(st, 2), report_col_len(st, 2));
        }
        report_out_str(o, "\n");
    }
    sqlite3_finalize(st);
}

/* Incidents first: the answer before the evidence. */
static void text_incidents(struct report_out *o, sqlite3 *db, const report_opts *opt)
{
    sqlite3_stmt *st;
    int n = 0;

    if (report_prepare_incidents(db, opt, &st) != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW && !o->failed) {
        if (n++ == 0)
            report_out_str(o, "\nINCIDENTS\n");
        report_out_fmt(o, "\n  #%lld  ", (long long)sqlite3_column_int64(st, 0));
        report_out_esc(o, escape_term, report_col(st, 1), report_col_len(st, 1));
        report_out_str(o, "  ");
        report_out_esc(o, escape_term, report_col(st, 2), report_col_len(st, 2));
        report_out_str(o, " .. ");
        report_out_esc(o, escape_term, report_col(st, 3), report_col_len(st, 3));
        report_out_fmt(o, "  %lld alert(s); ", (long long)sqlite3_column_int64(st, 4));
        report_out_esc(o, escape_term, report_col(st, 5), report_col_len(st, 5));
        report_out_str(o, "\n     ");
        report_out_esc(o, escape_term, report_col(st, 6), report_col_len(st, 6));
        report_out_str(o, "\n");
    }
    sqlite3_finalize(st);
}

/* The text report. Long on purpose: its sections in the order a reader meets them. */
void report_write_text(struct report_out *o, sqlite3 *db, sqlite3_stmt *st,
                       const struct report_summary *s, const report_opts *opt)
{
    int cur = -1, rc, i;
    const char *reset = opt->color ? "\033[0m" : "", *sep;

    report_out_str(o, "ddbtrail report\n");
    if (s->interrupted[0]) {
        report_out_str(o, "  INTERRUPTED the run was stopped by a signal ");
        report_out_esc(o, escape_term, s->interrupted, strlen(s->interrupted));
        report_out_str(o, "\n");
    }
    if (s->nothing_read)
        report_out_fmt(o, "  NOTHING READ no event was read from %lld input file(s): this report "
                          "checks nothing\n", s->files);
    text_rule_problems(o, db, s);
    report_out_fmt(o, "  inputs     %lld file(s)", s->files);
    if (s->failed)
        report_out_fmt(o, " (%lld with errors)", s->failed);
    report_out_fmt(o,
                   "; %lld event(s) seen: %lld new, %lld already stored, %lld skipped "
                   "(not DynamoDB-relevant%s), %lld rejected\n",
                   s->seen, s->stored - s->duplicate, s->duplicate, s->skipped,
                   s->read_window[0] ? ", or outside the window read" : "", s->rejected);
    if (s->read_window[0]) {
        report_out_str(o, "  read       ");
        report_out_esc(o, escape_term, s->read_window, strlen(s->read_window));
        report_out_str(o, "\n");
    }
    if (s->no_events)
        report_out_fmt(o, "  time span  %s\n", report_no_events_note);
    else if (s->first[0])
        report_out_fmt(o, "  time span  %s .. %s (%lld DynamoDB event(s))\n", s->first, s->last,
                       s->ddb_events);
    else
        report_out_str(o, "  time span  no DynamoDB events\n");
    if (s->integrity[0]) {
        report_out_str(o, "  integrity  ");
        report_out_esc(o, escape_term, s->integrity, strlen(s->integrity));
        report_out_str(o, "\n");
    }
    if (s->rules)
        report_out_fmt(o, "  rules      %ld: %ld ran, %ld skipped, %ld failed\n", s->rules,
                       s->rules - s->not_run, s->not_run - s->rules_failed, s->rules_failed);
    if (s->config[0]) {
        report_out_str(o, "  config     ");
        report_out_esc(o, escape_term, s->config, strlen(s->config));
        report_out_str(o, "\n");
    }
    report_out_fmt(o, "  alerts     %ld", s->alerts);
    for (i = 4, sep = ":"; i >= 0; i--) {
        if (!report_shows(opt, i))
            continue;
        report_out_fmt(o, "%s %ld %s", sep, s->counts.by_rank[i], report_sev_names[i]);
        sep = ",";
    }
    report_out_fmt(o, "; %ld incident(s)", s->incidents);
    if (s->suppressed)
        report_out_fmt(o, "; %ld suppressed%s", s->suppressed,
                       opt->show_suppressed ? " (shown)" : " (not shown: --show-suppressed)");
    if (s->outside)
        report_out_fmt(o, "; %ld more outside the filter (--since/--until/--min-severity)",
                       s->outside);
    report_out_str(o, "\n");
    text_incidents(o, db, opt);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !o->failed) {
        int r = rules_severity_rank(report_col(st, A_SEV));
        struct idlist ids = {o, 0, 3};
        char id[REPORT_ALERT_ID_LEN + 1];
        if (r < 0)
            r = 0;
        if (r != cur) {
            char up[16];
            size_t k;
            for (k = 0; report_sev_names[r][k]; k++)
                up[k] = (char)(report_sev_names[r][k] - 'a' + 'A');
            up[k] = '\0';
            report_out_fmt(o, "\n%s%s%s\n", opt->color ? sev_colors[r] : "", up, reset);
            cur = r;
        }
        report_out_fmt(o, "\n  %s", opt->color ? sev_colors[r] : "");
        report_out_esc(o, escape_term, report_col(st, A_RULE), report_col_len(st, A_RULE));
        report_out_fmt(o, "%s  ", reset);
        report_out_esc(o, escape_term, report_col(st, A_TITLE), report_col_len(st, A_TITLE));
        report_out_str(o, "\n");
        report_alert_id_col(st, id);
        report_out_fmt(o, "    %-10s %s\n", "alert id", id);
        text_field(o, "principal", st, A_PRINCIPAL);
        text_field(o, "key", st, A_KEY);
        text_field(o, "source", st, A_IP);
        text_field(o, "region", st, A_REGION);
        text_field(o, "table", st, A_TABLE);
        if (sqlite3_column_type(st, A_TABLE) == SQLITE_NULL &&
            sqlite3_column_type(st, A_TABLES) != SQLITE_NULL) {
            struct idlist tables = {o, 0, 1 << 30};
            report_out_fmt(o, "    %-10s ", "tables");
            report_each_item(report_col(st, A_TABLES), report_col_len(st, A_TABLES), text_id,
                             &tables);
            report_out_str(o, "\n");
        }
        report_out_fmt(o, "    %-10s %lld, ", "events",
                       (long long)sqlite3_column_int64(st, A_COUNT));
        report_out_esc(o, escape_term, report_col(st, A_FIRST) ? report_col(st, A_FIRST) : "?",
                       report_col(st, A_FIRST) ? report_col_len(st, A_FIRST) : 1);
        report_out_str(o, " .. ");
        report_out_esc(o, escape_term, report_col(st, A_LAST) ? report_col(st, A_LAST) : "?",
                       report_col(st, A_LAST) ? report_col_len(st, A_LAST) : 1);
        report_out_str(o, "\n");
        if (report_col(st, A_IDS)) {
            report_out_fmt(o, "    %-10s ", "event ids");
            report_each_item(report_col(st, A_IDS), report_col_len(st, A_IDS), text_id, &ids);
            if (ids.n > ids.max)
                report_out_fmt(o, " (+%d more)", ids.n - ids.max);
            report_out_str(o, "\n");
        }
        text_field(o, "detail", st, A_DETAIL);
        text_field(o, "novelty", st, A_NOVELTY);
        if (sqlite3_column_type(st, A_INCIDENT) == SQLITE_INTEGER)
            report_out_fmt(o, "    %-10s #%lld\n", "incident",
                           (long long)sqlite3_column_int64(st, A_INCIDENT));
        if (report_col(st, A_STATUS) && strcmp(report_col(st, A_STATUS), "open") != 0) {
            report_out_fmt(o, "    %-10s ", "status");
            report_out_esc(o, escape_term, report_col(st, A_STATUS), report_col_len(st, A_STATUS));
            if (report_col(st, A_REASON)) {
                report_out_str(o, ": ");
                report_out_esc(o, escape_term, report_col(st, A_REASON),
                               report_col_len(st, A_REASON));
            }
            report_out_str(o, "\n");
        }
    }
    if (s->alerts == 0 && s->interrupted[0])
        report_out_str(o, "\nno alerts stored before the run was interrupted (see the top)\n");
    else if (s->alerts == 0 && s->nothing_read)
        report_out_str(o, "\nno alerts, because no event was read (see the top)\n");
    else if (s->alerts == 0 && s->not_run)
        report_out_fmt(
            o, "\nno alerts from the rules that ran; %ld rule(s) did not run (see the top)\n",
            s->not_run);
    else if (s->alerts == 0 && s->outside)
        report_out_fmt(o, "\nno alerts in the filter; %ld outside it (see the top)\n", s->outside);
    else if (s->alerts == 0)
        report_out_str(o, "\nno alerts\n");
    report_coverage(o, db, COVERAGE_TEXT, s);
}
