#include "cli.h"
int cmd_rules(int argc, char **argv)
{
    (void)argc; (void)argv;
    cli_err("rules: not yet built");
    return EXIT_FATAL;
}
