/*
 * Unit tests for catalogue: which events are kept, how lines parse into
 * entries, and that every malformed line is refused with its line number.
 */
#include "catalogue.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static const char small[] =
    "# a comment\n"
    "effect none     judged\n"
    "effect weakens-key  the key\n"
    "effect changes-logging  the trail\n"
    "effect deletes-items  items go\n"
    "\n"
    "cloudtrail:StopLogging   changes-logging\n"
    "ec2:DeleteVpcEndpoints   none\n"
    "kms:DisableKey           weakens-key\n"
    "dynamodb:BatchWriteItem  deletes-items  when request ..operation = \"Delete\"\n"
    "dynamodb:UpdateContinuousBackups  weakens-key,deletes-items  when request "
    ".pointInTimeRecoverySpecification.recoveryPeriodInDays < 35\n"
    "dynamodb:UpdateTable     deletes-items  when response .x = true\n"
    "dynamodb:ExecuteStatement  deletes-items  when request ..statement ~ \"(?i)^\\\\s*delete\"\n"
    "dynamodb:CreateTable     deletes-items  when request .resourcePolicy exists   \r\n";

static void keeps(void)
{
    static const struct {
        const char *src, *name;
        int want;
    } cases[] = {
        {"dynamodb.amazonaws.com", "GetItem", 1},    /* all of DynamoDB, named or not */
        {"dax.amazonaws.com", "CreateCluster", 1},
        {"cloudtrail.amazonaws.com", "StopLogging", 1},
        {"cloudtrail.amazonaws.com", "StopLoggingX", 0},
        {"cloudtrail.amazonaws.com", "StopLoggin", 0},
        {"cloudtrail.amazonaws.co", "StopLogging", 0},
        {"cloudtrail.amazonaws.com", "LookupEvents", 0},
        {"ec2.amazonaws.com", "DeleteVpcEndpoints", 1}, /* "none" is still named */
        {"ec2.amazonaws.com", "DescribeInstances", 0},
        {"kms.amazonaws.com", "DisableKey", 1},
        {"kms.amazonaws.com", "Decrypt", 0},
        {"signin.amazonaws.com", "ConsoleLogin", 0},
    };
    char err[256];
    catalogue *c = catalogue_parse(small, strlen(small), "small", err, sizeof err);
    size_t i;

    CHECKF(c != NULL, "%s", err);
    if (c == NULL)
        return;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECKF(catalogue_keeps(c, cases[i].src, strlen(cases[i].src), cases[i].name,
                               strlen(cases[i].name)) == cases[i].want,
               "%s %s", cases[i].src, cases[i].name);
    CHECK(catalogue_keeps(c, NULL, 0, NULL, 0) == 0);
    CHECK(catalogue_keeps(NULL, "kms.amazonaws.com", 17, "DisableKey", 10) == 0);
    CHECK(catalogue_keeps(NULL, "dax.amazonaws.com", 17, "ListTags", 8) == 1);
    CHECK(catalogue_names(c, "kms:DisableKey") && catalogue_names(c, "dynamodb:CreateTable"));
    CHECK(!catalogue_names(c, "dynamodb:GetItem") && !catalogue_names(c, "kms"));
    CHECK(catalogue_is_effect(c, "weakens-key", 11) && !catalogue_is_effect(c, "weakens", 7));
    catalogue_free(c);
}

static void entries(void)
{
    char err[256];
    catalogue *c = catalogue_parse(small, strlen(small), "small", err, sizeof err);
    const catalogue_entry *e;

    CHECKF(c != NULL, "%s", err);
    if (c == NULL)
        return;
    CHECKF(catalogue_count(c) == 9, "%zu entries", catalogue_count(c));
    e = catalogue_get(c, 0);
    CHECK(strcmp(e->source, "cloudtrail.amazonaws.com") == 0 &&
          strcmp(e->name, "StopLogging") == 0 && strcmp(e->effect, "changes-logging") == 0 &&
          e->side == CATALOGUE_ALWAYS && e->op == NULL);
    e = catalogue_get(c, 3);
    CHECK(e->deep && strcmp(e->path, "operation") == 0 && strcmp(e->op, "=") == 0 &&
          e->vtype == CATALOGUE_TEXT && strcmp(e->text, "Delete") == 0);
    /* one line, two effects: two entries with the same condition */
    e = catalogue_get(c, 5);
    CHECK(strcmp(e->effect, "deletes-items") == 0 && !e->deep &&
          strcmp(e->path, "$.pointInTimeRecoverySpecification.recoveryPeriodInDays") == 0 &&
          strcmp(e->op, "<") == 0 && e->vtype == CATALOGUE_INT && e->ival == 35);
    e = catalogue_get(c, 6);
    CHECK(e->side == CATALOGUE_RESPONSE && e->vtype == CATALOGUE_INT && e->ival == 1);
    e = catalogue_get(c, 7);
    CHECK(e->vtype == CATALOGUE_TEXT && strcmp(e->text, "(?i)^\\s*delete") == 0);
    e = catalogue_get(c, 8);
    CHECK(strcmp(e->op, "exists") == 0 && e->vtype == CATALOGUE_NONE);
    CHECK(strlen(catalogue_sha256(c)) == 64);
    catalogue_free(c);
}

static void refused(void)
{
    static const struct {
        const char *line, *why;
    } cases[] = {
        {"kms:DisableKey weakens-keys", "not declared"},
        {"kms:DisableKey", "names no effect"},
        {"DisableKey none", "not service:Operation"},
        {"KMS:DisableKey none", "not service:Operation"},
        {"kms:Disable-Key none", "not service:Operation"},
        {"kms:DisableKey none if request .a = 1", "want 'when"},
        {"kms:DisableKey none when body .a = 1", "not request or response"},
        {"kms:DisableKey none when request a = 1", "neither"},
        {"kms:DisableKey none when request .a..b = 1", "neither"},
        {"kms:DisableKey none when request .a. = 1", "neither"},
        {"kms:DisableKey none when request ... = 1", "neither"},
        {"kms:DisableKey none when request .a == 1", "operator"},
        {"kms:DisableKey none when request .a =", "needs a value"},
        {"kms:DisableKey none when request .a = nope", "not one JSON literal"},
        {"kms:DisableKey none when request .a = 1 2", "not one JSON literal"},
        {"kms:DisableKey none when request .a = {}", "not a string"},
        {"kms:DisableKey none when request .a exists 1", "takes no value"},
        {"kms:DisableKey none when request .a ~ 1", "needs a \"pattern\""},
        {"kms:DisableKey none when request .a ~ \"(\"", "pattern"},
        {"kms:DisableKey none when request", "needs SIDE PATH OP"},
        {"effect", "needs a name"},
        {"effect bad_name x", "needs a name"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512], err[256];
        catalogue *c;
        snprintf(text, sizeof text, "effect none x\neffect weakens-key y\n%s\n", cases[i].line);
        err[0] = '\0';
        c = catalogue_parse(text, strlen(text), "t.txt", err, sizeof err);
        CHECKF(c == NULL && strstr(err, cases[i].why) && strstr(err, "t.txt:3:"),
               "'%s': got '%s'", cases[i].line, err);
        catalogue_free(c);
    }
    {
        char err[256];
        catalogue *c = catalogue_parse("effect x y\n", 11, "t.txt", err, sizeof err);
        CHECKF(c == NULL && strstr(err, "no 'effect none'"), "got '%s'", err);
        c = catalogue_parse("effect none\0x", 13, "t.txt", err, sizeof err);
        CHECKF(c == NULL && strstr(err, "NUL"), "got '%s'", err);
    }
}

/* Inputs the fuzzer found: each parses or is refused without reading past
 * its bytes (ASan runs these in make check-asan). */
static void found(void)
{
    static const char *const inputs[] = {
        /* a service name copied with its suffix read from past the line's end */
        "# ged\neffect changes-logging   s\neffect none       s\ndynamodb:P g\n",
        "effect none x\nx:Y none",
        "effect none x\nx:Y none when request ..a exists",
        "effect none x\nx:Y none when request .a.b = \"\\u0000\"",
    };
    size_t i;

    for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char err[256];
        size_t n = strlen(inputs[i]);
        char *copy = malloc(n); /* exactly the input's bytes, no NUL after them */
        catalogue *c;
        memcpy(copy, inputs[i], n);
        c = catalogue_parse(copy, n, "f", err, sizeof err);
        CHECKF(c != NULL || err[0], "input %zu", i);
        catalogue_free(c);
        free(copy);
    }
}

/* The shipped catalogue parses (tests run from the source tree). */
static void shipped(void)
{
    char err[512];
    catalogue *c = catalogue_load("detections/effects.txt", err, sizeof err);

    CHECKF(c != NULL, "%s", err);
    if (c)
        CHECK(catalogue_count(c) > 100 && catalogue_names(c, "dynamodb:ImportTable"));
    catalogue_free(c);
}

const unit_test unit_catalogue[] = {
    {"catalogue_keeps", keeps},     {"catalogue_entries", entries},
    {"catalogue_refused", refused}, {"catalogue_shipped", shipped},
    {"catalogue_found", found},
    {NULL, NULL},
};
