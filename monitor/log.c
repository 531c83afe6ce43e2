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

/* Set when stderr is a terminal the guest writes to (console/host.c). */
static bool *guest_mid_line;

void husk_log_console_tty(bool *mid_line)
{
    guest_mid_line = mid_line;
}

void (*husk_tls_claim)(void);

static void vlog(const char *fmt, va_list ap, int errnum)
{
    husk_own_tls();
    /* Build the whole line first so that it reaches stderr in one write.
     * On a terminal the guest shares, the line must be seen as ours: at
     * column 0 (after the guest's unfinished line, not on it) and with
     * the attributes reset (console/escape.c keeps the guest from setting
     * any, and from printing "husk:"). */
    char line[1024];
    int n = 0;
    if (guest_mid_line != NULL)
        n = snprintf(line, sizeof(line), "%s\033[0m",
                     *guest_mid_line ? "\n" : "");
    n += snprintf(line + n, sizeof(line) - (size_t)n, "husk: ");
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
    if (guest_mid_line != NULL)
        *guest_mid_line = false;
}

int husk_errorf(char *err, size_t errlen, const char *fmt, ...)
{
    husk_own_tls();
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
    husk_own_tls(); /* errno: a raw call's caller sets it after this */
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
