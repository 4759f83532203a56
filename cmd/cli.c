/*
 * cli: shared command-line plumbing (see cli.h).
 */
#include "cli.h"
#include "normalize.h"
#include "shard.h"
#include "escape.h"
#include "walk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t cli_stop;

static void on_signal(int sig)
{
    (void)sig;
    cli_stop = 1;
}

void cli_catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_write_stream(void *ctx, const char *p, size_t n)
{
    return fwrite(p, 1, n, ctx) == n ? 0 : -1;
}

void cli_put_safe(FILE *f, const char *s, size_t len)
{
    buffer b;

    buffer_init(&b, len * 4 + 16);
    if (escape_term(&b, s, len) == 0 && b.p)
        fwrite(b.p, 1, b.len, f);
    buffer_free(&b);
}

void cli_err(const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fputs("ddbtrail: ", stderr);
    cli_put_safe(stderr, buf, strlen(buf));
    fputc('\n', stderr);
}

uint64_t cli_parse_u64(const char *opt, const char *val)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(val, &end, 10);
    if (errno || end == val || *end || val[0] == '-') {
        cli_err("%s wants a non-negative integer, not '%s'", opt, val);
        exit(EXIT_FATAL);
    }
    return v;
}

int64_t cli_parse_time(const char *opt, const char *val)
{
    char buf[40];
    int64_t t;

    snprintf(buf, sizeof buf, strlen(val) == 10 ? "%sT00:00:00Z" : "%s", val);
    if (normalize_parse_time(buf, strlen(buf), &t) != 0) {
        cli_err("%s wants a time such as 2026-11-13T04:00:00Z or a date such as 2026-11-13, "
                "not '%s'", opt, val);
        exit(EXIT_FATAL);
    }
    return t;
}

struct progress {
    int on;             /* drawing a progress line */
    int drawn;          /* something is on the line */
    size_t done, total; /* inputs */
    struct timespec start, last;
    const ingest *g;
};

static double secs(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress_clear(struct progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        p->drawn = 0;
    }
}

static void progress_draw(struct progress *p, int force)
{
    struct timespec now;
    const ingest_totals *t;
    double el;

    if (!p->on)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!force && secs(&p->last, &now) < 0.2)
        return;
    p->last = now;
    t = ingest_get_totals(p->g);
    el = secs(&p->start, &now);
    fprintf(stderr, "\r\033[K%zu/%zu files  %llu events  %.1f MB/s", p->done, p->total,
            (unsigned long long)t->seen, el > 0 ? (double)t->json_bytes / 1e6 / el : 0.0);
    p->drawn = 1;
}

static void on_progress(void *ctx, size_t done, size_t total)
{
    struct progress *p = ctx;

    p->done = done;
    p->total = total;
    progress_draw(p, 0);
}

/* Messages from the library arrive while a progress line may be drawn. */
struct msgctx {
    struct progress *p;
};

static void on_msg(void *ctx, const char *path, const char *m)
{
    struct msgctx *mc = ctx;

    if (mc)
        progress_clear(mc->p);
    cli_err("%s: %s", path, m);
}

/* One thread per CPU by default. For ingest the writer spends much of its time
 * waiting on its queues, so leaving it a CPU of its own measured slower (make
 * bench, 2 CPUs: 1.36 s with one decoder, 1.16 s with two). */
int cli_threads(int requested)
{
    long n = requested > 0 ? requested : sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* scan --since/--until: drops the log files whose S3 key files them under a
 * day the window cannot reach (a file holds its day's events, and up to an
 * hour either side of midnight), and says how many in the store's meta
 * 'read_window', which the report shows. Returns 0, or -1 (printed). */
static int window_filter(store *s, walk_list *wl, const ingest_opts *o)
{
    char line[256], err[256], a[32] = "the start", b[32] = "now";
    size_t i, kept = 0, dropped = 0;
    struct tm tm;
    time_t t;

    for (i = 0; i < wl->n; i++) {
        int64_t day;
        int out = walk_path_day(wl->paths[i], &day) == 0 &&
                  ((o->has_since && day + 86400 + 3600 <= o->since) ||
                   (o->has_until && day - 3600 > o->until));
        if (out) {
            free(wl->paths[i]);
            dropped++;
        } else {
            wl->paths[kept++] = wl->paths[i];
        }
    }
    wl->n = kept;
    if (o->has_since && (t = (time_t)o->since, gmtime_r(&t, &tm)))
        strftime(a, sizeof a, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (o->has_until && (t = (time_t)o->until, gmtime_r(&t, &tm)))
        strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(line, sizeof line,
             "%s .. %s (--since/--until): %zu log file(s) filed under other days not read; "
             "events outside skipped",
             a, b, dropped);
    if (store_meta_set(s, "read_window", line, err, sizeof err) != 0) {
        cli_err("%s", err);
        return -1;
    }
    return 0;
}

int cli_run_ingest(store *s, const cli_ingest *ci, cli_inputs *in, ingest_totals *tot,
                   size_t *digests, size_t *nonlog)
{
    walk_list *wl = &in->wl;
    struct progress pr;
    struct msgctx mc = {&pr};
    ingest_opts opts = ci->opts;
    ingest *g;
    char **view;
    size_t nview;
    int rc, status = EXIT_CLEAN;
    char err[512];

    memset(&pr, 0, sizeof pr);
    if (wl->errors)
        status = EXIT_REJECTS;
    if ((opts.has_since || opts.has_until) && window_filter(s, wl, &opts) != 0)
        return EXIT_FATAL;
    if (!opts.has_since && !opts.has_until) {
        /* this run reads everything (an earlier window no longer holds), or a day
         * shard's days, which its report must not pass off as the whole run */
        char line[256] = "";
        if (ci->shard_plan && shard_plan_by(ci->shard_plan) == SHARD_BY_DAY)
            snprintf(line, sizeof line,
                     "day shard %u/%u: only its account days were read, and its alerts judge "
                     "only those days of each actor ('ddbtrail merge --events' of every day "
                     "shard gives the whole run's)",
                     ci->shard_k, shard_plan_shards(ci->shard_plan));
        if (store_meta_set(s, "read_window", line, err, sizeof err) != 0) {
            cli_err("%s", err);
            return EXIT_FATAL;
        }
    }
    /* a shard reads its own files only; the list stays whole for the digests,
     * which a day shard checks by account (shard.h) */
    if ((view = malloc((wl->n ? wl->n : 1) * sizeof *view)) == NULL) {
        cli_err("out of memory");
        return EXIT_FATAL;
    }
    if ((nview = wl->n) > 0)
        memcpy(view, wl->paths, nview * sizeof *view);
    if (ci->shard_plan) {
        nview = shard_select(wl->paths, wl->n, ci->shard_plan, ci->shard_k,
                             shard_plan_by(ci->shard_plan), view);
        opts.shard_plan = ci->shard_plan;
        opts.shard_k = ci->shard_k;
    }
    opts.stop = &cli_stop;
    opts.threads = cli_threads(opts.threads);
    g = ingest_new(s, &opts, on_msg, &mc);
    if (g == NULL) {
        cli_err("out of memory");
        free(view);
        return EXIT_FATAL;
    }
    pr.on = ci->progress > 0 || (ci->progress < 0 && in->any_dir && isatty(2));
    pr.total = nview;
    pr.g = g;
    clock_gettime(CLOCK_MONOTONIC, &pr.start);
    rc = ingest_files(g, view, nview, on_progress, &pr, err, sizeof err);
    free(view);
    if (rc < 0) {
        progress_clear(&pr);
        cli_err("%s", err);
        status = EXIT_FATAL;
    } else if (rc == 2 || cli_stop) {
        progress_clear(&pr);
        cli_err("interrupted after %zu of %zu inputs; what was read is saved, and running "
                "the same command again finishes the job", pr.done, pr.total);
        status = EXIT_INTERRUPT;
    } else if (rc == 1 && status == EXIT_CLEAN) {
        status = EXIT_REJECTS;
    }
    progress_clear(&pr);
    *tot = *ingest_get_totals(g);
    if (tot->failed && status == EXIT_CLEAN)
        status = EXIT_REJECTS;
    *digests = wl->digests;
    *nonlog = wl->nonlog;
    ingest_free(g);
    return status;
}

void cli_print_skipped(FILE *f, const walk_list *wl)
{
    size_t i;

    for (i = 0; i < wl->nonlog && i < WALK_SKIPPED_NAMED; i++) {
        const char *base = wl->skipped[i] ? strrchr(wl->skipped[i], '/') : NULL;
        base = base ? base + 1 : wl->skipped[i];
        /* ddbtrail's own config and hidden files are skipped by design: no need to say */
        if (base == NULL || walk_is_never_log(base))
            continue;
        fputs("skipped (neither named nor shaped like a CloudTrail log): ", f);
        cli_put_safe(f, wl->skipped[i], strlen(wl->skipped[i]));
        fputc('\n', f);
    }
    if (wl->nonlog > WALK_SKIPPED_NAMED)
        fprintf(f, "skipped: %zu more files not shaped like CloudTrail logs\n",
                wl->nonlog - WALK_SKIPPED_NAMED);
}

void cli_print_ingest_summary(FILE *f, const ingest_totals *t, size_t digests, size_t nonlog)
{
    fprintf(f,
            "inputs: %llu read, %llu unchanged since last ingest, %llu with errors;"
            " %zu digest and %zu non-log files skipped\n"
            "events: %llu seen: %llu new, %llu already stored,"
            " %llu skipped (not DynamoDB-relevant), %llu rejected",
            (unsigned long long)(t->inputs - t->unchanged), (unsigned long long)t->unchanged,
            (unsigned long long)t->failed, digests, nonlog, (unsigned long long)t->seen,
            (unsigned long long)(t->stored - t->duplicate), (unsigned long long)t->duplicate,
            (unsigned long long)t->skipped, (unsigned long long)t->rejected);
    if (t->clash)
        fprintf(f, " (%llu of them eventID clashes: same eventID, other content)",
                (unsigned long long)t->clash);
    if (t->other_shard)
        fprintf(f, "; %llu records of other shards' accounts left to them",
                (unsigned long long)t->other_shard);
    fputc('\n', f);
}
