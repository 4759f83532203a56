/*
 * ingest: reads inputs (files, FIFOs, stdin) into the store.
 *
 * The pipeline is reader (bytes) -> decoder (events) -> normalize (rows) -> store.
 * Decoding runs on worker threads, each taking every W-th input and handing
 * finished batches of rows through its own small bounded queue; the calling
 * thread alone writes SQLite, taking the inputs in order, so file ids and
 * messages come out as if everything ran in one thread. Each problem is
 * handed to the caller's message callback as one line naming the byte
 * offset, recorded in the rejects table, and counted; the input's other
 * records are still stored. Nothing here prints.
 */
#ifndef DDBTRAIL_INGEST_H
#define DDBTRAIL_INGEST_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "catalogue.h"
#include "shard.h"
#include "store.h"

typedef struct ingest_opts {
    int all_events;      /* store every event, not only the DynamoDB-relevant ones */
    const catalogue *catalogue; /* what else is relevant (borrowed; NULL: DynamoDB and DAX) */
    int force;           /* re-read inputs already ingested unchanged */
    uint64_t batch;      /* events per transaction (0: default 50 000) */
    int threads;         /* decoding threads, 1 to 8 (0: 1); how many is the caller's call */
    volatile sig_atomic_t *stop; /* when non-NULL and set: stop at the next chunk */
    const shard_plan *shard_plan; /* when non-NULL: keep only shard_k's records of inputs whose
                                    path names no account (borrowed, finished) */
    unsigned shard_k;
    int has_since, has_until; /* scan --since/--until: events outside are not stored */
    int64_t since, until;     /* Unix seconds, inclusive; counted as skipped */
} ingest_opts;

/* Totals over all inputs of one ingest run. */
typedef struct ingest_totals {
    uint64_t inputs;      /* inputs read (or attempted) */
    uint64_t unchanged;   /* inputs skipped: already ingested, unchanged */
    uint64_t failed;      /* inputs with an error (unreadable, corrupt, ...) */
    uint64_t seen, stored, duplicate, skipped, rejected, clash; /* as in store_counts */
    uint64_t other_shard; /* records (and rejects) of other shards' accounts: not counted above */
    uint64_t raw_bytes;   /* bytes read from inputs */
    uint64_t json_bytes;  /* bytes of JSON after decompression */
    int64_t first_ts, last_ts; /* event time span of stored events, 0 if none */
} ingest_totals;

/* Called once per problem: path of the input, message ending in the offset. */
typedef void (*ingest_msg_fn)(void *ctx, const char *path, const char *msg);

/* Called after each input is done: inputs done so far and in all. */
typedef void (*ingest_progress_fn)(void *ctx, size_t done, size_t total);

typedef struct ingest ingest;

/* Returns a new ingester writing into s, or NULL when out of memory; free it
 * with ingest_free(). Borrows s; opts is copied; on_msg/ctx are borrowed. */
ingest *ingest_new(store *s, const ingest_opts *opts, ingest_msg_fn on_msg, void *ctx);

/* Reads the n inputs in paths ("-" is stdin), in order, and commits.
 * Returns 0 when all were read cleanly or skipped as unchanged, 1 when
 * something was rejected or could not be read (reported through on_msg), 2
 * when opts.stop interrupted the run (what was read is committed; the input
 * being read stays marked "interrupted"), -1 on a fatal store error
 * (message in err; the open transaction is rolled back). progress may be
 * NULL. */
int ingest_files(ingest *g, char *const *paths, size_t n, ingest_progress_fn progress, void *pctx,
                 char *err, size_t errlen);

/* Running totals. Borrowed: valid until ingest_free(). */
const ingest_totals *ingest_get_totals(const ingest *g);

/* Frees the ingester; ingest_free(NULL) is a no-op. */
void ingest_free(ingest *g);

#endif
