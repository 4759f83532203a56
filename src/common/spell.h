/*
 * spell: the name a mistyped one was meant to be. A command, a config key or a
 * region that does not exist is refused with the closest one that does, so a
 * typo costs one glance instead of a search through --help.
 */
#ifndef DDBTRAIL_SPELL_H
#define DDBTRAIL_SPELL_H

#include <stddef.h>

/* Edit distance of a and b, letters compared case aside; strings longer than
 * 64 bytes are simply far apart ((size_t)-1). */
size_t spell_distance(const char *a, const char *b);

/* The name among n, each stride bytes after the previous (an array of
 * strings, or the name member of an array of structs), at the fewest and at
 * most 3 edits from s; NULL when none is that close. Borrowed. */
const char *spell_closest(const char *s, const char *const *names, size_t n, size_t stride);

#endif
