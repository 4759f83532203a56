/*
 * partiql: PartiQL lookup-or-scan (see partiql.h).
 *
 * The statement is cut into tokens once (identifiers, quoted identifiers,
 * string and number literals, '?', operators, brackets); everything else is
 * a walk over that array. Statements are short (DynamoDB caps them at 8 KiB),
 * so the token array has a fixed size and a longer statement is a scan.
 */
#include "partiql.h"

#include <ctype.h>
#include <string.h>

#define PARTIQL_MAX_TOKENS 1024

enum tk { T_IDENT, T_QIDENT, T_STRING, T_NUMBER, T_PARAM, T_OP, T_OPEN, T_CLOSE, T_OTHER };

struct tok {
    enum tk kind;
    const char *p; /* the token's bytes (for a quoted identifier: inside the quotes) */
    size_t n;
};

static int is_word(const struct tok *t, const char *kw)
{
    size_t i, n = strlen(kw);

    if (t->kind != T_IDENT || t->n != n)
        return 0;
    for (i = 0; i < n; i++)
        if (toupper((unsigned char)t->p[i]) != kw[i])
            return 0;
    return 1;
}

/* Splits s into tokens. Returns the count, or -1 when there are too many. */
static int tokenize(const char *s, size_t len, struct tok *t, int max)
{
    size_t i = 0;
    int n = 0;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t j = i + 1;
        enum tk k;

        if (isspace(c)) {
            i++;
            continue;
        }
        if (n == max)
            return -1;
        if (c == '"' || c == '\'') { /* quoted identifier or string; doubled quote escapes */
            for (; j < len; j++)
                if ((unsigned char)s[j] == c) {
                    if (j + 1 < len && (unsigned char)s[j + 1] == c)
                        j++;
                    else
                        break;
                }
            t[n].kind = c == '"' ? T_QIDENT : T_STRING;
            t[n].p = s + i + 1;
            t[n].n = (j < len ? j : len) - i - 1;
            n++;
            i = j + 1;
            continue;
        }
        if (isalpha(c) || c == '_' || c == '$') {
            while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '$'))
                j++;
            k = T_IDENT;
        } else if (isdigit(c) || ((c == '-' || c == '.') && i + 1 < len &&
                                  isdigit((unsigned char)s[i + 1]))) {
            while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '.'))
                j++;
            k = T_NUMBER;
        } else if (c == '?') {
            k = T_PARAM;
        } else if (c == '(' || c == '[') {
            k = T_OPEN;
        } else if (c == ')' || c == ']') {
            k = T_CLOSE;
        } else if (strchr("=<>!", c)) {
            while (j < len && strchr("=<>", s[j]))
                j++;
            k = T_OP;
        } else {
            k = T_OTHER;
        }
        t[n].kind = k;
        t[n].p = s + i;
        t[n].n = j - i;
        n++;
        i = j;
    }
    return n;
}

static int is_literal(const struct tok *t)
{
    return t->kind == T_STRING || t->kind == T_NUMBER || t->kind == T_PARAM;
}

/* 1 when t names the key attribute (any attribute when pk is NULL). */
static int is_key(const struct tok *t, const char *pk, size_t pklen)
{
    if (t->kind != T_IDENT && t->kind != T_QIDENT)
        return 0;
    if (t->kind == T_IDENT && (is_word(t, "NOT") || is_word(t, "AND") || is_word(t, "OR") ||
                               is_word(t, "IN") || is_word(t, "MISSING") || is_word(t, "NULL")))
        return 0;
    return pk == NULL || (t->n == pklen && memcmp(t->p, pk, pklen) == 0);
}

/* The index just past the bracket that closes the one at t[i]. */
static int close_of(const struct tok *t, int i, int n)
{
    int depth = 0;

    for (; i < n; i++) {
        depth += t[i].kind == T_OPEN;
        depth -= t[i].kind == T_CLOSE;
        if (depth == 0)
            return i + 1;
    }
    return n;
}

static int lookup_expr(const struct tok *t, int a, int b, const char *pk, size_t pklen);

/* 1 when the conjunct t[a, b) pins the key: key = literal, literal = key,
 * key IN (...), or such a clause in brackets. */
static int lookup_conjunct(const struct tok *t, int a, int b, const char *pk, size_t pklen)
{
    if (b - a >= 2 && t[a].kind == T_OPEN && close_of(t, a, b) == b)
        return lookup_expr(t, a + 1, b - 1, pk, pklen);
    if (b - a == 3 && t[a + 1].kind == T_OP && t[a + 1].n == 1 && t[a + 1].p[0] == '=')
        return (is_key(&t[a], pk, pklen) && is_literal(&t[a + 2])) ||
               (is_literal(&t[a]) && is_key(&t[a + 2], pk, pklen));
    if (b - a >= 4 && is_key(&t[a], pk, pklen) && is_word(&t[a + 1], "IN") &&
        t[a + 2].kind == T_OPEN && close_of(t, a + 2, b) == b) {
        int i;
        for (i = a + 3; i < b - 1; i++) /* only literals in the list */
            if (!is_literal(&t[i]) && !(t[i].kind == T_OTHER && t[i].p[0] == ','))
                return 0;
        return 1;
    }
    return 0;
}

/* 1 when the expression t[a, b) is a lookup: no top-level OR or NOT, and some
 * top-level conjunct pins the key. */
static int lookup_expr(const struct tok *t, int a, int b, const char *pk, size_t pklen)
{
    int i, start = a, depth = 0, found = 0;

    for (i = a; i < b; i++) {
        if (t[i].kind == T_OPEN)
            depth++;
        else if (t[i].kind == T_CLOSE)
            depth--;
        if (depth != 0)
            continue;
        if (is_word(&t[i], "OR") || is_word(&t[i], "NOT"))
            return 0;
        if (is_word(&t[i], "AND")) {
            found |= lookup_conjunct(t, start, i, pk, pklen);
            start = i + 1;
        }
    }
    return found || lookup_conjunct(t, start, b, pk, pklen);
}

int partiql_is_bulk(const char *s, size_t len, const char *pk, size_t pklen)
{
    struct tok t[PARTIQL_MAX_TOKENS];
    int n = s ? tokenize(s, len, t, PARTIQL_MAX_TOKENS) : 0, i, depth = 0;

    if (n < 0)
        return 1; /* a statement too long to read is not trusted to be a lookup */
    while (n > 0 && t[n - 1].kind == T_OTHER && t[n - 1].p[0] == ';')
        n--;
    if (n == 0 || !is_word(&t[0], "SELECT"))
        return 0;
    for (i = 1; i < n; i++) {
        if (t[i].kind == T_OPEN)
            depth++;
        else if (t[i].kind == T_CLOSE)
            depth--;
        else if (depth == 0 && is_word(&t[i], "WHERE"))
            return !lookup_expr(t, i + 1, n, pk, pklen);
    }
    return 1; /* no WHERE: the whole table */
}
