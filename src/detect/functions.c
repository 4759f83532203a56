/*
 * functions: REGEXP through PCRE2, CIDR matching, capped id lists and sole()
 * for rules (see functions.h).
 *
 * Compiled patterns are kept in a small per-connection cache rather than
 * with sqlite3_set_auxdata(): auxdata only survives while the pattern is a
 * constant, and the rules' patterns mostly come from a join (the
 * offensive_user_agents list), changing from row to row. The slot that
 * matched last is tried first, so a constant pattern costs one compare.
 */
#include "functions.h"
#include "address.h"
#include "normalize.h"
#include "partiql.h"
#include "selectors.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUNCTIONS_CACHE 32            /* compiled patterns kept per connection */
#define FUNCTIONS_MAX_PATTERN 4096    /* longest pattern accepted */
#define FUNCTIONS_ID_LIST_BYTES 4096  /* id_list() text, whatever the group's size */
#define FUNCTIONS_MATCH_LIMIT 1000000 /* pcre2_match() steps per value (PCRE2's default: 10 M) */
#define FUNCTIONS_DEPTH_LIMIT 10000   /* backtracking depth per value */

typedef struct rx {
    char *pattern;              /* the source, NUL-terminated */
    size_t len;
    pcre2_code *code;
    pcre2_match_data *md;
} rx;

typedef struct rx_cache {
    rx *slot[FUNCTIONS_CACHE];      /* owned */
    unsigned next;              /* round-robin victim */
    unsigned last;              /* slot used last */
    int no_jit;                 /* FUNCTIONS_NO_JIT was given */
    pcre2_match_context *mctx;  /* the match and depth limits */
    long limit_hits;            /* values that hit a limit since regexp_warnings() */
    char first_hit[300];        /* which value hit it first: its label and pattern */
} rx_cache;

static void rx_free(void *p)
{
    rx *r = p;

    if (r == NULL)
        return;
    pcre2_match_data_free(r->md);
    pcre2_code_free(r->code);
    free(r->pattern);
    free(r);
}

static void cache_free(void *p)
{
    rx_cache *c = p;
    unsigned i;

    for (i = 0; i < FUNCTIONS_CACHE; i++)
        rx_free(c->slot[i]);
    pcre2_match_context_free(c->mctx);
    free(c);
}

/* Returns a new compiled pattern, or NULL with a message in err. */
static rx *rx_compile(const char *pat, size_t len, int jit, char *err, size_t errlen)
{
    rx *r;
    int code;
    PCRE2_SIZE off;
    PCRE2_UCHAR msg[256];

    if (len > FUNCTIONS_MAX_PATTERN) {
        snprintf(err, errlen, "regexp: pattern longer than %d bytes", FUNCTIONS_MAX_PATTERN);
        return NULL;
    }
    r = calloc(1, sizeof *r);
    if (r == NULL || (r->pattern = malloc(len + 1)) == NULL) {
        free(r);
        snprintf(err, errlen, "regexp: out of memory");
        return NULL;
    }
    memcpy(r->pattern, pat, len);
    r->pattern[len] = '\0';
    r->len = len;
    r->code = pcre2_compile((PCRE2_SPTR)pat, len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code,
                            &off, NULL);
    if (r->code == NULL) {
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(err, errlen, "regexp: bad pattern '%.80s': %s (at offset %zu)", r->pattern,
                 (char *)msg, (size_t)off);
        rx_free(r);
        return NULL;
    }
    if (jit)
        pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE); /* best effort: else interpreted */
    r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
    if (r->md == NULL) {
        snprintf(err, errlen, "regexp: out of memory");
        rx_free(r);
        return NULL;
    }
    return r;
}

/* Matches text (argv[1]) against pattern (argv[0]), compiling it through the
 * cache: 1 or 0, RX_LIMIT when PCRE2's match or depth limit stopped it, or
 * -1 with an error already set on ctx. NULL in either gives RX_NULL. */
enum { RX_NULL = -3, RX_LIMIT = -2 };

static int rx_run(sqlite3_context *ctx, sqlite3_value **argv)
{
    rx_cache *cache = sqlite3_user_data(ctx);
    const char *pat, *text;
    size_t plen;
    rx *r;
    int rc;
    unsigned i;
    char err[512];

    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return RX_NULL;
    pat = (const char *)sqlite3_value_text(argv[0]);
    plen = (size_t)sqlite3_value_bytes(argv[0]);
    r = cache->slot[cache->last];
    if (r == NULL || r->len != plen || memcmp(r->pattern, pat, plen) != 0) {
        r = NULL;
        for (i = 0; i < FUNCTIONS_CACHE && r == NULL; i++)
            if (cache->slot[i] && cache->slot[i]->len == plen &&
                memcmp(cache->slot[i]->pattern, pat, plen) == 0) {
                r = cache->slot[i];
                cache->last = i;
            }
        if (r == NULL) {
            r = rx_compile(pat, plen, !cache->no_jit, err, sizeof err);
            if (r == NULL) {
                sqlite3_result_error(ctx, err, -1);
                return -1;
            }
            rx_free(cache->slot[cache->next]);
            cache->slot[cache->next] = r;
            cache->last = cache->next;
            cache->next = (cache->next + 1) % FUNCTIONS_CACHE;
        }
    }
    text = (const char *)sqlite3_value_text(argv[1]);
    rc = pcre2_match(r->code, (PCRE2_SPTR)text, (size_t)sqlite3_value_bytes(argv[1]), 0, 0,
                     r->md, cache->mctx);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
        return RX_LIMIT;
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(rc, msg, sizeof msg);
        snprintf(err, sizeof err, "regexp: %s", (char *)msg);
        sqlite3_result_error(ctx, err, -1);
        return -1;
    }
    return rc >= 0;
}

static void fn_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    rx_cache *cache = sqlite3_user_data(ctx);
    int rc = rx_run(ctx, argv);

    if (rc == RX_LIMIT) {
        /* a crafted value against a backtracking pattern: no match, and a warning,
         * never an error that would cost the rule its other alerts */
        if (cache->limit_hits++ == 0) {
            const char *label = argc > 2 ? (const char *)sqlite3_value_text(argv[2]) : NULL;
            snprintf(cache->first_hit, sizeof cache->first_hit, "%s%.80s (pattern '%.80s')",
                     label ? "event " : "a value", label ? label : "",
                     (const char *)sqlite3_value_text(argv[0]));
        }
        sqlite3_result_int(ctx, 0);
    } else if (rc >= 0) {
        sqlite3_result_int(ctx, rc);
    }
}

/* regexp_try(): as regexp(), but a limit hit is NULL and remembered nowhere,
 * so that a rule can find its candidates first and match those again with
 * regexp() and a label for the warning. */
static void fn_regexp_try(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int rc = rx_run(ctx, argv);

    (void)argc;
    if (rc >= 0)
        sqlite3_result_int(ctx, rc);
}

/* regexp_warnings(): what the limits cost since the last call, as one line,
 * or NULL; then forgets it. The rule runner asks after each rule. */
static void fn_regexp_warnings(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    rx_cache *cache = sqlite3_user_data(ctx);
    char msg[512];

    (void)argc;
    (void)argv;
    if (cache->limit_hits == 0)
        return;
    snprintf(msg, sizeof msg, "%ld value(s) hit PCRE2's match or depth limit and count as no "
             "match; the first: %s", cache->limit_hits, cache->first_hit);
    cache->limit_hits = 0;
    cache->first_hit[0] = '\0';
    sqlite3_result_text(ctx, msg, -1, SQLITE_TRANSIENT);
}

/* The session name of an assumed-role or federated-user ARN (what follows
 * its last '/'), else NULL: an alert on a role lists the sessions it saw. */
static void fn_arn_session(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]), *slash;
    int n = sqlite3_value_bytes(argv[0]);

    (void)argc;
    if (s == NULL || (strstr(s, ":assumed-role/") == NULL && strstr(s, ":federated-user/") == NULL))
        return;
    slash = strrchr(s, '/');
    if (slash && slash[1])
        sqlite3_result_text(ctx, slash + 1, (int)(s + n - slash - 1), SQLITE_TRANSIENT);
}

static void fn_partiql_bulk(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *pk = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : NULL;

    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    sqlite3_result_int(ctx, partiql_is_bulk((const char *)sqlite3_value_text(argv[0]),
                                            (size_t)sqlite3_value_bytes(argv[0]), pk,
                                            pk ? (size_t)sqlite3_value_bytes(argv[1]) : 0));
}

static void fn_partiql_table(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *name;
    size_t n;

    (void)argc;
    if (normalize_table_from_partiql((const char *)sqlite3_value_text(argv[0]),
                                     (size_t)sqlite3_value_bytes(argv[0]), &name, &n) == 0)
        sqlite3_result_text(ctx, name, (int)n, SQLITE_TRANSIENT);
}

static void fn_logging_gap(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char out[512];

    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    if (selectors_dynamodb_gap((const char *)sqlite3_value_text(argv[0]),
                               (size_t)sqlite3_value_bytes(argv[0]), out, sizeof out) == 1)
        sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

static void fn_ip_in_cidr(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int r;

    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    r = address_in_cidr(
        (const char *)sqlite3_value_text(argv[0]), (size_t)sqlite3_value_bytes(argv[0]),
        (const char *)sqlite3_value_text(argv[1]), (size_t)sqlite3_value_bytes(argv[1]));
    if (r >= 0)
        sqlite3_result_int(ctx, r);
}

/* The account of an ARN (its fifth ':' field), or a bare 12-digit account
 * id as given; NULL otherwise. Policies name principals both ways. */
/* arn_field(ARN, I): the I-th colon-separated field of an ARN (1 partition,
 * 2 service, 3 region, 4 account, 5 the resource: the rest, colons and all);
 * NULL when ARN is no ARN or the field is empty. */
static void fn_arn_field(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]), want = sqlite3_value_int(argv[1]), field = 0, i, start;

    (void)argc;
    if (s == NULL || n < 4 || memcmp(s, "arn:", 4) != 0 || want < 1 || want > 5)
        return;
    /* "arn:" then four fields ended by ':', then the resource, colons and all */
    for (i = 4, start = 4; i <= n; i++) {
        if (i < n && (s[i] != ':' || field == 4))
            continue;
        if (++field == want) {
            if (i > start)
                sqlite3_result_text(ctx, s + start, i - start, SQLITE_TRANSIENT);
            return;
        }
        start = i + 1;
    }
}

static void fn_arn_account(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]), i, field = 0, start = -1, k;

    (void)argc;
    if (s == NULL)
        return;
    if (n == 12) {
        for (k = 0; k < 12 && s[k] >= '0' && s[k] <= '9'; k++)
            ;
        if (k == 12) {
            sqlite3_result_text(ctx, s, 12, SQLITE_TRANSIENT);
            return;
        }
    }
    if (n < 4 || memcmp(s, "arn:", 4) != 0)
        return;
    for (i = 0; i < n; i++) {
        if (s[i] != ':')
            continue;
        field++;
        if (field == 4)
            start = i + 1;
        else if (field == 5) {
            if (i > start)
                sqlite3_result_text(ctx, s + start, i - start, SQLITE_TRANSIENT);
            return;
        }
    }
}

/* id_list(x): an alert names a few of its events, not a flood's million, so
 * the list is capped as it is built rather than by cutting a group_concat()
 * that already holds every id. One group is aggregated at a time, so a
 * fixed context per group costs one buffer. */
struct id_list {
    int n;
    size_t len;
    char buf[FUNCTIONS_ID_LIST_BYTES];
};

static void id_list_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct id_list *l;
    const char *s;
    size_t n;

    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    l = sqlite3_aggregate_context(ctx, (int)sizeof *l);
    if (l == NULL) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (l->n >= FUNCTIONS_ID_LIST_MAX)
        return;
    s = (const char *)sqlite3_value_text(argv[0]);
    n = (size_t)sqlite3_value_bytes(argv[0]);
    if (s == NULL || l->len + n + 1 > sizeof l->buf)
        return; /* an id that does not fit is left out, like those past the cap */
    if (l->n++)
        l->buf[l->len++] = ',';
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void id_list_final(sqlite3_context *ctx)
{
    struct id_list *l = sqlite3_aggregate_context(ctx, 0);

    if (l && l->n)
        sqlite3_result_text(ctx, l->buf, (int)l->len, SQLITE_TRANSIENT);
}

/* id_list(x, key[, sep]): the same list, but of the FUNCTIONS_ID_LIST_MAX
 * distinct values with the smallest keys (a value's key is the least it came
 * with), in key order, ties by value, joined by sep (at most 7 bytes; the
 * group's first row's, else ","). What it names then depends on the group's
 * values only, never on the order rows were stored in: a store fed its days
 * out of order, or two shards merged, names the same events as one run.
 * Streaming is exact: a value is kept while fewer than the cap come before
 * it, and the kept ones' largest only ever falls. */
struct ranked {
    double key;
    char *v; /* sqlite3_malloc()'d, owned */
    int n;
};

struct ranked_list {
    int n;
    char sep[8]; /* what joins the values: id_list(x, key, sep)'s, else "," */
    struct ranked e[FUNCTIONS_ID_LIST_MAX]; /* sorted by (key, v) */
};

static int ranked_cmp(double ka, const char *va, int na, const struct ranked *b)
{
    int c;

    if (ka != b->key)
        return ka < b->key ? -1 : 1;
    c = memcmp(va, b->v, (size_t)(na < b->n ? na : b->n));
    return c ? c : (na > b->n) - (na < b->n);
}

/* Moves entry i to its place after its key fell or it was just written. */
static void ranked_settle(struct ranked_list *l, int i)
{
    while (i > 0 && ranked_cmp(l->e[i].key, l->e[i].v, l->e[i].n, &l->e[i - 1]) < 0) {
        struct ranked t = l->e[i];
        l->e[i] = l->e[i - 1];
        l->e[--i] = t;
    }
}

static void ranked_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct ranked_list *l;
    const char *s;
    double key;
    int n, i;

    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
        return;
    l = sqlite3_aggregate_context(ctx, (int)sizeof *l);
    s = (const char *)sqlite3_value_text(argv[0]);
    n = sqlite3_value_bytes(argv[0]);
    if (l == NULL || s == NULL) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (l->sep[0] == '\0') {
        const char *sep = argc > 2 ? (const char *)sqlite3_value_text(argv[2]) : NULL;
        snprintf(l->sep, sizeof l->sep, "%s", sep && sep[0] ? sep : ",");
    }
    if (n + 1 > FUNCTIONS_ID_LIST_BYTES)
        return; /* could never be listed */
    key = sqlite3_value_double(argv[1]);
    for (i = 0; i < l->n; i++)
        if (l->e[i].n == n && memcmp(l->e[i].v, s, (size_t)n) == 0) {
            if (key < l->e[i].key) {
                l->e[i].key = key;
                ranked_settle(l, i);
            }
            return;
        }
    if (l->n == FUNCTIONS_ID_LIST_MAX) {
        struct ranked *last = &l->e[l->n - 1];
        if (ranked_cmp(key, s, n, last) >= 0)
            return;
        sqlite3_free(last->v);
        l->n--;
    }
    i = l->n;
    l->e[i].v = sqlite3_malloc(n + 1);
    if (l->e[i].v == NULL) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    memcpy(l->e[i].v, s, (size_t)n + 1);
    l->e[i].n = n;
    l->e[i].key = key;
    l->n++;
    ranked_settle(l, i);
}

static void ranked_final(sqlite3_context *ctx)
{
    struct ranked_list *l = sqlite3_aggregate_context(ctx, 0);
    char buf[FUNCTIONS_ID_LIST_BYTES];
    size_t len = 0, seplen;
    int i, listed = 0;

    if (l == NULL)
        return;
    seplen = strlen(l->sep);
    for (i = 0; i < l->n; i++) {
        size_t n = (size_t)l->e[i].n, sn = listed ? seplen : 0;
        if (len + sn + n + 1 <= sizeof buf) { /* what does not fit is left out, as by id_list(x) */
            memcpy(buf + len, l->sep, sn);
            memcpy(buf + len + sn, l->e[i].v, n);
            len += sn + n;
            listed++;
        }
        sqlite3_free(l->e[i].v);
    }
    if (listed)
        sqlite3_result_text(ctx, buf, (int)len, SQLITE_TRANSIENT);
}

/* sole(x): what an alert says about a column when its events agree. The
 * same as CASE WHEN count(DISTINCT x) = 1 THEN max(x) END, which every rule
 * would otherwise spell out, without the temporary b-tree per DISTINCT. */
struct sole {
    sqlite3_value *v; /* the first non-NULL value, owned */
    int mixed;        /* another value came after it */
};

static int same_value(sqlite3_value *a, sqlite3_value *b)
{
    int t = sqlite3_value_type(a), n;

    if (t != sqlite3_value_type(b))
        return 0;
    if (t == SQLITE_INTEGER)
        return sqlite3_value_int64(a) == sqlite3_value_int64(b);
    if (t == SQLITE_FLOAT)
        return sqlite3_value_double(a) == sqlite3_value_double(b);
    n = sqlite3_value_bytes(a); /* text or blob: the same bytes */
    return n == sqlite3_value_bytes(b) &&
           memcmp(t == SQLITE_TEXT ? sqlite3_value_text(a) : sqlite3_value_blob(a),
                  t == SQLITE_TEXT ? sqlite3_value_text(b) : sqlite3_value_blob(b),
                  (size_t)n) == 0;
}

static void sole_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct sole *s;

    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    s = sqlite3_aggregate_context(ctx, (int)sizeof *s);
    if (s == NULL) {
        sqlite3_result_error_nomem(ctx);
    } else if (s->v == NULL) {
        s->v = sqlite3_value_dup(argv[0]);
        if (s->v == NULL)
            sqlite3_result_error_nomem(ctx);
    } else if (!s->mixed && !same_value(s->v, argv[0])) {
        s->mixed = 1;
    }
}

static void sole_final(sqlite3_context *ctx)
{
    struct sole *s = sqlite3_aggregate_context(ctx, 0);

    if (s == NULL)
        return;
    if (s->v && !s->mixed)
        sqlite3_result_value(ctx, s->v);
    sqlite3_value_free(s->v);
}

int functions_register(sqlite3 *db, int opts, char *err, size_t errlen)
{
    rx_cache *cache = calloc(1, sizeof *cache);
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

    if (cache == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cache->no_jit = (opts & FUNCTIONS_NO_JIT) != 0;
    cache->mctx = pcre2_match_context_create(NULL);
    if (cache->mctx == NULL) {
        free(cache);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pcre2_set_match_limit(cache->mctx, FUNCTIONS_MATCH_LIMIT);
    pcre2_set_depth_limit(cache->mctx, FUNCTIONS_DEPTH_LIMIT);
    /* on failure SQLite calls cache_free itself; the other functions share the cache */
    if (sqlite3_create_function_v2(db, "regexp", 2, flags, cache, fn_regexp, NULL, NULL,
                                   cache_free) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "regexp", 3, flags, cache, fn_regexp, NULL, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_create_function_v2(db, "regexp_try", 2, flags, cache, fn_regexp_try, NULL, NULL,
                                   NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "regexp_warnings", 0, SQLITE_UTF8, cache, fn_regexp_warnings,
                                   NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "ip_in_cidr", 2, flags, NULL, fn_ip_in_cidr, NULL, NULL,
                                   NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "arn_session", 1, flags, NULL, fn_arn_session, NULL, NULL,
                                   NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "partiql_bulk", 2, flags, NULL, fn_partiql_bulk, NULL, NULL,
                                   NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "partiql_table", 1, flags, NULL, fn_partiql_table, NULL,
                                   NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "dynamodb_logging_gap", 1, flags, NULL, fn_logging_gap, NULL,
                                   NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "arn_account", 1, flags, NULL, fn_arn_account, NULL, NULL,
                                   NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "arn_field", 2, flags, NULL, fn_arn_field, NULL, NULL,
                                   NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "id_list", 1, SQLITE_UTF8 | SQLITE_INNOCUOUS, NULL, NULL,
                                   id_list_step, id_list_final, NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "id_list", 2, SQLITE_UTF8 | SQLITE_INNOCUOUS, NULL, NULL,
                                   ranked_step, ranked_final, NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "id_list", 3, SQLITE_UTF8 | SQLITE_INNOCUOUS, NULL, NULL,
                                   ranked_step, ranked_final, NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "sole", 1, flags, NULL, NULL, sole_step, sole_final, NULL) !=
            SQLITE_OK) {
        snprintf(err, errlen, "cannot register SQL functions: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

int functions_check_pattern(const char *pattern, char *err, size_t errlen)
{
    rx *r = rx_compile(pattern, strlen(pattern), 0, err, errlen);
    int ok = r != NULL;

    rx_free(r);
    return ok ? 0 : -1;
}
