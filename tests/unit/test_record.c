/*
 * Unit tests for record: a record read back at its offset is exactly its
 * bytes, whatever its strings hold (braces, brackets, escaped quotes and
 * backslashes, \u escapes), plain or gzip, across the reader's chunks; an
 * embedded event is found from an offset inside its string; a wrong
 * offset, another event's id, a changed file and a cut file are refused.
 */
#include "record.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* The records of one file, each with the id record_read() must find. */
static const struct {
    const char *id, *json;
} recs[] = {
    {"r-1", "{\"eventID\":\"r-1\",\"eventName\":\"Scan\"}"},
    {"r-2", "{\"eventID\":\"r-2\",\"userAgent\":\"a } b { c ] [ \\\" } \\\\\"}"},
    {"r-3", "{\"eventID\":\"r-3\",\"requestParameters\":{\"k\":[1,{\"x\":\"}}\"},[]]},"
            "\"s\":\"\\u007d\\\\\\\"\"}"},
    {"r-4", "{ \"eventID\" : \"r-4\" , \"nested\" : { \"a\" : { \"b\" : [ ] } } }"},
};
#define NRECS (sizeof recs / sizeof recs[0])

/* Writes {"Records":[...]} (padded so that a record spans the reader's
 * 64 KiB chunks when pad) to path, gzip when gz; offsets[i] is where
 * record i starts, decompressed. */
static void write_file(const char *path, int gz, int pad, uint64_t offsets[NRECS])
{
    size_t cap = 300000, n = 0, i;
    char *text = malloc(cap);

    n += (size_t)snprintf(text + n, cap - n, "{\"Records\":[");
    if (pad) { /* a first record long enough to push the others over a chunk edge */
        n += (size_t)snprintf(text + n, cap - n, "{\"eventID\":\"pad\",\"p\":\"");
        memset(text + n, 'x', 65530);
        n += 65530;
        n += (size_t)snprintf(text + n, cap - n, "\"},");
    }
    for (i = 0; i < NRECS; i++) {
        offsets[i] = n;
        n += (size_t)snprintf(text + n, cap - n, "%s%s", recs[i].json, i + 1 < NRECS ? ",\n" : "");
    }
    n += (size_t)snprintf(text + n, cap - n, "]}");
    if (gz) {
        gzFile f = gzopen(path, "wb");
        gzwrite(f, text, (unsigned)n);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        fwrite(text, 1, n, f);
        fclose(f);
    }
    free(text);
}

static void each_form(int gz, int pad)
{
    char path[] = "/tmp/ddbtrail-record-XXXXXX", err[512];
    uint64_t off[NRECS];
    buffer out;
    size_t i;
    int fd = mkstemp(path);

    close(fd);
    write_file(path, gz, pad, off);
    buffer_init(&out, RECORD_MAX);
    for (i = 0; i < NRECS; i++) {
        int rc = record_read(path, off[i], -1, -1, recs[i].id, &out, err, sizeof err);
        CHECKF(rc == 0, "%s (gz %d, pad %d): %s", recs[i].id, gz, pad, err);
        CHECKF(out.len == strlen(recs[i].json) && memcmp(out.p, recs[i].json, out.len) == 0,
               "%s: got %.*s", recs[i].id, (int)out.len, out.p ? out.p : "");
    }
    /* another event's record at that offset, and no record at all */
    CHECK(record_read(path, off[1], -1, -1, "r-1", &out, err, sizeof err) == -1);
    CHECK(strstr(err, "another event's") != NULL);
    CHECK(out.len == 0);
    CHECK(record_read(path, off[0] + 3, -1, -1, NULL, &out, err, sizeof err) == -1);
    CHECK(record_read(path, 1u << 30, -1, -1, NULL, &out, err, sizeof err) == -1);
    CHECK(strstr(err, "end of file") != NULL);
    buffer_free(&out);
    unlink(path);
}

static void plain(void) { each_form(0, 0); }
static void gzipped(void) { each_form(1, 0); }
static void across_chunks(void) { each_form(0, 1); each_form(1, 1); }

/* A lookup-events item: the decoder places the event about where its string
 * began (its decoded length back from the end); the string is found. */
static void embedded(void)
{
    static const char page[] =
        "{\"Events\":[{\"EventId\":\"e-1\",\"CloudTrailEvent\":"
        "\"{\\\"eventID\\\":\\\"e-1\\\",\\\"userAgent\\\":\\\"q \\\\\\\" }\\\"}\"}]}";
    const char *str = strstr(page, "\"{");
    char path[] = "/tmp/ddbtrail-record-XXXXXX", err[512];
    buffer out;
    int fd = mkstemp(path);
    uint64_t inside = (uint64_t)(str - page) + 9;

    CHECK(write(fd, page, strlen(page)) == (ssize_t)strlen(page));
    close(fd);
    buffer_init(&out, RECORD_MAX);
    CHECKF(record_read(path, inside, -1, -1, "e-1", &out, err, sizeof err) == 0, "%s", err);
    CHECK(out.len > 2 && out.p[0] == '"' && out.p[out.len - 1] == '"');
    CHECK(strncmp(out.p, str, out.len) == 0);
    buffer_free(&out);
    unlink(path);
}

/* The store's size and mtime must still be the file's; stdin was never kept. */
static void changed_and_stdin(void)
{
    char path[] = "/tmp/ddbtrail-record-XXXXXX", err[512];
    uint64_t off[NRECS];
    struct stat st;
    buffer out;
    int fd = mkstemp(path);

    close(fd);
    write_file(path, 0, 0, off);
    stat(path, &st);
    buffer_init(&out, RECORD_MAX);
    CHECK(record_read(path, off[0], st.st_size, st.st_mtime, "r-1", &out, err, sizeof err) == 0);
    CHECK(record_read(path, off[0], st.st_size + 1, st.st_mtime, "r-1", &out, err,
                      sizeof err) == -1);
    CHECK(strstr(err, "changed since it was read") != NULL);
    CHECK(record_read("-", 0, -1, -1, NULL, &out, err, sizeof err) == -1);
    CHECK(strstr(err, "stdin") != NULL);
    CHECK(record_read("/nonexistent/x.json", 0, -1, -1, NULL, &out, err, sizeof err) == -1);
    CHECK(strstr(err, "/nonexistent/x.json") != NULL);
    truncate(path, (off_t)off[2] + 5);
    CHECK(record_read(path, off[2], -1, -1, "r-3", &out, err, sizeof err) == -1);
    buffer_free(&out);
    unlink(path);
}

/* A record deeper than the decoder keeps is refused, never handed to yajl. */
static void too_deep(void)
{
    char path[] = "/tmp/ddbtrail-record-XXXXXX", err[512], text[400];
    buffer out;
    int fd = mkstemp(path), i, n = 0;

    /* {"a":[[[...]]]} , RECORD_MAX_DEPTH + 5 levels in all */
    n = snprintf(text, sizeof text, "{\"a\":");
    for (i = 1; i < RECORD_MAX_DEPTH + 5; i++)
        text[n++] = '[';
    for (i = 1; i < RECORD_MAX_DEPTH + 5; i++)
        text[n++] = ']';
    text[n++] = '}';
    CHECK(write(fd, text, (size_t)n) == n);
    close(fd);
    buffer_init(&out, RECORD_MAX);
    CHECK(record_read(path, 0, -1, -1, NULL, &out, err, sizeof err) == -1);
    CHECKF(strstr(err, "deeper than") != NULL, "%s", err);
    buffer_free(&out);
    unlink(path);
}

const unit_test unit_record[] = {
    {"record_too_deep", too_deep},
    {"record_plain", plain},
    {"record_gzip", gzipped},
    {"record_across_chunks", across_chunks},
    {"record_embedded", embedded},
    {"record_changed_and_stdin", changed_and_stdin},
    {NULL, NULL},
};
