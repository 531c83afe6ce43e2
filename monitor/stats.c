/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * stats.c: the phases of a run (a clock read each, always: they cost
 * ~20 ns) and the --stats=json report at its end, one JSON object on one
 * line of stderr. Its keys are documented in docs/stats.md and stay
 * stable: "stats_version" changes if one is removed or changes meaning.
 *
 * The report is written with the seccomp filter armed: into a static
 * buffer (nothing allocates after the filter), with getrusage and
 * mincore allowed only with --stats=json (guest_pages.c).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "allowlist.h"
#include "husk.h"

#define STATS_VERSION 1

/* The phases' names in the report, in enum husk_phase's order. */
static const char *const phase_names[HUSK_PHASES] = {
    "start",         "args_parsed", "image_parsed", "devices_opened",
    "jail_entered",  "vm_created",  "image_loaded", "sandbox_loaded",
    "guest_started", "guest_ready", "guest_exited", "teardown",
};

/* When each phase was reached (CLOCK_MONOTONIC, ns; 0: not reached).
 * The jail's supervisor shares them and never looks: the child reports
 * them all. */
static uint64_t phase_ns[HUSK_PHASES];

void husk_phase(enum husk_phase p)
{
    if (p < HUSK_PHASES && phase_ns[p] == 0)
        phase_ns[p] = husk_now_ns();
}

/* ns from the start to phase p, or 0 if either was not reached. */
static uint64_t since_start(enum husk_phase p)
{
    if (phase_ns[p] == 0 || phase_ns[HUSK_PHASE_START] == 0)
        return 0;
    return phase_ns[p] - phase_ns[HUSK_PHASE_START];
}

void husk_phases_debug(void)
{
    if (!husk_log_enabled(HUSK_LOG_DEBUG))
        return;
    char line[512];
    int n = 0;
    for (int p = HUSK_PHASE_ARGS_PARSED; p < HUSK_PHASES; p++) {
        if (phase_ns[p] == 0 || n >= (int)sizeof(line))
            continue;
        uint64_t us = since_start((enum husk_phase)p) / 1000;
        n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s %llu.%03llu",
                      n > 0 ? ", " : "", phase_names[p],
                      (unsigned long long)(us / 1000),
                      (unsigned long long)(us % 1000));
    }
    husk_debugx("phases (ms since start): %s", line);
}

int husk_stats_sandbox_rules(const struct husk_vm *vm, struct husk_rules *rules)
{
    if (vm->cfg->stats != HUSK_STATS_JSON)
        return 0;
    /* The monitor's CPU times and peak memory, its own only. (Which guest
     * pages are resident: guest_pages.c's rule.) */
    return husk_rule_add(rules, SCMP_SYS(getrusage), 1,
                         SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)RUSAGE_SELF));
}

/* How the run ended, as the report names it (husk.h). The exit call says so
 * itself (its status may be any number); every other end has a status
 * of the monitor's own choosing. */
const char *husk_stats_end_reason(const struct husk_vm *vm, int status)
{
    if (vm->end_reason != NULL)
        return vm->end_reason;
    switch (status) {
    case HUSK_EXIT_TIMEOUT:
        return "timeout";
    case HUSK_EXIT_MONITOR:
        return "monitor_error";
    case HUSK_EXIT_ABORT:
        return "abort";
    case HUSK_EXIT_CRASH:
        return "crash";
    case HUSK_EXIT_VIOLATION:
        return "violation";
    }
    return status > 128 ? "signal" : "unknown";
}

/* KVM's exit reasons by number (linux/kvm.h), those a guest here can
 * cause; any other is reported as "reason_N". */
static const char *kvm_exit_name(unsigned r, char *buf, size_t len)
{
    switch (r) {
    case KVM_EXIT_IO:
        return "io";
    case KVM_EXIT_HLT:
        return "hlt";
    case KVM_EXIT_MMIO:
        return "mmio";
    case KVM_EXIT_SHUTDOWN:
        return "shutdown";
    case KVM_EXIT_FAIL_ENTRY:
        return "fail_entry";
    case KVM_EXIT_INTR:
        return "intr";
    case KVM_EXIT_INTERNAL_ERROR:
        return "internal_error";
    }
    snprintf(buf, len,
             r == HUSK_EXIT_REASONS - 1 ? "reason_%u_or_more" : "reason_%u", r);
    return buf;
}

static void exits_json(const struct husk_vm *vm, struct husk_json *j)
{
    husk_json_begin(j, "exits");
    husk_json_u64(j, "total", vm->exits);
    husk_json_begin(j, "by_reason");
    if (vm->backend == HUSK_BACKEND_KVM) {
        for (unsigned r = 0; r < HUSK_EXIT_REASONS; r++) {
            char name[32];
            if (vm->exit_reasons[r] != 0)
                husk_json_u64(j, kvm_exit_name(r, name, sizeof(name)),
                              vm->exit_reasons[r]);
        }
    } else {
        /* The process backend leaves the guest only by a call (a fault
         * or a stop ends the run), so every "exit" is a hypercall. */
        husk_json_u64(j, "hypercall", vm->exits);
    }
    husk_json_end(j);
    husk_json_end(j);
}

static void calls_json(const struct husk_vm *vm, struct husk_json *j)
{
    husk_json_begin(j, "hypercalls");
    husk_json_u64(j, "total", vm->hypercalls);
    /* Every call registered for this run, made or not: the keys depend
     * on the backend and the devices, not on what the guest did. */
    husk_json_begin(j, "by_name");
    for (unsigned nr = 0; nr < HUSK_HC_MAX; nr++)
        if (vm->calls[nr].name != NULL)
            husk_json_u64(j, vm->calls[nr].name, vm->calls_made[nr]);
    husk_json_end(j);
    husk_json_end(j);
}

static uint64_t timeval_ns(struct timeval tv)
{
    return (uint64_t)tv.tv_sec * 1000000000ULL + (uint64_t)tv.tv_usec * 1000;
}

static void time_json(const struct husk_vm *vm, const struct rusage *ru,
                      bool have_ru, struct husk_json *j)
{
    uint64_t started = phase_ns[HUSK_PHASE_GUEST_STARTED];
    uint64_t exited = phase_ns[HUSK_PHASE_GUEST_EXITED];
    uint64_t run = started != 0 && exited >= started ? exited - started : 0;
    husk_json_begin(j, "time_ns");
    husk_json_u64(j, "wall", since_start(HUSK_PHASE_TEARDOWN));
    husk_json_u64(j, "setup", since_start(HUSK_PHASE_GUEST_STARTED));
    husk_json_u64(j, "run", run);
    if (vm->timing) {
        uint64_t guest = vm->guest_ns < run ? vm->guest_ns : run;
        husk_json_u64(j, "guest", guest);
        husk_json_u64(j, "monitor", run - guest);
    } else {
        husk_json_null(j, "guest");
        husk_json_null(j, "monitor");
    }
    if (have_ru) {
        husk_json_u64(j, "user", timeval_ns(ru->ru_utime));
        husk_json_u64(j, "sys", timeval_ns(ru->ru_stime));
    } else {
        husk_json_null(j, "user");
        husk_json_null(j, "sys");
    }
    husk_json_end(j);
}

/* Bytes of guest memory resident now (touched and not given back); -1
 * if unknown. */
static int64_t guest_resident(const struct husk_vm *vm)
{
    int64_t pages = husk_guest_pages_each(vm, NULL, NULL);
    return pages < 0 ? -1 : pages * (int64_t)HUSK_PAGE_SIZE;
}

static void memory_json(const struct husk_vm *vm, const struct rusage *ru,
                        bool have_ru, struct husk_json *j)
{
    husk_json_begin(j, "memory");
    husk_json_u64(j, "guest_bytes", vm->mem_size);
    int64_t resident = guest_resident(vm);
    if (resident >= 0)
        husk_json_u64(j, "guest_resident_bytes", (uint64_t)resident);
    else
        husk_json_null(j, "guest_resident_bytes");
    if (have_ru) /* Linux: in KiB */
        husk_json_u64(j, "monitor_max_rss_bytes",
                      (uint64_t)ru->ru_maxrss * 1024);
    else
        husk_json_null(j, "monitor_max_rss_bytes");
    husk_json_end(j);
}

static void console_json(const struct husk_vm *vm, struct husk_json *j)
{
    husk_json_begin(j, "console");
    husk_json_u64(j, "writes", vm->console.writes);
    husk_json_u64(j, "stdout_bytes", vm->console.stdout_bytes);
    husk_json_u64(j, "stderr_bytes", vm->console.stderr_bytes);
    husk_json_u64(j, "dropped_bytes", vm->console_dropped);
    husk_json_u64(j, "reads", vm->console.reads);
    husk_json_u64(j, "stdin_bytes", vm->console.stdin_bytes);
    husk_json_end(j);
}

static void phases_json(struct husk_json *j)
{
    husk_json_begin(j, "phases_ns");
    for (int p = HUSK_PHASE_ARGS_PARSED; p < HUSK_PHASES; p++)
        if (phase_ns[p] != 0)
            husk_json_u64(j, phase_names[p], since_start((enum husk_phase)p));
    husk_json_end(j);
}

void husk_stats_json(struct husk_vm *vm, int status)
{
    /* Room for every call and device with long names; the unit tests
     * fill it the most a run can. */
    static char buf[16384];
    struct husk_json j;
    struct rusage ru;
    bool have_ru = getrusage(RUSAGE_SELF, &ru) == 0;
    husk_phase(HUSK_PHASE_TEARDOWN);

    husk_json_init(&j, buf, sizeof(buf));
    husk_json_begin(&j, NULL);
    husk_json_u64(&j, "stats_version", STATS_VERSION);
    husk_json_str(&j, "backend",
                  vm->backend == HUSK_BACKEND_KVM ? "kvm" : "process");
    husk_json_begin(&j, "exit");
    husk_json_str(&j, "reason", husk_stats_end_reason(vm, status));
    husk_json_i64(&j, "status", status);
    if (vm->message[0] != '\0')
        husk_json_str(&j, "message", vm->message);
    husk_json_end(&j);
    exits_json(vm, &j);
    calls_json(vm, &j);
    time_json(vm, &ru, have_ru, &j);
    memory_json(vm, &ru, have_ru, &j);
    console_json(vm, &j);
    husk_devices_stats_json(vm, &j);
    husk_io_stats_json(vm, &j);
    phases_json(&j);
    husk_json_end(&j);
    if (husk_json_finish(&j) != 0) {
        husk_errx("stats: the JSON report does not fit in %zu bytes (a "
                  "bug in husk)",
                  sizeof(buf));
        return;
    }
    husk_log_raw(buf, j.len);
}
