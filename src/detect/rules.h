/*
 * rules: detection rules as data. A rule is a file <ID>.sql in a rules
 * directory: a header of "-- key: value" lines, then one SELECT over the
 * store. Adding or editing a rule needs no recompile.
 *
 * Header keys: id (must match the file name), title, severity
 * (info|low|medium|high|critical), description, mitre, references,
 * falsepositives, requires (a settings list that must be non-empty for
 * the rule to run), stage and story (how its alerts read in an incident),
 * routine ("yes" for burst rules whose repeats are learnt as routine), and
 * effects (the effects of detections/effects.txt it reads, checked by the
 * caller against the catalogue's vocabulary), and catalogue (effects whose
 * operations it looks up in the effects table, not in judged events: an IAM
 * policy's actions against the operations that write), and cost ("heavy"
 * for a rule that reads most of the store through windows: it is started
 * first, so that the other rules fill the other threads meanwhile). A value
 * may continue on following "--" lines.
 *
 * The SELECT returns the columns in rules_columns (NULL where they do not
 * apply) and may add "severity" to override the default for one row and
 * "group_key" to split alerts further. Named parameters (:window_seconds)
 * are bound from the settings table. Rules are compiled under an authorizer
 * that allows reading only: a rule file cannot change the store.
 */
#ifndef DDBTRAIL_RULES_H
#define DDBTRAIL_RULES_H

#include <signal.h>
#include <sqlite3.h>
#include <stddef.h>
#include <time.h>

typedef struct rules_rule {
    char *path;           /* file it came from */
    char *id, *title, *severity, *description, *mitre, *references, *falsepositives;
    char *requires;       /* settings list key that must be non-empty, or NULL */
    char *stage;          /* ATT&CK stage of its alerts, for incidents: discovery,
                             credential-use, collection, impact, evasion; or NULL */
    char *story;          /* a few words for an incident's story ("mass scan"), or NULL */
    char *routine;        /* "yes": a burst rule whose repeats may become routine */
    char *effects;        /* the catalogue effects it reads ("deletes-items, ..."), or NULL */
    char *catalogue;      /* effects whose operations it reads from the catalogue table
                             (effects), not judged events; or NULL */
    char *cost;           /* "heavy": started before the other rules; "light" or NULL */
    char *sql;            /* the SELECT */
    char sha256[65];      /* of the whole file, in hex: which version of the rule ran */
} rules_rule;

typedef struct rules rules;

/* Columns every rule returns, in any order. */
extern const char *const rules_columns[];

/* Called for each rule file that cannot be loaded (borrowed strings). */
typedef void (*rules_err_fn)(void *ctx, const char *path, const char *msg);

/* Loads every *.sql file of dir, in name order. Files with a bad header
 * are reported through on_err and left out. Returns a new set (possibly
 * empty) or NULL with a message in err when dir cannot be read; free it
 * with rules_free(). */
rules *rules_load_dir(const char *dir, rules_err_fn on_err, void *ctx, char *err,
                      size_t errlen);

size_t rules_count(const rules *r);

/* The i-th rule. Borrowed: valid until rules_free(). */
const rules_rule *rules_get(const rules *r, size_t i);

/* Compiles a rule against db and checks its result columns and parameters.
 * Returns 0, or -1 with the reason in err. */
int rules_check(const rules_rule *rule, sqlite3 *db, char *err, size_t errlen);

/* What stops a running rule early. SQLite's progress handler looks at both
 * every few thousand steps, so a runaway rule ends however it was written. */
typedef struct rules_limits {
    volatile sig_atomic_t *stop; /* when non-NULL and set (SIGINT): interrupt */
    long timeout;                /* seconds one rule may run; 0: no limit */
} rules_limits;

enum { RULES_PROGRESS_STEPS = 4000 }; /* VM steps between two looks at the limits */

/* A watch over limits for one piece of work: the deadline starts with it. */
typedef struct rules_watch {
    const rules_limits *lim; /* may be NULL: never stops */
    struct timespec deadline;
    int stopped;             /* set by rules_watch_hit(): 1 signal, 2 deadline */
} rules_watch;

/* Starts a watch over lim (may be NULL) from now. */
void rules_watch_start(rules_watch *w, const rules_limits *lim);

/* Non-zero when a limit says stop, remembering which in w->stopped; shaped
 * as an SQLite progress handler (arg is the rules_watch). */
int rules_watch_hit(void *w);

/* Installs rules_watch_hit(w) as db's progress handler when w has a limit;
 * the caller removes it (sqlite3_progress_handler(db, 0, NULL, NULL)). */
void rules_watch_db(rules_watch *w, sqlite3 *db);

/* Runs a rule and upserts its rows into alerts (fingerprint = rule id and a
 * hash of the grouping columns, so re-running adds no duplicates). Sets
 * *alerts to the rows produced. lim may be NULL. Returns 0, or -1 with the
 * reason in err (a rule stopped by lim says "interrupted" or "timed out"). */
int rules_run(const rules_rule *rule, sqlite3 *db, const rules_limits *lim, long *alerts,
              char *err, size_t errlen);

/* Takes the warnings the SQL functions gathered on db while the last rule ran
 * (a pattern that hit PCRE2's match or depth limit on some value: counted as
 * no match) into buf, "" when there were none. */
void rules_take_warning(sqlite3 *db, char *buf, size_t len);

/* A rule's alert rows kept in memory, to be stored later. */
typedef struct rules_result rules_result;

/* Upserts kept rows into alerts, as rules_run() would have, under lim (may
 * be NULL). Returns 0, or -1 with the reason in err. */
int rules_store(const rules_rule *rule, const rules_result *res, sqlite3 *db,
                const rules_limits *lim, long *alerts, char *err, size_t errlen);

/* Frees a result; rules_result_free(NULL) is a no-op. */
void rules_result_free(rules_result *res);

enum { RULES_MAX_THREADS = 8 };

/* One rule of rules_query_start(). */
typedef struct rules_job {
    const rules_rule *rule; /* in; borrowed */
    rules_result *result;   /* out, status 0: owned by the caller */
    int status;             /* out: 0 kept, -1 failed (err says why), 1 not run (no
                               connection of its own): run it with rules_run() */
    char err[512];
    char warn[512];         /* out: rules_take_warning() after the rule ran */
} rules_job;

/* Rules running side by side: see rules_query_start(). */
typedef struct rules_pool rules_pool;

/* Starts the jobs' rules on `threads` (2 or more) read-only connections of
 * their own to the database file at path (readers do not block each other in
 * WAL mode), with the functions flags fn_flags, and keeps their rows: 4 MiB
 * in all in memory, past which a rule's rows go to a scratch table on disk;
 * no rule runs twice. Each rule sees what was committed when it started: the
 * caller may store a finished job's alerts (rules_query_wait()) while later
 * jobs still run, and a rule that read the alerts table would then see them.
 * jobs and path are borrowed until rules_query_end(). Returns a new pool, or
 * NULL when no thread ran (fewer than 2 asked for, no file, none started, out
 * of memory): every job then has status 1. */
rules_pool *rules_query_start(const char *path, int fn_flags, rules_job *jobs, size_t n,
                              int threads, const rules_limits *lim);

/* Blocks until jobs[k] of p has ended (its status and result are then the
 * caller's to read). NULL p: returns at once. */
void rules_query_wait(rules_pool *p, size_t k);

/* Frees job's result and gives its memory back to the rules still running
 * (p may be NULL). */
void rules_query_release(rules_pool *p, rules_job *job);

/* Waits for every job, joins the threads and frees p (NULL: no-op). */
void rules_query_end(rules_pool *p);

/* 1 when s is one of the five severities. */
int rules_valid_severity(const char *s);

/* Stage rank: discovery 0, credential-use 1, collection 2, impact 3, evasion
 * 4 (the order an attack runs in), -1 for anything else. */
int rules_stage_rank(const char *s);

/* The names of severity and stage ranks (static strings; a severity out of
 * range is clamped, a stage out of range is NULL). */
const char *rules_severity_name(int rank);
const char *rules_stage_name(int rank);

/* Severity rank: info 0 .. critical 4, -1 for anything else. */
int rules_severity_rank(const char *s);

/* Frees the set; rules_free(NULL) is a no-op. */
void rules_free(rules *r);

#endif
