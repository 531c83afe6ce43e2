/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_supervisor_filter.c: the supervisor's program, compiled at build
 * time with placeholders (monitor/gen/supervisor_filter.c) and given its
 * values at run time (husk_supervisor_patch), decides every system call
 * as what libseccomp builds from the same rules with the values
 * themselves: libseccomp stays the source of truth. Decides, not
 * matches: libseccomp orders a system call's comparisons by their values,
 * so the two programs' instructions differ where the pids lie in another
 * order than the placeholders; both run here, on a small interpreter of
 * the instructions libseccomp emits, over every system call number and
 * the arguments that matter.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "supervisor_filter.h"
#include "supervisor_rules.h"
#include "unit.h"

#define LEN \
    (sizeof(husk_supervisor_program) / sizeof(husk_supervisor_program[0]))

/* What libseccomp makes of the rules with v's values, into out. */
static size_t compile(const struct husk_supervisor_values *v,
                      struct sock_filter *out, size_t max)
{
    uint32_t helpers[HUSK_DEVICES_MAX];
    for (unsigned i = 0; i < HUSK_DEVICES_MAX; i++)
        helpers[i] = i < v->helper_count ? v->helpers[i] : HUSK_SUP_HELPER(i);
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    CHECK(ctx != NULL);
    CHECK(husk_supervisor_rules(ctx, v->self, v->child, v->loaded, helpers) ==
          0);
    FILE *f = tmpfile();
    CHECK(f != NULL && seccomp_export_bpf(ctx, fileno(f)) == 0);
    rewind(f);
    size_t n = fread(out, sizeof(*out), max, f);
    fclose(f);
    seccomp_release(ctx);
    return n;
}

/* Run program f on d: the action it returns. Only what libseccomp emits
 * for equality rules: loads of the data, jumps on constants, returns. */
static uint32_t run(const struct sock_filter *f, size_t n,
                    const struct seccomp_data *d)
{
    uint32_t a = 0;
    for (size_t pc = 0; pc < n; pc++) {
        const struct sock_filter *i = &f[pc];
        switch (i->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            CHECK(i->k + 4 <= sizeof(*d) && i->k % 4 == 0);
            memcpy(&a, (const uint8_t *)d + i->k, 4);
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += a == i->k ? i->jt : i->jf;
            break;
        case BPF_JMP | BPF_JGT | BPF_K:
            pc += a > i->k ? i->jt : i->jf;
            break;
        case BPF_JMP | BPF_JGE | BPF_K:
            pc += a >= i->k ? i->jt : i->jf;
            break;
        case BPF_JMP | BPF_JSET | BPF_K:
            pc += (a & i->k) != 0 ? i->jt : i->jf;
            break;
        case BPF_JMP | BPF_JA:
            pc += i->k;
            break;
        case BPF_RET | BPF_K:
            return i->k;
        default:
            FAIL("instruction %zu: code 0x%x, which this test cannot run", pc,
                 i->code);
        }
    }
    FAIL("the program ran off its end");
}

/* The values an argument is tried with: each value of v, its
 * neighbours, their halves swapped, and the constants of the rules. */
static size_t candidates(const struct husk_supervisor_values *v, uint64_t *out)
{
    size_t n = 0;
    uint64_t base[8 + HUSK_DEVICES_MAX];
    size_t b = 0;
    base[b++] = v->self;
    base[b++] = v->child;
    base[b++] = v->loaded;
    base[b++] = 0;
    base[b++] = P_PID;
    base[b++] = 9;   /* SIGKILL */
    base[b++] = 129; /* FUTEX_WAKE_PRIVATE */
    base[b++] = 2;   /* stderr */
    for (unsigned i = 0; i < v->helper_count; i++)
        base[b++] = v->helpers[i];
    for (size_t i = 0; i < b; i++) {
        out[n++] = base[i];
        out[n++] = base[i] + 1;
        out[n++] = base[i] - 1;
        out[n++] = base[i] | (1ULL << 32);
        out[n++] = (base[i] << 32) | (base[i] >> 32);
    }
    return n;
}

static void check_values(const struct husk_supervisor_values *v)
{
    struct sock_filter fixed[LEN], built[LEN + 64];
    memcpy(fixed, husk_supervisor_program, sizeof(fixed));
    CHECK(husk_supervisor_patch(fixed, LEN, v) >= 4);
    size_t n = compile(v, built, sizeof(built) / sizeof(built[0]));
    CHECK(n > 0 && n < sizeof(built) / sizeof(built[0]));
    uint64_t vals[5 * (8 + HUSK_DEVICES_MAX)];
    size_t nv = candidates(v, vals);
    struct seccomp_data d;
    for (int nr = -1; nr < 460; nr++) {
        memset(&d, 0, sizeof(d));
        d.nr = nr;
        d.arch = AUDIT_ARCH_X86_64;
        /* The first two arguments are the ones the rules compare. */
        for (size_t x = 0; x < nv; x++)
            for (size_t y = 0; y < nv; y++) {
                d.args[0] = vals[x];
                d.args[1] = vals[y];
                uint32_t want = run(built, n, &d), got = run(fixed, LEN, &d);
                if (want != got)
                    FAIL("nr %d, args 0x%llx 0x%llx: 0x%x from libseccomp, "
                         "0x%x from the build-time program",
                         nr, (unsigned long long)d.args[0],
                         (unsigned long long)d.args[1], want, got);
            }
    }
    /* Another architecture, and an x32 call, are killed by both. */
    d.nr = 1;
    d.arch = AUDIT_ARCH_I386;
    CHECK_EQ(run(fixed, LEN, &d), run(built, n, &d));
    d.arch = AUDIT_ARCH_X86_64;
    d.nr = 0x40000000 | 1;
    CHECK_EQ(run(fixed, LEN, &d), run(built, n, &d));
    uint32_t action = run(fixed, LEN, &d) & SECCOMP_RET_ACTION_FULL;
    CHECK(action == SECCOMP_RET_KILL_PROCESS ||
          action == SECCOMP_RET_KILL_THREAD);
}

TEST(supervisor_filter_decides_as_libseccomp)
{
    struct husk_supervisor_values v = {
        .self = 4242, .child = 4243, .loaded = 0x00005612345678a0ULL};
    check_values(&v);
    /* With helpers (passt), and at the ends of the ranges. */
    v.helper_count = 2;
    v.helpers[0] = 4240;
    v.helpers[1] = 4241;
    check_values(&v);
    struct husk_supervisor_values w = {.self = 1,
                                       .child = 4194303,
                                       .loaded = 0x00007ffffffff000ULL,
                                       .helper_count = HUSK_DEVICES_MAX};
    for (unsigned i = 0; i < HUSK_DEVICES_MAX; i++)
        w.helpers[i] = 100 + i;
    check_values(&w);
    /* Random ones. */
    srand(7);
    for (int round = 0; round < 6; round++) {
        struct husk_supervisor_values r = {
            .self = 2 + (uint32_t)(rand() % 4000000),
            .loaded = ((uint64_t)(0x5500 + rand() % 0x2a00) << 32) |
                      ((uint32_t)rand() & ~3U),
            .helper_count = (unsigned)(rand() % (HUSK_DEVICES_MAX + 1))};
        r.child = r.self + 1;
        for (unsigned i = 0; i < r.helper_count; i++)
            r.helpers[i] = r.self + 2 + i;
        check_values(&r);
    }
}

TEST(supervisor_filter_child_left_for_later)
{
    /* Before the clone the child's pid is not known: its placeholder
     * stays, for the supervisor to write (supervise.c). */
    struct husk_supervisor_values v = {.self = 10, .loaded = 0x5000ULL << 32};
    struct sock_filter f[LEN];
    memcpy(f, husk_supervisor_program, sizeof(f));
    husk_supervisor_patch(f, LEN, &v);
    unsigned left = 0;
    for (size_t i = 0; i < LEN; i++)
        left += f[i].code == (BPF_JMP | BPF_JEQ | BPF_K) &&
                f[i].k == HUSK_SUP_CHILD;
    CHECK(left >= 3); /* waitid, wait4, kill */
}
