/*
 * esc: output escaping (see esc.h).
 */
#include "esc.h"

#include <stdio.h>
#include <string.h>

size_t esc_utf8_len(const unsigned char *s, size_t n)
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

int esc_term(dbuf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int rc = 0;

    while (i < n) {
        size_t len = esc_utf8_len(p + i, n - i);
        /* C1 controls U+0080..U+009F are encoded c2 80..c2 9f */
        int c1 = len == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0;
        if (len == 0 || c1 || p[i] < 0x20 || p[i] == 0x7f) {
            char hex[5];
            snprintf(hex, sizeof hex, "\\x%02x", p[i]);
            rc |= dbuf_add(out, hex, 4);
            i++;
            continue;
        }
        rc |= dbuf_add(out, p + i, len);
        i += len;
    }
    return rc;
}

int esc_utf8(dbuf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int rc = 0;

    while (i < n) {
        size_t len = esc_utf8_len(p + i, n - i);
        if (len == 0 || p[i] == 0) {
            rc |= dbuf_add(out, replacement, 3);
            i++;
        } else {
            rc |= dbuf_add(out, p + i, len);
            i += len;
        }
    }
    return rc;
}

int esc_html(dbuf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int rc = 0;

    while (i < n) {
        size_t len = esc_utf8_len(p + i, n - i);
        const char *e = NULL;
        switch (p[i]) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#39;"; break;
        default: break;
        }
        if (e) {
            rc |= dbuf_add(out, e, strlen(e));
            i++;
        } else if (len == 0 || (p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') || p[i] == 0x7f) {
            rc |= dbuf_add(out, replacement, 3);
            i++;
        } else {
            rc |= dbuf_add(out, p + i, len);
            i += len;
        }
    }
    return rc;
}

int esc_csv(dbuf *out, const char *s, size_t n)
{
    int formula = n > 0 && strchr("=+-@\t\r", s[0]) != NULL;
    int quote = formula || memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\n', n) ||
                memchr(s, '\r', n);
    size_t i;
    int rc = 0;
    dbuf clean;

    /* make the cell valid UTF-8 first, then quote */
    dbuf_init(&clean, n * 3 + 16);
    rc |= esc_utf8(&clean, s, n);
    if (!quote) {
        rc |= dbuf_add(out, clean.p ? clean.p : "", clean.len);
        dbuf_free(&clean);
        return rc;
    }
    rc |= dbuf_addc(out, '"');
    if (formula)
        rc |= dbuf_addc(out, '\'');
    for (i = 0; i < clean.len; i++) {
        if (clean.p[i] == '"')
            rc |= dbuf_addc(out, '"');
        rc |= dbuf_addc(out, clean.p[i]);
    }
    rc |= dbuf_addc(out, '"');
    dbuf_free(&clean);
    return rc;
}
