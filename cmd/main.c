/*
 * main: the ddbtrail command line. Dispatches to one file per subcommand.
 */
#include "cli.h"
#include "spell.h"

#include <stdio.h>
#include <sqlite3.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

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
    "  events            the events behind an alert, an incident, an actor, a key\n"
    "  actors            who did what: one summary per actor, most alerted first\n"
    "  rules list|show|check  list the rules, show one, or validate rule files\n"
    "  coverage          what the stored logs could see, per account and region\n"
    "  verify PATH...    prove a downloaded tree complete and unmodified (digests)\n"
    "  shards PATH...    how --shard K/N splits the accounts of a tree into N jobs\n"
    "  merge SHARD.db... fold shard stores into one (--db OUT)\n"
    "  init [FILE]       write a commented config with every key (./ddbtrail.json)\n"
    "\n"
    "PATH is a CloudTrail log file (.json or .json.gz, any of CloudTrail's file\n"
    "form, JSON Lines, an array of events, EventBridge events, lookup-events pages,\n"
    "CloudWatch Logs events, CloudTrail Lake query results), a directory such as a\n"
    "downloaded AWSLogs/ tree (walked recursively, its digest files verified), or -\n"
    "for stdin.\n"
    "\n"
    "Run 'ddbtrail help <command>' (or 'ddbtrail <command> --help') for its options;\n"
    "--version works after any command.\n"
    "\n"
    "exit status: 0 clean; 1 an alert at or above --fail-on; 2 usage or fatal\n"
    "error; 3 some input was rejected (the rest was processed); 4 no event was read,\n"
    "so nothing was checked; 130 interrupted.\n";

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {{"scan", cmd_scan},         {"ingest", cmd_ingest}, {"detect", cmd_detect},
                {"report", cmd_report},     {"events", cmd_events}, {"actors", cmd_actors},
                {"rules", cmd_rules},       {"coverage", cmd_coverage}, {"init", cmd_init},
                {"verify", cmd_verify},     {"shards", cmd_shards}, {"merge", cmd_merge}};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static int find(const char *name)
{
    size_t i;

    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int unknown(const char *name)
{
    const char *near = spell_closest(name, &commands[0].name, NCOMMANDS, sizeof commands[0]);

    if (near)
        cli_err("unknown command '%s'; did you mean '%s'?", name, near);
    else
        cli_err("unknown command '%s'; run 'ddbtrail --help' for the list", name);
    return EXIT_FATAL;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    int c, i;

    /* SQLite's caches recycle and its sorters spill to temporary files once its heap nears
     * 8 MiB, so memory stays flat however large the store: a 2 000 000-event scan peaked at
     * 79 MiB without the limit, 53 MiB with it (make bench-scale; 200 000 events: +6 % time).
     * A sorter keeps at least 64 pages in memory (1 MiB of the 16 KiB pages stores use)
     * before it spills, not SQLite's 250 (4 MiB, and 75 MiB at 2 000 000 events) */
    sqlite3_config(SQLITE_CONFIG_PMASZ, 64);
    sqlite3_soft_heap_limit64(8 << 20);
#ifdef M_ARENA_MAX
    /* glibc gives each thread that mallocs its own arena, and an arena keeps what its
     * thread freed: the decoder and the rule threads held 9 MiB more that way (2 000 000
     * events through a pipe, 66.3 MiB peak; one arena: 57 MiB, 25.0 s against 25.2 s) */
    mallopt(M_ARENA_MAX, 1);
#endif

    if (cmd == NULL) {
        fputs(usage, stderr);
        return EXIT_FATAL;
    }
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        (strcmp(cmd, "help") == 0 && argc == 2)) {
        fputs(usage, stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(cmd, "help") == 0) {
        /* ddbtrail help scan: scan's own --help */
        char help_opt[] = "--help", *args[3];
        if ((c = find(argv[2])) < 0)
            return unknown(argv[2]);
        args[0] = argv[2];
        args[1] = help_opt;
        args[2] = NULL;
        return commands[c].run(2, args);
    }
    /* --version wherever it is given, up to a "--" that ends the options */
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--version") == 0 || (i == 1 && strcmp(argv[i], "version") == 0)) {
            printf("ddbtrail %s\n", DDBTRAIL_VERSION);
            return EXIT_CLEAN;
        }
    if ((c = find(cmd)) < 0)
        return unknown(cmd);
    return commands[c].run(argc - 1, argv + 1);
}
