/*
 * selectors: what a CloudTrail event-selector change leaves unlogged of DynamoDB.
 *
 * PutEventSelectors replaces a trail's selectors with the ones in its
 * request: basic eventSelectors (readWriteType, includeManagementEvents,
 * dataResources, excludeManagementEventSources) or advancedEventSelectors
 * (field selectors on eventCategory, resources.type, resources.ARN,
 * readOnly, eventName, eventSource ... with Equals, NotEquals, StartsWith,
 * NotStartsWith, EndsWith, NotEndsWith). Selectors are ORed, the field
 * selectors of one advanced selector ANDed. This module evaluates them, so
 * DDB-TRAIL-TAMPER reads the selectors instead of grepping them.
 */
#ifndef DDBTRAIL_SELECTORS_H
#define DDBTRAIL_SELECTORS_H

#include <stddef.h>

/* Evaluates the requestParameters JSON of a PutEventSelectors call (len
 * bytes). Returns 1 with a sentence in out saying what DynamoDB activity is
 * no longer logged ("DynamoDB data events are no longer logged", "only some
 * tables (a resources.ARN filter)", ...), 0 when DynamoDB data and management
 * events are all still logged, -1 when the JSON holds no selectors. */
int selectors_dynamodb_gap(const char *json, size_t len, char *out, size_t outlen);

#endif
