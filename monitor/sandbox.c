/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * sandbox.c: the seccomp allowlist armed before the guest's first
 * instruction. From then on the monitor can only run the vCPU and do what
 * the hypercalls need; any other system call kills the process.
 */
#include <linux/kvm.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef HUSK_TEST_SECCOMP_PROBE
#include <fcntl.h>
#endif

#include "husk.h"

#define RULE(ctx, call, ...)                                                \
    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(call), __VA_ARGS__)

/* Before the filter: nothing of the guest's memory may reach a core file,
 * and no other process of this user may ptrace into it. */
static void limit_process(void)
{
    struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "setrlimit(RLIMIT_CORE)");
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "prctl(PR_SET_DUMPABLE)");
}

void husk_sandbox_apply(struct husk_vm *vm)
{
    limit_process();
    /* seccomp_load also sets PR_SET_NO_NEW_PRIVS (libseccomp's default). */
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (ctx == NULL)
        husk_fatalx(HUSK_EXIT_MONITOR, "seccomp_init failed");
    int vcpu = vm->vcpu_fd;
    int rc = 0;
    /* The run loop, and the crash report's register dump. */
    rc |= RULE(ctx, ioctl, 2, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)vcpu),
               SCMP_A1(SCMP_CMP_EQ, KVM_RUN));
    rc |= RULE(ctx, ioctl, 2, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)vcpu),
               SCMP_A1(SCMP_CMP_EQ, KVM_GET_REGS));
    rc |= RULE(ctx, ioctl, 2, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)vcpu),
               SCMP_A1(SCMP_CMP_EQ, KVM_GET_SREGS));
    /* Console hypercall and the monitor's own messages. */
    rc |= RULE(ctx, write, 1, SCMP_A0(SCMP_CMP_EQ, STDOUT_FILENO));
    rc |= RULE(ctx, write, 1, SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO));
    /* Poll hypercall: sleep until a device is ready or the timeout. */
    rc |= RULE(ctx, ppoll, 0);
    /* mem_discard hypercall: give freed guest pages back to the host. */
    rc |= RULE(ctx, madvise, 1, SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED));
    /* Wall-clock hypercall, when the vDSO falls back to the kernel. */
    rc |= RULE(ctx, clock_gettime, 0);
    /* --timeout: SIGALRM interrupts KVM_RUN and its handler returns. */
    rc |= RULE(ctx, rt_sigreturn, 0);
    rc |= RULE(ctx, exit_group, 0);
    rc |= RULE(ctx, exit, 0);
#ifdef HUSK_SANITIZE
    /* The ASan/UBSan test build only: the sanitizer runtime maps shadow
     * memory and prints reports. Never part of a release binary. */
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
#endif
    /* Each device adds what its hypercalls need, on its own fds only. */
    for (unsigned h = 0; h < vm->cfg->device_count; h++) {
        const struct husk_device_ops *ops =
            husk_device_ops_of(vm->cfg->devices[h].kind);
        if (ops != NULL && ops->sandbox_rules != NULL)
            rc |= ops->sandbox_rules(vm, h, ctx);
    }
    rc |= husk_io_sandbox_rules(vm, ctx);
    /* One filter for every thread: the I/O thread exists already. */
    rc |= seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (rc != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "cannot build the seccomp filter");
    if (seccomp_load(ctx) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "cannot install the seccomp filter");
    seccomp_release(ctx);
#ifdef HUSK_TEST_SECCOMP_PROBE
    /* Test build only (build/test/husk-probe, never the release binary):
     * a call outside the allowlist must kill the process with SIGSYS. */
    if (open("/", O_RDONLY) >= 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "seccomp probe: open was allowed");
    husk_fatalx(HUSK_EXIT_MONITOR, "seccomp probe: open failed, not killed");
#endif
}
