/*
 * Unit tests for reader: gzip detection by magic, multi-member streams, and
 * each way a gzip stream can be broken.
 */
#include "reader.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* Gzips s into out (a member of its own); returns the length. */
static size_t gz(const char *s, unsigned char *out, size_t cap)
{
    z_stream z;

    memset(&z, 0, sizeof z);
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (unsigned char *)s;
    z.avail_in = (uInt)strlen(s);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    deflateEnd(&z);
    return cap - z.avail_out;
}

/* Reads bytes through reader. Returns the status of the last reader_read(). */
static int decode(const unsigned char *in, size_t n, char *out, size_t cap, size_t *outlen,
                  int *is_gzip, char *err)
{
    FILE *f = tmpfile();
    reader *g;
    ssize_t r;
    size_t total = 0;

    fwrite(in, 1, n, f);
    fflush(f);
    rewind(f);
    g = reader_new(fileno(f));
    while ((r = reader_read(g, out + total, 7 < cap - total ? 7 : cap - total, err, 256)) > 0)
        total += (size_t)r;
    *outlen = total;
    *is_gzip = reader_is_gzip(g);
    reader_free(g);
    fclose(f);
    return (int)r;
}

static void plain_passthrough(void)
{
    const char *s = "{\"Records\":[]}";
    char out[64], err[256];
    size_t n;
    int gzip;

    CHECK(decode((const unsigned char *)s, strlen(s), out, sizeof out, &n, &gzip, err) == 0);
    CHECK(n == strlen(s) && memcmp(out, s, n) == 0);
    CHECK(!gzip);
}

static void single_member(void)
{
    unsigned char buf[512];
    char out[64], err[256];
    size_t len = gz("hello gzip world", buf, sizeof buf), n;
    int gzip;

    CHECK(decode(buf, len, out, sizeof out, &n, &gzip, err) == 0);
    CHECK(gzip && n == 16 && memcmp(out, "hello gzip world", 16) == 0);
}

static void multi_member(void)
{
    unsigned char buf[1024];
    char out[64], err[256];
    size_t len = gz("first,", buf, sizeof buf), n;
    int gzip;

    len += gz("second,", buf + len, sizeof buf - len);
    len += gz("third", buf + len, sizeof buf - len);
    CHECK(decode(buf, len, out, sizeof out, &n, &gzip, err) == 0);
    CHECK(n == 18 && memcmp(out, "first,second,third", 18) == 0);
}

static void truncated(void)
{
    unsigned char buf[512];
    char out[64], err[256];
    size_t len = gz("some text that will be cut short", buf, sizeof buf), n;
    int gzip;

    CHECK(decode(buf, len - 6, out, sizeof out, &n, &gzip, err) == -1);
    CHECKF(strstr(err, "truncated gzip stream (byte") != NULL, "%s", err);
}

static void corrupt(void)
{
    unsigned char buf[512];
    char out[64], err[256];
    size_t len = gz("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", buf, sizeof buf), n;
    int gzip;

    buf[10] ^= 0xff;
    buf[11] ^= 0xff;
    CHECK(decode(buf, len, out, sizeof out, &n, &gzip, err) == -1);
    CHECKF(strstr(err, "gzip") != NULL && strstr(err, "(byte ") != NULL, "%s", err);
}

static void trailing_garbage(void)
{
    unsigned char buf[512];
    char out[64], err[256];
    size_t len = gz("payload", buf, sizeof buf), n;
    int gzip;

    memcpy(buf + len, "GARBAGE", 7);
    CHECK(decode(buf, len + 7, out, sizeof out, &n, &gzip, err) == -1);
    CHECK(n == 7 && memcmp(out, "payload", 7) == 0);
    CHECKF(strstr(err, "after the end of the gzip stream") != NULL, "%s", err);
}

static void empty_input(void)
{
    char out[8], err[256];
    size_t n;
    int gzip;

    CHECK(decode((const unsigned char *)"", 0, out, sizeof out, &n, &gzip, err) == 0);
    CHECK(n == 0);
}

static void one_byte_magic(void)
{
    /* a lone 0x1f is not gzip: passed through as data */
    unsigned char b = 0x1f;
    char out[8], err[256];
    size_t n;
    int gzip;

    CHECK(decode(&b, 1, out, sizeof out, &n, &gzip, err) == 0);
    CHECK(n == 1 && !gzip);
}

const unit_test unit_reader[] = {
    {"reader_plain_passthrough", plain_passthrough},
    {"reader_single_member", single_member},
    {"reader_multi_member", multi_member},
    {"reader_truncated", truncated},
    {"reader_corrupt", corrupt},
    {"reader_trailing_garbage", trailing_garbage},
    {"reader_empty_input", empty_input},
    {"reader_one_byte_magic", one_byte_magic},
    {NULL, NULL},
};
