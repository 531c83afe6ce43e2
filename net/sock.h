/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * net/sock.h: BSD sockets on lwIP's raw API. A socket is a struct sock
 * behind an fd; socket.c holds the system calls and what all sockets
 * share (addresses, options, waiting), tcp_sock.c and udp_sock.c the
 * protocols. lwIP's callbacks only queue data and record state changes;
 * the system calls then copy data out and decide whether to wait.
 */
#ifndef HUSK_NET_SOCK_H
#define HUSK_NET_SOCK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "lwip/ip_addr.h"

struct pbuf;
struct tcp_pcb;
struct udp_pcb;
struct sock;

/* A received datagram, copied out of lwIP's pbufs, and its sender. */
struct dgram {
    struct dgram *next;
    ip_addr_t from;
    uint16_t port;
    size_t len;
    uint8_t data[];
};

/* Received TCP bytes not yet read (rxq.c). */
struct rxchunk;
struct rxq {
    struct rxchunk *head, *tail;
    size_t bytes;
};
/* Copy p's bytes to the end; -1 (nothing taken) if memory is short. */
int husk_rxq_append(struct rxq *q, const struct pbuf *p);
/* Copy out up to the iovec's length, consuming unless peek. */
size_t husk_rxq_take(struct rxq *q, const struct iovec *iov, int iovcnt,
                     bool peek);
void husk_rxq_clear(struct rxq *q);

/* One protocol's side of the socket calls; NULL: not supported (the
 * caller answers EOPNOTSUPP). Every call returns a result or -errno. */
struct sock_proto {
    long (*bind)(struct sock *s, const ip_addr_t *ip, uint16_t port);
    long (*listen)(struct sock *s, int backlog);
    long (*accept)(struct sock *s, struct sock **out);
    long (*connect)(struct sock *s, const ip_addr_t *ip, uint16_t port);
    long (*disconnect)(struct sock *s); /* connect to AF_UNSPEC */
    /* to: NULL for the connected peer. */
    long (*send)(struct sock *s, const struct iovec *iov, int iovcnt, int flags,
                 const ip_addr_t *to, uint16_t to_port);
    /* *truncated: a datagram was longer than the buffers. */
    long (*recv)(struct sock *s, const struct iovec *iov, int iovcnt, int flags,
                 ip_addr_t *from, uint16_t *from_port, bool *truncated);
    long (*shutdown)(struct sock *s, bool rd, bool wr);
    int (*poll)(struct sock *s);
    long (*nread)(struct sock *s); /* FIONREAD */
    /* local or remote address; -ENOTCONN if there is none. */
    long (*name)(struct sock *s, bool peer, ip_addr_t *ip, uint16_t *port);
    /* level/option the protocol owns; -ENOPROTOOPT if not. */
    long (*setopt)(struct sock *s, int level, int name, const void *v,
                   socklen_t len);
    long (*getopt)(struct sock *s, int level, int name, void *v,
                   socklen_t *len);
    void (*close)(struct sock *s);
};

enum sock_state {
    SS_NEW, /* TCP: neither listening nor connected yet */
    SS_LISTEN,
    SS_CONNECTING,
    SS_CONNECTED,
    SS_CLOSED, /* TCP: the connection is over (reset, closed, failed) */
};

struct sock {
    const struct sock_proto *proto;
    int type; /* SOCK_STREAM or SOCK_DGRAM */
    enum sock_state state;
    bool nonblock;
    int err;      /* pending error for SO_ERROR and the next call (errno) */
    uint32_t seq; /* moves on every readiness change: EPOLLET */
    uint64_t rcvtimeo_ns, sndtimeo_ns; /* 0: wait forever */
    int rcvbuf, sndbuf;                /* as set; reported back */
    bool linger_abort;                 /* SO_LINGER with l_linger 0 */
    bool nodelay;                      /* TCP_NODELAY (kept for accept) */
    bool shut_rd, shut_wr;
    union {
        struct tcp_pcb *tcp;
        struct udp_pcb *udp;
    } pcb;
    /* TCP: received bytes not yet read, and whether the peer sent FIN. */
    struct rxq rx;
    bool rx_eof;
    /* TCP: lwIP had no memory for this socket's data (tcp_sock.c). */
    bool tx_blocked;
    uint32_t tx_blocked_at;
    /* TCP listeners: connections not yet accepted. */
    struct sock **backlog;
    int backlog_max, backlog_head, backlog_count;
    struct sock *listener; /* set while this socket waits to be accepted */
    /* UDP: received datagrams. */
    struct dgram *dq_head, *dq_tail;
    unsigned dq_count;
    size_t dq_bytes;
    /* Calls that may wait and are under way (socket.c's sock_hold): a
     * close by another thread meanwhile closes the connection at once,
     * marks the socket closed, and the last such call frees it. */
    unsigned holds;
    bool closed;
};

/* socket.c */
extern const ip_addr_t husk_ip_loopback; /* 127.0.0.1 */
struct sock *husk_sock_new(int type, const struct sock_proto *proto);
void husk_sock_free(struct sock *s);
/* Something changed that a poll or a wait may notice. */
static inline void husk_sock_event(struct sock *s)
{
    s->seq++;
}
/*
 * Wait (running the network) until ready(s) holds, for at most the
 * socket's timeout (SO_RCVTIMEO or SO_SNDTIMEO). Returns 0 when ready,
 * -EAGAIN when it did not get ready in time or the socket is
 * non-blocking (dontwait), -EBADF when another thread closed it
 * meanwhile (its caller must then return, touching nothing but s).
 */
long husk_sock_wait(struct sock *s, bool (*ready)(struct sock *s),
                    bool for_send, bool dontwait);
/* The errno for an lwIP error. */
int husk_sock_errno(int8_t lwip_err);
/* Bytes in an iovec, or -EINVAL. */
long husk_iov_len(const struct iovec *iov, int iovcnt);

/* tcp_sock.c, udp_sock.c */
extern const struct sock_proto husk_tcp_proto, husk_udp_proto;
long husk_tcp_open(struct sock *s);
/* After input: send the short tails that Nagle held behind full segments
 * that ACKs have just let go (tcp_sock.c). */
void husk_tcp_push_held(void);
long husk_udp_open(struct sock *s);

#endif
