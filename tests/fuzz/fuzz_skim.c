/*
 * libFuzzer harness for skimming: every input is decoded twice, skimming
 * and with yajl reading every byte (tests/unit/skim_oracle.h), and the two
 * must deliver the same records, rejects, offsets and final message; a
 * difference aborts. The first byte picks the chunk size and whether the
 * rest is wrapped as the one element of a Records array, so that a mutated
 * record is always in the place where the skimmer looks.
 */
#include "../unit/skim_oracle.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char head[] = "{\"Records\":[", tail[] = "]}";
    char diff[512];
    unsigned char *p;
    size_t n, step;

    if (size == 0)
        return 0;
    step = (size_t)(data[0] >> 1) * 7; /* 0: whole */
    data++, size--;
    if (data[-1] & 1) {
        if (oracle_compare(data, size, step, NULL, diff, sizeof diff) != 0) {
            fprintf(stderr, "skim differs from yajl: %s\n", diff);
            abort();
        }
        return 0;
    }
    p = malloc(sizeof head + size + sizeof tail);
    if (p == NULL)
        return 0;
    memcpy(p, head, sizeof head - 1);
    memcpy(p + sizeof head - 1, data, size);
    n = sizeof head - 1 + size;
    memcpy(p + n, tail, sizeof tail - 1);
    n += sizeof tail - 1;
    if (oracle_compare(p, n, step, NULL, diff, sizeof diff) != 0) {
        fprintf(stderr, "skim differs from yajl: %s\n", diff);
        abort();
    }
    free(p);
    return 0;
}
