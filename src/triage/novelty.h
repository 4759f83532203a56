/*
 * novelty: novelty, learnt from the store's history. A store kept with --db holds
 * every earlier day's alerts; an alert of a burst rule (header "routine:
 * yes") whose pattern, the same rule, actor and table, a similar volume
 * (half to twice the events) and hour (within two hours), was seen on at
 * least routine_days earlier distinct days is routine: kept, severity info,
 * and detail says so. An alert whose rule never fired for that actor on an
 * earlier day is new. What a store does not hold, it cannot know: over a
 * single day of logs everything is new and nothing routine.
 */
#ifndef DDBTRAIL_NOVELTY_H
#define DDBTRAIL_NOVELTY_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Marks the open alerts in db: novelty 'routine' (severity info, detail
 * prefixed "routine: seen on N earlier days") for the rules whose ids the JSON
 * array routine_rules lists, 'new' (detail prefixed "new: ...") for any rule.
 * Only alerts whose novelty is NULL (just written by a rule) are judged.
 * Sets *routine and *fresh to the counts; adds the SQLite VM steps it took
 * to *work when work is not NULL (what tests bound: O(n log n) in the
 * alerts). Returns 0, or -1 with err. */
int novelty_apply(sqlite3 *db, const char *routine_rules, long routine_days, long *routine,
                  long *fresh, uint64_t *work, char *err, size_t errlen);

#endif
