/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/synretry.h: passt's SYNs to the guest, sent again. A
 * client's connection to a forwarded port reaches the guest as a SYN of
 * passt's own, which passt sends once: if the guest drops it (a burst of
 * connections, its listener's backlog full), passt resets the client 10 s
 * later, where over a network the client would have sent its SYN again
 * after a second and got in. So the monitor keeps each SYN passt sends
 * until the guest answers it (a SYN-ACK or a reset for that connection)
 * and gives it to the guest again 1 s, 3 s and 7 s after the first,
 * within passt's 10 s. synretry.c, pure.
 */
#ifndef HUSK_SYNRETRY_H
#define HUSK_SYNRETRY_H

#include <stdbool.h>
#include <stdint.h>

#define HUSK_SYN_PENDING 256   /* SYNs followed at once; then the oldest goes */
#define HUSK_SYN_FRAME_MAX 134 /* Ethernet, IPv4 and TCP, options and all */
#define HUSK_SYN_TRIES 3       /* times one is given again */

struct husk_syn {
    uint8_t frame[HUSK_SYN_FRAME_MAX];
    uint32_t len;
    uint64_t due_ns; /* when it is given again */
    uint8_t tries;   /* given again so far */
    uint32_t addr;   /* the far end (the SYN's source), as sent */
    uint16_t port, guest_port;
};

struct husk_synretry {
    struct husk_syn syn[HUSK_SYN_PENDING];
    unsigned count;
    uint64_t resent; /* for --stats */
};

/* A frame passt sends the guest (len bytes, the monitor's copy) at
 * now_ns: a SYN without ACK is kept; a reset forgets its connection. */
void husk_synretry_from_passt(struct husk_synretry *t, const uint8_t *frame,
                              uint32_t len, uint64_t now_ns);
/* A frame the guest sends (its headers will do): a SYN-ACK or a reset
 * answers the SYN of its connection. */
void husk_synretry_from_guest(struct husk_synretry *t, const uint8_t *frame,
                              uint32_t len);
/* A SYN due again at now_ns, copied to out (HUSK_SYN_FRAME_MAX bytes);
 * its length, or 0 if none is due. */
uint32_t husk_synretry_due(struct husk_synretry *t, uint64_t now_ns,
                           uint8_t *out);
/* Nanoseconds from now_ns until the next one is due (0: one is due);
 * UINT64_MAX if none is kept. */
uint64_t husk_synretry_wait(const struct husk_synretry *t, uint64_t now_ns);

#endif
