/*
 * ocsf: OCSF 1.1.0 Detection Findings (class 2004), one per line, as Amazon
 * Security Lake takes them: the alert's rule as the finding, ATT&CK from its
 * mitre header, its tables as resources, each event it keeps as an evidence
 * with the actor and source address, and what OCSF has no field for under
 * unmapped. No attribute is null (one the alert lacks is left out), and the
 * cloud profile the finding uses is declared in metadata.profiles.
 */
#include "writer.h"
#include "rules.h"

#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

struct attacks {
    yajl_gen g;
    buffer *tmp;
};

static void gen_attack(void *arg, const char *s, size_t n)
{
    struct attacks *a = arg;

    yajl_gen_map_open(a->g);
    report_gen_key(a->g, "technique");
    yajl_gen_map_open(a->g);
    report_gen_key(a->g, "uid");
    report_gen_str(a->g, a->tmp, s, n);
    yajl_gen_map_close(a->g);
    report_gen_key(a->g, "version");
    report_gen_str(a->g, a->tmp, "14", 2);
    yajl_gen_map_close(a->g);
}

struct resources {
    yajl_gen g;
    buffer *tmp;
    const char *region, *account; /* the alert's, or NULL when its events span several */
};

/* One table as an OCSF resource; its ARN only where the alert has one region
 * and one account to make it of. */
static void gen_resource(void *arg, const char *s, size_t n)
{
    struct resources *r = arg;
    char arn[1024];

    yajl_gen_map_open(r->g);
    if (r->region && r->account && n < 512) {
        snprintf(arn, sizeof arn, "arn:aws:dynamodb:%s:%s:table/%.*s", r->region, r->account,
                 (int)n, s);
        report_gen_str_kv(r->g, r->tmp, "uid", arn);
    }
    report_gen_key(r->g, "name");
    report_gen_str(r->g, r->tmp, s, n);
    report_gen_str_kv(r->g, r->tmp, "type", "AWS::DynamoDB::Table");
    yajl_gen_map_close(r->g);
}

/* key: the column's text, left out when the column is NULL (OCSF has no
 * nulls: an attribute it does not know is absent). */
static void col_kv(yajl_gen g, buffer *tmp, const char *k, sqlite3_stmt *st, int c)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        return;
    report_gen_key(g, k);
    report_gen_col(g, tmp, st, c);
}

/* Who acted and from where, as an evidence carries them (Detection Finding
 * 1.1 has no actor or src_endpoint of its own: actor comes only with the
 * host profile, src_endpoint not at all). */
struct evidence {
    yajl_gen g;
    buffer *tmp;
    sqlite3_stmt *st;
    int n;
};

static void gen_who(yajl_gen g, buffer *tmp, sqlite3_stmt *st)
{
    int principal = sqlite3_column_type(st, A_PRINCIPAL) != SQLITE_NULL;
    int key = sqlite3_column_type(st, A_KEY) != SQLITE_NULL;

    if (principal || key) {
        report_gen_key(g, "actor");
        yajl_gen_map_open(g);
        if (principal) {
            report_gen_key(g, "user");
            yajl_gen_map_open(g);
            col_kv(g, tmp, "uid", st, A_PRINCIPAL);
            col_kv(g, tmp, "credential_uid", st, A_KEY);
            yajl_gen_map_close(g);
        }
        if (key) {
            report_gen_key(g, "session");
            yajl_gen_map_open(g);
            col_kv(g, tmp, "credential_uid", st, A_KEY);
            yajl_gen_map_close(g);
        }
        yajl_gen_map_close(g);
    }
    if (sqlite3_column_type(st, A_IP) != SQLITE_NULL) {
        report_gen_key(g, "src_endpoint");
        yajl_gen_map_open(g);
        col_kv(g, tmp, "ip", st, A_IP);
        yajl_gen_map_close(g);
    }
}

static int has_who(sqlite3_stmt *st)
{
    return sqlite3_column_type(st, A_PRINCIPAL) != SQLITE_NULL ||
           sqlite3_column_type(st, A_KEY) != SQLITE_NULL ||
           sqlite3_column_type(st, A_IP) != SQLITE_NULL;
}

static void gen_evidence(void *arg, const char *s, size_t n)
{
    struct evidence *e = arg;

    yajl_gen_map_open(e->g);
    gen_who(e->g, e->tmp, e->st);
    report_gen_key(e->g, "data");
    yajl_gen_map_open(e->g);
    report_gen_key(e->g, "event_uid");
    report_gen_str(e->g, e->tmp, s, n);
    yajl_gen_map_close(e->g);
    yajl_gen_map_close(e->g);
    e->n++;
}

/* One OCSF 1.1.0 Detection Finding (class 2004), checked against the schema
 * by tests/tools/ocsf_check.py. Long on purpose: the finding is written field
 * by field in the schema's order, so the code reads as the object does. */
void report_ocsf_metadata(yajl_gen g, buffer *tmp, const report_opts *opt, const char *profile)
{
    report_gen_key(g, "metadata");
    yajl_gen_map_open(g);
    report_gen_str_kv(g, tmp, "version", "1.1.0");
    report_gen_key(g, "profiles");
    yajl_gen_array_open(g);
    if (profile)
        report_gen_str(g, tmp, profile, strlen(profile));
    yajl_gen_array_close(g);
    report_gen_key(g, "product");
    yajl_gen_map_open(g);
    report_gen_str_kv(g, tmp, "name", "ddbtrail");
    report_gen_str_kv(g, tmp, "vendor_name", "ddbtrail");
    report_gen_str_kv(g, tmp, "version", opt->version ? opt->version : "unknown");
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

static void ocsf_alert(yajl_gen g, buffer *tmp, sqlite3_stmt *st, const struct report_summary *s,
                       const report_opts *opt)
{
    int rank = rules_severity_rank(report_col(st, A_SEV));
    static const char *const ocsf_sev[] = {"Informational", "Low", "Medium", "High", "Critical"};
    struct attacks a = {g, tmp};
    struct resources res;
    struct evidence ev = {g, tmp, st, 0};
    char id[REPORT_ALERT_ID_LEN + 1];

    if (rank < 0)
        rank = 0;
    report_alert_id_col(st, id);
    yajl_gen_map_open(g);
    report_gen_int_kv(g, "activity_id", 1);
    report_gen_str_kv(g, tmp, "activity_name", "Create");
    report_gen_int_kv(g, "category_uid", 2);
    report_gen_str_kv(g, tmp, "category_name", "Findings");
    report_gen_int_kv(g, "class_uid", 2004);
    report_gen_str_kv(g, tmp, "class_name", "Detection Finding");
    report_gen_int_kv(g, "type_uid", 200401);
    report_gen_str_kv(g, tmp, "type_name", "Detection Finding: Create");
    report_gen_int_kv(g, "severity_id", rank + 1);
    report_gen_str_kv(g, tmp, "severity", ocsf_sev[rank]);
    if (report_col(st, A_STATUS) && strcmp(report_col(st, A_STATUS), "suppressed") == 0) {
        report_gen_int_kv(g, "status_id", 3);
        report_gen_str_kv(g, tmp, "status", "Suppressed");
    } else {
        report_gen_int_kv(g, "status_id", 1);
        report_gen_str_kv(g, tmp, "status", "New");
    }
    report_gen_int_kv(g, "time", report_iso_ms(report_col(st, A_LAST)));
    report_gen_int_kv(g, "count", sqlite3_column_int64(st, A_COUNT));
    col_kv(g, tmp, "message", st, A_DETAIL);
    report_ocsf_metadata(g, tmp, opt, "cloud");
    report_gen_key(g, "finding_info");
    yajl_gen_map_open(g);
    report_gen_str_kv(g, tmp, "uid", id);
    col_kv(g, tmp, "title", st, A_TITLE);
    col_kv(g, tmp, "desc", st, A_DETAIL);
    report_gen_key(g, "types");
    yajl_gen_array_open(g);
    report_gen_col(g, tmp, st, A_RULE);
    yajl_gen_array_close(g);
    if (report_col(st, A_FIRST))
        report_gen_int_kv(g, "first_seen_time", report_iso_ms(report_col(st, A_FIRST)));
    if (report_col(st, A_LAST))
        report_gen_int_kv(g, "last_seen_time", report_iso_ms(report_col(st, A_LAST)));
    report_gen_key(g, "analytic");
    yajl_gen_map_open(g);
    col_kv(g, tmp, "uid", st, A_RULE);
    col_kv(g, tmp, "name", st, A_TITLE);
    report_gen_int_kv(g, "type_id", 1);
    report_gen_str_kv(g, tmp, "type", "Rule");
    yajl_gen_map_close(g);
    if (sqlite3_column_type(st, A_MITRE) != SQLITE_NULL) {
        report_gen_key(g, "attacks");
        yajl_gen_array_open(g);
        report_each_item(report_col(st, A_MITRE), report_col_len(st, A_MITRE), gen_attack, &a);
        yajl_gen_array_close(g);
    }
    yajl_gen_map_close(g);
    report_gen_key(g, "cloud");
    yajl_gen_map_open(g);
    report_gen_str_kv(g, tmp, "provider", "AWS");
    col_kv(g, tmp, "region", st, A_REGION);
    if (sqlite3_column_type(st, A_ACCOUNT) != SQLITE_NULL) {
        report_gen_key(g, "account");
        yajl_gen_map_open(g);
        col_kv(g, tmp, "uid", st, A_ACCOUNT);
        report_gen_int_kv(g, "type_id", 10);
        report_gen_str_kv(g, tmp, "type", "AWS Account");
        yajl_gen_map_close(g);
    }
    yajl_gen_map_close(g);
    report_gen_key(g, "resources");
    yajl_gen_array_open(g);
    res.g = g;
    res.tmp = tmp;
    res.region = report_col(st, A_REGION);
    res.account = report_col(st, A_ACCOUNT);
    report_each_table(st, gen_resource, &res);
    yajl_gen_array_close(g);
    /* one evidence per event the alert keeps, each with who made it and from where; an
     * alert that keeps no event (a log file's deletion) says who it can */
    report_gen_key(g, "evidences");
    yajl_gen_array_open(g);
    report_each_item(report_col(st, A_IDS), report_col_len(st, A_IDS), gen_evidence, &ev);
    if (ev.n == 0 && has_who(st)) {
        yajl_gen_map_open(g);
        gen_who(g, tmp, st);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    report_gen_key(g, "unmapped");
    yajl_gen_map_open(g);
    report_gen_key(g, "event_names");
    report_gen_list(g, tmp, st, A_NAMES);
    if (sqlite3_column_type(st, A_INCIDENT) == SQLITE_INTEGER) {
        char incident[48];
        snprintf(incident, sizeof incident, "ddbtrail-incident-%lld",
                 (long long)sqlite3_column_int64(st, A_INCIDENT));
        report_gen_str_kv(g, tmp, "incident_uid", incident);
    }
    col_kv(g, tmp, "novelty", st, A_NOVELTY);
    if (s->integrity[0])
        report_gen_str_kv(g, tmp, "integrity", s->integrity);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

void report_write_ocsf(struct report_out *o, sqlite3 *db, sqlite3_stmt *st,
                       const struct report_summary *s, const report_opts *opt)
{
    yajl_gen g = yajl_gen_alloc(NULL);

    if (g == NULL) {
        o->failed = 1;
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW && !o->failed) {
        ocsf_alert(g, &o->tmp, st, s, opt);
        report_gen_flush(o, g);
    }
    report_write_summary(o, g, db, s, opt);
    yajl_gen_free(g);
}
