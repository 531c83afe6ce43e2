/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_hypercall.c: husk_gpa_range (monitor/gpa.c), husk_hc_register and
 * husk_hc_dispatch (monitor/hypercall.c) on a fake VM, with a probe
 * handler that records what it was given.
 */
#include <stdio.h>

#include "fakevm.h"
#include "unit.h"

/* ---- husk_gpa_range ---- */

TEST(gpa_range_inside)
{
    struct husk_vm *vm = fakevm_new();
    CHECK(husk_gpa_range(vm, HUSK_LOAD_MIN, 0) == vm->mem + HUSK_LOAD_MIN);
    CHECK(husk_gpa_range(vm, HUSK_LOAD_MIN, FAKEVM_MEM - HUSK_LOAD_MIN) ==
          vm->mem + HUSK_LOAD_MIN);
    CHECK(husk_gpa_range(vm, HUSK_LOAD_MIN + 0x1234, 8) ==
          vm->mem + HUSK_LOAD_MIN + 0x1234);
    CHECK(husk_gpa_range(vm, FAKEVM_MEM - 1, 1) == vm->mem + FAKEVM_MEM - 1);
    /* An empty range at the very end is inside. */
    CHECK(husk_gpa_range(vm, FAKEVM_MEM, 0) == vm->mem + FAKEVM_MEM);
}

TEST(gpa_range_monitor_area)
{
    /* Page 0, the GDT, the page tables and the gap up to the image are the
     * monitor's: no hypercall may point there. */
    struct husk_vm *vm = fakevm_new();
    CHECK(husk_gpa_range(vm, 0, 0) == NULL);
    CHECK(husk_gpa_range(vm, 0, FAKEVM_MEM) == NULL);
    CHECK(husk_gpa_range(vm, HUSK_PML4_GPA, 8) == NULL);
    CHECK(husk_gpa_range(vm, HUSK_BOOT_GPA - 8, 16) == NULL);
    CHECK(husk_gpa_range(vm, HUSK_BOOT_END - 8, 16) == NULL);
    CHECK(husk_gpa_range(vm, HUSK_LOAD_MIN - 8, 16) == NULL);
}

TEST(gpa_range_boot_area_never_written)
{
    /* Nothing below the image may be written by a hypercall: not the
     * boot data, not the exception stub (a block read there would let the
     * guest swallow its faults), not the exception stack. */
    struct husk_vm *vm = fakevm_new();
    CHECK(husk_gpa_range(vm, HUSK_BOOT_GPA, 8) == NULL);
    CHECK(husk_gpa_range(vm, HUSK_BOOT_GPA + 0x2000, 16) == NULL); /* argv */
    CHECK(husk_gpa_range(vm, HUSK_TRAP_CODE_GPA, HUSK_PAGE_SIZE) == NULL);
    CHECK(husk_gpa_range(vm, HUSK_TRAP_CODE_GPA + 0x40, 1) == NULL);
    CHECK(husk_gpa_range(vm, HUSK_TRAP_STACK_TOP - 64, 64) == NULL);
    CHECK(husk_gpa_range(vm, HUSK_BOOT_END - 8, 8) == NULL);
    CHECK(husk_gpa_range(vm, HUSK_LOAD_MIN - 1, 1) == NULL);
}

TEST(gpa_range_ro_boot_data)
{
    /* Read-only: the boot information, argv, its strings and the program
     * headers (a program may print argv[0] from where it is), and the
     * guest's own memory; never the stub, the stack or the page tables. */
    struct husk_vm *vm = fakevm_new();
    CHECK(husk_gpa_range_ro(vm, HUSK_BOOT_GPA, 8) == vm->mem + HUSK_BOOT_GPA);
    CHECK(husk_gpa_range_ro(vm, HUSK_BOOT_GPA,
                            HUSK_TRAP_CODE_GPA - HUSK_BOOT_GPA) ==
          vm->mem + HUSK_BOOT_GPA);
    CHECK(husk_gpa_range_ro(vm, HUSK_LOAD_MIN + 8, 8) ==
          vm->mem + HUSK_LOAD_MIN + 8);
    CHECK(husk_gpa_range_ro(vm, FAKEVM_MEM - 1, 1) == vm->mem + FAKEVM_MEM - 1);
    CHECK(husk_gpa_range_ro(vm, HUSK_TRAP_CODE_GPA, 16) == NULL);
    CHECK(husk_gpa_range_ro(vm, HUSK_TRAP_CODE_GPA - 8, 16) == NULL);
    CHECK(husk_gpa_range_ro(vm, HUSK_TRAP_STACK_TOP - 64, 64) == NULL);
    CHECK(husk_gpa_range_ro(vm, HUSK_BOOT_GPA - 8, 8) == NULL);
    CHECK(husk_gpa_range_ro(vm, HUSK_PML4_GPA, 8) == NULL);
    CHECK(husk_gpa_range_ro(vm, HUSK_BOOT_END, 8) == NULL);
    CHECK(husk_gpa_range_ro(vm, FAKEVM_MEM, 1) == NULL);
    CHECK(husk_gpa_range_ro(vm, UINT64_MAX - 7, 16) == NULL);
    CHECK(husk_gpa_range_ro(vm, HUSK_BOOT_GPA, UINT64_MAX) == NULL);
}

TEST(gpa_range_ro_environment)
{
    /* The environment's pages after the exception stack (bootinfo.c):
     * read-only like argv (a program may print getenv's string as it
     * is), never written, and no range may run from the stack into it. */
    struct husk_vm *vm = fakevm_new();
    CHECK(husk_gpa_range_ro(vm, HUSK_TRAP_STACK_TOP, 8) ==
          vm->mem + HUSK_TRAP_STACK_TOP);
    CHECK(husk_gpa_range_ro(vm, HUSK_TRAP_STACK_TOP,
                            HUSK_BOOT_END - HUSK_TRAP_STACK_TOP) ==
          vm->mem + HUSK_TRAP_STACK_TOP);
    CHECK(husk_gpa_range_ro(vm, HUSK_TRAP_STACK_TOP - 8, 16) == NULL);
    CHECK(husk_gpa_range_ro(vm, HUSK_BOOT_END - 8, 16) == NULL);
    CHECK(husk_gpa_range(vm, HUSK_TRAP_STACK_TOP, 8) == NULL);
    CHECK(husk_gpa_range(vm, HUSK_BOOT_END - 8, 8) == NULL);
}

TEST(gpa_fault_frame_on_the_exception_stack)
{
    /* The stub's frame: anywhere on the exception stack, or the guest's
     * own memory; not the stub itself nor the boot data. */
    struct husk_vm *vm = fakevm_new();
    uint64_t frame = sizeof(struct husk_hc_fault);
    CHECK(husk_gpa_fault_frame(vm, HUSK_TRAP_STACK_TOP - frame, frame) ==
          vm->mem + HUSK_TRAP_STACK_TOP - frame);
    CHECK(
        husk_gpa_fault_frame(vm, HUSK_TRAP_STACK_TOP - HUSK_PAGE_SIZE, frame) ==
        vm->mem + HUSK_TRAP_STACK_TOP - HUSK_PAGE_SIZE);
    CHECK(husk_gpa_fault_frame(vm, HUSK_LOAD_MIN, frame) ==
          vm->mem + HUSK_LOAD_MIN);
    CHECK(husk_gpa_fault_frame(vm, HUSK_TRAP_STACK_TOP - 8, frame) == NULL);
    CHECK(husk_gpa_fault_frame(vm, HUSK_TRAP_CODE_GPA, frame) == NULL);
    CHECK(husk_gpa_fault_frame(vm, HUSK_TRAP_CODE_GPA + HUSK_PAGE_SIZE - 8,
                               frame) == NULL);
    CHECK(husk_gpa_fault_frame(vm, HUSK_BOOT_GPA, frame) == NULL);
}

TEST(gpa_range_outside)
{
    struct husk_vm *vm = fakevm_new();
    CHECK(husk_gpa_range(vm, FAKEVM_MEM, 1) == NULL);
    CHECK(husk_gpa_range(vm, FAKEVM_MEM + 1, 0) == NULL);
    CHECK(husk_gpa_range(vm, FAKEVM_MEM - 1, 2) == NULL);
    CHECK(husk_gpa_range(vm, 0, FAKEVM_MEM + 1) == NULL);
    CHECK(husk_gpa_range(vm, HUSK_HC_BASE, 8) == NULL);
}

TEST(gpa_range_overflow)
{
    struct husk_vm *vm = fakevm_new();
    /* gpa + len wraps around to a small number: still outside. */
    CHECK(husk_gpa_range(vm, UINT64_MAX, 2) == NULL);
    CHECK(husk_gpa_range(vm, UINT64_MAX - 7, 16) == NULL);
    CHECK(husk_gpa_range(vm, UINT64_MAX, 0) == NULL);
    CHECK(husk_gpa_range(vm, 8, UINT64_MAX) == NULL);
    CHECK(husk_gpa_range(vm, 0, UINT64_MAX) == NULL);
    CHECK(husk_gpa_range(vm, 1ULL << 63, 1ULL << 63) == NULL);
}

/* ---- husk_hc_register ---- */

static enum husk_hc_result nop(struct husk_vm *vm, void *arg)
{
    (void)vm;
    (void)arg;
    return HUSK_HC_DONE;
}

TEST(hc_register_numbers)
{
    struct husk_vm *vm = fakevm_new();
    CHECK_EQ(husk_hc_register(vm, 0, "zero", 8, nop), -1);
    CHECK_EQ(husk_hc_register(vm, HUSK_HC_MAX, "max", 8, nop), -1);
    CHECK_EQ(husk_hc_register(vm, 1000, "big", 8, nop), -1);
    CHECK_EQ(husk_hc_register(vm, UINT32_MAX, "huge", 8, nop), -1);
    CHECK_EQ(husk_hc_register(vm, 1, "first", 8, nop), 0);
    CHECK_EQ(husk_hc_register(vm, HUSK_HC_MAX - 1, "last", 8, nop), 0);
    CHECK_STREQ(vm->calls[HUSK_HC_MAX - 1].name, "last");
    CHECK_EQ(vm->calls[HUSK_HC_MAX - 1].arg_size, 8);
}

TEST(hc_register_duplicate)
{
    struct husk_vm *vm = fakevm_new();
    CHECK_EQ(husk_hc_register(vm, 5, "one", 8, nop), 0);
    CHECK_EQ(husk_hc_register(vm, 5, "two", 16, nop), -1);
    CHECK_STREQ(vm->calls[5].name, "one"); /* the first one stays */
    CHECK_EQ(vm->calls[5].arg_size, 8);
}

TEST(hc_register_sizes)
{
    struct husk_vm *vm = fakevm_new();
    CHECK_EQ(husk_hc_register(vm, 1, "empty", 0, nop), -1);
    CHECK_EQ(husk_hc_register(vm, 1, "odd", 12, nop), -1);
    CHECK_EQ(husk_hc_register(vm, 1, "four", 4, nop), -1);
    CHECK_EQ(husk_hc_register(vm, 1, "big", 264, nop), -1);
    CHECK_EQ(husk_hc_register(vm, 1, "huge", SIZE_MAX - 7, nop), -1);
    CHECK(vm->calls[1].fn == NULL); /* failures leave the slot empty */
    CHECK_EQ(husk_hc_register(vm, 1, "max", 256, nop), 0);
    CHECK_EQ(husk_hc_register(vm, 2, "min", 8, nop), 0);
}

/* ---- husk_hc_dispatch with a probe handler ---- */

#define PROBE_NR 13 /* no real call: the fault call's frame is special */
#define ARG_GPA 0x200000ULL

struct probe_arg {
    uint64_t in;  /* IN */
    uint64_t out; /* OUT: in + 1 */
};

static enum husk_hc_result probe_result;
static unsigned probe_calls;
static struct probe_arg probe_seen;
static bool probe_copy_stable;

static enum husk_hc_result probe(struct husk_vm *vm, void *arg)
{
    struct probe_arg *a = arg;
    probe_calls++;
    probe_seen = *a;
    /* The guest rewrites its struct during the call (another thread, say):
     * the handler works on a copy, which must not change. */
    struct probe_arg *g = (void *)(vm->mem + ARG_GPA);
    g->in = 0xbad;
    probe_copy_stable = a->in != 0xbad;
    a->out = a->in + 1;
    if (probe_result == HUSK_HC_STOP)
        vm->exit_code = 7;
    if (probe_result == HUSK_HC_VIOLATION)
        return husk_violation(vm, "probe: in %llu is not allowed",
                              (unsigned long long)a->in);
    return probe_result;
}

static struct husk_vm *probe_vm(enum husk_hc_result result)
{
    struct husk_vm *vm = fakevm_new();
    CHECK_EQ(husk_hc_register(vm, PROBE_NR, "probe", sizeof(struct probe_arg),
                              probe),
             0);
    probe_result = result;
    probe_calls = 0;
    struct probe_arg a = {.in = 41, .out = 0};
    memcpy(vm->mem + ARG_GPA, &a, sizeof(a));
    return vm;
}

static struct probe_arg guest_arg(struct husk_vm *vm)
{
    struct probe_arg a;
    memcpy(&a, vm->mem + ARG_GPA, sizeof(a));
    return a;
}

/* A violation: exit 159, a message with these words, no handler call. */
#define CHECK_VIOLATION(vm, r, words)                   \
    do {                                                \
        CHECK_EQ(r, HUSK_HC_VIOLATION);                 \
        CHECK_EQ((vm)->exit_code, HUSK_EXIT_VIOLATION); \
        CHECK_HAS((vm)->message, words);                \
        CHECK(strchr((vm)->message, '\n') == NULL);     \
        CHECK_EQ(probe_calls, 0);                       \
    } while (0)

TEST(hc_dispatch_done_copies_back)
{
    struct husk_vm *vm = probe_vm(HUSK_HC_DONE);
    CHECK_EQ(fakevm_call(vm, PROBE_NR, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(probe_calls, 1);
    CHECK_EQ(probe_seen.in, 41);
    CHECK(probe_copy_stable);
    struct probe_arg a = guest_arg(vm);
    CHECK_EQ(a.out, 42);
    CHECK_EQ(a.in, 41); /* the whole copy goes back, over the guest's 0xbad */
    CHECK_EQ(vm->exit_code, 0);
    CHECK_STREQ(vm->message, "");
}

TEST(hc_dispatch_stop_no_copy_back)
{
    struct husk_vm *vm = probe_vm(HUSK_HC_STOP);
    CHECK_EQ(fakevm_call(vm, PROBE_NR, ARG_GPA), HUSK_HC_STOP);
    CHECK_EQ(probe_calls, 1);
    CHECK_EQ(vm->exit_code, 7);
    struct probe_arg a = guest_arg(vm);
    CHECK_EQ(a.out, 0);
    CHECK_EQ(a.in, 0xbad);
}

TEST(hc_dispatch_handler_violation_no_copy_back)
{
    struct husk_vm *vm = probe_vm(HUSK_HC_VIOLATION);
    CHECK_EQ(fakevm_call(vm, PROBE_NR, ARG_GPA), HUSK_HC_VIOLATION);
    CHECK_EQ(vm->exit_code, HUSK_EXIT_VIOLATION);
    CHECK_STREQ(vm->message, "probe: in 41 is not allowed");
    CHECK_EQ(guest_arg(vm).out, 0);
}

TEST(hc_dispatch_arg_at_memory_edges)
{
    struct husk_vm *vm = probe_vm(HUSK_HC_DONE);
    uint64_t last = FAKEVM_MEM - sizeof(struct probe_arg);
    CHECK_EQ(fakevm_call(vm, PROBE_NR, last), HUSK_HC_DONE);
    CHECK_EQ(probe_calls, 1);
    uint64_t out;
    memcpy(&out, vm->mem + last + 8, sizeof(out));
    CHECK_EQ(out, 1);
}

TEST(hc_dispatch_store_outside_page)
{
    struct husk_vm *vm = probe_vm(HUSK_HC_DONE);
    enum husk_hc_result r =
        fakevm_access(vm, HUSK_HC_BASE + 0x1000, 8, true, ARG_GPA);
    CHECK_VIOLATION(vm, r,
                    "store of 8 bytes at 0x800001000, which is neither "
                    "guest memory nor the hypercall page");
    vm = probe_vm(HUSK_HC_DONE);
    r = fakevm_access(vm, HUSK_HC_BASE - 8, 8, true, ARG_GPA);
    CHECK_VIOLATION(vm, r, "store of 8 bytes at 0x7fffffff8, which is neither");
    vm = probe_vm(HUSK_HC_DONE);
    r = fakevm_access(vm, FAKEVM_MEM, 4, false, 0); /* just past memory */
    CHECK_VIOLATION(vm, r, "load of 4 bytes at 0x400000, which is neither");
    vm = probe_vm(HUSK_HC_DONE);
    r = fakevm_access(vm, UINT64_MAX, 1, true, 0);
    CHECK_VIOLATION(vm, r, "at 0xffffffffffffffff, which is neither");
    vm = probe_vm(HUSK_HC_DONE);
    r = fakevm_access(vm, HUSK_HC_BASE + 0x1fffff, 1, true, 0);
    CHECK_VIOLATION(vm, r, "at 0x8001fffff, which is neither");
}

TEST(hc_dispatch_load_from_page)
{
    struct husk_vm *vm = probe_vm(HUSK_HC_DONE);
    enum husk_hc_result r =
        fakevm_access(vm, HUSK_HC_BASE + 8 * PROBE_NR, 8, false, 0);
    CHECK_VIOLATION(vm, r,
                    "load of 8 bytes at hypercall page offset 0x68; a "
                    "hypercall is an aligned 8-byte store");
}

TEST(hc_dispatch_wrong_length)
{
    static const uint32_t lens[] = {1, 2, 4, 16, 0};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        struct husk_vm *vm = probe_vm(HUSK_HC_DONE);
        enum husk_hc_result r = fakevm_access(vm, HUSK_HC_BASE + 8 * PROBE_NR,
                                              lens[i], true, ARG_GPA);
        char want[80];
        snprintf(want, sizeof(want),
                 "store of %u bytes at hypercall page offset 0x68", lens[i]);
        CHECK_VIOLATION(vm, r, want);
    }
}

TEST(hc_dispatch_misaligned_offset)
{
    struct husk_vm *vm = probe_vm(HUSK_HC_DONE);
    enum husk_hc_result r =
        fakevm_access(vm, HUSK_HC_BASE + 8 * PROBE_NR + 4, 8, true, ARG_GPA);
    CHECK_VIOLATION(vm, r,
                    "store of 8 bytes at hypercall page offset 0x6c; "
                    "a hypercall is an aligned 8-byte store");
    vm = probe_vm(HUSK_HC_DONE);
    r = fakevm_access(vm, HUSK_HC_BASE + 0xfff, 8, true, ARG_GPA);
    CHECK_VIOLATION(vm, r, "hypercall page offset 0xfff");
}

TEST(hc_dispatch_unknown_number)
{
    static const unsigned nrs[] = {
        0, 1, PROBE_NR + 1, HUSK_HC_MAX - 1, HUSK_HC_MAX, 511};
    for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
        struct husk_vm *vm = probe_vm(HUSK_HC_DONE);
        char want[40];
        snprintf(want, sizeof(want), "unknown hypercall %u", nrs[i]);
        enum husk_hc_result r = fakevm_call(vm, nrs[i], ARG_GPA);
        CHECK_VIOLATION(vm, r, want);
        CHECK_STREQ(vm->message, want);
    }
}

TEST(hc_dispatch_arg_unaligned)
{
    static const uint64_t args[] = {ARG_GPA + 4, ARG_GPA + 1, 7, UINT64_MAX};
    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        struct husk_vm *vm = probe_vm(HUSK_HC_DONE);
        char want[80];
        snprintf(want, sizeof(want),
                 "probe: argument 0x%llx is not 8-byte aligned",
                 (unsigned long long)args[i]);
        CHECK_VIOLATION(vm, fakevm_call(vm, PROBE_NR, args[i]), want);
    }
}

TEST(hc_dispatch_arg_outside_memory)
{
    struct husk_vm *vm = probe_vm(HUSK_HC_DONE);
    CHECK_VIOLATION(vm, fakevm_call(vm, PROBE_NR, FAKEVM_MEM),
                    "probe: argument 0x400000+16 lies outside guest memory "
                    "(4 MiB)");
    vm = probe_vm(HUSK_HC_DONE);
    CHECK_VIOLATION(vm, fakevm_call(vm, PROBE_NR, HUSK_HC_BASE),
                    "probe: argument 0x800000000+16 lies outside");
}

TEST(hc_dispatch_arg_straddles_end)
{
    struct husk_vm *vm = probe_vm(HUSK_HC_DONE);
    CHECK_VIOLATION(vm, fakevm_call(vm, PROBE_NR, FAKEVM_MEM - 8),
                    "probe: argument 0x3ffff8+16 lies outside guest memory");
}

TEST(hc_dispatch_arg_wraps)
{
    struct husk_vm *vm = probe_vm(HUSK_HC_DONE);
    CHECK_VIOLATION(vm, fakevm_call(vm, PROBE_NR, UINT64_MAX - 7),
                    "probe: argument 0xfffffffffffffff8+16 lies outside");
}

TEST(hc_dispatch_arg_in_monitor_area)
{
    /* docs/abi.md: [0x1000, 0x40000) holds the GDT, TSS and page tables,
     * supervisor pages the guest cannot touch. The dispatcher copies the
     * argument struct back there on DONE, so an argument in that range
     * would let the guest write its own page tables through the monitor.
     * It must be a violation. */
    static const uint64_t args[] = {
        0, 0x1000, 0x3000, 0x5000, HUSK_BOOT_GPA - 16,
        /* boot information, argv */
        HUSK_BOOT_GPA, HUSK_BOOT_GPA + 0x1000,
        /* the exception stub and its stack */
        HUSK_TRAP_CODE_GPA, HUSK_TRAP_STACK_TOP - 16, HUSK_LOAD_MIN - 16};
    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        struct husk_vm *vm = probe_vm(HUSK_HC_DONE);
        enum husk_hc_result r = fakevm_call(vm, PROBE_NR, args[i]);
        if (r != HUSK_HC_VIOLATION)
            FAIL("argument at 0x%llx was accepted (result %d); on DONE the "
                 "monitor copies it back into its own structures",
                 (unsigned long long)args[i], (int)r);
        CHECK_EQ(probe_calls, 0);
    }
}

TEST(hc_dispatch_fault_frame_read_not_written)
{
    /* The fault call's frame is on the exception stack, below the image:
     * read from there, and never written back (the real handler stops the
     * guest anyway). Any other call with its argument there is refused. */
    struct husk_vm *vm = fakevm_new();
    CHECK_EQ(husk_hc_register(vm, HUSK_HC_FAULT, "fault",
                              sizeof(struct probe_arg), probe),
             0);
    CHECK_EQ(husk_hc_register(vm, PROBE_NR, "probe", sizeof(struct probe_arg),
                              probe),
             0);
    probe_result = HUSK_HC_DONE;
    probe_calls = 0;
    uint64_t frame = HUSK_TRAP_STACK_TOP - sizeof(struct probe_arg);
    struct probe_arg a = {.in = 41, .out = 0}, after;
    memcpy(vm->mem + frame, &a, sizeof(a));
    CHECK_EQ(fakevm_call(vm, HUSK_HC_FAULT, frame), HUSK_HC_DONE);
    CHECK_EQ(probe_calls, 1);
    CHECK_EQ(probe_seen.in, 41);
    memcpy(&after, vm->mem + frame, sizeof(after));
    CHECK_EQ(after.out, 0); /* not written back */
    probe_calls = 0;
    CHECK_VIOLATION(vm, fakevm_call(vm, PROBE_NR, frame),
                    "probe: argument 0x45ff0+16 lies outside guest memory");
    /* Nor may the fault call name the stub. */
    vm = probe_vm(HUSK_HC_DONE);
    CHECK_EQ(husk_hc_register(vm, HUSK_HC_FAULT, "fault",
                              sizeof(struct probe_arg), probe),
             0);
    CHECK_VIOLATION(vm, fakevm_call(vm, HUSK_HC_FAULT, HUSK_TRAP_CODE_GPA),
                    "fault: argument 0x44000+16 lies outside guest memory");
}

TEST(hc_violation_message)
{
    struct husk_vm *vm = fakevm_new();
    char big[1000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_EQ(husk_violation(vm, "long: %s", big), HUSK_HC_VIOLATION);
    CHECK_EQ(vm->exit_code, HUSK_EXIT_VIOLATION);
    CHECK_EQ(strlen(vm->message), sizeof(vm->message) - 1); /* truncated */
}
