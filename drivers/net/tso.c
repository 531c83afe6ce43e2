/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/tso.c: segmentation offload, built after the fact. lwIP
 * sends a TCP stream as MTU-sized segments; consecutive ones of one
 * connection that differ only in their sequence number and payload are
 * joined here into one frame that the host kernel cuts back into the same
 * segments (net_io's mss, docs/abi.md). Each frame costs the monitor a
 * write and the host a pass through its network stack, so a 12 KiB HTTP
 * response goes from nine of those to one.
 *
 * Only plain data segments are joined: IPv4 without options, ACK set,
 * nothing but PSH on the last one (the kernel puts PSH on the last segment
 * it cuts), equal headers otherwise (addresses, ports, ack, window, TCP
 * options), every segment but the last exactly mss long. Pure: the unit
 * tests run it on the host.
 */
#include <string.h>

#include "tso.h"
#include "bytes.h"

#define ETH_HLEN 14
#define TCP_ACK 0x10
#define TCP_PSH 0x08

static uint32_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

/* The TCP header's offset and the payload's length of an IPv4 TCP frame
 * without IP options that is no fragment; false for anything else. */
static bool tcp_segment(const uint8_t *f, uint32_t len, uint32_t *thl,
                        uint32_t *payload)
{
    if (len < ETH_HLEN + 40 || be16(f + 12) != 0x0800)
        return false;
    const uint8_t *ip = f + ETH_HLEN;
    if (ip[0] != 0x45 || ip[9] != 6 || be16(ip + 2) != len - ETH_HLEN ||
        (be16(ip + 6) & 0x3fff) != 0)
        return false;
    *thl = (uint32_t)(ip[20 + 12] >> 4) * 4;
    if (*thl < 20 || ETH_HLEN + 20 + *thl > len)
        return false;
    *payload = len - ETH_HLEN - 20 - *thl;
    return true;
}

bool husk_tso_may_grow(const uint8_t *f, uint32_t len)
{
    uint32_t thl, payload;
    return tcp_segment(f, len, &thl, &payload) && payload > 0 &&
           f[ETH_HLEN + 20 + 13] == TCP_ACK;
}

bool husk_tso_append(uint8_t *tso, uint32_t *tso_len, uint32_t *mss,
                     const uint8_t *seg, uint32_t seg_len, uint32_t room)
{
    uint32_t thl, payload, seg_thl, seg_payload;
    if (!tcp_segment(tso, *tso_len, &thl, &payload) ||
        !tcp_segment(seg, seg_len, &seg_thl, &seg_payload))
        return false;
    const uint8_t *ip = tso + ETH_HLEN, *sip = seg + ETH_HLEN;
    const uint8_t *th = ip + 20, *sth = sip + 20;
    uint32_t want = *mss != 0 ? *mss : payload;
    if (payload == 0 || seg_payload == 0 || seg_payload > want ||
        payload % want != 0)
        return false;
    /* Same link and IP headers but for length, id and checksum. */
    if (memcmp(tso, seg, ETH_HLEN) != 0 || ip[1] != sip[1] ||
        memcmp(ip + 6, sip + 6, 3) != 0 || memcmp(ip + 12, sip + 12, 8) != 0)
        return false;
    /* Same TCP header but for the sequence number, PSH and checksum. */
    if (thl != seg_thl || th[13] != TCP_ACK ||
        (sth[13] != TCP_ACK && sth[13] != (TCP_ACK | TCP_PSH)) ||
        memcmp(th, sth, 4) != 0 || memcmp(th + 8, sth + 8, 4) != 0 ||
        memcmp(th + 14, sth + 14, 2) != 0 || be16(th + 18) != 0 ||
        be16(sth + 18) != 0 || memcmp(th + 20, sth + 20, thl - 20) != 0)
        return false;
    if (be32(sth + 4) != be32(th + 4) + payload)
        return false;
    uint32_t new_len = *tso_len + seg_payload;
    if (new_len > room || new_len - ETH_HLEN > 0xffff)
        return false;

    /* seg's headers are read before the move: it may overwrite them. */
    uint8_t flags = sth[13]; /* PSH, if the last one has it */
    memmove(tso + *tso_len, seg + seg_len - seg_payload, seg_payload);
    *tso_len = new_len;
    *mss = want;
    uint8_t *wip = tso + ETH_HLEN, *wth = wip + 20;
    wth[13] = flags;
    put16(wip + 2, new_len - ETH_HLEN);
    put16(wip + 10, 0);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += be16(wip + i);
    put16(wip + 10, ~fold(sum) & 0xffff);
    /* The pseudo-header's sum, not complemented: the host adds the rest
     * of each segment's checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM). */
    sum = be16(wip + 12) + be16(wip + 14) + be16(wip + 16) + be16(wip + 18) +
          6 + (new_len - ETH_HLEN - 20);
    put16(wth + 16, fold(sum));
    return true;
}
