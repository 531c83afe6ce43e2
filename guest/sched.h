/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * sched.h: the scheduler's pure part (sched.c): which thread runs next on
 * the one vCPU, and when the vCPU must wait for the host instead. It
 * knows nothing of stacks, registers or hypercalls (thread.c does that),
 * so it is unit-tested on the host (tests/unit/test_sched.c).
 *
 * Cooperative: a thread runs until it parks (a wait, a futex wait, a
 * yield, its exit). A parked thread is in one of two waits:
 *
 * - HUSK_T_IDLE: in husk_idle, inside a wait loop that re-checks what it
 *   waits for (an fd's readiness, a socket, the clock, stdin). Nothing
 *   tells such a thread that its condition changed, so it is made ready
 *   to look again after every wait for the host, and before the vCPU
 *   waits, once some other thread has run since it last looked.
 * - HUSK_T_FUTEX: in a futex wait; only a wake, its deadline or a signal
 *   ends it.
 */
#ifndef HUSK_SCHED_H
#define HUSK_SCHED_H

#include <stdbool.h>
#include <stdint.h>

enum husk_tstate {
    HUSK_T_RUNNING, /* the one thread on the vCPU */
    HUSK_T_READY,   /* on the run queue */
    HUSK_T_IDLE,    /* parked in husk_idle: re-checks when made ready */
    HUSK_T_FUTEX,   /* parked in a futex wait */
    HUSK_T_DEAD,    /* exited; freed once off its stack */
};

struct husk_sched_node {
    struct husk_sched_node *run_next;            /* the run queue (READY) */
    struct husk_sched_node *all_next, *all_prev; /* every live thread */
    enum husk_tstate state;
    uint64_t deadline; /* of a parked thread (UINT64_MAX: none) */
    uint64_t looked;   /* an IDLE thread: the activity it last looked at */
    bool ran;          /* went on since it last parked (husk_thread_ran) */
};

struct husk_sched {
    struct husk_sched_node *run_head, *run_tail;
    struct husk_sched_node all; /* the list head of every live thread */
    unsigned live;              /* threads not DEAD */
    /* Counts the times a thread parked after it went on (a system call,
     * a wait that ended): what an IDLE thread waits for may have changed
     * since it looked. A thread that looked, found nothing and parked
     * again changed nothing, so IDLE threads never wake each other in a
     * loop. */
    uint64_t activity;
};

void husk_sched_init(struct husk_sched *s);
/* A new thread: live and at the end of the run queue. */
void husk_sched_add(struct husk_sched *s, struct husk_sched_node *t);
/* t leaves the running state into state (IDLE, FUTEX or DEAD) with a
 * deadline. A DEAD thread leaves the list of live threads. */
void husk_sched_park(struct husk_sched *s, struct husk_sched_node *t,
                     enum husk_tstate state, uint64_t deadline);
/* A parked thread to the end of the run queue (no effect on a thread
 * that is ready, running or dead). */
void husk_sched_wake(struct husk_sched *s, struct husk_sched_node *t);
/* The next thread to run, off the run queue; when the queue is empty,
 * the IDLE threads that have not looked since another thread ran are
 * queued first. NULL if nothing can run: the vCPU waits for the host. */
struct husk_sched_node *husk_sched_pick(struct husk_sched *s);
/* The running thread t gives way: it goes to the end of the run queue,
 * after the IDLE threads that have not looked since another thread ran. */
void husk_sched_yield(struct husk_sched *s, struct husk_sched_node *t);
/* Whether any thread is ready. */
bool husk_sched_any_ready(const struct husk_sched *s);
/* The earliest deadline of every parked thread (UINT64_MAX: none). */
uint64_t husk_sched_earliest(const struct husk_sched *s);
/* After a wait for the host that ended at now: every IDLE thread looks
 * again; a FUTEX thread whose deadline passed, or for which due(t, ctx)
 * says a signal is due, is made ready. Returns how many were woken. */
unsigned husk_sched_after_wait(struct husk_sched *s, uint64_t now,
                               bool (*due)(struct husk_sched_node *t,
                                           void *ctx),
                               void *ctx);

#endif
