/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * log.c: one-line diagnostics on stderr and the fatal exits behind them,
 * filtered by --log-level. Every line is "husk: " and the message; info
 * and debug lines name their level after it ("husk: info: ..."), so that
 * the default output (error and warn lines) stays what it always was.
 */
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

static enum husk_log_level log_level = HUSK_LOG_WARN;

void husk_log_set_level(enum husk_log_level level)
{
    log_level = level;
}

bool husk_log_enabled(enum husk_log_level level)
{
    return level <= log_level;
}

/* tag: "" for error and warn lines, "info: " or "debug: " else. */
static void vlog(const char *tag, const char *fmt, va_list ap, int errnum)
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
    n += snprintf(line + n, sizeof(line) - (size_t)n, "husk: %s", tag);
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

void husk_log_raw(const char *text, size_t len)
{
    husk_own_tls();
    /* As vlog: at column 0, attributes reset, then the text as it is. */
    if (guest_mid_line != NULL) {
        const char *reset = *guest_mid_line ? "\n\033[0m" : "\033[0m";
        ssize_t unused = write(STDERR_FILENO, reset, strlen(reset));
        (void)unused;
        *guest_mid_line = false;
    }
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

static void log_at(enum husk_log_level level, const char *tag, const char *fmt,
                   va_list ap)
{
    if (level <= log_level)
        vlog(tag, fmt, ap, 0);
}

void husk_errx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_at(HUSK_LOG_ERROR, "", fmt, ap);
    va_end(ap);
}

void husk_reportx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_at(HUSK_LOG_ERROR, "", fmt,
           ap); /* asked for (--stats): at every level */
    va_end(ap);
}

void husk_warnx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_at(HUSK_LOG_WARN, "", fmt, ap);
    va_end(ap);
}

void husk_infox(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_at(HUSK_LOG_INFO, "info: ", fmt, ap);
    va_end(ap);
}

void husk_debugx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_at(HUSK_LOG_DEBUG, "debug: ", fmt, ap);
    va_end(ap);
}

void husk_fatal(int code, const char *fmt, ...)
{
    husk_own_tls(); /* errno: a raw call's caller sets it after this */
    int errnum = errno;
    va_list ap;
    va_start(ap, fmt);
    vlog("", fmt, ap, errnum);
    va_end(ap);
    _exit(code);
}

void husk_fatalx(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("", fmt, ap, 0);
    va_end(ap);
    _exit(code);
}
