/*
 * follow: following a stream (see follow.h). Single-threaded on purpose: a live
 * feed is slow by nature, and the caller interleaves reading, committing and
 * detecting on one thread.
 */
#include "follow.h"
#include "decoder.h"
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct follow {
    store *st;            /* borrowed */
    decoder *j;
    int all_events;
    const catalogue *cat;
    ingest_msg_fn on_msg;    /* borrowed */
    void *ctx;
    char *name;           /* the files row's path, owned */
    int64_t file_id;
    store_counts c;
    uint64_t pending;     /* events since the last commit */
    int64_t last_ts;      /* the newest event time not ahead of the clock by more than
                             FOLLOW_SKEW: a record dated 2099 cannot move it */
    uint64_t future;      /* records dated further ahead than that */
    int64_t ahead;        /* the clock plus FOLLOW_SKEW, read once per chunk fed */
    char err[256];        /* a store error met inside a callback */
};

static void say(follow *f, const char *m)
{
    if (f->on_msg)
        f->on_msg(f->ctx, f->name, m);
}

static int reject(follow *f, uint64_t offset, const char *reason)
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
    follow *f = ctx;

    if (reject(f, offset, reason) != 0) {
        snprintf(err, errlen, "%s", f->err);
        return -1;
    }
    return 0;
}

static int keep(void *ctx, const char *source, size_t slen, const char *name, size_t nlen)
{
    follow *f = ctx;

    return f->all_events || catalogue_keeps(f->cat, source, slen, name, nlen);
}

static int on_event(void *ctx, const decoder_event *ev, char *err, size_t errlen)
{
    follow *f = ctx;
    enum store_outcome out;
    normalize_row row;
    char why[512], diff[300];

    if (!keep(f, ev->v[JF_EVENT_SOURCE], ev->len[JF_EVENT_SOURCE], ev->v[JF_EVENT_NAME],
              ev->len[JF_EVENT_NAME])) {
        f->c.seen++;
        f->c.skipped++;
        return 0;
    }
    if (normalize_event(ev, &row, why, sizeof why) != 0)
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
    if (row.col[NC_EVENT_TS].i > f->ahead)
        f->future++; /* stored, and flagged, but it moves no bound */
    else if (row.col[NC_EVENT_TS].i > f->last_ts)
        f->last_ts = row.col[NC_EVENT_TS].i;
    return 0;
}

follow *follow_new(store *s, const char *name, int all_events, const catalogue *cat,
                   ingest_msg_fn on_msg, void *ctx,
                   char *err, size_t errlen)
{
    follow *f = calloc(1, sizeof *f);

    if (f == NULL || (f->name = strdup(name)) == NULL ||
        (f->j = decoder_new(on_event, on_reject, f)) == NULL) {
        snprintf(err, errlen, "out of memory");
        follow_free(f);
        return NULL;
    }
    f->st = s;
    f->all_events = all_events;
    f->cat = cat;
    f->on_msg = on_msg;
    f->ctx = ctx;
    decoder_set_keep(f->j, keep, f);
    decoder_set_lines(f->j); /* a live feed: a bad line never ends it */
    if (store_file_begin(s, name, -1, 0, &f->file_id, err, errlen) != 0 ||
        store_commit(s, err, errlen) != 0) {
        follow_free(f);
        return NULL;
    }
    return f;
}

int follow_feed(follow *f, const void *buf, size_t n, char *err, size_t errlen)
{
    f->ahead = (int64_t)time(NULL) + FOLLOW_SKEW;
    return decoder_feed(f->j, buf, n, err, errlen);
}

static int update(follow *f, const char *status, const char *problem, char *err, size_t errlen)
{
    if (store_begin(f->st, err, errlen) != 0 ||
        store_file_update(f->st, f->file_id, &f->c, status, "stream", problem, err, errlen) != 0 ||
        store_commit(f->st, err, errlen) != 0)
        return -1;
    f->pending = 0;
    return 0;
}

int follow_commit(follow *f, char *err, size_t errlen)
{
    return update(f, "in-progress", NULL, err, errlen);
}

int follow_finish(follow *f, int interrupted, char *err, size_t errlen)
{
    char why[512] = "";

    if (!interrupted && decoder_finish(f->j, why, sizeof why) != 0 &&
        reject(f, decoder_offset(f->j), why) != 0) {
        snprintf(err, errlen, "%s", f->err);
        return -1;
    }
    return update(f, interrupted ? "interrupted" : why[0] ? "error" : "complete",
                  why[0] ? why : NULL, err, errlen);
}

/* The events a prune takes: older than ?1, unless the actor is one of ?2's
 * [actor, since] pairs and the event is not older than its since. */
#define PRUNED(col)                                                                         \
    "SELECT " col " FROM events e WHERE e.event_ts < ?1 AND NOT EXISTS (SELECT 1"         \
    " FROM json_each(?2) o WHERE o.value ->> 0 = e.actor_arn AND e.event_ts >= o.value ->> 1)"

int follow_prune(follow *f, int64_t before, const char *keep, char *err, size_t errlen)
{
    /* what was derived from a pruned event goes with it, or a long session would keep
     * every effect and reference it ever judged */
    static const char *const sql[] = {
        "DELETE FROM event_effects WHERE event_id IN (" PRUNED("event_id") ")",
        "DELETE FROM event_refs WHERE event_id IN (" PRUNED("event_id") ")",
        "DELETE FROM event_items WHERE event_id IN (" PRUNED("event_id") ")",
        "DELETE FROM events WHERE rowid IN (" PRUNED("rowid") ")"};
    size_t i;

    for (i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *st;
        int rc;
        if (sqlite3_prepare_v2(store_db(f->st), sql[i], -1, &st, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "database: %s", sqlite3_errmsg(store_db(f->st)));
            return -1;
        }
        sqlite3_bind_int64(st, 1, before);
        sqlite3_bind_text(st, 2, keep ? keep : "[]", -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            snprintf(err, errlen, "database: %s", sqlite3_errmsg(store_db(f->st)));
            return -1;
        }
    }
    return 0;
}

uint64_t follow_pending(const follow *f)
{
    return f->pending;
}

uint64_t follow_future(const follow *f)
{
    return f->future;
}

int64_t follow_last_ts(const follow *f)
{
    return f->last_ts;
}

const store_counts *follow_counts(const follow *f)
{
    return &f->c;
}

void follow_free(follow *f)
{
    if (f == NULL)
        return;
    decoder_free(f->j);
    free(f->name);
    free(f);
}
