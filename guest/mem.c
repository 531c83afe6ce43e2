/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * mem.c: brk and anonymous mmap over the guest's memory.
 *
 *   image_end            brk ->          <- mmap_floor        stack   mem_size
 *   |  brk heap (grows up) | free        | mmap area (down)   | stack |
 *
 * The mmap area is allocated top-down; freed ranges become holes in a
 * sorted list and are reused first-fit. Invariant: every free byte is
 * zero, so a new mapping needs no clearing. Memory starts zero (ABI), and
 * whatever is freed is cleared then: small ranges with memset, large ones
 * with the mem_discard hypercall, which also hands the pages back to the
 * host so that an idle guest does not keep what it once used.
 */
#include <errno.h>
#include <sys/mman.h>

#include "guest.h"

#define PAGE HUSK_PAGE_SIZE
#define HOLES_MAX 512
/* A hypercall is an exit (tens of µs on some hosts): memset below this. */
#define DISCARD_MIN (256 * 1024)

struct hole {
    uintptr_t start, end;
};

static uintptr_t heap_start, brk_cur, mmap_floor, heap_end;
static struct hole holes[HOLES_MAX]; /* sorted, disjoint, not adjacent */
static unsigned hole_count;

static uintptr_t page_up(uintptr_t x)
{
    return (x + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
}

void husk_mem_init(uint64_t image_end, uint64_t mem_size)
{
    /* Stack: 1/16 of memory, between 256 KiB and 8 MiB (Linux's default). */
    uint64_t stack = mem_size / 16;
    if (stack < (256 << 10))
        stack = 256 << 10;
    if (stack > (8 << 20))
        stack = 8 << 20;
    heap_start = brk_cur = page_up(image_end);
    heap_end = mmap_floor = (uintptr_t)(mem_size - stack);
    if (heap_end <= heap_start)
        husk_panic("no memory left for the heap");
}

/* Make [start, end) zero again, returning large ranges to the host. */
static void clear_range(uintptr_t start, uintptr_t end)
{
    if (end <= start)
        return;
    uintptr_t a = page_up(start), b = end & ~(uintptr_t)(PAGE - 1);
    if (b > a && b - a >= DISCARD_MIN) {
        __builtin_memset((void *)start, 0, a - start);
        struct husk_hc_mem_discard d = {.gpa = a, .len = b - a};
        husk_hypercall(HUSK_HC_MEM_DISCARD, &d);
        __builtin_memset((void *)b, 0, end - b);
    } else {
        __builtin_memset((void *)start, 0, end - start);
    }
}

long husk_sys_brk(uintptr_t addr)
{
    /* Linux semantics: on failure, return the unchanged break. */
    if (addr < heap_start || addr > mmap_floor)
        return (long)brk_cur;
    if (addr < brk_cur)
        clear_range(addr, brk_cur);
    brk_cur = addr;
    return (long)brk_cur;
}

static void remove_hole(unsigned i)
{
    for (; i + 1 < hole_count; i++)
        holes[i] = holes[i + 1];
    hole_count--;
}

/* Take len bytes from the mmap area; 0 if there is no room. */
static uintptr_t take(size_t len)
{
    for (unsigned i = 0; i < hole_count; i++) {
        if (holes[i].end - holes[i].start >= len) {
            holes[i].end -= len;
            uintptr_t p = holes[i].end;
            if (holes[i].end == holes[i].start)
                remove_hole(i);
            return p;
        }
    }
    if (mmap_floor - brk_cur < len)
        return 0;
    mmap_floor -= len;
    return mmap_floor;
}

/* Give [start, end) back: clear what was in use, merge it with the holes
 * it overlaps or touches, and raise the mmap floor if the result starts
 * there. */
static void give_back(uintptr_t start, uintptr_t end)
{
    if (start < mmap_floor)
        start = mmap_floor;
    if (end > heap_end)
        end = heap_end;
    if (start >= end)
        return;
    unsigned i = 0;
    while (i < hole_count && holes[i].end < start)
        i++;
    uintptr_t cur = start; /* clear only the parts not already free */
    for (unsigned j = i; j < hole_count && holes[j].start < end; j++) {
        if (holes[j].start > cur)
            clear_range(cur, holes[j].start);
        if (holes[j].end > cur)
            cur = holes[j].end;
    }
    if (cur < end)
        clear_range(cur, end);
    while (i < hole_count && holes[i].start <= end) {
        if (holes[i].start < start)
            start = holes[i].start;
        if (holes[i].end > end)
            end = holes[i].end;
        remove_hole(i);
    }
    if (start == mmap_floor) {
        mmap_floor = end;
        return;
    }
    if (hole_count == HOLES_MAX)
        return; /* the range stays zero but is lost for reuse: rare */
    for (unsigned j = hole_count; j > i; j--)
        holes[j] = holes[j - 1];
    holes[i] = (struct hole){start, end};
    hole_count++;
}

long husk_sys_mmap(uintptr_t addr, size_t len, int prot, int flags, int fd,
                   off_t off)
{
    (void)prot, (void)off, (void)addr; /* addr is a hint; we choose */
    if (!(flags & MAP_ANONYMOUS) || fd != -1)
        return -ENODEV;
    if (flags & MAP_FIXED)
        return -EINVAL;
    if (len == 0 || len > heap_end)
        return len == 0 ? -EINVAL : -ENOMEM;
    uintptr_t p = take(page_up(len));
    return p == 0 ? -ENOMEM : (long)p;
}

long husk_sys_munmap(uintptr_t addr, size_t len)
{
    if (addr % PAGE != 0 || len == 0 || addr + len < addr)
        return -EINVAL;
    give_back(addr, page_up(addr + len));
    return 0;
}

long husk_sys_mremap(uintptr_t old, size_t old_len, size_t new_len, int flags)
{
    if (old % PAGE != 0 || new_len == 0)
        return -EINVAL;
    old_len = page_up(old_len);
    new_len = page_up(new_len);
    if (new_len <= old_len) {
        give_back(old + new_len, old + old_len);
        return (long)old;
    }
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    uintptr_t p = take(new_len);
    if (p == 0)
        return -ENOMEM;
    __builtin_memcpy((void *)p, (const void *)old, old_len);
    give_back(old, old + old_len);
    return (long)p;
}

long husk_sys_madvise(uintptr_t addr, size_t len, int advice)
{
    if (addr % PAGE != 0)
        return -EINVAL;
    /* DONTNEED on private anonymous memory means: reads zero afterwards. */
    if (advice == MADV_DONTNEED && addr >= heap_start && addr + len > addr &&
        addr + len <= heap_end)
        clear_range(addr, addr + len);
    return 0;
}
