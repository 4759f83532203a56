#include "cli.h"
int cmd_report(int argc, char **argv)
{
    (void)argc; (void)argv;
    cli_err("report: not yet built");
    return EXIT_FATAL;
}
