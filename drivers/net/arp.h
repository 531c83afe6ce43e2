/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/arp.h: the user-mode network's ARP, answered in the
 * monitor. passt answers every ARP request with its own MAC address (the
 * whole subnet is behind it), and the monitor gives the same answers
 * itself: a round trip less, and passt never sees the guest's requests,
 * which matters: the passt of Debian 12 dies (its own seccomp filter)
 * when it cannot send an ARP reply at once, so a guest flooding requests
 * while not reading killed it. arp.c, pure.
 */
#ifndef HUSK_ARP_H
#define HUSK_ARP_H

#include <stdbool.h>
#include <stdint.h>

#define HUSK_ARP_FRAME 42   /* an Ethernet ARP frame for IPv4, unpadded */
#define HUSK_ARP_PENDING 64 /* answers waiting for the guest, at most */

struct husk_arp {
    uint8_t peer_mac[6]; /* passt's, from its answer at start */
    uint32_t guest_ip;   /* network byte order */
    uint8_t answer[HUSK_ARP_PENDING][HUSK_ARP_FRAME];
    unsigned head, count;
    uint64_t answered, dropped; /* for --stats; dropped: the queue was full */
};

/*
 * A frame the guest sends (len bytes, the monitor's copy of its start).
 * An ARP request for IPv4 is taken here and true returned: answered as
 * passt would (its MAC for any address but the guest's own; an
 * announcement, sender and target the same, gets no answer), the answer
 * queued for the guest. false for any other frame: it goes to passt.
 */
bool husk_arp_request(struct husk_arp *a, const uint8_t *frame, uint32_t len);

/* The next queued answer (HUSK_ARP_FRAME bytes), or NULL. */
const uint8_t *husk_arp_next(struct husk_arp *a);

#endif
