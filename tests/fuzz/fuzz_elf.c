/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * fuzz_elf.c: libFuzzer harness for the image checks (monitor/elf.c). The
 * input is the image file. If husk_elf_parse accepts it, the result must
 * hold what the loader and bootinfo.c rely on, and husk_elf_load must stay
 * inside a heap buffer of exactly husk_elf_min_mem bytes (ASan's redzone
 * sits right after it), as main.c would size guest memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "husk.h"

/* Larger images are valid but too slow to allocate on every input. */
#define LOAD_MEM_MAX (64ULL << 20)

/* An invariant broke: a bug in elf.c even if no memory was misused. */
#define ENSURE(cond)                                                         \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "fuzz_elf: %s:%d: %s does not hold\n", __FILE__, \
                    __LINE__, #cond);                                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The loader reads from a file, as the monitor does: one memfd for every
 * input, rewritten each time. */
static int image_fd = -1;

static void check_image(const struct husk_elf_image *img, size_t size)
{
    ENSURE(img->segment_count >= 1 &&
           img->segment_count <= HUSK_ELF_SEGMENTS_MAX);
    ENSURE(img->abi_version == HUSK_ABI_VERSION);
    ENSURE(img->phnum >= 1 && img->phnum <= HUSK_ELF_PHNUM_MAX);
    ENSURE(img->phoff <= size && img->phnum * 56ULL <= size - img->phoff);
    ENSURE(img->image_end % HUSK_PAGE_SIZE == 0);
    ENSURE(img->image_end <= HUSK_MEM_MAX);
    bool entry_in = false;
    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct husk_elf_segment *s = &img->segments[i];
        ENSURE(s->gpa >= HUSK_LOAD_MIN && s->memsz > 0);
        ENSURE(s->memsz <= HUSK_MEM_MAX && s->gpa <= HUSK_MEM_MAX - s->memsz);
        ENSURE(s->gpa + s->memsz <= img->image_end);
        ENSURE(s->filesz <= s->memsz);
        ENSURE(s->offset <= size && s->filesz <= size - s->offset);
        for (unsigned j = 0; j < i; j++) {
            const struct husk_elf_segment *t = &img->segments[j];
            ENSURE(s->gpa + s->memsz <= t->gpa || t->gpa + t->memsz <= s->gpa);
        }
        entry_in |= img->entry >= s->gpa && img->entry - s->gpa < s->memsz;
    }
    ENSURE(entry_in);
    ENSURE(img->device_count <= HUSK_DEVICES_MAX);
    for (unsigned i = 0; i < img->device_count; i++) {
        const struct husk_note_device *d = &img->devices[i];
        ENSURE(d->kind == HUSK_DEVICE_BLOCK || d->kind == HUSK_DEVICE_NET);
        ENSURE(memchr(d->name, '\0', sizeof(d->name)) != NULL);
        ENSURE(d->name[0] != '\0');
    }
    uint64_t min = husk_elf_min_mem(img);
    ENSURE(min >= HUSK_MEM_MIN && min % HUSK_MEM_ALIGN == 0);
    ENSURE(min >= img->image_end + (1ULL << 20));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (image_fd < 0)
        image_fd = memfd_create("image", MFD_CLOEXEC);
    /* A copy of exactly size bytes: libFuzzer's buffer is exact too, but
     * this keeps the harness honest if it is ever driven another way. */
    uint8_t *bytes = malloc(size ? size : 1);
    if (bytes == NULL)
        return 0;
    memcpy(bytes, data, size);
    struct husk_elf_image img;
    char err[512];
    memset(err, 0x55, sizeof(err));
    int full = husk_elf_parse(bytes, size, size, &img, err, sizeof(err));
    /* The monitor reads only the extent of an image (main.c): what it
     * decides from that prefix must be what it would decide from all. */
    size_t extent = husk_elf_extent(bytes, size < 4096 ? size : 4096, size);
    ENSURE(extent <= size);
    struct husk_elf_image prefix_img;
    char prefix_err[512];
    memset(&prefix_img, 0, sizeof(prefix_img));
    int prefix = husk_elf_parse(bytes, extent, size, &prefix_img, prefix_err,
                                sizeof(prefix_err));
    ENSURE((full == 0) == (prefix == 0));
    if (full == 0)
        ENSURE(memcmp(&img, &prefix_img, sizeof(img)) == 0);
    if (full != 0) {
        ENSURE(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
    } else {
        check_image(&img, size);
        uint64_t mem_size = husk_elf_min_mem(&img);
        if (mem_size <= LOAD_MEM_MAX) {
            /* Not calloc: zeroing megabytes would slow the fuzzer down ten
             * times, and the loader only writes. */
            uint8_t *mem = malloc(mem_size);
            if (mem != NULL && image_fd >= 0 && ftruncate(image_fd, 0) == 0 &&
                pwrite(image_fd, bytes, size, 0) == (ssize_t)size)
                ENSURE(husk_elf_load(&img, image_fd, mem) == 0);
            free(mem);
        }
    }
    /* The crash report's symbol lookup reads the whole file, whatever
     * husk_elf_parse said of it: a name must be printable and end. */
    static const uint64_t addrs[] = {0, HUSK_LOAD_MIN, 0x401000, ~0ULL};
    for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
        char name[32];
        uint64_t off = 0;
        uint64_t addr = i == 0 && full == 0 ? img.entry : addrs[i];
        if (husk_symbol_find(bytes, size, addr, name, sizeof(name), &off)) {
            size_t n = strnlen(name, sizeof(name));
            ENSURE(n > 0 && n < sizeof(name));
            for (size_t k = 0; k < n; k++)
                ENSURE(name[k] > 0x20 && name[k] < 0x7f);
            ENSURE(off <= addr);
        }
    }
    free(bytes);
    return 0;
}
