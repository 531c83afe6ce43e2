/* proc_attack.c: a hostile guest for the process backend, where guest and
 * monitor share one process and the seccomp filter is the boundary.
 * argv[1] names one attack; each must end in its documented status
 * (tests/hostile/cases.process.txt), never with an effect on the host. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "abi/husk_abi.h"

extern const struct husk_bootinfo *husk_boot;

static long raw_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
                       "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *a = argv[1];
    printf("proc_attack %s\n", a);
    fflush(stdout);
    uint64_t entry = husk_boot->hc_call;
    if (!strcmp(a, "syscall_write")) {
        /* A call the monitor itself may make: still refused to the guest. */
        raw_syscall(1, 1, (long)"forged\n", 7, 0, 0, 0);
    } else if (!strcmp(a, "syscall_getpid")) {
        raw_syscall(39, 0, 0, 0, 0, 0, 0);
    } else if (!strcmp(a, "mmap_exec")) {
        raw_syscall(9, 0, 4096, 7 /* RWX */, 0x22, -1, 0);
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
