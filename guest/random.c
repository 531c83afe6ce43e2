/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * random.c: getrandom from the CPU's generator. RDRAND and RDSEED run at
 * CPL3 without an exit; the monitor tells us which ones the vCPU offers.
 * An image that needs randomness on a CPU with neither stops clearly.
 */
#include <errno.h>
#include <immintrin.h>

#include "guest.h"

/* Intel's guidance: RDRAND may fail transiently; 10 tries is plenty. */
__attribute__((target("rdrnd,rdseed"))) static int next64(unsigned long long *v)
{
    uint64_t f = husk_boot->features;
    if (f & HUSK_FEATURE_RDRAND)
        for (int i = 0; i < 10; i++)
            if (__builtin_ia32_rdrand64_step(v))
                return 0;
    if (f & HUSK_FEATURE_RDSEED)
        for (int i = 0; i < 1000; i++) {
            if (__builtin_ia32_rdseed_di_step(v))
                return 0;
            _mm_pause();
        }
    return -1;
}

long husk_sys_getrandom(void *buf, size_t len, unsigned flags)
{
    (void)flags; /* always "blocking" quality, never blocks */
    unsigned char *p = buf;
    size_t done = 0;
    while (done < len) {
        unsigned long long v;
        if (next64(&v) != 0) {
            if (!(husk_boot->features &
                  (HUSK_FEATURE_RDRAND | HUSK_FEATURE_RDSEED)))
                husk_panic("getrandom: this CPU offers neither RDRAND nor "
                           "RDSEED");
            husk_panic("getrandom: RDRAND/RDSEED keep failing");
        }
        size_t n = len - done < 8 ? len - done : 8;
        __builtin_memcpy(p + done, &v, n);
        done += n;
    }
    return (long)done;
}
