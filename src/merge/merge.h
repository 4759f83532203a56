/*
 * merge: folding the stores of a sharded run (src/input/shard.h) into one, so that one
 * report covers the organisation. What each shard found is kept exactly:
 * alerts by fingerprint, files and their rejects, integrity findings, rule
 * runs (a rule that failed or warned in any shard says so in the merged
 * store), and with events the events by eventID. Stores whose settings or
 * rule files differ, or that were sharded by different plans, are refused
 * with the difference named: their alerts would not add up to one run's.
 * Folding the same store twice changes nothing. Incidents are recomputed over
 * the merged alerts by merge_finish(); with the events merged, so is coverage
 * (it is always computed from the events at report time).
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
 * the events too; without, out's meta notes that its events are not all
 * here. Returns 0; 1 when the stores may not be merged (err names the
 * difference); -1 on error (err). */
int merge_shard(sqlite3 *out, const char *path, int with_events, merge_counts *c, char *err,
                size_t errlen);

/* After the last shard: each rule run's alert count from the merged alerts,
 * and the incidents rebuilt (incident_gap_seconds from the merged settings).
 * Sets *incidents. Returns 0, or -1 with err. */
int merge_finish(sqlite3 *out, long *incidents, char *err, size_t errlen);

#endif
