/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/console/guest.c: fds 0, 1 and 2. stdout and stderr go to the
 * monitor's stdout and stderr through HUSK_HC_CONSOLE_WRITE; stdin is
 * always at end of file. None of them is a terminal.
 */
#include <errno.h>
#include <sys/stat.h>

#include "../../guest/guest.h"

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

static long console_read(void *priv, void *buf, size_t len)
{
    (void)priv, (void)buf, (void)len;
    return 0; /* stdin: end of file */
}

static long console_write(void *priv, const void *buf, size_t len)
{
    unsigned stream = (unsigned)(uintptr_t)priv;
    if (stream == 0)
        return -EBADF; /* stdin is not open for writing */
    return husk_console_write(stream, buf, len);
}

static long console_ioctl(void *priv, unsigned long request, void *arg)
{
    (void)priv, (void)request, (void)arg;
    return -ENOTTY; /* TIOCGWINSZ and friends: not a terminal */
}

static long console_fstat(void *priv, struct stat *st)
{
    (void)priv;
    st->st_mode = S_IFCHR | 0620;
    st->st_blksize = 4096;
    return 0;
}

static const struct husk_file_ops console_ops = {
    .read = console_read,
    .write = console_write,
    .ioctl = console_ioctl,
    .fstat = console_fstat,
};

long husk_console_open(unsigned stream)
{
    static const unsigned streams[] = {0, HUSK_CONSOLE_STDOUT,
                                       HUSK_CONSOLE_STDERR};
    if (stream > 2)
        return -ENXIO;
    return husk_fd_install(0, &console_ops, (void *)(uintptr_t)streams[stream]);
}

void husk_console_init(void)
{
    /* priv is the stream: 0 (stdin), HUSK_CONSOLE_STDOUT, _STDERR */
    husk_fd_install(0, &console_ops, (void *)0);
    husk_fd_install(1, &console_ops, (void *)(uintptr_t)HUSK_CONSOLE_STDOUT);
    husk_fd_install(2, &console_ops, (void *)(uintptr_t)HUSK_CONSOLE_STDERR);
}
