/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * thread_calls.c: the small thread calls (set_tid_address,
 * set_robust_list, get_robust_list, sched_getaffinity) and what the
 * robust list asks of a thread's exit: a thread that dies holding a
 * robust lock (one musl handed the kernel: process-shared) leaves it
 * marked FUTEX_OWNER_DIED, and a waiter woken, as Linux does, so that
 * the next pthread_mutex_lock says EOWNERDEAD.
 */
#include <errno.h>
#include <string.h>

#include "guest.h"
#include "thread.h"

#define FUTEX_WAITERS 0x80000000U
#define FUTEX_OWNER_DIED 0x40000000U
#define FUTEX_TID_MASK 0x3fffffffU
#define ROBUST_LIST_LIMIT 2048 /* Linux's bound on a (maybe cyclic) list */

bool husk_thread_in_memory(uintptr_t a, size_t len)
{
    return a >= HUSK_LOAD_MIN && a <= husk_boot->mem_size &&
           len <= husk_boot->mem_size - a && a % len == 0;
}

static void owner_died(uintptr_t word, int tid)
{
    if (!husk_thread_in_memory(word, sizeof(uint32_t)))
        return;
    volatile uint32_t *w = (volatile uint32_t *)word;
    uint32_t v = *w;
    if ((v & FUTEX_TID_MASK) != (uint32_t)tid)
        return;
    *w = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (v & FUTEX_WAITERS)
        husk_futex_wake((const volatile int *)word, 1);
}

/* struct robust_list_head: {next, futex_offset, list_op_pending} */
void husk_thread_robust_exit(struct husk_thread *t)
{
    uintptr_t head = (uintptr_t)t->robust_head;
    if (head == 0 || !husk_thread_in_memory(head, sizeof(long)) ||
        !husk_thread_in_memory(head + 2 * sizeof(long), sizeof(long)))
        return;
    const long *h = (const long *)head;
    long offset = h[1];
    uintptr_t pending = (uintptr_t)h[2];
    uintptr_t entry = (uintptr_t)h[0];
    for (int i = 0; entry != head && i < ROBUST_LIST_LIMIT; i++) {
        if (!husk_thread_in_memory(entry, sizeof(long)))
            break;
        uintptr_t next = *(const uintptr_t *)entry;
        if (entry != pending)
            owner_died(entry + (uintptr_t)offset, t->tid);
        entry = next;
    }
    if (pending != 0)
        owner_died(pending + (uintptr_t)offset, t->tid);
}

long husk_sys_set_tid_address(int *tidptr)
{
    husk_thread_cur->clear_tid = tidptr;
    return husk_thread_cur->tid;
}

long husk_sys_set_robust_list(void *head, size_t len)
{
    if (len != 3 * sizeof(long))
        return -EINVAL;
    husk_thread_cur->robust_head = head;
    return 0;
}

long husk_sys_get_robust_list(int tid, void **head, size_t *len)
{
    struct husk_thread *t = tid == 0 ? husk_thread_cur : husk_thread_find(tid);
    if (t == NULL)
        return -ESRCH;
    *head = t->robust_head;
    *len = 3 * sizeof(long);
    return 0;
}

/* One vCPU: every thread runs on CPU 0. Linux copies its whole CPU mask
 * (8 bytes here) and fails with EINVAL for a smaller buffer. */
long husk_sys_sched_getaffinity(int tid, size_t size, void *set)
{
    if (tid != 0 && husk_thread_find(tid) == NULL)
        return -ESRCH;
    if (size < sizeof(uint64_t) || size % sizeof(long) != 0)
        return -EINVAL;
    uint64_t cpus = 1;
    memcpy(set, &cpus, sizeof(cpus));
    return sizeof(cpus);
}
