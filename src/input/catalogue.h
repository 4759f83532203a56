/*
 * catalogue: the effect catalogue (detections/effects.txt), what each call
 * does, as data. It decides two things: which events the normaliser stores
 * (every operation the catalogue names, and all of DynamoDB and DAX, so that
 * an operation AWS adds later is stored before it is judged), and, written
 * into the store by effects_apply() (src/detect/effects.h), the effects the
 * rules read. The vocabulary of effects is declared in the same file, so a
 * rule header or a catalogue line naming an effect nobody declared is an
 * error, not a silent miss. The file format is documented at its top.
 */
#ifndef DDBTRAIL_CATALOGUE_H
#define DDBTRAIL_CATALOGUE_H

#include <stddef.h>

enum {
    CATALOGUE_MAX_BYTES = 1 << 20, /* the file is read whole; it is a few KiB */
    CATALOGUE_MAX_ENTRIES = 20000
};

enum catalogue_side { CATALOGUE_ALWAYS, CATALOGUE_REQUEST, CATALOGUE_RESPONSE };
enum catalogue_value { CATALOGUE_NONE, CATALOGUE_INT, CATALOGUE_REAL, CATALOGUE_TEXT };

/* One "service:Operation EFFECT [when ...]" line, for one of its effects. */
typedef struct catalogue_entry {
    const char *source;   /* the eventSource: "dynamodb.amazonaws.com" */
    const char *name;     /* the eventName */
    const char *effect;   /* a declared effect; "none" */
    enum catalogue_side side;
    const char *path;     /* "$.a.b" (exact), or a key name when deep; NULL when ALWAYS */
    int deep;             /* 1: a key of that name at any depth ("..key") */
    const char *op;       /* "=", "!=", "<", ">", "~", "exists"; NULL when ALWAYS */
    enum catalogue_value vtype;
    long long ival;       /* CATALOGUE_INT (true and false are 1 and 0, as SQLite's JSON) */
    double rval;          /* CATALOGUE_REAL */
    const char *text;     /* CATALOGUE_TEXT: a string, or a PCRE2 pattern for "~" */
} catalogue_entry;

typedef struct catalogue catalogue;

/* Reads a catalogue file. Returns a new catalogue to free with
 * catalogue_free(), or NULL with a message naming the file and line in err
 * (an unknown effect, a bad condition, an undeclared operation syntax). */
catalogue *catalogue_load(const char *path, char *err, size_t errlen);

/* Parses a catalogue from text (len bytes), name used in messages. As
 * catalogue_load(). */
catalogue *catalogue_parse(const char *text, size_t len, const char *name, char *err,
                           size_t errlen);

/* 1 when events of this source and name are stored: the catalogue names the
 * operation, or the source is DynamoDB's or DAX's. cat may be NULL (DynamoDB
 * and DAX only); source and name may be NULL. */
int catalogue_keeps(const catalogue *cat, const char *source, size_t slen, const char *name,
                    size_t nlen);

/* 1 when name is a declared effect. */
int catalogue_is_effect(const catalogue *cat, const char *name, size_t len);

/* 1 when the catalogue names service:Operation (either spelling of the
 * source: "dynamodb" or "dynamodb.amazonaws.com"). */
int catalogue_names(const catalogue *cat, const char *service_op);

size_t catalogue_count(const catalogue *cat);

/* The number of declared effects, and the i-th one's name (borrowed). */
size_t catalogue_effects(const catalogue *cat);
const char *catalogue_effect(const catalogue *cat, size_t i);

/* The i-th entry, in file order. Borrowed: valid until catalogue_free(). */
const catalogue_entry *catalogue_get(const catalogue *cat, size_t i);

/* SHA-256 of the file's bytes, in hex: which catalogue the effects came from. */
const char *catalogue_sha256(const catalogue *cat);

void catalogue_free(catalogue *cat);

#endif
