#include "cli.h"
int cmd_scan(int argc, char **argv)
{
    (void)argc; (void)argv;
    cli_err("scan: not yet built");
    return EXIT_FATAL;
}
