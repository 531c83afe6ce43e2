/* SPDX-License-Identifier: MIT */
/* hello.c: the program every boot benchmark runs, natively and in Husk. */
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    return 0;
}
