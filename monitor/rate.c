/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * rate.c: a token bucket over a caller's clock (pure, unit-tested with a
 * fake one). Tokens are kept in byte-nanoseconds per second (bytes * 1e9),
 * so that frequent small refills keep their fractions: a bucket refilled
 * every microsecond at 1 KiB/s still fills.
 */
#include "husk.h"

#define NS_PER_S 1000000000ULL

void husk_rate_init(struct husk_rate *r, uint64_t rate, uint64_t burst,
                    uint64_t now_ns)
{
    /* burst * 1e9 must fit: callers bound it (HUSK_CONSOLE_RATE_MAX). */
    *r = (struct husk_rate){rate, burst, burst * NS_PER_S, now_ns};
}

bool husk_rate_take(struct husk_rate *r, uint64_t n, uint64_t now_ns)
{
    if (r->rate == 0)
        return true;
    uint64_t full = r->burst * NS_PER_S;
    /* A clock that steps back refills nothing (monotonic: it should not). */
    uint64_t elapsed = now_ns > r->last_ns ? now_ns - r->last_ns : 0;
    r->last_ns = now_ns > r->last_ns ? now_ns : r->last_ns;
    /* tokens += elapsed * rate, capped at full, without overflow. */
    if (elapsed >= (full - r->tokens) / r->rate + 1)
        r->tokens = full;
    else
        r->tokens += elapsed * r->rate;
    if (n > r->burst || n * NS_PER_S > r->tokens)
        return false;
    r->tokens -= n * NS_PER_S;
    return true;
}

uint64_t husk_rate_wait_ns(const struct husk_rate *r, uint64_t n)
{
    if (r->rate == 0 || n > r->burst)
        return 0;
    uint64_t need = n * NS_PER_S;
    if (need <= r->tokens)
        return 0;
    /* tokens grow by rate per nanosecond: round up. */
    return (need - r->tokens + r->rate - 1) / r->rate;
}
