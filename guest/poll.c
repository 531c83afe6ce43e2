/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * poll.c: waiting. There are no interrupts: nothing becomes ready unless
 * the guest itself runs the network (or another of its threads acts), so
 * every wait (poll, select, epoll_wait, a blocking socket call, sleep) is
 * a loop of "check, then husk_idle": one step of the network that may
 * wait in the monitor for the next frame or timer, or, with threads, a
 * turn of the other threads first (thread.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <sys/select.h>
#include <time.h>

#include "driver.h"
#include "guest.h"
#include "thread.h"

void husk_idle(uint64_t deadline_ns)
{
    if (husk_threads_live())
        husk_thread_block(HUSK_T_IDLE, deadline_ns);
    else
        husk_host_wait(deadline_ns);
}

void husk_host_wait(uint64_t deadline_ns)
{
    /* Wake for the next timer, whose signal may end the wait. A timer
     * already due fires now, so that a wait that does not stop for
     * signals (a blocking socket call) sleeps on to the next one instead
     * of spinning. */
    husk_timers_fire();
    uint64_t timer = husk_timer_next();
    if (timer < deadline_ns)
        deadline_ns = timer;
    if (!husk_drivers_poll(deadline_ns))
        husk_sleep_step(deadline_ns); /* one wait: input may end it */
}

long husk_idle_until(uint64_t deadline_ns)
{
    while (husk_monotonic_ns() < deadline_ns) {
        husk_idle(deadline_ns);
        if (husk_signal_due())
            return -EINTR;
    }
    husk_thread_ran();
    return 0;
}

/* The monotonic deadline of a relative timeout in ms (< 0: never). */
static uint64_t deadline_ms(int timeout_ms)
{
    if (timeout_ms < 0)
        return UINT64_MAX;
    return husk_monotonic_ns() + (uint64_t)timeout_ms * 1000000ULL;
}

/* Of a timespec (NULL: never); -1 if it is malformed. */
static int deadline_ts(const struct timespec *ts, uint64_t *deadline)
{
    if (ts == NULL) {
        *deadline = UINT64_MAX;
        return 0;
    }
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
        return -1;
    uint64_t ns =
        (uint64_t)ts->tv_sec > UINT64_MAX / 2000000000ULL
            ? UINT64_MAX / 2
            : (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
    *deadline = husk_monotonic_ns() + ns;
    return 0;
}

long husk_wait_loop(long (*scan)(void *ctx), void *ctx, uint64_t deadline)
{
    bool stepped = false;
    for (;;) {
        long n = scan(ctx);
        if (n != 0) {
            husk_thread_ran(); /* it goes on: other waiters look again */
            /* Ready at once, every time: the network must still run. */
            if (n > 0)
                husk_drivers_step_if_stale();
            return n;
        }
        if (husk_signal_due())
            return -EINTR; /* the syscall layer delivers it */
        uint64_t now = husk_monotonic_ns();
        if (now >= deadline) {
            if (stepped || !husk_drivers_poll(now))
                return 0;
        } else {
            husk_idle(deadline);
        }
        stepped = true;
    }
}

struct poll_set {
    struct pollfd *fds;
    unsigned long nfds;
};

static long scan_poll(void *ctx)
{
    struct poll_set *p = ctx;
    long ready = 0;
    for (unsigned long i = 0; i < p->nfds; i++) {
        struct pollfd *f = &p->fds[i];
        f->revents = 0;
        if (f->fd < 0)
            continue;
        int ev = husk_fd_poll(f->fd, NULL, NULL);
        /* POLLERR, POLLHUP and POLLNVAL are reported unasked. */
        f->revents = (short)(ev & (f->events | POLLERR | POLLHUP | POLLNVAL));
        if (f->revents != 0)
            ready++;
    }
    return ready;
}

static long do_poll(struct pollfd *fds, unsigned long nfds, uint64_t deadline)
{
    if (nfds > 1024 * 1024)
        return -EINVAL;
    struct poll_set p = {fds, nfds};
    return husk_wait_loop(scan_poll, &p, deadline);
}

long husk_sys_poll(void *fds, unsigned long nfds, int timeout_ms)
{
    return do_poll(fds, nfds, deadline_ms(timeout_ms));
}

long husk_sys_ppoll(void *fds, unsigned long nfds, const struct timespec *ts)
{
    uint64_t deadline;
    if (deadline_ts(ts, &deadline) != 0)
        return -EINVAL;
    return do_poll(fds, nfds, deadline); /* its mask: syscall.c */
}

struct select_set {
    int nfds;
    fd_set *r, *w, *e;
    fd_set in_r, in_w, in_e; /* what was asked */
};

static long scan_select(void *ctx)
{
    struct select_set *s = ctx;
    long ready = 0;
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    for (int fd = 0; fd < s->nfds; fd++) {
        bool want_r = s->r && FD_ISSET(fd, &s->in_r);
        bool want_w = s->w && FD_ISSET(fd, &s->in_w);
        bool want_e = s->e && FD_ISSET(fd, &s->in_e);
        if (!want_r && !want_w && !want_e)
            continue;
        int ev = husk_fd_poll(fd, NULL, NULL);
        if (ev & POLLNVAL)
            return -EBADF;
        if (want_r && (ev & (POLLIN | POLLHUP | POLLERR))) {
            FD_SET(fd, &r);
            ready++;
        }
        if (want_w && (ev & (POLLOUT | POLLERR))) {
            FD_SET(fd, &w);
            ready++;
        }
        if (want_e && (ev & POLLPRI)) {
            FD_SET(fd, &e);
            ready++;
        }
    }
    if (ready != 0) {
        if (s->r)
            *s->r = r;
        if (s->w)
            *s->w = w;
        if (s->e)
            *s->e = e;
    }
    return ready;
}

static long do_select(int nfds, fd_set *r, fd_set *w, fd_set *e,
                      uint64_t deadline)
{
    if (nfds < 0 || nfds > FD_SETSIZE)
        return -EINVAL;
    struct select_set s = {.nfds = nfds, .r = r, .w = w, .e = e};
    if (r)
        s.in_r = *r;
    if (w)
        s.in_w = *w;
    if (e)
        s.in_e = *e;
    long n = husk_wait_loop(scan_select, &s, deadline);
    if (n == 0) { /* timed out: every set comes back empty */
        if (r)
            FD_ZERO(r);
        if (w)
            FD_ZERO(w);
        if (e)
            FD_ZERO(e);
    }
    return n;
}

long husk_sys_select(int nfds, void *r, void *w, void *e, struct timeval *tv)
{
    uint64_t deadline = UINT64_MAX;
    if (tv != NULL) {
        if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
            return -EINVAL;
        struct timespec ts = {tv->tv_sec, tv->tv_usec * 1000};
        deadline_ts(&ts, &deadline);
    }
    long n = do_select(nfds, r, w, e, deadline);
    if (tv != NULL && n >= 0) { /* Linux reports the time left */
        uint64_t now = husk_monotonic_ns();
        uint64_t left = deadline > now ? deadline - now : 0;
        tv->tv_sec = (time_t)(left / 1000000000ULL);
        tv->tv_usec = (suseconds_t)(left % 1000000000ULL / 1000);
    }
    return n;
}

long husk_sys_pselect6(int nfds, void *r, void *w, void *e,
                       const struct timespec *ts)
{
    uint64_t deadline;
    if (deadline_ts(ts, &deadline) != 0)
        return -EINVAL;
    return do_select(nfds, r, w, e, deadline);
}
