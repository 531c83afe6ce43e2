/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/console/guest.c: fds 0, 1 and 2. stdout and stderr go to the
 * monitor's stdout and stderr through HUSK_HC_CONSOLE_WRITE (libhusk's
 * husk_console_write, guest/console_write.c). stdin is the
 * monitor's stdin, read through HUSK_HC_CONSOLE_READ (at end of file when
 * the monitor does not offer it: an older one, or husk --stdin=none).
 * None of them is a terminal.
 *
 * console_read never waits: when nothing is waiting, a read that may
 * block (or poll, select, epoll) waits in the guest's usual wait, whose
 * next wait the monitor ends when input arrives.
 * What a poll brought in, and small reads, go through a buffer here, so
 * that the read that follows costs no call.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/stat.h>

#include "../../guest/driver.h"
#include "../../guest/guest.h"

/* stdin's state: what console_read brought in that nobody has read yet,
 * and an end of file or error to report once. One stdin, one state: fd 0
 * and its dups share it. */
static struct {
    uint8_t buf[4096];
    uint32_t head, tail; /* buf[head, tail) is unread */
    bool eof, error;     /* the next read returns 0, or -EIO */
    bool nonblock;       /* O_NONBLOCK (F_SETFL) */
    uint32_t seq;        /* moves with each arrival (EPOLLET) */
} in;

static bool stdin_offered(void)
{
    return (husk_boot->features & HUSK_FEATURE_CONSOLE_READ) != 0;
}

/* One console_read into dst: bytes, 0 at end of file, -EAGAIN, -EIO. */
static long fetch(void *dst, size_t len)
{
    struct husk_hc_console_read a = {
        .buf_gpa = (uintptr_t)dst,
        .len = (uint32_t)(len < HUSK_CONSOLE_MAX ? len : HUSK_CONSOLE_MAX),
    };
    husk_hypercall(HUSK_HC_CONSOLE_READ, &a);
    if (a.ret == -HUSK_EAGAIN)
        return -EAGAIN;
    return a.ret < 0 ? -EIO : (long)a.ret;
}

/* Something to report now (buffered bytes, the end, an error): 1; else
 * ask the monitor once, and 0 if it has nothing either. */
static long stdin_fill(void *ctx)
{
    (void)ctx;
    if (in.head < in.tail || in.eof || in.error)
        return 1;
    long n = fetch(in.buf, sizeof(in.buf));
    if (n == -EAGAIN)
        return 0;
    in.seq++;
    if (n > 0) {
        in.head = 0;
        in.tail = (uint32_t)n;
    } else if (n == 0) {
        in.eof = true;
    } else {
        in.error = true;
    }
    return 1;
}

/* The monitor writes only the guest's own memory: a buffer elsewhere
 * (the argument strings, say, which a program may overwrite) is filled
 * through ours. */
static bool monitor_may_write(const void *buf, size_t len)
{
    uintptr_t p = (uintptr_t)buf;
    return p >= HUSK_LOAD_MIN && p <= husk_boot->mem_size &&
           len <= husk_boot->mem_size - p;
}

static long stdin_read(void *buf, size_t len)
{
    if (!stdin_offered())
        return 0;
    if (len == 0)
        return 0;
    for (;;) {
        if (in.head < in.tail) {
            size_t n = in.tail - in.head < len ? in.tail - in.head : len;
            __builtin_memcpy(buf, in.buf + in.head, n);
            in.head += (uint32_t)n;
            return (long)n;
        }
        if (in.eof || in.error) {
            long rc = in.eof ? 0 : -EIO;
            in.eof = in.error = false; /* reported once, as read(2) does */
            return rc;
        }
        /* A large read goes straight into the caller's buffer. */
        if (len >= sizeof(in.buf) && monitor_may_write(buf, len)) {
            long n = fetch(buf, len);
            if (n != -EAGAIN) {
                in.seq++;
                return n;
            }
        } else if (stdin_fill(NULL) != 0) {
            continue;
        }
        if (in.nonblock)
            return -EAGAIN;
        /* Every wait's shape (poll.c): the monitor ends it when input
         * arrives, a due signal ends it with EINTR (and SA_RESTART reads
         * again: syscall.c). */
        long rc = husk_wait_loop(stdin_fill, NULL, UINT64_MAX);
        if (rc < 0)
            return rc;
    }
}

static long console_read(void *priv, void *buf, size_t len)
{
    if ((uintptr_t)priv != 0)
        return -EBADF; /* stdout, stderr: not open for reading */
    return stdin_read(buf, len);
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

static int console_poll(void *priv, uint32_t *seq)
{
    if ((uintptr_t)priv != 0)
        return POLLOUT | POLLWRNORM; /* the monitor takes every write */
    if (stdin_offered())
        stdin_fill(NULL);
    else
        in.eof = true; /* always at the end */
    if (seq != NULL)
        *seq = in.seq;
    if (in.error)
        return POLLIN | POLLRDNORM | POLLERR;
    if (in.head < in.tail || in.eof)
        return POLLIN | POLLRDNORM;
    return 0;
}

static void console_set_flags(void *priv, int flags)
{
    if ((uintptr_t)priv == 0)
        in.nonblock = (flags & O_NONBLOCK) != 0;
}

static const struct husk_file_ops console_ops = {
    .read = console_read,
    .write = console_write,
    .ioctl = console_ioctl,
    .fstat = console_fstat,
    .poll = console_poll,
    .set_flags = console_set_flags,
};

/* fds 0, 1 and 2, before anything else: the other drivers may print. */
static void console_init(void)
{
    /* priv is the stream: 0 (stdin), HUSK_CONSOLE_STDOUT, _STDERR */
    husk_fd_install(0, &console_ops, (void *)0);
    husk_fd_install(1, &console_ops, (void *)(uintptr_t)HUSK_CONSOLE_STDOUT);
    husk_fd_install(2, &console_ops, (void *)(uintptr_t)HUSK_CONSOLE_STDERR);
}

/* Every image has it: its writes are referred to throughout libhusk. */
HUSK_DRIVER(husk_console_driver) = {
    .name = "console",
    .order = 0,
    .init = console_init,
};
