/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* supervisor_rules.h: the jail supervisor's allowlist (supervisor_rules.c). */
#ifndef HUSK_SUPERVISOR_RULES_H
#define HUSK_SUPERVISOR_RULES_H

#include <stdint.h>

#include "../abi/husk_abi.h" /* HUSK_DEVICES_MAX */

/* What the build-time program holds where run-time values go: each 32-bit
 * word unlike any other constant of the program (no pid is above 2^22,
 * no system call number or action looks like these). */
#define HUSK_SUP_SELF 0x7ead5eecU
#define HUSK_SUP_CHILD 0x7ead5eedU
#define HUSK_SUP_HELPER(i) (0x7ead6000U + (uint32_t)(i))
#define HUSK_SUP_LOADED 0x5eed5eed7ead7000ULL

/* The rules, for libseccomp (ctx: an scmp_filter_ctx). helpers: one pid
 * per slot, the slot's placeholder where there is no helper. 0, or -1 if
 * libseccomp refused one. */
int husk_supervisor_rules(void *ctx, uint32_t self, uint32_t child,
                          uint64_t loaded,
                          const uint32_t helpers[HUSK_DEVICES_MAX]);

struct husk_supervisor_values {
    uint32_t self;
    uint32_t child;  /* 0: not known yet, its placeholder stays */
    uint64_t loaded; /* the address of the futex word */
    uint32_t helpers[HUSK_DEVICES_MAX];
    unsigned helper_count; /* the other slots keep their placeholders */
};

struct sock_filter;
/* Write v's values where the placeholders are in the n instructions of f
 * (a copy of the build-time program); returns how many it wrote. */
unsigned husk_supervisor_patch(struct sock_filter *f, unsigned n,
                               const struct husk_supervisor_values *v);

#endif
