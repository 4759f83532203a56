/*
 * shard: splitting one organisation's logs into N independent jobs by the
 * account that owns them. Every detection groups within one log-owner
 * account, so jobs that each see whole accounts, merged, find what one run
 * over everything finds (README, "Past one machine").
 *
 * The owner of a file in an S3 tree is the account in its key,
 * AWSLogs/<account>/... or AWSLogs/o-<org>/<account>/... for organisation
 * trails, so a job opens only its own files. A plan weighs the accounts of
 * the trees being read by their bytes and deals them out largest first, each
 * to the lightest shard (ties: fewer accounts, then the lower shard), the
 * accounts of equal bytes in the order of their hash: no shard ends more than
 * one account's bytes heavier than another. A record whose file names no
 * account (stdin, a loose file) goes by its recipientAccountId: to its planned
 * shard when the plan knows the account, else to FNV-1a-32(account) mod N;
 * one without an account goes to shard 0.
 *
 * The plan is a function of the account names and their bytes only, so every
 * job reading the same tree computes the same plan; its digest is kept in
 * each shard's store so that merge can refuse shards of different plans.
 *
 * Sharded by day (SHARD_BY_DAY), the unit dealt out is an account's day
 * instead, "ACCOUNT/YYYY-MM-DD": the day of the CloudTrail/REGION/YYYY/MM/DD/
 * folders after the account in a path (a path with no such folders is its
 * account's whole), the first ten bytes of eventTime for a record routed by
 * its own fields. So one account too big for one job splits over many. Its
 * rules group over all of an actor's days, so a day shard's alerts are not the
 * whole run's: such shards are merged with their events and detected again
 * (merge --events), which makes them exact.
 */
#ifndef DDBTRAIL_SHARD_H
#define DDBTRAIL_SHARD_H

#include <stddef.h>
#include <stdint.h>

enum {
    SHARD_MAX_SHARDS = 65536,     /* N at most */
    SHARD_MAX_ACCOUNTS = 1000000, /* units one plan holds; past it shard_plan_add() fails */
    SHARD_ACCOUNT_LEN = 12,       /* an AWS account id: 12 digits */
    SHARD_UNIT_LEN = 23           /* the longest unit: ACCOUNT/YYYY-MM-DD */
};

/* What a plan deals out to the shards. */
enum shard_by {
    SHARD_BY_ACCOUNT, /* log-owner accounts */
    SHARD_BY_DAY      /* an account's days */
};

/* Parses "account" or "day" (--shard-by). Returns 0, or -1 with err. */
int shard_parse_by(const char *spec, int *by, char *err, size_t errlen);

/* Parses "K/N" (0 <= K < N <= SHARD_MAX_SHARDS). Returns 0, or -1 with err. */
int shard_parse(const char *spec, unsigned *k, unsigned *n, char *err, size_t errlen);

/* FNV-1a, 32 bits, over the account id's bytes: the documented, stable hash. */
uint32_t shard_hash(const char *acct, size_t len);

/* The log-owner account in a path's AWSLogs/[o-ORG/]ACCOUNT/ part, into
 * acct (SHARD_ACCOUNT_LEN + 1 bytes, may be NULL). Returns 1 when the path has
 * one, else 0. */
int shard_path_account(const char *path, char *acct);

/* The unit a path's files go by, into unit (SHARD_UNIT_LEN + 1 bytes): its
 * account, and by day its day when the path has one. Returns the unit's
 * length, 0 when the path names no account (its records go by their own). */
size_t shard_path_unit(const char *path, int by, char *unit);

/* The unit of a record routed by its own fields, acct[0..alen) its
 * recipientAccountId (NULL when none): by day and for a 12-digit account,
 * "ACCOUNT/" and the first ten bytes of its eventTime when they read
 * YYYY-MM-DD, built in buf (SHARD_UNIT_LEN + 1 bytes); else acct itself.
 * Returns the unit (acct or buf), its length in *len (0: no account, so
 * shard 0 takes it). */
const char *shard_record_unit(int by, const char *acct, size_t alen, const char *time,
                              size_t tlen, char *buf, size_t *len);

/* One unit of a plan: an account, or an account's day. */
typedef struct shard_account {
    char id[SHARD_UNIT_LEN + 1];
    uint64_t bytes;  /* of its files */
    uint64_t files;
    unsigned shard;  /* set by shard_plan_finish() */
} shard_account;

typedef struct shard_plan shard_plan;

/* A new empty plan for n shards dealing units of kind by (enum shard_by), or
 * NULL when out of memory. Free it with shard_plan_free(). */
shard_plan *shard_plan_new(unsigned n, int by);

/* The plan's enum shard_by. */
int shard_plan_by(const shard_plan *p);

/* Counts a file of bytes bytes for unit (a NUL-terminated unit, as
 * shard_path_unit() gives). Returns 0, or -1 when out of memory or past
 * SHARD_MAX_ACCOUNTS units. */
int shard_plan_add(shard_plan *p, const char *unit, uint64_t bytes);

/* Deals the accounts out to the shards; call once, after the last add. */
void shard_plan_finish(shard_plan *p);

/* The shard of unit (len bytes): its planned shard, else FNV-1a-32 mod N;
 * len 0 (no account) is shard 0. After shard_plan_finish(). */
unsigned shard_plan_of(const shard_plan *p, const char *unit, size_t len);

unsigned shard_plan_shards(const shard_plan *p);
size_t shard_plan_count(const shard_plan *p);

/* The i-th account, in id order. Borrowed: valid until shard_plan_free(). */
const shard_account *shard_plan_get(const shard_plan *p, size_t i);

/* The plan as text: "N\n" ("N day\n" by day) and one "UNIT SHARD\n" line per
 * unit in id order, NUL-terminated, its length in *len. Kept in each shard's store so
 * that merge can tell which accounts are a shard's. Returns a heap string the
 * caller frees, or NULL when out of memory. */
char *shard_plan_text(const shard_plan *p, size_t *len);

/* The plan's digest: SHA-256 in hex over shard_plan_text(), into out.
 * Returns 0 or -1. */
int shard_plan_digest(const shard_plan *p, char out[65]);

/* Frees the plan; shard_plan_free(NULL) is a no-op. */
void shard_plan_free(shard_plan *p);

/* Puts into kept (room for n) those of the n paths whose unit of kind by is
 * shard k's, or that name no account, in order, and returns how many:
 * borrowed, paths keeps them. by is the plan's own to split the files to
 * ingest; SHARD_BY_ACCOUNT splits a day plan's digests and the logs they
 * vouch for by account (a digest also vouches for logs of the day before),
 * an account a day plan does not know going by its hash. */
size_t shard_select(char *const *paths, size_t n, const shard_plan *p, unsigned k, int by,
                    char **kept);

#endif
