/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * unit.h: a tiny test framework, no dependencies.
 *
 *     TEST(parse_size_bare_number) { CHECK_EQ(parse("64"), 64 << 20); }
 *
 * Every TEST registers itself before main (a constructor), so a new file in
 * tests/unit/ needs no list to be updated. The runner (unit.c) runs each
 * test in a child process: a crash, a sanitizer report or an _exit() from
 * husk_fatal fails that test only. It prints one line per test on stdout,
 * "PASS unit/NAME", "FAIL unit/NAME: FILE:LINE: why" or "SKIP unit/NAME:
 * why", and exits 1 if any test failed. `unit SUBSTRING` runs only the
 * tests whose names contain SUBSTRING.
 */
#ifndef HUSK_UNIT_H
#define HUSK_UNIT_H

#include <stdint.h>
#include <string.h>

typedef void (*unit_fn)(void);

void unit_register(const char *name, unit_fn fn, const char *file, int line);

/* End the current test as failed (or skipped); the reason is one line. */
_Noreturn void unit_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
_Noreturn void unit_skip(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#define TEST(name)                                                      \
    static void test_##name(void);                                      \
    __attribute__((constructor)) static void unit_register_##name(void) \
    {                                                                   \
        unit_register(#name, test_##name, __FILE__, __LINE__);          \
    }                                                                   \
    static void test_##name(void)

#define FAIL(...) unit_fail(__FILE__, __LINE__, __VA_ARGS__)

#define CHECK(cond)                          \
    do {                                     \
        if (!(cond))                         \
            FAIL("CHECK(%s) failed", #cond); \
    } while (0)

/* Integers of any width and sign, shown in decimal and hex on failure. */
#define CHECK_EQ(a, b)                                                        \
    do {                                                                      \
        unsigned long long unit_a_ = (unsigned long long)(a);                 \
        unsigned long long unit_b_ = (unsigned long long)(b);                 \
        if (unit_a_ != unit_b_)                                               \
            FAIL("%s == %s: %llu (0x%llx) != %llu (0x%llx)", #a, #b, unit_a_, \
                 unit_a_, unit_b_, unit_b_);                                  \
    } while (0)

#define CHECK_STREQ(a, b)                                     \
    do {                                                      \
        const char *unit_a_ = (a), *unit_b_ = (b);            \
        if (unit_a_ == NULL || strcmp(unit_a_, unit_b_) != 0) \
            FAIL("%s is \"%s\", expected \"%s\"", #a,         \
                 unit_a_ ? unit_a_ : "(null)", unit_b_);      \
    } while (0)

/* hay contains needle (messages are checked on their key words). */
#define CHECK_HAS(hay, needle)                                   \
    do {                                                         \
        const char *unit_h_ = (hay), *unit_n_ = (needle);        \
        if (unit_h_ == NULL || strstr(unit_h_, unit_n_) == NULL) \
            FAIL("\"%s\" does not contain \"%s\"",               \
                 unit_h_ ? unit_h_ : "(null)", unit_n_);         \
    } while (0)

#endif
