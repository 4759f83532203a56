/*
 * digest: offline digest validation (see digest.h).
 *
 * The tree is read once: every log file is hashed as it streams through the
 * gzip reader, every digest is parsed (yajl's tree: digests are small) and
 * hashed. Both sets are sorted by S3 key, so each lookup is a binary search;
 * digests are then sorted by trail, region and start time to walk each
 * chain. Nothing is held per event; memory is per file.
 */
#include "digest.h"
#include "hash.h"
#include "buffer.h"
#include "reader.h"
#include "normalize.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#define DIGEST_MAX_DIGEST (64u << 20) /* a digest file larger than this is refused */
#define DIGEST_CHUNK (256 * 1024)

struct logf {
    const char *path, *key; /* key points into path */
    char hash[65];          /* "" when unreadable */
    int listed;
    int64_t ts;             /* the time in its name, -1 when it names none */
    int64_t span_first, span_last; /* the times of its account and region's files read */
};

struct entry {
    char *key, *hash;
};

struct digf {
    const char *path, *key;  /* key: from the path */
    char hash[65];           /* SHA-256 of the uncompressed content */
    char *region, *trail;
    char *s3key, *bucket, *start, *end, *fingerprint;
    char *prev_key, *prev_hash, *prev_sig;
    int64_t start_ts, end_ts;
    struct entry *files;
    size_t nfiles;
    int has_next;            /* some digest names this one as its previous */
    size_t owner_len;        /* the key's "AWSLogs/[org/]account" part: chains are per owner */
};

static int64_t iso_ts(const char *s)
{
    int64_t t = 0;

    return s && normalize_parse_time(s, strlen(s), &t) == 0 ? t : 0;
}

/* The time a log file's name carries
 * (<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_...), or -1 when it names none. */
static int64_t name_time(const char *key)
{
    const char *stamp = strstr(key, "_CloudTrail_");
    char when[24], iso[32];
    int64_t t;

    stamp = stamp ? strchr(stamp + 12, '_') : NULL;
    if (stamp == NULL || sscanf(stamp + 1, "%15[0-9TZ]", when) != 1 || strlen(when) < 13)
        return -1;
    snprintf(iso, sizeof iso, "%.4s-%.2s-%.2sT%.2s:%.2s:00Z", when, when + 4, when + 6, when + 9,
             when + 11);
    return normalize_parse_time(iso, strlen(iso), &t) == 0 ? t : -1;
}

/* The length of a log file key's "AWSLogs/[org/]account/CloudTrail/region/"
 * part, which its account and region's files share; 0 when it has none. */
static size_t region_prefix(const char *key)
{
    const char *c = strstr(key, "/CloudTrail/"), *r;

    if (c == NULL)
        return 0;
    r = strchr(c + 12, '/');
    return r ? (size_t)(r - key) + 1 : 0;
}

/* Streams path's decoded content through SHA-256; keeps the content in keep
 * when keep is not NULL (digests). Returns 0, or -1 with err. */
static int read_hash(const char *path, char out[65], buffer *keep, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *buf = malloc(DIGEST_CHUNK), sum[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    reader *g = NULL;
    ssize_t r = -1;
    int rc = -1;

    if (fd < 0) {
        snprintf(err, errlen, "cannot open");
        goto out;
    }
    if (md == NULL || buf == NULL || (g = reader_new(fd)) == NULL ||
        EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    while ((r = reader_read(g, buf, DIGEST_CHUNK, err, errlen)) > 0) {
        if (EVP_DigestUpdate(md, buf, (size_t)r) != 1 ||
            (keep && buffer_add(keep, buf, (size_t)r) != 0)) {
            snprintf(err, errlen, keep ? "larger than %u MiB; not a digest" : "hash failed",
                     DIGEST_MAX_DIGEST >> 20);
            goto out;
        }
    }
    if (r < 0 || EVP_DigestFinal_ex(md, sum, &n) != 1)
        goto out;
    hash_hex(sum, n, out);
    rc = 0;
out:
    reader_free(g);
    if (fd >= 0)
        close(fd);
    free(buf);
    EVP_MD_CTX_free(md);
    return rc;
}

static const char *s3key(const char *path)
{
    const char *k = strstr(path, "AWSLogs/");

    return k ? k : path;
}

static int by_log_key(const void *a, const void *b)
{
    return strcmp(((const struct logf *)a)->key, ((const struct logf *)b)->key);
}

static int by_dig_key(const void *a, const void *b)
{
    return strcmp(((const struct digf *)a)->key, ((const struct digf *)b)->key);
}

/* Digests of one chain: the same owner (organization and account), trail and
 * region, as aws-cli keys them; never compared across accounts. */
static int same_owner(const struct digf *x, const struct digf *y)
{
    return x->owner_len == y->owner_len && memcmp(x->key, y->key, x->owner_len) == 0;
}

static int by_chain(const void *a, const void *b)
{
    const struct digf *x = a, *y = b;
    size_t n = x->owner_len < y->owner_len ? x->owner_len : y->owner_len;
    int c = memcmp(x->key, y->key, n);

    if (c == 0 && x->owner_len != y->owner_len)
        c = x->owner_len < y->owner_len ? -1 : 1;
    if (c == 0)
        c = strcmp(x->trail, y->trail);
    if (c == 0)
        c = strcmp(x->region, y->region);
    if (c == 0)
        c = x->start_ts < y->start_ts ? -1 : x->start_ts > y->start_ts;
    return c;
}

static char *dup_str(yajl_val root, const char *name)
{
    const char *path[] = {name, NULL};
    yajl_val v = yajl_tree_get(root, path, yajl_t_string);

    return v ? strdup(v->u.string) : NULL;
}

static void free_dig(struct digf *d)
{
    size_t i;

    for (i = 0; i < d->nfiles; i++) {
        free(d->files[i].key);
        free(d->files[i].hash);
    }
    free(d->files);
    free(d->region);
    free(d->trail);
    free(d->s3key);
    free(d->bucket);
    free(d->start);
    free(d->end);
    free(d->fingerprint);
    free(d->prev_key);
    free(d->prev_hash);
    free(d->prev_sig);
}

/* Fills d from the digest JSON. Returns 0, or -1 with err. */
static int parse(const char *json, struct digf *d, char *err, size_t errlen)
{
    char ebuf[200];
    yajl_val root = yajl_tree_parse(json, ebuf, sizeof ebuf), files;
    const char *lf[] = {"logFiles", NULL};
    size_t i;

    if (root == NULL) {
        /* yajl's tree parser names no offset: find it with the token parser */
        yajl_handle h = yajl_alloc(NULL, NULL, NULL);
        size_t at = 0;
        if (h) {
            if (yajl_parse(h, (const unsigned char *)json, strlen(json)) != yajl_status_ok ||
                yajl_complete_parse(h) != yajl_status_ok)
                at = yajl_get_bytes_consumed(h);
            yajl_free(h);
        }
        ebuf[strcspn(ebuf, "\n")] = '\0';
        snprintf(err, errlen, "not JSON: %s (decompressed byte %zu)", ebuf, at);
        return -1;
    }
    d->start = dup_str(root, "digestStartTime");
    d->end = dup_str(root, "digestEndTime");
    d->s3key = dup_str(root, "digestS3Object");
    d->bucket = dup_str(root, "digestS3Bucket");
    d->fingerprint = dup_str(root, "digestPublicKeyFingerprint");
    d->prev_key = dup_str(root, "previousDigestS3Object");
    d->prev_hash = dup_str(root, "previousDigestHashValue");
    d->prev_sig = dup_str(root, "previousDigestSignature");
    files = yajl_tree_get(root, lf, yajl_t_array);
    if (d->start == NULL || d->end == NULL || d->s3key == NULL || files == NULL) {
        snprintf(err, errlen,
                 "not a CloudTrail digest (needs digestStartTime, digestEndTime, "
                 "digestS3Object, logFiles)");
        yajl_tree_free(root);
        return -1;
    }
    d->start_ts = iso_ts(d->start);
    d->end_ts = iso_ts(d->end);
    d->files = calloc(files->u.array.len ? files->u.array.len : 1, sizeof *d->files);
    if (d->files == NULL) {
        yajl_tree_free(root);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (i = 0; i < files->u.array.len; i++) {
        struct entry *e = &d->files[d->nfiles];
        e->key = dup_str(files->u.array.values[i], "s3Object");
        e->hash = dup_str(files->u.array.values[i], "hashValue");
        if (e->key == NULL || e->hash == NULL) {
            free(e->key);
            free(e->hash);
            snprintf(err, errlen, "logFiles item %zu lacks s3Object or hashValue", i + 1);
            yajl_tree_free(root);
            return -1;
        }
        d->nfiles++;
    }
    yajl_tree_free(root);
    return 0;
}

int digest_parse_check(const char *json, size_t len, char *err, size_t errlen)
{
    struct digf d;
    char *text = malloc(len + 1);
    int rc;

    if (text == NULL)
        return -1;
    memcpy(text, json, len);
    text[len] = '\0';
    memset(&d, 0, sizeof d);
    rc = parse(text, &d, err, errlen);
    free_dig(&d);
    free(text);
    return rc;
}

/* Region and trail from a digest key:
 * .../<acct>_CloudTrail-Digest_<region>_<trail>_<region>_<time>.json.gz */
static void name_parts(struct digf *d)
{
    const char *base = strrchr(d->key, '/'), *p, *end;
    char pat[80];

    base = base ? base + 1 : d->key;
    p = strstr(base, "_CloudTrail-Digest_");
    if (p == NULL)
        goto unknown;
    p += strlen("_CloudTrail-Digest_");
    end = strchr(p, '_');
    if (end == NULL || end - p > 40)
        goto unknown;
    d->region = strndup(p, (size_t)(end - p));
    snprintf(pat, sizeof pat, "_%s_", d->region ? d->region : "");
    p = end + 1;
    end = NULL;
    for (const char *q = strstr(p, pat); q; q = strstr(q + 1, pat))
        end = q;
    d->trail = end ? strndup(p, (size_t)(end - p)) : strdup("?");
    if (d->region && d->trail)
        return;
unknown:
    free(d->region);
    free(d->trail);
    d->region = strdup("?");
    d->trail = strdup("?");
}

struct run {
    digest_problem_fn on_problem;
    void *ctx;
    digest_summary *sum;
};

static void report(struct run *r, const char *kind, const struct digf *d, const char *log,
                   const char *expected, const char *actual, const char *start, const char *end,
                   const char *msg)
{
    digest_problem p = {kind,
                        d ? d->trail : NULL,
                        d ? d->region : NULL,
                        d ? d->key : NULL,
                        log,
                        expected,
                        actual,
                        start,
                        end,
                        msg};

    if (strcmp(kind, "missing") == 0)
        r->sum->missing++;
    else if (strcmp(kind, "modified") == 0)
        r->sum->modified++;
    else if (strcmp(kind, "chain") == 0)
        r->sum->chain++;
    else if (strcmp(kind, "gap") == 0)
        r->sum->gaps++;
    else if (strcmp(kind, "unlisted") == 0)
        r->sum->unlisted++;
    else
        r->sum->signatures++;
    r->on_problem(r->ctx, &p);
}

/* ---- signatures ---------------------------------------------------------- */

/* The public key whose Fingerprint is fp in a list-public-keys document, as
 * a new EVP_PKEY (NULL when none). */
/* A key's validity bound: epoch seconds (as aws-cli's JSON prints them) or an
 * ISO 8601 string; missing or unreadable bounds are no bound. */
static int validity(yajl_val k, const char *name, int64_t *out)
{
    const char *path[] = {name, NULL};
    yajl_val v = yajl_tree_get(k, path, yajl_t_any);

    if (v && YAJL_IS_NUMBER(v)) {
        *out = (int64_t)YAJL_GET_DOUBLE(v);
        return 1;
    }
    if (v && YAJL_IS_STRING(v) && normalize_parse_time(v->u.string, strlen(v->u.string), out) == 0)
        return 1;
    return 0;
}

/* The key of fingerprint fp that was valid at time at (a digest is signed
 * when it is delivered, at its end time); NULL when there is none, with
 * *stale set when a key of that fingerprint exists but was not valid then
 * (a key outside its validity signs nothing, as aws-cli also holds). */
static EVP_PKEY *find_key(yajl_val keys, const char *fp, int64_t at, int *stale)
{
    const char *lst[] = {"PublicKeyList", NULL};
    yajl_val list = yajl_tree_get(keys, lst, yajl_t_array);
    size_t i;

    *stale = 0;
    for (i = 0; list && fp && i < list->u.array.len; i++) {
        yajl_val k = list->u.array.values[i];
        const char *fpath[] = {"Fingerprint", NULL}, *vpath[] = {"Value", NULL};
        yajl_val f = yajl_tree_get(k, fpath, yajl_t_string), v = yajl_tree_get(k, vpath,
                                                                                yajl_t_string);
        unsigned char *der;
        const unsigned char *p;
        size_t len;
        int n;
        EVP_PKEY *key;
        int64_t from, until;
        if (f == NULL || v == NULL || strcmp(f->u.string, fp) != 0)
            continue;
        if ((validity(k, "ValidityStartTime", &from) && at < from) ||
            (validity(k, "ValidityEndTime", &until) && at > until)) {
            *stale = 1;
            continue;
        }
        len = strlen(v->u.string);
        der = malloc(len + 4);
        if (der == NULL)
            return NULL;
        n = EVP_DecodeBlock(der, (const unsigned char *)v->u.string, (int)len);
        if (n < 0) {
            free(der);
            return NULL;
        }
        while (n > 0 && len > 0 && v->u.string[len - 1] == '=') { /* padding bytes */
            n--;
            len--;
        }
        p = der;
        key = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, n); /* PKCS#1 RSAPublicKey */
        free(der);
        return key;
    }
    return NULL;
}

static int unhex(const char *s, unsigned char **out, size_t *len)
{
    size_t n = strlen(s), i;

    if (n % 2)
        return -1;
    *out = malloc(n / 2 + 1);
    if (*out == NULL)
        return -1;
    for (i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) {
            free(*out);
            return -1;
        }
        (*out)[i] = (unsigned char)v;
    }
    *len = n / 2;
    return 0;
}

/* Verifies d's signature sig (hex). Returns 1 good, 0 bad, -1 no such key. */
static int check_signature(yajl_val keys, const struct digf *d, const char *sig)
{
    int stale;
    EVP_PKEY *key = find_key(keys, d->fingerprint, d->end_ts, &stale);
    EVP_MD_CTX *md;
    unsigned char *raw = NULL;
    size_t rawlen = 0, n;
    char *msg;
    int ok = 0;

    if (key == NULL)
        return stale ? -2 : -1;
    n = strlen(d->end) + strlen(d->bucket ? d->bucket : "") + strlen(d->s3key) + 64 +
        strlen(d->prev_sig ? d->prev_sig : "null") + 8;
    msg = malloc(n);
    md = EVP_MD_CTX_new();
    if (msg && md && unhex(sig, &raw, &rawlen) == 0) {
        /* the string AWS signs: end time, bucket/key, content hash, previous signature */
        snprintf(msg, n, "%s\n%s/%s\n%s\n%s", d->end, d->bucket ? d->bucket : "", d->s3key,
                 d->hash, d->prev_sig ? d->prev_sig : "null");
        ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(md, raw, rawlen, (const unsigned char *)msg, strlen(msg)) == 1;
    }
    free(raw);
    free(msg);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    return ok;
}

/* ---- the checks ----------------------------------------------------------- */

/* One verification: the files read, sorted for lookups, and where problems go. */
struct verification {
    struct logf *lf;   /* the trail's log files, by S3 key */
    struct digf *df;   /* the readable digests, by S3 key */
    struct digf *chain; /* the same digests by trail, region and time */
    struct digf **byplace; /* the same by owner, region and time (check_unlisted) */
    size_t nl, nd;
    yajl_val keys;     /* the public keys, or NULL: signatures not checked */
    struct run r;
    digest_summary *sum;
    const digest_opts *o;
};

/* Hashes every log file of a trail's tree; an unreadable one is named and
 * counted, and stays listed with no hash (so it is not also "missing"). */
static void read_logs(struct verification *v, char *const *logs, size_t n_logs,
                      digest_error_fn on_error, void *ctx)
{
    char why[300];
    size_t i;

    for (i = 0; i < n_logs; i++) {
        struct logf *l = &v->lf[v->nl];
        if (strstr(logs[i], "AWSLogs/") == NULL || strstr(logs[i], "/CloudTrail/") == NULL)
            continue; /* not part of a trail's tree */
        l->path = logs[i];
        l->key = s3key(logs[i]);
        if (read_hash(logs[i], l->hash, NULL, why, sizeof why) != 0) {
            on_error(ctx, logs[i], why);
            v->sum->unreadable++;
            l->hash[0] = '\0';
        }
        v->nl++;
    }
    v->sum->logs = v->nl;
    qsort(v->lf, v->nl, sizeof *v->lf, by_log_key);
    /* what was downloaded: per account and region (adjacent in key order), the span of
     * the files' times */
    for (i = 0; i < v->nl;) {
        size_t j, plen = region_prefix(v->lf[i].key);
        int64_t first = -1, last = -1;
        for (j = i; j < v->nl && (j == i || (plen && region_prefix(v->lf[j].key) == plen &&
                                             memcmp(v->lf[j].key, v->lf[i].key, plen) == 0));
             j++) {
            v->lf[j].ts = name_time(v->lf[j].key);
            if (v->lf[j].ts >= 0 && (first < 0 || v->lf[j].ts < first))
                first = v->lf[j].ts;
            if (v->lf[j].ts > last)
                last = v->lf[j].ts;
        }
        for (; i < j; i++) {
            v->lf[i].span_first = first;
            v->lf[i].span_last = last;
        }
    }
}

/* 1 when a listed log file that is not in the tree lies outside what was
 * downloaded: its account and region have no file read, or its time is
 * before the first or after the last of theirs. Counted, not a problem: a
 * user who downloads one day has not lost the others. */
static int not_downloaded(struct verification *v, const char *key)
{
    size_t plen = region_prefix(key), lo = 0, hi = v->nl;
    int64_t t = name_time(key);

    if (plen == 0 || t < 0)
        return 0;
    if (v->o->has_period && t >= v->o->start && t < v->o->end)
        return 0; /* inside the period asked for: missing, wherever the download stops */
    if (v->o->has_period)
        goto outside;
    while (lo < hi) { /* the first file at or after the prefix */
        size_t mid = lo + (hi - lo) / 2;
        if (strncmp(v->lf[mid].key, key, plen) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < v->nl && strncmp(v->lf[lo].key, key, plen) == 0 && v->lf[lo].span_first >= 0 &&
        t >= v->lf[lo].span_first && t <= v->lf[lo].span_last)
        return 0;
outside:
    v->sum->not_downloaded++;
    if (v->sum->not_downloaded == 1 || t < v->sum->nd_first)
        v->sum->nd_first = t;
    if (t > v->sum->nd_last)
        v->sum->nd_last = t;
    return 1;
}

/* Reads and parses every digest; an unreadable or malformed one is named,
 * counted and left out. */
static void read_digests(struct verification *v, char *const *digests, size_t n_digests,
                         buffer *text, digest_error_fn on_error, void *ctx)
{
    char why[300];
    size_t i;

    for (i = 0; i < n_digests; i++) {
        struct digf *d = &v->df[v->nd];
        buffer_reset(text);
        d->path = digests[i];
        d->key = s3key(digests[i]);
        if (read_hash(digests[i], d->hash, text, why, sizeof why) != 0 ||
            parse(text->p ? text->p : "", d, why, sizeof why) != 0) {
            on_error(ctx, digests[i], why);
            v->sum->unreadable++;
            free_dig(d);
            memset(d, 0, sizeof *d);
            continue;
        }
        name_parts(d);
        {
            const char *o = strstr(d->key, "/CloudTrail-Digest/");
            d->owner_len = o ? (size_t)(o - d->key) : 0;
        }
        v->nd++;
    }
    v->sum->digests = v->nd;
    qsort(v->df, v->nd, sizeof *v->df, by_dig_key);
}

static struct digf *find_digest(const struct verification *v, const char *key)
{
    struct digf probe;

    probe.key = key;
    return bsearch(&probe, v->df, v->nd, sizeof *v->df, by_dig_key);
}

/* 1. Every log file a digest lists is in the tree, with the content it
 * lists. */
static void check_listed(struct verification *v)
{
    char msg[700];
    size_t i, k;

    for (i = 0; i < v->nd; i++) {
        struct digf *d = &v->df[i];
        size_t missing = 0, first = 0, last = 0;
        for (k = 0; k < d->nfiles; k++) {
            struct logf probe, *hit;
            memset(&probe, 0, sizeof probe);
            probe.key = d->files[k].key;
            hit = bsearch(&probe, v->lf, v->nl, sizeof *v->lf, by_log_key);
            v->sum->listed++;
            if (hit == NULL && not_downloaded(v, probe.key))
                continue;
            if (hit == NULL) {
                if (missing++ == 0)
                    first = k;
                last = k;
                continue;
            }
            hit->listed = 1;
            if (hit->hash[0] == '\0') {
                /* a listed file that cannot be read to its end is not what its digest says */
                snprintf(msg, sizeof msg, "log file %s is listed by digest %s but cannot be "
                         "read to its end, so its content is not what the digest says",
                         hit->path, d->key);
                report(&v->r, "modified", d, probe.key, d->files[k].hash, NULL, d->start, d->end,
                       msg);
            } else if (strcmp(hit->hash, d->files[k].hash) != 0) {
                snprintf(msg, sizeof msg, "log file %s was modified: its content hashes to %s, "
                         "digest %s says %s", hit->path, hit->hash, d->key, d->files[k].hash);
                report(&v->r, "modified", d, probe.key, d->files[k].hash, hit->hash, d->start,
                       d->end, msg);
            } else if (hit->hash[0]) {
                v->sum->verified++;
            }
        }
        /* the files of one digest (one hour) that are gone are one finding, not one each:
         * a deleted hour reads as what it is */
        if (missing == 1)
            snprintf(msg, sizeof msg,
                     "log file %s is listed by digest %s but is not in the tree (deleted?)",
                     d->files[first].key, d->key);
        else if (missing > 1)
            snprintf(msg, sizeof msg,
                     "%zu log files listed by digest %s are not in the tree (deleted?): %s .. %s",
                     missing, d->key, d->files[first].key, d->files[last].key);
        if (missing) {
            report(&v->r, "missing", d, d->files[first].key, d->files[first].hash, NULL,
                   d->start, d->end, msg);
            v->sum->missing += missing - 1; /* the summary counts files */
        }
    }
}

/* 2. The chains: each digest names its predecessor, which is there with the
 * hash it names, and no hours lie between neighbours. A digest that says it
 * lives elsewhere than where it lies (digestS3Object) was moved or copied
 * from another account, region or hour, as aws-cli also refuses. */
static void check_chains(struct verification *v)
{
    char msg[700];
    size_t i;

    for (i = 0; i < v->nd; i++)
        if (v->df[i].s3key && strcmp(v->df[i].s3key, v->df[i].key) != 0) {
            snprintf(msg, sizeof msg, "digest %s says it is %s (digestS3Object): moved or "
                     "copied from elsewhere", v->df[i].key, v->df[i].s3key);
            report(&v->r, "chain", &v->df[i], NULL, v->df[i].s3key, v->df[i].key,
                   v->df[i].start, v->df[i].end, msg);
        }

    for (i = 0; i < v->nd; i++)
        if (v->df[i].prev_key) {
            struct digf *hit = find_digest(v, v->df[i].prev_key);
            if (hit)
                hit->has_next = 1;
        }
    memcpy(v->chain, v->df, v->nd * sizeof *v->chain);
    qsort(v->chain, v->nd, sizeof *v->chain, by_chain);
    for (i = 1; i < v->nd; i++) {
        struct digf *prev = &v->chain[i - 1], *cur = &v->chain[i], *named;
        if (!same_owner(prev, cur) || strcmp(prev->trail, cur->trail) != 0 ||
            strcmp(prev->region, cur->region) != 0)
            continue;
        named = cur->prev_key ? find_digest(v, cur->prev_key) : NULL;
        if (cur->prev_key && named == NULL) {
            snprintf(msg, sizeof msg,
                     "digest %s names previous digest %s, which is not in "
                     "the tree (deleted?)",
                     cur->key, cur->prev_key);
            report(&v->r, "chain", cur, NULL, cur->prev_key, NULL, prev->end, cur->start, msg);
            continue; /* it explains the pair: no second finding for it */
        } else if (named && cur->prev_hash && strcmp(named->hash, cur->prev_hash) != 0) {
            snprintf(msg, sizeof msg,
                     "digest %s was modified: its content hashes to %s, "
                     "digest %s says %s",
                     named->key, named->hash, cur->key, cur->prev_hash);
            report(&v->r, "chain", named, NULL, cur->prev_hash, named->hash, named->start,
                   named->end, msg);
            continue;
        } else if (cur->start_ts > prev->end_ts) {
            snprintf(msg, sizeof msg,
                     "no digest for %s .. %s (trail %s, %s): logging "
                     "stopped or digests deleted",
                     prev->end, cur->start, cur->trail, cur->region);
            report(&v->r, "gap", cur, NULL, prev->end, cur->start, prev->end, cur->start, msg);
            continue;
        }
        /* a chain restarts only after a gap (logging or validation was off): a digest that
         * names no previous one, or one no later digest names, with its neighbour right
         * beside it in time is a filler laid over a gap, or the digest a filler displaced */
        if (cur->prev_key == NULL) {
            snprintf(msg, sizeof msg, "digest %s names no previous digest, though %s ends "
                     "where it starts (trail %s, %s): a digest outside the chain", cur->key,
                     prev->key, cur->trail, cur->region);
            report(&v->r, "chain", cur, NULL, prev->key, NULL, cur->start, cur->end, msg);
        }
        if (!prev->has_next) {
            snprintf(msg, sizeof msg, "digest %s is named by no later digest, though %s "
                     "starts where it ends (trail %s, %s): the chain goes around it", prev->key,
                     cur->key, cur->trail, cur->region);
            report(&v->r, "chain", prev, NULL, NULL, cur->key, prev->start, prev->end, msg);
        }
    }
}

static void iso_of(int64_t t, char *out, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Each chain's span, said to the caller; with a period, a chain that starts
 * after its start or ends before its end leaves those hours uncovered
 * (deleting the oldest or newest hours is otherwise silent). */
static void check_spans(struct verification *v)
{
    char msg[700], at[32];
    size_t i, j;

    for (i = 0; i < v->nd; i = j) {
        struct digf *first = &v->chain[i], *last;
        for (j = i + 1; j < v->nd && same_owner(&v->chain[j], first) &&
                        strcmp(v->chain[j].trail, first->trail) == 0 &&
                        strcmp(v->chain[j].region, first->region) == 0;
             j++)
            ;
        last = &v->chain[j - 1];
        if (v->o->on_chain)
            v->o->on_chain(v->o->ctx, first->key, first->owner_len, first->trail, first->region,
                           first->start, last->end, j - i);
        if (!v->o->has_period)
            continue;
        if (first->start_ts > v->o->start && first->start_ts < v->o->end) {
            iso_of(v->o->start, at, sizeof at);
            snprintf(msg, sizeof msg, "no digest for %s .. %s (trail %s, %s): the start of the "
                     "period asked for is not covered", at, first->start, first->trail,
                     first->region);
            report(&v->r, "gap", first, NULL, at, first->start, at, first->start, msg);
        }
        if (last->end_ts < v->o->end && last->end_ts > v->o->start) {
            iso_of(v->o->end, at, sizeof at);
            snprintf(msg, sizeof msg, "no digest for %s .. %s (trail %s, %s): the end of the "
                     "period asked for is not covered", last->end, at, last->trail,
                     last->region);
            report(&v->r, "gap", last, NULL, last->end, at, last->end, at, msg);
        }
    }
}

/* 3. Signatures: a digest's is carried by the digest after it, so the
 * newest of a chain cannot be checked offline (its own is S3 metadata). */
static void check_signatures(struct verification *v)
{
    char msg[700];
    size_t i;

    /* a digest that names its previous one carries that one's signature: without it
     * (null, or the field left out, which aws-cli refuses) the link proves nothing, and
     * a chain re-hashed by whoever edited a log file would pass as whole */
    for (i = 0; i < v->nd; i++)
        if (v->df[i].prev_key && v->df[i].prev_sig == NULL) {
            snprintf(msg, sizeof msg, "digest %s names previous digest %s but carries no "
                     "signature for it (previousDigestSignature null or missing): the link "
                     "cannot be verified", v->df[i].key, v->df[i].prev_key);
            report(&v->r, "signature", &v->df[i], NULL, NULL, NULL, v->df[i].start,
                   v->df[i].end, msg);
        }
    for (i = 0; v->keys && i < v->nd; i++) {
        struct digf *signed_one;
        int ok;
        if (v->df[i].prev_key == NULL || v->df[i].prev_sig == NULL)
            continue;
        signed_one = find_digest(v, v->df[i].prev_key);
        if (signed_one == NULL)
            continue; /* reported as a broken chain */
        ok = check_signature(v->keys, signed_one, v->df[i].prev_sig);
        if (ok == 1) {
            v->sum->signed_ok++;
            continue;
        }
        snprintf(msg, sizeof msg,
                 ok == -2 ? "digest %s: the public key of fingerprint %s was not valid at its "
                            "time (ValidityStartTime .. ValidityEndTime)"
                 : ok < 0 ? "digest %s: no public key with fingerprint %s"
                          : "digest %s: signature does not verify with the key of fingerprint %s",
                 signed_one->key, signed_one->fingerprint ? signed_one->fingerprint : "?");
        report(&v->r, "signature", signed_one, NULL, NULL, NULL, signed_one->start,
               signed_one->end, msg);
    }
    for (i = 0; v->keys && i < v->nd; i++)
        v->sum->unverifiable += !v->df[i].has_next;
}

/* Where a log file belongs: its owner (the key up to "/CloudTrail/") and region. */
struct place {
    const char *owner, *region;
    size_t owner_len, region_len;
};

static int place_of(const char *key, struct place *p)
{
    const char *c = strstr(key, "/CloudTrail/"), *r;

    if (c == NULL)
        return -1;
    r = c + 12;
    p->owner = key;
    p->owner_len = (size_t)(c - key);
    p->region = r;
    p->region_len = strcspn(r, "/");
    return 0;
}

/* Orders a place against a digest's owner and region. */
static int place_cmp(const struct place *p, const struct digf *d)
{
    size_t n = p->owner_len < d->owner_len ? p->owner_len : d->owner_len, dl = strlen(d->region);
    int c = memcmp(p->owner, d->key, n);

    if (c == 0 && p->owner_len != d->owner_len)
        c = p->owner_len < d->owner_len ? -1 : 1;
    if (c == 0)
        c = strncmp(p->region, d->region, p->region_len < dl ? p->region_len : dl);
    if (c == 0 && p->region_len != dl)
        c = p->region_len < dl ? -1 : 1;
    return c;
}

static int by_place(const void *a, const void *b)
{
    const struct digf *x = *(const struct digf *const *)a, *y = *(const struct digf *const *)b;
    struct place p = {x->key, x->region, x->owner_len, strlen(x->region)};
    int c = place_cmp(&p, y);

    return c ? c : x->start_ts < y->start_ts ? -1 : x->start_ts > y->start_ts;
}

/* 1 when a digest of the range [lo, hi) (one place, by start) covers time t. */
static int covered(struct digf **byplace, size_t lo, size_t hi, int64_t t)
{
    size_t a = lo, b = hi, k;

    while (a < b) { /* the first digest starting after t */
        size_t mid = a + (b - a) / 2;
        if (byplace[mid]->start_ts <= t)
            a = mid + 1;
        else
            b = mid;
    }
    /* trails of one region may overlap: look a few digests back, not only the last */
    for (k = 0; k < 8 && a > lo; k++, a--)
        if (t >= byplace[a - 1]->start_ts && t < byplace[a - 1]->end_ts)
            return 1;
    return 0;
}

/* 4. Log files no digest lists: inside the time its region's digests cover, or
 * whatever the time when the name carries none (a name is the attacker's to
 * choose); and, once per account and region, log files of a region the tree
 * holds no digest for, which nothing proves complete or unedited. */
static void check_unlisted(struct verification *v, struct digf **byplace)
{
    char msg[700];
    size_t i, k;

    for (i = 0; i < v->nd; i++)
        byplace[i] = &v->df[i];
    qsort(byplace, v->nd, sizeof *byplace, by_place);
    for (i = 0; i < v->nl; i++) {
        struct place p;
        size_t lo = 0, hi = v->nd, end;
        if (v->lf[i].listed || place_of(v->lf[i].key, &p) != 0)
            continue;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (place_cmp(&p, byplace[mid]) > 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (end = lo; end < v->nd && place_cmp(&p, byplace[end]) == 0; end++)
            ;
        if (lo == end) {
            size_t run = 1, plen = region_prefix(v->lf[i].key);
            if (v->nd == 0)
                continue; /* a tree without digests: verify says nothing was verified */
            for (k = i + 1; k < v->nl && region_prefix(v->lf[k].key) == plen &&
                            memcmp(v->lf[k].key, v->lf[i].key, plen) == 0;
                 k++)
                run++;
            snprintf(msg, sizeof msg,
                     "%zu log file(s) under %.*s but no digest for that account and region in "
                     "the tree: nothing proves them complete or unedited",
                     run, (int)plen, v->lf[i].key);
            report(&v->r, "unlisted", NULL, v->lf[i].key, NULL, NULL, NULL, NULL, msg);
            i = k - 1;
            continue;
        }
        if (v->lf[i].ts >= 0 && !covered(byplace, lo, end, v->lf[i].ts))
            continue; /* outside the hours the digests cover: before validation, say */
        snprintf(msg, sizeof msg,
                 "log file %s is in the tree but no digest lists it "
                 "(injected, or from another trail)",
                 v->lf[i].path);
        report(&v->r, "unlisted", NULL, v->lf[i].key, NULL, v->lf[i].hash, NULL, NULL, msg);
    }
}

int digest_verify(char *const *digests, size_t n_digests, char *const *logs, size_t n_logs,
                  const digest_opts *o, digest_summary *sum, char *err, size_t errlen)
{
    const char *keys_json = o->keys_json;
    digest_error_fn on_error = o->on_error;
    void *ctx = o->ctx;
    struct verification v;
    char ebuf[200];
    buffer text;
    size_t i;
    int rc = -1;

    memset(&v, 0, sizeof v);
    memset(sum, 0, sizeof *sum);
    v.r.on_problem = o->on_problem;
    v.r.ctx = ctx;
    v.o = o;
    v.r.sum = v.sum = sum;
    buffer_init(&text, DIGEST_MAX_DIGEST);
    v.lf = calloc(n_logs ? n_logs : 1, sizeof *v.lf);
    v.df = calloc(n_digests ? n_digests : 1, sizeof *v.df);
    v.chain = malloc((n_digests ? n_digests : 1) * sizeof *v.chain);
    v.byplace = malloc((n_digests ? n_digests : 1) * sizeof *v.byplace);
    if (v.lf == NULL || v.df == NULL || v.chain == NULL || v.byplace == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (keys_json && (v.keys = yajl_tree_parse(keys_json, ebuf, sizeof ebuf)) == NULL) {
        ebuf[strcspn(ebuf, "\n")] = '\0';
        snprintf(err, errlen, "public keys: not JSON: %s", ebuf);
        goto out;
    }
    read_logs(&v, logs, n_logs, on_error, ctx);
    read_digests(&v, digests, n_digests, &text, on_error, ctx);
    check_listed(&v);
    check_chains(&v);
    check_spans(&v);
    check_signatures(&v);
    check_unlisted(&v, v.byplace);
    rc = 0;
out:
    for (i = 0; v.df && i < v.nd; i++)
        free_dig(&v.df[i]);
    free(v.df);
    free(v.lf);
    free(v.chain);
    free(v.byplace);
    buffer_free(&text);
    if (v.keys)
        yajl_tree_free(v.keys);
    return rc;
}
