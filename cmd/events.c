/*
 * events: `ddbtrail events --db FILE [filters]`, the stored events behind an
 * alert, an incident, an actor, a key, an address or a table, in time order.
 */
#include "cli.h"
#include "evidence.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_ALERT = CLI_OPT_OWN, OPT_INCIDENT, OPT_ACTOR, OPT_KEY, OPT_IP, OPT_TABLE, OPT_CALL,
       OPT_LIMIT, OPT_RAW };

static const char events_help[] =
    "usage: ddbtrail events --db FILE [filters] [--format F]\n"
    "\n"
    "List the stored events behind an alert or an incident, or every event of an\n"
    "actor, an access key, a source address or a table, in time order: the step\n"
    "from a report to its evidence. Filters combine (all must hold).\n"
    "\n"
    "options:\n"
    "  --db FILE         the database (required; made by 'scan --db' or 'ingest')\n"
    "  --alert ID        the events an alert keeps: its alert_id (JSON Lines, CSV,\n"
    "                    the text and HTML reports), or its first 6+ digits\n"
    "  --incident N      the events of every alert of incident #N\n"
    "  --actor ARN       the actor the rules group by (a role, user or key's owner),\n"
    "                    or the exact principal ARN of the calls\n"
    "  --key AKIA...     calls made with this access key id\n"
    "  --ip ADDR         calls from this source address\n"
    "  --table T         calls on table T (a name, or a table ARN for one account and\n"
    "                    region)\n"
    "  --call NAME       only this API call (Scan, DeleteTable, CreateRole, ...)\n"
    "  --since T, --until T\n"
    "                    only events at or after / at or before T (ISO-8601, epoch\n"
    "                    seconds, or an age: 90m, 24h, 7d, 2w)\n"
    "  --limit N         at most N events (the count of all is still given)\n"
    "  --format F        text (default), json (JSON Lines), csv\n"
    "  --raw             each event's CloudTrail record exactly as its file holds it, one\n"
    "                    per line (read back from the file, which must be unchanged);\n"
    "                    its file and decompressed byte offset on stderr\n"
    "  -h, --help        this help\n"
    "\n"
    "An alert keeps the ids of its first 20 events; when it counted more, the text\n"
    "form says so and gives the --actor/--since/--until that list them all.\n"
    "\n"
    "exit status: 0 listed (even none), 2 usage error or no such alert/incident,\n"
    "3 --raw: some records could not be read back (each named on stderr).\n";

/* --raw: where each record came from, or why it could not be read back */
static void note(void *ctx, const char *msg)
{
    (void)ctx;
    cli_err("%s", msg);
}

int cmd_events(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"alert", required_argument, NULL, OPT_ALERT},
        {"incident", required_argument, NULL, OPT_INCIDENT},
        {"actor", required_argument, NULL, OPT_ACTOR},
        {"key", required_argument, NULL, OPT_KEY},
        {"ip", required_argument, NULL, OPT_IP},
        {"table", required_argument, NULL, OPT_TABLE},
        {"call", required_argument, NULL, OPT_CALL},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"raw", no_argument, NULL, OPT_RAW},
        {"since", required_argument, NULL, CLI_OPT_SINCE},
        {"until", required_argument, NULL, CLI_OPT_UNTIL},
        {"format", required_argument, NULL, CLI_OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static const enum evidence_format formats[] = {EVIDENCE_TEXT, EVIDENCE_JSON, EVIDENCE_CSV};
    evidence_filter f;
    evidence_result r;
    enum evidence_format fmt = EVIDENCE_TEXT;
    const char *db = NULL, *format = "text", *since = NULL, *until = NULL;
    char err[512];
    store *s;
    int c, rc, raw = 0;

    memset(&f, 0, sizeof f);
    while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case OPT_ALERT: f.alert = optarg; break;
        case OPT_INCIDENT:
            f.incident = (long long)cli_parse_u64("--incident", optarg);
            if (f.incident <= 0) {
                cli_err("--incident wants an incident number (#1, #2 ... in the report)");
                return EXIT_FATAL;
            }
            break;
        case OPT_ACTOR: f.actor = optarg; break;
        case OPT_KEY: f.key = optarg; break;
        case OPT_IP: f.ip = optarg; break;
        case OPT_TABLE: f.table = optarg; break;
        case OPT_CALL: f.call = optarg; break;
        case OPT_LIMIT: f.limit = cli_parse_u64("--limit", optarg); break;
        case OPT_RAW: raw = 1; break;
        case CLI_OPT_SINCE: since = optarg; break;
        case CLI_OPT_UNTIL: until = optarg; break;
        case CLI_OPT_FORMAT: format = optarg; break;
        case 'h': fputs(events_help, stdout); return EXIT_CLEAN;
        default: cli_err("run 'ddbtrail events --help' for the options"); return EXIT_FATAL;
        }
    }
    if (db == NULL) {
        cli_err("events needs --db FILE (a database made by 'ddbtrail scan --db' or 'ingest')");
        return EXIT_FATAL;
    }
    if (optind < argc) {
        cli_err("events takes no paths ('%s'); filter with --alert, --actor, --key, --ip, "
                "--table", argv[optind]);
        return EXIT_FATAL;
    }
    if ((c = cli_listing_format("events", format)) < 0)
        return EXIT_FATAL;
    fmt = formats[c];
    if (raw) {
        fmt = EVIDENCE_RAW;
        f.note = note;
    }
    if (f.alert && f.incident) {
        cli_err("give --alert or --incident, not both");
        return EXIT_FATAL;
    }
    cli_parse_range(since, until, &f.has_since, &f.since, &f.has_until, &f.until);
    s = store_open(db, STORE_READONLY, err, sizeof err);
    if (s == NULL) {
        cli_err("%s", err);
        return EXIT_FATAL;
    }
    rc = evidence_render(store_db(s), &f, fmt, cli_write_stream, stdout, &r, err, sizeof err);
    store_free(s);
    if (rc != 0) {
        cli_err("%s", err);
        return EXIT_FATAL;
    }
    if (fflush(stdout) != 0) {
        cli_err("cannot write the events");
        return EXIT_FATAL;
    }
    /* the text form says these itself, above the events */
    if (fmt != EVIDENCE_TEXT && (f.alert || f.incident) && r.listed < r.counted)
        cli_err("the alert(s) counted %llu event(s) and keep the ids of %llu; list the rest "
                "with --actor and --since/--until",
                (unsigned long long)r.counted, (unsigned long long)r.listed);
    if (fmt != EVIDENCE_TEXT && r.missing)
        cli_err("%llu listed event(s) are not in this database (a merged store keeps its "
                "events in the shards)", (unsigned long long)r.missing);
    if (fmt != EVIDENCE_TEXT && r.shown < r.matched)
        cli_err("%llu of %llu matching event(s) shown (--limit)", (unsigned long long)r.shown,
                (unsigned long long)r.matched);
    if (r.unread) {
        cli_err("%llu of %llu record(s) could not be read back from their files",
                (unsigned long long)r.unread, (unsigned long long)r.shown);
        return EXIT_REJECTS;
    }
    return EXIT_CLEAN;
}
