/* crash.c: a fault ends the guest with the crash status and a register
 * dump: argv[1] picks a null-pointer write or a division by zero. */
#include <stdio.h>
#include <string.h>

int main(int argc, char *argv[])
{
    volatile int zero = 0;
    if (argc > 1 && strcmp(argv[1], "divide") == 0)
        return 10 / zero;
    *(volatile int *)(long)zero = 42;
    return 0;
}
