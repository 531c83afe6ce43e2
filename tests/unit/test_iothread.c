/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_iothread.c: how long the I/O thread polls before it sleeps (the
 * pure functions of monitor/iothread.c: track_wake, spin_bound,
 * adapt_spin). They are static, so the file is included whole; nothing
 * else in the unit tests links it.
 */
#include "../../monitor/iothread.c"
#include "unit.h"

#define US 1000ULL /* one microsecond in ns */

TEST(iothread_wake_cost_is_the_cheapest_seen)
{
    uint64_t w = track_wake(0, 30 * US); /* the first sample, whatever */
    CHECK_EQ(w, 30 * US);
    CHECK_EQ(track_wake(w, 4 * US), 4 * US); /* a cheaper one at once */
    /* A little dearer: taken as it is (within 1/64). */
    CHECK_EQ(track_wake(6400, 6450), 6450);
    /* A wake-up delayed by a busy host moves it by 1/64 only. */
    CHECK_EQ(track_wake(6400, 8000 * US), 6500);
    /* A machine that became slower for good is followed, slowly. */
    w = 6400;
    for (int i = 0; i < 500; i++)
        w = track_wake(w, 100 * US);
    CHECK_EQ(w, 100 * US);
    /* Never stuck at a tiny estimate. */
    CHECK_EQ(track_wake(1, 1000), 2);
}

TEST(iothread_spin_bound_is_a_multiple_of_the_wake_cost)
{
    CHECK_EQ(spin_bound(1), SPIN_NS_MIN);
    CHECK_EQ(spin_bound(3 * US), SPIN_NS_MIN); /* this host, process */
    CHECK_EQ(spin_bound(20 * US), 20 * US * SPIN_WAKE_MULT);
    CHECK_EQ(spin_bound(SPIN_NS_MAX / SPIN_WAKE_MULT), SPIN_NS_MAX);
    CHECK_EQ(spin_bound(2 * SPIN_NS_MAX), SPIN_NS_MAX);
    CHECK_EQ(spin_bound(UINT64_MAX), SPIN_NS_MAX); /* no overflow */
}

TEST(iothread_spin_grows_for_gaps_worth_catching)
{
    uint64_t max = 400 * US;
    CHECK_EQ(adapt_spin(50 * US, 60 * US, max), 120 * US);  /* cover it */
    CHECK_EQ(adapt_spin(100 * US, 60 * US, max), 200 * US); /* double */
    CHECK_EQ(adapt_spin(100 * US, 300 * US, max), max);     /* capped */
    CHECK_EQ(adapt_spin(max, max, max), max);
}

TEST(iothread_spin_shrinks_on_long_gaps)
{
    uint64_t max = 400 * US;
    CHECK_EQ(adapt_spin(max, max + 1, max), max / 2);
    CHECK_EQ(adapt_spin(80 * US, 2000 * US, max), SPIN_NS_MIN);
    /* A bound that fell (a cheaper wake-up seen) caps the spell. */
    CHECK_EQ(adapt_spin(4000 * US, 5000 * US, max), max);
}

/* The rhythm of SQLite's commits: a burst of requests, then the guest
 * waits milliseconds for fdatasync. Before, 2 ms gaps grew the spell to
 * the 5 ms maximum, a CPU polling through every wait; now it stays at
 * the minimum when a wake-up costs microseconds. */
TEST(iothread_fsync_gaps_do_not_grow_the_spell)
{
    uint64_t wake = track_wake(0, 3 * US), spin = SPIN_NS_START;
    uint64_t max = spin_bound(wake);
    spin = spin < max ? spin : max;
    for (int i = 0; i < 100; i++)
        spin = adapt_spin(spin, (500 + 97 * (uint64_t)i % 4000) * US, max);
    CHECK_EQ(spin, SPIN_NS_MIN);
}

/* A slow machine (nested KVM: a wake-up of 150 us) and a program with
 * 300 us between its reads: the spell grows to catch them. */
TEST(iothread_slow_machine_polls_longer)
{
    uint64_t max = spin_bound(track_wake(0, 150 * US));
    CHECK_EQ(max, 150 * US * SPIN_WAKE_MULT);
    uint64_t spin = SPIN_NS_START;
    for (int i = 0; i < 3; i++)
        spin = adapt_spin(spin, 300 * US, max);
    CHECK(spin > 300 * US);
    CHECK(spin <= max);
}
