/*
 * shard: `ddbtrail shards PATH... --shards N` (the plan, to check balance),
 * and what `--shard K/N` does to ingest and scan: plan from the trees named,
 * keep this shard's files, and mark the store with the shard and the plan's
 * digest so that it is never filled from two plans (src/input/shard.h).
 */
#include "cli.h"
#include "walk.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "usage: ddbtrail shards PATH... --shards N [--shard-by account|day]\n"
    "                [--format text|json]\n"
    "\n"
    "Print how 'ingest/scan --shard K/N' splits the log files under PATH into N\n"
    "jobs: per shard, its accounts, files and bytes. A file's account is the\n"
    "log owner in its S3 key (AWSLogs/[o-ORG/]ACCOUNT/...); accounts are dealt out\n"
    "largest first to the lightest shard, so no shard is more than one account's\n"
    "bytes heavier than another. Files whose path names no account are split by\n"
    "each record's recipientAccountId (FNV-1a-32 mod N) and listed apart.\n"
    "With --shard-by day the units dealt out are an account's days instead\n"
    "(ACCOUNT/YYYY-MM-DD, the day of the CloudTrail/REGION/YYYY/MM/DD/ folders;\n"
    "a record routed by its own fields goes by its eventTime's day), so that one\n"
    "big account splits too; such shards are joined with 'merge --events'.\n"
    "\n"
    "options:\n"
    "  --shards N      number of shards (1 to 65536)\n"
    "  --shard-by U    account (default) or day: what the plan deals out\n"
    "  --format F      text (default) or json\n"
    "  -h, --help      this help\n"
    "\n"
    "exit status: 0 plan printed; 2 usage or fatal error; 3 a path could not be read.\n";

int cli_shard_plan(const walk_list *wl, unsigned nshards, int by, shard_plan **out,
                   uint64_t *loose_files, uint64_t *loose_bytes)
{
    shard_plan *p = shard_plan_new(nshards, by);
    size_t i;
    int status = EXIT_CLEAN;

    *out = NULL;
    if (loose_files)
        *loose_files = 0;
    if (loose_bytes)
        *loose_bytes = 0;
    if (p == NULL) {
        cli_err("out of memory");
        return EXIT_FATAL;
    }
    for (i = 0; i < wl->n; i++) {
        char unit[SHARD_UNIT_LEN + 1];
        struct stat st;
        uint64_t bytes = strcmp(wl->paths[i], "-") != 0 && stat(wl->paths[i], &st) == 0 &&
                                 S_ISREG(st.st_mode)
                             ? (uint64_t)st.st_size
                             : 0;
        if (shard_path_unit(wl->paths[i], by, unit) == 0) {
            if (loose_files)
                (*loose_files)++;
            if (loose_bytes)
                *loose_bytes += bytes;
        } else if (shard_plan_add(p, unit, bytes) != 0) {
            cli_err("out of memory, or more than %d %s", SHARD_MAX_ACCOUNTS,
                    by == SHARD_BY_DAY ? "account days" : "accounts");
            status = EXIT_FATAL;
            goto out;
        }
    }
    shard_plan_finish(p);
out:
    if (status == EXIT_FATAL)
        shard_plan_free(p);
    else
        *out = p;
    return status;
}

int cli_shard_claim(store *s, const cli_ingest *ci, const char *db)
{
    char want[128], have[128] = "", digest[65], err[512];
    int rc = store_meta_get(s, "shard", have, sizeof have);

    if (rc < 0) {
        cli_err("%s: cannot read its meta table", db);
        return EXIT_FATAL;
    }
    if (ci->shard_plan == NULL) {
        if (rc == 1) {
            cli_err("%s holds shard %s of a sharded run; add the same --shard (or use "
                    "another --db) so that no other account's events join it",
                    db, have);
            return EXIT_FATAL;
        }
        return EXIT_CLEAN;
    }
    shard_plan_digest(ci->shard_plan, digest);
    snprintf(want, sizeof want, "%u/%u %s", ci->shard_k, shard_plan_shards(ci->shard_plan), digest);
    if (rc == 1 && strcmp(have, want) != 0) {
        cli_err("%s holds shard %s; this run is shard %s (a shard is K/N and the digest of "
                "its plan: a new account or a changed tree can move accounts between "
                "shards); use another --db",
                db, have, want);
        return EXIT_FATAL;
    }
    if (rc == 0) {
        sqlite3_stmt *st;
        int any = 0;
        if (sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM files LIMIT 1", -1, &st, NULL) ==
            SQLITE_OK) {
            any = sqlite3_step(st) == SQLITE_ROW;
            sqlite3_finalize(st);
        }
        if (any) {
            cli_err("%s already holds an unsharded run's events; a shard needs a store of its "
                    "own (use another --db)",
                    db);
            return EXIT_FATAL;
        }
        if (store_meta_set(s, "shard", want, err, sizeof err) != 0) {
            cli_err("%s", err);
            return EXIT_FATAL;
        }
    }
    /* the plan itself, for merge to know which accounts are this shard's */
    {
        size_t len;
        char *text = shard_plan_text(ci->shard_plan, &len);
        if (text == NULL || store_meta_set(s, "shard_accounts", text, err, sizeof err) != 0) {
            cli_err("%s", text ? err : "out of memory");
            free(text);
            return EXIT_FATAL;
        }
        free(text);
    }
    return EXIT_CLEAN;
}

int cli_shard_setup(cli_ingest *ci, const char *spec, const char *by_spec, const walk_list *wl)
{
    unsigned k, nshards;
    char err[256];
    shard_plan *p;
    int rc, by = SHARD_BY_ACCOUNT;

    if (shard_parse(spec, &k, &nshards, err, sizeof err) != 0 ||
        (by_spec && shard_parse_by(by_spec, &by, err, sizeof err) != 0)) {
        cli_err("%s", err);
        return EXIT_FATAL;
    }
    rc = cli_shard_plan(wl, nshards, by, &p, NULL, NULL);
    if (rc == EXIT_FATAL)
        return rc;
    ci->shard_plan = p;
    ci->shard_k = k;
    return EXIT_CLEAN;
}

static void json_accounts(const shard_plan *p, unsigned shard)
{
    size_t i;
    int first = 1;

    for (i = 0; i < shard_plan_count(p); i++) {
        const shard_account *a = shard_plan_get(p, i);
        if (a->shard == shard) {
            printf("%s\"%s\"", first ? "" : ",", a->id);
            first = 0;
        }
    }
}

/* ddbtrail shards. Long: options, the plan, and its text or JSON table. */
int cmd_shards(int argc, char **argv)
{
    static const struct option longopts[] = {{"shards", required_argument, NULL, 'n'},
                                             {"shard-by", required_argument, NULL, 'b'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *format = "text";
    uint64_t nshards = 0, lf, lb, *bytes, *files, *accts;
    char digest[65], err[128];
    shard_plan *p;
    cli_inputs in;
    size_t i;
    unsigned s;
    int c, status, by = SHARD_BY_ACCOUNT;

    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n': nshards = cli_parse_u64("--shards", optarg); break;
        case 'f': format = optarg; break;
        case 'b':
            if (shard_parse_by(optarg, &by, err, sizeof err) != 0) {
                cli_err("%s", err);
                return EXIT_FATAL;
            }
            break;
        case 'h': fputs(help, stdout); return EXIT_CLEAN;
        default: fputs(help, stderr); return EXIT_FATAL;
        }
    }
    if (optind >= argc || nshards == 0 || nshards > SHARD_MAX_SHARDS) {
        cli_err("shards needs PATH... and --shards N (1 to %d)", SHARD_MAX_SHARDS);
        return EXIT_FATAL;
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        cli_err("--format wants text or json, not '%s'", format);
        return EXIT_FATAL;
    }
    status = cli_inputs_list(&in, argv + optind, argc - optind, 1);
    if (status == EXIT_FATAL)
        return status;
    if (cli_shard_plan(&in.wl, (unsigned)nshards, by, &p, &lf, &lb) == EXIT_FATAL) {
        cli_inputs_free(&in);
        return EXIT_FATAL;
    }
    cli_inputs_free(&in);
    bytes = calloc(nshards, sizeof *bytes);
    files = calloc(nshards, sizeof *files);
    accts = calloc(nshards, sizeof *accts);
    if (bytes == NULL || files == NULL || accts == NULL) {
        cli_err("out of memory");
        status = EXIT_FATAL;
        goto out;
    }
    for (i = 0; i < shard_plan_count(p); i++) {
        const shard_account *a = shard_plan_get(p, i);
        bytes[a->shard] += a->bytes;
        files[a->shard] += a->files;
        accts[a->shard]++;
    }
    shard_plan_digest(p, digest);
    if (format[0] == 'j') {
        /* by day, "accounts" lists the units, ACCOUNT/YYYY-MM-DD */
        printf("{\"shards\":%u,\"by\":\"%s\",\"plan_digest\":\"%s\",\"accounts\":%zu,"
               "\"unplaced_files\":%llu,\"unplaced_bytes\":%llu,\"plan\":[",
               (unsigned)nshards, by == SHARD_BY_DAY ? "day" : "account", digest,
               shard_plan_count(p), (unsigned long long)lf, (unsigned long long)lb);
        for (s = 0; s < nshards; s++) {
            printf("%s{\"shard\":%u,\"files\":%llu,\"bytes\":%llu,\"accounts\":[", s ? "," : "", s,
                   (unsigned long long)files[s], (unsigned long long)bytes[s]);
            json_accounts(p, s);
            printf("]}");
        }
        printf("]}\n");
    } else {
        const char *units = by == SHARD_BY_DAY ? "account days" : "accounts";
        printf("%u shards, %zu %s (plan %.16s)\n", (unsigned)nshards, shard_plan_count(p), units,
               digest);
        for (s = 0; s < nshards; s++) {
            printf("shard %u/%u: %llu %s, %llu files, %llu bytes", s, (unsigned)nshards,
                   (unsigned long long)accts[s], units, (unsigned long long)files[s],
                   (unsigned long long)bytes[s]);
            for (i = 0; i < shard_plan_count(p); i++)
                if (shard_plan_get(p, i)->shard == s)
                    printf(" %s", shard_plan_get(p, i)->id);
            putchar('\n');
        }
        if (lf)
            printf("not in an AWSLogs/ACCOUNT/ tree: %llu files, %llu bytes (every shard reads "
                   "them and keeps its accounts' records)\n",
                   (unsigned long long)lf, (unsigned long long)lb);
    }
    if (fflush(stdout) != 0) {
        cli_err("cannot write to stdout");
        status = EXIT_FATAL;
    }
out:
    free(bytes);
    free(files);
    free(accts);
    shard_plan_free(p);
    return status;
}
