/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * proc.c: the process backend. Where /dev/kvm does not open, the same
 * image runs inside the monitor's own process: a Husk guest already runs
 * entirely in ring 3, makes no system calls (musl's are calls into
 * libhusk) and reaches the host only through hypercalls, so all it needs
 * is its memory at its guest-physical addresses and a call in place of
 * the exit. The seccomp filter is then the security boundary, as in
 * Solo5's spt: the guest can write the monitor's memory, so what the
 * process may ask of the kernel is exactly what the hypercalls need
 * (docs/security.md compares the two backends).
 *
 * One thread runs both the guest and the monitor's handlers. It switches
 * between them at two doors: the hypercall entry (proc_x86_64.S, then
 * husk_proc_call below) and the signal handlers (faults, stop signals).
 * glibc and the handlers keep their thread-local state (errno, locale,
 * the pointer guard) behind %fs, and the guest's %fs points at musl's.
 * With user FSGSBASE (Linux >= 5.9 on most CPUs) switching costs two
 * instructions; without it, two arch_prctl calls, about 7 us here, ten
 * times what a call's work costs. So the frequent calls whose handlers
 * keep off thread-local state (husk_hc_entry.tls_free: raw system calls,
 * no errno, no printf) run on the guest's %fs, and switch only if they
 * come to need the monitor's after all (husk_own_tls: a message, a stop);
 * every other call, a signal handler and the sanitizer build switch
 * first. Either way %fs is the guest's again before the guest resumes.
 */
#include <errno.h>
#include <pthread.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <x86intrin.h>

#include <linux/kvm.h> /* struct kvm_regs: the crash report's format */

#include "husk.h"
#include "rawsys.h"

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif
#define SI_CODE_SECCOMP 1 /* SYS_SECCOMP: a SIGSYS from a filter's trap */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ALTSTACK_SIZE (256 * 1024) /* the ASan runtime reports from it */

void husk_proc_hypercall(uint64_t nr, uint64_t arg_gpa);
_Noreturn void husk_proc_enter(uint64_t entry, uint64_t rsp, uint64_t bootinfo);
void husk_proc_call(uint64_t nr, uint64_t arg_gpa);
_Noreturn void husk_proc_on_stack(void (*fn)(void *), void *arg, uintptr_t top);
void husk_proc_call_on_stack(void (*fn)(void *), void *arg, uintptr_t top);

/* Read by proc_x86_64.S: where the monitor's stack starts for a call. */
uintptr_t husk_proc_stack_top;

static struct {
    struct husk_vm *vm;
    bool fsgsbase;       /* the host lets ring 3 write %fs itself */
    uint64_t monitor_fs; /* glibc's thread pointer for this thread */
    uint64_t guest_fs;   /* the guest's, restored when it resumes */
    uint64_t guest_gs;   /* the guest's %gs base (set_tls), for a core */
    bool on_monitor_fs;  /* inside a call: %fs is monitor_fs by now */
    volatile sig_atomic_t in_monitor; /* inside husk_proc_call */
    uint8_t *altstack;                /* the signal stack, main thread only */
    pid_t pid, tid;                   /* where a stop signal is sent again */
    uint64_t resumed_ns; /* --stats=json: when the guest last went on */
} proc;

__attribute__((target("fsgsbase"))) static inline void set_fs(uint64_t base)
{
    if (proc.fsgsbase)
        _writefsbase_u64(base);
    else
        husk_raw_syscall3(SYS_arch_prctl, ARCH_SET_FS, (long)base, 0);
}

__attribute__((target("fsgsbase"))) static inline uint64_t get_fs_fast(void)
{
    return _readfsbase_u64();
}

/* ---- start-up ---------------------------------------------------------- */

/* The TSC's rate as the kernel knows it: the perf mmap page publishes
 * the kernel's TSC-to-nanoseconds factors, at the cost of one system call
 * and a page. Failing that (perf_event_paranoid, an old kernel), measure
 * it against CLOCK_MONOTONIC_RAW for 2 ms. */
static uint64_t host_tsc_hz(void)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_DUMMY;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1,
                          PERF_FLAG_FD_CLOEXEC);
    if (fd >= 0) {
        struct perf_event_mmap_page *pg = mmap(
            NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ, MAP_SHARED, fd, 0);
        close(fd);
        if (pg != MAP_FAILED) {
            uint64_t hz = 0;
            if (pg->cap_user_time && pg->time_mult != 0)
                hz = (uint64_t)(((unsigned __int128)1000000000ULL
                                 << pg->time_shift) /
                                pg->time_mult);
            munmap(pg, (size_t)sysconf(_SC_PAGESIZE));
            if (hz != 0)
                return hz;
        }
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC_RAW, &t0);
    uint64_t c0 = __rdtsc(), ns;
    do {
        clock_gettime(CLOCK_MONOTONIC_RAW, &t1);
        ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ULL +
             (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;
    } while (ns < 2000000);
    return (__rdtsc() - c0) * 1000000000ULL / ns;
}

void husk_proc_open(struct husk_vm *vm)
{
    vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;
    vm->features = HUSK_FEATURE_HC_CALL;
    /* The host's clocks, as the host reads them: no TSC rate to learn
     * (measuring it costs milliseconds where the kernel does not publish
     * it), and no drift from a rate measured in a hurry. */
    vm->clock_call = husk_vdso_symbol("__vdso_clock_gettime");
    if (vm->clock_call != 0)
        vm->features |= HUSK_FEATURE_CLOCK_CALL;
    vm->tsc_hz = vm->clock_call != 0 ? 0 : host_tsc_hz();
    proc.fsgsbase = getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE;
    unsigned a, b, c, d;
    if (!proc.fsgsbase)
        vm->features |= HUSK_FEATURE_TLS_CALL;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (c & (1U << 30))
        vm->features |= HUSK_FEATURE_RDRAND;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    if (b & (1U << 18))
        vm->features |= HUSK_FEATURE_RDSEED;
}

void husk_proc_create(struct husk_vm *vm, uint64_t mem_size)
{
    /* Identity: guest-physical address = address in this process, so the
     * image needs no relocation and every check in gpa.c means the same.
     * The monitor is PIE and its mappings sit far above 32 GiB; if
     * anything is in the way, say what, rather than map over it. */
    void *want = (void *)(uintptr_t)HUSK_BOOT_GPA;
    size_t len = mem_size - HUSK_BOOT_GPA;
    void *got =
        mmap(want, len, PROT_READ | PROT_WRITE | PROT_EXEC,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
             -1, 0);
    if (got == MAP_FAILED || got != want) {
        int e = got == MAP_FAILED ? errno : EEXIST;
        if (got != MAP_FAILED)
            munmap(got, len);
        errno = e;
        husk_fatal(HUSK_EXIT_MONITOR,
                   "process backend: cannot map guest memory at "
                   "0x%llx-0x%llx in this process (something else is "
                   "there, or --mem is too large for it)",
                   (unsigned long long)HUSK_BOOT_GPA,
                   (unsigned long long)mem_size);
    }
    madvise(got, len, MADV_NOHUGEPAGE); /* as in kvm.c */
    vm->mem = (uint8_t *)0; /* identity: guest address 0 is address 0 */
    vm->mem_size = mem_size;
}

/* ---- leaving the guest: a fault, a stop signal, a system call ---------- */

static bool on_altstack(const void *p)
{
    return (const uint8_t *)p >= proc.altstack &&
           (const uint8_t *)p < proc.altstack + ALTSTACK_SIZE;
}

static bool in_guest(uint64_t addr)
{
    return addr < proc.vm->mem_size;
}

/* What a handler leaves to be reported on the monitor's stack. */
static struct {
    int sig;
    siginfo_t si;
    ucontext_t uc;
    int status; /* a stop: the status to end with */
} pending;

/* The crash report from a signal frame: the same lines as under KVM,
 * from what the kernel saved (the trap number and error code are the
 * CPU's, so #GP, #PF, #UD... read the same). */
static _Noreturn void report_fault(void *unused)
{
    (void)unused;
    const greg_t *g = pending.uc.uc_mcontext.gregs;
    if (pending.sig == SIGSYS && pending.si.si_code == SI_CODE_SECCOMP) {
        uint64_t at = (uint64_t)(uintptr_t)pending.si.si_call_addr;
        if (in_guest(at))
            /* Trapped by proc_sandbox.c's first filter: a guest makes
             * hypercalls, never system calls, whatever their number. */
            husk_errx("ABI violation: the guest made system call %d at "
                      "rip=0x%llx; a guest may only make hypercalls",
                      pending.si.si_syscall, (unsigned long long)at);
        else
            husk_errx("ABI violation: system call %d (arch 0x%x) at "
                      "rip=0x%llx, in the monitor's code, is not in the "
                      "seccomp allowlist: a guest that jumped there, or "
                      "a bug in husk",
                      pending.si.si_syscall, pending.si.si_arch,
                      (unsigned long long)at);
        husk_run_end(proc.vm, HUSK_EXIT_VIOLATION);
    }
    struct kvm_regs r = {
        .rax = (uint64_t)g[REG_RAX],
        .rbx = (uint64_t)g[REG_RBX],
        .rcx = (uint64_t)g[REG_RCX],
        .rdx = (uint64_t)g[REG_RDX],
        .rsi = (uint64_t)g[REG_RSI],
        .rdi = (uint64_t)g[REG_RDI],
        .rsp = (uint64_t)g[REG_RSP],
        .rbp = (uint64_t)g[REG_RBP],
        .r8 = (uint64_t)g[REG_R8],
        .r9 = (uint64_t)g[REG_R9],
        .r10 = (uint64_t)g[REG_R10],
        .r11 = (uint64_t)g[REG_R11],
        .r12 = (uint64_t)g[REG_R12],
        .r13 = (uint64_t)g[REG_R13],
        .r14 = (uint64_t)g[REG_R14],
        .r15 = (uint64_t)g[REG_R15],
        .rip = (uint64_t)g[REG_RIP],
        .rflags = (uint64_t)g[REG_EFL],
    };
    struct kvm_sregs sr;
    memset(&sr, 0, sizeof(sr));
    sr.cr2 = (uint64_t)g[REG_CR2];
    sr.cs.selector = (uint16_t)g[REG_CSGSFS];
    sr.fs.base = proc.guest_fs;
    sr.gs.base = proc.guest_gs;
    sr.ss.selector = (uint16_t)(g[REG_CSGSFS] >> 48);
    const char *where = NULL;
    if (!in_guest(r.rip))
        where = proc.in_monitor ? "in the monitor, serving a hypercall"
                                : "in the monitor's code, outside a "
                                  "hypercall: the guest jumped there";
    husk_report_fault((uint64_t)g[REG_TRAPNO], (uint64_t)g[REG_ERR], where, &r,
                      true, &sr);
    husk_core_dump(proc.vm, &r, &sr, pending.sig);
    husk_run_end(proc.vm, HUSK_EXIT_CRASH);
}

static _Noreturn void report_stop(void *unused)
{
    (void)unused;
    husk_run_end(proc.vm, pending.status);
}

/* Leave the signal stack for the monitor's: below the frame that was
 * interrupted if the monitor's code was running (a call, or the set-up
 * before the guest's first instruction), else where calls run.
 * The handlers up to here are not instrumented: the ASan runtime checks
 * the stack before a call that does not return, and on the signal stack
 * that check reads /proc (see husk_proc_on_stack). */
#define ON_SIGNAL_STACK __attribute__((no_sanitize_address))

static ON_SIGNAL_STACK _Noreturn void report_on_monitor_stack(
    void (*fn)(void *))
{
    uintptr_t top = husk_proc_stack_top;
    if (proc.in_monitor || top == 0) /* the monitor's code was running */
        top = ((uintptr_t)pending.uc.uc_mcontext.gregs[REG_RSP] - 4096) &
              ~(uintptr_t)15;
    husk_proc_on_stack(fn, NULL, top);
}

static ON_SIGNAL_STACK void on_fault(int sig, siginfo_t *si, void *ctx)
{
    const ucontext_t *uc = ctx;
    if (!on_altstack(&sig)) {
        /* Not the guest's thread (the I/O thread has no signal stack):
         * a monitor bug. Its own %fs is right; report and end. */
        husk_errx("internal error: %s in a monitor thread at rip=0x%llx",
                  strsignal(sig),
                  (unsigned long long)uc->uc_mcontext.gregs[REG_RIP]);
        _exit(sig == SIGSYS ? HUSK_EXIT_VIOLATION : HUSK_EXIT_CRASH);
    }
    set_fs(proc.monitor_fs);
    pending.sig = sig;
    memcpy(&pending.si, si, sizeof(*si));
    memcpy(&pending.uc, uc, sizeof(*uc));
    report_on_monitor_stack(report_fault);
}

/*
 * SIGTERM, SIGINT, SIGHUP, SIGALRM (--timeout) and the I/O thread's
 * SIGUSR1. They are open while the guest runs and while the monitor
 * serves a call, so a call costs no mask changes. While guest code runs,
 * there is no call to end: stop here. Inside a call, take note as under
 * KVM, and make sure any wait or console write still ahead ends at once
 * (stop.c blocks, opens and waits, and a stop that came before that would
 * be lost): the handler returns with the stop signals blocked and the
 * same signal pending again, so the next wait that opens them (ppoll with
 * husk_wait_sigmask) fails with EINTR at once. The call then stops the
 * guest on its way out (husk_proc_call); it never resumes blocked.
 */
static void note_signal(void *sig)
{
    husk_note_signal((int)(intptr_t)sig);
}

static ON_SIGNAL_STACK void on_stop(int sig, siginfo_t *si, void *ctx)
{
    (void)si;
    if (proc.in_monitor) {
        ucontext_t *uc = ctx;
        if (sig != SIGUSR1) {
            sigaddset(&uc->uc_sigmask, SIGTERM);
            sigaddset(&uc->uc_sigmask, SIGINT);
            sigaddset(&uc->uc_sigmask, SIGHUP);
            sigaddset(&uc->uc_sigmask, SIGALRM);
            husk_raw_syscall3(SYS_tgkill, proc.pid, proc.tid, sig);
        }
        /* Last, as it may jump out of a console write (stop.c); from the
         * monitor's stack, below the interrupted frame and its red zone,
         * where that jump lands (and where the ASan runtime knows it). */
        uintptr_t top =
            ((uintptr_t)uc->uc_mcontext.gregs[REG_RSP] - 256) & ~(uintptr_t)15;
        husk_proc_call_on_stack(note_signal, (void *)(intptr_t)sig, top);
        return;
    }
    uint64_t fs = proc.fsgsbase ? get_fs_fast() : proc.guest_fs;
    set_fs(proc.monitor_fs);
    husk_note_signal(sig);
    int status = husk_stop_status(proc.vm);
    if (status >= 0) {
        pending.status = status;
        memcpy(&pending.uc, ctx, sizeof(pending.uc));
        report_on_monitor_stack(report_stop);
    }
    set_fs(fs); /* nothing to stop for (a stray SIGUSR1) */
}

static void catch (int sig, void (*fn)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigfillset(&sa.sa_mask); /* one handler at a time */
    if (sigaction(sig, &sa, NULL) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "sigaction");
}

/* ---- the hypercall door ---------------------------------------------- */

static enum husk_hc_result hc_set_tls(struct husk_vm *vm, void *arg)
{
    const struct husk_hc_set_tls *a = arg;
    if (a->_pad0 != 0 || (a->which != HUSK_TLS_FS && a->which != HUSK_TLS_GS))
        return husk_violation(vm,
                              "set_tls: which=%u is not %d (fs) or %d "
                              "(gs)",
                              a->which, HUSK_TLS_FS, HUSK_TLS_GS);
    if (a->base >= (1ULL << 47))
        return husk_violation(vm,
                              "set_tls: base 0x%llx is not a user "
                              "address",
                              (unsigned long long)a->base);
    if (a->which == HUSK_TLS_FS) {
        /* A thread switch makes this call (libhusk's threads): it is
         * TLS-free, so that it costs one arch_prctl, not the two of a
         * call that claims the monitor's %fs and gives the guest's back.
         * On the monitor's %fs already (the sanitizer build), the end of
         * the call sets it. */
        proc.guest_fs = a->base;
        if (!proc.on_monitor_fs)
            husk_raw_syscall3(SYS_arch_prctl, ARCH_SET_FS, (long)a->base, 0);
    } else if (husk_raw_syscall3(SYS_arch_prctl, ARCH_SET_GS, (long)a->base,
                                 0) != 0)
        return husk_violation(vm, "set_tls: the host refused gs base 0x%llx",
                              (unsigned long long)a->base);
    else
        proc.guest_gs = a->base;
    return HUSK_HC_DONE;
}

/* Make %fs the monitor's for the rest of the call. */
static void claim_fs_now(void)
{
    if (!proc.on_monitor_fs) {
        set_fs(proc.monitor_fs);
        proc.on_monitor_fs = true;
    }
}

/* husk_tls_claim: the same from anywhere, and only on the guest's thread
 * inside a call (the I/O thread has its own %fs, and set-up the
 * monitor's). That thread is told by its stack, the one below
 * husk_proc_stack_top: other threads' stacks are mapped far below the
 * main one (at least the stack rlimit and a guard gap), and gettid is
 * one more system call for the filter to allow. */
#define CALL_STACK_MAX (1 << 20)
static void claim_monitor_fs(void)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (proc.in_monitor && !proc.on_monitor_fs && sp < husk_proc_stack_top &&
        husk_proc_stack_top - sp < CALL_STACK_MAX)
        claim_fs_now();
}

/* After a rewind (calls.c): start the guest again at its entry, as
 * husk_proc_run did. This call's frames are left behind: the guest's
 * memory no longer holds the call they serve, and the next call starts
 * at husk_proc_stack_top again. */
static _Noreturn void restart(struct husk_vm *vm)
{
    proc.guest_fs = proc.monitor_fs; /* until the guest sets its own */
    /* The x87 and SSE control words as a new process has them, as
     * husk_cpu_restart gives a KVM guest. */
    __asm__ volatile("fninit");
    _mm_setcsr(0x1f80);
    proc.in_monitor = 0;
    if (vm->timing)
        proc.resumed_ns = husk_now_ns();
    husk_proc_enter(vm->entry, vm->mem_size, HUSK_BOOT_GPA);
}

static __attribute__((noinline)) void serve_stop(void)
{
    int status = husk_stop_status(proc.vm);
    if (status >= 0)
        husk_run_end(proc.vm, status);
}

/* Serve call nr; returns only if the guest goes on. Thread-local state
 * is the monitor's only after claim_fs_now: what runs before that (the
 * dispatcher, a TLS-free handler, the checks for a stop) keeps off it,
 * and each message on the way claims it first (husk_own_tls). */
static __attribute__((noinline)) void serve(uint64_t nr, uint64_t arg_gpa)
{
    struct husk_vm *vm = proc.vm;
    vm->exits++;
    vm->hypercalls++;
    enum husk_hc_result r = husk_hc_call(vm, nr, arg_gpa);
    if (r == HUSK_HC_DONE && !husk_stop_requested() && !husk_io_stopped(vm))
        return; /* the common case */
    /* Before any status is worked out: a message's arguments (strsignal)
     * are evaluated before the message claims the monitor's %fs. */
    claim_fs_now();
    if (r == HUSK_HC_RESTART && !husk_stop_requested())
        restart(vm);
    int status = husk_hc_status(vm, r);
    if (status < 0)
        status = husk_stop_status(vm); /* a signal during the call */
    if (status >= 0)
        husk_run_end(vm, status);
}

/* Whether call nr may run on the guest's %fs (see the top of this file). */
static bool tls_free(uint64_t nr)
{
#ifdef HUSK_SANITIZE
    (void)nr; /* the sanitizer runtimes keep thread state everywhere */
    return false;
#else
    return nr < HUSK_HC_MAX && proc.vm->calls[nr].tls_free;
#endif
}

/* Entered from husk_proc_hypercall on the monitor's stack with the
 * guest's %fs: nothing here touches thread-local state (no stack
 * protector, no sanitizer) before claim_monitor_fs. */
__attribute__((no_sanitize_address, target("fsgsbase"))) void husk_proc_call(
    uint64_t nr, uint64_t arg_gpa)
{
    /* in_monitor first: from here a stop signal only takes note. */
    proc.in_monitor = 1;
    /* --stats=json: the guest ran since it last went on. The vDSO's
     * clock keeps no thread state: fine on the guest's %fs. */
    if (proc.vm->timing)
        proc.vm->guest_ns += husk_now_ns() - proc.resumed_ns;
    if (proc.fsgsbase)
        proc.guest_fs = _readfsbase_u64();
    proc.on_monitor_fs = proc.guest_fs == proc.monitor_fs;
    if (!tls_free(nr))
        claim_fs_now();
    serve(nr, arg_gpa);
    /* From here a stop signal stops the guest itself; one that came
     * since serve() looked is caught by the second look. */
    proc.in_monitor = 0;
    if (husk_stop_requested()) {
        proc.in_monitor = 1;
        claim_fs_now();
        serve_stop();
    }
    if (proc.on_monitor_fs && proc.guest_fs != proc.monitor_fs)
        set_fs(proc.guest_fs);
    if (proc.vm->timing)
        proc.resumed_ns = husk_now_ns();
}

/* ---- running ----------------------------------------------------------- */

void husk_proc_register(struct husk_vm *vm)
{
    if (!(vm->features & HUSK_FEATURE_TLS_CALL))
        return;
    if (husk_hc_register(vm, HUSK_HC_SET_TLS, "set_tls",
                         sizeof(struct husk_hc_set_tls), hc_set_tls) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "internal error: set_tls registration failed");
    husk_hc_mark_tls_free(vm, HUSK_HC_SET_TLS);
}

uint64_t husk_proc_entry_address(void)
{
    return (uint64_t)(uintptr_t)husk_proc_hypercall;
}

void husk_proc_prepare(struct husk_vm *vm)
{
    proc.vm = vm;
    proc.altstack = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (proc.altstack == MAP_FAILED)
        husk_fatal(HUSK_EXIT_MONITOR, "cannot map the signal stack");
    stack_t ss = {.ss_sp = proc.altstack, .ss_size = ALTSTACK_SIZE};
    if (sigaltstack(&ss, NULL) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "sigaltstack");
    static const int faults[] = {SIGSEGV, SIGBUS,  SIGILL,
                                 SIGFPE,  SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
        catch (faults[i], on_fault);
    static const int stops[] = {SIGTERM, SIGINT, SIGHUP, SIGALRM, SIGUSR1};
    for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
        catch (stops[i], on_stop);
    if (syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &proc.monitor_fs) !=
        0)
        husk_fatal(HUSK_EXIT_MONITOR, "arch_prctl(ARCH_GET_FS)");
    proc.guest_fs = proc.monitor_fs; /* until the guest sets its own */
    husk_tls_claim = claim_monitor_fs;
    proc.pid = getpid();
    proc.tid = gettid();
    /* Open the stop signals (blocked since before the jail, stop.c): a
     * pending one stops the guest here, before its first instruction. */
    const sigset_t *open = husk_wait_sigmask();
    if (open != NULL && pthread_sigmask(SIG_SETMASK, open, NULL) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "cannot open the stop signals");
}

_Noreturn void husk_proc_run(struct husk_vm *vm, uint64_t entry)
{
    /* This frame never returns: what lies below it is the monitor's
     * stack for every hypercall from now on. */
    husk_proc_stack_top =
        ((uintptr_t)__builtin_frame_address(0) - 4096) & ~(uintptr_t)15;
    husk_phase(HUSK_PHASE_GUEST_STARTED);
    proc.resumed_ns = husk_now_ns();
    husk_proc_enter(entry, vm->mem_size, HUSK_BOOT_GPA);
}
