/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * supervise.c: the jail's parent. It is the process the caller started,
 * so it stands in for the monitor: it exits with the child's status, dies
 * of the signal that killed the child, and when it is told to stop
 * (SIGTERM, SIGINT, SIGHUP) it passes the signal on: the child, PID 1 of
 * its namespace, takes only the signals it has a handler for from
 * outside, and it has one for these (vcpu.c); SIGQUIT kills it. If the parent is killed outright, PR_SET_PDEATHSIG kills the
 * child (jail.c). It holds no fd of the guest's and may only wait, kill
 * the child (and, once it has ended, the helpers devices started: passt)
 * and exit (sandbox.c).
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk.h"

static volatile sig_atomic_t stop_signal, reaping;
static pid_t child_pid;
static pid_t helpers[HUSK_DEVICES_MAX];
static unsigned helper_count;

void husk_supervise_helper(pid_t pid)
{
    if (helper_count == HUSK_DEVICES_MAX)
        husk_fatalx(HUSK_EXIT_MONITOR, "internal error: too many helpers");
    helpers[helper_count++] = pid;
}

unsigned husk_supervise_helpers(const pid_t **pids)
{
    *pids = helpers;
    return helper_count;
}

/* The monitor has ended: its helpers end too (each may have ended
 * already, as the monitor's end of its socket closed; it is still our
 * child, a zombie at worst, so its pid is not another process's). */
static void end_helpers(void)
{
    for (unsigned i = 0; i < helper_count; i++) {
        kill(helpers[i], SIGKILL);
        while (waitpid(helpers[i], NULL, 0) < 0 && errno == EINTR)
            ;
    }
}

/* Pass the stop on: the child stops its guest, prints its report
 * (--stats) and exits 128 + sig. SIGQUIT, or a second signal (the
 * handler is reset: it kills us, and PR_SET_PDEATHSIG the child), ends it
 * at once. */
static void on_stop(int sig)
{
    stop_signal = sig;
    /* Once we reap the child its pid may be another process's. */
    if (!reaping)
        kill(child_pid, sig == SIGQUIT ? SIGKILL : sig);
}

void husk_supervise(pid_t child, int keep_fd)
{
    child_pid = child;
    pid_t self = getpid();
    /* Nothing of the guest's: no device, no vCPU, no console. stderr
     * stays for a last message. */
    close(STDIN_FILENO);
    close(STDOUT_FILENO);
    if (keep_fd > 3)
        close_range(3, (unsigned)keep_fd - 1, 0);
    close_range((unsigned)keep_fd + 1, ~0U, 0);

    /* SA_RESETHAND: once handled, the signal's default action is back,
     * and raising it again below ends us as it would have. */
    struct sigaction sa = {.sa_handler = on_stop, .sa_flags = SA_RESETHAND};
    sigfillset(&sa.sa_mask);
    const int stops[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
        if (sigaction(stops[i], &sa, NULL) != 0)
            husk_fatal(HUSK_EXIT_MONITOR, "sigaction");
    signal(SIGPIPE, SIG_DFL);
    /* Blocked since before the fork (jail.c): one that came meanwhile is
     * pending and is passed on now, to a child that has them blocked
     * until its handlers are in. */
    if (sigprocmask(SIG_SETMASK, husk_wait_sigmask(), NULL) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "sigprocmask");
    husk_sandbox_apply_supervisor(self, child);

    /* WNOWAIT first: a zombie's pid is not reused, so on_stop may kill
     * it until we say we are reaping. Reaping it ourselves charges its
     * CPU time and peak memory to us, where time(1) and getrusage
     * (RUSAGE_CHILDREN) in our caller look. */
    siginfo_t info;
    while (waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT) != 0)
        if (errno != EINTR)
            husk_fatal(HUSK_EXIT_MONITOR, "waitid");
    reaping = 1;
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
    end_helpers();
    int sig = stop_signal != 0             ? stop_signal
              : info.si_code != CLD_EXITED ? info.si_status
                                           : 0;
    if (sig == 0)
        _exit(info.si_status);
    /* No core file: husk_no_dumps() ran before the fork. */
    kill(self, sig);
    _exit(128 + sig); /* a signal we handle and that killed the child */
}
