/*
 * escape: output escaping (see escape.h).
 */
#include "escape.h"

#include <stdio.h>
#include <string.h>

size_t escape_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len, k;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    else
        return 0;
    if (len > n)
        return 0;
    for (k = 1; k < len; k++)
        if ((s[k] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
        (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
        return 0;
    return len;
}

static const char replacement[] = "\xef\xbf\xbd";

/* The code point of the character at p (a valid UTF-8 sequence of len bytes)
 * when it is invisible or turns the text direction: zero-width characters,
 * bidi marks, embeddings, overrides and isolates, the BOM. Such characters
 * let a table or principal name display as another ("\u202e" reverses what
 * follows), so every human-readable format shows them as \uXXXX. Else 0. */
static unsigned long invisible_cp(const unsigned char *p, size_t len)
{
    unsigned long cp;

    if (len == 2)
        cp = ((unsigned long)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
    else if (len == 3)
        cp = ((unsigned long)(p[0] & 0x0f) << 12) | ((unsigned long)(p[1] & 0x3f) << 6) |
             (p[2] & 0x3f);
    else
        return 0;
    if (cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff)
        return cp;
    return 0;
}

/* Appends the visible form of an invisible character: \u202e. */
static int add_uescape(buffer *out, unsigned long cp)
{
    char u[12];
    int n = snprintf(u, sizeof u, "\\u%04lx", cp);

    return buffer_add(out, u, (size_t)n);
}

/* 1 for a C1 control U+0080..U+009F (encoded c2 80..c2 9f). */
static int is_c1(const unsigned char *p, size_t len)
{
    return len == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

/* Appends the run of printable ASCII at p (0x20..0x7e) holding none of the
 * bytes of special, which every escaper copies as it is, in one append; ORs a
 * failure into *rc. Returns the run's length (0: p starts with another byte):
 * an escaper skips it and handles the byte after it, if any, itself. */
static size_t copy_plain(buffer *out, const unsigned char *p, size_t n, const char *special,
                         int *rc)
{
    size_t i = 0;

    while (i < n && p[i] >= 0x20 && p[i] < 0x7f && (!*special || !strchr(special, p[i])))
        i++;
    if (i)
        *rc |= buffer_add(out, p, i);
    return i;
}

int escape_term(buffer *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int rc = 0;

    while (i < n) {
        size_t len;
        unsigned long cp;
        i += copy_plain(out, p + i, n - i, "", &rc);
        if (i == n)
            break;
        len = escape_utf8_len(p + i, n - i);
        cp = len ? invisible_cp(p + i, len) : 0;
        if (cp) {
            rc |= add_uescape(out, cp);
            i += len;
            continue;
        }
        if (len == 0 || is_c1(p + i, len) || p[i] < 0x20 || p[i] == 0x7f) {
            char hex[5];
            snprintf(hex, sizeof hex, "\\x%02x", p[i]);
            rc |= buffer_add(out, hex, 4);
            i++;
            continue;
        }
        rc |= buffer_add(out, p + i, len);
        i += len;
    }
    return rc;
}

int escape_utf8(buffer *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int rc = 0;

    while (i < n) {
        size_t start = i, len;
        /* a run of valid characters is copied at once: a report is mostly such runs */
        while (i < n && p[i] != 0 && (len = escape_utf8_len(p + i, n - i)) != 0)
            i += len;
        if (i > start)
            rc |= buffer_add(out, p + start, i - start);
        if (i < n) {
            rc |= buffer_add(out, replacement, 3);
            i++;
        }
    }
    return rc;
}

int escape_html(buffer *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int rc = 0;

    while (i < n) {
        size_t len;
        unsigned long cp;
        const char *e = NULL;
        i += copy_plain(out, p + i, n - i, "&<>\"'", &rc);
        if (i == n)
            break;
        len = escape_utf8_len(p + i, n - i);
        cp = len ? invisible_cp(p + i, len) : 0;
        if (cp) {
            rc |= add_uescape(out, cp);
            i += len;
            continue;
        }
        switch (p[i]) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#39;"; break;
        default: break;
        }
        if (e) {
            rc |= buffer_add(out, e, strlen(e));
            i++;
        } else if (len == 0 || (p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') || p[i] == 0x7f ||
                   is_c1(p + i, len)) {
            rc |= buffer_add(out, replacement, 3);
            i++;
        } else {
            rc |= buffer_add(out, p + i, len);
            i += len;
        }
    }
    return rc;
}

int escape_csv(buffer *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int rc = 0, formula, quote;
    buffer clean;

    /* first the cell's text: valid UTF-8, and control characters (ESC, DEL, C1,
     * all but TAB, CR and LF, which quoting protects) and invisible characters
     * written out as \xNN and \uXXXX like the terminal report does; then quotes */
    buffer_init(&clean, n * 6 + 16);
    while (i < n) {
        size_t len;
        unsigned long cp;
        i += copy_plain(&clean, p + i, n - i, "", &rc);
        if (i == n)
            break;
        len = escape_utf8_len(p + i, n - i);
        cp = len ? invisible_cp(p + i, len) : 0;
        if (len == 0 || p[i] == 0) {
            rc |= buffer_add(&clean, replacement, 3);
            i++;
        } else if (cp) {
            rc |= add_uescape(&clean, cp);
            i += len;
        } else if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') ||
                   p[i] == 0x7f || is_c1(p + i, len)) {
            char hex[5];
            snprintf(hex, sizeof hex, "\\x%02x", is_c1(p + i, len) ? p[i + 1] : p[i]);
            rc |= buffer_add(&clean, hex, 4);
            i += len;
        } else {
            rc |= buffer_add(&clean, p + i, len);
            i += len;
        }
    }
    formula = clean.len > 0 && strchr("=+-@\t\r", clean.p[0]) != NULL;
    quote = formula || (clean.len && (memchr(clean.p, ',', clean.len) ||
                                      memchr(clean.p, '"', clean.len) ||
                                      memchr(clean.p, '\n', clean.len) ||
                                      memchr(clean.p, '\r', clean.len)));
    if (!quote) {
        rc |= buffer_add(out, clean.p ? clean.p : "", clean.len);
        buffer_free(&clean);
        return rc;
    }
    rc |= buffer_addc(out, '"');
    if (formula)
        rc |= buffer_addc(out, '\'');
    for (i = 0; i < clean.len; i++) {
        if (clean.p[i] == '"')
            rc |= buffer_addc(out, '"');
        rc |= buffer_addc(out, clean.p[i]);
    }
    rc |= buffer_addc(out, '"');
    buffer_free(&clean);
    return rc;
}
