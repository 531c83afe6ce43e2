/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* huge_pages.c: which 2 MiB chunks of guest memory get huge pages. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "husk.h"
#include "unit.h"

#define MIB (1ULL << 20)

static struct husk_elf_image image_of(uint64_t text_gpa, uint64_t text_len,
                                      uint64_t data_gpa, uint64_t data_file,
                                      uint64_t data_mem)
{
    struct husk_elf_image img = {0};
    img.segment_count = 2;
    img.segments[0] = (struct husk_elf_segment){
        .gpa = text_gpa, .filesz = text_len, .memsz = text_len};
    img.segments[1] = (struct husk_elf_segment){
        .gpa = data_gpa, .filesz = data_file, .memsz = data_mem};
    img.image_end = data_gpa + data_mem;
    return img;
}

TEST(huge_chunks_need_a_quarter_of_file_bytes)
{
    /* 512 KiB of code in chunk 1: exactly a quarter. */
    struct husk_elf_image img =
        image_of(2 * MIB, 512 * 1024, 3 * MIB, 4096, 4096);
    CHECK(husk_huge_chunk_wanted(&img, 2 * MIB));
    CHECK(!husk_huge_chunk_wanted(&img, 0));
    CHECK(!husk_huge_chunk_wanted(&img, 4 * MIB));
    /* One byte less, and the data segment in another chunk: no. */
    img = image_of(2 * MIB, 512 * 1024 - 1, 5 * MIB, 4096, 4096);
    CHECK(!husk_huge_chunk_wanted(&img, 2 * MIB));
    /* Two segments that are a quarter together. */
    img = image_of(2 * MIB, 256 * 1024, 3 * MIB, 256 * 1024, 256 * 1024);
    CHECK(husk_huge_chunk_wanted(&img, 2 * MIB));
}

TEST(huge_chunks_ignore_bss)
{
    /* hello's shape: 150 KiB of code, a page of data, 280 KiB of BSS. */
    struct husk_elf_image img =
        image_of(1 * MIB, 150 * 1024, 1 * MIB + 160 * 1024, 1248, 280 * 1024);
    CHECK(!husk_huge_chunk_wanted(&img, 0));
    /* The network examples: 9 MiB of BSS fills chunks 1-4, never used. */
    img = image_of(1 * MIB, 240 * 1024, 1 * MIB + 256 * 1024, 1552, 9 * MIB);
    for (uint64_t c = 0; c < 12 * MIB; c += 2 * MIB)
        CHECK(!husk_huge_chunk_wanted(&img, c));
}

TEST(huge_chunks_split_across_segments)
{
    /* SQLite's shell: 1.73 MiB of code from 1 MiB, its data after. */
    struct husk_elf_image img =
        image_of(1 * MIB, 0x1bb7a8, 0x2bc7a8, 0x4818, 0x491b8);
    CHECK(husk_huge_chunk_wanted(&img, 0));       /* 1 MiB of code */
    CHECK(husk_huge_chunk_wanted(&img, 2 * MIB)); /* 786 KiB */
    CHECK(!husk_huge_chunk_wanted(&img, 4 * MIB));
}

/* Whether the mapping that holds p may take transparent huge pages, as
 * /proc/self/smaps says (THPeligible, Linux 5.0). -1: it does not say. */
static int thp_eligible(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (f == NULL)
        return -1;
    char line[256], perms[8];
    int in = 0, got = -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long lo, hi;
        int v;
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3)
            in = (uintptr_t)p >= lo && (uintptr_t)p < hi; /* a mapping */
        else if (in && sscanf(line, "THPeligible: %d", &v) == 1) {
            got = v;
            break;
        }
    }
    fclose(f);
    return got;
}

TEST(huge_advise_marks_only_the_wanted_chunks)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    char mode[128] = "";
    if (f != NULL) {
        if (fgets(mode, sizeof(mode), f) == NULL)
            mode[0] = '\0';
        fclose(f);
    }
    if (strstr(mode, "[never]") != NULL || mode[0] == '\0')
        unit_skip("transparent huge pages are off on this host");
    /* Guest memory as kvm.c maps it: 2 MiB aligned, small pages. */
    size_t size = 8 * MIB;
    uint8_t *map = mmap(NULL, size + 2 * MIB, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(map != MAP_FAILED);
    uint8_t *mem =
        (uint8_t *)(((uintptr_t)map + 2 * MIB - 1) & ~(uintptr_t)(2 * MIB - 1));
    CHECK_EQ(madvise(mem, size, MADV_NOHUGEPAGE), 0);
    struct husk_vm vm = {0};
    vm.mem = mem;
    vm.mem_size = size;
    struct husk_elf_image img =
        image_of(1 * MIB, 0x1bb7a8, 0x2bc7a8, 0x4818, 0x491b8);
    husk_huge_advise(&vm, &img, 0);
    if (thp_eligible(mem) < 0)
        unit_skip("/proc/self/smaps has no THPeligible line");
    CHECK_EQ(thp_eligible(mem), 1);
    CHECK_EQ(thp_eligible(mem + 2 * MIB), 1);
    CHECK_EQ(thp_eligible(mem + 4 * MIB), 0);
    CHECK_EQ(thp_eligible(mem + 6 * MIB), 0);
    /* From mem_lo on only: the process backend's mapping starts above
     * address 0, so chunk 0 is not whole there. */
    CHECK_EQ(madvise(mem, size, MADV_NOHUGEPAGE), 0);
    husk_huge_advise(&vm, &img, 0x40000);
    CHECK_EQ(thp_eligible(mem), 0);
    CHECK_EQ(thp_eligible(mem + 2 * MIB), 1);
    munmap(map, size + 2 * MIB);
}
