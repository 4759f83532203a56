/*
 * init: `ddbtrail init [FILE|-]`, a commented config with every key, its
 * documentation and its default, to edit rather than write from the README.
 */
#include "cli.h"
#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char init_help[] =
    "usage: ddbtrail init [--force] [FILE|-]\n"
    "\n"
    "Write a commented configuration with every key, what it does and its default\n"
    "(lists empty) to FILE (default ./ddbtrail.json, which scan and detect then read\n"
    "without --config), or to stdout with -. An existing FILE is kept unless --force.\n"
    "\n"
    "options:\n"
    "  --force           replace an existing FILE (never through a symbolic link)\n"
    "  -h, --help        this help\n"
    "\n"
    "exit status: 0 written, 2 error.\n";

int cmd_init(int argc, char **argv)
{
    static const struct option longopts[] = {{"force", no_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *path = "ddbtrail.json";
    size_t need;
    char *text;
    int c, fd, force = 0, rc = EXIT_CLEAN;
    FILE *f;

    while ((c = getopt_long(argc, argv, "fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': force = 1; break;
        case 'h': fputs(init_help, stdout); return EXIT_CLEAN;
        default: cli_err("run 'ddbtrail init --help' for the options"); return EXIT_FATAL;
        }
    }
    if (optind + 1 < argc) {
        cli_err("init writes one file, not '%s' and '%s'", argv[optind], argv[optind + 1]);
        return EXIT_FATAL;
    }
    if (optind < argc)
        path = argv[optind];
    need = settings_example(NULL, 0) + 1;
    if ((text = malloc(need)) == NULL) {
        cli_err("out of memory");
        return EXIT_FATAL;
    }
    settings_example(text, need);
    if (strcmp(path, "-") == 0) {
        if (fputs(text, stdout) == EOF || fflush(stdout) != 0) {
            cli_err("cannot write to stdout");
            rc = EXIT_FATAL;
        }
        free(text);
        return rc;
    }
    /* never through a symbolic link, never over a file unless asked */
    fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | (force ? O_TRUNC : O_EXCL), 0644);
    if (fd < 0) {
        cli_err("%s: %s%s", path, strerror(errno),
                errno == EEXIST ? " (keep it, or replace it with --force)" : "");
        free(text);
        return EXIT_FATAL;
    }
    f = fdopen(fd, "w");
    if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
        cli_err("%s: cannot write: %s", path, strerror(errno));
        if (f == NULL)
            close(fd);
        rc = EXIT_FATAL;
    } else {
        fprintf(stderr, "ddbtrail: wrote %s; scan and detect in this directory now read it\n",
                path);
    }
    free(text);
    return rc;
}
