/*
 * Unit tests for normalize: time parsing, table-name derivation.
 */
#include "normalize.h"
#include "unit.h"

#include <string.h>

static void times(void)
{
    static const struct {
        const char *s;
        int ok;
        long long want;
    } cases[] = {
        {"1970-01-01T00:00:00Z", 1, 0},
        {"2015-05-04T02:14:52Z", 1, 1430705692},
        {"2024-02-29T23:59:59Z", 1, 1709251199},
        {"2026-11-12T02:10:00.123Z", 1, 1794449400},
        {"2026-11-12T02:10:00+00:00", 1, 1794449400},
        {"2026-11-12 02:10:00Z", 1, 1794449400},
        {"2026-13-01T00:00:00Z", 0, 0},
        {"2026-02-29T00:00:00Z", 0, 0},        /* not a leap year */
        {"2100-02-29T00:00:00Z", 0, 0},        /* century, not a leap year */
        {"2000-02-29T00:00:00Z", 1, 951782400}, /* every 400 years it is */
        {"2016-12-31T23:59:60Z", 1, 1483228800}, /* a real leap second */
        {"2026-11-12T02:10:60Z", 0, 0},        /* second 60 elsewhere */
        {"2026-06-30T23:58:60Z", 0, 0},
        {"0000-01-01T00:00:00Z", 0, 0},
        {"10000-01-01T00:00:00Z", 0, 0},
        {"2026-11-12T02:10:00", 0, 0},
        {"2026-11-12T02:10:00+02:00", 0, 0},
        {"yesterday", 0, 0},
        {"", 0, 0},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t ts = -1;
        int r = normalize_parse_time(cases[i].s, strlen(cases[i].s), &ts);
        CHECKF((r == 0) == cases[i].ok && (!cases[i].ok || ts == cases[i].want),
               "%s: r=%d ts=%lld", cases[i].s, r, (long long)ts);
    }
}

static void arns(void)
{
    static const struct {
        const char *arn, *want;
    } cases[] = {
        {"arn:aws:dynamodb:us-west-2:123456789012:table/Music", "Music"},
        {"arn:aws:dynamodb:us-west-2:123456789012:table/Music/stream/2021-04-15T04:02:47.428",
         "Music"},
        {"arn:aws:dynamodb:eu-west-1:1:table/orders/backup/01730000000000-abcdef12", "orders"},
        {"arn:aws:s3:::bucket", NULL},
        {"arn:aws:dynamodb:eu-west-1:1:table/", NULL},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *name;
        size_t n;
        int r = normalize_table_from_arn(cases[i].arn, strlen(cases[i].arn), &name, &n);
        if (cases[i].want == NULL)
            CHECKF(r != 0, "%s", cases[i].arn);
        else
            CHECKF(r == 0 && n == strlen(cases[i].want) && memcmp(name, cases[i].want, n) == 0,
                   "%s", cases[i].arn);
    }
}

static void partiql(void)
{
    static const struct {
        const char *stmt, *want;
    } cases[] = {
        {"SELECT * FROM Music WHERE Artist = 'x'", "Music"},
        {"select * from \"my-table\" where a = 1", "my-table"},
        {"SELECT * FROM Music.\"ArtistIndex\"", "Music"},
        {"INSERT INTO Music VALUE {'Artist' : ***(Redacted)}", "Music"},
        {"UPDATE Music SET Album = ***(Redacted) WHERE Artist = 'x'", "Music"},
        {"DELETE FROM orders WHERE pk = 'a'", "orders"},
        {"SELECT fromage FROM t", "t"},
        {"nothing here", NULL},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *name;
        size_t n;
        int r = normalize_table_from_partiql(cases[i].stmt, strlen(cases[i].stmt), &name, &n);
        if (cases[i].want == NULL)
            CHECKF(r != 0, "%s", cases[i].stmt);
        else
            CHECKF(r == 0 && n == strlen(cases[i].want) && memcmp(name, cases[i].want, n) == 0,
                   "%s: got %.*s", cases[i].stmt, r == 0 ? (int)n : 0, r == 0 ? name : "");
    }
}

/* Builds an event with a few fields set and normalises it. */
static void row_of(decoder_event *ev, normalize_row *row)
{
    char err[128];

    CHECK(normalize_event(ev, row, err, sizeof err) == 0);
}

static void set(decoder_event *ev, enum decoder_field f, const char *s)
{
    ev->v[f] = s;
    ev->len[f] = strlen(s);
}

static int col_is(const normalize_row *row, enum normalize_col c, const char *s)
{
    const normalize_val *v = &row->col[c];

    if (s == NULL)
        return v->type == NT_NULL;
    return v->type == NT_TEXT && v->n == strlen(s) && memcmp(v->p, s, v->n) == 0;
}

static void derived(void)
{
    decoder_event ev;
    normalize_row row;
    char err[128];

    memset(&ev, 0, sizeof ev);
    set(&ev, JF_EVENT_ID, "e");
    set(&ev, JF_EVENT_TIME, "2026-01-01T00:00:00Z");
    set(&ev, JF_EVENT_SOURCE, "dynamodb.amazonaws.com");
    set(&ev, JF_EVENT_NAME, "UpdateTable");
    set(&ev, JF_RESP_TABLE_NAME, "Music");
    set(&ev, JF_UID_ACCESS_KEY_ID, "AKIAIOSFODNN7EXAMPLE");
    set(&ev, JF_SOURCE_IP, "192.0.2.0");
    set(&ev, JF_READ_ONLY, "true");
    row_of(&ev, &row);
    CHECK(col_is(&row, NC_TABLE_NAME, "Music"));
    CHECK(col_is(&row, NC_CREDENTIAL_KIND, "long-term"));
    CHECK(col_is(&row, NC_SOURCE_KIND, "other"));
    CHECK(col_is(&row, NC_EVENT_CATEGORY, "Management"));
    CHECK(row.col[NC_READ_ONLY].type == NT_INT && row.col[NC_READ_ONLY].i == 1);
    CHECK(row.col[NC_MFA_AUTHENTICATED].type == NT_NULL);

    set(&ev, JF_EVENT_NAME, "Scan");
    set(&ev, JF_REQ_TABLE_NAME, "arn:aws:dynamodb:eu-west-1:1:table/orders");
    set(&ev, JF_UID_ACCESS_KEY_ID, "ASIAXXXX");
    row_of(&ev, &row);
    CHECK(col_is(&row, NC_TABLE_NAME, "orders"));
    CHECK(col_is(&row, NC_CREDENTIAL_KIND, "temporary"));
    CHECK(col_is(&row, NC_EVENT_CATEGORY, "Data"));

    set(&ev, JF_MANAGEMENT_EVENT, "true");
    row_of(&ev, &row);
    CHECK(col_is(&row, NC_EVENT_CATEGORY, "Management"));

    set(&ev, JF_EVENT_TIME, "not a time");
    CHECK(normalize_event(&ev, &row, err, sizeof err) != 0);
}

const unit_test unit_normalize[] = {
    {"normalize_times", times},     {"normalize_arns", arns},
    {"normalize_partiql", partiql},
    {"normalize_derived", derived}, {NULL, NULL},
};
