/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * sched.c: the run queue and the rules of sched.h, with no machine state:
 * thread.c switches stacks and waits for the host as these say.
 */
#include <stddef.h>

#include "sched.h"

void husk_sched_init(struct husk_sched *s)
{
    s->run_head = s->run_tail = NULL;
    s->all.all_next = s->all.all_prev = &s->all;
    s->live = 0;
    s->activity = 0;
}

static void enqueue(struct husk_sched *s, struct husk_sched_node *t)
{
    t->state = HUSK_T_READY;
    t->run_next = NULL;
    if (s->run_tail != NULL)
        s->run_tail->run_next = t;
    else
        s->run_head = t;
    s->run_tail = t;
}

/* Queue the IDLE threads that have not looked since the last activity. */
static void queue_stale(struct husk_sched *s)
{
    for (struct husk_sched_node *t = s->all.all_next; t != &s->all;
         t = t->all_next)
        if (t->state == HUSK_T_IDLE && t->looked != s->activity)
            enqueue(s, t);
}

static void note_ran(struct husk_sched *s, struct husk_sched_node *t)
{
    if (t->ran) {
        /* It went on, and may have made ready what an IDLE thread
         * waits for. */
        s->activity++;
        t->ran = false;
    }
}

void husk_sched_add(struct husk_sched *s, struct husk_sched_node *t)
{
    t->all_next = &s->all;
    t->all_prev = s->all.all_prev;
    s->all.all_prev->all_next = t;
    s->all.all_prev = t;
    s->live++;
    t->deadline = UINT64_MAX;
    t->looked = 0;
    t->ran = false;
    enqueue(s, t);
}

void husk_sched_park(struct husk_sched *s, struct husk_sched_node *t,
                     enum husk_tstate state, uint64_t deadline)
{
    note_ran(s, t);
    t->state = state;
    t->deadline = deadline;
    t->looked = s->activity;
    if (state == HUSK_T_DEAD) {
        t->all_prev->all_next = t->all_next;
        t->all_next->all_prev = t->all_prev;
        t->all_next = t->all_prev = t;
        s->live--;
    }
}

void husk_sched_wake(struct husk_sched *s, struct husk_sched_node *t)
{
    if (t->state == HUSK_T_IDLE || t->state == HUSK_T_FUTEX)
        enqueue(s, t);
}

bool husk_sched_any_ready(const struct husk_sched *s)
{
    return s->run_head != NULL;
}

void husk_sched_yield(struct husk_sched *s, struct husk_sched_node *t)
{
    note_ran(s, t);
    queue_stale(s);
    enqueue(s, t);
}

struct husk_sched_node *husk_sched_pick(struct husk_sched *s)
{
    if (s->run_head == NULL)
        queue_stale(s);
    struct husk_sched_node *t = s->run_head;
    if (t == NULL)
        return NULL;
    s->run_head = t->run_next;
    if (s->run_head == NULL)
        s->run_tail = NULL;
    t->run_next = NULL;
    t->state = HUSK_T_RUNNING;
    return t;
}

uint64_t husk_sched_earliest(const struct husk_sched *s)
{
    uint64_t d = UINT64_MAX;
    for (const struct husk_sched_node *t = s->all.all_next; t != &s->all;
         t = t->all_next)
        if ((t->state == HUSK_T_IDLE || t->state == HUSK_T_FUTEX) &&
            t->deadline < d)
            d = t->deadline;
    return d;
}

unsigned husk_sched_after_wait(struct husk_sched *s, uint64_t now,
                               bool (*due)(struct husk_sched_node *t,
                                           void *ctx),
                               void *ctx)
{
    unsigned woken = 0;
    for (struct husk_sched_node *t = s->all.all_next; t != &s->all;
         t = t->all_next) {
        bool wake = t->state == HUSK_T_IDLE;
        if (t->state == HUSK_T_FUTEX)
            wake = t->deadline <= now || (due != NULL && due(t, ctx));
        if (wake) {
            enqueue(s, t);
            woken++;
        }
    }
    return woken;
}
