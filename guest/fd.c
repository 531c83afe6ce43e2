/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * fd.c: the file descriptor table. Each open fd names a set of file ops
 * (the console, block devices, sockets, pipes, files of the VFS) and their
 * private data; the read/write/... system calls find the ops here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "guest.h"

#define FD_MAX HUSK_FD_MAX

/* An open file: what dup shares (the file, its position, its access mode
 * and status flags). At most one per fd, so a static pool suffices, and
 * the console's fds exist before malloc does. */
struct open_file {
    const struct husk_file_ops *ops;
    void *priv;
    /* What F_GETFL says: the access mode (O_RDONLY, O_WRONLY, O_RDWR) or
     * O_PATH, and O_NONBLOCK, O_APPEND as open or F_SETFL set them. */
    int flags;
    unsigned refs; /* fds that name it; 0: the slot is free */
};

struct fd_entry {
    struct open_file *of;
    uint64_t gen; /* which file: epoll notices a closed, reused fd */
    /* FD_CLOEXEC: there is no exec, but F_GETFD reports what was set. */
    bool cloexec;
};

static struct fd_entry fds[FD_MAX];
static struct open_file files[FD_MAX];
static uint64_t generations;

static struct open_file *lookup(int fd)
{
    if (fd < 0 || fd >= FD_MAX || fds[fd].of == NULL)
        return NULL;
    return fds[fd].of;
}

static int lowest_free(int min_fd)
{
    for (int fd = min_fd < 0 ? 0 : min_fd; fd < FD_MAX; fd++)
        if (fds[fd].of == NULL)
            return fd;
    return -EMFILE;
}

static void attach(int fd, struct open_file *of, bool cloexec)
{
    of->refs++;
    fds[fd] = (struct fd_entry){of, ++generations, cloexec};
}

/* Whether f was opened for reading, or for writing: Linux says EBADF to
 * a read of an O_WRONLY fd, a write of an O_RDONLY one and either on an
 * O_PATH one. */
static bool readable(const struct open_file *f)
{
    return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool writable(const struct open_file *f)
{
    return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_RDONLY;
}

int husk_fd_install(int min_fd, const struct husk_file_ops *ops, void *priv)
{
    int fd = lowest_free(min_fd);
    if (fd < 0)
        return fd;
    for (size_t i = 0; i < FD_MAX; i++) {
        if (files[i].refs == 0) {
            /* Read-write until husk_fd_opened says otherwise: what the
             * console's fds are on a terminal, and sockets always. */
            files[i] = (struct open_file){ops, priv, O_RDWR, 0};
            attach(fd, &files[i], false);
            return fd;
        }
    }
    return -ENFILE; /* not reached: an fd is free, so a file is */
}

void husk_fd_set_status(int fd, int flags)
{
    struct open_file *f = lookup(fd);
    if (f == NULL)
        return;
    f->flags = (f->flags & ~(O_NONBLOCK | O_APPEND)) |
               (flags & (O_NONBLOCK | O_APPEND));
    if (f->ops->set_flags != NULL)
        f->ops->set_flags(f->priv, f->flags & (O_NONBLOCK | O_APPEND));
}

void husk_fd_opened(int fd, int flags)
{
    struct open_file *f = lookup(fd);
    if (f == NULL)
        return;
    fds[fd].cloexec = (flags & O_CLOEXEC) != 0;
    /* A file shared with another fd was not made by this open (devfs's
     * /dev/stdout is a dup of fd 1): it keeps what it had. */
    if (f->refs > 1)
        return;
    f->flags = flags & O_PATH ? O_PATH : flags & O_ACCMODE;
    husk_fd_set_status(fd, flags);
}

void *husk_fd_priv(int fd, const struct husk_file_ops *ops)
{
    struct open_file *f = lookup(fd);
    return f != NULL && f->ops == ops ? f->priv : NULL;
}

int husk_fd_is_open(int fd)
{
    return lookup(fd) != NULL;
}

uint64_t husk_fd_generation(int fd)
{
    return lookup(fd) != NULL ? fds[fd].gen : 0;
}

int husk_fd_poll(int fd, uint32_t *seq, uint64_t *gen)
{
    struct open_file *f = lookup(fd);
    if (seq != NULL)
        *seq = 0;
    if (f == NULL)
        return POLLNVAL;
    if (gen != NULL)
        *gen = fds[fd].gen;
    if (f->ops->poll == NULL)
        return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
    return f->ops->poll(f->priv, seq);
}

long husk_sys_read(int fd, void *buf, size_t len)
{
    struct open_file *f = lookup(fd);
    if (f == NULL || !readable(f))
        return -EBADF;
    if (f->ops->read == NULL)
        return -EINVAL;
    return f->ops->read(f->priv, buf, len);
}

long husk_sys_write(int fd, const void *buf, size_t len)
{
    struct open_file *f = lookup(fd);
    if (f == NULL || !writable(f))
        return -EBADF;
    if (f->ops->write == NULL)
        return -EINVAL;
    return f->ops->write(f->priv, buf, len);
}

/* Gather small vectors into one write: on this platform every console
 * write is a VM exit, and stdio writes a buffer plus the new data. A
 * thread may park inside that write (a full pipe or socket): while it
 * does, another thread's writev goes vector by vector instead. */
long husk_sys_writev(int fd, const struct iovec *iov, int iovcnt)
{
    static char bounce[4096];
    static bool bounce_busy;
    if (iovcnt < 0 || iovcnt > IOV_MAX)
        return -EINVAL;
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    if (total <= sizeof(bounce) && iovcnt > 1 && !bounce_busy) {
        size_t off = 0;
        for (int i = 0; i < iovcnt; i++) {
            __builtin_memcpy(bounce + off, iov[i].iov_base, iov[i].iov_len);
            off += iov[i].iov_len;
        }
        bounce_busy = true;
        long n = husk_sys_write(fd, bounce, total);
        bounce_busy = false;
        return n;
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
        /* One readv on Linux: once it has data, it returns rather than
         * wait for more (a pipe or socket drained by the first vectors). */
        if (done > 0 &&
            !(husk_fd_poll(fd, NULL, NULL) & (POLLIN | POLLHUP | POLLERR)))
            break;
        long n = husk_sys_read(fd, iov[i].iov_base, iov[i].iov_len);
        if (n < 0)
            return done > 0 ? done : n;
        done += n;
        if ((size_t)n < iov[i].iov_len)
            break;
    }
    return done;
}

/* Drop fd; the file is closed with its last fd. */
long husk_sys_close(int fd)
{
    struct open_file *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    fds[fd].of = NULL;
    if (--f->refs > 0)
        return 0;
    return f->ops->close != NULL ? f->ops->close(f->priv) : 0;
}

long husk_sys_dup3(int oldfd, int newfd, int flags)
{
    struct open_file *f = lookup(oldfd);
    if (flags & ~O_CLOEXEC)
        return -EINVAL;
    if (f == NULL)
        return -EBADF;
    if (newfd == oldfd)
        return -EINVAL; /* dup2 returns newfd instead: its caller checks */
    if (newfd < 0 || newfd >= FD_MAX)
        return -EBADF;
    f->refs++; /* closing newfd must not close what it is to become */
    if (fds[newfd].of != NULL)
        husk_sys_close(newfd); /* its errors are lost, as on Linux */
    f->refs--;
    attach(newfd, f, (flags & O_CLOEXEC) != 0);
    return newfd;
}

long husk_sys_dup2(int oldfd, int newfd)
{
    if (oldfd == newfd)
        return lookup(oldfd) != NULL ? newfd : -EBADF;
    return husk_sys_dup3(oldfd, newfd, 0);
}

/* dup, and fcntl's F_DUPFD: the lowest free fd >= min_fd. */
static long dup_min(int oldfd, int min_fd, bool cloexec)
{
    struct open_file *f = lookup(oldfd);
    if (f == NULL)
        return -EBADF;
    if (min_fd < 0 || min_fd >= FD_MAX)
        return -EINVAL;
    int fd = lowest_free(min_fd);
    if (fd >= 0)
        attach(fd, f, cloexec);
    return fd;
}

long husk_sys_dup_min(int oldfd, int min_fd)
{
    return dup_min(oldfd, min_fd, false);
}

long husk_sys_ioctl(int fd, unsigned long request, void *arg)
{
    struct open_file *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    if (f->ops->ioctl == NULL)
        return -ENOTTY;
    return f->ops->ioctl(f->priv, request, arg);
}

long husk_sys_fstat(int fd, struct stat *st)
{
    struct open_file *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    __builtin_memset(st, 0, sizeof(*st));
    if (f->ops->fstat == NULL)
        return -EINVAL;
    return f->ops->fstat(f->priv, st);
}

long husk_sys_lseek(int fd, off_t offset, int whence)
{
    struct open_file *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    if (f->ops->lseek == NULL)
        return -ESPIPE;
    return f->ops->lseek(f->priv, offset, whence);
}

long husk_sys_pread(int fd, void *buf, size_t len, off_t off)
{
    struct open_file *f = lookup(fd);
    if (f == NULL || !readable(f))
        return -EBADF;
    if (f->ops->pread == NULL)
        return -ESPIPE;
    if (off < 0)
        return -EINVAL;
    return f->ops->pread(f->priv, buf, len, off);
}

long husk_sys_pwrite(int fd, const void *buf, size_t len, off_t off)
{
    struct open_file *f = lookup(fd);
    if (f == NULL || !writable(f))
        return -EBADF;
    if (f->ops->pwrite == NULL)
        return -ESPIPE;
    if (off < 0)
        return -EINVAL;
    return f->ops->pwrite(f->priv, buf, len, off);
}

long husk_sys_fsync(int fd)
{
    struct open_file *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    return f->ops->fsync != NULL ? f->ops->fsync(f->priv) : 0;
}

long husk_sys_ftruncate(int fd, off_t len)
{
    struct open_file *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    if (len < 0 || f->ops->truncate == NULL)
        return -EINVAL;
    return f->ops->truncate(f->priv, len);
}

long husk_sys_getdents64(int fd, void *buf, size_t len)
{
    struct open_file *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    if (f->ops->getdents == NULL)
        return -ENOTDIR;
    return f->ops->getdents(f->priv, buf, len);
}

int husk_fd_vnode(int fd, struct husk_vnode **out)
{
    struct open_file *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    *out = f->ops->vnode != NULL ? f->ops->vnode(f->priv) : NULL;
    return 0;
}

/* Record locks: with one process nothing can conflict, so every lock is
 * granted at once and F_GETLK finds the range free. The arguments are
 * checked as Linux checks them. */
static long record_lock(const struct open_file *f, int cmd, struct flock *fl)
{
    if (fl == NULL)
        return -EFAULT;
    if (fl->l_whence != SEEK_SET && fl->l_whence != SEEK_CUR &&
        fl->l_whence != SEEK_END)
        return -EINVAL;
    bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
    if (ofd && fl->l_pid != 0)
        return -EINVAL;
    int mode = f->flags & O_ACCMODE;
    bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
    switch (fl->l_type) {
    case F_RDLCK:
        if (!get && mode == O_WRONLY)
            return -EBADF;
        break;
    case F_WRLCK:
        if (!get && mode == O_RDONLY)
            return -EBADF;
        break;
    case F_UNLCK:
        if (get)
            return -EINVAL;
        break;
    default:
        return -EINVAL;
    }
    if (get)
        fl->l_type = F_UNLCK;
    return 0;
}

long husk_sys_fcntl(int fd, int cmd, long arg)
{
    struct open_file *f = lookup(fd);
    if (f == NULL)
        return -EBADF;
    switch (cmd) {
    case F_GETFD: /* no exec, so FD_CLOEXEC changes nothing but this */
        return fds[fd].cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
        fds[fd].cloexec = (arg & FD_CLOEXEC) != 0;
        return 0;
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        return dup_min(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
    case F_GETFL:
        return f->flags;
    case F_SETFL:
        husk_fd_set_status(fd, (int)arg);
        return 0;
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ:
        return husk_pipe_fcntl(fd, cmd, arg);
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
        if ((f->flags & O_PATH) != 0)
            return -EBADF;
        return record_lock(f, cmd, (struct flock *)arg);
    default:
        return -EINVAL;
    }
}
