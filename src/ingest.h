/*
 * ingest: reads one input (file, FIFO or stdin) into the store.
 *
 * The pipeline per input is gzr (bytes) -> jev (events) -> norm (rows) ->
 * store. Each problem is handed to the caller's message callback as one line
 * naming the byte offset, recorded in the rejects table, and counted; the
 * input's other records are still stored. Nothing here prints.
 */
#ifndef DDBTRAIL_INGEST_H
#define DDBTRAIL_INGEST_H

#include <signal.h>
#include <stdint.h>

#include "store.h"

typedef struct ing_opts {
    int all_events;      /* store every event, not only the DynamoDB-relevant ones */
    int force;           /* re-read inputs already ingested unchanged */
    uint64_t batch;      /* events per transaction inside one big input (0: default) */
    volatile sig_atomic_t *stop; /* when non-NULL and set: stop at the next chunk */
} ing_opts;

/* Totals over all inputs of one ingest run. */
typedef struct ing_totals {
    uint64_t inputs;      /* inputs read (or attempted) */
    uint64_t unchanged;   /* inputs skipped: already ingested, unchanged */
    uint64_t failed;      /* inputs with an error (unreadable, corrupt, ...) */
    uint64_t seen, stored, duplicate, skipped, rejected; /* as in store_counts */
    uint64_t raw_bytes;   /* bytes read from inputs */
    uint64_t json_bytes;  /* bytes of JSON after decompression */
    int64_t first_ts, last_ts; /* event time span of stored events, 0 if none */
} ing_totals;

/* Called once per problem: path of the input, message ending in the offset. */
typedef void (*ing_msg_fn)(void *ctx, const char *path, const char *msg);

typedef struct ing ing;

/* Returns a new ingester writing into s, or NULL when out of memory; free it
 * with ing_free(). Borrows s, opts' contents are copied, on_msg/ctx are
 * borrowed. */
ing *ing_new(store *s, const ing_opts *opts, ing_msg_fn on_msg, void *ctx);

/* Reads one input ("-" is stdin). Returns 0 when it was read cleanly or
 * skipped as unchanged, 1 when something in it was rejected or it could not
 * be read (reported through on_msg), -1 on a fatal store error (message in
 * err; stop the run). */
int ing_file(ing *g, const char *path, char *err, size_t errlen);

/* Running totals. Borrowed: valid until ing_free(). */
const ing_totals *ing_get_totals(const ing *g);

/* Frees the ingester; ing_free(NULL) is a no-op. */
void ing_free(ing *g);

#endif
