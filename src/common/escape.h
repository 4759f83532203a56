/*
 * escape: escaping of attacker-controlled log values for each place they are
 * written: terminals, HTML, CSV cells, and anything that must be valid
 * UTF-8 (JSON). Every output path in ddbtrail goes through one of these.
 */
#ifndef DDBTRAIL_ESCAPE_H
#define DDBTRAIL_ESCAPE_H

#include <stddef.h>

#include "buffer.h"

/* Length of the valid UTF-8 sequence starting at s (1..4), or 0 when the
 * bytes there are not valid UTF-8 (overlong forms and surrogates included). */
size_t escape_utf8_len(const unsigned char *s, size_t n);

/* For terminals: C0/C1 controls, DEL and invalid UTF-8 become \xNN;
 * zero-width and bidi control characters become \uXXXX. */
int escape_term(buffer *out, const char *s, size_t n);

/* Valid UTF-8: invalid bytes become U+FFFD; NUL becomes U+FFFD too, since
 * consumers treat it as the end of the string. */
int escape_utf8(buffer *out, const char *s, size_t n);

/* HTML text and attribute values: & < > " ' escaped, controls dropped to
 * U+FFFD, zero-width and bidi control characters shown as \uXXXX, output
 * valid UTF-8. */
int escape_html(buffer *out, const char *s, size_t n);

/* One RFC 4180 CSV cell: quoted when needed, a leading = + - @ TAB CR
 * neutralised with a ' so spreadsheets do not run it as a formula, control
 * characters other than TAB CR LF as \xNN, zero-width and bidi control
 * characters as \uXXXX. */
int escape_csv(buffer *out, const char *s, size_t n);

#endif
