/*
 * Unit tests: sharding plans (shard): the owner account in S3 keys, K/N specs,
 * the documented hash, and the deal's balance and stability.
 */
#include "shard.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
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

/* The unit a path's files go by: by day, the day of CloudTrail's own
 * REGION/YYYY/MM/DD/ folders after the account, else the account whole. */
static void path_units(void)
{
    static const struct {
        const char *path, *by_day; /* by_day NULL: no account */
    } cases[] = {
        {"AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/12/x.json.gz",
         "111122223333/2026-11-12"},
        {"/d/AWSLogs/o-abc123def4/444455556666/CloudTrail/us-east-1/2026/01/02/x.json.gz",
         "444455556666/2026-01-02"},
        /* a digest vouches for logs of the day before: the account whole */
        {"AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/12/d.json.gz",
         "111122223333"},
        {"AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/x.json.gz", "111122223333"},
        {"AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/123/x.json", "111122223333"},
        {"AWSLogs/111122223333/CloudTrail/eu-west-1/26/11/12/x.json", "111122223333"},
        {"AWSLogs/111122223333/CloudTrail/eu-west-1/2026/1a/12/x.json", "111122223333"},
        {"AWSLogs/111122223333/CloudTrail//2026/11/12/x.json", "111122223333"},
        {"AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/12", "111122223333"},
        {"AWSLogs/111122223333/x/eu-west-1/2026/11/12/f.json", "111122223333"},
        {"logs/2026/11/12/mixed.json", NULL},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char unit[SHARD_UNIT_LEN + 1] = "";
        size_t n = shard_path_unit(cases[i].path, SHARD_BY_DAY, unit);
        CHECKF(n == (cases[i].by_day ? strlen(cases[i].by_day) : 0), "%s: %zu", cases[i].path,
               n);
        if (n && cases[i].by_day)
            CHECKF(strcmp(unit, cases[i].by_day) == 0, "%s: got %s", cases[i].path, unit);
        n = shard_path_unit(cases[i].path, SHARD_BY_ACCOUNT, unit);
        CHECKF(n == (cases[i].by_day ? SHARD_ACCOUNT_LEN : 0), "%s by account: %zu",
               cases[i].path, n);
    }
}

/* A record routed by its own fields: by day its eventTime's day joins a
 * 12-digit account; anything else goes as its account alone, as by account. */
static void record_units(void)
{
    static const struct {
        const char *acct, *time, *want; /* acct NULL: none */
    } cases[] = {
        {"111122223333", "2026-11-12T09:00:00Z", "111122223333/2026-11-12"},
        {"111122223333", "2026-11-12", "111122223333/2026-11-12"},
        {"111122223333", "2026-11-1", "111122223333"},
        {"111122223333", "2026/11/12T09:00:00Z", "111122223333"},
        {"111122223333", NULL, "111122223333"},
        {"11112222333", "2026-11-12T09:00:00Z", "11112222333"},
        {"not-an-account-but-long", "2026-11-12T09:00:00Z", "not-an-account-but-long"},
        {NULL, "2026-11-12T09:00:00Z", ""},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[SHARD_UNIT_LEN + 1];
        size_t len = 99;
        const char *u = shard_record_unit(SHARD_BY_DAY, cases[i].acct,
                                          cases[i].acct ? strlen(cases[i].acct) : 0,
                                          cases[i].time,
                                          cases[i].time ? strlen(cases[i].time) : 0, buf, &len);
        CHECKF(len == strlen(cases[i].want) && (len == 0 || memcmp(u, cases[i].want, len) == 0),
               "%s %s: got %.*s", cases[i].acct ? cases[i].acct : "(none)",
               cases[i].time ? cases[i].time : "(none)", (int)len, u ? u : "");
        u = shard_record_unit(SHARD_BY_ACCOUNT, cases[i].acct,
                              cases[i].acct ? strlen(cases[i].acct) : 0, cases[i].time,
                              cases[i].time ? strlen(cases[i].time) : 0, buf, &len);
        CHECK(u == cases[i].acct); /* by account, the account as it is */
    }
}

/* A day plan deals account days, says so in its text, and so has a digest of
 * its own. */
static void plan_by_day(void)
{
    shard_plan *p = shard_plan_new(2, SHARD_BY_DAY), *q = shard_plan_new(2, SHARD_BY_ACCOUNT);
    char dp[65], dq[65], *text;
    size_t len;

    CHECK(p != NULL && q != NULL);
    if (p == NULL || q == NULL) {
        shard_plan_free(p);
        shard_plan_free(q);
        return;
    }
    CHECK(shard_plan_add(p, "111122223333/2026-11-12", 10) == 0);
    CHECK(shard_plan_add(p, "111122223333/2026-11-13", 10) == 0);
    CHECK(shard_plan_add(p, "111122223333/2026-11-12", 10) == 0);
    CHECK(shard_plan_add(p, "111122223333/2026-11-12x", 10) == -1); /* longer than a unit */
    CHECK(shard_plan_add(q, "111122223333", 10) == 0);
    shard_plan_finish(p);
    shard_plan_finish(q);
    CHECK(shard_plan_count(p) == 2);
    CHECK(shard_plan_get(p, 0)->bytes == 20 && shard_plan_get(p, 0)->files == 2);
    /* the two days of one account land on different shards */
    CHECK(shard_plan_of(p, "111122223333/2026-11-12", SHARD_UNIT_LEN) !=
          shard_plan_of(p, "111122223333/2026-11-13", SHARD_UNIT_LEN));
    text = shard_plan_text(p, &len);
    CHECKF(text && strncmp(text, "2 day\n111122223333/2026-11-12 ", 30) == 0, "%s",
           text ? text : "(null)");
    free(text);
    CHECK(shard_plan_digest(p, dp) == 0 && shard_plan_digest(q, dq) == 0 && strcmp(dp, dq) != 0);
    shard_plan_free(p);
    shard_plan_free(q);
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
        shard_plan *p = shard_plan_new(n, SHARD_BY_ACCOUNT);
        shard_plan *q = shard_plan_new(n, SHARD_BY_ACCOUNT);
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
    shard_plan *p = shard_plan_new(3, SHARD_BY_ACCOUNT);
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
    {"shard_plan_even", plan_even}, {"shard_path_units", path_units},
    {"shard_record_units", record_units}, {"shard_plan_by_day", plan_by_day},
    {NULL, NULL},
};
