/*
 * cli: what the subcommands share: messages on stderr, the ingest loop
 * with its progress line, and exit statuses. Only cmd/ prints or exits.
 */
#ifndef DDBTRAIL_CLI_H
#define DDBTRAIL_CLI_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "settings.h"
#include "ingest.h"
#include "rules.h"
#include "store.h"
#include "walk.h"

/* Exit statuses, as documented in --help and the README. */
enum {
    EXIT_CLEAN = 0,     /* all inputs clean, no alert at or above --fail-on */
    EXIT_ALERTS = 1,    /* an alert at or above --fail-on */
    EXIT_FATAL = 2,     /* usage or fatal error */
    EXIT_REJECTS = 3,   /* some input was rejected; the rest was stored */
    EXIT_NOTHING = 4,   /* no event was read (or, verify: no digest): nothing was checked */
    EXIT_INTERRUPT = 130
};

extern volatile sig_atomic_t cli_stop;

/* "ddbtrail: " + message on stderr, control characters escaped. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes s to f with control characters and invalid UTF-8 shown as \xNN,
 * so log values can never drive the terminal. */
void cli_put_safe(FILE *f, const char *s, size_t len);

/* A report/coverage write callback: writes n bytes to the FILE *ctx. Returns 0
 * or -1. */
int cli_write_stream(void *ctx, const char *p, size_t n);

/* Installs the SIGINT/SIGTERM handler that sets cli_stop. */
void cli_catch_signals(void);

/* Options of the ingest half, shared by ingest and scan. */
typedef struct cli_ingest {
    ingest_opts opts;
    int quiet;          /* no summary */
    int follow;         /* scan --follow */
    double interval;    /* --interval: seconds between detections when following */
    uint64_t every;     /* --every: also detect after this many new events (0: never) */
    int progress;       /* 1: force a progress line, 0: never, -1: when stderr is a tty */
    shard_plan *shard_plan; /* --shard K/N: the plan (owned; cli_shard_setup()), or NULL */
    unsigned shard_k;
} cli_ingest;

/* The inputs of one run, listed once (cmd/inputs.c). */
typedef struct cli_inputs {
    walk_list wl;  /* log files in wl.paths, digest files in wl.dpaths */
    int any_dir;   /* a directory was named: a progress line is worth drawing */
} cli_inputs;

/* Walks paths (files, directories, "-") once into in: every command that
 * reads a tree takes this list, so no folder is read twice in one run. Paths
 * that cannot be read are named on stderr when name_errors. Returns
 * EXIT_CLEAN, EXIT_REJECTS (a path could not be read) or EXIT_FATAL ("-"
 * twice, out of memory; in is then empty). Free with cli_inputs_free(). */
int cli_inputs_list(cli_inputs *in, char **paths, int n, int name_errors);
void cli_inputs_free(cli_inputs *in);

/* --shard K/N and --shard-by (by_spec, NULL for account): parses them and
 * plans the shards from the listed files into ci (free ci->shard_plan with
 * shard_plan_free()). Returns EXIT_CLEAN or EXIT_FATAL (message printed). */
int cli_shard_setup(cli_ingest *ci, const char *spec, const char *by_spec, const walk_list *wl);

/* Plans nshards shards of units by (enum shard_by) of the listed files whose
 * path names an account; the others are counted in *loose_files and
 * *loose_bytes (either may be NULL). Returns EXIT_CLEAN with a new plan in
 * *out (free it with shard_plan_free()), or EXIT_FATAL. */
int cli_shard_plan(const walk_list *wl, unsigned nshards, int by, shard_plan **out,
                   uint64_t *loose_files, uint64_t *loose_bytes);

/* Checks that store s (at db) may take this run: a shard store only the same
 * shard of the same plan, an unsharded store no shard; marks a new shard
 * store. Returns EXIT_CLEAN or EXIT_FATAL (message printed). */
int cli_shard_claim(store *s, const cli_ingest *ci, const char *db);

/* Ingests the listed log files into s (only shard ci->shard_k's with a plan:
 * the others are dropped from the list). Returns the exit status so far
 * (EXIT_CLEAN, EXIT_REJECTS, EXIT_FATAL, EXIT_INTERRUPT) and the totals in
 * *tot, plus walk skips in *digests and *nonlog. */
int cli_run_ingest(store *s, const cli_ingest *ci, cli_inputs *in, ingest_totals *tot,
                   size_t *digests, size_t *nonlog);

/* Prints the one-paragraph ingest summary to f. */
/* Names the first non-log files the walk skipped (ddbtrail.json and hidden
 * files aside), and how many more. */
void cli_print_skipped(FILE *f, const walk_list *wl);

void cli_print_ingest_summary(FILE *f, const ingest_totals *t, size_t digests, size_t nonlog);

/* Parses a non-negative integer option value; exits with status 2 naming
 * the option on error. */
uint64_t cli_parse_u64(const char *opt, const char *val);

/* An ISO 8601 time (2026-11-13T04:00:00Z) or date (2026-11-13: its
 * midnight) as Unix seconds; exits with 2 naming opt on anything else. */
int64_t cli_parse_time(const char *opt, const char *val);

/* A --since/--until value as Unix seconds: ISO-8601 UTC (a bare date means
 * the start, or with end_of_day the end, of that day), epoch seconds
 * (1794448800), or an age before now (90m, 24h, 7d, 2w). Exits with 2
 * naming opt on a bad value. */
int64_t cli_parse_when(const char *opt, const char *v, int end_of_day);

/* --since/--until as given (either may be NULL) into the has_/value pairs;
 * exits with 2 on a bad value or a --since after the --until. */
void cli_parse_range(const char *since, const char *until, int *has_since, int64_t *since_ts,
                     int *has_until, int64_t *until_ts);

/* The --format of a listing command (events, actors): 0 text, 1 json (or
 * jsonl), 2 csv; -1 with the error printed, naming cmd. */
int cli_listing_format(const char *cmd, const char *format);

/* --start and --end: the period verification must find covered. */
typedef struct cli_period {
    const char *start, *end; /* as given, or NULL */
} cli_period;

/* Threads for --threads N: N when given, else one per CPU; at most 8. */
int cli_threads(int requested);

int cmd_ingest(int argc, char **argv);
int cmd_detect(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_actors(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_coverage(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_shards(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* Verifies the listed log files against the listed digest files
 * (src/integrity/digest.h): problems one per line (or JSON object) to out when not NULL,
 * and into s's integrity table when s is not NULL; the summary line to
 * summary. Returns EXIT_CLEAN, EXIT_ALERTS (problems), EXIT_REJECTS
 * (unreadable files) or EXIT_FATAL. With plan, only shard_k's trees. */
int cli_run_verify(walk_list *wl, const char *keys_file, const cli_period *period, store *s,
                   FILE *out, int json, FILE *summary, const shard_plan *plan, unsigned shard_k);

/* Detection options shared by detect and scan. */
typedef struct cli_detect {
    const char *rules_dir;  /* --rules, or NULL for the default lookup */
    const char *config;     /* --config, or NULL for $DDBTRAIL_CONFIG */
    const char *only;       /* --only ID,... or NULL */
    int threads;            /* --threads: rules run at once (0: one per CPU) */
    int quiet;
    int timings;            /* --timings: the rules' and triage's wall time on stderr */
} cli_detect;

/* The rules directory: dir if given, else $DDBTRAIL_RULES, else the
 * detections/ beside the binary or installed with it. Static storage. */
const char *cli_rules_dir(const char *dir);

/* functions flags from the environment: DDBTRAIL_NO_JIT=1 turns PCRE2's JIT off
 * (for valgrind runs). */
int cli_function_flags(void);

/* What detection needs, loaded and checked before any input is read. */
typedef struct cli_plan {
    const char *dir; /* the rules directory */
    settings *settings;        /* the settings: defaults, the agents list, --config */
    rules *set;      /* the rules, every one compiled once against the schema */
    catalogue *catalogue; /* the effect catalogue, DIR/effects.txt */
    char config[4200];    /* the config file read and how it was found, or "" for none */
} cli_plan;

/* The config file to read: --config, else $DDBTRAIL_CONFIG, else
 * ./ddbtrail.json, else $XDG_CONFIG_HOME/ddbtrail/config.json (~/.config when
 * unset) when it exists; given as "", or DDBTRAIL_CONFIG set but empty, is
 * none, with nothing looked for.
 * Writes it into path and how it was chosen into how ("--config",
 * "DDBTRAIL_CONFIG", "found"); returns 0, or -1 when none. */
int cli_config_find(const char *given, char *path, size_t cap, const char **how);

/* Loads DIR/effects.txt (dir as cli_rules_dir() resolves it; when that
 * directory has none, the installed rules directory's). Returns it, to
 * free with catalogue_free(), or NULL with the reason printed. */
catalogue *cli_catalogue_load(const char *dir);

/* Checks the effects a rule's header names exist in cat's vocabulary.
 * Returns 0, or -1 with the first unknown one in err. */
int cli_check_effects(const rules_rule *r, const catalogue *cat, char *err, size_t errlen);

/* Loads and checks the config (types, unknown keys, CIDRs, patterns), the
 * rules directory (every rule compiles, as 'rules check') and --only, so a
 * typo stops the run before anything is read. Messages go to stderr.
 * Returns EXIT_CLEAN, or EXIT_FATAL; either way free p with cli_plan_free(). */
int cli_detect_load(const cli_detect *cd, cli_plan *p);

void cli_plan_free(cli_plan *p);

/* The ids of p's burst rules (header "routine: yes": an alert is one burst,
 * keyed by its start) as a JSON array into list (ids that do not fit are
 * left out). */
void cli_burst_rules(const cli_plan *p, char *list, size_t len);

/* Runs p's rules over s. Messages go to stderr, a one-line summary to
 * summary (when non-NULL). A rule that runs past rule_timeout_seconds, or
 * all of them after SIGINT/SIGTERM, is stopped. Returns EXIT_CLEAN,
 * EXIT_FATAL when a rule failed (the others still ran), or EXIT_INTERRUPT. */
int cli_run_detect(store *s, const cli_detect *cd, cli_plan *p, FILE *summary);

#endif

/* Report options shared by scan and report. */
typedef struct cli_report {
    const char *format;       /* --format, default text */
    const char *output;       /* -o FILE, NULL for stdout */
    const char *min_severity; /* --min-severity */
    const char *severity;     /* --severity LIST, as given */
    unsigned severities;      /* --severity parsed: bit 1 << rank, 0 for all */
    const char *since, *until;
    const char *fail_on;      /* --fail-on severity, or NULL */
    int force;                /* -o may replace a symbolic link */
    int show_suppressed;      /* --show-suppressed */
    int summary;              /* --summary: JSON Lines and OCSF end with the run record */
    int64_t since_ts, until_ts; /* parsed by cli_report_check() */
    FILE *out;                /* cli_report_open(): stdout or the temporary file */
    char tmp_path[4200];      /* the temporary file beside -o FILE, "" if none */
} cli_report;

/* getopt_long codes and table entries of the report options, one spelling for
 * scan and report alike; a command's own codes start at CLI_OPT_OWN. */
enum {
    CLI_OPT_FORMAT = 256, CLI_OPT_MIN, CLI_OPT_SINCE, CLI_OPT_UNTIL, CLI_OPT_FAIL,
    CLI_OPT_SHOW_SUPPRESSED, CLI_OPT_SEVERITY, CLI_OPT_SUMMARY, CLI_OPT_OWN
};
#define CLI_REPORT_LONGOPTS                                                                      \
    {"format", required_argument, NULL, CLI_OPT_FORMAT},                                         \
        {"output", required_argument, NULL, 'o'},                                                \
        {"min-severity", required_argument, NULL, CLI_OPT_MIN},                                  \
        {"severity", required_argument, NULL, CLI_OPT_SEVERITY},                                 \
        {"since", required_argument, NULL, CLI_OPT_SINCE},                                       \
        {"until", required_argument, NULL, CLI_OPT_UNTIL},                                       \
        {"fail-on", required_argument, NULL, CLI_OPT_FAIL},                                      \
        {"show-suppressed", no_argument, NULL, CLI_OPT_SHOW_SUPPRESSED},                         \
        {"summary", no_argument, NULL, CLI_OPT_SUMMARY}

/* Takes getopt_long's code c and its argument into cr when c is a report
 * option. Returns 1 when it was, 0 when the command must handle c. */
int cli_report_option(cli_report *cr, int c, const char *arg);

/* Validates the report options (exits with 2 naming the bad option). */
void cli_report_check(cli_report *cr);

/* Opens where the report goes, before any input is read: for -o FILE a new
 * temporary file beside FILE (mkstemp: O_EXCL, never through a symlink),
 * renamed over FILE when the report is complete. FILE itself must not be a
 * symbolic link unless cr->force, nor a directory. Returns EXIT_CLEAN, or
 * EXIT_FATAL with a message on stderr. */
int cli_report_open(cli_report *cr);

/* Removes the temporary file of a report that will not be written. */
void cli_report_abort(cli_report *cr);

/* Renders the report from s into what cli_report_open() opened, and closes
 * it. Returns EXIT_FATAL on error, EXIT_ALERTS when an alert at or above
 * --fail-on exists, else EXIT_CLEAN. */
int cli_run_report(store *s, cli_report *cr);

/* scan --follow: reads path ("-" or a FIFO) as records arrive into s, runs the
 * rules every ci->interval seconds or ci->every events, and prints each new or
 * escalated alert once in cr's format. keep_all: a --db store, never pruned.
 * Returns EXIT_CLEAN at EOF, EXIT_ALERTS at the first alert at or above
 * --fail-on, EXIT_REJECTS when records were rejected, EXIT_FATAL, or
 * EXIT_INTERRUPT on SIGINT/SIGTERM. */
int cli_run_follow(store *s, const cli_ingest *ci, const cli_detect *cd, cli_plan *p,
                   cli_report *cr, const char *path, int keep_all);

/* The report options' --help text. */
extern const char cli_report_help[];
