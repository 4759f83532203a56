/*
 * merge: `ddbtrail merge --db OUT SHARD.db...`: folds the stores of a sharded
 * run into one (src/merge/merge.h), then rebuilds the incidents over all of them.
 */
#include "cli.h"
#include "merge.h"
#include "rules.h"
#include "settings.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "usage: ddbtrail merge --db OUT [--events] [--rules DIR] [-q] SHARD.db...\n"
    "\n"
    "Fold the stores of a sharded run ('scan --shard K/N --db SHARD.db') into OUT,\n"
    "created when missing: files and their rejects, integrity findings, rule runs,\n"
    "and either the shards' alerts or, with --events, the events, over which the\n"
    "rules then run again, so that OUT holds what one run over everything finds.\n"
    "A shard brings only its own accounts (its store carries its plan); stores\n"
    "whose settings or rule files differ, or that were sharded by another plan, are\n"
    "refused with the difference named. Merging a store again changes nothing.\n"
    "'ddbtrail report --db OUT' then reports the whole organisation.\n"
    "\n"
    "options:\n"
    "  --db OUT        the merged store (required)\n"
    "  --events        copy the events and run the rules over them in OUT, with the\n"
    "                  shards' settings: actors whose calls the shards split are\n"
    "                  judged as a whole, novelty, suppressions and incidents are\n"
    "                  OUT's own, and coverage and 'detect' work on OUT. Without it\n"
    "                  the shards' alerts are taken as they found them (an alert two\n"
    "                  shards found differently refuses the merge) and the report\n"
    "                  says the events stayed in the shards\n"
    "  --rules DIR     with --events: the rules directory, which must hold the rule\n"
    "                  files the shards ran (default: as for 'detect')\n"
    "  -q, --quiet     no per-store lines\n"
    "  -h, --help      this help\n"
    "\n"
    "exit status: 0 merged; 2 usage error, a store refused or unreadable (the\n"
    "stores before it stay merged, it and those after it are not), or a rule\n"
    "failed; 130 interrupted while the rules ran again.\n";

/* 1 when a and b name the same file. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Opens the shard as a store, so that its schema is checked (no foreign
 * objects) and upgraded like any store's, then closes it. */
static int check_shard(const char *path)
{
    char err[512];
    struct stat st;
    store *s;

    if (stat(path, &st) != 0) {
        cli_err("%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_err("%s: not a regular file", path);
        return -1;
    }
    s = store_open(path, 0, err, sizeof err);
    if (s == NULL) {
        cli_err("%s", err);
        return -1;
    }
    store_free(s);
    return 0;
}

/* The rule files in the plan must be those the shards ran (rule_runs holds
 * their ids and hashes): alerts of other rules would not be the run's. */
static int same_rules(sqlite3 *db, const cli_plan *p)
{
    int64_t ran = store_first_int(db, "SELECT count(*) FROM rule_runs");
    size_t i;

    if (ran != (int64_t)rules_count(p->set)) {
        cli_err("the shards ran %lld rule(s), %s holds %zu: run merge --events with the "
                "--rules the shards used", (long long)ran, p->dir, rules_count(p->set));
        return -1;
    }
    for (i = 0; i < rules_count(p->set); i++) {
        const rules_rule *r = rules_get(p->set, i);
        char sha[80];
        int rc = store_first_text(db, "SELECT rule_sha256 FROM rule_runs WHERE rule_id = ?1",
                                  r->id, sha, sizeof sha);
        if (rc != 1 || strcmp(sha, r->sha256) != 0) {
            cli_err("%s is %s the rule file the shards ran: run merge --events with the "
                    "--rules the shards used", r->path, rc == 1 ? "not" : "missing from");
            return -1;
        }
    }
    return 0;
}

/* With the events merged: every rule runs again over OUT, under the settings
 * the shards agreed on (read back from OUT), so that an actor the shards
 * split is judged whole and triage is OUT's own. The meta key
 * 'merge_detect' (set by merge_shard() with the events it added) makes an
 * interrupted merge finish the job when run again. */
static int redetect(store *out, const char *rules_dir, int quiet)
{
    sqlite3 *db = store_db(out);
    cli_detect cd;
    cli_plan plan;
    char err[1024], pending[16];
    int status;

    if (store_meta_get(out, "merge_detect", pending, sizeof pending) != 1)
        return EXIT_CLEAN;
    if (store_first_int(db, "SELECT EXISTS (SELECT 1 FROM rule_runs)") != 1)
        return EXIT_CLEAN; /* the shards only ingested: 'detect --db OUT' is the user's */
    memset(&cd, 0, sizeof cd);
    cd.rules_dir = rules_dir;
    cd.quiet = quiet;
    cd.config = ""; /* the settings are the shards', read back below */
    if (cli_detect_load(&cd, &plan) != EXIT_CLEAN || same_rules(db, &plan) != 0) {
        cli_plan_free(&plan);
        return EXIT_FATAL;
    }
    if (settings_read(plan.settings, db, err, sizeof err) != 0) {
        cli_err("%s", err);
        cli_plan_free(&plan);
        return EXIT_FATAL;
    }
    snprintf(plan.config, sizeof plan.config, "the shards' settings, as their stores hold them");
    if (merge_order_events(db, err, sizeof err) != 0) {
        cli_err("%s", err);
        cli_plan_free(&plan);
        return EXIT_FATAL;
    }
    cli_catch_signals();
    status = cli_run_detect(out, &cd, &plan, quiet ? NULL : stdout);
    cli_plan_free(&plan);
    if (status == EXIT_CLEAN &&
        sqlite3_exec(db, "DELETE FROM meta WHERE key = 'merge_detect'", NULL, NULL, NULL) !=
            SQLITE_OK) {
        cli_err("%s", sqlite3_errmsg(db));
        status = EXIT_FATAL;
    }
    return status;
}

int cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"events", no_argument, NULL, 'e'},
                                             {"rules", required_argument, NULL, 'r'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db = NULL, *rules_dir = NULL;
    int c, i, events = 0, quiet = 0, status = EXIT_CLEAN;
    merge_counts sum;
    char err[1536];
    long incidents = 0;
    store *out;

    while ((c = getopt_long(argc, argv, "d:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'e': events = 1; break;
        case 'r': rules_dir = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(help, stdout); return EXIT_CLEAN;
        default: fputs(help, stderr); return EXIT_FATAL;
        }
    }
    if (db == NULL || optind >= argc) {
        cli_err("merge needs --db OUT and at least one SHARD.db (run 'ddbtrail merge --help')");
        return EXIT_FATAL;
    }
    if (rules_dir && !events) {
        cli_err("--rules is for merge --events (without it no rule runs)");
        return EXIT_FATAL;
    }
    for (i = optind; i < argc; i++)
        if (same_file(argv[i], db)) {
            cli_err("%s is the merged store itself", argv[i]);
            return EXIT_FATAL;
        }
    out = store_open(db, 0, err, sizeof err);
    if (out == NULL) {
        cli_err("%s", err);
        return EXIT_FATAL;
    }
    memset(&sum, 0, sizeof sum);
    for (i = optind; i < argc && status == EXIT_CLEAN; i++) {
        merge_counts n;
        int rc = check_shard(argv[i]) == 0
                     ? merge_shard(store_db(out), argv[i], events, &n, err, sizeof err)
                     : -2;
        if (rc != 0) {
            if (rc != -2)
                cli_err("%s: %s%s", argv[i], rc == 1 ? "not merged: " : "", err);
            cli_err("%d of %d store(s) merged into %s; %s and those after it are not", i - optind,
                    argc - optind, db, argv[i]);
            status = EXIT_FATAL;
            break;
        }
        if (!quiet) {
            printf("%s: %llu alerts added, %llu already there; %llu files, %llu rejects, "
                   "%llu integrity findings added", argv[i], (unsigned long long)n.alerts,
                   (unsigned long long)n.alerts_present, (unsigned long long)n.files,
                   (unsigned long long)n.rejects, (unsigned long long)n.integrity);
            if (events)
                printf("; %llu events added, %llu already there",
                       (unsigned long long)n.events, (unsigned long long)n.events_present);
            putchar('\n');
        }
        sum.alerts += n.alerts;
        sum.events += n.events;
    }
    if (events && (status == EXIT_CLEAN || i > optind)) {
        int rc = redetect(out, rules_dir, quiet);
        if (rc != EXIT_CLEAN)
            status = rc;
        else if (!quiet)
            printf("merged into %s: %llu events added; the rules ran over the merged store\n",
                   db, (unsigned long long)sum.events);
    } else if (status == EXIT_CLEAN || i > optind) {
        if (merge_finish(store_db(out), &incidents, err, sizeof err) != 0) {
            cli_err("%s: %s", db, err);
            status = EXIT_FATAL;
        } else if (!quiet) {
            printf("merged into %s: %llu alerts added; %ld incident(s) rebuilt\n", db,
                   (unsigned long long)sum.alerts, incidents);
        }
    }
    store_free(out);
    if (fflush(stdout) != 0)
        status = EXIT_FATAL;
    return status;
}
