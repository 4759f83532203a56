/*
 * libFuzzer harness for record (record.h), with yajl as the oracle: the
 * input is written as a file and read back at offset 0. Whenever yajl (no
 * comments, one value) accepts the whole input as one object, record_read()
 * must return exactly it, trailing whitespace aside; whatever it returns
 * otherwise must itself be a value yajl accepts. Aborts on a mismatch.
 */
#include "record.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

/* 1 when yajl takes p[0..n) as exactly one JSON value (comments refused). */
static int yajl_accepts(const unsigned char *p, size_t n)
{
    yajl_handle h = yajl_alloc(NULL, NULL, NULL);
    int ok;

    if (h == NULL)
        abort();
    yajl_config(h, yajl_allow_comments, 0);
    ok = yajl_parse(h, p, n) == yajl_status_ok && yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    char err[512];
    buffer out;
    size_t n = size;
    FILE *f;
    int rc;

    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz-record-%ld.json", (long)getpid());
    if ((f = fopen(path, "wb")) == NULL)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    buffer_init(&out, RECORD_MAX);
    rc = record_read(path, 0, -1, -1, NULL, &out, err, sizeof err);
    while (n > 0 && strchr(" \t\r\n", data[n - 1]))
        n--;
    if (size > 0 && data[0] == '{' && yajl_accepts(data, size) &&
        (rc != 0 || out.len != n || memcmp(out.p, data, n) != 0))
        abort(); /* yajl read one object here, and record_read() did not return it */
    if (rc == 0 && !yajl_accepts((const unsigned char *)out.p, out.len))
        abort(); /* what it returned is not a value */
    buffer_free(&out);
    return 0;
}
