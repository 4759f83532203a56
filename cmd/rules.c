/*
 * rules: `ddbtrail rules list|check [--rules DIR]`.
 */
#include "settings.h"
#include "cli.h"
#include "rules.h"
#include "functions.h"

#include <getopt.h>
#include <string.h>

static const char help[] =
    "usage: ddbtrail rules list  [--rules DIR]\n"
    "       ddbtrail rules check [--rules DIR]\n"
    "\n"
    "list   prints each rule's id, default severity and title\n"
    "check  validates every rule file: header complete, SQL compiles against the\n"
    "       schema, read-only, result columns present, the effects its header names\n"
    "       declared in the catalogue (effects.txt); exits 2 naming each bad file\n";

static void on_err(void *ctx, const char *path, const char *msg)
{
    int *bad = ctx;

    (*bad)++;
    cli_err("%s: %s", path, msg);
}

int cmd_rules(int argc, char **argv)
{
    static const struct option longopts[] = {{"rules", required_argument, NULL, 'r'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *dir = NULL, *sub;
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
        case 'h': fputs(help, stdout); return EXIT_CLEAN;
        default: fputs(help, stderr); return EXIT_FATAL;
        }
    }
    if (optind >= argc || (strcmp(argv[optind], "list") && strcmp(argv[optind], "check"))) {
        fputs(help, stderr);
        return EXIT_FATAL;
    }
    sub = argv[optind];
    dir = cli_rules_dir(dir);
    set = rules_load_dir(dir, on_err, &bad, err, sizeof err);
    if (set == NULL) {
        cli_err("%s", err);
        return EXIT_FATAL;
    }
    if (strcmp(sub, "list") == 0) {
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
