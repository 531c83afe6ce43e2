/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/stream.c: Ethernet frames over a byte stream (stream.h):
 * the receive parser, and TSO frames made whole for passt, which takes
 * TCP segments of any length up to 64 KiB and cuts nothing itself: where
 * a tap's kernel fills in each segment's checksum from the virtio-net
 * header, here the monitor computes it, once per joined frame rather
 * than once per MTU-sized segment.
 */
#include <string.h>

#include "stream.h"
#include "bytes.h"

enum husk_stream_next husk_stream_next(struct husk_stream_rx *s,
                                       uint32_t frame_max, uint8_t **frame,
                                       uint32_t *len)
{
    size_t avail = s->tail - s->head;
    if (s->skip > 0) { /* the rest of a dropped frame, as it comes */
        size_t n = avail < s->skip ? avail : s->skip;
        s->head += n;
        s->skip -= (uint32_t)n;
        avail -= n;
        if (s->skip > 0)
            return HUSK_STREAM_NONE;
    }
    if (avail < HUSK_STREAM_PREFIX)
        return HUSK_STREAM_NONE;
    *len = be32(s->buf + s->head);
    if (*len > HUSK_STREAM_FRAME_MAX)
        return HUSK_STREAM_BAD;
    if (*len < 14 || *len > frame_max) {
        /* Dropped whole, without waiting for it to be all here. */
        s->head += HUSK_STREAM_PREFIX;
        s->skip = *len;
        avail -= HUSK_STREAM_PREFIX;
        size_t n = avail < s->skip ? avail : s->skip;
        s->head += n;
        s->skip -= (uint32_t)n;
        return HUSK_STREAM_DROP;
    }
    if (avail < HUSK_STREAM_PREFIX + (size_t)*len)
        return HUSK_STREAM_NONE;
    *frame = s->buf + s->head + HUSK_STREAM_PREFIX;
    s->head += HUSK_STREAM_PREFIX + (size_t)*len;
    return HUSK_STREAM_FRAME;
}

uint8_t *husk_stream_room(struct husk_stream_rx *s, size_t *room)
{
    if (s->head == s->tail) {
        s->head = s->tail = 0;
    } else if (s->head > 0 && HUSK_STREAM_RX_BUF - s->tail <
                                  HUSK_STREAM_FRAME_MAX + HUSK_STREAM_PREFIX) {
        /* Usually what is left is the start of one frame: move it down. */
        memmove(s->buf, s->buf + s->head, s->tail - s->head);
        s->tail -= s->head;
        s->head = 0;
    }
    *room = HUSK_STREAM_RX_BUF - s->tail;
    return s->buf + s->tail;
}

void husk_stream_filled(struct husk_stream_rx *s, size_t n)
{
    s->tail += n;
}

unsigned husk_stream_drop_whole(struct husk_stream_rx *s, uint32_t frame_max)
{
    unsigned n = 0;
    uint8_t *f;
    uint32_t len;
    enum husk_stream_next k;
    while ((k = husk_stream_next(s, frame_max, &f, &len)) ==
               HUSK_STREAM_FRAME ||
           k == HUSK_STREAM_DROP)
        n++;
    return n;
}

/* The Internet checksum's running sum (RFC 1071) of n bytes, in the
 * machine's byte order: stored the same way, it comes out right. */
static uint64_t sum(uint64_t acc, const uint8_t *p, size_t n)
{
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        acc += (v & 0xffffffffU) + (v >> 32);
    }
    for (; n >= 2; p += 2, n -= 2) {
        uint16_t v;
        memcpy(&v, p, 2);
        acc += v;
    }
    if (n == 1) { /* the odd byte, padded with a zero after it */
        uint16_t v = 0;
        memcpy(&v, p, 1);
        acc += v;
    }
    return acc;
}

static uint16_t fold(uint64_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

/* One segment: headers head[0, hl) (Ethernet, IPv4 of ip_hl bytes, TCP)
 * with plen payload bytes after them; lengths and checksums set. */
static void finish(uint8_t *head, uint32_t hl, uint32_t ip_hl,
                   const uint8_t *payload, uint32_t plen,
                   struct husk_stream_piece *out)
{
    uint8_t *ip = head + 14, *tcp = ip + ip_hl;
    uint32_t tcp_len = hl - 14 - ip_hl + plen;
    put16(ip + 2, ip_hl + tcp_len);
    memset(ip + 10, 0, 2);
    uint16_t c = fold(sum(0, ip, ip_hl));
    memcpy(ip + 10, &c, 2);
    uint8_t pseudo[12];
    memcpy(pseudo, ip + 12, 8); /* source and destination */
    pseudo[8] = 0;
    pseudo[9] = 6; /* TCP */
    put16(pseudo + 10, tcp_len);
    memset(tcp + 16, 0, 2);
    c = fold(sum(sum(sum(0, pseudo, sizeof(pseudo)), tcp, hl - 14 - ip_hl),
                 payload, plen));
    memcpy(tcp + 16, &c, 2);
    put32(out->prefix, hl + plen);
    out->head = head;
    out->head_len = hl;
    out->payload = payload;
    out->payload_len = plen;
}

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

unsigned husk_stream_tso(const struct virtio_net_hdr *h, uint8_t *head,
                         uint8_t *head2, const uint8_t *frame, uint32_t len,
                         struct husk_stream_piece out[2])
{
    uint32_t hl = h->hdr_len, ip_hl = (uint32_t)h->csum_start - 14;
    uint32_t payload = len - hl;
    if (len <= HUSK_STREAM_FRAME_MAX) {
        finish(head, hl, ip_hl, frame + hl, payload, &out[0]);
        return 1;
    }
    /* Longer than passt takes (the guest may join up to 65,549 bytes):
     * two segments, as the host kernel would cut them, but fewer. */
    uint32_t first = HUSK_STREAM_FRAME_MAX - hl;
    memcpy(head2, head, hl);
    uint8_t *ip2 = head2 + 14, *tcp1 = head + 14 + ip_hl, *tcp2 = ip2 + ip_hl;
    tcp1[13] &= (uint8_t) ~(TCP_FIN | TCP_PSH);
    tcp2[13] &= (uint8_t)~TCP_CWR;
    put32(tcp2 + 4, be32(tcp2 + 4) + first);
    put16(ip2 + 4, be16(ip2 + 4) + 1);
    finish(head, hl, ip_hl, frame + hl, first, &out[0]);
    finish(head2, hl, ip_hl, frame + hl + first, payload - first, &out[1]);
    return 2;
}

void husk_stream_whole(const uint8_t *frame, uint32_t len,
                       struct husk_stream_piece *out)
{
    put32(out->prefix, len);
    out->head = frame;
    out->head_len = len;
    out->payload = NULL;
    out->payload_len = 0;
}

void husk_stream_split(const uint8_t *head, uint32_t head_len,
                       const uint8_t *frame, uint32_t len,
                       struct husk_stream_piece *out)
{
    put32(out->prefix, len);
    out->head = head;
    out->head_len = head_len;
    out->payload = frame + head_len;
    out->payload_len = len - head_len;
}
