/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * net/tcp_sock.c: SOCK_STREAM sockets on lwIP's raw TCP API.
 *
 * Received data stays in lwIP's pbufs, queued on the socket, and the
 * window opens (tcp_recved) only as the program reads: a slow reader
 * throttles its peer instead of using up memory. A listener keeps up to
 * its backlog of new connections; beyond that lwIP refuses SYNs
 * (tcp_backlog_delayed counts the queued ones), so a connection flood is
 * bounded by the backlog, not by memory. A queued connection that the
 * peer resets before accept() is dropped from the queue at once.
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h" /* struct tcp_seg, for push_tail */

#include "../guest/guest.h"
#include "sock.h"

#define BACKLOG_MAX 255 /* lwIP keeps the backlog in a u8_t */

/* ---- lwIP's callbacks: record, never block ---- */

static void detach(struct tcp_pcb *pcb);

/* Room for more unacknowledged data in lwIP's heap: what is left of the
 * budget (lwipopts.h), so that ACKs and ARP replies always find memory. */
static size_t tx_room(void)
{
    size_t used = lwip_stats.mem.used;
    return used < HUSK_TX_BUDGET ? HUSK_TX_BUDGET - used : 0;
}

/* lwIP's memory for outgoing data (its heap, its segment pool) can run
 * out before a socket's send buffer does. A socket that hit that waits
 * (and polls unwritable) until some connection's data is acknowledged
 * or dropped, which frees memory: `freed` counts those events. */
static uint32_t freed;

static bool mem_blocked(const struct sock *s)
{
    return s->tx_blocked && s->tx_blocked_at == freed;
}

/* Open the window by n bytes read (tcp_recved takes a u16_t). */
static void window_open(struct tcp_pcb *pcb, size_t n)
{
    while (pcb != NULL && n > 0) {
        u16_t k = n > 0xffff ? 0xffff : (u16_t)n;
        tcp_recved(pcb, k);
        n -= k;
    }
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct sock *s = arg;
    (void)err;
    if (p == NULL) {
        s->rx_eof = true;
    } else if (s->shut_rd) { /* after SHUT_RD, data is dropped */
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
    } else if (husk_rxq_append(&s->rx, p) != 0) {
        return ERR_MEM; /* no memory: lwIP keeps it, offers it again */
    } else {
        pbuf_free(p); /* copied: the pool pbuf goes back at once */
    }
    husk_sock_event(s);
    return ERR_OK;
}

/* Set when an ACK freed data: what Nagle held may go (husk_tcp_push_held). */
static bool acked_since_push;

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)pcb, (void)len;
    freed++;
    acked_since_push = true;
    husk_sock_event(arg);
    return ERR_OK;
}

static void backlog_remove(struct sock *l, struct sock *s)
{
    int n = l->backlog_count, i = 0;
    while (i < n && l->backlog[(l->backlog_head + i) % l->backlog_max] != s)
        i++;
    if (i == n)
        return;
    for (; i + 1 < n; i++)
        l->backlog[(l->backlog_head + i) % l->backlog_max] =
            l->backlog[(l->backlog_head + i + 1) % l->backlog_max];
    l->backlog_count--;
}

/* The pcb is gone (lwIP has freed it): reset, timeout or abort. */
static void on_err(void *arg, err_t err)
{
    struct sock *s = arg;
    s->pcb.tcp = NULL;
    freed++; /* whatever it had queued is free now */
    if (s->state == SS_CONNECTING)
        s->err = err == ERR_RST ? ECONNREFUSED : ETIMEDOUT;
    else if (err == ERR_CLSD) /* closed in order after our shutdown */
        s->rx_eof = true;
    else
        s->err = err == ERR_ABRT ? ETIMEDOUT : husk_sock_errno(err);
    s->state = SS_CLOSED;
    husk_sock_event(s);
    if (s->listener != NULL) { /* never accepted: nobody will see it */
        backlog_remove(s->listener, s);
        husk_rxq_clear(&s->rx);
        husk_sock_free(s);
    }
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct sock *s = arg;
    (void)pcb, (void)err; /* lwIP only reports success here */
    s->state = SS_CONNECTED;
    husk_sock_event(s);
    return ERR_OK;
}

static void attach(struct sock *s, struct tcp_pcb *pcb)
{
    s->pcb.tcp = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
}

/* The socket no longer listens to this pcb (it is closing it). */
static void detach(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL); /* lwIP's default: acknowledge and drop */
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct sock *l = arg;
    if (err != ERR_OK || pcb == NULL)
        return ERR_VAL;
    struct sock *s;
    if (l->backlog_count >= l->backlog_max ||
        (s = husk_sock_new(SOCK_STREAM, &husk_tcp_proto)) == NULL) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    s->state = SS_CONNECTED;
    s->listener = l;
    s->nodelay = l->nodelay;
    attach(s, pcb);
    if (s->nodelay)
        tcp_nagle_disable(pcb);
    tcp_backlog_delayed(pcb); /* counts against the backlog until accept */
    l->backlog[(l->backlog_head + l->backlog_count++) % l->backlog_max] = s;
    husk_sock_event(l);
    return ERR_OK;
}

/* ---- the calls ---- */

long husk_tcp_open(struct sock *s)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (pcb == NULL)
        return -ENOBUFS;
    attach(s, pcb);
    s->state = SS_NEW;
    return 0;
}

/* A pcb for a socket whose connection is over, so that it can connect
 * again (as Linux allows after a failed connect). */
static long renew(struct sock *s)
{
    if (s->pcb.tcp != NULL)
        return 0;
    husk_rxq_clear(&s->rx);
    s->rx_eof = s->shut_rd = s->shut_wr = false;
    return husk_tcp_open(s);
}

static long tcp_sock_bind(struct sock *s, const ip_addr_t *ip, uint16_t port)
{
    if (s->state != SS_NEW || s->pcb.tcp == NULL || s->pcb.tcp->local_port != 0)
        return -EINVAL; /* already bound, listening or connected */
    err_t e = tcp_bind(s->pcb.tcp, ip, port);
    if (e == ERR_USE)
        return -EADDRINUSE;
    if (e == ERR_VAL && !ip_addr_isany(ip))
        return -EADDRNOTAVAIL;
    return e == ERR_OK ? 0 : -husk_sock_errno(e);
}

static long tcp_sock_listen(struct sock *s, int backlog)
{
    if (s->state == SS_LISTEN)
        return 0;
    if (s->state != SS_NEW || s->pcb.tcp == NULL)
        return -EINVAL;
    if (backlog <= 0)
        backlog = 1;
    if (backlog > BACKLOG_MAX)
        backlog = BACKLOG_MAX;
    struct sock **q = calloc((size_t)backlog, sizeof(*q));
    if (q == NULL)
        return -ENOMEM;
    err_t e;
    /* lwIP frees the pcb and gives a smaller listening one. */
    struct tcp_pcb *lpcb =
        tcp_listen_with_backlog_and_err(s->pcb.tcp, (u8_t)backlog, &e);
    if (lpcb == NULL) {
        free(q);
        return e == ERR_USE ? -EADDRINUSE : -husk_sock_errno(e);
    }
    s->pcb.tcp = lpcb;
    tcp_arg(lpcb, s);
    tcp_accept(lpcb, on_accept);
    s->backlog = q;
    s->backlog_max = backlog;
    s->state = SS_LISTEN;
    return 0;
}

static bool has_connection(struct sock *s)
{
    return s->backlog_count > 0;
}

static long tcp_sock_accept(struct sock *s, struct sock **out)
{
    if (s->state != SS_LISTEN)
        return -EINVAL;
    long rc = husk_sock_wait(s, has_connection, false, false);
    if (rc != 0)
        return rc;
    struct sock *c = s->backlog[s->backlog_head];
    s->backlog_head = (s->backlog_head + 1) % s->backlog_max;
    s->backlog_count--;
    c->listener = NULL;
    if (c->pcb.tcp != NULL)
        tcp_backlog_accepted(c->pcb.tcp);
    *out = c;
    return 0;
}

static bool connect_done(struct sock *s)
{
    return s->state != SS_CONNECTING;
}

static long tcp_sock_connect(struct sock *s, const ip_addr_t *ip, uint16_t port)
{
    switch (s->state) {
    case SS_CONNECTING:
        return -EALREADY;
    case SS_CONNECTED:
        return -EISCONN;
    case SS_LISTEN:
        return -EINVAL;
    default:
        break;
    }
    long rc = renew(s);
    if (rc != 0)
        return rc;
    if (ip_addr_isany(ip))
        ip = &husk_ip_loopback; /* as Linux: 0.0.0.0 means this host */
    s->err = 0;
    err_t e = tcp_connect(s->pcb.tcp, ip, port, on_connected);
    if (e != ERR_OK)
        return -husk_sock_errno(e);
    s->state = SS_CONNECTING;
    if (s->nonblock)
        return -EINPROGRESS;
    rc = husk_sock_wait(s, connect_done, true, false);
    if (rc == -EAGAIN)
        return -EINPROGRESS; /* SO_SNDTIMEO expired: still trying */
    if (rc != 0)
        return rc;
    if (s->state == SS_CONNECTED)
        return 0;
    int err = s->err ? s->err : ECONNREFUSED;
    s->err = 0;
    return -err;
}

/* Whether send can queue something now, or must report. */
static bool can_send(struct sock *s)
{
    struct tcp_pcb *pcb = s->pcb.tcp;
    return pcb == NULL || s->err != 0 || s->shut_wr ||
           s->state != SS_CONNECTED ||
           (tcp_sndbuf(pcb) > 0 && tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN &&
            tx_room() > 0 && !mem_blocked(s));
}

/*
 * Send now what Nagle's rule holds back, unless a small segment is still
 * unacknowledged (Minshall's variant, as Linux does). lwIP's plain rule
 * holds the short last segment of every reply until all before it is
 * acknowledged: a round trip per request-response, and with a peer that
 * delays its ACKs, up to its delay (40 ms on Linux).
 */
static void push_tail(struct tcp_pcb *pcb)
{
    if (pcb == NULL || tcp_nagle_disabled(pcb) || pcb->unsent == NULL ||
        pcb->unacked == NULL)
        return; /* nothing held back, or not by Nagle */
    for (const struct tcp_seg *seg = pcb->unacked; seg != NULL; seg = seg->next)
        if (seg->len < tcp_mss(pcb))
            return; /* a small one in flight: Nagle may hold this one */
    tcp_nagle_disable(pcb);
    tcp_output(pcb);
    tcp_nagle_enable(pcb);
}

/*
 * After the input that brought ACKs: lwIP applies Nagle's rule segment by
 * segment, so an ACK that lets a full segment go holds the short tail of
 * the same reply behind it, until that segment too is acknowledged; a
 * peer that delays its ACK for a lone segment (Linux: 40 ms) then stalls
 * every reply a little over the window. Minshall's rule, as in push_tail.
 * (tcp_output from the sent callback would do nothing: lwIP defers
 * output while it processes that connection's input.)
 */
void husk_tcp_push_held(void)
{
    if (!acked_since_push)
        return;
    acked_since_push = false;
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL; pcb = pcb->next)
        push_tail(pcb);
}

static long take_err(struct sock *s, long fallback)
{
    int e = s->err;
    s->err = 0;
    return e != 0 ? -e : fallback;
}

static long tcp_sock_send(struct sock *s, const struct iovec *iov, int iovcnt,
                          int flags, const ip_addr_t *to, uint16_t to_port)
{
    (void)to, (void)to_port; /* a stream goes to its peer */
    if (s->state == SS_NEW || s->state == SS_LISTEN)
        return -ENOTCONN;
    if (s->state == SS_CONNECTING && s->nonblock)
        return -EAGAIN;
    long total = husk_iov_len(iov, iovcnt);
    long done = 0;
    int v = 0;
    size_t off = 0; /* into iov[v] */
    bool dontwait = (flags & MSG_DONTWAIT) != 0;
    while (done < total || total == 0) {
        struct tcp_pcb *pcb = s->pcb.tcp;
        if (pcb != NULL && !can_send(s))
            tcp_output(pcb); /* make room: push what is queued */
        long rc = husk_sock_wait(s, can_send, true, dontwait || done > 0);
        if (rc == -EAGAIN)
            break;
        if (rc != 0)
            return done > 0 ? done : rc;
        pcb = s->pcb.tcp;
        if (s->err != 0 || pcb == NULL || s->shut_wr ||
            s->state != SS_CONNECTED) {
            if (done > 0)
                break;
            return take_err(s, -EPIPE);
        }
        if (total == 0)
            return 0;
        while (iov[v].iov_len == off) {
            v++;
            off = 0;
        }
        size_t n = iov[v].iov_len - off;
        if (n > tcp_sndbuf(pcb))
            n = tcp_sndbuf(pcb);
        if (n > tx_room())
            n = tx_room();
        bool more = (long)n < total - done || (flags & MSG_MORE);
        err_t e =
            tcp_write(pcb, (const char *)iov[v].iov_base + off, (u16_t)n,
                      TCP_WRITE_FLAG_COPY | (more ? TCP_WRITE_FLAG_MORE : 0));
        if (e == ERR_MEM) {
            /* lwIP's heap or segments are used up: send what is queued
             * and wait until an acknowledgement frees some. */
            tcp_output(pcb);
            s->tx_blocked = true;
            s->tx_blocked_at = freed;
            if (done > 0)
                break;
            continue; /* to the wait above, which may say EAGAIN */
        }
        s->tx_blocked = false;
        if (e != ERR_OK)
            return done > 0 ? done : -husk_sock_errno(e);
        done += (long)n;
        off += n;
    }
    if (s->pcb.tcp != NULL && !(flags & MSG_MORE)) {
        tcp_output(s->pcb.tcp);
        push_tail(s->pcb.tcp);
    }
    return done > 0 ? done : -EAGAIN;
}

static bool can_recv(struct sock *s)
{
    return s->rx.bytes > 0 || s->rx_eof || s->shut_rd || s->err != 0 ||
           s->pcb.tcp == NULL || s->state != SS_CONNECTED;
}

/* Copy queued bytes out, consuming them (and opening the window) unless
 * peek. */
static size_t take(struct sock *s, const struct iovec *iov, int iovcnt,
                   bool peek)
{
    size_t done = husk_rxq_take(&s->rx, iov, iovcnt, peek);
    if (!peek)
        window_open(s->pcb.tcp, done);
    return done;
}

static long tcp_sock_recv(struct sock *s, const struct iovec *iov, int iovcnt,
                          int flags, ip_addr_t *from, uint16_t *from_port,
                          bool *truncated)
{
    (void)from, (void)from_port, (void)truncated;
    if (s->state == SS_NEW || s->state == SS_LISTEN)
        return -ENOTCONN;
    long total = husk_iov_len(iov, iovcnt);
    bool dontwait = (flags & MSG_DONTWAIT) != 0;
    long done = 0;
    for (;;) {
        long rc = husk_sock_wait(s, can_recv, false, dontwait || done > 0);
        if (rc == -EAGAIN)
            return done > 0 ? done : -EAGAIN;
        if (rc != 0)
            return done > 0 ? done : rc;
        if (s->rx.bytes > 0 && total > 0) {
            /* The rest of the caller's buffers, after what WAITALL got. */
            struct iovec rest[64];
            int n = 0;
            long skip = done;
            for (int i = 0; i < iovcnt && n < 64; i++) {
                if ((long)iov[i].iov_len <= skip) {
                    skip -= (long)iov[i].iov_len;
                    continue;
                }
                rest[n].iov_base = (char *)iov[i].iov_base + skip;
                rest[n++].iov_len = iov[i].iov_len - (size_t)skip;
                skip = 0;
            }
            done += (long)take(s, rest, n, (flags & MSG_PEEK) != 0);
            if (!(flags & MSG_WAITALL) || done == total || (flags & MSG_PEEK))
                return done;
            continue;
        }
        if (total == 0 && s->rx.bytes > 0)
            return 0;
        if (done > 0)
            return done;
        if (s->rx_eof || s->shut_rd)
            return 0;
        if (s->err != 0)
            return take_err(s, 0);
        if (s->state == SS_CONNECTING)
            continue; /* blocking: wait for the connection first */
        return 0;     /* closed */
    }
}

static long tcp_sock_shutdown(struct sock *s, bool rd, bool wr)
{
    if (s->state != SS_CONNECTED && s->state != SS_CLOSED)
        return -ENOTCONN;
    if (rd && !s->shut_rd) {
        s->shut_rd = true;
        size_t unread = s->rx.bytes;
        husk_rxq_clear(&s->rx);
        window_open(s->pcb.tcp, unread);
    }
    if (wr && !s->shut_wr) {
        s->shut_wr = true;
        /* FIN after what is queued; never lwIP's shut_rx, which would
         * close the pcb under us. */
        if (s->pcb.tcp != NULL && tcp_shutdown(s->pcb.tcp, 0, 1) == ERR_OK)
            tcp_output(s->pcb.tcp);
    }
    husk_sock_event(s);
    return 0;
}

static int tcp_sock_poll(struct sock *s)
{
    struct tcp_pcb *pcb = s->pcb.tcp;
    switch (s->state) {
    case SS_LISTEN:
        return s->backlog_count > 0 ? POLLIN | POLLRDNORM : 0;
    case SS_NEW:
        return POLLOUT | POLLHUP; /* as Linux for an unconnected stream */
    case SS_CONNECTING:
        return 0;
    default:
        break;
    }
    int ev = 0;
    if (s->rx.bytes > 0 || s->rx_eof || s->shut_rd)
        ev |= POLLIN | POLLRDNORM;
    if (s->rx_eof)
        ev |= POLLRDHUP;
    if (s->err != 0)
        ev |= POLLERR;
    if (pcb == NULL) /* reset or closed: reads and writes return now */
        ev |= POLLIN | POLLRDNORM | POLLOUT | POLLHUP;
    else if (!s->shut_wr && tcp_sndbuf(pcb) > 0 &&
             tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN && tx_room() > 0 &&
             !mem_blocked(s))
        ev |= POLLOUT | POLLWRNORM;
    if (s->rx_eof && s->shut_wr)
        ev |= POLLHUP;
    return ev;
}

static long tcp_sock_nread(struct sock *s)
{
    return (long)s->rx.bytes;
}

static long tcp_sock_name(struct sock *s, bool peer, ip_addr_t *ip,
                          uint16_t *port)
{
    struct tcp_pcb *pcb = s->pcb.tcp;
    if (peer) {
        if (s->state != SS_CONNECTED || pcb == NULL)
            return -ENOTCONN;
        *ip = pcb->remote_ip;
        *port = pcb->remote_port;
        return 0;
    }
    if (pcb != NULL) { /* a listening pcb has the same fields first */
        *ip = pcb->local_ip;
        *port = pcb->local_port;
    }
    return 0;
}

static long tcp_sock_setopt(struct sock *s, int level, int name, const void *v,
                            socklen_t len)
{
    if (level != IPPROTO_TCP)
        return -ENOPROTOOPT;
    int i;
    if (v == NULL || len < sizeof(int))
        return -EINVAL;
    memcpy(&i, v, sizeof(i));
    /* A listening pcb has no flags or timers: keep the options for the
     * connections it accepts. */
    struct tcp_pcb *pcb = s->state == SS_LISTEN ? NULL : s->pcb.tcp;
    switch (name) {
    case TCP_NODELAY:
        s->nodelay = i != 0;
        if (pcb != NULL && i)
            tcp_nagle_disable(pcb);
        else if (pcb != NULL)
            tcp_nagle_enable(pcb);
        return 0;
    case TCP_KEEPIDLE:
    case TCP_KEEPINTVL:
    case TCP_KEEPCNT:
        if (i < 1 || i > 32767)
            return -EINVAL;
        if (pcb == NULL)
            return 0;
        if (name == TCP_KEEPIDLE)
            pcb->keep_idle = (u32_t)i * 1000;
        else if (name == TCP_KEEPINTVL)
            pcb->keep_intvl = (u32_t)i * 1000;
        else
            pcb->keep_cnt = (u32_t)i;
        return 0;
    case TCP_QUICKACK:     /* lwIP acknowledges promptly anyway */
    case TCP_DEFER_ACCEPT: /* hints with no effect on correctness */
    case TCP_USER_TIMEOUT:
    case TCP_FASTOPEN:
        return 0;
    default:
        return -ENOPROTOOPT;
    }
}

static long put_int(void *v, socklen_t *len, int value)
{
    if (v == NULL || (int)*len < 0)
        return -EINVAL;
    socklen_t n = *len < sizeof(int) ? *len : sizeof(int);
    memcpy(v, &value, n);
    *len = n;
    return 0;
}

static long tcp_sock_getopt(struct sock *s, int level, int name, void *v,
                            socklen_t *len)
{
    if (level != IPPROTO_TCP)
        return -ENOPROTOOPT;
    struct tcp_pcb *pcb = s->state == SS_LISTEN ? NULL : s->pcb.tcp;
    switch (name) {
    case TCP_NODELAY:
        return put_int(v, len, s->nodelay);
    case TCP_MAXSEG:
        return put_int(v, len, pcb != NULL ? tcp_mss(pcb) : TCP_MSS);
    case TCP_KEEPIDLE:
        return put_int(v, len, pcb ? (int)(pcb->keep_idle / 1000) : 7200);
    case TCP_KEEPINTVL:
        return put_int(v, len, pcb ? (int)(pcb->keep_intvl / 1000) : 75);
    case TCP_KEEPCNT:
        return put_int(v, len, pcb ? (int)pcb->keep_cnt : 9);
    default:
        return -ENOPROTOOPT;
    }
}

static void tcp_sock_close(struct sock *s)
{
    struct tcp_pcb *pcb = s->pcb.tcp;
    if (s->state == SS_LISTEN) {
        /* Connections never accepted are reset, as Linux does. */
        while (s->backlog_count > 0) {
            struct sock *c = s->backlog[s->backlog_head];
            s->backlog_head = (s->backlog_head + 1) % s->backlog_max;
            s->backlog_count--;
            if (c->pcb.tcp != NULL) {
                detach(c->pcb.tcp);
                tcp_abort(c->pcb.tcp);
            }
            husk_rxq_clear(&c->rx);
            husk_sock_free(c);
        }
        free(s->backlog);
        if (pcb != NULL) {
            tcp_arg(pcb, NULL);
            tcp_accept(pcb, NULL);
            tcp_close(pcb); /* a listening pcb always closes at once */
        }
        return;
    }
    if (pcb != NULL) {
        detach(pcb);
        /* Unread data or SO_LINGER 0: reset, as Linux does. lwIP also
         * resets on tcp_close when data was not read, and frees the pcb
         * itself in either case. */
        if (s->linger_abort || s->rx.bytes > 0 || tcp_close(pcb) != ERR_OK)
            tcp_abort(pcb);
    }
    husk_rxq_clear(&s->rx);
}

const struct sock_proto husk_tcp_proto = {
    .bind = tcp_sock_bind,
    .listen = tcp_sock_listen,
    .accept = tcp_sock_accept,
    .connect = tcp_sock_connect,
    .send = tcp_sock_send,
    .recv = tcp_sock_recv,
    .shutdown = tcp_sock_shutdown,
    .poll = tcp_sock_poll,
    .nread = tcp_sock_nread,
    .name = tcp_sock_name,
    .setopt = tcp_sock_setopt,
    .getopt = tcp_sock_getopt,
    .close = tcp_sock_close,
};
