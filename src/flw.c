/*
 * flw: following a stream (see flw.h). Single-threaded on purpose: a live
 * feed is slow by nature, and the caller interleaves reading, committing and
 * detecting on one thread.
 */
#include "flw.h"
#include "jev.h"
#include "norm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct flw {
    store *st;            /* borrowed */
    jev *j;
    int all_events;
    ing_msg_fn on_msg;    /* borrowed */
    void *ctx;
    char *name;           /* the files row's path, owned */
    int64_t file_id;
    store_counts c;
    uint64_t pending;     /* events since the last commit */
    int64_t last_ts;
    char err[256];        /* a store error met inside a callback */
};

static void say(flw *f, const char *m)
{
    if (f->on_msg)
        f->on_msg(f->ctx, f->name, m);
}

static int reject(flw *f, uint64_t offset, const char *reason)
{
    char line[700];

    f->c.seen++;
    f->c.rejected++;
    snprintf(line, sizeof line, "%s (byte %llu)", reason, (unsigned long long)offset);
    say(f, line);
    return store_reject(f->st, f->file_id, offset, reason, f->err, sizeof f->err);
}

static int on_reject(void *ctx, uint64_t offset, const char *reason, char *err, size_t errlen)
{
    flw *f = ctx;

    if (reject(f, offset, reason) != 0) {
        snprintf(err, errlen, "%s", f->err);
        return -1;
    }
    return 0;
}

static int keep(void *ctx, const char *source, size_t slen, const char *name, size_t nlen)
{
    flw *f = ctx;

    return f->all_events || norm_is_relevant(source, slen, name, nlen);
}

static int on_event(void *ctx, const jev_event *ev, char *err, size_t errlen)
{
    flw *f = ctx;
    enum store_outcome out;
    norm_row row;
    char why[512], diff[300];

    if (!keep(f, ev->v[JF_EVENT_SOURCE], ev->len[JF_EVENT_SOURCE], ev->v[JF_EVENT_NAME],
              ev->len[JF_EVENT_NAME])) {
        f->c.seen++;
        f->c.skipped++;
        return 0;
    }
    if (norm_event(ev, &row, why, sizeof why) != 0)
        return on_reject(f, ev->offset, why, err, errlen);
    if (store_begin(f->st, err, errlen) != 0 ||
        store_event(f->st, f->file_id, ev->offset, &row, &out, diff, sizeof diff, err,
                    errlen) != 0)
        return -1;
    if (out == STORE_CLASH) {
        store_clash_reason(&row, diff, why, sizeof why);
        f->c.clash++;
        return on_reject(f, ev->offset, why, err, errlen);
    }
    f->c.seen++;
    f->c.stored++;
    f->c.duplicate += out == STORE_DUPLICATE;
    f->pending++;
    if (row.col[NC_EVENT_TS].i > f->last_ts)
        f->last_ts = row.col[NC_EVENT_TS].i;
    return 0;
}

flw *flw_new(store *s, const char *name, int all_events, ing_msg_fn on_msg, void *ctx,
             char *err, size_t errlen)
{
    flw *f = calloc(1, sizeof *f);

    if (f == NULL || (f->name = strdup(name)) == NULL ||
        (f->j = jev_new(on_event, on_reject, f)) == NULL) {
        snprintf(err, errlen, "out of memory");
        flw_free(f);
        return NULL;
    }
    f->st = s;
    f->all_events = all_events;
    f->on_msg = on_msg;
    f->ctx = ctx;
    jev_set_keep(f->j, keep, f);
    if (store_file_begin(s, name, -1, 0, &f->file_id, err, errlen) != 0 ||
        store_commit(s, err, errlen) != 0) {
        flw_free(f);
        return NULL;
    }
    return f;
}

int flw_feed(flw *f, const void *buf, size_t n, char *err, size_t errlen)
{
    return jev_feed(f->j, buf, n, err, errlen);
}

static int update(flw *f, const char *status, const char *problem, char *err, size_t errlen)
{
    if (store_begin(f->st, err, errlen) != 0 ||
        store_file_update(f->st, f->file_id, &f->c, status, "stream", problem, err, errlen) != 0 ||
        store_commit(f->st, err, errlen) != 0)
        return -1;
    f->pending = 0;
    return 0;
}

int flw_commit(flw *f, char *err, size_t errlen)
{
    return update(f, "in-progress", NULL, err, errlen);
}

int flw_finish(flw *f, int interrupted, char *err, size_t errlen)
{
    char why[512] = "";

    if (!interrupted && jev_finish(f->j, why, sizeof why) != 0 &&
        reject(f, jev_offset(f->j), why) != 0) {
        snprintf(err, errlen, "%s", f->err);
        return -1;
    }
    return update(f, interrupted ? "interrupted" : why[0] ? "error" : "complete",
                  why[0] ? why : NULL, err, errlen);
}

int flw_prune(flw *f, int64_t before, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(store_db(f->st), "DELETE FROM events WHERE event_ts < ?", -1, &st,
                           NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(store_db(f->st)));
        return -1;
    }
    sqlite3_bind_int64(st, 1, before);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(store_db(f->st)));
        return -1;
    }
    return 0;
}

uint64_t flw_pending(const flw *f)
{
    return f->pending;
}

int64_t flw_last_ts(const flw *f)
{
    return f->last_ts;
}

const store_counts *flw_counts(const flw *f)
{
    return &f->c;
}

void flw_free(flw *f)
{
    if (f == NULL)
        return;
    jev_free(f->j);
    free(f->name);
    free(f);
}
