/*
 * walk: path expansion (see walk.h). The ancestors of the directory being
 * read are kept as (device, inode) pairs, which is how a symlink pointing
 * back up the tree is recognised without resolving paths.
 */
#include "walk.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#define WALK_SNIFF 4096 /* bytes a file's first look reads, and inflates at most to */

#define WALK_MAX_DEPTH 64

struct ancestor {
    dev_t dev;
    ino_t ino;
};

/* The directories read so far: an open-addressing hash set of (dev, ino). */
struct walk_dirs {
    struct ancestor *slot; /* ino 0 marks an empty slot */
    size_t n, cap;         /* used, and slots (a power of two) */
};

static size_t dir_hash(dev_t dev, ino_t ino, size_t cap)
{
    uint64_t h = ((uint64_t)ino * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)dev * 0xc2b2ae3d27d4eb4full);

    return (size_t)(h >> 17) & (cap - 1);
}

/* Adds a directory to the set. Returns 1 when it was new, 0 when it was
 * there already, -1 when out of memory. */
static int dirs_add(walk_list *l, dev_t dev, ino_t ino)
{
    struct walk_dirs *d = l->dirs;
    size_t i;

    if (d == NULL) {
        d = l->dirs = calloc(1, sizeof *d);
        if (d == NULL)
            return -1;
    }
    if (2 * (d->n + 1) > d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 256, k;
        struct ancestor *slot = calloc(cap, sizeof *slot);
        if (slot == NULL)
            return -1;
        for (k = 0; k < d->cap; k++)
            if (d->slot[k].ino) {
                for (i = dir_hash(d->slot[k].dev, d->slot[k].ino, cap); slot[i].ino;
                     i = (i + 1) & (cap - 1))
                    ;
                slot[i] = d->slot[k];
            }
        free(d->slot);
        d->slot = slot;
        d->cap = cap;
    }
    for (i = dir_hash(dev, ino, d->cap); d->slot[i].ino; i = (i + 1) & (d->cap - 1))
        if (d->slot[i].dev == dev && d->slot[i].ino == ino)
            return 0;
    d->slot[i].dev = dev;
    d->slot[i].ino = ino ? ino : 1; /* no real directory has inode 0 */
    d->n++;
    return 1;
}

/* Appends a copy of path to the array *v of *n entries in *alloc slots.
 * Returns 0, or -1 when out of memory. */
static int append(char ***v, size_t *n, size_t *alloc, const char *path)
{
    char *copy;

    if (*n == *alloc) {
        size_t na = *alloc ? *alloc * 2 : 64;
        char **p = realloc(*v, na * sizeof *p);
        if (p == NULL)
            return -1;
        *v = p;
        *alloc = na;
    }
    copy = strdup(path);
    if (copy == NULL)
        return -1;
    (*v)[(*n)++] = copy;
    return 0;
}

/* Lists a file to read. Returns 0, 1 when the list is full, -1 out of memory. */
static int push(walk_list *l, const char *path)
{
    if (l->n >= WALK_MAX_PATHS)
        return 1;
    return append(&l->paths, &l->n, &l->alloc, path);
}

/* Counts a digest file, and lists it when the caller wants digests. */
static int add_digest(walk_list *l, const char *path)
{
    l->digests++;
    if (!l->keep_digests || l->nd >= WALK_MAX_PATHS)
        return 0;
    return append(&l->dpaths, &l->nd, &l->ad, path);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int walk_is_never_log(const char *name)
{
    /* hidden files, and ddbtrail's own config when it sits among the logs */
    return name[0] == '.' || strcmp(name, "ddbtrail.json") == 0;
}

int walk_is_log_name(const char *name)
{
    static const char *const ext[] = {".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson",
                                      ".ndjson.gz"};
    size_t i;

    if (walk_is_never_log(name))
        return 0;
    for (i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (ends_with(name, ext[i]))
            return 1;
    return 0;
}

int walk_sniff_log(const char *path)
{
    unsigned char raw[WALK_SNIFF], text[WALK_SNIFF + 1];
    const unsigned char *p;
    size_t n, len;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    ssize_t got;

    if (fd < 0)
        return 0;
    got = read(fd, raw, sizeof raw);
    close(fd);
    if (got <= 0)
        return 0;
    n = (size_t)got;
    if (n >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
        z_stream z;
        memset(&z, 0, sizeof z);
        if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
            return 0;
        z.next_in = raw;
        z.avail_in = (uInt)n;
        z.next_out = text;
        z.avail_out = WALK_SNIFF;
        inflate(&z, Z_SYNC_FLUSH); /* a cut-short sample: what came out is enough */
        len = WALK_SNIFF - z.avail_out;
        inflateEnd(&z);
    } else {
        memcpy(text, raw, n);
        len = n;
    }
    text[len] = '\0';
    p = text;
    if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        p += 3; /* a UTF-8 byte order mark */
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    if (*p != '{')
        return 0;
    return strstr((const char *)p, "\"Records\"") != NULL ||
           strstr((const char *)p, "\"eventVersion\"") != NULL ||
           strstr((const char *)p, "\"eventSource\"") != NULL;
}

int walk_is_digest(const char *path)
{
    return strstr(path, "CloudTrail-Digest") != NULL;
}

static void report(walk_list *l, walk_err_fn on_err, void *ctx, const char *path, const char *msg)
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

    switch (dirs_add(l, anc[depth - 1].dev, anc[depth - 1].ino)) {
    case 0:
        l->revisits++; /* read already, through another link */
        return 0;
    case -1:
        return -1;
    default:
        break;
    }
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
            rc = add_digest(l, path);
        } else if (!walk_is_log_name(name) &&
                   (walk_is_never_log(name) || !S_ISREG(st.st_mode) || !walk_sniff_log(path))) {
            if (l->nonlog < WALK_SKIPPED_NAMED)
                l->skipped[l->nonlog] = strdup(path); /* a name lost to no memory: unnamed */
            l->nonlog++;
        } else {
            rc = push(l, path);
            if (rc == 1) {
                report(l, on_err, ctx, path, "more than 1000000 log files in one run; this "
                       "one and the rest are not read (split the run, e.g. by account)");
                rc = 2; /* stops this walk; not out of memory */
            }
        }
        free(path);
    }
    for (i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    return rc;
}

static int push_named(walk_list *l, const char *path, walk_err_fn on_err, void *ctx)
{
    int rc = push(l, path);

    if (rc == 1) {
        report(l, on_err, ctx, path, "more than 1000000 log files in one run; not read "
               "(split the run, e.g. by account)");
        return 0;
    }
    return rc;
}

int walk_add(walk_list *l, const char *path, walk_err_fn on_err, void *ctx)
{
    struct stat st;
    struct ancestor anc[WALK_MAX_DEPTH];

    if (strcmp(path, "-") == 0)
        return push_named(l, path, on_err, ctx);
    if (stat(path, &st) != 0) {
        report(l, on_err, ctx, path, strerror(errno));
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (walk_is_digest(path))
            return add_digest(l, path);
        return push_named(l, path, on_err, ctx);
    }
    anc[0].dev = st.st_dev;
    anc[0].ino = st.st_ino;
    return walk_dir(l, path, anc, 1, on_err, ctx) < 0 ? -1 : 0;
}

int walk_path_day(const char *path, int64_t *day)
{
    const char *p;
    int found = 0;

    /* "/YYYY/MM/DD/": 12 bytes, digits where the date is; the last one wins */
    for (p = path; (p = strchr(p, '/')) != NULL; p++) {
        static const char shape[] = "/dddd/dd/dd/";
        int k, y, m, d;
        for (k = 0; shape[k]; k++)
            if (shape[k] == 'd' ? !isdigit((unsigned char)p[k]) : p[k] != shape[k])
                break;
        if (shape[k])
            continue;
        y = (p[1] - '0') * 1000 + (p[2] - '0') * 100 + (p[3] - '0') * 10 + (p[4] - '0');
        m = (p[6] - '0') * 10 + (p[7] - '0');
        d = (p[9] - '0') * 10 + (p[10] - '0');
        if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1970)
            continue;
        {
            /* days since 1970 of a civil date (the proleptic Gregorian count), no timegm() */
            int yy = m <= 2 ? y - 1 : y, era = yy / 400, yoe = yy - era * 400;
            int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
            int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            *day = ((int64_t)era * 146097 + doe - 719468) * 86400;
        }
        found = 1;
    }
    return found ? 0 : -1;
}

void walk_free(walk_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    for (i = 0; i < l->nd; i++)
        free(l->dpaths[i]);
    free(l->dpaths);
    if (l->dirs)
        free(l->dirs->slot);
    free(l->dirs);
    for (i = 0; i < WALK_SKIPPED_NAMED; i++)
        free(l->skipped[i]);
    memset(l, 0, sizeof *l);
}
