/*
 * suppress: suppressions (see suppress.h). Entries were checked when the config was
 * read (settings.c) and stored as compact JSON in settings_list; here SQLite's
 * JSON functions take them apart, so matching is one UPDATE per entry.
 */
#include "suppress.h"
#include "normalize.h"

#include <stdio.h>
#include <string.h>

static const char match_sql[] =
    "UPDATE alerts SET status = 'suppressed', status_reason = json_extract(?1, '$.reason')"
    " WHERE status = 'open'"
    "   AND (json_extract(?1, '$.rule') = '*' OR rule_id = json_extract(?1, '$.rule'))"
    "   AND (json_extract(?1, '$.actor') IS NULL"
    "        OR coalesce(principal_arn, '') GLOB json_extract(?1, '$.actor'))"
    "   AND (json_type(?1, '$.tables') IS NULL"
    "        OR EXISTS (SELECT 1 FROM json_each(?1, '$.tables') t"
    "                   WHERE coalesce(table_name, '') GLOB t.value))"
    "   AND (json_type(?1, '$.source_cidrs') IS NULL"
    "        OR EXISTS (SELECT 1 FROM json_each(?1, '$.source_cidrs') c"
    "                   WHERE ip_in_cidr(source_ip, c.value)))";

int suppress_apply(sqlite3 *db, int64_t now, suppress_expired_fn on_expired, void *ctx,
                   long *suppressed, uint64_t *work, char *err, size_t errlen)
{
    sqlite3_stmt *list = NULL, *upd = NULL;
    int rc;

    *suppressed = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT value, json_extract(value, '$.until'),"
                           " json_extract(value, '$.rule'), json_extract(value, '$.reason')"
                           " FROM settings_list WHERE key = 'suppress' ORDER BY rowid",
                           -1, &list, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, match_sql, -1, &upd, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "suppress: %s", sqlite3_errmsg(db));
        sqlite3_finalize(list);
        return -1;
    }
    while ((rc = sqlite3_step(list)) == SQLITE_ROW) {
        const char *until = (const char *)sqlite3_column_text(list, 1);
        if (until) {
            char end[40];
            int64_t ts;
            snprintf(end, sizeof end, "%.10sT23:59:59Z", until);
            if (normalize_parse_time(end, strlen(end), &ts) == 0 && ts < now) {
                if (on_expired)
                    on_expired(ctx, (const char *)sqlite3_column_text(list, 2), until,
                               (const char *)sqlite3_column_text(list, 3));
                continue;
            }
        }
        sqlite3_bind_value(upd, 1, sqlite3_column_value(list, 0));
        if (sqlite3_step(upd) != SQLITE_DONE) {
            snprintf(err, errlen, "suppress: %s", sqlite3_errmsg(db));
            sqlite3_finalize(list);
            sqlite3_finalize(upd);
            return -1;
        }
        *suppressed += sqlite3_changes(db);
        sqlite3_reset(upd);
    }
    if (work)
        *work += (uint64_t)sqlite3_stmt_status(list, SQLITE_STMTSTATUS_VM_STEP, 0) +
                 (uint64_t)sqlite3_stmt_status(upd, SQLITE_STMTSTATUS_VM_STEP, 0);
    sqlite3_finalize(list);
    sqlite3_finalize(upd);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "suppress: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}
