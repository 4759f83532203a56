/*
 * Unit tests: PartiQL lookup-or-scan (partiql) and event-selector coverage (selectors).
 */
#include "partiql.h"
#include "selectors.h"
#include "unit.h"

#include <string.h>

static void partiql(void)
{
    static const struct {
        const char *stmt, *pk; /* pk NULL: key schema unknown */
        int bulk;
    } cases[] = {
        {"SELECT * FROM Music", NULL, 1},
        {"select * from \"Music\";", NULL, 1},
        {"SELECT * FROM Music WHERE Artist = 'Acme Band'", "Artist", 0},
        {"SELECT * FROM Music WHERE Artist=?", "Artist", 0},
        {"SELECT * FROM Music WHERE \"Artist\" = ? AND SongTitle = ?", "Artist", 0},
        {"SELECT * FROM Music WHERE Artist IN ('a', 'b')", "Artist", 0},
        {"SELECT * FROM Music WHERE (Artist = 'a')", "Artist", 0},
        {"SELECT * FROM Music WHERE Artist = 'a' OR 1 = 1", "Artist", 1},
        {"SELECT * FROM Music WHERE attribute_exists(Artist)", "Artist", 1},
        {"SELECT * FROM Music WHERE begins_with(Artist, 'A')", "Artist", 1},
        {"SELECT * FROM Music WHERE Artist <> 'x'", "Artist", 1},
        {"SELECT * FROM Music WHERE NOT Artist = 'x'", "Artist", 1},
        {"SELECT * FROM Music WHERE Year = 2020", "Artist", 1},   /* not the key */
        {"SELECT * FROM Music WHERE Year = 2020", NULL, 0},       /* unknown key: an equality */
        {"SELECT * FROM Music WHERE Artist = Artist", NULL, 1},   /* always true */
        {"SELECT * FROM Music WHERE 1 = 1", NULL, 1},
        {"SELECT * FROM Music WHERE Artist IN (Artist)", NULL, 1},
        {"SELECT * FROM Music WHERE Year BETWEEN 1 AND 2", NULL, 1},
        {"SELECT * FROM Music WHERE (Artist = 'a' OR Artist = 'b')", "Artist", 1},
        {"UPDATE Music SET x = 1 WHERE Artist = 'a'", NULL, 0},  /* not a read */
        {"INSERT INTO Music VALUE {'Artist':'a'}", NULL, 0},
        {"", NULL, 0},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *pk = cases[i].pk;
        int r = partiql_is_bulk(cases[i].stmt, strlen(cases[i].stmt), pk, pk ? strlen(pk) : 0);
        CHECKF(r == cases[i].bulk, "%s (pk %s): got %d", cases[i].stmt, pk ? pk : "?", r);
    }
}

static void selectors(void)
{
    static const struct {
        const char *json;
        int rc;
        const char *says; /* a substring of the sentence, or NULL */
    } cases[] = {
        /* everything: basic selector with all tables */
        {"{\"eventSelectors\":[{\"readWriteType\":\"All\",\"includeManagementEvents\":true,"
         "\"dataResources\":[{\"type\":\"AWS::DynamoDB::Table\",\"values\":[\"arn:aws:dynamodb\"]}]}]}",
         0, NULL},
        /* only S3 data events */
        {"{\"eventSelectors\":[{\"readWriteType\":\"All\",\"includeManagementEvents\":true,"
         "\"dataResources\":[{\"type\":\"AWS::S3::Object\",\"values\":[\"arn:aws:s3\"]}]}]}",
         1, "data events are no longer logged"},
        {"{\"eventSelectors\":[{\"readWriteType\":\"WriteOnly\",\"includeManagementEvents\":true,"
         "\"dataResources\":[{\"type\":\"AWS::DynamoDB::Table\",\"values\":[\"arn:aws:dynamodb\"]}]}]}",
         1, "reads are no longer logged"},
        {"{\"eventSelectors\":[{\"readWriteType\":\"All\",\"includeManagementEvents\":true,"
         "\"dataResources\":[{\"type\":\"AWS::DynamoDB::Table\","
         "\"values\":[\"arn:aws:dynamodb:eu-west-1:111122223333:table/decoy\"]}]}]}",
         1, "only some tables"},
        {"{\"eventSelectors\":[{\"readWriteType\":\"All\",\"includeManagementEvents\":false,"
         "\"dataResources\":[{\"type\":\"AWS::DynamoDB::Table\",\"values\":[\"arn:aws:dynamodb\"]}]}]}",
         1, "management events are excluded"},
        /* advanced: management + all DynamoDB data */
        {"{\"advancedEventSelectors\":[{\"name\":\"m\",\"fieldSelectors\":[{\"field\":\"eventCategory\","
         "\"equals\":[\"Management\"]}]},{\"name\":\"d\",\"fieldSelectors\":[{\"field\":"
         "\"eventCategory\",\"equals\":[\"Data\"]},{\"field\":\"resources.type\",\"equals\":"
         "[\"AWS::DynamoDB::Table\"]}]}]}",
         0, NULL},
        {"{\"advancedEventSelectors\":[{\"name\":\"m\",\"fieldSelectors\":[{\"field\":\"eventCategory\","
         "\"equals\":[\"Management\"]}]},{\"name\":\"d\",\"fieldSelectors\":[{\"field\":"
         "\"eventCategory\",\"equals\":[\"Data\"]},{\"field\":\"resources.type\",\"equals\":"
         "[\"AWS::DynamoDB::Table\"]},{\"field\":\"resources.ARN\",\"startsWith\":[\"arn:aws:dynamodb\"]}]}]}",
         0, NULL},
        {"{\"advancedEventSelectors\":[{\"name\":\"m\",\"fieldSelectors\":[{\"field\":\"eventCategory\","
         "\"equals\":[\"Management\"]}]},{\"name\":\"d\",\"fieldSelectors\":[{\"field\":"
         "\"eventCategory\",\"equals\":[\"Data\"]},{\"field\":\"resources.type\",\"equals\":"
         "[\"AWS::DynamoDB::Table\"]},{\"field\":\"readOnly\",\"equals\":[\"false\"]}]}]}",
         1, "reads are no longer logged"},
        {"{\"advancedEventSelectors\":[{\"name\":\"m\",\"fieldSelectors\":[{\"field\":\"eventCategory\","
         "\"equals\":[\"Management\"]}]},{\"name\":\"d\",\"fieldSelectors\":[{\"field\":"
         "\"eventCategory\",\"equals\":[\"Data\"]},{\"field\":\"resources.type\",\"equals\":"
         "[\"AWS::DynamoDB::Table\"]},{\"field\":\"eventName\",\"notEquals\":[\"Scan\"]}]}]}",
         1, "some event names excluded"},
        {"{\"advancedEventSelectors\":[{\"name\":\"m\",\"fieldSelectors\":[{\"field\":\"eventCategory\","
         "\"equals\":[\"Management\"]},{\"field\":\"eventSource\",\"notEquals\":"
         "[\"dynamodb.amazonaws.com\"]}]},{\"name\":\"d\",\"fieldSelectors\":[{\"field\":"
         "\"eventCategory\",\"equals\":[\"Data\"]},{\"field\":\"resources.type\",\"equals\":"
         "[\"AWS::DynamoDB::Table\"]}]}]}",
         1, "management events are excluded"},
        {"{\"advancedEventSelectors\":[{\"name\":\"d\",\"fieldSelectors\":[{\"field\":"
         "\"eventCategory\",\"equals\":[\"Data\"]},{\"field\":\"resources.type\",\"equals\":"
         "[\"AWS::S3::Object\"]}]}]}",
         1, "data events are no longer logged"},
        {"{\"trailName\":\"t\"}", -1, NULL},
        {"not json", -1, NULL},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[512];
        int r = selectors_dynamodb_gap(cases[i].json, strlen(cases[i].json), out, sizeof out);
        CHECKF(r == cases[i].rc, "case %zu: got %d (%s)", i, r, out);
        CHECKF(cases[i].says == NULL || strstr(out, cases[i].says) != NULL,
               "case %zu: '%s' lacks '%s'", i, out, cases[i].says);
    }
}

const unit_test unit_partiql[] = {
    {"partiql_partiql", partiql},
    {"selectors_selectors", selectors},
    {NULL, NULL},
};
