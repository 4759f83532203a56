/*
 * walk: path expansion (see walk.h). The ancestors of the directory being
 * read are kept as (device, inode) pairs, which is how a symlink pointing
 * back up the tree is recognised without resolving paths.
 */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WALK_MAX_DEPTH 64

struct ancestor {
    dev_t dev;
    ino_t ino;
};

static int push(walk_list *l, const char *path)
{
    char *copy;

    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 64;
        char **p = realloc(l->paths, na * sizeof *p);
        if (p == NULL)
            return -1;
        l->paths = p;
        l->alloc = na;
    }
    copy = strdup(path);
    if (copy == NULL)
        return -1;
    l->paths[l->n++] = copy;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int walk_is_log_name(const char *name)
{
    static const char *const ext[] = {".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson",
                                      ".ndjson.gz"};
    size_t i;

    /* hidden files, and ddbtrail's own config when it sits among the logs */
    if (name[0] == '.' || strcmp(name, "ddbtrail.json") == 0)
        return 0;
    for (i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (ends_with(name, ext[i]))
            return 1;
    return 0;
}

int walk_is_digest(const char *path)
{
    return strstr(path, "CloudTrail-Digest") != NULL;
}

static void report(walk_list *l, walk_err_fn on_err, void *ctx, const char *path,
                   const char *msg)
{
    l->errors++;
    if (on_err)
        on_err(ctx, path, msg);
}

static int walk_dir(walk_list *l, const char *dir, struct ancestor *anc, int depth,
                    walk_err_fn on_err, void *ctx)
{
    struct dirent **ents = NULL;
    int n, i, rc = 0;

    n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0) {
        report(l, on_err, ctx, dir, strerror(errno));
        return 0;
    }
    for (i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        size_t len = strlen(dir) + strlen(name) + 2;
        char *path;
        struct stat st;

        if (rc != 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        path = malloc(len);
        if (path == NULL) {
            rc = -1;
            continue;
        }
        snprintf(path, len, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", name);
        if (stat(path, &st) != 0) {
            report(l, on_err, ctx, path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            int k, loop = 0;
            for (k = 0; k < depth; k++)
                if (anc[k].dev == st.st_dev && anc[k].ino == st.st_ino)
                    loop = 1;
            if (loop) {
                report(l, on_err, ctx, path, "directory loop (a symbolic link points to an "
                                             "ancestor); not followed");
            } else if (depth >= WALK_MAX_DEPTH) {
                report(l, on_err, ctx, path, "directories nested too deeply; not followed");
            } else {
                anc[depth].dev = st.st_dev;
                anc[depth].ino = st.st_ino;
                rc = walk_dir(l, path, anc, depth + 1, on_err, ctx);
            }
        } else if (walk_is_digest(path)) {
            l->digests++;
        } else if (!walk_is_log_name(name)) {
            l->nonlog++;
        } else {
            rc = push(l, path);
        }
        free(path);
    }
    for (i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    return rc;
}

int walk_add(walk_list *l, const char *path, walk_err_fn on_err, void *ctx)
{
    struct stat st;
    struct ancestor anc[WALK_MAX_DEPTH];

    if (strcmp(path, "-") == 0)
        return push(l, path);
    if (stat(path, &st) != 0) {
        report(l, on_err, ctx, path, strerror(errno));
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (walk_is_digest(path)) {
            l->digests++;
            return 0;
        }
        return push(l, path);
    }
    anc[0].dev = st.st_dev;
    anc[0].ino = st.st_ino;
    return walk_dir(l, path, anc, 1, on_err, ctx);
}

void walk_free(walk_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    memset(l, 0, sizeof *l);
}
