/*
 * report: `ddbtrail report --db FILE [report options]`.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'}, CLI_REPORT_LONGOPTS,
        {"force", no_argument, NULL, 'f'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    cli_report cr;
    const char *db = NULL;
    char err[512];
    store *s;
    int c, status;

    memset(&cr, 0, sizeof cr);
    while ((c = getopt_long(argc, argv, "d:o:h", longopts, NULL)) != -1) {
        if (cli_report_option(&cr, c, optarg))
            continue;
        switch (c) {
        case 'd': db = optarg; break;
        case 'f': cr.force = 1; break;
        case 'h':
            printf("usage: ddbtrail report --db FILE [options]\n\n"
                   "Render the alerts stored by 'ddbtrail detect' or 'ddbtrail scan --db'.\n\n"
                   "options:\n  --db FILE         the database (required)\n%s"
                   "  --force           let -o replace a symbolic link (never written through)\n"
                   "  -h, --help        this help\n"
                   "\nexit status: 0 done, 1 an alert at or above --fail-on, 2 error.\n",
                   cli_report_help);
            return EXIT_CLEAN;
        default:
            cli_err("run 'ddbtrail report --help' for the options");
            return EXIT_FATAL;
        }
    }
    if (db == NULL) {
        cli_err("report needs --db FILE (a database made by 'ddbtrail scan --db' or 'ingest')");
        return EXIT_FATAL;
    }
    if (optind < argc) {
        cli_err("report takes no paths ('%s'); to read logs use 'ddbtrail scan'", argv[optind]);
        return EXIT_FATAL;
    }
    cli_report_check(&cr);
    s = store_open(db, STORE_READONLY, err, sizeof err);
    if (s == NULL) {
        cli_err("%s", err);
        return EXIT_FATAL;
    }
    if (cli_report_open(&cr) != EXIT_CLEAN) {
        store_free(s);
        return EXIT_FATAL;
    }
    status = cli_run_report(s, &cr);
    store_free(s);
    return status;
}
