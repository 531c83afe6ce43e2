/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * check.h: the checks of the guest test programs that test many calls at
 * once (vfs.c, pipe.c, signals.c): the first failed check is printed with
 * its line and errno, and `failed` makes the program exit 1.
 */
#ifndef HUSK_TEST_CHECK_H
#define HUSK_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

#endif
