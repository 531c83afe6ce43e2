/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * embed_guest.c: bench/embed's guest. Exports "empty" (no input, no
 * output: the call round trip itself) and "echo" (its input back: the
 * 4 KiB-each-way call).
 */
#include <husk.h>
#include <string.h>

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

int main(void)
{
    return 0;
}
