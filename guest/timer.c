/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * timer.c: interval timers (alarm, setitimer) and POSIX timers
 * (timer_create). Nothing interrupts the guest, so a timer is a deadline
 * on the monotonic clock that is checked, and fired, when the guest makes
 * a system call or waits: every wait ends no later than the next deadline
 * (husk_idle), and its signal is then delivered (signal.c). A loop that
 * makes no system call at all cannot be interrupted.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "guest.h"

#define POSIX_TIMERS 32
#define ITIMERS 3 /* ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF */

struct timer {
    bool used;
    int clock;
    int notify; /* SIGEV_SIGNAL or SIGEV_NONE */
    int signo;
    union sigval value;
    uint64_t deadline; /* monotonic ns; 0: disarmed */
    uint64_t interval; /* ns; 0: one-shot */
    int overrun;       /* expiries while its signal was still pending */
};

/* POSIX timers, then the three interval timers. */
static struct timer timers[POSIX_TIMERS + ITIMERS];
static uint64_t next_deadline = UINT64_MAX;

static void recompute(void)
{
    next_deadline = UINT64_MAX;
    for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
        if (timers[i].deadline != 0 && timers[i].deadline < next_deadline)
            next_deadline = timers[i].deadline;
}

uint64_t husk_timer_next(void)
{
    return next_deadline;
}

static void expire(size_t id, struct timer *t, uint64_t extra)
{
    if (t->notify == SIGEV_NONE)
        return;
    if (husk_signal_is_pending(t->signo)) {
        t->overrun += (int)(extra + 1);
        return;
    }
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    info.si_signo = t->signo;
    if (id < POSIX_TIMERS) {
        info.si_code = SI_TIMER;
        info.si_timerid = (int)id;
        info.si_overrun = t->overrun + (int)extra;
        info.si_value = t->value;
    } else {
        info.si_code = SI_KERNEL;
    }
    t->overrun = 0;
    husk_signal_raise(t->signo, &info);
}

void husk_timers_fire(void)
{
    if (next_deadline == UINT64_MAX)
        return;
    uint64_t now = husk_monotonic_ns();
    if (now < next_deadline)
        return;
    for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++) {
        struct timer *t = &timers[i];
        if (t->deadline == 0 || t->deadline > now)
            continue;
        uint64_t extra = 0;
        if (t->interval != 0) {
            extra = (now - t->deadline) / t->interval;
            t->deadline += (extra + 1) * t->interval;
        } else {
            t->deadline = 0;
        }
        expire(i, t, extra);
    }
    recompute();
}

static uint64_t ts_ns(const struct timespec *ts)
{
    if ((uint64_t)ts->tv_sec > 1000000000ULL * 3600)
        return UINT64_MAX / 2; /* far enough to be never */
    return (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
}

static bool ts_valid(const struct timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

static struct timespec ns_ts(uint64_t ns)
{
    return (struct timespec){(time_t)(ns / 1000000000ULL),
                             (long)(ns % 1000000000ULL)};
}

static void get(const struct timer *t, struct itimerspec *cur)
{
    uint64_t now = husk_monotonic_ns();
    uint64_t left = 0;
    if (t->deadline != 0)
        left = t->deadline > now ? t->deadline - now : 1; /* due, not run */
    cur->it_value = ns_ts(left);
    cur->it_interval = ns_ts(t->interval);
}

/* Arm (value non-zero) or disarm t; abs_ns is an absolute time on
 * t->clock when absolute, which is converted to the monotonic clock now. */
static void set(struct timer *t, const struct itimerspec *v, bool absolute)
{
    uint64_t value = ts_ns(&v->it_value);
    t->interval = ts_ns(&v->it_interval);
    t->overrun = 0;
    uint64_t now = husk_monotonic_ns();
    if (value == 0) {
        t->deadline = 0;
    } else if (absolute) {
        uint64_t clock_now;
        husk_clock_now(t->clock, &clock_now);
        t->deadline = value > clock_now ? now + (value - clock_now) : now;
    } else {
        t->deadline = now + value;
    }
    recompute();
}

/* ---- setitimer, getitimer, alarm ---- */

static struct timer *itimer(int which)
{
    static const int signals[ITIMERS] = {SIGALRM, SIGVTALRM, SIGPROF};
    if (which < 0 || which >= ITIMERS)
        return NULL;
    struct timer *t = &timers[POSIX_TIMERS + which];
    t->notify = SIGEV_SIGNAL;
    t->signo = signals[which];
    t->clock = CLOCK_MONOTONIC;
    return t;
}

static void to_itimerval(const struct itimerspec *s, struct itimerval *v)
{
    v->it_value.tv_sec = s->it_value.tv_sec;
    v->it_value.tv_usec = (suseconds_t)((s->it_value.tv_nsec + 999) / 1000);
    v->it_interval.tv_sec = s->it_interval.tv_sec;
    v->it_interval.tv_usec = (suseconds_t)(s->it_interval.tv_nsec / 1000);
}

static bool tv_valid(const struct timeval *tv)
{
    return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

long husk_sys_getitimer(int which, struct itimerval *cur)
{
    struct timer *t = itimer(which);
    if (t == NULL)
        return -EINVAL;
    struct itimerspec s;
    get(t, &s);
    to_itimerval(&s, cur);
    return 0;
}

long husk_sys_setitimer(int which, const struct itimerval *v,
                        struct itimerval *old)
{
    struct timer *t = itimer(which);
    if (t == NULL ||
        (v != NULL && (!tv_valid(&v->it_value) || !tv_valid(&v->it_interval))))
        return -EINVAL;
    if (old != NULL) {
        struct itimerspec s;
        get(t, &s);
        to_itimerval(&s, old);
    }
    if (v != NULL) {
        struct itimerspec s = {
            .it_value = {v->it_value.tv_sec, v->it_value.tv_usec * 1000},
            .it_interval = {v->it_interval.tv_sec,
                            v->it_interval.tv_usec * 1000},
        };
        set(t, &s, false);
    }
    return 0;
}

long husk_sys_alarm(unsigned seconds)
{
    struct itimerval v = {.it_value = {seconds, 0}}, old;
    husk_sys_setitimer(ITIMER_REAL, &v, &old);
    return old.it_value.tv_sec + (old.it_value.tv_usec != 0);
}

/* ---- POSIX timers ---- */

/* The kernel's struct sigevent, as musl passes it. */
struct k_sigevent {
    union sigval value;
    int signo;
    int notify;
    int tid;
};

static struct timer *posix_timer(int id)
{
    if (id < 0 || id >= POSIX_TIMERS || !timers[id].used)
        return NULL;
    return &timers[id];
}

long husk_sys_timer_create(int clk, const void *sevp, int *id)
{
    uint64_t ns;
    if (clk == CLOCK_THREAD_CPUTIME_ID || husk_clock_now(clk, &ns) != 0)
        return -EINVAL;
    struct k_sigevent sev = {.signo = SIGALRM, .notify = SIGEV_SIGNAL};
    if (sevp != NULL)
        memcpy(&sev, sevp, sizeof(sev));
    switch (sev.notify) {
    case SIGEV_NONE:
        break;
    case SIGEV_THREAD_ID:
        if (sev.tid != 1)
            return -EINVAL;
        /* the one thread is the process */
        __attribute__((fallthrough));
    case SIGEV_SIGNAL:
        if (sev.signo < 1 || sev.signo > 64)
            return -EINVAL;
        break;
    default:
        return -EINVAL;
    }
    for (int i = 0; i < POSIX_TIMERS; i++) {
        if (timers[i].used)
            continue;
        timers[i] = (struct timer){
            .used = true,
            .clock = clk,
            .notify = sev.notify == SIGEV_NONE ? SIGEV_NONE : SIGEV_SIGNAL,
            .signo = sev.signo,
            .value = sevp != NULL ? sev.value : (union sigval){.sival_int = i},
        };
        *id = i;
        return 0;
    }
    return -EAGAIN;
}

long husk_sys_timer_settime(int id, int flags, const struct itimerspec *v,
                            struct itimerspec *old)
{
    struct timer *t = posix_timer(id);
    if (t == NULL)
        return -EINVAL;
    if (!ts_valid(&v->it_value) || !ts_valid(&v->it_interval))
        return -EINVAL;
    if (old != NULL)
        get(t, old);
    set(t, v, (flags & TIMER_ABSTIME) != 0);
    return 0;
}

long husk_sys_timer_gettime(int id, struct itimerspec *cur)
{
    struct timer *t = posix_timer(id);
    if (t == NULL)
        return -EINVAL;
    get(t, cur);
    return 0;
}

long husk_sys_timer_getoverrun(int id)
{
    struct timer *t = posix_timer(id);
    return t == NULL ? -EINVAL : t->overrun;
}

long husk_sys_timer_delete(int id)
{
    struct timer *t = posix_timer(id);
    if (t == NULL)
        return -EINVAL;
    *t = (struct timer){0};
    recompute();
    return 0;
}
