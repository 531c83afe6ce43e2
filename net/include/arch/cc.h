/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * arch/cc.h: lwIP's platform header for Husk guests (x86-64, musl). lwIP's
 * assertions stay on: a broken invariant stops the guest with a message
 * (exit 134) rather than letting the stack run on corrupted state.
 */
#ifndef HUSK_LWIP_ARCH_CC_H
#define HUSK_LWIP_ARCH_CC_H

#include <endian.h>
#include <stdint.h>

#define LWIP_TIMEVAL_PRIVATE 0 /* musl's struct timeval */
#define LWIP_ERRNO_STDINCLUDE 1

/* net/stack.c */
void husk_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void husk_lwip_assert(const char *msg, const char *file, int line);
uint32_t husk_lwip_rand(void);

#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
        husk_lwip_diag x;     \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) husk_lwip_assert(x, __FILE__, __LINE__)
#define LWIP_RAND() husk_lwip_rand()

#endif
