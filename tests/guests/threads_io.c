/* threads_io.c: threads that wait, one part per argument: "pipe" (a
 * producer and a consumer over a pipe: blocking reads wait for the
 * writer, a write larger than the pipe completes as the reader drains it,
 * end of file), "sleep" (a sleeping thread does not hold up the others),
 * "signals" (pthread_kill runs the handler in that thread; each thread's
 * own mask; a process signal goes to the thread that does not block it
 * and ends its wait with EINTR), "cancel" (pthread_cancel of a thread
 * blocked in read, in pthread_cond_wait with a cleanup handler, with
 * cancellation disabled until it is enabled), "futex" (the raw call:
 * EAGAIN, ETIMEDOUT relative and absolute on both clocks, EINVAL, EFAULT
 * outside memory, wake counts, bitsets, requeue, EINTR), "eventfd"
 * (counter and semaphore, EAGAIN, EINVAL, readiness, a blocking read
 * woken by another thread's write), "exit" (a
 * thread's exit(7) ends the process with 7 while main waits in join) and
 * "main_exit" (main's pthread_exit: the process lives on until its last
 * thread, then ends with 0). Every part passes on Linux too. Prints "PART
 * ok", or the first check that failed, and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* Linux's futex numbers (<linux/futex.h>; musl's headers lack it). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

static long futex(void *addr, int op, int val, const void *ts, void *addr2,
                  int val3)
{
    return syscall(SYS_futex, addr, op, val, ts, addr2, val3);
}

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

/* Yield until *flag is set (a thread reaching its wait). */
static void until(atomic_int *flag)
{
    while (!*flag)
        sched_yield();
}

/* ---- pipe ---- */

#define STREAM (1 << 20)
static int pfd[2];

static unsigned char at(size_t i)
{
    return (unsigned char)(i * 13 + i / 509);
}

static void *pipe_writer(void *arg)
{
    (void)arg;
    static unsigned char buf[200000]; /* more than the pipe holds */
    size_t off = 0, chunk = 1;
    while (off < STREAM) {
        size_t n = chunk < STREAM - off ? chunk : STREAM - off;
        if (n > sizeof(buf))
            n = sizeof(buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = at(off + i);
        ssize_t w = write(pfd[1], buf, n);
        if (w != (ssize_t)n) /* a blocking write is written whole */
            return (void *)1;
        off += n;
        chunk = chunk * 7 + 3;
        if (chunk > sizeof(buf))
            chunk = 1;
    }
    close(pfd[1]);
    return NULL;
}

static void pipe_part(void)
{
    CHECK(pipe(pfd) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, pipe_writer, NULL) == 0);
    static unsigned char buf[70000];
    size_t off = 0;
    ssize_t n;
    int reads = 0;
    while ((n = read(pfd[0], buf, (size_t)(reads++ % 3 == 0 ? 100 : 70000))) >
           0) {
        for (ssize_t i = 0; i < n && !failed; i++)
            CHECK(buf[i] == at(off + (size_t)i));
        off += (size_t)n;
    }
    CHECK(n == 0); /* end of file once the writer closed */
    CHECK(off == STREAM);
    void *r = (void *)-1;
    CHECK(pthread_join(t, &r) == 0 && r == NULL);
    close(pfd[0]);
}

/* ---- sleep ---- */

static double worker_done_at, sleeper_done_at;

static void *sleeper(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 300 * 1000000L};
    nanosleep(&ts, NULL);
    sleeper_done_at = now_s();
    return NULL;
}

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    volatile long x = 0;
    for (long i = 0; i < 1000000; i++)
        x += i;
    worker_done_at = now_s();
    return NULL;
}

static void sleep_part(void)
{
    double t0 = now_s();
    pthread_t s, w;
    CHECK(pthread_create(&s, NULL, sleeper, NULL) == 0);
    CHECK(pthread_create(&w, NULL, worker, NULL) == 0);
    CHECK(pthread_join(w, NULL) == 0);
    CHECK(pthread_join(s, NULL) == 0);
    CHECK(worker_done_at - t0 < 0.25); /* not after the sleeper */
    CHECK(sleeper_done_at - t0 >= 0.29);
    CHECK(sleeper_done_at - t0 < 1.0);
}

/* ---- signals ---- */

static atomic_int handled_tid, handled_count;
static atomic_int parked;

static void on_usr(int sig)
{
    (void)sig;
    handled_tid = tid();
    handled_count++;
}

static atomic_int target_tid;
static atomic_int target_result;

/* Blocks SIGUSR2's twin: waits in a sleep, reports how it ended. */
static void *signal_target(void *arg)
{
    (void)arg;
    target_tid = tid();
    parked = 1;
    struct timespec ts = {5, 0};
    int rc = nanosleep(&ts, NULL);
    target_result = rc == -1 ? errno : 0;
    return NULL;
}

static void signals(void)
{
    struct sigaction sa = {.sa_handler = on_usr}; /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
    CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);

    /* pthread_kill: the handler runs in that thread, ending its sleep */
    pthread_t t;
    CHECK(pthread_create(&t, NULL, signal_target, NULL) == 0);
    until(&parked);
    sched_yield(); /* into its sleep */
    double t0 = now_s();
    CHECK(pthread_kill(t, SIGUSR1) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(now_s() - t0 < 2);
    CHECK(handled_count == 1 && handled_tid == target_tid);
    CHECK(target_result == EINTR);

    /* main blocks SIGUSR2; a signal to the process goes to the thread
     * that does not */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
    parked = 0;
    handled_count = 0;
    target_result = -1;
    sigset_t none;
    sigemptyset(&none);
    pthread_attr_t a;
    pthread_attr_init(&a);
    CHECK(pthread_sigmask(SIG_SETMASK, &none, NULL) == 0); /* for the child */
    CHECK(pthread_create(&t, &a, signal_target, NULL) == 0);
    CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
    until(&parked);
    sched_yield();
    CHECK(kill(getpid(), SIGUSR2) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(handled_count == 1 && handled_tid == target_tid);
    CHECK(target_result == EINTR);
    sigset_t pend;
    CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR2));

    /* blocked in main, and no other thread: it waits, pending, until main
     * unblocks it */
    handled_count = 0;
    CHECK(kill(getpid(), SIGUSR2) == 0);
    CHECK(handled_count == 0);
    CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR2));
    CHECK(pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0);
    CHECK(handled_count == 1 && handled_tid == tid());
    FAILS(syscall(SYS_tgkill, getpid(), 999999, SIGUSR1), ESRCH);
    pthread_attr_destroy(&a);
}

/* ---- cancel ---- */

static int cfd[2];
static atomic_int cleaned, in_wait;
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cc = PTHREAD_COND_INITIALIZER;

static void cleanup(void *arg)
{
    cleaned += (int)(long)arg;
}

static void *blocked_read(void *arg)
{
    (void)arg;
    char c;
    pthread_cleanup_push(cleanup, (void *)1);
    in_wait = 1;
    read(cfd[0], &c, 1); /* a cancellation point that waits */
    pthread_cleanup_pop(0);
    return (void *)2;
}

static void unlock(void *m)
{
    pthread_mutex_unlock(m);
    cleaned += 10;
}

static void *blocked_cond(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cm);
    pthread_cleanup_push(unlock, &cm);
    in_wait = 1;
    for (;;)
        pthread_cond_wait(&cc, &cm);
    pthread_cleanup_pop(1);
    return NULL;
}

static atomic_int may_go;

static void *cancel_later(void *arg)
{
    (void)arg;
    int old;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    in_wait = 1;
    until(&may_go); /* cancelled meanwhile: not acted on yet */
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
    pthread_testcancel();
    return (void *)3;
}

static void cancel(void)
{
    CHECK(pipe(cfd) == 0);
    pthread_t t;
    void *r = NULL;
    CHECK(pthread_create(&t, NULL, blocked_read, NULL) == 0);
    until(&in_wait);
    sched_yield(); /* into its read */
    CHECK(pthread_cancel(t) == 0);
    CHECK(pthread_join(t, &r) == 0);
    CHECK(r == PTHREAD_CANCELED);
    CHECK(cleaned == 1);

    in_wait = 0;
    CHECK(pthread_create(&t, NULL, blocked_cond, NULL) == 0);
    until(&in_wait);
    sched_yield();
    CHECK(pthread_cancel(t) == 0);
    CHECK(pthread_join(t, &r) == 0);
    CHECK(r == PTHREAD_CANCELED);
    CHECK(cleaned == 11);
    CHECK(pthread_mutex_trylock(&cm) == 0); /* the cleanup unlocked it */
    pthread_mutex_unlock(&cm);

    in_wait = 0;
    CHECK(pthread_create(&t, NULL, cancel_later, NULL) == 0);
    until(&in_wait);
    CHECK(pthread_cancel(t) == 0);
    sched_yield();
    may_go = 1;
    CHECK(pthread_join(t, &r) == 0);
    CHECK(r == PTHREAD_CANCELED);
    close(cfd[0]);
    close(cfd[1]);
}

/* ---- futex ---- */

static int word, word2;
static atomic_int futex_rc, futex_errno, futex_started;

struct fwait {
    int *addr;
    int op, val, bitset;
};

static void *futex_waiter(void *arg)
{
    struct fwait *w = arg;
    futex_started++;
    long rc = futex(w->addr, w->op, w->val, NULL, NULL, w->bitset);
    futex_rc = (int)rc;
    futex_errno = rc == 0 ? 0 : errno;
    return (void *)rc;
}

/* Start n waiters on w, each parked before this returns. */
static void start_waiters(pthread_t *t, int n, struct fwait *w)
{
    futex_started = 0;
    for (int i = 0; i < n; i++)
        CHECK(pthread_create(&t[i], NULL, futex_waiter, w) == 0);
    while (futex_started < n)
        sched_yield();
    sched_yield(); /* the last one into its wait */
}

static void on_alarm(int sig)
{
    (void)sig;
}

static void futex_part(void)
{
    int priv = FUTEX_PRIVATE_FLAG;
    word = 1;
    FAILS(futex(&word, FUTEX_WAIT | priv, 2, NULL, NULL, 0), EAGAIN);
    struct timespec rel = {0, 30 * 1000000L};
    double t0 = now_s();
    FAILS(futex(&word, FUTEX_WAIT | priv, 1, &rel, NULL, 0), ETIMEDOUT);
    CHECK(now_s() - t0 >= 0.025);
    struct timespec abs_mono = in_ms(CLOCK_MONOTONIC, 30);
    t0 = now_s();
    FAILS(futex(&word, FUTEX_WAIT_BITSET | priv, 1, &abs_mono, NULL, -1),
          ETIMEDOUT);
    CHECK(now_s() - t0 >= 0.025);
    struct timespec abs_real = in_ms(CLOCK_REALTIME, 30);
    t0 = now_s();
    FAILS(futex(&word, FUTEX_WAIT_BITSET | priv | FUTEX_CLOCK_REALTIME, 1,
                &abs_real, NULL, -1),
          ETIMEDOUT);
    CHECK(now_s() - t0 >= 0.025);
    struct timespec bad = {0, 1000000000L};
    FAILS(futex(&word, FUTEX_WAIT | priv, 1, &bad, NULL, 0), EINVAL);
    FAILS(futex(&word, FUTEX_WAIT_BITSET | priv, 1, NULL, NULL, 0), EINVAL);
    FAILS(futex(&word, FUTEX_WAKE_BITSET | priv, 1, NULL, NULL, 0), EINVAL);
    FAILS(futex((char *)&word + 1, FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL);
    FAILS(futex((int *)8, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
    FAILS(futex((int *)(1ULL << 46), FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
    FAILS(futex((int *)(1ULL << 46), FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
    FAILS(futex(&word, FUTEX_WAIT, 1, (void *)8, NULL, 0), EFAULT);
    CHECK(futex(&word, FUTEX_WAKE | priv, 1, NULL, NULL, 0) == 0);

    /* wake counts: 3 waiters, wake 2 then the rest */
    pthread_t t[3];
    struct fwait w = {&word, FUTEX_WAIT | priv, 1, 0};
    start_waiters(t, 3, &w);
    CHECK(futex(&word, FUTEX_WAKE | priv, 2, NULL, NULL, 0) == 2);
    CHECK(futex(&word, FUTEX_WAKE | priv, INT_MAX, NULL, NULL, 0) == 1);
    for (int i = 0; i < 3; i++)
        CHECK(pthread_join(t[i], NULL) == 0);

    /* bitsets: a wake for bit 2 leaves the bit-1 waiter waiting */
    struct fwait b1 = {&word, FUTEX_WAIT_BITSET | priv, 1, 1};
    struct fwait b2 = {&word, FUTEX_WAIT_BITSET | priv, 1, 2};
    start_waiters(&t[0], 1, &b1);
    start_waiters(&t[1], 1, &b2);
    CHECK(futex(&word, FUTEX_WAKE_BITSET | priv, INT_MAX, NULL, NULL, 2) == 1);
    CHECK(pthread_join(t[1], NULL) == 0);
    CHECK(futex(&word, FUTEX_WAKE_BITSET | priv, INT_MAX, NULL, NULL, 1) == 1);
    CHECK(pthread_join(t[0], NULL) == 0);

    /* requeue: wake 1, move 1 to word2, then wake it there */
    word2 = 0;
    start_waiters(t, 3, &w);
    FAILS(futex(&word, FUTEX_CMP_REQUEUE | priv, 1, (void *)1, &word2, 5),
          EAGAIN);
    CHECK(futex(&word, FUTEX_CMP_REQUEUE | priv, 1, (void *)1, &word2, 1) == 2);
    CHECK(futex(&word, FUTEX_WAKE | priv, INT_MAX, NULL, NULL, 0) == 1);
    CHECK(futex(&word2, FUTEX_WAKE | priv, INT_MAX, NULL, NULL, 0) == 1);
    for (int i = 0; i < 3; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    start_waiters(t, 2, &w);
    CHECK(futex(&word, FUTEX_REQUEUE | priv, 0, (void *)INT_MAX, &word2, 0) ==
          2);
    CHECK(futex(&word, FUTEX_WAKE | priv, INT_MAX, NULL, NULL, 0) == 0);
    CHECK(futex(&word2, FUTEX_WAKE | priv, INT_MAX, NULL, NULL, 0) == 2);
    for (int i = 0; i < 2; i++)
        CHECK(pthread_join(t[i], NULL) == 0);

    /* a signal whose handler lacks SA_RESTART ends a wait with EINTR */
    struct sigaction sa = {.sa_handler = on_alarm};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
    start_waiters(t, 1, &w);
    CHECK(pthread_kill(t[0], SIGUSR1) == 0);
    CHECK(pthread_join(t[0], NULL) == 0);
    CHECK(futex_rc == -1 && futex_errno == EINTR);
}

/* ---- eventfd ---- */

static int efd;
static atomic_int efd_reader_ready;

static void *efd_reader(void *arg)
{
    (void)arg;
    uint64_t v = 0;
    efd_reader_ready = 1;
    if (read(efd, &v, sizeof(v)) != sizeof(v)) /* waits for the write */
        return (void *)-1;
    return (void *)(uintptr_t)v;
}

static void eventfd_part(void)
{
    uint64_t v = 0, one = 1, big = UINT64_MAX - 1;
    efd = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
    CHECK(efd >= 0);
    CHECK((fcntl(efd, F_GETFD) & FD_CLOEXEC) != 0);
    CHECK(read(efd, &v, sizeof(v)) == sizeof(v) && v == 3);
    FAILS(read(efd, &v, sizeof(v)), EAGAIN); /* zero: nothing to read */
    FAILS(read(efd, &v, 4), EINVAL);         /* less than 8 bytes */
    uint64_t bad = UINT64_MAX;
    FAILS(write(efd, &bad, sizeof(bad)), EINVAL);
    CHECK(write(efd, &big, sizeof(big)) == sizeof(big));
    FAILS(write(efd, &one, sizeof(one)), EAGAIN); /* it would overflow */
    struct pollfd p = {.fd = efd, .events = POLLIN | POLLOUT};
    CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLIN);
    CHECK(read(efd, &v, sizeof(v)) == sizeof(v) && v == big);
    p.revents = 0;
    CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLOUT);
    close(efd);

    /* a semaphore gives one at a time */
    efd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    CHECK(efd >= 0);
    CHECK(read(efd, &v, sizeof(v)) == sizeof(v) && v == 1);
    CHECK(read(efd, &v, sizeof(v)) == sizeof(v) && v == 1);
    FAILS(read(efd, &v, sizeof(v)), EAGAIN);
    close(efd);

    /* a blocking read waits for another thread's write */
    efd = eventfd(0, 0);
    CHECK(efd >= 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, efd_reader, NULL) == 0);
    until(&efd_reader_ready);
    sched_yield(); /* into its read */
    uint64_t seven = 7;
    CHECK(write(efd, &seven, sizeof(seven)) == sizeof(seven));
    void *r = NULL;
    CHECK(pthread_join(t, &r) == 0 && r == (void *)7);
    close(efd);
    FAILS(eventfd(0, 0x12345), EINVAL);
}

/* ---- exit ---- */

static void *exit_seven(void *arg)
{
    (void)arg;
    printf("exiting with 7\n");
    fflush(stdout);
    exit(7);
}

static void exit_part(void)
{
    pthread_t t;
    CHECK(pthread_create(&t, NULL, exit_seven, NULL) == 0);
    pthread_join(t, NULL); /* never returns: the process ends */
    printf("join returned\n");
    failed++;
}

static void *outlive_main(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
    printf("main_exit ok\n"); /* run_part cannot print it: main is gone */
    fflush(stdout);
    return NULL;
}

static void main_exit(void)
{
    pthread_t t;
    CHECK(pthread_create(&t, NULL, outlive_main, NULL) == 0);
    if (!failed)
        pthread_exit(NULL);
}

int main(int argc, char **argv)
{
    static const struct test_part parts[] = {
        {"pipe", pipe_part},   {"sleep", sleep_part},
        {"signals", signals},  {"cancel", cancel},
        {"futex", futex_part}, {"eventfd", eventfd_part},
        {"exit", exit_part},   {"main_exit", main_exit},
    };
    return run_part(argc, argv, parts, sizeof(parts) / sizeof(parts[0]));
}
