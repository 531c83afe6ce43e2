/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * supervisor_rules.c: the jail supervisor's seccomp allowlist, once, for
 * libseccomp. The monitor does not build it at run time: the program
 * monitor/gen/supervisor_filter.c compiles it at build time with
 * placeholders where the pids and an address go, and the supervisor loads
 * that program with the values written in (husk_supervisor_patch), one
 * system call and no library (supervise.c says why it may call none).
 * tests/unit/test_supervisor_filter.c checks that the two agree: the
 * patched program is, instruction for instruction, what libseccomp builds
 * from the same rules with the values themselves.
 */
#include <linux/filter.h>
#include <linux/futex.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor_rules.h"

#define RULE(ctx, call, ...) \
    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(call), __VA_ARGS__)

int husk_supervisor_rules(void *ctx, uint32_t self, uint32_t child,
                          uint64_t loaded,
                          const uint32_t helpers[HUSK_DEVICES_MAX])
{
    int rc = 0;
    /* Wait for the child (and no other process), then reap it. */
    rc |= RULE(ctx, waitid, 2, SCMP_A0(SCMP_CMP_EQ, P_PID),
               SCMP_A1(SCMP_CMP_EQ, child));
    rc |= RULE(ctx, wait4, 1, SCMP_A0(SCMP_CMP_EQ, child));
    /* Stop it when we are stopped (the same signal, or SIGKILL), and
     * return from that handler. */
    rc |= RULE(ctx, kill, 1, SCMP_A0(SCMP_CMP_EQ, child));
    rc |= RULE(ctx, rt_sigreturn, 0);
    /* Tell the child that this filter is loaded (supervise.c). */
    rc |= RULE(ctx, futex, 2, SCMP_A0(SCMP_CMP_EQ, loaded),
               SCMP_A1(SCMP_CMP_EQ, FUTEX_WAKE_PRIVATE));
    /* Each helper a device started (passt): SIGKILL it and reap it once
     * the child has ended. A slot with no helper keeps its placeholder,
     * which is no pid (pid_max is at most 2^22). */
    for (unsigned i = 0; i < HUSK_DEVICES_MAX; i++) {
        rc |= RULE(ctx, kill, 2, SCMP_A0(SCMP_CMP_EQ, helpers[i]),
                   SCMP_A1(SCMP_CMP_EQ, SIGKILL));
        rc |= RULE(ctx, wait4, 1, SCMP_A0(SCMP_CMP_EQ, helpers[i]));
    }
    /* Die of the child's signal; the last message; exit. */
    rc |= RULE(ctx, kill, 1, SCMP_A0(SCMP_CMP_EQ, self));
    rc |= RULE(ctx, write, 1, SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO));
    rc |= RULE(ctx, exit_group, 0);
    return rc;
}

unsigned husk_supervisor_patch(struct sock_filter *f, unsigned n,
                               const struct husk_supervisor_values *v)
{
    unsigned changed = 0;
    for (unsigned i = 0; i < n; i++) {
        /* Only the comparisons hold values: a return's k is an action. */
        if (f[i].code != (BPF_JMP | BPF_JEQ | BPF_K))
            continue;
        uint32_t k = f[i].k, to = k;
        if (k == HUSK_SUP_SELF)
            to = v->self;
        else if (k == HUSK_SUP_CHILD && v->child != 0)
            to = v->child;
        else if (k == (uint32_t)(HUSK_SUP_LOADED >> 32))
            to = (uint32_t)(v->loaded >> 32);
        else if (k == (uint32_t)HUSK_SUP_LOADED)
            to = (uint32_t)v->loaded;
        else if (k >= HUSK_SUP_HELPER(0) &&
                 k < HUSK_SUP_HELPER(v->helper_count))
            to = v->helpers[k - HUSK_SUP_HELPER(0)];
        if (to != k) {
            f[i].k = to;
            changed++;
        }
    }
    return changed;
}
