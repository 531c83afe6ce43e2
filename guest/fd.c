/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * fd.c: the file descriptor table. Each open fd names a set of file ops
 * (the console, block devices, sockets) and their private data;
 * the read/write/... system calls find the ops here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "guest.h"

#define FD_MAX 1024

struct fd_entry {
    const struct husk_file_ops *ops;
    void *priv;
    int status_flags; /* O_NONBLOCK, O_APPEND as set by fcntl */
    uint64_t gen;     /* which file: epoll notices a closed, reused fd */
};

static struct fd_entry fds[FD_MAX];
static uint64_t generations;

static struct fd_entry *lookup(int fd)
{
    if (fd < 0 || fd >= FD_MAX || fds[fd].ops == NULL)
        return NULL;
    return &fds[fd];
}

int husk_fd_install(int min_fd, const struct husk_file_ops *ops, void *priv)
{
    for (int fd = min_fd < 0 ? 0 : min_fd; fd < FD_MAX; fd++) {
        if (fds[fd].ops == NULL) {
            fds[fd] = (struct fd_entry){ops, priv, 0, ++generations};
            return fd;
        }
    }
    return -EMFILE;
}

void husk_fd_set_status(int fd, int flags)
{
    struct fd_entry *f = lookup(fd);
    if (f == NULL)
        return;
    f->status_flags = flags & (O_NONBLOCK | O_APPEND);
    if (f->ops->set_flags != NULL)
        f->ops->set_flags(f->priv, f->status_flags);
}

void *husk_fd_priv(int fd, const struct husk_file_ops *ops)
{
    struct fd_entry *f = lookup(fd);
    return f != NULL && f->ops == ops ? f->priv : NULL;
}

int husk_fd_is_open(int fd)
{
    return lookup(fd) != NULL;
}

uint64_t husk_fd_generation(int fd)
{
    struct fd_entry *f = lookup(fd);
    return f != NULL ? f->gen : 0;
}

int husk_fd_poll(int fd, uint32_t *seq, uint64_t *gen)
{
    struct fd_entry *f = lookup(fd);
    if (seq != NULL)
        *seq = 0;
    if (f == NULL)
        return POLLNVAL;
    if (gen != NULL)
        *gen = f->gen;
    if (f->ops->poll == NULL)
        return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
    return f->ops->poll(f->priv, seq);
}

long husk_sys_read(int fd, void *buf, size_t len)
{
    struct fd_entry *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    if (f->ops->read == NULL)
        return -EINVAL;
    return f->ops->read(f->priv, buf, len);
}

long husk_sys_write(int fd, const void *buf, size_t len)
{
    struct fd_entry *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    if (f->ops->write == NULL)
        return -EINVAL;
    return f->ops->write(f->priv, buf, len);
}

/* Gather small vectors into one write: on this platform every console
 * write is a VM exit, and stdio writes a buffer plus the new data. */
long husk_sys_writev(int fd, const struct iovec *iov, int iovcnt)
{
    static char bounce[4096];
    if (iovcnt < 0 || iovcnt > IOV_MAX)
        return -EINVAL;
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    if (total <= sizeof(bounce) && iovcnt > 1) {
        size_t off = 0;
        for (int i = 0; i < iovcnt; i++) {
            __builtin_memcpy(bounce + off, iov[i].iov_base, iov[i].iov_len);
            off += iov[i].iov_len;
        }
        return husk_sys_write(fd, bounce, total);
    }
    long done = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len == 0)
            continue;
        long n = husk_sys_write(fd, iov[i].iov_base, iov[i].iov_len);
        if (n < 0)
            return done > 0 ? done : n;
        done += n;
        if ((size_t)n < iov[i].iov_len)
            break;
    }
    return done;
}

long husk_sys_readv(int fd, const struct iovec *iov, int iovcnt)
{
    if (iovcnt < 0 || iovcnt > IOV_MAX)
        return -EINVAL;
    long done = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len == 0)
            continue;
        long n = husk_sys_read(fd, iov[i].iov_base, iov[i].iov_len);
        if (n < 0)
            return done > 0 ? done : n;
        done += n;
        if ((size_t)n < iov[i].iov_len)
            break;
    }
    return done;
}

long husk_sys_close(int fd)
{
    struct fd_entry *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    long rc = f->ops->close != NULL ? f->ops->close(f->priv) : 0;
    fds[fd].ops = NULL;
    return rc;
}

long husk_sys_ioctl(int fd, unsigned long request, void *arg)
{
    struct fd_entry *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    if (f->ops->ioctl == NULL)
        return -ENOTTY;
    return f->ops->ioctl(f->priv, request, arg);
}

long husk_sys_fstat(int fd, struct stat *st)
{
    struct fd_entry *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    __builtin_memset(st, 0, sizeof(*st));
    if (f->ops->fstat == NULL)
        return -EINVAL;
    return f->ops->fstat(f->priv, st);
}

long husk_sys_lseek(int fd, off_t offset, int whence)
{
    struct fd_entry *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    if (f->ops->lseek == NULL)
        return -ESPIPE;
    return f->ops->lseek(f->priv, offset, whence);
}

long husk_sys_pread(int fd, void *buf, size_t len, off_t off)
{
    struct fd_entry *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    if (f->ops->pread == NULL)
        return -ESPIPE;
    if (off < 0)
        return -EINVAL;
    return f->ops->pread(f->priv, buf, len, off);
}

long husk_sys_pwrite(int fd, const void *buf, size_t len, off_t off)
{
    struct fd_entry *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    if (f->ops->pwrite == NULL)
        return -ESPIPE;
    if (off < 0)
        return -EINVAL;
    return f->ops->pwrite(f->priv, buf, len, off);
}

long husk_sys_fsync(int fd)
{
    struct fd_entry *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    return f->ops->fsync != NULL ? f->ops->fsync(f->priv) : 0;
}

/* The only files are the block devices, at /dev/NAME. */
long husk_sys_openat(int dirfd, const char *path, int flags, int mode)
{
    (void)dirfd, (void)mode; /* paths are absolute; nothing is created */
    const char prefix[] = "/dev/";
    for (size_t i = 0; i < sizeof(prefix) - 1; i++)
        if (path[i] != prefix[i])
            return -ENOENT;
    long fd = husk_block_open(path + sizeof(prefix) - 1, flags);
    if (fd >= 0)
        husk_fd_set_status((int)fd, flags);
    return fd;
}

long husk_sys_fcntl(int fd, int cmd, long arg)
{
    struct fd_entry *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    switch (cmd) {
    case F_GETFD:
    case F_SETFD:
        return 0; /* no exec, so FD_CLOEXEC means nothing */
    case F_GETFL:
        return f->status_flags | O_RDWR;
    case F_SETFL:
        husk_fd_set_status(fd, (int)arg);
        return 0;
    default:
        return -EINVAL;
    }
}
