/*
 * ingest: one input into the store (see ingest.h).
 */
#include "ingest.h"
#include "gzr.h"
#include "jev.h"
#include "norm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ING_CHUNK (256 * 1024)
#define ING_DEFAULT_BATCH 50000

struct ing {
    store *st;            /* borrowed */
    ing_opts opts;
    ing_msg_fn on_msg;    /* borrowed */
    void *ctx;
    ing_totals tot;
    unsigned char *buf;   /* decoded-bytes chunk */
    /* per input */
    const char *path;     /* borrowed for the duration of ing_file() */
    int64_t file_id;
    store_counts c;
    uint64_t since_commit; /* events since the last commit */
    const char *unit;     /* "byte" or "decompressed byte" */
    int store_failed;     /* a store call failed: abort the input */
    int interrupted;      /* opts.stop was seen */
};

ing *ing_new(store *s, const ing_opts *opts, ing_msg_fn on_msg, void *ctx)
{
    ing *g = calloc(1, sizeof *g);

    if (g == NULL)
        return NULL;
    g->buf = malloc(ING_CHUNK);
    if (g->buf == NULL) {
        free(g);
        return NULL;
    }
    g->st = s;
    g->opts = *opts;
    if (g->opts.batch == 0)
        g->opts.batch = ING_DEFAULT_BATCH;
    g->on_msg = on_msg;
    g->ctx = ctx;
    return g;
}

void ing_free(ing *g)
{
    if (g == NULL)
        return;
    free(g->buf);
    free(g);
}

const ing_totals *ing_get_totals(const ing *g)
{
    return &g->tot;
}

static void msg(ing *g, const char *text)
{
    if (g->on_msg)
        g->on_msg(g->ctx, g->path, text);
}

/* Counts, stores and reports one rejected record. */
static int add_reject(ing *g, uint64_t offset, const char *reason, int with_offset, char *err,
                      size_t errlen)
{
    char line[512];

    g->c.seen++;
    g->c.rejected++;
    if (with_offset)
        snprintf(line, sizeof line, "%s (%s %llu)", reason, g->unit, (unsigned long long)offset);
    else
        snprintf(line, sizeof line, "%s", reason);
    msg(g, line);
    if (store_reject(g->st, g->file_id, offset, reason, err, errlen) != 0) {
        g->store_failed = 1;
        return -1;
    }
    return 0;
}

static int on_reject(void *ctx, uint64_t offset, const char *reason, char *err, size_t errlen)
{
    return add_reject(ctx, offset, reason, 1, err, errlen);
}

static int on_event(void *ctx, const jev_event *ev, char *err, size_t errlen)
{
    ing *g = ctx;
    norm_row row;
    char why[160];
    int is_new;

    if (!g->opts.all_events &&
        !norm_is_relevant(ev->v[JF_EVENT_SOURCE], ev->len[JF_EVENT_SOURCE],
                          ev->v[JF_EVENT_NAME], ev->len[JF_EVENT_NAME])) {
        g->c.seen++;
        g->c.skipped++;
        return 0;
    }
    if (norm_event(ev, &row, why, sizeof why) != 0)
        return add_reject(g, ev->offset, why, 1, err, errlen);
    if (store_event(g->st, g->file_id, &row, &is_new, err, errlen) != 0) {
        g->store_failed = 1;
        return -1;
    }
    g->c.seen++;
    g->c.stored++;
    g->c.duplicate += !is_new;
    if (g->tot.first_ts == 0 || row.col[NC_EVENT_TS].i < g->tot.first_ts)
        g->tot.first_ts = row.col[NC_EVENT_TS].i;
    if (row.col[NC_EVENT_TS].i > g->tot.last_ts)
        g->tot.last_ts = row.col[NC_EVENT_TS].i;
    if (++g->since_commit >= g->opts.batch) {
        g->since_commit = 0;
        if (store_file_checkpoint(g->st, g->file_id, &g->c, err, errlen) != 0) {
            g->store_failed = 1;
            return -1;
        }
    }
    return 0;
}

static const char *form_name(unsigned forms, uint64_t values)
{
    switch (forms) {
    case JEV_FORM_RECORDS:
        return "cloudtrail";
    case JEV_FORM_ARRAY:
        return "array";
    case JEV_FORM_EVENTBRIDGE:
        return values > 1 ? "eventbridge-lines" : "eventbridge";
    case JEV_FORM_EVENT:
        return values > 1 ? "jsonl" : "event";
    case 0:
        return "none";
    default:
        return "mixed";
    }
}

static void add_totals(ing *g)
{
    g->tot.seen += g->c.seen;
    g->tot.stored += g->c.stored;
    g->tot.duplicate += g->c.duplicate;
    g->tot.skipped += g->c.skipped;
    g->tot.rejected += g->c.rejected;
}

/* Streams fd through gzr and jev. Returns the error text for the files row
 * in problem (empty when clean). */
static void pump(ing *g, int fd, char *problem, size_t plen, char *format, size_t flen)
{
    gzr *z = gzr_new(fd);
    jev *j = jev_new(on_event, on_reject, g);
    char e[512] = "";
    ssize_t n = 0;
    int failed = 0;
    uint64_t where = 0;

    problem[0] = '\0';
    snprintf(format, flen, "none");
    if (z == NULL || j == NULL) {
        snprintf(problem, plen, "out of memory");
        add_reject(g, 0, problem, 0, e, sizeof e);
        goto out;
    }
    g->unit = "byte";
    while ((n = gzr_read(z, g->buf, ING_CHUNK, e, sizeof e)) > 0) {
        if (gzr_is_gzip(z) && g->unit[0] == 'b') {
            g->unit = "decompressed byte";
            jev_set_unit(j, g->unit);
        }
        g->tot.json_bytes += (uint64_t)n;
        if (g->opts.stop && *g->opts.stop) {
            g->interrupted = 1;
            break;
        }
        if (jev_feed(j, g->buf, (size_t)n, e, sizeof e) != 0) {
            failed = 1;
            break;
        }
    }
    if (n < 0) {
        /* gzip or read error: the data before it was good and is kept */
        failed = 1;
        where = gzr_raw_offset(z);
    } else if (failed || jev_finish(j, e, sizeof e) != 0) {
        failed = 1;
        where = jev_offset(j);
    }
    g->tot.raw_bytes += gzr_raw_offset(z);
    snprintf(format, flen, "%s%s", gzr_is_gzip(z) ? "gzip+" : "",
             form_name(jev_forms(j), jev_values(j)));
    if (g->store_failed || g->interrupted)
        goto out;
    if (failed) {
        /* the rest of the input is unreadable: one reject stands for it */
        snprintf(problem, plen, "%s", e);
        add_reject(g, where, problem, 0, e, sizeof e);
    } else if (jev_values(j) == 0) {
        snprintf(problem, plen, "%s", gzr_raw_offset(z) == 0 ? "empty file"
                                                            : "no JSON value in the input");
        add_reject(g, 0, problem, 0, e, sizeof e);
    }
out:
    jev_free(j);
    gzr_free(z);
}

int ing_file(ing *g, const char *path, char *err, size_t errlen)
{
    int fd, is_stdin = strcmp(path, "-") == 0;
    struct stat st;
    char problem[512], format[64];
    int rc;

    g->path = is_stdin ? "(stdin)" : path;
    memset(&g->c, 0, sizeof g->c);
    g->since_commit = 0;
    g->store_failed = 0;
    g->interrupted = 0;
    g->tot.inputs++;
    fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 || fstat(fd, &st) != 0) {
        char m[256];
        snprintf(m, sizeof m, "cannot open: %s", strerror(errno));
        msg(g, m);
        g->tot.failed++;
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (!is_stdin) {
        /* O_NONBLOCK only so that opening a FIFO without a writer cannot hang */
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    }
    if (S_ISDIR(st.st_mode)) {
        msg(g, "is a directory");
        g->tot.failed++;
        close(fd);
        return 1;
    }
    if (!is_stdin && S_ISREG(st.st_mode) && !g->opts.force &&
        store_file_known(g->st, path, (int64_t)st.st_size, (int64_t)st.st_mtime)) {
        g->tot.unchanged++;
        close(fd);
        return 0;
    }
    if (store_file_begin(g->st, g->path, S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1,
                         (int64_t)st.st_mtime, &g->file_id, err, errlen) != 0) {
        if (!is_stdin)
            close(fd);
        return -1;
    }
    pump(g, fd, problem, sizeof problem, format, sizeof format);
    if (!is_stdin)
        close(fd);
    if (g->store_failed)
        return -1;
    if (store_file_end(g->st, g->file_id, &g->c,
                       g->interrupted ? "interrupted" : problem[0] ? "error" : "complete", format,
                       problem[0] ? problem : NULL, err, errlen) != 0)
        return -1;
    add_totals(g);
    if (g->interrupted)
        return 2;
    rc = problem[0] || g->c.rejected ? 1 : 0;
    if (rc)
        g->tot.failed += problem[0] != 0;
    return rc;
}
