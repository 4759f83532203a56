/*
 * spell: the closest known name to a mistyped one (see spell.h).
 */
#include "spell.h"

#include <ctype.h>
#include <string.h>

size_t spell_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j, row[65];

    if (la > 64 || lb > 64)
        return (size_t)-1;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (tolower((unsigned char)a[i - 1]) !=
                                  tolower((unsigned char)b[j - 1]));
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

const char *spell_closest(const char *s, const char *const *names, size_t n, size_t stride)
{
    const char *best = NULL;
    size_t d, bd = 4, i;

    for (i = 0; i < n; i++) {
        const char *name = *(const char *const *)((const char *)names + i * stride);
        if ((d = spell_distance(s, name)) < bd) {
            bd = d;
            best = name;
        }
    }
    return best;
}
