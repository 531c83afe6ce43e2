/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * log.c: one line per error, on stderr (conmon and podman show the
 * runtime's stderr when a command fails) and in the --log file, which
 * containerd's runc shim reads back as JSON lines ({"level", "msg",
 * "time"}, as runc writes them) to say why a command failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

static int log_fd = -1;
static bool log_json;

void oci_log_open(const char *path, bool json)
{
    log_json = json;
    if (path == NULL)
        return;
    log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (log_fd < 0)
        fprintf(stderr, "husk-oci: cannot open the log %s: %s\n", path,
                strerror(errno));
}

static void now_rfc3339(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    /* One line, whatever the container's config put in it. */
    for (char *p = msg; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    char line[2100];
    int n = snprintf(line, sizeof(line), "husk-oci: %s%s\n",
                     strcmp(level, "warning") == 0 ? "warning: " : "", msg);
    if (n > (int)sizeof(line) - 1)
        n = (int)sizeof(line) - 1;
    ssize_t unused = write(STDERR_FILENO, line, (size_t)n);
    if (log_fd < 0)
        return;
    if (!log_json) {
        unused = write(log_fd, line, (size_t)n);
        (void)unused;
        return;
    }
    char when[48];
    now_rfc3339(when, sizeof(when));
    json_t *o =
        json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", when);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (text != NULL) {
        size_t len = strlen(text);
        text[len] = '\n'; /* over the NUL: one write of one line */
        unused = write(log_fd, text, len + 1);
    }
    free(text);
    json_decref(o);
    (void)unused;
}

void oci_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("error", fmt, ap);
    va_end(ap);
}

void oci_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("warning", fmt, ap);
    va_end(ap);
}

void oci_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("error", fmt, ap);
    va_end(ap);
    exit(1);
}
