/*
 * unit: a tiny table-driven test harness. Each test is a function that
 * calls CHECK(); tests are listed in unit.c's table and can be run alone:
 *
 *   build/unit            run all, one "ok NAME" / "FAIL NAME" line each
 *   build/unit NAME...    run the named tests
 *   build/unit --list     print the names
 */
#ifndef DDBTRAIL_UNIT_H
#define DDBTRAIL_UNIT_H

#include <stdio.h>

extern int unit_failed;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
            unit_failed = 1;                                                           \
        }                                                                              \
    } while (0)

#define CHECKF(cond, ...)                                                 \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                 \
            fputc('\n', stderr);                                          \
            unit_failed = 1;                                              \
        }                                                                 \
    } while (0)

typedef struct unit_test {
    const char *name;
    void (*fn)(void);
} unit_test;

/* Each test file exports its table, terminated by {NULL, NULL}. */
extern const unit_test unit_reader[], unit_decoder[], unit_address[], unit_normalize[], unit_settings[],
    unit_functions[], unit_partiql[], unit_shard[], unit_triage[], unit_rules[], unit_catalogue[], unit_record[], unit_skim[],
    unit_store[], unit_escape[];

#endif
