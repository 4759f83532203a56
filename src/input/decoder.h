/*
 * decoder: the streaming CloudTrail event decoder.
 *
 * Bytes are pushed in with decoder_feed() in chunks of any size; yajl tokenises
 * them and an explicit state machine over a fixed-depth stack picks out the
 * fields ddbtrail stores, calling back once per complete event. No document
 * tree is ever built: memory is the per-event arena (capped) plus yajl's own
 * small state, whatever the size of the input.
 *
 * Accepted shapes, freely mixed in one stream:
 *   {"Records":[event, ...], ...}   CloudTrail's file form (any key order)
 *   event event ...                 JSON Lines / concatenated objects
 *   [event, ...]                    a top-level array
 *   {"detail-type":..., "detail":event}   the EventBridge envelope
 *   {"Events":[{"EventId":..., "CloudTrailEvent":"<event as a JSON string>"}]}
 *                                   aws cloudtrail lookup-events output
 *   {"events":[{"message":"<event>"}]}, {"messageType":..., "logEvents":[...]}
 *                                   CloudWatch Logs: filter-log-events,
 *                                   get-log-events, subscription deliveries
 *   {"QueryResultRows":[[{"eventJson":"<event>"}], ...]}
 *                                   CloudTrail Lake get-query-results
 *
 * An event embedded as a JSON string is decoded by a decoder of its own with
 * the same caps; its problems are rejects at the string's offset.
 *
 * Field values are handed over as byte strings exactly as logged (JSON
 * escapes decoded). requestParameters, responseElements and
 * additionalEventData are re-serialised as compact JSON text.
 */
#ifndef DDBTRAIL_DECODER_H
#define DDBTRAIL_DECODER_H

#include <stddef.h>
#include <stdint.h>

/* The fields picked out of each event. Booleans arrive as "true"/"false". */
enum decoder_field {
    JF_EVENT_ID,
    JF_EVENT_TIME,
    JF_EVENT_SOURCE,
    JF_EVENT_NAME,
    JF_EVENT_TYPE,
    JF_EVENT_CATEGORY,
    JF_MANAGEMENT_EVENT,
    JF_READ_ONLY,
    JF_AWS_REGION,
    JF_SOURCE_IP,
    JF_USER_AGENT,
    JF_VPC_ENDPOINT_ID,
    JF_VPCE_ACCOUNT_ID,   /* vpcEndpointAccountId: who owns the endpoint */
    JF_ERROR_CODE,
    JF_ERROR_MESSAGE,
    JF_RECIPIENT_ACCOUNT_ID,
    JF_REQUEST_ID,
    JF_UID_TYPE,
    JF_UID_PRINCIPAL_ID,
    JF_UID_ARN,
    JF_UID_ACCOUNT_ID,
    JF_UID_ACCESS_KEY_ID,
    JF_UID_USER_NAME,
    JF_UID_INVOKED_BY,
    JF_MFA_AUTHENTICATED,
    JF_ISSUER_ARN,
    JF_ISSUER_USER_NAME,
    JF_WEBID_PROVIDER,    /* sessionContext.webIdFederationData.federatedProvider */
    JF_UID_IDENTITY_PROVIDER, /* userIdentity.identityProvider (a WebIdentityUser's) */
    JF_REQ_TABLE_NAME,    /* requestParameters.tableName */
    JF_REQ_TABLE_ARN,     /* requestParameters.tableArn */
    JF_REQ_RESOURCE_ARN,  /* requestParameters.resourceArn */
    JF_REQ_STATEMENT,     /* requestParameters.statement (PartiQL) */
    JF_REQ_BACKUP_ARN,    /* requestParameters.backupArn (...:table/NAME/backup/...) */
    JF_REQ_STREAM_ARN,    /* requestParameters.streamArn (...:table/NAME/stream/...) */
    JF_REQ_SHARD_ITERATOR, /* requestParameters.shardIterator, which starts with the stream ARN */
    JF_REQ_TARGET_TABLE,  /* requestParameters.targetTableName (restores) or
                             .tableCreationParameters.tableName (imports): the table made */
    JF_RESP_TABLE_NAME,   /* responseElements.tableDescription.tableName */
    JF_RESP_TABLE_ARN,    /* responseElements.tableDescription.tableArn */
    JF_RESOURCE_TABLE_ARN, /* first DynamoDB table ARN in resources[] */
    JF_REQUEST_PARAMETERS, /* compact JSON */
    JF_RESPONSE_ELEMENTS,  /* compact JSON */
    JF_ADDITIONAL_EVENT_DATA, /* compact JSON */
    JF_WEBID_ATTRIBUTES,  /* webIdFederationData.attributes, compact JSON (Cognito's amr, aud) */
    JF_RESOURCE_ARN_TMP,  /* internal: ARN of the resources[] entry being read */
    JF_RESOURCE_TYPE_TMP, /* internal: type of the resources[] entry being read */
    JF_COUNT
};

/* One decoded event. Borrowed: valid only during the callback. */
typedef struct decoder_event {
    const char *v[JF_COUNT]; /* field bytes (NUL-terminated), NULL when absent or null */
    size_t len[JF_COUNT];    /* field lengths; a value may itself contain NUL bytes */
    uint64_t offset;         /* byte offset of the event's '{' in the decoded input */
} decoder_event;

/* Called once per complete, well-formed event. Return 0 to go on, non-zero
 * to stop decoding (decoder_feed() then fails with the message left in err). */
typedef int (*decoder_event_fn)(void *ctx, const decoder_event *ev, char *err, size_t errlen);

/* Called once per rejected record: not an object, too large, a field of the
 * wrong type, invalid JSON. Same return convention. */
typedef int (*decoder_reject_fn)(void *ctx, uint64_t offset, const char *reason, char *err,
                                 size_t errlen);

/* Shapes seen so far, for decoder_forms(). */
enum {
    DECODER_FORM_RECORDS = 1,     /* {"Records":[...]} */
    DECODER_FORM_EVENT = 2,       /* a bare top-level event */
    DECODER_FORM_ARRAY = 4,       /* [event, ...] */
    DECODER_FORM_EVENTBRIDGE = 8, /* {"detail": event} */
    DECODER_FORM_LOOKUP = 16,     /* lookup-events pages */
    DECODER_FORM_CWL = 32,        /* CloudWatch Logs events */
    DECODER_FORM_LAKE = 64        /* CloudTrail Lake query results */
};

typedef struct decoder decoder;

/* Returns a new decoder, or NULL when out of memory; free it with decoder_free().
 * The callbacks and ctx are borrowed for the decoder's lifetime. */
decoder *decoder_new(decoder_event_fn on_event, decoder_reject_fn on_reject, void *ctx);

/* Pushes n more bytes. Returns 0 when decoding can go on, or -1 when the
 * rest of the input cannot be read as JSON (message in err, with the byte
 * offset); records already delivered stay delivered. A record cut short by
 * the failure has already been passed to on_reject. */
int decoder_feed(decoder *j, const void *buf, size_t n, char *err, size_t errlen);

/* Signals the end of input; a value left open is rejected. Same returns. */
int decoder_finish(decoder *j, char *err, size_t errlen);

/* Declares the input line-delimited (a live feed): each line is one value
 * whatever the first lines look like, so a bad first line, a lone
 * {"Records":[ line or a line past the value cap is one reject and reading
 * goes on at the next line; nothing a sender writes ends the stream. */
void decoder_set_lines(decoder *j);

/* Says whether events of an eventSource and eventName are wanted. */
typedef int (*decoder_keep_fn)(void *ctx, const char *source, size_t slen, const char *name,
                               size_t nlen);

/* Optional: when keep() says an event is not wanted, its requestParameters,
 * responseElements and additionalEventData are not copied out (the event
 * is still delivered, with those fields absent). A speed-up only: the
 * caller must still filter what it receives. keep and ctx are borrowed.
 *
 * With keep set, an element of a Records array (or of a top-level array)
 * that keep() refuses may also be skimmed (skim.h): passed over without
 * yajl when the skimmer can vouch that a full parse would deliver it
 * without a reject. It is delivered all the same, at the same offset, but
 * carries only eventID, eventTime, eventSource, eventName and
 * recipientAccountId (all five exactly as a full parse gives them). */
void decoder_set_keep(decoder *j, decoder_keep_fn keep, void *ctx);

/* Turns skimming off (on = 0); on by default. Call it before the first
 * decoder_feed(): the differential tests compare both ways. */
void decoder_set_skim(decoder *j, int on);

/* Records passed over by the skimmer so far. */
uint64_t decoder_skimmed(const decoder *j);

/* Names byte offsets in decoder_feed()/decoder_finish() messages ("byte" by
 * default; "decompressed byte" for gzip input). unit is borrowed. */
void decoder_set_unit(decoder *j, const char *unit);

/* The DECODER_FORM_* bits seen so far. */
unsigned decoder_forms(const decoder *j);

/* Top-level JSON values completed so far. */
uint64_t decoder_values(const decoder *j);

/* Offset in the input where decoding stands (after a failure: where it
 * failed). */
uint64_t decoder_offset(const decoder *j);

/* Current nesting depth of the decoder (0 between top-level values). */
int decoder_depth(const decoder *j);

/* Frees the decoder; decoder_free(NULL) is a no-op. */
void decoder_free(decoder *j);

#endif
