/*
 * libFuzzer harness for the PartiQL reader (partiql.h): "STATEMENT|PK", the
 * statement judged with and without a known partition key.
 */
#include "partiql.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *bar = memchr(s, '|', size);
    size_t a = bar ? (size_t)(bar - s) : size;

    partiql_is_bulk(s, a, bar ? bar + 1 : NULL, bar ? size - a - 1 : 0);
    partiql_is_bulk(s, size, NULL, 0);
    return 0;
}
