/* occupy.c: an LD_PRELOAD library for tests/process-suite.sh. Before the
 * monitor's main(), it maps one page at HUSK_OCCUPY (an address in hex,
 * inside the range the process backend wants for guest memory), as some
 * other library of a host process might: the monitor must refuse with one
 * line and 125, never map over it. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

__attribute__((constructor)) static void occupy(void)
{
    const char *at = getenv("HUSK_OCCUPY");
    if (at == NULL)
        return;
    void *want = (void *)(uintptr_t)strtoull(at, NULL, 16);
    if (mmap(want, 4096, PROT_READ,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != want)
        abort();
}
