/*
 * skim_oracle: decodes one input twice, skimming and with yajl reading
 * every byte, and says whether the two runs told the caller the same thing:
 * the same records delivered at the same offsets with the same fields (a
 * skimmed record carries its five, so refused records are compared on
 * those), the same rejects with the same offsets and reasons, the same
 * final status and message. Shared by the unit test and the fuzzer; static
 * so that each includes its own copy.
 */
#ifndef DDBTRAIL_SKIM_ORACLE_H
#define DDBTRAIL_SKIM_ORACLE_H
#include "decoder.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct oracle_run {
    char *log;       /* what the callbacks saw, one line each (owned) */
    size_t len, cap;
    uint64_t skimmed;
    int status;
    char err[512];
};

static int oracle_wanted(const char *src, size_t slen, const char *name, size_t nlen)
{
    (void)name;
    (void)nlen;
    /* the catalogue's shape: a service, and one call of another service */
    return (src && slen >= 8 && memcmp(src, "dynamodb", 8) == 0) ||
           (name && nlen == 10 && memcmp(name, "AssumeRole", 10) == 0);
}

static int oracle_keep(void *ctx, const char *src, size_t slen, const char *name, size_t nlen)
{
    (void)ctx;
    return oracle_wanted(src, slen, name, nlen);
}

static void oracle_add(struct oracle_run *r, const char *s, size_t n)
{
    if (r->len + n + 1 > r->cap) {
        size_t cap = (r->len + n + 1) * 2;
        char *p = realloc(r->log, cap);
        if (p == NULL)
            abort();
        r->log = p;
        r->cap = cap;
    }
    memcpy(r->log + r->len, s, n);
    r->len += n;
    r->log[r->len] = '\0';
}

static void oracle_field(struct oracle_run *r, const decoder_event *ev, int f)
{
    char n[32];

    snprintf(n, sizeof n, " %d:", f);
    oracle_add(r, n, strlen(n));
    if (ev->v[f])
        oracle_add(r, ev->v[f], ev->len[f]);
    else
        oracle_add(r, "(none)", 6);
}

static int oracle_event(void *ctx, const decoder_event *ev, char *err, size_t errlen)
{
    struct oracle_run *r = ctx;
    static const int five[] = {JF_EVENT_ID, JF_EVENT_TIME, JF_EVENT_SOURCE, JF_EVENT_NAME,
                               JF_RECIPIENT_ACCOUNT_ID};
    char head[64];
    size_t k;
    int f;

    (void)err;
    (void)errlen;
    snprintf(head, sizeof head, "E %llu", (unsigned long long)ev->offset);
    oracle_add(r, head, strlen(head));
    if (oracle_wanted(ev->v[JF_EVENT_SOURCE], ev->len[JF_EVENT_SOURCE], ev->v[JF_EVENT_NAME],
                      ev->len[JF_EVENT_NAME]))
        for (f = 0; f < JF_COUNT; f++)
            oracle_field(r, ev, f);
    else
        for (k = 0; k < sizeof five / sizeof five[0]; k++)
            oracle_field(r, ev, five[k]);
    oracle_add(r, "\n", 1);
    return 0;
}

static int oracle_reject(void *ctx, uint64_t off, const char *reason, char *err, size_t errlen)
{
    struct oracle_run *r = ctx;
    char line[400];

    (void)err;
    (void)errlen;
    snprintf(line, sizeof line, "R %llu %s\n", (unsigned long long)off, reason);
    oracle_add(r, line, strlen(line));
    return 0;
}

/* Decodes p[0..n) in chunks of step bytes, skimming or not, into r. */
static void oracle_decode(const unsigned char *p, size_t n, size_t step, int skim,
                          struct oracle_run *r)
{
    decoder *j = decoder_new(oracle_event, oracle_reject, r);
    size_t k;

    memset(r, 0, sizeof *r);
    if (j == NULL)
        abort();
    decoder_set_keep(j, oracle_keep, NULL);
    decoder_set_skim(j, skim);
    if (step == 0)
        step = n ? n : 1;
    for (k = 0; k < n && r->status == 0; k += step)
        r->status = decoder_feed(j, p + k, n - k < step ? n - k : step, r->err, sizeof r->err);
    if (r->status == 0)
        r->status = decoder_finish(j, r->err, sizeof r->err);
    r->skimmed = decoder_skimmed(j);
    decoder_free(j);
    oracle_add(r, "", 0);
}

/* 0 when both runs agree; else 1, with the first differing line in diff. */
static int oracle_compare(const unsigned char *p, size_t n, size_t step, uint64_t *skimmed,
                          char *diff, size_t difflen)
{
    struct oracle_run a, b;
    int rc = 0;

    oracle_decode(p, n, step, 1, &a);
    oracle_decode(p, n, step, 0, &b);
    if (skimmed)
        *skimmed = a.skimmed;
    if (a.status != b.status || strcmp(a.err, b.err) != 0) {
        snprintf(diff, difflen, "status %d \"%.200s\" vs %d \"%.200s\"", a.status, a.err,
                 b.status, b.err);
        rc = 1;
    } else if (a.len != b.len || memcmp(a.log, b.log, a.len) != 0) {
        size_t i = 0, line = 0;
        while (i < a.len && i < b.len && a.log[i] == b.log[i])
            i++;
        while (line < i && i - line > 0 && a.log[i - line - 1] != '\n')
            line++;
        snprintf(diff, difflen, "skimmed: \"%.120s\" full: \"%.120s\"", a.log + i - line,
                 b.log + i - line);
        rc = 1;
    }
    free(a.log);
    free(b.log);
    return rc;
}

#endif
