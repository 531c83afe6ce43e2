/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/tcpfix.h: two ways passt's TCP toward a guest goes wrong,
 * made up for in the monitor, per connection. Both are in Debian 12's
 * passt (2023-03); the first is in later ones too.
 *
 * Window scaling. RFC 7323: a window scale is in force only if both SYNs
 * offer one. passt offers one in every SYN it sends the guest and then
 * scales each window it sends by it, whether or not the guest offered one
 * back. lwIP, as Husk builds it, does not scale: it took passt's windows
 * as they were (416 bytes where passt meant 106,496) and sent a 100 MB
 * echo at a few hundred KB/s. Where passt scales alone, the monitor scales
 * its windows back (at most 65,535, all a guest that does not scale can be
 * told) before the guest sees them.
 *
 * A lost ACK. passt updates what it has acknowledged to the guest as the
 * peer acknowledges the guest's data, sometimes without sending the ACK
 * (on its socket's EPOLLOUT, while it has nothing to send the guest), and
 * answers a retransmission of data it has with nothing. A guest that
 * waits for that ACK to send more (an echo server whose window is shut,
 * the end of a stream) waits forever, and so does its peer: one 100 MB
 * echo in three deadlocked. passt does send an ACK for a segment that
 * leaves a gap (a duplicate ACK, for fast retransmit). So when the guest
 * retransmits, the monitor also sends passt one byte past all the guest
 * has sent: out of order, so passt answers with its ACK and drops the
 * byte (it keeps no out-of-order data; the guest's own byte for that
 * place comes later, in order).
 *
 * tcpfix.c, pure.
 */
#ifndef HUSK_TCPFIX_H
#define HUSK_TCPFIX_H

#include <stdbool.h>
#include <stdint.h>

/* Connections followed: buckets of a few ways each. One that does not fit
 * is forgotten (its windows reach the guest as passt sends them: small,
 * still correct TCP). */
#define HUSK_TCPFIX_BUCKETS 1024
#define HUSK_TCPFIX_WAYS 4

struct husk_tcpfix_conn {
    uint32_t addr;             /* the far end's IPv4 address (as sent) */
    uint16_t port, guest_port; /* the far end's port, the guest's */
    uint32_t guest_next;       /* the guest's next sequence number */
    uint8_t shift;             /* the scale passt offered, 0 to 14 */
    bool guest_scales, guest_next_known, used;
};

struct husk_tcpfix {
    struct husk_tcpfix_conn conn[HUSK_TCPFIX_BUCKETS][HUSK_TCPFIX_WAYS];
    uint8_t next[HUSK_TCPFIX_BUCKETS]; /* the way to reuse next */
    uint64_t nudges;                   /* for --stats */
};

/* The longest nudge: the headers (as HUSK_VNET_HEAD_MAX) and a byte. */
#define HUSK_TCPFIX_NUDGE_MAX (14 + 60 + 60 + 1)

/*
 * A frame the guest sends: head is the monitor's copy of its first
 * head_len bytes (its headers, which is all that is read). A SYN notes
 * whether the guest offers a window scale; a data segment moves the
 * guest's next sequence number; a retransmission fills nudge with the
 * segment to send passt after it (one byte past all the guest has sent,
 * checksums right) and returns its length; else 0.
 */
uint32_t husk_tcpfix_from_guest(struct husk_tcpfix *t, const uint8_t *head,
                                uint32_t head_len, uint8_t *nudge);
/*
 * A frame passt sends the guest (len bytes, the monitor's copy): a SYN
 * notes passt's scale; any other TCP segment of a connection where passt
 * scales alone gets its window scaled back and its checksum updated.
 * Returns whether the frame changed.
 */
bool husk_tcpfix_from_passt(struct husk_tcpfix *t, uint8_t *frame,
                            uint32_t len);

#endif
