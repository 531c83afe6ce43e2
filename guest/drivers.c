/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers.c: the core's side of the driver table (driver.h). The
 * entries lie in the section husk_drivers in link order; the linker
 * defines its bounds, and leaves them undefined (here weak, NULL) in an
 * image with no driver at all.
 */
#include <stddef.h>

#include "driver.h"

extern const struct husk_driver __start_husk_drivers[] __attribute__((weak));
extern const struct husk_driver __stop_husk_drivers[] __attribute__((weak));

const struct husk_driver *husk_driver_at(unsigned i)
{
    if (__start_husk_drivers == NULL ||
        i >= (unsigned)(__stop_husk_drivers - __start_husk_drivers))
        return NULL;
    return &__start_husk_drivers[i];
}

#define EACH_DRIVER(d)                                    \
    for (const struct husk_driver *d = husk_driver_at(0); \
         d != NULL && d < __stop_husk_drivers; d++)

void husk_drivers_init(void)
{
    /* In order, without sorting (nothing is allocated yet): a pass for
     * each order a driver has, lowest first. */
    unsigned order = 0;
    for (;;) {
        unsigned next = ~0u;
        EACH_DRIVER(d)
        {
            if (d->order == order && d->init != NULL)
                d->init();
            if (d->order > order && d->order < next)
                next = d->order;
        }
        if (next == ~0u)
            return;
        order = next;
    }
}

void husk_drivers_resume(void)
{
    EACH_DRIVER(d)
    {
        if (d->resume != NULL)
            d->resume();
    }
}

/* The one that drives the waits: the first with a poll. */
static const struct husk_driver *poller(void)
{
    EACH_DRIVER(d)
    {
        if (d->poll != NULL)
            return d;
    }
    return NULL;
}

bool husk_drivers_poll_some(void)
{
    return poller() != NULL;
}

bool husk_drivers_poll(uint64_t deadline_ns)
{
    const struct husk_driver *d = poller();
    if (d == NULL)
        return false;
    d->poll(deadline_ns);
    return true;
}

void husk_drivers_flush(void)
{
    EACH_DRIVER(d)
    {
        if (d->flush != NULL)
            d->flush();
    }
}

bool husk_drivers_step_if_stale(void)
{
    bool ran = false;
    EACH_DRIVER(d)
    {
        if (d->step_if_stale != NULL)
            ran |= d->step_if_stale();
    }
    return ran;
}

bool husk_drivers_syscall(long *rc, long n, long a1, long a2, long a3, long a4,
                          long a5, long a6)
{
    EACH_DRIVER(d)
    {
        if (d->syscall != NULL) {
            *rc = d->syscall(n, a1, a2, a3, a4, a5, a6);
            return true;
        }
    }
    return false;
}
