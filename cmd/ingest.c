/*
 * ingest: `ddbtrail ingest --db FILE PATH...|-`.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: ddbtrail ingest --db FILE [options] PATH...|-\n"
    "\n"
    "Read CloudTrail logs into a SQLite database: DynamoDB and DAX events plus\n"
    "the CloudTrail, VPC endpoint and KMS changes the detections need. Files\n"
    "already ingested unchanged (same path, size and mtime) are skipped, and\n"
    "eventID keeps every event unique, so re-running is safe.\n"
    "\n"
    "options:\n"
    "  --db FILE       database to create or add to (required)\n"
    "  --all-events    store every event, not only the DynamoDB-relevant ones\n"
    "  --force         re-read files already ingested unchanged\n"
    "  --batch N       events per transaction (default 50000)\n"
    "  --threads N     decoding threads (default: one per CPU, at most 8)\n"
    "  --shard K/N     keep only the accounts of shard K of N ('ddbtrail shards'\n"
    "                  prints the plan; 'ddbtrail merge' joins the shard stores)\n"
    "  --shard-by U    with --shard: account (default) or day, an account's days\n"
    "                  (day shards are joined with 'ddbtrail merge --events')\n"
    "  --progress / --no-progress   force the progress line on or off\n"
    "                  (default: on when stderr is a terminal and a directory is read)\n"
    "  -q, --quiet     no summary\n"
    "  -h, --help      this help\n"
    "\n"
    "Problems in the input are reported as 'ddbtrail: PATH: what (byte N)' on\n"
    "stderr and kept in the rejects table; the rest of the input is stored.\n"
    "\n"
    "exit status: 0 clean, 2 usage or fatal error, 3 some input rejected,\n"
    "130 interrupted (re-run the same command to finish).\n";

enum { OPT_ALL = 256, OPT_FORCE, OPT_BATCH, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_THREADS,
       OPT_SHARD, OPT_SHARD_BY };

int cmd_ingest(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"all-events", no_argument, NULL, OPT_ALL},
                                             {"force", no_argument, NULL, OPT_FORCE},
                                             {"batch", required_argument, NULL, OPT_BATCH},
                                             {"threads", required_argument, NULL, OPT_THREADS},
                                             {"shard", required_argument, NULL, OPT_SHARD},
                                             {"shard-by", required_argument, NULL, OPT_SHARD_BY},
                                             {"progress", no_argument, NULL, OPT_PROGRESS},
                                             {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    cli_ingest ci;
    cli_inputs in;
    const char *db = NULL, *shard = NULL, *shard_by = NULL;
    ingest_totals tot;
    size_t digests, nonlog;
    char err[512];
    store *s;
    catalogue *cat = NULL;
    int c, status;

    memset(&ci, 0, sizeof ci);
    ci.progress = -1;
    while ((c = getopt_long(argc, argv, "d:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case OPT_ALL: ci.opts.all_events = 1; break;
        case OPT_FORCE: ci.opts.force = 1; break;
        case OPT_BATCH: ci.opts.batch = cli_parse_u64("--batch", optarg); break;
        case OPT_THREADS: ci.opts.threads = (int)cli_parse_u64("--threads", optarg); break;
        case OPT_PROGRESS: ci.progress = 1; break;
        case OPT_NO_PROGRESS: ci.progress = 0; break;
        case OPT_SHARD: shard = optarg; break;
        case OPT_SHARD_BY: shard_by = optarg; break;
        case 'q': ci.quiet = 1; break;
        case 'h': fputs(help, stdout); return EXIT_CLEAN;
        default: fputs(help, stderr); return EXIT_FATAL;
        }
    }
    if (db == NULL) {
        cli_err("ingest needs --db FILE (the database to store events in)");
        return EXIT_FATAL;
    }
    if (optind >= argc) {
        cli_err("ingest needs at least one PATH (a file, a directory, or - for stdin)");
        return EXIT_FATAL;
    }
    if (shard_by && !shard) {
        cli_err("--shard-by says how --shard K/N splits the input; give --shard too");
        return EXIT_FATAL;
    }
    if (!ci.opts.all_events && (cat = cli_catalogue_load(NULL)) == NULL)
        return EXIT_FATAL;
    ci.opts.catalogue = cat;
    if (cli_inputs_list(&in, argv + optind, argc - optind, 1) == EXIT_FATAL) {
        catalogue_free(cat);
        return EXIT_FATAL;
    }
    if (shard && cli_shard_setup(&ci, shard, shard_by, &in.wl) != EXIT_CLEAN) {
        cli_inputs_free(&in);
        catalogue_free(cat);
        return EXIT_FATAL;
    }
    /* a load at least as big as the store builds its eventID key once, at the end */
    s = store_open(db, STORE_DEFERRED_KEYS, err, sizeof err);
    if (s == NULL) {
        cli_err("%s", err);
        shard_plan_free(ci.shard_plan);
        cli_inputs_free(&in);
        catalogue_free(cat);
        return EXIT_FATAL;
    }
    cli_catch_signals();
    status = cli_shard_claim(s, &ci, db);
    if (status == EXIT_CLEAN) {
        status = cli_run_ingest(s, &ci, &in, &tot, &digests, &nonlog);
        if (!ci.quiet) {
            cli_print_skipped(stdout, &in.wl);
            cli_print_ingest_summary(stdout, &tot, digests, nonlog);
        }
    }
    store_free(s);
    shard_plan_free(ci.shard_plan);
    cli_inputs_free(&in);
    catalogue_free(cat);
    return status;
}
