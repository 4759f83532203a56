/*
 * Unit tests for decoder: every accepted shape, field extraction, captured JSON,
 * and record-level rejects. Each input is fed whole and one byte at a time,
 * since chunk boundaries may fall anywhere.
 */
#include "decoder.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

struct got {
    int events, rejects;
    char ids[512];        /* eventIDs joined by ',' */
    char reasons[1024];   /* reject reasons joined by ';' */
    char field[4096];     /* the watched field of the last event */
    size_t field_len;
    int watch;            /* enum decoder_field to copy, or -1 */
    int fail;             /* decoder_feed/decoder_finish status */
    char err[256];
};

static int on_event(void *ctx, const decoder_event *ev, char *err, size_t errlen)
{
    struct got *g = ctx;

    (void)err;
    (void)errlen;
    g->events++;
    strncat(g->ids, ev->v[JF_EVENT_ID], sizeof g->ids - strlen(g->ids) - 2);
    strcat(g->ids, ",");
    if (g->watch >= 0) {
        g->field_len = ev->v[g->watch] ? ev->len[g->watch] : (size_t)-1;
        if (ev->v[g->watch] && ev->len[g->watch] < sizeof g->field)
            memcpy(g->field, ev->v[g->watch], ev->len[g->watch] + 1);
    }
    return 0;
}

static int on_reject(void *ctx, uint64_t off, const char *reason, char *err, size_t errlen)
{
    struct got *g = ctx;

    (void)off;
    (void)err;
    (void)errlen;
    g->rejects++;
    strncat(g->reasons, reason, sizeof g->reasons - strlen(g->reasons) - 2);
    strcat(g->reasons, ";");
    return 0;
}

/* Decodes s in chunks of `chunk` bytes (0: all at once). */
static void decode(const char *s, size_t len, size_t chunk, int watch, struct got *g)
{
    decoder *j;
    size_t i;

    memset(g, 0, sizeof *g);
    g->watch = watch;
    j = decoder_new(on_event, on_reject, g);
    if (chunk == 0)
        chunk = len ? len : 1;
    for (i = 0; i < len && g->fail == 0; i += chunk)
        g->fail = decoder_feed(j, s + i, len - i < chunk ? len - i : chunk, g->err, sizeof g->err);
    if (g->fail == 0)
        g->fail = decoder_finish(j, g->err, sizeof g->err);
    if (g->fail == 0)
        CHECKF(decoder_depth(j) == 0, "depth %d after %s", decoder_depth(j), s);
    decoder_free(j);
}

/* Runs a case whole and bytewise and checks both agree with the expectation. */
static void expect(const char *s, int events, int rejects, const char *ids, int fail)
{
    struct got g;
    size_t chunk;

    for (chunk = 0; chunk <= 1; chunk++) {
        decode(s, strlen(s), chunk, -1, &g);
        CHECKF(g.events == events && g.rejects == rejects && (fail ? g.fail != 0 : g.fail == 0),
               "%s (chunk %zu): %d events, %d rejects [%s], fail %d %s", s, chunk, g.events,
               g.rejects, g.reasons, g.fail, g.err);
        if (ids)
            CHECKF(strcmp(g.ids, ids) == 0, "%s: ids %s", s, g.ids);
    }
}

#define EV(id) \
    "{\"eventID\":\"" id "\",\"eventTime\":\"2026-01-01T00:00:00Z\",\"eventName\":\"GetItem\"}"

static void forms(void)
{
    expect("{\"Records\":[" EV("a") "," EV("b") "]}", 2, 0, "a,b,", 0);
    expect("{\"x\":1,\"y\":{\"eventID\":\"no\"},\"Records\":[" EV("a") "],\"z\":[1,2]}", 1, 0,
           "a,", 0);
    expect(EV("a") "\n" EV("b") "\n" EV("c") "\n", 3, 0, "a,b,c,", 0);
    expect(EV("a") EV("b"), 2, 0, "a,b,", 0);
    expect("[" EV("a") "," EV("b") "]", 2, 0, "a,b,", 0);
    expect(EV("solo"), 1, 0, "solo,", 0);
    expect("{\"version\":\"0\",\"detail-type\":\"AWS API Call via CloudTrail\",\"source\":\"aws."
           "dynamodb\",\"detail\":" EV("eb") ",\"region\":\"eu-west-1\"}",
           1, 0, "eb,", 0);
    expect("{\"Records\":[]}", 0, 0, "", 0);
    expect("", 0, 0, "", 0);
}

static void rejects(void)
{
    expect("{\"Records\":[1,\"x\"," EV("a") ",[]]}", 1, 3, "a,", 0);
    expect("{\"Records\":{}}", 0, 1, "", 0);
    expect("42", 0, 1, "", 0);
    expect("{\"eventTime\":\"2026-01-01T00:00:00Z\",\"eventName\":\"X\"}", 0, 1, "", 0);
    expect("{\"foo\":1}", 0, 1, "", 0);
    expect("{\"eventID\":\"a\",\"eventTime\":12345}", 0, 1, "", 0);
    expect("{\"eventID\":\"a\",\"eventTime\":\"t\",\"userIdentity\":\"root\"}", 0, 1, "", 0);
    expect("{\"eventID\":\"a\",\"eventID\":\"b\",\"eventTime\":\"t\"}", 0, 1, "", 0);
    expect("{\"eventID\":\"a\",\"eventTime\":\"t\",\"eventName\":{\"x\":1}}", 0, 1, "", 0);
}

static void reasons(void)
{
    struct got g;
    const char *s = "{\"eventID\":\"a\",\"eventTime\":12345}";

    decode(s, strlen(s), 0, -1, &g);
    CHECKF(strstr(g.reasons, "eventTime is a number, expected a string"), "%s", g.reasons);
    s = "{\"eventID\":\"a\",\"eventTime\":\"t\",\"userIdentity\":\"root\"}";
    decode(s, strlen(s), 0, -1, &g);
    CHECKF(strstr(g.reasons, "userIdentity is a string, expected an object"), "%s", g.reasons);
    s = "{\"eventTime\":\"t\",\"eventName\":\"GetItem\"}";
    decode(s, strlen(s), 0, -1, &g);
    CHECKF(strstr(g.reasons, "missing eventID"), "%s", g.reasons);
}

static void invalid_json(void)
{
    struct got g;
    const char *s = "{\"Records\":[" EV("a") ",{\"eventID\":}]}";

    decode(s, strlen(s), 0, -1, &g);
    CHECK(g.events == 1 && g.fail != 0);
    CHECKF(strstr(g.err, "invalid JSON") && strstr(g.err, "(byte "), "%s", g.err);
    s = "{\"Records\":[" EV("a");
    decode(s, strlen(s), 0, -1, &g);
    CHECK(g.events == 1 && g.fail != 0);
    CHECKF(strstr(g.err, "truncated JSON"), "%s", g.err);
}

static void jsonl_resync(void)
{
    /* a broken line in JSON Lines costs that line only */
    expect(EV("a") "\n{\"eventID\": oops}\n" EV("c") "\n", 2, 1, "a,c,", 0);
}

static void fields(void)
{
    struct got g;
    const char *s =
        "{\"eventTime\":\"2026-01-01T00:00:00Z\",\"eventID\":\"e1\","
        "\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:x\",\"sessionContext\":{"
        "\"attributes\":{\"mfaAuthenticated\":\"true\"},\"sessionIssuer\":{\"arn\":\"arn:role\","
        "\"userName\":\"r\"}}},\"userAgent\":\"caf\\u00e9 \\\"q\\\" \\u0000nul\","
        "\"requestParameters\":{\"tableName\":\"T\",\"n\":1.50,\"nested\":{\"a\":[1,{\"b\":null},"
        "true]},\"s\":\"line\\nbreak\"},\"responseElements\":null,\"readOnly\":false}";

    decode(s, strlen(s), 0, JF_USER_AGENT, &g);
    CHECK(g.events == 1);
    CHECK(g.field_len == 14 && memcmp(g.field, "caf\xc3\xa9 \"q\" \0nul", 14) == 0);
    decode(s, strlen(s), 1, JF_REQUEST_PARAMETERS, &g);
    CHECKF(strcmp(g.field, "{\"tableName\":\"T\",\"n\":1.50,\"nested\":{\"a\":[1,{\"b\":null},"
                           "true]},\"s\":\"line\\nbreak\"}") == 0,
           "%s", g.field);
    decode(s, strlen(s), 0, JF_RESPONSE_ELEMENTS, &g);
    CHECK(g.field_len == (size_t)-1);
    decode(s, strlen(s), 0, JF_REQ_TABLE_NAME, &g);
    CHECK(strcmp(g.field, "T") == 0);
    decode(s, strlen(s), 0, JF_READ_ONLY, &g);
    CHECK(strcmp(g.field, "false") == 0);
    decode(s, strlen(s), 0, JF_MFA_AUTHENTICATED, &g);
    CHECK(strcmp(g.field, "true") == 0);
    decode(s, strlen(s), 0, JF_ISSUER_ARN, &g);
    CHECK(strcmp(g.field, "arn:role") == 0);
}

static void web_identity(void)
{
    /* a Cognito identity's claims travel with every call it makes; an empty
     * webIdFederationData (every other role session) leaves both fields absent */
    struct got g;
    const char *guest =
        "{\"eventID\":\"e\",\"eventTime\":\"t\",\"userIdentity\":{\"type\":\"AssumedRole\","
        "\"sessionContext\":{\"webIdFederationData\":{\"federatedProvider\":"
        "\"cognito-identity.amazonaws.com\",\"attributes\":{\"cognito-identity.amazonaws.com:amr\":"
        "\"[\\\"unauthenticated\\\"]\",\"cognito-identity.amazonaws.com:aud\":\"eu-west-1:p\"}},"
        "\"attributes\":{\"mfaAuthenticated\":\"false\"}}}}";
    const char *plain = "{\"eventID\":\"e\",\"eventTime\":\"t\",\"userIdentity\":{\"type\":"
                        "\"AssumedRole\",\"sessionContext\":{\"webIdFederationData\":{}}}}";
    const char *web = "{\"eventID\":\"e\",\"eventTime\":\"t\",\"userIdentity\":{\"type\":"
                      "\"WebIdentityUser\",\"identityProvider\":\"cognito-identity.amazonaws.com\"}}";

    decode(guest, strlen(guest), 0, JF_WEBID_PROVIDER, &g);
    CHECKF(strcmp(g.field, "cognito-identity.amazonaws.com") == 0, "%s", g.field);
    decode(guest, strlen(guest), 0, JF_WEBID_ATTRIBUTES, &g);
    CHECKF(strcmp(g.field, "{\"cognito-identity.amazonaws.com:amr\":\"[\\\"unauthenticated\\\"]\","
                           "\"cognito-identity.amazonaws.com:aud\":\"eu-west-1:p\"}") == 0,
           "%s", g.field);
    decode(guest, strlen(guest), 0, JF_MFA_AUTHENTICATED, &g);
    CHECK(strcmp(g.field, "false") == 0);
    decode(plain, strlen(plain), 0, JF_WEBID_ATTRIBUTES, &g);
    CHECK(g.events == 1 && g.field_len == (size_t)-1);
    decode(web, strlen(web), 0, JF_UID_IDENTITY_PROVIDER, &g);
    CHECKF(strcmp(g.field, "cognito-identity.amazonaws.com") == 0, "%s", g.field);
}

static void resources(void)
{
    struct got g;
    const char *s = "{\"eventID\":\"e\",\"eventTime\":\"t\",\"resources\":[{\"ARN\":\"arn:aws:s3:::"
                    "b\",\"type\":\"AWS::S3::Bucket\"},{\"type\":\"AWS::DynamoDB::Table\",\"ARN\":"
                    "\"arn:aws:dynamodb:eu-west-1:1:table/Music\"}]}";

    decode(s, strlen(s), 0, JF_RESOURCE_TABLE_ARN, &g);
    CHECKF(strcmp(g.field, "arn:aws:dynamodb:eu-west-1:1:table/Music") == 0, "%s", g.field);
}

static void made_tables(void)
{
    /* the table a restore or an import makes, not the one its backup ARN names */
    struct got g;
    const char *restore = "{\"eventID\":\"e\",\"eventTime\":\"t\",\"requestParameters\":{"
                          "\"backupArn\":\"arn:aws:dynamodb:eu-west-1:1:table/src/backup/0\","
                          "\"targetTableName\":\"made\"}}";
    const char *import = "{\"eventID\":\"e\",\"eventTime\":\"t\",\"requestParameters\":{"
                         "\"s3BucketSource\":{\"s3Bucket\":\"b\"},\"tableCreationParameters\":{"
                         "\"keySchema\":[{\"attributeName\":\"tableName\"}],\"tableName\":\"imp\"}}}";

    decode(restore, strlen(restore), 0, JF_REQ_TARGET_TABLE, &g);
    CHECKF(strcmp(g.field, "made") == 0, "%s", g.field);
    decode(import, strlen(import), 0, JF_REQ_TARGET_TABLE, &g);
    CHECKF(strcmp(g.field, "imp") == 0, "%s", g.field);
    decode(import, strlen(import), 0, JF_REQ_TABLE_NAME, &g);
    CHECK(g.field_len == (size_t)-1); /* nested tableName is not the request's */
}

static void deep_nesting(void)
{
    /* 200 levels inside requestParameters: the record is rejected, the next one kept */
    char *s = malloc(4096);
    size_t n = 0;
    int i;
    struct got g;

    n += (size_t)sprintf(s, "{\"eventID\":\"d\",\"eventTime\":\"t\",\"requestParameters\":");
    for (i = 0; i < 200; i++)
        s[n++] = '[';
    for (i = 0; i < 200; i++)
        s[n++] = ']';
    n += (size_t)sprintf(s + n, "}\n" EV("ok"));
    decode(s, n, 0, -1, &g);
    CHECKF(g.events == 1 && g.rejects == 1 && strstr(g.reasons, "nested deeper"), "%s",
           g.reasons);
    free(s);
}

static void absurd_nesting(void)
{
    /* 100 000 levels: the stream stops with an error instead of growing */
    size_t n = 100000;
    char *s = malloc(n);
    struct got g;

    memset(s, '[', n);
    decode(s, n, 0, -1, &g);
    CHECK(g.fail != 0);
    CHECKF(strstr(g.err, "nested deeper than"), "%s", g.err);
    free(s);
}

static void invalid_utf8_capture(void)
{
    struct got g;
    const char *s = "{\"eventID\":\"e\",\"eventTime\":\"t\",\"requestParameters\":{\"k\":\"a\xff"
                    "b\"}}";

    decode(s, strlen(s), 0, JF_REQUEST_PARAMETERS, &g);
    CHECKF(strcmp(g.field, "{\"k\":\"a\xef\xbf\xbd" "b\"}") == 0, "%s", g.field);
}

const unit_test unit_decoder[] = {
    {"decoder_forms", forms},
    {"decoder_rejects", rejects},
    {"decoder_reasons", reasons},
    {"decoder_invalid_json", invalid_json},
    {"decoder_jsonl_resync", jsonl_resync},
    {"decoder_fields", fields},
    {"decoder_resources", resources},
    {"decoder_web_identity", web_identity},
    {"decoder_made_tables", made_tables},
    {"decoder_deep_nesting", deep_nesting},
    {"decoder_absurd_nesting", absurd_nesting},
    {"decoder_invalid_utf8_capture", invalid_utf8_capture},
    {NULL, NULL},
};
