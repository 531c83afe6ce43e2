/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * syscall.c: the system call dispatcher. musl is built so that its system
 * calls are calls of __husk_syscall (design: docs/architecture.md), which
 * costs a function call instead of a trap. Supported calls go to their
 * subsystem; any other returns -ENOSYS and is named on the console once.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "driver.h"
#include "guest.h"
#include "syscall_names.h" /* generated from musl's bits/syscall.h */
#include "thread.h"

long __husk_syscall(long n, long a1, long a2, long a3, long a4, long a5,
                    long a6);
long __husk_syscall7(long a1, long a2, long a3, long a4, long a5, long a6,
                     long n);
/* Set by syscall_entry.S for the call it is making: where its caller's
 * return address is. clone starts the child there, and a signal handler
 * may move it (signal.c). */
uintptr_t *husk_syscall_slot;

#define SYSCALL_MAX 512

static long unsupported(long n)
{
    static uint64_t reported[SYSCALL_MAX / 64];
    if (n < 0 || n >= SYSCALL_MAX)
        return -ENOSYS;
    if (!(reported[n / 64] & (1ULL << (n % 64)))) {
        reported[n / 64] |= 1ULL << (n % 64);
        const char *name = (size_t)n < sizeof(husk_syscall_names) /
                                           sizeof(husk_syscall_names[0]) &&
                                   husk_syscall_names[n] != NULL
                               ? husk_syscall_names[n]
                               : "(unknown)";
        char line[96];
        const char *parts[] = {"husk: syscall ", name,
                               " is not supported; returning ENOSYS\n"};
        size_t len = 0;
        for (size_t p = 0; p < 3; p++)
            for (const char *s = parts[p]; *s != '\0' && len < sizeof(line) - 1;
                 s++)
                line[len++] = *s;
        line[len] = '\0';
        husk_console_note(line);
    }
    return -ENOSYS;
}

/* Socket calls in an image built without a network device. */
static long no_network(long n, long fd)
{
    static bool told;
    if (!told) {
        told = true;
        husk_console_note("husk: this image has no network stack (build it "
                          "with husk-cc --net=NAME); socket calls fail\n");
    }
    if (n == SYS_socket || n == SYS_socketpair)
        return -EAFNOSUPPORT;
    return husk_fd_is_open((int)fd) ? -ENOTSOCK : -EBADF;
}

/* ppoll, pselect6 and epoll_pwait: the wait runs with the caller's signal
 * mask, if it gave one, and what that mask lets through is delivered
 * before the old mask comes back (signal.c), as on Linux. */
static long masked_wait(long n, long a1, long a2, long a3, long a4, long a5,
                        long a6)
{
    const uint64_t *mask = (const uint64_t *)(n == SYS_ppoll ? a4 : a5);
    size_t size = (size_t)(n == SYS_ppoll ? a5 : a6);
    if (n == SYS_pselect6) { /* a6: {const sigset_t *mask; size_t size} */
        const uint64_t *data = (const uint64_t *)a6;
        mask = data != NULL ? (const uint64_t *)(uintptr_t)data[0] : NULL;
        size = data != NULL ? (size_t)data[1] : 0;
    }
    uint64_t saved = 0;
    if (mask != NULL) {
        long rc = husk_signal_mask_begin(mask, size, &saved);
        if (rc != 0)
            return rc;
    }
    long r;
    if (n == SYS_ppoll)
        r = husk_sys_ppoll((void *)a1, (unsigned long)a2, (const void *)a3);
    else if (n == SYS_pselect6)
        r = husk_sys_pselect6((int)a1, (void *)a2, (void *)a3, (void *)a4,
                              (const void *)a5);
    else
        r = husk_sys_epoll_wait((int)a1, (void *)a2, (int)a3, (int)a4);
    if (mask != NULL)
        husk_signal_mask_end(saved);
    return r;
}

static long dispatch(long n, long a1, long a2, long a3, long a4, long a5,
                     long a6)
{
    switch (n) {
    /* files: the console, devices, tmpfs files, pipes and sockets, all as
     * fds */
    case SYS_read:
        return husk_sys_read((int)a1, (void *)a2, (size_t)a3);
    case SYS_write:
        return husk_sys_write((int)a1, (const void *)a2, (size_t)a3);
    case SYS_readv:
        return husk_sys_readv((int)a1, (const void *)a2, (int)a3);
    case SYS_writev:
        return husk_sys_writev((int)a1, (const void *)a2, (int)a3);
    case SYS_close:
        return husk_sys_close((int)a1);
    case SYS_dup:
        return husk_sys_dup_min((int)a1, 0);
    case SYS_dup2:
        return husk_sys_dup2((int)a1, (int)a2);
    case SYS_dup3:
        return husk_sys_dup3((int)a1, (int)a2, (int)a3);
    case SYS_ioctl:
        return husk_sys_ioctl((int)a1, (unsigned long)a2, (void *)a3);
    case SYS_fstat:
        return husk_sys_fstat((int)a1, (void *)a2);
    case SYS_pread64:
        return husk_sys_pread((int)a1, (void *)a2, (size_t)a3, (off_t)a4);
    case SYS_pwrite64:
        return husk_sys_pwrite((int)a1, (const void *)a2, (size_t)a3,
                               (off_t)a4);
    case SYS_sendfile:
        return husk_sys_sendfile((int)a1, (int)a2, (int64_t *)a3, (size_t)a4);
    case SYS_copy_file_range:
        return husk_sys_copy_file_range((int)a1, (int64_t *)a2, (int)a3,
                                        (int64_t *)a4, (size_t)a5,
                                        (unsigned)a6);
    case SYS_fsync:
    case SYS_fdatasync:
        return husk_sys_fsync((int)a1);
    case SYS_ftruncate:
        return husk_sys_ftruncate((int)a1, (off_t)a2);
    case SYS_getdents64:
        return husk_sys_getdents64((int)a1, (void *)a2, (size_t)a3);
    case SYS_pipe:
        return husk_sys_pipe2((int *)a1, 0);
    case SYS_pipe2:
        return husk_sys_pipe2((int *)a1, (int)a2);
    case SYS_eventfd:
        return husk_sys_eventfd2((unsigned)a1, 0);
    case SYS_eventfd2:
        return husk_sys_eventfd2((unsigned)a1, (int)a2);
    /* paths: the VFS (vfs.c) */
    case SYS_open:
    case SYS_creat:
    case SYS_openat:
    case SYS_stat:
    case SYS_lstat:
    case SYS_newfstatat:
    case SYS_statx:
    case SYS_access:
    case SYS_faccessat:
    case SYS_faccessat2:
    case SYS_readlink:
    case SYS_readlinkat:
    case SYS_mkdir:
    case SYS_mkdirat:
    case SYS_rmdir:
    case SYS_unlink:
    case SYS_unlinkat:
    case SYS_rename:
    case SYS_renameat:
    case SYS_renameat2:
    case SYS_getcwd:
    case SYS_chdir:
    case SYS_fchdir:
    case SYS_chmod:
    case SYS_fchmodat:
    case SYS_fchmod:
    case SYS_truncate:
    case SYS_umask:
    case SYS_chown:
    case SYS_lchown:
    case SYS_fchown:
    case SYS_fchownat:
    case SYS_utimensat:
    case SYS_statfs:
    case SYS_fstatfs:
    case SYS_sync:
    case SYS_syncfs:
    case SYS_link:
    case SYS_linkat:
    case SYS_symlink:
    case SYS_symlinkat:
        return husk_vfs_syscall(n, a1, a2, a3, a4, a5);
    case SYS_lseek:
        return husk_sys_lseek((int)a1, (off_t)a2, (int)a3);
    case SYS_fcntl:
        return husk_sys_fcntl((int)a1, (int)a2, a3);
    /* waiting for fds */
    case SYS_poll:
        return husk_sys_poll((void *)a1, (unsigned long)a2, (int)a3);
    case SYS_ppoll:
        return masked_wait(n, a1, a2, a3, a4, a5, a6);
    case SYS_select:
        return husk_sys_select((int)a1, (void *)a2, (void *)a3, (void *)a4,
                               (void *)a5);
    case SYS_pselect6:
        return masked_wait(n, a1, a2, a3, a4, a5, a6);
    case SYS_epoll_create:
        return a1 > 0 ? husk_sys_epoll_create1(0) : -EINVAL;
    case SYS_epoll_create1:
        return husk_sys_epoll_create1((int)a1);
    case SYS_epoll_ctl:
        return husk_sys_epoll_ctl((int)a1, (int)a2, (int)a3, (void *)a4);
    case SYS_epoll_wait:
        return husk_sys_epoll_wait((int)a1, (void *)a2, (int)a3, (int)a4);
    case SYS_epoll_pwait:
        return masked_wait(n, a1, a2, a3, a4, a5, a6);
    /* sockets: net/'s driver when the image has a network device */
    case SYS_socket:
    case SYS_socketpair:
    case SYS_bind:
    case SYS_connect:
    case SYS_listen:
    case SYS_accept:
    case SYS_accept4:
    case SYS_sendto:
    case SYS_recvfrom:
    case SYS_sendmsg:
    case SYS_recvmsg:
    case SYS_shutdown:
    case SYS_getsockname:
    case SYS_getpeername:
    case SYS_setsockopt:
    case SYS_getsockopt: {
        long rc;
        if (husk_drivers_syscall(&rc, n, a1, a2, a3, a4, a5, a6))
            return rc;
        return no_network(n, a1);
    }
    /* memory */
    case SYS_brk:
        return husk_sys_brk((uintptr_t)a1);
    case SYS_mmap: {
        if (a3 == PROT_NONE) /* maybe a thread stack with its guard */
            husk_thread_prepare();
        long p = husk_sys_mmap((uintptr_t)a1, (size_t)a2, (int)a3, (int)a4,
                               (int)a5, (off_t)a6);
        if (p >= 0 && a3 == PROT_NONE)
            husk_thread_note_guard((uintptr_t)p, (size_t)a2, PROT_NONE);
        return p;
    }
    case SYS_munmap:
        /* A detached thread unmapping its own stack on its way out. */
        if (husk_threads_started &&
            husk_thread_defer_unmap((uintptr_t)a1, (size_t)a2))
            return 0;
        return husk_sys_munmap((uintptr_t)a1, (size_t)a2);
    case SYS_mremap:
        return husk_sys_mremap((uintptr_t)a1, (size_t)a2, (size_t)a3, (int)a4);
    case SYS_madvise:
        return husk_sys_madvise((uintptr_t)a1, (size_t)a2, (int)a3);
    case SYS_mprotect:
        /* One address space, all of it read-write-execute; what musl
         * leaves PROT_NONE below a thread's stack is its guard, which
         * thread.c checks instead. */
        husk_thread_note_guard((uintptr_t)a1, (size_t)a2, (int)a3);
        return 0;
    /* time */
    case SYS_clock_gettime:
        return husk_sys_clock_gettime((int)a1, (void *)a2);
    case SYS_clock_getres:
        return husk_sys_clock_getres((int)a1, (void *)a2);
    case SYS_gettimeofday:
        return husk_sys_gettimeofday((void *)a1, (void *)a2);
    case SYS_nanosleep:
        return husk_sys_nanosleep((const void *)a1, (void *)a2);
    case SYS_clock_nanosleep:
        return husk_sys_clock_nanosleep((int)a1, (int)a2, (const void *)a3,
                                        (void *)a4);
    /* the process */
    case SYS_exit: /* this thread (thread.c) */
        husk_thread_exit((int)a1);
    case SYS_exit_group:
        husk_exit((int)a1);
    case SYS_arch_prctl:
        return husk_sys_arch_prctl((int)a1, (uintptr_t)a2);
    case SYS_getpid:
        return 1; /* one process */
    case SYS_gettid:
        return husk_thread_self()->tid;
    case SYS_set_tid_address:
        return husk_sys_set_tid_address((int *)a1);
    /* threads (thread.c, futex.c) */
    case SYS_clone: /* a thread needs the entry's return address */
        return husk_thread_clone((unsigned long)a1, 0, NULL, NULL, 0, 0);
    case SYS_futex:
        return husk_sys_futex((int *)a1, (int)a2, (int)a3, (const void *)a4,
                              (int *)a5, (int)a6);
    case SYS_set_robust_list:
        return husk_sys_set_robust_list((void *)a1, (size_t)a2);
    case SYS_get_robust_list:
        return husk_sys_get_robust_list((int)a1, (void **)a2, (size_t *)a3);
    case SYS_sched_getaffinity:
        return husk_sys_sched_getaffinity((int)a1, (size_t)a2, (void *)a3);
    case SYS_getppid:
        return 0;
    case SYS_getuid:
    case SYS_geteuid:
    case SYS_getgid:
    case SYS_getegid:
        return 0;
    case SYS_setuid:
    case SYS_setgid:
    case SYS_setreuid:
    case SYS_setregid:
    case SYS_setresuid:
    case SYS_setresgid:
        return husk_sys_setid(n == SYS_setuid || n == SYS_setgid       ? 1
                              : n == SYS_setreuid || n == SYS_setregid ? 2
                                                                       : 3,
                              a1, a2, a3);
    case SYS_setgroups:
        return husk_sys_setgroups((int)a1, (const unsigned *)a2);
    case SYS_uname:
        return husk_sys_uname((void *)a1);
    case SYS_getrandom:
        return husk_sys_getrandom((void *)a1, (size_t)a2, (unsigned)a3);
    case SYS_kill:
        return husk_sys_kill((int)a1, (int)a2);
    case SYS_tkill:
        return husk_sys_tgkill(-1, (int)a1, (int)a2);
    case SYS_tgkill:
        return husk_sys_tgkill((int)a1, (int)a2, (int)a3);
    /* signals within the process (signal.c) */
    case SYS_rt_sigaction:
        return husk_sys_rt_sigaction((int)a1, (const void *)a2, (void *)a3,
                                     (size_t)a4);
    case SYS_rt_sigprocmask:
        return husk_sys_rt_sigprocmask((int)a1, (const uint64_t *)a2,
                                       (uint64_t *)a3, (size_t)a4);
    case SYS_rt_sigpending:
        return husk_sys_rt_sigpending((uint64_t *)a1, (size_t)a2);
    case SYS_rt_sigsuspend:
        return husk_sys_rt_sigsuspend((const uint64_t *)a1, (size_t)a2);
    case SYS_pause:
        return husk_sys_pause();
    case SYS_rt_sigtimedwait:
        return husk_sys_rt_sigtimedwait((const uint64_t *)a1, (void *)a2,
                                        (const void *)a3, (size_t)a4);
    case SYS_sigaltstack: /* handlers run on the guest's own stack */
        if (a2 != 0)
            __builtin_memset((void *)a2, 0, 24);
        return 0;
    /* timers (timer.c) */
    case SYS_alarm:
        return husk_sys_alarm((unsigned)a1);
    case SYS_getitimer:
        return husk_sys_getitimer((int)a1, (void *)a2);
    case SYS_setitimer:
        return husk_sys_setitimer((int)a1, (const void *)a2, (void *)a3);
    case SYS_timer_create:
        return husk_sys_timer_create((int)a1, (const void *)a2, (int *)a3);
    case SYS_timer_settime:
        return husk_sys_timer_settime((int)a1, (int)a2, (const void *)a3,
                                      (void *)a4);
    case SYS_timer_gettime:
        return husk_sys_timer_gettime((int)a1, (void *)a2);
    case SYS_timer_getoverrun:
        return husk_sys_timer_getoverrun((int)a1);
    case SYS_timer_delete:
        return husk_sys_timer_delete((int)a1);
    /* resource limits (rlimit.c) */
    case SYS_prlimit64:
        return husk_sys_prlimit64((int)a1, (int)a2, (const void *)a3,
                                  (void *)a4);
    case SYS_getrlimit:
        return husk_sys_prlimit64(0, (int)a1, NULL, (void *)a2);
    case SYS_setrlimit:
        return husk_sys_prlimit64(0, (int)a1, (const void *)a2, NULL);
    case SYS_sched_yield:
        return husk_sys_sched_yield();
    default:
        return unsupported(n);
    }
}

/* Calls that SA_RESTART restarts after a handler interrupted their wait.
 * As on Linux, never the waits with a timeout (poll, select, epoll_wait,
 * sleeps) nor the signal waits. */
static bool restartable(long n)
{
    switch (n) {
    case SYS_read:
    case SYS_readv:
    case SYS_write:
    case SYS_writev:
    case SYS_pread64:
    case SYS_pwrite64:
    case SYS_sendfile:
    case SYS_accept:
    case SYS_accept4:
    case SYS_recvfrom:
    case SYS_recvmsg:
    case SYS_sendto:
    case SYS_sendmsg:
        return true;
    default:
        return false;
    }
}

/* A write to a pipe or socket with no reader: SIGPIPE as well as EPIPE,
 * unless a send says MSG_NOSIGNAL. */
static bool raises_sigpipe(long n, long a3, long a4)
{
    switch (n) {
    case SYS_write:
    case SYS_writev:
    case SYS_sendfile:
        return true;
    case SYS_sendto:
        return !(a4 & MSG_NOSIGNAL);
    case SYS_sendmsg:
        return !(a3 & MSG_NOSIGNAL);
    default:
        return false;
    }
}

static long syscall_at(long n, long a1, long a2, long a3, long a4, long a5,
                       long a6, uintptr_t *slot)
{
    if (husk_threads_started) {
        husk_thread_ran();
        husk_thread_check_stack();
    }
    for (;;) {
        long r;
        if (n == SYS_clone && slot != NULL)
            r = husk_thread_clone((unsigned long)a1, (uintptr_t)a2, (int *)a3,
                                  (int *)a4, (uintptr_t)a5, *slot);
        else
            r = dispatch(n, a1, a2, a3, a4, a5, a6);
        if (husk_threads_started) /* its own TLS before the program's */
            husk_thread_fs_sync();
        if (r == -EPIPE && raises_sigpipe(n, a3, a4))
            husk_sys_kill(1, SIGPIPE);
        /* Signals run as the call returns (signal.c). */
        if (!husk_signal_due())
            return r;
        struct husk_sigcall c = {
            .result = r, .restartable = restartable(n), .ret_slot = slot};
        bool restart = husk_signal_deliver_call(&c);
        if (r != -EINTR || !restart || !c.restartable || c.redirected)
            return r;
    }
}

long __husk_syscall(long n, long a1, long a2, long a3, long a4, long a5,
                    long a6)
{
    return syscall_at(n, a1, a2, a3, a4, a5, a6, NULL);
}

long __husk_syscall7(long a1, long a2, long a3, long a4, long a5, long a6,
                     long n)
{
    return syscall_at(n, a1, a2, a3, a4, a5, a6, husk_syscall_slot);
}
