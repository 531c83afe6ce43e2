/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * epoll.c: epoll instances as fds. An instance is its interest list;
 * epoll_wait scans it (asking each file's poll op) and, when nothing is
 * ready, runs the network through husk_idle. Level-triggered by default;
 * EPOLLET reports a file again only after its poll sequence moved (new
 * input, space or an error since the last report); EPOLLONESHOT disarms
 * an entry after one report until EPOLL_CTL_MOD. A file closed while in
 * the list leaves it, as on Linux: entries remember which file they
 * meant (its generation) and drop themselves when the fd was reused.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "guest.h"

struct entry {
    int fd;
    uint32_t events; /* EPOLL* asked for, 0 when a oneshot has fired */
    uint64_t data;
    uint64_t gen;  /* the file this entry is for */
    uint32_t seq;  /* its poll sequence at the last report (EPOLLET) */
    bool reported; /* reported since added or modified (EPOLLET) */
};

struct epoll {
    struct entry *entries;
    size_t count, cap;
    size_t next; /* where the next scan starts: fairness under load */
};

static long epoll_close(void *priv)
{
    struct epoll *ep = priv;
    free(ep->entries);
    free(ep);
    return 0;
}

static int epoll_poll(void *priv, uint32_t *seq)
{
    (void)priv, (void)seq;
    return POLLOUT; /* nested epoll readiness is not supported */
}

static const struct husk_file_ops epoll_ops = {
    .close = epoll_close,
    .poll = epoll_poll,
};

long husk_sys_epoll_create1(int flags)
{
    if (flags & ~EPOLL_CLOEXEC)
        return -EINVAL;
    struct epoll *ep = calloc(1, sizeof(*ep));
    if (ep == NULL)
        return -ENOMEM;
    int fd = husk_fd_install(0, &epoll_ops, ep);
    if (fd < 0)
        free(ep);
    else /* EPOLL_CLOEXEC is O_CLOEXEC */
        husk_fd_opened(fd, O_RDWR | (flags & EPOLL_CLOEXEC ? O_CLOEXEC : 0));
    return fd;
}

static struct entry *find(struct epoll *ep, int fd)
{
    for (size_t i = 0; i < ep->count; i++)
        if (ep->entries[i].fd == fd)
            return &ep->entries[i];
    return NULL;
}

static void drop(struct epoll *ep, struct entry *e)
{
    *e = ep->entries[--ep->count];
}

#define SUPPORTED                                                          \
    (EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLERR | EPOLLHUP | EPOLLRDHUP |    \
     EPOLLRDNORM | EPOLLWRNORM | EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | \
     EPOLLWAKEUP)

long husk_sys_epoll_ctl(int epfd, int op, int fd, void *event)
{
    struct epoll *ep = husk_fd_priv(epfd, &epoll_ops);
    if (ep == NULL)
        return husk_fd_is_open(epfd) ? -EINVAL : -EBADF;
    if (!husk_fd_is_open(fd))
        return -EBADF;
    if (fd == epfd || husk_fd_priv(fd, &epoll_ops) != NULL)
        return -EINVAL; /* nesting: not supported */
    uint64_t gen;
    husk_fd_poll(fd, NULL, &gen);
    struct entry *e = find(ep, fd);
    if (e != NULL && e->gen != gen) { /* a stale entry of a closed file */
        drop(ep, e);
        e = NULL;
    }
    const struct epoll_event *ev = event;
    if (op != EPOLL_CTL_DEL && (ev == NULL || (ev->events & ~SUPPORTED)))
        return -EINVAL;
    switch (op) {
    case EPOLL_CTL_ADD:
        if (e != NULL)
            return -EEXIST;
        if (ep->count == ep->cap) {
            size_t cap = ep->cap ? 2 * ep->cap : 16;
            struct entry *n = realloc(ep->entries, cap * sizeof(*n));
            if (n == NULL)
                return -ENOMEM;
            ep->entries = n;
            ep->cap = cap;
        }
        e = &ep->entries[ep->count++];
        *e = (struct entry){.fd = fd, .gen = gen};
        /* fall through */
    case EPOLL_CTL_MOD:
        if (e == NULL)
            return -ENOENT;
        e->events = ev->events;
        e->data = ev->data.u64;
        e->reported = false;
        return 0;
    case EPOLL_CTL_DEL:
        if (e == NULL)
            return -ENOENT;
        drop(ep, e);
        return 0;
    default:
        return -EINVAL;
    }
}

struct wait {
    struct epoll *ep;
    struct epoll_event *out;
    int max;
};

/* Entries whose file was closed leave the list (order kept). */
static void drop_closed(struct epoll *ep)
{
    size_t kept = 0;
    for (size_t i = 0; i < ep->count; i++)
        if (husk_fd_generation(ep->entries[i].fd) == ep->entries[i].gen)
            ep->entries[kept++] = ep->entries[i];
    ep->count = kept;
}

/* One pass over the interest list, each entry once, starting where the
 * last pass stopped (so that, with more ready files than maxevents, all
 * get their turn). */
static long scan(void *ctx)
{
    struct wait *w = ctx;
    struct epoll *ep = w->ep;
    drop_closed(ep);
    if (ep->count == 0)
        return 0;
    int n = 0;
    size_t visited = 0, start = ep->next % ep->count;
    for (; visited < ep->count && n < w->max; visited++) {
        struct entry *e = &ep->entries[(start + visited) % ep->count];
        if (e->events == 0) /* a oneshot that has fired */
            continue;
        uint32_t seq;
        int ev = husk_fd_poll(e->fd, &seq, NULL);
        /* POLL* and EPOLL* bits are the same numbers. */
        uint32_t ready = (uint32_t)ev & (e->events | EPOLLERR | EPOLLHUP);
        if (ready == 0)
            continue;
        if ((e->events & EPOLLET) && e->reported && seq == e->seq)
            continue;
        e->seq = seq;
        e->reported = true;
        w->out[n].events = ready;
        w->out[n].data.u64 = e->data;
        n++;
        if (e->events & EPOLLONESHOT)
            e->events = 0;
    }
    ep->next = (start + visited) % ep->count;
    return n;
}

long husk_sys_epoll_wait(int epfd, void *events, int maxevents, int timeout_ms)
{
    struct epoll *ep = husk_fd_priv(epfd, &epoll_ops);
    if (ep == NULL)
        return husk_fd_is_open(epfd) ? -EINVAL : -EBADF;
    if (maxevents <= 0 || maxevents > 1 << 20)
        return -EINVAL;
    struct wait w = {ep, events, maxevents};
    uint64_t deadline =
        timeout_ms < 0 ? UINT64_MAX
                       : husk_monotonic_ns() + (uint64_t)timeout_ms * 1000000;
    return husk_wait_loop(scan, &w, deadline);
}
