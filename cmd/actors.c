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
    if (strcmp(format, "text") == 0) {
        o.format = ACTORS_TEXT;
    } else if (strcmp(format, "json") == 0 || strcmp(format, "jsonl") == 0) {
        o.format = ACTORS_JSON;
    } else if (strcmp(format, "csv") == 0) {
        o.format = ACTORS_CSV;
    } else {
        cli_err("actors --format wants text, json or csv, not '%s'", format);
        return EXIT_FATAL;
    }
    if ((o.has_since = since != NULL))
        o.since = cli_parse_when("--since", since, 0);
    if ((o.has_until = until != NULL))
        o.until = cli_parse_when("--until", until, 1);
    if (since && until && o.since > o.until) {
        cli_err("--since %s is after --until %s: nothing could match", since, until);
        return EXIT_FATAL;
    }
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
