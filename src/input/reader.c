/*
 * reader: gzip-or-plain pull reader (see reader.h).
 *
 * The reader keeps one input chunk. The first read sniffs the magic bytes;
 * for gzip every byte then passes through zlib, and after the end of a member
 * the next member must start with the magic again, else the rest is reported
 * as trailing garbage rather than silently ignored.
 */
#include "reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define READER_CHUNK (256 * 1024)

enum reader_state { READER_START, READER_PLAIN, READER_GZIP, READER_DONE, READER_FAILED };

struct reader {
    int fd;                     /* borrowed input descriptor */
    enum reader_state state;       /* where the reader is */
    int is_gzip;                /* input started with the gzip magic */
    int z_live;                 /* zs has been initialised */
    int member_done;            /* last inflate() hit Z_STREAM_END */
    int eof;                    /* read() returned 0 */
    z_stream zs;                /* inflate state */
    unsigned char *in;          /* input chunk */
    size_t in_pos, in_len;      /* unread bytes are in[in_pos, in_len) */
    uint64_t raw_base;          /* raw offset of in[0] */
    char err[256];              /* sticky error message after READER_FAILED */
};

reader *reader_new(int fd)
{
    reader *g = calloc(1, sizeof *g);

    if (g == NULL)
        return NULL;
    g->in = malloc(READER_CHUNK);
    if (g->in == NULL) {
        free(g);
        return NULL;
    }
    g->fd = fd;
    return g;
}

void reader_free(reader *g)
{
    if (g == NULL)
        return;
    if (g->z_live)
        inflateEnd(&g->zs);
    free(g->in);
    free(g);
}

int reader_is_gzip(const reader *g)
{
    return g->is_gzip;
}

uint64_t reader_raw_offset(const reader *g)
{
    return g->raw_base + g->in_pos;
}

/* Records a sticky failure "what[: detail] (byte N)" and returns -1. */
static ssize_t reader_fail(reader *g, char *err, size_t errlen, const char *what,
                           const char *detail)
{
    snprintf(g->err, sizeof g->err, "%s%s%s (byte %llu)", what, detail ? ": " : "",
             detail ? detail : "", (unsigned long long)reader_raw_offset(g));
    g->state = READER_FAILED;
    snprintf(err, errlen, "%s", g->err);
    return -1;
}

/* Refills the input chunk when it is empty. Returns 0, or -1 on read error. */
static int reader_fill(reader *g)
{
    ssize_t r;

    if (g->in_pos < g->in_len || g->eof)
        return 0;
    g->raw_base += g->in_len;
    g->in_pos = g->in_len = 0;
    do {
        r = read(g->fd, g->in, READER_CHUNK);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    if (r == 0)
        g->eof = 1;
    g->in_len = (size_t)r;
    return 0;
}

/* Ensures at least two unread bytes when the input has them, for sniffing
 * the magic; a short read may deliver one byte at a time on a pipe. */
static int reader_fill2(reader *g)
{
    ssize_t r;

    if (reader_fill(g) != 0)
        return -1;
    if (g->in_len - g->in_pos >= 2 || g->eof)
        return 0;
    memmove(g->in, g->in + g->in_pos, g->in_len - g->in_pos);
    g->raw_base += g->in_pos;
    g->in_len -= g->in_pos;
    g->in_pos = 0;
    while (g->in_len < 2 && !g->eof) {
        do {
            r = read(g->fd, g->in + g->in_len, READER_CHUNK - g->in_len);
        } while (r < 0 && errno == EINTR);
        if (r < 0)
            return -1;
        if (r == 0)
            g->eof = 1;
        g->in_len += (size_t)r;
    }
    return 0;
}

static int reader_magic_at(const reader *g)
{
    return g->in_len - g->in_pos >= 2 && g->in[g->in_pos] == 0x1f &&
           g->in[g->in_pos + 1] == 0x8b;
}

static ssize_t reader_read_plain(reader *g, void *buf, size_t n, char *err, size_t errlen)
{
    size_t avail;

    if (reader_fill(g) != 0)
        return reader_fail(g, err, errlen, "read error", strerror(errno));
    avail = g->in_len - g->in_pos;
    if (avail == 0) {
        g->state = READER_DONE;
        return 0;
    }
    if (avail > n)
        avail = n;
    memcpy(buf, g->in + g->in_pos, avail);
    g->in_pos += avail;
    return (ssize_t)avail;
}

/* A failure while inflating into the caller's buffer: the bytes already
 * inflated there are good data (the events before trailing garbage, NUL
 * padding, a bad trailer CRC or a corrupt next member), so they are returned
 * now and the sticky error on the next call. */
static ssize_t reader_fail_gzip(reader *g, size_t n, char *err, size_t errlen, const char *what,
                                const char *detail)
{
    size_t got = n - g->zs.avail_out;
    ssize_t rc = reader_fail(g, err, errlen, what, detail);

    return got > 0 ? (ssize_t)got : rc;
}

static ssize_t reader_read_gzip(reader *g, void *buf, size_t n, char *err, size_t errlen)
{
    int zr;
    size_t before;

    g->zs.next_out = buf;
    g->zs.avail_out = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
    while (g->zs.avail_out > 0) {
        if (g->member_done) {
            /* Between members: another member, clean end, or garbage. */
            if (reader_fill2(g) != 0)
                return reader_fail_gzip(g, n, err, errlen, "read error", strerror(errno));
            if (g->in_pos == g->in_len && g->eof)
                break;
            if (!reader_magic_at(g))
                return reader_fail_gzip(g, n, err, errlen,
                                        "unexpected data after the end of the gzip stream", NULL);
            inflateReset(&g->zs);
            g->member_done = 0;
        }
        if (reader_fill(g) != 0)
            return reader_fail_gzip(g, n, err, errlen, "read error", strerror(errno));
        if (g->in_pos == g->in_len && g->eof) {
            if ((size_t)g->zs.avail_out < n)
                break; /* hand back what we have; report next call */
            return reader_fail_gzip(g, n, err, errlen, "truncated gzip stream", NULL);
        }
        g->zs.next_in = g->in + g->in_pos;
        g->zs.avail_in = (uInt)(g->in_len - g->in_pos);
        before = g->zs.avail_in;
        zr = inflate(&g->zs, Z_NO_FLUSH);
        g->in_pos += before - g->zs.avail_in;
        if (zr == Z_STREAM_END) {
            g->member_done = 1;
        } else if (zr == Z_BUF_ERROR) {
            /* no progress possible with this input; loop refills */
        } else if (zr != Z_OK) {
            return reader_fail_gzip(g, n, err, errlen, "corrupt gzip data",
                                    g->zs.msg ? g->zs.msg : "inflate failed");
        }
    }
    if ((size_t)g->zs.avail_out == n) {
        g->state = READER_DONE;
        return 0;
    }
    return (ssize_t)(n - g->zs.avail_out);
}

ssize_t reader_read(reader *g, void *buf, size_t n, char *err, size_t errlen)
{
    if (n == 0)
        return 0;
    switch (g->state) {
    case READER_START:
        if (reader_fill2(g) != 0)
            return reader_fail(g, err, errlen, "read error", strerror(errno));
        if (reader_magic_at(g)) {
            memset(&g->zs, 0, sizeof g->zs);
            if (inflateInit2(&g->zs, 15 + 16) != Z_OK)
                return reader_fail(g, err, errlen, "out of memory", NULL);
            g->z_live = 1;
            g->is_gzip = 1;
            g->state = READER_GZIP;
        } else {
            g->state = READER_PLAIN;
        }
        return reader_read(g, buf, n, err, errlen);
    case READER_PLAIN:
        return reader_read_plain(g, buf, n, err, errlen);
    case READER_GZIP:
        return reader_read_gzip(g, buf, n, err, errlen);
    case READER_DONE:
        return 0;
    case READER_FAILED:
    default:
        snprintf(err, errlen, "%s", g->err);
        return -1;
    }
}
