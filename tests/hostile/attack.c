/* attack.c: a hostile guest. argv[1] names one attack on the monitor;
 * each must stop the guest with the documented status and message, and
 * never reach host memory outside the guest's. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "abi/husk_abi.h"

static void store(uint64_t gpa, uint64_t value)
{
    __asm__ volatile("movq %1, %0"
                     : "=m"(*(volatile uint64_t *)(uintptr_t)gpa)
                     : "r"(value)
                     : "memory");
}

static void hypercall(unsigned nr, uint64_t arg_gpa)
{
    store(HUSK_HC_BASE + 8ULL * nr, arg_gpa);
}

/* The guest's memory size, from the boot information's view: the top of
 * the stack is the end of memory, rounded up to 2 MiB. */
static uint64_t mem_end(void)
{
    uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
    return (sp + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
}

int main(int argc, char *argv[])
{
    const char *a = argc > 1 ? argv[1] : "";
    static struct husk_hc_console_write cw;
    printf("attack %s\n", a);
    fflush(stdout);
    uint64_t end = mem_end();
    if (!strcmp(a, "arg_outside")) {
        hypercall(HUSK_HC_CONSOLE_WRITE, end + 4096);
    } else if (!strcmp(a, "arg_straddles")) {
        hypercall(HUSK_HC_CONSOLE_WRITE, end - 8); /* 24-byte struct */
    } else if (!strcmp(a, "arg_huge")) {
        hypercall(HUSK_HC_CONSOLE_WRITE, UINT64_MAX - 7);
    } else if (!strcmp(a, "buf_outside")) {
        cw = (struct husk_hc_console_write){end + 100, 10, 1, 0};
        hypercall(HUSK_HC_CONSOLE_WRITE, (uintptr_t)&cw);
    } else if (!strcmp(a, "buf_wraps")) {
        cw = (struct husk_hc_console_write){UINT64_MAX - 4, 64, 1, 0};
        hypercall(HUSK_HC_CONSOLE_WRITE, (uintptr_t)&cw);
    } else if (!strcmp(a, "len_huge")) {
        cw = (struct husk_hc_console_write){(uintptr_t)&cw, UINT32_MAX, 1, 0};
        hypercall(HUSK_HC_CONSOLE_WRITE, (uintptr_t)&cw);
    } else if (!strcmp(a, "unknown_call")) {
        hypercall(HUSK_HC_MAX - 1, (uintptr_t)&cw);
    } else if (!strcmp(a, "call_zero")) {
        hypercall(0, (uintptr_t)&cw);
    } else if (!strcmp(a, "unaligned_store")) {
        store(HUSK_HC_BASE + 3, (uintptr_t)&cw);
    } else if (!strcmp(a, "not_hc_page")) {
        store(HUSK_HC_BASE + 0x1000, 0);
    } else if (!strcmp(a, "hc_load")) {
        volatile uint64_t v = *(volatile uint64_t *)(uintptr_t)(HUSK_HC_BASE + 8);
        (void)v;
    } else if (!strcmp(a, "discard_low")) {
        static struct husk_hc_mem_discard d = {0x1000, 0x1000};
        hypercall(HUSK_HC_MEM_DISCARD, (uintptr_t)&d);
    } else if (!strcmp(a, "port_write")) {
        __asm__ volatile("outb %%al, $0x80" ::"a"(0));
    } else if (!strcmp(a, "hlt")) {
        __asm__ volatile("hlt");
    } else if (!strcmp(a, "page_tables")) {
        /* The monitor's page tables are supervisor-only: this faults. */
        *(volatile uint64_t *)(uintptr_t)0x3000 = 0;
    } else {
        printf("unknown attack\n");
        return 1;
    }
    printf("survived %s\n", a);
    return 0;
}
