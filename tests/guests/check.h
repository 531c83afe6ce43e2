/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * check.h: the checks of the guest test programs that test many calls at
 * once (vfs.c, pipe.c, signals.c): the first failed check is printed with
 * its line and errno, and `failed` makes the program exit 1. Each such
 * program tests one part per run, named by argv[1] (run_part).
 */
#ifndef HUSK_TEST_CHECK_H
#define HUSK_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

static int failed;
#define CHECK(c)                                                              \
    do {                                                                      \
        if (!(c) && !failed++)                                                \
            printf("line %d: %s failed (errno %d %s)\n", __LINE__, #c, errno, \
                   strerror(errno));                                          \
    } while (0)
/* expr fails with errno e */
#define FAILS(expr, e)                                                       \
    do {                                                                     \
        errno = 0;                                                           \
        long r_ = (long)(expr);                                              \
        if ((r_ != -1 || errno != (e)) && !failed++)                         \
            printf("line %d: %s gave %ld errno %d (%s), not %s\n", __LINE__, \
                   #expr, r_, errno, strerror(errno), #e);                   \
    } while (0)

struct test_part {
    const char *name;
    void (*fn)(void);
};

/* Run the part argv[1] names: "PART ok" and 0, or 1 after a failed
 * check, or 2 for no part or an unknown one. */
static inline int run_part(int argc, char **argv, const struct test_part *parts,
                           size_t n)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PART\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(argv[1], parts[i].name) != 0)
            continue;
        parts[i].fn();
        if (failed)
            return 1;
        printf("%s ok\n", argv[1]);
        return 0;
    }
    fprintf(stderr, "no part %s\n", argv[1]);
    return 2;
}

/* An absolute time ms from now on clock clk (futex and condition
 * variable deadlines). */
static inline struct timespec in_ms(clockid_t clk, long ms)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

#endif
