/*
 * settings: settings for the rules (see settings.h).
 *
 * The config file is tiny, so it is parsed with yajl's tree API; the
 * streaming rule applies to log files, not to this.
 */
#include "settings.h"
#include "buffer.h"
#include "address.h"
#include "normalize.h"
#include "functions.h"
#include "spell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#define SETTINGS_MAX_FILE (1u << 20)  /* config files larger than this are refused */
#define SETTINGS_MAX_VALUES 100000    /* values per list */
#define SETTINGS_MAX_PATTERN 4096     /* longest PCRE2 pattern (as functions accepts) */

enum settings_type {
    CT_LIST, CT_INT, CT_BOOL, CT_CIDRS, CT_REGEXES, CT_REGIONS, CT_SUPPRESS, CT_THRESHOLDS
};

struct settings_key {
    const char *name;
    enum settings_type type; /* CT_CIDRS, CT_REGEXES, CT_REGIONS: lists whose values are checked */
    long long def;      /* default for CT_INT and CT_BOOL */
    const char *doc;
};

static const struct settings_key keys[] = {
    {"allowed_regions", CT_REGIONS, 0, "regions where DynamoDB data may live (DDB-OFF-REGION)"},
    {"trusted_cidrs", CT_CIDRS, 0, "networks whose public IPs are expected (DDB-PUBLIC-SOURCE)"},
    {"trusted_vpc_endpoints", CT_LIST, 0, "VPC endpoint ids treated as the approved path"},
    {"trusted_accounts", CT_LIST, 0, "accounts a resource policy may grant (DDB-POLICY-EXPOSE)"},
    {"trusted_export_buckets", CT_LIST, 0, "S3 buckets exports may go to (DDB-EXFIL-EXPORT)"},
    {"trusted_kinesis_streams", CT_LIST, 0,
     "Kinesis stream ARNs tables may stream to (DDB-EXFIL-EXPORT)"},
    {"dax_role_arns", CT_LIST, 0, "DAX service role ARNs, which must only read (DDB-DAX-WRITE)"},
    {"decoy_tables", CT_LIST, 0,
     "tables nobody should touch, by name or table ARN: one call is an alert (DDB-DECOY-ACCESS)"},
    {"trail_buckets", CT_LIST, 0,
     "S3 buckets trails deliver to, beside those CreateTrail/UpdateTrail name (DDB-TRAIL-TAMPER)"},
    {"cognito_guest_tables", CT_LIST, 0,
     "tables Cognito guest identities may read by key (DDB-COGNITO-UNAUTH)"},
    {"cognito_guest_roles", CT_LIST, 0,
     "unauthenticated roles of identity pools, beside those SetIdentityPoolRoles names"
     " (DDB-COGNITO-UNAUTH)"},
    {"offensive_user_agents", CT_REGEXES, 0,
     "PCRE2 patterns added to detections/offensive_user_agents.txt"},
    {"window_seconds", CT_INT, 3600, "sliding window of the rate rules"},
    {"mass_scan_calls", CT_INT, 50, "bulk reads in a window that make a mass scan"},
    {"mass_scan_tables", CT_INT, 5, "distinct tables scanned in a window that make a mass scan"},
    {"recon_tables", CT_INT, 10, "distinct tables described in a window that make recon"},
    {"batch_read_items", CT_INT, 50,
     "key lookups in one call that make a batch a bulk read (DDB-MASS-SCAN, DDB-NEW-BULK-READER)"},
    {"scan_page_limit", CT_INT, 100,
     "a Scan's first page of at most this Limit is a look, not a bulk read (DDB-MASS-SCAN)"},
    {"denied_calls", CT_INT, 10, "access-denied errors in a window that make recon"},
    {"mass_delete_tables", CT_INT, 3, "tables deleted in a window that make it critical"},
    {"mass_delete_items", CT_INT, 1000,
     "items one actor deletes from one table in a burst that make an item wipe (DDB-DESTRUCTIVE)"},
    {"new_reader_calls", CT_INT, 20,
     "bulk reads of one table in a day that can make a new bulk reader (DDB-NEW-BULK-READER)"},
    {"new_reader_factor", CT_INT, 10,
     "times an actor's busiest earlier day a day must exceed to be new (DDB-NEW-BULK-READER)"},
    {"history_days", CT_INT, 3,
     "earlier days of an account and region the store must hold to call a reader new"
     " (DDB-NEW-BULK-READER)"},
    {"log_retention_days", CT_INT, 30,
     "a trail bucket lifecycle expiring logs sooner destroys evidence (DDB-TRAIL-TAMPER)"},
    {"backup_retention_days", CT_INT, 7,
     "an AWS Backup lifecycle deleting recovery points sooner weakens recovery (DDB-BACKUP-TAMPER)"},
    {"lifecycle_days", CT_INT, 7,
     "a user or key created or reactivated by another principal this recently (DDB-IAM-LIFECYCLE)"},
    {"dormant_days", CT_INT, 90,
     "an IAM key unused this long that is used again (DDB-IAM-LIFECYCLE)"},
    {"require_customer_kms", CT_BOOL, 0,
     "CreateTable without a customer-managed KMS key is flagged (DDB-INSECURE-CREATE)"},
    {"rule_timeout_seconds", CT_INT, 300, "time one rule may run before it is stopped"},
    {"incident_gap_seconds", CT_INT, 21600,
     "alerts this close with a shared actor, key or IP"
     " are one incident"},
    {"routine_days", CT_INT, 2,
     "earlier days a burst pattern needs to count as routine (a daily job: from its third day)"},
    {"suppress", CT_SUPPRESS, 0,
     "[{rule, actor, tables, source_cidrs, reason, until}]:"
     " alerts kept but marked suppressed"},
    {"actor_thresholds", CT_THRESHOLDS, 0,
     "[{actor, mass_scan_calls, ...}]: thresholds for"
     " actors matching a glob"},
};

#define NKEYS (sizeof keys / sizeof keys[0])

struct settings {
    long long num[NKEYS];   /* CT_INT / CT_BOOL values */
    char **list[NKEYS];     /* CT_LIST values, owned */
    size_t nlist[NKEYS];
    size_t alist[NKEYS];
};

settings *settings_new(void)
{
    settings *c = calloc(1, sizeof *c);
    size_t i;

    if (c == NULL)
        return NULL;
    for (i = 0; i < NKEYS; i++)
        c->num[i] = keys[i].def;
    return c;
}

void settings_free(settings *c)
{
    size_t i, k;

    if (c == NULL)
        return;
    for (i = 0; i < NKEYS; i++) {
        for (k = 0; k < c->nlist[i]; k++)
            free(c->list[i][k]);
        free(c->list[i]);
    }
    free(c);
}

static int key_index(const char *name)
{
    size_t i;

    for (i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* AWS Regions as of this writing: what a misspelt region is compared with. A
 * region not listed but spelt like one (a region AWS opens later) is taken. */
static const char *const known_regions[] = {
    "af-south-1",     "ap-east-1",      "ap-east-2",      "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ca-central-1",
    "ca-west-1",      "cn-north-1",     "cn-northwest-1", "eu-central-1",   "eu-central-2",
    "eu-north-1",     "eu-south-1",     "eu-south-2",     "eu-west-1",      "eu-west-2",
    "eu-west-3",      "il-central-1",   "me-central-1",   "me-south-1",     "mx-central-1",
    "sa-east-1",      "us-east-1",      "us-east-2",      "us-gov-east-1",  "us-gov-west-1",
    "us-west-1",      "us-west-2"};

/* "us-east-1", "us-gov-west-1", "eu-isoe-west-1": two letters, words, a number. */
static int region_like(const char *v, size_t len)
{
    size_t i = 0, words = 0;

    if (len < 6 || !(v[0] >= 'a' && v[0] <= 'z' && v[1] >= 'a' && v[1] <= 'z') || v[2] != '-')
        return 0;
    for (i = 3; i < len;) {
        size_t start = i;
        while (i < len && v[i] >= 'a' && v[i] <= 'z')
            i++;
        if (i == start || i == len || v[i] != '-')
            break;
        words++;
        i++;
    }
    if (words == 0 || i >= len)
        return 0;
    for (; i < len; i++)
        if (v[i] < '0' || v[i] > '9')
            return 0;
    return 1;
}

static int is_list(enum settings_type t)
{
    return t != CT_INT && t != CT_BOOL;
}

/* ---- lists of objects: suppress and actor_thresholds -------------------- */

static void gen_val(yajl_gen g, yajl_val v)
{
    size_t i;

    if (YAJL_IS_STRING(v)) {
        yajl_gen_string(g, (const unsigned char *)v->u.string, strlen(v->u.string));
    } else if (YAJL_IS_NUMBER(v)) {
        yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        yajl_gen_bool(g, YAJL_IS_TRUE(v));
    } else if (YAJL_IS_ARRAY(v)) {
        yajl_gen_array_open(g);
        for (i = 0; i < v->u.array.len; i++)
            gen_val(g, v->u.array.values[i]);
        yajl_gen_array_close(g);
    } else if (YAJL_IS_OBJECT(v)) {
        yajl_gen_map_open(g);
        for (i = 0; i < v->u.object.len; i++) {
            yajl_gen_string(g, (const unsigned char *)v->u.object.keys[i],
                            strlen(v->u.object.keys[i]));
            gen_val(g, v->u.object.values[i]);
        }
        yajl_gen_map_close(g);
    } else {
        yajl_gen_null(g);
    }
}

/* 1 when v is an array of strings (each passing check when given). */
static int strings(yajl_val v, int cidrs, char *why, size_t len)
{
    size_t i;

    if (!YAJL_IS_ARRAY(v)) {
        snprintf(why, len, "must be an array of strings");
        return 0;
    }
    for (i = 0; i < v->u.array.len; i++) {
        const char *s = YAJL_GET_STRING(v->u.array.values[i]);
        if (s == NULL) {
            snprintf(why, len, "item %zu is not a string", i + 1);
            return 0;
        }
        if (cidrs && address_in_cidr("::", 2, s, strlen(s)) < 0) {
            snprintf(why, len, "\"%.60s\" is not an IP network", s);
            return 0;
        }
    }
    return 1;
}

/* Checks one suppress entry. Returns 0, or -1 with why. */
static int check_suppress(yajl_val o, char *why, size_t len)
{
    size_t i;
    int64_t ts;
    char when[40];

    if (!YAJL_IS_OBJECT(o)) {
        snprintf(why, len, "must be an object");
        return -1;
    }
    for (i = 0; i < o->u.object.len; i++) {
        const char *k = o->u.object.keys[i];
        yajl_val v = o->u.object.values[i];
        char sub[160];
        if (strcmp(k, "rule") == 0 || strcmp(k, "actor") == 0 || strcmp(k, "reason") == 0) {
            if (!YAJL_IS_STRING(v) || v->u.string[0] == '\0') {
                snprintf(why, len, "\"%s\" must be a non-empty string", k);
                return -1;
            }
        } else if (strcmp(k, "tables") == 0 || strcmp(k, "source_cidrs") == 0) {
            if (!strings(v, k[0] == 's', sub, sizeof sub)) {
                snprintf(why, len, "\"%s\" %s", k, sub);
                return -1;
            }
        } else if (strcmp(k, "until") == 0) {
            snprintf(when, sizeof when, "%.10sT23:59:59Z", YAJL_IS_STRING(v) ? v->u.string : "");
            if (!YAJL_IS_STRING(v) || strlen(v->u.string) != 10 ||
                normalize_parse_time(when, strlen(when), &ts) != 0) {
                snprintf(why, len, "\"until\" must be a date such as 2026-12-31");
                return -1;
            }
        } else {
            snprintf(why, len, "unknown key \"%s\" (rule, actor, tables, source_cidrs, reason, "
                     "until)", k);
            return -1;
        }
    }
    if (!YAJL_IS_STRING(yajl_tree_get(o, (const char *[]){"reason", NULL}, yajl_t_string))) {
        snprintf(why, len, "needs a \"reason\"");
        return -1;
    }
    if (!YAJL_IS_STRING(yajl_tree_get(o, (const char *[]){"rule", NULL}, yajl_t_string))) {
        snprintf(why, len, "needs a \"rule\" (a rule id, or \"*\")");
        return -1;
    }
    return 0;
}

/* The thresholds an actor glob may override. */
static const char *const actor_keys[] = {"mass_scan_calls", "mass_scan_tables", "recon_tables",
                                         "denied_calls", "mass_delete_tables",
                                         "mass_delete_items", NULL};

static int check_threshold(yajl_val o, char *why, size_t len)
{
    size_t i, k;

    if (!YAJL_IS_OBJECT(o) ||
        !YAJL_IS_STRING(yajl_tree_get(o, (const char *[]){"actor", NULL}, yajl_t_string))) {
        snprintf(why, len, "must be an object with an \"actor\" glob");
        return -1;
    }
    for (i = 0; i < o->u.object.len; i++) {
        const char *key = o->u.object.keys[i];
        yajl_val v = o->u.object.values[i];
        if (strcmp(key, "actor") == 0)
            continue;
        for (k = 0; actor_keys[k] && strcmp(actor_keys[k], key) != 0; k++)
            ;
        if (actor_keys[k] == NULL) {
            snprintf(why, len, "unknown key \"%s\" (actor, mass_scan_calls, mass_scan_tables, "
                     "recon_tables, denied_calls, mass_delete_tables)", key);
            return -1;
        }
        if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 1) {
            snprintf(why, len, "\"%s\" must be a positive integer", key);
            return -1;
        }
    }
    return 0;
}

/* Adds each object of v to list ki as compact JSON, after check(). */
static int add_objects(settings *c, int ki, yajl_val v, int (*check)(yajl_val, char *, size_t),
                       const char *path, char *err, size_t errlen);

/* Checks one value of a list whose values have a syntax: every CIDR parses,
 * every pattern compiles, before any input is read. Returns 0, or -1 with
 * what is wrong in err. */
static int check_value(int k, const char *v, size_t len, char *err, size_t errlen)
{
    if (memchr(v, '\0', len)) {
        snprintf(err, errlen, "contains a NUL byte");
        return -1;
    }
    if (keys[k].type == CT_CIDRS && address_in_cidr("::", 2, v, len) < 0) {
        snprintf(err, errlen, "\"%.*s\" is not an IP network (want e.g. 203.0.113.0/24 or "
                 "2001:db8::/32)", (int)(len > 100 ? 100 : len), v);
        return -1;
    }
    if (keys[k].type == CT_REGIONS && !region_like(v, len)) {
        /* "eu-west-l" taken as a region would make every eu-west-1 event off-region */
        char tmp[65];
        const char *near = NULL;
        if (len < sizeof tmp) {
            memcpy(tmp, v, len);
            tmp[len] = '\0';
            near = spell_closest(tmp, known_regions, sizeof known_regions / sizeof known_regions[0],
                           sizeof known_regions[0]);
        }
        snprintf(err, errlen, "\"%.*s\" is not a region name (want e.g. eu-west-1)%s%s%s",
                 (int)(len > 100 ? 100 : len), v, near ? "; did you mean \"" : "",
                 near ? near : "", near ? "\"?" : "");
        return -1;
    }
    if (keys[k].type == CT_REGEXES) {
        char tmp[SETTINGS_MAX_PATTERN + 1], why[384];
        if (len > SETTINGS_MAX_PATTERN) {
            snprintf(err, errlen, "a pattern longer than %d bytes", SETTINGS_MAX_PATTERN);
            return -1;
        }
        memcpy(tmp, v, len);
        tmp[len] = '\0';
        if (functions_check_pattern(tmp, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s", why);
            return -1;
        }
    }
    return 0;
}

static int list_add(settings *c, int k, const char *v, size_t len)
{
    char *copy;

    if (c->nlist[k] >= SETTINGS_MAX_VALUES)
        return -1;
    if (c->nlist[k] == c->alist[k]) {
        size_t na = c->alist[k] ? c->alist[k] * 2 : 16;
        char **p = realloc(c->list[k], na * sizeof *p);
        if (p == NULL)
            return -1;
        c->list[k] = p;
        c->alist[k] = na;
    }
    copy = malloc(len + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, v, len);
    copy[len] = '\0';
    c->list[k][c->nlist[k]++] = copy;
    return 0;
}

long long settings_int(const settings *c, const char *key)
{
    int k = key_index(key);

    return k < 0 || is_list(keys[k].type) ? 0 : c->num[k];
}

size_t settings_list_count(const settings *c, const char *key)
{
    int k = key_index(key);

    return k < 0 ? 0 : c->nlist[k];
}

/* A config or list file, read whole. */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
    return buffer_read_file(path, SETTINGS_MAX_FILE, "config file (1 MiB)", len, err, errlen);
}

/* Long: one pass over the config object, each key checked against its declared type
 * where it is met, so that an error names the key and the file. */
int settings_load_file(settings *c, const char *path, char *err, size_t errlen)
{
    char ebuf[256];
    size_t len, i, k;
    char *text = slurp(path, &len, err, errlen);
    yajl_val root;
    int rc = -1;

    if (text == NULL)
        return -1;
    if (strlen(text) != len) {
        snprintf(err, errlen, "%s: contains a NUL byte; not a JSON config", path);
        free(text);
        return -1;
    }
    root = yajl_tree_parse(text, ebuf, sizeof ebuf);
    free(text);
    if (root == NULL) {
        ebuf[strcspn(ebuf, "\n")] = '\0';
        snprintf(err, errlen, "%s: invalid JSON: %s", path, ebuf);
        return -1;
    }
    if (!YAJL_IS_OBJECT(root)) {
        snprintf(err, errlen, "%s: the config must be a JSON object", path);
        goto out;
    }
    for (i = 0; i < root->u.object.len; i++) {
        const char *name = root->u.object.keys[i];
        yajl_val v = root->u.object.values[i];
        int ki = key_index(name);

        if (ki < 0) {
            const char *near = spell_closest(name, &keys[0].name, NKEYS, sizeof keys[0]);
            if (near)
                snprintf(err, errlen, "%s: unknown key \"%s\"; did you mean \"%s\"?", path, name,
                         near);
            else
                snprintf(err, errlen, "%s: unknown key \"%s\" (known keys: see 'ddbtrail "
                         "detect --help')", path, name);
            goto out;
        }
        for (k = 0; k < i; k++)
            if (strcmp(root->u.object.keys[k], name) == 0) {
                /* JSON leaves it open which one counts; a config must not */
                snprintf(err, errlen, "%s: key \"%s\" given twice", path, name);
                goto out;
            }
        switch (keys[ki].type) {
        case CT_LIST:
        case CT_CIDRS:
        case CT_REGEXES:
        case CT_REGIONS:
            if (!YAJL_IS_ARRAY(v)) {
                snprintf(err, errlen, "%s: \"%s\" must be an array of strings", path, name);
                goto out;
            }
            for (k = 0; k < v->u.array.len; k++) {
                yajl_val e = v->u.array.values[k];
                if (!YAJL_IS_STRING(e)) {
                    snprintf(err, errlen, "%s: \"%s\" must be an array of strings (item %zu is "
                             "not a string)", path, name, k + 1);
                    goto out;
                }
                if (check_value(ki, e->u.string, strlen(e->u.string), ebuf, sizeof ebuf) != 0) {
                    snprintf(err, errlen, "%s: \"%s\" item %zu: %s", path, name, k + 1, ebuf);
                    goto out;
                }
                if (list_add(c, ki, e->u.string, strlen(e->u.string)) != 0) {
                    snprintf(err, errlen, "%s: \"%s\": too many values", path, name);
                    goto out;
                }
            }
            break;
        case CT_SUPPRESS:
        case CT_THRESHOLDS:
            if (add_objects(c, ki, v, keys[ki].type == CT_SUPPRESS ? check_suppress
                                                                   : check_threshold,
                            path, err, errlen) != 0)
                goto out;
            break;
        case CT_INT:
            if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 1) {
                snprintf(err, errlen, "%s: \"%s\" must be a positive integer", path, name);
                goto out;
            }
            c->num[ki] = YAJL_GET_INTEGER(v);
            break;
        case CT_BOOL:
            if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v)) {
                snprintf(err, errlen, "%s: \"%s\" must be true or false", path, name);
                goto out;
            }
            c->num[ki] = YAJL_IS_TRUE(v);
            break;
        }
    }
    rc = 0;
out:
    yajl_tree_free(root);
    return rc;
}

static int add_objects(settings *c, int ki, yajl_val v, int (*check)(yajl_val, char *, size_t),
                       const char *path, char *err, size_t errlen)
{
    size_t k, len;
    const unsigned char *buf;
    char why[256];

    if (!YAJL_IS_ARRAY(v)) {
        snprintf(err, errlen, "%s: \"%s\" must be an array of objects", path, keys[ki].name);
        return -1;
    }
    for (k = 0; k < v->u.array.len; k++) {
        yajl_gen g;
        int rc;
        if (check(v->u.array.values[k], why, sizeof why) != 0) {
            snprintf(err, errlen, "%s: \"%s\" item %zu: %s", path, keys[ki].name, k + 1, why);
            return -1;
        }
        g = yajl_gen_alloc(NULL);
        if (g == NULL) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        gen_val(g, v->u.array.values[k]);
        yajl_gen_get_buf(g, &buf, &len);
        rc = list_add(c, ki, (const char *)buf, len);
        yajl_gen_free(g);
        if (rc != 0) {
            snprintf(err, errlen, "%s: \"%s\": too many values", path, keys[ki].name);
            return -1;
        }
    }
    return 0;
}

int settings_load_list_file(settings *c, const char *key, const char *path, char *err,
                            size_t errlen)
{
    int ki = key_index(key);
    size_t len, lineno = 1;
    char *text, *line, *save = NULL;
    const char *seen;

    if (ki < 0 || !is_list(keys[ki].type)) {
        snprintf(err, errlen, "%s: not a list key", key);
        return -1;
    }
    text = slurp(path, &len, err, errlen);
    if (text == NULL)
        return -1;
    seen = text;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t n = strlen(line);
        char why[400];
        for (; seen < line; seen++) /* strtok_r leaves a NUL where it ended a line */
            lineno += *seen == '\n' || *seen == '\0';
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        if (check_value(ki, line, n, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s: line %zu: %s", path, lineno, why);
            free(text);
            return -1;
        }
        if (list_add(c, ki, line, n) != 0) {
            snprintf(err, errlen, "%s: too many values", path);
            free(text);
            return -1;
        }
    }
    free(text);
    return 0;
}

int settings_apply(const settings *c, sqlite3 *db, char *err, size_t errlen)
{
    sqlite3_stmt *s1 = NULL, *s2 = NULL;
    size_t i, k;
    int ok = 1;

    if (sqlite3_exec(db,
                     "BEGIN IMMEDIATE; DELETE FROM settings; DELETE FROM settings_list;"
                     " DELETE FROM settings_actor;",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO settings(key, value) VALUES(?,?)", -1, &s1, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO settings_list(key, value) VALUES(?,?)", -1, &s2,
                           NULL) != SQLITE_OK)
        ok = 0;
    for (i = 0; ok && i < NKEYS; i++) {
        if (keys[i].type == CT_THRESHOLDS) {
            /* one settings_actor row per (actor glob, threshold) */
            for (k = 0; ok && k < c->nlist[i]; k++) {
                sqlite3_stmt *t;
                ok = sqlite3_prepare_v2(db,
                                        "INSERT INTO settings_actor(actor, key, value)"
                                        " SELECT json_extract(?1, '$.actor'), j.key, j.value"
                                        " FROM json_each(?1) j WHERE j.key <> 'actor'",
                                        -1, &t, NULL) == SQLITE_OK;
                if (ok) {
                    sqlite3_bind_text(t, 1, c->list[i][k], -1, SQLITE_STATIC);
                    ok = sqlite3_step(t) == SQLITE_DONE;
                }
                sqlite3_finalize(t);
            }
        } else if (is_list(keys[i].type)) {
            for (k = 0; ok && k < c->nlist[i]; k++) {
                sqlite3_bind_text(s2, 1, keys[i].name, -1, SQLITE_STATIC);
                sqlite3_bind_text(s2, 2, c->list[i][k], -1, SQLITE_STATIC);
                ok = sqlite3_step(s2) == SQLITE_DONE;
                sqlite3_reset(s2);
            }
        } else {
            sqlite3_bind_text(s1, 1, keys[i].name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s1, 2, c->num[i]);
            ok = sqlite3_step(s1) == SQLITE_DONE;
            sqlite3_reset(s1);
        }
    }
    if (!ok)
        snprintf(err, errlen, "cannot store settings: %s", sqlite3_errmsg(db));
    sqlite3_finalize(s1);
    sqlite3_finalize(s2);
    if (sqlite3_exec(db, ok ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK && ok) {
        snprintf(err, errlen, "cannot store settings: %s", sqlite3_errmsg(db));
        ok = 0;
    }
    return ok ? 0 : -1;
}

/* One key's values from the store into c, replacing what c held. */
static int read_key(settings *c, int k, sqlite3 *db, char *err, size_t errlen)
{
    static const char *const sql[] = {
        /* CT_THRESHOLDS: one object per actor glob, as the config wrote it */
        ("SELECT json_patch(json_object('actor', actor), json_group_object(key, value))"
         " FROM settings_actor GROUP BY actor ORDER BY min(rowid)"),
        "SELECT value FROM settings_list WHERE key = ?1 ORDER BY rowid",
        "SELECT value FROM settings WHERE key = ?1"};
    int which = keys[k].type == CT_THRESHOLDS ? 0 : is_list(keys[k].type) ? 1 : 2;
    sqlite3_stmt *st;
    int rc, ok = 1;
    size_t i;

    if (sqlite3_prepare_v2(db, sql[which], -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot read the store's settings: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (which)
        sqlite3_bind_text(st, 1, keys[k].name, -1, SQLITE_STATIC);
    if (which < 2) {
        for (i = 0; i < c->nlist[k]; i++)
            free(c->list[k][i]);
        c->nlist[k] = 0;
    }
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        char why[512];
        if (which == 2) {
            c->num[k] = sqlite3_column_int64(st, 0);
        } else if (v == NULL || check_value(k, v, len, why, sizeof why) != 0) {
            snprintf(err, errlen, "the store's setting %s: %s", keys[k].name,
                     v ? why : "a NULL value");
            ok = 0;
        } else if (list_add(c, k, v, len) != 0) {
            snprintf(err, errlen, "the store's setting %s: out of memory or more than %d values",
                     keys[k].name, SETTINGS_MAX_VALUES);
            ok = 0;
        }
    }
    if (ok && rc != SQLITE_DONE) {
        snprintf(err, errlen, "cannot read the store's settings: %s", sqlite3_errmsg(db));
        ok = 0;
    }
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

int settings_read(settings *c, sqlite3 *db, char *err, size_t errlen)
{
    size_t i;

    for (i = 0; i < NKEYS; i++)
        if (read_key(c, (int)i, db, err, errlen) != 0)
            return -1;
    return 0;
}

size_t settings_example(char *buf, size_t len)
{
    size_t i, n = 0;

#define EMIT(...)                                                                              \
    do {                                                                                       \
        int w_ = snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, __VA_ARGS__);      \
        if (w_ > 0)                                                                            \
            n += (size_t)w_;                                                                   \
    } while (0)
    EMIT("// ddbtrail configuration, written by 'ddbtrail init'. JSON with // and /* */\n"
         "// comments. Every key is here with its default; an unknown or repeated key is\n"
         "// refused. Read from --config FILE, else $DDBTRAIL_CONFIG, else ./ddbtrail.json,\n"
         "// else $XDG_CONFIG_HOME/ddbtrail/config.json; the report names the file it used.\n"
         "{\n");
    for (i = 0; i < NKEYS; i++) {
        const char *sep = i + 1 < NKEYS ? "," : "";
        EMIT("  // %s\n", keys[i].doc);
        if (is_list(keys[i].type) || keys[i].type == CT_SUPPRESS ||
            keys[i].type == CT_THRESHOLDS)
            EMIT("  \"%s\": []%s\n", keys[i].name, sep);
        else if (keys[i].type == CT_BOOL)
            EMIT("  \"%s\": %s%s\n", keys[i].name, keys[i].def ? "true" : "false", sep);
        else
            EMIT("  \"%s\": %lld%s\n", keys[i].name, keys[i].def, sep);
    }
    EMIT("}\n");
#undef EMIT
    return n;
}

void settings_describe(char *buf, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < NKEYS && n < len; i++) {
        int w;
        if (keys[i].type == CT_SUPPRESS || keys[i].type == CT_THRESHOLDS)
            w = snprintf(buf + n, len - n, "  %-24s [objects]  %s\n", keys[i].name, keys[i].doc);
        else if (is_list(keys[i].type))
            w = snprintf(buf + n, len - n, "  %-24s [strings]  %s\n", keys[i].name, keys[i].doc);
        else if (keys[i].type == CT_BOOL)
            w = snprintf(buf + n, len - n, "  %-24s %-9s  %s\n", keys[i].name,
                         keys[i].def ? "true" : "false", keys[i].doc);
        else
            w = snprintf(buf + n, len - n, "  %-24s %-9lld  %s\n", keys[i].name, keys[i].def,
                         keys[i].doc);
        if (w < 0)
            break;
        n += (size_t)w;
    }
}
