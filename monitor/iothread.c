/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * iothread.c: the monitor's I/O thread, which serves device queues in
 * guest memory while the vCPU runs, so that a request costs no exit.
 *
 * It polls every queue while there is work and for a short idle spell
 * after (spin_ns, see "The spell" below), then tells the guest it sleeps
 * (each queue's monitor_sleeping flag) and blocks on an eventfd. From
 * then on the guest kicks: a hypercall that serves the queue in the vCPU
 * thread at once and wakes this thread for what follows. Both threads
 * serve under one lock, so a kick returns only when everything submitted
 * before it is done.
 * The lock is a futex of its own rather than a pthread mutex, which
 * reads the thread's id through %fs: the process backend serves a kick
 * on the guest's %fs (proc.c).
 * The sleep handshake is Dekker's: each side publishes its flag, then a
 * full fence, then reads the other's; neither can miss the other.
 *
 * A bad request found here stops the guest: the reason goes to its own
 * buffer, then the vCPU thread is interrupted (immediate_exit and
 * SIGUSR1) and reports it as an ABI violation. This thread then serves
 * nothing more.
 *
 * With fewer than two CPUs to run on, a polling thread only takes time
 * from the vCPU, so --io-thread=auto (the default) does not start it;
 * the queues then work by kicks alone, an exit per batch. With two it
 * serves random 4 KiB I/O under KVM at about five times the rate of the
 * kicks (docs/performance.md). Under the process backend a kick costs a
 * call, not an exit, and still the thread is faster: 0.82x native for
 * random 4 KiB reads against 0.74x by kicks, as the guest's side of one
 * request overlaps the thread's system call for the last.
 *
 * Nothing here allocates once the seccomp filter is armed (it allows no
 * brk or mmap): husk_io_prepare makes the state when a device that may
 * get a queue is opened, and a queue is a slot in it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <linux/kvm.h>

#include "allowlist.h"
#include "husk.h"
#include "rawsys.h"

#define QUEUES_MAX HUSK_DEVICES_MAX
/* How long the thread polls after its last request before it sleeps: it
 * starts here and adapts (see adapt_spin), from SPIN_NS_MIN up to a bound
 * of SPIN_WAKE_MULT wake-ups (spin_bound), never above SPIN_NS_MAX. */
#define SPIN_NS_START 200000ULL
#define SPIN_NS_MIN 50000ULL
#define SPIN_NS_MAX 5000000ULL
#define SPIN_WAKE_MULT 8

struct husk_io {
    atomic_int lock;     /* 0 free, 1 held, 2 held with waiters */
    int efd;             /* the thread sleeps reading it */
    bool running;        /* the thread exists */
    atomic_bool started; /* the thread runs its own code */
    bool sleeping;       /* the thread sleeps (under lock) */
    atomic_bool stopped; /* a violation was found here */
    pid_t pid, vcpu_tid; /* where SIGUSR1 goes (a direct tgkill) */
    unsigned count;
    struct husk_io_queue queues[QUEUES_MAX];
    uint64_t kick_ns; /* when a kick last woke the thread (under lock) */
    uint64_t served_by_thread, served_by_kick, wakeups; /* --stats */
    uint64_t wake_ns, spin_max_ns;                      /* --stats */
    char why[sizeof(((struct husk_vm *)0)->message)];
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The lock: Drepper's futex mutex ("Futexes Are Tricky", mutex 2). */
static void io_lock(struct husk_io *io)
{
    int c = 0;
    if (atomic_compare_exchange_strong(&io->lock, &c, 1))
        return;
    if (c != 2)
        c = atomic_exchange(&io->lock, 2);
    while (c != 0) {
        husk_raw_syscall6(SYS_futex, (long)&io->lock, FUTEX_WAIT_PRIVATE, 2, 0,
                          0, 0);
        c = atomic_exchange(&io->lock, 2);
    }
}

static void io_unlock(struct husk_io *io)
{
    if (atomic_exchange(&io->lock, 0) == 2)
        husk_raw_syscall6(SYS_futex, (long)&io->lock, FUTEX_WAKE_PRIVATE, 1, 0,
                          0, 0);
}

void husk_io_prepare(struct husk_vm *vm)
{
    if (vm->io != NULL)
        return;
    struct husk_io *io = calloc(1, sizeof(*io));
    if (io == NULL)
        husk_fatal(HUSK_EXIT_MONITOR, "out of memory");
    io->efd = -1;
    vm->io = io;
}

/* The state husk_io_prepare made at set-up: a hypercall that reaches here
 * runs under the filter, where nothing may be allocated. */
static struct husk_io *io_of(struct husk_vm *vm)
{
    if (vm->io == NULL)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "internal error: a device queue without husk_io_prepare");
    return vm->io;
}

static void publish_sleeping(struct husk_io *io, bool sleeping)
{
    for (unsigned i = 0; i < io->count; i++)
        io->queues[i].set_sleeping(io->queues[i].ctx, sleeping);
    atomic_thread_fence(memory_order_seq_cst);
}

/* Serve every queue once (lock held). Returns requests served, or -1
 * after a violation (its reason in io->why). */
static long serve_all(struct husk_vm *vm, struct husk_io *io)
{
    long total = 0;
    uint64_t bytes = 0;
    for (unsigned i = 0; i < io->count; i++) {
        long n = io->queues[i].serve(vm, io->queues[i].ctx, &bytes, io->why,
                                     sizeof(io->why));
        if (n < 0)
            return -1;
        total += n;
    }
    return total;
}

/* Stop the guest from this thread: the vCPU thread reports io->why. */
static void stop_guest(struct husk_vm *vm, struct husk_io *io)
{
    atomic_store(&io->stopped, true);
    if (vm->run != NULL) /* KVM; the process backend has no run area */
        vm->run->immediate_exit = 1;
    syscall(SYS_tgkill, io->pid, io->vcpu_tid, SIGUSR1);
}

/* After a violation: serve nothing more, until the process exits. */
static _Noreturn void park(struct husk_vm *vm, struct husk_io *io)
{
    stop_guest(vm, io);
    io_unlock(io);
    for (;;) { /* the vCPU thread exits the process very soon */
        uint64_t v;
        ssize_t unused = read(io->efd, &v, sizeof(v));
        (void)unused;
    }
}

/*
 * The spell. Polling after the last request pays off only when the next
 * one comes before the spell ends: it then saves a kick and a wake-up,
 * and the thread overlaps its system call with the guest's next request.
 * When the next one comes later, the whole spell was a CPU taken from the
 * vCPU and from the host, which a program that waits for fdatasync
 * between its writes needs (gaps of 0.5 to 20 ms: SQLite's commits).
 * So the spell is bounded by what a wake-up costs here, measured at run
 * time (from a kick's write to the eventfd to this thread running), times
 * SPIN_WAKE_MULT: polling longer than that to save one wake-up does not
 * pay, and a slow machine (nested KVM, an emulated CPU) gets a longer
 * spell by itself. (The thread's own system calls are work, not idle
 * time: the spell counts from the end of its last serve.)
 */

/* The cost of a wake-up, from the one just measured and the estimate so
 * far (0: none yet): the cheapest seen, creeping up by at most 1/64 a
 * wake-up, so that one wake-up slowed by a busy host (milliseconds) does
 * not count, but a machine that has become slower is followed. */
static uint64_t track_wake(uint64_t est_ns, uint64_t sample_ns)
{
    if (est_ns == 0 || sample_ns <= est_ns)
        return sample_ns;
    uint64_t creep = est_ns / 64 > 0 ? est_ns / 64 : 1;
    return sample_ns - est_ns < creep ? sample_ns : est_ns + creep;
}

/* The longest spell worth polling for, given the cost of a wake-up. */
static uint64_t spin_bound(uint64_t wake_ns)
{
    if (wake_ns > SPIN_NS_MAX / SPIN_WAKE_MULT)
        return SPIN_NS_MAX;
    uint64_t b = wake_ns * SPIN_WAKE_MULT;
    return b > SPIN_NS_MIN ? b : SPIN_NS_MIN;
}

/*
 * The next spell, from the last one and the gap the thread slept through
 * (its last request to the kick that woke it). A gap within the bound
 * was worth catching: double the spell, or make it cover that gap twice.
 * A gap beyond it was not (2 ms of polling to save a wake-up of 20 us):
 * halve the spell, down to SPIN_NS_MIN, which still keeps up with a
 * stream of requests. So the thread follows a program's rhythm where
 * that pays and sleeps through the long waits.
 */
static uint64_t adapt_spin(uint64_t spin_ns, uint64_t gap_ns, uint64_t max_ns)
{
    if (gap_ns <= max_ns) {
        uint64_t want = gap_ns > spin_ns ? 2 * gap_ns : 2 * spin_ns;
        return want < max_ns ? want : max_ns;
    }
    spin_ns /= 2;
    if (spin_ns > max_ns)
        spin_ns = max_ns;
    return spin_ns > SPIN_NS_MIN ? spin_ns : SPIN_NS_MIN;
}

static void *io_main(void *arg)
{
    struct husk_vm *vm = arg;
    struct husk_io *io = vm->io;
    bool fixed = vm->cfg->io_spin_us != 0; /* --io-spin: no adapting */
    uint64_t spin_ns =
        fixed ? (uint64_t)vm->cfg->io_spin_us * 1000 : SPIN_NS_START;
    uint64_t last_work = 0; /* start asleep: no queue exists yet */
    atomic_store(&io->started, true);
    io_lock(io);
    for (;;) {
        long n = serve_all(vm, io);
        if (n < 0)
            park(vm, io);
        if (n > 0) {
            io->served_by_thread += (uint64_t)n;
            last_work = now_ns();
            continue;
        }
        if (now_ns() - last_work < spin_ns) {
            io_unlock(io);
            __builtin_ia32_pause();
            io_lock(io);
            continue;
        }
        /* Going to sleep: say so, then look once more (the guest may have
         * submitted just before it could see the flag). */
        publish_sleeping(io, true);
        if ((n = serve_all(vm, io)) != 0) {
            publish_sleeping(io, false);
            if (n < 0)
                park(vm, io);
            io->served_by_thread += (uint64_t)n;
            last_work = now_ns();
            continue;
        }
        io->sleeping = true;
        io_unlock(io);
        uint64_t v;
        ssize_t r;
        do
            r = read(io->efd, &v, sizeof(v));
        while (r < 0 && errno == EINTR);
        uint64_t now = now_ns();
        io_lock(io);
        io->sleeping = false;
        io->wakeups++;
        publish_sleeping(io, false);
        /* Only a kick wakes the thread, and it noted when (under the
         * lock, before its write): the wake-up's cost, and the end of the
         * gap the guest left since the thread's last request. */
        if (io->kick_ns != 0 && now >= io->kick_ns &&
            io->kick_ns >= last_work) {
            io->wake_ns = track_wake(io->wake_ns, now - io->kick_ns);
            io->spin_max_ns = spin_bound(io->wake_ns);
            if (!fixed && last_work == 0) /* the first: no gap yet */
                spin_ns = spin_ns < io->spin_max_ns ? spin_ns : io->spin_max_ns;
            else if (!fixed)
                spin_ns = adapt_spin(spin_ns, io->kick_ns - last_work,
                                     io->spin_max_ns);
        }
        last_work = now;
    }
}

static unsigned cpus_available(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return 1;
    return (unsigned)CPU_COUNT(&set);
}

static void on_usr1(int sig)
{
    (void)sig; /* only to interrupt KVM_RUN or a wait in a hypercall */
}

void husk_io_start(struct husk_vm *vm, bool needed)
{
    enum husk_io_mode mode = vm->cfg->io_thread;
    if (!needed || mode == HUSK_IO_OFF ||
        (mode == HUSK_IO_AUTO && cpus_available() < 2))
        return;
    husk_io_prepare(vm);
    struct husk_io *io = vm->io;
    io->efd = eventfd(0, EFD_CLOEXEC);
    if (io->efd < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "I/O thread: eventfd");
    io->pid = getpid();
    io->vcpu_tid = gettid();
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "I/O thread: sigaction");
    /* The thread must not take the signals meant for the vCPU thread. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    io->running = true;
    io->sleeping = false; /* it will say so itself, under the lock */
    pthread_t t;
    int rc = pthread_create(&t, NULL, io_main, vm);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        errno = rc;
        husk_fatal(HUSK_EXIT_MONITOR, "cannot start the I/O thread");
    }
    /* glibc starts a thread with system calls of its own (rseq,
     * set_robust_list) that the seccomp filter, loaded next, would kill
     * the process for: wait until the thread is past them. */
    while (!atomic_load(&io->started))
        sched_yield();
}

bool husk_io_running(const struct husk_vm *vm)
{
    return vm->io != NULL && vm->io->running;
}

int husk_io_sandbox_rules(const struct husk_vm *vm, struct husk_rules *rules)
{
    const struct husk_io *io = vm->io;
    if (io == NULL || !io->running)
        return 0;
    scmp_datum_t efd = (scmp_datum_t)io->efd;
    int rc = 0;
    /* The thread sleeps reading the eventfd; a kick writes it. */
    rc |= husk_rule_add(rules, SCMP_SYS(read), 1, SCMP_A0(SCMP_CMP_EQ, efd));
    rc |= husk_rule_add(rules, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, efd));
    /* The two threads share a lock: private futex waits and wakes. */
    rc |= husk_rule_add(rules, SCMP_SYS(futex), 1,
                        SCMP_A1(SCMP_CMP_EQ, FUTEX_WAIT_PRIVATE));
    rc |= husk_rule_add(rules, SCMP_SYS(futex), 1,
                        SCMP_A1(SCMP_CMP_EQ, FUTEX_WAKE_PRIVATE));
    /* A violation found by the thread interrupts the vCPU thread. */
    rc |= husk_rule_add(rules, SCMP_SYS(tgkill), 3,
                        SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)io->pid),
                        SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)io->vcpu_tid),
                        SCMP_A2(SCMP_CMP_EQ, SIGUSR1));
    return rc == 0 ? 0 : -1;
}

void husk_io_add_queue(struct husk_vm *vm, struct husk_io_queue q)
{
    struct husk_io *io = io_of(vm);
    io_lock(io);
    if (io->count == QUEUES_MAX)
        husk_fatalx(HUSK_EXIT_MONITOR, "internal error: too many queues");
    io->queues[io->count++] = q;
    /* Until the thread is awake and says otherwise, the guest kicks. */
    q.set_sleeping(q.ctx, true);
    io_unlock(io);
}

long husk_io_kick(struct husk_vm *vm, const struct husk_io_queue *q, char *why,
                  size_t whylen)
{
    struct husk_io *io = io_of(vm);
    io_lock(io);
    uint64_t bytes = 0;
    long n = q->serve(vm, q->ctx, &bytes, why, whylen);
    if (n > 0)
        io->served_by_kick += (uint64_t)n;
    /* The guest is doing I/O: have the thread poll for what follows;
     * but not after a large transfer. libhusk kicks those at once
     * (HUSK_BLOCK_KICK_AT_ONCE), so that they are served on the CPU that
     * wants the data; a thread woken by them only competes with the next
     * kick for the lock and the cache (sequential 1 MiB reads: 0.87x the
     * speed with it woken). */
    if (n >= 0 && bytes < HUSK_BLOCK_KICK_AT_ONCE && io->running &&
        io->sleeping) {
        uint64_t one = 1;
        /* The vDSO's clock, which keeps no thread state: this may run on
         * the guest's %fs (proc.c). */
        io->kick_ns = now_ns();
        husk_raw_write(io->efd, &one, sizeof(one));
        io->sleeping = false; /* no second write before it wakes */
    }
    io_unlock(io);
    return n;
}

void husk_io_quiesce(struct husk_vm *vm)
{
    struct husk_io *io = vm->io;
    if (io == NULL)
        return;
    /* Held until husk_io_release: the thread, serving or about to,
     * waits on it. A violation found here is in io->why and io->stopped,
     * as if the thread had found it. */
    io_lock(io);
    long n;
    while ((n = serve_all(vm, io)) > 0)
        io->served_by_kick += (uint64_t)n;
    if (n < 0)
        atomic_store(&io->stopped, true);
}

void husk_io_release(struct husk_vm *vm)
{
    if (vm->io != NULL)
        io_unlock(vm->io);
}

bool husk_io_stopped(struct husk_vm *vm)
{
    struct husk_io *io = vm->io;
    if (io == NULL || !atomic_load(&io->stopped))
        return false;
    husk_own_tls();
    snprintf(vm->message, sizeof(vm->message), "%s", io->why);
    vm->exit_code = HUSK_EXIT_VIOLATION;
    return true;
}

void husk_io_report_stats(struct husk_vm *vm)
{
    struct husk_io *io = vm->io;
    if (io == NULL)
        return;
    husk_reportx("stats: queued requests: %llu served by the I/O thread "
                 "(%s, woken %llu times), %llu by kicks",
                 (unsigned long long)io->served_by_thread,
                 io->running ? "running" : "not started",
                 (unsigned long long)io->wakeups,
                 (unsigned long long)io->served_by_kick);
    if (io->wake_ns == 0)
        return;
    if (vm->cfg->io_spin_us != 0)
        husk_reportx("stats: I/O thread: a wake-up costs %llu us; it polls "
                     "for %u us (--io-spin)",
                     (unsigned long long)(io->wake_ns + 500) / 1000,
                     vm->cfg->io_spin_us);
    else
        husk_reportx("stats: I/O thread: a wake-up costs %llu us, so it polls "
                     "for at most %llu us",
                     (unsigned long long)(io->wake_ns + 500) / 1000,
                     (unsigned long long)(io->spin_max_ns + 500) / 1000);
}

void husk_io_stats_json(struct husk_vm *vm, struct husk_json *j)
{
    struct husk_io *io = vm->io;
    if (io == NULL)
        return;
    husk_json_begin(j, "io_thread");
    husk_json_bool(j, "running", io->running);
    husk_json_u64(j, "served_by_thread", io->served_by_thread);
    husk_json_u64(j, "served_by_kick", io->served_by_kick);
    husk_json_u64(j, "wakeups", io->wakeups);
    husk_json_u64(j, "wake_ns", io->wake_ns);
    husk_json_end(j);
}
