/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * supervise.c: the jail's parent. It is the process the caller started,
 * so it stands in for the monitor: it exits with the child's status, dies
 * of the signal that killed the child, and when it is told to stop
 * (SIGTERM, SIGINT, SIGHUP) it passes the signal on: the child, PID 1 of
 * its namespace, takes only the signals it has a handler for from
 * outside, and it has one for these (vcpu.c); SIGQUIT kills it. If the
 * parent is killed outright, PR_SET_PDEATHSIG kills the child (jail.c).
 * It holds no fd of the guest's and may only wait, kill the child (and,
 * once it has ended, the helpers devices started: passt) and exit.
 *
 * The two share one address space: the jail splits them with a clone
 * that has CLONE_VM (husk_clone_vm), because copying the monitor's page
 * tables and then faulting its pages in twice, copy on write, cost more
 * than all the rest of the jail on hosts where a page fault is expensive
 * (docs/performance.md). So from the clone on, the supervisor touches
 * none of glibc's state, which is the monitor's now: it runs on a stack
 * of its own, makes raw system calls (no errno, which lives behind the
 * monitor's %fs), takes no lock and allocates nothing. Its filter was
 * compiled at build time (supervisor_rules.c); the values are written in
 * before the clone, the child's pid after, and it is loaded before the
 * monitor may start the guest
 * (husk_supervise_await): a monitor that was taken over can write the
 * supervisor's memory, so it is that filter, not the address space, that
 * confines the supervisor (docs/security.md).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk.h"
#include "rawsys.h"
#include "supervisor_filter.h" /* generated: husk_supervisor_program */
#include "supervisor_rules.h"

long husk_clone_vm(void (*parent_fn)(long child), uintptr_t parent_top,
                   unsigned long flags);
void husk_sigreturn(void);

#define STACK_SIZE (64 * 1024)
#define FILTER_LEN \
    (sizeof(husk_supervisor_program) / sizeof(husk_supervisor_program[0]))
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000 /* the kernel's; glibc keeps it to itself */
#endif

/* The kernel's struct sigaction (not glibc's: its mask is 64 bits). */
struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

static struct {
    bool started; /* a supervisor exists: the child waits for its filter */
    pid_t self, child;
    int keep_fd;
    uint64_t open_mask; /* the signals open while it waits */
    struct sock_filter filter[FILTER_LEN];
} sup;
/* 1 once the supervisor's filter is loaded (a futex word). */
static uint32_t filter_loaded;
static volatile sig_atomic_t stop_signal, reaping;
static pid_t helpers[HUSK_DEVICES_MAX];
static unsigned helper_count;
static _Alignas(16) uint8_t sup_stack[STACK_SIZE];

void husk_supervise_helper(pid_t pid)
{
    if (helper_count == HUSK_DEVICES_MAX)
        husk_fatalx(HUSK_EXIT_MONITOR, "internal error: too many helpers");
    helpers[helper_count++] = pid;
}

/* Everything below runs in the supervisor after the clone: no glibc, no
 * sanitizer runtime (its state is the monitor's too). */
#define SUPERVISOR                                                \
    __attribute__((no_sanitize_address, no_sanitize("undefined"), \
                   no_stack_protector))

static SUPERVISOR void say(const char *line, size_t len)
{
    husk_raw_syscall6(SYS_write, STDERR_FILENO, (long)line, (long)len, 0, 0, 0);
}

/* Pass the stop on: the child stops its guest, prints its report
 * (--stats) and exits 128 + sig. SIGQUIT, or a second signal (the
 * handler is reset: it kills us, and PR_SET_PDEATHSIG the child), ends it
 * at once. */
static SUPERVISOR void on_stop(int sig)
{
    stop_signal = sig;
    /* Once we reap the child its pid may be another process's. */
    if (!reaping)
        husk_raw_syscall6(SYS_kill, sup.child, sig == SIGQUIT ? SIGKILL : sig,
                          0, 0, 0, 0);
}

/* The monitor has ended: its helpers end too (each may have ended
 * already, as the monitor's end of its socket closed; it is still our
 * child, a zombie at worst, so its pid is not another process's). */
static SUPERVISOR void end_helpers(void)
{
    for (unsigned i = 0; i < helper_count; i++) {
        husk_raw_syscall6(SYS_kill, helpers[i], SIGKILL, 0, 0, 0, 0);
        while (husk_raw_syscall6(SYS_wait4, helpers[i], 0, 0, 0, 0, 0) ==
               -EINTR)
            ;
    }
}

static SUPERVISOR _Noreturn void give_up(const char *line, size_t len)
{
    say(line, len);
    husk_raw_syscall6(SYS_kill, sup.child, SIGKILL, 0, 0, 0, 0);
    husk_raw_syscall6(SYS_exit_group, HUSK_EXIT_MONITOR, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

static SUPERVISOR _Noreturn void supervise(long child)
{
    sup.child = (pid_t)child;
    /* Nothing of the guest's: no device, no vCPU, no console. stderr
     * stays for a last message. */
    husk_raw_syscall6(SYS_close, STDIN_FILENO, 0, 0, 0, 0, 0);
    husk_raw_syscall6(SYS_close, STDOUT_FILENO, 0, 0, 0, 0, 0);
    if (sup.keep_fd > 3)
        husk_raw_syscall6(SYS_close_range, 3, sup.keep_fd - 1, 0, 0, 0, 0);
    husk_raw_syscall6(SYS_close_range, sup.keep_fd + 1, ~0U, 0, 0, 0, 0);

    /* SA_RESETHAND: once handled, the signal's default action is back,
     * and raising it again below ends us as it would have. */
    struct kernel_sigaction sa = {.handler = on_stop,
                                  .flags = SA_RESETHAND | SA_RESTORER,
                                  .restorer = husk_sigreturn,
                                  .mask = ~0ULL};
    const int stops[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
        husk_raw_syscall6(SYS_rt_sigaction, stops[i], (long)&sa, 0, 8, 0, 0);
    struct kernel_sigaction dfl = {.handler = SIG_DFL};
    husk_raw_syscall6(SYS_rt_sigaction, SIGPIPE, (long)&dfl, 0, 8, 0, 0);
    /* Blocked since before the clone (jail.c): one that came meanwhile
     * is pending and is passed on now, to a child that has them blocked
     * until its handlers are in. */
    husk_raw_syscall6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&sup.open_mask, 0,
                      8, 0, 0);

    /* husk_supervisor_patch, for the one value left: a call could be
     * instrumented (the sanitizer build), and this code may not be. */
    for (unsigned i = 0; i < FILTER_LEN; i++)
        if (sup.filter[i].code == (BPF_JMP | BPF_JEQ | BPF_K) &&
            sup.filter[i].k == HUSK_SUP_CHILD)
            sup.filter[i].k = (uint32_t)child;
    struct sock_fprog prog = {.len = FILTER_LEN, .filter = sup.filter};
    static const char refused[] =
        "husk: the kernel refused the supervisor's seccomp filter\n";
    if (husk_raw_syscall6(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog,
                          0, 0, 0) != 0)
        give_up(refused, sizeof(refused) - 1);
    __atomic_store_n(&filter_loaded, 1, __ATOMIC_RELEASE);
    husk_raw_syscall6(SYS_futex, (long)&filter_loaded, FUTEX_WAKE_PRIVATE, 1, 0,
                      0, 0);

    /* WNOWAIT first: a zombie's pid is not reused, so on_stop may kill
     * it until we say we are reaping. Reaping it ourselves charges its
     * CPU time and peak memory to us, where time(1) and getrusage
     * (RUSAGE_CHILDREN) in our caller look. */
    siginfo_t info;
    long rc;
    while ((rc = husk_raw_syscall6(SYS_waitid, P_PID, child, (long)&info,
                                   WEXITED | WNOWAIT, 0, 0)) != 0)
        if (rc != -EINTR) {
            static const char lost[] = "husk: supervisor: waitid failed\n";
            give_up(lost, sizeof(lost) - 1);
        }
    reaping = 1;
    while (husk_raw_syscall6(SYS_wait4, child, 0, 0, 0, 0, 0) == -EINTR)
        ;
    end_helpers();
    int sig = stop_signal != 0             ? stop_signal
              : info.si_code != CLD_EXITED ? info.si_status
                                           : 0;
    if (sig != 0) {
        /* No core file: husk_no_dumps() ran before the clone. */
        husk_raw_syscall6(SYS_kill, sup.self, sig, 0, 0, 0, 0);
        husk_raw_syscall6(SYS_exit_group, 128 + sig, 0, 0, 0, 0,
                          0); /* one we handled */
    }
    husk_raw_syscall6(SYS_exit_group, info.si_status, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

void husk_supervise_start(int keep_fd)
{
    sup.self = getpid();
    sup.keep_fd = keep_fd;
    const sigset_t *open = husk_wait_sigmask();
    if (open != NULL)
        memcpy(&sup.open_mask, open, sizeof(sup.open_mask));
    /* Every value but the child's pid, which the clone makes. */
    struct husk_supervisor_values v = {
        .self = (uint32_t)sup.self,
        .loaded = (uint64_t)(uintptr_t)&filter_loaded,
        .helper_count = helper_count,
    };
    for (unsigned i = 0; i < helper_count; i++)
        v.helpers[i] = (uint32_t)helpers[i];
    memcpy(sup.filter, husk_supervisor_program, sizeof(sup.filter));
    /* self, and the address's two halves, at the least. */
    if (husk_supervisor_patch(sup.filter, FILTER_LEN, &v) < 3)
        husk_fatalx(HUSK_EXIT_MONITOR, "internal error: the supervisor's "
                                       "filter does not name its values");
    sup.started = true;
    long child = husk_clone_vm(supervise, (uintptr_t)(sup_stack + STACK_SIZE),
                               CLONE_VM | SIGCHLD);
    if (child < 0) {
        errno = (int)-child;
        husk_fatal(HUSK_EXIT_MONITOR, "jail: clone");
    }
    /* The child: the monitor goes on. */
}

void husk_supervise_await(void)
{
    if (!sup.started)
        return;
    while (__atomic_load_n(&filter_loaded, __ATOMIC_ACQUIRE) == 0)
        syscall(SYS_futex, &filter_loaded, FUTEX_WAIT_PRIVATE, 0, NULL);
}
