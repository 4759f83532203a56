/*
 * unit: the runner for the C unit tests (see unit.h).
 */
#include "unit.h"

#include <string.h>

int unit_failed;

static const unit_test *const tables[] = {unit_reader, unit_decoder, unit_address, unit_normalize, unit_settings,
                                          unit_functions, unit_partiql, unit_shard, unit_triage, unit_rules,
                                          unit_catalogue, unit_record, unit_skim, unit_store, unit_escape,
                                          NULL};

static int run(const unit_test *t)
{
    unit_failed = 0;
    t->fn();
    printf("%s %s\n", unit_failed ? "FAIL" : "ok", t->name);
    fflush(stdout);
    return unit_failed;
}

int main(int argc, char **argv)
{
    int i, k, failed = 0, a;

    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (i = 0; tables[i]; i++)
            for (k = 0; tables[i][k].name; k++)
                printf("%s\n", tables[i][k].name);
        return 0;
    }
    /* a name that matches no test is a failure, never a silent pass */
    for (a = 1; a < argc; a++) {
        int found = 0;
        for (i = 0; tables[i]; i++)
            for (k = 0; tables[i][k].name; k++)
                found |= strcmp(argv[a], tables[i][k].name) == 0;
        if (!found) {
            printf("FAIL %s: no such unit test (--list shows them)\n", argv[a]);
            failed++;
        }
    }
    for (i = 0; tables[i]; i++) {
        for (k = 0; tables[i][k].name; k++) {
            int wanted = argc == 1;
            for (a = 1; a < argc; a++)
                wanted |= strcmp(argv[a], tables[i][k].name) == 0;
            if (wanted)
                failed += run(&tables[i][k]);
        }
    }
    return failed ? 1 : 0;
}
