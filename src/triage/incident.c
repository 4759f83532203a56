/*
 * incident: incidents (see incident.h).
 *
 * The alerts are read once into an array; for each link kind (actor, key,
 * public IP) a sort by (value, first seen) puts the alerts that may join
 * next to each other, and a walk with the running end of the chain unions
 * them (union-find). Then each group is written as one incidents row.
 */
#include "incident.h"
#include "address.h"
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INCIDENT_STORY_MAX 1024 /* bytes of an incident's story */

struct alert {
    int64_t id, first, last;
    int sev, stage;        /* ranks; stage -1 when the rule gives none */
    char *actor, *key, *ip, *story;
    size_t parent;         /* union-find */
    size_t root;           /* find() of this alert, once the groups are final */
    int64_t incident;      /* the incidents row written for its group */
};

static size_t find(struct alert *a, size_t i)
{
    while (a[i].parent != i) {
        a[i].parent = a[a[i].parent].parent;
        i = a[i].parent;
    }
    return i;
}

static void unite(struct alert *a, size_t x, size_t y)
{
    x = find(a, x);
    y = find(a, y);
    if (x != y)
        a[x > y ? x : y].parent = x < y ? x : y; /* the earlier alert's index is the root */
}

/* The field alerts link on: kind 0 actor, 1 access key, 2 public IP. */
static const char *field(const struct alert *a, int kind)
{
    return kind == 0 ? a->actor : kind == 1 ? a->key : a->ip;
}

/* What a sort compares by, and where it counts its comparisons: the work
 * incident_build() reports, which tests bound to O(n log n). */
struct order {
    int kind;       /* by_field: the link kind */
    uint64_t *work; /* comparisons made; never NULL */
};

/* qsort_r order: by the linking field, then first seen. */
static int by_field(const void *x, const void *y, void *arg)
{
    const struct alert *const *a = x, *const *b = y;
    struct order *o = arg;
    const char *fa = field(*a, o->kind), *fb = field(*b, o->kind);
    int c = strcmp(fa ? fa : "", fb ? fb : "");

    (*o->work)++;
    if (c)
        return c;
    return (*a)->first < (*b)->first ? -1 : (*a)->first > (*b)->first;
}

static int by_root(const void *x, const void *y, void *arg)
{
    const struct alert *const *a = x, *const *b = y;
    struct order *o = arg;

    (*o->work)++;
    if ((*a)->root != (*b)->root)
        return (*a)->root < (*b)->root ? -1 : 1;
    return *a < *b ? -1 : *a > *b;
}

/* Orders a group's alerts as the story tells them: stage, then time. */
static int by_stage(const void *x, const void *y, void *arg)
{
    const struct alert *const *a = x, *const *b = y;
    struct order *o = arg;
    int sa = (*a)->stage < 0 ? 1 : (*a)->stage, sb = (*b)->stage < 0 ? 1 : (*b)->stage;

    (*o->work)++;
    if (sa != sb)
        return sa - sb;
    return (*a)->first < (*b)->first ? -1 : (*a)->first > (*b)->first;
}

/* One value of a group's alert, and where in the group it stands. */
struct occurrence {
    const char *v;
    size_t at;
};

static int by_value(const void *x, const void *y, void *arg)
{
    const struct occurrence *a = x, *b = y;
    struct order *o = arg;
    int c = strcmp(a->v, b->v);

    (*o->work)++;
    if (c)
        return c;
    return a->at < b->at ? -1 : a->at > b->at;
}

/* Sets first[i] to 1 where get(g[i]) is not NULL and no earlier alert of the
 * group has the same value, 0 elsewhere, by sorting the values (a group of
 * 50 000 alerts must not compare each with every earlier one). occ is
 * scratch of n entries. Returns the number of distinct values. */
static size_t mark_first(struct alert **g, size_t n, const char *(*get)(const struct alert *),
                         struct occurrence *occ, unsigned char *first, uint64_t *work)
{
    struct order o = {0, work};
    size_t i, m = 0, distinct = 0;

    for (i = 0; i < n; i++) {
        first[i] = 0;
        if (get(g[i]) != NULL) {
            occ[m].v = get(g[i]);
            occ[m++].at = i;
        }
    }
    qsort_r(occ, m, sizeof *occ, by_value, &o);
    for (i = 0; i < m; i++)
        if (i == 0 || strcmp(occ[i - 1].v, occ[i].v) != 0) {
            first[occ[i].at] = 1;
            distinct++;
        }
    *work += n + m;
    return distinct;
}

static char *dup_col(sqlite3_stmt *st, int c)
{
    const char *s = (const char *)sqlite3_column_text(st, c);

    return s ? strdup(s) : NULL;
}

static void free_alerts(struct alert *a, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(a[i].actor);
        free(a[i].key);
        free(a[i].ip);
        free(a[i].story);
    }
    free(a);
}

/* Appends s to the buffer when it fits, with sep before it unless first. */
static void add(char *buf, size_t *n, const char *sep, const char *s)
{
    int w = snprintf(buf + *n, INCIDENT_STORY_MAX - *n, "%s%s", *n ? sep : "", s);

    if (w > 0 && *n + (size_t)w < INCIDENT_STORY_MAX)
        *n += (size_t)w;
}

/* The short name of an actor ARN: what follows ":" of its resource part. */
static const char *short_actor(const char *arn)
{
    const char *c = arn ? strrchr(arn, ':') : NULL;

    return c && c[1] ? c + 1 : arn ? arn : "?";
}

/* One distinct-value list of a group for the incidents row: "a, b" (at most 5,
 * in the group's order), from the marks of mark_first(). */
static void distinct(struct alert **g, size_t n, const char *(*get)(const struct alert *),
                     const unsigned char *first, size_t count, char *out, size_t outlen)
{
    size_t i, used = 0, listed = 0;

    out[0] = '\0';
    for (i = 0; i < n && listed < 5; i++) {
        if (!first[i])
            continue;
        listed++;
        if (used < outlen)
            used += (size_t)snprintf(out + used, outlen - used, "%s%s", used ? ", " : "",
                                     get(g[i]));
    }
    if (count > 5 && used < outlen)
        snprintf(out + used, outlen - used, " (+%zu more)", count - 5);
}

static const char *get_actor(const struct alert *a) { return a->actor; }
static const char *get_short(const struct alert *a)
{
    return a->actor ? short_actor(a->actor) : NULL;
}
static const char *get_key(const struct alert *a) { return a->key; }
static const char *get_ip(const struct alert *a) { return a->ip; }
static const char *get_story(const struct alert *a) { return a->story; }


/* Scratch for write_incident(), sized for the largest group. */
struct scratch {
    struct occurrence *occ;
    unsigned char *first;
    uint64_t *work;
};

/* The distinct values of one field of a group, listed into out. */
static void list_field(struct alert **g, size_t n, const char *(*get)(const struct alert *),
                       struct scratch *sc, char *out, size_t outlen)
{
    size_t count = mark_first(g, n, get, sc->occ, sc->first, sc->work);

    distinct(g, n, get, sc->first, count, out, outlen);
}

/* Writes one incident from its alerts (sorted by stage in place) and notes its id in
 * each of them for mark_alerts(). Long: the row is
 * assembled column by column (span, severity, stages, distinct lists, story) in the
 * table's order. */
static int write_incident(sqlite3_stmt *ins, struct alert **g, size_t n, struct scratch *sc)
{
    char story[INCIDENT_STORY_MAX], stages[128] = "", actors[512], who[512], keys[512], ips[512];
    char first[32], last[32];
    size_t i, sn = 0, tn = 0;
    struct order by = {0, sc->work};
    int64_t t0 = g[0]->first, t1 = g[0]->last, id;
    int sev = 0, nstages = 0, seen_stage[5] = {0}, rc;
    time_t tt;
    struct tm tm;

    qsort_r(g, n, sizeof *g, by_stage, &by);
    *sc->work += n;
    for (i = 0; i < n; i++) {
        if (g[i]->first < t0)
            t0 = g[i]->first;
        if (g[i]->last > t1)
            t1 = g[i]->last;
        if (g[i]->sev > sev)
            sev = g[i]->sev;
        if (g[i]->stage >= 0 && !seen_stage[g[i]->stage]++) {
            nstages++;
            tn += (size_t)snprintf(stages + tn, sizeof stages - tn, "%s%s", tn ? ", " : "",
                                   rules_stage_name(g[i]->stage));
        }
    }
    if (nstages >= 3 && sev < 4)
        sev++;
    list_field(g, n, get_actor, sc, actors, sizeof actors);
    list_field(g, n, get_short, sc, who, sizeof who);
    list_field(g, n, get_key, sc, keys, sizeof keys);
    list_field(g, n, get_ip, sc, ips, sizeof ips);
    /* who, from where: then each step once, in stage order */
    story[0] = '\0';
    if (who[0])
        add(story, &sn, "", who);
    if (keys[0] && !strchr(keys, ',')) {
        add(story, &sn, "", " (");
        add(story, &sn, "", keys);
        add(story, &sn, "", ")");
    }
    if (ips[0]) {
        add(story, &sn, "", " from ");
        add(story, &sn, "", ips);
    }
    if (sn)
        add(story, &sn, "", ": ");
    {
        size_t start = sn;
        mark_first(g, n, get_story, sc->occ, sc->first, sc->work);
        for (i = 0; i < n; i++) {
            if (sc->first[i]) {
                char piece[300];
                snprintf(piece, sizeof piece, "%s%s", sn > start ? " \u2192 " : "", g[i]->story);
                add(story, &sn, "", piece);
            }
        }
    }
    tt = (time_t)t0;
    gmtime_r(&tt, &tm);
    strftime(first, sizeof first, "%Y-%m-%dT%H:%M:%SZ", &tm);
    tt = (time_t)t1;
    gmtime_r(&tt, &tm);
    strftime(last, sizeof last, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sqlite3_bind_text(ins, 1, first, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 2, last, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 3, rules_severity_name(sev), -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 4, (sqlite3_int64)n);
    sqlite3_bind_text(ins, 5, stages, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 6, story, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 7, actors, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 8, keys, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 9, ips, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    if (rc != SQLITE_DONE)
        return -1;
    id = sqlite3_last_insert_rowid(sqlite3_db_handle(ins));
    for (i = 0; i < n; i++)
        g[i]->incident = id;
    return 0;
}

static int by_id(const void *x, const void *y, void *arg)
{
    const struct alert *const *a = x, *const *b = y;
    struct order *o = arg;

    (*o->work)++;
    return (*a)->id < (*b)->id ? -1 : (*a)->id > (*b)->id;
}

/* Sets each alert's incident_id in alert_id order: one pass over the alerts
 * table, where the groups' order visited its pages at random (50 000 alerts of
 * one rule, scan of the bench's noisy corpus: incident_build() 0.60-0.66 s ->
 * 0.30-0.38 s). Only changed ids are written. */
static int mark_alerts(sqlite3_stmt *mark, struct alert **order, size_t n, struct order *by)
{
    size_t i;

    qsort_r(order, n, sizeof *order, by_id, by);
    for (i = 0; i < n; i++) {
        int rc;
        sqlite3_bind_int64(mark, 1, order[i]->incident);
        sqlite3_bind_int64(mark, 2, order[i]->id);
        rc = sqlite3_step(mark);
        sqlite3_reset(mark);
        if (rc != SQLITE_DONE)
            return -1;
    }
    return 0;
}

/* Reads the current row of the alerts query into x, the index-th alert.
 * Returns 0, or -1 when out of memory (x is then half filled: free it). */
static int read_alert(sqlite3_stmt *st, struct alert *x, size_t index)
{
    const char *ip = (const char *)sqlite3_column_text(st, 8);

    memset(x, 0, sizeof *x);
    x->id = sqlite3_column_int64(st, 0);
    x->first = sqlite3_column_int64(st, 1);
    x->last = sqlite3_column_type(st, 2) == SQLITE_NULL ? x->first : sqlite3_column_int64(st, 2);
    x->sev = rules_severity_rank((const char *)sqlite3_column_text(st, 3));
    if (x->sev < 0)
        x->sev = 0;
    x->stage = rules_stage_rank((const char *)sqlite3_column_text(st, 4));
    x->parent = index;
    x->story = dup_col(st, 5);
    x->actor = dup_col(st, 6);
    x->key = dup_col(st, 7);
    /* only a public address links: 10.0.0.5 is a thousand unrelated hosts */
    if (ip && strcmp(address_kind(ip, strlen(ip)), "public") == 0)
        x->ip = dup_col(st, 8);
    if ((sqlite3_column_type(st, 5) != SQLITE_NULL && x->story == NULL) ||
        (sqlite3_column_type(st, 6) != SQLITE_NULL && x->actor == NULL))
        return -1;
    return 0;
}

/* Unites the alerts that share the field of one link kind and overlap or
 * follow each other within gap: sorted by that field and time, each alert
 * meets its only candidates next to it, and the running end of the chain
 * says whether it still reaches. */
static void link_kind(struct alert *a, struct alert **order, size_t n, int kind, int64_t gap,
                      uint64_t *work)
{
    struct order by = {kind, work};
    int64_t reach = 0;
    size_t i;

    for (i = 0; i < n; i++)
        order[i] = &a[i];
    qsort_r(order, n, sizeof *order, by_field, &by);
    *work += n;
    for (i = 0; i < n; i++) {
        const char *v = field(order[i], kind), *prev = i ? field(order[i - 1], kind) : NULL;
        if (v == NULL)
            continue;
        if (prev && strcmp(prev, v) == 0 && order[i]->first <= reach + gap) {
            unite(a, (size_t)(order[i] - a), (size_t)(order[i - 1] - a));
            if (order[i]->last > reach)
                reach = order[i]->last;
        } else {
            reach = order[i]->last;
        }
    }
}

/* Runs one statement to its end, adding its VM steps to *work. */
static int exec_counted(sqlite3 *db, const char *sql, uint64_t *work)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    *work += (uint64_t)sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static uint64_t steps(sqlite3_stmt *st)
{
    return st ? (uint64_t)sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0) : 0;
}

/* Writes the groups, each one incidents row, and marks their alerts.
 * Returns 0, 1 when cancel stopped it, or -1 (db's error). */
static int write_groups(sqlite3 *db, struct alert *a, struct alert **order, size_t n,
                        struct scratch *sc, incident_cancel_fn cancel, void *ctx,
                        long *incidents)
{
    sqlite3_stmt *ins = NULL, *mark = NULL;
    struct order by = {0, sc->work};
    size_t i, j;
    int rc = -1;

    if (sqlite3_prepare_v2(db,
                           "INSERT INTO incidents(first_seen, last_seen, severity, alerts, stages,"
                           " story, actors, access_keys, source_ips) VALUES(?,?,?,?,?,?,?,?,?)",
                           -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "UPDATE alerts SET incident_id = ?1 WHERE alert_id = ?2"
                           " AND incident_id IS NOT ?1",
                           -1, &mark, NULL) != SQLITE_OK)
        goto out;
    /* a group's root is its earliest alert (alerts came sorted by time): sorting by root
     * lays the groups out one after the other, in order of their first alert */
    for (i = 0; i < n; i++) {
        a[i].root = find(a, i);
        order[i] = &a[i];
    }
    qsort_r(order, n, sizeof *order, by_root, &by);
    for (i = 0; i < n; i = j) {
        if ((*incidents & 1023) == 0 && cancel && cancel(ctx)) {
            rc = 1;
            goto out;
        }
        for (j = i + 1; j < n && order[j]->root == order[i]->root; j++)
            ;
        if (write_incident(ins, order + i, j - i, sc) != 0)
            goto out;
        (*incidents)++;
    }
    rc = mark_alerts(mark, order, n, &by);
out:
    *sc->work += steps(ins) + steps(mark);
    sqlite3_finalize(ins);
    sqlite3_finalize(mark);
    return rc;
}

int incident_build(sqlite3 *db, int64_t gap, incident_cancel_fn cancel, void *ctx, long *incidents,
                   uint64_t *work, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    struct alert *a = NULL;
    struct alert **order = NULL;
    struct scratch sc = {NULL, NULL, NULL};
    uint64_t done = 0; /* work, when the caller does not count it */
    size_t n = 0, cap = 0;
    int rc = -1, kind;

    *incidents = 0;
    if (work == NULL)
        work = &done;
    sc.work = work;
    /* the incidents are numbered afresh from 1 in order of their first alert, ties broken by
     * severity (the graver first) and then fingerprint, never by row number: the same alerts give the same numbers whatever order
     * they were stored in (a batch run and --follow, a merge). And so an alert whose
     * group did not change keeps its incident_id and is not written again: only the alerts that
     * join no incident now are cleared here, and write_incident() sets only changed ids */
    if (exec_counted(db, "DELETE FROM incidents", work) != 0 ||
        exec_counted(db,
                     "UPDATE alerts SET incident_id = NULL WHERE incident_id IS NOT NULL"
                     " AND NOT (status = 'open' AND novelty IS NOT 'routine'"
                     "          AND first_seen IS NOT NULL)",
                     work) != 0 ||
        sqlite3_prepare_v2(db,
                           "SELECT alert_id, unixepoch(first_seen), unixepoch(last_seen), severity,"
                           " stage, story, principal_arn, access_key_id, source_ip FROM alerts"
                           " WHERE status = 'open' AND novelty IS NOT 'routine'"
                           " AND first_seen IS NOT NULL"
                           " ORDER BY unixepoch(first_seen), CASE severity WHEN 'critical' THEN 0"
                           " WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END,"
                           " fingerprint",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == INCIDENT_MAX_ALERTS) {
            snprintf(err, errlen, "incidents: more than %d alerts; not grouped",
                     INCIDENT_MAX_ALERTS);
            goto fail;
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 256;
            struct alert *na = realloc(a, nc * sizeof *a);
            if (na == NULL)
                goto oom;
            a = na;
            cap = nc;
        }
        if (read_alert(st, &a[n], n) != 0) {
            n++; /* freed with the others */
            goto oom;
        }
        n++;
    }
    if (rc != SQLITE_DONE)
        goto dberr;
    *work += steps(st);
    sqlite3_finalize(st);
    st = NULL;
    order = malloc((n ? n : 1) * sizeof *order);
    sc.occ = malloc((n ? n : 1) * sizeof *sc.occ);
    sc.first = malloc(n ? n : 1);
    if (order == NULL || sc.occ == NULL || sc.first == NULL)
        goto oom;
    for (kind = 0; kind < 3; kind++) {
        if (cancel && cancel(ctx))
            goto stopped;
        link_kind(a, order, n, kind, gap, work);
    }
    rc = write_groups(db, a, order, n, &sc, cancel, ctx, incidents);
    if (rc == 1)
        goto stopped;
    if (rc != 0)
        goto dberr;
    rc = 0;
    goto out;
stopped:
    snprintf(err, errlen, "incidents: interrupted");
    goto fail;
oom:
    snprintf(err, errlen, "incidents: out of memory");
    goto fail;
dberr:
    snprintf(err, errlen, "incidents: %s", sqlite3_errmsg(db));
fail:
    rc = -1;
out:
    sqlite3_finalize(st);
    free(sc.occ);
    free(sc.first);
    free(order);
    free_alerts(a, n);
    return rc;
}
