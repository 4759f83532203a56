/*
 * rules: loading, checking and running detection rules (see rules.h).
 */
#include "rules.h"
#include "buffer.h"
#include "hash.h"
#include "functions.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RULES_MAX_ID_LEN 100 /* rule ids are file names such as DDB-MASS-SCAN */

#define RULES_MAX_FILE (256u * 1024)  /* a rule file larger than this is refused */
#define RULES_MAX_EVENT_IDS FUNCTIONS_ID_LIST_MAX /* however the rule built its list */

const char *const rules_columns[] = {
    "first_seen", "last_seen", "event_count", "account_id", "aws_region", "principal_arn",
    "access_key_id", "source_ip", "table_name", "event_names", "event_ids", "detail", NULL};

/* Columns that identify an alert besides the rule id, when the rule does
 * not say itself with a group_key column. */
static const char *const group_columns[] = {"account_id", "aws_region", "principal_arn",
                                            "access_key_id", "source_ip", "table_name", NULL};
static const char *const group_key_only[] = {"group_key", NULL};

static const char *const severities[] = {"info", "low", "medium", "high", "critical"};

struct rules {
    rules_rule *v;  /* owned */
    size_t n, alloc;
};

int rules_severity_rank(const char *s)
{
    int i;

    for (i = 0; s && i < 5; i++)
        if (strcmp(s, severities[i]) == 0)
            return i;
    return -1;
}

static const char *const stages[] = {"discovery", "credential-use", "collection", "impact",
                                      "evasion"};

const char *rules_severity_name(int rank)
{
    return severities[rank < 0 ? 0 : rank > 4 ? 4 : rank];
}

const char *rules_stage_name(int rank)
{
    return rank >= 0 && rank < 5 ? stages[rank] : NULL;
}

int rules_stage_rank(const char *s)
{
    int i;

    for (i = 0; s && i < 5; i++)
        if (strcmp(s, stages[i]) == 0)
            return i;
    return -1;
}

int rules_valid_severity(const char *s)
{
    return rules_severity_rank(s) >= 0;
}

static void rule_clear(rules_rule *r)
{
    free(r->path);
    free(r->id);
    free(r->title);
    free(r->severity);
    free(r->description);
    free(r->mitre);
    free(r->references);
    free(r->falsepositives);
    free(r->requires);
    free(r->stage);
    free(r->story);
    free(r->routine);
    free(r->effects);
    free(r->catalogue);
    free(r->cost);
    free(r->sql);
    memset(r, 0, sizeof *r);
}

void rules_free(rules *r)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->n; i++)
        rule_clear(&r->v[i]);
    free(r->v);
    free(r);
}

size_t rules_count(const rules *r)
{
    return r->n;
}

const rules_rule *rules_get(const rules *r, size_t i)
{
    return &r->v[i];
}

static char **header_slot(rules_rule *r, const char *key, size_t len)
{
    static const struct {
        const char *name;
        size_t off;
    } slots[] = {
        {"id", offsetof(rules_rule, id)},
        {"title", offsetof(rules_rule, title)},
        {"severity", offsetof(rules_rule, severity)},
        {"description", offsetof(rules_rule, description)},
        {"mitre", offsetof(rules_rule, mitre)},
        {"references", offsetof(rules_rule, references)},
        {"falsepositives", offsetof(rules_rule, falsepositives)},
        {"requires", offsetof(rules_rule, requires)},
        {"stage", offsetof(rules_rule, stage)},
        {"story", offsetof(rules_rule, story)},
        {"routine", offsetof(rules_rule, routine)},
        {"effects", offsetof(rules_rule, effects)},
        {"catalogue", offsetof(rules_rule, catalogue)},
        {"cost", offsetof(rules_rule, cost)},
    };
    size_t i;

    for (i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (strlen(slots[i].name) == len && memcmp(slots[i].name, key, len) == 0)
            return (char **)((char *)r + slots[i].off);
    return NULL;
}

/* Appends text to *slot (joined by a space). Returns 0 or -1. */
static int append(char **slot, const char *s, size_t len)
{
    size_t old = *slot ? strlen(*slot) : 0;
    char *p = realloc(*slot, old + len + 2);

    if (p == NULL)
        return -1;
    if (old)
        p[old++] = ' ';
    memcpy(p + old, s, len);
    p[old + len] = '\0';
    *slot = p;
    return 0;
}

static const char *trim(const char *s, size_t *len)
{
    while (*len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        (*len)--;
    }
    while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t' || s[*len - 1] == '\r'))
        (*len)--;
    return s;
}

/* Whether a comment's text (after "--") continues the last header value: it
 * is indented past "-- " (a tab, or a space then a space or a tab). */
static int continues(const char *s, size_t n)
{
    return (n >= 1 && s[0] == '\t') || (n >= 2 && s[0] == ' ' && (s[1] == ' ' || s[1] == '\t'));
}

/* Parses one rule file's text into r: the header's line grammar (keys, continued
 * values, the body after it) in one loop. A value continues on comment lines
 * indented past "-- "; an unindented comment that is no key ends the header
 * (an author's note on how the SQL works belongs to the SQL, not to the last
 * field, which reports and alert cards print). Returns 0 or -1 with err. */
static int parse_rule(rules_rule *r, const char *text, const char *stem, char *err,
                      size_t errlen)
{
    const char *p = text, *body, *ended = NULL;
    char **last = NULL;

    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *line = p, *colon;

        if (len < 2 || line[0] != '-' || line[1] != '-') {
            if (trim(line, &len) && len == 0) {
                p = eol ? eol + 1 : p + strlen(p);
                continue;
            }
            break;
        }
        line += 2;
        len -= 2;
        colon = memchr(line, ':', len);
        {
            size_t klen = colon ? (size_t)(colon - line) : 0;
            const char *key = colon ? trim(line, &klen) : NULL;
            char **slot = key && klen && memchr(key, ' ', klen) == NULL
                              ? header_slot(r, key, klen) : NULL;
            size_t vlen;
            const char *val;

            if (slot && ended) {
                snprintf(err, errlen, "header key '%.*s' comes after a comment that ended the "
                         "header; indent that comment's lines past '-- ' or move it below",
                         (int)klen, key);
                return -1;
            } else if (ended) {
                /* the author's notes after the header: SQL comments */
            } else if (slot) {
                vlen = len - (size_t)(colon + 1 - line);
                val = trim(colon + 1, &vlen);
                if (*slot) {
                    snprintf(err, errlen, "header key '%.*s' given twice", (int)klen, key);
                    return -1;
                }
                if (append(slot, val, vlen) != 0)
                    goto oom;
                last = slot;
            } else if (key && klen && memchr(key, ' ', klen) == NULL && last == NULL) {
                snprintf(err, errlen, "unknown header key '%.*s'", (int)klen, key);
                return -1;
            } else if (last && continues(line, len)) {
                vlen = len;
                val = trim(line, &vlen);
                if (vlen && append(last, val, vlen) != 0)
                    goto oom;
            } else if (last) {
                vlen = len;
                if (trim(line, &vlen) && vlen > 0)
                    ended = p; /* the body starts at this comment */
            }
        }
        p = eol ? eol + 1 : p + strlen(p);
    }
    body = ended ? ended : p;
    if (!r->id || !r->title || !r->severity || !r->description) {
        snprintf(err, errlen, "header lacks %s (needs id, title, severity, description)",
                 !r->id ? "id" : !r->title ? "title" : !r->severity ? "severity" : "description");
        return -1;
    }
    if (strlen(r->id) > RULES_MAX_ID_LEN) {
        snprintf(err, errlen, "id longer than %d characters", RULES_MAX_ID_LEN);
        return -1;
    }
    if (strcmp(r->id, stem) != 0) {
        snprintf(err, errlen, "id '%s' does not match the file name", r->id);
        return -1;
    }
    if (!rules_valid_severity(r->severity)) {
        snprintf(err, errlen, "severity '%s' is not one of info, low, medium, high, critical",
                 r->severity);
        return -1;
    }
    if (r->stage && rules_stage_rank(r->stage) < 0) {
        snprintf(err, errlen, "stage '%s' is not one of discovery, credential-use, collection, "
                 "impact, evasion", r->stage);
        return -1;
    }
    if (r->routine && strcmp(r->routine, "yes") != 0 && strcmp(r->routine, "no") != 0) {
        snprintf(err, errlen, "routine '%s' is not yes or no", r->routine);
        return -1;
    }
    if (r->cost && strcmp(r->cost, "heavy") != 0 && strcmp(r->cost, "light") != 0) {
        snprintf(err, errlen, "cost '%s' is not heavy or light", r->cost);
        return -1;
    }
    r->sql = strdup(body);
    if (r->sql == NULL)
        goto oom;
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

static int read_file(const char *path, char **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (f == NULL) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return -1;
    }
    buf = malloc(RULES_MAX_FILE + 1);
    if (buf == NULL) {
        fclose(f);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    n = fread(buf, 1, RULES_MAX_FILE + 1, f);
    fclose(f);
    if (n > RULES_MAX_FILE) {
        free(buf);
        snprintf(err, errlen, "larger than %u KiB", RULES_MAX_FILE / 1024);
        return -1;
    }
    buf[n] = '\0';
    if (strlen(buf) != n) {
        free(buf);
        snprintf(err, errlen, "contains a NUL byte");
        return -1;
    }
    *out = buf;
    return 0;
}

static int is_rule_name(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return d->d_name[0] != '.' && n > 4 && strcmp(d->d_name + n - 4, ".sql") == 0;
}

rules *rules_load_dir(const char *dir, rules_err_fn on_err, void *ctx, char *err,
                      size_t errlen)
{
    struct dirent **ents = NULL;
    rules *set;
    int n, i;

    n = scandir(dir, &ents, is_rule_name, alphasort);
    if (n < 0) {
        snprintf(err, errlen, "cannot read rules directory %s: %s", dir, strerror(errno));
        return NULL;
    }
    set = calloc(1, sizeof *set);
    if (set == NULL || (n > 0 && (set->v = calloc((size_t)n, sizeof *set->v)) == NULL)) {
        snprintf(err, errlen, "out of memory");
        free(set);
        set = NULL;
    }
    for (i = 0; i < n; i++) {
        char path[4096], msg[512], *text = NULL;
        size_t nl = strlen(ents[i]->d_name);
        char stem[256];
        rules_rule *r;

        if (set == NULL)
            goto next;
        snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
        snprintf(stem, sizeof stem, "%.*s", (int)(nl - 4), ents[i]->d_name);
        r = &set->v[set->n];
        if (read_file(path, &text, msg, sizeof msg) != 0 ||
            parse_rule(r, text, stem, msg, sizeof msg) != 0) {
            rule_clear(r);
            if (on_err)
                on_err(ctx, path, msg);
        } else {
            r->path = strdup(path);
            hash_sha256_hex(text, strlen(text), r->sha256);
            set->n++;
        }
        free(text);
    next:
        free(ents[i]);
    }
    free(ents);
    return set;
}

/* Lets a rule read and call functions, nothing else. The one exception:
 * table-valued functions such as json_each() declare their schema when they
 * connect, which SQLite reports as an UPDATE of sqlite_master; SQLite itself
 * refuses real writes there (writable_schema is a PRAGMA, denied here), and
 * sqlite3_stmt_readonly() is checked after preparing anyway. */
static int read_only_auth(void *ctx, int action, const char *a, const char *b, const char *c,
                          const char *d)
{
    (void)ctx;
    (void)b;
    (void)c;
    (void)d;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_UPDATE:
        return a && strcmp(a, "sqlite_master") == 0 ? SQLITE_OK : SQLITE_DENY;
    default:
        return SQLITE_DENY;
    }
}

static int col_index(sqlite3_stmt *st, const char *name)
{
    int i, n = sqlite3_column_count(st);

    for (i = 0; i < n; i++)
        if (strcmp(sqlite3_column_name(st, i), name) == 0)
            return i;
    return -1;
}

/* Prepares the rule read-only and binds its parameters from settings. */
static int prepare_rule(const rules_rule *rule, sqlite3 *db, sqlite3_stmt **out, char *err,
                        size_t errlen)
{
    sqlite3_stmt *st = NULL, *q = NULL;
    const char *tail = NULL;
    int i, rc;

    sqlite3_set_authorizer(db, read_only_auth, NULL);
    rc = sqlite3_prepare_v2(db, rule->sql, -1, &st, &tail);
    sqlite3_set_authorizer(db, NULL, NULL);
    if (rc != SQLITE_OK || st == NULL) {
        snprintf(err, errlen, "SQL does not compile: %s",
                 st == NULL && rc == SQLITE_OK ? "no statement" : sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == '\r' ||
                    *tail == ';'))
        tail++;
    if (tail && *tail) {
        snprintf(err, errlen, "more than one SQL statement (a rule is one SELECT)");
        sqlite3_finalize(st);
        return -1;
    }
    if (!sqlite3_stmt_readonly(st)) {
        snprintf(err, errlen, "not a read-only SELECT");
        sqlite3_finalize(st);
        return -1;
    }
    if (sqlite3_prepare_v2(db, "SELECT value FROM settings WHERE key=?", -1, &q, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "settings table: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    for (i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
        const char *name = sqlite3_bind_parameter_name(st, i);
        if (name == NULL || name[0] != ':') {
            snprintf(err, errlen, "parameter %d must be named (:setting)", i);
            goto fail;
        }
        sqlite3_bind_text(q, 1, name + 1, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_ROW) {
            snprintf(err, errlen, "parameter %s names no setting", name);
            goto fail;
        }
        sqlite3_bind_value(st, i, sqlite3_column_value(q, 0));
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    *out = st;
    return 0;
fail:
    sqlite3_finalize(q);
    sqlite3_finalize(st);
    return -1;
}

/* At most RULES_MAX_EVENT_IDS comma-separated ids. */
static size_t cap_ids(const char *s, size_t len)
{
    size_t i, commas = 0;

    for (i = 0; i < len; i++)
        if (s[i] == ',' && ++commas == RULES_MAX_EVENT_IDS)
            return i;
    return len;
}

/* ---- running: a rule's rows, streamed into alerts or kept for later ------- */

#define RULES_FP_LEN (RULES_MAX_ID_LEN + 2 + 64 + 1) /* "ID:" + SHA-256 in hex */
#define RULES_NCOLS 12                  /* entries of rules_columns */
/* A row's values: the required columns, then the optional ones a rule may
 * return (NULL pointers when it does not): 'tables', the tables an alert
 * over several names (alerts.tables, comma-separated, capped as event_ids). */
#define RULES_TABLES RULES_NCOLS
#define RULES_NVALS (RULES_NCOLS + 1)
/* Bytes all kept results together may hold; a rule past it is run again and stored as it
 * runs. 24 MiB put a 10 000 000-event scan at 86 MiB peak; 4 MiB keeps it at 62 MiB, no
 * slower (200 000 events: their results fit; 10 000 000: 98 s against 105 s). */
#define RULES_KEEP_BUDGET (4u << 20)

static const char upsert_sql[] =
    "INSERT INTO alerts(rule_id, severity, title, first_seen, last_seen, event_count,"
    " account_id, aws_region, principal_arn, access_key_id, source_ip, table_name,"
    " event_names, event_ids, detail, mitre, fingerprint, detected_at, stage, story, status,"
    " status_reason, novelty, incident_id, tables)"
    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,"
    " strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?18, ?19, 'open', NULL, NULL, NULL, ?20)"
    " ON CONFLICT(fingerprint) DO UPDATE SET severity=excluded.severity,"
    " title=excluded.title, first_seen=excluded.first_seen, last_seen=excluded.last_seen,"
    " event_count=excluded.event_count, account_id=excluded.account_id,"
    " aws_region=excluded.aws_region, principal_arn=excluded.principal_arn,"
    " access_key_id=excluded.access_key_id, source_ip=excluded.source_ip,"
    " table_name=excluded.table_name, event_names=excluded.event_names,"
    " event_ids=excluded.event_ids, detail=excluded.detail, mitre=excluded.mitre,"
    " tables=excluded.tables,"
    " stage=excluded.stage, story=excluded.story, status='open', status_reason=NULL,"
    " novelty=NULL, incident_id=NULL";

/* A running rule: its statement and where each column is. */
struct cursor {
    sqlite3_stmt *st;
    int idx[RULES_NVALS], sev_col, group[RULES_NCOLS];
    EVP_MD_CTX *md;  /* hashes the group values into the fingerprint */
    const rules_limits *lim; /* may be NULL */
    rules_watch w;   /* the progress handler's: w.stopped says why the rule stopped */
    char fp[RULES_FP_LEN]; /* the current row's fingerprint */
};

/* One alert row: values as the rule returned them (event_ids capped),
 * severity and fingerprint. Borrowed from the cursor, or owned in a
 * rules_result. */
struct row {
    sqlite3_value *v[RULES_NVALS];
    const char *sev;
    const char *fp;
};

/* Kept rows: in memory while the shared budget lasts, then, for a rule that
 * returns more, in a scratch table of a private temporary database of its
 * own (SQLite's "" file: on disk, deleted when closed), so memory stays
 * bounded and no rule runs twice. */
struct rules_result {
    struct row *rows;   /* owned, with their values and strings */
    size_t n, alloc, bytes;
    sqlite3 *spill;     /* NULL until the budget ran out; then holds every row */
    sqlite3_stmt *put;  /* insert into the spill's rows table */
};

static void cursor_close(struct cursor *c, sqlite3 *db)
{
    if (c->lim)
        sqlite3_progress_handler(db, 0, NULL, NULL);
    sqlite3_finalize(c->st);
    EVP_MD_CTX_free(c->md);
}

void rules_watch_start(rules_watch *w, const rules_limits *lim)
{
    memset(w, 0, sizeof *w);
    w->lim = lim;
    clock_gettime(CLOCK_MONOTONIC, &w->deadline);
    if (lim)
        w->deadline.tv_sec += lim->timeout;
}

int rules_watch_hit(void *arg)
{
    rules_watch *w = arg;
    struct timespec now;

    if (w->lim == NULL)
        return 0;
    if (w->lim->stop && *w->lim->stop) {
        w->stopped = 1;
        return 1;
    }
    if (w->lim->timeout > 0) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > w->deadline.tv_sec ||
            (now.tv_sec == w->deadline.tv_sec && now.tv_nsec >= w->deadline.tv_nsec)) {
            w->stopped = 2;
            return 1;
        }
    }
    return 0;
}

void rules_watch_db(rules_watch *w, sqlite3 *db)
{
    if (w->lim && (w->lim->stop || w->lim->timeout > 0))
        sqlite3_progress_handler(db, RULES_PROGRESS_STEPS, rules_watch_hit, w);
}

static int cursor_open(struct cursor *c, const rules_rule *rule, sqlite3 *db,
                       const rules_limits *lim, char *err, size_t errlen)
{
    const char *const *grouping;
    int i;

    memset(c, 0, sizeof *c);
    c->lim = lim;
    rules_watch_start(&c->w, lim);
    rules_watch_db(&c->w, db);
    if (prepare_rule(rule, db, &c->st, err, errlen) != 0) {
        sqlite3_progress_handler(db, 0, NULL, NULL);
        return -1;
    }
    for (i = 0; rules_columns[i]; i++) {
        c->idx[i] = col_index(c->st, rules_columns[i]);
        if (c->idx[i] < 0) {
            snprintf(err, errlen, "result lacks column '%s'", rules_columns[i]);
            cursor_close(c, db);
            return -1;
        }
    }
    c->idx[RULES_TABLES] = col_index(c->st, "tables");
    c->sev_col = col_index(c->st, "severity");
    grouping = col_index(c->st, "group_key") >= 0 ? group_key_only : group_columns;
    for (i = 0; grouping[i]; i++)
        c->group[i] = col_index(c->st, grouping[i]);
    c->group[i] = -2;
    c->md = EVP_MD_CTX_new();
    if (c->md == NULL) {
        snprintf(err, errlen, "out of memory");
        cursor_close(c, db);
        return -1;
    }
    return 0;
}


int rules_check(const rules_rule *rule, sqlite3 *db, char *err, size_t errlen)
{
    struct cursor c;

    if (cursor_open(&c, rule, db, NULL, err, errlen) != 0)
        return -1;
    cursor_close(&c, db);
    return 0;
}

/* Fingerprints the current row: "RULE-ID:" and the SHA-256 of its group
 * values, each hashed whole with its type and length, so no value is cut
 * short (a NUL inside it, any size) and no two groups run together ("a|b", "c"
 * against "a", "b|c"): distinct groups never merge into one alert. */
static int fingerprint(struct cursor *c, const rules_rule *rule)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0, k;
    size_t n;
    int i;

    if (EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1)
        return -1;
    for (i = 0; c->group[i] != -2; i++) {
        unsigned char head[9] = {0};
        const void *p = NULL;
        uint64_t len = 0;
        if (c->group[i] >= 0 && sqlite3_column_type(c->st, c->group[i]) != SQLITE_NULL) {
            p = sqlite3_column_blob(c->st, c->group[i]);
            len = (uint64_t)sqlite3_column_bytes(c->st, c->group[i]);
            head[0] = 1;
        }
        for (k = 0; k < 8; k++)
            head[1 + k] = (unsigned char)(len >> (8 * k));
        if (EVP_DigestUpdate(c->md, head, sizeof head) != 1 ||
            (len && EVP_DigestUpdate(c->md, p, (size_t)len) != 1))
            return -1;
    }
    if (EVP_DigestFinal_ex(c->md, md, &mdlen) != 1)
        return -1;
    n = (size_t)snprintf(c->fp, sizeof c->fp, "%s:", rule->id);
    for (k = 0; k < mdlen && n + 2 < sizeof c->fp; k++) {
        c->fp[n++] = hex[md[k] >> 4];
        c->fp[n++] = hex[md[k] & 15];
    }
    c->fp[n] = '\0';
    return 0;
}

/* Steps to the next row and views it in *r. Returns 1 for a row, 0 at the
 * end, -1 with err on a run-time error. */
static int cursor_next(struct cursor *c, const rules_rule *rule, sqlite3 *db, struct row *r,
                       char *err, size_t errlen)
{
    int rc = sqlite3_step(c->st), i;

    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW) {
        if (c->w.stopped == 1)
            snprintf(err, errlen, "interrupted");
        else if (c->w.stopped == 2)
            snprintf(err, errlen, "timed out after %ld s (rule_timeout_seconds)",
                     c->lim->timeout);
        else
            snprintf(err, errlen, "run-time error: %s", sqlite3_errmsg(db));
        return -1;
    }
    for (i = 0; i < RULES_NVALS; i++)
        r->v[i] = c->idx[i] >= 0 ? sqlite3_column_value(c->st, c->idx[i]) : NULL;
    r->sev = rule->severity;
    if (c->sev_col >= 0 && sqlite3_column_type(c->st, c->sev_col) != SQLITE_NULL &&
        rules_valid_severity((const char *)sqlite3_column_text(c->st, c->sev_col)))
        r->sev = (const char *)sqlite3_column_text(c->st, c->sev_col);
    if (fingerprint(c, rule) != 0) {
        snprintf(err, errlen, "cannot hash the alert's group values");
        return -1;
    }
    r->fp = c->fp;
    return 1;
}

/* Where one run of a rule stores its alerts: the upsert, and the
 * fingerprints it stored, so that once the run has ended well the rule's
 * alerts it no longer derives can go (upsert_end). Late logs reshape what a
 * rule derives: a burst whose start moves has a new group key, and two bursts
 * a late file joins are one; the old alerts are then no longer true. */
struct upsert {
    sqlite3_stmt *ins, *keep;
    long kept; /* distinct fingerprints stored (a rule may return one group twice) */
};

/* Prepares u for rule's alerts. Alerts stored by versions before hashed
 * fingerprints ("ID|value|...", which let values run together) are dropped
 * first: the rule is about to re-derive them from the events. */
static int upsert_begin(struct upsert *u, const rules_rule *rule, sqlite3 *db)
{
    sqlite3_stmt *del;
    int rc;

    u->ins = u->keep = NULL;
    u->kept = 0;
    rc = sqlite3_prepare_v2(db, "DELETE FROM alerts WHERE rule_id = ?1 AND"
                                " substr(fingerprint, 1, length(?1) + 1) <> ?1 || ':'",
                            -1, &del, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(del, 1, rule->id, -1, SQLITE_STATIC);
    rc = sqlite3_step(del);
    sqlite3_finalize(del);
    if (rc != SQLITE_DONE)
        return rc;
    rc = sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS rule_kept(fingerprint TEXT PRIMARY KEY)"
                          " WITHOUT ROWID; DELETE FROM temp.rule_kept",
                      NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO temp.rule_kept VALUES(?1)", -1,
                                &u->keep, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, upsert_sql, -1, &u->ins, NULL);
    return rc;
}

/* The rule's alerts in the store, by the fingerprint index: each fingerprint
 * starts with the rule id and ':' (upsert_begin dropped any other form). */
#define RULE_FPS " FROM alerts WHERE fingerprint >= ?1 || ':' AND fingerprint < ?1 || ';'"

/* Ends a run begun by upsert_begin: when it stored every row (ok), deletes
 * the rule's alerts it did not store. A run that failed keeps what the rule
 * had, and so does a store merged from shards' alerts without their events
 * (meta events_merged 'no'), whose alerts no rule here could derive again.
 * The usual run retires nothing, which a count says at once: the rule holds
 * as many alerts as the run stored distinct ones only when they are the ones
 * it stored (50 000 alerts: the set difference alone took 0.08 s). Returns
 * 0, or -1 with err set. */
static int upsert_end(struct upsert *u, const rules_rule *rule, sqlite3 *db, int ok, char *err,
                      size_t errlen)
{
    static const char count_sql[] = "SELECT count(*)" RULE_FPS;
    static const char retire_sql[] =
        "DELETE FROM alerts WHERE fingerprint IN (SELECT fingerprint" RULE_FPS
        " EXCEPT SELECT fingerprint FROM temp.rule_kept)"
        " AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'events_merged' AND value = 'no')";
    sqlite3_stmt *st = NULL;
    int rc;

    sqlite3_finalize(u->ins);
    sqlite3_finalize(u->keep);
    u->ins = u->keep = NULL;
    if (!ok)
        return 0;
    rc = sqlite3_prepare_v2(db, count_sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, rule->id, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) == u->kept)
            rc = SQLITE_OK; /* nothing to retire */
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) {
        st = NULL;
        rc = sqlite3_prepare_v2(db, retire_sql, -1, &st, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(st, 1, rule->id, -1, SQLITE_STATIC);
            rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        }
        sqlite3_finalize(st);
    }
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot retire alerts: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

/* Upserts one row through u and notes its fingerprint. */
static int store_row(struct upsert *u, const rules_rule *rule, const struct row *r, sqlite3 *db,
                     char *err, size_t errlen)
{
    sqlite3_stmt *ins = u->ins;
    int i, rc;

    sqlite3_bind_text(ins, 1, rule->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, r->sev, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 3, rule->title, -1, SQLITE_STATIC);
    for (i = 0; i < RULES_NCOLS; i++) {
        sqlite3_value *v = r->v[i];
        if (strcmp(rules_columns[i], "event_ids") == 0 && sqlite3_value_type(v) == SQLITE_TEXT) {
            const char *t = (const char *)sqlite3_value_text(v);
            sqlite3_bind_text(ins, 4 + i, t, (int)cap_ids(t, (size_t)sqlite3_value_bytes(v)),
                              SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_value(ins, 4 + i, v);
        }
    }
    if (rule->mitre)
        sqlite3_bind_text(ins, 16, rule->mitre, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(ins, 16);
    sqlite3_bind_text(ins, 17, r->fp, -1, SQLITE_TRANSIENT);
    if (rule->stage)
        sqlite3_bind_text(ins, 18, rule->stage, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(ins, 18);
    sqlite3_bind_text(ins, 19, rule->story ? rule->story : rule->title, -1, SQLITE_STATIC);
    if (r->v[RULES_TABLES] && sqlite3_value_type(r->v[RULES_TABLES]) == SQLITE_TEXT) {
        const char *t = (const char *)sqlite3_value_text(r->v[RULES_TABLES]);
        sqlite3_bind_text(ins, 20, t,
                          (int)cap_ids(t, (size_t)sqlite3_value_bytes(r->v[RULES_TABLES])),
                          SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(ins, 20);
    }
    rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    if (rc == SQLITE_DONE) {
        sqlite3_bind_text(u->keep, 1, r->fp, -1, SQLITE_STATIC);
        rc = sqlite3_step(u->keep);
        sqlite3_reset(u->keep);
        u->kept += sqlite3_changes(db) > 0;
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "cannot store alert: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

int rules_run(const rules_rule *rule, sqlite3 *db, const rules_limits *lim, long *alerts,
              char *err, size_t errlen)
{
    struct cursor c;
    struct row r;
    struct upsert u;
    int rc;

    *alerts = 0;
    if (cursor_open(&c, rule, db, lim, err, errlen) != 0)
        return -1;
    if (upsert_begin(&u, rule, db) != SQLITE_OK) {
        snprintf(err, errlen, "alerts table: %s", sqlite3_errmsg(db));
        upsert_end(&u, rule, db, 0, err, errlen);
        cursor_close(&c, db);
        return -1;
    }
    while ((rc = cursor_next(&c, rule, db, &r, err, errlen)) == 1) {
        if (store_row(&u, rule, &r, db, err, errlen) != 0) {
            rc = -1;
            break;
        }
        (*alerts)++;
    }
    cursor_close(&c, db);
    if (upsert_end(&u, rule, db, rc == 0, err, errlen) != 0)
        rc = -1;
    return rc;
}

void rules_result_free(rules_result *res)
{
    size_t i;
    int k;

    if (res == NULL)
        return;
    for (i = 0; i < res->n; i++) {
        for (k = 0; k < RULES_NVALS; k++)
            sqlite3_value_free(res->rows[i].v[k]);
        free((char *)res->rows[i].sev);
        free((char *)res->rows[i].fp);
    }
    free(res->rows);
    sqlite3_finalize(res->put);
    sqlite3_close(res->spill);
    free(res);
}

/* Frees the rows held in memory (after they moved to the spill). */
static void drop_rows(rules_result *res)
{
    size_t i;
    int k;

    for (i = 0; i < res->n; i++) {
        for (k = 0; k < RULES_NVALS; k++)
            sqlite3_value_free(res->rows[i].v[k]);
        free((char *)res->rows[i].sev);
        free((char *)res->rows[i].fp);
    }
    free(res->rows);
    res->rows = NULL;
    res->n = res->alloc = 0;
}

/* Appends one row to the spill. Returns 0, or -1 with err. */
static int spill_row(rules_result *res, const struct row *r, char *err, size_t errlen)
{
    int i, rc;

    for (i = 0; i < RULES_NVALS; i++) {
        if (r->v[i])
            sqlite3_bind_value(res->put, i + 1, r->v[i]);
        else
            sqlite3_bind_null(res->put, i + 1);
    }
    sqlite3_bind_text(res->put, RULES_NVALS + 1, r->sev, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(res->put, RULES_NVALS + 2, r->fp, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(res->put);
    sqlite3_reset(res->put);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "cannot keep the rule's rows in a scratch table: %s",
                 sqlite3_errmsg(res->spill));
        return -1;
    }
    return 0;
}

/* Opens the spill and moves the rows kept so far into it, in order. */
static int spill_open(rules_result *res, char *err, size_t errlen)
{
    char sql[256];
    size_t i, n = 0;

    if (sqlite3_open_v2("", &res->spill, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(res->spill, "PRAGMA cache_size=-256; PRAGMA journal_mode=OFF;"
                                 " PRAGMA synchronous=OFF; CREATE TABLE rows(v0, v1, v2, v3,"
                                 " v4, v5, v6, v7, v8, v9, v10, v11, v12, sev, fp)",
                     NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO rows VALUES(");
    for (i = 0; i < RULES_NVALS + 2; i++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s?", i ? "," : "");
    snprintf(sql + n, sizeof sql - n, ")");
    if (sqlite3_prepare_v2(res->spill, sql, -1, &res->put, NULL) != SQLITE_OK ||
        sqlite3_exec(res->spill, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    for (i = 0; i < res->n; i++)
        if (spill_row(res, &res->rows[i], err, errlen) != 0)
            return -1;
    drop_rows(res);
    return 0;
fail:
    snprintf(err, errlen, "cannot open a scratch table for the rule's rows: %s",
             res->spill ? sqlite3_errmsg(res->spill) : "out of memory");
    return -1;
}

/* What kept results may still take: shared by the threads of one
 * rules_pool, so the total stays bounded however many rules run. */
struct budget {
    pthread_mutex_t *mu;
    size_t left;
};

/* Takes bytes from the budget. Returns 0, or 1 when it is spent. */
static int budget_take(struct budget *b, size_t bytes)
{
    int spent;

    pthread_mutex_lock(b->mu);
    spent = bytes > b->left;
    if (!spent)
        b->left -= bytes;
    pthread_mutex_unlock(b->mu);
    return spent;
}

static void budget_give(struct budget *b, size_t bytes)
{
    pthread_mutex_lock(b->mu);
    b->left += bytes;
    pthread_mutex_unlock(b->mu);
}

/* Copies a viewed row into res. Returns 0, 1 when the budget is spent, -1
 * when out of memory. */
static int keep_row(rules_result *res, const struct row *r, struct budget *b)
{
    struct row *k;
    size_t bytes = sizeof *k + strlen(r->sev) + strlen(r->fp) + 2;
    int i;

    for (i = 0; i < RULES_NVALS; i++)
        bytes += 64 + (r->v[i] ? (size_t)sqlite3_value_bytes(r->v[i]) : 0);
    if (budget_take(b, bytes) != 0)
        return 1;
    res->bytes += bytes;
    if (res->n == res->alloc) {
        size_t alloc = res->alloc ? 2 * res->alloc : 64;
        struct row *rows = realloc(res->rows, alloc * sizeof *rows);
        if (rows == NULL)
            return -1;
        res->rows = rows;
        res->alloc = alloc;
    }
    k = &res->rows[res->n];
    memset(k, 0, sizeof *k);
    res->n++; /* counted now so rules_result_free releases a half-copied row */
    for (i = 0; i < RULES_NVALS; i++) {
        k->v[i] = r->v[i] ? sqlite3_value_dup(r->v[i]) : NULL;
        if (k->v[i] == NULL && r->v[i])
            return -1;
    }
    k->sev = strdup(r->sev);
    k->fp = strdup(r->fp);
    if (k->sev == NULL || k->fp == NULL)
        return -1;
    return 0;
}

/* Runs a rule on db and keeps its rows: in memory within the budget, the
 * rest of them in a spill. Returns 0 with a new result in *out, or -1 with
 * the reason in err. */
static int query_keep(const rules_rule *rule, sqlite3 *db, const rules_limits *lim,
                      struct budget *b, rules_result **out, char *err, size_t errlen)
{
    rules_result *res = calloc(1, sizeof *res);
    struct cursor c;
    struct row r;
    int rc;

    *out = NULL;
    if (res == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (cursor_open(&c, rule, db, lim, err, errlen) != 0) {
        free(res);
        return -1;
    }
    while ((rc = cursor_next(&c, rule, db, &r, err, errlen)) == 1) {
        int k = res->spill ? spill_row(res, &r, err, errlen) : keep_row(res, &r, b);
        if (k == 1) {
            /* the budget is spent: this rule's rows go to disk, and what it held in
             * memory goes back to the other rules */
            budget_give(b, res->bytes);
            res->bytes = 0;
            k = spill_open(res, err, errlen);
            if (k == 0)
                k = spill_row(res, &r, err, errlen);
        }
        if (k != 0) {
            if (k < 0 && !err[0])
                snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
    }
    cursor_close(&c, db);
    if (rc == 0 && res->spill) {
        if (sqlite3_exec(res->spill, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "scratch table: %s", sqlite3_errmsg(res->spill));
            rc = -1;
        } else {
            sqlite3_db_release_memory(res->spill);
        }
    }
    if (rc != 0) {
        budget_give(b, res->bytes);
        rules_result_free(res);
        return rc;
    }
    *out = res;
    return 0;
}

int rules_store(const rules_rule *rule, const rules_result *res, sqlite3 *db,
                const rules_limits *lim, long *alerts, char *err, size_t errlen)
{
    sqlite3_stmt *get = NULL;
    struct upsert u;
    rules_watch w;
    struct row r;
    size_t i;
    int rc = 0, k;

    *alerts = 0;
    rules_watch_start(&w, lim);
    rules_watch_db(&w, db);
    if (upsert_begin(&u, rule, db) != SQLITE_OK) {
        snprintf(err, errlen, "alerts table: %s", sqlite3_errmsg(db));
        upsert_end(&u, rule, db, 0, err, errlen);
        sqlite3_progress_handler(db, 0, NULL, NULL);
        return -1;
    }
    for (i = 0; i < res->n && rc == 0; i++) {
        rc = store_row(&u, rule, &res->rows[i], db, err, errlen);
        if (rc == 0)
            (*alerts)++;
    }
    if (rc == 0 && res->spill) {
        if (sqlite3_prepare_v2(res->spill, "SELECT * FROM rows ORDER BY rowid", -1, &get, NULL) !=
            SQLITE_OK) {
            snprintf(err, errlen, "scratch table: %s", sqlite3_errmsg(res->spill));
            rc = -1;
        }
        while (rc == 0 && (k = sqlite3_step(get)) != SQLITE_DONE) {
            int c;
            if (k != SQLITE_ROW) {
                snprintf(err, errlen, "scratch table: %s", sqlite3_errmsg(res->spill));
                rc = -1;
                break;
            }
            for (c = 0; c < RULES_NVALS; c++)
                r.v[c] = sqlite3_column_value(get, c);
            r.sev = (const char *)sqlite3_column_text(get, RULES_NVALS);
            r.fp = (const char *)sqlite3_column_text(get, RULES_NVALS + 1);
            rc = store_row(&u, rule, &r, db, err, errlen);
            if (rc == 0)
                (*alerts)++;
        }
        sqlite3_finalize(get);
    }
    if (upsert_end(&u, rule, db, rc == 0, err, errlen) != 0)
        rc = -1;
    if (rc != 0 && w.stopped)
        snprintf(err, errlen, w.stopped == 1 ? "interrupted" : "timed out storing its alerts");
    sqlite3_progress_handler(db, 0, NULL, NULL);
    return rc;
}

void rules_take_warning(sqlite3 *db, char *buf, size_t len)
{
    sqlite3_stmt *st;

    if (len)
        buf[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT regexp_warnings()", -1, &st, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* ---- several rules at once ---------------------------------------------- */

struct rules_pool {
    pthread_mutex_t mu;
    pthread_cond_t ended; /* signalled whenever a job ends */
    struct budget budget;
    rules_job *jobs;       /* borrowed */
    unsigned char *done;   /* owned: done[k] once jobs[k] has ended */
    size_t *order;         /* owned: the jobs in the order they are taken */
    size_t n, next;
    const char *path;      /* borrowed */
    int fn_flags, started;
    const rules_limits *lim;
    pthread_t tid[RULES_MAX_THREADS];
};

/* Takes jobs until none is left. A worker whose connection cannot be opened
 * hands its jobs back (status 1): the caller runs them itself. */
static void *query_worker(void *arg)
{
    rules_pool *p = arg;
    sqlite3 *db = NULL;
    char err[256];
    int ok = sqlite3_open_v2(p->path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
             sqlite3_exec(db, "PRAGMA cache_size=-2048", NULL, NULL, NULL) == SQLITE_OK &&
             functions_register(db, p->fn_flags, err, sizeof err) == 0;

    if (ok)
        sqlite3_busy_timeout(db, 30000);
    for (;;) {
        rules_job *j;
        size_t k;
        pthread_mutex_lock(&p->mu);
        k = p->next < p->n ? p->order[p->next++] : p->n;
        pthread_mutex_unlock(&p->mu);
        if (k == p->n)
            break;
        j = &p->jobs[k];
        j->err[0] = '\0';
        j->status = ok ? query_keep(j->rule, db, p->lim, &p->budget, &j->result, j->err,
                                    sizeof j->err)
                       : 1;
        if (ok)
            rules_take_warning(db, j->warn, sizeof j->warn);
        pthread_mutex_lock(&p->mu);
        p->done[k] = 1;
        pthread_cond_broadcast(&p->ended);
        pthread_mutex_unlock(&p->mu);
    }
    sqlite3_close(db);
    return NULL;
}

/* 1 for a rule whose header says cost: heavy. */
static int heavy(const rules_rule *r)
{
    return r->cost && strcmp(r->cost, "heavy") == 0;
}

rules_pool *rules_query_start(const char *path, int fn_flags, rules_job *jobs, size_t n,
                              int threads, const rules_limits *lim)
{
    rules_pool *p;
    size_t k;
    int i;

    for (k = 0; k < n; k++) {
        jobs[k].result = NULL;
        jobs[k].status = 1;
        jobs[k].err[0] = '\0';
        jobs[k].warn[0] = '\0';
    }
    if (path == NULL || path[0] == '\0' || n == 0 || threads < 2)
        return NULL; /* one thread has nothing to overlap: rules_run() streams */
    if (threads > RULES_MAX_THREADS)
        threads = RULES_MAX_THREADS;
    if ((size_t)threads > n)
        threads = (int)n;
    if ((p = calloc(1, sizeof *p)) == NULL)
        return NULL;
    if ((p->done = calloc(n, 1)) == NULL || (p->order = malloc(n * sizeof *p->order)) == NULL ||
        pthread_mutex_init(&p->mu, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&p->ended, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    /* heavy rules first, the rest in rule order: the long pole starts at once and the
     * other threads work through the light rules meanwhile (the results are stored in
     * rule order whatever order they ran in) */
    for (k = 0; k < n; k++)
        if (heavy(jobs[k].rule))
            p->order[p->next++] = k;
    for (k = 0; k < n; k++)
        if (!heavy(jobs[k].rule))
            p->order[p->next++] = k;
    p->next = 0;
    p->budget.mu = &p->mu;
    p->budget.left = RULES_KEEP_BUDGET;
    p->jobs = jobs;
    p->n = n;
    p->path = path;
    p->fn_flags = fn_flags;
    p->lim = lim;
    for (i = 0; i < threads; i++)
        if (pthread_create(&p->tid[p->started], NULL, query_worker, p) == 0)
            p->started++;
    if (p->started == 0) {
        rules_query_end(p);
        return NULL;
    }
    return p;
fail:
    free(p->done);
    free(p->order);
    free(p);
    return NULL;
}

void rules_query_wait(rules_pool *p, size_t k)
{
    if (p == NULL || k >= p->n)
        return;
    pthread_mutex_lock(&p->mu);
    while (!p->done[k])
        pthread_cond_wait(&p->ended, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void rules_query_release(rules_pool *p, rules_job *job)
{
    if (job->result && p)
        budget_give(&p->budget, job->result->bytes);
    rules_result_free(job->result);
    job->result = NULL;
}

void rules_query_end(rules_pool *p)
{
    int i;

    if (p == NULL)
        return;
    for (i = 0; i < p->started; i++)
        pthread_join(p->tid[i], NULL);
    pthread_cond_destroy(&p->ended);
    pthread_mutex_destroy(&p->mu);
    free(p->done);
    free(p->order);
    free(p);
}
