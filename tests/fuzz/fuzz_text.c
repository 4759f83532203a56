/*
 * libFuzzer harness for the small text parsers: IP classification and
 * CIDR matching, ISO-8601 times, table names from ARNs and PartiQL, and
 * the output escapers. Input is "A|B": A and B are used as ip and cidr.
 */
#include "buffer.h"
#include "escape.h"
#include "address.h"
#include "normalize.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *bar = memchr(s, '|', size);
    size_t a = bar ? (size_t)(bar - s) : size;
    const char *name;
    size_t n;
    int64_t ts;
    buffer b;

    address_kind(s, size);
    address_in_cidr(s, a, bar ? bar + 1 : s, bar ? size - a - 1 : size);
    normalize_parse_time(s, size, &ts);
    normalize_table_from_arn(s, size, &name, &n);
    normalize_table_from_partiql(s, size, &name, &n);
    buffer_init(&b, 1 << 20);
    escape_term(&b, s, size);
    escape_utf8(&b, s, size);
    escape_html(&b, s, size);
    escape_csv(&b, s, size);
    buffer_free(&b);
    return 0;
}
