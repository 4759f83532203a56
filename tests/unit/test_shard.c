/*
 * Unit tests: sharding plans (shard): the owner account in S3 keys, K/N specs,
 * the documented hash, and the deal's balance and stability.
 */
#include "shard.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

static void paths(void)
{
    static const struct {
        const char *path, *acct; /* acct NULL: no account */
    } cases[] = {
        {"AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/12/x.json.gz", "111122223333"},
        {"/data/dl/AWSLogs/o-abc123def4/444455556666/CloudTrail/us-east-1/x.json.gz",
         "444455556666"},
        {"AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/12/d.json.gz",
         "111122223333"},
        {"x/AWSLogs/1/AWSLogs/222233334444/CloudTrail/r/f.json", "222233334444"}, /* last wins */
        {"AWSLogs/11112222333/CloudTrail/f.json", NULL},    /* 11 digits */
        {"AWSLogs/1111222233334/CloudTrail/f.json", NULL},  /* 13 digits */
        {"AWSLogs/11112222333a/CloudTrail/f.json", NULL},
        {"AWSLogs/111122223333", NULL},                     /* a directory, no file below */
        {"MyAWSLogs/111122223333/CloudTrail/f.json", NULL}, /* not the component */
        {"AWSLogs/o-abc/CloudTrail/f.json", NULL},
        {"AWSLogs/o-abc", NULL},
        {"logs/mixed.json", NULL},
        {"-", NULL},
        {"", NULL},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char acct[SHARD_ACCOUNT_LEN + 1] = "";
        int r = shard_path_account(cases[i].path, acct);
        CHECKF(r == (cases[i].acct != NULL), "%s: got %d", cases[i].path, r);
        if (r && cases[i].acct)
            CHECKF(strcmp(acct, cases[i].acct) == 0, "%s: got %s", cases[i].path, acct);
    }
}

static void specs(void)
{
    static const struct {
        const char *spec;
        int ok;
        unsigned k, n;
    } cases[] = {
        {"0/1", 1, 0, 1},   {"2/3", 1, 2, 3},  {"65535/65536", 1, 65535, 65536},
        {"3/3", 0, 0, 0},   {"0/0", 0, 0, 0},  {"-1/3", 0, 0, 0}, {"1/-3", 0, 0, 0},
        {"1", 0, 0, 0},     {"1/", 0, 0, 0},   {"/3", 0, 0, 0},   {"1/3x", 0, 0, 0},
        {"0/65537", 0, 0, 0}, {"a/b", 0, 0, 0}, {"", 0, 0, 0},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned k = 99, n = 99;
        char err[256] = "";
        int r = shard_parse(cases[i].spec, &k, &n, err, sizeof err);
        CHECKF((r == 0) == cases[i].ok, "'%s': got %d", cases[i].spec, r);
        if (r == 0 && cases[i].ok)
            CHECKF(k == cases[i].k && n == cases[i].n, "'%s': got %u/%u", cases[i].spec, k, n);
        if (r != 0)
            CHECKF(strstr(err, "K/N") != NULL, "'%s': message '%s'", cases[i].spec, err);
    }
}

/* FNV-1a-32 is documented as the hash of accounts no plan knows: it must not
 * change between versions, or shards of old and new binaries would disagree. */
static void hash(void)
{
    CHECK(shard_hash("", 0) == 2166136261u);
    CHECK(shard_hash("a", 1) == 0xe40c292cu);
    CHECK(shard_hash("111122223333", 12) == 502615757u);
}

static void plan_balance(void)
{
    static const uint64_t weights[] = {900, 120, 75, 640, 333, 333, 10, 0, 512, 77, 1000, 5};
    const size_t na = sizeof weights / sizeof weights[0];
    unsigned n;

    for (n = 1; n <= 5; n++) {
        shard_plan *p = shard_plan_new(n), *q = shard_plan_new(n);
        uint64_t load[5] = {0}, maxw = 0, hi = 0, lo = UINT64_MAX;
        char d1[65], d2[65];
        size_t i;

        CHECK(p != NULL && q != NULL);
        if (p == NULL || q == NULL)
            return;
        /* two files per account, added in opposite orders to the two plans */
        for (i = 0; i < na; i++) {
            char acct[16];
            snprintf(acct, sizeof acct, "%012zu", 100000000000 + i * 7919);
            CHECK(shard_plan_add(p, acct, weights[i] / 2) == 0);
            CHECK(shard_plan_add(p, acct, weights[i] - weights[i] / 2) == 0);
            if (weights[i] > maxw)
                maxw = weights[i];
        }
        for (i = na; i-- > 0;) {
            char acct[16];
            snprintf(acct, sizeof acct, "%012zu", 100000000000 + i * 7919);
            CHECK(shard_plan_add(q, acct, weights[i] - weights[i] / 2) == 0);
            CHECK(shard_plan_add(q, acct, weights[i] / 2) == 0);
        }
        shard_plan_finish(p);
        shard_plan_finish(q);
        CHECK(shard_plan_count(p) == na);
        for (i = 0; i < shard_plan_count(p); i++) {
            const shard_account *a = shard_plan_get(p, i);
            CHECK(a->files == 2);
            CHECK(a->shard < n);
            CHECK(shard_plan_of(p, a->id, SHARD_ACCOUNT_LEN) == a->shard);
            CHECK(shard_plan_of(q, a->id, SHARD_ACCOUNT_LEN) == a->shard);
            load[a->shard] += a->bytes;
        }
        for (i = 0; i < n; i++) {
            hi = load[i] > hi ? load[i] : hi;
            lo = load[i] < lo ? load[i] : lo;
        }
        CHECKF(hi - lo <= maxw, "%u shards: spread %llu over one account's %llu", n,
               (unsigned long long)(hi - lo), (unsigned long long)maxw);
        CHECK(shard_plan_digest(p, d1) == 0 && shard_plan_digest(q, d2) == 0);
        CHECKF(strcmp(d1, d2) == 0, "%u shards: the order of adding changed the plan", n);
        /* accounts the plan does not know: the hash; no account: shard 0 */
        CHECK(shard_plan_of(p, "999999999999", 12) == shard_hash("999999999999", 12) % n);
        CHECK(shard_plan_of(p, "x", 1) == shard_hash("x", 1) % n);
        CHECK(shard_plan_of(p, NULL, 0) == 0);
        shard_plan_free(p);
        shard_plan_free(q);
    }
}

/* Equal accounts deal out evenly: counts differ by at most one. */
static void plan_even(void)
{
    shard_plan *p = shard_plan_new(3);
    size_t i, count[3] = {0};

    CHECK(p != NULL);
    if (p == NULL)
        return;
    for (i = 0; i < 7; i++) {
        char acct[16];
        snprintf(acct, sizeof acct, "%012zu", 555500000000 + i);
        CHECK(shard_plan_add(p, acct, 4096) == 0);
    }
    shard_plan_finish(p);
    for (i = 0; i < shard_plan_count(p); i++)
        count[shard_plan_get(p, i)->shard]++;
    CHECKF(count[0] == 3 && count[1] == 2 && count[2] == 2, "got %zu %zu %zu", count[0],
           count[1], count[2]);
    shard_plan_free(p);
}

const unit_test unit_shard[] = {
    {"shard_paths", paths},         {"shard_specs", specs},
    {"shard_hash", hash},           {"shard_plan_balance", plan_balance},
    {"shard_plan_even", plan_even}, {NULL, NULL},
};
