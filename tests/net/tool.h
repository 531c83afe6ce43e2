/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* tool.h: what the host-side network test tools share on top of the
 * examples' helpers: the clock, sizes with suffixes, addresses, and the
 * pseudo-random byte stream the checkers send and expect back. */
#ifndef TOOL_H
#define TOOL_H

#include <arpa/inet.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#include "../../examples/netutil.h"

static inline double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Milliseconds from now to DEADLINE for poll(), at least 0. */
static inline int ms_until(double deadline)
{
    double left = deadline - now();
    return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

/* A byte count: digits with an optional K, M or G (powers of 1024). */
static inline unsigned long long parse_size(const char *prog, const char *opt,
                                            const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    if (shift != 0)
        end++;
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
        v > (~0ull >> shift))
        fail(prog, 0, "%s %s: expected a byte count such as 4096, 64K, 100M",
             opt, s);
    return v << shift;
}

static inline struct sockaddr_in parse_addr(const char *prog, const char *host,
                                            unsigned port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((unsigned short)port)};
    if (host == NULL || inet_pton(AF_INET, host, &a.sin_addr) != 1)
        fail(prog, 0, "--host %s: expected an IPv4 address (A.B.C.D)",
             host != NULL ? host : "(missing)");
    return a;
}

/* Room for N more descriptors: raise the soft limit towards the hard. */
static inline void want_fds(const char *prog, unsigned long n)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= n + 16)
        return;
    r.rlim_cur = r.rlim_max == RLIM_INFINITY || r.rlim_max >= n + 16
                     ? n + 16
                     : r.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur < n + 16)
        fail(prog, 0, "%lu connections need %lu descriptors; the limit is %lu",
             n, n + 16, (unsigned long)r.rlim_cur);
}

/* The test stream: byte OFF of stream SEED is byte OFF % 8 of
 * splitmix64(SEED + OFF / 8). Any stretch can be made again from its
 * offset alone, so the sender needs no copy of what it sent and the
 * checker compares every byte that comes back. */
static inline uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static inline void stream_bytes(uint64_t seed, uint64_t off, unsigned char *p,
                                size_t n)
{
    while (n > 0) {
        uint64_t w = splitmix64(seed + off / 8);
        unsigned char b[8];
        memcpy(b, &w, 8);
        size_t k = off % 8, m = 8 - k < n ? 8 - k : n;
        memcpy(p, b + k, m);
        p += m;
        off += m;
        n -= m;
    }
}

#endif
