/*
 * detect: `ddbtrail detect --db FILE [--rules DIR] [--config FILE] [--only ID,...]`.
 */
#include "settings.h"
#include "cli.h"

#include <getopt.h>
#include <string.h>

static void usage(FILE *f)
{
    char keys[4096];

    settings_describe(keys, sizeof keys);
    fprintf(f,
            "usage: ddbtrail detect --db FILE [--rules DIR] [--config FILE] [--only ID,...]\n"
            "\n"
            "Run the detection rules over a database made by 'ddbtrail ingest' and store\n"
            "the results in its alerts table. Re-running adds no duplicate alerts.\n"
            "\n"
            "options:\n"
            "  --db FILE       the database (required)\n"
            "  --rules DIR     rules directory (default: $DDBTRAIL_RULES, else the\n"
            "                  detections/ installed with ddbtrail)\n"
            "  --config FILE   JSON settings (default: $DDBTRAIL_CONFIG)\n"
            "  --only ID,...   run only these rules\n"
            "  --threads N     rules run at once (default: one per CPU, at most 8)\n"
            "  --timings       print the wall time of the rules and of triage (novelty,\n"
            "                  suppressions, incidents) on stderr\n"
            "  -q, --quiet     no summary\n"
            "  -h, --help      this help\n"
            "\n"
            "config keys (JSON object; unknown keys and wrong types are errors):\n%s"
            "\n"
            "exit status: 0 rules ran; 2 usage error, unloadable config or rules, or a\n"
            "rule failed (the others still ran); 130 interrupted.\n",
            keys);
}

int cmd_detect(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},     {"rules", required_argument, NULL, 'r'},
        {"config", required_argument, NULL, 'c'}, {"only", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, 't'}, {"quiet", no_argument, NULL, 'q'},
        {"timings", no_argument, NULL, 'T'},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    cli_detect cd;
    cli_plan plan;
    const char *db = NULL;
    char err[512];
    store *s;
    int c, status;

    memset(&cd, 0, sizeof cd);
    while ((c = getopt_long(argc, argv, "d:r:c:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': cd.rules_dir = optarg; break;
        case 'c': cd.config = optarg; break;
        case 'o': cd.only = optarg; break;
        case 't': cd.threads = (int)cli_parse_u64("--threads", optarg); break;
        case 'q': cd.quiet = 1; break;
        case 'T': cd.timings = 1; break;
        case 'h': usage(stdout); return EXIT_CLEAN;
        default: usage(stderr); return EXIT_FATAL;
        }
    }
    if (db == NULL) {
        cli_err("detect needs --db FILE (a database made by 'ddbtrail ingest')");
        return EXIT_FATAL;
    }
    if (optind < argc) {
        cli_err("detect takes no paths ('%s'); to read logs use 'ddbtrail scan'", argv[optind]);
        return EXIT_FATAL;
    }
    if (cli_detect_load(&cd, &plan) != EXIT_CLEAN) {
        cli_plan_free(&plan);
        return EXIT_FATAL;
    }
    s = store_open(db, 0, err, sizeof err);
    if (s == NULL) {
        cli_err("%s", err);
        cli_plan_free(&plan);
        return EXIT_FATAL;
    }
    cli_catch_signals();
    status = cli_run_detect(s, &cd, &plan, cd.quiet ? NULL : stdout);
    store_free(s);
    cli_plan_free(&plan);
    return status;
}
