/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * embed_guest.c: bench/embed's guest. Exports "empty" (no input, no
 * output: the call round trip itself), "echo" (its input back: the
 * 4 KiB-each-way call), "dirty" (writes as many pages as its input
 * says: what a restore then puts back) and "crash" (so that the next
 * restore needs a new monitor).
 */
#include <husk.h>
#include <stdint.h>
#include <string.h>

#define DIRTY_PAGES_MAX 4096
static uint8_t pages[DIRTY_PAGES_MAX][4096];

static int empty(const void *in, size_t in_len, void *out, size_t out_cap,
                 size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    return 0;
}
HUSK_EXPORT("empty", empty);

static int echo(const void *in, size_t in_len, void *out, size_t out_cap,
                size_t *out_len)
{
    if (in_len > out_cap)
        return 1;
    memcpy(out, in, in_len);
    *out_len = in_len;
    return 0;
}
HUSK_EXPORT("echo", echo);

static int dirty(const void *in, size_t in_len, void *out, size_t out_cap,
                 size_t *out_len)
{
    uint32_t n;
    if (in_len != sizeof(n))
        return 1;
    memcpy(&n, in, sizeof(n));
    uint8_t sum = 0;
    for (uint32_t i = 0; i < n && i < DIRTY_PAGES_MAX; i++) {
        pages[i][i % 4096] = (uint8_t)(i + 1);
        sum += pages[i][(i + 1) % 4096];
    }
    if (out_cap < 1)
        return 1;
    /* Read back, so that no write is optimised away. */
    *(uint8_t *)out = sum;
    *out_len = 1;
    return 0;
}
HUSK_EXPORT("dirty", dirty);

static int crash(const void *in, size_t in_len, void *out, size_t out_cap,
                 size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_cap, (void)out_len;
    __builtin_trap(); /* ud2: a crash report, and the guest stopped */
}
HUSK_EXPORT("crash", crash);

int main(void)
{
    return 0;
}
