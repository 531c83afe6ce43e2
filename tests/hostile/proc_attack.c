/* proc_attack.c: a hostile guest for the process backend, where guest and
 * monitor share one process and the seccomp filter is the boundary.
 * argv[1] names one attack; each must end in its documented status
 * (tests/hostile/cases.process.txt), never with an effect on the host. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "abi/husk_abi.h"
#include "monitor/rawsys.h" /* the same raw system call as the monitor's */

extern const struct husk_bootinfo *husk_boot;

/*
 * foreign_tls ACTION: point %fs where nothing is mapped, then make the
 * calls the process backend serves on the guest's %fs (proc.c). Were one
 * of them to touch the monitor's thread-local state there (errno, a
 * printf's locale, strsignal), the monitor itself would fault: 139 "in
 * the monitor, serving a hypercall" instead of what the case expects.
 * After the switch this guest touches no TLS either: raw calls only.
 */
static int foreign_tls(uint64_t entry, const char *action)
{
    void (*hc)(uint64_t, uint64_t) = (void (*)(uint64_t, uint64_t))entry;
    static struct husk_hc_set_tls t = {.base = 1ULL << 40,
                                       .which = HUSK_TLS_FS};
    static struct husk_hc_wallclock w;
    static struct husk_hc_poll p = {.timeout_ns = 1000000};
    static _Alignas(4096) uint8_t page[4096];
    static struct husk_hc_mem_discard d;
    static struct husk_hc_exit x;
    if (!(husk_boot->features & HUSK_FEATURE_TLS_CALL))
        return 3; /* the guest sets %fs itself: nothing to test here */
    int which = !strcmp(action, "calls")       ? 0
                : !strcmp(action, "violation") ? 1
                : !strcmp(action, "stop")      ? 2
                                               : -1;
    if (which < 0)
        return 2;
    hc(HUSK_HC_SET_TLS, (uintptr_t)&t);
    for (int i = 0; i < 3; i++)
        hc(HUSK_HC_WALLCLOCK, (uintptr_t)&w);
    hc(HUSK_HC_POLL, (uintptr_t)&p);
    page[0] = 1;
    d = (struct husk_hc_mem_discard){(uintptr_t)page, sizeof(page)};
    hc(HUSK_HC_MEM_DISCARD, (uintptr_t)&d);
    if (page[0] != 0 || w.ns == 0) /* the calls really ran */
        x.status = 4;
    if (which == 1) { /* a violation's message, from a TLS-free call */
        p.timeout_ns = HUSK_POLL_TIMEOUT_MAX + 1;
        hc(HUSK_HC_POLL, (uintptr_t)&p);
    }
    if (which == 2) { /* --timeout ends a TLS-free wait */
        p.timeout_ns = 10000000000ULL;
        hc(HUSK_HC_POLL, (uintptr_t)&p);
    }
    hc(HUSK_HC_EXIT, (uintptr_t)&x);
    return 5; /* not reached */
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *a = argv[1];
    printf("proc_attack %s\n", a);
    fflush(stdout);
    uint64_t entry = husk_boot->hc_call;
    if (!strcmp(a, "foreign_tls") && argc > 2)
        return foreign_tls(entry, argv[2]);
    if (!strcmp(a, "syscall_write")) {
        /* A call the monitor itself may make: still refused to the guest. */
        husk_raw_syscall6(1, 1, (long)"forged\n", 7, 0, 0, 0);
    } else if (!strcmp(a, "syscall_getpid")) {
        husk_raw_syscall6(39, 0, 0, 0, 0, 0, 0);
    } else if (!strcmp(a, "mmap_exec")) {
        husk_raw_syscall6(9, 0, 4096, 7 /* RWX */, 0x22, -1, 0);
    } else if (!strcmp(a, "int80")) {
        __asm__ volatile("int $0x80" ::"a"(20) : "memory"); /* getpid */
    } else if (!strcmp(a, "sysenter")) {
        __asm__ volatile("sysenter" ::"a"(20) : "memory", "rcx", "r11");
    } else if (!strcmp(a, "write_monitor_text")) {
        /* The hypercall entry is the monitor's code: read-only. */
        *(volatile uint8_t *)(uintptr_t)entry = 0xc3;
    } else if (!strcmp(a, "jump_monitor")) {
        /* Into the monitor's code past the entry's stack switch. */
        ((void (*)(void))(uintptr_t)(entry + 3))();
    } else if (!strcmp(a, "hc_page_store")) {
        /* The KVM transport: under the process backend nothing is there. */
        *(volatile uint64_t *)(uintptr_t)(HUSK_HC_BASE + 8) = 0;
    } else if (!strcmp(a, "bad_tls")) {
        struct husk_hc_set_tls t = {.base = 1ULL << 63, .which = HUSK_TLS_FS};
        ((void (*)(uint64_t, uint64_t))(uintptr_t)entry)(HUSK_HC_SET_TLS,
                                                         (uintptr_t)&t);
    } else {
        return 2;
    }
    printf("proc_attack %s: survived\n", a);
    return 1;
}
