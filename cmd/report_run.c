/*
 * report_run: option checking and rendering shared by scan and report.
 */
#include "cli.h"
#include "normalize.h"
#include "report.h"
#include "rules.h"

#include <errno.h>
#include <strings.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_report_option(cli_report *cr, int c, const char *arg)
{
    switch (c) {
    case CLI_OPT_FORMAT: cr->format = arg; return 1;
    case 'o': cr->output = arg; return 1;
    case CLI_OPT_MIN: cr->min_severity = arg; return 1;
    case CLI_OPT_SEVERITY: cr->severity = arg; return 1;
    case CLI_OPT_SINCE: cr->since = arg; return 1;
    case CLI_OPT_UNTIL: cr->until = arg; return 1;
    case CLI_OPT_FAIL: cr->fail_on = arg; return 1;
    case CLI_OPT_SHOW_SUPPRESSED: cr->show_suppressed = 1; return 1;
    case CLI_OPT_SUMMARY: cr->summary = 1; return 1;
    default: return 0;
    }
}

const char cli_report_help[] =
    "  --format F        text (default), json (JSON Lines), csv, html, ocsf\n"
    "  -o, --output FILE write the report to FILE (default: stdout)\n"
    "  --min-severity S  show alerts at or above S: info, low, medium, high, critical\n"
    "                    (any case)\n"
    "  --severity LIST   show only these severities, comma-separated (high,critical)\n"
    "  --since T         only alerts still active at or after T (ISO-8601, e.g.\n"
    "                    2026-11-12 or 2026-11-12T02:00:00Z; epoch seconds; or an\n"
    "                    age: 90m, 24h, 7d, 2w)\n"
    "  --until T         only alerts that began at or before T\n"
    "  --fail-on S       exit 1 when an alert at or above severity S exists\n"
    "                    (suppressed alerts never count)\n"
    "  --show-suppressed list the alerts a config 'suppress' entry matched (they are\n"
    "                    always stored and counted in the summary)\n"
    "  --summary         json, ocsf: end with one run record (files and events read,\n"
    "                    integrity, rules that did not run, alerts per severity), so\n"
    "                    a run with no alert still says what it checked\n";

int64_t cli_parse_when(const char *opt, const char *v, int end_of_day)
{
    char tmp[40];
    int64_t ts;
    size_t n = strspn(v, "0123456789");

    if (n > 0 && n <= 12 && v[n] == '\0' && n != 4) /* "2026" alone is no epoch time */
        return (int64_t)strtoll(v, NULL, 10);
    if (n > 0 && n <= 9 && v[n] != '\0' && v[n + 1] == '\0' && strchr("mhdw", v[n])) {
        static const int64_t unit[] = {60, 3600, 86400, 7 * 86400};
        return (int64_t)time(NULL) - (int64_t)strtoll(v, NULL, 10) *
                                          unit[strchr("mhdw", v[n]) - "mhdw"];
    }
    if (strlen(v) == 10)
        snprintf(tmp, sizeof tmp, "%sT%s", v, end_of_day ? "23:59:59Z" : "00:00:00Z");
    else
        snprintf(tmp, sizeof tmp, "%s", v);
    if (normalize_parse_time(tmp, strlen(tmp), &ts) != 0) {
        cli_err("%s wants an ISO-8601 UTC time such as 2026-11-12 or 2026-11-12T02:00:00Z, "
                "epoch seconds, or an age such as 24h or 7d; not '%s'", opt, v);
        exit(EXIT_FATAL);
    }
    return ts;
}

/* A severity in any case (--fail-on HIGH, as trivy's users type them), as its
 * lower-case name; exits on anything else. */
static const char *check_severity(const char *opt, const char *v)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    size_t i;

    if (v == NULL)
        return NULL;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(v, names[i]) == 0)
            return names[i];
    cli_err("%s wants one of info, low, medium, high, critical, not '%s'", opt, v);
    exit(EXIT_FATAL);
}

/* A comma-separated list of severities (--severity high,CRITICAL) as the bits
 * 1 << rank; exits on an unknown name or an empty list. */
static unsigned check_severities(const char *opt, const char *v)
{
    unsigned mask = 0;
    char one[16];
    size_t n;

    if (v == NULL)
        return 0;
    for (;;) {
        n = strcspn(v, ",");
        if (n == 0 || n >= sizeof one) {
            cli_err("%s wants a comma-separated list of info, low, medium, high, critical, "
                    "not '%s'", opt, v);
            exit(EXIT_FATAL);
        }
        memcpy(one, v, n);
        one[n] = '\0';
        mask |= 1u << rules_severity_rank(check_severity(opt, one));
        if (v[n] == '\0')
            return mask;
        v += n + 1;
    }
}

void cli_parse_range(const char *since, const char *until, int *has_since, int64_t *since_ts,
                     int *has_until, int64_t *until_ts)
{
    if ((*has_since = since != NULL))
        *since_ts = cli_parse_when("--since", since, 0);
    if ((*has_until = until != NULL))
        *until_ts = cli_parse_when("--until", until, 1);
    if (since && until && *since_ts > *until_ts) {
        cli_err("--since %s is after --until %s: nothing could match", since, until);
        exit(EXIT_FATAL);
    }
}

int cli_listing_format(const char *cmd, const char *format)
{
    if (strcmp(format, "text") == 0)
        return 0;
    if (strcmp(format, "json") == 0 || strcmp(format, "jsonl") == 0)
        return 1;
    if (strcmp(format, "csv") == 0)
        return 2;
    cli_err("%s --format wants text, json or csv, not '%s'", cmd, format);
    return -1;
}

void cli_report_check(cli_report *cr)
{
    enum report_format f;
    int has_since, has_until;

    if (cr->format == NULL)
        cr->format = "text";
    if (report_parse_format(cr->format, &f) != 0) {
        cli_err("--format wants text, json, csv, html or ocsf, not '%s'", cr->format);
        exit(EXIT_FATAL);
    }
    cr->min_severity = check_severity("--min-severity", cr->min_severity);
    cr->fail_on = check_severity("--fail-on", cr->fail_on);
    cr->severities = check_severities("--severity", cr->severity);
    cli_parse_range(cr->since, cr->until, &has_since, &cr->since_ts, &has_until, &cr->until_ts);
    if (cr->summary && f == REPORT_CSV) {
        cli_err("--summary: a CSV report is one table of alerts, and its integrity column is "
                "on every row; for a run record use --format json or ocsf");
        exit(EXIT_FATAL);
    }
}

int cli_report_open(cli_report *cr)
{
    char dir[4096];
    const char *slash, *base;
    struct stat st;
    int fd;

    cr->out = stdout;
    cr->tmp_path[0] = '\0';
    if (cr->output == NULL || strcmp(cr->output, "-") == 0)
        return EXIT_CLEAN;
    if (lstat(cr->output, &st) == 0) {
        if (S_ISLNK(st.st_mode) && !cr->force) {
            cli_err("%s is a symbolic link; refusing to write through it (--force replaces "
                    "the link itself)", cr->output);
            return EXIT_FATAL;
        }
        if (S_ISDIR(st.st_mode)) {
            cli_err("%s is a directory; -o wants a file name", cr->output);
            return EXIT_FATAL;
        }
        /* a device or FIFO (-o /dev/null, a pipe to a collector) is written to, never
         * replaced: renaming a file over /dev/null as root would break the machine */
        if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
            S_ISBLK(st.st_mode)) {
            fd = open(cr->output, O_WRONLY | O_NOCTTY | O_CLOEXEC);
            if (fd < 0 || (cr->out = fdopen(fd, "w")) == NULL) {
                cli_err("%s: cannot write: %s", cr->output, strerror(errno));
                if (fd >= 0)
                    close(fd);
                cr->out = stdout;
                return EXIT_FATAL;
            }
            return EXIT_CLEAN;
        }
    }
    slash = strrchr(cr->output, '/');
    base = slash ? slash + 1 : cr->output;
    if (slash == cr->output)
        snprintf(dir, sizeof dir, "/");
    else if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - cr->output), cr->output);
    else
        snprintf(dir, sizeof dir, ".");
    if (*base == '\0') {
        cli_err("%s: -o wants a file name", cr->output);
        return EXIT_FATAL;
    }
    if ((size_t)snprintf(cr->tmp_path, sizeof cr->tmp_path, "%s/.%.200s.ddbtrail-XXXXXX", dir,
                         base) >= sizeof cr->tmp_path) {
        cli_err("%s: path too long", cr->output);
        cr->tmp_path[0] = '\0';
        return EXIT_FATAL;
    }
    fd = mkstemp(cr->tmp_path); /* O_CREAT | O_EXCL: never an existing file or a link */
    if (fd < 0) {
        cli_err("%s: cannot write in %s: %s", cr->output, dir, strerror(errno));
        cr->tmp_path[0] = '\0';
        return EXIT_FATAL;
    }
    {
        mode_t mask = umask(0);
        umask(mask);
        fchmod(fd, 0666 & ~mask); /* a report is an ordinary file, not mkstemp's 0600 */
    }
    cr->out = fdopen(fd, "w");
    if (cr->out == NULL) {
        cli_err("%s: cannot write: %s", cr->output, strerror(errno));
        close(fd);
        cli_report_abort(cr);
        return EXIT_FATAL;
    }
    return EXIT_CLEAN;
}

void cli_report_abort(cli_report *cr)
{
    if (cr->out && cr->out != stdout)
        fclose(cr->out);
    cr->out = NULL;
    if (cr->tmp_path[0])
        unlink(cr->tmp_path);
    cr->tmp_path[0] = '\0';
}

int cli_run_report(store *s, cli_report *cr)
{
    report_opts o;
    report_counts c;
    FILE *f = cr->out ? cr->out : stdout;
    char err[512];
    int status = EXIT_CLEAN, i;

    memset(&o, 0, sizeof o);
    report_parse_format(cr->format, &o.format);
    o.min_rank = cr->min_severity ? rules_severity_rank(cr->min_severity) : 0;
    o.severities = cr->severities;
    o.has_since = cr->since != NULL;
    o.since = cr->since_ts;
    o.has_until = cr->until != NULL;
    o.until = cr->until_ts;
    o.version = DDBTRAIL_VERSION;
    o.show_suppressed = cr->show_suppressed;
    o.summary = cr->summary;
    o.color = f == stdout && o.format == REPORT_TEXT && isatty(1) && getenv("NO_COLOR") == NULL;
    if (report_render(store_db(s), &o, cli_write_stream, f, &c, err, sizeof err) != 0) {
        cli_err("report: %s", err);
        status = EXIT_FATAL;
    }
    if (f != stdout) {
        cr->out = NULL;
        if (fclose(f) != 0 && status == EXIT_CLEAN) {
            cli_err("%s: cannot write: %s", cr->output, strerror(errno));
            status = EXIT_FATAL;
        }
        if (status == EXIT_CLEAN && cr->tmp_path[0] && rename(cr->tmp_path, cr->output) != 0) {
            cli_err("%s: cannot write: %s", cr->output, strerror(errno));
            status = EXIT_FATAL;
        }
        if (status != EXIT_CLEAN && cr->tmp_path[0])
            unlink(cr->tmp_path);
        cr->tmp_path[0] = '\0';
    } else if (fflush(stdout) != 0) {
        cli_err("cannot write to stdout: %s", strerror(errno));
        status = EXIT_FATAL;
    }
    if (status == EXIT_CLEAN && cr->fail_on) {
        static const char *const names[] = {"info", "low", "medium", "high", "critical"};
        char why[160];
        size_t n = 0;
        long total = 0;

        why[0] = '\0';
        for (i = 4; i >= rules_severity_rank(cr->fail_on) && i < 5; i--)
            if (c.by_rank[i] > 0) {
                total += c.by_rank[i];
                n += (size_t)snprintf(why + n, sizeof why - n, "%s%ld %s", n ? ", " : "",
                                      c.by_rank[i], names[i]);
                if (n >= sizeof why)
                    n = sizeof why - 1;
            }
        if (total > 0) {
            /* the one line that says why the status is 1 (stderr: stdout is the report) */
            cli_err("--fail-on %s: %ld alert(s) at or above it (%s)", cr->fail_on, total, why);
            status = EXIT_ALERTS;
        }
    }
    return status;
}
