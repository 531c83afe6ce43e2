/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* test_rate.c: the token bucket of monitor/rate.c, on a fake clock. */
#include "husk.h"
#include "unit.h"

#define S 1000000000ULL /* one second in ns */

TEST(rate_unlimited)
{
    struct husk_rate r;
    husk_rate_init(&r, 0, 0, 0);
    for (int i = 0; i < 1000; i++)
        CHECK(husk_rate_take(&r, UINT32_MAX, 0));
}

TEST(rate_burst_then_rate)
{
    struct husk_rate r;
    husk_rate_init(&r, 1000, 4000, 5 * S);  /* 1000 B/s, 4000 at once */
    CHECK(husk_rate_take(&r, 4000, 5 * S)); /* starts full */
    CHECK(!husk_rate_take(&r, 1, 5 * S));
    CHECK(!husk_rate_take(&r, 2, 5 * S + S / 1000)); /* 1 byte so far */
    CHECK(husk_rate_take(&r, 1, 5 * S + S / 1000));
    CHECK(husk_rate_take(&r, 500, 5 * S + S / 1000 + S / 2));
    CHECK(!husk_rate_take(&r, 1, 5 * S + S / 1000 + S / 2));
    /* A long pause fills the bucket, no more. */
    CHECK(husk_rate_take(&r, 4000, 1000 * S));
    CHECK(!husk_rate_take(&r, 1, 1000 * S));
}

TEST(rate_refused_takes_nothing)
{
    struct husk_rate r;
    husk_rate_init(&r, 100, 100, 0);
    CHECK(!husk_rate_take(&r, 101, 0)); /* more than the burst: never */
    CHECK(!husk_rate_take(&r, 101, 100 * S));
    CHECK(husk_rate_take(&r, 100, 100 * S)); /* and the bucket is intact */
}

TEST(rate_keeps_fractions)
{
    /* Refilled every microsecond, 1 byte/s still earns a byte a second:
     * each refill is 1000 byte-ns/s, far less than a byte. */
    struct husk_rate r;
    husk_rate_init(&r, 1, 1, 0);
    CHECK(husk_rate_take(&r, 1, 0));
    uint64_t t = 0;
    int got = 0;
    for (int i = 0; i < 3000000; i++) {
        t += 1000;
        got += husk_rate_take(&r, 1, t);
    }
    CHECK_EQ(got, 3);
}

TEST(rate_extremes)
{
    /* The largest rate over the longest pause must not overflow, and a
     * clock that steps back must not refill. */
    struct husk_rate r;
    husk_rate_init(&r, HUSK_CONSOLE_RATE_MAX, HUSK_CONSOLE_RATE_MAX, 0);
    CHECK(husk_rate_take(&r, HUSK_CONSOLE_RATE_MAX, 0));
    CHECK(husk_rate_take(&r, HUSK_CONSOLE_RATE_MAX, UINT64_MAX));
    CHECK(!husk_rate_take(&r, 1, UINT64_MAX));
    CHECK(!husk_rate_take(&r, 1, 0));
    CHECK(!husk_rate_take(&r, 1, UINT64_MAX));
}

TEST(rate_wait_is_the_time_to_refill)
{
    struct husk_rate r;
    husk_rate_init(&r, 1000, 4000, 5 * S); /* 1000 B/s, 4000 at once */
    CHECK(husk_rate_take(&r, 4000, 5 * S));
    CHECK(!husk_rate_take(&r, 500, 5 * S));
    CHECK_EQ(husk_rate_wait_ns(&r, 500), S / 2); /* 500 B at 1000 B/s */
    CHECK(!husk_rate_take(&r, 500, 5 * S + S / 2 - 1));
    CHECK(husk_rate_take(&r, 500, 5 * S + S / 2));
    CHECK_EQ(husk_rate_wait_ns(&r, 0), 0);
    CHECK_EQ(husk_rate_wait_ns(&r, 4001), 0); /* never fits: no wait */
    husk_rate_init(&r, 0, 0, 0);
    CHECK_EQ(husk_rate_wait_ns(&r, 1), 0); /* no limit */
}
