/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_allowlist.c: the monitor's allowlist as a list (monitor/allowlist.c)
 * and the programs compiled from it at build time (gen/monitor_filters.c).
 * Each build-time program, given a run's values, is instruction for
 * instruction what libseccomp compiles at run time from the same list
 * with those values: libseccomp stays the source of truth.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "allowlist.h"
#include "unit.h"

/* Entry e's list, as a run with these values would have gathered it. */
static void list_of(const struct husk_fixed_filter *e, const uint32_t *values,
                    struct husk_rules *r)
{
    husk_rules_init(r, e->refuse);
    CHECK(e->rule_count <= HUSK_RULES_MAX);
    memcpy(r->rule, e->rules, e->rule_count * sizeof(r->rule[0]));
    r->count = e->rule_count;
    for (unsigned i = 0; i < r->count; i++)
        for (unsigned a = 0; a < r->rule[i].argc; a++)
            for (unsigned s = 0; s < HUSK_SLOTS; s++)
                if (r->rule[i].arg[a].datum_a == HUSK_SLOT_PLACEHOLDER(s)) {
                    r->slot_set[s] = true;
                    r->slot_value[s] = values[s];
                }
}

static void check_entry(const struct husk_fixed_filter *e,
                        const uint32_t *values)
{
    static struct husk_rules r;
    static struct husk_program fixed, built;
    list_of(e, values, &r);
    bool was_fixed;
    fixed.len = built.len = 0;
    CHECK(husk_rules_program(&r, husk_fixed_filters, husk_fixed_filter_count,
                             &fixed, &was_fixed) == 0);
    CHECK(was_fixed);
    CHECK(husk_rules_program(&r, NULL, 0, &built, &was_fixed) == 0);
    CHECK(!was_fixed);
    CHECK_EQ(fixed.len, built.len);
    for (unsigned i = 0; i < built.len; i++)
        if (memcmp(&fixed.code[i], &built.code[i], sizeof(built.code[i])) != 0)
            FAIL("program of %u rules, instruction %u: {0x%x, %u, %u, 0x%x} "
                 "at build time, {0x%x, %u, %u, 0x%x} from libseccomp now",
                 e->rule_count, i, fixed.code[i].code, fixed.code[i].jt,
                 fixed.code[i].jf, fixed.code[i].k, built.code[i].code,
                 built.code[i].jt, built.code[i].jf, built.code[i].k);
    /* No placeholder is left in a patched program. */
    for (unsigned i = 0; i < fixed.len; i++)
        for (unsigned s = 0; s < HUSK_SLOTS; s++)
            CHECK(fixed.code[i].k != HUSK_SLOT_PLACEHOLDER(s));
}

TEST(allowlist_build_time_programs_are_libseccomps)
{
    CHECK(husk_fixed_filter_count >= 4);
    static const uint32_t usual[HUSK_SLOTS] = {5, 4242, 4242};
    static const uint32_t ends[HUSK_SLOTS] = {1023, 1, 4194303};
    srand(11);
    for (size_t i = 0; i < husk_fixed_filter_count; i++) {
        check_entry(&husk_fixed_filters[i], usual);
        check_entry(&husk_fixed_filters[i], ends);
        for (int round = 0; round < 4; round++) {
            uint32_t v[HUSK_SLOTS] = {3 + (uint32_t)(rand() % 1000),
                                      2 + (uint32_t)(rand() % 4000000),
                                      2 + (uint32_t)(rand() % 4000000)};
            check_entry(&husk_fixed_filters[i], v);
        }
    }
}

TEST(allowlist_finds_only_the_same_list)
{
    static const uint32_t values[HUSK_SLOTS] = {5, 100, 101};
    const struct husk_fixed_filter *e = &husk_fixed_filters[0];
    static struct husk_rules r;
    list_of(e, values, &r);
    CHECK(husk_rules_find(&r, husk_fixed_filters, husk_fixed_filter_count) ==
          e);
    /* Another action for what is refused. */
    r.refuse ^= 1;
    CHECK(husk_rules_find(&r, husk_fixed_filters, husk_fixed_filter_count) ==
          NULL);
    r.refuse ^= 1;
    /* One comparison's value changed. */
    r.rule[0].arg[0].datum_a ^= 0x100;
    CHECK(husk_rules_find(&r, husk_fixed_filters, husk_fixed_filter_count) ==
          NULL);
    r.rule[0].arg[0].datum_a ^= 0x100;
    /* One rule more: the list a device's run gathers. */
    CHECK(husk_rule_add(&r, SCMP_SYS(pread64), 1, SCMP_A0(SCMP_CMP_EQ, 7)) ==
          0);
    CHECK(husk_rules_find(&r, husk_fixed_filters, husk_fixed_filter_count) ==
          NULL);
    static struct husk_program p;
    bool fixed = true;
    p.len = 0;
    CHECK(husk_rules_program(&r, husk_fixed_filters, husk_fixed_filter_count,
                             &p, &fixed) == 0);
    CHECK(!fixed && p.len > e->len);
}

TEST(allowlist_slot_taken_keeps_the_value)
{
    static struct husk_rules r;
    husk_rules_init(&r, SCMP_ACT_KILL_PROCESS);
    CHECK_EQ(husk_rules_slot(&r, HUSK_SLOT_VCPU_FD, 9),
             HUSK_SLOT_PLACEHOLDER(HUSK_SLOT_VCPU_FD));
    CHECK_EQ(husk_rules_slot(&r, HUSK_SLOT_VCPU_FD, 9),
             HUSK_SLOT_PLACEHOLDER(HUSK_SLOT_VCPU_FD));
    /* Another value for a taken slot: no program has that list. */
    CHECK_EQ(husk_rules_slot(&r, HUSK_SLOT_VCPU_FD, 10), 10);
    CHECK_EQ(r.slot_value[HUSK_SLOT_VCPU_FD], 9);
}

TEST(allowlist_full_list_is_refused)
{
    static struct husk_rules r;
    husk_rules_init(&r, SCMP_ACT_KILL_PROCESS);
    for (unsigned i = 0; i < HUSK_RULES_MAX; i++)
        CHECK(husk_rule_add(&r, SCMP_SYS(write), 1,
                            SCMP_A0(SCMP_CMP_EQ, 100 + i)) == 0);
    CHECK(husk_rule_add(&r, SCMP_SYS(read), 0) == -1);
    CHECK(r.overflow);
    CHECK(husk_rules_compile(&r) == NULL);
    static struct husk_program p;
    bool fixed;
    p.len = 0;
    CHECK(husk_rules_program(&r, husk_fixed_filters, husk_fixed_filter_count,
                             &p, &fixed) == -1);
    /* More comparisons than a rule holds. */
    husk_rules_init(&r, SCMP_ACT_KILL_PROCESS);
    CHECK(husk_rule_add(&r, SCMP_SYS(read), HUSK_RULE_ARGS_MAX + 1,
                        SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A1(SCMP_CMP_EQ, 0),
                        SCMP_A2(SCMP_CMP_EQ, 0),
                        SCMP_A3(SCMP_CMP_EQ, 0)) == -1);
}

TEST(allowlist_program_too_long_for_the_room)
{
    /* What is left after a prefix is too small: refused, not cut. */
    static struct husk_rules r;
    husk_rules_init(&r, SCMP_ACT_KILL_PROCESS);
    CHECK(husk_rule_add(&r, SCMP_SYS(read), 1, SCMP_A0(SCMP_CMP_EQ, 0)) == 0);
    static struct husk_program p;
    bool fixed;
    p.len = BPF_MAXINSNS - 2;
    errno = 0;
    CHECK(husk_rules_program(&r, NULL, 0, &p, &fixed) == -1);
    CHECK_EQ(errno, E2BIG);
    CHECK_EQ(p.len, BPF_MAXINSNS - 2);
}

TEST(allowlist_patch_writes_comparisons_only)
{
    static struct husk_rules r;
    husk_rules_init(&r, SCMP_ACT_KILL_PROCESS);
    husk_rules_slot(&r, HUSK_SLOT_PID, 77);
    uint32_t ph = HUSK_SLOT_PLACEHOLDER(HUSK_SLOT_PID);
    struct sock_filter f[] = {
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ph, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, ph),
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, ph, 0, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ph + HUSK_SLOTS, 0, 0),
    };
    CHECK_EQ(husk_rules_patch(&r, f, 4), 1);
    CHECK_EQ(f[0].k, 77);
    CHECK_EQ(f[1].k, ph);
    CHECK_EQ(f[2].k, ph);
}
