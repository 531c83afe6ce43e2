/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* vcpu.c: run the vCPU, dispatch its exits, report how the guest ended. */
#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "husk.h"

static struct kvm_run *volatile run_for_signal;

/* --timeout's SIGALRM; SIGTERM, SIGINT, SIGHUP: stop the guest as the
 * shell would stop a process (status 128 + the signal), but report first
 * (--stats). The signal is open only while the vCPU thread waits (stop.c):
 * in KVM_RUN, where immediate_exit also stops the KVM_RUN after a wait in
 * a hypercall, in ppoll or in a console write. */
static void on_stop(int sig)
{
    if (run_for_signal != NULL)
        run_for_signal->immediate_exit = 1;
    husk_note_signal(sig); /* last: it may jump out of a console write */
}

static void catch (int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn; /* no SA_RESTART: a blocked write returns EINTR */
    if (sigaction(sig, &sa, NULL) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "sigaction");
}

/* KVM_RUN opens the stop signals (its own mask); a signal then ends it
 * with EINTR and stays pending for husk_stop_deliver. Between two runs
 * they stay blocked, pending, as while the VM was set up. */
static void set_run_mask(struct husk_vm *vm)
{
    if (vm->backend != HUSK_BACKEND_KVM)
        return; /* no KVM_RUN: proc.c opens them while the guest runs */
    union {
        struct kvm_signal_mask m;
        uint8_t bytes[sizeof(struct kvm_signal_mask) + 8];
    } km;
    memset(&km, 0, sizeof(km));
    km.m.len = 8; /* the kernel's sigset_t: 64 signals */
    memcpy(km.m.sigset, husk_wait_sigmask(), 8);
    if (ioctl(vm->vcpu_fd, KVM_SET_SIGNAL_MASK, &km) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "KVM_SET_SIGNAL_MASK");
}

void husk_timeout_arm(struct husk_vm *vm)
{
    husk_stop_block_signals(); /* done before the jail's split already */
    run_for_signal = vm->run;
    catch (SIGTERM, on_stop);
    catch (SIGINT, on_stop);
    catch (SIGHUP, on_stop);
    catch (SIGALRM, on_stop);
    set_run_mask(vm);
    if (vm->cfg->timeout_s != 0)
        alarm(vm->cfg->timeout_s);
}

/* Print the crash line and the guest's registers; returns the exit code. */
static int report_crash(struct husk_vm *vm, const char *why)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    bool have_regs = ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) == 0;
    bool have_sregs = ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) == 0;
    /* AMD SVM leaves the VMCB undefined after a shutdown, so KVM resets
     * the vCPU: what we would print is the reset state, not the crash. */
    bool reset =
        have_regs && have_sregs && r.rip == 0xfff0 && s.cs.selector == 0xf000;
    if (!have_regs || reset) {
        husk_errx("guest crashed: %s (registers unavailable: %s)", why,
                  reset ? "this KVM reset the vCPU at the triple fault, "
                          "as it does on AMD SVM"
                        : "KVM_GET_REGS failed");
        if (!have_regs)
            memset(&r, 0, sizeof(r));
        husk_core_dump(vm, &r, NULL, SIGSEGV); /* memory, at least */
        return HUSK_EXIT_CRASH;
    }
    char sym[128];
    husk_symbolize(r.rip, sym, sizeof(sym));
    husk_errx("guest crashed: %s at rip=0x%llx%s", why,
              (unsigned long long)r.rip, sym);
    husk_print_registers(&r, have_sregs ? &s : NULL);
    husk_core_dump(vm, &r, have_sregs ? &s : NULL, SIGSEGV);
    return HUSK_EXIT_CRASH;
}

void husk_print_registers(const struct kvm_regs *r, const struct kvm_sregs *s)
{
    char dump[1024];
    int n =
        snprintf(dump, sizeof(dump),
                 "husk:   rip=%016llx rsp=%016llx rbp=%016llx rflags=%08llx\n"
                 "husk:   rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
                 "husk:   rsi=%016llx rdi=%016llx r8 =%016llx r9 =%016llx\n"
                 "husk:   r10=%016llx r11=%016llx r12=%016llx r13=%016llx\n"
                 "husk:   r14=%016llx r15=%016llx\n",
                 r->rip, r->rsp, r->rbp, r->rflags, r->rax, r->rbx, r->rcx,
                 r->rdx, r->rsi, r->rdi, r->r8, r->r9, r->r10, r->r11, r->r12,
                 r->r13, r->r14, r->r15);
    if (s != NULL && n > 0 && n < (int)sizeof(dump))
        n += snprintf(dump + n, sizeof(dump) - (size_t)n,
                      "husk:   cr2=%016llx (last page-fault address) "
                      "cs=%04x fs.base=%016llx\n",
                      s->cr2, s->cs.selector, s->fs.base);
    if (n > (int)sizeof(dump))
        n = sizeof(dump);
    ssize_t unused = write(STDERR_FILENO, dump, (size_t)n);
    (void)unused;
}

/* Handle one exit. Returns -1 to run on, or the monitor's exit status. */
static int handle_exit(struct husk_vm *vm)
{
    struct kvm_run *run = vm->run;
    char why[128];
    switch (run->exit_reason) {
    case KVM_EXIT_MMIO: {
        enum husk_hc_result r =
            husk_hc_dispatch(vm, run->mmio.phys_addr, run->mmio.len,
                             run->mmio.is_write, run->mmio.data);
        if (r != HUSK_HC_RESTART)
            return husk_hc_status(vm, r);
        husk_cpu_restart(vm);
        return -1;
    }
    case KVM_EXIT_IO:
        /* Unreachable with IOPL 0 at CPL3 unless KVM changes: be strict. */
        husk_errx("ABI violation: port I/O to 0x%x", run->io.port);
        return HUSK_EXIT_VIOLATION;
    case KVM_EXIT_SHUTDOWN:
        return report_crash(vm, "triple fault (an exception with no handler: "
                                "bad memory access, division by zero, "
                                "privileged instruction...)");
    case KVM_EXIT_INTERNAL_ERROR:
        snprintf(why, sizeof(why), "KVM internal error (suberror %u%s)",
                 run->internal.suberror,
                 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
                     ? ": instruction emulation failed"
                     : "");
        return report_crash(vm, why);
    case KVM_EXIT_FAIL_ENTRY:
        snprintf(
            why, sizeof(why), "vCPU entry failed (reason 0x%llx)",
            (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        return report_crash(vm, why);
    default:
        break;
    }
    snprintf(why, sizeof(why), "unexpected KVM exit reason %u",
             run->exit_reason);
    return report_crash(vm, why);
}

/* Why KVM_RUN was interrupted: a status to stop with, or -1 to run on. */
static int interrupted(struct husk_vm *vm)
{
    husk_stop_deliver(); /* run the handler of a signal KVM_RUN left */
    int status = husk_stop_status(vm);
    if (status < 0)
        vm->run->immediate_exit = 0;
    return status;
}

int husk_vcpu_run(struct husk_vm *vm)
{
    int status = -1;
    husk_phase(HUSK_PHASE_GUEST_STARTED);
    while (status < 0) {
        uint64_t entered = vm->timing ? husk_now_ns() : 0;
        int rc = ioctl(vm->vcpu_fd, KVM_RUN, 0);
        if (vm->timing) /* --stats=json: time in KVM_RUN is the guest's */
            vm->guest_ns += husk_now_ns() - entered;
        if (rc < 0) {
            if (errno != EINTR && errno != EAGAIN)
                husk_fatal(HUSK_EXIT_MONITOR, "KVM_RUN");
            status = interrupted(vm);
            continue;
        }
        vm->exits++;
        vm->exit_reasons[vm->run->exit_reason < HUSK_EXIT_REASONS
                             ? vm->run->exit_reason
                             : HUSK_EXIT_REASONS - 1]++;
        if (vm->run->exit_reason == KVM_EXIT_MMIO)
            vm->hypercalls++;
        status = handle_exit(vm);
    }
    return status;
}
