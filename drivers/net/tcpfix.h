/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/tcpfix.h: the ways passt's TCP toward a guest goes wrong,
 * made up for in the monitor, per connection. All are in Debian 12's
 * passt (2023-03); the first is in later ones too.
 *
 * Window scaling. RFC 7323: a window scale is in force only if both SYNs
 * offer one. passt offers one in every SYN it sends the guest and then
 * scales each window it sends by it, whether or not the guest offered one
 * back. lwIP without window scaling (as Husk built it first; now it
 * offers a scale of 2) took passt's windows as they were (416 bytes where
 * passt meant 106,496) and sent a 100 MB echo at a few hundred KB/s.
 * Where passt scales alone, the monitor scales its windows back (at most
 * 65,535, all a guest that does not scale can be told) before the guest
 * sees them.
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
 * A full socket. passt writes the guest's frames to the monitor's socket
 * without waiting and drops what does not fit; it sends its own SYN for a
 * client's connection once and resets the client 10 s later if the guest
 * never answered (200 connections at once lost a few that way: passt had
 * filled the socket with data for the others), and it sends dropped data
 * again only after 2 s without an ACK. What passt may send the guest is
 * bounded by the windows the guest gives it, so the monitor narrows the
 * windows in the guest's segments until all of them together fit in a
 * share of the socket: `budget` bytes split evenly over the connections
 * passt may still send on and has sent or been sent something in the
 * last 10 s (an idle one is counted again when it wakes; one that ended
 * without a reset passt or the monitor saw would otherwise count for
 * good), but never less than one of passt's segments (its MSS), nor less
 * than 128 KiB for a client on the host itself (passt shows it as the
 * gateway, host_addr) while that many for every connection fit in
 * passt's socket: passt clamps its socket's window to the guest's, and
 * two loopback senders (segments of 65,483 bytes) facing 53 KiB windows
 * crawled at 2.3 MB/s where 4 or 200 with smaller ones did not (a floor
 * for 200 overfilled the socket, and passt reset a client again).
 *
 * A loop in passt. passt handles a batch of the guest's segments for one
 * connection by looking at the first segment again for each of them; a
 * segment that closes the connection, with more behind it, sends passt
 * round that loop for good, at 100% CPU, deaf to the guest and to
 * everyone else (seen: 19 of 200 echo connections never finished). Two
 * things made such batches: the guest's window updates, narrowed to the
 * window passt already had, which passt takes for duplicate ACKs and
 * answers by sending its data again (so the guest ACKs it again, twice);
 * and the ACK asked for above. So a pure ACK that narrowing made the same
 * as the last segment passt got is held back (all it said is gone), no
 * ACK is asked for once the guest has sent its FIN (its last data may
 * then wait for its own retransmission of the FIN), and once the guest
 * has sent its FIN and acknowledged passt's, its pure ACKs are held back:
 * passt has all it needs and any of them could trail a closing one. A
 * SYN-ACK repeated within 200 ms (the guest answering a SYN given again)
 * is held back too: two in a batch start the same loop. One repeated
 * later is lwIP's own retransmission, and goes: the first, or passt's
 * answer, may have been lost.
 *
 * What passt owes, asked for. passt's window to the guest follows its
 * socket's room and the peer's window; when that is zero it tells the
 * guest so, and a reopened window reaches the guest only when something
 * makes passt look. lwIP probes the window only after 1.5 s of its
 * persist timer: a 20 MB download whose client fell behind for a moment
 * took 1.2-1.5 s in one run in six, not 25 ms. A segment from the guest
 * with an ACK makes passt look and send a window that has changed, as
 * long as its own note of the window is still zero; its socket's EPOLLOUT
 * updates that note without sending it, and then only a segment that
 * moves what passt acknowledges (lwIP's probe) gets the window out (an
 * echo stopped both ways still waits for the probe: docs/performance.md,
 * "40 ms stalls and shut windows"). So while the last window passt sent
 * on a connection is zero, the monitor
 * sends passt an old ACK as from the guest (one below the last ACK it
 * sent: no TCP acts on it, and passt takes it for no duplicate) 1 ms
 * after passt last sent something on it, then at doubling gaps up to
 * 256 ms, until passt's window opens. Likewise, while passt has not
 * acknowledged all the guest has sent and has said nothing on the
 * connection for 60 ms (passt's own ACK timer is 50 ms), the lost ACK
 * above is asked for as on a retransmission, without waiting for lwIP's
 * (an echo stalled about 2 s in most rounds), then at doubling gaps.
 *
 * tcpfix.c, pure.
 */
#ifndef HUSK_TCPFIX_H
#define HUSK_TCPFIX_H

#include <stdbool.h>
#include <stdint.h>

#define HUSK_TCPFIX_HOST_FLOOR (128 * 1024)
#define HUSK_TCPFIX_IDLE_NS 10000000000ULL      /* 10 s */
#define HUSK_TCPFIX_SYNACK_HOLD_NS 200000000ULL /* 200 ms */

/* Connections owed something followed at once (see the top); one more
 * waits for the guest's own probe or retransmission. */
#define HUSK_TCPFIX_OWED_MAX 32
#define HUSK_TCPFIX_POKE_FIRST_NS 1000000ULL  /* 1 ms: a shut window */
#define HUSK_TCPFIX_OWED_FIRST_NS 60000000ULL /* 60 ms: an ACK owed */
#define HUSK_TCPFIX_POKE_LAST_NS 256000000ULL /* 256 ms */
/* A poke: Ethernet, IPv4 and TCP headers without options, and the byte
 * of one that asks for an ACK. */
#define HUSK_TCPFIX_POKE_MAX (14 + 20 + 20 + 1)

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
    uint8_t guest_shift;       /* the scale the guest offered, 0 to 14 */
    uint16_t mss;              /* passt's, from its SYN; 0 if none */
    bool guest_scales, passt_scales, guest_next_known, used;
    bool sending; /* passt may still send data: counted in `live` */
    /* The last segment with an ACK that went to passt: its ACK and
     * window as sent, and the window the guest had put in it. */
    bool acked_before;
    uint32_t last_ack;
    uint16_t last_window, last_guest_window;
    bool guest_fin;       /* the guest has sent its FIN */
    bool passt_fin_known; /* passt has sent its FIN, at passt_fin_seq */
    bool passt_fin_acked; /* and the guest has acknowledged it */
    uint32_t passt_fin_seq;
    bool synack_sent;     /* the guest's SYN-ACK has gone to passt, */
    uint32_t synack_seq;  /* with this sequence number, */
    uint64_t synack_ns;   /* at this time */
    bool idle;            /* `sending`, but not counted: quiet for 10 s */
    uint64_t seen_ns;     /* when a segment of it was last seen */
    bool shut;            /* passt's last window was zero */
    bool passt_ack_known; /* passt has acknowledged, up to passt_ack */
    uint32_t passt_ack;
    bool followed; /* in `owed`: passt owes it a window or an ACK */
};

/* A connection passt owes a window or an ACK, and when to ask for it. */
struct husk_tcpfix_owed {
    uint32_t addr;
    uint16_t port, guest_port;
    uint64_t due_ns, gap_ns;
};

struct husk_tcpfix {
    struct husk_tcpfix_conn conn[HUSK_TCPFIX_BUCKETS][HUSK_TCPFIX_WAYS];
    uint8_t next[HUSK_TCPFIX_BUCKETS]; /* the way to reuse next */
    uint32_t budget;    /* bytes of windows in all; 0: windows left alone */
    uint32_t host_addr; /* as passt shows the host's own clients */
    uint64_t now_ns;    /* set by the caller before each frame */
    uint64_t swept_ns;  /* the last look for idle connections */
    uint32_t live;      /* connections that are `sending` */
    uint64_t nudges;    /* for --stats */
    uint64_t narrowed;  /* windows narrowed, for --stats */
    uint64_t held;      /* segments held back, for --stats */
    uint64_t pokes;     /* windows and ACKs asked for, for --stats */
    struct husk_tcpfix_owed owed[HUSK_TCPFIX_OWED_MAX];
    unsigned owed_count;
    /* The guest's Ethernet header toward passt and its IPv4 address, from
     * its last SYN or SYN-ACK: what a poke goes out with. */
    uint8_t guest_eth[14];
    uint8_t guest_ip[4];
    bool guest_known;
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
/* What becomes of a frame the guest sends. */
enum husk_tcpfix_fate {
    HUSK_TCPFIX_AS_IS,   /* goes to passt as the guest wrote it */
    HUSK_TCPFIX_CHANGED, /* goes to passt from the changed copy */
    HUSK_TCPFIX_HELD,    /* does not go to passt (see the top) */
};
/*
 * A frame the guest sends, before husk_tcpfix_from_guest: head is the
 * monitor's copy of its first len bytes (its headers), the copy that is
 * sent. A segment of a connection passt may still send on gets a window
 * of at most its share of the budget (see the top) and its checksum
 * updated; a pure ACK that would send passt round its loop is held.
 */
enum husk_tcpfix_fate husk_tcpfix_narrow(struct husk_tcpfix *t, uint8_t *head,
                                         uint32_t len);
/*
 * A poke due at t->now_ns (see the top), written to out
 * (HUSK_TCPFIX_POKE_MAX bytes): its length, or 0 if none is due. Call
 * until 0.
 */
uint32_t husk_tcpfix_poke(struct husk_tcpfix *t, uint8_t *out);
/* Nanoseconds from now_ns until the next poke is due (0: one is due);
 * UINT64_MAX if nothing is owed. */
uint64_t husk_tcpfix_poke_wait(const struct husk_tcpfix *t, uint64_t now_ns);

#endif
