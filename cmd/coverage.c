/*
 * coverage: `ddbtrail coverage --db FILE [--format text|json]`: per account
 * and region, the time the stored logs cover, their DynamoDB management and
 * data events, the hours with no events, and the blind spots.
 */
#include "cli.h"
#include "coverage.h"

#include <getopt.h>
#include <string.h>

static const char help[] =
    "usage: ddbtrail coverage --db FILE [--format text|json]\n"
    "\n"
    "What the logs in a database could see: per account and region, the time\n"
    "covered, DynamoDB management and data events, and the hours with no events at\n"
    "all. A region with DynamoDB management activity but no data events is a blind\n"
    "spot: item reads, scans and exports there are invisible to every rule.\n"
    "\n"
    "options:\n"
    "  --db FILE         the database (required)\n"
    "  --format F        text (default) or json (one object per account and region)\n"
    "  -h, --help        this help\n"
    "\n"
    "exit status: 0 no blind spot; 1 a blind spot; 2 usage or fatal error.\n";

int cmd_coverage(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db = NULL, *format = "text";
    char err[512];
    store *s;
    long blind = 0;
    int c, rc;

    while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f': format = optarg; break;
        case 'h': fputs(help, stdout); return EXIT_CLEAN;
        default: fputs(help, stderr); return EXIT_FATAL;
        }
    }
    if (db == NULL || optind < argc) {
        cli_err("coverage needs --db FILE and no paths (run 'ddbtrail coverage --help')");
        return EXIT_FATAL;
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        cli_err("--format wants text or json, not '%s'", format);
        return EXIT_FATAL;
    }
    s = store_open(db, STORE_READONLY, err, sizeof err);
    if (s == NULL) {
        cli_err("%s", err);
        return EXIT_FATAL;
    }
    rc = coverage_render(store_db(s), format[0] == 't' ? COVERAGE_TEXT : COVERAGE_JSON,
                         cli_write_stream, stdout, &blind, err, sizeof err);
    store_free(s);
    if (rc != 0 || fflush(stdout) != 0) {
        cli_err("%s", rc != 0 ? err : "cannot write to stdout");
        return EXIT_FATAL;
    }
    return blind ? EXIT_ALERTS : EXIT_CLEAN;
}
