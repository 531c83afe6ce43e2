/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * sandbox.c: the seccomp allowlists, armed before the guest's first
 * instruction. From then on the monitor can only run the vCPU and do what
 * the hypercalls need, and the jail's supervisor can only wait for it; any
 * other system call kills the process. Each rule names the code that
 * needs it; docs/security.md lists them with their count.
 */
#include <linux/kvm.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../drivers/console/console.h"
#include "husk.h"

#define RULE(ctx, call, ...) \
    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(call), __VA_ARGS__)

static scmp_filter_ctx new_filter(uint32_t refuse)
{
    /* seccomp_load also sets PR_SET_NO_NEW_PRIVS (libseccomp's default);
     * the jail has set it already. */
    scmp_filter_ctx ctx = seccomp_init(refuse);
    if (ctx == NULL)
        husk_fatalx(HUSK_EXIT_MONITOR, "seccomp_init failed");
    return ctx;
}

/* The ASan/UBSan test build only: the sanitizer runtime maps shadow
 * memory and prints reports. Never part of a release binary. */
static int sanitizer_rules(scmp_filter_ctx ctx)
{
    int rc = 0;
#ifdef HUSK_SANITIZE
    rc |= RULE(ctx, mmap, 0);
    rc |= RULE(ctx, munmap, 0);
    rc |= RULE(ctx, madvise, 1, SCMP_A2(SCMP_CMP_NE, MADV_DONTNEED));
    rc |= RULE(ctx, getpid, 0);
    rc |= RULE(ctx, gettid, 0);
    rc |= RULE(ctx, sigaltstack, 0);
    rc |= RULE(ctx, rt_sigaction, 0);
    rc |= RULE(ctx, rt_sigprocmask, 0);
    rc |= RULE(ctx, prctl, 0);
    rc |= RULE(ctx, sched_yield, 0);
    rc |= RULE(ctx, futex, 0);
#else
    (void)ctx;
#endif
    return rc;
}

static void load(scmp_filter_ctx ctx, int rc)
{
    if (rc != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "cannot build the seccomp filter");
    if (seccomp_load(ctx) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "cannot install the seccomp filter");
    seccomp_release(ctx);
}

/* --print-seccomp: the filter as libseccomp compiled it, then exit. */
static _Noreturn void print_filter(const struct husk_vm *vm,
                                   scmp_filter_ctx ctx)
{
    static const char head[] =
        "# The seccomp filter husk installs for this configuration, before\n"
        "# the guest's first instruction, in libseccomp's pseudo filter\n"
        "# code: every 'action ALLOW' is one rule; anything else kills the\n"
        "# process. ($a0 is a system call's first argument, in two halves.)\n";
    static const char head_process[] =
        "# The seccomp filter husk installs for this configuration, before\n"
        "# the guest's first instruction, in libseccomp's pseudo filter\n"
        "# code: every 'action ALLOW' is one rule; anything else is refused\n"
        "# and reported, and the guest stopped (TRAP). Ahead of it, a filter\n"
        "# refuses every system call made from guest memory.\n"
        "# ($a0 is a system call's first argument, in two halves.)\n";
    bool process = vm->backend == HUSK_BACKEND_PROCESS;
    const char *text = process ? head_process : head;
    size_t len = process ? sizeof(head_process) - 1 : sizeof(head) - 1;
    fflush(stdout);
    if (write(STDOUT_FILENO, text, len) < 0 ||
        seccomp_export_pfc(ctx, STDOUT_FILENO) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "--print-seccomp: cannot write it");
    husk_core_discard(); /* --dump-core's file: no guest, no core */
    _exit(0);
}

void *husk_sandbox_build(struct husk_vm *vm)
{
    /* Under KVM anything else kills the process. The process backend
     * traps it instead, so that the report says what was refused (proc.c
     * ends the run from the SIGSYS handler): the call is not made either
     * way. The same for another architecture's entry (int $0x80). */
    uint32_t refuse =
        vm->backend == HUSK_BACKEND_KVM ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_TRAP;
    scmp_filter_ctx ctx = new_filter(refuse);
    if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, refuse) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "cannot build the seccomp filter");
    scmp_datum_t vcpu = (scmp_datum_t)vm->vcpu_fd;
    int rc = 0;
    if (vm->backend == HUSK_BACKEND_KVM) {
        /* The run loop, and the crash report's register dump. */
        rc |= RULE(ctx, ioctl, 2, SCMP_A0(SCMP_CMP_EQ, vcpu),
                   SCMP_A1(SCMP_CMP_EQ, KVM_RUN));
        rc |= RULE(ctx, ioctl, 2, SCMP_A0(SCMP_CMP_EQ, vcpu),
                   SCMP_A1(SCMP_CMP_EQ, KVM_GET_REGS));
        rc |= RULE(ctx, ioctl, 2, SCMP_A0(SCMP_CMP_EQ, vcpu),
                   SCMP_A1(SCMP_CMP_EQ, KVM_GET_SREGS));
    } else {
        rc |= husk_proc_sandbox_rules(vm, ctx);
    }
    /* Console hypercall and the monitor's own messages. */
    rc |= RULE(ctx, write, 1, SCMP_A0(SCMP_CMP_EQ, STDOUT_FILENO));
    rc |= RULE(ctx, write, 1, SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO));
    /* console_read: read(2) of stdin, unless --stdin=none. */
    rc |= husk_console_sandbox_rules(vm, ctx);
    /* Poll hypercall: sleep until a device is ready or the timeout. */
    rc |= RULE(ctx, ppoll, 0);
    /* mem_discard hypercall: give freed guest pages back to the host. */
    rc |= RULE(ctx, madvise, 1, SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED));
    /* Wall-clock hypercall and the console's rate limit, when the vDSO
     * falls back to the kernel (a clock source it cannot read). */
    rc |= RULE(ctx, clock_gettime, 0);
    /* SIGTERM, SIGINT, SIGHUP (the supervisor passes them on), --timeout's
     * SIGALRM and the I/O thread's SIGUSR1 interrupt KVM_RUN, and their
     * handlers return. */
    rc |= RULE(ctx, rt_sigreturn, 0);
    /* A console write opens the stop signals while it may block, and a
     * stop jumps out of it (stop.c): both set the whole mask. */
    rc |= RULE(ctx, rt_sigprocmask, 1, SCMP_A0(SCMP_CMP_EQ, SIG_SETMASK));
    /* _exit; glibc's exit(2) fallback after it is never reached. */
    rc |= RULE(ctx, exit_group, 0);
    rc |= sanitizer_rules(ctx);
    /* Each device adds what its hypercalls need, on its own fds only. */
    for (unsigned h = 0; h < vm->cfg->device_count; h++) {
        const struct husk_device_ops *ops =
            husk_device_ops_of(vm->cfg->devices[h].kind);
        if (ops != NULL && ops->sandbox_rules != NULL)
            rc |= ops->sandbox_rules(vm, h, ctx);
    }
    rc |= husk_io_sandbox_rules(vm, ctx);
    /* --stats=json: the report's getrusage. */
    rc |= husk_stats_sandbox_rules(vm, ctx);
    /* Which guest pages to read: --stats=json, --dump-core, a snapshot. */
    rc |= husk_guest_pages_sandbox_rules(vm, ctx);
    /* --dump-core, --snapshot-to: empty the file when nothing was
     * written to it. */
    rc |= husk_core_sandbox_rules(ctx);
    rc |= husk_snapshot_sandbox_rules(ctx);
    /* --call-channel: its socket, read and written. */
    rc |= husk_calls_sandbox_rules(vm, ctx);
    /* One filter for every thread: the I/O thread exists already. */
    rc |= seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (rc != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "cannot build the seccomp filter");
    if (vm->cfg->print_seccomp)
        print_filter(vm, ctx);
    return ctx;
}

void husk_sandbox_load(struct husk_vm *vm, void *filter)
{
    /* The supervisor shares our memory: confined before the guest runs. */
    husk_supervise_await();
    if (vm->backend == HUSK_BACKEND_PROCESS)
        husk_proc_load_guest_filter(vm);
    load(filter, 0);
    husk_test_probe(vm, "filter");
}
