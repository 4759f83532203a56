/*
 * merge: folding the stores of a sharded run (src/input/shard.h) into one, so that one
 * report covers the organisation. A shard store is input like a log file:
 * it brings only the accounts its plan gives it (the plan's text, kept in its
 * meta, must hash to the digest every shard shares), one store per shard,
 * and stores whose settings or rule files differ, or that were sharded by
 * different plans, are refused with the difference named. Kept: files and
 * their rejects, integrity findings, rule runs, and either the events by
 * eventID (with_events; the caller then runs the rules again over them, so
 * that an actor the shards split is judged whole and triage is the merged
 * store's) or the shards' alerts by fingerprint (a finding two shards made
 * differently is refused: only a run over both could judge it). Folding the
 * same store twice changes nothing. merge_finish() rebuilds the incidents
 * over merged alerts.
 */
#ifndef DDBTRAIL_MERGE_H
#define DDBTRAIL_MERGE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* What one merge_shard() added, and what was there already. */
typedef struct merge_counts {
    uint64_t files, rejects, integrity;
    uint64_t alerts, alerts_present;
    uint64_t events, events_present; /* with_events only */
} merge_counts;

/* Folds the ddbtrail store at path (already opened and upgraded by the
 * caller, so its schema is known) into out, in one transaction. with_events:
 * the events instead of the alerts, and when it added any, out's meta key
 * 'merge_detect' says the rules must run again; without, the alerts, and
 * out's meta notes that its events are not all here. Returns 0; 1 when the
 * stores may not be merged (err names the difference); -1 on error (err). */
int merge_shard(sqlite3 *out, const char *path, int with_events, merge_counts *c, char *err,
                size_t errlen);

/* After the last shard: each rule run's alert count from the merged alerts,
 * and the incidents rebuilt (incident_gap_seconds from the merged settings).
 * Sets *incidents. Returns 0, or -1 with err. */
int merge_finish(sqlite3 *out, long *incidents, char *err, size_t errlen);

/* Stores out's events again in the order one run over every shard's inputs
 * stores them: by file, in the order a walk lists the files, then by byte
 * offset. Rules that list ids or names list them in the order they meet
 * rows, so merged shards that split an actor's events (day shards) give the
 * whole run's alerts byte for byte only in its order. Exact when the shards
 * read the same roots, as a sharded run does (roots given in another order
 * than their names' keep their names' order). Returns 0, or -1 with err. */
int merge_order_events(sqlite3 *out, char *err, size_t errlen);

#endif
