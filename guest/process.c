/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* process.c: the calls about "the process": identity and TLS (signals:
 * signal.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <x86intrin.h>

#include "guest.h"
#include "thread.h"

/* arch_prctl codes (Linux <asm/prctl.h>, which musl does not ship) */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

long husk_sys_uname(struct utsname *u)
{
    memset(u, 0, sizeof(*u));
    strcpy(u->sysname, "Husk");
    strcpy(u->nodename, "husk");
    strcpy(u->release, "0.1.0");
    snprintf(u->version, sizeof(u->version), "Husk ABI %d", HUSK_ABI_VERSION);
    strcpy(u->machine, "x86_64");
    return 0;
}

/* The guest is root, uid and gid 0, and stays root: a daemon that drops
 * privileges to root (memcached -u root) goes on, as on Linux. Another
 * identity would need file ownership and permission checks that libhusk
 * does not make: EPERM, what an unprivileged process gets. */
long husk_sys_setid(int count, long a, long b, long c)
{
    const long ids[3] = {a, b, c};
    for (int i = 0; i < count; i++) {
        int id = (int)ids[i]; /* a uid_t: -1 is "unchanged" */
        if (id == 0 || (id == -1 && count > 1))
            continue;
        return id == -1 ? -EINVAL : -EPERM; /* setuid(-1): EINVAL */
    }
    return 0;
}

long husk_sys_setgroups(int size, const unsigned *list)
{
    if (size < 0 || size > 65536)
        return -EINVAL;
    for (int i = 0; i < size; i++)
        if (list[i] != 0)
            return -EPERM;
    return 0;
}

/* TLS. Under KVM the monitor enables CR4.FSGSBASE, so ring 3 sets %fs
 * itself. A process backend on a host kernel without user FSGSBASE says
 * so (HUSK_FEATURE_TLS_CALL): there wrfsbase faults, and the monitor, which
 * switches %fs on every call anyway, keeps the guest's base for it. Each
 * thread has its own bases (thread.h); a switch loads the next thread's
 * (thread.c, switch_x86_64.S). */
bool husk_tls_by_call(void)
{
    return husk_boot->features & HUSK_FEATURE_TLS_CALL;
}

static void set_tls_call(uint32_t which, uintptr_t addr)
{
    struct husk_hc_set_tls t = {.base = addr, .which = which};
    husk_hypercall(HUSK_HC_SET_TLS, &t);
}

uint64_t husk_tls_fs_now;

__attribute__((target("fsgsbase"))) void husk_tls_load_fs(uint64_t base)
{
    husk_tls_fs_now = base;
    if (husk_tls_by_call())
        set_tls_call(HUSK_TLS_FS, base);
    else
        _writefsbase_u64(base);
}

__attribute__((target("fsgsbase"))) void husk_tls_load_gs(uint64_t base)
{
    if (husk_tls_by_call())
        set_tls_call(HUSK_TLS_GS, base);
    else
        _writegsbase_u64(base);
}

long husk_sys_arch_prctl(int code, uintptr_t addr)
{
    struct husk_thread *self = husk_thread_self();
    switch (code) {
    case ARCH_SET_FS:
        self->ctx.fs = addr;
        husk_tls_load_fs(addr);
        return 0;
    case ARCH_GET_FS:
        *(uint64_t *)addr = self->ctx.fs;
        return 0;
    case ARCH_SET_GS:
        self->gs = addr;
        husk_tls_load_gs(addr);
        return 0;
    case ARCH_GET_GS:
        *(uint64_t *)addr = self->gs;
        return 0;
    default:
        return -EINVAL;
    }
}
