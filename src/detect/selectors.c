/*
 * selectors: DynamoDB coverage of CloudTrail event selectors (see selectors.h).
 *
 * The request is small (ingest caps it at 2 MiB), so it is parsed with
 * yajl's tree API. Each selector is reduced to what it does for DynamoDB:
 * whether it selects DynamoDB data events at all, and if so whether it keeps
 * reads, writes, every table and every event name; and whether it keeps
 * DynamoDB management events. The trail logs DynamoDB fully when, over all
 * selectors, reads and writes of every table are each kept by some selector
 * without a narrowing filter, and management events are kept too.
 */
#include "selectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_tree.h>

#define SELECTORS_DDB_ARN "arn:aws:dynamodb:"

/* What the selectors together keep of DynamoDB. */
struct cover {
    int any_data;      /* some selector picks some DynamoDB data events */
    int reads, writes; /* some selector keeps all reads / all writes of every table */
    int narrowed_arn;  /* a selector kept only some tables */
    int narrowed_name; /* a selector kept only some event names */
    char other[64];    /* a selector narrowed by another field: its name */
    int mgmt;          /* DynamoDB management events are kept */
};

/* A member of an object, matching the key in any case (CloudTrail writes
 * "fieldSelectors", the API documents "FieldSelectors"). */
static yajl_val member(yajl_val obj, const char *key)
{
    size_t i;

    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (i = 0; i < obj->u.object.len; i++)
        if (strcasecmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

static int is_true(yajl_val v)
{
    const char *s = YAJL_IS_STRING(v) ? v->u.string : NULL;

    return YAJL_IS_TRUE(v) || (s != NULL && strcasecmp(s, "true") == 0);
}

/* 1 when one field selector lets value through: every operator it holds
 * must agree (Equals: one of; NotEquals: none of; StartsWith ... ). */
static int allows(yajl_val fs, const char *value)
{
    static const char *const ops[] = {"equals", "notEquals", "startsWith", "notStartsWith",
                                      "endsWith", "notEndsWith"};
    size_t k, i, vlen = strlen(value);

    for (k = 0; k < 6; k++) {
        yajl_val list = member(fs, ops[k]);
        int hit = 0, negated = k % 2 == 1;
        if (!YAJL_IS_ARRAY(list))
            continue;
        for (i = 0; i < list->u.array.len; i++) {
            const char *s = YAJL_GET_STRING(list->u.array.values[i]);
            size_t n = s ? strlen(s) : 0;
            if (s == NULL)
                continue;
            if (k < 2)
                hit |= strcmp(s, value) == 0;
            else if (k < 4)
                hit |= n <= vlen && memcmp(value, s, n) == 0;
            else
                hit |= n <= vlen && memcmp(value + vlen - n, s, n) == 0;
        }
        if (hit == negated)
            return 0;
    }
    return 1;
}

/* 1 when a resources.ARN field selector lets every DynamoDB table through:
 * StartsWith prefixes of "arn:aws:dynamodb:" (or of the table ARN prefix of
 * another partition) and nothing else. */
static int all_tables(yajl_val fs)
{
    yajl_val sw = member(fs, "startsWith");
    size_t i;
    int wide = 0;

    if (member(fs, "equals") || member(fs, "notEquals") || member(fs, "notStartsWith") ||
        member(fs, "endsWith") || member(fs, "notEndsWith") || !YAJL_IS_ARRAY(sw))
        return 0;
    for (i = 0; i < sw->u.array.len; i++) {
        const char *s = YAJL_GET_STRING(sw->u.array.values[i]);
        if (s && strlen(s) <= strlen(SELECTORS_DDB_ARN) &&
            strncmp(SELECTORS_DDB_ARN, s, strlen(s)) == 0)
            wide = 1;
    }
    return wide;
}

static void advanced(yajl_val selectors, struct cover *c)
{
    yajl_val fields = member(selectors, "fieldSelectors");
    int data = 1, mgmt = 1, reads = 1, writes = 1, narrow = 0, has_cat = 0;
    size_t i;

    if (!YAJL_IS_ARRAY(fields))
        return;
    for (i = 0; i < fields->u.array.len; i++) {
        yajl_val fs = fields->u.array.values[i];
        const char *field = YAJL_GET_STRING(member(fs, "field"));
        if (field == NULL)
            continue;
        if (strcmp(field, "eventCategory") == 0) {
            has_cat = 1;
            data &= allows(fs, "Data");
            mgmt &= allows(fs, "Management");
        } else if (strcmp(field, "resources.type") == 0) {
            data &= allows(fs, "AWS::DynamoDB::Table");
        } else if (strcmp(field, "eventSource") == 0) {
            data &= allows(fs, "dynamodb.amazonaws.com");
            mgmt &= allows(fs, "dynamodb.amazonaws.com");
        } else if (strcmp(field, "readOnly") == 0) {
            reads &= allows(fs, "true");
            writes &= allows(fs, "false");
        } else if (strcmp(field, "resources.ARN") == 0) {
            if (!all_tables(fs)) {
                c->narrowed_arn |= data;
                narrow = 1;
            }
        } else if (strcmp(field, "eventName") == 0) {
            c->narrowed_name |= data;
            narrow = 1;
            mgmt = 0; /* some management calls filtered out */
        } else {
            if (c->other[0] == '\0')
                snprintf(c->other, sizeof c->other, "%s", field);
            narrow = 1;
            mgmt = 0;
        }
    }
    if (!has_cat)
        return; /* CloudTrail rejects a selector without eventCategory */
    if (data && (reads || writes))
        c->any_data = 1;
    if (data && !narrow) {
        c->reads |= reads;
        c->writes |= writes;
    }
    c->mgmt |= mgmt && reads && writes;
}

static void basic(yajl_val selectors, struct cover *c)
{
    const char *rw = YAJL_GET_STRING(member(selectors, "readWriteType"));
    int reads = rw == NULL || strcasecmp(rw, "All") == 0 || strcasecmp(rw, "ReadOnly") == 0;
    int writes = rw == NULL || strcasecmp(rw, "All") == 0 || strcasecmp(rw, "WriteOnly") == 0;
    yajl_val incident = member(selectors, "includeManagementEvents");
    yajl_val excl = member(selectors, "excludeManagementEventSources");
    yajl_val res = member(selectors, "dataResources");
    int mgmt = incident == NULL || is_true(incident);
    size_t i, k;

    if (YAJL_IS_ARRAY(excl))
        for (i = 0; i < excl->u.array.len; i++) {
            const char *s = YAJL_GET_STRING(excl->u.array.values[i]);
            if (s && strcmp(s, "dynamodb.amazonaws.com") == 0)
                mgmt = 0;
        }
    c->mgmt |= mgmt && reads && writes;
    if (!YAJL_IS_ARRAY(res))
        return;
    for (i = 0; i < res->u.array.len; i++) {
        yajl_val r = res->u.array.values[i];
        const char *type = YAJL_GET_STRING(member(r, "type"));
        yajl_val vals = member(r, "values");
        int all = 0, some = 0;
        if (type == NULL || strcmp(type, "AWS::DynamoDB::Table") != 0 || !YAJL_IS_ARRAY(vals))
            continue;
        for (k = 0; k < vals->u.array.len; k++) {
            const char *v = YAJL_GET_STRING(vals->u.array.values[k]);
            if (v == NULL)
                continue;
            some = 1;
            /* "arn:aws:dynamodb" (or a shorter prefix of the table ARNs) means every table */
            if (strlen(v) <= strlen(SELECTORS_DDB_ARN) &&
                strncmp(SELECTORS_DDB_ARN, v, strlen(v)) == 0)
                all = 1;
        }
        if (!some)
            continue;
        c->any_data = 1;
        if (all) {
            c->reads |= reads;
            c->writes |= writes;
        } else {
            c->narrowed_arn = 1;
        }
    }
}

int selectors_dynamodb_gap(const char *json, size_t len, char *out, size_t outlen)
{
    char ebuf[128], *text;
    yajl_val root, list;
    struct cover c;
    size_t i, n = 0;
    int adv = 0;

    if (outlen)
        out[0] = '\0';
    text = malloc(len + 1);
    if (text == NULL)
        return -1;
    memcpy(text, json, len);
    text[len] = '\0';
    root = yajl_tree_parse(text, ebuf, sizeof ebuf);
    free(text);
    list = member(root, "advancedEventSelectors");
    if (YAJL_IS_ARRAY(list))
        adv = 1;
    else
        list = member(root, "eventSelectors");
    if (!YAJL_IS_ARRAY(list)) {
        yajl_tree_free(root);
        return -1;
    }
    memset(&c, 0, sizeof c);
    for (i = 0; i < list->u.array.len; i++) {
        if (adv)
            advanced(list->u.array.values[i], &c);
        else
            basic(list->u.array.values[i], &c);
    }
    yajl_tree_free(root);
#define SAY(...)                                                                             \
    do {                                                                                     \
        if (n < outlen)                                                                      \
            n += (size_t)snprintf(out + n, outlen - n, __VA_ARGS__);                         \
    } while (0)
    if (!c.any_data)
        SAY("DynamoDB data events are no longer logged");
    else if (!(c.reads && c.writes)) {
        if (c.reads && !c.writes)
            SAY("DynamoDB writes are no longer logged (reads only)");
        else if (c.writes && !c.reads)
            SAY("DynamoDB reads are no longer logged (writes only)");
        else
            SAY("DynamoDB data events are logged for part of the activity only");
        if (c.narrowed_arn)
            SAY("; only some tables (a resources.ARN filter)");
        if (c.narrowed_name)
            SAY("; some event names excluded (an eventName filter)");
        if (c.other[0])
            SAY("; filtered on %s", c.other);
    }
    if (!c.mgmt)
        SAY("%sDynamoDB management events are excluded", n ? "; " : "");
#undef SAY
    return n > 0;
}
