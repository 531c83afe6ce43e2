/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * allowlist.h: the monitor's seccomp allowlist as a plain list of rules.
 * Each part of the monitor adds the system calls it needs (sandbox.c
 * gathers them); the list is then either matched against the programs
 * libseccomp compiled at build time (gen/monitor_filters.c) and loaded
 * with one system call, or, for a configuration no build-time program
 * covers, compiled with libseccomp at run time. Either way libseccomp is
 * the compiler and this list the source.
 */
#ifndef HUSK_ALLOWLIST_H
#define HUSK_ALLOWLIST_H

#include <linux/filter.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HUSK_RULES_MAX 128
#define HUSK_RULE_ARGS_MAX 3

/* One allowed system call, on these argument comparisons (all must
 * hold). Zeroed before it is filled: lists are compared with memcmp. */
struct husk_rule {
    int32_t nr;
    uint32_t argc;
    struct scmp_arg_cmp arg[HUSK_RULE_ARGS_MAX];
};

/* Values only a run knows. A rule compares with the slot's placeholder;
 * the value goes in when the program is patched or compiled. */
enum husk_rule_slot {
    HUSK_SLOT_VCPU_FD, /* KVM: the vCPU's fd */
    HUSK_SLOT_PID,     /* the process backend's stop signals (tgkill) */
    HUSK_SLOT_TID,
    HUSK_SLOTS
};
/* Each unlike any other constant of a program: no fd, pid, system call
 * number, ioctl command or seccomp action looks like these. */
#define HUSK_SLOT_PLACEHOLDER(s) (0x7eadf000U + (uint32_t)(s))

struct husk_rules {
    uint32_t refuse; /* the action for any other call, or architecture */
    unsigned count;
    bool overflow; /* more than HUSK_RULES_MAX: the list is unusable */
    struct husk_rule rule[HUSK_RULES_MAX];
    bool slot_set[HUSK_SLOTS];
    uint32_t slot_value[HUSK_SLOTS];
};

void husk_rules_init(struct husk_rules *r, uint32_t refuse);
/* Allow system call nr when all argc comparisons (struct scmp_arg_cmp,
 * made with SCMP_A0 ... SCMP_A5) hold. 0, or -1 if the list is full or
 * argc is above HUSK_RULE_ARGS_MAX. */
int husk_rule_add(struct husk_rules *r, int nr, unsigned argc, ...);
/* The datum a rule compares with for slot s holding value: the slot's
 * placeholder, or value itself if the slot already holds another. */
scmp_datum_t husk_rules_slot(struct husk_rules *r, enum husk_rule_slot s,
                             uint32_t value);

/* The list compiled by libseccomp, slots' values in (an scmp_filter_ctx,
 * for an export or --print-seccomp; seccomp_release it); NULL if
 * libseccomp refused a rule. */
void *husk_rules_compile(const struct husk_rules *r);

/* A program compiled at build time, and the list it was compiled from
 * (placeholders in its slots). */
struct husk_fixed_filter {
    uint32_t refuse;
    unsigned rule_count;
    const struct husk_rule *rules;
    unsigned len;
    const struct sock_filter *program;
};
/* gen/monitor_filters.c's table. */
extern const struct husk_fixed_filter husk_fixed_filters[];
extern const size_t husk_fixed_filter_count;

/* Whether r is exactly this list (refuse, then count rules), and whole. */
bool husk_rules_are(const struct husk_rules *r, uint32_t refuse, unsigned count,
                    const struct husk_rule *rules);
/* The build-time program compiled from exactly r's list, or NULL. */
const struct husk_fixed_filter *husk_rules_find(
    const struct husk_rules *r, const struct husk_fixed_filter *table,
    size_t n);
/* Write r's slot values where their placeholders are in the n
 * instructions of f (a copy of a found program); returns how many. */
unsigned husk_rules_patch(const struct husk_rules *r, struct sock_filter *f,
                          unsigned n);

/* A program to load, as seccomp(2) takes it. */
struct husk_program {
    unsigned len;
    struct sock_filter code[BPF_MAXINSNS];
};
/* Append r's program to p: the build-time one for r's list from the n
 * programs of table, its values patched in (*fixed true), or else the one
 * libseccomp compiles now (it needs a free fd and may write a file: call
 * this before the rlimits). 0, or -1 with errno set. */
int husk_rules_program(const struct husk_rules *r,
                       const struct husk_fixed_filter *table, size_t n,
                       struct husk_program *p, bool *fixed);

#endif
