/*
 * ingest: inputs into the store (see ingest.h).
 *
 * A decoder turns one input into a sequence of batches: serialised rows and
 * rejects, plus a header (the input's size and mtime, or why it could not
 * be opened) on the first batch and a trailer (format, the error that ended
 * it) on the last. The writer applies batches in input order. Memory is
 * bounded by the threads times the queue depth times the batch size.
 */
#include "ingest.h"
#include "buffer.h"
#include "reader.h"
#include "decoder.h"
#include "normalize.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INGEST_CHUNK (256 * 1024)       /* decoded bytes per read */
#define INGEST_DEFAULT_BATCH 50000      /* events per transaction */
#define INGEST_BATCH_FLUSH (1u << 20)   /* serialised bytes that end a batch */
#define INGEST_BATCH_CAP (64u << 20)    /* one batch never exceeds this */
#define INGEST_QUEUE_DEPTH 4            /* batches waiting per decoding thread */
#define INGEST_MAX_THREADS 8

/* What a decoder hands the writer. */
struct batch {
    size_t index;          /* position of the input in the list */
    int first, last;       /* first / last batch of this input */
    int open_failed;       /* header: the input could not be opened (problem says why) */
    int64_t size, mtime;   /* header: for the files row (size -1: not a regular file) */
    int interrupted;       /* trailer: stopped by opts.stop */
    char format[48];       /* trailer: files.format */
    char problem[512];     /* trailer: what ended the input early, "" if nothing */
    int no_record;         /* trailer: the problem is that the input held no record at all
                              (empty, or only whitespace): nothing to count as rejected */
    uint64_t where;        /* trailer: offset of problem */
    const char *unit;      /* "byte" or "decompressed byte" for reject offsets */
    uint64_t skipped;      /* events in this batch not kept */
    uint64_t windowed;     /* of those, outside a --since/--until window */
    uint64_t other_shard;  /* records left to other shards */
    uint64_t raw_bytes, json_bytes;
    buffer data;             /* 'R' rows and 'X' rejects, serialised */
    struct batch *next;    /* queue link */
};

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_get;
    struct batch *head, *tail;
    int count;
};

struct worker {
    ingest *g;
    pthread_t tid;
    struct queue q;
    size_t first;          /* inputs first, first + W, first + 2W, ... of todo[] */
    unsigned char *buf;    /* decoded-bytes chunk */
};

struct ingest {
    store *st;             /* borrowed */
    ingest_opts opts;
    ingest_msg_fn on_msg;     /* borrowed */
    void *ctx;
    ingest_totals tot;
    /* the run */
    char *const *paths;    /* borrowed for the duration of ingest_files() */
    size_t *todo;          /* indices of the inputs to read */
    size_t ntodo;
    int nworkers;
    volatile int abort;    /* the writer gave up: decoders stop and drop their batches */
    /* the writer's view of the current input */
    const char *path;
    int64_t file_id;
    store_counts c;
    int windowed;     /* the current input lost events to a --since/--until window */
    uint64_t since_commit; /* events since the last commit */
    int64_t first_ts, last_ts;
};

/* ---- batches and queues ------------------------------------------------- */

static struct batch *batch_new(size_t index, int first)
{
    struct batch *b = calloc(1, sizeof *b);

    if (b == NULL)
        return NULL;
    b->index = index;
    b->first = first;
    b->unit = "byte";
    buffer_init(&b->data, INGEST_BATCH_CAP);
    return b;
}

static void batch_free(struct batch *b)
{
    if (b == NULL)
        return;
    buffer_free(&b->data);
    free(b);
}

static void queue_init(struct queue *q)
{
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->can_put, NULL);
    pthread_cond_init(&q->can_get, NULL);
    q->head = q->tail = NULL;
    q->count = 0;
}

static void queue_destroy(struct queue *q)
{
    while (q->head) {
        struct batch *b = q->head;
        q->head = b->next;
        batch_free(b);
    }
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->can_put);
    pthread_cond_destroy(&q->can_get);
}

/* Takes ownership of b, even on failure. Returns -1 when the run aborted. */
static int queue_put(ingest *g, struct queue *q, struct batch *b)
{
    pthread_mutex_lock(&q->mu);
    while (q->count >= INGEST_QUEUE_DEPTH && !g->abort)
        pthread_cond_wait(&q->can_put, &q->mu);
    if (g->abort) {
        pthread_mutex_unlock(&q->mu);
        batch_free(b);
        return -1;
    }
    b->next = NULL;
    if (q->tail)
        q->tail->next = b;
    else
        q->head = b;
    q->tail = b;
    q->count++;
    pthread_cond_signal(&q->can_get);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

/* Returns the next batch, which the caller owns, or NULL when a decoder
 * gave up (out of memory). */
static struct batch *queue_get(ingest *g, struct queue *q)
{
    struct batch *b;

    pthread_mutex_lock(&q->mu);
    while (q->head == NULL && !g->abort)
        pthread_cond_wait(&q->can_get, &q->mu);
    if (q->head == NULL) {
        pthread_mutex_unlock(&q->mu);
        return NULL;
    }
    b = q->head;
    q->head = b->next;
    if (q->head == NULL)
        q->tail = NULL;
    q->count--;
    pthread_cond_signal(&q->can_put);
    pthread_mutex_unlock(&q->mu);
    return b;
}

/* ---- decoding (worker threads) ------------------------------------------ */

struct decode_state {
    struct worker *w;
    struct batch *b;       /* being filled */
    int dead;              /* the run aborted: stop producing */
    int by_record;         /* sharding by each record's account: the path names none */
};

static void put_u32(buffer *d, uint32_t v, int *rc)
{
    *rc |= buffer_add(d, &v, sizeof v);
}

/* Hands the current batch over and starts the next one of the same input. */
static int dec_flush(struct decode_state *d)
{
    struct batch *next = batch_new(d->b->index, 0);

    if (next == NULL) {
        d->dead = 1;
        return -1;
    }
    next->unit = d->b->unit;
    if (queue_put(d->w->g, &d->w->q, d->b) != 0)
        d->dead = 1;
    d->b = next;
    return d->dead ? -1 : 0;
}

static int dec_reject(struct decode_state *d, uint64_t offset, const char *reason, int with_offset)
{
    uint32_t len = (uint32_t)strlen(reason);
    int rc = buffer_addc(&d->b->data, 'X');

    rc |= buffer_add(&d->b->data, &offset, sizeof offset);
    rc |= buffer_addc(&d->b->data, (char)with_offset);
    put_u32(&d->b->data, len, &rc);
    rc |= buffer_add(&d->b->data, reason, len);
    if (rc != 0 || (d->b->data.len >= INGEST_BATCH_FLUSH && dec_flush(d) != 0))
        return -1;
    return 0;
}

static int on_reject(void *ctx, uint64_t offset, const char *reason, char *err, size_t errlen)
{
    struct decode_state *d = ctx;

    /* a broken record has no account to trust: shard 0 reports it, once */
    if (d->by_record && d->w->g->opts.shard_k != 0) {
        d->b->other_shard++;
        return 0;
    }

    if (dec_reject(d, offset, reason, 1) != 0) {
        snprintf(err, errlen, "ingest stopped");
        return -1;
    }
    return 0;
}

static int keep_event(void *ctx, const char *source, size_t slen, const char *name, size_t nlen)
{
    struct decode_state *d = ctx;

    return d->w->g->opts.all_events ||
           catalogue_keeps(d->w->g->opts.catalogue, source, slen, name, nlen);
}

/* 1 when the event's time lies outside a --since/--until read window; an
 * event with no time is kept (the rules say what they make of it). */
static int outside_window(const ingest_opts *o, const normalize_val *ts)
{
    if (ts->type != NT_INT)
        return 0;
    return (o->has_since && ts->i < o->since) || (o->has_until && ts->i > o->until);
}

static int on_event(void *ctx, const decoder_event *ev, char *err, size_t errlen)
{
    struct decode_state *d = ctx;
    buffer *o = &d->b->data;
    normalize_row row;
    char why[160];
    int i, rc = 0;

    if (d->by_record) {
        const shard_plan *p = d->w->g->opts.shard_plan;
        char buf[SHARD_UNIT_LEN + 1];
        size_t len;
        const char *unit = shard_record_unit(shard_plan_by(p), ev->v[JF_RECIPIENT_ACCOUNT_ID],
                                             ev->len[JF_RECIPIENT_ACCOUNT_ID],
                                             ev->v[JF_EVENT_TIME], ev->len[JF_EVENT_TIME], buf,
                                             &len);
        if (shard_plan_of(p, unit, len) != d->w->g->opts.shard_k) {
            d->b->other_shard++;
            return 0;
        }
    }
    if (!keep_event(d, ev->v[JF_EVENT_SOURCE], ev->len[JF_EVENT_SOURCE], ev->v[JF_EVENT_NAME],
                    ev->len[JF_EVENT_NAME])) {
        d->b->skipped++;
        return 0;
    }
    if (normalize_event(ev, &row, why, sizeof why) != 0)
        return on_reject(d, ev->offset, why, err, errlen);
    if (outside_window(&d->w->g->opts, &row.col[NC_EVENT_TS])) {
        d->b->skipped++;
        d->b->windowed++;
        return 0;
    }
    rc |= buffer_addc(o, 'R');
    rc |= buffer_add(o, &ev->offset, sizeof ev->offset);
    for (i = 0; i < NC_COUNT; i++) {
        const normalize_val *v = &row.col[i];
        rc |= buffer_addc(o, (char)v->type);
        if (v->type == NT_TEXT) {
            put_u32(o, (uint32_t)v->n, &rc);
            rc |= buffer_add(o, v->p, v->n);
        } else if (v->type == NT_INT) {
            rc |= buffer_add(o, &v->i, sizeof v->i);
        }
    }
    if (rc != 0 || (o->len >= INGEST_BATCH_FLUSH && dec_flush(d) != 0)) {
        snprintf(err, errlen, "ingest stopped");
        return -1;
    }
    return 0;
}

static const char *form_name(unsigned forms, uint64_t values)
{
    switch (forms) {
    case DECODER_FORM_RECORDS:
        return "cloudtrail";
    case DECODER_FORM_ARRAY:
        return "array";
    case DECODER_FORM_EVENTBRIDGE:
        return values > 1 ? "eventbridge-lines" : "eventbridge";
    case DECODER_FORM_EVENT:
        return values > 1 ? "jsonl" : "event";
    case DECODER_FORM_LOOKUP:
        return "lookup-events";
    case DECODER_FORM_CWL:
        return "cloudwatch-logs";
    case DECODER_FORM_LAKE:
        return "cloudtrail-lake";
    case 0:
        return "none";
    default:
        return "mixed";
    }
}

/* Streams fd through reader and decoder into batches. */
static void pump(struct decode_state *d, int fd)
{
    ingest *g = d->w->g;
    reader *z = reader_new(fd);
    decoder *j = decoder_new(on_event, on_reject, d);
    char e[512] = "";
    ssize_t n = 0;
    int failed = 0;
    uint64_t where = 0;
    struct batch *b;

    snprintf(d->b->format, sizeof d->b->format, "none");
    if (z == NULL || j == NULL) {
        snprintf(d->b->problem, sizeof d->b->problem, "out of memory");
        goto out;
    }
    decoder_set_keep(j, keep_event, d);
    while ((n = reader_read(z, d->w->buf, INGEST_CHUNK, e, sizeof e)) > 0) {
        if (reader_is_gzip(z) && d->b->unit[0] == 'b') {
            d->b->unit = "decompressed byte";
            decoder_set_unit(j, d->b->unit);
        }
        d->b->json_bytes += (uint64_t)n;
        if ((g->opts.stop && *g->opts.stop) || g->abort) {
            d->b->interrupted = 1;
            break;
        }
        if (decoder_feed(j, d->w->buf, (size_t)n, e, sizeof e) != 0) {
            failed = 1;
            break;
        }
    }
    if (n < 0) {
        /* gzip or read error: the data before it was good and is kept */
        failed = 1;
        where = reader_raw_offset(z);
    } else if (!d->b->interrupted && !d->dead && (failed || decoder_finish(j, e, sizeof e) != 0)) {
        failed = 1;
        where = decoder_offset(j);
    }
    if (d->dead)
        goto out;
    b = d->b; /* events may have flushed batches: the trailer goes on the current one */
    b->where = where;
    b->raw_bytes += reader_raw_offset(z);
    snprintf(b->format, sizeof b->format, "%s%s", reader_is_gzip(z) ? "gzip+" : "",
             form_name(decoder_forms(j), decoder_values(j)));
    if (b->interrupted)
        goto out;
    if (failed)
        snprintf(b->problem, sizeof b->problem, "%s", e);
    else if (decoder_values(j) == 0) {
        snprintf(b->problem, sizeof b->problem, "%s",
                 reader_raw_offset(z) == 0 ? "empty file" : "no JSON value in the input");
        b->no_record = 1;
    }
out:
    decoder_free(j);
    reader_free(z);
}

/* Decodes input todo[k] into batches on the worker's queue. */
static void decode_input(struct worker *w, size_t index)
{
    ingest *g = w->g;
    const char *path = g->paths[index];
    struct decode_state d = {w, batch_new(index, 1), 0,
                        g->opts.shard_plan != NULL && !shard_path_account(path, NULL)};
    int is_stdin = strcmp(path, "-") == 0, fd;
    struct stat st;

    if (d.b == NULL) {
        /* wake the writer, which may be waiting for this input */
        g->abort = 1;
        pthread_mutex_lock(&w->q.mu);
        pthread_cond_broadcast(&w->q.can_get);
        pthread_mutex_unlock(&w->q.mu);
        return;
    }
    d.b->size = -1;
    fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(d.b->problem, sizeof d.b->problem, "cannot open: %s", strerror(errno));
        d.b->open_failed = 1;
    } else if (S_ISDIR(st.st_mode)) {
        snprintf(d.b->problem, sizeof d.b->problem, "is a directory");
        d.b->open_failed = 1;
    } else {
        /* O_NONBLOCK only so that opening a FIFO without a writer cannot hang */
        if (!is_stdin)
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        d.b->size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
        d.b->mtime = (int64_t)st.st_mtime;
        pump(&d, fd);
    }
    if (fd > 0 && !is_stdin)
        close(fd);
    if (!d.dead) {
        d.b->last = 1;
        queue_put(g, &w->q, d.b);
    } else {
        batch_free(d.b);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    ingest *g = w->g;
    size_t k;

    for (k = w->first; k < g->ntodo && !g->abort; k += (size_t)g->nworkers)
        decode_input(w, g->todo[k]);
    return NULL;
}

/* ---- writing (calling thread) ------------------------------------------- */

ingest *ingest_new(store *s, const ingest_opts *opts, ingest_msg_fn on_msg, void *ctx)
{
    ingest *g = calloc(1, sizeof *g);

    if (g == NULL)
        return NULL;
    g->st = s;
    g->opts = *opts;
    if (g->opts.batch == 0)
        g->opts.batch = INGEST_DEFAULT_BATCH;
    g->on_msg = on_msg;
    g->ctx = ctx;
    return g;
}

void ingest_free(ingest *g)
{
    free(g);
}

const ingest_totals *ingest_get_totals(const ingest *g)
{
    return &g->tot;
}

static void msg(ingest *g, const char *text)
{
    if (g->on_msg)
        g->on_msg(g->ctx, g->path, text);
}

/* Counts, stores and reports one rejected record. */
static int add_reject(ingest *g, uint64_t offset, const char *reason, const char *unit, char *err,
                      size_t errlen)
{
    char line[700];

    g->c.seen++;
    g->c.rejected++;
    if (unit)
        snprintf(line, sizeof line, "%s (%s %llu)", reason, unit, (unsigned long long)offset);
    else
        snprintf(line, sizeof line, "%s", reason);
    msg(g, line);
    return store_reject(g->st, g->file_id, offset, reason, err, errlen);
}

/* A clash found after the last input (STORE_DEFERRED_KEYS): said as it
 * would have been while reading, naming the file and the record's offset,
 * which counts decompressed bytes when the file's format says gzip. */
static void on_clash(void *ctx, int64_t file_id, uint64_t offset, const char *reason)
{
    ingest *g = ctx;
    char id[32], path[4096] = "?", format[48] = "", line[700];

    snprintf(id, sizeof id, "%lld", (long long)file_id);
    store_first_text(store_db(g->st), "SELECT path FROM files WHERE file_id = CAST(?1 AS INTEGER)",
                     id, path, sizeof path);
    store_first_text(store_db(g->st),
                     "SELECT format FROM files WHERE file_id = CAST(?1 AS INTEGER)", id, format,
                     sizeof format);
    snprintf(line, sizeof line, "%s (%s %llu)", reason,
             strncmp(format, "gzip+", 5) == 0 ? "decompressed byte" : "byte",
             (unsigned long long)offset);
    g->on_msg(g->ctx, path, line);
}

/* Reads back one serialised row and its input offset; the row borrows from
 * the batch. */
static const char *read_row(const char *p, normalize_row *row, uint64_t *offset)
{
    int i;

    memcpy(offset, p, sizeof *offset);
    p += sizeof *offset;
    for (i = 0; i < NC_COUNT; i++) {
        normalize_val *v = &row->col[i];
        uint32_t n;
        v->type = (enum normalize_type)*p++;
        if (v->type == NT_TEXT) {
            memcpy(&n, p, sizeof n);
            p += sizeof n;
            v->p = p;
            v->n = n;
            p += n;
        } else if (v->type == NT_INT) {
            memcpy(&v->i, p, sizeof v->i);
            p += sizeof v->i;
        }
    }
    return p;
}

/* Applies one batch: its events, rejects and clashes and its file rows' counts, in
 * one transaction (hence one function). Returns 0, or -1 on a store error
 * (message in err). */
static int apply(ingest *g, struct batch *b, int *input_rc, char *err, size_t errlen)
{
    const char *p, *end;

    if (b->first) {
        g->path = strcmp(g->paths[b->index], "-") == 0 ? "(stdin)" : g->paths[b->index];
        memset(&g->c, 0, sizeof g->c);
        g->windowed = 0;
        g->tot.inputs++;
        if (b->open_failed) {
            msg(g, b->problem);
            g->tot.failed++;
            *input_rc = 1;
            return 0;
        }
        if (store_file_begin(g->st, g->path, b->size, b->mtime, &g->file_id, err, errlen) != 0)
            return -1;
    }
    if (store_begin(g->st, err, errlen) != 0)
        return -1;
    g->tot.json_bytes += b->json_bytes;
    g->tot.raw_bytes += b->raw_bytes;
    g->c.seen += b->skipped;
    g->c.skipped += b->skipped;
    g->windowed |= b->windowed > 0;
    g->tot.other_shard += b->other_shard;
    p = b->data.p;
    end = p + b->data.len;
    while (p && p < end) {
        if (*p == 'R') {
            normalize_row row;
            enum store_outcome out;
            char diff[300];
            uint64_t offset;
            p = read_row(p + 1, &row, &offset);
            if (store_event(g->st, g->file_id, offset, &row, &out, diff, sizeof diff, err,
                            errlen) != 0)
                return -1;
            if (out == STORE_CLASH) {
                char why[512];
                store_clash_reason(&row, diff, why, sizeof why);
                g->c.clash++;
                if (add_reject(g, offset, why, b->unit, err, errlen) != 0)
                    return -1;
                continue;
            }
            g->c.seen++;
            g->c.stored++;
            g->c.duplicate += out == STORE_DUPLICATE;
            if (g->first_ts == 0 || row.col[NC_EVENT_TS].i < g->first_ts)
                g->first_ts = row.col[NC_EVENT_TS].i;
            if (row.col[NC_EVENT_TS].i > g->last_ts)
                g->last_ts = row.col[NC_EVENT_TS].i;
            if (++g->since_commit >= g->opts.batch) {
                g->since_commit = 0;
                if (store_file_update(g->st, g->file_id, &g->c, "in-progress", NULL, NULL, err,
                                      errlen) != 0 ||
                    store_commit(g->st, err, errlen) != 0 || store_begin(g->st, err, errlen) != 0)
                    return -1;
            }
        } else {
            uint64_t off;
            uint32_t n;
            char reason[512];
            int with_offset;
            memcpy(&off, p + 1, sizeof off);
            with_offset = p[1 + sizeof off];
            memcpy(&n, p + 2 + sizeof off, sizeof n);
            snprintf(reason, sizeof reason, "%.*s", (int)n, p + 2 + sizeof off + sizeof n);
            p += 2 + sizeof off + sizeof n + n;
            if (add_reject(g, off, reason, with_offset ? b->unit : NULL, err, errlen) != 0)
                return -1;
        }
    }
    if (!b->last)
        return 0;
    /* the rest of the input, unreadable, counts as one rejected record; an input that
     * held none (an empty file) is an input with an error, not a record seen */
    if (b->problem[0] && b->no_record)
        msg(g, b->problem);
    else if (b->problem[0] && add_reject(g, b->where, b->problem, NULL, err, errlen) != 0)
        return -1;
    if (store_file_update(g->st, g->file_id, &g->c,
                          b->interrupted    ? "interrupted"
                          : b->problem[0]   ? "error"
                          /* read whole, but not all stored: a run without the window must
                           * read it again, so it is not 'complete' to store_file_known() */
                          : g->windowed ? "windowed"
                                        : "complete",
                          b->format, b->problem[0] ? b->problem : NULL, err, errlen) != 0)
        return -1;
    g->tot.seen += g->c.seen;
    g->tot.stored += g->c.stored;
    g->tot.duplicate += g->c.duplicate;
    g->tot.skipped += g->c.skipped;
    g->tot.rejected += g->c.rejected;
    g->tot.clash += g->c.clash;
    g->tot.failed += b->problem[0] != 0;
    *input_rc = b->interrupted ? 2 : (b->problem[0] || g->c.rejected) ? 1 : 0;
    return 0;
}

/* Long: settling unchanged inputs, starting the decoders, applying their batches in
 * input order and stopping them share the queue, the workers and the totals; each
 * phase is marked below. */
int ingest_files(ingest *g, char *const *paths, size_t n, ingest_progress_fn progress, void *pctx,
                 char *err, size_t errlen)
{
    struct worker *w = NULL;
    size_t k, done = 0;
    int64_t todo_bytes = 0; /* of the regular files to read */
    int i, started = 0, rc = 0, some_rejected = 0;

    g->paths = paths;
    g->abort = 0;
    g->todo = malloc((n ? n : 1) * sizeof *g->todo);
    if (g->todo == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* unchanged inputs are settled here, so decoders never open them */
    g->ntodo = 0;
    for (k = 0; k < n; k++) {
        struct stat st;
        int regular = strcmp(paths[k], "-") != 0 && stat(paths[k], &st) == 0 &&
                      S_ISREG(st.st_mode);
        if (regular && !g->opts.force &&
            store_file_known(g->st, paths[k], (int64_t)st.st_size, (int64_t)st.st_mtime)) {
            g->tot.inputs++;
            g->tot.unchanged++;
            done++;
        } else {
            g->todo[g->ntodo++] = k;
            todo_bytes += regular ? (int64_t)st.st_size : 0;
        }
    }
    if (progress && done)
        progress(pctx, done, n);
    /* a pipe counts no bytes: into an empty store it still loads without the key */
    if (store_defer_keys(g->st, todo_bytes, err, errlen) < 0) {
        free(g->todo);
        g->todo = NULL;
        return -1;
    }
    g->nworkers = g->opts.threads > 0 ? g->opts.threads : 1;
    if (g->nworkers > INGEST_MAX_THREADS)
        g->nworkers = INGEST_MAX_THREADS;
    if ((size_t)g->nworkers > g->ntodo)
        g->nworkers = g->ntodo ? (int)g->ntodo : 1;
    w = calloc((size_t)g->nworkers, sizeof *w);
    if (w == NULL) {
        free(g->todo);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (i = 0; i < g->nworkers && g->ntodo; i++) {
        w[i].g = g;
        w[i].first = (size_t)i;
        queue_init(&w[i].q);
        w[i].buf = malloc(INGEST_CHUNK);
        if (w[i].buf == NULL || pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0) {
            free(w[i].buf);
            queue_destroy(&w[i].q);
            snprintf(err, errlen, "cannot start a decoding thread");
            rc = -1;
            break;
        }
        started++;
    }
    for (k = 0; rc == 0 && k < g->ntodo; k++) {
        struct worker *src = &w[k % (size_t)g->nworkers];
        int input_rc = 0, last = 0;
        while (!last) {
            struct batch *b = queue_get(g, &src->q);
            if (b == NULL) {
                snprintf(err, errlen, "out of memory while decoding %s", paths[g->todo[k]]);
                rc = -1;
                break;
            }
            last = b->last;
            if (apply(g, b, &input_rc, err, errlen) != 0) {
                batch_free(b);
                rc = -1;
                break;
            }
            batch_free(b);
        }
        if (rc != 0)
            break;
        if (g->since_commit >= g->opts.batch || input_rc == 2) {
            g->since_commit = 0;
            if (store_commit(g->st, err, errlen) != 0) {
                rc = -1;
                break;
            }
        }
        done++;
        if (progress)
            progress(pctx, done, n);
        if (input_rc == 2) {
            rc = 2;
            break;
        }
        if (input_rc == 1)
            some_rejected = 1;
    }
    /* stop the decoders (they may be blocked on a full queue) and reap them */
    g->abort = 1;
    for (i = 0; i < started; i++) {
        pthread_mutex_lock(&w[i].q.mu);
        pthread_cond_broadcast(&w[i].q.can_put);
        pthread_mutex_unlock(&w[i].q.mu);
    }
    for (i = 0; i < started; i++) {
        pthread_join(w[i].tid, NULL);
        queue_destroy(&w[i].q);
        free(w[i].buf);
    }
    free(w);
    free(g->todo);
    g->todo = NULL;
    if (rc >= 0 && store_commit(g->st, err, errlen) != 0)
        rc = -1;
    if (rc >= 0 && rc != 2) {
        uint64_t dups, clashes;
        if (store_settle_keys(g->st, on_clash, g, &dups, &clashes, err, errlen) != 0) {
            rc = -1;
        } else {
            g->tot.duplicate += dups;
            g->tot.clash += clashes;
            g->tot.stored -= clashes;
            g->tot.rejected += clashes;
            some_rejected |= clashes > 0;
        }
    }
    if (g->tot.first_ts == 0 || (g->first_ts && g->first_ts < g->tot.first_ts))
        g->tot.first_ts = g->first_ts;
    if (g->last_ts > g->tot.last_ts)
        g->tot.last_ts = g->last_ts;
    if (rc == 0 && (some_rejected || g->tot.failed))
        rc = 1;
    return rc;
}
