/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/bytes.h: big-endian fields of frames and headers, read and
 * written a byte at a time (no alignment assumed, no byte-order calls):
 * for tso.c, stream.c, tcpfix.c and synretry.c, which parse what the
 * guest or passt wrote.
 */
#ifndef HUSK_NET_BYTES_H
#define HUSK_NET_BYTES_H

#include <stdint.h>

static inline uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static inline void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

#endif
