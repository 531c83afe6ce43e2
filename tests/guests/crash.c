/* crash.c: a fault ends the guest with the crash status and a register
 * dump: argv[1] picks a null-pointer write in main, one in a function of
 * its own (named: the report and a core's backtrace name crash_here), or
 * a division by zero. */
#include <stdio.h>
#include <string.h>

/* Not inlined, and global: the crash report names it from the symbols. */
__attribute__((noinline)) void crash_here(volatile int *p);
__attribute__((noinline)) void crash_here(volatile int *p)
{
    *p = 42;
}

int main(int argc, char *argv[])
{
    volatile int zero = 0;
    if (argc > 1 && strcmp(argv[1], "divide") == 0)
        return 10 / zero;
    if (argc > 1 && strcmp(argv[1], "named") == 0) {
        crash_here((volatile int *)(long)zero);
        return 1;
    }
    *(volatile int *)(long)zero = 42;
    return 0;
}
