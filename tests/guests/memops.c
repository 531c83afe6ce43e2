/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* memops.c: memcpy, memmove and memset against byte-at-a-time
 * references, one part per argument: "memcpy" (every size from 0 to
 * 1024, every alignment 0..63 of source and destination), "memmove" (the
 * same sizes overlapping both ways by every distance up to 80 and at the
 * edges of overlap, and without overlap), "memset" (every size to 1024,
 * every destination alignment, fill values that need truncating), and
 * "large" (every size from 1000 bytes to 5 KiB, where implementations
 * change method, and 64 KiB to 4 MiB, in all three). Bytes around the
 * destination must be left as they were, and each returns its first
 * argument. The functions are called through volatile pointers, so that
 * the compiler cannot put its own code in their place. Passes on Linux
 * too. Prints "PART ok", or the first difference found, and exits 1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

typedef void *(*copy_fn)(void *, const void *, size_t);
typedef void *(*set_fn)(void *, int, size_t);
static copy_fn volatile do_memcpy = memcpy;
static copy_fn volatile do_memmove = memmove;
static set_fn volatile do_memset = memset;

#define MAXN 1024
#define ALIGNS 64
/* Guard bytes either side of a destination; room for memmove's source
 * and destination apart in either order, with them. */
#define MARGIN 128
#define SPAN (MARGIN + 3 * MAXN + ALIGNS + MARGIN)
#define GUARD 0xa5

static unsigned char src_buf[SPAN] __attribute__((aligned(64)));
static unsigned char dst_buf[SPAN] __attribute__((aligned(64)));
static unsigned char want_buf[SPAN] __attribute__((aligned(64)));
static unsigned char orig_buf[SPAN] __attribute__((aligned(64)));

/* The references work 8 bytes at a time (the memcpy part alone checks
 * 2 GB). The empty asm in each loop keeps the compiler from turning it
 * into a call of the function under test. */
typedef uint64_t __attribute__((may_alias, aligned(1))) word;
#define BARRIER() __asm__ volatile("" ::: "memory")

static void ref_set(unsigned char *p, unsigned char v, size_t n)
{
    word w = v * 0x0101010101010101u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        *(word *)(p + i) = w;
        BARRIER();
    }
    for (; i < n; i++) {
        p[i] = v;
        BARRIER();
    }
}

/* memmove's meaning: forwards when d is below s, else backwards, so
 * that each word is read before it is overwritten. */
static void ref_move(unsigned char *d, const unsigned char *s, size_t n)
{
    size_t i;
    if (d < s) {
        for (i = 0; i + 8 <= n; i += 8) {
            *(word *)(d + i) = *(const word *)(s + i);
            BARRIER();
        }
        for (; i < n; i++) {
            d[i] = s[i];
            BARRIER();
        }
    } else {
        for (i = n; i >= 8; i -= 8) {
            *(word *)(d + i - 8) = *(const word *)(s + i - 8);
            BARRIER();
        }
        for (; i > 0; i--) {
            d[i - 1] = s[i - 1];
            BARRIER();
        }
    }
}

/* The first offset in [0, n) where a and b differ, or -1: 16 bytes a
 * step, then the bytes of the step that differed. */
static long differ(const unsigned char *a, const unsigned char *b, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const word *x = (const word *)(a + i), *y = (const word *)(b + i);
        if (((x[0] ^ y[0]) | (x[1] ^ y[1])) != 0)
            break;
    }
    for (; i < n; i++)
        if (a[i] != b[i])
            return (long)i;
    return -1;
}

/* The first offset in [0, n) whose byte is not v, or -1. */
static long not_all(const unsigned char *p, size_t n, unsigned char v)
{
    word w = v * 0x0101010101010101u;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const word *x = (const word *)(p + i);
        if (((x[0] ^ w) | (x[1] ^ w)) != 0)
            break;
    }
    for (; i < n; i++)
        if (p[i] != v)
            return (long)i;
    return -1;
}

/* Source bytes: a fixed pseudo-random sequence without the guard byte,
 * so that a byte not copied, or copied to the wrong place, shows. */
static void fill_random(unsigned char *p, size_t n, uint32_t seed)
{
    uint32_t x = seed | 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)(x >> 11);
        if (p[i] == GUARD)
            p[i] ^= 0x10;
    }
}

/* Report the first failure: the call, and where it went wrong (an offset
 * from the destination; negative is before it). */
static void bad(const char *what, size_t n, long sa, long da, long at, int got,
                int want)
{
    if (!failed++)
        printf("%s(n=%zu, src+%ld, dst+%ld): byte %ld is 0x%02x, not 0x%02x\n",
               what, n, sa, da, at, got, want);
}

/* got[0, n) against want[0, n), reported relative to the destination,
 * which is d bytes in. */
static void compare(const char *what, size_t n, long sa, long da,
                    const unsigned char *got, const unsigned char *want,
                    size_t span, size_t d)
{
    long at = differ(got, want, span);
    if (at >= 0)
        bad(what, n, sa, da, at - (long)d, got[at], want[at]);
}

static void check_ret(const char *what, size_t n, long sa, long da, void *ret,
                      void *dst)
{
    if (ret != dst && !failed++)
        printf("%s(n=%zu, src+%ld, dst+%ld) returned %p, not %p\n", what, n, sa,
               da, ret, dst);
}

static void test_memcpy(void)
{
    fill_random(src_buf, SPAN, 1);
    ref_set(dst_buf, GUARD, SPAN);
    for (size_t n = 0; n <= MAXN && !failed; n++) {
        for (size_t sa = 0; sa < ALIGNS && !failed; sa++) {
            for (size_t da = 0; da < ALIGNS && !failed; da++) {
                size_t d = MARGIN + da;
                unsigned char *s = src_buf + MARGIN + sa;
                check_ret("memcpy", n, (long)sa, (long)da,
                          do_memcpy(dst_buf + d, s, n), dst_buf + d);
                /* the copy, and a margin either side untouched */
                long at = differ(dst_buf + d, s, n);
                if (at >= 0)
                    bad("memcpy", n, (long)sa, (long)da, at, dst_buf[d + at],
                        s[at]);
                at = not_all(dst_buf + d - MARGIN, MARGIN, GUARD);
                if (at >= 0)
                    bad("memcpy", n, (long)sa, (long)da, at - MARGIN,
                        dst_buf[d - MARGIN + at], GUARD);
                at = not_all(dst_buf + d + n, MARGIN, GUARD);
                if (at >= 0)
                    bad("memcpy", n, (long)sa, (long)da, (long)n + at,
                        dst_buf[d + n + at], GUARD);
                ref_set(dst_buf + d, GUARD, n);
            }
        }
        /* and nothing further away, for this whole size */
        long at = not_all(dst_buf, SPAN, GUARD);
        if (at >= 0 && !failed++)
            printf("memcpy(n=%zu): byte %ld of the buffer is 0x%02x\n", n, at,
                   dst_buf[at]);
    }
}

/* memmove(dst_buf + d, dst_buf + s, n), dst_buf holding what orig_buf
 * does, compared with the reference's result from MARGIN bytes before
 * the lower of the two to MARGIN after the higher (the caller compares
 * the rest), then put back as it was. */
static void move_once(size_t n, size_t s, size_t d)
{
    long sa = (long)s - MARGIN, da = (long)d - MARGIN;
    size_t lo = (s < d ? s : d) - MARGIN, hi = (s > d ? s : d) + n + MARGIN;
    ref_move(want_buf + lo, orig_buf + lo, hi - lo);
    ref_move(want_buf + d, orig_buf + s, n);
    check_ret("memmove", n, sa, da, do_memmove(dst_buf + d, dst_buf + s, n),
              dst_buf + d);
    compare("memmove", n, sa, da, dst_buf + lo, want_buf + lo, hi - lo, d - lo);
    ref_move(dst_buf + lo, orig_buf + lo, hi - lo);
}

/* memmove(dst_buf + d, src_buf + s, n): no overlap. */
static void move_apart(size_t n, size_t s, size_t d)
{
    long sa = (long)s, da = (long)d - MARGIN;
    size_t lo = d - MARGIN, hi = d + n + MARGIN;
    ref_move(want_buf + lo, orig_buf + lo, hi - lo);
    ref_move(want_buf + d, src_buf + s, n);
    check_ret("memmove", n, sa, da, do_memmove(dst_buf + d, src_buf + s, n),
              dst_buf + d);
    compare("memmove", n, sa, da, dst_buf + lo, want_buf + lo, hi - lo, d - lo);
    ref_move(dst_buf + lo, orig_buf + lo, hi - lo);
}

static void test_memmove(void)
{
    fill_random(orig_buf, SPAN, 2);
    fill_random(src_buf, SPAN, 5);
    ref_move(dst_buf, orig_buf, SPAN);
    for (size_t n = 0; n <= MAXN && !failed; n++) {
        /* room for the destination n + 1 below or above; the source's
         * alignment varies with the size */
        size_t s = MARGIN + MAXN + 1 + n % ALIGNS;
        /* Overlapping or adjacent, both ways: the destination every
         * distance up to 80 below or above the source, and about n
         * (where overlap starts) and n / 2. */
        long dists[161 + 8];
        size_t nd = 0;
        for (long k = -80; k <= 80; k++)
            dists[nd++] = k;
        long edges[] = {(long)n - 1, (long)n, (long)n + 1, (long)n / 2};
        for (size_t i = 0; i < 4; i++) {
            dists[nd++] = edges[i];
            dists[nd++] = -edges[i];
        }
        for (size_t i = 0; i < nd && !failed; i++)
            move_once(n, s, (size_t)((long)s + dists[i]));
        /* from another buffer, at some alignments of each */
        static const size_t aligns[] = {0, 1, 7, 8, 15, 16, 33, 63};
        for (size_t i = 0; i < 8 && !failed; i++)
            for (size_t j = 0; j < 8 && !failed; j++)
                move_apart(n, aligns[i], MARGIN + aligns[j]);
        /* and nothing further away, for this whole size */
        compare("memmove", n, 0, 0, dst_buf, orig_buf, SPAN, 0);
    }
}

static void test_memset(void)
{
    static const int values[] = {0, 0x5a, 0xff, -1, 0x1c3, -0x1ff};
    ref_set(dst_buf, GUARD, SPAN);
    for (size_t n = 0; n <= MAXN && !failed; n++) {
        for (size_t da = 0; da < ALIGNS && !failed; da++) {
            size_t d = MARGIN + da;
            int c = values[(n + da) % 6];
            unsigned char v = (unsigned char)c;
            check_ret("memset", n, 0, (long)da, do_memset(dst_buf + d, c, n),
                      dst_buf + d);
            long at = not_all(dst_buf + d, n, v);
            if (at >= 0)
                bad("memset", n, 0, (long)da, at, dst_buf[d + at], v);
            at = not_all(dst_buf + d - MARGIN, MARGIN, GUARD);
            if (at >= 0)
                bad("memset", n, 0, (long)da, at - MARGIN,
                    dst_buf[d - MARGIN + at], GUARD);
            at = not_all(dst_buf + d + n, MARGIN, GUARD);
            if (at >= 0)
                bad("memset", n, 0, (long)da, (long)n + at, dst_buf[d + n + at],
                    GUARD);
            ref_set(dst_buf + d, GUARD, n);
        }
        long at = not_all(dst_buf, SPAN, GUARD);
        if (at >= 0 && !failed++)
            printf("memset(n=%zu): byte %ld of the buffer is 0x%02x\n", n, at,
                   dst_buf[at]);
    }
}

/* The large part's buffers: one that copies read from and are made in,
 * the reference's, and a source apart from both. */
#define BIG_MAX ((size_t)4 << 20)
#define BIG_SPAN (BIG_MAX + 3 * 4096)
static unsigned char *big, *big_want, *big_src;

enum op { COPY, MOVE, SET };
static const char *const op_names[] = {"memcpy", "memmove", "memset"};

/* One call at big + d, from big_src + s (COPY) or big + s (MOVE), or of
 * c (SET), compared with the reference over the destination, the source
 * and margin bytes either side. */
static void big_one(enum op op, size_t n, size_t s, size_t d, size_t margin,
                    int c)
{
    const char *what = op_names[op];
    int move = op == MOVE, set = op == SET;
    size_t lo = d, hi = d + n;
    if (move && s < lo)
        lo = s;
    if (move && s + n > hi)
        hi = s + n;
    lo -= margin;
    hi += margin;
    ref_move(big_want + lo, big + lo, hi - lo);
    void *ret;
    if (set) {
        ref_set(big_want + d, (unsigned char)c, n);
        ret = do_memset(big + d, c, n);
    } else if (move) {
        ref_move(big_want + d, big + s, n);
        ret = do_memmove(big + d, big + s, n);
    } else {
        ref_move(big_want + d, big_src + s, n);
        ret = do_memcpy(big + d, big_src + s, n);
    }
    check_ret(what, n, (long)s, (long)d, ret, big + d);
    compare(what, n, (long)s, (long)d, big + lo, big_want + lo, hi - lo,
            d - lo);
}

static void test_large(void)
{
    big = malloc(BIG_SPAN);
    big_want = malloc(BIG_SPAN);
    big_src = malloc(BIG_SPAN);
    CHECK(big != NULL && big_want != NULL && big_src != NULL);
    if (failed)
        return;
    fill_random(big, BIG_SPAN, 3);
    fill_random(big_src, BIG_SPAN, 4);
    /* Every size from 1000 bytes to 5 KiB (the other parts have the
     * smaller ones), at a few alignments: memcpy; memmove with the
     * destination above the source and below it, by 1, 64 and about n / 2
     * bytes, and apart; memset. */
    static const size_t offs[][2] = {{0, 0}, {1, 0}, {0, 1}, {7, 33}, {63, 62}};
    for (size_t n = 1000; n <= 5 * 1024 && !failed; n++) {
        for (size_t i = 0; i < 5 && !failed; i++) {
            size_t s = 4096 + offs[i][0], d = 4096 + offs[i][1];
            big_one(COPY, n, s, d, 64, 0);
            size_t ks[] = {1, 64, n / 2 + 1, n + 64 + i};
            for (size_t j = 0; j < 4 && !failed; j++) {
                big_one(MOVE, n, s, s + ks[j], 64, 0);
                big_one(MOVE, n, s + ks[j], s, 64, 0);
            }
            big_one(SET, n, 0, d, 64, (int)n);
        }
    }
    /* Big ones, at odd sizes and alignments too. */
    static const size_t sizes[] = {65536, 65536 + 13, (size_t)1 << 20,
                                   ((size_t)1 << 20) - 1, BIG_MAX};
    for (size_t i = 0; i < 5 && !failed; i++) {
        size_t n = sizes[i], b = 4096;
        big_one(COPY, n, b, b, 4096, 0);
        big_one(COPY, n, b + 3, b + 61, 4096, 0);
        big_one(MOVE, n, b, b + 1, 4096, 0);        /* up by 1 */
        big_one(MOVE, n, b + 64, b, 4096, 0);       /* down by 64 */
        big_one(MOVE, n, b, b + 4000, 4096, 0);     /* up by 4000 */
        big_one(MOVE, n, b + 4000, b + 5, 4096, 0); /* down by 3995 */
        big_one(SET, n, 0, b + 17, 4096, 0x3c);
    }
}

int main(int argc, char **argv)
{
    static const struct test_part parts[] = {
        {"memcpy", test_memcpy},
        {"memmove", test_memmove},
        {"memset", test_memset},
        {"large", test_large},
    };
    return run_part(argc, argv, parts, sizeof(parts) / sizeof(parts[0]));
}
