/*
 * libFuzzer harness for the config parser.
 */
#include "settings.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("settings", 0);
    char path[64], err[512];
    settings *c;

    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        c = settings_new();
        settings_load_file(c, path, err, sizeof err);
        settings_list_count(c, "allowed_regions");
        settings_free(c);
    }
    close(fd);
    return 0;
}
