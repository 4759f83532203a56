/*
 * Unit tests for settings (config keys, types, errors) and functions (REGEXP, regexp_try,
 * ip_in_cidr, arn_account, id_list, sole) through a real SQLite connection.
 */
#include "settings.h"
#include "functions.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Loads text as a config file; returns the status and the message. */
static int load(const char *text, char *err, size_t errlen)
{
    char path[] = "/tmp/ddbtrail-settings-XXXXXX";
    int fd = mkstemp(path), r;
    FILE *f = fdopen(fd, "w");
    settings *c = settings_new();

    fputs(text, f);
    fclose(f);
    err[0] = '\0';
    r = settings_load_file(c, path, err, errlen);
    remove(path);
    settings_free(c);
    return r;
}

static void config_errors(void)
{
    static const struct {
        const char *text;
        const char *msg; /* NULL: must load */
    } cases[] = {
        {"{}", NULL},
        {"{\"allowed_regions\":[\"eu-west-1\"],\"window_seconds\":600,"
         "\"require_customer_kms\":true}", NULL},
        {"{\"alowed_regions\":[\"eu-west-1\"]}",
         "unknown key \"alowed_regions\"; did you mean \"allowed_regions\"?"},
        {"{\"no_such_thing_at_all\":1}", "unknown key \"no_such_thing_at_all\" (known keys"},
        {"{\"window_seconds\":60,\"window_seconds\":600}", "key \"window_seconds\" given twice"},
        {"{\"allowed_regions\":[\"eu-west-l\"]}",
         "\"eu-west-l\" is not a region name (want e.g. eu-west-1); did you mean \"eu-west-1\"?"},
        {"{\"allowed_regions\":[\"EU-WEST-1\"]}", "did you mean"},
        {"{\"allowed_regions\":[\"europe\"]}", "\"europe\" is not a region name"},
        {"{\"allowed_regions\":[\"eu-west-1 \"]}", "is not a region name"},
        /* spelt like a region: one AWS opens later is taken */
        {"{\"allowed_regions\":[\"us-gov-west-1\",\"eu-isoe-west-1\",\"xx-newplace-9\"]}", NULL},
        {"{\"allowed_regions\":\"eu-west-1\"}", "\"allowed_regions\" must be an array"},
        {"{\"allowed_regions\":[1]}", "item 1 is not a string"},
        {"{\"window_seconds\":\"60\"}", "\"window_seconds\" must be a positive integer"},
        {"{\"window_seconds\":-5}", "\"window_seconds\" must be a positive integer"},
        {"{\"require_customer_kms\":1}", "must be true or false"},
        {"[1,2]", "must be a JSON object"},
        {"{not json", "invalid JSON"},
    };
    size_t i;
    char err[512];

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int r = load(cases[i].text, err, sizeof err);
        if (cases[i].msg == NULL)
            CHECKF(r == 0, "%s: %s", cases[i].text, err);
        else
            CHECKF(r != 0 && strstr(err, cases[i].msg), "%s: %s", cases[i].text, err);
    }
}

static sqlite3 *db_open(void)
{
    sqlite3 *db;
    char err[256];

    sqlite3_open(":memory:", &db);
    CHECK(functions_register(db, 0, err, sizeof err) == 0);
    return db;
}

/* Runs a one-value query; returns the value as text ("NULL" or "ERROR: ..."). */
static const char *q(sqlite3 *db, const char *sql)
{
    static char out[256];
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(out, sizeof out, "ERROR: %s", sqlite3_errmsg(db));
        return out;
    }
    if (sqlite3_step(st) != SQLITE_ROW)
        snprintf(out, sizeof out, "ERROR: %s", sqlite3_errmsg(db));
    else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
        snprintf(out, sizeof out, "NULL");
    else
        snprintf(out, sizeof out, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static void sql_functions(void)
{
    static const struct {
        const char *sql, *want;
    } cases[] = {
        {"SELECT 'Linux kali-2023' REGEXP '(?i)KALI'", "1"},
        {"SELECT 'aws-sdk-java' REGEXP '(?i)kali'", "0"},
        {"SELECT NULL REGEXP 'x'", "NULL"},
        {"SELECT regexp('^a.c$', CAST(x'61ff63' AS TEXT))", "0"},
        {"SELECT CAST(x'61ff63' AS TEXT) REGEXP 'c$'", "1"},
        {"SELECT 'abc' REGEXP '('", "ERROR: regexp: bad pattern '(': missing closing "
                                    "parenthesis (at offset 1)"},
        {"SELECT regexp_try('(?i)KALI', 'Linux kali-2023')", "1"},
        {"SELECT regexp_try('(?i)kali', 'aws-sdk-java')", "0"},
        {"SELECT regexp_try('x', NULL)", "NULL"},
        {"SELECT regexp_try('^(a|aa)+$', printf('%.30000c!', 'a'))", "NULL"},
        {"SELECT regexp_try('(', 'abc')", "ERROR: regexp: bad pattern '(': missing closing "
                                          "parenthesis (at offset 1)"},
        {"SELECT ip_in_cidr('10.1.2.3', '10.0.0.0/8')", "1"},
        {"SELECT ip_in_cidr('2001:db8::1', '2001:db8::/32')", "1"},
        {"SELECT ip_in_cidr('dynamodb.amazonaws.com', '10.0.0.0/8')", "NULL"},
        {"SELECT arn_account('arn:aws:dynamodb:eu-west-1:111122223333:table/x')", "111122223333"},
        {"SELECT arn_account('arn:aws:iam::999988887777:root')", "999988887777"},
        {"SELECT arn_account('123456789012')", "123456789012"},
        {"SELECT arn_account('*')", "NULL"},
        {"SELECT arn_field('arn:aws:kinesis:us-east-1:111122223333:stream/s', 3)", "us-east-1"},
        {"SELECT arn_field('arn:aws:kinesis:us-east-1:111122223333:stream/s', 2)", "kinesis"},
        {"SELECT arn_field('arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026:x', 5)",
         "table/t/stream/2026:x"},
        {"SELECT arn_field('arn:aws:iam::999988887777:role/r', 3)", "NULL"},
        {"SELECT arn_field('arn:aws:s3:::bucket', 4)", "NULL"},
        {"SELECT arn_field('arn:aws:s3:::bucket', 5)", "bucket"},
        {"SELECT arn_field('arn:aws', 2)", "NULL"},
        {"SELECT arn_field('arn:aws', 1)", "aws"},
        {"SELECT arn_field('table/x', 1)", "NULL"},
        {"SELECT arn_field('arn:aws:s3:::b', 6)", "NULL"},
        {"WITH v(x) AS (VALUES('a'), (NULL), ('b')) SELECT id_list(x) FROM v", "a,b"},
        {"SELECT id_list(NULL)", "NULL"},
        {"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)"
         " SELECT id_list(i) FROM n",
         "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20"},
        {"SELECT id_list(x) FROM (SELECT 'a' AS x UNION ALL SELECT printf('%5000s', 'b')"
         " UNION ALL SELECT 'c')", "a,c"},
        {"WITH v(g, x) AS (VALUES(1, 'a'), (2, 'b'), (1, 'c'), (1, 'a'))"
         " SELECT group_concat(l, '|') FROM (SELECT id_list(DISTINCT x) AS l FROM v GROUP BY g)",
         "a,c|b"},
        /* id_list(x, key): distinct values by their least key, whatever the row order */
        {"WITH v(x, k) AS (VALUES('c', 3), ('a', 1), ('b', 2), ('a', 9)) SELECT id_list(x, k) FROM v",
         "a,b,c"},
        {"WITH v(x, k) AS (VALUES('a', 9), ('b', 2), ('a', 1)) SELECT id_list(x, k) FROM v",
         "a,b"},
        {"WITH v(x, k) AS (VALUES('b', 5), ('a', 5), (NULL, 1), ('c', NULL)) SELECT id_list(x, k)"
         " FROM v", "a,b"},
        /* the 20 least of 100 000 fed in descending order: every kept one is evicted later */
        {"WITH RECURSIVE n(i) AS (SELECT 100000 UNION ALL SELECT i - 1 FROM n WHERE i > 1)"
         " SELECT id_list(i, i) FROM n",
         "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20"},
        /* a value first seen with a key too big to keep, then again with the least */
        {"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)"
         " SELECT id_list(x, k) FROM (SELECT printf('v%02d', i) AS x, 100 + i AS k FROM n"
         " UNION ALL SELECT 'v30', 0)",
         "v30,v01,v02,v03,v04,v05,v06,v07,v08,v09,v10,v11,v12,v13,v14,v15,v16,v17,v18,v19"},
        {"SELECT id_list(x, 1) FROM (SELECT printf('%5000s', 'b') AS x UNION ALL SELECT 'c')", "c"},
        {"SELECT id_list(NULL, 1)", "NULL"},
        {"WITH v(x, k) AS (VALUES('b', 2), ('a', 1)) SELECT id_list(x, k, '; ') FROM v", "a; b"},
        {"WITH v(x) AS (VALUES('a'), (NULL), ('a')) SELECT sole(x) FROM v", "a"},
        {"WITH v(x) AS (VALUES('a'), ('b'), ('a')) SELECT sole(x) FROM v", "NULL"},
        {"WITH v(x) AS (VALUES('a'), ('ab')) SELECT sole(x) FROM v", "NULL"},
        {"SELECT sole(NULL)", "NULL"},
        {"WITH v(x) AS (VALUES(7), (7)) SELECT sole(x) + 1 FROM v", "8"},
        {"WITH v(g, x) AS (VALUES(1, 'a'), (2, 'b'), (2, 'c'), (3, NULL))"
         " SELECT group_concat(coalesce(s, '-'), '|') FROM (SELECT sole(x) AS s FROM v GROUP BY g)",
         "a|-|-"},
    };
    sqlite3 *db = db_open();
    char warning[256];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = q(db, cases[i].sql);
        CHECKF(strcmp(got, cases[i].want) == 0, "%s: got %s", cases[i].sql, got);
    }
    /* a limit hit: regexp() is no match and remembers it with its label, regexp_try() is
     * NULL and remembers nothing */
    CHECK(strcmp(q(db, "SELECT regexp_warnings()"), "NULL") == 0);
    CHECK(strcmp(q(db, "SELECT regexp_try('^(a|aa)+$', printf('%.30000c!', 'a'))"), "NULL") == 0);
    CHECK(strcmp(q(db, "SELECT regexp_warnings()"), "NULL") == 0);
    CHECK(strcmp(q(db, "SELECT regexp('^(a|aa)+$', printf('%.30000c!', 'a'), 'e-1')"), "0") == 0);
    snprintf(warning, sizeof warning, "%s", q(db, "SELECT regexp_warnings()"));
    CHECKF(strcmp(warning, "1 value(s) hit PCRE2's match or depth limit and count as no match; "
                           "the first: event e-1 (pattern '^(a|aa)+$')") == 0,
           "regexp_warnings: %s", warning);
    /* many patterns in turn: the cache evicts and recompiles correctly */
    for (i = 0; i < 100; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT 'x%zu' REGEXP '^x%zu$'", i % 40, i % 40);
        CHECK(strcmp(q(db, sql), "1") == 0);
    }
    sqlite3_close(db);
}

/* The settings tables of db, one line per row, for comparing two stores. */
static void dump(sqlite3 *db, char *out, size_t len)
{
    sqlite3_stmt *st;
    size_t n = 0;

    out[0] = '\0';
    if (sqlite3_prepare_v2(db,
                           "SELECT 's ' || key || '=' || quote(value) FROM settings UNION ALL"
                           " SELECT 'l ' || key || '=' || value FROM settings_list UNION ALL"
                           " SELECT 'a ' || actor || ' ' || key || '=' || value FROM settings_actor"
                           " ORDER BY 1",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW && n < len)
        n += (size_t)snprintf(out + n, len - n, "%s\n", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* What settings_apply() stores, settings_read() reads back whole: applied again
 * to another store, the tables are the same row for row (merge relies on it). */
static void read_back(void)
{
    static const char schema[] =
        "CREATE TABLE settings(key TEXT PRIMARY KEY, value);"
        "CREATE TABLE settings_list(key TEXT NOT NULL, value TEXT NOT NULL);"
        "CREATE TABLE settings_actor(actor TEXT NOT NULL, key TEXT NOT NULL, value INTEGER NOT NULL);";
    char path[] = "/tmp/ddbtrail-settings-XXXXXX", err[512], a[8192], b[8192];
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    settings *c = settings_new(), *d = settings_new();
    sqlite3 *one = NULL, *two = NULL;

    fputs("{\"allowed_regions\": [\"eu-west-1\", \"eu-central-1\"], \"mass_scan_calls\": 7,"
          " \"require_customer_kms\": true, \"trusted_cidrs\": [\"10.0.0.0/8\"],"
          " \"actor_thresholds\": [{\"actor\": \"*etl*\", \"mass_scan_calls\": 500,"
          " \"recon_tables\": 40}, {\"actor\": \"*ci*\", \"recon_tables\": 30}]}", f);
    fclose(f);
    CHECKF(settings_load_file(c, path, err, sizeof err) == 0, "%s", err);
    remove(path);
    CHECK(sqlite3_open(":memory:", &one) == SQLITE_OK && sqlite3_open(":memory:", &two) == SQLITE_OK);
    CHECK(sqlite3_exec(one, schema, NULL, NULL, NULL) == SQLITE_OK &&
          sqlite3_exec(two, schema, NULL, NULL, NULL) == SQLITE_OK);
    CHECK(settings_apply(c, one, err, sizeof err) == 0);
    CHECKF(settings_read(d, one, err, sizeof err) == 0, "%s", err);
    CHECK(settings_int(d, "mass_scan_calls") == 7 && settings_int(d, "require_customer_kms") == 1);
    CHECK(settings_list_count(d, "allowed_regions") == 2 && settings_list_count(d, "actor_thresholds") == 2);
    CHECK(settings_apply(d, two, err, sizeof err) == 0);
    dump(one, a, sizeof a);
    dump(two, b, sizeof b);
    CHECKF(strcmp(a, b) == 0 && strstr(a, "a *etl* recon_tables=40"), "%s---\n%s", a, b);
    /* a store's value is input: a bad CIDR in it is refused, naming the key */
    CHECK(sqlite3_exec(one, "INSERT INTO settings_list VALUES('trusted_cidrs', 'nope')", NULL,
                       NULL, NULL) == SQLITE_OK);
    CHECK(settings_read(d, one, err, sizeof err) != 0 && strstr(err, "trusted_cidrs"));
    sqlite3_close(one);
    sqlite3_close(two);
    settings_free(c);
    settings_free(d);
}

const unit_test unit_settings[] = {
    {"settings_errors", config_errors},
    {"settings_read_back", read_back},
    {NULL, NULL},
};

/* id_list(x, key) against its definition, on random groups fed in random
 * orders: the distinct values by their least key, ties by value, the first
 * FUNCTIONS_ID_LIST_MAX of them. Values repeat and keys tie often, so
 * eviction, a kept value's key falling and ties all happen. */
static void ranked_lists(void)
{
    sqlite3 *db = db_open();
    unsigned seed = 12345;
    int trial;

    for (trial = 0; trial < 300; trial++) {
        int n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 200;
        int pool = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 60, i;
        char want[512] = "", got[512];
        sqlite3_stmt *ins, *ref;
        size_t wn = 0;

        sqlite3_exec(db, "DROP TABLE IF EXISTS v; CREATE TABLE v(x, k)", NULL, NULL, NULL);
        sqlite3_prepare_v2(db, "INSERT INTO v VALUES(printf('v%03d', ?1), ?2)", -1, &ins, NULL);
        for (i = 0; i < n; i++) { /* the table's row order is the order fed */
            sqlite3_bind_int(ins, 1, (int)((seed = seed * 1103515245u + 12345u) >> 16) % pool);
            sqlite3_bind_int(ins, 2, (int)((seed = seed * 1103515245u + 12345u) >> 16) % 50);
            sqlite3_step(ins);
            sqlite3_reset(ins);
        }
        sqlite3_finalize(ins);
        sqlite3_prepare_v2(db,
                           "SELECT x FROM (SELECT x, min(k) AS k FROM v GROUP BY x)"
                           " ORDER BY k, x LIMIT ?1",
                           -1, &ref, NULL);
        sqlite3_bind_int(ref, 1, FUNCTIONS_ID_LIST_MAX);
        while (sqlite3_step(ref) == SQLITE_ROW)
            wn += (size_t)snprintf(want + wn, sizeof want - wn, "%s%s", wn ? "," : "",
                                   (const char *)sqlite3_column_text(ref, 0));
        sqlite3_finalize(ref);
        snprintf(got, sizeof got, "%s", q(db, "SELECT id_list(x, k) FROM v"));
        CHECKF(strcmp(got, want) == 0, "trial %d (%d rows of %d values): got %s, want %s", trial,
               n, pool, got, want);
    }
    sqlite3_close(db);
}

const unit_test unit_functions[] = {
    {"functions_functions", sql_functions},
    {"functions_ranked_lists", ranked_lists},
    {NULL, NULL},
};
