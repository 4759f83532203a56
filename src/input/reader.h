/*
 * reader: a pull reader that yields the decoded bytes of a file descriptor,
 * inflating gzip when the data starts with the gzip magic (1f 8b) and passing
 * anything else through unchanged.
 *
 * The decision is made from the bytes, never the file name, so a renamed
 * .json.gz or a gzip stream piped on stdin is read correctly. Concatenated
 * gzip members (what `cat a.gz b.gz` and many log shippers produce) are read
 * as one stream. Memory is two fixed chunks whatever the input size.
 */
#ifndef DDBTRAIL_READER_H
#define DDBTRAIL_READER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct reader reader;

/* Returns a new reader over fd, or NULL when out of memory; free it with
 * reader_free(). Borrows fd: the caller closes it after reader_free(). */
reader *reader_new(int fd);

/* Reads up to n decoded bytes into buf. Returns the number of bytes (> 0),
 * 0 at the clean end of the input, or -1 on an error described in err
 * (a truncated or corrupt gzip stream, trailing garbage, a read error), with
 * the compressed byte offset where it was found. Bytes returned before an
 * error are good data. After 0 or -1 further calls return the same. */
ssize_t reader_read(reader *g, void *buf, size_t n, char *err, size_t errlen);

/* 1 when the input was recognised as gzip (valid after the first read). */
int reader_is_gzip(const reader *g);

/* Raw bytes consumed from the file descriptor so far. */
uint64_t reader_raw_offset(const reader *g);

/* Frees the reader; reader_free(NULL) is a no-op. */
void reader_free(reader *g);

#endif
