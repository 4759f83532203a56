/*
 * card: one alert of the HTML report, as a card a person acts on: the rule
 * and what it found, who and where, the events (with the user agents and
 * error codes they carried), then what the rule says of itself: what it
 * looks for, its usual false positives, its references and its ATT&CK
 * techniques as links. Everything from a log or a rule file is escaped;
 * only https references and well-formed technique ids become links.
 */
#include "writer.h"
#include "escape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CARD_MAX_SEEN = 5 }; /* distinct user agents and error codes shown per alert */

void report_cards_open(struct report_cards *c, sqlite3 *db)
{
    memset(c, 0, sizeof *c);
    if (sqlite3_prepare_v2(db,
                           "SELECT description, falsepositives, refs FROM rule_runs"
                           " WHERE rule_id = ?1",
                           -1, &c->rule, NULL) != SQLITE_OK)
        c->rule = NULL;
    if (sqlite3_prepare_v2(db, "SELECT user_agent, error_code FROM events WHERE event_id = ?1",
                           -1, &c->event, NULL) != SQLITE_OK)
        c->event = NULL;
}

void report_cards_close(struct report_cards *c)
{
    sqlite3_finalize(c->rule);
    sqlite3_finalize(c->event);
    memset(c, 0, sizeof *c);
}

static void row(struct report_out *o, const char *label, sqlite3_stmt *st, int c, int mono)
{
    report_out_fmt(o, "<tr><td>%s</td><td%s>", label, mono ? " class=\"mono\"" : "");
    report_html_col(o, st, c);
    report_out_str(o, "</td></tr>\n");
}

/* A comma-separated column, its items ", "-joined so that the line can wrap. */
struct list_out {
    struct report_out *o;
    int n;
};

static void list_item(void *arg, const char *s, size_t n)
{
    struct list_out *l = arg;

    if (l->n++)
        report_out_str(l->o, ", ");
    report_out_esc(l->o, escape_html, s, n);
}

static void list_row(struct report_out *o, const char *label, sqlite3_stmt *st, int c, int mono)
{
    struct list_out l = {o, 0};

    if (sqlite3_column_type(st, c) == SQLITE_NULL) {
        row(o, label, st, c, mono);
        return;
    }
    report_out_fmt(o, "<tr><td>%s</td><td%s>", label, mono ? " class=\"mono\"" : "");
    report_each_item(report_col(st, c), report_col_len(st, c), list_item, &l);
    report_out_str(o, "</td></tr>\n");
}

/* An ATT&CK technique id (T1530, T1098.003) as a link to its page. */
static void technique(void *arg, const char *s, size_t n)
{
    struct list_out *l = arg;
    int ok = n >= 5 && s[0] == 'T' && strspn(s + 1, "0123456789") == 4 &&
             (n == 5 || (n == 9 && s[5] == '.' && strspn(s + 6, "0123456789") == 3));

    if (l->n++)
        report_out_str(l->o, ", ");
    if (!ok) {
        report_out_esc(l->o, escape_html, s, n);
        return;
    }
    report_out_fmt(l->o, "<a href=\"https://attack.mitre.org/techniques/%.5s%s%.3s/\">%.*s</a>",
                   s, n == 9 ? "/" : "", n == 9 ? s + 6 : "", (int)n, s);
}

/* A rule's references, split on commas and spaces; https ones as links. */
static void references(struct report_out *o, const char *s)
{
    int n = 0;

    while (*s) {
        size_t k = strcspn(s, ", ");
        if (k) {
            if (n++)
                report_out_str(o, "<br>");
            if (strncmp(s, "https://", 8) == 0) {
                report_out_str(o, "<a href=\"");
                report_out_esc(o, escape_html, s, k);
                report_out_str(o, "\">");
                report_out_esc(o, escape_html, s, k);
                report_out_str(o, "</a>");
            } else {
                report_out_esc(o, escape_html, s, k);
            }
        }
        s += k;
        s += strspn(s, ", ");
    }
}

/* The distinct user agents and error codes of the events the alert keeps. */
struct facts {
    sqlite3_stmt *event;
    char *agents[CARD_MAX_SEEN], *errors[CARD_MAX_SEEN];
    int nagents, nerrors, more_agents, more_errors;
};

static void remember(char **set, int *n, int *more, const char *v)
{
    int i;

    if (v == NULL)
        return;
    for (i = 0; i < *n; i++)
        if (strcmp(set[i], v) == 0)
            return;
    if (*n == CARD_MAX_SEEN) {
        *more = 1;
        return;
    }
    if ((set[*n] = strdup(v)) != NULL)
        (*n)++;
}

static void fact_of(void *arg, const char *s, size_t n)
{
    struct facts *f = arg;

    sqlite3_bind_text(f->event, 1, s, (int)n, SQLITE_TRANSIENT);
    if (sqlite3_step(f->event) == SQLITE_ROW) {
        remember(f->agents, &f->nagents, &f->more_agents,
                 (const char *)sqlite3_column_text(f->event, 0));
        remember(f->errors, &f->nerrors, &f->more_errors,
                 (const char *)sqlite3_column_text(f->event, 1));
    }
    sqlite3_reset(f->event);
}

static void seen_row(struct report_out *o, const char *label, char **set, int n, int more)
{
    int i;

    if (n == 0)
        return;
    report_out_fmt(o, "<tr><td>%s</td><td class=\"mono\">", label);
    for (i = 0; i < n; i++) {
        if (i)
            report_out_str(o, "<br>");
        report_html_text(o, set[i]);
        free(set[i]);
    }
    if (more)
        report_out_str(o, "<br>(more)");
    report_out_str(o, "</td></tr>\n");
}

static void rule_rows(struct report_out *o, struct report_cards *c, sqlite3_stmt *st)
{
    const char *v;

    if (c->rule == NULL)
        return;
    sqlite3_bind_text(c->rule, 1, report_col(st, A_RULE), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(c->rule) == SQLITE_ROW) {
        if (sqlite3_column_type(c->rule, 0) != SQLITE_NULL)
            row(o, "the rule", c->rule, 0, 0);
        if (sqlite3_column_type(c->rule, 1) != SQLITE_NULL)
            row(o, "false positives", c->rule, 1, 0);
        if ((v = (const char *)sqlite3_column_text(c->rule, 2)) != NULL) {
            report_out_str(o, "<tr><td>references</td><td>");
            references(o, v);
            report_out_str(o, "</td></tr>\n");
        }
    }
    sqlite3_reset(c->rule);
}

void report_card(struct report_out *o, struct report_cards *c, sqlite3_stmt *st, const char *sev)
{
    struct facts f;
    struct list_out l = {o, 0};
    char id[REPORT_ALERT_ID_LEN + 1];

    report_alert_id_col(st, id);
    report_out_fmt(o,
                   "<section class=\"alert sev-%s\" id=\"alert-%lld\">\n<h3><span class=\"sev "
                   "sev-%s\">%s</span><code>",
                   sev, (long long)sqlite3_column_int64(st, A_ID), sev, sev);
    report_html_col(o, st, A_RULE);
    report_out_str(o, "</code> ");
    report_html_col(o, st, A_TITLE);
    report_out_str(o, "</h3>\n<p class=\"detail\">");
    report_html_col(o, st, A_DETAIL);
    report_out_str(o, "</p>\n<table>\n");
    report_out_fmt(o, "<tr><td>alert id</td><td class=\"mono\">%s</td></tr>\n", id);
    row(o, "principal", st, A_PRINCIPAL, 1);
    row(o, "access key", st, A_KEY, 1);
    row(o, "source IP", st, A_IP, 1);
    row(o, "account", st, A_ACCOUNT, 1);
    row(o, "region", st, A_REGION, 0);
    if (sqlite3_column_type(st, A_TABLE) == SQLITE_NULL &&
        sqlite3_column_type(st, A_TABLES) != SQLITE_NULL)
        list_row(o, "tables", st, A_TABLES, 1);
    else
        row(o, "table", st, A_TABLE, 1);
    report_out_fmt(o, "<tr><td>events</td><td>%lld, ",
                   (long long)sqlite3_column_int64(st, A_COUNT));
    report_html_col(o, st, A_FIRST);
    report_out_str(o, " .. ");
    report_html_col(o, st, A_LAST);
    report_out_str(o, "</td></tr>\n");
    list_row(o, "API calls", st, A_NAMES, 0);
    list_row(o, "event ids", st, A_IDS, 1);
    memset(&f, 0, sizeof f);
    f.event = c->event;
    if (f.event)
        report_each_item(report_col(st, A_IDS), report_col_len(st, A_IDS), fact_of, &f);
    seen_row(o, "user agents", f.agents, f.nagents, f.more_agents);
    seen_row(o, "error codes", f.errors, f.nerrors, f.more_errors);
    report_out_fmt(o, "<tr><td>evidence</td><td class=\"mono\">ddbtrail events --db STORE "
                      "--alert %s</td></tr>\n", id);
    if (sqlite3_column_type(st, A_MITRE) != SQLITE_NULL) {
        report_out_str(o, "<tr><td>ATT&amp;CK</td><td>");
        report_each_item(report_col(st, A_MITRE), report_col_len(st, A_MITRE), technique, &l);
        report_out_str(o, "</td></tr>\n");
    }
    row(o, "incident", st, A_INCIDENT, 0);
    row(o, "novelty", st, A_NOVELTY, 0);
    if (report_col(st, A_STATUS) && strcmp(report_col(st, A_STATUS), "open") != 0)
        row(o, "suppressed", st, A_REASON, 0);
    rule_rows(o, c, st);
    report_out_str(o, "</table>\n</section>\n");
}
