/*
 * buffer: capped growable buffer (see buffer.h). Growth doubles, so appends are
 * amortised O(1); the cap is checked before any allocation.
 */
#include "buffer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buffer_init(buffer *b, size_t cap)
{
    b->p = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

static int buffer_grow(buffer *b, size_t need)
{
    size_t n = b->alloc ? b->alloc : 256;
    char *p;

    while (n < need) {
        if (n > ((size_t)-1) / 2)
            return -1;
        n *= 2;
    }
    p = realloc(b->p, n);
    if (p == NULL)
        return -1;
    b->p = p;
    b->alloc = n;
    return 0;
}

int buffer_add(buffer *b, const void *s, size_t n)
{
    if (n > b->cap || b->len > b->cap - n)
        return -1;
    if (b->len + n + 1 > b->alloc && buffer_grow(b, b->len + n + 1) != 0)
        return -1;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int buffer_addc(buffer *b, char c)
{
    return buffer_add(b, &c, 1);
}

void buffer_reset(buffer *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void buffer_free(buffer *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->alloc = 0;
}

char *buffer_read_file(const char *path, size_t cap, const char *what, size_t *len, char *err,
                       size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    buf = malloc(cap + 1);
    if (buf == NULL) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    n = fread(buf, 1, cap + 1, f);
    if (ferror(f) || n > cap) {
        snprintf(err, errlen, "%s: %s%s", path,
                 ferror(f) ? "read error" : "larger than any ", ferror(f) ? "" : what);
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}
