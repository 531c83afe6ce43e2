/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * run.c: what both backends do around running the guest: turn a
 * hypercall's result or a stop (a signal or --timeout, noted by stop.c;
 * the I/O thread) into the monitor's exit status with its one line, and
 * end the run with the report (--stats; stats.c for --stats=json). vcpu.c (KVM) and proc.c (the
 * process backend) differ only in how the guest runs and leaves.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "husk.h"

int husk_stop_status(struct husk_vm *vm)
{
    if (husk_io_stopped(vm)) {
        husk_errx("ABI violation: %s", vm->message);
        return HUSK_EXIT_VIOLATION;
    }
    int sig = husk_stop_signal();
    if (sig == SIGALRM) {
        husk_errx("guest stopped: --timeout=%u expired", vm->cfg->timeout_s);
        return HUSK_EXIT_TIMEOUT;
    }
    if (sig != 0) {
        husk_errx("guest stopped: %s", strsignal(sig));
        return 128 + sig;
    }
    return -1;
}

int husk_hc_status(struct husk_vm *vm, enum husk_hc_result r)
{
    switch (r) {
    case HUSK_HC_DONE:
        return -1;
    case HUSK_HC_VIOLATION:
        husk_errx("ABI violation: %s", vm->message);
        return HUSK_EXIT_VIOLATION;
    case HUSK_HC_STOP:
        if (vm->message[0] != '\0')
            husk_errx("%s", vm->message);
        return vm->exit_code;
    case HUSK_HC_RESTART:
        return -1; /* the backend has restarted the guest, or stops it */
    }
    return HUSK_EXIT_MONITOR;
}

_Noreturn void husk_run_end(struct husk_vm *vm, int status)
{
    husk_phase(HUSK_PHASE_GUEST_EXITED);
    status = husk_snapshot_end(vm, status);
    if (vm->console_dropped != 0)
        husk_warnx("console: %llu bytes of guest output dropped over "
                   "--console-rate",
                   (unsigned long long)vm->console_dropped);
    husk_infox("guest ended: %s, status %d", husk_stats_end_reason(vm, status),
               status);
    husk_phases_debug();
    if (vm->cfg->stats == HUSK_STATS_JSON)
        husk_stats_json(vm, status);
    if (vm->cfg->stats == HUSK_STATS_TEXT) {
        if (vm->backend == HUSK_BACKEND_KVM)
            husk_reportx("stats: %llu VM exits, %llu of them hypercalls "
                         "(backend kvm)",
                         (unsigned long long)vm->exits,
                         (unsigned long long)vm->hypercalls);
        else
            husk_reportx("stats: %llu hypercalls, no VM exits (backend "
                         "process)",
                         (unsigned long long)vm->hypercalls);
        husk_devices_report_stats(vm);
        husk_io_report_stats(vm);
    }
    husk_core_discard(); /* --dump-core, if there was no crash */
    /* _exit: nothing is left to flush, and the filter allows no more. */
    _exit(status);
}
