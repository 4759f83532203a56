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
#include "buffer.h"
#include "reader.h"
#include "normalize.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#define DIGEST_MAX_DIGEST (64u << 20) /* a digest file larger than this is refused */
#define DIGEST_CHUNK (256 * 1024)

struct logf {
    const char *path, *key; /* key points into path */
    char hash[65];          /* "" when unreadable */
    int listed;
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
};

static int64_t iso_ts(const char *s)
{
    int64_t t = 0;

    return s && normalize_parse_time(s, strlen(s), &t) == 0 ? t : 0;
}

static void hex(const unsigned char *md, unsigned n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    unsigned i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[2 * n] = '\0';
}

int digest_sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;

    if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32) {
        out[0] = '\0';
        return -1;
    }
    hex(md, len, out);
    return 0;
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
    hex(sum, n, out);
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

static int by_chain(const void *a, const void *b)
{
    const struct digf *x = a, *y = b;
    int c = strcmp(x->trail, y->trail);

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
        snprintf(err, errlen, "not a CloudTrail digest (needs digestStartTime, digestEndTime, "
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
    digest_problem p = {kind, d ? d->trail : NULL, d ? d->region : NULL, d ? d->key : NULL, log,
                     expected, actual, start, end, msg};

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
static EVP_PKEY *find_key(yajl_val keys, const char *fp)
{
    const char *lst[] = {"PublicKeyList", NULL};
    yajl_val list = yajl_tree_get(keys, lst, yajl_t_array);
    size_t i;

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
        if (f == NULL || v == NULL || strcmp(f->u.string, fp) != 0)
            continue;
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
    EVP_PKEY *key = find_key(keys, d->fingerprint);
    EVP_MD_CTX *md;
    unsigned char *raw = NULL;
    size_t rawlen = 0, n;
    char *msg;
    int ok = 0;

    if (key == NULL)
        return -1;
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

int digest_verify(char *const *digests, size_t n_digests, char *const *logs, size_t n_logs,
               const char *keys_json, digest_problem_fn on_problem, digest_error_fn on_error,
               void *ctx, digest_summary *sum, char *err, size_t errlen)
{
    struct logf *lf = calloc(n_logs ? n_logs : 1, sizeof *lf);
    struct digf *df = calloc(n_digests ? n_digests : 1, sizeof *df);
    struct run r = {on_problem, ctx, sum};
    yajl_val keys = NULL;
    size_t i, k, nd = 0, nl = 0;
    char why[300], ebuf[200], msg[700];
    buffer text;
    int rc = -1;

    memset(sum, 0, sizeof *sum);
    buffer_init(&text, DIGEST_MAX_DIGEST);
    if (lf == NULL || df == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (keys_json && (keys = yajl_tree_parse(keys_json, ebuf, sizeof ebuf)) == NULL) {
        ebuf[strcspn(ebuf, "\n")] = '\0';
        snprintf(err, errlen, "public keys: not JSON: %s", ebuf);
        goto out;
    }
    for (i = 0; i < n_logs; i++) {
        if (strstr(logs[i], "AWSLogs/") == NULL || strstr(logs[i], "/CloudTrail/") == NULL)
            continue; /* not part of a trail's tree */
        lf[nl].path = logs[i];
        lf[nl].key = s3key(logs[i]);
        if (read_hash(logs[i], lf[nl].hash, NULL, why, sizeof why) != 0) {
            on_error(ctx, logs[i], why);
            sum->unreadable++;
            lf[nl].hash[0] = '\0';
        }
        nl++;
    }
    sum->logs = nl;
    for (i = 0; i < n_digests; i++) {
        struct digf *d = &df[nd];
        buffer_reset(&text);
        d->path = digests[i];
        d->key = s3key(digests[i]);
        if (read_hash(digests[i], d->hash, &text, why, sizeof why) != 0 ||
            parse(text.p ? text.p : "", d, why, sizeof why) != 0) {
            on_error(ctx, digests[i], why);
            sum->unreadable++;
            free_dig(d);
            memset(d, 0, sizeof *d);
            continue;
        }
        name_parts(d);
        nd++;
    }
    sum->digests = nd;
    qsort(lf, nl, sizeof *lf, by_log_key);
    qsort(df, nd, sizeof *df, by_dig_key);
    /* 1. every listed log file is there, with its content */
    for (i = 0; i < nd; i++) {
        for (k = 0; k < df[i].nfiles; k++) {
            struct logf probe = {NULL, df[i].files[k].key, "", 0}, *hit;
            hit = bsearch(&probe, lf, nl, sizeof *lf, by_log_key);
            sum->listed++;
            if (hit == NULL) {
                snprintf(msg, sizeof msg, "log file %s is listed by digest %s but is not in "
                         "the tree (deleted?)", probe.key, df[i].key);
                report(&r, "missing", &df[i], probe.key, df[i].files[k].hash, NULL, df[i].start,
                       df[i].end, msg);
                continue;
            }
            hit->listed = 1;
            if (hit->hash[0] && strcmp(hit->hash, df[i].files[k].hash) != 0) {
                snprintf(msg, sizeof msg, "log file %s was modified: its content hashes to %s, "
                         "digest %s says %s", hit->path, hit->hash, df[i].key,
                         df[i].files[k].hash);
                report(&r, "modified", &df[i], probe.key, df[i].files[k].hash, hit->hash,
                       df[i].start, df[i].end, msg);
            } else if (hit->hash[0]) {
                sum->verified++;
            }
        }
    }
    /* 2. the chains: each digest points at its predecessor, hashes match, no hours lost */
    for (i = 0; i < nd; i++)
        if (df[i].prev_key) {
            struct digf probe, *hit;
            probe.key = df[i].prev_key;
            hit = bsearch(&probe, df, nd, sizeof *df, by_dig_key);
            if (hit)
                hit->has_next = 1;
        }
    {
        struct digf *chain = malloc((nd ? nd : 1) * sizeof *chain);
        if (chain == NULL) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        memcpy(chain, df, nd * sizeof *chain);
        qsort(chain, nd, sizeof *chain, by_chain);
        for (i = 1; i < nd; i++) {
            struct digf *prev = &chain[i - 1], *cur = &chain[i], probe, *named;
            if (strcmp(prev->trail, cur->trail) != 0 || strcmp(prev->region, cur->region) != 0)
                continue;
            probe.key = cur->prev_key ? cur->prev_key : "";
            named = cur->prev_key ? bsearch(&probe, df, nd, sizeof *df, by_dig_key) : NULL;
            if (cur->prev_key && named == NULL) {
                snprintf(msg, sizeof msg, "digest %s names previous digest %s, which is not in "
                         "the tree (deleted?)", cur->key, cur->prev_key);
                report(&r, "chain", cur, NULL, cur->prev_key, NULL, prev->end, cur->start, msg);
            } else if (named && cur->prev_hash && strcmp(named->hash, cur->prev_hash) != 0) {
                snprintf(msg, sizeof msg, "digest %s was modified: its content hashes to %s, "
                         "digest %s says %s", named->key, named->hash, cur->key, cur->prev_hash);
                report(&r, "chain", named, NULL, cur->prev_hash, named->hash, named->start,
                       named->end, msg);
            } else if (cur->start_ts > prev->end_ts) {
                snprintf(msg, sizeof msg, "no digest for %s .. %s (trail %s, %s): logging "
                         "stopped or digests deleted", prev->end, cur->start, cur->trail,
                         cur->region);
                report(&r, "gap", cur, NULL, prev->end, cur->start, prev->end, cur->start, msg);
            }
        }
        /* 3. signatures: a digest's is carried by the digest after it */
        for (i = 0; keys && i < nd; i++) {
            struct digf probe, *signed_one;
            int ok;
            if (df[i].prev_key == NULL || df[i].prev_sig == NULL)
                continue;
            probe.key = df[i].prev_key;
            signed_one = bsearch(&probe, df, nd, sizeof *df, by_dig_key);
            if (signed_one == NULL)
                continue; /* reported as a broken chain */
            ok = check_signature(keys, signed_one, df[i].prev_sig);
            if (ok == 1) {
                sum->signed_ok++;
                continue;
            }
            snprintf(msg, sizeof msg, ok < 0 ? "digest %s: no public key with fingerprint %s"
                                             : "digest %s: signature does not verify with the "
                                               "key of fingerprint %s",
                     signed_one->key, signed_one->fingerprint ? signed_one->fingerprint : "?");
            report(&r, "signature", signed_one, NULL, NULL, NULL, signed_one->start,
                   signed_one->end, msg);
        }
        for (i = 0; keys && i < nd; i++)
            sum->unverifiable += !df[i].has_next;
        /* 4. log files no digest lists, inside the time the region's digests cover */
        for (i = 0; i < nl; i++) {
            const char *stamp, *reg = strstr(lf[i].key, "/CloudTrail/");
            int64_t t;
            char region[48] = "", when[24];
            if (lf[i].listed || reg == NULL)
                continue;
            sscanf(reg + 12, "%47[^/]", region);
            stamp = strstr(lf[i].key, "_CloudTrail_");
            stamp = stamp ? strchr(stamp + 12, '_') : NULL;
            if (stamp == NULL || sscanf(stamp + 1, "%15[0-9TZ]", when) != 1 || strlen(when) < 13)
                continue;
            snprintf(msg, sizeof msg, "%.4s-%.2s-%.2sT%.2s:%.2s:00Z", when, when + 4, when + 6,
                     when + 9, when + 11);
            t = iso_ts(msg);
            for (k = 0; k < nd; k++)
                if (strcmp(chain[k].region, region) == 0 && t >= chain[k].start_ts &&
                    t < chain[k].end_ts)
                    break;
            if (k == nd)
                continue;
            snprintf(msg, sizeof msg, "log file %s is in the tree but no digest lists it "
                     "(injected, or from another trail)", lf[i].path);
            report(&r, "unlisted", NULL, lf[i].key, NULL, lf[i].hash, NULL, NULL, msg);
        }
        free(chain);
    }
    rc = 0;
out:
    for (i = 0; df && i < nd; i++)
        free_dig(&df[i]);
    free(df);
    free(lf);
    buffer_free(&text);
    if (keys)
        yajl_tree_free(keys);
    return rc;
}
