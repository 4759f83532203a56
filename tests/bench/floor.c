/*
 * floor: the decoding floor `make bench` compares scan with (issue 24): every
 * file named on the command line inflated by zlib and tokenised by yajl with
 * no callbacks, so nothing is built, stored or judged. What no CloudTrail
 * reader built on these two libraries can do in less time; bench.sh runs one
 * per core over its share of the files and times them together.
 *
 *   floor FILE...    exit 0, or 1 naming the file that could not be read
 */
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_parse.h>
#include <zlib.h>

static int one(const char *path)
{
    static unsigned char buf[1 << 16];
    gzFile f = gzopen(path, "rb");
    yajl_handle y;
    int n = 0, ok = 1;

    if (f == NULL)
        return 0;
    y = yajl_alloc(NULL, NULL, NULL);
    if (y == NULL) {
        gzclose(f);
        return 0;
    }
    yajl_config(y, yajl_allow_multiple_values, 1); /* JSON Lines files too */
    while (ok && (n = gzread(f, buf, sizeof buf)) > 0)
        ok = yajl_parse(y, buf, (size_t)n) == yajl_status_ok;
    if (ok)
        ok = n == 0 && yajl_complete_parse(y) == yajl_status_ok;
    yajl_free(y);
    gzclose(f);
    return ok;
}

int main(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++)
        if (!one(argv[i])) {
            fprintf(stderr, "floor: %s: not a readable gzip JSON file\n", argv[i]);
            return 1;
        }
    return 0;
}
