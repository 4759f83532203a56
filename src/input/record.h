/*
 * record: one CloudTrail record read back from its file, exactly as the
 * file holds it: the bytes of the JSON object that starts at a decompressed
 * byte offset (where the decoder found it, events.byte_offset), or, for an
 * event embedded as a JSON string (lookup-events pages, CloudWatch Logs),
 * that string's text. What `ddbtrail events --raw` prints.
 *
 * The store keeps where each record is, not the record: eight bytes an
 * event, and the file stays the evidence. So the file must still be there,
 * unchanged; record_read() checks its size and mtime against what the store
 * saw and the record's eventID against the event's, and says which failed.
 */
#ifndef DDBTRAIL_RECORD_H
#define DDBTRAIL_RECORD_H

#include "buffer.h"

#include <stddef.h>
#include <stdint.h>

enum { RECORD_MAX = 8u << 20 }; /* the longest record read back (the decoder's token cap) */
enum { RECORD_MAX_DEPTH = 64 };   /* the deepest: as the decoder keeps (a deeper one was never
                                     stored, and a file swapped since cannot make yajl recurse) */

/* Reads the record at decompressed byte offset of path into out (reset
 * first). size and mtime are the file's as the store recorded them (-1: not
 * checked); event_id (may be NULL) must be the record's eventID. Returns 0,
 * or -1 with err naming the file and byte (gone, changed, not a record
 * there, another event's record, longer than RECORD_MAX). */
int record_read(const char *path, uint64_t offset, int64_t size, int64_t mtime,
                const char *event_id, buffer *out, char *err, size_t errlen);

#endif
