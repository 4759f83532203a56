/*
 * decoder: streaming CloudTrail event decoder (see decoder.h).
 *
 * yajl calls back per token; we keep one frame per open container in a
 * fixed array. A frame knows its context (the event root, userIdentity,
 * resources[], requestParameters, ...) and, for maps, the definition of the
 * key whose value comes next, so each token is routed by a table lookup and
 * unneeded subtrees cost only a depth count. Three subtrees are also copied
 * out as compact JSON ("captures") while their interesting keys are picked.
 *
 * A record goes wrong in one of two ways. Record-level problems (a field of
 * the wrong type, a duplicate key, too deep, too big) mark the record and it
 * is rejected when it closes; decoding goes on. Stream-level problems
 * (invalid JSON, a single token bigger than the cap, absurd nesting) stop
 * the stream, except in JSON Lines input, which resumes at the next line.
 */
#include "decoder.h"
#include "buffer.h"
#include "escape.h"
#include "skim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#define DECODER_MAX_DEPTH 64           /* frames tracked; deeper records are rejected */
#define DECODER_MAX_ABS_DEPTH 10000    /* nesting that stops the stream (yajl's stack) */
#define DECODER_MAX_FIELDS (1u << 20)  /* scalar field bytes per record */
#define DECODER_MAX_CAPTURE (2u << 20) /* bytes per captured JSON subtree */
#define DECODER_MAX_TOKEN (8u << 20)   /* input bytes without a token: stop */
#define DECODER_SLICE (64u * 1024)     /* bytes handed to yajl per call */
#define DECODER_GUESS 4096             /* bytes of a record searched for eventSource/Name */
/* records looked at before skimming stops in a stream that skims fewer than half:
 * there the walk of the few costs more than the many kept records' scan saves */
#define DECODER_SKIM_TRIAL 512
/* the captured fields: JF_REQUEST_PARAMETERS .. JF_WEBID_ATTRIBUTES */
#define DECODER_NCAPTURE (JF_WEBID_ATTRIBUTES - JF_REQUEST_PARAMETERS + 1)

enum ctx {
    CTX_NONE,      /* nothing to pick here */
    CTX_TOPARR,    /* top-level array of events */
    CTX_RECORDS,   /* the Records array */
    CTX_EVENT,     /* an event object */
    CTX_UID,       /* userIdentity */
    CTX_SESS,      /* userIdentity.sessionContext */
    CTX_ATTR,      /* sessionContext.attributes */
    CTX_ISSUER,    /* sessionContext.sessionIssuer */
    CTX_WEBID,     /* sessionContext.webIdFederationData */
    CTX_RESOURCES, /* resources[] */
    CTX_RESOURCE,  /* one resources[] entry */
    CTX_REQ,       /* requestParameters */
    CTX_RESP,      /* responseElements */
    CTX_TD,        /* responseElements.tableDescription */
    CTX_TCP,       /* requestParameters.tableCreationParameters (ImportTable) */
    CTX_WRAPLIST,  /* Events[] / events[] / logEvents[] / QueryResultRows[] */
    CTX_LAKEROW,   /* one QueryResultRows[] row: an array of one-key objects */
    CTX_WRAPITEM,  /* one item holding an event as a JSON string */
    CTX_COUNT
};

enum kind {
    K_STR,     /* string field; other scalars or containers reject the record */
    K_BOOL,    /* boolean field, also accepted as a string */
    K_LOOSE,   /* string field inside a capture: other types are ignored */
    K_MAP,     /* object with its own context */
    K_ARR,     /* array with its own context */
    K_CAPTURE, /* any value, copied out as JSON */
    K_RECORDS, /* the Records key of a CloudTrail file */
    K_DETAIL,  /* the detail key of an EventBridge envelope */
    K_WRAP,    /* a list of items that carry events as strings (field: the DECODER_FORM_ bit) */
    K_EMBED,   /* an event as a JSON string */
    K_EMBED_ID, /* the item's id, named in rejects */
    K_MSGTYPE  /* CloudWatch messageType: CONTROL_MESSAGE items are not events */
};

struct keydef {
    const char *name;
    unsigned char len;   /* strlen(name), so matching is length + memcmp */
    unsigned char ctx;   /* context the key belongs to */
    unsigned char kind;
    signed char field;   /* enum decoder_field, or -1 */
    unsigned char child; /* context of the value for K_MAP/K_ARR/K_CAPTURE */
};

/* Everything ddbtrail picks out of an event. Keys are matched per context. */
static const struct keydef keydefs[] = {
    {"eventID", 7, CTX_EVENT, K_STR, JF_EVENT_ID, 0},
    {"eventTime", 9, CTX_EVENT, K_STR, JF_EVENT_TIME, 0},
    {"eventSource", 11, CTX_EVENT, K_STR, JF_EVENT_SOURCE, 0},
    {"eventName", 9, CTX_EVENT, K_STR, JF_EVENT_NAME, 0},
    {"eventType", 9, CTX_EVENT, K_STR, JF_EVENT_TYPE, 0},
    {"eventCategory", 13, CTX_EVENT, K_STR, JF_EVENT_CATEGORY, 0},
    {"managementEvent", 15, CTX_EVENT, K_BOOL, JF_MANAGEMENT_EVENT, 0},
    {"readOnly", 8, CTX_EVENT, K_BOOL, JF_READ_ONLY, 0},
    {"awsRegion", 9, CTX_EVENT, K_STR, JF_AWS_REGION, 0},
    {"sourceIPAddress", 15, CTX_EVENT, K_STR, JF_SOURCE_IP, 0},
    {"userAgent", 9, CTX_EVENT, K_STR, JF_USER_AGENT, 0},
    {"vpcEndpointId", 13, CTX_EVENT, K_STR, JF_VPC_ENDPOINT_ID, 0},
    {"vpcEndpointAccountId", 20, CTX_EVENT, K_STR, JF_VPCE_ACCOUNT_ID, 0},
    {"errorCode", 9, CTX_EVENT, K_STR, JF_ERROR_CODE, 0},
    {"errorMessage", 12, CTX_EVENT, K_STR, JF_ERROR_MESSAGE, 0},
    {"recipientAccountId", 18, CTX_EVENT, K_STR, JF_RECIPIENT_ACCOUNT_ID, 0},
    {"requestID", 9, CTX_EVENT, K_STR, JF_REQUEST_ID, 0},
    {"userIdentity", 12, CTX_EVENT, K_MAP, -1, CTX_UID},
    {"resources", 9, CTX_EVENT, K_ARR, -1, CTX_RESOURCES},
    {"requestParameters", 17, CTX_EVENT, K_CAPTURE, JF_REQUEST_PARAMETERS, CTX_REQ},
    {"responseElements", 16, CTX_EVENT, K_CAPTURE, JF_RESPONSE_ELEMENTS, CTX_RESP},
    {"additionalEventData", 19, CTX_EVENT, K_CAPTURE, JF_ADDITIONAL_EVENT_DATA, CTX_NONE},
    {"Records", 7, CTX_EVENT, K_RECORDS, -1, CTX_RECORDS},
    {"detail", 6, CTX_EVENT, K_DETAIL, -1, CTX_EVENT},
    {"Events", 6, CTX_EVENT, K_WRAP, DECODER_FORM_LOOKUP, CTX_WRAPLIST},
    {"events", 6, CTX_EVENT, K_WRAP, DECODER_FORM_CWL, CTX_WRAPLIST},
    {"logEvents", 9, CTX_EVENT, K_WRAP, DECODER_FORM_CWL, CTX_WRAPLIST},
    {"QueryResultRows", 15, CTX_EVENT, K_WRAP, DECODER_FORM_LAKE, CTX_WRAPLIST},
    {"messageType", 11, CTX_EVENT, K_MSGTYPE, -1, 0},
    {"CloudTrailEvent", 15, CTX_WRAPITEM, K_EMBED, -1, 0},
    {"message", 7, CTX_WRAPITEM, K_EMBED, -1, 0},
    {"eventJson", 9, CTX_WRAPITEM, K_EMBED, -1, 0},
    {"EventId", 7, CTX_WRAPITEM, K_EMBED_ID, -1, 0},
    {"eventId", 7, CTX_WRAPITEM, K_EMBED_ID, -1, 0},
    {"id", 2, CTX_WRAPITEM, K_EMBED_ID, -1, 0},
    {"type", 4, CTX_UID, K_STR, JF_UID_TYPE, 0},
    {"principalId", 11, CTX_UID, K_STR, JF_UID_PRINCIPAL_ID, 0},
    {"arn", 3, CTX_UID, K_STR, JF_UID_ARN, 0},
    {"accountId", 9, CTX_UID, K_STR, JF_UID_ACCOUNT_ID, 0},
    {"accessKeyId", 11, CTX_UID, K_STR, JF_UID_ACCESS_KEY_ID, 0},
    {"userName", 8, CTX_UID, K_STR, JF_UID_USER_NAME, 0},
    {"invokedBy", 9, CTX_UID, K_STR, JF_UID_INVOKED_BY, 0},
    {"sessionContext", 14, CTX_UID, K_MAP, -1, CTX_SESS},
    {"attributes", 10, CTX_SESS, K_MAP, -1, CTX_ATTR},
    {"sessionIssuer", 13, CTX_SESS, K_MAP, -1, CTX_ISSUER},
    {"mfaAuthenticated", 16, CTX_ATTR, K_BOOL, JF_MFA_AUTHENTICATED, 0},
    {"arn", 3, CTX_ISSUER, K_STR, JF_ISSUER_ARN, 0},
    {"userName", 8, CTX_ISSUER, K_STR, JF_ISSUER_USER_NAME, 0},
    {"webIdFederationData", 19, CTX_SESS, K_MAP, -1, CTX_WEBID},
    {"federatedProvider", 17, CTX_WEBID, K_STR, JF_WEBID_PROVIDER, 0},
    {"attributes", 10, CTX_WEBID, K_CAPTURE, JF_WEBID_ATTRIBUTES, CTX_NONE},
    {"identityProvider", 16, CTX_UID, K_STR, JF_UID_IDENTITY_PROVIDER, 0},
    {"ARN", 3, CTX_RESOURCE, K_LOOSE, JF_RESOURCE_ARN_TMP, 0},
    {"type", 4, CTX_RESOURCE, K_LOOSE, JF_RESOURCE_TYPE_TMP, 0},
    {"tableName", 9, CTX_REQ, K_LOOSE, JF_REQ_TABLE_NAME, 0},
    {"tableArn", 8, CTX_REQ, K_LOOSE, JF_REQ_TABLE_ARN, 0},
    {"resourceArn", 11, CTX_REQ, K_LOOSE, JF_REQ_RESOURCE_ARN, 0},
    {"statement", 9, CTX_REQ, K_LOOSE, JF_REQ_STATEMENT, 0},
    {"backupArn", 9, CTX_REQ, K_LOOSE, JF_REQ_BACKUP_ARN, 0},
    {"streamArn", 9, CTX_REQ, K_LOOSE, JF_REQ_STREAM_ARN, 0},
    {"shardIterator", 13, CTX_REQ, K_LOOSE, JF_REQ_SHARD_ITERATOR, 0},
    {"targetTableName", 15, CTX_REQ, K_LOOSE, JF_REQ_TARGET_TABLE, 0},
    {"tableCreationParameters", 23, CTX_REQ, K_MAP, -1, CTX_TCP},
    {"tableName", 9, CTX_TCP, K_LOOSE, JF_REQ_TARGET_TABLE, 0},
    {"tableDescription", 16, CTX_RESP, K_MAP, -1, CTX_TD},
    {"tableName", 9, CTX_TD, K_LOOSE, JF_RESP_TABLE_NAME, 0},
    {"tableArn", 8, CTX_TD, K_LOOSE, JF_RESP_TABLE_ARN, 0},
};

#define KEY_MAX_LEN 23 /* the longest name above, tableCreationParameters */
_Static_assert(sizeof keydefs / sizeof keydefs[0] < 255, "keydef indexes are bytes");
_Static_assert(JF_COUNT <= 64, "fields present are bits of a uint64_t");
_Static_assert(JF_COUNT <= SKIM_MAX_FIELDS && CTX_COUNT <= 32, "the skimmer's schema holds them");

/* Field names for messages, indexed by enum decoder_field. */
static const char *const field_names[JF_COUNT] = {"eventID",
                                                  "eventTime",
                                                  "eventSource",
                                                  "eventName",
                                                  "eventType",
                                                  "eventCategory",
                                                  "managementEvent",
                                                  "readOnly",
                                                  "awsRegion",
                                                  "sourceIPAddress",
                                                  "userAgent",
                                                  "vpcEndpointId",
                                                  "vpcEndpointAccountId",
                                                  "errorCode",
                                                  "errorMessage",
                                                  "recipientAccountId",
                                                  "requestID",
                                                  "userIdentity.type",
                                                  "userIdentity.principalId",
                                                  "userIdentity.arn",
                                                  "userIdentity.accountId",
                                                  "userIdentity.accessKeyId",
                                                  "userIdentity.userName",
                                                  "userIdentity.invokedBy",
                                                  "sessionContext.attributes.mfaAuthenticated",
                                                  "sessionIssuer.arn",
                                                  "sessionIssuer.userName",
                                                  "webIdFederationData.federatedProvider",
                                                  "userIdentity.identityProvider",
                                                  "requestParameters.tableName",
                                                  "requestParameters.tableArn",
                                                  "requestParameters.resourceArn",
                                                  "requestParameters.statement",
                                                  "requestParameters.backupArn",
                                                  "requestParameters.streamArn",
                                                  "requestParameters.shardIterator",
                                                  "requestParameters.targetTableName",
                                                  "tableDescription.tableName",
                                                  "tableDescription.tableArn",
                                                  "resources",
                                                  "requestParameters",
                                                  "responseElements",
                                                  "additionalEventData",
                                                  "webIdFederationData.attributes",
                                                  "resources.ARN",
                                                  "resources.type"};

struct frame {
    unsigned char ctx;        /* enum ctx */
    unsigned char is_map;     /* object, else array */
    unsigned char is_root;    /* this object is an event */
    const struct keydef *key; /* maps: definition of the current key, or NULL */
    uint32_t items;           /* members written so far, for commas in captures */
};

struct decoder {
    yajl_handle h;             /* tokenizer; replaced when JSON Lines resynchronise */
    decoder_event_fn on_event;     /* borrowed callbacks */
    decoder_reject_fn on_reject;
    void *ctx;
    struct frame frames[DECODER_MAX_DEPTH]; /* frames[d-1] is the container at depth d */
    int depth;                 /* open containers */
    int excess;                /* open containers beyond the frame array */
    int root_depth;            /* depth of the open event object, 0 if none */
    int top_container;         /* the open top-level object held Records or detail */
    int top_is_array;          /* the open top-level value is an array */
    uint64_t values;           /* top-level values completed */
    unsigned forms;            /* DECODER_FORM_* seen */
    int cap_field;             /* field being captured, or -1 */
    int cap_depth;             /* depth of the captured container */
    buffer capture[DECODER_NCAPTURE]; /* the captured subtrees */
    buffer arena;                /* scalar field bytes of the current record */
    size_t off[JF_COUNT];      /* field offsets into arena (or capture) */
    size_t flen[JF_COUNT];     /* field lengths */
    uint64_t have;             /* bit per field present */
    char reason[192];          /* why the current record is rejected, "" if not */
    uint64_t ev_offset;        /* offset of the current record's '{' */
    uint64_t fed;              /* bytes passed to yajl before the current slice */
    uint64_t tok_end;          /* offset just after the last token */
    int any_token;             /* yajl has produced at least one token */
    int saw_text;              /* input had something besides whitespace */
    int skip_line;             /* resynchronising: drop bytes up to the next '\n' */
    int lines;                 /* decoder_set_lines(): the input is line-delimited, whatever
                                  its first lines look like (a live feed) */
    uint64_t top_start;        /* offset of the open top-level value's first byte */
    int nl_in_value;           /* a line ended inside the open top-level value */
    int multiline;             /* some top-level value spanned lines: not JSON Lines */
    uint64_t oneline;          /* top-level values that began and ended on one line */
    char fatal[192];           /* why we cancelled yajl, "" if we did not */
    const char *unit;          /* how offsets are named in messages */
    decoder_keep_fn keep;          /* optional: is an event of this source and name wanted? */
    signed char wanted;        /* keep()'s answer for the open record, -1 until asked */
    void *keep_ctx;
    int nested;                /* decodes an embedded event: no wrappers inside */
    int control;               /* CloudWatch CONTROL_MESSAGE: its items are not events */
    char item_id[80];          /* id of the wrapped item being read ("" if none yet) */
    int cb_failed;             /* a user callback asked to stop; message in cb_err */
    char cb_err[256];
    /* keydefs by context and length, so a key is compared only with the names its
     * object can have that are as long as it (every key of every record comes here):
     * chains of keydef index + 1, 0 ending them */
    unsigned char first[CTX_COUNT][KEY_MAX_LEN + 1];
    unsigned char next[sizeof keydefs / sizeof keydefs[0]];
    /* skimming (skim.h): the lexical state after every byte fed to yajl, the
     * depth of the array whose elements are skimmed, and keydefs as the
     * skimmer's schema */
    int skim;                  /* 1 while skimming may happen */
    skim_lex lx;
    uint32_t skim_at;          /* depth of the records array, 0 when outside one */
    int skim_pending;          /* the "{}" yajl is reading stands for the record in sf */
    uint64_t skimmed;
    uint64_t skim_seen;        /* records looked at */
    skim_fields sf;
    skim_schema sc;
    skim_key skeys[sizeof keydefs / sizeof keydefs[0]];
};

static uint64_t decoder_pos(const decoder *j)
{
    return j->fed + (j->h ? yajl_get_bytes_consumed(j->h) : 0);
}

static struct frame *parent(decoder *j)
{
    if (j->depth == 0 || j->excess > 0)
        return NULL;
    return &j->frames[j->depth - 1];
}

static int capture_index(int field)
{
    return field - JF_REQUEST_PARAMETERS;
}

static int emit_reject(decoder *j, uint64_t offset, const char *reason)
{
    if (j->on_reject(j->ctx, offset, reason, j->cb_err, sizeof j->cb_err) != 0) {
        j->cb_failed = 1;
        return 0;
    }
    return 1;
}

/* Marks the open record as rejected (first reason wins), or, outside any
 * record, rejects the value at once. Returns the yajl continue flag. */
static int reject(decoder *j, const char *reason)
{
    if (j->root_depth > 0) {
        if (j->reason[0] == '\0')
            snprintf(j->reason, sizeof j->reason, "%s", reason);
        j->cap_field = -1;
        return 1;
    }
    return emit_reject(j, decoder_pos(j), reason);
}

static int reject_type(decoder *j, int field, const char *got, const char *want)
{
    char msg[160];

    snprintf(msg, sizeof msg, "%s is %s, expected %s", field >= 0 ? field_names[field] : "value",
             got, want);
    return reject(j, msg);
}

static int set_field(decoder *j, int field, const char *s, size_t len)
{
    size_t off;

    if (j->reason[0])
        return 1;
    if (j->have & (1ull << field) && field < JF_RESOURCE_ARN_TMP &&
        field != JF_RESOURCE_TABLE_ARN) {
        char msg[160];
        snprintf(msg, sizeof msg, "duplicate key %s", field_names[field]);
        return reject(j, msg);
    }
    off = j->arena.len;
    if (buffer_add(&j->arena, s, len) != 0 || buffer_addc(&j->arena, '\0') != 0)
        return reject(j, "record larger than the 1 MiB field limit");
    j->off[field] = off;
    j->flen[field] = len;
    j->have |= 1ull << field;
    return 1;
}

/* Appends s as a JSON string body. Invalid UTF-8 becomes U+FFFD so that the
 * stored text is always valid JSON (the scalar columns keep raw bytes). */
static int json_escape(buffer *b, const unsigned char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, run = 0;
    int rc = 0;

    while (i < len && rc == 0) {
        unsigned char c = s[i];
        size_t n = 0;

        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            run++;
            continue;
        }
        rc |= buffer_add(b, s + i - run, run);
        run = 0;
        if (c < 0x80) {
            char e[6] = {'\\', 0, 0, 0, 0, 0};
            switch (c) {
            case '"': e[1] = '"'; n = 2; break;
            case '\\': e[1] = '\\'; n = 2; break;
            case '\n': e[1] = 'n'; n = 2; break;
            case '\r': e[1] = 'r'; n = 2; break;
            case '\t': e[1] = 't'; n = 2; break;
            default:
                e[1] = 'u'; e[2] = '0'; e[3] = '0';
                e[4] = hex[c >> 4]; e[5] = hex[c & 15];
                n = 6;
            }
            rc |= buffer_add(b, e, n);
            i++;
            continue;
        }
        n = escape_utf8_len(s + i, len - i);
        if (n > 0) {
            rc |= buffer_add(b, s + i, n);
            i += n;
            continue;
        }
        rc |= buffer_add(b, "\xef\xbf\xbd", 3);
        i++;
    }
    rc |= buffer_add(b, s + i - run, run);
    return rc;
}

static buffer *cap_buf(decoder *j)
{
    return &j->capture[capture_index(j->cap_field)];
}

/* Writes the separator owed before a value in an array inside a capture. */
static void cap_sep(decoder *j, struct frame *p)
{
    if (j->cap_field < 0 || p == NULL || p->is_map || j->depth < j->cap_depth)
        return;
    if (p->items++ > 0 && buffer_addc(cap_buf(j), ',') != 0)
        reject(j, "captured JSON larger than the 2 MiB limit");
}

static void cap_write(decoder *j, const char *s, size_t len, int quoted)
{
    buffer *b;
    int rc;

    if (j->cap_field < 0)
        return;
    b = cap_buf(j);
    if (quoted)
        rc = buffer_addc(b, '"') | json_escape(b, (const unsigned char *)s, len) |
             buffer_addc(b, '"');
    else
        rc = buffer_add(b, s, len);
    if (rc != 0)
        reject(j, "captured JSON larger than the 2 MiB limit");
}

/* 1 when the caller has said it will drop this event anyway, so copying
 * its subtrees out would be wasted work. Only decidable when eventSource
 * and eventName came first, as they do in CloudTrail's own files; asked
 * once per record, not once per subtree. */
static int unwanted(decoder *j)
{
    const uint64_t both = (1ull << JF_EVENT_SOURCE) | (1ull << JF_EVENT_NAME);

    if (j->keep == NULL || (j->have & both) != both)
        return 0;
    if (j->wanted < 0)
        j->wanted = j->keep(j->keep_ctx, j->arena.p + j->off[JF_EVENT_SOURCE],
                            j->flen[JF_EVENT_SOURCE], j->arena.p + j->off[JF_EVENT_NAME],
                            j->flen[JF_EVENT_NAME]) != 0;
    return !j->wanted;
}

static void cap_begin(decoder *j, int field, int depth)
{
    char msg[160];

    if (j->reason[0] || j->root_depth == 0 || unwanted(j))
        return;
    if (j->have & (1ull << field)) {
        snprintf(msg, sizeof msg, "duplicate key %s", field_names[field]);
        reject(j, msg);
        return;
    }
    j->cap_field = field;
    j->cap_depth = depth;
    buffer_reset(cap_buf(j));
}

static void cap_end(decoder *j)
{
    buffer *b = cap_buf(j);

    j->off[j->cap_field] = 0;
    j->flen[j->cap_field] = b->len;
    j->have |= 1ull << j->cap_field;
    j->cap_field = -1;
}

static void begin_event(decoder *j)
{
    j->root_depth = j->depth + 1;
    j->have = 0;
    j->wanted = -1;
    j->reason[0] = '\0';
    j->cap_field = -1;
    buffer_reset(&j->arena);
    j->ev_offset = decoder_pos(j) - 1;
}

/* The fields a skimmed record is delivered with, as yajl would have decoded
 * them: skimmable() lets no escape through in any of them. The first four it
 * must have (keep() reads the service and name; ingest needs id and time). */
#define SKIM_NEED                                                                       \
    ((1ull << JF_EVENT_ID) | (1ull << JF_EVENT_TIME) | (1ull << JF_EVENT_SOURCE) |        \
     (1ull << JF_EVENT_NAME))
#define SKIM_KEPT (SKIM_NEED | (1ull << JF_RECIPIENT_ACCOUNT_ID))

static void skim_fill(decoder *j)
{
    uint64_t m = SKIM_KEPT & j->sf.have;
    int f;

    for (f = 0; f < JF_COUNT && m >> f != 0; f++)
        if ((m >> f) & 1)
            set_field(j, f, (const char *)j->sf.v[f], j->sf.len[f]);
}

static int end_event(decoder *j)
{
    decoder_event ev;
    int f;

    j->root_depth = 0;
    j->cap_field = -1;
    if (j->skim_pending)
        skim_fill(j);
    if (j->reason[0] == '\0') {
        uint64_t known = (1ull << JF_EVENT_ID) | (1ull << JF_EVENT_TIME) |
                         (1ull << JF_EVENT_SOURCE) | (1ull << JF_EVENT_NAME);
        if (!(j->have & known))
            snprintf(j->reason, sizeof j->reason,
                     "not a CloudTrail record (no eventID, eventTime or eventName)");
        else if (!(j->have & (1ull << JF_EVENT_ID)))
            snprintf(j->reason, sizeof j->reason, "missing eventID");
        else if (!(j->have & (1ull << JF_EVENT_TIME)))
            snprintf(j->reason, sizeof j->reason, "missing eventTime");
    }
    if (j->reason[0])
        return emit_reject(j, j->ev_offset, j->reason);
    for (f = 0; f < JF_COUNT; f++) {
        if (!(j->have & (1ull << f)) || f >= JF_RESOURCE_ARN_TMP) {
            ev.v[f] = NULL;
            ev.len[f] = 0;
        } else if (f >= JF_REQUEST_PARAMETERS) {
            ev.v[f] = j->capture[capture_index(f)].p;
            ev.len[f] = j->flen[f];
        } else {
            ev.v[f] = j->arena.p + j->off[f];
            ev.len[f] = j->flen[f];
        }
    }
    ev.offset = j->ev_offset;
    if (j->on_event(j->ctx, &ev, j->cb_err, sizeof j->cb_err) != 0) {
        j->cb_failed = 1;
        return 0;
    }
    return 1;
}

/* A top-level value just closed (scalar or container). */
static void end_top_value(decoder *j)
{
    j->values++;
    j->top_container = 0;
    j->top_is_array = 0;
    if (j->nl_in_value)
        j->multiline = 1;
    else
        j->oneline++;
    j->nl_in_value = 0;
}

/* ---- events embedded as JSON strings -------------------------------------- */

/* The embedding decoder is the child's callback context: events go to the
 * parent's callbacks as they are, rejects with the string's offset and the
 * item's id, since offsets inside the string mean nothing to the user. */
static int child_event(void *ctx, const decoder_event *ev, char *err, size_t errlen)
{
    decoder *j = ctx;
    decoder_event copy = *ev;

    copy.offset = j->ev_offset;
    return j->on_event(j->ctx, &copy, err, errlen);
}

static int child_reject(void *ctx, uint64_t offset, const char *reason, char *err,
                        size_t errlen)
{
    decoder *j = ctx;
    char msg[400];

    (void)offset;
    snprintf(msg, sizeof msg, "embedded event%s%s%s: %s", j->item_id[0] ? " (id " : "",
             j->item_id, j->item_id[0] ? ")" : "", reason);
    return j->on_reject(j->ctx, j->ev_offset, msg, err, errlen);
}

/* Decodes one event given as a JSON string with a decoder of its own (same
 * caps; no wrappers inside). Returns the yajl continue flag. */
/* The pre-pass of embedded(): callbacks that only look. */
static int look_event(void *ctx, const decoder_event *ev, char *err, size_t errlen)
{
    (void)ctx;
    (void)ev;
    (void)err;
    (void)errlen;
    return 0;
}

static int look_reject(void *ctx, uint64_t offset, const char *reason, char *err, size_t errlen)
{
    (void)ctx;
    (void)offset;
    (void)reason;
    (void)err;
    (void)errlen;
    return 0;
}

/* 1 when the string holds more than one bare event: a Records wrapper, an
 * array, or values one after the other. A lookup-events item is one event,
 * so such an item is refused whole, before any of it is delivered (a
 * crafted item must not bring a hundred events with one EventId). */
static int embeds_many(const char *s, size_t len, const char **what)
{
    decoder *c = decoder_new(look_event, look_reject, NULL);
    char err[300];
    int many = 0;

    if (c == NULL)
        return 0; /* the real pass says out of memory */
    c->nested = 1;
    if (decoder_feed(c, s, len, err, sizeof err) == 0 && decoder_finish(c, err, sizeof err) == 0) {
        if (c->forms & DECODER_FORM_RECORDS)
            *what = "a Records wrapper";
        else if (c->top_is_array || (c->forms & DECODER_FORM_ARRAY))
            *what = "an array";
        else if (c->values > 1)
            *what = "several JSON values";
        many = *what != NULL;
    }
    decoder_free(c);
    return many;
}

static int embedded(decoder *j, const char *s, size_t len)
{
    char err[300];
    const char *what = NULL;
    decoder *c;
    int rc;

    if (j->control)
        return 1; /* CloudWatch health checks, not events */
    j->ev_offset = decoder_pos(j) - len; /* about where the string began */
    if (embeds_many(s, len, &what)) {
        char why[160];
        snprintf(why, sizeof why, "holds %s, where one event belongs; the item is not read",
                 what);
        if (child_reject(j, 0, why, NULL, 0) != 0) {
            snprintf(j->cb_err, sizeof j->cb_err, "ingest stopped");
            j->cb_failed = 1;
            return 0;
        }
        return 1;
    }
    c = decoder_new(child_event, child_reject, j);
    if (c == NULL) {
        snprintf(j->fatal, sizeof j->fatal, "out of memory");
        return 0;
    }
    c->nested = 1;
    c->unit = j->unit;
    decoder_set_keep(c, j->keep, j->keep_ctx);
    rc = decoder_feed(c, s, len, err, sizeof err) == 0 ? decoder_finish(c, err, sizeof err) : -1;
    if (c->cb_failed) {
        snprintf(j->cb_err, sizeof j->cb_err, "%s", c->cb_err);
        j->cb_failed = 1;
        decoder_free(c);
        return 0;
    }
    if (rc != 0) {
        /* the child's own offset is inside the string: drop it */
        char *at = strrchr(err, '(');
        if (at && at > err && strstr(at, "byte ") != NULL)
            at[-1] = '\0';
        rc = child_reject(j, 0, err, NULL, 0) == 0;
    } else if (c->values == 0) {
        rc = child_reject(j, 0, "empty string, not an event", NULL, 0) == 0;
    } else {
        rc = 1;
    }
    if (!rc) {
        snprintf(j->cb_err, sizeof j->cb_err, "ingest stopped");
        j->cb_failed = 1;
    }
    decoder_free(c);
    return rc;
}

enum tok { T_NULL, T_BOOL, T_NUMBER, T_STRING };

static const char *tok_noun(enum tok t)
{
    return t == T_BOOL ? "a boolean" : t == T_NUMBER ? "a number" : "a string";
}

static int on_scalar(decoder *j, enum tok t, const char *s, size_t len)
{
    struct frame *p;
    const struct keydef *kd;

    j->tok_end = decoder_pos(j);
    j->any_token = 1;
    if (j->depth == 0) {
        end_top_value(j);
        return emit_reject(j, decoder_pos(j) - len, "top-level value is not an object");
    }
    p = parent(j);
    if (p == NULL)
        return 1;
    if (j->cap_field >= 0) {
        cap_sep(j, p);
        cap_write(j, s, len, t == T_STRING);
    }
    if (!p->is_map) {
        if ((p->ctx == CTX_RECORDS || p->ctx == CTX_TOPARR))
            return emit_reject(j, decoder_pos(j) - len, "record is not an object");
        return 1;
    }
    kd = p->key;
    if (kd == NULL || (j->root_depth == 0 && kd->kind != K_RECORDS && kd->kind != K_EMBED &&
                       kd->kind != K_EMBED_ID))
        return 1;
    switch (kd->kind) {
    case K_EMBED:
        return t == T_STRING ? embedded(j, s, len) : 1;
    case K_EMBED_ID:
        if (t == T_STRING || t == T_NUMBER)
            snprintf(j->item_id, sizeof j->item_id, "%.*s", (int)(len < 64 ? len : 64), s);
        return 1;
    case K_MSGTYPE:
        if (t == T_STRING && j->depth == 1)
            j->control = len == 15 && memcmp(s, "CONTROL_MESSAGE", 15) == 0;
        return 1;
    case K_STR:
        if (t == T_STRING)
            return set_field(j, kd->field, s, len);
        if (t != T_NULL)
            return reject_type(j, kd->field, tok_noun(t), "a string");
        return 1;
    case K_BOOL:
        if (t == T_STRING || t == T_BOOL)
            return set_field(j, kd->field, s, len);
        if (t != T_NULL)
            return reject_type(j, kd->field, tok_noun(t), "a boolean");
        return 1;
    case K_LOOSE:
        if (t == T_STRING)
            return set_field(j, kd->field, s, len);
        return 1;
    case K_MAP:
    case K_ARR:
        if (t != T_NULL) {
            char msg[160];
            snprintf(msg, sizeof msg, "%s is %s, expected %s", kd->name, tok_noun(t),
                     kd->kind == K_MAP ? "an object" : "an array");
            return reject(j, msg);
        }
        return 1;
    case K_CAPTURE:
        if (t != T_NULL && j->root_depth > 0) {
            cap_begin(j, kd->field, j->depth + 1);
            cap_write(j, s, len, t == T_STRING);
            if (j->cap_field >= 0)
                cap_end(j);
        }
        return 1;
    case K_RECORDS:
        if (j->depth == 1) {
            j->top_container = 1;
            return emit_reject(j, decoder_pos(j) - len, "Records is not an array");
        }
        return 1;
    default:
        return 1;
    }
}

static int cb_null(void *ctx)
{
    return on_scalar(ctx, T_NULL, "null", 4);
}

static int cb_boolean(void *ctx, int b)
{
    return on_scalar(ctx, T_BOOL, b ? "true" : "false", b ? 4 : 5);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
    return on_scalar(ctx, T_NUMBER, s, len);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    return on_scalar(ctx, T_STRING, (const char *)s, len);
}

/* Decides the context of a container opening under frame p. Long: it is the state
 * machine's transition table for containers, written out case by case. */
static unsigned char child_ctx(decoder *j, struct frame *p, int is_map, int *is_root)
{
    const struct keydef *kd;

    *is_root = 0;
    if (p == NULL) {
        if (j->depth > 0)
            return CTX_NONE; /* below the tracked depth */
        if (is_map) {
            *is_root = 1;
            return CTX_EVENT;
        }
        j->top_is_array = 1;
        j->forms |= DECODER_FORM_ARRAY;
        return CTX_TOPARR;
    }
    if (!p->is_map) {
        if (p->ctx == CTX_RECORDS || p->ctx == CTX_TOPARR) {
            if (is_map) {
                *is_root = 1;
                return CTX_EVENT;
            }
            emit_reject(j, decoder_pos(j) - 1, "record is not an object");
            return CTX_NONE;
        }
        if (p->ctx == CTX_RESOURCES && is_map)
            return CTX_RESOURCE;
        if ((p->ctx == CTX_WRAPLIST || p->ctx == CTX_LAKEROW) && is_map) {
            j->item_id[0] = '\0';
            return CTX_WRAPITEM;
        }
        if (p->ctx == CTX_WRAPLIST && !is_map)
            return CTX_LAKEROW;
        return CTX_NONE;
    }
    kd = p->key;
    if (kd == NULL || (j->root_depth == 0 && kd->kind != K_RECORDS && kd->kind != K_DETAIL))
        return CTX_NONE;
    switch (kd->kind) {
    case K_STR:
    case K_BOOL:
        reject_type(j, kd->field, is_map ? "an object" : "an array",
                    kd->kind == K_STR ? "a string" : "a boolean");
        return CTX_NONE;
    case K_MAP:
    case K_ARR:
        if (is_map == (kd->kind == K_MAP))
            return kd->child;
        {
            char msg[160];
            snprintf(msg, sizeof msg, "%s is %s, expected %s", kd->name,
                     is_map ? "an object" : "an array", is_map ? "an array" : "an object");
            reject(j, msg);
        }
        return CTX_NONE;
    case K_CAPTURE:
        return kd->child;
    case K_RECORDS:
        if (j->depth != 1)
            return CTX_NONE;
        j->top_container = 1;
        if (!is_map) {
            j->forms |= DECODER_FORM_RECORDS;
            return CTX_RECORDS;
        }
        emit_reject(j, decoder_pos(j) - 1, "Records is not an array");
        return CTX_NONE;
    case K_WRAP:
        /* not inside an embedded event, and only as the top-level object's list */
        if (j->depth != 1 || is_map || j->nested)
            return CTX_NONE;
        j->top_container = 1;
        j->root_depth = 0; /* the wrapper is no event */
        j->forms |= (unsigned)kd->field;
        return kd->child;
    case K_DETAIL:
        if (j->depth != 1 || !is_map)
            return CTX_NONE;
        j->top_container = 1;
        j->forms |= DECODER_FORM_EVENTBRIDGE;
        *is_root = 1;
        return CTX_EVENT;
    default:
        return CTX_NONE;
    }
}

static int on_open(decoder *j, int is_map)
{
    struct frame *p = parent(j), *f;
    unsigned char ctx;
    int is_root, starts_capture;

    j->tok_end = decoder_pos(j);
    j->any_token = 1;
    if (j->depth == 0)
        j->top_start = decoder_pos(j) - 1;
    if (j->depth + 1 > DECODER_MAX_ABS_DEPTH) {
        snprintf(j->fatal, sizeof j->fatal, "JSON nested deeper than %d levels",
                 DECODER_MAX_ABS_DEPTH);
        return 0;
    }
    if (j->cap_field >= 0) {
        cap_sep(j, p);
        cap_write(j, is_map ? "{" : "[", 1, 0);
    }
    starts_capture = p && p->is_map && p->key && p->key->kind == K_CAPTURE;
    ctx = child_ctx(j, p, is_map, &is_root);
    if (j->cb_failed)
        return 0;
    if (is_root)
        begin_event(j);
    if (starts_capture && j->root_depth > 0) {
        cap_begin(j, p->key->field, j->depth + 1);
        cap_write(j, is_map ? "{" : "[", 1, 0);
    }
    if (j->depth >= DECODER_MAX_DEPTH || j->excess > 0) {
        j->excess++;
        j->depth++;
        /* outside a record the enclosing value has been rejected already */
        if (j->excess == 1 && j->root_depth > 0)
            return reject(j, "nested deeper than 64 levels");
        return 1;
    }
    f = &j->frames[j->depth];
    f->ctx = ctx;
    f->is_map = (unsigned char)is_map;
    f->is_root = (unsigned char)is_root;
    f->key = NULL;
    f->items = 0;
    j->depth++;
    if (ctx == CTX_RESOURCE)
        j->have &= ~((1ull << JF_RESOURCE_ARN_TMP) | (1ull << JF_RESOURCE_TYPE_TMP));
    return 1;
}

static int has_sub(const char *s, size_t len, const char *sub)
{
    size_t n = strlen(sub), i;

    for (i = 0; i + n <= len; i++)
        if (memcmp(s + i, sub, n) == 0)
            return 1;
    return 0;
}

/* A resources[] entry closed: keep the first one naming a DynamoDB table. */
static void end_resource(decoder *j)
{
    const char *arn, *type;

    if (!(j->have & (1ull << JF_RESOURCE_ARN_TMP)) || (j->have & (1ull << JF_RESOURCE_TABLE_ARN)))
        return;
    arn = j->arena.p + j->off[JF_RESOURCE_ARN_TMP];
    type = (j->have & (1ull << JF_RESOURCE_TYPE_TMP)) ? j->arena.p + j->off[JF_RESOURCE_TYPE_TMP]
                                                       : "";
    if (strcmp(type, "AWS::DynamoDB::Table") == 0 ||
        (has_sub(arn, j->flen[JF_RESOURCE_ARN_TMP], ":dynamodb:") &&
         has_sub(arn, j->flen[JF_RESOURCE_ARN_TMP], ":table/"))) {
        j->off[JF_RESOURCE_TABLE_ARN] = j->off[JF_RESOURCE_ARN_TMP];
        j->flen[JF_RESOURCE_TABLE_ARN] = j->flen[JF_RESOURCE_ARN_TMP];
        j->have |= 1ull << JF_RESOURCE_TABLE_ARN;
    }
}

static int on_close(decoder *j, int is_map)
{
    struct frame *f;
    int rc = 1;

    j->tok_end = decoder_pos(j);
    if (j->cap_field >= 0) {
        cap_write(j, is_map ? "}" : "]", 1, 0);
        if (j->cap_field >= 0 && j->depth == j->cap_depth)
            cap_end(j);
    }
    if (j->excess > 0) {
        j->excess--;
        j->depth--;
        return 1;
    }
    f = &j->frames[j->depth - 1];
    if (f->ctx == CTX_RESOURCE && j->reason[0] == '\0')
        end_resource(j);
    if (f->is_root && j->depth == j->root_depth) {
        if (j->depth == 1 && j->top_container) {
            j->root_depth = 0;
        } else {
            if (j->depth == 1)
                j->forms |= DECODER_FORM_EVENT;
            rc = end_event(j);
        }
    }
    j->depth--;
    if (j->depth == 0)
        end_top_value(j);
    return rc;
}

static int cb_start_map(void *ctx)
{
    return on_open(ctx, 1);
}

static int cb_end_map(void *ctx)
{
    return on_close(ctx, 1);
}

static int cb_start_array(void *ctx)
{
    return on_open(ctx, 0);
}

static int cb_end_array(void *ctx)
{
    return on_close(ctx, 0);
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
    decoder *j = ctx;
    struct frame *p = parent(j);
    size_t i;

    j->tok_end = decoder_pos(j);
    if (p == NULL)
        return 1;
    if (j->cap_field >= 0) {
        if (p->items++ > 0)
            cap_write(j, ",", 1, 0);
        cap_write(j, (const char *)s, len, 1);
        cap_write(j, ":", 1, 0);
    }
    p->key = NULL;
    if (p->ctx == CTX_NONE)
        return 1;
    if (len > KEY_MAX_LEN)
        return 1;
    for (i = j->first[p->ctx][len]; i; i = j->next[i - 1]) {
        if (memcmp(keydefs[i - 1].name, s, len) == 0) {
            p->key = &keydefs[i - 1];
            break;
        }
    }
    return 1;
}

static const yajl_callbacks callbacks = {
    cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
    cb_start_map, cb_map_key, cb_end_map, cb_start_array, cb_end_array,
};

static int decoder_open_parser(decoder *j)
{
    j->h = yajl_alloc(&callbacks, NULL, j);
    if (j->h == NULL)
        return -1;
    yajl_config(j->h, yajl_allow_multiple_values, 1);
    yajl_config(j->h, yajl_dont_validate_strings, 1);
    return 0;
}

static const skim_key *skim_lookup(const void *arg, unsigned ctx, const char *key, size_t len)
{
    const decoder *j = arg;
    size_t i;

    if (ctx >= CTX_COUNT || len > KEY_MAX_LEN)
        return NULL;
    for (i = j->first[ctx][len]; i; i = j->next[i - 1])
        if (memcmp(keydefs[i - 1].name, key, len) == 0)
            return &j->skeys[i - 1];
    return NULL;
}

/* keydefs as the skimmer's schema: each kind says which values the decoder
 * takes without a reject. The kinds that make a record something else than
 * an event (Records, detail, wrappers) are not vouched for. */
static void skim_schema_init(decoder *j)
{
    size_t k;

    for (k = 0; k < sizeof keydefs / sizeof keydefs[0]; k++) {
        const struct keydef *kd = &keydefs[k];
        skim_key *sk = &j->skeys[k];
        /* set_field() lets these repeat: they are per resources[] entry */
        int repeats = kd->field >= JF_RESOURCE_ARN_TMP || kd->field == JF_RESOURCE_TABLE_ARN;

        sk->child = kd->child;
        sk->field = (signed char)(repeats ? -1 : kd->field);
        switch (kd->kind) {
        case K_STR:
            sk->kind = SKIM_STR;
            break;
        case K_BOOL:
            sk->kind = SKIM_BOOL;
            break;
        case K_LOOSE:
            sk->kind = SKIM_LOOSE;
            break;
        case K_MAP:
            sk->kind = SKIM_MAP;
            break;
        case K_ARR:
            sk->kind = SKIM_ARR;
            break;
        case K_CAPTURE:
            sk->kind = SKIM_CAPTURE;
            break;
        default:
            sk->kind = SKIM_BAIL;
            break;
        }
    }
    j->sc.lookup = skim_lookup;
    j->sc.arg = j;
    j->sc.root = CTX_EVENT;
    j->sc.elem[CTX_RESOURCES] = CTX_RESOURCE;
    j->skim = 1;
}

decoder *decoder_new(decoder_event_fn on_event, decoder_reject_fn on_reject, void *ctx)
{
    decoder *j = calloc(1, sizeof *j);
    size_t k;
    int i;

    if (j == NULL)
        return NULL;
    j->on_event = on_event;
    j->on_reject = on_reject;
    j->ctx = ctx;
    j->cap_field = -1;
    j->unit = "byte";
    for (k = sizeof keydefs / sizeof keydefs[0]; k-- > 0;) { /* chains in table order */
        const struct keydef *kd = &keydefs[k];
        if (kd->len > KEY_MAX_LEN) { /* a name added above without raising KEY_MAX_LEN */
            free(j);
            return NULL;
        }
        j->next[k] = j->first[kd->ctx][kd->len];
        j->first[kd->ctx][kd->len] = (unsigned char)(k + 1);
    }
    skim_schema_init(j);
    buffer_init(&j->arena, DECODER_MAX_FIELDS);
    for (i = 0; i < DECODER_NCAPTURE; i++)
        buffer_init(&j->capture[i], DECODER_MAX_CAPTURE);
    if (decoder_open_parser(j) != 0) {
        free(j);
        return NULL;
    }
    return j;
}

void decoder_free(decoder *j)
{
    int i;

    if (j == NULL)
        return;
    if (j->h)
        yajl_free(j->h);
    buffer_free(&j->arena);
    for (i = 0; i < DECODER_NCAPTURE; i++)
        buffer_free(&j->capture[i]);
    free(j);
}

void decoder_set_keep(decoder *j, decoder_keep_fn keep, void *ctx)
{
    j->keep = keep;
    j->keep_ctx = ctx;
}

void decoder_set_skim(decoder *j, int on)
{
    j->skim = on != 0;
}

uint64_t decoder_skimmed(const decoder *j)
{
    return j->skimmed;
}

void decoder_set_unit(decoder *j, const char *unit)
{
    j->unit = unit;
}

unsigned decoder_forms(const decoder *j)
{
    return j->forms;
}

uint64_t decoder_values(const decoder *j)
{
    return j->values;
}

uint64_t decoder_offset(const decoder *j)
{
    return decoder_pos(j);
}

int decoder_depth(const decoder *j)
{
    return j->depth;
}

/* Builds the message for a failed yajl call into err, ending in the byte
 * offset when with_pos is set (a reject gets its offset from the caller). */
static void decoder_error(decoder *j, const unsigned char *buf, size_t n, int with_pos, char *err,
                          size_t errlen)
{
    uint64_t pos = decoder_pos(j);
    char at[64] = "";

    if (with_pos)
        snprintf(at, sizeof at, " (%s %llu)", j->unit, (unsigned long long)pos);
    if (j->cb_failed) {
        snprintf(err, errlen, "%s", j->cb_err);
    } else if (j->fatal[0]) {
        snprintf(err, errlen, "%s%s", j->fatal, at);
    } else {
        unsigned char *m = yajl_get_error(j->h, 0, buf, n);
        char *s = (char *)m, *e;
        const char *what = "invalid JSON";

        if (s == NULL)
            s = "parse error";
        /* yajl says "lexical error: ..." or "parse error: ..."; keep the tail. */
        e = strchr(s, ':');
        if (e && e[1])
            s = e + 2;
        if (strstr(s, "premature EOF"))
            what = "truncated JSON", s = "unexpected end of input";
        snprintf(err, errlen, "%s: %.*s%s", what, (int)strcspn(s, "\n"), s, at);
        if (m)
            yajl_free_error(j->h, m);
    }
}

/* Forgets the open value and starts a fresh tokenizer at input offset pos. */
static int decoder_restart(decoder *j, uint64_t pos)
{
    yajl_free(j->h);
    if (decoder_open_parser(j) != 0) {
        j->h = NULL;
        return -1;
    }
    j->fed = pos;
    j->tok_end = pos;
    j->skim = 0; /* bytes were dropped: the skimmer's view of the stream is gone */
    j->depth = j->excess = j->root_depth = 0;
    j->top_container = j->top_is_array = 0;
    j->nl_in_value = 0;
    j->cap_field = -1;
    return 0;
}

/* 1 while the stream may still be JSON Lines: only bare events (or
 * EventBridge envelopes) so far, not inside a Records file or an array. Such
 * input is handed to yajl a line at a time, so the decoder knows where each
 * line ends. */
static int may_be_lines(const decoder *j)
{
    if (j->lines)
        return 1;
    return !j->multiline && !j->top_is_array &&
           !(j->forms &
             (DECODER_FORM_RECORDS | DECODER_FORM_ARRAY | DECODER_FORM_LOOKUP | DECODER_FORM_LAKE));
}

/* 1 once the stream is JSON Lines: every value so far began and ended on one
 * line. A line that ends inside a value is then a truncated record. */
static int is_lines(const decoder *j)
{
    return j->lines || (may_be_lines(j) && j->oneline > 0);
}

/* After invalid JSON in JSON Lines input: reject the broken line and go on
 * at the next one. next_line is the offset after the line's '\n' when it is
 * known (the slice ended there), else 0 and bytes are dropped up to the next
 * '\n'. Refused (-1) unless the input is JSON Lines, so a broken
 * {"Records":[...]} file is not read line by line: in a line-delimited feed
 * always; else after a good value, or on the first line when that line is
 * whole and no value was open across lines (a JSON Lines file whose first
 * line is bad). */
static int decoder_resync(decoder *j, uint64_t pos, uint64_t next_line)
{
    if (!j->lines &&
        ((j->values == 0 && (next_line == 0 || j->nl_in_value || j->multiline)) ||
         j->top_container || j->top_is_array ||
         (j->forms & (DECODER_FORM_RECORDS | DECODER_FORM_ARRAY | DECODER_FORM_LOOKUP |
                      DECODER_FORM_CWL | DECODER_FORM_LAKE))))
        return -1;
    if (decoder_restart(j, next_line ? next_line : pos) != 0)
        return -1;
    j->skip_line = next_line == 0;
    return 0;
}

/* Long: slicing, skipping to the next line after a bad one and yajl's status share
 * the resync state that lives across slices. */
static int feed_plain(decoder *j, const unsigned char *buf, size_t n, char *err, size_t errlen)
{
    const unsigned char *p = buf;

    if (j->h == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    while (n > 0) {
        /* slices end on multiples of DECODER_SLICE in the stream, however the
         * stream was cut into pieces: where the long-token check falls must
         * not depend on the skimmer's cuts */
        size_t room = DECODER_SLICE - (size_t)(j->fed % DECODER_SLICE);
        size_t slice = n < room ? n : room;
        const unsigned char *nl = NULL;
        yajl_status st;

        if (j->skip_line) {
            nl = memchr(p, '\n', slice);
            size_t skip = nl ? (size_t)(nl - p) + 1 : slice;
            j->fed += skip;
            j->tok_end = j->fed; /* dropped bytes are no token's */
            p += skip;
            n -= skip;
            if (nl)
                j->skip_line = 0;
            continue;
        }
        if (may_be_lines(j)) {
            nl = memchr(p, '\n', slice);
            if (nl)
                slice = (size_t)(nl - p) + 1;
        }
        if (!j->saw_text) {
            size_t k;
            for (k = 0; k < slice && !j->saw_text; k++)
                j->saw_text = !(p[k] == ' ' || p[k] == '\n' || p[k] == '\r' || p[k] == '\t');
        }
        st = yajl_parse(j->h, p, slice);
        if (st != yajl_status_ok) {
            uint64_t pos = decoder_pos(j);
            size_t used = yajl_get_bytes_consumed(j->h);
            decoder_error(j, p, slice, 0, err, errlen);
            if (st == yajl_status_client_canceled || j->fatal[0] ||
                decoder_resync(j, pos, nl ? j->fed + slice : 0) != 0) {
                decoder_error(j, p, slice, 1, err, errlen);
                return -1;
            }
            /* Report the broken line and carry on after it. */
            if (!emit_reject(j, pos, err)) {
                snprintf(err, errlen, "%s", j->cb_err);
                return -1;
            }
            if (nl)
                used = slice;
            p += used;
            n -= used;
            continue;
        }
        j->fed += slice;
        if (j->fed - j->tok_end > DECODER_MAX_TOKEN && j->lines) {
            /* a live feed keeps reading: the oversized line is one reject */
            char why[160];
            snprintf(why, sizeof why, "a line longer than %u MiB; skipped to the next line",
                     DECODER_MAX_TOKEN >> 20);
            if (!emit_reject(j, j->top_start, why)) {
                snprintf(err, errlen, "%s", j->cb_err);
                return -1;
            }
            if (decoder_restart(j, j->fed) != 0) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            j->tok_end = j->fed;
            p += slice;
            n -= slice;
            j->skip_line = nl == NULL; /* the line goes on past this slice: drop the rest */
            continue;
        }
        if (j->fed - j->tok_end > DECODER_MAX_TOKEN) {
            snprintf(err, errlen, "a JSON value longer than %u MiB; input not read further "
                     "(%s %llu)", DECODER_MAX_TOKEN >> 20, j->unit, (unsigned long long)j->fed);
            return -1;
        }
        p += slice;
        n -= slice;
        if (nl && j->depth > 0) {
            if (!is_lines(j)) {
                j->nl_in_value = 1;
                continue;
            }
            /* JSON Lines: this line ended inside a value, which is cut short; the
             * next line is a record of its own */
            if (!emit_reject(j, j->top_start, "truncated JSON line (the record does not end "
                                              "on its line)")) {
                snprintf(err, errlen, "%s", j->cb_err);
                return -1;
            }
            if (decoder_restart(j, j->fed) != 0) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
        }
    }
    return 0;
}

/* ---- skimming (skim.h) ----------------------------------------------------- */

/* The depth of the array whose elements are records when yajl stands
 * between two of them, 0 otherwise. */
static uint32_t records_depth(const decoder *j)
{
    /* (the object holding Records was opened as a possible event: until its
     * first record, root_depth still names it) */
    if ((j->root_depth != 0 && !(j->root_depth == 1 && j->top_container)) || j->excess != 0 ||
        j->cap_field >= 0 || j->fatal[0] || j->cb_failed)
        return 0;
    if (j->depth == 2 && j->frames[1].ctx == CTX_RECORDS && !j->frames[1].is_map)
        return 2;
    if (j->depth == 1 && j->frames[0].ctx == CTX_TOPARR)
        return 1;
    return 0;
}

/* The value of the first "key":" among s[0..n), up to the next quote: a
 * guess at a top-level field that may only ever save work (a kept record is
 * decoded whatever the guess says). CloudTrail writes both fields early. */
static int guess(const unsigned char *s, size_t n, const char *key, size_t klen,
                 const char **v, size_t *len)
{
    const unsigned char *p = memmem(s, n < DECODER_GUESS ? n : DECODER_GUESS, key, klen), *e;

    if (p == NULL)
        return 0;
    p += klen;
    e = memchr(p, '"', (size_t)(s + n - p) < 256 ? (size_t)(s + n - p) : 256);
    if (e == NULL || memchr(p, '\\', (size_t)(e - p)) != NULL)
        return 0;
    *v = (const char *)p;
    *len = (size_t)(e - p);
    return 1;
}

/* The length of the element opening at s[0] (an element of a records array)
 * when keep() refuses it and a full parse would deliver it without
 * a reject: the skimmer may pass over it. 0 when yajl must read it; then
 * *len is its length, or 0 when it goes on past s + n. */
static size_t skimmable(decoder *j, const unsigned char *s, size_t n, size_t *len)
{
    const skim_fields *f = &j->sf;
    const char *src, *name;
    size_t slen, nlen, k;

    /* most records of most streams are kept: the guess spares them the walk */
    if (!(guess(s, n, "\"eventSource\":\"", 15, &src, &slen) &&
          guess(s, n, "\"eventName\":\"", 13, &name, &nlen) &&
          j->keep(j->keep_ctx, src, slen, name, nlen))) {
        k = skim_walk(s, n, &j->sc, &j->sf);
        if (k && (f->have & SKIM_NEED) == SKIM_NEED && (f->escaped & SKIM_KEPT) == 0 &&
            !j->keep(j->keep_ctx, (const char *)f->v[JF_EVENT_SOURCE], f->len[JF_EVENT_SOURCE],
                     (const char *)f->v[JF_EVENT_NAME], f->len[JF_EVENT_NAME]))
            return *len = k;
    }
    *len = skim_extent(s, n);
    return 0;
}

/* Delivers the skimmed record s[0..len) as if yajl had read it: yajl reads
 * "{}" in its place, at its offset, and end_event() adds the fields. */
static int feed_skimmed(decoder *j, const unsigned char *s, size_t len, char *err,
                        size_t errlen)
{
    uint64_t at = j->fed;
    yajl_status st;

    j->skim_pending = 1;
    st = yajl_parse(j->h, (const unsigned char *)"{}", 2);
    j->skim_pending = 0;
    j->fed = at + len;
    j->tok_end = at + len;
    j->saw_text = 1;
    j->lx.last = '}';
    j->skimmed++;
    if (st != yajl_status_ok) {
        decoder_error(j, s, len, 1, err, errlen);
        return -1;
    }
    return 0;
}

/* 1 when s[0..n) opens the stream's next value as CloudTrail's files do,
 * {"Records":[ or [, with whitespace between the tokens only: yajl cannot
 * fail on it, so feeding it alone changes nothing (a line that fails is read
 * otherwise whole; a newline inside the key once passed for whitespace, and
 * the bad line was then fed without its end). */
static int header(const decoder *j, const unsigned char *s, size_t n)
{
    static const char *const forms[][5] = {{"{", "\"Records\"", ":", "[", NULL}, {"[", NULL}};
    size_t f, i, t;

    if (j->depth != 0)
        return 0;
    for (f = 0; f < 2; f++) {
        for (i = t = 0; forms[f][t] != NULL; t++) {
            size_t len = strlen(forms[f][t]);

            while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
                i++;
            if (n - i < len || memcmp(s + i, forms[f][t], len) != 0)
                break;
            i += len;
        }
        if (forms[f][t] == NULL && i == n)
            return 1;
    }
    return 0;
}

/* Long: one loop walks the chunk by the skimmer's stops (the records
 * array opening, each element, the array closing), feeding yajl every byte
 * it must read in as few calls as the skimmed records allow. */
int decoder_feed(decoder *j, const void *buf, size_t n, char *err, size_t errlen)
{
    const unsigned char *q = buf, *end = q + n, *run = q; /* [run, q): scanned, not fed */

    if (!j->skim || j->keep == NULL || j->nested || j->h == NULL)
        return feed_plain(j, buf, n, err, errlen);
    while (q < end && j->skim) {
        uint32_t at = j->skim_at;
        size_t len;

        if (at == 0) {
            /* JSON Lines are not skimmed (yajl must see each line whole: how a bad one
             * fails depends on it), so such a stream stops looking at once */
            if (j->values > 0 && may_be_lines(j)) {
                j->skim = 0;
                break;
            }
            /* find the next array that may hold records, and ask yajl's state */
            q += skim_scan(&j->lx, q, (size_t)(end - q), SKIM_TO_ARRAY, 2);
            if (q == end || j->skip_line)
                continue;
            if (may_be_lines(j) && !header(j, run, (size_t)(q - run))) {
                j->skim = 0; /* the first value does not open as CloudTrail's files do */
                break;
            }
            if (feed_plain(j, run, (size_t)(q - run), err, errlen) != 0)
                return -1;
            run = q;
            at = records_depth(j);
            if (at != 0 && (at != j->lx.depth || j->lx.in_str))
                j->skim = 0; /* never expected: stop skimming rather than guess */
            else {
                j->skim_at = at;
                /* a record's containers stay below the decoder's 64 frames */
                j->sc.max_depth = DECODER_MAX_DEPTH - at - 1;
            }
            continue;
        }
        if (j->lx.depth > at) { /* an element begun in an earlier chunk, or too big */
            q += skim_scan(&j->lx, q, (size_t)(end - q), SKIM_TO_DEPTH, at);
            continue;
        }
        q += skim_scan(&j->lx, q, (size_t)(end - q), SKIM_TO_RECORD, at);
        if (j->lx.depth < at) {
            j->skim_at = 0; /* the array closed */
            continue;
        }
        if (q == end)
            break;
        if (skimmable(j, q, (size_t)(end - q), &len) == 0) {
            if (len == 0) { /* it goes on past this chunk: yajl reads it */
                j->lx.depth++;
                j->lx.last = '{';
                q++;
            } else {
                j->lx.last = '}';
                q += len;
            }
            /* a stream of records mostly kept does not pay for looking */
            if (++j->skim_seen == DECODER_SKIM_TRIAL && j->skimmed * 2 < j->skim_seen)
                j->skim = 0;
            continue;
        }
        j->skim_seen++;
        if (feed_plain(j, run, (size_t)(q - run), err, errlen) != 0)
            return -1;
        run = q;
        /* yajl must stand where the skimmer does; if not (never expected), it
         * reads the record after all */
        if (j->skim && records_depth(j) == at) {
            if (feed_skimmed(j, q, len, err, errlen) != 0)
                return -1;
            run = q + len;
        }
        j->lx.last = '}';
        q += len;
    }
    return run < end ? feed_plain(j, run, (size_t)(end - run), err, errlen) : 0;
}

void decoder_set_lines(decoder *j)
{
    j->lines = 1;
}

int decoder_finish(decoder *j, char *err, size_t errlen)
{
    /* Empty or all-whitespace input is not a JSON error; the caller sees
     * decoder_values() == 0 and says so in its own words. */
    if (j->skip_line || !j->saw_text)
        return 0;
    if (j->h == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (yajl_complete_parse(j->h) != yajl_status_ok) {
        decoder_error(j, NULL, 0, 1, err, errlen);
        return -1;
    }
    return 0;
}
