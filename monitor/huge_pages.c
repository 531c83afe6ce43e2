/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * huge_pages.c: which parts of guest memory are backed by 2 MiB
 * transparent huge pages. Guest memory uses small pages (kvm.c, proc.c:
 * a guest pays only for the pages it touches), except for the aligned
 * 2 MiB chunks that the image's file bytes (code and data, not BSS) fill
 * at least a quarter of.
 *
 * Why: the loader writes every file byte of the image before the guest
 * starts, so those pages are resident anyway, and each small page costs
 * its own fault, or its own shadow or nested page-table entry on a host
 * that is itself a guest. On these hosts (kvm-pvm) the first touch of a
 * small page through a new address costs ~5-7 us even when the page is
 * populated, and the guest pays it again on its own first touch: 1.8
 * MiB of SQLite's image took 2.5-3.3 ms to read in; into a huge page
 * 0.3 ms. Under KVM the EPT maps such a chunk with one 2 MiB entry too.
 * The price: up to 1.5 MiB of memory a chunk that the guest may not
 * have touched (SQLite's shell: 1.2 MiB), paid only by images with 512
 * KiB of code and data or more in one chunk (hello has 150 KiB). BSS
 * does not count: the network examples have 9 MiB of it, mostly never
 * touched.
 */
#include <sys/mman.h>

#include "husk.h"

/* How many bytes of [lo, lo + len) the image's segments fill from the
 * file. */
static uint64_t file_bytes_in(const struct husk_elf_image *img, uint64_t lo,
                              uint64_t len)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct husk_elf_segment *s = &img->segments[i];
        uint64_t a = s->gpa > lo ? s->gpa : lo;
        uint64_t end = s->gpa + s->filesz, hi = lo + len;
        uint64_t b = end < hi ? end : hi;
        if (b > a)
            sum += b - a;
    }
    return sum;
}

bool husk_huge_chunk_wanted(const struct husk_elf_image *img, uint64_t chunk)
{
    return file_bytes_in(img, chunk, HUSK_HUGE_PAGE) >= HUSK_HUGE_PAGE / 4;
}

void husk_huge_advise(const struct husk_vm *vm,
                      const struct husk_elf_image *img, uint64_t mem_lo)
{
    uint64_t c = (mem_lo + HUSK_HUGE_PAGE - 1) & ~(HUSK_HUGE_PAGE - 1);
    uint64_t end =
        img->image_end < vm->mem_size ? img->image_end : vm->mem_size;
    for (; c < end && end - c >= HUSK_HUGE_PAGE / 4; c += HUSK_HUGE_PAGE) {
        uint8_t *at = vm->mem + c;
        /* Past the end of guest memory, or a host address that is not
         * 2 MiB aligned: no huge page fits. */
        if (vm->mem_size - c < HUSK_HUGE_PAGE ||
            (uintptr_t)at % HUSK_HUGE_PAGE != 0 ||
            !husk_huge_chunk_wanted(img, c))
            continue;
        /* Refused (THP off, an old kernel): small pages, as elsewhere. */
        madvise(at, HUSK_HUGE_PAGE, MADV_HUGEPAGE);
    }
}
