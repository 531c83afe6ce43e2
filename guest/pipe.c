/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * pipe.c: pipe and pipe2. A pipe is a ring buffer in guest memory (64 KiB,
 * Linux's default capacity) with a read end and a write end, each an open
 * file that dup shares. Readiness is Linux's: the read end is readable
 * with data and hung up (POLLHUP) once the write end is closed; the write
 * end is writable with PIPE_BUF bytes free and in error (POLLERR) once the
 * read end is closed.
 *
 * With other threads alive, a blocking read of an empty pipe and a
 * blocking write to a full one park the thread (husk_wait_loop) until
 * another thread fills or drains it, the other end closes or a signal is
 * due, as on Linux; a blocking write returns once all of it is written.
 * With one thread, whatever a pipe holds this program put there, and only
 * it can take it out: such a call would wait forever on Linux (nothing
 * else runs to end the wait). Then it returns EAGAIN at once, after a
 * note on the console, instead of hanging the guest; a blocking write
 * that finds some room writes what fits and returns the short count. A
 * write with the read end closed returns EPIPE (syscall.c raises SIGPIPE).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "guest.h"
#include "thread.h"

#define PIPE_DEFAULT 65536 /* bytes: Linux's default capacity */
#define PIPE_MIN 4096      /* F_SETPIPE_SZ rounds up to a page */
#define PIPE_LIMIT 1048576 /* Linux's default pipe-max-size */
#define PIPEFS_DEV 12      /* st_dev of every pipe, a pseudo file system */

struct pipe;

struct pipe_end {
    struct pipe *p;
    bool open;
    bool nonblock; /* O_NONBLOCK of this end's open file */
};

struct pipe {
    struct pipe_end rd, wr;
    char *buf;
    size_t cap;  /* the buffer's size, a power of two */
    size_t head; /* where the oldest byte is */
    size_t len;  /* bytes held */
    /* Poll sequences (EPOLLET): the read end's moves on new data or the
     * write end's close, the write end's on new room or the read end's
     * close. */
    uint32_t rd_seq, wr_seq;
    uint64_t ino;
    unsigned waiters; /* threads parked on it: it lives while they wait */
};

/* A blocking call that Linux would leave waiting for good; said once. */
static long would_wait_forever(void)
{
    static bool told;
    if (!told) {
        told = true;
        husk_console_note(
            "husk: a blocking read or write of a pipe would wait forever "
            "(one thread: nothing else can fill or drain it); returning "
            "EAGAIN\n");
    }
    return -EAGAIN;
}

static void release(struct pipe *p)
{
    if (p->rd.open || p->wr.open || p->waiters > 0)
        return;
    free(p->buf);
    free(p);
}

/* What a parked reader waits for: data, the writers gone, its own end
 * closed by another thread. */
static long can_read(void *ctx)
{
    struct pipe_end *e = ctx;
    return e->p->len > 0 || !e->p->wr.open || !e->open;
}

/* A parked writer: room for want bytes, or the readers gone. */
struct write_wait {
    struct pipe_end *e;
    size_t want;
};

static long can_write(void *ctx)
{
    struct write_wait *w = ctx;
    struct pipe *p = w->e->p;
    return p->cap - p->len >= w->want || !p->rd.open || !w->e->open;
}

/* Park until ready(ctx) (husk_wait_loop: other threads run meanwhile):
 * 0, -EINTR for a due signal, or -EBADF if another thread closed e. */
static long park(struct pipe_end *e, long (*ready)(void *), void *ctx)
{
    struct pipe *p = e->p;
    p->waiters++;
    long rc = husk_wait_loop(ready, ctx, UINT64_MAX);
    p->waiters--;
    if (!e->open) {
        release(p);
        return -EBADF;
    }
    return rc < 0 ? rc : 0;
}

static long pipe_read(void *priv, void *buf, size_t len)
{
    struct pipe_end *e = priv;
    struct pipe *p = e->p;
    if (len == 0)
        return 0;
    while (p->len == 0) {
        if (!p->wr.open)
            return 0; /* end of file */
        if (e->nonblock)
            return -EAGAIN;
        if (!husk_threads_live())
            return would_wait_forever();
        long rc = park(e, can_read, e);
        if (rc < 0)
            return rc;
    }
    size_t n = len < p->len ? len : p->len;
    size_t first = p->cap - p->head < n ? p->cap - p->head : n;
    __builtin_memcpy(buf, p->buf + p->head, first);
    __builtin_memcpy((char *)buf + first, p->buf, n - first);
    p->head = (p->head + n) & (p->cap - 1);
    p->len -= n;
    p->wr_seq++;
    return (long)n;
}

/* Copy what fits of buf into the pipe: how much. */
static size_t put(struct pipe *p, const void *buf, size_t len)
{
    size_t room = p->cap - p->len;
    size_t n = len < room ? len : room;
    size_t tail = (p->head + p->len) & (p->cap - 1);
    size_t first = p->cap - tail < n ? p->cap - tail : n;
    __builtin_memcpy(p->buf + tail, buf, first);
    __builtin_memcpy(p->buf, (const char *)buf + first, n - first);
    p->len += n;
    if (n > 0)
        p->rd_seq++;
    return n;
}

static long pipe_write(void *priv, const void *buf, size_t len)
{
    struct pipe_end *e = priv;
    struct pipe *p = e->p;
    if (len == 0)
        return 0; /* as Linux: before the check for a reader */
    if (!p->rd.open)
        return -EPIPE;
    size_t room = p->cap - p->len;
    /* Up to PIPE_BUF bytes go in whole or not at all (POSIX). */
    bool whole = len <= PIPE_BUF;
    if (e->nonblock || !husk_threads_live()) {
        if (room == 0 || (whole && room < len && e->nonblock))
            return e->nonblock ? -EAGAIN : would_wait_forever();
        return (long)put(p, buf, len);
    }
    /* Blocking, with other threads to drain it: all of it, parking
     * whenever the pipe is full; a signal or the readers' going ends it
     * early with what was written, if anything. */
    size_t done = 0;
    while (done < len) {
        struct write_wait w = {e, whole ? len : 1};
        if (!can_write(&w)) {
            long rc = park(e, can_write, &w);
            if (rc < 0)
                return done > 0 ? (long)done : rc;
        }
        if (!p->rd.open)
            return done > 0 ? (long)done : -EPIPE;
        done += put(p, (const char *)buf + done, len - done);
    }
    return (long)done;
}

static int pipe_poll(void *priv, uint32_t *seq)
{
    struct pipe_end *e = priv;
    struct pipe *p = e->p;
    int ev = 0;
    if (e == &p->rd) {
        if (p->len > 0)
            ev |= POLLIN | POLLRDNORM;
        if (!p->wr.open)
            ev |= POLLHUP;
    } else {
        /* Writable when a PIPE_BUF write would not fail, as Linux's
         * pipes of page-sized slots are for page-sized writes. */
        if (p->cap - p->len >= PIPE_BUF)
            ev |= POLLOUT | POLLWRNORM;
        if (!p->rd.open)
            ev |= POLLERR;
    }
    if (seq != NULL)
        *seq = e == &p->rd ? p->rd_seq : p->wr_seq;
    return ev;
}

static long pipe_close(void *priv)
{
    struct pipe_end *e = priv;
    struct pipe *p = e->p;
    e->open = false;
    p->rd_seq++; /* the other end sees POLLHUP or POLLERR */
    p->wr_seq++;
    release(p);
    return 0;
}

static void pipe_set_flags(void *priv, int flags)
{
    ((struct pipe_end *)priv)->nonblock = (flags & O_NONBLOCK) != 0;
}

static long pipe_fstat(void *priv, struct stat *st)
{
    struct pipe_end *e = priv;
    st->st_dev = PIPEFS_DEV;
    st->st_ino = e->p->ino;
    st->st_mode = S_IFIFO | 0600;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    return 0;
}

static long pipe_ioctl(void *priv, unsigned long request, void *arg)
{
    struct pipe_end *e = priv;
    if (request != FIONREAD)
        return -ENOTTY;
    *(int *)arg = (int)e->p->len;
    return 0;
}

static const struct husk_file_ops pipe_ops = {
    .read = pipe_read,
    .write = pipe_write,
    .ioctl = pipe_ioctl,
    .fstat = pipe_fstat,
    .close = pipe_close,
    .poll = pipe_poll,
    .set_flags = pipe_set_flags,
};

/* Whether [p, p + len) lies in the guest's memory (the image and above);
 * Linux says EFAULT, where a store would crash the guest. */
static bool in_guest(const void *ptr, size_t len)
{
    uintptr_t a = (uintptr_t)ptr;
    return a >= HUSK_LOAD_MIN && a <= husk_boot->mem_size &&
           len <= husk_boot->mem_size - a;
}

long husk_sys_pipe2(int *fds, int flags)
{
    static uint64_t inodes;
    /* O_DIRECT (packet mode) is not supported; Linux before 3.4 also
     * said EINVAL, so programs fall back to a byte stream. */
    if (flags & ~(O_CLOEXEC | O_NONBLOCK))
        return -EINVAL;
    if (!in_guest(fds, 2 * sizeof(int)))
        return -EFAULT;
    struct pipe *p = calloc(1, sizeof(*p));
    char *buf = malloc(PIPE_DEFAULT);
    if (p == NULL || buf == NULL) {
        free(p);
        free(buf);
        return -ENOMEM;
    }
    *p = (struct pipe){.rd = {p, true, false},
                       .wr = {p, true, false},
                       .buf = buf,
                       .cap = PIPE_DEFAULT,
                       .ino = ++inodes};
    int rfd = husk_fd_install(0, &pipe_ops, &p->rd);
    if (rfd < 0) {
        free(buf);
        free(p);
        return rfd;
    }
    int wfd = husk_fd_install(0, &pipe_ops, &p->wr);
    if (wfd < 0) {
        husk_sys_close(rfd); /* frees nothing: the write end is open */
        free(buf);
        free(p);
        return wfd;
    }
    int common = flags & (O_CLOEXEC | O_NONBLOCK);
    husk_fd_opened(rfd, O_RDONLY | common);
    husk_fd_opened(wfd, O_WRONLY | common);
    fds[0] = rfd;
    fds[1] = wfd;
    return 0;
}

/* The smallest power of two of at least PIPE_MIN bytes that holds size. */
static size_t round_capacity(unsigned long size)
{
    size_t cap = PIPE_MIN;
    while (cap < size)
        cap *= 2;
    return cap;
}

/* F_SETPIPE_SZ: a new buffer with the data moved to its start. */
static long resize(struct pipe *p, long arg)
{
    if (arg < 0 || (unsigned long)arg > PIPE_LIMIT)
        return arg < 0 ? -EINVAL : -EPERM;
    size_t cap = round_capacity((unsigned long)arg);
    if (cap < p->len)
        return -EBUSY;
    char *buf = malloc(cap);
    if (buf == NULL)
        return -ENOMEM;
    size_t first = p->cap - p->head < p->len ? p->cap - p->head : p->len;
    __builtin_memcpy(buf, p->buf + p->head, first);
    __builtin_memcpy(buf + first, p->buf, p->len - first);
    free(p->buf);
    p->buf = buf;
    p->cap = cap;
    p->head = 0;
    p->wr_seq++; /* there may be new room */
    return (long)cap;
}

long husk_pipe_fcntl(int fd, int cmd, long arg)
{
    struct pipe_end *e = husk_fd_priv(fd, &pipe_ops);
    if (e == NULL)
        return -EBADF; /* as Linux, for a file that is not a pipe */
    if (cmd == F_GETPIPE_SZ)
        return (long)e->p->cap;
    return resize(e->p, arg);
}
