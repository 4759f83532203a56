/*
 * actors: `ddbtrail actors --db FILE`, who did what: one summary per actor,
 * most alerted first, to pick whom to follow with `ddbtrail events --actor`.
 */
#include "cli.h"
#include "actors.h"

#include <getopt.h>
#include <string.h>

enum { OPT_LIMIT = CLI_OPT_OWN };

static const char actors_help[] =
    "usage: ddbtrail actors --db FILE [--since T] [--until T] [--limit N] [--format F]\n"
    "\n"
    "One summary per actor as the rules group them (a role whatever session names it\n"
    "used, a user, root, an AWS service), most alerted first: its open alerts and\n"
    "their top severity, calls (DynamoDB, failed), tables, first and last seen, and\n"
    "its most frequent source addresses, access keys and user agents.\n"
    "\n"
    "options:\n"
    "  --db FILE         the database (required; made by 'scan --db' or 'ingest')\n"
    "  --since T, --until T\n"
    "                    count only events at or after / at or before T (ISO-8601,\n"
    "                    epoch seconds, or an age: 90m, 24h, 7d, 2w)\n"
    "  --limit N         at most N actors (the count of all is still given)\n"
    "  --format F        text (default), json (JSON Lines), csv\n"
    "  -h, --help        this help\n"
    "\n"
    "Then: ddbtrail events --db FILE --actor ARN (every call of one of them).\n"
    "\n"
    "exit status: 0 listed (even none), 2 usage or database error.\n";

int cmd_actors(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"since", required_argument, NULL, CLI_OPT_SINCE},
        {"until", required_argument, NULL, CLI_OPT_UNTIL},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"format", required_argument, NULL, CLI_OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static const enum actors_format formats[] = {ACTORS_TEXT, ACTORS_JSON, ACTORS_CSV};
    actors_opts o;
    const char *db = NULL, *format = "text", *since = NULL, *until = NULL;
    char err[512];
    store *s;
    int c, rc;

    memset(&o, 0, sizeof o);
    while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case CLI_OPT_SINCE: since = optarg; break;
        case CLI_OPT_UNTIL: until = optarg; break;
        case OPT_LIMIT: o.limit = cli_parse_u64("--limit", optarg); break;
        case CLI_OPT_FORMAT: format = optarg; break;
        case 'h': fputs(actors_help, stdout); return EXIT_CLEAN;
        default: cli_err("run 'ddbtrail actors --help' for the options"); return EXIT_FATAL;
        }
    }
    if (db == NULL) {
        cli_err("actors needs --db FILE (a database made by 'ddbtrail scan --db' or 'ingest')");
        return EXIT_FATAL;
    }
    if (optind < argc) {
        cli_err("actors takes no paths ('%s')", argv[optind]);
        return EXIT_FATAL;
    }
    if ((c = cli_listing_format("actors", format)) < 0)
        return EXIT_FATAL;
    o.format = formats[c];
    cli_parse_range(since, until, &o.has_since, &o.since, &o.has_until, &o.until);
    s = store_open(db, STORE_READONLY, err, sizeof err);
    if (s == NULL) {
        cli_err("%s", err);
        return EXIT_FATAL;
    }
    rc = actors_render(store_db(s), &o, cli_write_stream, stdout, NULL, NULL, err, sizeof err);
    store_free(s);
    if (rc != 0 || fflush(stdout) != 0) {
        cli_err("%s", rc ? err : "cannot write the actors");
        return EXIT_FATAL;
    }
    return EXIT_CLEAN;
}
