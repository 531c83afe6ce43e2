/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* guest/drivers.c: the guest's driver table, walked as the core walks it.
 * The entries below are this program's whole section husk_drivers,
 * defined out of their boot order on purpose. */
#include <errno.h>
#include <string.h>

#include "../../guest/driver.h"
#include "unit.h"

static char trace[64];

static void note(const char *what)
{
    strncat(trace, what, sizeof(trace) - strlen(trace) - 1);
}

static void init_late(void)
{
    note("late ");
}
static void init_first(void)
{
    note("first ");
}
static void init_second(void)
{
    note("second ");
}
static void init_second_too(void)
{
    note("second-too ");
}
static void resume_second(void)
{
    note("resumed ");
}

static uint64_t polled_until;
static void poll_net(uint64_t deadline)
{
    polled_until = deadline;
}
static void flush_net(void)
{
    note("flushed ");
}
static bool stale_net(void)
{
    return true;
}
static long syscall_net(long n, long a1, long a2, long a3, long a4, long a5,
                        long a6)
{
    return n == 41 ? 1000 + a1 + a2 + a3 + a4 + a5 + a6 : -ENOSYS;
}
static void poll_other(uint64_t deadline)
{
    (void)deadline;
    note("other ");
}

HUSK_DRIVER(late_driver) = {.name = "late", .order = 7, .init = init_late};
HUSK_DRIVER(second_driver) = {
    .name = "second", .order = 1, .init = init_second, .resume = resume_second};
HUSK_DRIVER(first_driver) = {.name = "first", .order = 0, .init = init_first};
HUSK_DRIVER(net_driver) = {.name = "net",
                           .order = 2,
                           .poll = poll_net,
                           .flush = flush_net,
                           .step_if_stale = stale_net,
                           .syscall = syscall_net};
HUSK_DRIVER(second_too_driver) = {.name = "second-too",
                                  .order = 1,
                                  .init = init_second_too,
                                  .poll = poll_other};

TEST(drivers_table_holds_every_entry)
{
    unsigned n = 0;
    while (husk_driver_at(n) != NULL)
        n++;
    CHECK_EQ(n, 5);
    bool seen_net = false;
    for (unsigned i = 0; i < n; i++)
        seen_net |= strcmp(husk_driver_at(i)->name, "net") == 0;
    CHECK(seen_net);
}

TEST(drivers_init_in_their_order)
{
    trace[0] = '\0';
    husk_drivers_init();
    /* Equal orders go in table order, which is link order: either. */
    CHECK(strcmp(trace, "first second second-too late ") == 0 ||
          strcmp(trace, "first second-too second late ") == 0);
    trace[0] = '\0';
    husk_drivers_resume();
    CHECK(strcmp(trace, "resumed ") == 0);
}

TEST(drivers_waits_and_calls_go_to_the_first_that_has_them)
{
    CHECK(husk_drivers_poll_some());
    trace[0] = '\0';
    polled_until = 0;
    CHECK(husk_drivers_poll(1234));
    /* One poller drives the waits: whichever comes first in the table. */
    CHECK((polled_until == 1234 && trace[0] == '\0') ||
          (polled_until == 0 && strcmp(trace, "other ") == 0));
    trace[0] = '\0';
    husk_drivers_flush();
    CHECK(strcmp(trace, "flushed ") == 0);
    CHECK(husk_drivers_step_if_stale());
    long rc = 0;
    CHECK(husk_drivers_syscall(&rc, 41, 1, 2, 3, 4, 5, 6));
    CHECK_EQ(rc, 1021);
    CHECK(husk_drivers_syscall(&rc, 99, 0, 0, 0, 0, 0, 0));
    CHECK_EQ(rc, -ENOSYS);
}
