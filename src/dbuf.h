/*
 * dbuf: a growable byte buffer with a hard size cap.
 *
 * Every buffer in ddbtrail that grows from log input is a dbuf, so that no
 * attacker-controlled value can make the process allocate without limit: an
 * append that would pass the cap fails and leaves the buffer as it was. The
 * caller decides what exceeding the cap means (usually: reject the record).
 */
#ifndef DDBTRAIL_DBUF_H
#define DDBTRAIL_DBUF_H

#include <stddef.h>

typedef struct dbuf {
    char *p;      /* bytes; NUL-terminated after every successful append */
    size_t len;   /* bytes in use, not counting the terminating NUL */
    size_t alloc; /* bytes allocated */
    size_t cap;   /* largest len ever allowed */
} dbuf;

/* Initialises an empty buffer that will refuse to grow past cap bytes. */
void dbuf_init(dbuf *b, size_t cap);

/* Appends n bytes. Returns 0, or -1 (buffer unchanged) when out of memory or
 * when the result would exceed the cap. */
int dbuf_add(dbuf *b, const void *s, size_t n);

/* Appends one byte; same contract as dbuf_add(). */
int dbuf_addc(dbuf *b, char c);

/* Empties the buffer but keeps its allocation for reuse. */
void dbuf_reset(dbuf *b);

/* Releases the allocation; the buffer is empty and reusable afterwards. */
void dbuf_free(dbuf *b);

#endif
