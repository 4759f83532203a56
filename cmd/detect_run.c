/*
 * detect_run: loading settings and rules and running them, shared by the
 * detect and scan commands.
 */
#include "settings.h"
#include "cli.h"
#include "rules.h"
#include "effects.h"
#include "functions.h"
#include "suppress.h"
#include "triage.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *cli_rules_dir(const char *dir)
{
    static char buf[PATH_MAX + 64];
    char exe[PATH_MAX];
    const char *env = getenv("DDBTRAIL_RULES");
    ssize_t n;
    char *slash;

    if (dir)
        return dir;
    if (env && *env)
        return env;
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, sizeof buf, "%s/detections", exe);
            if (access(buf, R_OK | X_OK) == 0)
                return buf;
            snprintf(buf, sizeof buf, "%s/../detections", exe);
            if (access(buf, R_OK | X_OK) == 0)
                return buf;
            snprintf(buf, sizeof buf, "%s/../share/ddbtrail/detections", exe);
            if (access(buf, R_OK | X_OK) == 0)
                return buf;
        }
    }
    return DDBTRAIL_RULES_DIR;
}

int cli_function_flags(void)
{
    const char *v = getenv("DDBTRAIL_NO_JIT");

    return v && *v && strcmp(v, "0") != 0 ? FUNCTIONS_NO_JIT : 0;
}

static void on_rule_err(void *ctx, const char *path, const char *msg)
{
    int *bad = ctx;

    (*bad)++;
    cli_err("%s: %s", path, msg);
}

/* 1 when id is in the comma-separated list (NULL list: everything). */
static int selected(const char *list, const char *id)
{
    size_t n = strlen(id);
    const char *p = list;

    if (list == NULL)
        return 1;
    while (*p) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, id, n) == 0)
            return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

static void record_run(sqlite3 *db, const rules_rule *r, const char *status, long alerts,
                       const char *msg)
{
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO rule_runs(rule_id, title, severity, status,"
                           " alerts, message, ran_at, rule_sha256, description, falsepositives,"
                           " refs, mitre)"
                           " VALUES(?,?,?,?,?,?,strftime('%Y-%m-%dT%H:%M:%SZ','now'),?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->severity, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, alerts);
    if (msg && *msg)
        sqlite3_bind_text(st, 6, msg, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_text(st, 7, r->sha256, -1, SQLITE_STATIC);
    /* what the HTML report's alert cards say of the rule, whatever rules dir report reads */
    sqlite3_bind_text(st, 8, r->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, r->falsepositives, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, r->references, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, r->mitre, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

/* Validates --only against the loaded rules so a typo is an error. */
static int check_only(const char *only, const rules *set)
{
    const char *p = only;

    while (p && *p) {
        size_t len = strcspn(p, ","), i;
        int found = 0;
        for (i = 0; i < rules_count(set); i++) {
            const char *id = rules_get(set, i)->id;
            if (strlen(id) == len && strncmp(p, id, len) == 0)
                found = 1;
        }
        if (!found) {
            cli_err("--only: no rule '%.*s'; 'ddbtrail rules list' shows the ids", (int)len, p);
            return -1;
        }
        p += len + (p[len] == ',');
    }
    return 0;
}

/* 1 when the header list names effect. */
static int header_names(const char *list, const char *effect)
{
    size_t n = strlen(effect);
    const char *p = list;

    while (p && (p = strstr(p, effect)) != NULL) {
        if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
            (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return 1;
        p += n;
    }
    return 0;
}

/* Every name of a header's list is in the catalogue's vocabulary. */
static int check_vocabulary(const char *p, const char *header, const catalogue *cat, char *err,
                            size_t errlen)
{
    while (p && *p) {
        size_t k;
        while (*p == ' ' || *p == ',')
            p++;
        k = strcspn(p, " ,");
        if (k && !catalogue_is_effect(cat, p, k)) {
            snprintf(err, errlen, "effect '%.*s' in its '%s:' header is not in the catalogue's "
                     "vocabulary (effects.txt)", (int)k, p, header);
            return -1;
        }
        p += k;
    }
    return 0;
}

int cli_check_effects(const rules_rule *r, const catalogue *cat, char *err, size_t errlen)
{
    size_t i;

    if (check_vocabulary(r->effects, "effects", cat, err, errlen) != 0 ||
        check_vocabulary(r->catalogue, "catalogue", cat, err, errlen) != 0)
        return -1;
    /* an effect the SQL reads but the header leaves out would not be judged (the
     * judgement covers the headers' effects only) */
    for (i = 0; i < catalogue_effects(cat); i++) {
        const char *name = catalogue_effect(cat, i);
        char quoted[96];
        snprintf(quoted, sizeof quoted, "'%s'", name);
        /* a 'catalogue:' name is read from the effects table (which operations have it),
         * which holds every line whatever is judged */
        if (strcmp(name, "none") != 0 && strstr(r->sql, quoted) &&
            !header_names(r->effects, name) && !header_names(r->catalogue, name)) {
            snprintf(err, errlen, "its SQL reads effect '%s', which neither its 'effects:' nor "
                     "its 'catalogue:' header names (only the effects headers name are judged)",
                     name);
            return -1;
        }
    }
    return 0;
}

/* Compiles every selected rule against an empty in-memory store holding the
 * settings, as 'rules check' does: a rule that cannot run is found before
 * any input is read. Returns the number of bad rules. */
static int check_rules(const cli_detect *cd, cli_plan *p)
{
    char err[1024];
    store *mem = store_open(":memory:", 0, err, sizeof err);
    int bad = 0;
    size_t i;

    if (mem == NULL ||
        functions_register(store_db(mem), cli_function_flags(), err, sizeof err) != 0 ||
        settings_apply(p->settings, store_db(mem), err, sizeof err) != 0) {
        cli_err("%s", err);
        store_free(mem);
        return 1;
    }
    for (i = 0; i < rules_count(p->set); i++) {
        const rules_rule *r = rules_get(p->set, i);
        if (!selected(cd->only, r->id))
            continue;
        if (rules_check(r, store_db(mem), err, sizeof err) != 0 ||
            cli_check_effects(r, p->catalogue, err, sizeof err) != 0) {
            cli_err("%s: %s", r->path, err);
            bad++;
        }
    }
    store_free(mem);
    return bad;
}

int cli_config_find(const char *given, char *path, size_t cap, const char **how)
{
    const char *env = getenv("DDBTRAIL_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");

    path[0] = '\0';
    *how = "none";
    if (given && !*given) /* "": no config at all, none looked for (merge's re-detect) */
        return -1;
    if (given) {
        *how = "--config";
        snprintf(path, cap, "%s", given);
        return 0;
    }
    if (env && *env) {
        *how = "DDBTRAIL_CONFIG";
        snprintf(path, cap, "%s", env);
        return 0;
    }
    if (env) /* set and empty: no config, none looked for (the test suite's setting) */
        return -1;
    *how = "found";
    if (access("ddbtrail.json", R_OK) == 0) {
        snprintf(path, cap, "ddbtrail.json");
        return 0;
    }
    if (xdg && *xdg)
        snprintf(path, cap, "%s/ddbtrail/config.json", xdg);
    else if (home && *home)
        snprintf(path, cap, "%s/.config/ddbtrail/config.json", home);
    if (path[0] && access(path, R_OK) == 0)
        return 0;
    path[0] = '\0';
    return -1;
}

int cli_detect_load(const cli_detect *cd, cli_plan *p)
{
    char err[1024], agents[PATH_MAX + 64], config[4096];
    const char *how = NULL;
    int bad = 0;

    memset(p, 0, sizeof *p);
    p->dir = cli_rules_dir(cd->rules_dir);
    p->settings = settings_new();
    if (p->settings == NULL) {
        cli_err("out of memory");
        return EXIT_FATAL;
    }
    snprintf(agents, sizeof agents, "%s/offensive_user_agents.txt", p->dir);
    if (access(agents, F_OK) == 0 && settings_load_list_file(p->settings, "offensive_user_agents",
                                                             agents, err, sizeof err) != 0) {
        cli_err("%s", err);
        return EXIT_FATAL;
    }
    if (cli_config_find(cd->config, config, sizeof config, &how) == 0) {
        if (settings_load_file(p->settings, config, err, sizeof err) != 0) {
            cli_err("%s", err);
            return EXIT_FATAL;
        }
        snprintf(p->config, sizeof p->config, "%s (%s)", config, how);
    }
    p->catalogue = cli_catalogue_load(p->dir);
    if (p->catalogue == NULL)
        return EXIT_FATAL;
    p->set = rules_load_dir(p->dir, on_rule_err, &bad, err, sizeof err);
    if (p->set == NULL) {
        cli_err("%s (use --rules DIR or set DDBTRAIL_RULES)", err);
        return EXIT_FATAL;
    }
    if (rules_count(p->set) == 0 && bad == 0) {
        cli_err("no rules (*.sql) in %s", p->dir);
        return EXIT_FATAL;
    }
    if (check_only(cd->only, p->set) != 0)
        return EXIT_FATAL;
    bad += check_rules(cd, p);
    if (bad) {
        cli_err("%d rule file(s) in %s cannot run; nothing was read ('ddbtrail rules check' "
                "lists them)", bad, p->dir);
        return EXIT_FATAL;
    }
    return EXIT_CLEAN;
}

catalogue *cli_catalogue_load(const char *dir)
{
    char path[PATH_MAX + 32], err[1024];
    catalogue *c;

    /* a rules directory of one's own may leave the catalogue to the installed one */
    snprintf(path, sizeof path, "%s/effects.txt", cli_rules_dir(dir));
    if (access(path, F_OK) != 0 && dir != NULL)
        snprintf(path, sizeof path, "%s/effects.txt", cli_rules_dir(NULL));
    c = catalogue_load(path, err, sizeof err);
    if (c == NULL)
        cli_err("%s (the effect catalogue: it says which events are kept and what they do)",
                err);
    return c;
}

void cli_plan_free(cli_plan *p)
{
    catalogue_free(p->catalogue);
    rules_free(p->set);
    settings_free(p->settings);
    memset(p, 0, sizeof *p);
}

static void on_expired(void *ctx, const char *rule, const char *until, const char *reason)
{
    (void)ctx;
    cli_err("suppress entry for %s (\"%s\") expired on %s; it no longer suppresses anything",
            rule ? rule : "?", reason ? reason : "", until);
}

void cli_burst_rules(const cli_plan *p, char *list, size_t len)
{
    size_t i, n = 1;

    snprintf(list, len, "[");
    for (i = 0; i < rules_count(p->set); i++) {
        const rules_rule *r = rules_get(p->set, i);
        if (r->routine && strcmp(r->routine, "yes") == 0 && n + strlen(r->id) + 4 < len)
            n += (size_t)snprintf(list + n, len - n, "%s\"%s\"", n > 1 ? "," : "", r->id);
    }
    snprintf(list + n, len - n, "]");
}

/* After the rules: routine and new alerts, suppressions, then incidents over
 * what is left, in one transaction under the rules' limits. Returns 0, 1
 * when a signal stopped it, or -1 (message printed). */
static int triage(sqlite3 *db, const cli_plan *p, const rules_limits *lim, triage_counts *c)
{
    char err[512], list[4096];
    triage_opts o;

    cli_burst_rules(p, list, sizeof list);
    memset(&o, 0, sizeof o);
    o.routine_rules = list;
    o.routine_days = (long)settings_int(p->settings, "routine_days");
    o.incident_gap = (int64_t)settings_int(p->settings, "incident_gap_seconds");
    o.now = (int64_t)time(NULL);
    o.on_expired = on_expired;
    o.lim = lim;
    if (triage_run(db, &o, c, err, sizeof err) != 0) {
        if (c->stopped == 1)
            return 1;
        cli_err("%s", err[0] ? err : sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

static double seconds(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* Says on the store, for the report, that the last detect stopped early. */
static void note_interrupted(store *s, const char *what)
{
    char err[256];

    if (store_meta_set(s, "interrupted", what, err, sizeof err) != 0)
        cli_err("%s", err);
}

/* What storing the rules' results came to. */
struct tally {
    long total, ran, failed;
    int status;
};

/* Stores each job's alerts in rule order as soon as its rule has ended
 * (while later rules still run on the pool), one transaction per rule (a
 * rule left to this connection runs here), and records how each rule ended. */
static void store_results(sqlite3 *db, rules_pool *pool, rules_job *jobs, size_t njobs,
                          const rules_limits *lim, struct tally *t)
{
    char err[1024];
    size_t k;

    for (k = 0; k < njobs; k++) {
        const rules_rule *r = jobs[k].rule;
        long n = 0;
        int rc;

        rules_query_wait(pool, k);
        rc = jobs[k].status;
        err[0] = '\0';
        if (rc < 0)
            snprintf(err, sizeof err, "%s", jobs[k].err);
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == 0) {
            rc = rules_store(r, jobs[k].result, db, lim, &n, err, sizeof err);
        } else if (rc == 1) {
            rc = rules_run(r, db, lim, &n, err, sizeof err);
            rules_take_warning(db, jobs[k].warn, sizeof jobs[k].warn);
        }
        rules_query_release(pool, &jobs[k]);
        if (rc != 0) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            cli_err("rule %s failed: %s", r->id, err);
            record_run(db, r, "failed", 0, err);
            t->failed++;
            t->status = EXIT_FATAL;
            continue;
        }
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        if (jobs[k].warn[0])
            cli_err("rule %s: %s", r->id, jobs[k].warn);
        record_run(db, r, "ran", n, jobs[k].warn);
        t->ran++;
        t->total += n;
    }
}

int cli_run_detect(store *s, const cli_detect *cd, cli_plan *p, FILE *summary)
{
    sqlite3 *db = store_db(s);
    char err[1024];
    long skipped = 0;
    struct tally t = {0, 0, 0, EXIT_CLEAN};
    rules_job *jobs = NULL;
    rules_pool *pool;
    rules_limits lim;
    size_t i, njobs = 0, nwanted = 0;
    long long judged = 0;
    char wanted[4096] = "";
    struct timespec t0, t1, t2;

    lim.stop = &cli_stop;
    lim.timeout = (long)settings_int(p->settings, "rule_timeout_seconds");
    if (functions_register(db, cli_function_flags(), err, sizeof err) != 0 ||
        settings_apply(p->settings, db, err, sizeof err) != 0 ||
        store_prepare_detect(s, err, sizeof err) != 0) {
        cli_err("%s", err);
        return EXIT_FATAL;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* only the effects some rule of the set reads; all of the set's rules even under
     * --only, so that a judgement serves every later run (judged for a subset, it was
     * judged again by the next run of another subset: 2 000 000 events, 5.5 s each) */
    for (i = 0; i < rules_count(p->set); i++) {
        const rules_rule *r = rules_get(p->set, i);
        if (r->effects &&
            nwanted + strlen(r->effects) + 2 < sizeof wanted)
            nwanted += (size_t)snprintf(wanted + nwanted, sizeof wanted - nwanted, "%s%s",
                                        nwanted ? "," : "", r->effects);
    }
    if (effects_apply(p->catalogue, wanted, db, &judged, err, sizeof err) != 0) {
        cli_err("%s", err);
        return EXIT_FATAL;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (cd->timings)
        cli_err("timings: effects %.3f s (%lld event(s) judged)", seconds(t0, t1), judged);
    if (sqlite3_exec(db, "DELETE FROM rule_runs; DELETE FROM meta WHERE key = 'interrupted'",
                     NULL, NULL, NULL) != SQLITE_OK ||
        store_meta_set(s, "config", p->config[0] ? p->config : "none (built-in defaults)", err,
                       sizeof err) != 0) {
        cli_err("database: %s", sqlite3_errmsg(db));
        return EXIT_FATAL;
    }
    jobs = calloc(rules_count(p->set), sizeof *jobs);
    if (jobs == NULL) {
        cli_err("out of memory");
        return EXIT_FATAL;
    }
    for (i = 0; i < rules_count(p->set); i++) {
        const rules_rule *r = rules_get(p->set, i);

        if (!selected(cd->only, r->id))
            continue;
        if (r->requires && settings_list_count(p->settings, r->requires) == 0) {
            char m[256];
            snprintf(m, sizeof m, "set %s in the config to enable it", r->requires);
            if (!cd->quiet)
                cli_err("%s skipped: %s", r->id, m);
            record_run(db, r, "skipped", 0, m);
            skipped++;
            continue;
        }
        jobs[njobs++].rule = r;
    }
    /* the queries run side by side on connections of their own; their alerts are
     * stored here, one transaction per rule, in rule order, each as soon as its rule
     * has ended: storing overlaps the rules still running, and a stored rule's rows
     * give their memory back to them */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pool = rules_query_start(sqlite3_db_filename(db, "main"), cli_function_flags(), jobs, njobs,
                             cli_threads(cd->threads), &lim);
    store_results(db, pool, jobs, njobs, &lim, &t);
    rules_query_end(pool);
    free(jobs);
    if (cli_stop) {
        cli_err("interrupted while the rules ran; the alerts of the rules that finished are "
                "stored");
        note_interrupted(s, "while the rules ran: the rules marked failed did not finish, and "
                            "novelty, suppressions and incidents were not updated");
        return EXIT_INTERRUPT;
    }
    {
        triage_counts c;
        int tr;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        tr = triage(db, p, &lim, &c);
        clock_gettime(CLOCK_MONOTONIC, &t2);
        if (cd->timings)
            cli_err("timings: rules %.3f s (%ld ran), triage %.3f s (%ld alerts in the store)",
                    seconds(t0, t1), t.ran, seconds(t1, t2),
                    (long)store_first_int(db, "SELECT count(*) FROM alerts"));
        if (tr == 1) {
            cli_err("interrupted during triage; the rules' alerts are stored, novelty, "
                    "suppressions and incidents were not updated");
            note_interrupted(s, "during triage: the alerts are the rules' own, novelty, "
                                "suppressions and incidents were not updated");
            return EXIT_INTERRUPT;
        }
        if (tr != 0)
            t.status = EXIT_FATAL;
        if (summary)
            fprintf(summary,
                    "rules: %ld ran, %ld skipped, %ld failed; %ld alerts in %ld "
                    "incident(s); %ld new, %ld routine, %ld suppressed\n",
                    t.ran, skipped, t.failed, t.total, c.incidents, c.fresh, c.routine,
                    c.suppressed);
    }
    return t.status;
}
