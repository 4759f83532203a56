/*
 * catalogue: the effect catalogue file parsed (see catalogue.h). The file is
 * read whole (it is small, and capped), copied once, and cut in place: every
 * string an entry points at lives in that copy or in the table of sources.
 * Two passes: the vocabulary first ("effect" lines may stand anywhere), then
 * the operations, each checked against it.
 */
#include "catalogue.h"
#include "buffer.h"
#include "hash.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#define SOURCE_SUFFIX ".amazonaws.com"

/* An operation the catalogue names, for catalogue_keeps(). */
struct op {
    const char *source, *name;
};

struct catalogue {
    char *text;              /* the file's copy, cut into strings */
    char **owned;            /* strings allocated apart (sources, decoded values) */
    size_t nowned, aowned;
    const char **effects;    /* the vocabulary */
    size_t neffects;
    catalogue_entry *e;
    size_t n, alloc;
    struct op *ops;          /* sorted, unique */
    size_t nops;
    char sha[65];
};

/* A copy of len bytes of s, NUL-terminated, with room for more bytes after
 * them; owned by c. */
static char *own_room(catalogue *c, const char *s, size_t len, size_t room)
{
    char *p;

    if (c->nowned == c->aowned) {
        size_t na = c->aowned ? c->aowned * 2 : 16;
        char **q = realloc(c->owned, na * sizeof *q);
        if (q == NULL)
            return NULL;
        c->owned = q;
        c->aowned = na;
    }
    p = malloc(len + room + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    c->owned[c->nowned++] = p;
    return p;
}

static char *own(catalogue *c, const char *s, size_t len)
{
    return own_room(c, s, len, 0);
}

/* The next whitespace-separated word of *p, cut in place, or NULL. */
static char *word(char **p)
{
    char *s = *p, *w;

    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0')
        return *p = s, NULL;
    w = s;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    if (*s)
        *s++ = '\0';
    *p = s;
    return w;
}

static int is_effect(const catalogue *c, const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < c->neffects; i++)
        if (strlen(c->effects[i]) == len && memcmp(c->effects[i], name, len) == 0)
            return 1;
    return 0;
}

static int name_ok(const char *s, const char *extra)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
            return 0;
    return 1;
}

/* VALUE, a JSON literal, into e. Returns 0 or -1 with why. */
static int parse_value(catalogue *c, catalogue_entry *e, const char *v, char *why, size_t len)
{
    char *wrapped = malloc(strlen(v) + 3), ebuf[128];
    yajl_val t, x;
    int rc = 0;

    if (wrapped == NULL) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    sprintf(wrapped, "[%s]", v);
    t = yajl_tree_parse(wrapped, ebuf, sizeof ebuf);
    free(wrapped);
    if (t == NULL || !YAJL_IS_ARRAY(t) || t->u.array.len != 1) {
        snprintf(why, len, "the value '%.60s' is not one JSON literal", v);
        yajl_tree_free(t);
        return -1;
    }
    x = t->u.array.values[0];
    if (YAJL_IS_TRUE(x) || YAJL_IS_FALSE(x)) {
        e->vtype = CATALOGUE_INT;
        e->ival = YAJL_IS_TRUE(x);
    } else if (YAJL_IS_INTEGER(x)) {
        e->vtype = CATALOGUE_INT;
        e->ival = YAJL_GET_INTEGER(x);
    } else if (YAJL_IS_DOUBLE(x)) {
        e->vtype = CATALOGUE_REAL;
        e->rval = YAJL_GET_DOUBLE(x);
    } else if (YAJL_IS_STRING(x)) {
        e->vtype = CATALOGUE_TEXT;
        const char *sv = YAJL_GET_STRING(x);
        e->text = sv ? own(c, sv, strlen(sv)) : NULL;
        if (e->text == NULL) {
            snprintf(why, len, "out of memory");
            rc = -1;
        }
    } else {
        snprintf(why, len, "the value '%.60s' is not a string, number, true or false", v);
        rc = -1;
    }
    yajl_tree_free(t);
    return rc;
}

/* "when SIDE PATH OP [VALUE]" (rest is what follows "when"). */
static int parse_when(catalogue *c, catalogue_entry *e, char *rest, char *why, size_t len)
{
    static const char *const ops[] = {"=", "!=", "<", ">", "~", "exists", NULL};
    char *side = word(&rest), *path = word(&rest), *op = word(&rest);
    int i;

    if (side == NULL || path == NULL || op == NULL) {
        snprintf(why, len, "'when' needs SIDE PATH OP [VALUE]");
        return -1;
    }
    if (strcmp(side, "request") == 0)
        e->side = CATALOGUE_REQUEST;
    else if (strcmp(side, "response") == 0)
        e->side = CATALOGUE_RESPONSE;
    else {
        snprintf(why, len, "side '%.40s' is not request or response", side);
        return -1;
    }
    if (strncmp(path, "..", 2) == 0 && name_ok(path + 2, "_-")) {
        e->deep = 1;
        e->path = path + 2;
    } else if (path[0] == '.' && name_ok(path + 1, "_-.") && !strstr(path, "..") &&
               path[strlen(path) - 1] != '.') {
        size_t pl = strlen(path);
        char *p = own_room(c, path, pl, 1); /* room for "$" in front */
        if (p == NULL) {
            snprintf(why, len, "out of memory");
            return -1;
        }
        memmove(p + 1, p, pl + 1);
        p[0] = '$';
        e->path = p;
    } else {
        snprintf(why, len, "path '%.60s' is neither .key.key nor ..key", path);
        return -1;
    }
    for (i = 0; ops[i] && strcmp(ops[i], op) != 0; i++)
        ;
    if (ops[i] == NULL) {
        snprintf(why, len, "operator '%.20s' is not one of = != < > ~ exists", op);
        return -1;
    }
    e->op = ops[i];
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (strcmp(op, "exists") == 0) {
        if (*rest) {
            snprintf(why, len, "'exists' takes no value");
            return -1;
        }
        return 0;
    }
    if (*rest == '\0') {
        snprintf(why, len, "'%s' needs a value", op);
        return -1;
    }
    if (parse_value(c, e, rest, why, len) != 0)
        return -1;
    if (e->op[0] == '~') {
        int code;
        PCRE2_SIZE at;
        pcre2_code *re;
        if (e->vtype != CATALOGUE_TEXT) {
            snprintf(why, len, "'~' needs a \"pattern\"");
            return -1;
        }
        re = pcre2_compile((PCRE2_SPTR)e->text, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &at,
                           NULL);
        if (re == NULL) {
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(code, msg, sizeof msg);
            snprintf(why, len, "pattern \"%.60s\": %s at offset %zu", e->text, (char *)msg,
                     (size_t)at);
            return -1;
        }
        pcre2_code_free(re);
    }
    return 0;
}

/* The eventSource of a service name: "dynamodb" -> "dynamodb.amazonaws.com". */
static const char *source_of(catalogue *c, const char *svc, size_t len)
{
    size_t i;
    char *s;

    for (i = 0; i < c->nops; i++)
        if (strncmp(c->ops[i].source, svc, len) == 0 &&
            strcmp(c->ops[i].source + len, SOURCE_SUFFIX) == 0)
            return c->ops[i].source;
    for (i = 0; i < c->n; i++)
        if (strncmp(c->e[i].source, svc, len) == 0 &&
            strcmp(c->e[i].source + len, SOURCE_SUFFIX) == 0)
            return c->e[i].source;
    s = own_room(c, svc, len, strlen(SOURCE_SUFFIX));
    if (s)
        memcpy(s + len, SOURCE_SUFFIX, sizeof SOURCE_SUFFIX);
    return s;
}

/* service:Operation EFFECT[,EFFECT] [when ...]: one entry per effect. */
static int parse_op(catalogue *c, char *line, char *why, size_t len)
{
    char *rest = line, *op = word(&rest), *effects = word(&rest), *colon, *when;
    catalogue_entry base;
    const char *p;

    memset(&base, 0, sizeof base);
    colon = op ? strchr(op, ':') : NULL;
    if (colon == NULL || colon == op || !name_ok(colon + 1, "") ||
        strspn(op, "abcdefghijklmnopqrstuvwxyz0123456789-") != (size_t)(colon - op)) {
        snprintf(why, len, "'%.60s' is not service:Operation", op ? op : "");
        return -1;
    }
    if (effects == NULL) {
        snprintf(why, len, "%s names no effect (write none when it has none)", op);
        return -1;
    }
    base.source = source_of(c, op, (size_t)(colon - op));
    base.name = colon + 1;
    if (base.source == NULL) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    when = word(&rest);
    if (when && (strcmp(when, "when") != 0 || parse_when(c, &base, rest, why, len) != 0)) {
        if (strcmp(when, "when") != 0)
            snprintf(why, len, "'%.40s' after the effects: want 'when SIDE PATH OP VALUE'", when);
        return -1;
    }
    for (p = effects; *p;) {
        size_t k = strcspn(p, ",");
        if (!is_effect(c, p, k)) {
            snprintf(why, len, "effect '%.*s' is not declared by an 'effect' line", (int)k, p);
            return -1;
        }
        if (c->n == CATALOGUE_MAX_ENTRIES) {
            snprintf(why, len, "more than %d entries", CATALOGUE_MAX_ENTRIES);
            return -1;
        }
        if (c->n == c->alloc) {
            size_t na = c->alloc ? c->alloc * 2 : 64;
            catalogue_entry *q = realloc(c->e, na * sizeof *q);
            if (q == NULL) {
                snprintf(why, len, "out of memory");
                return -1;
            }
            c->e = q;
            c->alloc = na;
        }
        c->e[c->n] = base;
        c->e[c->n].effect = own(c, p, k);
        if (c->e[c->n].effect == NULL) {
            snprintf(why, len, "out of memory");
            return -1;
        }
        c->n++;
        p += k;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int by_op(const void *a, const void *b)
{
    const struct op *x = a, *y = b;
    int d = strcmp(x->source, y->source);

    return d ? d : strcmp(x->name, y->name);
}

static int index_ops(catalogue *c)
{
    size_t i, k = 0;

    c->ops = malloc((c->n ? c->n : 1) * sizeof *c->ops);
    if (c->ops == NULL)
        return -1;
    for (i = 0; i < c->n; i++) {
        c->ops[i].source = c->e[i].source;
        c->ops[i].name = c->e[i].name;
    }
    qsort(c->ops, c->n, sizeof *c->ops, by_op);
    for (i = 0; i < c->n; i++)
        if (k == 0 || by_op(&c->ops[k - 1], &c->ops[i]) != 0)
            c->ops[k++] = c->ops[i];
    c->nops = k;
    return 0;
}

/* One pass over the lines that are not blank or comments: pass 0 collects the
 * vocabulary, pass 1 the operations. Stops at the first bad line. */
static int each_line(catalogue *c, char *text, size_t len, int pass, const char *name,
                     char *err, size_t errlen)
{
    char *line = text, *stop = text + len, why[256];
    long no = 0;

    /* lines are found by length: pass 0 leaves NULs where it cut words */
    while (line && line < stop) {
        char *nl = memchr(line, '\n', (size_t)(stop - line)), *s = line, *first;
        no++;
        if (nl)
            *nl = '\0';
        while (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        if (*s && *s != '#') {
            char *end = s + strlen(s);
            int is_decl;
            while (end > s && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
                *--end = '\0';
            is_decl = strncmp(s, "effect", 6) == 0 && (s[6] == ' ' || s[6] == '\t' || s[6] == '\0');
            if (pass == 0 && is_decl) {
                char *rest = s + 6;
                first = word(&rest);
                if (first == NULL || !name_ok(first, "-")) {
                    snprintf(err, errlen, "%s:%ld: 'effect' needs a name (letters, digits, -)",
                             name, no);
                    return -1;
                }
                if (!is_effect(c, first, strlen(first))) {
                    const char **q = realloc(c->effects, (c->neffects + 1) * sizeof *q);
                    if (q == NULL) {
                        snprintf(err, errlen, "%s: out of memory", name);
                        return -1;
                    }
                    c->effects = q;
                    c->effects[c->neffects++] = first;
                }
            } else if (pass == 1 && !is_decl && parse_op(c, s, why, sizeof why) != 0) {
                snprintf(err, errlen, "%s:%ld: %s", name, no, why);
                return -1;
            }
        }
        if (nl && pass == 0)
            *nl = '\n'; /* the second pass reads the line again */
        line = nl ? nl + 1 : NULL;
    }
    return 0;
}

catalogue *catalogue_parse(const char *text, size_t len, const char *name, char *err,
                           size_t errlen)
{
    catalogue *c = calloc(1, sizeof *c);

    if (c == NULL || (c->text = malloc(len + 1)) == NULL) {
        free(c);
        snprintf(err, errlen, "%s: out of memory", name);
        return NULL;
    }
    if (memchr(text, '\0', len)) {
        snprintf(err, errlen, "%s: holds a NUL byte: not a catalogue", name);
        catalogue_free(c);
        return NULL;
    }
    memcpy(c->text, text, len);
    c->text[len] = '\0';
    if (hash_sha256_hex(text, len, c->sha) != 0 ||
        each_line(c, c->text, len, 0, name, err, errlen) != 0) {
        if (c->sha[0] == '\0')
            snprintf(err, errlen, "%s: cannot hash it", name);
        catalogue_free(c);
        return NULL;
    }
    if (!is_effect(c, "none", 4)) {
        snprintf(err, errlen, "%s: declares no 'effect none'", name);
        catalogue_free(c);
        return NULL;
    }
    if (each_line(c, c->text, len, 1, name, err, errlen) != 0 || index_ops(c) != 0) {
        if (c->ops == NULL && c->n)
            snprintf(err, errlen, "%s: out of memory", name);
        catalogue_free(c);
        return NULL;
    }
    return c;
}

catalogue *catalogue_load(const char *path, char *err, size_t errlen)
{
    size_t n;
    char *buf = buffer_read_file(path, CATALOGUE_MAX_BYTES, "catalogue (1 MiB)", &n, err, errlen);
    catalogue *c;

    if (buf == NULL)
        return NULL;
    c = catalogue_parse(buf, n, path, err, errlen);
    free(buf);
    return c;
}

static int eq(const char *s, size_t len, const char *lit)
{
    return s != NULL && strlen(lit) == len && memcmp(s, lit, len) == 0;
}

int catalogue_keeps(const catalogue *cat, const char *source, size_t slen, const char *name,
                    size_t nlen)
{
    size_t lo = 0, hi;

    if (eq(source, slen, "dynamodb.amazonaws.com") || eq(source, slen, "dax.amazonaws.com"))
        return 1;
    if (cat == NULL || source == NULL || name == NULL)
        return 0;
    hi = cat->nops;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, sl = strlen(cat->ops[mid].source);
        int d = memcmp(cat->ops[mid].source, source, sl < slen ? sl : slen);
        if (d == 0)
            d = sl < slen ? -1 : sl > slen;
        if (d == 0) {
            size_t nl = strlen(cat->ops[mid].name);
            d = memcmp(cat->ops[mid].name, name, nl < nlen ? nl : nlen);
            if (d == 0)
                d = nl < nlen ? -1 : nl > nlen;
        }
        if (d == 0)
            return 1;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int catalogue_is_effect(const catalogue *cat, const char *name, size_t len)
{
    return is_effect(cat, name, len);
}

int catalogue_names(const catalogue *cat, const char *service_op)
{
    const char *colon = strchr(service_op, ':');
    char src[128];
    size_t n;

    if (colon == NULL)
        return 0;
    n = (size_t)(colon - service_op);
    if (n + sizeof SOURCE_SUFFIX > sizeof src)
        return 0;
    memcpy(src, service_op, n);
    src[n] = '\0';
    if (strstr(src, SOURCE_SUFFIX) == NULL)
        strcat(src, SOURCE_SUFFIX);
    /* keeps() answers yes for any DynamoDB or DAX name: look in the entries */
    for (n = 0; n < cat->nops; n++)
        if (strcmp(cat->ops[n].source, src) == 0 && strcmp(cat->ops[n].name, colon + 1) == 0)
            return 1;
    return 0;
}

size_t catalogue_effects(const catalogue *cat)
{
    return cat->neffects;
}

const char *catalogue_effect(const catalogue *cat, size_t i)
{
    return i < cat->neffects ? cat->effects[i] : NULL;
}

size_t catalogue_count(const catalogue *cat)
{
    return cat->n;
}

const catalogue_entry *catalogue_get(const catalogue *cat, size_t i)
{
    return i < cat->n ? &cat->e[i] : NULL;
}

const char *catalogue_sha256(const catalogue *cat)
{
    return cat->sha;
}

void catalogue_free(catalogue *cat)
{
    size_t i;

    if (cat == NULL)
        return;
    for (i = 0; i < cat->nowned; i++)
        free(cat->owned[i]);
    free(cat->owned);
    free(cat->effects);
    free(cat->e);
    free(cat->ops);
    free(cat->text);
    free(cat);
}
