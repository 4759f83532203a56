/*
 * partiql: reads just enough of a PartiQL statement to tell a key lookup from a
 * bulk read, for the DDB-MASS-SCAN definition of a full-table read.
 *
 * A SELECT is a key lookup when its WHERE clause, split at top-level AND,
 * has a conjunct "key = literal" or "key IN (...)" and no top-level OR or NOT
 * (an OR 1=1 widens any lookup into a scan). When the table's partition key is
 * known (learnt from CreateTable and DescribeTable events), key must be that
 * attribute; when it is not, any attribute counts, so attribute_exists(pk),
 * begins_with(...), pk <> 'x' and the like are still scans. Statements that
 * are not SELECTs are not reads at all.
 */
#ifndef DDBTRAIL_PARTIQL_H
#define DDBTRAIL_PARTIQL_H

#include <stddef.h>

/* 1 when the statement (len bytes) is a SELECT that is not a key lookup, 0
 * when it is a lookup or not a SELECT. pk, pklen: the partition key
 * attribute name, or NULL when unknown. */
int partiql_is_bulk(const char *s, size_t len, const char *pk, size_t pklen);

#endif
