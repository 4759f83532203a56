#include "cli.h"
int cmd_detect(int argc, char **argv)
{
    (void)argc; (void)argv;
    cli_err("detect: not yet built");
    return EXIT_FATAL;
}
