/*
 * inputs: the one listing of a run's inputs (see cli.h). The paths a user
 * names are walked once into one list of log files and digest files; the
 * shard plan, ingest and verification all take that list, so a scan opens
 * each folder of a downloaded tree once however many of them use it.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static void on_walk_err(void *ctx, const char *path, const char *msg)
{
    (void)ctx;
    cli_err("%s: %s", path, msg);
}

int cli_inputs_list(cli_inputs *in, char **paths, int n, int name_errors)
{
    int i, stdin_used = 0, present = 0;

    memset(in, 0, sizeof *in);
    for (i = 0; i < n; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") == 0) {
            present++;
        } else if (stat(paths[i], &st) == 0) {
            present++;
            in->any_dir |= S_ISDIR(st.st_mode);
        }
    }
    /* when no path the user named is there, it is a typo, not an input problem: nothing
     * is read and no report is written; one missing among others is named by the walk,
     * and the rest are read (exit 3) */
    if (n > 0 && present == 0) {
        for (i = 0; i < n; i++) {
            struct stat st;
            int e = stat(paths[i], &st) == 0 ? 0 : errno;
            cli_err("%s: %s", paths[i], strerror(e));
        }
        cli_err("no path given exists; nothing was read");
        return EXIT_FATAL;
    }
    in->wl.keep_digests = 1;
    for (i = 0; i < n; i++) {
        if (strcmp(paths[i], "-") == 0 && stdin_used++) {
            cli_err("'-' (stdin) given twice");
            cli_inputs_free(in);
            return EXIT_FATAL;
        }
        if (walk_add(&in->wl, paths[i], name_errors ? on_walk_err : NULL, NULL) != 0) {
            cli_err("out of memory");
            cli_inputs_free(in);
            return EXIT_FATAL;
        }
    }
    return in->wl.errors ? EXIT_REJECTS : EXIT_CLEAN;
}

void cli_inputs_free(cli_inputs *in)
{
    walk_free(&in->wl);
    memset(in, 0, sizeof *in);
}
