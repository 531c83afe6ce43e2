/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * fuzz_tso.c: the monitor's check of TSO frames (drivers/net/vnet.c) on
 * any bytes, and the guest's joining of segments (drivers/net/tso.c) with
 * the property that ties them: a frame the guest joins is one the monitor
 * takes. Input: mss (2 bytes, little-endian), the first frame's length
 * (2 bytes), the first frame, the second frame. The check is given only a
 * frame's first HUSK_VNET_HEAD_MAX bytes, in a buffer of just that size:
 * ASan sees any read past what the monitor copies out of guest memory.
 */
#include <stdlib.h>
#include <string.h>

#include "../../drivers/net/tso.h"
#include "../../drivers/net/vnet.h"

static uint8_t buf[HUSK_NET_TSO_FRAME_MAX + 4096];

/* Check frame as the monitor does: from a copy of its headers only; and
 * if it passes, the iovecs send the copy's headers and the frame's rest. */
static void check_head(const uint8_t *frame, uint32_t len, uint32_t mss,
                       uint32_t mtu)
{
    uint32_t n = len < HUSK_VNET_HEAD_MAX ? len : HUSK_VNET_HEAD_MAX;
    uint8_t *head = malloc(n ? n : 1);
    if (head == NULL)
        abort();
    memcpy(head, frame, n);
    struct virtio_net_hdr h;
    char why[160];
    if (husk_vnet_header(head, len, mss, mtu, &h, why, sizeof(why)) == 0) {
        struct iovec iov[3];
        unsigned cnt = husk_vnet_iov(&h, head, frame, len, iov);
        size_t total = 0;
        for (unsigned i = 0; i < cnt; i++)
            total += iov[i].iov_len;
        if (total != sizeof(h) + len || h.hdr_len > n ||
            (cnt == 3 && iov[1].iov_base != head))
            abort(); /* a send that is not the checked frame */
    }
    free(head);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > sizeof(buf))
        return 0;
    uint32_t mss = (uint32_t)data[0] | (uint32_t)data[1] << 8;
    uint32_t a_len = (uint32_t)data[2] | (uint32_t)data[3] << 8;
    data += 4, size -= 4;
    if (a_len > size)
        a_len = (uint32_t)size;
    struct virtio_net_hdr h;
    char why[160];
    /* Any frame, any mss, two MTUs: a verdict, never a bad read. */
    check_head(data, (uint32_t)size, mss, 1500);
    check_head(data, a_len, mss, 9000);

    memcpy(buf, data, a_len);
    uint32_t len = a_len, joined_mss = 0;
    uint32_t b_len = (uint32_t)size - a_len;
    uint32_t at = (a_len + 63) & ~63u;
    if (at + b_len > sizeof(buf))
        return 0;
    memcpy(buf + at, data + a_len, b_len);
    if (husk_tso_append(buf, &len, &joined_mss, buf + at, b_len,
                        (uint32_t)sizeof(buf) < HUSK_NET_TSO_FRAME_MAX
                            ? (uint32_t)sizeof(buf)
                            : HUSK_NET_TSO_FRAME_MAX)) {
        /* The frames were within one MTU of 9000: so is the join's mss. */
        if (a_len > 9014 || b_len > 9014)
            return 0;
        if (husk_vnet_header(buf, len, joined_mss, 9000, &h, why,
                             sizeof(why)) != 0 ||
            h.gso_type != VIRTIO_NET_HDR_GSO_TCPV4)
            abort(); /* the monitor would stop a guest for its own join */
    }
    return 0;
}
