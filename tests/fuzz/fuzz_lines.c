/*
 * libFuzzer harness for the decoder's two less-travelled paths: a live feed
 * (decoder_set_lines: every line a value of its own, whatever it holds) and
 * an event embedded as a JSON string (a lookup-events page whose
 * CloudTrailEvent is the input, escaped), each fed in slices so that tokens
 * and lines straddle them.
 */
#include "decoder.h"
#include "fuzz_stubs.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int on_event(void *ctx, const decoder_event *ev, char *err, size_t errlen)
{
    (void)ctx;
    (void)ev;
    (void)err;
    (void)errlen;
    return 0;
}

static void feed(decoder *j, const uint8_t *p, size_t n, size_t step)
{
    char err[512];
    size_t k;

    for (k = 0; k < n; k += step)
        if (decoder_feed(j, p + k, n - k < step ? n - k : step, err, sizeof err) != 0)
            return;
    decoder_finish(j, err, sizeof err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char head[] = "{\"Events\":[{\"EventId\":\"e\",\"CloudTrailEvent\":\"";
    static const char tail[] = "\"}]}";
    size_t step = 1 + size % 97, i, n = 0;
    unsigned char *page;
    decoder *j = decoder_new(on_event, fuzz_ignore_reject, NULL);

    if (j) {
        decoder_set_lines(j);
        feed(j, data, size, step);
        decoder_free(j);
    }
    page = malloc(sizeof head + 6 * size + sizeof tail);
    if (page == NULL)
        return 0;
    memcpy(page, head, sizeof head - 1);
    n = sizeof head - 1;
    for (i = 0; i < size; i++) {
        unsigned char c = data[i];
        if (c == '"' || c == '\\') {
            page[n++] = '\\';
            page[n++] = c;
        } else if (c < 0x20) {
            n += (size_t)sprintf((char *)page + n, "\\u%04x", c);
        } else {
            page[n++] = c;
        }
    }
    memcpy(page + n, tail, sizeof tail - 1);
    n += sizeof tail - 1;
    j = decoder_new(on_event, fuzz_ignore_reject, NULL);
    if (j) {
        /* slices of a few KiB: yajl re-lexes a token cut across feeds from its start,
         * so byte-sized slices of a long string would measure that, not the decoder */
        feed(j, page, n, 4096 + step);
        decoder_free(j);
    }
    free(page);
    return 0;
}
