/*
 * normalize: turns one decoded CloudTrail event (decoder_event) into one row of the
 * events table, and decides whether ddbtrail keeps it.
 *
 * Derived columns are computed here and nowhere else: event_ts, the
 * event_category fallback, source_kind, credential_kind, table_name, which
 * CloudTrail spreads over half a dozen places depending on the API, and the
 * actor: who is behind a call whatever session name they chose (the role for
 * an assumed role, the user, the account's root, else the key), and whether
 * that is AWS itself (actor_kind 'aws-service').
 * Which events are kept is the effect catalogue's call (catalogue.h), not C's.
 */
#ifndef DDBTRAIL_NORMALIZE_H
#define DDBTRAIL_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "decoder.h"

/* Columns of the events table in table order (file_id is added by store). */
enum normalize_col {
    NC_EVENT_ID, NC_EVENT_TIME, NC_EVENT_TS, NC_EVENT_SOURCE, NC_EVENT_NAME, NC_EVENT_TYPE,
    NC_EVENT_CATEGORY, NC_READ_ONLY, NC_AWS_REGION, NC_SOURCE_IP, NC_SOURCE_KIND,
    NC_VPC_ENDPOINT_ID, NC_USER_AGENT, NC_IDENTITY_TYPE, NC_PRINCIPAL_ARN, NC_PRINCIPAL_ID,
    NC_ACCOUNT_ID, NC_ACCESS_KEY_ID, NC_CREDENTIAL_KIND, NC_SESSION_ISSUER_ARN,
    NC_SESSION_ISSUER_NAME, NC_INVOKED_BY, NC_MFA_AUTHENTICATED, NC_TABLE_NAME, NC_ERROR_CODE,
    NC_ERROR_MESSAGE, NC_RECIPIENT_ACCOUNT_ID, NC_REQUEST_ID, NC_REQUEST_PARAMETERS,
    NC_RESPONSE_ELEMENTS, NC_ADDITIONAL_EVENT_DATA, NC_ACTOR_ARN, NC_ACTOR_KIND,
    NC_VPC_ENDPOINT_ACCOUNT_ID, NC_WEB_ID_PROVIDER, NC_WEB_ID_ATTRIBUTES,
    NC_COUNT
};

/* Column names, indexed by enum normalize_col. */
extern const char *const normalize_col_names[NC_COUNT];

enum normalize_type { NT_NULL, NT_TEXT, NT_INT };

/* One column value. Text is borrowed from the decoder_event or static storage. */
typedef struct normalize_val {
    enum normalize_type type;
    const char *p; /* NT_TEXT bytes */
    size_t n;      /* NT_TEXT length */
    int64_t i;     /* NT_INT value */
} normalize_val;

typedef struct normalize_row {
    normalize_val col[NC_COUNT];
} normalize_row;

/* Fills row from ev. Returns 0, or -1 with a reason in err when the event
 * cannot be stored (an eventTime that is not a time). The row borrows from
 * ev and is valid as long as ev is. */
int normalize_event(const decoder_event *ev, normalize_row *row, char *err, size_t errlen);

/* Parses an ISO-8601 UTC time ("2024-05-01T12:00:00Z", optional fraction,
 * "Z" or "+00:00") into Unix seconds. Returns 0 or -1. */
int normalize_parse_time(const char *s, size_t len, int64_t *out);

/* The DynamoDB table named by an ARN ("...:table/NAME", maybe followed by "/stream/..."), or by a
 * PartiQL statement (FROM, INTO or UPDATE NAME). Sets *name and *nlen to a slice
 * of s. Returns 0 when found, -1 when not. */
int normalize_table_from_arn(const char *s, size_t len, const char **name, size_t *nlen);
int normalize_table_from_partiql(const char *s, size_t len, const char **name, size_t *nlen);

#endif
