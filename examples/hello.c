/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* hello.c: the demo unikernel. An ordinary C program: it builds with any
 * C compiler for Linux, and with husk-cc into a Husk image. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char *argv[])
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    printf("Hello");
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("!\n");

    /* A little of everything a C program expects: the heap, floating
     * point, the clocks. */
    double *v = malloc(1000 * sizeof(*v));
    if (v == NULL)
        return 1;
    double sum = 0;
    for (int i = 0; i < 1000; i++)
        sum += v[i] = 1.0 / (i + 1);
    free(v);
    time_t now = time(NULL);
    char date[64];
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("H(1000) = %.6f, the time is %s, main ran for %.1f us\n", sum, date,
           (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3);
    return 0;
}
