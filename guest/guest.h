/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * guest.h: libhusk's internal interfaces. libhusk runs at CPL3 with the
 * application; a system call is a plain call of __husk_syscall, which
 * dispatches to the functions declared here.
 */
#ifndef HUSK_GUEST_H
#define HUSK_GUEST_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../abi/husk_abi.h"

/* The boot information block from the monitor (read-only after boot). */
extern const struct husk_bootinfo *husk_boot;

/*
 * The hypercall transport. Under KVM: one 8-byte store of the argument's
 * address into the call's slot of the hypercall page. The page has no
 * memory, so the store exits to the monitor, which fills the struct's OUT
 * fields before the guest runs again. Under the process backend
 * (HUSK_FEATURE_HC_CALL) there is no VM to exit from: the same call is a
 * call of the monitor's entry, which the boot information names. Guest
 * addresses are identity-mapped, so a pointer is its own guest-physical
 * address either way.
 */
extern void (*husk_hc_entry)(uint64_t nr, uint64_t arg_gpa);

static inline void husk_hypercall(unsigned nr, void *arg)
{
    if (husk_hc_entry != NULL) {
        husk_hc_entry(nr, (uint64_t)(uintptr_t)arg);
        __asm__ volatile("" ::: "memory");
        return;
    }
    volatile uint64_t *slot =
        (volatile uint64_t *)(uintptr_t)(HUSK_HC_BASE + 8ULL * nr);
    __asm__ volatile("movq %1, %0"
                     : "=m"(*slot)
                     : "r"((uint64_t)(uintptr_t)arg)
                     : "memory");
}

/* Stop the guest with exit 134 and a message (HUSK_HC_ABORT). */
_Noreturn void husk_panic(const char *msg);
/* Stop the guest with this status (HUSK_HC_EXIT). */
_Noreturn void husk_exit(int status);

/* ---- the console's output (console_write.c; the fds are the console
 * driver's, drivers/console/guest.c) ---- */
long husk_console_write(unsigned stream, const void *buf, size_t len);
/* Write a NUL-terminated diagnostic line to the console's stderr. */
void husk_console_note(const char *s);

/* ---- file descriptors (fd.c) ---- */
struct stat;
struct iovec;
struct husk_file_ops {
    long (*read)(void *priv, void *buf, size_t len);
    long (*write)(void *priv, const void *buf, size_t len);
    long (*pread)(void *priv, void *buf, size_t len, off_t off);
    long (*pwrite)(void *priv, const void *buf, size_t len, off_t off);
    long (*fsync)(void *priv);
    long (*ioctl)(void *priv, unsigned long request, void *arg);
    long (*fstat)(void *priv, struct stat *st);
    long (*lseek)(void *priv, off_t offset, int whence);
    long (*close)(void *priv);
    /* The POLL* events that would not block now (without it: always
     * readable and writable). *seq, if seq is not NULL, gets a number that
     * changes whenever new input, space or an error arrives (EPOLLET). */
    int (*poll)(void *priv, uint32_t *seq);
    /* F_SETFL: the new O_NONBLOCK/O_APPEND status flags (optional). */
    void (*set_flags)(void *priv, int flags);
    /* ftruncate (optional: EINVAL, as Linux for what it cannot size). */
    long (*truncate)(void *priv, off_t len);
    /* getdents64 (directories only: ENOTDIR without it). */
    long (*getdents)(void *priv, void *buf, size_t len);
    /* The VFS vnode this file was opened from (fchdir, fchmod, a dirfd),
     * or NULL (optional: the console, sockets). */
    struct husk_vnode *(*vnode)(void *priv);
};
/* Install ops at the lowest free fd >= min_fd; returns it or -EMFILE. */
int husk_fd_install(int min_fd, const struct husk_file_ops *ops, void *priv);
/* Set an fd's status flags (O_NONBLOCK, O_APPEND), as fcntl F_SETFL. */
void husk_fd_set_status(int fd, int flags);
/* A file that open or pipe2 just installed at fd: its access mode (or
 * O_PATH) and status flags from open's flags, for F_GETFL and for EBADF
 * on a read or write it was not opened for, and fd's O_CLOEXEC. A file
 * another fd shares already (/dev/stdout) keeps its flags. Installed
 * without it, a file is O_RDWR. */
void husk_fd_opened(int fd, int flags);
/* fd's private data if it is open with these ops, else NULL. */
void *husk_fd_priv(int fd, const struct husk_file_ops *ops);
/* Whether fd is open at all. */
int husk_fd_is_open(int fd);
/* Which file fd is (a number never reused), or 0 if it is not open. */
uint64_t husk_fd_generation(int fd);
/* The ready events of fd (POLLNVAL if it is not open); *seq as for the
 * poll op, and *gen a number that differs for each file ever installed. */
int husk_fd_poll(int fd, uint32_t *seq, uint64_t *gen);
long husk_sys_read(int fd, void *buf, size_t len);
long husk_sys_write(int fd, const void *buf, size_t len);
long husk_sys_readv(int fd, const struct iovec *iov, int iovcnt);
long husk_sys_writev(int fd, const struct iovec *iov, int iovcnt);
long husk_sys_close(int fd);
long husk_sys_dup3(int oldfd, int newfd, int flags);
long husk_sys_dup2(int oldfd, int newfd);
long husk_sys_dup_min(int oldfd, int min_fd);
long husk_sys_ioctl(int fd, unsigned long request, void *arg);
long husk_sys_fstat(int fd, struct stat *st);
long husk_sys_lseek(int fd, off_t offset, int whence);
long husk_sys_fcntl(int fd, int cmd, long arg);
long husk_sys_pread(int fd, void *buf, size_t len, off_t off);
long husk_sys_pwrite(int fd, const void *buf, size_t len, off_t off);
/* sendfile.c: both as loops of pread and write (any file to any fd). */
long husk_sys_sendfile(int out, int in, int64_t *offset, size_t count);
long husk_sys_copy_file_range(int in, int64_t *off_in, int out,
                              int64_t *off_out, size_t len, unsigned flags);
long husk_sys_fsync(int fd);
long husk_sys_ftruncate(int fd, off_t len);
long husk_sys_getdents64(int fd, void *buf, size_t len);
/* The vnode fd was opened from: 0 and *out (NULL for a file outside the
 * VFS), or -EBADF. */
struct husk_vnode;
int husk_fd_vnode(int fd, struct husk_vnode **out);

/* ---- pipes (pipe.c) ---- */
long husk_sys_pipe2(int *fds, int flags);
/* fcntl's F_GETPIPE_SZ and F_SETPIPE_SZ on fd (-EBADF if not a pipe). */
long husk_pipe_fcntl(int fd, int cmd, long arg);
/* eventfd and eventfd2 (thread_eventfd.c) */
long husk_sys_eventfd2(unsigned initval, int flags);

/* ---- files by path (vfs.c; the VFS itself: vfs.h) ---- */
/* The file systems: the root, devfs on /dev, tmpfs on /tmp (rootfs.c). */
void husk_fs_init(void);
/* A path system call: n and its arguments, as __husk_syscall has them. */
long husk_vfs_syscall(long n, long a1, long a2, long a3, long a4, long a5);

/* ---- waiting (poll.c) ---- */
/*
 * Let time pass until deadline_ns, or less: runs the network (frames in
 * and out, lwIP's timers) when the image has one, else sleeps. Returns
 * after at most one wait; callers re-check what they wait for and loop.
 * With other threads alive, the caller parks and others run meanwhile
 * (thread.c); the vCPU waits for the host only when none can run.
 */
void husk_idle(uint64_t deadline_ns);
/* husk_idle's one wait for the host (fire due timers, then the network or
 * a sleep until deadline_ns or the next timer); thread.c's idle context
 * makes it when every thread is parked. */
void husk_host_wait(uint64_t deadline_ns);
/* husk_idle until the monotonic clock reaches deadline_ns (sleep): 0, or
 * -EINTR as soon as a signal is due (signal.c). */
long husk_idle_until(uint64_t deadline_ns);
/*
 * The shape of every wait: call scan(ctx) (it returns what is ready, or a
 * negative errno) until it is non-zero or the deadline passes, with
 * husk_idle in between. Before it gives up on a passed deadline it runs
 * the network once without waiting, so that a frame already at the host
 * is seen, as a kernel would have seen it. Returns scan's last result.
 */
long husk_wait_loop(long (*scan)(void *ctx), void *ctx, uint64_t deadline_ns);
/* The running thread goes on (a system call begins, or a wait of its
 * ended): whatever it does may end another thread's wait, so parked
 * threads look again before the vCPU waits for the host (thread.c). Every
 * wait loop calls it when its condition is met. */
void husk_thread_ran(void);
long husk_sys_poll(void *fds, unsigned long nfds, int timeout_ms);
long husk_sys_ppoll(void *fds, unsigned long nfds, const struct timespec *ts);
long husk_sys_select(int nfds, void *r, void *w, void *e, struct timeval *tv);
long husk_sys_pselect6(int nfds, void *r, void *w, void *e,
                       const struct timespec *ts);
/* epoll.c */
long husk_sys_epoll_create1(int flags);
long husk_sys_epoll_ctl(int epfd, int op, int fd, void *event);
long husk_sys_epoll_wait(int epfd, void *events, int maxevents, int timeout_ms);

/* ---- memory (mem.c) ---- */
void husk_mem_init(uint64_t image_end, uint64_t mem_size);
long husk_sys_brk(uintptr_t addr);
long husk_sys_mmap(uintptr_t addr, size_t len, int prot, int flags, int fd,
                   off_t off);
long husk_sys_munmap(uintptr_t addr, size_t len);
long husk_sys_mremap(uintptr_t old, size_t old_len, size_t new_len, int flags);
long husk_sys_madvise(uintptr_t addr, size_t len, int advice);

/* ---- time (time.c) ---- */
struct timespec;
struct timeval;
void husk_clock_init(const struct husk_bootinfo *bi);
uint64_t husk_monotonic_ns(void);
/* A restored instance (ready.c): the clock from bi, going on from at_ns,
 * where it stood when the snapshot was taken. */
void husk_clock_resume(const struct husk_bootinfo *bi, uint64_t at_ns);
/* A restored instance: the current thread's FS and GS bases loaded
 * again, by the means this host offers (thread.c). */
void husk_thread_resume(void);
/* crt0.S, for a restored instance (ready.c). */
_Noreturn void husk_resume(const struct husk_bootinfo *bi);
/* Where a restored instance resumes (ready.c): a call that a snapshot may
 * be taken in does `if (setjmp(husk_resume_point) == 0) husk_resume_arm();`
 * just before it, and knows it was restored when setjmp returns 1. */
#include <setjmp.h>
extern jmp_buf husk_resume_point;
void husk_resume_arm(void);
/* Serve an embedder's calls (calls.c) after main() returned status;
 * returns the status to exit with when the embedder is done. */
int husk_serve_calls(int status);
/* Sleep (poll hypercall, then spin) until the monotonic clock reaches ns. */
void husk_sleep_until(uint64_t deadline_ns);
/* One wait of husk_sleep_until's: returns at deadline_ns or earlier, when
 * the monitor ends the wait early (input on stdin, which the guest found
 * empty: drivers/console). husk_idle's step without a network. */
void husk_sleep_step(uint64_t deadline_ns);
long husk_sys_clock_gettime(int clk, struct timespec *ts);
long husk_sys_clock_getres(int clk, struct timespec *ts);
long husk_sys_gettimeofday(struct timeval *tv, void *tz);
long husk_sys_nanosleep(const struct timespec *req, struct timespec *rem);
long husk_sys_clock_nanosleep(int clk, int flags, const struct timespec *req,
                              struct timespec *rem);

/* ---- process (process.c, random.c) ---- */
struct utsname;
long husk_sys_uname(struct utsname *u);
long husk_sys_arch_prctl(int code, uintptr_t addr);
/* setuid and setgid (count 1), their re (2) and res (3) forms: ids. */
long husk_sys_setid(int count, long a, long b, long c);
long husk_sys_setgroups(int size, const unsigned *list);
long husk_sys_kill(int pid, int sig);
long husk_sys_getrandom(void *buf, size_t len, unsigned flags);

/* ---- signals (signal.c) and timers (timer.c) ---- */
/* Signals are delivered when a system call returns and end waits early
 * (EINTR); a timer fires when the guest makes a system call or waits. */
/* Whether sig is pending for the process (not one thread: tkill's). */
bool husk_signal_is_pending(int sig);
/* Make sig pending for the process with this siginfo (no effect if it
 * already is); parked threads it is due for wake up. */
void husk_signal_raise(int sig, const siginfo_t *info);
/* Fire due timers; whether a pending signal is not blocked by the
 * running thread. */
bool husk_signal_due(void);
/* Run what is due (handlers, default actions); false if a handler that
 * ran lacks SA_RESTART, so an interrupted call must fail with EINTR. */
bool husk_signal_deliver(void);
/* Whether a signal is pending that thread t does not block. */
struct husk_thread;
bool husk_signal_due_for(const struct husk_thread *t);
/* The system call that a delivery ends (syscall.c): a handler sees where
 * it returns to, and may move that (musl's thread cancellation). */
struct husk_sigcall {
    long result;         /* what the call returned */
    bool restartable;    /* SA_RESTART restarts it after -EINTR */
    uintptr_t *ret_slot; /* its caller's return address, if it came
                           * through __husk_syscall_entry; else NULL */
    bool redirected;     /* OUT: a handler moved the return address */
};
bool husk_signal_deliver_call(struct husk_sigcall *c);
/* ppoll, pselect6, epoll_pwait: wait with *mask blocked (-EINVAL for a
 * bad size); _end delivers what it let through, then restores saved. */
long husk_signal_mask_begin(const uint64_t *mask, size_t size, uint64_t *saved);
void husk_signal_mask_end(uint64_t saved);
long husk_sys_rt_sigaction(int sig, const void *act, void *old, size_t size);
long husk_sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old,
                             size_t size);
long husk_sys_rt_sigpending(uint64_t *set, size_t size);
long husk_sys_rt_sigsuspend(const uint64_t *mask, size_t size);
long husk_sys_pause(void);
long husk_sys_rt_sigtimedwait(const uint64_t *set, siginfo_t *info,
                              const struct timespec *timeout, size_t size);
long husk_sys_tgkill(int tgid, int tid, int sig);
/* The monotonic deadline of the next armed timer (UINT64_MAX: none). */
uint64_t husk_timer_next(void);
/* Raise the signals of the timers whose deadline has passed. */
void husk_timers_fire(void);
/* The time on clock clk in ns (0), or -EINVAL for an unknown clock. */
int husk_clock_now(int clk, uint64_t *ns);
struct itimerval;
struct itimerspec;
long husk_sys_getitimer(int which, struct itimerval *cur);
long husk_sys_setitimer(int which, const struct itimerval *v,
                        struct itimerval *old);
long husk_sys_alarm(unsigned seconds);
long husk_sys_timer_create(int clk, const void *sevp, int *id);
long husk_sys_timer_settime(int id, int flags, const struct itimerspec *v,
                            struct itimerspec *old);
long husk_sys_timer_gettime(int id, struct itimerspec *cur);
long husk_sys_timer_getoverrun(int id);
long husk_sys_timer_delete(int id);

/* ---- resource limits (rlimit.c) ---- */
/* fd.c's table: RLIMIT_NOFILE's hard limit. */
#define HUSK_FD_MAX 1024
long husk_sys_prlimit64(int pid, int resource, const void *new_limit,
                        void *old_limit);

#endif
