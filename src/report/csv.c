/*
 * csv: the alerts as one CSV table with the contract's column names. Every
 * cell goes through escape_csv(): quoted as RFC 4180 asks, and a cell that
 * a spreadsheet would run as a formula (=, +, -, @ first) is defused.
 */
#include "writer.h"
#include "escape.h"

#include <string.h>

void report_write_csv(struct report_out *o, sqlite3 *db, sqlite3_stmt *st,
                      const struct report_summary *s, const report_opts *opt)
{
    char id[REPORT_ALERT_ID_LEN + 1];
    int c, rc;

    (void)db;
    (void)opt;
    /* the contract's columns, then alert_id, tables and integrity (added after them, so
     * that a reader by position keeps working); integrity is the same on every row: what
     * the digests proved of the logs read */
    for (c = A_RULE; c <= A_STATUS; c++)
        report_out_fmt(o, "%s%s", c ? "," : "", report_json_keys[c]);
    report_out_str(o, ",alert_id,tables,integrity\r\n");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !o->failed) {
        report_csv_row(o, st, A_STATUS + 1);
        report_alert_id_col(st, id);
        report_out_fmt(o, ",%s,", id);
        c = sqlite3_column_type(st, A_TABLES) != SQLITE_NULL ? A_TABLES : A_TABLE;
        if (sqlite3_column_type(st, c) != SQLITE_NULL)
            report_out_esc(o, escape_csv, report_col(st, c), report_col_len(st, c));
        report_out_str(o, ",");
        report_out_esc(o, escape_csv, s->integrity, strlen(s->integrity));
        report_out_str(o, "\r\n");
    }
}
