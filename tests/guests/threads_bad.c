/* threads_bad.c: threads given bad input, one part per argument:
 * "overflow" (a thread whose small stack runs out: the guest ends with a
 * crash report naming the thread, status 139; on Linux, SIGSEGV: also
 * 139 from a shell), "guard" (one that writes into the guard below its
 * stack and comes back: the same report at its next system call; Linux
 * faults at once), "many" (husk, --mem=16M: threads until memory runs out
 * give EAGAIN, not a crash; once they are joined there is room again) and
 * "deadlock" (every thread waits for another, with no deadline: the guest
 * waits until --timeout or SIGTERM stops it). Prints "PART ok", or the
 * first check that failed, and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

/* Recurse depth times with a 512-byte frame each, then make a system
 * call from the bottom. */
static __attribute__((noinline)) long deep(int depth)
{
    volatile char frame[512];
    frame[0] = (char)depth;
    frame[511] = (char)depth;
    if (depth == 0)
        return syscall(SYS_getpid);
    return deep(depth - 1) + frame[0] + frame[511];
}

static void *exhaust(void *arg)
{
    /* 64 KiB of frames on a 16 KiB stack */
    return (void *)deep((int)(long)arg);
}

static void *start_thread(size_t stack, void *(*fn)(void *), void *arg)
{
    pthread_attr_t a;
    pthread_t t;
    CHECK(pthread_attr_init(&a) == 0);
    CHECK(pthread_attr_setstacksize(&a, stack) == 0);
    CHECK(pthread_create(&t, &a, fn, arg) == 0);
    void *r = NULL;
    pthread_join(t, &r);
    pthread_attr_destroy(&a);
    return r;
}

static void overflow(void)
{
    printf("overflowing\n");
    fflush(stdout);
    start_thread(16 * 1024, exhaust, (void *)128);
    printf("the overflow went unnoticed\n");
    failed++;
}

/* Into the guard and back, with no system call on the way. */
static void *touch_guard(void *arg)
{
    (void)arg;
    pthread_attr_t a;
    void *lo;
    size_t size, guard;
    if (pthread_getattr_np(pthread_self(), &a) != 0 ||
        pthread_attr_getstack(&a, &lo, &size) != 0 ||
        pthread_attr_getguardsize(&a, &guard) != 0 || guard == 0)
        return (void *)1;
    volatile char *g = (volatile char *)lo - guard / 2;
    *g = 1; /* what an overflow's frame would do */
    sched_yield();
    return (void *)2;
}

static void guard(void)
{
    printf("writing the guard\n");
    fflush(stdout);
    void *r = start_thread(64 * 1024, touch_guard, NULL);
    printf("the guard write went unnoticed (%ld)\n", (long)r);
    failed++;
}

/* ---- many ---- */

static sem_t go;

static void *hold(void *arg)
{
    sem_wait(&go);
    return arg;
}

#define MAX_THREADS 4096
static pthread_t held[MAX_THREADS];

static void many(void)
{
    CHECK(sem_init(&go, 0, 0) == 0);
    pthread_attr_t a;
    CHECK(pthread_attr_init(&a) == 0);
    CHECK(pthread_attr_setstacksize(&a, 512 * 1024) == 0);
    int n = 0, rc = 0;
    while (n < MAX_THREADS &&
           (rc = pthread_create(&held[n], &a, hold, (void *)(long)n)) == 0)
        n++;
    CHECK(rc == EAGAIN);
    CHECK(n >= 8 && n < 32); /* 16 MiB of 512 KiB stacks, less the rest */
    for (int i = 0; i < n; i++)
        CHECK(sem_post(&go) == 0);
    for (int i = 0; i < n; i++) {
        void *r = NULL;
        CHECK(pthread_join(held[i], &r) == 0 && r == (void *)(long)i);
    }
    pthread_t t;
    CHECK(pthread_create(&t, &a, hold, NULL) == 0);
    CHECK(sem_post(&go) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    pthread_attr_destroy(&a);
}

/* ---- deadlock ---- */

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *lock_it(void *arg)
{
    pthread_mutex_lock(&m); /* held by main for good */
    return arg;
}

static void deadlock(void)
{
    pthread_t t;
    CHECK(pthread_mutex_lock(&m) == 0);
    CHECK(pthread_create(&t, NULL, lock_it, NULL) == 0);
    printf("deadlocked\n");
    fflush(stdout);
    pthread_join(t, NULL);
    printf("the deadlock ended\n");
    failed++;
}

int main(int argc, char **argv)
{
    static const struct test_part parts[] = {
        {"overflow", overflow},
        {"guard", guard},
        {"many", many},
        {"deadlock", deadlock},
    };
    return run_part(argc, argv, parts, sizeof(parts) / sizeof(parts[0]));
}
