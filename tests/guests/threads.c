/* threads.c: POSIX threads and what musl builds on them, one part per
 * argument: "join64" (64 threads joined, each result checked; tids and
 * pthread_self distinct), "join300" (300 at once, with 16 KiB stacks,
 * twice), "tls" (__thread variables and errno distinct per
 * thread), "mutex" (a contended counter; trylock, error-checking,
 * recursive and timed locks), "cond" (producers and consumers over a
 * condition variable; timed waits on both clocks; broadcast), "rwlock",
 * "barrier", "sem" (semaphores, timed and try waits), "once_tsd"
 * (pthread_once, keys and their destructors), "detach" (2,000 detached
 * threads whose stacks are given back: 32 MiB would not hold them
 * otherwise), "attr" (a 1 MiB stack used whole, pthread_getattr_np),
 * "robust" (a robust mutex whose owner exits holding it, through
 * pthread_exit and through a bare exit system call: EOWNERDEAD) and
 * "yield" (sched_yield hands over in turn). Every part passes on Linux
 * too. Prints "PART ok", or the first check that failed, and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static pid_t tid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- join64 ---- */

#define MANY 300
static pid_t tids[MANY];
static pthread_t selves[MANY];

static void *square_sum(void *arg)
{
    long i = (long)arg, sum = 0;
    tids[i] = tid();
    selves[i] = pthread_self();
    for (long k = 0; k <= i; k++) {
        sum += k * k;
        if (k % 8 == 0)
            sched_yield(); /* interleave with the others */
    }
    return (void *)sum;
}

/* n threads at once (stack: their stack size, 0 for the default). */
static void join_n(long n, size_t stack)
{
    pthread_t t[MANY];
    pthread_attr_t attr;
    CHECK(pthread_attr_init(&attr) == 0);
    if (stack != 0)
        CHECK(pthread_attr_setstacksize(&attr, stack) == 0);
    for (long i = 0; i < n; i++)
        CHECK(pthread_create(&t[i], &attr, square_sum, (void *)i) == 0);
    for (long i = 0; i < n; i++) {
        void *r = NULL;
        CHECK(pthread_join(t[i], &r) == 0);
        CHECK((long)r == i * (i + 1) * (2 * i + 1) / 6);
        CHECK(pthread_equal(selves[i], t[i]));
    }
    for (long i = 0; i < n; i++) {
        CHECK(tids[i] > 0 && tids[i] != getpid() && tids[i] != tid());
        for (long j = 0; j < i; j++)
            CHECK(tids[i] != tids[j]);
    }
    CHECK(tid() == getpid()); /* the main thread's tid is the pid */
}

static void join64(void)
{
    join_n(64, 0);
}

/* More threads alive at once than libhusk keeps records for in one slab
 * (128), twice over, then as many again from records given back. */
static void join300(void)
{
    join_n(MANY, 16384);
    join_n(MANY, 16384);
}

/* ---- tls ---- */

static __thread long tls_value = 42;
static __thread char tls_block[256];
static uintptr_t tls_addr[4];

static void *tls_worker(void *arg)
{
    long i = (long)arg;
    if (tls_value != 42) /* each thread starts from the initial image */
        return (void *)1;
    tls_value = 100 + i;
    memset(tls_block, (int)i, sizeof(tls_block));
    tls_addr[i] = (uintptr_t)&tls_value;
    errno = (int)(10 + i);
    for (int k = 0; k < 10; k++) {
        sched_yield();
        if (tls_value != 100 + i || errno != 10 + i)
            return (void *)2;
        for (size_t b = 0; b < sizeof(tls_block); b++)
            if (tls_block[b] != (char)i)
                return (void *)3;
    }
    return NULL;
}

static void tls(void)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        CHECK(pthread_create(&t[i], NULL, tls_worker, (void *)i) == 0);
    for (int i = 0; i < 4; i++) {
        void *r = (void *)-1;
        CHECK(pthread_join(t[i], &r) == 0);
        CHECK(r == NULL);
    }
    CHECK(tls_value == 42);
    for (int i = 0; i < 4; i++) {
        CHECK(tls_addr[i] != (uintptr_t)&tls_value);
        for (int j = 0; j < i; j++)
            CHECK(tls_addr[i] != tls_addr[j]);
    }
}

/* ---- mutex ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&lock);
        long v = counter;
        if (i % 16 == 0)
            sched_yield(); /* hold it while others try: they wait */
        counter = v + 1;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static int try_result, timed_result;

static void *try_held(void *arg)
{
    (void)arg;
    try_result = pthread_mutex_trylock(&held);
    struct timespec at = in_ms(CLOCK_REALTIME, 50);
    timed_result = pthread_mutex_timedlock(&held, &at);
    return NULL;
}

static void mutex(void)
{
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        CHECK(pthread_create(&t[i], NULL, add_many, NULL) == 0);
    for (int i = 0; i < 8; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    CHECK(counter == 8000);

    /* held by this thread: another's trylock is EBUSY, its timed lock
     * times out */
    pthread_t other;
    CHECK(pthread_mutex_lock(&held) == 0);
    CHECK(pthread_create(&other, NULL, try_held, NULL) == 0);
    CHECK(pthread_join(other, NULL) == 0);
    CHECK(try_result == EBUSY);
    CHECK(timed_result == ETIMEDOUT);
    CHECK(pthread_mutex_unlock(&held) == 0);

    pthread_mutexattr_t a;
    pthread_mutex_t m;
    CHECK(pthread_mutexattr_init(&a) == 0);
    CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK) == 0);
    CHECK(pthread_mutex_init(&m, &a) == 0);
    CHECK(pthread_mutex_lock(&m) == 0);
    CHECK(pthread_mutex_lock(&m) == EDEADLK);
    CHECK(pthread_mutex_unlock(&m) == 0);
    CHECK(pthread_mutex_unlock(&m) == EPERM);
    CHECK(pthread_mutex_destroy(&m) == 0);
    CHECK(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE) == 0);
    CHECK(pthread_mutex_init(&m, &a) == 0);
    CHECK(pthread_mutex_lock(&m) == 0);
    CHECK(pthread_mutex_lock(&m) == 0);
    CHECK(pthread_mutex_trylock(&m) == 0);
    CHECK(pthread_mutex_unlock(&m) == 0);
    CHECK(pthread_mutex_unlock(&m) == 0);
    CHECK(pthread_mutex_unlock(&m) == 0);
    CHECK(pthread_mutex_unlock(&m) == EPERM);
    CHECK(pthread_mutex_destroy(&m) == 0);
    pthread_mutexattr_destroy(&a);
}

/* ---- cond: a bounded queue, two producers, two consumers ---- */

#define QSIZE 16
#define ITEMS 5000 /* per producer */
static struct {
    pthread_mutex_t m;
    pthread_cond_t not_full, not_empty;
    int items[QSIZE];
    int head, len, producers_left;
} q = {.m = PTHREAD_MUTEX_INITIALIZER,
       .not_full = PTHREAD_COND_INITIALIZER,
       .not_empty = PTHREAD_COND_INITIALIZER};
static unsigned char seen[2 * ITEMS];

static void *produce(void *arg)
{
    int base = (int)(long)arg * ITEMS;
    for (int i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&q.m);
        while (q.len == QSIZE)
            pthread_cond_wait(&q.not_full, &q.m);
        q.items[(q.head + q.len++) % QSIZE] = base + i;
        pthread_cond_signal(&q.not_empty);
        pthread_mutex_unlock(&q.m);
    }
    pthread_mutex_lock(&q.m);
    q.producers_left--;
    pthread_cond_broadcast(&q.not_empty);
    pthread_mutex_unlock(&q.m);
    return NULL;
}

static void *consume(void *arg)
{
    long got = 0;
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&q.m);
        while (q.len == 0 && q.producers_left > 0)
            pthread_cond_wait(&q.not_empty, &q.m);
        if (q.len == 0) {
            pthread_mutex_unlock(&q.m);
            return (void *)got;
        }
        int v = q.items[q.head];
        q.head = (q.head + 1) % QSIZE;
        q.len--;
        pthread_cond_signal(&q.not_full);
        pthread_mutex_unlock(&q.m);
        if (v >= 0 && v < 2 * ITEMS)
            seen[v]++;
        got++;
    }
}

static pthread_mutex_t gate_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_c = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_waiting;

static void *wait_gate(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&gate_m);
    gate_waiting++;
    while (!gate_open)
        pthread_cond_wait(&gate_c, &gate_m);
    pthread_mutex_unlock(&gate_m);
    return NULL;
}

static void cond(void)
{
    pthread_t p[2], c[2];
    q.producers_left = 2;
    for (long i = 0; i < 2; i++) {
        CHECK(pthread_create(&c[i], NULL, consume, NULL) == 0);
        CHECK(pthread_create(&p[i], NULL, produce, (void *)i) == 0);
    }
    long total = 0;
    for (int i = 0; i < 2; i++) {
        void *got = NULL;
        CHECK(pthread_join(p[i], NULL) == 0);
        CHECK(pthread_join(c[i], &got) == 0);
        total += (long)got;
    }
    CHECK(total == 2 * ITEMS);
    for (int i = 0; i < 2 * ITEMS; i++)
        CHECK(seen[i] == 1);

    /* timed waits time out, on the wall clock and the monotonic one */
    pthread_mutex_lock(&gate_m);
    struct timespec at = in_ms(CLOCK_REALTIME, 30);
    double t0 = now_s();
    CHECK(pthread_cond_timedwait(&gate_c, &gate_m, &at) == ETIMEDOUT);
    CHECK(now_s() - t0 >= 0.025);
    pthread_condattr_t ca;
    pthread_cond_t mono;
    CHECK(pthread_condattr_init(&ca) == 0);
    CHECK(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0);
    CHECK(pthread_cond_init(&mono, &ca) == 0);
    at = in_ms(CLOCK_MONOTONIC, 30);
    t0 = now_s();
    CHECK(pthread_cond_timedwait(&mono, &gate_m, &at) == ETIMEDOUT);
    CHECK(now_s() - t0 >= 0.025);
    pthread_mutex_unlock(&gate_m);

    /* broadcast wakes every waiter */
    pthread_t w[6];
    for (int i = 0; i < 6; i++)
        CHECK(pthread_create(&w[i], NULL, wait_gate, NULL) == 0);
    for (;;) {
        pthread_mutex_lock(&gate_m);
        int n = gate_waiting;
        pthread_mutex_unlock(&gate_m);
        if (n == 6)
            break;
        sched_yield();
    }
    pthread_mutex_lock(&gate_m);
    gate_open = 1;
    pthread_cond_broadcast(&gate_c);
    pthread_mutex_unlock(&gate_m);
    for (int i = 0; i < 6; i++)
        CHECK(pthread_join(w[i], NULL) == 0);
}

/* ---- rwlock ---- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static atomic_int readers_in, max_readers;
static atomic_int writer_done;

static void *reader(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw);
    int n = ++readers_in;
    if (n > max_readers)
        max_readers = n;
    for (int i = 0; i < 20; i++)
        sched_yield(); /* the other reader gets in meanwhile */
    readers_in--;
    pthread_rwlock_unlock(&rw);
    return NULL;
}

static void *writer(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&rw);
    int in = readers_in;
    writer_done = 1;
    pthread_rwlock_unlock(&rw);
    return (void *)(long)in;
}

static void rwlock(void)
{
    pthread_t r1, r2, w;
    CHECK(pthread_create(&r1, NULL, reader, NULL) == 0);
    CHECK(pthread_create(&r2, NULL, reader, NULL) == 0);
    while (readers_in < 1)
        sched_yield();
    CHECK(pthread_create(&w, NULL, writer, NULL) == 0);
    void *in = (void *)-1;
    CHECK(pthread_join(r1, NULL) == 0);
    CHECK(pthread_join(r2, NULL) == 0);
    CHECK(pthread_join(w, &in) == 0);
    CHECK(max_readers == 2); /* both read at once */
    CHECK(in == NULL);       /* the writer was alone */
    CHECK(writer_done == 1);
    CHECK(pthread_rwlock_rdlock(&rw) == 0);
    CHECK(pthread_rwlock_tryrdlock(&rw) == 0);
    CHECK(pthread_rwlock_trywrlock(&rw) == EBUSY);
    CHECK(pthread_rwlock_unlock(&rw) == 0);
    CHECK(pthread_rwlock_unlock(&rw) == 0);
    CHECK(pthread_rwlock_wrlock(&rw) == 0);
    CHECK(pthread_rwlock_tryrdlock(&rw) == EBUSY);
    struct timespec at = in_ms(CLOCK_REALTIME, 20);
    CHECK(pthread_rwlock_timedwrlock(&rw, &at) == EDEADLK ||
          pthread_rwlock_timedwrlock(&rw, &at) == ETIMEDOUT);
    CHECK(pthread_rwlock_unlock(&rw) == 0);
}

/* ---- barrier ---- */

#define BTHREADS 8
#define ROUNDS 3
static pthread_barrier_t bar;
static atomic_int arrived[ROUNDS], serials[ROUNDS];
static atomic_int ok_order = 1;

static void *at_barrier(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        arrived[r]++;
        int rc = pthread_barrier_wait(&bar);
        if (rc == PTHREAD_BARRIER_SERIAL_THREAD)
            serials[r]++;
        else if (rc != 0)
            ok_order = 0;
        if (arrived[r] != BTHREADS) /* nobody passes before all came */
            ok_order = 0;
    }
    return NULL;
}

static void barrier(void)
{
    pthread_t t[BTHREADS];
    CHECK(pthread_barrier_init(&bar, NULL, BTHREADS) == 0);
    for (int i = 0; i < BTHREADS; i++)
        CHECK(pthread_create(&t[i], NULL, at_barrier, NULL) == 0);
    for (int i = 0; i < BTHREADS; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    CHECK(ok_order == 1);
    for (int r = 0; r < ROUNDS; r++)
        CHECK(serials[r] == 1);
    CHECK(pthread_barrier_destroy(&bar) == 0);
}

/* ---- sem ---- */

static sem_t items, slots;
static int ring[4];

static void *sem_producer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        sem_wait(&slots);
        ring[i % 4] = i;
        sem_post(&items);
    }
    return NULL;
}

static void sem(void)
{
    CHECK(sem_init(&items, 0, 0) == 0);
    CHECK(sem_init(&slots, 0, 4) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, sem_producer, NULL) == 0);
    long sum = 0;
    for (int i = 0; i < 1000; i++) {
        CHECK(sem_wait(&items) == 0);
        CHECK(ring[i % 4] == i);
        sum += ring[i % 4];
        CHECK(sem_post(&slots) == 0);
    }
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(sum == 999L * 1000 / 2);
    FAILS(sem_trywait(&items), EAGAIN);
    struct timespec at = in_ms(CLOCK_REALTIME, 30);
    double t0 = now_s();
    FAILS(sem_timedwait(&items, &at), ETIMEDOUT);
    CHECK(now_s() - t0 >= 0.025);
    int v = -1;
    CHECK(sem_getvalue(&slots, &v) == 0 && v == 4);
}

/* ---- once_tsd ---- */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int once_runs, destructed;
static pthread_key_t key;

static void once_init(void)
{
    once_runs++;
    sched_yield(); /* the others arrive meanwhile, and wait */
}

static void destroy(void *v)
{
    if (v != NULL)
        destructed += (int)(long)v;
}

static void *keyed(void *arg)
{
    long i = (long)arg;
    pthread_once(&once, once_init);
    if (once_runs != 1 || pthread_getspecific(key) != NULL)
        return (void *)1;
    pthread_setspecific(key, (void *)(i + 1));
    sched_yield();
    return pthread_getspecific(key) == (void *)(i + 1) ? NULL : (void *)2;
}

static void once_tsd(void)
{
    CHECK(pthread_key_create(&key, destroy) == 0);
    pthread_t t[5];
    for (long i = 0; i < 5; i++)
        CHECK(pthread_create(&t[i], NULL, keyed, (void *)i) == 0);
    for (int i = 0; i < 5; i++) {
        void *r = (void *)-1;
        CHECK(pthread_join(t[i], &r) == 0);
        CHECK(r == NULL);
    }
    CHECK(once_runs == 1);
    CHECK(destructed == 1 + 2 + 3 + 4 + 5);
    CHECK(pthread_getspecific(key) == NULL);
    CHECK(pthread_key_delete(key) == 0);
}

/* ---- detach ---- */

static sem_t finished;

static void *detached(void *arg)
{
    char buf[8192]; /* touch its stack */
    memset(buf, (int)(long)arg, sizeof(buf));
    sem_post(&finished);
    return (void *)(long)buf[100];
}

static void detach(void)
{
    CHECK(sem_init(&finished, 0, 0) == 0);
    pthread_attr_t a;
    CHECK(pthread_attr_init(&a) == 0);
    CHECK(pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) == 0);
    CHECK(pthread_attr_setstacksize(&a, 256 * 1024) == 0);
    /* 2,000 x 256 KiB: 500 MiB, so only stacks given back fit in 32. */
    for (long i = 0; i < 2000 && !failed; i++) {
        pthread_t t;
        int rc = pthread_create(&t, &a, detached, (void *)i);
        CHECK(rc == 0);
        if (rc == 0)
            CHECK(sem_wait(&finished) == 0);
        if (i % 7 == 0)
            sched_yield(); /* let it finish exiting, now and then */
    }
    /* and one detached after it started */
    pthread_t t;
    CHECK(pthread_create(&t, NULL, detached, (void *)1) == 0);
    CHECK(pthread_detach(t) == 0);
    CHECK(sem_wait(&finished) == 0);
    pthread_attr_destroy(&a);
}

/* ---- attr ---- */

static void *big_stack(void *arg)
{
    (void)arg;
    volatile char buf[768 * 1024];
    for (size_t i = 0; i < sizeof(buf); i += 4096)
        buf[i] = (char)i;
    pthread_attr_t a;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &a) != 0 ||
        pthread_attr_getstacksize(&a, &size) != 0)
        return (void *)1;
    pthread_attr_destroy(&a);
    return size >= 1024 * 1024 ? (void *)(long)buf[4096] : (void *)2;
}

static void attr(void)
{
    pthread_attr_t a;
    CHECK(pthread_attr_init(&a) == 0);
    CHECK(pthread_attr_setstacksize(&a, 1024 * 1024) == 0);
    size_t size = 0, guard = 0;
    CHECK(pthread_attr_getstacksize(&a, &size) == 0 && size == 1024 * 1024);
    CHECK(pthread_attr_getguardsize(&a, &guard) == 0 && guard > 0);
    pthread_t t;
    CHECK(pthread_create(&t, &a, big_stack, NULL) == 0);
    void *r = (void *)-1;
    CHECK(pthread_join(t, &r) == 0);
    CHECK(r == (void *)(long)(char)4096);
    CHECK(pthread_attr_setstacksize(&a, 1) == EINVAL);
    pthread_attr_destroy(&a);
}

/* ---- robust: a lock whose owner died ---- */

static pthread_mutex_t robust_m;
static atomic_int robust_held;

static void *die_holding(void *raw)
{
    pthread_mutex_lock(&robust_m);
    robust_held = 1;
    if (raw != NULL)
        syscall(SYS_exit, 0); /* past musl: the kernel's list walk */
    return NULL;              /* pthread_exit: musl's own walk */
}

static void robust(void)
{
    for (long raw = 0; raw < 2; raw++) {
        /* musl hands the kernel its list for process-shared robust
         * mutexes only: a private one it walks itself, in pthread_exit */
        pthread_mutexattr_t a;
        CHECK(pthread_mutexattr_init(&a) == 0);
        CHECK(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) == 0);
        CHECK(pthread_mutexattr_setpshared(&a, raw ? PTHREAD_PROCESS_SHARED
                                                   : PTHREAD_PROCESS_PRIVATE) ==
              0);
        CHECK(pthread_mutex_init(&robust_m, &a) == 0);
        pthread_mutexattr_destroy(&a);
        robust_held = 0;
        pthread_t t;
        CHECK(pthread_create(&t, NULL, die_holding, (void *)raw) == 0);
        if (!raw)
            CHECK(pthread_join(t, NULL) == 0);
        while (!robust_held)
            sched_yield();
        /* the raw one cannot be joined: this waits for its death */
        CHECK(pthread_mutex_lock(&robust_m) == EOWNERDEAD);
        CHECK(pthread_mutex_consistent(&robust_m) == 0);
        CHECK(pthread_mutex_unlock(&robust_m) == 0);
        CHECK(pthread_mutex_lock(&robust_m) == 0);
        CHECK(pthread_mutex_unlock(&robust_m) == 0);
    }
}

/* ---- yield: two threads take turns ---- */

static atomic_int whose, turns;

static void *take_turns(void *arg)
{
    int me = (int)(long)arg;
    for (int i = 0; i < 100; i++) {
        while (whose != me)
            sched_yield();
        turns++;
        whose = 1 - me;
    }
    return NULL;
}

static void yield(void)
{
    pthread_t a, b;
    CHECK(pthread_create(&a, NULL, take_turns, (void *)0) == 0);
    CHECK(pthread_create(&b, NULL, take_turns, (void *)1) == 0);
    CHECK(pthread_join(a, NULL) == 0);
    CHECK(pthread_join(b, NULL) == 0);
    CHECK(turns == 200);
}

int main(int argc, char **argv)
{
    static const struct test_part parts[] = {
        {"join64", join64},   {"join300", join300}, {"tls", tls},
        {"mutex", mutex},     {"cond", cond},       {"rwlock", rwlock},
        {"barrier", barrier}, {"sem", sem},         {"once_tsd", once_tsd},
        {"detach", detach},   {"attr", attr},       {"robust", robust},
        {"yield", yield},
    };
    return run_part(argc, argv, parts, sizeof(parts) / sizeof(parts[0]));
}
