/*
 * libFuzzer harness for record (record.h), with yajl as the oracle: the
 * input is written as a file and read back at offset 0. Whenever yajl (no
 * comments) reads an object first, no deeper than RECORD_MAX_DEPTH,
 * record_read() must return exactly the bytes yajl says it spans, whatever
 * follows; whatever it returns must be one whole value to yajl. Aborts on a
 * mismatch.
 */
#include "record.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

/* yajl's reading: where the first value ends (trailing garbage allowed, no
 * comments) and how deep it nests; 0 when it does not parse. */
static int depth, max_depth;
static int open_cb(void *ctx)
{
    (void)ctx;
    if (++depth > max_depth)
        max_depth = depth;
    return 1;
}
static int close_cb(void *ctx)
{
    (void)ctx;
    depth--;
    return 1;
}
static const yajl_callbacks cbs = {NULL, NULL, NULL, NULL, NULL, NULL,
                                   open_cb, NULL, close_cb, open_cb, close_cb};

static size_t yajl_first_value(const unsigned char *p, size_t n, int *deepest)
{
    yajl_handle h = yajl_alloc(&cbs, NULL, NULL);
    size_t end = 0;

    if (h == NULL)
        abort();
    depth = max_depth = 0;
    yajl_config(h, yajl_allow_comments, 0);
    yajl_config(h, yajl_allow_trailing_garbage, 1);
    if (yajl_parse(h, p, n) == yajl_status_ok) {
        end = yajl_get_bytes_consumed(h);
        if (yajl_complete_parse(h) != yajl_status_ok)
            end = 0;
    }
    yajl_free(h);
    *deepest = max_depth;
    return end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    char err[512];
    buffer out;
    size_t n;
    FILE *f;
    int rc, deep;

    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz-record-%ld.json", (long)getpid());
    if ((f = fopen(path, "wb")) == NULL)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    buffer_init(&out, RECORD_MAX);
    rc = record_read(path, 0, -1, -1, NULL, &out, err, sizeof err);
    n = size ? yajl_first_value(data, size, &deep) : 0;
    if (size > 0 && data[0] == '{' && n > 0 && deep <= RECORD_MAX_DEPTH &&
        (rc != 0 || out.len != n || memcmp(out.p, data, n) != 0))
        abort(); /* yajl read one object of n bytes here, and record_read() did not return it */
    if (rc == 0 && (yajl_first_value((const unsigned char *)out.p, out.len, &deep) != out.len ||
                    deep > RECORD_MAX_DEPTH))
        abort(); /* what it returned is not one whole value */
    buffer_free(&out);
    return 0;
}
