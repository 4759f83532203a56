/*
 * main: the ddbtrail command line. Dispatches to one file per subcommand.
 */
#include "cli.h"

#include <stdio.h>
#include <sqlite3.h>
#include <string.h>

static const char usage[] =
    "usage: ddbtrail <command> [options] [PATH...]\n"
    "\n"
    "Find malicious or non-compliant DynamoDB activity in AWS CloudTrail logs.\n"
    "\n"
    "commands:\n"
    "  scan PATH...|-    ingest, detect and report in one go (the main job)\n"
    "  ingest PATH...|-  read CloudTrail logs into a SQLite database (--db FILE)\n"
    "  detect            run the detection rules over a database\n"
    "  report            render the alerts already in a database\n"
    "  rules list|check  list the detection rules, or validate rule files\n"
    "  coverage          what the stored logs could see, per account and region\n"
    "  verify PATH...    prove a downloaded tree complete and unmodified (digests)\n"
    "  shards PATH...    how --shard K/N splits the accounts of a tree into N jobs\n"
    "  merge SHARD.db... fold shard stores into one (--db OUT)\n"
    "\n"
    "PATH is a CloudTrail log file (.json or .json.gz, any of CloudTrail's file\n"
    "form, JSON Lines, an array of events, EventBridge events, lookup-events pages,\n"
    "CloudWatch Logs events, CloudTrail Lake query results), a directory such as a\n"
    "downloaded AWSLogs/ tree (walked recursively, its digest files verified), or -\n"
    "for stdin.\n"
    "\n"
    "Run 'ddbtrail <command> --help' for a command's options.\n"
    "\n"
    "exit status: 0 clean; 1 an alert at or above --fail-on; 2 usage or fatal\n"
    "error; 3 some input was rejected (the rest was processed); 4 no event was read,\n"
    "so nothing was checked; 130 interrupted.\n";

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    /* SQLite's caches recycle and its sorters spill to temporary files once its heap nears
     * 8 MiB, so memory stays flat however large the store: a 2 000 000-event scan peaked at
     * 79 MiB without the limit, 53 MiB with it (make bench-scale; 200 000 events: +6 % time).
     * A sorter keeps at least 64 pages in memory (1 MiB of the 16 KiB pages stores use)
     * before it spills, not SQLite's 250 (4 MiB, and 75 MiB at 2 000 000 events) */
    sqlite3_config(SQLITE_CONFIG_PMASZ, 64);
    sqlite3_soft_heap_limit64(8 << 20);

    if (cmd == NULL) {
        fputs(usage, stderr);
        return EXIT_FATAL;
    }
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("ddbtrail %s\n", DDBTRAIL_VERSION);
        return EXIT_CLEAN;
    }
    if (strcmp(cmd, "scan") == 0)
        return cmd_scan(argc - 1, argv + 1);
    if (strcmp(cmd, "ingest") == 0)
        return cmd_ingest(argc - 1, argv + 1);
    if (strcmp(cmd, "detect") == 0)
        return cmd_detect(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0)
        return cmd_rules(argc - 1, argv + 1);
    if (strcmp(cmd, "coverage") == 0)
        return cmd_coverage(argc - 1, argv + 1);
    if (strcmp(cmd, "verify") == 0)
        return cmd_verify(argc - 1, argv + 1);
    if (strcmp(cmd, "shards") == 0)
        return cmd_shards(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return cmd_merge(argc - 1, argv + 1);
    cli_err("unknown command '%s'; run 'ddbtrail --help' for the list", cmd);
    return EXIT_FATAL;
}
