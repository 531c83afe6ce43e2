/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * thread.h: libhusk's threads (thread.c), their futexes (futex.c) and the
 * context switch (switch_x86_64.S). The design: docs/architecture.md,
 * "Threads".
 */
#ifndef HUSK_THREAD_H
#define HUSK_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched.h"

/* What husk_ctx_switch saves: the stack pointer (the callee-saved
 * registers, MXCSR and the x87 control word are on that stack) and the
 * thread pointer. Offsets are used by switch_x86_64.S. */
struct husk_ctx {
    uint64_t rsp; /* 0 */
    uint64_t fs;  /* 8: the FS base (musl's thread pointer) */
};

struct husk_thread {
    struct husk_sched_node node; /* first: thread.c converts between them */
    struct husk_ctx ctx;
    int tid;
    uint64_t gs; /* the GS base, switched only when threads differ */
    /* set_tid_address and CLONE_CHILD_CLEARTID: zeroed and woken at exit */
    int *clear_tid;
    /* set_robust_list: walked at exit for locks the thread still holds */
    void *robust_head;
    /* Signals (signal.c): the mask, and what tkill/tgkill sent to this
     * thread alone (process-wide ones are signal.c's). */
    uint64_t sig_blocked, sig_pending;
    /* A futex wait (futex.c): the word, the bitset, the queue link, and
     * whether a wake ended it. */
    const volatile int *futex_addr;
    uint32_t futex_bitset;
    struct husk_thread *futex_next;
    bool futex_woken;
    /* The stack musl gave the thread, as mmap'd: [stack_lo, stack_hi),
     * with the guard (PROT_NONE) at its bottom: [stack_lo, guard_hi).
     * All 0 for the main thread (mem.c's stack). */
    uintptr_t stack_lo, guard_hi, stack_hi;
    /* Parked in husk_idle: when it resumes, it only looks, on whatever
     * FS base is loaded, until it goes on (husk_thread_fs_sync). */
    bool looking;
    /* A detached thread unmaps its own stack, then exits: the unmap is
     * done once it is off that stack. */
    uintptr_t unmap_addr;
    size_t unmap_len;
};

/* The thread running now (the main thread before any other exists). */
extern struct husk_thread *husk_thread_cur;
static inline struct husk_thread *husk_thread_self(void)
{
    return husk_thread_cur;
}

/* Whether any thread but the main one was ever created. */
extern bool husk_threads_started;

/* ---- thread.c ---- */
/* clone with CLONE_VM|CLONE_THREAD: the new thread's tid, or -errno.
 * resume is where the child returns to, with %rax = 0, on newsp. */
long husk_thread_clone(unsigned long flags, uintptr_t newsp, int *ptid,
                       int *ctid, uintptr_t tls, uintptr_t resume);
_Noreturn void husk_thread_exit(int status);
long husk_sys_sched_yield(void);
/* The live thread with this tid, or NULL. */
struct husk_thread *husk_thread_find(int tid);
/* Park the running thread in state (HUSK_T_IDLE or HUSK_T_FUTEX) until
 * it is made ready again; runs other threads meanwhile, and waits for the
 * host when none can run. */
void husk_thread_block(enum husk_tstate state, uint64_t deadline);
/* A thread that resumed to look (husk_idle) goes on: load its own FS
 * base if another's is loaded. Every path from a wait back to the
 * program passes here (husk_thread_ran, the end of a system call, a
 * signal's delivery). */
void husk_thread_fs_sync(void);
/* Make a parked thread ready (a futex wake). */
void husk_thread_wake(struct husk_thread *t);
/* Take the signals of set off every thread's pending set (SIG_IGN). */
void husk_thread_discard_signal(uint64_t set);
/* Whether more than one thread is alive. */
bool husk_threads_live(void);
/* A signal became pending for t (or for the process, t NULL): wake the
 * parked threads it is due for, so that their waits end with EINTR. */
void husk_thread_signal_kick(struct husk_thread *t);
/* husk_sys_munmap's question: does [addr, addr + len) hold the running
 * thread's stack? Then the unmap waits for its exit (true). */
bool husk_thread_defer_unmap(uintptr_t addr, size_t len);
/* Before an mmap that may be a thread's stack: set aside the memory for
 * thread records first, above it. */
void husk_thread_prepare(void);

/* ---- thread_stack.c ---- */
/* Record a PROT_NONE range (a thread stack's guard, before clone). */
void husk_thread_note_guard(uintptr_t addr, size_t len, int prot);
/* Give a new thread, whose stack pointer is sp, the stack and guard
 * recorded last (if sp lies in it), and fill the guard's pattern. */
void husk_thread_take_stack(struct husk_thread *t, uintptr_t sp);
/* Check the running thread's stack: end the guest with a report naming
 * the thread if it overflowed. */
void husk_thread_check_stack(void);

/* ---- thread_calls.c ---- */
/* Whether [a, a + len) is guest memory and a is len-aligned. */
bool husk_thread_in_memory(uintptr_t a, size_t len);
/* A thread's exit: the robust locks it still holds die with it. */
void husk_thread_robust_exit(struct husk_thread *t);
long husk_sys_set_tid_address(int *tidptr);
long husk_sys_set_robust_list(void *head, size_t len);
long husk_sys_get_robust_list(int tid, void **head, size_t *len);
long husk_sys_sched_getaffinity(int tid, size_t size, void *set);

/* ---- futex.c ---- */
long husk_sys_futex(int *uaddr, int op, int val, const void *timeout,
                    int *uaddr2, int val3);
/* Wake up to n waiters of uaddr (any bitset): how many woke. */
int husk_futex_wake(const volatile int *uaddr, int n);
/* A thread that leaves a futex wait other than by a wake. */
void husk_futex_unqueue(struct husk_thread *t);

/* ---- switch_x86_64.S ---- */
/* Save the callee-saved state on this stack and in from, continue as to.
 * Writes the FS base with wrfsbase when husk_switch_wrfsbase is set. */
void husk_ctx_switch(struct husk_ctx *from, const struct husk_ctx *to);
/* The first return address of a new thread's stack (see thread.c),
 * which calls husk_thread_started first: what a switch leaves to do. */
void husk_thread_trampoline(void);
void husk_thread_started(void);
extern int husk_switch_wrfsbase;

/* ---- process.c ---- */
/* Make base the FS base of the running code (wrfsbase or the set_tls
 * call); husk_tls_fs_now is what was loaded last. */
void husk_tls_load_fs(uint64_t base);
extern uint64_t husk_tls_fs_now;
void husk_tls_load_gs(uint64_t base);
bool husk_tls_by_call(void);

#endif
