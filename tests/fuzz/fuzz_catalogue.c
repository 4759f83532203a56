/*
 * libFuzzer harness for the effect catalogue parser: any bytes parse or are
 * refused with a message, and a catalogue that parses answers its lookups.
 */
#include "catalogue.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    catalogue *c = catalogue_parse((const char *)data, size, "fuzz", err, sizeof err);
    size_t i;

    if (c == NULL)
        return 0;
    for (i = 0; i < catalogue_count(c); i++) {
        const catalogue_entry *e = catalogue_get(c, i);
        /* every entry's strings are whole, and its operation is kept */
        if (!catalogue_keeps(c, e->source, strlen(e->source), e->name, strlen(e->name)) ||
            !catalogue_is_effect(c, e->effect, strlen(e->effect)))
            __builtin_trap();
    }
    catalogue_keeps(c, (const char *)data, size < 40 ? size : 40, "x", 1);
    catalogue_free(c);
    return 0;
}
