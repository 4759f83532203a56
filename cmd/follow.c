/*
 * follow: `ddbtrail scan --follow [--db FILE] -|FIFO`: a live feed never
 * ends, so its alerts cannot wait for EOF. Records are stored as they arrive;
 * every --interval seconds or --every N events the rules run over the store
 * and each alert not printed before (or whose severity rose) is printed once,
 * as JSON Lines, OCSF, or one text line. Without --db, events older than the
 * longest window are pruned from the throwaway store, so a run of any length
 * stays small.
 */
#include "cli.h"
#include "follow.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FOLLOW_CHUNK (64 * 1024)

/* An alert's severity as a number, for "printed at this severity or higher". */
#define RANK_SQL                                                                      \
    "(CASE severity WHEN 'info' THEN 0 WHEN 'low' THEN 1 WHEN 'medium' THEN 2"       \
    " WHEN 'high' THEN 3 WHEN 'critical' THEN 4 ELSE 0 END)"

static void on_msg(void *ctx, const char *path, const char *m)
{
    int *rejected = ctx;

    *rejected = 1;
    cli_err("%s: %s", path, m);
}

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One text line per new alert the severity filters show (min_rank; the
 * severities mask, 0 for all): time, severity, rule, principal, detail. */
static int print_text(sqlite3 *db, int min_rank, unsigned severities)
{
    sqlite3_stmt *st;
    int i;

    if (sqlite3_prepare_v2(db,
                           "SELECT last_seen, upper(severity), rule_id, principal_arn, detail,"
                           " incident_id FROM alerts a WHERE status = 'open'"
                           " AND NOT EXISTS (SELECT 1 FROM temp.followed f"
                           "   WHERE f.fingerprint = a.fingerprint AND f.rank >= " RANK_SQL ")"
                           " AND " RANK_SQL " >= ?1 AND (?2 = 0 OR (?2 >> " RANK_SQL ") & 1)"
                           " ORDER BY first_seen, alert_id",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int(st, 1, min_rank);
    sqlite3_bind_int64(st, 2, severities);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (i = 0; i < 5; i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            if (i)
                fputs(i == 4 ? ": " : " ", stdout);
            cli_put_safe(stdout, v ? v : "-", v ? (size_t)sqlite3_column_bytes(st, i) : 1);
        }
        if (sqlite3_column_type(st, 5) == SQLITE_INTEGER)
            printf(" [incident #%lld]", (long long)sqlite3_column_int64(st, 5));
        putchar('\n');
    }
    sqlite3_finalize(st);
    return 0;
}

/* Runs the rules, prints what is new, remembers it. Returns EXIT_CLEAN,
 * EXIT_ALERTS when fail_on is reached, EXIT_FATAL or EXIT_INTERRUPT. */
static int detect_and_print(store *s, const cli_detect *cd, cli_plan *p, const cli_report *cr)
{
    sqlite3 *db = store_db(s);
    report_opts o;
    char err[512];
    int rc = cli_run_detect(s, cd, p, NULL);

    if (rc == EXIT_INTERRUPT)
        return rc;
    memset(&o, 0, sizeof o);
    report_parse_format(cr->format, &o.format);
    o.only_unseen = 1;
    o.version = DDBTRAIL_VERSION;
    o.min_rank = cr->min_severity ? rules_severity_rank(cr->min_severity) : 0;
    o.severities = cr->severities;
    if (o.format == REPORT_TEXT ? print_text(db, o.min_rank, o.severities) != 0
                                : report_render(db, &o, cli_write_stream, stdout, NULL, err,
                                                sizeof err) != 0) {
        cli_err("report: %s", o.format == REPORT_TEXT ? sqlite3_errmsg(db) : err);
        return EXIT_FATAL;
    }
    if (fflush(stdout) != 0) {
        cli_err("cannot write to stdout: %s", strerror(errno));
        return EXIT_FATAL;
    }
    if (sqlite3_exec(db,
                     "INSERT OR REPLACE INTO temp.followed SELECT fingerprint, " RANK_SQL
                     " FROM alerts WHERE status = 'open'",
                     NULL, NULL, NULL) != SQLITE_OK) {
        cli_err("database: %s", sqlite3_errmsg(db));
        return EXIT_FATAL;
    }
    if (cr->fail_on) {
        sqlite3_stmt *st;
        int hit = 0;
        if (sqlite3_prepare_v2(db,
                               "SELECT 1 FROM alerts WHERE status = 'open' AND " RANK_SQL
                               " >= ? LIMIT 1", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_int(st, 1, rules_severity_rank(cr->fail_on));
            hit = sqlite3_step(st) == SQLITE_ROW;
            sqlite3_finalize(st);
        }
        if (hit)
            return EXIT_ALERTS;
    }
    return rc;
}

/* What a prune keeps beyond before: a burst rule's alert still open (its last
 * event within keep of before) grows while its actor goes on, and cutting its
 * head would give it a new start, so a new group key, and print the same
 * burst again as a new alert (a 4-hour scan fed with --every 20 printed
 * three). Its actor keeps its events from keep before the burst's first one,
 * for at most FOLLOW_BURST_KEEP windows, so an actor that never stops (a
 * scanner every minute for days) cannot hold the store open for ever; the
 * other actors are pruned as before. Writes a JSON array of [actor, since]
 * into out: "[]" when none, on a database error, or when the array does not
 * fit (the prune then goes by before alone, as it did before bursts were
 * kept: a burst may be printed again, nothing is lost). */
#define FOLLOW_BURST_KEEP 6 /* times keep: 12 h of the default one-hour window */
static void open_bursts(sqlite3 *db, const cli_plan *p, int64_t before, int64_t keep,
                        char *out, size_t len)
{
    char list[4096];
    sqlite3_stmt *st;

    snprintf(out, len, "[]");
    cli_burst_rules(p, list, sizeof list);
    if (sqlite3_prepare_v2(db,
                           "SELECT json_group_array(json_array(a, since)) FROM"
                           " (SELECT principal_arn AS a,"
                           "   max(min(unixepoch(first_seen)) - ?3, ?2 - ?4) AS since"
                           "  FROM alerts WHERE rule_id IN (SELECT value FROM json_each(?1))"
                           "   AND unixepoch(last_seen) >= ?2 AND principal_arn IS NOT NULL"
                           "  GROUP BY principal_arn)",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, before);
    sqlite3_bind_int64(st, 3, keep);
    sqlite3_bind_int64(st, 4, FOLLOW_BURST_KEEP * keep);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT &&
        (size_t)sqlite3_column_bytes(st, 0) < len)
        snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* Long: one loop reads, stores, detects on the clock or the count and prints new
 * alerts, so that the signal and end-of-feed checks cover every step. */
int cli_run_follow(store *s, const cli_ingest *ci, const cli_detect *cd, cli_plan *p,
                   cli_report *cr, const char *path, int keep_all)
{
    char err[512], opened[16384], *buf = malloc(FOLLOW_CHUNK);
    int fd = strcmp(path, "-") == 0 ? 0 : -1, status = EXIT_CLEAN, rejected = 0, eof = 0;
    double next;
    int64_t bound, keep = 2 * (int64_t)settings_int(p->settings, "window_seconds");
    uint64_t future = 0;
    follow *f;

    if (buf == NULL) {
        cli_err("out of memory");
        return EXIT_FATAL;
    }
    if (fd < 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        cli_err("%s: cannot open: %s", path, strerror(errno));
        free(buf);
        return EXIT_FATAL;
    }
    if (sqlite3_exec(store_db(s),
                     "CREATE TEMP TABLE followed(fingerprint TEXT PRIMARY KEY,"
                     " rank INTEGER)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        (f = follow_new(s, fd == 0 ? "(stdin, followed)" : path, ci->opts.all_events,
                        ci->opts.catalogue, on_msg,
                        &rejected, err, sizeof err)) == NULL) {
        cli_err("%s", err[0] ? err : sqlite3_errmsg(store_db(s)));
        free(buf);
        return EXIT_FATAL;
    }
    next = now_s() + ci->interval;
    while (!eof && !cli_stop && (status == EXIT_CLEAN || status == EXIT_REJECTS)) {
        struct pollfd pfd = {fd, POLLIN, 0};
        double wait = next - now_s();
        int r = poll(&pfd, 1, wait > 0 ? (int)(wait * 1000) + 1 : 0);

        if (r < 0 && errno != EINTR) {
            cli_err("%s: %s", path, strerror(errno));
            status = EXIT_FATAL;
            break;
        }
        if (r > 0) {
            ssize_t n = read(fd, buf, FOLLOW_CHUNK);
            if (n < 0 && errno != EINTR && errno != EAGAIN) {
                cli_err("%s: read error: %s", path, strerror(errno));
                status = EXIT_FATAL;
                break;
            }
            if (n == 0)
                eof = 1;
            else if (n > 0 && follow_feed(f, buf, (size_t)n, err, sizeof err) != 0) {
                cli_err("%s: %s", path, err);
                eof = 1; /* nothing after this can be read as JSON */
                rejected = 1;
            }
        }
        if (eof || now_s() >= next || (ci->every && follow_pending(f) >= ci->every)) {
            int rc;
            if ((eof ? follow_finish(f, 0, err, sizeof err) : follow_commit(f, err, sizeof err)) !=
                0) {
                cli_err("%s", err);
                status = EXIT_FATAL;
                break;
            }
            rc = detect_and_print(s, cd, p, cr);
            if (rc != EXIT_CLEAN)
                status = rc;
            else if (rejected)
                status = EXIT_REJECTS;
            if (follow_future(f) > future) {
                future = follow_future(f);
                cli_err("%llu record(s) so far dated more than %d minutes ahead of this "
                        "machine's clock: stored, and never used to decide what is old",
                        (unsigned long long)future, FOLLOW_SKEW / 60);
            }
            /* prune from a bound no record can move: the newest time not ahead of the clock,
             * and never past what a window ending now still reaches */
            bound = follow_last_ts(f);
            if (bound > (int64_t)time(NULL))
                bound = (int64_t)time(NULL);
            if (!keep_all && bound > keep) {
                open_bursts(store_db(s), p, bound - keep, keep, opened, sizeof opened);
                if (follow_prune(f, bound - keep, opened, err, sizeof err) != 0) {
                    cli_err("%s", err);
                    status = EXIT_FATAL;
                }
            }
            next = now_s() + ci->interval;
        }
    }
    if (cli_stop) {
        /* what arrived is committed; nothing is printed half-way */
        follow_finish(f, 1, err, sizeof err);
        status = EXIT_INTERRUPT;
    }
    follow_free(f);
    free(buf);
    if (fd > 0)
        close(fd);
    return status;
}
