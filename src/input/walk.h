/*
 * walk: expands the paths a user names into the list of files to read.
 *
 * Directories are walked recursively in name order (so runs are
 * reproducible), following symbolic links but refusing loops, which matches
 * how downloaded S3 trees (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD)
 * are often assembled with links. Inside directories log-looking names are
 * taken, and so is any other file whose first bytes (inflated when gzip) are
 * a CloudTrail record or file ("events.log" from a SIEM export); digest
 * files and everything else are counted as skipped, the first few by name.
 * A path named explicitly is always taken (except a digest), whatever its
 * name, as is "-" (stdin). Each directory is read once however many links
 * lead to it, so a fan of symlinks cannot multiply the work, and the list is
 * capped at WALK_MAX_PATHS files.
 */
#ifndef DDBTRAIL_WALK_H
#define DDBTRAIL_WALK_H

#include <stddef.h>
#include <stdint.h>

enum { WALK_SKIPPED_NAMED = 10 }; /* non-log files a list remembers by name */

typedef struct walk_list {
    char **paths;      /* files to read, in order; owned by the list */
    size_t n, alloc;
    size_t digests;    /* CloudTrail-Digest files skipped */
    size_t nonlog;     /* files in directories with non-log names, skipped */
    size_t errors;     /* unreadable directories, loops, missing paths */
    size_t revisits;   /* directories reached again by another path (symlinks): not re-read */
    struct walk_dirs *dirs; /* directories read so far, by (device, inode); owned */
    int keep_digests;  /* set before walking: also list the digest files in dpaths */
    char **dpaths;     /* the digest files, when keep_digests; owned by the list */
    size_t nd, ad;
    char *skipped[WALK_SKIPPED_NAMED]; /* the first non-log files skipped, to name; owned */
} walk_list;

enum { WALK_MAX_PATHS = 1000000 }; /* files one run holds; past it the walk stops, loudly */

/* Called for each problem met while walking (borrowed strings). */
typedef void (*walk_err_fn)(void *ctx, const char *path, const char *msg);

/* Adds path (a file, directory or "-") to list. Problems are reported
 * through on_err and counted; the walk goes on. Returns 0, or -1 when out
 * of memory. */
int walk_add(walk_list *list, const char *path, walk_err_fn on_err, void *ctx);

/* 1 for names skipped by design, whatever their content: hidden files and
 * ddbtrail.json (the config that may sit among the logs). */
int walk_is_never_log(const char *name);

/* 1 when a file name inside a directory looks like a CloudTrail log. */
int walk_is_log_name(const char *name);

/* 1 when the first bytes of the file at path, inflated when they are gzip,
 * open a CloudTrail file or record: a JSON object naming "Records",
 * "eventVersion" or "eventSource" near its start. */
int walk_sniff_log(const char *path);

/* 1 when the path names a CloudTrail digest file. */
int walk_is_digest(const char *path);

/* Frees the list's storage; the list is empty afterwards. */
void walk_free(walk_list *list);

/* The day a CloudTrail file's S3 key files it under (.../YYYY/MM/DD/...,
 * the last such triple of folders in path), as the Unix time of its UTC
 * midnight in *day. Returns 0, or -1 when the path names no day. */
int walk_path_day(const char *path, int64_t *day);

#endif
