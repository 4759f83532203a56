/*
 * libFuzzer harness for the event-selector evaluator (selectors.h): the
 * input is a PutEventSelectors request, basic or advanced, as JSON.
 */
#include "selectors.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[512];

    selectors_dynamodb_gap((const char *)data, size, out, sizeof out);
    return 0;
}
