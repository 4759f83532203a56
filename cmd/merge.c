/*
 * merge: `ddbtrail merge --db OUT SHARD.db...`: folds the stores of a sharded
 * run into one (src/merge/merge.h), then rebuilds the incidents over all of them.
 */
#include "cli.h"
#include "merge.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "usage: ddbtrail merge --db OUT [--events] [-q] SHARD.db...\n"
    "\n"
    "Fold the stores of a sharded run ('scan --shard K/N --db SHARD.db') into OUT,\n"
    "created when missing: alerts (one per fingerprint), files and their rejects,\n"
    "integrity findings and rule runs; with --events the events too. Stores whose\n"
    "settings or rule files differ, or that were sharded by another plan, are\n"
    "refused with the difference named. Merging a store again changes nothing.\n"
    "Incidents are rebuilt over the merged alerts; 'ddbtrail report --db OUT' then\n"
    "reports the whole organisation.\n"
    "\n"
    "options:\n"
    "  --db OUT        the merged store (required)\n"
    "  --events        also copy the events (needed for coverage and for 'detect'\n"
    "                  on OUT; without them the report says the events stayed in\n"
    "                  the shards)\n"
    "  -q, --quiet     no per-store lines\n"
    "  -h, --help      this help\n"
    "\n"
    "exit status: 0 merged; 2 usage error, a store refused or unreadable (the\n"
    "stores before it stay merged, it and those after it are not).\n";

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

int cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"events", no_argument, NULL, 'e'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int c, i, events = 0, quiet = 0, status = EXIT_CLEAN;
    merge_counts sum;
    char err[1536];
    long incidents = 0;
    store *out;

    while ((c = getopt_long(argc, argv, "d:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'e': events = 1; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(help, stdout); return EXIT_CLEAN;
        default: fputs(help, stderr); return EXIT_FATAL;
        }
    }
    if (db == NULL || optind >= argc) {
        cli_err("merge needs --db OUT and at least one SHARD.db (run 'ddbtrail merge --help')");
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
    if (status == EXIT_CLEAN || i > optind) {
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
