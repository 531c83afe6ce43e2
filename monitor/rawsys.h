/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * rawsys.h: system calls without glibc's wrappers, for the code that may
 * run on the guest's thread pointer (the process backend's TLS-free
 * calls, proc.c): a wrapper that fails stores errno behind %fs, which
 * would then be the guest's; and for the jail's supervisor, which shares
 * the monitor's glibc state and may call nothing, not even a sanitized
 * copy of these (supervise.c): hence always inlined. Each returns what
 * the kernel returned, a negative errno on failure.
 */
#ifndef HUSK_RAWSYS_H
#define HUSK_RAWSYS_H

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

static inline __attribute__((always_inline)) long husk_raw_syscall6(
    long nr, long a, long b, long c, long d, long e, long f)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
                       "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline long husk_raw_syscall3(long nr, long a, long b, long c)
{
    return husk_raw_syscall6(nr, a, b, c, 0, 0, 0);
}

/* ppoll; mask NULL keeps the thread's mask for the wait. The kernel's
 * signal set is 64 bits, the first word of glibc's sigset_t. */
static inline long husk_raw_ppoll(struct pollfd *fds, nfds_t n,
                                  const struct timespec *ts,
                                  const sigset_t *mask)
{
    return husk_raw_syscall6(SYS_ppoll, (long)fds, (long)n, (long)ts,
                             (long)mask, mask != NULL ? 8 : 0, 0);
}

static inline long husk_raw_write(int fd, const void *buf, size_t len)
{
    return husk_raw_syscall3(SYS_write, fd, (long)buf, (long)len);
}

static inline long husk_raw_read(int fd, void *buf, size_t len)
{
    return husk_raw_syscall3(SYS_read, fd, (long)buf, (long)len);
}

static inline long husk_raw_writev(int fd, const struct iovec *iov, int n)
{
    return husk_raw_syscall3(SYS_writev, fd, (long)iov, n);
}

static inline long husk_raw_readv(int fd, const struct iovec *iov, int n)
{
    return husk_raw_syscall3(SYS_readv, fd, (long)iov, n);
}

static inline long husk_raw_madvise(void *addr, size_t len, int advice)
{
    return husk_raw_syscall3(SYS_madvise, (long)addr, (long)len, advice);
}

#endif
