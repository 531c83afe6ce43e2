/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * driver.h: the guest's drivers, in one table. Each driver (the console,
 * block devices, the network) defines one struct husk_driver with
 * HUSK_DRIVER; the linker gathers them into the section husk_drivers,
 * and the core (drivers.c) calls them from there: at boot, after a
 * restore, for the files of /dev, from every wait, and for the system
 * calls a driver serves. The core names no driver. Which drivers an
 * image has is husk-cc's choice (it pulls each in by its table entry's
 * name: the console and block devices always, the network with --net).
 */
#ifndef HUSK_GUEST_DRIVER_H
#define HUSK_GUEST_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

struct husk_driver {
    const char *name;
    /* Boot order, lower first: the console is 0, so that the others may
     * print. */
    unsigned order;
    /* In husk_start, before musl's start-up: no malloc, no stdio. */
    void (*init)(void);
    /* A restored snapshot runs again (ready.c): what the monitor of the
     * snapshot set up is gone. */
    void (*resume)(void);
    /* Its devices, as files in /dev (devfs.c): i < dev_count(). */
    unsigned (*dev_count)(void);
    const char *(*dev_name)(unsigned i);
    uint64_t (*dev_size)(unsigned i);
    bool (*dev_read_only)(unsigned i);
    long (*dev_open)(unsigned i, int flags); /* an fd, or -errno */
    /* Work the guest's waits must drive (the network stack): poll runs it
     * until deadline_ns (monotonic) or until something arrives; flush
     * sends what is queued; step_if_stale runs it once without waiting if
     * it has not run for a while, true if it ran. */
    void (*poll)(uint64_t deadline_ns);
    void (*flush)(void);
    bool (*step_if_stale)(void);
    /* The system calls it serves (sockets; syscall.c sends them here). */
    long (*syscall)(long n, long a1, long a2, long a3, long a4, long a5,
                    long a6);
};

/* One driver's entry. Aligned as declared, so that the entries of all
 * objects lie in the section as one array. */
#define HUSK_DRIVER(var)                                       \
    __attribute__((used, section("husk_drivers"), aligned(8))) \
    const struct husk_driver var

/* ---- drivers.c: the core's side ---- */

/* Every driver's init, in their order. */
void husk_drivers_init(void);
/* Every driver's resume. */
void husk_drivers_resume(void);
/* The i-th driver (in the section's order), or NULL past the last. */
const struct husk_driver *husk_driver_at(unsigned i);
/* Whether a driver has work the waits must drive (a poll). */
bool husk_drivers_poll_some(void);
/* The first such driver's poll (there is one: the network), false if
 * there is none; each driver's flush; each one's step_if_stale (true if
 * any ran). */
bool husk_drivers_poll(uint64_t deadline_ns);
void husk_drivers_flush(void);
bool husk_drivers_step_if_stale(void);
/* System call n, by the first driver that serves system calls (the
 * network: sockets): true with its result in *rc, false if none does. */
bool husk_drivers_syscall(long *rc, long n, long a1, long a2, long a3, long a4,
                          long a5, long a6);

#endif
