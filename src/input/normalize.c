/*
 * normalize: CloudTrail event -> events row (see normalize.h).
 */
#include "normalize.h"
#include "address.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *const normalize_col_names[NC_COUNT] = {
    "event_id", "event_time", "event_ts", "event_source", "event_name", "event_type",
    "event_category", "read_only", "aws_region", "source_ip", "source_kind", "vpc_endpoint_id",
    "user_agent", "identity_type", "principal_arn", "principal_id", "account_id",
    "access_key_id", "credential_kind", "session_issuer_arn", "session_issuer_name",
    "invoked_by", "mfa_authenticated", "table_name", "error_code", "error_message",
    "recipient_account_id", "request_id", "request_parameters", "response_elements",
    "additional_event_data", "actor_arn", "actor_kind", "vpc_endpoint_account_id",
    "web_id_provider", "web_id_attributes"};

/* DynamoDB item-level APIs: CloudTrail logs them as data events. Used only
 * when an old record carries neither eventCategory nor managementEvent. */
static const char *const data_plane[] = {
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
    "BatchWriteItem", "TransactGetItems", "TransactWriteItems", "ExecuteStatement",
    "BatchExecuteStatement", "ExecuteTransaction", "GetRecords", "GetShardIterator",
    "DescribeStream", "ListStreams"};

static int eq(const char *s, size_t len, const char *lit)
{
    return s != NULL && strlen(lit) == len && memcmp(s, lit, len) == 0;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no timegm() or TZ dependence. */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int normalize_parse_time(const char *s, size_t len, int64_t *out)
{
    int y, mo, d, h, mi, sec;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t i = 19;

    if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return -1;
    if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
        digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
        return -1;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
        sec > 60)
        return -1;
    /* Feb 29 only in leap years; second 60 only where leap seconds are inserted, at the
     * end of June 30 or December 31 */
    if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return -1;
    if (sec == 60 && !(h == 23 && mi == 59 && ((mo == 6 && d == 30) || (mo == 12 && d == 31))))
        return -1;
    if (s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
    }
    if (!((len == i + 1 && s[i] == 'Z') ||
          (len == i + 6 && (memcmp(s + i, "+00:00", 6) == 0 || memcmp(s + i, "-00:00", 6) == 0))))
        return -1;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return 0;
}

int normalize_table_from_arn(const char *s, size_t len, const char **name, size_t *nlen)
{
    size_t i, start, end;

    if (s == NULL)
        return -1;
    for (i = 0; i + 7 <= len; i++) {
        if (memcmp(s + i, ":table/", 7) == 0) {
            start = i + 7;
            for (end = start; end < len && s[end] != '/'; end++)
                ;
            if (end == start)
                return -1;
            *name = s + start;
            *nlen = end - start;
            return 0;
        }
    }
    return -1;
}

static int word_at(const char *s, size_t len, size_t i, const char *w)
{
    size_t n = strlen(w), k;

    if (i + n > len || (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_')))
        return 0;
    for (k = 0; k < n; k++)
        if (toupper((unsigned char)s[i + k]) != w[k])
            return 0;
    return i + n == len || isspace((unsigned char)s[i + n]);
}

int normalize_table_from_partiql(const char *s, size_t len, const char **name, size_t *nlen)
{
    static const char *const kw[] = {"FROM", "INTO", "UPDATE"};
    size_t i, k, j, start;

    if (s == NULL)
        return -1;
    for (i = 0; i < len; i++) {
        for (k = 0; k < 3; k++) {
            if (!word_at(s, len, i, kw[k]))
                continue;
            j = i + strlen(kw[k]);
            while (j < len && isspace((unsigned char)s[j]))
                j++;
            if (j < len && s[j] == '"') {
                start = ++j;
                while (j < len && s[j] != '"')
                    j++;
            } else {
                start = j;
                while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '_' ||
                                   s[j] == '-' || s[j] == '.'))
                    j++;
                /* Table."Index" form: keep the table part */
                for (size_t t = start; t < j; t++)
                    if (s[t] == '.') {
                        j = t;
                        break;
                    }
            }
            if (j > start) {
                *name = s + start;
                *nlen = j - start;
                return 0;
            }
        }
    }
    return -1;
}

static void set_text(normalize_row *row, enum normalize_col c, const char *p, size_t n)
{
    if (p == NULL) {
        row->col[c].type = NT_NULL;
        return;
    }
    row->col[c].type = NT_TEXT;
    row->col[c].p = p;
    row->col[c].n = n;
}

static void set_field(normalize_row *row, enum normalize_col c, const decoder_event *ev,
                      enum decoder_field f)
{
    set_text(row, c, ev->v[f], ev->len[f]);
}

static void set_static(normalize_row *row, enum normalize_col c, const char *s)
{
    set_text(row, c, s, s ? strlen(s) : 0);
}

static void set_bool(normalize_row *row, enum normalize_col c, const decoder_event *ev,
                     enum decoder_field f)
{
    row->col[c].type = NT_NULL;
    if (eq(ev->v[f], ev->len[f], "true") || eq(ev->v[f], ev->len[f], "false")) {
        row->col[c].type = NT_INT;
        row->col[c].i = ev->v[f][0] == 't';
    }
}

/* The table an event touches, from the most to the least specific place. */
static void set_table(normalize_row *row, const decoder_event *ev)
{
    const char *name = NULL;
    size_t n = 0;

    if (ev->v[JF_REQ_TARGET_TABLE]) { /* a restore also names its source, in the backup ARN */
        name = ev->v[JF_REQ_TARGET_TABLE];
        n = ev->len[JF_REQ_TARGET_TABLE];
    } else if (ev->v[JF_REQ_TABLE_NAME]) {
        if (normalize_table_from_arn(ev->v[JF_REQ_TABLE_NAME], ev->len[JF_REQ_TABLE_NAME], &name,
                                     &n) != 0) {
            name = ev->v[JF_REQ_TABLE_NAME];
            n = ev->len[JF_REQ_TABLE_NAME];
        }
    } else if (normalize_table_from_arn(ev->v[JF_REQ_TABLE_ARN], ev->len[JF_REQ_TABLE_ARN], &name,
                                        &n) == 0 ||
               normalize_table_from_arn(ev->v[JF_REQ_BACKUP_ARN], ev->len[JF_REQ_BACKUP_ARN], &name,
                                        &n) == 0 ||
               normalize_table_from_arn(ev->v[JF_REQ_STREAM_ARN], ev->len[JF_REQ_STREAM_ARN], &name,
                                        &n) == 0 ||
               normalize_table_from_arn(ev->v[JF_REQ_SHARD_ITERATOR],
                                        ev->len[JF_REQ_SHARD_ITERATOR], &name, &n) == 0 ||
               normalize_table_from_arn(ev->v[JF_REQ_RESOURCE_ARN], ev->len[JF_REQ_RESOURCE_ARN],
                                        &name, &n) == 0 ||
               normalize_table_from_arn(ev->v[JF_RESOURCE_TABLE_ARN],
                                        ev->len[JF_RESOURCE_TABLE_ARN], &name, &n) == 0 ||
               normalize_table_from_partiql(ev->v[JF_REQ_STATEMENT], ev->len[JF_REQ_STATEMENT],
                                            &name, &n) == 0) {
        /* found */
    } else if (ev->v[JF_RESP_TABLE_NAME]) {
        name = ev->v[JF_RESP_TABLE_NAME];
        n = ev->len[JF_RESP_TABLE_NAME];
    } else if (normalize_table_from_arn(ev->v[JF_RESP_TABLE_ARN], ev->len[JF_RESP_TABLE_ARN], &name,
                                        &n) != 0) {
        name = NULL;
    }
    set_text(row, NC_TABLE_NAME, name, n);
}

static int contains(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit), i;

    for (i = 0; s != NULL && i + n <= len; i++)
        if (memcmp(s + i, lit, n) == 0)
            return 1;
    return 0;
}

/* Who is behind the call, stable across the session names an attacker may
 * rotate: the role (session issuer) for an assumed role or federated user,
 * the user for an IAM user, the root ARN (the account) for root, the
 * invoking service for AWS itself, else the access key or whatever names
 * the caller. Kept in step with the backfill in store.c. */
static void set_actor(normalize_row *row, const decoder_event *ev)
{
    const char *type = ev->v[JF_UID_TYPE];
    size_t tlen = ev->len[JF_UID_TYPE];
    enum decoder_field f;
    const char *kind;

    if ((eq(type, tlen, "AssumedRole") || eq(type, tlen, "FederatedUser")) &&
        ev->v[JF_ISSUER_ARN])
        f = JF_ISSUER_ARN;
    else if (eq(type, tlen, "AWSService") && ev->v[JF_UID_INVOKED_BY])
        f = JF_UID_INVOKED_BY;
    else if (ev->v[JF_UID_ARN])
        f = JF_UID_ARN;
    else if (ev->v[JF_UID_ACCESS_KEY_ID])
        f = JF_UID_ACCESS_KEY_ID;
    else if (eq(type, tlen, "Root") && ev->v[JF_UID_ACCOUNT_ID])
        f = JF_UID_ACCOUNT_ID;
    else
        f = JF_UID_PRINCIPAL_ID;
    set_field(row, NC_ACTOR_ARN, ev, f);
    /* AWS acting for itself: a service identity or a service-linked role, nothing
     * else. A user or role acting through a service (invokedBy CloudFormation, the
     * console) is still that user or role: the service only carried the call. */
    if (eq(type, tlen, "AWSService") || contains(ev->v[f], ev->len[f], ":role/aws-service-role/") ||
        contains(ev->v[JF_UID_ARN], ev->len[JF_UID_ARN], ":assumed-role/AWSServiceRoleFor"))
        kind = "aws-service";
    else if (eq(type, tlen, "Root"))
        kind = "root";
    else if (eq(type, tlen, "IAMUser") ||
             (eq(type, tlen, "FederatedUser") &&
              contains(ev->v[JF_ISSUER_ARN], ev->len[JF_ISSUER_ARN], ":user/")))
        /* a GetFederationToken session is its IAM user's long-term key, renamed */
        kind = "user";
    else if (eq(type, tlen, "AssumedRole"))
        kind = "role";
    else if (eq(type, tlen, "FederatedUser"))
        kind = "federated";
    else
        kind = "other";
    set_static(row, NC_ACTOR_KIND, kind);
}

static const char *category(const decoder_event *ev)
{
    size_t i;

    if (eq(ev->v[JF_EVENT_TYPE], ev->len[JF_EVENT_TYPE], "AwsCloudTrailInsight"))
        return "Insight";
    if (ev->v[JF_MANAGEMENT_EVENT])
        return ev->v[JF_MANAGEMENT_EVENT][0] == 't' ? "Management" : "Data";
    if (!eq(ev->v[JF_EVENT_SOURCE], ev->len[JF_EVENT_SOURCE], "dynamodb.amazonaws.com"))
        return "Management";
    for (i = 0; i < sizeof data_plane / sizeof data_plane[0]; i++)
        if (eq(ev->v[JF_EVENT_NAME], ev->len[JF_EVENT_NAME], data_plane[i]))
            return "Data";
    return "Management";
}

int normalize_event(const decoder_event *ev, normalize_row *row, char *err, size_t errlen)
{
    const char *key = ev->v[JF_UID_ACCESS_KEY_ID];
    int64_t ts;

    if (normalize_parse_time(ev->v[JF_EVENT_TIME], ev->len[JF_EVENT_TIME], &ts) != 0) {
        snprintf(err, errlen, "eventTime is not an ISO-8601 UTC time");
        return -1;
    }
    set_field(row, NC_EVENT_ID, ev, JF_EVENT_ID);
    set_field(row, NC_EVENT_TIME, ev, JF_EVENT_TIME);
    row->col[NC_EVENT_TS].type = NT_INT;
    row->col[NC_EVENT_TS].i = ts;
    set_field(row, NC_EVENT_SOURCE, ev, JF_EVENT_SOURCE);
    set_field(row, NC_EVENT_NAME, ev, JF_EVENT_NAME);
    set_field(row, NC_EVENT_TYPE, ev, JF_EVENT_TYPE);
    if (ev->v[JF_EVENT_CATEGORY])
        set_field(row, NC_EVENT_CATEGORY, ev, JF_EVENT_CATEGORY);
    else
        set_static(row, NC_EVENT_CATEGORY, category(ev));
    set_bool(row, NC_READ_ONLY, ev, JF_READ_ONLY);
    set_field(row, NC_AWS_REGION, ev, JF_AWS_REGION);
    set_field(row, NC_SOURCE_IP, ev, JF_SOURCE_IP);
    set_static(row, NC_SOURCE_KIND,
               ev->v[JF_SOURCE_IP] ? address_kind(ev->v[JF_SOURCE_IP], ev->len[JF_SOURCE_IP])
                                   : NULL);
    set_field(row, NC_VPC_ENDPOINT_ID, ev, JF_VPC_ENDPOINT_ID);
    set_field(row, NC_USER_AGENT, ev, JF_USER_AGENT);
    set_field(row, NC_IDENTITY_TYPE, ev, JF_UID_TYPE);
    set_field(row, NC_PRINCIPAL_ARN, ev, JF_UID_ARN);
    set_field(row, NC_PRINCIPAL_ID, ev, JF_UID_PRINCIPAL_ID);
    if (ev->v[JF_UID_ACCOUNT_ID])
        set_field(row, NC_ACCOUNT_ID, ev, JF_UID_ACCOUNT_ID);
    else
        set_field(row, NC_ACCOUNT_ID, ev, JF_RECIPIENT_ACCOUNT_ID);
    set_field(row, NC_ACCESS_KEY_ID, ev, JF_UID_ACCESS_KEY_ID);
    if (key && ev->len[JF_UID_ACCESS_KEY_ID] >= 4 && memcmp(key, "AKIA", 4) == 0)
        set_static(row, NC_CREDENTIAL_KIND, "long-term");
    else if (key && ev->len[JF_UID_ACCESS_KEY_ID] >= 4 && memcmp(key, "ASIA", 4) == 0)
        set_static(row, NC_CREDENTIAL_KIND, "temporary");
    else
        set_static(row, NC_CREDENTIAL_KIND, NULL);
    set_field(row, NC_SESSION_ISSUER_ARN, ev, JF_ISSUER_ARN);
    set_field(row, NC_SESSION_ISSUER_NAME, ev, JF_ISSUER_USER_NAME);
    set_field(row, NC_INVOKED_BY, ev, JF_UID_INVOKED_BY);
    set_bool(row, NC_MFA_AUTHENTICATED, ev, JF_MFA_AUTHENTICATED);
    set_table(row, ev);
    set_field(row, NC_ERROR_CODE, ev, JF_ERROR_CODE);
    set_field(row, NC_ERROR_MESSAGE, ev, JF_ERROR_MESSAGE);
    set_field(row, NC_RECIPIENT_ACCOUNT_ID, ev, JF_RECIPIENT_ACCOUNT_ID);
    set_field(row, NC_REQUEST_ID, ev, JF_REQUEST_ID);
    set_field(row, NC_REQUEST_PARAMETERS, ev, JF_REQUEST_PARAMETERS);
    set_field(row, NC_RESPONSE_ELEMENTS, ev, JF_RESPONSE_ELEMENTS);
    set_field(row, NC_ADDITIONAL_EVENT_DATA, ev, JF_ADDITIONAL_EVENT_DATA);
    /* web identity federation (Cognito identity pools, OIDC): who vouched for the caller,
     * and the claims (a Cognito identity's amr says guest or signed in) */
    set_field(row, NC_WEB_ID_PROVIDER, ev,
              ev->v[JF_WEBID_PROVIDER] ? JF_WEBID_PROVIDER : JF_UID_IDENTITY_PROVIDER);
    set_field(row, NC_WEB_ID_ATTRIBUTES, ev, JF_WEBID_ATTRIBUTES);
    set_actor(row, ev);
    set_field(row, NC_VPC_ENDPOINT_ACCOUNT_ID, ev, JF_VPCE_ACCOUNT_ID);
    return 0;
}
