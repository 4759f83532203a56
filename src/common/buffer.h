/*
 * buffer: a growable byte buffer with a hard size cap.
 *
 * Every buffer in ddbtrail that grows from log input is a buffer, so that no
 * attacker-controlled value can make the process allocate without limit: an
 * append that would pass the cap fails and leaves the buffer as it was. The
 * caller decides what exceeding the cap means (usually: reject the record).
 */
#ifndef DDBTRAIL_BUFFER_H
#define DDBTRAIL_BUFFER_H

#include <stddef.h>

typedef struct buffer {
    char *p;      /* bytes; NUL-terminated after every successful append */
    size_t len;   /* bytes in use, not counting the terminating NUL */
    size_t alloc; /* bytes allocated */
    size_t cap;   /* largest len ever allowed */
} buffer;

/* Initialises an empty buffer that will refuse to grow past cap bytes. */
void buffer_init(buffer *b, size_t cap);

/* Appends n bytes. Returns 0, or -1 (buffer unchanged) when out of memory or
 * when the result would exceed the cap. */
int buffer_add(buffer *b, const void *s, size_t n);

/* Appends one byte; same contract as buffer_add(). */
int buffer_addc(buffer *b, char c);

/* Empties the buffer but keeps its allocation for reuse. */
void buffer_reset(buffer *b);

/* Releases the allocation; the buffer is empty and reusable afterwards. */
void buffer_free(buffer *b);

/* Reads a whole small file (a config, a catalogue) of at most cap bytes into
 * a new NUL-terminated heap buffer the caller frees, its length in *len.
 * Returns NULL with a message naming the file in err (what names the kind of
 * file in the message for one that is too large). */
char *buffer_read_file(const char *path, size_t cap, const char *what, size_t *len, char *err,
                       size_t errlen);

#endif
