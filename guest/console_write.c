/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * console_write.c: bytes to the monitor's stdout or stderr, one
 * HUSK_HC_CONSOLE_WRITE per HUSK_CONSOLE_MAX. The console driver's fds 1
 * and 2 write through it (drivers/console/guest.c), and so do libhusk's
 * own notes, which need no fd and no driver: they work before any driver
 * is up and after a program has closed its fds.
 */
#include <errno.h>

#include "guest.h"

long husk_console_write(unsigned stream, const void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        size_t chunk = len - done;
        if (chunk > HUSK_CONSOLE_MAX)
            chunk = HUSK_CONSOLE_MAX;
        struct husk_hc_console_write a = {
            .buf_gpa = (uintptr_t)buf + done,
            .len = (uint32_t)chunk,
            .stream = stream,
        };
        husk_hypercall(HUSK_HC_CONSOLE_WRITE, &a);
        if (a.ret <= 0)
            return done > 0 ? (long)done : -EIO;
        done += (size_t)a.ret;
    }
    return (long)done;
}

void husk_console_note(const char *s)
{
    husk_console_write(HUSK_CONSOLE_STDERR, s, __builtin_strlen(s));
}
