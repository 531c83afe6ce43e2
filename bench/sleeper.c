/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * sleeper.c: an idle instance for the memory benchmark, natively and in
 * Husk. Prints "ready" once started, then sleeps SECONDS (default 600;
 * in Husk, nanosleep is the poll hypercall: the vCPU is parked in the
 * monitor, not spinning).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    unsigned seconds = argc > 1 ? (unsigned)atoi(argv[1]) : 600;
    printf("ready\n");
    fflush(stdout);
    sleep(seconds);
    return 0;
}
