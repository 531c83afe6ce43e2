/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* drivers/net/tso.h: joining TCP segments into one TSO frame (tso.c). */
#ifndef HUSK_TSO_H
#define HUSK_TSO_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Append TCP segment seg (seg_len bytes, a complete Ethernet frame) to the
 * frame at tso (*tso_len bytes; *mss 0 while it is still one plain
 * segment), if it continues it: then *tso_len and *mss are updated, the
 * headers fixed up for net_io's TSO (docs/abi.md), and true returned. The
 * frame may grow to room bytes; seg may lie after it in the same buffer.
 */
bool husk_tso_append(uint8_t *tso, uint32_t *tso_len, uint32_t *mss,
                     const uint8_t *seg, uint32_t seg_len, uint32_t room);

/*
 * Whether the frame f (len bytes) may still be joined to by the next
 * segment: a TCP segment with payload whose only flag is ACK (lwIP puts
 * PSH on the last segment of what the program wrote).
 */
bool husk_tso_may_grow(const uint8_t *f, uint32_t len);

#endif
