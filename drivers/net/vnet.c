/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/vnet.c: the virtio-net header that goes before each frame
 * on a tap opened with IFF_VNET_HDR. A complete frame gets a header of
 * zeros; a TSO frame (mss given) gets one that asks the host kernel to
 * cut it into segments of mss payload bytes and to fill in each TCP
 * checksum. The frame's headers are read here only to find the header
 * lengths the kernel needs, each read checked against the frame's length,
 * and a frame that is not what the guest claims stops it. They are read
 * from a copy the monitor made, and that copy is what goes to the tap:
 * guest memory can change under the monitor (another vCPU, the I/O
 * thread's reads), so headers checked there could be others by the time
 * they were sent. The kernel checks the header again
 * (virtio_net_hdr_to_skb).
 */
#include <string.h>

#include "../../monitor/husk.h" /* husk_errorf: see husk_own_tls */
#include "vnet.h"

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

int husk_vnet_header(const uint8_t *head, uint32_t len, uint32_t mss,
                     uint32_t mtu, struct virtio_net_hdr *h, char *why,
                     size_t whylen)
{
    memset(h, 0, sizeof(*h));
    if (mss == 0)
        return 0; /* complete as it is */
    if (mss > mtu - HUSK_VNET_IP_TCP_MIN) {
        return husk_errorf(why, whylen,
                           "mss %u is not from 1 to %u (MTU %u - 40)", mss,
                           mtu - HUSK_VNET_IP_TCP_MIN, mtu);
    }
    if (len < HUSK_ETH_HLEN + HUSK_VNET_IP_TCP_MIN ||
        len > HUSK_NET_TSO_FRAME_MAX) {
        return husk_errorf(
            why, whylen, "a TSO frame's length %u is not from %d to %d", len,
            HUSK_ETH_HLEN + HUSK_VNET_IP_TCP_MIN, HUSK_NET_TSO_FRAME_MAX);
    }
    /* From here on, every byte read lies below HUSK_ETH_HLEN +
     * HUSK_VNET_IP_TCP_MIN <= len, and below HUSK_VNET_HEAD_MAX. */
    const uint8_t *ip = head + HUSK_ETH_HLEN;
    uint32_t ihl = (ip[0] & 0xfu) * 4u;
    if (be16(head + 12) != 0x0800 || ip[0] != 0x45 || ip[9] != 6) {
        return husk_errorf(why, whylen,
                           "mss %u given, but the frame is no IPv4 TCP segment "
                           "without IP options",
                           mss);
    }
    if (be16(ip + 2) != len - HUSK_ETH_HLEN) {
        return husk_errorf(
            why, whylen,
            "a TSO frame's IP total length %u is not its length %u "
            "less the Ethernet header",
            be16(ip + 2), len);
    }
    if ((be16(ip + 6) & 0x3fffu) != 0) {
        return husk_errorf(why, whylen,
                           "a TSO frame must not be an IP fragment");
    }
    const uint8_t *tcp = ip + ihl;
    uint32_t thl = (uint32_t)(tcp[12] >> 4) * 4u;
    uint32_t hdr_len = HUSK_ETH_HLEN + ihl + thl;
    if (thl < 20 || hdr_len > len || hdr_len > HUSK_VNET_HEAD_MAX) {
        return husk_errorf(why, whylen,
                           "a TSO frame's TCP header length %u does not fit it",
                           thl);
    }
    if (hdr_len - HUSK_ETH_HLEN + mss > mtu) {
        return husk_errorf(
            why, whylen,
            "a TSO frame's segments (headers %u + mss %u) would exceed "
            "the MTU %u",
            hdr_len - HUSK_ETH_HLEN, mss, mtu);
    }
    h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h->csum_start = (uint16_t)(HUSK_ETH_HLEN + ihl);
    h->csum_offset = 16; /* the TCP checksum field */
    h->hdr_len = (uint16_t)hdr_len;
    h->gso_size = (uint16_t)mss;
    /* A segment that needs no cutting still has its checksum filled. */
    h->gso_type = len - hdr_len > mss ? VIRTIO_NET_HDR_GSO_TCPV4
                                      : VIRTIO_NET_HDR_GSO_NONE;
    return 0;
}

unsigned husk_vnet_iov(const struct virtio_net_hdr *h, const uint8_t *head,
                       const uint8_t *frame, uint32_t len, struct iovec iov[3])
{
    iov[0] = (struct iovec){(void *)h, sizeof(*h)};
    if (h->hdr_len == 0) { /* a complete frame: nothing of it was read */
        iov[1] = (struct iovec){(void *)frame, len};
        return 2;
    }
    iov[1] = (struct iovec){(void *)head, h->hdr_len};
    iov[2] = (struct iovec){(void *)(frame + h->hdr_len), len - h->hdr_len};
    return 3;
}
