/*
 * settings: detection settings, from defaults and an optional JSON config file,
 * loaded into the store's settings(key, value) and settings_list(key, value)
 * tables where the rules join them.
 *
 * Every key is declared here with its type; an unknown key or a value of
 * the wrong type is an error naming the key, because a typo that silently
 * disabled a rule would be worse than no config at all. Values with a syntax
 * are checked as they are read: every CIDR parses, every PCRE2 pattern
 * compiles, so a bad one stops a run before any input is read.
 */
#ifndef DDBTRAIL_SETTINGS_H
#define DDBTRAIL_SETTINGS_H

#include <sqlite3.h>
#include <stddef.h>

typedef struct settings settings;

/* Returns a new config holding the defaults, or NULL when out of memory;
 * free it with settings_free(). */
settings *settings_new(void);

/* Reads a JSON config file over the defaults. Returns 0, or -1 with a
 * message naming the file and key in err. Lists given replace nothing:
 * they add to what is already there. */
int settings_load_file(settings *c, const char *path, char *err, size_t errlen);

/* Reads a list from a text file, one value per line; blank lines and lines
 * starting with '#' are ignored (the shipped offensive_user_agents list).
 * Returns 0, or -1 with a message in err. */
int settings_load_list_file(settings *c, const char *key, const char *path, char *err,
                            size_t errlen);

/* The value of an integer or boolean key (0 for unknown and list keys). */
long long settings_int(const settings *c, const char *key);

/* Number of values held for a list key (0 for unknown keys). */
size_t settings_list_count(const settings *c, const char *key);

/* Replaces the settings tables in db with this config (in one transaction).
 * Returns 0, or -1 with a message in err. */
int settings_apply(const settings *c, sqlite3 *db, char *err, size_t errlen);

/* Replaces c's values with those settings_apply() stored in db (a key the
 * store lacks keeps its value in c). List values are checked as a config's
 * are, for a store is input too. Returns 0, or -1 with a message in err. */
int settings_read(settings *c, sqlite3 *db, char *err, size_t errlen);

/* Writes the documented keys, types and defaults, one per line, to buf
 * (for --help). */
void settings_describe(char *buf, size_t len);

/* Writes a complete config as JSON with comments (which the loader takes):
 * every key with its documentation above it and its default, lists empty,
 * for `ddbtrail init`. Generated from the same table as settings_describe(),
 * so the two never disagree. Returns the length it needs (like snprintf):
 * the text is whole when that is below len. */
size_t settings_example(char *buf, size_t len);

/* Frees the config; settings_free(NULL) is a no-op. */
void settings_free(settings *c);

#endif
