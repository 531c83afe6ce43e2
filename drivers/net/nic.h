/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/nic.h: the guest's network device driver. It moves Ethernet
 * frames and knows nothing of TCP/IP: frames to send wait in a queue that
 * goes to the monitor with the next husk_nic_io (one exit for a batch each
 * way), and received frames are handed to a callback.
 */
#ifndef HUSK_NIC_H
#define HUSK_NIC_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../abi/husk_abi.h"

struct husk_nic {
    uint32_t handle;
    const char *name; /* the device's name in the image's note */
    uint32_t mtu;
    uint32_t frame_max; /* mtu + HUSK_ETH_HLEN */
    uint8_t mac[6];
    uint8_t prefix_len;
    uint32_t ipv4_addr, ipv4_gateway; /* network byte order */
    bool tso; /* the device takes HUSK_NET_OFFLOAD_TSO4 frames */
    /* The transmit queue: tx_count frames of tx[] waiting, packed in
     * tx_arena (tx_used bytes of it), where a TSO frame may grow over the
     * room of the frames it absorbed. */
    unsigned tx_count;
    struct husk_net_frame tx[HUSK_NET_BATCH_MAX];
    struct husk_net_frame rx[HUSK_NET_BATCH_MAX];
    uint8_t *tx_arena, *rx_bufs;
    size_t tx_arena_size, tx_used, stride;
    void *stack; /* the TCP/IP stack's state for this device */
};

/* Set up every network device of the boot information (net_info); returns
 * how many there are. */
unsigned husk_nics_init(void);
struct husk_nic *husk_nic_get(unsigned i);

/* Room for the next outgoing frame (frame_max bytes); flushes the queue
 * first if it is full. Queue it with husk_nic_tx_commit, which may join it
 * to the frame before (tso.c). */
void *husk_nic_tx_buffer(struct husk_nic *nic);
void husk_nic_tx_commit(struct husk_nic *nic, size_t len);

/* husk_nic_tx_buffer's work but the sending (txq.c, pure): send(nic)
 * must send tx[0, tx_count) and empty the queue (tx_count, tx_used 0). */
void *husk_txq_room(struct husk_nic *nic, void (*send)(struct husk_nic *));

typedef void (*husk_nic_rx_fn)(struct husk_nic *nic, const void *frame,
                               size_t len);

/*
 * Send the queued frames and receive up to HUSK_NET_BATCH_MAX, waiting up
 * to timeout_ns for the first if none is there (0: no wait), in one exit.
 * Calls rx for each frame received, in order; returns how many.
 */
unsigned husk_nic_io(struct husk_nic *nic, uint64_t timeout_ns,
                     husk_nic_rx_fn rx);

#endif
