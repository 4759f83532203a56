/*
 * functions: SQL functions the detection rules call.
 *
 *   regexp(pattern, text[, label])
 *                           PCRE2 match, so "text REGEXP pattern" works;
 *                           NULL text gives NULL; a bad pattern is an error
 *                           naming PCRE2's message and offset. A value that
 *                           hits the match or depth limit (a crafted value
 *                           against a backtracking pattern) is no match and
 *                           is remembered, with label (an event id) when given
 *   regexp_try(pattern, text)
 *                           as regexp(), but a limit hit is NULL and not
 *                           remembered (find candidates, then regexp() them)
 *   regexp_warnings()       those limit hits since the last call, as one
 *                           line (NULL for none); then forgets them
 *   ip_in_cidr(ip, cidr)    1/0, NULL when either does not parse
 *   arn_session(arn)        the session name of an assumed-role ARN, or NULL
 *   partiql_bulk(stmt, pk)  1 when stmt is a SELECT that is not a key lookup
 *                           (partiql.h); pk is the partition key or NULL
 *   partiql_table(stmt)     the table a PartiQL statement names, or NULL
 *   dynamodb_logging_gap(request_parameters)
 *                           what a PutEventSelectors request leaves unlogged
 *                           of DynamoDB, as a sentence; NULL when nothing (selectors.h)
 *   arn_field(arn, i)       the i-th field of an ARN: 1 partition, 2 service,
 *                           3 region, 4 account, 5 resource (the rest); NULL
 *                           when not an ARN or the field is empty
 *   arn_account(arn)        the account field of an ARN, or a bare 12-digit
 *                           account id as given; NULL otherwise
 *   id_list(x)              aggregate: the first FUNCTIONS_ID_LIST_MAX non-NULL
 *                           values of the group, comma-joined in row order
 *                           (at most 4 KiB; NULL for none); the bounded
 *                           group_concat() for an alert's event_ids
 *   id_list(x, key[, sep])  aggregate: the FUNCTIONS_ID_LIST_MAX distinct
 *                           non-NULL values with the least keys (rows with a
 *                           NULL key are left out), in key order, joined by
 *                           sep (default ","; 4 KiB at most): the list does
 *                           not depend on the order rows were stored in, so
 *                           a store fed out of order lists what one run does
 *   sole(x)                 aggregate: the group's one non-NULL value of x
 *                           when all agree, else NULL (an alert's region,
 *                           key, source IP, table when its events share it)
 *
 * Log bytes may not be valid UTF-8, so patterns match with
 * PCRE2_MATCH_INVALID_UTF rather than failing on such a row.
 */
#ifndef DDBTRAIL_FUNCTIONS_H
#define DDBTRAIL_FUNCTIONS_H

#include <sqlite3.h>
#include <stddef.h>

enum { FUNCTIONS_ID_LIST_MAX = 20 }; /* ids an alert keeps (alerts.event_ids) */

enum {
    FUNCTIONS_NO_JIT = 1 /* interpret patterns instead of JIT-compiling them: valgrind cannot
                        follow PCRE2's JIT code and reports false errors in it */
};

/* Registers the functions on db with FUNCTIONS_* flags. Returns 0, or -1 with a
 * message in err. */
int functions_register(sqlite3 *db, int flags, char *err, size_t errlen);

/* Compiles pattern as regexp() would (a config check before any input is
 * read). Returns 0, or -1 with PCRE2's message and offset in err. */
int functions_check_pattern(const char *pattern, char *err, size_t errlen);

#endif
