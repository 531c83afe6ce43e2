/* exhaust.c: a hostile guest that goes for the host's resources rather
 * than the ABI. argv[1] names the attack; tests/hostile-suite.sh measures
 * from outside what each one costs the host. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/husk_abi.h"

static void hypercall(unsigned nr, const void *arg)
{
    __asm__ volatile("movq %1, %0"
                     : "=m"(*(volatile uint64_t *)(uintptr_t)(HUSK_HC_BASE +
                                                             8ULL * nr))
                     : "r"((uint64_t)(uintptr_t)arg)
                     : "memory");
}

/* write(1) COUNT bytes in whole console calls, as fast as it goes. */
static int console_flood(unsigned long long count)
{
    static char buf[HUSK_CONSOLE_MAX];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = i % 64 == 63 ? '\n' : 'x';
    while (count > 0) {
        size_t n = count < sizeof(buf) ? count : sizeof(buf);
        if (write(1, buf, n) != (ssize_t)n)
            return 1;
        count -= n;
    }
    return 0;
}

/* Take memory a MiB at a time, touching every page, until there is none:
 * the guest must get NULL, and the host process no more than --mem. */
static int balloon(void)
{
    unsigned long mib = 0;
    char *p;
    while ((p = malloc(1 << 20)) != NULL) {
        memset(p, 0xa5, 1 << 20);
        mib++;
    }
    printf("balloon: %lu MiB\n", mib);
    return 0;
}

int main(int argc, char *argv[])
{
    const char *a = argc > 1 ? argv[1] : "";
    unsigned long long n = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
    static struct husk_hc_wallclock wc;
    if (!strcmp(a, "console_flood"))
        return console_flood(n);
    if (!strcmp(a, "hypercall_flood")) {
        /* n exits, the cheapest call: the monitor must not grow. */
        for (unsigned long long i = 0; i < n; i++)
            hypercall(HUSK_HC_WALLCLOCK, &wc);
        printf("hypercalls: %llu\n", n);
        return 0;
    }
    if (!strcmp(a, "hypercall_forever"))
        for (;;)
            hypercall(HUSK_HC_WALLCLOCK, &wc);
    if (!strcmp(a, "balloon"))
        return balloon();
    printf("unknown attack\n");
    return 1;
}
