/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * futex.c: the futex system call, which musl builds every lock, condition
 * variable, barrier, semaphore and pthread_join on. One process: private
 * and shared futexes are the same, keyed by the word's address. Waiters
 * queue in FIFO order on a small hash table; a waiting thread parks
 * (thread.c) until a wake, its deadline or a signal ends the wait.
 *
 * Errors are Linux's: EAGAIN when the word no longer holds the expected
 * value, EFAULT for a word (or timeout) outside guest memory, EINVAL for a
 * misaligned word, a bad timeout or a zero bitset, ETIMEDOUT, EINTR when a
 * signal is due. A relative timeout counts on the monotonic clock; an
 * absolute one (FUTEX_WAIT_BITSET) on the monotonic clock or, with
 * FUTEX_CLOCK_REALTIME, on the wall clock, converted when the wait starts.
 */
#include <errno.h>
#include <time.h>

#include "guest.h"
#include "thread.h"

/* Linux's futex operations (<linux/futex.h>, which musl does not ship). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY 0xffffffffU

#define BUCKETS 256

struct bucket {
    struct husk_thread *head, *tail;
};
static struct bucket buckets[BUCKETS];

static struct bucket *bucket_of(const volatile int *addr)
{
    uint64_t h = ((uint64_t)(uintptr_t)addr >> 2) * 0x9e3779b97f4a7c15ULL;
    return &buckets[h >> 56];
}

static void append(struct bucket *b, struct husk_thread *t)
{
    t->futex_next = NULL;
    if (b->tail != NULL)
        b->tail->futex_next = t;
    else
        b->head = t;
    b->tail = t;
}

/* Take t off bucket b, whose entry before it is prev (NULL: the head). */
static void unlink_after(struct bucket *b, struct husk_thread *prev,
                         struct husk_thread *t)
{
    if (prev != NULL)
        prev->futex_next = t->futex_next;
    else
        b->head = t->futex_next;
    if (b->tail == t)
        b->tail = prev;
    t->futex_next = NULL;
}

void husk_futex_unqueue(struct husk_thread *t)
{
    if (t->futex_addr == NULL)
        return;
    struct bucket *b = bucket_of(t->futex_addr);
    struct husk_thread *prev = NULL;
    for (struct husk_thread *w = b->head; w != NULL;
         prev = w, w = w->futex_next)
        if (w == t) {
            unlink_after(b, prev, t);
            break;
        }
    t->futex_addr = NULL;
}

/* Wake up to n waiters of addr whose bitset meets bitset. Like Linux, a
 * wake of 0 or fewer still wakes one. */
static int wake(const volatile int *addr, int n, uint32_t bitset)
{
    struct bucket *b = bucket_of(addr);
    int woken = 0;
    struct husk_thread *prev = NULL, *w = b->head;
    while (w != NULL) {
        struct husk_thread *next = w->futex_next;
        if (w->futex_addr == addr && (w->futex_bitset & bitset)) {
            unlink_after(b, prev, w);
            w->futex_addr = NULL;
            w->futex_woken = true;
            husk_thread_wake(w);
            if (++woken >= n)
                break;
        } else {
            prev = w;
        }
        w = next;
    }
    return woken;
}

int husk_futex_wake(const volatile int *uaddr, int n)
{
    return wake(uaddr, n, FUTEX_BITSET_MATCH_ANY);
}

/* Whether [p, p + len) is guest memory a futex may use. */
static bool in_memory(const volatile void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p;
    return a >= HUSK_LOAD_MIN && a <= husk_boot->mem_size &&
           len <= husk_boot->mem_size - a;
}

static long check_word(const volatile int *uaddr)
{
    if ((uintptr_t)uaddr % sizeof(int) != 0)
        return -EINVAL;
    return in_memory(uaddr, sizeof(int)) ? 0 : -EFAULT;
}

/* The monotonic deadline of a wait's timeout (NULL: none). */
static long deadline_of(const struct timespec *ts, bool absolute, bool realtime,
                        uint64_t *deadline)
{
    *deadline = UINT64_MAX;
    if (ts == NULL)
        return 0;
    if (!in_memory(ts, sizeof(*ts)))
        return -EFAULT;
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
        return -EINVAL;
    uint64_t ns =
        (uint64_t)ts->tv_sec > UINT64_MAX / 2000000000ULL
            ? UINT64_MAX / 2
            : (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
    uint64_t mono = husk_monotonic_ns();
    if (!absolute) {
        *deadline = mono + ns;
    } else if (realtime) {
        uint64_t wall;
        husk_clock_now(CLOCK_REALTIME, &wall);
        *deadline = ns > wall ? mono + (ns - wall) : mono;
    } else {
        *deadline = ns;
    }
    return 0;
}

static long futex_wait(volatile int *uaddr, int val, uint64_t deadline,
                       uint32_t bitset)
{
    if (*uaddr != val)
        return -EAGAIN;
    struct husk_thread *self = husk_thread_self();
    self->futex_addr = uaddr;
    self->futex_bitset = bitset;
    self->futex_woken = false;
    append(bucket_of(uaddr), self);
    for (;;) {
        if (husk_signal_due()) {
            husk_futex_unqueue(self);
            return -EINTR; /* its handler runs as the call returns */
        }
        if (husk_monotonic_ns() >= deadline) {
            husk_futex_unqueue(self);
            return -ETIMEDOUT;
        }
        husk_thread_block(HUSK_T_FUTEX, deadline);
        if (self->futex_woken)
            return 0;
    }
}

/* FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: wake up to n_wake waiters of
 * uaddr, move up to n_move of the others to uaddr2; how many of both. */
static long requeue(volatile int *uaddr, int n_wake, int n_move,
                    volatile int *uaddr2)
{
    if (n_wake < 0 || n_move < 0)
        return -EINVAL;
    struct bucket *b = bucket_of(uaddr);
    struct bucket *to = bucket_of(uaddr2);
    long count = 0;
    struct husk_thread *prev = NULL, *w = b->head;
    while (w != NULL && count < (long)n_wake + n_move) {
        struct husk_thread *next = w->futex_next;
        if (w->futex_addr != uaddr) {
            prev = w;
            w = next;
            continue;
        }
        unlink_after(b, prev, w);
        if (count < n_wake) {
            w->futex_addr = NULL;
            w->futex_woken = true;
            husk_thread_wake(w);
        } else {
            w->futex_addr = uaddr2;
            append(to, w);
        }
        count++;
        w = next;
    }
    return count;
}

static long unsupported_op(int cmd)
{
    static bool told;
    if (!told) {
        told = true;
        char line[] = "husk: futex operation NN is not supported (priority "
                      "inheritance, FUTEX_WAKE_OP and FUTEX_FD are not); "
                      "returning ENOSYS\n";
        char *at = line + sizeof("husk: futex operation ") - 1;
        at[0] = (char)('0' + cmd / 10 % 10);
        at[1] = (char)('0' + cmd % 10);
        husk_console_note(line);
    }
    return -ENOSYS;
}

long husk_sys_futex(int *uaddr, int op, int val, const void *timeout,
                    int *uaddr2, int val3)
{
    int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    bool realtime = (op & FUTEX_CLOCK_REALTIME) != 0;
    if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
        return -ENOSYS; /* as Linux */
    uint64_t deadline;
    long rc;
    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        uint32_t bitset =
            cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : (uint32_t)val3;
        if (bitset == 0)
            return -EINVAL;
        if ((rc = check_word(uaddr)) != 0)
            return rc;
        rc =
            deadline_of(timeout, cmd == FUTEX_WAIT_BITSET, realtime, &deadline);
        if (rc != 0)
            return rc;
        return futex_wait(uaddr, val, deadline, bitset);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
        uint32_t bitset =
            cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : (uint32_t)val3;
        if (bitset == 0)
            return -EINVAL;
        if ((rc = check_word(uaddr)) != 0)
            return rc;
        return wake(uaddr, val, bitset);
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
        if ((rc = check_word(uaddr)) != 0 || (rc = check_word(uaddr2)) != 0)
            return rc;
        if (cmd == FUTEX_CMP_REQUEUE && *uaddr != val3)
            return -EAGAIN;
        /* The requeue count travels in the timeout argument. */
        return requeue(uaddr, val, (int)(intptr_t)timeout, uaddr2);
    default:
        return unsupported_op(cmd);
    }
}
