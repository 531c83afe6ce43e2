/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * thread.c: threads on the one vCPU. musl's pthread_create allocates the
 * stack and TLS and calls clone; here clone makes a thread that the
 * scheduler (sched.c) runs when the running one parks. Each thread has
 * its own registers, stack, FS base (musl's thread pointer), signal mask
 * and tid. Nothing preempts a thread: it runs until it waits, yields or
 * exits.
 *
 * Waiting: a thread that parks switches to the next ready thread. When
 * none is ready, it switches to the idle context, a stack of libhusk's
 * own, which waits for the host (husk_host_wait: the network, stdin, the
 * clock) until the earliest deadline of every parked thread, then wakes
 * those whose wait may have ended. So the vCPU waits for the host only
 * when every thread is parked, and the network (lwIP) is run from the
 * idle context, never on a thread's stack, however small that stack.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "guest.h"
#include "thread.h"

/* The main thread: tid 1, as the process's pid (Linux's thread group
 * leader), on mem.c's stack. */
static struct husk_thread main_thread = {.tid = 1};
struct husk_thread *husk_thread_cur = &main_thread;
bool husk_threads_started;

static struct husk_sched sched;
static bool sched_ready;
/* Read by switch_x86_64.S: the guest may write its FS base itself. */
int husk_switch_wrfsbase;

/* The idle context: where the vCPU waits for the host. Its "thread" has
 * every signal blocked, so nothing is ever delivered there. */
#define IDLE_STACK_SIZE (64 * 1024)
static struct husk_thread idle_thread = {.tid = 0, .sig_blocked = ~0ULL};
static void *idle_stack;

/* A thread that exited and whose stack and struct can go once the vCPU
 * is off its stack: freed by whatever runs after the switch. */
static struct husk_thread *zombie;
/* The main thread's exit status, if it exited (SYS_exit) before the last
 * thread: a process reports its leader's status, as Linux does. */
static int main_status;
static int next_tid = 2;

static struct husk_thread *of(struct husk_sched_node *n)
{
    return (struct husk_thread *)n; /* node is the first member */
}

static void init_sched(void)
{
    if (sched_ready)
        return;
    sched_ready = true;
    husk_sched_init(&sched);
    husk_sched_add(&sched, &main_thread.node);
    husk_sched_pick(&sched); /* the main thread: running */
    husk_switch_wrfsbase = !husk_tls_by_call();
}

void husk_thread_resume(void)
{
    /* The host may be another: wrfsbase may work where it did not, or
     * the other way round (process.c). */
    if (sched_ready)
        husk_switch_wrfsbase = !husk_tls_by_call();
    struct husk_thread *self = husk_thread_cur;
    husk_tls_load_fs(self->ctx.fs);
    if (self->gs != 0)
        husk_tls_load_gs(self->gs);
}

struct husk_thread *husk_thread_find(int tid)
{
    if (!sched_ready)
        return tid == main_thread.tid ? &main_thread : NULL;
    for (struct husk_sched_node *n = sched.all.all_next; n != &sched.all;
         n = n->all_next)
        if (of(n)->tid == tid)
            return of(n);
    return NULL;
}

/* ---- where thread records live ----
 *
 * Not in malloc's memory: an overflowing stack writes downward, over
 * whatever was mapped after it, and malloc may have put a record there,
 * the very record that says where that stack's guard is. Records come
 * from slabs of libhusk's own mmap instead, the first one taken just
 * before the first thread stack is mapped (mappings go downward, so it
 * lies above every stack). */
#define SLAB_RECORDS 128
static struct husk_thread *free_records;
/* The current slab's records never handed out: taken in order, so that
 * a slab's pages are touched (and faulted in, 10-40 us each on some
 * hosts) only as threads come, not all at once for a program that makes
 * none. */
static struct husk_thread *slab_next, *slab_end;

static bool add_slab(void)
{
    size_t len = SLAB_RECORDS * sizeof(struct husk_thread);
    long p = husk_sys_mmap(0, len, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p < 0)
        return false;
    slab_next = (struct husk_thread *)p;
    slab_end = slab_next + SLAB_RECORDS;
    return true;
}

void husk_thread_prepare(void)
{
    if (free_records == NULL && slab_next == slab_end)
        add_slab();
}

static struct husk_thread *new_record(void)
{
    struct husk_thread *t = free_records;
    if (t != NULL) {
        free_records = t->futex_next;
    } else {
        if (slab_next == slab_end && !add_slab())
            return NULL;
        t = slab_next++;
    }
    memset(t, 0, sizeof(*t));
    return t;
}

static void free_record(struct husk_thread *t)
{
    t->futex_next = free_records;
    free_records = t;
}

/* ---- switching ---- */

static void reap(void)
{
    struct husk_thread *z = zombie;
    if (z == NULL)
        return;
    zombie = NULL;
    if (z->unmap_len != 0)
        husk_sys_munmap(z->unmap_addr, z->unmap_len);
    if (z != &main_thread)
        free_record(z);
}

void husk_thread_started(void)
{
    reap();
}

static void switch_to(struct husk_thread *to)
{
    struct husk_thread *from = husk_thread_cur;
    if (to == &idle_thread) {
        /* The idle context keeps the thread pointer it finds: it uses
         * no TLS, and a thread that resumes after it pays no switch. */
        idle_thread.ctx.fs = from->ctx.fs;
        idle_thread.gs = from->gs;
    } else {
        /* Where the FS base costs a call of the monitor's (an
         * arch_prctl there), a thread that resumes only to look at what
         * it waits for runs on the base it finds: most look, find
         * nothing and park again, and what they run (libhusk's wait
         * loops) uses no TLS. It gets its own once it goes on
         * (husk_thread_fs_sync). */
        if (!husk_switch_wrfsbase && !to->looking &&
            to->ctx.fs != husk_tls_fs_now)
            husk_tls_load_fs(to->ctx.fs);
        if (to->gs != from->gs)
            husk_tls_load_gs(to->gs);
    }
    husk_thread_cur = to;
    husk_ctx_switch(&from->ctx, &to->ctx);
    reap();
}

static bool signal_due_for(struct husk_sched_node *n, void *ctx);

/* The idle context's body: wait for the host until a thread can run. */
static _Noreturn void idle_loop(void)
{
    for (;;) {
        reap();
        struct husk_sched_node *next = husk_sched_pick(&sched);
        if (next != NULL) {
            switch_to(of(next));
            continue;
        }
        husk_host_wait(husk_sched_earliest(&sched));
        husk_sched_after_wait(&sched, husk_monotonic_ns(), signal_due_for,
                              NULL);
    }
}

/* Build the first frame of a context on the stack that ends at top:
 * husk_ctx_switch's saved MXCSR and x87 control word (the running code's,
 * as a new thread inherits them), six zero registers, then first (where
 * its ret goes) and second above it. */
static uint64_t first_frame(uintptr_t top, uintptr_t first, uintptr_t second)
{
    uint64_t *sp = (uint64_t *)top;
    *--sp = second;
    *--sp = first;
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    uint32_t mxcsr;
    uint16_t fcw;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(fcw));
    *--sp = (uint64_t)mxcsr | (uint64_t)fcw << 32;
    return (uint64_t)(uintptr_t)sp;
}

static void idle_entry(void)
{
    idle_loop();
}

static void start_idle(void)
{
    if (idle_stack != NULL)
        return;
    idle_stack = malloc(IDLE_STACK_SIZE);
    if (idle_stack == NULL)
        husk_panic("no memory for the scheduler's idle stack");
    uintptr_t top = ((uintptr_t)idle_stack + IDLE_STACK_SIZE) & ~(uintptr_t)15;
    /* idle_entry is entered by a ret, as if called: its return address
     * slot (second) is never used. */
    idle_thread.ctx.rsp = first_frame(top - 16, (uintptr_t)idle_entry, 0);
}

void husk_thread_block(enum husk_tstate state, uint64_t deadline)
{
    init_sched();
    struct husk_thread *self = husk_thread_cur;
    husk_sched_park(&sched, &self->node, state, deadline);
    self->looking = state == HUSK_T_IDLE;
    struct husk_sched_node *next = husk_sched_pick(&sched);
    if (next == &self->node)
        return; /* woken before it left (a signal, an IDLE look) */
    if (next == NULL)
        start_idle();
    switch_to(next != NULL ? of(next) : &idle_thread);
    husk_thread_check_stack();
}

void husk_thread_wake(struct husk_thread *t)
{
    husk_sched_wake(&sched, &t->node);
}

void husk_thread_fs_sync(void)
{
    struct husk_thread *self = husk_thread_cur;
    if (!self->looking)
        return;
    self->looking = false;
    if (!husk_switch_wrfsbase && self->ctx.fs != husk_tls_fs_now)
        husk_tls_load_fs(self->ctx.fs);
}

void husk_thread_ran(void)
{
    husk_thread_cur->node.ran = true;
    husk_thread_fs_sync();
}

bool husk_threads_live(void)
{
    return sched_ready && sched.live > 1;
}

/* ---- signals ---- */

static bool signal_due_for(struct husk_sched_node *n, void *ctx)
{
    (void)ctx;
    return husk_signal_due_for(of(n));
}

void husk_thread_signal_kick(struct husk_thread *t)
{
    if (!sched_ready)
        return;
    if (t != NULL) {
        if (husk_signal_due_for(t))
            husk_sched_wake(&sched, &t->node);
        return;
    }
    for (struct husk_sched_node *n = sched.all.all_next; n != &sched.all;
         n = n->all_next)
        if (signal_due_for(n, NULL))
            husk_sched_wake(&sched, n);
}

void husk_thread_discard_signal(uint64_t set)
{
    main_thread.sig_pending &= ~set;
    if (!sched_ready)
        return;
    for (struct husk_sched_node *n = sched.all.all_next; n != &sched.all;
         n = n->all_next)
        of(n)->sig_pending &= ~set;
}

/* ---- clone and exit ---- */

static int take_tid(void)
{
    for (;;) {
        int tid = next_tid;
        next_tid = next_tid == INT_MAX / 4 ? 2 : next_tid + 1;
        if (husk_thread_find(tid) == NULL)
            return tid;
    }
}

long husk_thread_clone(unsigned long flags, uintptr_t newsp, int *ptid,
                       int *ctid, uintptr_t tls, uintptr_t resume)
{
    const unsigned long thread = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
    if (!(flags & CLONE_THREAD)) {
        static bool told;
        if (!told) {
            told = true;
            husk_console_note("husk: clone without CLONE_THREAD (a new "
                              "process) is not supported; returning "
                              "ENOSYS\n");
        }
        return -ENOSYS;
    }
    if ((flags & thread) != thread || newsp == 0)
        return -EINVAL; /* as Linux: a thread shares memory and handlers */
    if (resume == 0)
        return -EINVAL;
    init_sched();
    struct husk_thread *self = husk_thread_cur;
    struct husk_thread *t = new_record();
    if (t == NULL)
        return -ENOMEM;
    t->tid = take_tid();
    t->ctx.fs = (flags & CLONE_SETTLS) ? tls : self->ctx.fs;
    t->gs = self->gs;
    t->sig_blocked = self->sig_blocked;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_tid = ctid;
    if (flags & CLONE_CHILD_SETTID)
        *ctid = t->tid;
    if (flags & CLONE_PARENT_SETTID)
        *ptid = t->tid;
    husk_thread_take_stack(t, newsp);
    t->ctx.rsp = first_frame(newsp, (uintptr_t)husk_thread_trampoline, resume);
    husk_sched_add(&sched, &t->node);
    husk_threads_started = true;
    return t->tid;
}

_Noreturn void husk_thread_exit(int status)
{
    init_sched();
    struct husk_thread *self = husk_thread_cur;
    husk_thread_robust_exit(self);
    if (self->clear_tid != NULL &&
        husk_thread_in_memory((uintptr_t)self->clear_tid, sizeof(int))) {
        *self->clear_tid = 0;
        husk_futex_wake(self->clear_tid, 1);
    }
    if (self == &main_thread)
        main_status = status;
    if (sched.live == 1) /* the last thread: the process ends */
        husk_exit(self == &main_thread ? status : main_status);
    husk_sched_park(&sched, &self->node, HUSK_T_DEAD, UINT64_MAX);
    zombie = self;
    struct husk_sched_node *next = husk_sched_pick(&sched);
    if (next == NULL)
        start_idle();
    switch_to(next != NULL ? of(next) : &idle_thread);
    husk_panic("an exited thread was resumed");
}

bool husk_thread_defer_unmap(uintptr_t addr, size_t len)
{
    struct husk_thread *self = husk_thread_cur;
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (self == &main_thread || sp < addr || sp - addr >= len)
        return false;
    self->unmap_addr = addr;
    self->unmap_len = len;
    return true;
}

/* ---- sched_yield ---- */

long husk_sys_sched_yield(void)
{
    if (!husk_threads_live())
        return 0;
    struct husk_thread *self = husk_thread_cur;
    if (!husk_sched_any_ready(&sched)) {
        /* Nothing else is ready: look at the host without waiting, so
         * that a loop of yields still lets sleepers and sockets on. */
        husk_host_wait(0);
        husk_sched_after_wait(&sched, husk_monotonic_ns(), signal_due_for,
                              NULL);
    }
    husk_sched_yield(&sched, &self->node);
    struct husk_sched_node *next = husk_sched_pick(&sched);
    if (next != &self->node)
        switch_to(of(next));
    return 0;
}
