/*
 * follow: a stream that never ends, stored as it arrives (scan --follow).
 *
 * The batch pipeline (ingest) reads each input to its end before it counts
 * it done; a live feed (an EventBridge consumer, `aws logs tail --follow`
 * piped through jq) has no end. Here bytes are pushed in as they come,
 * decoded by the same streaming decoder with the same caps, and stored in an
 * open transaction that the caller commits whenever it wants the rules to see
 * them. One files row stands for the whole stream and is updated at each
 * commit. Nothing here prints.
 */
#ifndef DDBTRAIL_FOLLOW_H
#define DDBTRAIL_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "ingest.h"
#include "store.h"

typedef struct follow follow;

/* Returns a new follower storing into s under a files row named name, or
 * NULL with err; free it with follow_free(). It keeps the events cat names
 * (catalogue_keeps()), or all with all_events. Borrows s, cat and on_msg/ctx (called
 * once per rejected record, like ingest's). */
follow *follow_new(store *s, const char *name, int all_events, const catalogue *cat,
                   ingest_msg_fn on_msg, void *ctx, char *err, size_t errlen);

/* Decodes n more bytes and stores their events (uncommitted). Returns 0, or
 * -1 when the rest of the stream cannot be read (err says why) or the store
 * failed. */
int follow_feed(follow *f, const void *buf, size_t n, char *err, size_t errlen);

/* Commits what was stored and updates the files row. Returns 0 or -1. */
int follow_commit(follow *f, char *err, size_t errlen);

/* Ends the stream: a value left open is rejected, the row marked complete
 * (or interrupted), everything committed. Returns 0 or -1. */
int follow_finish(follow *f, int interrupted, char *err, size_t errlen);

/* Deletes stored events older than before (Unix seconds): what a throwaway
 * store no rule window reaches any more; but an actor named in keep (a JSON
 * array of [actor_arn, since] pairs, or NULL) keeps its events from since on.
 * Returns 0 or -1. */
int follow_prune(follow *f, int64_t before, const char *keep, char *err, size_t errlen);

/* Events stored since the last commit. */
uint64_t follow_pending(const follow *f);

enum { FOLLOW_SKEW = 900 }; /* seconds an event may be dated ahead of the clock */

/* The newest event time stored that is not ahead of the wall clock by more
 * than FOLLOW_SKEW (0 before any): what pruning may count from. */
int64_t follow_last_ts(const follow *f);

/* Records stored so far that are dated further ahead than that. */
uint64_t follow_future(const follow *f);

/* The stream's counts so far. Borrowed: valid until follow_free(). */
const store_counts *follow_counts(const follow *f);

/* Frees the follower; follow_free(NULL) is a no-op. An open transaction is
 * left to the store. */
void follow_free(follow *f);

#endif
