/*
 * effects: the effect catalogue (src/input/catalogue.h) in the store, where
 * the rules read it. effects_apply() writes the catalogue into the effects
 * table and derives event_effects(effect, event_id): one row per stored event
 * and effect it had, the conditions of the catalogue evaluated in SQL against
 * the event's request or response. A rule that reads an effect joins
 * event_effects and so sees every route to it, including routes added to the
 * catalogue later. The derivation is incremental: events already judged under
 * the same catalogue (meta 'effects': its SHA-256 and the last rowid judged)
 * are not judged again; another catalogue judges every event again.
 */
#ifndef DDBTRAIL_EFFECTS_H
#define DDBTRAIL_EFFECTS_H

#include "catalogue.h"

#include <sqlite3.h>
#include <stddef.h>

/* Brings db's effects and event_effects up to date with cat, in one
 * transaction, for the effects named in wanted (a comma- or space-separated
 * list, the union of the rules' "effects:" headers; NULL: every effect):
 * judging an effect no rule reads would cost a pass over its events for
 * nothing. db needs the detection functions (regexp) registered. Sets *judged
 * (may be NULL) to the number of events judged. Returns 0, or -1 with a
 * message in err. */
int effects_apply(const catalogue *cat, const char *wanted, sqlite3 *db, long long *judged,
                  char *err, size_t errlen);

#endif
