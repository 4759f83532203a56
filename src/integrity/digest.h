/*
 * digest: CloudTrail log file integrity, offline. A trail with validation on
 * delivers, every hour and for each region, a digest file listing the log
 * files of that hour with the SHA-256 of each one's uncompressed content,
 * chained to the previous digest by that digest's hash and signature. An
 * attacker who can write to the bucket deletes or edits the log file that
 * shows them; a downloaded tree holds the digests that prove it. This module
 * checks a tree against them:
 *
 *   missing    a listed log file is not in the tree, though the tree holds files
 *              of its account and region from before and after it (one outside
 *              that span was not downloaded: counted, not a problem)
 *   modified   a listed log file's content does not hash to hashValue, or the
 *              file cannot be read to its end
 *   chain      a digest's previous digest is not in the tree, or does not hash
 *              to previousDigestHashValue
 *   gap        consecutive digests of a trail and region leave hours uncovered
 *   unlisted   a log file no digest lists, inside the time digests cover
 *   signature  a digest's SHA256withRSA signature (carried by the next digest)
 *              does not verify with the public key its fingerprint names, or no
 *              key was given for that fingerprint
 *
 * Files are matched by their S3 key: the path from "AWSLogs/" on, whatever
 * the download put before it. The newest digest's own signature exists only
 * as S3 object metadata, which downloads do not keep: it is counted as not
 * verifiable, never as verified. SHA-256 and RSA are OpenSSL's libcrypto.
 */
#ifndef DDBTRAIL_DIGEST_H
#define DDBTRAIL_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/* One problem found. Strings are borrowed for the callback's duration. */
typedef struct digest_problem {
    const char *kind;        /* missing, modified, chain, gap, unlisted, signature */
    const char *trail;       /* trail name from the digest's file name, or NULL */
    const char *region;
    const char *digest;      /* S3 key of the digest concerned, or NULL */
    const char *log;         /* S3 key of the log file concerned, or NULL */
    const char *expected;    /* hash or time expected, or NULL */
    const char *actual;      /* what was found, or NULL */
    const char *start, *end; /* time range concerned */
    const char *message;     /* one line saying it all */
} digest_problem;

typedef void (*digest_problem_fn)(void *ctx, const digest_problem *p);

/* Called for a file that cannot be read or parsed (not an integrity finding). */
typedef void (*digest_error_fn)(void *ctx, const char *path, const char *msg);

typedef struct digest_summary {
    size_t digests, logs;          /* digest and log files in the tree */
    size_t listed;                 /* log files the digests list */
    size_t verified;               /* listed log files found with the right hash */
    size_t missing, modified, chain, gaps, unlisted, signatures; /* problems by kind */
    size_t signed_ok, unverifiable; /* signatures verified; newest digests (S3 metadata) */
    size_t unreadable;             /* files that could not be read or parsed */
    size_t not_downloaded;         /* listed log files outside what was read: not problems */
    int64_t nd_first, nd_last;     /* their first and last times (Unix seconds) */
} digest_summary;

/* One chain's covered span, said once per chain (borrowed strings). */
typedef void (*digest_chain_fn)(void *ctx, const char *owner, size_t owner_len,
                                const char *trail, const char *region, const char *first,
                                const char *last, size_t digests);

typedef struct digest_opts {
    const char *keys_json;         /* `aws cloudtrail list-public-keys` output, or NULL:
                                      signatures are not checked */
    int has_period;                /* start and end give the period to check */
    int64_t start, end;            /* Unix seconds: every hour of it must be covered, and
                                      every listed file in it present */
    digest_problem_fn on_problem;
    digest_error_fn on_error;
    digest_chain_fn on_chain;      /* may be NULL */
    void *ctx;
} digest_opts;

/* Checks the digest files (digests, n_digests) against the log files (logs,
 * n_logs). Without a period, the span checked is that of the log files read,
 * per account and region; with one, it is the period, and a chain that does
 * not reach its start or end leaves a gap. Problems and unreadable files go
 * to the callbacks. Returns 0, or -1 with err when keys_json does not parse
 * or out of memory. */
int digest_verify(char *const *digests, size_t n_digests, char *const *logs, size_t n_logs,
                  const digest_opts *o, digest_summary *sum, char *err, size_t errlen);

/* Parses one digest file's JSON (for the fuzzer and for tests): 0 when it is
 * a digest, -1 with err naming what is wrong. */
int digest_parse_check(const char *json, size_t len, char *err, size_t errlen);

#endif
