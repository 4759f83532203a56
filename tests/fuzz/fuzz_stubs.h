/*
 * fuzz_stubs: the decoder callback the fuzz harnesses share, one that ignores
 * a rejected record (the harnesses look for crashes, not for counts).
 */
#ifndef DDBTRAIL_FUZZ_STUBS_H
#define DDBTRAIL_FUZZ_STUBS_H

#include <stddef.h>
#include <stdint.h>

static int fuzz_ignore_reject(void *ctx, uint64_t off, const char *reason, char *err,
                              size_t errlen)
{
    (void)ctx;
    (void)off;
    (void)reason;
    (void)err;
    (void)errlen;
    return 0;
}

#endif
