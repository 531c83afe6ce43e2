/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/user.c: the user-mode network's side of net_io: the guest's
 * frames to passt (passt.c) over a stream socket and back (stream.h).
 * Under the process backend this runs on the guest's thread pointer:
 * raw system calls, no errno, until husk_own_tls() (docs/security.md).
 *
 * Writes. A batch goes out in a few writes rather than one per frame, but
 * the passt of Debian 12 (2023-03-09) reads the stream with a recv() of
 * up to 8 MiB and counts on what it gets ending at a frame's end, or in
 * one frame whose rest the next recv() brings whole: a length cut in two,
 * or a rest that comes in two pieces, puts it out of step for good. The
 * kernel cuts a write to a Unix stream socket into buffers of at most
 * about 36 KiB (a page of head and 32 KiB of pages), and a reader may see
 * one before the next is queued. So a write holds whole frames, at most
 * WRITE_MAX bytes of them (one buffer: passt gets all of it or none), and
 * a frame longer than that (a TSO frame, up to 64 KiB) goes alone: its
 * rest is one buffer, even when the socket was full and the rest is
 * written after a wait.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "../../monitor/allowlist.h"
#include "../../monitor/rawsys.h"
#include "netdev.h"
#include "arp.h"
#include "passt.h" /* husk_passt_last_words */

#define WRITE_MAX (32 * 1024)
/* Reads of passt's socket per net_io, each of up to the buffer's room:
 * bounds the time a call spends dropping what the guest cannot take. */
#define READ_BUDGET 8
/* HUSK_NET_USER_SNDBUF_MIN keeps the kernel's cuts where WRITE_MAX
 * assumes them: half of the socket's buffer, less a little, is the most
 * one of its buffers may hold (unix_stream_sendmsg). */
_Static_assert(HUSK_NET_USER_SNDBUF_MIN / 2 - 64 >= WRITE_MAX,
               "WRITE_MAX must fit one of the socket's buffers");

struct husk_netdev_user *husk_net_user_new(void)
{
    struct husk_netdev_user *u = calloc(1, sizeof(*u));
    uint8_t *rx = malloc(HUSK_STREAM_RX_BUF);
    if (u == NULL || rx == NULL)
        husk_fatal(HUSK_EXIT_MONITOR, "out of memory");
    u->rx.buf = rx;
    u->log_fd = -1;
    u->stall_ns = HUSK_NET_USER_STALL_NS;
    return u;
}

/* ---- to passt ---- */

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

enum wrote { WROTE, STOPPED, GONE, STALLED };

/*
 * Read what passt has sent into the buffer, without waiting, while a
 * write waits for passt to read: passt finishes a frame it could write
 * only in part with a send that blocks, and the two must not wait for
 * each other. If the buffer is full of frames the guest has not taken,
 * they are dropped (as a NIC's ring that overflows drops); otherwise
 * frames stay in the socket until the guest asks, and passt, finding it
 * full, keeps its TCP data and sends it again later. GONE if passt's end
 * has closed.
 */
static enum wrote drain(struct husk_netdev *n)
{
    struct husk_netdev_user *u = n->user;
    size_t room;
    uint8_t *at = husk_stream_room(&u->rx, &room);
    if (room < HUSK_STREAM_FRAME_MAX + HUSK_STREAM_PREFIX) {
        unsigned dropped = husk_stream_drop_whole(&u->rx, n->frame_max);
        n->rx_dropped += dropped;
        u->rx_overflow += dropped;
        at = husk_stream_room(&u->rx, &room);
    }
    struct iovec v = {at, room};
    long r;
    do
        r = husk_raw_readv(n->fd, &v, 1);
    while (r == -EINTR);
    if (r > 0)
        husk_stream_filled(&u->rx, (size_t)r);
    else if (r != -EAGAIN)
        return GONE;
    return WROTE;
}

/*
 * Write the queue whole, waiting for room (a stop ends the wait). A passt
 * that reads nothing for HUSK_NET_USER_STALL_NS while none of the queue
 * has gone is not keeping up but stuck (the passt of Debian 12 was seen
 * spinning, a UDP flood's port-unreachable errors coming back, and
 * reading no more): STALLED, and the queue is dropped, as a NIC drops
 * what a dead link will not take. Without the limit the guest waited in
 * its call for good, and so did its time limit. Once part of the queue
 * has gone, the rest must follow (the stream would be out of step), so
 * the wait goes on.
 */
static enum wrote write_queue(struct husk_netdev *n)
{
    struct husk_netdev_user *u = n->user;
    struct iovec *iov = u->iov;
    int cnt = (int)u->q_iov;
    size_t left = u->q_bytes;
    uint64_t deadline = 0;
    while (left > 0) {
        long w = husk_raw_writev(n->fd, iov, cnt);
        if (w == -EINTR)
            continue;
        if (w == -EAGAIN) {
            bool whole = left == u->q_bytes;
            uint64_t now = monotonic_ns();
            if (deadline == 0)
                deadline = now + u->stall_ns;
            if (whole && now >= deadline)
                return STALLED;
            uint64_t wait = deadline > now ? deadline - now : 0;
            struct timespec ts = {(time_t)(wait / 1000000000ULL),
                                  (long)(wait % 1000000000ULL)};
            /* Reading while waiting: passt, busy with what we sent, may
             * be sending as much back, and must not find its way full. */
            struct pollfd p = {.fd = n->fd, .events = POLLOUT | POLLIN};
            husk_raw_ppoll(&p, 1, whole ? &ts : NULL, husk_wait_sigmask());
            if (husk_stop_requested())
                return STOPPED;
            if ((p.revents & POLLIN) && drain(n) == GONE)
                return GONE;
            continue;
        }
        if (w <= 0)
            return GONE; /* EPIPE, ECONNRESET: passt's end is closed */
        left -= (size_t)w;
        deadline = 0; /* passt reads: a new wait starts a new limit */
        while (cnt > 0 && (size_t)w >= iov->iov_len) {
            w -= (long)iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    u->writes++;
    return WROTE;
}

bool husk_net_user_flush(struct husk_netdev *n)
{
    struct husk_netdev_user *u = n->user;
    if (u->q_bytes == 0)
        return true;
    /* A stop that cut a write short leaves the stream mid-frame: nothing
     * more may follow (the guest is being stopped anyway). */
    enum wrote w = u->broken ? STOPPED : write_queue(n);
    if (w == GONE)
        return false;
    if (w == STOPPED) {
        u->broken = true;
        n->tx_dropped += u->q_frames;
    } else if (w == STALLED) {
        n->tx_dropped += u->q_frames;
        u->tx_stalled += u->q_frames;
        if (!u->stall_said)
            husk_warnx("net: passt has read nothing for %llu ms: frames "
                       "to it are dropped while it does not",
                       (unsigned long long)(u->stall_ns / 1000000ULL));
        u->stall_said = true;
    } else {
        u->q_sent += u->q_frames;
        u->q_sent_bytes += u->q_frame_bytes;
    }
    u->q_frames = u->q_pieces = u->q_iov = u->q_bytes = 0;
    u->q_frame_bytes = 0;
    return true;
}

uint32_t husk_net_user_sent(struct husk_netdev *n, uint64_t *bytes)
{
    uint32_t sent = n->user->q_sent;
    *bytes = n->user->q_sent_bytes;
    n->user->q_sent = 0;
    n->user->q_sent_bytes = 0;
    return sent;
}

static void add_iov(struct husk_netdev_user *u, const void *p, size_t len)
{
    if (len > 0)
        u->iov[u->q_iov++] = (struct iovec){(void *)p, len};
}

/* A piece of a frame (stream.h) queued for the next write, flushing first
 * if it would make the write too long, and after it if it is long alone
 * (see the top); frame_len, if not 0, counts a guest's frame of that
 * length with it. false: passt has gone. */
static bool queue_piece(struct husk_netdev *n,
                        const struct husk_stream_piece *seg, uint32_t frame_len)
{
    struct husk_netdev_user *u = n->user;
    uint32_t bytes = HUSK_STREAM_PREFIX + seg->head_len + seg->payload_len;
    if (u->q_bytes > 0 && u->q_bytes + bytes > WRITE_MAX &&
        !husk_net_user_flush(n))
        return false;
    struct husk_stream_piece *p = &u->pieces[u->q_pieces++];
    *p = *seg;
    add_iov(u, p->prefix, HUSK_STREAM_PREFIX);
    add_iov(u, p->head, p->head_len);
    add_iov(u, p->payload, p->payload_len);
    u->q_bytes += bytes;
    if (frame_len != 0) {
        u->q_frames++;
        u->q_frame_bytes += frame_len;
    }
    return bytes <= WRITE_MAX || husk_net_user_flush(n);
}

bool husk_net_user_queue(struct husk_netdev *n, uint32_t i,
                         const struct husk_net_frame *f, void *buf,
                         const struct virtio_net_hdr *hdr, uint64_t now)
{
    struct husk_netdev_user *u = n->user;
    struct husk_stream_piece seg[3];
    unsigned count = 1;
    /* Its headers, read from a copy (guest memory may change as it is
     * read; a TSO frame's are copied already), for tcpfix.c, synretry.c
     * and arp.c. A complete frame's copy is in head2[i], free for it. */
    uint32_t head_len =
        f->len < HUSK_VNET_HEAD_MAX ? f->len : HUSK_VNET_HEAD_MAX;
    uint8_t *head = f->mss != 0 ? n->tso_head[i] : u->head2[i];
    if (f->mss == 0)
        memcpy(head, buf, head_len);
    /* A narrowed window is in the copy: a complete frame's headers go
     * from it (a TSO frame's always do). */
    u->tcpfix.now_ns = now;
    enum husk_tcpfix_fate fate = husk_tcpfix_narrow(&u->tcpfix, head, head_len);
    uint32_t nudge =
        husk_tcpfix_from_guest(&u->tcpfix, head, head_len, u->nudge[i]);
    husk_synretry_from_guest(&u->synretry, head, head_len);
    if (fate == HUSK_TCPFIX_HELD ||
        (f->mss == 0 && husk_arp_request(&u->arp, head, head_len))) {
        u->q_sent++; /* taken: held back, or answered here (arp.h) */
        u->q_sent_bytes += f->len;
        return true;
    }
    if (f->mss != 0)
        count =
            husk_stream_tso(hdr, n->tso_head[i], u->head2[i], buf, f->len, seg);
    else if (fate == HUSK_TCPFIX_CHANGED)
        husk_stream_split(head, head_len, buf, f->len, &seg[0]);
    else
        husk_stream_whole(buf, f->len, &seg[0]);
    if (nudge != 0) /* after the frame, as its own segment */
        husk_stream_whole(u->nudge[i], nudge, &seg[count++]);
    for (unsigned k = 0; k < count; k++)
        if (!queue_piece(n, &seg[k], k == 0 ? f->len : 0))
            return false;
    return true;
}

/* The asks due at now for windows and ACKs passt owes (tcpfix.h),
 * written at once. false: passt has gone. */
static bool send_pokes(struct husk_netdev *n, uint64_t now)
{
    struct husk_netdev_user *u = n->user;
    if (husk_tcpfix_poke_wait(&u->tcpfix, now) != 0)
        return true;
    if (!husk_net_user_flush(n)) /* the queue's room is the pokes' */
        return false;
    u->tcpfix.now_ns = now;
    uint32_t len;
    for (unsigned k = 0; k < HUSK_TCPFIX_OWED_MAX &&
                         (len = husk_tcpfix_poke(&u->tcpfix, u->poke[k])) > 0;
         k++) {
        struct husk_stream_piece seg;
        husk_stream_whole(u->poke[k], len, &seg);
        if (!queue_piece(n, &seg, 0))
            return false;
    }
    return husk_net_user_flush(n);
}

enum husk_hc_result husk_net_user_gone(struct husk_vm *vm,
                                       struct husk_netdev *n, const char *why)
{
    husk_own_tls();
    struct husk_netdev_user *u = n->user;
    char words[256] = "";
    if (why == NULL)
        husk_passt_last_words(u->log_fd, words, sizeof(words));
    snprintf(vm->message, sizeof(vm->message),
             "--net:%s: %s%s%s; the guest is stopped",
             vm->cfg->devices[n->handle].name,
             why != NULL ? why : "the user-mode network's passt has ended",
             words[0] != '\0' ? ": " : "", words);
    vm->exit_code = HUSK_EXIT_MONITOR;
    return HUSK_HC_STOP;
}

/* ---- from passt ---- */

/* Frames for the guest made in the monitor: answers to its ARP requests
 * (arp.h) and SYNs due again (synretry.h). Returns how many. */
static uint32_t take_local(struct husk_netdev *n, uint64_t now,
                           struct husk_net_frame *guest_rx, uint32_t count,
                           void *const *buf)
{
    struct husk_netdev_user *u = n->user;
    uint32_t got = 0, len;
    const uint8_t *answer;
    while (got < count && (answer = husk_arp_next(&u->arp)) != NULL) {
        memcpy(buf[got], answer, HUSK_ARP_FRAME);
        guest_rx[got++].len = HUSK_ARP_FRAME;
        n->rx_bytes += HUSK_ARP_FRAME;
    }
    while (got < count &&
           (len = husk_synretry_due(&u->synretry, now, buf[got])) > 0) {
        guest_rx[got++].len = len;
        n->rx_bytes += len;
    }
    return got;
}

enum husk_hc_result husk_net_user_receive(struct husk_vm *vm,
                                          struct husk_netdev *n,
                                          struct husk_net_frame *guest_rx,
                                          uint32_t count, void *const *buf,
                                          uint64_t timeout_ns, uint32_t *filled)
{
    struct husk_netdev_user *u = n->user;
    uint32_t got = 0;
    unsigned reads = 0;
    bool waited = false;
    *filled = 0;
    uint64_t now = monotonic_ns();
    if (!send_pokes(n, now))
        return husk_net_user_gone(vm, n, NULL);
    got = take_local(n, now, guest_rx, count, buf);
    for (;;) {
        /* What is buffered first: it may be a whole batch already. */
        while (got < count) {
            uint8_t *f;
            uint32_t len;
            enum husk_stream_next k =
                husk_stream_next(&u->rx, n->frame_max, &f, &len);
            if (k == HUSK_STREAM_NONE)
                break;
            if (k == HUSK_STREAM_BAD) {
                husk_own_tls();
                char why[128];
                snprintf(why, sizeof(why),
                         "passt sent a frame length of %u, more than any "
                         "frame: its stream is out of step",
                         len);
                n->rx_frames += got;
                return husk_net_user_gone(vm, n, why);
            }
            if (k == HUSK_STREAM_DROP) {
                n->rx_dropped++;
                continue;
            }
            husk_synretry_from_passt(&u->synretry, f, len, now);
            u->tcpfix.now_ns = now;
            husk_tcpfix_from_passt(&u->tcpfix, f, len);
            memcpy(buf[got], f, len);
            guest_rx[got++].len = len;
            n->rx_bytes += len;
        }
        /* Nothing whole is left buffered when this stops early, so that
         * the poll call, which sees only the socket, misses no frame. */
        if (got == count || reads == READ_BUDGET)
            break;
        size_t room;
        uint8_t *at = husk_stream_room(&u->rx, &room);
        struct iovec v = {at, room};
        long r = husk_raw_readv(n->fd, &v, 1);
        if (r > 0) {
            husk_stream_filled(&u->rx, (size_t)r);
            reads++;
            continue;
        }
        if (r == -EINTR)
            continue;
        if (r != -EAGAIN) {
            n->rx_frames += got;
            return husk_net_user_gone(vm, n, NULL); /* end of file, reset */
        }
        if (got > 0 || waited || timeout_ns == 0)
            break;
        /* Until a frame comes, a SYN is due again, or a poke. */
        uint64_t due = husk_synretry_wait(&u->synretry, now);
        uint64_t poke = husk_tcpfix_poke_wait(&u->tcpfix, now);
        if (poke < due)
            due = poke;
        husk_net_wait(vm, n->fd, due < timeout_ns ? due : timeout_ns);
        waited = true; /* one wait: a signal or a timeout returns */
        now = monotonic_ns();
        if (!send_pokes(n, now))
            return husk_net_user_gone(vm, n, NULL);
        got = take_local(n, now, guest_rx, count, buf);
    }
    n->rx_frames += got;
    *filled = got;
    return HUSK_HC_DONE;
}

uint64_t husk_net_user_due_in(const struct husk_netdev *n, uint64_t now)
{
    const struct husk_netdev_user *u = n->user;
    if (u->arp.count > 0)
        return 0;
    uint64_t due = husk_synretry_wait(&u->synretry, now);
    uint64_t poke = husk_tcpfix_poke_wait(&u->tcpfix, now);
    return poke < due ? poke : due;
}

int husk_net_user_sandbox_rules(const struct husk_netdev *n,
                                struct husk_rules *rules)
{
    scmp_datum_t fd = (scmp_datum_t)n->fd;
    int rc = 0;
    /* Frames out (writev) and in (readv) on the socket to passt; its
     * wait is ppoll, which the core rules allow. */
    rc |= husk_rule_add(rules, SCMP_SYS(writev), 1, SCMP_A0(SCMP_CMP_EQ, fd));
    rc |= husk_rule_add(rules, SCMP_SYS(readv), 1, SCMP_A0(SCMP_CMP_EQ, fd));
    /* passt's last words, read when it has gone. */
    if (n->user->log_fd >= 0)
        rc |=
            husk_rule_add(rules, SCMP_SYS(read), 1,
                          SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)n->user->log_fd));
    return rc == 0 ? 0 : -1;
}
