/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * guest_pages.c: which guest pages are resident, for the three readers of
 * all of guest memory: --stats=json's count, --dump-core and
 * --snapshot-to. Reading a page the guest never touched would fault it in
 * (a zero page, ~38 us a fault on these hosts: 0.6 s for 64 MiB); mincore
 * says which pages are there without touching any. It reads and changes
 * nothing and tells no more than the process's own page faults, so the
 * filter allows it whenever one of the three is asked for.
 */
#include <sys/mman.h>

#include "allowlist.h"
#include "husk.h"

uint64_t husk_guest_mem_start(void)
{
    /* The process backend maps guest memory from the boot area up, at
     * its guest-physical addresses (vm->mem is then 0). Under KVM the
     * pages below it are the monitor's page tables, GDT and IDT. */
    return HUSK_BOOT_GPA;
}

int64_t husk_guest_pages_each(const struct husk_vm *vm, husk_guest_page_fn fn,
                              void *ctx)
{
    /* Static: nothing is allocated after the filter is armed. Each
     * mincore covers 16 MiB. */
    static unsigned char vec[4096];
    const uint64_t page = HUSK_PAGE_SIZE, step = sizeof(vec) * page;
    uint64_t pages = 0;
    for (uint64_t off = husk_guest_mem_start(); off < vm->mem_size;
         off += step) {
        uint64_t len = vm->mem_size - off < step ? vm->mem_size - off : step;
        if (mincore((void *)((uintptr_t)vm->mem + off), len, vec) != 0)
            return -1;
        for (uint64_t i = 0; i < len / page; i++) {
            if (!(vec[i] & 1))
                continue;
            pages++;
            if (fn != NULL)
                fn(ctx, off + i * page, vm->mem + off + i * page);
        }
    }
    return (int64_t)pages;
}

bool husk_guest_page_is_zero(const uint8_t *page)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < HUSK_PAGE_SIZE; i += sizeof(uint64_t)) {
        uint64_t w;
        __builtin_memcpy(&w, page + i, sizeof(w));
        acc |= w;
    }
    return acc == 0;
}

int husk_guest_pages_sandbox_rules(const struct husk_vm *vm,
                                   struct husk_rules *rules)
{
    const struct husk_config *cfg = vm->cfg;
    if (cfg->stats != HUSK_STATS_JSON && cfg->dump_core == NULL &&
        cfg->snapshot_to == NULL)
        return 0;
    return husk_rule_add(rules, SCMP_SYS(mincore), 0);
}
