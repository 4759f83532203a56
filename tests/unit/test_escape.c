/*
 * Unit tests for escape: what each output path makes of hostile bytes. The
 * JSON path (escape_utf8) copies runs of valid characters at once, so the
 * cases put invalid bytes, NULs and truncated sequences at a run's start,
 * middle and end.
 */
#include "escape.h"
#include "unit.h"

#include <string.h>

#define R "\xef\xbf\xbd" /* U+FFFD, what an invalid byte becomes */

static void utf8(void)
{
    static const struct {
        const char *in;
        size_t n;
        const char *want;
    } cases[] = {
        {"", 0, ""},
        {"plain ascii", 11, "plain ascii"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", 14, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"},
        {"\xff" "abc", 4, R "abc"},
        {"ab\xffyz", 5, "ab" R "yz"},
        {"abc\xc3", 4, "abc" R},                     /* a sequence cut by the end */
        {"a\0b", 3, "a" R "b"},                      /* NUL inside a value */
        {"\xc0\xaf", 2, R R},                        /* overlong '/' */
        {"\xed\xa0\x80x", 4, R R R "x"},             /* a surrogate */
        {"\xe2\x82" "x\xe2\x82\xac", 6, R R "x\xe2\x82\xac"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buffer b;
        buffer_init(&b, 1024);
        CHECKF(escape_utf8(&b, cases[i].in, cases[i].n) == 0, "case %zu", i);
        CHECKF(b.len == strlen(cases[i].want) && memcmp(b.p ? b.p : "", cases[i].want, b.len) == 0,
               "case %zu: got %.*s", i, (int)b.len, b.p ? b.p : "");
        buffer_free(&b);
    }
}

/* the terminal and HTML escapers copy printable runs at once too: the bytes
 * that end a run must still be escaped */
static void others(void)
{
    static const struct {
        int (*fn)(buffer *, const char *, size_t);
        const char *in, *want;
    } cases[] = {
        {escape_term, "ok\x1b[31mred", "ok\\x1b[31mred"},
        {escape_term, "t\xe2\x80\xae" "ab", "t\\u202eab"},
        {escape_term, "del\x7f", "del\\x7f"},
        {escape_term, "caf\xc3\xa9", "caf\xc3\xa9"},
        {escape_html, "a<b>&\"c'd", "a&lt;b&gt;&amp;&quot;c&#39;d"},
        {escape_html, "x\x01y", "x" R "y"},
        {escape_csv, "plain", "plain"},
        {escape_csv, "=cmd", "\"'=cmd\""},
        {escape_csv, "a\x1b" "b", "a\\x1bb"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buffer b;
        buffer_init(&b, 1024);
        CHECKF(cases[i].fn(&b, cases[i].in, strlen(cases[i].in)) == 0, "case %zu", i);
        CHECKF(b.len == strlen(cases[i].want) && memcmp(b.p ? b.p : "", cases[i].want, b.len) == 0,
               "case %zu: got %.*s", i, (int)b.len, b.p ? b.p : "");
        buffer_free(&b);
    }
}

/* past the cap, the call fails (the caller's error) and nothing is half written beyond it */
static void capped(void)
{
    buffer b;

    buffer_init(&b, 8);
    CHECK(escape_utf8(&b, "12345678", 8) == 0);
    CHECK(escape_utf8(&b, "9", 1) != 0);
    CHECK(b.len == 8);
    buffer_free(&b);
}

const unit_test unit_escape[] = {
    {"escape_utf8", utf8},
    {"escape_utf8_capped", capped},
    {"escape_others", others},
    {NULL, NULL},
};
