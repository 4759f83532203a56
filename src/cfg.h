/*
 * cfg: detection settings, from defaults and an optional JSON config file,
 * loaded into the store's settings(key, value) and settings_list(key, value)
 * tables where the rules join them.
 *
 * Every key is declared here with its type; an unknown key or a value of
 * the wrong type is an error naming the key, because a typo that silently
 * disabled a rule would be worse than no config at all. Values with a syntax
 * are checked as they are read: every CIDR parses, every PCRE2 pattern
 * compiles, so a bad one stops a run before any input is read.
 */
#ifndef DDBTRAIL_CFG_H
#define DDBTRAIL_CFG_H

#include <sqlite3.h>
#include <stddef.h>

typedef struct cfg cfg;

/* Returns a new config holding the defaults, or NULL when out of memory;
 * free it with cfg_free(). */
cfg *cfg_new(void);

/* Reads a JSON config file over the defaults. Returns 0, or -1 with a
 * message naming the file and key in err. Lists given replace nothing:
 * they add to what is already there. */
int cfg_load_file(cfg *c, const char *path, char *err, size_t errlen);

/* Reads a list from a text file, one value per line; blank lines and lines
 * starting with '#' are ignored (the shipped offensive_user_agents list).
 * Returns 0, or -1 with a message in err. */
int cfg_load_list_file(cfg *c, const char *key, const char *path, char *err, size_t errlen);

/* The value of an integer or boolean key (0 for unknown and list keys). */
long long cfg_int(const cfg *c, const char *key);

/* Number of values held for a list key (0 for unknown keys). */
size_t cfg_list_count(const cfg *c, const char *key);

/* Replaces the settings tables in db with this config (in one transaction).
 * Returns 0, or -1 with a message in err. */
int cfg_apply(const cfg *c, sqlite3 *db, char *err, size_t errlen);

/* Writes the documented keys, types and defaults, one per line, to buf
 * (for --help). */
void cfg_describe(char *buf, size_t len);

/* Frees the config; cfg_free(NULL) is a no-op. */
void cfg_free(cfg *c);

#endif
