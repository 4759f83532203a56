/*
 * libFuzzer harness for the digest reader: arbitrary bytes (gzip or not) as
 * one digest file of a tree, verified against no log files.
 */
#include "digest.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void on_problem(void *ctx, const digest_problem *p)
{
    (void)ctx;
    (void)p;
}

static void on_error(void *ctx, const char *path, const char *msg)
{
    (void)ctx;
    (void)path;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("digest", 0);
    char path[96], err[512], *paths[1];
    digest_summary sum;

    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        /* a name the S3-key matching understands */
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        paths[0] = path;
        digest_opts o;
        memset(&o, 0, sizeof o);
        o.on_problem = on_problem;
        o.on_error = on_error;
        digest_verify(paths, 1, NULL, 0, &o, &sum, err, sizeof err);
        digest_parse_check((const char *)data, size, err, sizeof err);
    }
    close(fd);
    return 0;
}
