/*
 * record: a record read back from its file (see record.h).
 *
 * The file is decoded again up to the offset (gzip is inflated from its
 * start: a stream has no index), then one JSON value is copied out by a
 * bracket scanner that honours strings and escapes. The copy is checked by
 * yajl, the parser of every record ingest keeps, before it is trusted: a
 * file rewritten since it was read cannot pass another event's bytes off as
 * this one's.
 */
#include "record.h"
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

enum { CHUNK = 64 * 1024 };

/* The scanner's state across chunks: inside a string, after a backslash,
 * and the bracket depth. A value starting with '"' ends with its string. */
struct scan {
    int in_string, escaped, depth, started, string_value, too_deep;
};

/* Feeds n bytes; returns how many belong to the value (the rest follow it),
 * and sets *done when the value ended within them. */
static size_t scan_feed(struct scan *s, const char *p, size_t n, int *done)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = p[i];
        if (!s->started) {
            s->started = 1;
            s->string_value = c == '"';
            if (c == '"') {
                s->in_string = 1;
                continue;
            }
        }
        if (s->in_string) {
            if (s->escaped)
                s->escaped = 0;
            else if (c == '\\')
                s->escaped = 1;
            else if (c == '"') {
                s->in_string = 0;
                if (s->string_value) {
                    *done = 1;
                    return i + 1;
                }
            }
            continue;
        }
        if (c == '"')
            s->in_string = 1;
        else if ((c == '{' || c == '[') && ++s->depth > RECORD_MAX_DEPTH) {
            s->too_deep = 1;
            *done = 1;
            return i + 1;
        }
        else if ((c == '}' || c == ']') && --s->depth == 0) {
            *done = 1;
            return i + 1;
        }
    }
    return n;
}

/* 1 when the JSON text s nests deeper than RECORD_MAX_DEPTH (an embedded
 * event's, which the outer scan saw as one string). */
static int too_deep(const char *s)
{
    struct scan sc = {0, 0, 0, 1, 0, 0};
    int done = 0;

    scan_feed(&sc, s, strlen(s), &done);
    return sc.too_deep;
}

/* The eventID of a parsed record (an embedded one is decoded from its
 * string first), or NULL. Keeps the parsed trees in *roots to free. */
static const char *event_id_of(const buffer *rec, yajl_val roots[2], char *ebuf, size_t elen)
{
    const char *path[] = {"eventID", NULL};
    yajl_val id, arr;
    char *wrapped;

    /* rec->p is NUL-terminated (buffer.h); a NUL inside cuts the text short, and yajl
     * refuses what is left */
    roots[0] = roots[1] = NULL;
    if (rec->p[0] != '"') {
        roots[0] = yajl_tree_parse(rec->p, ebuf, elen);
    } else {
        /* an embedded event: the string's value is the record's JSON */
        if ((wrapped = malloc(rec->len + 3)) == NULL)
            return NULL;
        snprintf(wrapped, rec->len + 3, "[%s]", rec->p);
        arr = roots[1] = yajl_tree_parse(wrapped, ebuf, elen);
        free(wrapped);
        if (!YAJL_IS_ARRAY(arr) || arr->u.array.len != 1 ||
            !YAJL_IS_STRING(arr->u.array.values[0]) ||
            too_deep(YAJL_GET_STRING(arr->u.array.values[0])))
            return NULL;
        roots[0] = yajl_tree_parse(YAJL_GET_STRING(arr->u.array.values[0]), ebuf, elen);
    }
    id = yajl_tree_get(roots[0], path, yajl_t_string);
    return id ? YAJL_GET_STRING(id) : NULL;
}

/* The start of the record around offset in win (decoded bytes from win_at):
 * offset itself for an object or a string; for an offset inside an embedded
 * event's string (the decoder knows only about where such a string began:
 * its decoded length back from its end), the string's opening quote, the
 * first unescaped '"' before it. Returns the index in win, or -1. */
static long record_start(const buffer *win, uint64_t win_at, uint64_t offset)
{
    long i = (long)(offset - win_at), k;

    if (i < 0 || (size_t)i >= win->len)
        return -1;
    if (win->p[i] == '{' || win->p[i] == '"')
        return i;
    for (i--; i >= 0; i--) {
        if (win->p[i] != '"')
            continue;
        for (k = i - 1; k >= 0 && win->p[k] == '\\'; k--)
            ;
        if ((i - 1 - k) % 2 == 0)
            return i;
    }
    return -1;
}

int record_read(const char *path, uint64_t offset, int64_t size, int64_t mtime,
                const char *event_id, buffer *out, char *err, size_t errlen)
{
    char chunk[CHUNK], rerr[256], ebuf[256];
    struct scan sc = {0, 0, 0, 0, 0, 0};
    struct stat st;
    buffer win;          /* decoded bytes from win_at: up to RECORD_MAX before offset */
    uint64_t win_at = 0; /* the decoded offset of win's first byte */
    long start = -1;
    reader *r;
    int fd, done = 0, rc = -1;
    yajl_val roots[2] = {NULL, NULL};
    const char *id;

    buffer_reset(out);
    if (strcmp(path, "-") == 0 || strcmp(path, "(stdin)") == 0) {
        snprintf(err, errlen, "read from stdin: the record was not kept, only its fields");
        return -1;
    }
    if ((fd = open(path, O_RDONLY | O_NOCTTY)) < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s (the record is read back from the file it came from)",
                 path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if ((size >= 0 && st.st_size != size) || (mtime >= 0 && st.st_mtime != mtime)) {
        snprintf(err, errlen, "%s: changed since it was read (size or mtime differ)", path);
        close(fd);
        return -1;
    }
    if ((r = reader_new(fd)) == NULL) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        return -1;
    }
    buffer_init(&win, 3 * (size_t)RECORD_MAX);
    while (!done) {
        ssize_t n = reader_read(r, chunk, sizeof chunk, rerr, sizeof rerr);
        size_t from, take;
        if (n <= 0) {
            snprintf(err, errlen, "%s: %s before the record at decompressed byte %llu ended",
                     path, n < 0 ? rerr : "end of file", (unsigned long long)offset);
            goto out;
        }
        if (start < 0) {
            /* before the record: keep a window back from the offset, then find its start */
            if (buffer_add(&win, chunk, (size_t)n) != 0) {
                snprintf(err, errlen, "out of memory");
                goto out;
            }
            if (win.len > 2 * (size_t)RECORD_MAX && win_at + win.len < offset) {
                size_t drop = win.len - (size_t)RECORD_MAX;
                memmove(win.p, win.p + drop, win.len - drop);
                win.len -= drop;
                win_at += drop;
            }
            if (win_at + win.len <= offset)
                continue;
            if ((start = record_start(&win, win_at, offset)) < 0) {
                snprintf(err, errlen, "%s: no record at decompressed byte %llu", path,
                         (unsigned long long)offset);
                goto out;
            }
            from = (size_t)start;
            take = scan_feed(&sc, win.p + from, win.len - from, &done);
            if (buffer_add(out, win.p + from, take) != 0)
                goto too_long;
            buffer_free(&win);
            continue;
        }
        take = scan_feed(&sc, chunk, (size_t)n, &done);
        if (out->len + take > RECORD_MAX || buffer_add(out, chunk, take) != 0)
            goto too_long;
    }
    if (sc.too_deep) {
        snprintf(err, errlen, "%s: the record at decompressed byte %llu nests deeper than %d "
                 "levels", path, (unsigned long long)offset, RECORD_MAX_DEPTH);
        goto out;
    }
    id = event_id_of(out, roots, ebuf, sizeof ebuf);
    if (roots[0] == NULL) {
        snprintf(err, errlen, "%s: what is at decompressed byte %llu is not a JSON record",
                 path, (unsigned long long)offset);
    } else if (event_id && (id == NULL || strcmp(id, event_id) != 0)) {
        snprintf(err, errlen, "%s: the record at decompressed byte %llu is another event's "
                 "(eventID %.60s)", path, (unsigned long long)offset, id ? id : "none");
    } else {
        rc = 0;
    }
    goto out;
too_long:
    snprintf(err, errlen, "%s: the record at decompressed byte %llu is longer than %u bytes",
             path, (unsigned long long)offset, RECORD_MAX);
out:
    buffer_free(&win);
    yajl_tree_free(roots[0]);
    yajl_tree_free(roots[1]);
    reader_free(r);
    close(fd);
    if (rc != 0)
        buffer_reset(out);
    return rc;
}
