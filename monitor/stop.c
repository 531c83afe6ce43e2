/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * stop.c: what stops a running guest from outside: --timeout (SIGALRM)
 * and SIGTERM, SIGINT, SIGHUP. A stop must end whatever the monitor is
 * blocked in, however close before the wait it comes, and it must not be
 * lost while the monitor is still being set up:
 *
 * - The stop signals are blocked before the jail's split (the jailed child
 *   is PID 1 of its pid namespace, which drops a signal it has no handler
 *   for; a blocked one stays pending) and stay blocked in the vCPU thread.
 * - They are open only where the thread waits: in KVM_RUN (the vCPU's
 *   KVM_SET_SIGNAL_MASK, vcpu.c), in ppoll (husk_wait_sigmask(), which
 *   opens them atomically with the wait) and in a console write
 *   (husk_stop_write). A signal that comes between two waits stays
 *   pending and ends the next one at once.
 * - The handlers set a flag and never restart a call (no SA_RESTART): a
 *   blocked call returns EINTR and the caller gives up when
 *   husk_stop_requested().
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "husk.h"

static volatile sig_atomic_t timed_out, stop_signal;
static sigset_t wait_mask; /* the thread's mask with the stop signals open */
static bool masks_ready;

/* A console write (or stdin read) in progress, and where a stop ends it
 * (see below). */
static sigjmp_buf write_abort;
static volatile sig_atomic_t writing;

static void stop_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGALRM);
}

void husk_stop_block_signals(void)
{
    if (masks_ready)
        return;
    sigset_t stops, old;
    stop_set(&stops);
    if (pthread_sigmask(SIG_BLOCK, &stops, &old) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "cannot block the stop signals");
    wait_mask = old;
    sigdelset(&wait_mask, SIGTERM);
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGHUP);
    sigdelset(&wait_mask, SIGALRM);
    masks_ready = true;
}

const sigset_t *husk_wait_sigmask(void)
{
    /* NULL (ppoll keeps the mask as it is) in tests that never set up. */
    return masks_ready ? &wait_mask : NULL;
}

void husk_note_signal(int sig)
{
    if (sig == SIGALRM)
        timed_out = 1;
    else if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
        stop_signal = sig;
    else
        return; /* SIGUSR1: only to interrupt a wait */
    if (writing)
        siglongjmp(write_abort, 1);
}

bool husk_stop_requested(void)
{
    return timed_out || stop_signal != 0;
}

int husk_stop_signal(void)
{
    if (stop_signal != 0)
        return stop_signal;
    return timed_out ? SIGALRM : 0;
}

void husk_stop_deliver(void)
{
    /* A zero-length ppoll with the stop signals open runs the handler
     * of any that is pending: KVM_RUN leaves them pending (its own mask
     * is dropped before it returns). ppoll is allowed in the sandbox. */
    if (!masks_ready)
        return;
    struct timespec zero = {0, 0};
    ppoll(NULL, 0, &zero, &wait_mask);
}

/*
 * A write(2) a stop ends: a stop that came before it, or comes while it
 * blocks (a full pipe, a terminal paused with ^S), makes it fail with
 * EINTR. Checking the flag and then calling write would leave a window
 * in which a signal is handled just before the write starts and the write
 * then blocks for good; instead the handler (husk_note_signal) jumps out
 * of a write in progress, wherever it is. A stop ends the run, so what
 * the write did no longer matters. A read of stdin is ended the same way
 * (it should not block: the console polls first; but another reader of
 * the same pipe or terminal may take the input in between).
 */
static ssize_t stop_io(bool is_read, int fd, void *buf, size_t len)
{
    /* The mask before the call: static, as it is read after the jump.
     * (sigsetjmp does not save it: that is one more system call, which
     * the sandbox would have to allow.) */
    static sigset_t before;
    if (!masks_ready)
        return is_read ? read(fd, buf, len) : write(fd, buf, len);
    if (sigsetjmp(write_abort, 0) != 0) {
        writing = 0;
        pthread_sigmask(SIG_SETMASK, &before, NULL);
        errno = EINTR;
        return -1;
    }
    writing = 1;
    if (husk_stop_requested()) {
        writing = 0;
        errno = EINTR;
        return -1;
    }
    /* A stop pending since before is handled as this returns. */
    pthread_sigmask(SIG_SETMASK, &wait_mask, &before);
    ssize_t n = is_read ? read(fd, buf, len) : write(fd, buf, len);
    int err = errno;
    writing = 0;
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    errno = err;
    return n;
}

ssize_t husk_stop_write(int fd, const void *buf, size_t len)
{
    return stop_io(false, fd, (void *)buf, len);
}

ssize_t husk_stop_read(int fd, void *buf, size_t len)
{
    return stop_io(true, fd, buf, len);
}
