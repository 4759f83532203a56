/*
 * verify: `ddbtrail verify [--public-keys FILE] [--format text|json] PATH...`:
 * checks a downloaded CloudTrail tree against its digest files, offline (see
 * src/integrity/digest.h). Also run by scan over the trees it reads.
 */
#include "cli.h"
#include "digest.h"
#include "walk.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>

static const char help[] =
    "usage: ddbtrail verify [--public-keys FILE] [--start T] [--end T] [--format F] PATH...\n"
    "\n"
    "Prove a downloaded CloudTrail tree (AWSLogs/...) complete and unmodified with its\n"
    "digest files, offline: every log file a digest lists is there with the SHA-256 it\n"
    "lists, each digest chains to the previous one by hash, no hours are missing, and\n"
    "no log file is there that no digest lists.\n"
    "\n"
    "options:\n"
    "  --public-keys FILE  also verify each digest's signature with these keys: the\n"
    "                      output of 'aws cloudtrail list-public-keys', saved once.\n"
    "                      The newest digest's own signature is S3 object metadata,\n"
    "                      which downloads do not keep: it is reported as not verifiable\n"
    "  --start T, --end T  the period that must be covered (2026-11-13T04:00:00Z or\n"
    "                      2026-11-13): every listed file in it must be there and every\n"
    "                      hour of it under a digest; without them the period is that\n"
    "                      of the log files read, per account and region, and listed\n"
    "                      files outside it are counted as not downloaded\n"
    "  --format F          text (default): one line per problem and a summary;\n"
    "                      json: one object per problem\n"
    "  -h, --help          this help\n"
    "\n"
    "exit status: 0 clean; 1 problems found; 2 usage or fatal error; 3 some inputs\n"
    "could not be read; 4 no digest file found, so nothing was verified.\n";

struct vctx {
    int json;
    store *s;        /* scan: findings also go to its integrity table; else NULL */
    FILE *out;
    int store_failed;
    FILE *spans; /* where each chain's span is said, or NULL */
};

static void on_problem(void *arg, const digest_problem *p)
{
    struct vctx *v = arg;
    const char *f[STORE_INTEGRITY_COLS] = {p->kind, p->trail,    p->region, p->digest,
                                           p->log,  p->expected, p->actual, p->start,
                                           p->end,  p->message};
    char err[256];

    if (v->s && store_integrity(v->s, f, err, sizeof err) != 0 && !v->store_failed) {
        cli_err("%s", err);
        v->store_failed = 1;
    }
    if (v->out == NULL)
        return;
    if (v->json) {
        static const char *const keys[] = {"kind",     "trail",  "region", "digest", "log_file",
                                           "expected", "actual", "start",  "end",    "message"};
        yajl_gen g = yajl_gen_alloc(NULL);
        const unsigned char *buf;
        size_t len;
        int i;
        if (g == NULL)
            return;
        yajl_gen_map_open(g);
        for (i = 0; i < STORE_INTEGRITY_COLS; i++) {
            yajl_gen_string(g, (const unsigned char *)keys[i], strlen(keys[i]));
            if (f[i])
                yajl_gen_string(g, (const unsigned char *)f[i], strlen(f[i]));
            else
                yajl_gen_null(g);
        }
        yajl_gen_map_close(g);
        yajl_gen_get_buf(g, &buf, &len);
        fwrite(buf, 1, len, v->out);
        fputc('\n', v->out);
        yajl_gen_free(g);
    } else {
        fputs(p->kind, v->out);
        fputs(": ", v->out);
        cli_put_safe(v->out, p->message, strlen(p->message));
        fputc('\n', v->out);
    }
}

static void on_error(void *arg, const char *path, const char *msg)
{
    (void)arg;
    cli_err("%s: %s", path, msg);
}

/* Each chain's covered span, on the summary stream (verify only). */
static void on_chain(void *arg, const char *owner, size_t owner_len, const char *trail,
                     const char *region, const char *first, const char *last, size_t n)
{
    FILE *f = ((struct vctx *)arg)->spans;
    char line[600];

    snprintf(line, sizeof line, "integrity: chain %.*s %s %s: %s .. %s (%zu digests)",
             (int)owner_len, owner, trail, region, first, last, n);
    cli_put_safe(f, line, strlen(line));
    fputc('\n', f);
}

/* The summary of a verification, one line: what was verified, what not. */
static void describe(const digest_summary *sum, int keys, char *line, size_t len)
{
    size_t n;

    n = (size_t)snprintf(line, len,
                         "%zu log files verified against %zu digests: %zu missing, %zu modified, "
                         "%zu broken chain, %zu gaps, %zu unlisted",
                         sum->verified, sum->digests, sum->missing, sum->modified, sum->chain,
                         sum->gaps, sum->unlisted);
    if (n < len && keys)
        n += (size_t)snprintf(line + n, len - n,
                              "; signatures: %zu verified, %zu bad, %zu newest not verifiable "
                              "offline (S3 metadata)",
                              sum->signed_ok, sum->signatures, sum->unverifiable);
    else if (n < len)
        n += (size_t)snprintf(line + n, len - n, "; signatures not checked (--public-keys)");
    if (n < len && sum->unreadable)
        n += (size_t)snprintf(line + n, len - n, "; %zu unreadable", sum->unreadable);
    if (n < len && sum->not_downloaded) {
        char a[32], b[32];
        time_t ta = (time_t)sum->nd_first, tb = (time_t)sum->nd_last;
        struct tm tma, tmb;
        gmtime_r(&ta, &tma);
        gmtime_r(&tb, &tmb);
        strftime(a, sizeof a, "%Y-%m-%dT%H:%MZ", &tma);
        strftime(b, sizeof b, "%Y-%m-%dT%H:%MZ", &tmb);
        snprintf(line + n, len - n,
                 "; %zu listed log files not downloaded (%s .. %s, outside the span of the "
                 "files read for their account and region): not checked",
                 sum->not_downloaded, a, b);
    }
}

int cli_run_verify(walk_list *wl, const char *keys_file, const cli_period *period, store *s,
                   FILE *out, int json, FILE *summary, const shard_plan *plan, unsigned shard_k)
{
    digest_opts o;
    struct vctx v = {json, s, out, 0, NULL};
    char line[1024];
    digest_summary sum;
    char err[512], *keys = NULL, **logs = NULL, **digests = NULL;
    size_t nlogs, ndigests;
    int status = EXIT_CLEAN;

    if (keys_file) {
        FILE *kf = fopen(keys_file, "rb");
        long len;
        if (kf == NULL || fseek(kf, 0, SEEK_END) != 0 || (len = ftell(kf)) < 0 ||
            len > (1L << 22) || fseek(kf, 0, SEEK_SET) != 0 ||
            (keys = malloc((size_t)len + 1)) == NULL ||
            fread(keys, 1, (size_t)len, kf) != (size_t)len) {
            cli_err("%s: cannot read the public keys", keys_file);
            if (kf)
                fclose(kf);
            free(keys);
            return EXIT_FATAL;
        }
        keys[len] = '\0';
        fclose(kf);
    }
    if ((logs = malloc((wl->n ? wl->n : 1) * sizeof *logs)) == NULL ||
        (digests = malloc((wl->nd ? wl->nd : 1) * sizeof *digests)) == NULL) {
        cli_err("out of memory");
        free(logs);
        free(keys);
        return EXIT_FATAL;
    }
    if ((nlogs = wl->n) > 0)
        memcpy(logs, wl->paths, nlogs * sizeof *logs);
    if ((ndigests = wl->nd) > 0)
        memcpy(digests, wl->dpaths, ndigests * sizeof *digests);
    if (plan) { /* by account, whatever the plan: a digest names logs of its account only */
        nlogs = shard_select(wl->paths, wl->n, plan, shard_k, SHARD_BY_ACCOUNT, logs);
        ndigests = shard_select(wl->dpaths, wl->nd, plan, shard_k, SHARD_BY_ACCOUNT, digests);
    }
    if (s && store_integrity(s, NULL, err, sizeof err) != 0) {
        cli_err("%s", err);
        free(keys);
        return EXIT_FATAL;
    }
    memset(&o, 0, sizeof o);
    o.keys_json = keys;
    o.on_problem = on_problem;
    o.on_error = on_error;
    o.ctx = &v;
    if (out && summary) {
        o.on_chain = on_chain;
        v.spans = summary;
    }
    if (period && (period->start || period->end)) {
        o.has_period = 1;
        o.start = period->start ? cli_parse_time("--start", period->start) : INT64_MIN;
        o.end = period->end ? cli_parse_time("--end", period->end) : INT64_MAX;
    }
    if (digest_verify(digests, ndigests, logs, nlogs, &o, &sum, err, sizeof err) != 0) {
        cli_err("%s", err);
        status = EXIT_FATAL;
    } else {
        size_t problems = sum.missing + sum.modified + sum.chain + sum.gaps + sum.unlisted +
                          sum.signatures;
        describe(&sum, keys != NULL, line, sizeof line);
        if (summary)
            fprintf(summary, "integrity: %s\n", line);
        /* the report says it too, not only stderr */
        if (s && store_meta_set(s, "integrity", line, err, sizeof err) != 0)
            cli_err("%s", err);
        status = problems ? EXIT_ALERTS
                 : sum.unreadable || wl->errors ? EXIT_REJECTS : EXIT_CLEAN;
        if (sum.digests == 0 && summary)
            fprintf(summary, "integrity: no digest files found; nothing could be verified\n");
        if (sum.digests == 0 && status == EXIT_CLEAN)
            status = EXIT_NOTHING;
    }
    if (v.store_failed)
        status = EXIT_FATAL;
    free(logs);
    free(digests);
    free(keys);
    return status;
}

int cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {{"public-keys", required_argument, NULL, 'k'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"start", required_argument, NULL, 's'},
                                             {"end", required_argument, NULL, 'e'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *keys = NULL, *format = "text";
    cli_period period = {NULL, NULL};
    cli_inputs in;
    int c, status;

    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': keys = optarg; break;
        case 'f': format = optarg; break;
        case 's': period.start = optarg; (void)cli_parse_time("--start", optarg); break;
        case 'e': period.end = optarg; (void)cli_parse_time("--end", optarg); break;
        case 'h': fputs(help, stdout); return EXIT_CLEAN;
        default: fputs(help, stderr); return EXIT_FATAL;
        }
    }
    if (optind >= argc) {
        cli_err("verify needs a PATH (a downloaded AWSLogs/ tree)");
        return EXIT_FATAL;
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        cli_err("--format wants text or json, not '%s'", format);
        return EXIT_FATAL;
    }
    /* silent: a path that cannot be read is counted (exit 3), as the digests' problems are */
    status = cli_inputs_list(&in, argv + optind, argc - optind, 0);
    if (status == EXIT_FATAL)
        return status;
    status = cli_run_verify(&in.wl, keys, &period, NULL, stdout, format[0] == 'j',
                            format[0] == 'j' ? stderr : stdout, NULL, 0);
    cli_inputs_free(&in);
    return status;
}
