/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * net/udp_sock.c: SOCK_DGRAM sockets on lwIP's raw UDP API. Received
 * datagrams wait on the socket in arrival order, at most DQ_MAX of them
 * and DQ_BYTES in all: beyond that new ones are dropped, as a full socket
 * buffer drops them on Linux. A DNS query sent where no server can be
 * (musl's resolver without a nameserver) gets a notice (resolv.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/pbuf.h"
#include "lwip/udp.h"

#include "../guest/guest.h"
#include "../guest/resolv.h"
#include "sock.h"

#define DQ_MAX 256
#define DQ_BYTES (1024 * 1024)
#define DGRAM_MAX 65507 /* the largest UDP payload over IPv4 */

static void on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
                    const ip_addr_t *addr, u16_t port)
{
    struct sock *s = arg;
    (void)pcb;
    struct dgram *d;
    size_t len = p->tot_len;
    if (s->shut_rd || s->dq_count >= DQ_MAX || s->dq_bytes + len > DQ_BYTES ||
        (d = malloc(sizeof(*d) + len)) == NULL) {
        pbuf_free(p);
        return;
    }
    /* Copied out, so that the pool pbuf goes back at once (rxq.c). */
    *d = (struct dgram){.from = *addr, .port = port, .len = len};
    pbuf_copy_partial(p, d->data, (u16_t)len, 0);
    pbuf_free(p);
    if (s->dq_tail != NULL)
        s->dq_tail->next = d;
    else
        s->dq_head = d;
    s->dq_tail = d;
    s->dq_count++;
    s->dq_bytes += len;
    husk_sock_event(s);
}

long husk_udp_open(struct sock *s)
{
    struct udp_pcb *pcb = udp_new_ip_type(IPADDR_TYPE_V4);
    if (pcb == NULL)
        return -ENOBUFS;
    s->pcb.udp = pcb;
    udp_recv(pcb, on_recv, s);
    s->state = SS_NEW;
    return 0;
}

static long udp_sock_bind(struct sock *s, const ip_addr_t *ip, uint16_t port)
{
    if (s->pcb.udp->local_port != 0)
        return -EINVAL; /* already bound */
    err_t e = udp_bind(s->pcb.udp, ip, port);
    if (e == ERR_USE)
        return -EADDRINUSE;
    return e == ERR_OK ? 0 : -husk_sock_errno(e);
}

static long udp_sock_connect(struct sock *s, const ip_addr_t *ip, uint16_t port)
{
    if (ip_addr_isany(ip))
        ip = &husk_ip_loopback;
    err_t e = udp_connect(s->pcb.udp, ip, port);
    if (e != ERR_OK)
        return -husk_sock_errno(e);
    s->state = SS_CONNECTED;
    return 0;
}

static long udp_sock_disconnect(struct sock *s)
{
    udp_disconnect(s->pcb.udp);
    s->state = SS_NEW;
    return 0;
}

#define DNS_PORT 53

/* A DNS query to a loopback address where nothing of the guest's listens:
 * musl's resolver without a nameserver (resolv.c says why, once). */
static void check_dns_query(const ip_addr_t *to, uint16_t port)
{
    if (port != DNS_PORT || !ip4_addr_isloopback(ip_2_ip4(to)))
        return;
    for (struct udp_pcb *p = udp_pcbs; p != NULL; p = p->next)
        if (p->local_port == DNS_PORT)
            return;
    husk_resolv_query_to_nobody(ip4_addr_get_u32(ip_2_ip4(to)));
}

static long udp_sock_send(struct sock *s, const struct iovec *iov, int iovcnt,
                          int flags, const ip_addr_t *to, uint16_t to_port)
{
    (void)flags; /* a datagram never waits for room */
    if (s->shut_wr)
        return -EPIPE;
    if (to == NULL && s->state != SS_CONNECTED)
        return -EDESTADDRREQ;
    long total = husk_iov_len(iov, iovcnt);
    if (total > DGRAM_MAX)
        return -EMSGSIZE;
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)total, PBUF_RAM);
    if (p == NULL)
        return -ENOBUFS;
    size_t off = 0;
    for (int i = 0; i < iovcnt; i++) {
        pbuf_take_at(p, iov[i].iov_base, (u16_t)iov[i].iov_len, (u16_t)off);
        off += iov[i].iov_len;
    }
    err_t e;
    if (to != NULL) {
        if (ip_addr_isany(to))
            to = &husk_ip_loopback;
        check_dns_query(to, to_port);
        e = udp_sendto(s->pcb.udp, p, to, to_port);
    } else {
        check_dns_query(&s->pcb.udp->remote_ip, s->pcb.udp->remote_port);
        e = udp_send(s->pcb.udp, p);
    }
    pbuf_free(p);
    if (e == ERR_VAL && to != NULL && ip_addr_isbroadcast(to, netif_default))
        return -EACCES; /* broadcast without SO_BROADCAST */
    return e == ERR_OK ? total : -husk_sock_errno(e);
}

static bool has_dgram(struct sock *s)
{
    return s->dq_head != NULL || s->shut_rd;
}

static long udp_sock_recv(struct sock *s, const struct iovec *iov, int iovcnt,
                          int flags, ip_addr_t *from, uint16_t *from_port,
                          bool *truncated)
{
    long rc = husk_sock_wait(s, has_dgram, false, (flags & MSG_DONTWAIT) != 0);
    if (rc != 0)
        return rc;
    struct dgram *d = s->dq_head;
    if (d == NULL)
        return 0; /* shut down for reading */
    size_t len = d->len, done = 0;
    for (int i = 0; i < iovcnt && done < len; i++) {
        size_t n = len - done < iov[i].iov_len ? len - done : iov[i].iov_len;
        memcpy(iov[i].iov_base, d->data + done, n);
        done += n;
    }
    *truncated = done < len;
    if (from != NULL) {
        *from = d->from;
        *from_port = d->port;
    }
    if (!(flags & MSG_PEEK)) {
        s->dq_head = d->next;
        if (s->dq_head == NULL)
            s->dq_tail = NULL;
        s->dq_count--;
        s->dq_bytes -= len;
        free(d);
    }
    return (flags & MSG_TRUNC) ? (long)len : (long)done;
}

static long udp_sock_shutdown(struct sock *s, bool rd, bool wr)
{
    if (s->state != SS_CONNECTED)
        return -ENOTCONN;
    s->shut_rd |= rd;
    s->shut_wr |= wr;
    husk_sock_event(s);
    return 0;
}

static int udp_sock_poll(struct sock *s)
{
    int ev = s->shut_wr ? 0 : POLLOUT | POLLWRNORM;
    if (s->dq_head != NULL || s->shut_rd)
        ev |= POLLIN | POLLRDNORM;
    return ev;
}

static long udp_sock_nread(struct sock *s)
{
    return s->dq_head != NULL ? (long)s->dq_head->len : 0;
}

static long udp_sock_name(struct sock *s, bool peer, ip_addr_t *ip,
                          uint16_t *port)
{
    struct udp_pcb *pcb = s->pcb.udp;
    if (peer) {
        if (s->state != SS_CONNECTED)
            return -ENOTCONN;
        *ip = pcb->remote_ip;
        *port = pcb->remote_port;
    } else {
        *ip = pcb->local_ip;
        *port = pcb->local_port;
    }
    return 0;
}

static long udp_sock_setopt(struct sock *s, int level, int name, const void *v,
                            socklen_t len)
{
    (void)s, (void)level, (void)name, (void)v, (void)len;
    return -ENOPROTOOPT;
}

static long udp_sock_getopt(struct sock *s, int level, int name, void *v,
                            socklen_t *len)
{
    (void)s, (void)level, (void)name, (void)v, (void)len;
    return -ENOPROTOOPT;
}

static void udp_sock_close(struct sock *s)
{
    udp_remove(s->pcb.udp);
    while (s->dq_head != NULL) {
        struct dgram *d = s->dq_head;
        s->dq_head = d->next;
        free(d);
    }
}

const struct sock_proto husk_udp_proto = {
    .bind = udp_sock_bind,
    .connect = udp_sock_connect,
    .disconnect = udp_sock_disconnect,
    .send = udp_sock_send,
    .recv = udp_sock_recv,
    .shutdown = udp_sock_shutdown,
    .poll = udp_sock_poll,
    .nread = udp_sock_nread,
    .name = udp_sock_name,
    .setopt = udp_sock_setopt,
    .getopt = udp_sock_getopt,
    .close = udp_sock_close,
};
