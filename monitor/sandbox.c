/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * sandbox.c: the seccomp allowlists, armed before the guest's first
 * instruction. From then on the monitor can only run the vCPU and do what
 * the hypercalls need, and the jail's supervisor can only wait for it; any
 * other system call kills the process (KVM) or is refused and reported
 * (the process backend). Each rule names the code that needs it;
 * docs/security.md lists them with their count. The usual
 * configurations load a program libseccomp compiled at build time from
 * the same rules (allowlist.h); the others compile theirs here.
 */
#include <linux/filter.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../drivers/console/console.h"
#include "allowlist.h"
#include "husk.h"

#define RULE(r, call, ...) husk_rule_add(r, SCMP_SYS(call), __VA_ARGS__)

/* The ASan/UBSan test build only: the sanitizer runtime maps shadow
 * memory and prints reports. Never part of a release binary (and so in
 * none of the build-time programs: that build compiles at run time). */
static int sanitizer_rules(struct husk_rules *r)
{
    int rc = 0;
#ifdef HUSK_SANITIZE
    rc |= RULE(r, mmap, 0);
    rc |= RULE(r, munmap, 0);
    rc |= RULE(r, madvise, 1, SCMP_A2(SCMP_CMP_NE, MADV_DONTNEED));
    rc |= RULE(r, getpid, 0);
    rc |= RULE(r, gettid, 0);
    rc |= RULE(r, sigaltstack, 0);
    rc |= RULE(r, rt_sigaction, 0);
    rc |= RULE(r, rt_sigprocmask, 0);
    rc |= RULE(r, prctl, 0);
    rc |= RULE(r, sched_yield, 0);
    rc |= RULE(r, futex, 0);
#else
    (void)r;
#endif
    return rc;
}

/* --print-seccomp: the filter as libseccomp compiles it, then exit. */
static _Noreturn void print_filter(const struct husk_vm *vm,
                                   const struct husk_rules *r)
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
        "# and reported, and the guest stopped (TRAP). Ahead of it, the\n"
        "# program refuses every system call made from guest memory.\n"
        "# ($a0 is a system call's first argument, in two halves.)\n";
    bool process = vm->backend == HUSK_BACKEND_PROCESS;
    const char *text = process ? head_process : head;
    size_t len = process ? sizeof(head_process) - 1 : sizeof(head) - 1;
    scmp_filter_ctx ctx = husk_rules_compile(r);
    if (ctx == NULL)
        husk_fatalx(HUSK_EXIT_MONITOR, "cannot build the seccomp filter");
    fflush(stdout);
    if (write(STDOUT_FILENO, text, len) < 0 ||
        seccomp_export_pfc(ctx, STDOUT_FILENO) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "--print-seccomp: cannot write it");
    husk_core_discard(); /* --dump-core's file: no guest, no core */
    _exit(0);
}

int husk_sandbox_rules(struct husk_vm *vm, struct husk_rules *r)
{
    /* Under KVM anything else kills the process. The process backend
     * traps it instead, so that the report says what was refused (proc.c
     * ends the run from the SIGSYS handler): the call is not made either
     * way. The same for another architecture's entry (int $0x80). */
    uint32_t refuse =
        vm->backend == HUSK_BACKEND_KVM ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_TRAP;
    husk_rules_init(r, refuse);
    int rc = 0;
    if (vm->backend == HUSK_BACKEND_KVM) {
        /* The run loop, and the crash report's register dump. */
        scmp_datum_t vcpu =
            husk_rules_slot(r, HUSK_SLOT_VCPU_FD, (uint32_t)vm->vcpu_fd);
        rc |= RULE(r, ioctl, 2, SCMP_A0(SCMP_CMP_EQ, vcpu),
                   SCMP_A1(SCMP_CMP_EQ, KVM_RUN));
        rc |= RULE(r, ioctl, 2, SCMP_A0(SCMP_CMP_EQ, vcpu),
                   SCMP_A1(SCMP_CMP_EQ, KVM_GET_REGS));
        rc |= RULE(r, ioctl, 2, SCMP_A0(SCMP_CMP_EQ, vcpu),
                   SCMP_A1(SCMP_CMP_EQ, KVM_GET_SREGS));
    } else {
        rc |= husk_proc_sandbox_rules(vm, r);
    }
    /* Console hypercall and the monitor's own messages. */
    rc |= RULE(r, write, 1, SCMP_A0(SCMP_CMP_EQ, STDOUT_FILENO));
    rc |= RULE(r, write, 1, SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO));
    /* console_read: read(2) of stdin, unless --stdin=none. */
    rc |= husk_console_sandbox_rules(vm, r);
    /* Poll hypercall: sleep until a device is ready or the timeout. */
    rc |= RULE(r, ppoll, 0);
    /* mem_discard hypercall: give freed guest pages back to the host. */
    rc |= RULE(r, madvise, 1, SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED));
    /* Wall-clock hypercall and the console's rate limit, when the vDSO
     * falls back to the kernel (a clock source it cannot read). */
    rc |= RULE(r, clock_gettime, 0);
    /* SIGTERM, SIGINT, SIGHUP (the supervisor passes them on), --timeout's
     * SIGALRM and the I/O thread's SIGUSR1 interrupt KVM_RUN, and their
     * handlers return. */
    rc |= RULE(r, rt_sigreturn, 0);
    /* A console write opens the stop signals while it may block, and a
     * stop jumps out of it (stop.c): both set the whole mask. */
    rc |= RULE(r, rt_sigprocmask, 1, SCMP_A0(SCMP_CMP_EQ, SIG_SETMASK));
    /* _exit; glibc's exit(2) fallback after it is never reached. */
    rc |= RULE(r, exit_group, 0);
    rc |= sanitizer_rules(r);
    /* Each device adds what its hypercalls need, on its own fds only. */
    for (unsigned h = 0; h < vm->cfg->device_count; h++) {
        const struct husk_device_ops *ops =
            husk_device_ops_of(vm->cfg->devices[h].kind);
        if (ops != NULL && ops->sandbox_rules != NULL)
            rc |= ops->sandbox_rules(vm, h, r);
    }
    rc |= husk_io_sandbox_rules(vm, r);
    /* --stats=json: the report's getrusage. */
    rc |= husk_stats_sandbox_rules(vm, r);
    /* Which guest pages to read: --stats=json, --dump-core, a snapshot. */
    rc |= husk_guest_pages_sandbox_rules(vm, r);
    /* --dump-core, --snapshot-to: empty the file when nothing was
     * written to it. */
    rc |= husk_core_sandbox_rules(r);
    rc |= husk_snapshot_sandbox_rules(r);
    /* --call-channel: its socket, read and written. */
    rc |= husk_calls_sandbox_rules(vm, r);
    return rc == 0 ? 0 : -1;
}

struct husk_program *husk_sandbox_build(struct husk_vm *vm)
{
    static struct husk_rules rules;
    static struct husk_program program;
    if (husk_sandbox_rules(vm, &rules) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "cannot build the seccomp filter");
    if (vm->cfg->print_seccomp)
        print_filter(vm, &rules);
    program.len = 0;
    if (vm->backend == HUSK_BACKEND_PROCESS)
        husk_proc_guest_prefix(vm, &program);
    bool fixed;
    if (husk_rules_program(&rules, husk_fixed_filters, husk_fixed_filter_count,
                           &program, &fixed) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "cannot build the seccomp filter");
    husk_debugx("seccomp filter: %u instructions, %s", program.len,
                fixed ? "compiled at build time"
                      : "compiled now by libseccomp (no build-time program "
                        "for this configuration)");
    return &program;
}

void husk_sandbox_load(struct husk_vm *vm, const struct husk_program *p)
{
    /* The supervisor shares our memory: confined before the guest runs. */
    husk_supervise_await();
    struct sock_fprog prog = {.len = (unsigned short)p->len,
                              .filter = (struct sock_filter *)p->code};
    /* One filter for every thread: the I/O thread may exist already. The
     * jail has set no_new_privs (husk_jail_enter, also with --no-jail). */
    long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                      SECCOMP_FILTER_FLAG_TSYNC, &prog);
    if (rc > 0) /* TSYNC: the id of a thread that could not take it */
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "cannot install the seccomp filter: thread %ld could "
                    "not take it",
                    rc);
    if (rc != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "cannot install the seccomp filter");
    husk_test_probe(vm, "filter");
}
