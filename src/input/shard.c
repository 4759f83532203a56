/*
 * shard: account sharding plans (see shard.h). Accounts are gathered in an
 * open-addressing table while the tree is listed (a tree has many files per
 * account), then sorted by id so that a record's account is found by binary
 * search from any decoding thread: a finished plan is read-only.
 */
#include "shard.h"
#include "hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shard_plan {
    unsigned n;          /* shards */
    shard_account *acc;    /* accounts; in id order once finished */
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

static int is_account(const char *p, size_t len)
{
    size_t i;

    if (len != SHARD_ACCOUNT_LEN)
        return 0;
    for (i = 0; i < len; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

int shard_path_account(const char *path, char *acct)
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
        return 0;
    if (hit[0] == 'o' && hit[1] == '-') {
        const char *slash = strchr(hit, '/');
        if (slash == NULL)
            return 0;
        hit = slash + 1;
    }
    if (!is_account(hit, strcspn(hit, "/")) || hit[SHARD_ACCOUNT_LEN] != '/')
        return 0;
    if (acct) {
        memcpy(acct, hit, SHARD_ACCOUNT_LEN);
        acct[SHARD_ACCOUNT_LEN] = '\0';
    }
    return 1;
}

shard_plan *shard_plan_new(unsigned n)
{
    shard_plan *p = calloc(1, sizeof *p);

    if (p)
        p->n = n ? n : 1;
    return p;
}

static int grow_slots(shard_plan *p)
{
    size_t ns = p->nslots ? p->nslots * 2 : 64, i;
    size_t *slot = calloc(ns, sizeof *slot);

    if (slot == NULL)
        return -1;
    for (i = 0; i < p->count; i++) {
        size_t h = shard_hash(p->acc[i].id, SHARD_ACCOUNT_LEN) & (ns - 1);
        while (slot[h])
            h = (h + 1) & (ns - 1);
        slot[h] = i + 1;
    }
    free(p->slot);
    p->slot = slot;
    p->nslots = ns;
    return 0;
}

int shard_plan_add(shard_plan *p, const char *acct, uint64_t bytes)
{
    size_t h;

    if (2 * (p->count + 1) > p->nslots && grow_slots(p) != 0)
        return -1;
    h = shard_hash(acct, SHARD_ACCOUNT_LEN) & (p->nslots - 1);
    while (p->slot[h]) {
        shard_account *a = &p->acc[p->slot[h] - 1];
        if (memcmp(a->id, acct, SHARD_ACCOUNT_LEN) == 0) {
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
    memcpy(p->acc[p->count].id, acct, SHARD_ACCOUNT_LEN);
    p->acc[p->count].id[SHARD_ACCOUNT_LEN] = '\0';
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
    uint32_t hx = shard_hash(x->id, SHARD_ACCOUNT_LEN), hy = shard_hash(y->id, SHARD_ACCOUNT_LEN);

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
            p->acc[i].shard = shard_hash(p->acc[i].id, SHARD_ACCOUNT_LEN) % p->n;
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

unsigned shard_plan_of(const shard_plan *p, const char *acct, size_t len)
{
    if (len == 0)
        return 0;
    if (len == SHARD_ACCOUNT_LEN && p->count) {
        shard_account key;
        const shard_account *a;
        memcpy(key.id, acct, SHARD_ACCOUNT_LEN);
        key.id[SHARD_ACCOUNT_LEN] = '\0';
        a = bsearch(&key, p->acc, p->count, sizeof *p->acc, by_id);
        if (a)
            return a->shard;
    }
    return shard_hash(acct, len) % p->n;
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
    size_t cap = 16 + p->count * (SHARD_ACCOUNT_LEN + 8), n, i;
    char *text = malloc(cap);

    if (text == NULL)
        return NULL;
    n = (size_t)snprintf(text, cap, "%u\n", p->n);
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

void shard_filter(char **paths, size_t *n, const shard_plan *p, unsigned k)
{
    size_t i, kept = 0;

    for (i = 0; i < *n; i++) {
        char acct[SHARD_ACCOUNT_LEN + 1];
        if (!shard_path_account(paths[i], acct) || shard_plan_of(p, acct, SHARD_ACCOUNT_LEN) == k)
            paths[kept++] = paths[i];
        else
            free(paths[i]);
    }
    *n = kept;
}
