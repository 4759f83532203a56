/*
 * jsonl: JSON Lines, one alert per line with the contract's field names
 * (report_json_keys), for SIEMs and jq.
 */
#include "writer.h"

#include <string.h>
#include <yajl/yajl_gen.h>

static void jsonl_alert(yajl_gen g, buffer *tmp, sqlite3_stmt *st,
                        const struct report_summary *s)
{
    char id[REPORT_ALERT_ID_LEN + 1];
    int c;

    yajl_gen_map_open(g);
    for (c = A_RULE; c <= A_STATUS; c++) {
        report_gen_key(g, report_json_keys[c]);
        if (c == A_COUNT)
            yajl_gen_integer(g, sqlite3_column_int64(st, c));
        else if (c == A_INCIDENT && sqlite3_column_type(st, c) == SQLITE_INTEGER)
            yajl_gen_integer(g, sqlite3_column_int64(st, c));
        else if (c == A_NAMES || c == A_IDS || c == A_MITRE)
            report_gen_list(g, tmp, st, c);
        else
            report_gen_col(g, tmp, st, c);
    }
    report_alert_id_col(st, id);
    report_gen_str_kv(g, tmp, "alert_id", id);
    report_gen_key(g, "tables");
    report_gen_tables(g, tmp, st);
    /* what the digests proved of the logs the alert came from, on every alert: a SIEM keeps
     * lines apart, and an alert from an unproven or cut log must say so itself */
    report_gen_key(g, "integrity");
    if (s->integrity[0])
        report_gen_str(g, tmp, s->integrity, strlen(s->integrity));
    else
        yajl_gen_null(g);
    if (sqlite3_column_type(st, A_REASON) != SQLITE_NULL) {
        report_gen_key(g, "status_reason");
        report_gen_col(g, tmp, st, A_REASON);
    }
    yajl_gen_map_close(g);
}

void report_write_jsonl(struct report_out *o, sqlite3 *db, sqlite3_stmt *st,
                        const struct report_summary *s, const report_opts *opt)
{
    yajl_gen g = yajl_gen_alloc(NULL);

    if (g == NULL) {
        o->failed = 1;
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW && !o->failed) {
        jsonl_alert(g, &o->tmp, st, s);
        report_gen_flush(o, g);
    }
    report_write_summary(o, g, db, s, opt);
    yajl_gen_free(g);
}
