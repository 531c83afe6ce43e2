/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * time.c: clocks from the TSC, sleeping through the poll hypercall.
 *
 * The monotonic clock is the TSC scaled by the frequency the monitor
 * reports, counted from boot: reading it costs ~10 ns and no exit. The
 * wall clock is fetched from the host once (one hypercall, on first use)
 * and then advanced with the monotonic clock. Under the process backend
 * (HUSK_FEATURE_CLOCK_CALL) both are the host's own, read through the
 * vDSO function the monitor names: no exit there either, and no rate.
 */
#include <errno.h>
#include <sys/time.h>
#include <time.h>
#include <x86intrin.h>

#include "guest.h"

/* Sleeps shorter than this spin instead of paying for an exit. */
#define SPIN_NS 100000ULL

static uint64_t tsc_at_boot;
static uint64_t ns_per_tick_q32; /* nanoseconds per TSC tick, 32.32 fixed */
static uint64_t wall_at_boot_ns; /* 0 until first asked */
static int (*host_clock)(int clock, struct timespec *ts);
static uint64_t host_at_boot_ns;

static uint64_t host_clock_ns(int clock)
{
    struct timespec ts;
    if (host_clock(clock, &ts) != 0)
        husk_panic("the host's clock_gettime failed");
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void husk_clock_init(const struct husk_bootinfo *bi)
{
    if (bi->features & HUSK_FEATURE_CLOCK_CALL) {
        host_clock = (int (*)(int, struct timespec *))(uintptr_t)bi->clock_call;
        host_at_boot_ns = host_clock_ns(CLOCK_MONOTONIC);
        return;
    }
    if (bi->tsc_hz == 0)
        husk_panic("the monitor reported no TSC frequency");
    tsc_at_boot = __rdtsc();
    ns_per_tick_q32 = (uint64_t)((1000000000ULL << 32) / bi->tsc_hz);
}

void husk_clock_resume(const struct husk_bootinfo *bi, uint64_t at_ns)
{
    host_clock = NULL;
    husk_clock_init(bi);
    if (host_clock != NULL)
        host_at_boot_ns -= at_ns;
    else /* 2^64 ns is 584 years: at_ns * tsc_hz fits in 128 bits */
        tsc_at_boot -=
            (uint64_t)((unsigned __int128)at_ns * bi->tsc_hz / 1000000000ULL);
    wall_at_boot_ns = 0; /* asked of the host again, on first use */
}

uint64_t husk_monotonic_ns(void)
{
    if (host_clock != NULL)
        return host_clock_ns(CLOCK_MONOTONIC) - host_at_boot_ns;
    uint64_t ticks = __rdtsc() - tsc_at_boot;
    return (uint64_t)(((unsigned __int128)ticks * ns_per_tick_q32) >> 32);
}

static uint64_t realtime_ns(void)
{
    if (host_clock != NULL)
        return host_clock_ns(CLOCK_REALTIME);
    if (wall_at_boot_ns == 0) {
        struct husk_hc_wallclock w = {0};
        husk_hypercall(HUSK_HC_WALLCLOCK, &w);
        wall_at_boot_ns = w.ns - husk_monotonic_ns();
    }
    return wall_at_boot_ns + husk_monotonic_ns();
}

static void to_timespec(uint64_t ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(ns / 1000000000ULL);
    ts->tv_nsec = (long)(ns % 1000000000ULL);
}

int husk_clock_now(int clk, uint64_t *ns)
{
    switch (clk) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        *ns = realtime_ns();
        return 0;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    /* One vCPU that never runs anything else: CPU time is elapsed time. */
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
        *ns = husk_monotonic_ns();
        return 0;
    default:
        return -EINVAL;
    }
}

long husk_sys_clock_gettime(int clk, struct timespec *ts)
{
    uint64_t ns;
    int rc = husk_clock_now(clk, &ns);
    if (rc == 0)
        to_timespec(ns, ts);
    return rc;
}

long husk_sys_clock_getres(int clk, struct timespec *ts)
{
    uint64_t ns;
    if (clk != CLOCK_REALTIME && husk_clock_now(clk, &ns) != 0)
        return -EINVAL;
    if (ts != NULL)
        *ts = (struct timespec){0, 1};
    return 0;
}

long husk_sys_gettimeofday(struct timeval *tv, void *tz)
{
    if (tz != NULL)
        __builtin_memset(tz, 0, 8); /* struct timezone: UTC */
    if (tv != NULL) {
        uint64_t ns = realtime_ns();
        tv->tv_sec = (time_t)(ns / 1000000000ULL);
        tv->tv_usec = (suseconds_t)(ns % 1000000000ULL / 1000);
    }
    return 0;
}

void husk_sleep_step(uint64_t deadline_ns)
{
    uint64_t now = husk_monotonic_ns();
    if (now >= deadline_ns)
        return;
    uint64_t left = deadline_ns - now;
    if (left <= SPIN_NS) {
        while (husk_monotonic_ns() < deadline_ns)
            _mm_pause();
        return;
    }
    /* Wake a little early and spin the rest: the host's sleep
     * overshoots by more than the spin costs. The monitor may end the
     * wait early (stdin's input: drivers/console). */
    uint64_t sleep = left - SPIN_NS / 2;
    struct husk_hc_poll p = {
        .timeout_ns =
            sleep > HUSK_POLL_TIMEOUT_MAX ? HUSK_POLL_TIMEOUT_MAX : sleep,
    };
    husk_hypercall(HUSK_HC_POLL, &p);
}

void husk_sleep_until(uint64_t deadline_ns)
{
    while (husk_monotonic_ns() < deadline_ns)
        husk_sleep_step(deadline_ns);
}

static int timespec_ns(const struct timespec *ts, uint64_t *ns)
{
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
        return -EINVAL;
    if ((uint64_t)ts->tv_sec > UINT64_MAX / 1000000000ULL - 1)
        *ns = UINT64_MAX;
    else
        *ns = (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
    return 0;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

/* A sleep ends early, with EINTR and the time left, when a signal is due
 * (a timer's: nothing else can arrive while the guest sleeps). */
static long sleep_until(uint64_t deadline, struct timespec *rem)
{
    long rc = husk_idle_until(deadline);
    if (rem != NULL) {
        uint64_t now = husk_monotonic_ns();
        to_timespec(rc == -EINTR && deadline > now ? deadline - now : 0, rem);
    }
    return rc;
}

long husk_sys_nanosleep(const struct timespec *req, struct timespec *rem)
{
    uint64_t ns;
    if (timespec_ns(req, &ns) != 0)
        return -EINVAL;
    return sleep_until(add_sat(husk_monotonic_ns(), ns), rem);
}

long husk_sys_clock_nanosleep(int clk, int flags, const struct timespec *req,
                              struct timespec *rem)
{
    uint64_t ns, now;
    if (clk == CLOCK_THREAD_CPUTIME_ID)
        return -EINVAL; /* as Linux */
    if (husk_clock_now(clk, &now) != 0)
        return -EINVAL;
    if (timespec_ns(req, &ns) != 0)
        return -EINVAL;
    uint64_t mono = husk_monotonic_ns();
    if (flags & TIMER_ABSTIME) /* rem is not written for an absolute sleep */
        return sleep_until(ns > now ? add_sat(mono, ns - now) : mono, NULL);
    return sleep_until(add_sat(mono, ns), rem);
}
