/*
 * rules: `ddbtrail rules list|show|check`: what the rules directory holds, one
 * rule in full, and whether every file can run.
 */
#include "settings.h"
#include "cli.h"
#include "rules.h"
#include "functions.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

static const char help[] =
    "usage: ddbtrail rules list  [--rules DIR] [--format text|json]\n"
    "       ddbtrail rules show  ID [--rules DIR]\n"
    "       ddbtrail rules check [--rules DIR]\n"
    "\n"
    "list   prints each rule's id, default severity and title; --format json prints\n"
    "       one JSON object per rule and line with every header field\n"
    "show   prints one rule: its header fields, its file and digest, and its SQL\n"
    "check  validates every rule file: header complete, SQL compiles against the\n"
    "       schema, read-only, result columns present, the effects its header names\n"
    "       declared in the catalogue (effects.txt); exits 2 naming each bad file\n"
    "\n"
    "options:\n"
    "  --rules DIR       the rules directory (default $DDBTRAIL_RULES, else the installed one)\n"
    "  --format F        list: text (default) or json\n"
    "  -h, --help        this help\n";

/* The header fields, in the order a person reads them. */
#define FIELD(name) {#name, offsetof(rules_rule, name)}
static const struct {
    const char *name;
    size_t off;
} fields[] = {FIELD(id),      FIELD(title),     FIELD(severity), FIELD(description),
              FIELD(mitre),   FIELD(stage),     FIELD(story),    FIELD(references),
              FIELD(falsepositives), FIELD(requires), FIELD(routine), FIELD(effects),
              FIELD(catalogue)};
#undef FIELD

static const char *field(const rules_rule *r, size_t i)
{
    return *(char *const *)((const char *)r + fields[i].off);
}

static void gen_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* One JSON object per rule and line; values are the header's text, escaped. */
static void list_json(const rules *set)
{
    size_t i, k;

    for (i = 0; i < rules_count(set); i++) {
        const rules_rule *r = rules_get(set, i);
        yajl_gen g = yajl_gen_alloc(NULL);
        const unsigned char *buf;
        size_t len;

        if (g == NULL)
            return;
        yajl_gen_map_open(g);
        for (k = 0; k < sizeof fields / sizeof fields[0]; k++) {
            gen_str(g, fields[k].name);
            if (field(r, k))
                gen_str(g, field(r, k));
            else
                yajl_gen_null(g);
        }
        gen_str(g, "path");
        gen_str(g, r->path);
        gen_str(g, "sha256");
        gen_str(g, r->sha256);
        yajl_gen_map_close(g);
        yajl_gen_get_buf(g, &buf, &len);
        fwrite(buf, 1, len, stdout);
        putchar('\n');
        yajl_gen_free(g);
    }
}

/* The rule named id, in full; -1 when the set has none. */
static int show(const rules *set, const char *id)
{
    size_t i, k;

    for (i = 0; i < rules_count(set); i++) {
        const rules_rule *r = rules_get(set, i);
        if (strcmp(r->id, id) != 0)
            continue;
        for (k = 0; k < sizeof fields / sizeof fields[0]; k++)
            if (field(r, k))
                printf("%-15s %s\n", fields[k].name, field(r, k));
        printf("%-15s %s\n%-15s %s\n\n%s", "file", r->path, "sha256", r->sha256, r->sql);
        if (r->sql[0] && r->sql[strlen(r->sql) - 1] != '\n')
            putchar('\n');
        return 0;
    }
    return -1;
}

static void on_err(void *ctx, const char *path, const char *msg)
{
    int *bad = ctx;

    (*bad)++;
    cli_err("%s: %s", path, msg);
}

int cmd_rules(int argc, char **argv)
{
    static const struct option longopts[] = {{"rules", required_argument, NULL, 'r'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *dir = NULL, *sub, *format = "text", *id = NULL;
    char err[1024];
    rules *set;
    store *s = NULL;
    settings *defaults = NULL;
    catalogue *cat = NULL;
    int c, bad = 0;
    size_t i;

    while ((c = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': dir = optarg; break;
        case 'f': format = optarg; break;
        case 'h': fputs(help, stdout); return EXIT_CLEAN;
        default: fputs(help, stderr); return EXIT_FATAL;
        }
    }
    if (optind >= argc || (strcmp(argv[optind], "list") && strcmp(argv[optind], "check") &&
                           strcmp(argv[optind], "show"))) {
        if (optind < argc)
            cli_err("unknown rules command '%s' (list, show or check)", argv[optind]);
        fputs(help, stderr);
        return EXIT_FATAL;
    }
    sub = argv[optind];
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        cli_err("--format %s: want text or json", format);
        return EXIT_FATAL;
    }
    if (strcmp(sub, "show") == 0) {
        /* getopt has moved the options before the operands: ID follows "show" */
        if (optind + 1 >= argc) {
            cli_err("rules show: which rule? (ddbtrail rules list names them)");
            return EXIT_FATAL;
        }
        id = argv[optind + 1];
    }
    dir = cli_rules_dir(dir);
    set = rules_load_dir(dir, on_err, &bad, err, sizeof err);
    if (set == NULL) {
        cli_err("%s", err);
        return EXIT_FATAL;
    }
    if (strcmp(sub, "show") == 0) {
        if (show(set, id) != 0) {
            cli_err("no rule %s in %s (ddbtrail rules list names them)", id, dir);
            bad++;
        }
    } else if (strcmp(sub, "list") == 0 && strcmp(format, "json") == 0) {
        list_json(set);
    } else if (strcmp(sub, "list") == 0) {
        for (i = 0; i < rules_count(set); i++) {
            const rules_rule *r = rules_get(set, i);
            printf("%-22s %-9s %s\n", r->id, r->severity, r->title);
        }
    } else {
        /* compile against an empty in-memory store: the schema, no data */
        s = store_open(":memory:", 0, err, sizeof err);
        defaults = settings_new();
        if (s == NULL ||
            functions_register(store_db(s), cli_function_flags(), err, sizeof err) != 0) {
            cli_err("%s", err);
            rules_free(set);
            settings_free(defaults);
            store_free(s);
            return EXIT_FATAL;
        }
        /* the default settings, so parameters bind as they will at run time */
        if (defaults == NULL || settings_apply(defaults, store_db(s), err, sizeof err) != 0) {
            cli_err("%s", defaults ? err : "out of memory");
            bad++;
        }
        cat = cli_catalogue_load(dir);
        if (cat == NULL)
            bad++;
        for (i = 0; i < rules_count(set); i++) {
            const rules_rule *r = rules_get(set, i);
            if (rules_check(r, store_db(s), err, sizeof err) != 0 ||
                (cat && cli_check_effects(r, cat, err, sizeof err) != 0)) {
                cli_err("%s: %s", r->path, err);
                bad++;
            }
        }
        catalogue_free(cat);
        printf("%zu rules checked, %d bad\n", rules_count(set), bad);
    }
    rules_free(set);
    settings_free(defaults);
    store_free(s);
    return bad ? EXIT_FATAL : EXIT_CLEAN;
}
