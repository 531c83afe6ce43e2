/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/host.c: network devices' hypercalls. Each device is an
 * existing host tap attached at start-up (before the sandbox), or the
 * user-mode network through passt (open.c opens either; user.c moves the
 * latter's frames). Two hypercalls: net_info
 * (link, IPv4 and DNS settings) and net_io, which moves a batch of frames each
 * way in one exit and can wait for the first incoming one. The monitor
 * checks lengths and buffers, and drops what the host sends that the
 * guest could not take (frames longer than the guest's MTU, runts). It
 * reads a frame's headers only for a TSO frame, once, into a copy of its
 * own that it checks and sends (guest memory may change meanwhile), to
 * build the virtio-net header that has the host kernel cut it into
 * segments (vnet.c): one write for up to 64 KiB of a TCP stream, where
 * each MTU-sized frame would cost a write and a pass through the host's
 * network stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../../monitor/allowlist.h"
#include "../../monitor/husk.h"
#include "../../monitor/rawsys.h"
#include "net.h"
#include "netdev.h"
#include "vnet.h"

/* Frames the host sends in one net_io beyond the guest's buffers that
 * the monitor may drop (too long, too short) before it returns: bounds
 * the time one call can take under a flood. */
#define DROP_BUDGET (4 * HUSK_NET_BATCH_MAX)

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Whether the host's /etc/resolv.conf names an IPv4 nameserver. The
 * user-mode network's default DNS server is passt's forward to the first
 * one (spec.c); a host that names none leaves passt nothing to forward
 * to, and the guest is better told it has no DNS server (libhusk then
 * says so when a name is looked up) than left to wait for answers that
 * never come. Read here, before the jail, as passt reads it as it starts.
 */
static bool host_has_nameserver(void)
{
    char text[16384];
    size_t len = 0;
    int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t r;
    while (len < sizeof(text) &&
           ((r = read(fd, text + len, sizeof(text) - len)) > 0 ||
            (r < 0 && errno == EINTR)))
        if (r > 0)
            len += (size_t)r;
    close(fd);
    return husk_net_resolv_has_ipv4(text, len);
}

static uint64_t user_due_in(struct husk_vm *vm, unsigned handle, uint64_t now)
{
    return husk_net_user_due_in(vm->devices[handle], now);
}

void husk_net_attach(struct husk_vm *vm, unsigned handle, int fd,
                     const struct husk_net_config *cfg)
{
    husk_net_attach_user(vm, handle, fd, cfg,
                         cfg->user ? husk_net_user_new() : NULL);
}

void husk_net_attach_user(struct husk_vm *vm, unsigned handle, int fd,
                          const struct husk_net_config *cfg,
                          struct husk_netdev_user *user)
{
    struct husk_netdev *n = calloc(1, sizeof(*n));
    if (n == NULL)
        husk_fatal(HUSK_EXIT_MONITOR, "out of memory");
    n->fd = fd;
    n->handle = handle;
    n->cfg = *cfg;
    if (cfg->dns_forward && !host_has_nameserver())
        n->cfg.ipv4_dns = 0;
    n->user = user;
    /* passt takes TSO frames whole (user.c), a tap with a virtio-net
     * header cuts them. */
    n->tso = cfg->vnet_hdr || cfg->user;
    n->frame_max = cfg->mtu + HUSK_ETH_HLEN;
    /* A burst of a full batch of the largest frames, the rest at rate. */
    husk_rate_init(&n->tx_rate, cfg->tx_rate,
                   (uint64_t)HUSK_NET_BATCH_MAX * HUSK_NET_FRAME_MAX,
                   monotonic_ns());
    vm->devices[handle] = n;
    vm->poll_fds[handle] = fd;
    if (user != NULL)
        vm->poll_due[handle] = user_due_in;
    vm->pollable_mask |= 1ULL << handle;
}

static enum husk_hc_result hc_net_info(struct husk_vm *vm, void *dev, void *arg)
{
    struct husk_hc_net_info *a = arg;
    struct husk_netdev *n = dev;
    if (a->_pad0 != 0)
        return husk_violation(vm, "net_info: padding is not zero");
    /* Every other field is OUT: filled whatever the guest left there. */
    a->mtu = n->cfg.mtu;
    memcpy(a->mac, n->cfg.mac, sizeof(a->mac));
    a->prefix_len = n->cfg.prefix_len;
    a->offloads = n->tso ? HUSK_NET_OFFLOAD_TSO4 : 0;
    a->ipv4_addr = n->cfg.ipv4_addr;
    a->ipv4_gateway = n->cfg.ipv4_gateway;
    a->ipv4_dns = n->cfg.ipv4_dns;
    return HUSK_HC_DONE;
}

/* Copy a batch's descriptors out of guest memory; NULL after recording
 * the violation. */
static struct husk_net_frame *batch(struct husk_vm *vm, const char *dir,
                                    uint32_t count, uint64_t gpa,
                                    struct husk_net_frame *copy)
{
    if (count > HUSK_NET_BATCH_MAX) {
        husk_violation(vm, "net_io: %s count %u exceeds %d", dir, count,
                       HUSK_NET_BATCH_MAX);
        return NULL;
    }
    if (gpa % 8 != 0) {
        husk_violation(vm, "net_io: %s frames 0x%llx not 8-byte aligned", dir,
                       (unsigned long long)gpa);
        return NULL;
    }
    struct husk_net_frame *g =
        husk_gpa_range(vm, gpa, (uint64_t)count * sizeof(*g));
    if (g == NULL) {
        husk_violation(vm,
                       "net_io: %u %s frames at 0x%llx lie outside guest "
                       "memory",
                       count, dir, (unsigned long long)gpa);
        return NULL;
    }
    memcpy(copy, g, count * sizeof(*g));
    return g;
}

/* Check tx descriptor i, f (a copy), and what a TSO frame's headers say;
 * fills its buffer and virtio-net header. For a TSO frame, its headers are
 * copied to n->tso_head[i] first: checked there, and sent from there. */
static bool check_tx(struct husk_vm *vm, struct husk_netdev *n, uint32_t i,
                     const struct husk_net_frame *f, void **buf,
                     struct virtio_net_hdr *hdr)
{
    memset(hdr, 0, sizeof(*hdr));
    if (f->mss != 0 && !n->tso) {
        husk_violation(vm,
                       "net_io: tx frame %u: mss %u given, but this device "
                       "takes no offloads",
                       i, f->mss);
        return false;
    }
    /* A complete frame fits the MTU; a TSO frame holds at least its
     * headers and fits IPv4's total length (vnet.c checks the rest). */
    bool tso = f->mss != 0;
    uint32_t lo = tso ? HUSK_ETH_HLEN + HUSK_VNET_IP_TCP_MIN : HUSK_ETH_HLEN;
    uint32_t hi = tso ? HUSK_NET_TSO_FRAME_MAX : n->frame_max;
    if (f->len < lo || f->len > hi) {
        if (tso)
            husk_violation(vm,
                           "net_io: tx frame %u: a TSO frame's length %u is "
                           "not from %u to %u",
                           i, f->len, lo, hi);
        else
            husk_violation(vm,
                           "net_io: tx frame %u: length %u is not from %u "
                           "to %u (MTU %u + Ethernet header)",
                           i, f->len, lo, hi, n->cfg.mtu);
        return false;
    }
    if ((*buf = husk_gpa_range(vm, f->buf_gpa, f->len)) == NULL) {
        husk_violation(vm,
                       "net_io: tx frame %u: buffer 0x%llx+%u lies outside "
                       "guest memory",
                       i, (unsigned long long)f->buf_gpa, f->len);
        return false;
    }
    if (!tso)
        return true;
    /* One read of the headers: the guest may rewrite its copy at any time,
     * so the checks and the send both use this one. */
    uint8_t *head = n->tso_head[i];
    memcpy(head, *buf,
           f->len < HUSK_VNET_HEAD_MAX ? f->len : HUSK_VNET_HEAD_MAX);
    char why[160];
    if (husk_vnet_header(head, f->len, f->mss, n->cfg.mtu, hdr, why,
                         sizeof(why)) != 0) {
        husk_violation(vm, "net_io: tx frame %u: %s", i, why);
        return false;
    }
    return true;
}

/* Check every descriptor of both batches; fills the host buffers. */
static bool check_frames(struct husk_vm *vm, struct husk_netdev *n,
                         const struct husk_net_frame *tx, uint32_t tx_count,
                         void **tx_buf, struct virtio_net_hdr *tx_hdr,
                         const struct husk_net_frame *rx, uint32_t rx_count,
                         void **rx_buf)
{
    for (uint32_t i = 0; i < tx_count; i++)
        if (!check_tx(vm, n, i, &tx[i], &tx_buf[i], &tx_hdr[i]))
            return false;
    for (uint32_t i = 0; i < rx_count; i++) {
        if (rx[i].cap < n->frame_max) {
            husk_violation(vm,
                           "net_io: rx buffer %u: cap %u is less than a "
                           "whole frame (%u)",
                           i, rx[i].cap, n->frame_max);
            return false;
        }
        if ((rx_buf[i] = husk_gpa_range(vm, rx[i].buf_gpa, rx[i].cap)) ==
            NULL) {
            husk_violation(vm,
                           "net_io: rx buffer %u: 0x%llx+%u lies outside "
                           "guest memory",
                           i, (unsigned long long)rx[i].buf_gpa, rx[i].cap);
            return false;
        }
    }
    return true;
}

/*
 * Send the batch; frames over rate= wait for it first, as a sender on a
 * link at its line rate does (its queue is full). Dropping instead cost
 * TCP a retransmission timeout per lost tail: a fast guest fell to a few
 * MB/s. A stop ends the wait; the frame is then dropped. *sent: how many
 * went. HUSK_HC_STOP if the user-mode network's passt has gone.
 */
static enum husk_hc_result transmit(struct husk_vm *vm, struct husk_netdev *n,
                                    const struct husk_net_frame *tx,
                                    uint32_t count, void *const *buf,
                                    const struct virtio_net_hdr *hdr,
                                    uint32_t *sent)
{
    uint32_t tap_sent = 0;
    uint64_t sent_bytes = 0;
    uint64_t now = count > 0 ? monotonic_ns() : 0;
    for (uint32_t i = 0; i < count; i++) {
        bool fits = true;
        while (!husk_rate_take(&n->tx_rate, tx[i].len, now)) {
            uint64_t wait = husk_rate_wait_ns(&n->tx_rate, tx[i].len);
            if (wait == 0 || husk_stop_requested()) {
                fits = false;
                break;
            }
            /* What is queued for passt goes before the wait. */
            if (n->user != NULL && !husk_net_user_flush(n))
                return husk_net_user_gone(vm, n, NULL);
            n->tx_rate_waits++;
            struct timespec ts = {(time_t)(wait / 1000000000ULL),
                                  (long)(wait % 1000000000ULL)};
            husk_raw_ppoll(NULL, 0, &ts, husk_wait_sigmask());
            now = monotonic_ns();
        }
        if (!fits) {
            n->tx_dropped++;
            continue;
        }
        n->tx_tso += tx[i].mss != 0;
        if (n->user != NULL) {
            if (!husk_net_user_queue(n, i, &tx[i], buf[i], &hdr[i], now))
                return husk_net_user_gone(vm, n, NULL);
            continue;
        }
        /* A TSO frame's headers from the checked copy, never again from
         * guest memory. */
        struct iovec iov[3];
        unsigned iovcnt =
            husk_vnet_iov(&hdr[i], n->tso_head[i], buf[i], tx[i].len, iov);
        long w, want = (long)tx[i].len;
        if (n->cfg.vnet_hdr)
            want += (long)sizeof(hdr[i]);
        do
            w = n->cfg.vnet_hdr ? husk_raw_writev(n->fd, iov, (int)iovcnt)
                                : husk_raw_write(n->fd, buf[i], tx[i].len);
        while (w == -EINTR);
        /* EAGAIN (queue full), EIO (the tap is down), EINVAL (a TSO frame
         * the kernel will not take): dropped, as a NIC whose link is busy
         * or down drops frames. */
        if (w == want) {
            tap_sent++;
            sent_bytes += tx[i].len;
        } else {
            n->tx_dropped++;
            n->tx_tso -= tx[i].mss != 0;
        }
    }
    if (n->user != NULL) {
        if (!husk_net_user_flush(n))
            return husk_net_user_gone(vm, n, NULL);
        tap_sent = husk_net_user_sent(n, &sent_bytes);
    }
    n->tx_frames += tap_sent;
    n->tx_bytes += sent_bytes;
    *sent = tap_sent;
    return HUSK_HC_DONE;
}

/* Read one frame into buf (room for frame_max bytes). Returns its length,
 * 0 if a frame was dropped, -1 if none is waiting. */
static long receive_one(struct husk_netdev *n, void *buf)
{
    /* The spill catches frames longer than the guest can take, so that
     * they are seen whole and dropped rather than cut. */
    static uint8_t spill[65536];
    /* Without offloads asked for (TUNSETOFFLOAD), the kernel hands over
     * whole frames with their checksums: the header says nothing new. */
    struct virtio_net_hdr hdr;
    struct iovec iov[3] = {
        {&hdr, sizeof(hdr)}, {buf, n->frame_max}, {spill, sizeof(spill)}};
    bool vnet = n->cfg.vnet_hdr;
    long r;
    do
        r = husk_raw_readv(n->fd, iov + !vnet, 3 - !vnet);
    while (r == -EINTR);
    if (r < 0)
        return -1; /* EAGAIN; an error on the tap counts as nothing */
    if (vnet)
        r = r < (long)sizeof(hdr) ? 0 : r - (long)sizeof(hdr);
    if (r < HUSK_ETH_HLEN || (size_t)r > n->frame_max) {
        n->rx_dropped++;
        return 0;
    }
    return r;
}

void husk_net_wait(struct husk_vm *vm, int fd, uint64_t timeout_ns)
{
    /* Stdin too, if the guest found it empty: input ends the wait
     * (husk_stdin_wanted). */
    struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
                          {.fd = STDIN_FILENO, .events = POLLIN}};
    nfds_t nfds = husk_stdin_wanted(vm) ? 2 : 1;
    struct timespec ts = {
        .tv_sec = (time_t)(timeout_ns / 1000000000ULL),
        .tv_nsec = (long)(timeout_ns % 1000000000ULL),
    };
    /* The mask: a stop ends the wait even if it came just before. */
    long rc = husk_raw_ppoll(p, nfds, &ts, husk_wait_sigmask());
    if (rc > 0 && nfds == 2 && p[1].revents != 0)
        husk_stdin_woke(vm);
    if (rc < 0 && rc != -EINTR) {
        husk_own_tls();
        errno = (int)-rc;
        husk_fatal(HUSK_EXIT_MONITOR, "net_io: ppoll");
    }
}

static uint32_t receive(struct husk_vm *vm, struct husk_netdev *n,
                        struct husk_net_frame *guest_rx, uint32_t count,
                        void *const *buf, uint64_t timeout_ns)
{
    uint32_t filled = 0;
    unsigned dropped = 0;
    bool waited = false;
    while (filled < count && dropped < DROP_BUDGET) {
        long len = receive_one(n, buf[filled]);
        if (len > 0) {
            guest_rx[filled++].len = (uint32_t)len;
            n->rx_bytes += (uint64_t)len;
            continue;
        }
        if (len == 0) {
            dropped++;
            continue;
        }
        if (filled > 0 || waited || timeout_ns == 0)
            break;
        husk_net_wait(vm, n->fd, timeout_ns);
        waited = true; /* one wait: a signal or a timeout returns */
    }
    n->rx_frames += filled;
    return filled;
}

static enum husk_hc_result hc_net_io(struct husk_vm *vm, void *dev, void *arg)
{
    struct husk_hc_net_io *a = arg;
    struct husk_netdev *n = dev;
    if (a->_pad0 != 0)
        return husk_violation(vm, "net_io: padding is not zero");
    if (a->timeout_ns > HUSK_POLL_TIMEOUT_MAX)
        return husk_violation(vm, "net_io: timeout %llu ns exceeds one hour",
                              (unsigned long long)a->timeout_ns);
    struct husk_net_frame tx[HUSK_NET_BATCH_MAX], rx[HUSK_NET_BATCH_MAX];
    void *tx_buf[HUSK_NET_BATCH_MAX], *rx_buf[HUSK_NET_BATCH_MAX];
    struct virtio_net_hdr tx_hdr[HUSK_NET_BATCH_MAX];
    struct husk_net_frame *guest_rx = NULL;
    if (a->tx_count > 0 && batch(vm, "tx", a->tx_count, a->tx_gpa, tx) == NULL)
        return HUSK_HC_VIOLATION;
    if (a->rx_count > 0 &&
        (guest_rx = batch(vm, "rx", a->rx_count, a->rx_gpa, rx)) == NULL)
        return HUSK_HC_VIOLATION;
    if (!check_frames(vm, n, tx, a->tx_count, tx_buf, tx_hdr, rx, a->rx_count,
                      rx_buf))
        return HUSK_HC_VIOLATION;
    enum husk_hc_result r =
        transmit(vm, n, tx, a->tx_count, tx_buf, tx_hdr, &a->tx_sent);
    a->rx_filled = 0;
    if (r != HUSK_HC_DONE)
        return r;
    if (a->rx_count == 0)
        return HUSK_HC_DONE;
    if (n->user != NULL)
        return husk_net_user_receive(vm, n, guest_rx, a->rx_count, rx_buf,
                                     a->timeout_ns, &a->rx_filled);
    a->rx_filled = receive(vm, n, guest_rx, a->rx_count, rx_buf, a->timeout_ns);
    return HUSK_HC_DONE;
}

void husk_net_register(struct husk_vm *vm)
{
    if (husk_hc_register_device(vm, HUSK_HC_NET_INFO, "net_info",
                                sizeof(struct husk_hc_net_info),
                                HUSK_DEVICE_NET, hc_net_info) != 0 ||
        husk_hc_register_device(vm, HUSK_HC_NET_IO, "net_io",
                                sizeof(struct husk_hc_net_io), HUSK_DEVICE_NET,
                                hc_net_io) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "internal error: net registration failed");
    husk_hc_mark_tls_free(vm, HUSK_HC_NET_IO); /* raw calls, see proc.c */
}

int husk_net_sandbox_rules(struct husk_vm *vm, unsigned handle,
                           struct husk_rules *rules)
{
    const struct husk_netdev *n = vm->devices[handle];
    if (n->user != NULL)
        return husk_net_user_sandbox_rules(n, rules);
    scmp_datum_t fd = (scmp_datum_t)n->fd;
    int rc = 0;
    /* net_io: frames out (writev, the virtio-net header and the frame;
     * write without the header) and in (readv); its wait is ppoll, which
     * the core rules already allow. */
    rc |= husk_rule_add(rules,
                        n->cfg.vnet_hdr ? SCMP_SYS(writev) : SCMP_SYS(write), 1,
                        SCMP_A0(SCMP_CMP_EQ, fd));
    rc |= husk_rule_add(rules, SCMP_SYS(readv), 1, SCMP_A0(SCMP_CMP_EQ, fd));
    return rc == 0 ? 0 : -1;
}

void husk_net_report_stats(struct husk_vm *vm, unsigned handle)
{
    const struct husk_netdev *n = vm->devices[handle];
    char via[384] = "";
    if (n->user != NULL)
        snprintf(via, sizeof(via),
                 "; through passt: %llu writes, %llu in dropped on "
                 "overflow, %llu out dropped while it read nothing, %llu "
                 "ARP answers here, %llu SYNs given again, %llu ACKs asked "
                 "of passt, %llu windows narrowed, %llu ACKs held back, "
                 "%llu windows or ACKs passt owed asked for",
                 (unsigned long long)n->user->writes,
                 (unsigned long long)n->user->rx_overflow,
                 (unsigned long long)n->user->tx_stalled,
                 (unsigned long long)n->user->arp.answered,
                 (unsigned long long)n->user->synretry.resent,
                 (unsigned long long)n->user->tcpfix.nudges,
                 (unsigned long long)n->user->tcpfix.narrowed,
                 (unsigned long long)n->user->tcpfix.held,
                 (unsigned long long)n->user->tcpfix.pokes);
    husk_reportx(
        "stats: net %s: %llu frames out (%llu of them TSO), %llu "
        "in; dropped %llu out, %llu in; %llu waits for rate=%s",
        vm->cfg->devices[handle].name, (unsigned long long)n->tx_frames,
        (unsigned long long)n->tx_tso, (unsigned long long)n->rx_frames,
        (unsigned long long)n->tx_dropped, (unsigned long long)n->rx_dropped,
        (unsigned long long)n->tx_rate_waits, via);
}

void husk_net_stats_json(struct husk_vm *vm, unsigned handle,
                         struct husk_json *j)
{
    const struct husk_netdev *n = vm->devices[handle];
    husk_json_str(j, "backend", n->user != NULL ? "user" : "tap");
    husk_json_u64(j, "tx_frames", n->tx_frames);
    husk_json_u64(j, "tx_tso_frames", n->tx_tso);
    husk_json_u64(j, "rx_frames", n->rx_frames);
    husk_json_u64(j, "tx_bytes", n->tx_bytes);
    husk_json_u64(j, "rx_bytes", n->rx_bytes);
    husk_json_u64(j, "tx_dropped", n->tx_dropped);
    husk_json_u64(j, "rx_dropped", n->rx_dropped);
    husk_json_u64(j, "tx_rate_waits", n->tx_rate_waits);
    if (n->user == NULL)
        return;
    husk_json_begin(j, "passt");
    husk_json_u64(j, "writes", n->user->writes);
    husk_json_u64(j, "rx_overflow", n->user->rx_overflow);
    husk_json_u64(j, "tx_stalled", n->user->tx_stalled);
    husk_json_u64(j, "arp_answered", n->user->arp.answered);
    husk_json_u64(j, "syn_resent", n->user->synretry.resent);
    husk_json_u64(j, "ack_nudges", n->user->tcpfix.nudges);
    husk_json_u64(j, "windows_narrowed", n->user->tcpfix.narrowed);
    husk_json_u64(j, "acks_held", n->user->tcpfix.held);
    husk_json_u64(j, "owed_asks", n->user->tcpfix.pokes);
    husk_json_end(j);
}
