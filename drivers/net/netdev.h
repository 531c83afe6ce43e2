/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/netdev.h: a network device's state in the monitor, shared
 * by its two back ends: a tap (host.c) and the user-mode network through
 * passt (user.c). Private to drivers/net/.
 */
#ifndef HUSK_NETDEV_H
#define HUSK_NETDEV_H

#include <sys/types.h>

#include "../../monitor/husk.h"
#include "arp.h"
#include "net.h"
#include "stream.h"
#include "synretry.h"
#include "vnet.h"
#include "tcpfix.h"

struct husk_netdev {
    int fd; /* the tap, or the monitor's end of passt's socket */
    unsigned handle;
    struct husk_net_config cfg;
    uint32_t frame_max; /* mtu + HUSK_ETH_HLEN */
    bool tso;           /* takes TSO frames (HUSK_NET_OFFLOAD_TSO4) */
    uint64_t tx_frames, rx_frames, tx_dropped, rx_dropped, tx_tso;
    uint64_t tx_bytes, rx_bytes; /* of the frames in tx_frames, rx_frames */
    struct husk_rate tx_rate;    /* rate=: frames over it wait */
    uint64_t tx_rate_waits;      /* times a frame waited for rate= */
    /* The headers of each TSO frame of a batch, copied out of guest memory
     * to be checked and then sent from here (vnet.h): made with the
     * device, as the sandbox allows no allocation in a call. */
    uint8_t tso_head[HUSK_NET_BATCH_MAX][HUSK_VNET_HEAD_MAX];
    struct husk_netdev_user *user; /* the user-mode network's, or NULL */
};

/* The user-mode network's part (user.c): passt and the stream to it. */
struct husk_netdev_user {
    pid_t pid;  /* passt, the monitor's child before the jail */
    int log_fd; /* passt's stderr (the read end, non-blocking) */
    struct husk_stream_rx rx;
    uint64_t writes; /* writes of one or more frames, for --stats */
    /* Frames from passt dropped because the guest had not taken them and
     * the buffer was full while a write waited (the others were too long
     * or short for the guest). */
    uint64_t rx_overflow;
    /* Frames to passt dropped because it read nothing for
     * HUSK_NET_USER_STALL_NS while a write waited (user.c), and whether
     * that was said on stderr (once). */
    uint64_t tx_stalled;
    bool stall_said;
    uint64_t stall_ns; /* HUSK_NET_USER_STALL_NS (a test's shorter) */
    /* What is queued for the next write: frames, iovecs, bytes. */
    uint32_t q_frames, q_pieces, q_iov, q_bytes, q_sent;
    /* The frames' own bytes: those queued, and those of q_sent. */
    uint64_t q_frame_bytes, q_sent_bytes;
    /* A stop cut a write short: the stream ends mid-frame, and nothing
     * more is written to it. */
    bool broken;
    /* A TSO frame longer than passt takes is cut in two: the second
     * segment's headers (stream.c). */
    uint8_t head2[HUSK_NET_BATCH_MAX][HUSK_VNET_HEAD_MAX];
    /* The frames of a batch as they are written: a prefix, headers and
     * payload each (stream.h), at most two segments and a nudge a frame. */
    struct husk_stream_piece pieces[3 * HUSK_NET_BATCH_MAX];
    struct iovec iov[3 * 3 * HUSK_NET_BATCH_MAX];
    /* A retransmission's nudge for passt's ACK (tcpfix.h), per frame. */
    uint8_t nudge[HUSK_NET_BATCH_MAX][HUSK_TCPFIX_NUDGE_MAX];
    /* Asks for what passt owes (tcpfix.h), written together. */
    uint8_t poke[HUSK_TCPFIX_OWED_MAX][HUSK_TCPFIX_POKE_MAX];
    struct husk_tcpfix tcpfix;     /* passt's TCP made up for */
    struct husk_arp arp;           /* the guest's ARP requests answered */
    struct husk_synretry synretry; /* passt's SYNs given again */
};

/* The back end's seccomp rules and --stats line (host.c). */
int husk_net_sandbox_rules(struct husk_vm *vm, unsigned handle,
                           struct husk_rules *rules);
void husk_net_report_stats(struct husk_vm *vm, unsigned handle);

void husk_net_stats_json(struct husk_vm *vm, unsigned handle,
                         struct husk_json *j);

/* husk_net_attach, with the user-mode part already made (passt started
 * into its receive buffer), or NULL for a tap. */
void husk_net_attach_user(struct husk_vm *vm, unsigned handle, int fd,
                          const struct husk_net_config *cfg,
                          struct husk_netdev_user *user);

/* ---- user.c ---- */

/* The socket's send buffer toward passt that keeps the kernel's cuts of
 * a write where user.c assumes them (open.c checks it). */
#define HUSK_NET_USER_SNDBUF_MIN (4 * (32 * 1024 + 64))
/* How long passt may read nothing while a write waits before what is
 * queued for it is dropped (user.c, write_queue): far beyond any wait
 * for a passt that is only busy. */
#define HUSK_NET_USER_STALL_NS (2 * 1000000000ULL)
/* The user-mode part of a device, made when it is attached. */
struct husk_netdev_user *husk_net_user_new(void);
/*
 * Queue frame f (checked; hdr from husk_vnet_header, a TSO frame's
 * headers in n->tso_head[i]) for passt; frames go out together, a few
 * dozen KiB a write (user.c says why not more), a long TSO frame alone.
 * Writing waits for room in the stream, as a sender waits for its link;
 * a stop ends the wait. now: the batch's monotonic time, for tcpfix.h.
 * false: passt has gone (husk_net_user_gone).
 */
bool husk_net_user_queue(struct husk_netdev *n, uint32_t i,
                         const struct husk_net_frame *f, void *buf,
                         const struct virtio_net_hdr *hdr, uint64_t now);
/* Write what is queued. false: passt has gone. */
bool husk_net_user_flush(struct husk_netdev *n);
/* Frames written since the last call, and their bytes into *bytes. */
uint32_t husk_net_user_sent(struct husk_netdev *n, uint64_t *bytes);
/* Stop the guest: passt has gone (its last words in the message), or
 * sent what no frame is. */
enum husk_hc_result husk_net_user_gone(struct husk_vm *vm,
                                       struct husk_netdev *n, const char *why);
/*
 * Receive up to count frames into buf (each frame_max bytes), their
 * lengths into guest_rx[i].len; waits up to timeout_ns for the first if
 * none is there. *filled: how many. HUSK_HC_DONE, or HUSK_HC_STOP with
 * the message when passt has gone or broke the stream.
 */
enum husk_hc_result husk_net_user_receive(
    struct husk_vm *vm, struct husk_netdev *n, struct husk_net_frame *guest_rx,
    uint32_t count, void *const *buf, uint64_t timeout_ns, uint32_t *filled);
/* How long until the monitor has something for the guest or for passt
 * that no fd will signal: an ARP answer, a SYN due again, an ask for a
 * window or an ACK passt owes (0: now; UINT64_MAX: nothing). A receive
 * does it all. TLS-free. */
uint64_t husk_net_user_due_in(const struct husk_netdev *n, uint64_t now);
/* Its seccomp rules: the stream's fd, passt's stderr. */
int husk_net_user_sandbox_rules(const struct husk_netdev *n,
                                struct husk_rules *rules);

/* The wait of net_io, shared: ppoll on fd (and stdin if the guest asked)
 * for up to timeout_ns, with the stop signals open. */
void husk_net_wait(struct husk_vm *vm, int fd, uint64_t timeout_ns);

#endif
