/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* drivers/net/guest.c: the guest's network device driver (see nic.h). */
#include <stdlib.h>

#include "../../guest/guest.h"
#include "../../guest/resolv.h"
#include "nic.h"

static struct husk_nic nics[HUSK_DEVICES_MAX];
static unsigned nic_count;

unsigned husk_nics_init(void)
{
    for (uint32_t i = 0; i < husk_boot->device_count; i++) {
        const struct husk_boot_device *d = &husk_boot->devices[i];
        if (d->kind != HUSK_DEVICE_NET)
            continue;
        struct husk_nic *nic = &nics[nic_count++];
        struct husk_hc_net_info info = {.handle = d->handle};
        husk_hypercall(HUSK_HC_NET_INFO, &info);
        if (info.mtu < HUSK_NET_MTU_MIN || info.mtu > HUSK_NET_MTU_MAX)
            husk_panic("net_info: the monitor reported a bad MTU");
        nic->handle = d->handle;
        nic->name = d->name;
        nic->mtu = info.mtu;
        nic->frame_max = info.mtu + HUSK_ETH_HLEN;
        __builtin_memcpy(nic->mac, info.mac, sizeof(nic->mac));
        nic->tso = info.offloads & HUSK_NET_OFFLOAD_TSO4;
        nic->prefix_len = info.prefix_len;
        nic->ipv4_addr = info.ipv4_addr;
        nic->ipv4_gateway = info.ipv4_gateway;
        /* musl's resolver finds it in /etc/resolv.conf (resolv.c). */
        husk_resolv_add(info.ipv4_dns);
        /* Cache-line aligned buffers; untouched pages cost the host
         * nothing, so a full batch each way is cheap to keep. */
        nic->stride = (nic->frame_max + 63) & ~(size_t)63;
        nic->tx_arena_size = nic->stride * HUSK_NET_BATCH_MAX;
        nic->tx_arena = aligned_alloc(64, nic->tx_arena_size);
        nic->rx_bufs = aligned_alloc(64, nic->stride * HUSK_NET_BATCH_MAX);
        if (nic->tx_arena == NULL || nic->rx_bufs == NULL)
            husk_panic("out of memory for the network buffers");
        for (unsigned b = 0; b < HUSK_NET_BATCH_MAX; b++) {
            nic->rx[b] = (struct husk_net_frame){
                .buf_gpa = (uintptr_t)(nic->rx_bufs + b * nic->stride),
                .cap = nic->frame_max,
            };
        }
    }
    return nic_count;
}

struct husk_nic *husk_nic_get(unsigned i)
{
    return i < nic_count ? &nics[i] : NULL;
}

static unsigned exchange(struct husk_nic *nic, uint32_t rx_count,
                         uint64_t timeout_ns, husk_nic_rx_fn rx)
{
    struct husk_hc_net_io a = {
        .handle = nic->handle,
        .tx_count = nic->tx_count,
        .tx_gpa = (uintptr_t)nic->tx,
        .rx_count = rx_count,
        .rx_gpa = (uintptr_t)nic->rx,
        .timeout_ns = timeout_ns,
    };
    husk_hypercall(HUSK_HC_NET_IO, &a);
    nic->tx_count = 0; /* sent, or dropped by the host as a NIC drops */
    nic->tx_used = 0;
    if (a.rx_filled > rx_count)
        husk_panic("net_io: the monitor filled more buffers than offered");
    for (uint32_t i = 0; i < a.rx_filled; i++) {
        uint32_t len = nic->rx[i].len;
        if (len > nic->frame_max)
            husk_panic("net_io: the monitor returned an oversized frame");
        rx(nic, (const void *)(uintptr_t)nic->rx[i].buf_gpa, len);
        nic->rx[i].len = 0;
    }
    return a.rx_filled;
}

/* The queue packing is txq.c's; sending it is one exchange. */
static void send_queue(struct husk_nic *nic)
{
    exchange(nic, 0, 0, NULL);
}

void *husk_nic_tx_buffer(struct husk_nic *nic)
{
    return husk_txq_room(nic, send_queue);
}

unsigned husk_nic_io(struct husk_nic *nic, uint64_t timeout_ns,
                     husk_nic_rx_fn rx)
{
    return exchange(nic, HUSK_NET_BATCH_MAX, timeout_ns, rx);
}
