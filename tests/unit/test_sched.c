/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_sched.c: the scheduler's rules (guest/sched.c), without stacks or
 * hypercalls: the run queue's order, when parked threads look again,
 * deadlines, and that waiting threads never wake each other in a loop.
 */
#include <stddef.h>

#include "../../guest/sched.h"
#include "unit.h"

static struct husk_sched s;
static struct husk_sched_node t[6];

/* n threads; t[0] runs, the rest are queued in order. */
static void start(int n)
{
    husk_sched_init(&s);
    for (int i = 0; i < n; i++) {
        t[i] = (struct husk_sched_node){0};
        husk_sched_add(&s, &t[i]);
    }
    CHECK(husk_sched_pick(&s) == &t[0]);
    CHECK(t[0].state == HUSK_T_RUNNING);
}

TEST(sched_runs_in_order_of_arrival)
{
    start(4);
    CHECK_EQ(s.live, 4);
    husk_sched_park(&s, &t[0], HUSK_T_FUTEX, UINT64_MAX);
    CHECK(husk_sched_pick(&s) == &t[1]);
    CHECK(husk_sched_pick(&s) == &t[2]);
    CHECK(husk_sched_pick(&s) == &t[3]);
    CHECK(husk_sched_pick(&s) == NULL); /* t[0] waits for a wake */
    husk_sched_wake(&s, &t[0]);
    CHECK(t[0].state == HUSK_T_READY);
    CHECK(husk_sched_pick(&s) == &t[0]);
}

TEST(sched_wake_queues_a_thread_once)
{
    start(3);
    husk_sched_park(&s, &t[0], HUSK_T_FUTEX, UINT64_MAX);
    husk_sched_wake(&s, &t[0]);
    husk_sched_wake(&s, &t[0]); /* already ready: nothing */
    husk_sched_wake(&s, &t[1]); /* ready since it was added */
    CHECK(husk_sched_pick(&s) == &t[1]);
    CHECK(husk_sched_pick(&s) == &t[2]);
    CHECK(husk_sched_pick(&s) == &t[0]);
    CHECK(husk_sched_pick(&s) == NULL);
}

TEST(sched_idle_threads_do_not_look_when_nothing_went_on)
{
    start(2);
    t[0].ran = true; /* it made a system call: something may be ready */
    husk_sched_park(&s, &t[0], HUSK_T_IDLE, UINT64_MAX);
    CHECK(husk_sched_pick(&s) == &t[1]);
    /* t[1] never went on: when it parks, t[0] has nothing new to see */
    husk_sched_park(&s, &t[1], HUSK_T_IDLE, UINT64_MAX);
    CHECK(husk_sched_pick(&s) == NULL);
    CHECK(t[0].state == HUSK_T_IDLE && t[1].state == HUSK_T_IDLE);
}

TEST(sched_a_thread_that_went_on_makes_idle_ones_look)
{
    start(3);
    husk_sched_park(&s, &t[0], HUSK_T_IDLE, UINT64_MAX);
    CHECK(husk_sched_pick(&s) == &t[1]);
    husk_sched_park(&s, &t[1], HUSK_T_IDLE, UINT64_MAX);
    CHECK(husk_sched_pick(&s) == &t[2]);
    t[2].ran = true; /* wrote to a pipe, say */
    husk_sched_park(&s, &t[2], HUSK_T_FUTEX, UINT64_MAX);
    /* both IDLE threads look, in order; the FUTEX one does not */
    CHECK(husk_sched_pick(&s) == &t[0]);
    CHECK(husk_sched_pick(&s) == &t[1]);
    CHECK(husk_sched_pick(&s) == NULL);
}

TEST(sched_idle_threads_never_wake_each_other_in_a_loop)
{
    start(3);
    t[0].ran = true;
    husk_sched_park(&s, &t[0], HUSK_T_IDLE, UINT64_MAX);
    /* Each looks, finds nothing, parks again without going on: after a
     * bounded number of turns nothing is ready and the vCPU can wait. */
    int turns = 0;
    struct husk_sched_node *n;
    while ((n = husk_sched_pick(&s)) != NULL && turns < 100) {
        husk_sched_park(&s, n, HUSK_T_IDLE, UINT64_MAX);
        turns++;
    }
    CHECK(n == NULL);
    CHECK(turns <= 3);
}

TEST(sched_earliest_deadline_of_parked_threads)
{
    start(4);
    CHECK_EQ(husk_sched_earliest(&s), UINT64_MAX);
    husk_sched_park(&s, &t[0], HUSK_T_IDLE, 500);
    CHECK(husk_sched_pick(&s) == &t[1]);
    husk_sched_park(&s, &t[1], HUSK_T_FUTEX, 300);
    CHECK(husk_sched_pick(&s) == &t[2]);
    husk_sched_park(&s, &t[2], HUSK_T_DEAD, 100); /* gone: not counted */
    CHECK_EQ(s.live, 3);
    /* t[3] is ready: its (initial) deadline is no wait's */
    CHECK_EQ(husk_sched_earliest(&s), 300);
    husk_sched_wake(&s, &t[1]);
    CHECK_EQ(husk_sched_earliest(&s), 500);
}

static bool due_for_t1(struct husk_sched_node *n, void *ctx)
{
    (void)ctx;
    return n == &t[1];
}

TEST(sched_after_a_wait_idle_look_futex_wait_on)
{
    start(5);
    husk_sched_park(&s, &t[0], HUSK_T_IDLE, UINT64_MAX);
    CHECK(husk_sched_pick(&s) == &t[1]);
    husk_sched_park(&s, &t[1], HUSK_T_FUTEX, UINT64_MAX); /* a signal */
    CHECK(husk_sched_pick(&s) == &t[2]);
    husk_sched_park(&s, &t[2], HUSK_T_FUTEX, 1000); /* times out */
    CHECK(husk_sched_pick(&s) == &t[3]);
    husk_sched_park(&s, &t[3], HUSK_T_FUTEX, 5000); /* waits on */
    CHECK(husk_sched_pick(&s) == &t[4]);
    husk_sched_park(&s, &t[4], HUSK_T_DEAD, UINT64_MAX);
    CHECK(husk_sched_pick(&s) == NULL);
    CHECK_EQ(husk_sched_after_wait(&s, 1000, due_for_t1, NULL), 3);
    CHECK(husk_sched_pick(&s) == &t[0]);
    CHECK(husk_sched_pick(&s) == &t[1]);
    CHECK(husk_sched_pick(&s) == &t[2]);
    CHECK(husk_sched_pick(&s) == NULL);
    CHECK(t[3].state == HUSK_T_FUTEX);
}

TEST(sched_yield_goes_behind_the_others)
{
    start(3);
    husk_sched_yield(&s, &t[0]);
    CHECK(husk_sched_pick(&s) == &t[1]);
    CHECK(husk_sched_pick(&s) == &t[2]);
    CHECK(husk_sched_pick(&s) == &t[0]);
}

TEST(sched_yield_lets_stale_idle_threads_look_first)
{
    start(2);
    husk_sched_park(&s, &t[0], HUSK_T_IDLE, UINT64_MAX);
    CHECK(husk_sched_pick(&s) == &t[1]);
    /* t[1] spins on sched_yield waiting for t[0]: its system calls count */
    t[1].ran = true;
    husk_sched_yield(&s, &t[1]);
    CHECK(husk_sched_pick(&s) == &t[0]);
    CHECK(husk_sched_pick(&s) == &t[1]);
}

TEST(sched_the_dead_leave_the_list)
{
    start(3);
    husk_sched_park(&s, &t[0], HUSK_T_DEAD, UINT64_MAX);
    CHECK_EQ(s.live, 2);
    husk_sched_wake(&s, &t[0]); /* a stray wake: nothing */
    CHECK(t[0].state == HUSK_T_DEAD);
    CHECK(husk_sched_pick(&s) == &t[1]);
    husk_sched_park(&s, &t[1], HUSK_T_DEAD, UINT64_MAX);
    CHECK(husk_sched_pick(&s) == &t[2]);
    CHECK_EQ(s.live, 1);
    CHECK(s.all.all_next == &t[2] && s.all.all_prev == &t[2]);
}
