/*
 * gencorpus: writes a deterministic synthetic CloudTrail corpus for
 * `make bench`, in the S3 layout, as gzip files of 2 000 events.
 *
 *   gencorpus DIR EVENTS [SEED]
 *   gencorpus - EVENTS [SEED]      the same events as plain JSON on stdout
 *   gencorpus DIR EVENTS SEED flood   every other event a Scan by the leaked key
 *   gencorpus DIR EVENTS SEED noisy   every fourth event a CreateTable without
 *                                     safeguards by one role (one alert each)
 *   gencorpus DIR EVENTS SEED org     an organisation trail's mix: 10 % DynamoDB
 *                                     data, 10 % management, 80 % other services
 *
 * Mix: 50 % DynamoDB data events, 10 % DynamoDB management events, 40 %
 * other services; assumed roles and IAM users, IPv4 and IPv6, VPC
 * endpoints, several tables and regions, and an attack burst (a leaked
 * key mass-scanning from a public IP) every 100 000 events so the rules
 * have work. About 1.35 KB of JSON per event. Same seed, same bytes. The
 * flood variant is the worst case for windowed rules: one principal with
 * tens of thousands of calls inside every window. The noisy variant is the
 * worst case for triage: one rule firing on a quarter of the events, all of
 * one actor, so that novelty and incidents see tens of thousands of alerts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#define PER_FILE 2000

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*: small, fast, and identical on every platform */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static unsigned pick(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static const char *const tables[] = {"orders", "customers", "payments", "inventory", "sessions",
                                     "carts", "audit-log", "products", "reviews", "shipments"};
static const char *const regions[] = {"eu-west-1", "eu-west-1", "eu-west-1", "eu-central-1"};
static const char *const data_ops[] = {"GetItem", "GetItem", "Query", "Query", "PutItem",
                                       "UpdateItem", "DeleteItem", "BatchWriteItem"};
static const char *const mgmt_ops[] = {"DescribeTable", "ListTables", "DescribeTimeToLive",
                                       "ListTagsOfResource", "DescribeContinuousBackups",
                                       "UpdateTable"};
static const char *const other_ops[][2] = {
    {"s3.amazonaws.com", "GetObject"},         {"sts.amazonaws.com", "AssumeRole"},
    {"ec2.amazonaws.com", "DescribeInstances"}, {"kms.amazonaws.com", "Decrypt"},
    {"lambda.amazonaws.com", "Invoke"},        {"logs.amazonaws.com", "PutLogEvents"},
    {"sqs.amazonaws.com", "ReceiveMessage"},   {"iam.amazonaws.com", "GetRole"}};
static const char *const roles[] = {"orders-app-role", "inventory-svc", "checkout-api",
                                    "payments-api", "github-ci-deploy", "analytics-etl"};

static void hex(char *out, int n)
{
    static const char h[] = "0123456789abcdef";
    int i;

    for (i = 0; i < n; i++)
        out[i] = h[pick(16)];
    out[n] = '\0';
}

static void uuid(char *out)
{
    char h[33];

    hex(h, 32);
    sprintf(out, "%.8s-%.4s-4%.3s-a%.3s-%.12s", h, h + 8, h + 12, h + 15, h + 18);
}

static void ip(char *out, int public)
{
    if (!public)
        sprintf(out, "10.%u.%u.%u", pick(4), pick(256), 1 + pick(250));
    else if (pick(5) == 0) /* a few dozen developer and partner addresses */
        sprintf(out, "2a05:d018:1f2e:%x::%x", pick(4), 1 + pick(8));
    else
        sprintf(out, "%u.%u.17.%u", 52 + pick(3), 90 + pick(4), 1 + pick(8));
}

/* Appends one event to buf; returns its length. */
static int event(char *buf, long long ts, int kind, int attack)
{
    char id[40], req[40], k[24], addr[48], vpce[64] = "", when[32], tail[1100], uid[700];
    const char *table = tables[pick(10)], *region = attack ? "eu-west-1" : regions[pick(4)];
    const char *src = "dynamodb.amazonaws.com", *name;
    int n, is_data = kind == 0, mgmt = !is_data, readonly, iam = attack || pick(25) == 0;
    int pub = iam; /* roles come through the VPC endpoint; the legacy user does not */
    time_t t = (time_t)ts;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    uuid(id);
    hex(req, 32);
    if (kind == 2) {
        unsigned o = pick(8);
        src = other_ops[o][0];
        name = other_ops[o][1];
        is_data = 0;
    } else if (attack) {
        name = "Scan";
        is_data = 1;
        mgmt = 0;
    } else {
        name = is_data ? data_ops[pick(8)] : mgmt_ops[pick(6)];
    }
    readonly = strncmp(name, "Get", 3) == 0 || strncmp(name, "Describe", 8) == 0 ||
               strncmp(name, "List", 4) == 0 || strcmp(name, "Query") == 0 ||
               strcmp(name, "Scan") == 0 || strcmp(name, "Decrypt") == 0;
    ip(addr, pub);
    if (!pub && kind != 2)
        sprintf(vpce, "\"vpcEndpointId\":\"vpce-0a1b2c3d4e5f6%04x\",", pick(4));
    if (iam) {
        strcpy(k, pick(2) ? "AKIAEXAMPLELEGACY001" : "AKIAEXAMPLELEGACY002");
        sprintf(uid, "{\"type\":\"IAMUser\",\"principalId\":\"AIDA%s\",\"arn\":\"arn:aws:iam::"
                     "111122223333:user/%s\",\"accountId\":\"111122223333\",\"accessKeyId\":\"%s\","
                     "\"userName\":\"%s\"}",
                k + 4, attack ? "svc-reporting" : "legacy-batch", attack ? "AKIA5Q3EXAMPLELEAKED" : k,
                attack ? "svc-reporting" : "legacy-batch");
    } else {
        const char *role = roles[pick(6)];
        unsigned session = pick(16); /* a pool of instances per role, each with its key */
        sprintf(k, "ASIAEXAMPLE%02u%07u", session, (unsigned)(role - roles[0]) % 9999999);
        char sess[24];
        sprintf(sess, "%08x%04x", session * 2654435761u, (unsigned)(role - roles[0]));
        sprintf(uid, "{\"type\":\"AssumedRole\",\"principalId\":\"AROA%s:i-0%s\",\"arn\":\"arn:aws:"
                     "sts::111122223333:assumed-role/%s/i-0%.12s\",\"accountId\":\"111122223333\","
                     "\"accessKeyId\":\"%s\",\"sessionContext\":{\"sessionIssuer\":{\"type\":"
                     "\"Role\",\"principalId\":\"AROA%s\",\"arn\":\"arn:aws:iam::111122223333:"
                     "role/%s\",\"accountId\":\"111122223333\",\"userName\":\"%s\"},"
                     "\"webIdFederationData\":{},\"attributes\":{\"creationDate\":\"%s\","
                     "\"mfaAuthenticated\":\"false\"}}}",
                k + 4, sess, role, sess, k, k + 4, role, role, when);
    }
    if (kind == 2)
        sprintf(tail, "\"requestParameters\":{\"bucketName\":\"acme-data-%u\",\"key\":\"obj/%s\"},"
                      "\"responseElements\":null,",
                pick(50), req);
    else
        sprintf(tail, "\"requestParameters\":{\"tableName\":\"%s\",\"key\":{\"pk\":{\"S\":\"%s\"},"
                      "\"sk\":{\"S\":\"%.16s\"}},\"consistentRead\":"
                      "%s},\"responseElements\":null,\"resources\":[{\"accountId\":\"111122223333\","
                      "\"type\":\"AWS::DynamoDB::Table\",\"ARN\":\"arn:aws:dynamodb:%s:111122223333:"
                      "table/%s\"}],",
                table, req, id, pick(2) ? "true" : "false", region, table);
    n = sprintf(buf,
                "{\"eventVersion\":\"1.09\",\"userIdentity\":%s,\"eventTime\":\"%s\","
                "\"eventSource\":\"%s\",\"eventName\":\"%s\",\"awsRegion\":\"%s\","
                "\"sourceIPAddress\":\"%s\",\"userAgent\":\"%s\",%s\"requestID\":\"%s\","
                "\"eventID\":\"%s\",\"readOnly\":%s,\"eventType\":\"AwsApiCall\","
                "\"apiVersion\":\"2012-08-10\",\"managementEvent\":%s,\"recipientAccountId\":"
                "\"111122223333\",%s\"eventCategory\":\"%s\",\"sessionCredentialFromConsole\":"
                "false,\"tlsHost\":\"dynamodb.%s.amazonaws.com\"}",
                uid, when, src, name, region, addr,
                attack ? "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023"
                       : "aws-sdk-java/2.25.10 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_"
                         "Server_VM/17.0.11+9-LTS Java/17.0.11 io/sync http/Apache",
                tail, req, id, readonly ? "true" : "false", mgmt ? "true" : "false", vpce,
                is_data ? "Data" : "Management", region);
    return n;
}

/* Appends one CreateTable by the table-factory role, without deletion
 * protection or point-in-time recovery; returns its length. */
static int create_table(char *buf, long long ts, long long n)
{
    char id[40], when[32];
    time_t t = (time_t)ts;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    uuid(id);
    return sprintf(buf,
                   "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"AssumedRole\","
                   "\"principalId\":\"AROAEXAMPLEFACTORY:ci\",\"arn\":\"arn:aws:sts::111122223333:"
                   "assumed-role/table-factory/ci\",\"accountId\":\"111122223333\","
                   "\"accessKeyId\":\"ASIAEXAMPLEFACTORY01\",\"sessionContext\":{\"sessionIssuer\":"
                   "{\"type\":\"Role\",\"principalId\":\"AROAEXAMPLEFACTORY\",\"arn\":\"arn:aws:iam::"
                   "111122223333:role/table-factory\",\"accountId\":\"111122223333\",\"userName\":"
                   "\"table-factory\"}}},\"eventTime\":\"%s\",\"eventSource\":"
                   "\"dynamodb.amazonaws.com\",\"eventName\":\"CreateTable\",\"awsRegion\":"
                   "\"eu-west-1\",\"sourceIPAddress\":\"10.0.3.7\",\"userAgent\":\"aws-sdk-go-v2/1.30.3\","
                   "\"requestParameters\":{\"tableName\":\"tmp-%lld\",\"billingMode\":"
                   "\"PAY_PER_REQUEST\"},\"responseElements\":null,\"requestID\":\"%.32s\","
                   "\"eventID\":\"%s\",\"readOnly\":false,\"eventType\":\"AwsApiCall\","
                   "\"managementEvent\":true,\"recipientAccountId\":\"111122223333\","
                   "\"eventCategory\":\"Management\"}",
                   when, n, id, id);
}

static int mkdirs(const char *path)
{
    char tmp[4096];
    char *p;

    snprintf(tmp, sizeof tmp, "%s", path);
    for (p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int main(int argc, char **argv)
{
    long long n, i, ts = 1793491200; /* 2026-11-01T00:00:00Z */
    static char ev[8192];
    char dir[4096], path[4200];
    gzFile gz = NULL;
    long long file_no = 0;
    int flood = argc > 4 && strcmp(argv[4], "flood") == 0;
    int noisy = argc > 4 && strcmp(argv[4], "noisy") == 0;
    int org = argc > 4 && strcmp(argv[4], "org") == 0;

    if (argc < 3) {
        fprintf(stderr, "usage: gencorpus DIR|- EVENTS [SEED [flood|noisy|org]]\n");
        return 2;
    }
    n = atoll(argv[2]);
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 20261125;
    if (strcmp(argv[1], "-") == 0) {
        gz = gzdopen(1, "wT"); /* 'T': transparent, no compression */
        if (gz == NULL)
            return 1;
    }
    for (i = 0; i < n; i++) {
        int kind, attack, len;
        unsigned r = pick(10);
        if (i % PER_FILE == 0 && strcmp(argv[1], "-") == 0) {
            if (i)
                gzputs(gz, "]}\n");
            gzputs(gz, "{\"Records\":[");
        } else if (i % PER_FILE == 0) {
            time_t t = (time_t)ts;
            struct tm tm;
            if (gz) {
                gzputs(gz, "]}");
                gzclose(gz);
            }
            gmtime_r(&t, &tm);
            snprintf(dir, sizeof dir, "%s/AWSLogs/111122223333/CloudTrail/eu-west-1/%04d/%02d/%02d",
                     argv[1], tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
            if (mkdirs(dir) != 0) {
                perror(dir);
                return 1;
            }
            snprintf(path, sizeof path, "%s/111122223333_CloudTrail_eu-west-1_%04d%02d%02dT%02d%02dZ_%06lld.json.gz",
                     dir, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     file_no++);
            gz = gzopen(path, "wb6");
            if (gz == NULL) {
                perror(path);
                return 1;
            }
            gzputs(gz, "{\"Records\":[");
        }
        attack = flood ? i % 2 == 0 : (i % 100000) >= 50000 && (i % 100000) < 50200;
        kind = org ? (r < 1 ? 0 : r < 2 ? 1 : 2) : (r < 5 ? 0 : r < 6 ? 1 : 2);
        len = noisy && i % 4 == 3 ? create_table(ev, ts, i) : event(ev, ts, attack ? 0 : kind, attack);
        if (i % PER_FILE)
            gzputc(gz, ',');
        gzwrite(gz, ev, (unsigned)len);
        ts += attack ? 3 : 1 + pick(4);
    }
    if (gz) {
        gzputs(gz, "]}");
        gzclose(gz);
    }
    return 0;
}
