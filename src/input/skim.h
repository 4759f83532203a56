/*
 * skim: finding CloudTrail records in a byte stream without a JSON parser,
 * and vouching for the records a full parse would only count and drop.
 *
 * Most of an organisation trail is other services' traffic that ddbtrail
 * counts and discards; tokenising it with yajl and routing every token is
 * most of the decoder's cost. The skimmer lets the decoder pass over such a
 * record without yajl, and it must never change what a full parse says: it
 * only vouches for a record when it is sure, and "not sure" is always the
 * answer that hands the bytes to yajl. So:
 *
 *  - skim_lex follows strings, escapes and nesting of everything the decoder
 *    feeds, so the decoder knows where each element of a Records array
 *    starts and ends (a chunk may end anywhere, even inside a string).
 *  - skim_walk is a strict validator of one record: it accepts a subset of
 *    what yajl accepts (RFC 8259 grammar; only space, tab, CR and LF as
 *    whitespace; no control bytes in strings), checks the types of the keys
 *    the caller's schema names, and refuses (returns 0) everything else:
 *    a repeated typed key, a typed key spelt with an escape, depth beyond
 *    the caller's limit, a record bigger than SKIM_MAX_RECORD.
 *
 * The schema is the decoder's own key table, handed over as data, so the
 * skimmer has no second copy of which fields exist.
 */
#ifndef DDBTRAIL_SKIM_H
#define DDBTRAIL_SKIM_H
#include <stddef.h>
#include <stdint.h>

#define SKIM_MAX_RECORD (256u * 1024) /* bigger records always go to yajl */
#define SKIM_MAX_FIELDS 64            /* field numbers are bits of a uint64_t */

/* Lexical state of a stream after some bytes. Zeroed to start. */
typedef struct skim_lex {
    uint32_t depth;       /* containers open outside strings */
    unsigned char in_str; /* inside a string */
    unsigned char esc;    /* the previous byte was a backslash inside a string */
    unsigned char last;   /* the last byte outside strings that is not whitespace */
} skim_lex;

/* What skim_scan() stops at. */
enum skim_stop {
    SKIM_TO_ARRAY,  /* just after a '[' that leaves at most `at` containers open */
    SKIM_TO_DEPTH,  /* just after the byte that brings the depth down to `at` */
    SKIM_TO_RECORD  /* before a '{' opening an element of the array at depth `at`, or
                       just after the byte that closes that array */
};

/* Advances lx over s[0..n) until the stop; returns the bytes consumed (n
 * when the stop is not in s). */
size_t skim_scan(skim_lex *lx, const unsigned char *s, size_t n, enum skim_stop stop,
                 uint32_t at);

/* Length of the JSON value opening at s[0] (a '{' or '['), when it ends
 * within n bytes and SKIM_MAX_RECORD; else 0. */
size_t skim_extent(const unsigned char *s, size_t n);

/* How the schema types a key. */
enum skim_kind {
    SKIM_ANY,     /* untyped: any value, not looked into */
    SKIM_STR,     /* string or null */
    SKIM_BOOL,    /* string, boolean or null */
    SKIM_LOOSE,   /* a string is the field; other values are ignored */
    SKIM_MAP,     /* object (child context) or null */
    SKIM_ARR,     /* array (child context) or null */
    SKIM_CAPTURE, /* any value; an object or array gets the child context */
    SKIM_BAIL     /* a key whose value the skimmer does not vouch for */
};

typedef struct skim_key {
    unsigned char kind;  /* enum skim_kind */
    unsigned char child; /* context of a SKIM_MAP/ARR/CAPTURE value */
    signed char field;   /* field number (a value may appear once), or -1 */
} skim_key;

/* The key's definition in context ctx (never 0), or NULL for an untyped key. */
typedef const skim_key *(*skim_lookup_fn)(const void *arg, unsigned ctx, const char *key,
                                          size_t len);

typedef struct skim_schema {
    skim_lookup_fn lookup;
    const void *arg;
    unsigned root;                /* context of the record object */
    unsigned char elem[32];       /* context of an object inside an array of context c */
    unsigned max_depth;           /* containers the record may open, itself included */
} skim_schema;

/* The typed fields of a walked record; values are borrowed from its bytes. */
typedef struct skim_fields {
    uint64_t have;                       /* bit per field seen */
    uint64_t escaped;                    /* bit per field whose value holds an escape */
    const unsigned char *v[SKIM_MAX_FIELDS]; /* raw bytes between the quotes */
    size_t len[SKIM_MAX_FIELDS];
} skim_fields;

/* Walks the record opening at s[0], within n bytes. Its length when it is
 * valid JSON that yajl accepts and every typed key has its type, at most
 * once per field; f then holds the fields. 0 otherwise (the skimmer does not
 * vouch for it: a full parse decides). */
size_t skim_walk(const unsigned char *s, size_t n, const skim_schema *sc, skim_fields *f);

#endif
