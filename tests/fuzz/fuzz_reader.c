/*
 * libFuzzer harness for the gzip + JSON event reader: the bytes go through
 * reader and decoder exactly as a file would, and every event through normalize.
 */
#include "reader.h"
#include "decoder.h"
#include "fuzz_stubs.h"
#include "catalogue.h"
#include "normalize.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int on_event(void *ctx, const decoder_event *ev, char *err, size_t errlen)
{
    normalize_row row;
    char why[160];

    (void)ctx;
    (void)err;
    (void)errlen;
    if (catalogue_keeps(NULL, ev->v[JF_EVENT_SOURCE], ev->len[JF_EVENT_SOURCE],
                        ev->v[JF_EVENT_NAME], ev->len[JF_EVENT_NAME]) ||
        ev->len[JF_EVENT_ID] % 2 == 0)
        normalize_event(ev, &row, why, sizeof why);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz", 0);
    unsigned char buf[4096];
    char err[512];
    ssize_t n;
    reader *g;
    decoder *j;

    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return 0;
    }
    g = reader_new(fd);
    j = decoder_new(on_event, fuzz_ignore_reject, NULL);
    /* small reads, so tokens straddle chunk boundaries */
    while ((n = reader_read(g, buf, 1 + size % sizeof buf, err, sizeof err)) > 0)
        if (decoder_feed(j, buf, (size_t)n, err, sizeof err) != 0)
            break;
    if (n == 0)
        decoder_finish(j, err, sizeof err);
    decoder_free(j);
    reader_free(g);
    close(fd);
    return 0;
}
