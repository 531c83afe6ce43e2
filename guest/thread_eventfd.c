/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * thread_eventfd.c: eventfd and eventfd2, the counter threads wake each
 * other with (memcached's workers, libevent's loops). As on Linux: a
 * write adds its 8-byte value to the counter; a read returns the counter
 * and zeroes it (EFD_SEMAPHORE: returns 1 and takes 1); the fd is
 * readable while the counter is above zero and writable while one more
 * can be added (the counter stays below 2^64 - 1). A blocking read of a
 * zero counter, or a write that would overflow it, parks the thread until
 * another changes it (husk_wait_loop), or a signal is due (EINTR).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guest.h"

#define EFD_SEMAPHORE 1
#define COUNT_MAX (UINT64_MAX - 1)
#define ANON_DEV 13 /* st_dev of every eventfd: an anonymous inode */

struct efd {
    uint64_t count;
    bool semaphore, nonblock, open;
    unsigned waiters; /* threads parked on it: it lives while they wait */
    uint32_t rd_seq, wr_seq; /* poll sequences (EPOLLET) */
    uint64_t ino;
};

static void release(struct efd *e)
{
    if (!e->open && e->waiters == 0)
        free(e);
}

static long readable(void *ctx)
{
    struct efd *e = ctx;
    return e->count > 0 || !e->open;
}

struct want_room {
    struct efd *e;
    uint64_t add;
};

static long writable(void *ctx)
{
    struct want_room *w = ctx;
    return COUNT_MAX - w->e->count >= w->add || !w->e->open;
}

/* Park until ready(ctx): 0, -EINTR for a due signal, or -EBADF if
 * another thread closed it meanwhile. */
static long park(struct efd *e, long (*ready)(void *), void *ctx)
{
    e->waiters++;
    long rc = husk_wait_loop(ready, ctx, UINT64_MAX);
    e->waiters--;
    if (!e->open) {
        release(e);
        return -EBADF;
    }
    return rc < 0 ? rc : 0;
}

static long efd_read(void *priv, void *buf, size_t len)
{
    struct efd *e = priv;
    if (len < sizeof(uint64_t))
        return -EINVAL;
    while (e->count == 0) {
        if (e->nonblock)
            return -EAGAIN;
        long rc = park(e, readable, e);
        if (rc < 0)
            return rc;
    }
    uint64_t v = e->semaphore ? 1 : e->count;
    e->count -= v;
    e->wr_seq++;
    memcpy(buf, &v, sizeof(v));
    return sizeof(v);
}

static long efd_write(void *priv, const void *buf, size_t len)
{
    struct efd *e = priv;
    uint64_t v;
    if (len < sizeof(v))
        return -EINVAL;
    memcpy(&v, buf, sizeof(v));
    if (v == UINT64_MAX)
        return -EINVAL;
    struct want_room w = {e, v};
    while (!writable(&w)) {
        if (e->nonblock)
            return -EAGAIN;
        long rc = park(e, writable, &w);
        if (rc < 0)
            return rc;
    }
    e->count += v;
    if (v > 0)
        e->rd_seq++;
    return sizeof(v);
}

static int efd_poll(void *priv, uint32_t *seq)
{
    struct efd *e = priv;
    int ev = 0;
    if (e->count > 0)
        ev |= POLLIN | POLLRDNORM;
    if (e->count < COUNT_MAX)
        ev |= POLLOUT | POLLWRNORM;
    if (seq != NULL)
        *seq = e->rd_seq + e->wr_seq;
    return ev;
}

static long efd_fstat(void *priv, struct stat *st)
{
    struct efd *e = priv;
    st->st_dev = ANON_DEV;
    st->st_ino = e->ino;
    st->st_mode = 0600; /* an anonymous inode has no file type */
    st->st_nlink = 1;
    st->st_blksize = 4096;
    return 0;
}

static long efd_close(void *priv)
{
    struct efd *e = priv;
    e->open = false;
    release(e);
    return 0;
}

static void efd_set_flags(void *priv, int flags)
{
    ((struct efd *)priv)->nonblock = (flags & O_NONBLOCK) != 0;
}

static const struct husk_file_ops efd_ops = {
    .read = efd_read,
    .write = efd_write,
    .fstat = efd_fstat,
    .close = efd_close,
    .poll = efd_poll,
    .set_flags = efd_set_flags,
};

long husk_sys_eventfd2(unsigned initval, int flags)
{
    static uint64_t inodes;
    if (flags & ~(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE))
        return -EINVAL;
    struct efd *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return -ENOMEM;
    *e = (struct efd){.count = initval,
                      .semaphore = (flags & EFD_SEMAPHORE) != 0,
                      .nonblock = (flags & O_NONBLOCK) != 0,
                      .open = true,
                      .ino = ++inodes};
    int fd = husk_fd_install(0, &efd_ops, e);
    if (fd < 0) {
        free(e);
        return fd;
    }
    husk_fd_opened(fd, O_RDWR | (flags & (O_CLOEXEC | O_NONBLOCK)));
    return fd;
}
