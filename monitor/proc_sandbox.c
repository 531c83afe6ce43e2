/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * proc_sandbox.c: the process backend's part of the seccomp filter. With
 * no VM around the guest, the filter is the boundary: the guest's code
 * runs in this process and could execute `syscall` itself. So, ahead of
 * the shared allowlist (sandbox.c), the same program first traps every
 * system call whose instruction lies in guest memory: the guest gets none at
 * all, not even those the allowlist grants the monitor, and the report
 * says what it tried (proc.c, 159). A guest that jumps into the monitor's
 * code to make a call from there meets the allowlist, which admits only
 * what the hypercalls need, on the monitor's own fds.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "allowlist.h"
#include "husk.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002

/* seccomp_data.instruction_pointer, in two 32-bit halves. */
#define IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define IP_HI (IP_LO + 4)

void husk_proc_guest_prefix(const struct husk_vm *vm, struct husk_program *p)
{
    /* Guest memory is [0, mem_size): trap if ip < mem_size, else go on to
     * the allowlist that follows. */
    uint32_t hi = (uint32_t)(vm->mem_size >> 32);
    uint32_t lo = (uint32_t)vm->mem_size;
    const struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, IP_HI),
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, hi, 4, 0), /* above: go on */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 0, 2), /* below: trap */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, IP_LO),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, lo, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
    };
    memcpy(&p->code[p->len], code, sizeof(code));
    p->len += (unsigned)(sizeof(code) / sizeof(code[0]));
}

int husk_proc_sandbox_rules(const struct husk_vm *vm, struct husk_rules *rules)
{
    int rc = 0;
    /* Switching %fs between the guest's and the monitor's at every
     * hypercall, where the host has no user FSGSBASE; %gs only when the
     * guest sets it (set_tls). Both change only this thread. */
    if (vm->features & HUSK_FEATURE_TLS_CALL) {
        rc |= husk_rule_add(rules, SCMP_SYS(arch_prctl), 1,
                            SCMP_A0(SCMP_CMP_EQ, ARCH_SET_FS));
        rc |= husk_rule_add(rules, SCMP_SYS(arch_prctl), 1,
                            SCMP_A0(SCMP_CMP_EQ, ARCH_SET_GS));
    }
    /* A stop signal that comes during a call is sent again, to this
     * thread only, to end a wait still ahead (proc.c on_stop). */
    static const int stops[] = {SIGTERM, SIGINT, SIGHUP, SIGALRM};
    scmp_datum_t pid =
        husk_rules_slot(rules, HUSK_SLOT_PID, (uint32_t)getpid());
    scmp_datum_t tid =
        husk_rules_slot(rules, HUSK_SLOT_TID, (uint32_t)gettid());
    for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
        rc |=
            husk_rule_add(rules, SCMP_SYS(tgkill), 3, SCMP_A0(SCMP_CMP_EQ, pid),
                          SCMP_A1(SCMP_CMP_EQ, tid),
                          SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)stops[i]));
    return rc;
}
