/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/stream.h: Ethernet frames over a byte stream, as QEMU's
 * stream netdev and passt speak it: each frame preceded by its length, a
 * 4-byte big-endian number. The receive side (a parser over a buffer of
 * the monitor's own) and the transmit side's one piece of work, turning a
 * checked TSO frame into whole TCP segments with their checksums, are
 * pure: the unit tests and fuzzers run them on the host. stream.c.
 */
#ifndef HUSK_NET_STREAM_H
#define HUSK_NET_STREAM_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet.h"

#define HUSK_STREAM_PREFIX 4 /* the length before each frame */
/* The longest frame passt sends or takes (ETH_MAX_MTU): a longer length
 * on the stream means the two ends are out of step. */
#define HUSK_STREAM_FRAME_MAX 65535
/* The receive buffer: one read brings in many frames, and it holds what
 * passt sends while the guest only transmits (user.c). */
#define HUSK_STREAM_RX_BUF (1024 * 1024)

/* Frames read from the stream and not yet taken: buf[head, tail). */
struct husk_stream_rx {
    uint8_t *buf; /* HUSK_STREAM_RX_BUF bytes */
    size_t head, tail;
    uint32_t skip; /* bytes of a dropped frame that are still to come */
};

enum husk_stream_next {
    HUSK_STREAM_NONE,  /* no whole frame buffered: read more */
    HUSK_STREAM_FRAME, /* *frame, *len: a frame for the guest */
    HUSK_STREAM_DROP,  /* a frame the guest cannot take was dropped */
    HUSK_STREAM_BAD,   /* a length no frame has: the stream is broken */
};

/*
 * The next frame in s, if whole: frames shorter than an Ethernet header or
 * longer than frame_max are dropped (the rest of one still to come is
 * skipped as it arrives). *len is set for HUSK_STREAM_BAD too (the length
 * read). *frame points into s->buf: the monitor's own memory, which it
 * may change (tcpfix.c). Pure.
 */
enum husk_stream_next husk_stream_next(struct husk_stream_rx *s,
                                       uint32_t frame_max, uint8_t **frame,
                                       uint32_t *len);

/* Where the next read goes, and how much fits there: the buffer is moved
 * down first when that makes room. At least HUSK_STREAM_RX_BUF less a
 * largest frame when no whole frame is buffered. Pure. */
uint8_t *husk_stream_room(struct husk_stream_rx *s, size_t *room);
/* n bytes were read into the room. */
void husk_stream_filled(struct husk_stream_rx *s, size_t n);
/* Drop every whole frame buffered (as husk_stream_next would deliver or
 * drop them), to make room; returns how many. Stops at a broken length.
 * Pure. */
unsigned husk_stream_drop_whole(struct husk_stream_rx *s, uint32_t frame_max);

/* One frame to write: the prefix, then head (head_len bytes), then
 * payload (payload_len bytes, possibly 0). */
struct husk_stream_piece {
    uint8_t prefix[HUSK_STREAM_PREFIX];
    const uint8_t *head;
    uint32_t head_len;
    const uint8_t *payload;
    uint32_t payload_len;
};

/*
 * A TSO frame (len bytes, checked: h from husk_vnet_header, h->hdr_len
 * bytes of its headers copied to head) as whole TCP segments for a peer
 * that takes frames up to HUSK_STREAM_FRAME_MAX and does no segmentation
 * of its own: one segment when it fits (the usual case: lwIP's segments
 * joined by the guest), else two, the first as long as fits. Each gets
 * its IP total length and checksum and its TCP checksum, computed here
 * over its headers and the payload read from frame (guest memory: read
 * once, never written); the second its sequence number, IP id and the
 * first's PSH and FIN (TCP's rules for cut segments). head2 (room for
 * HUSK_VNET_HEAD_MAX bytes) holds the second's headers. Returns how many
 * of out[2] it filled. Pure.
 */
unsigned husk_stream_tso(const struct virtio_net_hdr *h, uint8_t *head,
                         uint8_t *head2, const uint8_t *frame, uint32_t len,
                         struct husk_stream_piece out[2]);

/* A complete frame (len bytes at frame) as one piece. Pure. */
void husk_stream_whole(const uint8_t *frame, uint32_t len,
                       struct husk_stream_piece *out);
/* A complete frame (len bytes at frame) as one piece whose first head_len
 * bytes come from head instead (a changed copy of them). Pure. */
void husk_stream_split(const uint8_t *head, uint32_t head_len,
                       const uint8_t *frame, uint32_t len,
                       struct husk_stream_piece *out);

#endif
