/*
 * Unit tests for skimming (skim.h): every case is decoded twice, skimming
 * and with yajl reading every byte (skim_oracle.h), in several chunk sizes,
 * and the two must tell the caller the same thing. Each case also says how
 * many records the skimmer may pass over, so that a skimmer that vouches
 * for nothing fails too. Then the same over whole files: the detection
 * fixtures, the sample logs and, when ../shared is there, AWS's published
 * records.
 */
#include "reader.h"
#include "skim.h"
#include "skim_oracle.h"
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

/* An unwanted record with CloudTrail's own key order (userIdentity first). */
#define UID "\"userIdentity\":{\"type\":\"AssumedRole\"," \
            "\"arn\":\"arn:aws:sts::1:assumed-role/r/s\"," \
            "\"sessionContext\":{\"attributes\":{\"mfaAuthenticated\":\"false\"}," \
            "\"sessionIssuer\":{\"arn\":\"arn:aws:iam::1:role/r\"}}}"
#define S3 "\"eventTime\":\"2026-11-12T02:00:00Z\",\"eventSource\":\"s3.amazonaws.com\"," \
           "\"eventName\":\"GetObject\",\"recipientAccountId\":\"1\""
#define REC(id, rest) "{\"eventVersion\":\"1.09\"," UID ",\"eventID\":\"" id "\"," S3 rest "}"

struct skim_case {
    const char *name;
    const char *input;
    int skimmed; /* records the skimmer passes over, input fed whole */
};

static const struct skim_case cases[] = {
    {"unwanted", "{\"Records\":[" REC("a", "") "," REC("b", ",\"requestParameters\":"
                 "{\"bucketName\":\"x\",\"n\":[1,-0.5,2e10,true,false,null]}") "]}", 2},
    {"top-level array", "[" REC("a", "") ",\n " REC("b", "") "]", 2},
    {"wanted", "{\"Records\":[{\"eventID\":\"a\",\"eventTime\":\"t\",\"eventSource\":"
               "\"dynamodb.amazonaws.com\",\"eventName\":\"Scan\"}]}", 0},
    {"wanted by name", "{\"Records\":[{\"eventID\":\"a\",\"eventTime\":\"t\",\"eventSource\":"
                       "\"sts.amazonaws.com\",\"eventName\":\"AssumeRole\"}]}", 0},
    /* an attacker who read the skimmer: the same service spelt with escapes */
    {"escaped source", "{\"Records\":[{\"eventID\":\"a\",\"eventTime\":\"t\",\"eventSource\":"
                       "\"\\u0064ynamodb.amazonaws.com\",\"eventName\":\"Scan\"}]}", 0},
    {"escaped key", "{\"Records\":[{\"eventID\":\"a\",\"eventTime\":\"t\",\"event\\u0053ource\":"
                    "\"dynamodb.amazonaws.com\",\"eventName\":\"Scan\"}]}", 0},
    {"decoy before the source", "{\"Records\":[{\"eventID\":\"a\",\"eventTime\":\"t\","
     "\"requestParameters\":{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"x\"},"
     "\"eventSource\":\"dynamodb.amazonaws.com\",\"eventName\":\"Scan\"}]}", 0},
    {"decoy in a string", "{\"Records\":[{\"eventID\":\"a\",\"eventTime\":\"t\",\"userAgent\":"
     "\"\\\"eventSource\\\":\\\"s3.amazonaws.com\\\",\",\"eventSource\":"
     "\"dynamodb.amazonaws.com\",\"eventName\":\"Scan\"}]}", 0},
    {"escaped recipient", "{\"Records\":[" REC("a", ",\"x\":1") "," "{\"eventID\":\"b\","
     "\"eventTime\":\"t\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\","
     "\"recipientAccountId\":\"\\u0031\"}]}", 1},
    {"escape in an untyped value", "{\"Records\":[" REC("a", ",\"errorMessage\":\"a\\\"b\\n\","
     "\"x\":\"\\u00e9\\/\"") "]}", 1},
    /* records a full parse rejects: never skimmed, same reject */
    {"wrong type", "{\"Records\":[{\"eventID\":\"a\",\"eventTime\":\"t\",\"eventSource\":"
                   "\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"userIdentity\":"
                   "{\"type\":5}}]}", 0},
    {"name a boolean", "{\"Records\":[{\"eventID\":\"a\",\"eventTime\":\"t\",\"eventSource\":"
                       "\"s3.amazonaws.com\",\"eventName\":true}]}", 0},
    {"duplicate name", "{\"Records\":[" REC("a", ",\"eventName\":\"PutObject\"") "]}", 0},
    {"duplicate loose", "{\"Records\":[" REC("a", ",\"requestParameters\":{\"tableName\":\"x\","
                        "\"tableName\":\"y\"}") "]}", 0},
    {"duplicate across contexts", "{\"Records\":[" REC("a", ",\"requestParameters\":{"
     "\"targetTableName\":\"x\",\"tableCreationParameters\":{\"tableName\":\"y\"}}") "]}", 0},
    {"resources an object", "{\"Records\":[" REC("a", ",\"resources\":{}") "]}", 0},
    {"user identity a string", "{\"Records\":[{\"eventID\":\"a\",\"eventTime\":\"t\","
     "\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"x\",\"userIdentity\":\"u\"}]}", 0},
    {"missing time", "{\"Records\":[{\"eventID\":\"a\",\"eventSource\":\"s3.amazonaws.com\","
                     "\"eventName\":\"GetObject\"}]}", 0},
    {"resources fine", "{\"Records\":[" REC("a", ",\"resources\":[{\"ARN\":\"x\",\"type\":\"y\"},"
                       "{\"ARN\":\"z\"},[],3]") "]}", 1},
    {"bool as string", "{\"Records\":[" REC("a", ",\"readOnly\":\"yes\",\"managementEvent\":true")
                       "]}", 1},
    /* invalid JSON inside an unwanted record: yajl's message and offset */
    {"bad literal", "{\"Records\":[" REC("a", ",\"x\":tru") "]}", 0},
    {"bad number", "{\"Records\":[" REC("a", ",\"x\":01") "]}", 0},
    {"control byte", "{\"Records\":[" REC("a", ",\"x\":\"a\tb\"") "]}", 0},
    {"bad escape", "{\"Records\":[" REC("a", ",\"x\":\"\\q\"") "]}", 0},
    {"vertical tab", "{\"Records\":[" REC("a", ",\"x\":\v1") "]}", 0},
    {"bytes past ASCII", "{\"Records\":[" REC("a", ",\"x\":\"\xff\xc3(\"") "]}", 1},
    {"truncated", "{\"Records\":[" REC("a", "") ",{\"eventID\":\"b\"", 1},
    {"no comma", "{\"Records\":[" REC("a", "") REC("b", "") "]}", 1},
    {"trailing comma", "{\"Records\":[" REC("a", "") ",]}", 1},
    {"records twice", "{\"Records\":[" REC("a", "") "]}\n{\"Records\":[" REC("b", "") "]}", 2},
    /* a first line that may yet be JSON Lines is read whole unless it opens as
     * CloudTrail's files do: how yajl fails on it decides what comes next */
    {"other arrays first", "{\"x\":[[{\"eventSource\":\"s3\"}]],\"Records\":[" REC("a", "") "]}",
     0},
    {"header on its own line", "{\n \"Records\" : [\n" REC("a", "") "]}", 1},
    {"bad first line", "{\"Reco\0s\": [\n" REC("a", "") "]}\n" REC("b", "") "\n", 0},
    {"newline in the first key", "{\"\n Records\": [\n" REC("a", "") "]}\n", 0},
    {"not an object", "{\"Records\":[1,\"x\"," REC("a", "") ",[]]}", 1},
    {"JSON Lines", REC("a", "") "\n" REC("b", "") "\n", 0},
    {"lookup-events", "{\"Events\":[{\"EventId\":\"a\",\"CloudTrailEvent\":\"{}\"}]}", 0},
    {NULL, NULL, 0},
};

static void agree(const char *name, const unsigned char *p, size_t n, uint64_t *skimmed_whole)
{
    static const size_t steps[] = {0, 1, 3, 17, 4096};
    char diff[512];
    size_t k;

    for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        uint64_t skimmed = 0;
        CHECKF(oracle_compare(p, n, steps[k], &skimmed, diff, sizeof diff) == 0,
               "%s, chunks of %zu: %s", name, steps[k], diff);
        if (k == 0 && skimmed_whole)
            *skimmed_whole = skimmed;
    }
}

static void skim_cases(void)
{
    const struct skim_case *c;

    for (c = cases; c->name; c++) {
        uint64_t skimmed = 0;
        agree(c->name, (const unsigned char *)c->input, strlen(c->input), &skimmed);
        CHECKF(skimmed == (uint64_t)c->skimmed, "%s: %llu skimmed, expected %d", c->name,
               (unsigned long long)skimmed, c->skimmed);
    }
}

/* Nesting a full parse rejects ("nested deeper than 64 levels") is never skimmed. */
static void skim_depth(void)
{
    char buf[2048];
    int levels[] = {55, 59, 60, 61, 62, 70}, k, i;

    for (k = 0; k < 6; k++) {
        size_t n = 0;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "{\"Records\":[" REC("a", ",\"x\":"));
        for (i = 0; i < levels[k]; i++)
            buf[n++] = '[';
        for (i = 0; i < levels[k]; i++)
            buf[n++] = ']';
        n += (size_t)snprintf(buf + n, sizeof buf - n, "}]}");
        agree("depth", (const unsigned char *)buf, n, NULL);
    }
}

/* The whole of one file (gzip or not) into *out; 0 on success. */
static int slurp(const char *path, unsigned char **out, size_t *len)
{
    char err[256];
    int fd = open(path, O_RDONLY);
    reader *z;
    size_t cap = 1 << 16;
    ssize_t got;

    *len = 0;
    *out = NULL;
    if (fd < 0)
        return -1;
    z = reader_new(fd);
    *out = malloc(cap);
    while (z && *out && (got = reader_read(z, *out + *len, cap - *len, err, sizeof err)) > 0) {
        *len += (size_t)got;
        if (*len == cap) {
            unsigned char *p = realloc(*out, cap * 2);
            if (p == NULL)
                break;
            *out = p;
            cap *= 2;
        }
    }
    reader_free(z);
    close(fd);
    return *out ? 0 : -1;
}

/* Every file below dir whose name ends in suffix: agreement, and counts. */
static void agree_tree(const char *dir, const char *suffix, uint64_t *files, uint64_t *skimmed)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[1024];
        size_t nl = strlen(e->d_name), sl = strlen(suffix);
        unsigned char *p;
        size_t n;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_type == DT_DIR) {
            agree_tree(path, suffix, files, skimmed);
            continue;
        }
        if (nl < sl || strcmp(e->d_name + nl - sl, suffix) != 0 || slurp(path, &p, &n) != 0)
            continue;
        {
            uint64_t s = 0;
            char diff[512];
            CHECKF(oracle_compare(p, n, 0, &s, diff, sizeof diff) == 0, "%s: %s", path, diff);
            CHECKF(oracle_compare(p, n, 1000, NULL, diff, sizeof diff) == 0, "%s, chunks of 1000: "
                   "%s", path, diff);
            *skimmed += s;
        }
        (*files)++;
        free(p);
    }
    closedir(d);
}

static void skim_files(void)
{
    uint64_t files = 0, skimmed = 0;

    agree_tree("tests/detections", ".json", &files, &skimmed);
    agree_tree("sample-logs/AWSLogs", ".json.gz", &files, &skimmed);
    CHECKF(files > 50 && skimmed > 0, "%llu files, %llu skimmed", (unsigned long long)files,
           (unsigned long long)skimmed);
    fprintf(stderr, "  skim_files: %llu fixture and sample files agree, %llu records skimmed\n",
            (unsigned long long)files, (unsigned long long)skimmed);
    files = skimmed = 0;
    agree_tree("../shared/real-logs", ".json", &files, &skimmed);
    if (files)
        fprintf(stderr, "  skim_files: %llu of AWS's published files agree, %llu records "
                "skimmed\n", (unsigned long long)files, (unsigned long long)skimmed);
    else
        fprintf(stderr, "  skim_files: ../shared/real-logs absent, AWS's records not compared\n");
}

const unit_test unit_skim[] = {
    {"skim_cases", skim_cases},
    {"skim_depth", skim_depth},
    {"skim_files", skim_files},
    {NULL, NULL},
};
