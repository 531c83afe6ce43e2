/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* log.c: one-line diagnostics on stderr and the fatal exits behind them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk.h"

static void vlog(const char *fmt, va_list ap, int errnum)
{
    /* Build the whole line first so that it reaches stderr in one write. */
    char line[1024];
    int n = snprintf(line, sizeof(line), "husk: ");
    n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    if (n >= (int)sizeof(line))
        n = sizeof(line) - 1;
    if (errnum != 0)
        n += snprintf(line + n, sizeof(line) - (size_t)n, ": %s",
                      strerror(errnum));
    if (n >= (int)sizeof(line) - 1)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    ssize_t unused = write(STDERR_FILENO, line, (size_t)n);
    (void)unused;
}

int husk_errorf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

void husk_warnx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap, 0);
    va_end(ap);
}

void husk_fatal(int code, const char *fmt, ...)
{
    int errnum = errno;
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap, errnum);
    va_end(ap);
    _exit(code);
}

void husk_fatalx(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap, 0);
    va_end(ap);
    _exit(code);
}
