/*
 * store: the SQLite database ddbtrail ingests into and detects over.
 *
 * Owns the schema (events, files, rejects, alerts, settings) and the
 * prepared statements of the ingest hot path. The caller groups writes into
 * transactions (store_begin/store_commit); a file's row is marked complete
 * in the same commit that stores its last event, so a run killed half-way
 * never leaves a file looking done, and the next run re-reads it (eventID
 * keeps the events unique).
 */
#ifndef DDBTRAIL_STORE_H
#define DDBTRAIL_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "normalize.h"

typedef struct store store;

/* Counters of one file, written to its files row. */
typedef struct store_counts {
    uint64_t seen;      /* records read: stored + skipped + rejected */
    uint64_t stored;    /* events now in the store from this file */
    uint64_t duplicate; /* of stored: eventID already present */
    uint64_t skipped;   /* well-formed but not DynamoDB-relevant */
    uint64_t rejected;  /* malformed records, or the unread rest of the file */
    uint64_t clash;     /* of rejected: eventID already stored with other content */
} store_counts;

/* What store_event() did with a row. */
enum store_outcome {
    STORE_NEW,       /* inserted */
    STORE_DUPLICATE, /* the eventID was stored with the same content (a re-delivery) */
    STORE_CLASH      /* the eventID was stored with other content: not inserted */
};

enum {
    STORE_READONLY = 1,
    STORE_THROWAWAY = 2,    /* a private temporary store (scan without --db): no durability, so
                            no fsync and the rollback journal in memory instead of a WAL */
    STORE_DEFERRED_KEYS = 4 /* the opener (an ingest) calls store_settle_keys() after its
                               inputs, so events may be appended without the unique eventID
                               key and sorted out once at the end (a random-key insert per
                               event made ingest cost grow faster than the input): always with
                               STORE_THROWAWAY, in a lasting store when store_defer_keys() says
                               so or an earlier such load did not finish. Other openers refuse
                               a store in the middle of such a load. */
};

/* The eventID indexes of the tables an effects judgement fills (event_refs,
 * event_items), as the schema makes them: a judgement from empty drops them
 * and builds them once after (effects.c), and the shape check refuses any
 * other form. */
#define STORE_JUDGED_INDEXES_SQL                                            \
    "CREATE INDEX IF NOT EXISTS event_refs_event ON event_refs(event_id);\n" \
    "CREATE INDEX IF NOT EXISTS event_items_event ON event_items(event_id);\n"

/* Opens (creating when needed, unless STORE_READONLY) the database at path.
 * Returns a new store or NULL with a message in err; free it with
 * store_free(). */
store *store_open(const char *path, int flags, char *err, size_t errlen);

/* The underlying connection. Borrowed: valid until store_free(). */
sqlite3 *store_db(store *s);

/* 1 when path was completely ingested before with this size and mtime. */
int store_file_known(store *s, const char *path, int64_t size, int64_t mtime);

/* The first column of the first row of sql (with param bound to ?1 when not
 * NULL) as text into buf. Returns 1 when there was a row, 0 when none, -1 on
 * error. */
int store_first_text(sqlite3 *db, const char *sql, const char *param, char *buf, size_t len);

/* The first column of the first row of sql as an integer; -1 when sql fails
 * or returns no row (callers ask for counts and EXISTS, never negative). */
int64_t store_first_int(sqlite3 *db, const char *sql);

/* The meta table's value for key into buf. Returns 1 when present, 0 when
 * not, -1 on error. */
int store_meta_get(store *s, const char *key, char *buf, size_t len);

/* Sets the meta table's key to value. Returns 0, or -1 with err. */
int store_meta_set(store *s, const char *key, const char *value, char *err, size_t errlen);

/* Opens a write transaction unless one is open. Returns 0 or -1. */
int store_begin(store *s, char *err, size_t errlen);

/* Commits the open transaction, if any. Returns 0 or -1. */
int store_commit(store *s, char *err, size_t errlen);

/* Adds a files row for path (status in-progress) inside the current
 * transaction, opening one if needed. size < 0 means not a regular file.
 * Returns 0 and *file_id. */
int store_file_begin(store *s, const char *path, int64_t size, int64_t mtime,
                     int64_t *file_id, char *err, size_t errlen);

/* Inserts one event row and says in *outcome what happened. CloudTrail
 * re-delivers an event byte for byte, so an eventID stored with other
 * content is a clash (a forged or corrupted record, or a producer reusing
 * ids): the row is not inserted and diff receives the names of the columns
 * that differ, comma-separated. offset is the record's byte offset. A store
 * loading without its unique key always says STORE_NEW. */
int store_event(store *s, int64_t file_id, uint64_t offset, const normalize_row *row,
                enum store_outcome *outcome, char *diff, size_t difflen, char *err, size_t errlen);

/* Before the inputs of a STORE_DEFERRED_KEYS lasting store: drops its unique
 * eventID key (committed, with a meta mark that stops other openers until
 * store_settle_keys() builds it again) when new_bytes, the size of the inputs
 * to read, is at least what the store holds. Returns 1 when the store now
 * loads without the key (also when it already did), 0 when not, -1 with err. */
int store_defer_keys(store *s, int64_t new_bytes, char *err, size_t errlen);

/* Called for each clash store_settle_keys() finds: the files row and byte
 * offset of the record not kept, and the reject reason (borrowed). */
typedef void (*store_clash_fn)(void *ctx, int64_t file_id, uint64_t offset, const char *reason);

/* After the last input of a store loading without its unique key: indexes
 * the eventIDs and keeps the first stored record of each (a lasting store gets
 * its unique key back); a later one with the same
 * content counts as a duplicate in its files row, one with other content is a
 * clash: removed, a reject of its file at its offset (its files row's stored
 * count moved to rejected), and reported through on_clash. Sets *dups and
 * *clashes. A no-op on other stores. Returns 0, or -1 with err. */
int store_settle_keys(store *s, store_clash_fn on_clash, void *ctx, uint64_t *dups,
                      uint64_t *clashes, char *err, size_t errlen);

/* The reject reason for a clash: "eventID X is already stored with other
 * content (differs: COLUMNS); this record was not stored", into buf. */
void store_clash_reason(const normalize_row *row, const char *diff, char *buf, size_t len);

/* Records a rejected record at a byte offset. */
int store_reject(store *s, int64_t file_id, uint64_t offset, const char *reason, char *err,
                 size_t errlen);

/* Writes a files row's counters, status ("in-progress", "complete",
 * "windowed" (read whole, events outside a --since/--until window not
 * stored: read again by a run without it), "error", "interrupted"), format and error text (may be NULL) in the
 * current transaction. A file is only ever marked complete by the caller in
 * the transaction that also stores its last event. */
int store_file_update(store *s, int64_t file_id, const store_counts *c, const char *status,
                      const char *format, const char *error, char *err, size_t errlen);

enum { STORE_INTEGRITY_COLS = 10 };

/* Adds one integrity finding (kind, trail, region, digest_path, log_path,
 * expected, actual, time_start, time_end, message; NULLs allowed), or with f
 * NULL empties the table (each verification replaces the last). */
int store_integrity(store *s, const char *const f[STORE_INTEGRITY_COLS], char *err,
                    size_t errlen);

/* Creates the indexes the detection rules rely on (once; cheap after). */
int store_prepare_detect(store *s, char *err, size_t errlen);

/* Runs SQL without results (schema, pragmas). */
int store_exec(store *s, const char *sql, char *err, size_t errlen);

/* Closes the database; store_free(NULL) is a no-op. An open transaction is
 * rolled back. */
void store_free(store *s);

#endif
