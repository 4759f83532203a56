/*
 * skim: record boundaries and a strict record validator (see skim.h).
 *
 * Both halves err on one side only. skim_scan() follows JSON's lexical
 * structure exactly for any input yajl accepts, and on input it does not the
 * stream fails in yajl anyway. skim_walk() accepts less than yajl does; each
 * refusal just means the decoder hands the record to yajl after all.
 */
#include "skim.h"

#include <string.h>

#define SKIM_MAX_DEPTH 64 /* containers skim_walk() tracks; schemas ask for fewer */

/* How many backslashes stand just before s[k], not counting any before s[from]:
 * an odd run escapes the byte at s[k]. */
static size_t backslashes(const unsigned char *s, size_t from, size_t k)
{
    size_t run = 0;

    while (k - run > from && s[k - run - 1] == '\\')
        run++;
    return run;
}

size_t skim_scan(skim_lex *lx, const unsigned char *s, size_t n, enum skim_stop stop,
                 uint32_t at)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];

        if (lx->in_str) {
            const unsigned char *q;
            size_t k, run;

            if (lx->esc) {
                lx->esc = 0;
                i++;
                continue;
            }
            /* most bytes are inside strings: jump quote to quote (memchr is
             * vectorised); a quote ends the string unless an odd run of
             * backslashes stands before it */
            q = memchr(s + i, '"', n - i);
            k = q ? (size_t)(q - s) : n;
            run = backslashes(s, i, k);
            if (q == NULL) {
                lx->esc = run & 1; /* the chunk ends on an escaping backslash */
                return n;
            }
            i = k + 1;
            if (!(run & 1))
                lx->in_str = 0;
            continue;
        }
        switch (c) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            i++;
            continue;
        case '"':
            lx->in_str = 1;
            break;
        case '{':
            /* an element starts after the array's '[' or a ','; anything else
             * there is a syntax error yajl will report */
            if (stop == SKIM_TO_RECORD && lx->depth == at && (lx->last == '[' || lx->last == ','))
                return i;
            lx->depth++;
            break;
        case '[':
            lx->depth++;
            if (stop == SKIM_TO_ARRAY && lx->depth <= at) {
                lx->last = c;
                return i + 1;
            }
            break;
        case '}':
        case ']':
            if (lx->depth > 0)
                lx->depth--;
            if ((stop == SKIM_TO_DEPTH && lx->depth == at) ||
                (stop == SKIM_TO_RECORD && lx->depth < at)) {
                lx->last = c;
                return i + 1;
            }
            break;
        default:
            break;
        }
        lx->last = c;
        i++;
    }
    return n;
}

/* The index of the quote closing the string whose body starts at s[i], or
 * 0 when it does not close within n. */
static size_t close_quote(const unsigned char *s, size_t n, size_t i)
{
    for (;;) {
        const unsigned char *q = memchr(s + i, '"', n - i);
        size_t k, run;

        if (q == NULL)
            return 0;
        k = (size_t)(q - s);
        run = backslashes(s, i, k);
        if (!(run & 1))
            return k;
        i = k + 1;
    }
}

size_t skim_extent(const unsigned char *s, size_t n)
{
    uint32_t depth = 0;
    size_t i = 0;

    if (n == 0 || (s[0] != '{' && s[0] != '['))
        return 0;
    if (n > SKIM_MAX_RECORD)
        n = SKIM_MAX_RECORD;
    while (i < n) {
        switch (s[i]) {
        case '"':
            if ((i = close_quote(s, n, i + 1)) == 0)
                return 0;
            break;
        case '{':
        case '[':
            depth++;
            break;
        case '}':
        case ']':
            if (--depth == 0)
                return i + 1;
            break;
        default:
            break;
        }
        i++;
    }
    return 0;
}

/* Bytes a string's body may hold as they are: not a quote, not a
 * backslash, not a control byte (yajl refuses those). */
#define PLAIN16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* '"' */
    PLAIN16, PLAIN16,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* '\\' */
    PLAIN16, PLAIN16, PLAIN16, PLAIN16, PLAIN16, PLAIN16, PLAIN16, PLAIN16, PLAIN16, PLAIN16,
};

static size_t ws(const unsigned char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* The string opening at s[i]: the index after its closing quote, 0 when it
 * is not valid JSON (or not closed within n). *esc is set when it holds an
 * escape. Bytes from 0x80 up pass, as yajl passes them with
 * yajl_dont_validate_strings. */
static size_t string_end(const unsigned char *s, size_t n, size_t i, int *esc)
{
    *esc = 0;
    for (i++; i < n; i++) {
        unsigned char c;

        while (i + 4 <= n && plain[s[i]] && plain[s[i + 1]] && plain[s[i + 2]] &&
               plain[s[i + 3]])
            i += 4;
        while (i < n && plain[s[i]])
            i++;
        if (i >= n)
            break;
        c = s[i];

        if (c == '"')
            return i + 1;
        if (c < 0x20)
            return 0;
        if (c != '\\')
            continue;
        *esc = 1;
        if (++i >= n)
            return 0;
        c = s[i];
        if (c == 'u') {
            if (i + 4 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2]) || !is_hex(s[i + 3]) ||
                !is_hex(s[i + 4]))
                return 0;
            i += 4;
        } else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
            return 0;
        }
    }
    return 0;
}

/* The number opening at s[i]: the index after it, 0 when it is malformed. */
static size_t number_end(const unsigned char *s, size_t n, size_t i)
{
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && is_digit(s[i]))
            i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        if (++i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    return i;
}

/* Records field f of a typed value once; a second value of the same field
 * is a record the decoder would reject ("duplicate key"). */
static int note_field(skim_fields *f, int field, const unsigned char *v, size_t len, int esc)
{
    uint64_t bit;

    if (field < 0 || field >= SKIM_MAX_FIELDS)
        return 0;
    bit = 1ull << field;
    if (f->have & bit)
        return -1;
    f->have |= bit;
    if (esc)
        f->escaped |= bit;
    f->v[field] = v;
    f->len[field] = len;
    return 0;
}

struct level {
    unsigned char is_map;
    unsigned char ctx;
};

/* Long: one loop over the record's tokens, states as labels, so that the
 * grammar reads top to bottom and nothing recurses on attacker-chosen depth. */
size_t skim_walk(const unsigned char *s, size_t n, const skim_schema *sc, skim_fields *f)
{
    static const skim_key root = {SKIM_MAP, 0, -1};
    struct level st[SKIM_MAX_DEPTH];
    skim_key rootdef = root;
    const skim_key *kd = &rootdef;
    unsigned d = 0, max = sc->max_depth < SKIM_MAX_DEPTH ? sc->max_depth : SKIM_MAX_DEPTH;
    size_t i = 0, e;
    int esc;

    f->have = f->escaped = 0;
    rootdef.child = (unsigned char)sc->root;
    if (n > SKIM_MAX_RECORD)
        n = SKIM_MAX_RECORD;
    if (n == 0 || s[0] != '{')
        return 0;

value:
    i = ws(s, n, i);
    if (i >= n)
        return 0;
    {
        unsigned char c = s[i];
        unsigned kind = kd ? kd->kind : SKIM_ANY;

        if (kind == SKIM_BAIL)
            return 0;
        if (c == '{' || c == '[') {
            int is_map = c == '{';
            unsigned ctx = 0;

            if (kind == SKIM_STR || kind == SKIM_BOOL || (kind == SKIM_MAP && !is_map) ||
                (kind == SKIM_ARR && is_map) || d >= max)
                return 0;
            if (kind == SKIM_MAP || kind == SKIM_ARR || kind == SKIM_CAPTURE)
                ctx = kd->child;
            else if (kd == NULL && d > 0 && !st[d - 1].is_map && is_map && st[d - 1].ctx < 32)
                ctx = sc->elem[st[d - 1].ctx];
            if (kind == SKIM_CAPTURE && note_field(f, kd->field, NULL, 0, 0) != 0)
                return 0;
            st[d].is_map = (unsigned char)is_map;
            st[d].ctx = (unsigned char)ctx;
            d++;
            i = ws(s, n, i + 1);
            if (i < n && s[i] == (is_map ? '}' : ']')) {
                d--;
                i++;
                goto after;
            }
            if (is_map)
                goto key;
            kd = NULL;
            goto value;
        }
        if (c == '"') {
            if ((e = string_end(s, n, i, &esc)) == 0 || kind == SKIM_MAP || kind == SKIM_ARR)
                return 0;
            if (kind != SKIM_ANY &&
                note_field(f, kd->field, s + i + 1, e - i - 2, esc) != 0)
                return 0;
            i = e;
            goto after;
        }
        if (c == 'n') {
            if (n - i < 4 || memcmp(s + i, "null", 4) != 0)
                return 0;
            i += 4;
            goto after;
        }
        if (c == 't' || c == 'f') {
            size_t len = c == 't' ? 4 : 5;
            if (n - i < len || memcmp(s + i, c == 't' ? "true" : "false", len) != 0 ||
                kind == SKIM_STR || kind == SKIM_MAP || kind == SKIM_ARR)
                return 0;
            if ((kind == SKIM_BOOL || kind == SKIM_CAPTURE) &&
                note_field(f, kd->field, s + i, len, 0) != 0)
                return 0;
            i += len;
            goto after;
        }
        if (c == '-' || is_digit(c)) {
            if ((e = number_end(s, n, i)) == 0 || kind == SKIM_STR || kind == SKIM_BOOL ||
                kind == SKIM_MAP || kind == SKIM_ARR)
                return 0;
            if (kind == SKIM_CAPTURE && note_field(f, kd->field, NULL, 0, 0) != 0)
                return 0;
            i = e;
            goto after;
        }
        return 0;
    }

after:
    if (d == 0)
        return i;
    i = ws(s, n, i);
    if (i >= n)
        return 0;
    if (s[i] == ',') {
        i++;
        if (st[d - 1].is_map)
            goto key;
        kd = NULL;
        goto value;
    }
    if (s[i] != (st[d - 1].is_map ? '}' : ']'))
        return 0;
    d--;
    i++;
    goto after;

key:
    i = ws(s, n, i);
    if (i >= n || s[i] != '"' || (e = string_end(s, n, i, &esc)) == 0)
        return 0;
    {
        size_t k0 = i + 1, klen = e - i - 2;

        i = ws(s, n, e);
        if (i >= n || s[i] != ':')
            return 0;
        i++;
        kd = NULL;
        if (st[d - 1].ctx != 0) {
            /* a typed key spelt with an escape is the same key to yajl: not vouched for */
            if (esc)
                return 0;
            kd = sc->lookup(sc->arg, st[d - 1].ctx, (const char *)s + k0, klen);
        }
    }
    goto value;
}
