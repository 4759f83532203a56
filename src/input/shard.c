/*
 * shard: sharding plans (see shard.h). Units (accounts, or accounts' days)
 * are gathered in an open-addressing table while the tree is listed (a tree
 * has many files per unit), then sorted by id so that a record's unit is
 * found by binary search from any decoding thread: a finished plan is
 * read-only.
 */
#include "shard.h"
#include "hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shard_plan {
    unsigned n;          /* shards */
    int by;              /* enum shard_by */
    shard_account *acc;  /* units; in id order once finished */
    size_t count, alloc;
    size_t *slot;        /* while adding: index + 1 of the account in each slot, 0 empty */
    size_t nslots;       /* a power of two, at least twice count */
};

int shard_parse(const char *spec, unsigned *k, unsigned *n, char *err, size_t errlen)
{
    unsigned long a, b;
    char *end;

    errno = 0;
    a = strtoul(spec, &end, 10);
    if (errno || end == spec || *end != '/' || spec[0] == '-' || end[1] == '-')
        goto bad;
    b = strtoul(end + 1, &end, 10);
    if (errno || *end || b == 0 || b > SHARD_MAX_SHARDS || a >= b)
        goto bad;
    *k = (unsigned)a;
    *n = (unsigned)b;
    return 0;
bad:
    snprintf(err, errlen,
             "--shard wants K/N with 0 <= K < N <= %d (shard 0/3 is the first of "
             "three), not '%s'",
             SHARD_MAX_SHARDS, spec);
    return -1;
}

int shard_parse_by(const char *spec, int *by, char *err, size_t errlen)
{
    if (strcmp(spec, "account") == 0 || strcmp(spec, "day") == 0) {
        *by = spec[0] == 'd' ? SHARD_BY_DAY : SHARD_BY_ACCOUNT;
        return 0;
    }
    snprintf(err, errlen, "--shard-by wants account or day, not '%s'", spec);
    return -1;
}

uint32_t shard_hash(const char *acct, size_t len)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char)acct[i];
        h *= 16777619u;
    }
    return h;
}

/* 1 when p[0..n) is len digits. */
static int digits(const char *p, size_t n, size_t len)
{
    size_t i;

    if (p == NULL || n != len)
        return 0;
    for (i = 0; i < len; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

/* Where the account of path's AWSLogs/[o-ORG/]ACCOUNT/ part starts, or NULL. */
static const char *path_account(const char *path)
{
    const char *p = path;

    /* the last AWSLogs component wins: a download may sit under any directory */
    const char *hit = NULL;
    while ((p = strstr(p, "AWSLogs/")) != NULL) {
        if (p == path || p[-1] == '/')
            hit = p + 8;
        p += 8;
    }
    if (hit == NULL)
        return NULL;
    if (hit[0] == 'o' && hit[1] == '-') {
        const char *slash = strchr(hit, '/');
        if (slash == NULL)
            return NULL;
        hit = slash + 1;
    }
    if (!digits(hit, strcspn(hit, "/"), SHARD_ACCOUNT_LEN) || hit[SHARD_ACCOUNT_LEN] != '/')
        return NULL;
    return hit;
}

int shard_path_account(const char *path, char *acct)
{
    const char *hit = path_account(path);

    if (hit == NULL)
        return 0;
    if (acct) {
        memcpy(acct, hit, SHARD_ACCOUNT_LEN);
        acct[SHARD_ACCOUNT_LEN] = '\0';
    }
    return 1;
}

size_t shard_path_unit(const char *path, int by, char *unit)
{
    const char *hit = path_account(path), *d;
    size_t r;

    if (hit == NULL)
        return 0;
    memcpy(unit, hit, SHARD_ACCOUNT_LEN);
    unit[SHARD_ACCOUNT_LEN] = '\0';
    /* ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/: CloudTrail's own key layout only */
    if (by != SHARD_BY_DAY || strncmp(hit + SHARD_ACCOUNT_LEN, "/CloudTrail/", 12) != 0)
        return SHARD_ACCOUNT_LEN;
    d = hit + SHARD_ACCOUNT_LEN + 12;
    if ((r = strcspn(d, "/")) == 0 || d[r] != '/')
        return SHARD_ACCOUNT_LEN;
    d += r + 1;
    if (!digits(d, strcspn(d, "/"), 4) || d[4] != '/' || !digits(d + 5, strcspn(d + 5, "/"), 2) ||
        d[7] != '/' || !digits(d + 8, strcspn(d + 8, "/"), 2) || d[10] != '/')
        return SHARD_ACCOUNT_LEN;
    snprintf(unit + SHARD_ACCOUNT_LEN, SHARD_UNIT_LEN - SHARD_ACCOUNT_LEN + 1, "/%.4s-%.2s-%.2s",
             d, d + 5, d + 8);
    return SHARD_UNIT_LEN;
}

const char *shard_record_unit(int by, const char *acct, size_t alen, const char *time,
                              size_t tlen, char *buf, size_t *len)
{
    *len = acct ? alen : 0;
    if (by != SHARD_BY_DAY || !digits(acct, alen, SHARD_ACCOUNT_LEN) || time == NULL ||
        tlen < 10 || !digits(time, 4, 4) || time[4] != '-' || !digits(time + 5, 2, 2) ||
        time[7] != '-' || !digits(time + 8, 2, 2))
        return acct;
    memcpy(buf, acct, SHARD_ACCOUNT_LEN);
    buf[SHARD_ACCOUNT_LEN] = '/';
    memcpy(buf + SHARD_ACCOUNT_LEN + 1, time, 10);
    buf[SHARD_UNIT_LEN] = '\0';
    *len = SHARD_UNIT_LEN;
    return buf;
}

shard_plan *shard_plan_new(unsigned n, int by)
{
    shard_plan *p = calloc(1, sizeof *p);

    if (p) {
        p->n = n ? n : 1;
        p->by = by;
    }
    return p;
}

int shard_plan_by(const shard_plan *p)
{
    return p->by;
}

static int grow_slots(shard_plan *p)
{
    size_t ns = p->nslots ? p->nslots * 2 : 64, i;
    size_t *slot = calloc(ns, sizeof *slot);

    if (slot == NULL)
        return -1;
    for (i = 0; i < p->count; i++) {
        size_t h = shard_hash(p->acc[i].id, strlen(p->acc[i].id)) & (ns - 1);
        while (slot[h])
            h = (h + 1) & (ns - 1);
        slot[h] = i + 1;
    }
    free(p->slot);
    p->slot = slot;
    p->nslots = ns;
    return 0;
}

int shard_plan_add(shard_plan *p, const char *unit, uint64_t bytes)
{
    size_t h, len = strlen(unit);

    if (len > SHARD_UNIT_LEN)
        return -1;
    if (2 * (p->count + 1) > p->nslots && grow_slots(p) != 0)
        return -1;
    h = shard_hash(unit, len) & (p->nslots - 1);
    while (p->slot[h]) {
        shard_account *a = &p->acc[p->slot[h] - 1];
        if (strcmp(a->id, unit) == 0) {
            a->bytes += bytes;
            a->files++;
            return 0;
        }
        h = (h + 1) & (p->nslots - 1);
    }
    if (p->count >= SHARD_MAX_ACCOUNTS)
        return -1;
    if (p->count == p->alloc) {
        size_t na = p->alloc ? p->alloc * 2 : 16;
        shard_account *acc = realloc(p->acc, na * sizeof *acc);
        if (acc == NULL)
            return -1;
        p->acc = acc;
        p->alloc = na;
    }
    memcpy(p->acc[p->count].id, unit, len + 1);
    p->acc[p->count].bytes = bytes;
    p->acc[p->count].files = 1;
    p->acc[p->count].shard = 0;
    p->slot[h] = ++p->count;
    return 0;
}

/* Heaviest first; equal weights in hash order, then id, so that the deal
 * depends on nothing but the accounts themselves. */
static int by_weight(const void *a, const void *b)
{
    const shard_account *x = a, *y = b;
    uint32_t hx = shard_hash(x->id, strlen(x->id)), hy = shard_hash(y->id, strlen(y->id));

    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    if (hx != hy)
        return hx < hy ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const shard_account *)a)->id, ((const shard_account *)b)->id);
}

void shard_plan_finish(shard_plan *p)
{
    uint64_t *load = calloc(p->n, sizeof *load);
    size_t *naccts = calloc(p->n, sizeof *naccts), i;
    unsigned s;

    free(p->slot);
    p->slot = NULL;
    p->nslots = 0;
    if (p->count)
        qsort(p->acc, p->count, sizeof *p->acc, by_weight);
    for (i = 0; i < p->count; i++) {
        unsigned best = 0;
        if (load == NULL || naccts == NULL) {
            /* no memory for the deal: the hash alone, still the same in every job */
            p->acc[i].shard = shard_hash(p->acc[i].id, strlen(p->acc[i].id)) % p->n;
            continue;
        }
        for (s = 1; s < p->n; s++)
            if (load[s] < load[best] || (load[s] == load[best] && naccts[s] < naccts[best]))
                best = s;
        p->acc[i].shard = best;
        load[best] += p->acc[i].bytes;
        naccts[best]++;
    }
    if (p->count)
        qsort(p->acc, p->count, sizeof *p->acc, by_id);
    free(load);
    free(naccts);
}

unsigned shard_plan_of(const shard_plan *p, const char *unit, size_t len)
{
    if (len == 0)
        return 0;
    if (len <= SHARD_UNIT_LEN && p->count && memchr(unit, '\0', len) == NULL) {
        shard_account key;
        const shard_account *a;
        memcpy(key.id, unit, len);
        key.id[len] = '\0';
        a = bsearch(&key, p->acc, p->count, sizeof *p->acc, by_id);
        if (a)
            return a->shard;
    }
    return shard_hash(unit, len) % p->n;
}

unsigned shard_plan_shards(const shard_plan *p)
{
    return p->n;
}

size_t shard_plan_count(const shard_plan *p)
{
    return p->count;
}

const shard_account *shard_plan_get(const shard_plan *p, size_t i)
{
    return i < p->count ? &p->acc[i] : NULL;
}

char *shard_plan_text(const shard_plan *p, size_t *len)
{
    size_t cap = 24 + p->count * (SHARD_UNIT_LEN + 8), n, i;
    char *text = malloc(cap);

    if (text == NULL)
        return NULL;
    n = (size_t)snprintf(text, cap, p->by == SHARD_BY_DAY ? "%u day\n" : "%u\n", p->n);
    for (i = 0; i < p->count; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s %u\n", p->acc[i].id, p->acc[i].shard);
    *len = n;
    return text;
}

int shard_plan_digest(const shard_plan *p, char out[65])
{
    size_t n;
    char *text = shard_plan_text(p, &n);
    int rc;

    if (text == NULL) {
        out[0] = '\0';
        return -1;
    }
    rc = hash_sha256_hex(text, n, out);
    free(text);
    return rc;
}

void shard_plan_free(shard_plan *p)
{
    if (p == NULL)
        return;
    free(p->acc);
    free(p->slot);
    free(p);
}

size_t shard_select(char *const *paths, size_t n, const shard_plan *p, unsigned k, int by,
                    char **kept)
{
    size_t i, m = 0;

    for (i = 0; i < n; i++) {
        char unit[SHARD_UNIT_LEN + 1];
        size_t len = shard_path_unit(paths[i], by, unit);
        if (len == 0 || shard_plan_of(p, unit, len) == k)
            kept[m++] = paths[i];
    }
    return m;
}
