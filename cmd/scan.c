/*
 * scan: `ddbtrail scan PATH...|-`: ingest, detect and report in one go.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_ALL = CLI_OPT_OWN, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_THREADS, OPT_FOLLOW,
       OPT_INTERVAL, OPT_EVERY, OPT_KEYS, OPT_SHARD, OPT_SHARD_BY, OPT_TIMINGS,
       OPT_START, OPT_END };

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ddbtrail scan [options] PATH...|-\n"
            "\n"
            "Read CloudTrail logs (files, directories such as a downloaded AWSLogs/ tree,\n"
            "or - for stdin), run every detection rule, and print a report.\n"
            "\n"
            "examples:\n"
            "  ddbtrail scan AWSLogs/ --config ddbtrail.json\n"
            "  ddbtrail scan --format json AWSLogs/ > alerts.jsonl\n"
            "  zcat *.json.gz | ddbtrail scan -\n"
            "  ddbtrail scan --format html -o report.html --db case42.db AWSLogs/\n"
            "\n"
            "options:\n"
            "  --db FILE         keep the events and alerts in FILE for later 'report',\n"
            "                    'detect' or sqlite3 (default: a temporary database,\n"
            "                    removed afterwards)\n"
            "  --config FILE     JSON settings (default: $DDBTRAIL_CONFIG); see\n"
            "                    'ddbtrail detect --help' for the keys\n"
            "  --rules DIR       rules directory (default: $DDBTRAIL_RULES, else the\n"
            "                    installed detections/)\n"
            "  --only ID,...     run only these rules\n"
            "  --all-events      store every event, not only DynamoDB-relevant ones\n"
            "  --force           re-read inputs already in --db unchanged; let -o\n"
            "                    replace a symbolic link (never written through)\n"
            "  --threads N       decoding threads, and rules run at once (default: one\n"
            "                    per CPU, at most 8)\n"
            "  --no-progress     no progress line on stderr\n"
            "  --timings         print the wall time of the rules and of triage on stderr\n"
            "  --start T, --end T  the period the digests must cover (see 'ddbtrail verify\n"
            "                    --help'); default: that of the log files read\n"
            "  --shard K/N       only the accounts of shard K of N: one job of a run split\n"
            "                    across machines ('ddbtrail shards' prints the plan,\n"
            "                    'ddbtrail merge' joins the shards' --db stores)\n"
            "  --shard-by U      with --shard: account (default) or day, an account's\n"
            "                    days; a day shard's alerts see only its days, so day\n"
            "                    shards are joined with 'ddbtrail merge --events'\n"
            "  --follow          PATH is a live feed (- or a FIFO): store records as they\n"
            "                    come, run the rules every --interval seconds, and print\n"
            "                    each new alert (or one whose severity rose) once; JSON\n"
            "                    Lines by default when stdout is not a terminal\n"
            "  --interval S      seconds between detections when following (default 10)\n"
            "  --every N         also detect after N new events when following\n"
            "  --public-keys F   also verify digest signatures (aws cloudtrail\n"
            "                    list-public-keys output); digests in the trees read are\n"
            "                    always checked for missing, modified or injected files\n"
            "%s"
            "  -q, --quiet       no ingest and rule summaries on stderr\n"
            "  -h, --help        this help\n"
            "\n"
            "exit status: 0 clean; 1 an alert at or above --fail-on; 2 usage or fatal\n"
            "error; 3 some input was rejected (the rest was scanned); 4 no event was read,\n"
            "so nothing was checked; 130 interrupted. Status 1 wins over 3, 3 over 4.\n",
            cli_report_help);
}

/* Removes a temporary database and its journal files. */
static void remove_db(const char *path)
{
    char p[4200];

    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-journal", path);
    unlink(p);
}

/* After a signal: a report a person reads (text, HTML) is still written,
 * saying at its top that the run was interrupted and where; the machine
 * formats write nothing, so that no half result is taken for a whole one.
 * Returns EXIT_INTERRUPT, or EXIT_FATAL when the report cannot be written. */
static int interrupted_report(store *s, cli_report *cr)
{
    if (cr->format && strcmp(cr->format, "text") != 0 && strcmp(cr->format, "html") != 0)
        return EXIT_INTERRUPT;
    cr->fail_on = NULL; /* the status says interrupted, whatever was found */
    return cli_run_report(s, cr) == EXIT_FATAL ? EXIT_FATAL : EXIT_INTERRUPT;
}

/* What the command line asked for. */
struct scan_args {
    cli_ingest ci;
    cli_detect cd;
    cli_report cr;
    const char *db, *keys, *shard, *shard_by;
    cli_period period; /* --start, --end: what integrity must find covered */
    char **paths;
    int npaths;
};

/* Parses argv into a. Returns -1 to go on, else the exit status (--help,
 * or a usage error already named). */
static int parse_args(int argc, char **argv, struct scan_args *a)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"config", required_argument, NULL, 'c'},
                                             {"rules", required_argument, NULL, 'r'},
                                             {"only", required_argument, NULL, 'O'},
                                             CLI_REPORT_LONGOPTS,
                                             {"all-events", no_argument, NULL, OPT_ALL},
                                             {"force", no_argument, NULL, 'f'},
                                             {"threads", required_argument, NULL, OPT_THREADS},
                                             {"progress", no_argument, NULL, OPT_PROGRESS},
                                             {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
                                             {"follow", no_argument, NULL, OPT_FOLLOW},
                                             {"interval", required_argument, NULL, OPT_INTERVAL},
                                             {"every", required_argument, NULL, OPT_EVERY},
                                             {"public-keys", required_argument, NULL, OPT_KEYS},
                                             {"shard", required_argument, NULL, OPT_SHARD},
                                             {"shard-by", required_argument, NULL, OPT_SHARD_BY},
                                             {"timings", no_argument, NULL, OPT_TIMINGS},
                                             {"start", required_argument, NULL, OPT_START},
                                             {"end", required_argument, NULL, OPT_END},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    cli_ingest *ci = &a->ci;
    int c;

    memset(a, 0, sizeof *a);
    ci->progress = -1;
    ci->interval = 10;
    while ((c = getopt_long(argc, argv, "d:c:r:o:qh", longopts, NULL)) != -1) {
        if (cli_report_option(&a->cr, c, optarg))
            continue;
        switch (c) {
        case 'd': a->db = optarg; break;
        case 'c': a->cd.config = optarg; break;
        case 'r': a->cd.rules_dir = optarg; break;
        case 'O': a->cd.only = optarg; break;
        case OPT_ALL: ci->opts.all_events = 1; break;
        case 'f': ci->opts.force = a->cr.force = 1; break;
        case OPT_THREADS:
            ci->opts.threads = a->cd.threads = (int)cli_parse_u64("--threads", optarg);
            break;
        case OPT_PROGRESS: ci->progress = 1; break;
        case OPT_NO_PROGRESS: ci->progress = 0; break;
        case OPT_FOLLOW: ci->follow = 1; break;
        case OPT_TIMINGS: a->cd.timings = 1; break;
        case OPT_START:
            a->period.start = optarg;
            (void)cli_parse_time("--start", optarg);
            break;
        case OPT_END:
            a->period.end = optarg;
            (void)cli_parse_time("--end", optarg);
            break;
        case OPT_INTERVAL: {
            char *end;
            ci->interval = strtod(optarg, &end);
            if (*end || !(ci->interval > 0 && ci->interval <= 86400)) {
                cli_err("--interval wants seconds between 0 and 86400, not '%s'", optarg);
                return EXIT_FATAL;
            }
            break;
        }
        case OPT_EVERY: ci->every = cli_parse_u64("--every", optarg); break;
        case OPT_KEYS: a->keys = optarg; break;
        case OPT_SHARD: a->shard = optarg; break;
        case OPT_SHARD_BY: a->shard_by = optarg; break;
        case 'q': ci->quiet = a->cd.quiet = 1; break;
        case 'h': usage(stdout); return EXIT_CLEAN;
        default:
            cli_err("run 'ddbtrail scan --help' for the options");
            return EXIT_FATAL;
        }
    }
    a->paths = argv + optind;
    a->npaths = argc - optind;
    if (a->npaths <= 0) {
        cli_err("scan needs at least one PATH (a file, a directory such as AWSLogs/, or - "
                "for stdin)");
        return EXIT_FATAL;
    }
    if (a->shard_by && !a->shard) {
        cli_err("--shard-by says how --shard K/N splits the input; give --shard too");
        return EXIT_FATAL;
    }
    if (ci->follow) {
        if (a->shard) {
            cli_err("--shard splits files and trees; a --follow feed is one stream");
            return EXIT_FATAL;
        }
        if (a->npaths != 1) {
            cli_err("--follow reads one live feed: - (stdin) or a FIFO");
            return EXIT_FATAL;
        }
        if (a->cr.output) {
            cli_err("--follow prints alerts as they come; -o is for a finished report");
            return EXIT_FATAL;
        }
        if (a->cr.summary) {
            cli_err("--follow prints alerts as they come; --summary ends a finished report");
            return EXIT_FATAL;
        }
        if (a->cr.format == NULL && !isatty(1))
            a->cr.format = "json";
        if (a->cr.format && strcmp(a->cr.format, "csv") == 0) {
            cli_err("--follow prints json, ocsf or text, not csv");
            return EXIT_FATAL;
        }
    }
    cli_report_check(&a->cr);
    /* --since/--until limit what is read too: files filed under other days are not opened
     * and events outside are not stored, so the span the digests are checked over (that of
     * the files read) is the window's; --start/--end still demand a period be covered */
    a->ci.opts.has_since = a->cr.since != NULL;
    a->ci.opts.since = a->cr.since_ts;
    a->ci.opts.has_until = a->cr.until != NULL;
    a->ci.opts.until = a->cr.until_ts;
    return -1;
}

/* A batch: ingest the listed files, verify them against their digests,
 * run the rules and write the report. Returns the exit status. */
static int run_batch(store *s, struct scan_args *a, cli_inputs *in, cli_plan *plan,
                     const char *db_name)
{
    cli_ingest *ci = &a->ci;
    ingest_totals tot;
    size_t digests, nonlog;
    int in_status, det_status, rep_status;

    if (cli_shard_claim(s, ci, db_name) != EXIT_CLEAN)
        return EXIT_FATAL;
    in_status = cli_run_ingest(s, ci, in, &tot, &digests, &nonlog);
    if (!ci->quiet) {
        cli_print_skipped(stderr, &in->wl);
        cli_print_ingest_summary(stderr, &tot, digests, nonlog);
    }
    if (in_status == EXIT_INTERRUPT) {
        char err[256];
        if (store_meta_set(s, "interrupted", "while reading input: the rules did not run", err,
                           sizeof err) != 0)
            cli_err("%s", err);
        return interrupted_report(s, &a->cr);
    }
    if (in_status == EXIT_FATAL)
        return in_status;
    /* the digests in the trees read prove them complete, or not (DDB-LOG-TAMPER); the
     * report says which, and says it when nothing could be checked */
    if (digests == 0) {
        char err[256];
        int only_stdin = in->wl.n == 1 && strcmp(in->wl.paths[0], "-") == 0;
        if (store_meta_set(s, "integrity",
                           only_stdin ? "not checked: input from stdin carries no digests"
                                      : "not checked: no digest file among the inputs "
                                        "(download CloudTrail-Digest/ beside CloudTrail/ to "
                                        "prove the logs complete and unedited)",
                           err, sizeof err) != 0)
            cli_err("%s", err);
    }
    if (digests > 0 && cli_run_verify(&in->wl, a->keys, &a->period, s, NULL, 0,
                                      ci->quiet ? NULL : stderr, ci->shard_plan,
                                      ci->shard_k) == EXIT_FATAL)
        return EXIT_FATAL;
    det_status = cli_run_detect(s, &a->cd, plan, ci->quiet ? NULL : stderr);
    if (det_status == EXIT_INTERRUPT)
        return interrupted_report(s, &a->cr);
    rep_status = cli_run_report(s, &a->cr);
    if (rep_status == EXIT_FATAL || det_status == EXIT_FATAL)
        return EXIT_FATAL;
    if (rep_status == EXIT_ALERTS)
        return EXIT_ALERTS;
    /* zero events is never an all-clear: the report said so at its top */
    if (in_status == EXIT_CLEAN &&
        store_first_int(store_db(s), "SELECT coalesce(sum(events_seen), 0) FROM files") == 0)
        return EXIT_NOTHING;
    return in_status;
}

int cmd_scan(int argc, char **argv)
{
    struct scan_args a;
    cli_inputs in;
    cli_plan plan;
    const char *db;
    char tmpdb[4096] = "", err[512];
    store *s;
    int flags, status = parse_args(argc, argv, &a);

    if (status >= 0)
        return status;
    memset(&in, 0, sizeof in);
    /* everything that can be wrong before reading input is found before reading input */
    if (cli_detect_load(&a.cd, &plan) != EXIT_CLEAN) {
        cli_plan_free(&plan);
        return EXIT_FATAL;
    }
    a.ci.opts.catalogue = plan.catalogue;
    if (cli_report_open(&a.cr) != EXIT_CLEAN) {
        cli_plan_free(&plan);
        return EXIT_FATAL;
    }
    /* the trees are listed once: the shard plan, ingest and verification take this list */
    if ((!a.ci.follow && cli_inputs_list(&in, a.paths, a.npaths, 1) == EXIT_FATAL) ||
        (a.shard && cli_shard_setup(&a.ci, a.shard, a.shard_by, &in.wl) != EXIT_CLEAN)) {
        status = EXIT_FATAL;
        goto abort;
    }
    db = a.db;
    if (db == NULL) {
        const char *dir = getenv("TMPDIR");
        int fd;
        snprintf(tmpdb, sizeof tmpdb, "%s/ddbtrail-scan-XXXXXX", dir && *dir ? dir : "/tmp");
        fd = mkstemp(tmpdb);
        if (fd < 0) {
            cli_err("cannot create a temporary database in %s: %s (set TMPDIR or use --db)",
                    dir && *dir ? dir : "/tmp", strerror(errno));
            tmpdb[0] = '\0';
            status = EXIT_FATAL;
            goto abort;
        }
        close(fd);
        db = tmpdb;
    }
    /* one batch settles eventIDs once, after the last input (into a --db store, when
     * the batch is at least what it holds); a follow's cycles check each event */
    flags = db != tmpdb ? 0 : STORE_THROWAWAY;
    if (!a.ci.follow)
        flags |= STORE_DEFERRED_KEYS;
    s = store_open(db, flags, err, sizeof err);
    if (s == NULL) {
        cli_err("%s", err);
        status = EXIT_FATAL;
        goto abort;
    }
    cli_catch_signals();
    if (a.ci.follow) {
        a.cd.quiet = 1; /* a detection every few seconds: no summary line each time */
        status = cli_run_follow(s, &a.ci, &a.cd, &plan, &a.cr, a.paths[0], db != tmpdb);
    } else {
        status = run_batch(s, &a, &in, &plan, db == tmpdb ? "the temporary store" : db);
    }
    store_free(s);
abort:
    cli_report_abort(&a.cr); /* nothing when the report was written */
    if (tmpdb[0])
        remove_db(tmpdb);
    cli_plan_free(&plan);
    shard_plan_free(a.ci.shard_plan);
    cli_inputs_free(&in);
    return status;
}
