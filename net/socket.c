/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * net/socket.c: the socket system calls, sockets as fds, and what every
 * protocol shares: addresses, the socket-level options, waiting. IPv4
 * only for now; AF_INET6 is refused with EAFNOSUPPORT, so that programs
 * fall back to IPv4 as they do on hosts without IPv6.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include "lwip/err.h"
#include "lwip/ip.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#include "../guest/guest.h"
#include "net.h"
#include "sock.h"

#define SEND_FLAGS \
    (MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_EOR | MSG_CONFIRM)
#define RECV_FLAGS \
    (MSG_DONTWAIT | MSG_PEEK | MSG_WAITALL | MSG_TRUNC | MSG_CMSG_CLOEXEC)

const ip_addr_t husk_ip_loopback = IPADDR4_INIT_BYTES(127, 0, 0, 1);

/* ---- sockets as fds ---- */

struct sock *husk_sock_new(int type, const struct sock_proto *proto)
{
    struct sock *s = calloc(1, sizeof(*s));
    if (s != NULL) {
        s->type = type;
        s->proto = proto;
    }
    return s;
}

void husk_sock_free(struct sock *s)
{
    free(s);
}

/*
 * A call that may wait (accept, connect, send, recv) holds its socket:
 * another thread may close the fd meanwhile. The close then ends the
 * connection at once and the waiting call returns EBADF
 * (husk_sock_wait); the socket's memory goes with the last hold.
 */
static void sock_hold(struct sock *s)
{
    s->holds++;
}

static long sock_release(struct sock *s, long rc)
{
    if (--s->holds == 0 && s->closed)
        husk_sock_free(s);
    return rc;
}

static long sock_close(void *priv)
{
    struct sock *s = priv;
    s->proto->close(s);
    if (s->holds > 0)
        s->closed = true;
    else
        husk_sock_free(s);
    return 0;
}

static long recv_iov(struct sock *s, const struct iovec *iov, int iovcnt,
                     int flags, ip_addr_t *from, uint16_t *port,
                     bool *truncated);

static long sock_read(void *priv, void *buf, size_t len)
{
    struct iovec iov = {buf, len};
    bool truncated;
    return recv_iov(priv, &iov, 1, 0, NULL, NULL, &truncated);
}

static long sock_write(void *priv, const void *buf, size_t len)
{
    struct sock *s = priv;
    struct iovec iov = {(void *)buf, len};
    sock_hold(s);
    return sock_release(s, s->proto->send(s, &iov, 1, 0, NULL, 0));
}

static long sock_fstat(void *priv, struct stat *st)
{
    (void)priv;
    st->st_mode = S_IFSOCK | 0777;
    st->st_blksize = 4096;
    return 0;
}

static long sock_ioctl(void *priv, unsigned long request, void *arg)
{
    struct sock *s = priv;
    switch (request) {
    case FIONBIO:
        s->nonblock = *(const int *)arg != 0;
        return 0;
    case FIONREAD:
        *(int *)arg = (int)s->proto->nread(s);
        return 0;
    default:
        return -ENOTTY;
    }
}

static int sock_poll(void *priv, uint32_t *seq)
{
    struct sock *s = priv;
    if (seq != NULL)
        *seq = s->seq;
    return s->proto->poll(s);
}

static void sock_set_flags(void *priv, int flags)
{
    struct sock *s = priv;
    s->nonblock = (flags & O_NONBLOCK) != 0;
}

static const struct husk_file_ops sock_file_ops = {
    .read = sock_read,
    .write = sock_write,
    .close = sock_close,
    .fstat = sock_fstat,
    .ioctl = sock_ioctl,
    .poll = sock_poll,
    .set_flags = sock_set_flags,
};

/* The socket behind fd, or NULL with *err set. */
static struct sock *sock_of(long fd, long *err)
{
    struct sock *s = husk_fd_priv((int)fd, &sock_file_ops);
    if (s == NULL)
        *err = husk_fd_is_open((int)fd) ? -ENOTSOCK : -EBADF;
    return s;
}

/* Give s an fd, read-write, with SOCK_NONBLOCK and SOCK_CLOEXEC as
 * asked (F_GETFL, F_GETFD); closes s if there is no fd free. */
static long install(struct sock *s, int flags)
{
    int fd = husk_fd_install(0, &sock_file_ops, s);
    if (fd < 0) {
        sock_close(s);
        return fd;
    }
    husk_fd_opened(fd, O_RDWR | ((flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0) |
                           ((flags & SOCK_CLOEXEC) ? O_CLOEXEC : 0));
    return fd;
}

/* ---- what the protocols share ---- */

int husk_sock_errno(int8_t e)
{
    switch (e) {
    case ERR_OK:
        return 0;
    case ERR_MEM:
    case ERR_BUF:
        return ENOBUFS;
    case ERR_TIMEOUT:
        return ETIMEDOUT;
    case ERR_RTE:
        return ENETUNREACH;
    case ERR_INPROGRESS:
        return EINPROGRESS;
    case ERR_VAL:
        return EINVAL;
    case ERR_WOULDBLOCK:
        return EWOULDBLOCK;
    case ERR_USE:
        return EADDRINUSE;
    case ERR_ALREADY:
        return EALREADY;
    case ERR_ISCONN:
        return EISCONN;
    case ERR_CONN:
        return ENOTCONN;
    case ERR_IF:
        return ENETDOWN;
    case ERR_ABRT:
        return ECONNABORTED;
    case ERR_RST:
        return ECONNRESET;
    case ERR_CLSD:
        return ENOTCONN;
    case ERR_ARG:
        return EINVAL;
    default:
        return EIO;
    }
}

long husk_iov_len(const struct iovec *iov, int iovcnt)
{
    if (iovcnt < 0 || iovcnt > 1024)
        return -EINVAL;
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len > SSIZE_MAX - total)
            return -EINVAL;
        total += iov[i].iov_len;
    }
    return (long)total;
}

long husk_sock_wait(struct sock *s, bool (*ready)(struct sock *s),
                    bool for_send, bool dontwait)
{
    if (ready(s))
        return 0;
    if (s->nonblock || dontwait) /* a loop on EAGAIN must still progress */
        return husk_net_step_if_stale() && ready(s) ? 0 : -EAGAIN;
    uint64_t timeout = for_send ? s->sndtimeo_ns : s->rcvtimeo_ns;
    uint64_t deadline =
        timeout == 0 ? UINT64_MAX : husk_monotonic_ns() + timeout;
    for (;;) {
        if (s->closed)
            return -EBADF; /* another thread closed it (sock_hold) */
        if (ready(s))
            break;
        uint64_t now = husk_monotonic_ns();
        if (now >= deadline)
            return -EAGAIN;
        husk_idle(deadline);
    }
    husk_thread_ran();
    return 0;
}

/* ---- addresses ---- */

static long addr_in(const void *addr, socklen_t len, ip_addr_t *ip,
                    uint16_t *port)
{
    if (addr == NULL || len < sizeof(sa_family_t))
        return -EINVAL;
    const struct sockaddr_in *sin = addr;
    if (sin->sin_family == AF_INET6)
        return -EAFNOSUPPORT;
    if (sin->sin_family != AF_INET)
        return -EAFNOSUPPORT;
    if (len < sizeof(*sin))
        return -EINVAL;
    ip_addr_set_ip4_u32(ip, sin->sin_addr.s_addr);
    *port = ntohs(sin->sin_port);
    return 0;
}

/* Write an address out as accept/getsockname/recvfrom do: truncated to
 * the caller's buffer, *len set to its full size. */
static long addr_out(const ip_addr_t *ip, uint16_t port, void *addr,
                     socklen_t *len)
{
    if (addr == NULL || len == NULL)
        return 0;
    if ((int)*len < 0)
        return -EINVAL;
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons(port),
        .sin_addr.s_addr = ip_addr_get_ip4_u32(ip),
    };
    memcpy(addr, &sin, *len < sizeof(sin) ? *len : sizeof(sin));
    *len = sizeof(sin);
    return 0;
}

/* ---- the calls ---- */

static long sys_socket(long domain, long type, long protocol)
{
    if (domain != AF_INET)
        return -EAFNOSUPPORT;
    int flags = (int)type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    int kind = (int)type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    struct sock *s;
    long rc;
    if (kind == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)) {
        if ((s = husk_sock_new(SOCK_STREAM, &husk_tcp_proto)) == NULL)
            return -ENOMEM;
        rc = husk_tcp_open(s);
    } else if (kind == SOCK_DGRAM &&
               (protocol == 0 || protocol == IPPROTO_UDP)) {
        if ((s = husk_sock_new(SOCK_DGRAM, &husk_udp_proto)) == NULL)
            return -ENOMEM;
        rc = husk_udp_open(s);
    } else if (kind == SOCK_STREAM || kind == SOCK_DGRAM) {
        return -EPROTONOSUPPORT;
    } else {
        return -ESOCKTNOSUPPORT; /* raw sockets and the rest */
    }
    if (rc < 0) {
        husk_sock_free(s);
        return rc;
    }
    return install(s, flags);
}

static long sys_bind(long fd, const void *addr, socklen_t len)
{
    long err;
    struct sock *s = sock_of(fd, &err);
    if (s == NULL)
        return err;
    ip_addr_t ip;
    uint16_t port;
    if ((err = addr_in(addr, len, &ip, &port)) != 0)
        return err;
    return s->proto->bind(s, &ip, port);
}

static long sys_listen(long fd, long backlog)
{
    long err;
    struct sock *s = sock_of(fd, &err);
    if (s == NULL)
        return err;
    if (s->proto->listen == NULL)
        return -EOPNOTSUPP;
    return s->proto->listen(s, (int)backlog);
}

static long sys_accept4(long fd, void *addr, socklen_t *len, long flags)
{
    long err;
    struct sock *s = sock_of(fd, &err);
    if (s == NULL)
        return err;
    if (flags & ~(long)(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    if (s->proto->accept == NULL)
        return -EOPNOTSUPP;
    if (addr != NULL && (len == NULL || (int)*len < 0))
        return -EINVAL;
    struct sock *c;
    sock_hold(s);
    if ((err = sock_release(s, s->proto->accept(s, &c))) != 0)
        return err;
    ip_addr_t ip = *IP_ADDR_ANY;
    uint16_t port = 0;
    c->proto->name(c, true, &ip, &port);
    long cfd = install(c, (int)flags);
    if (cfd >= 0)
        addr_out(&ip, port, addr, len);
    return cfd;
}

static long sys_connect(long fd, const void *addr, socklen_t len)
{
    long err;
    struct sock *s = sock_of(fd, &err);
    if (s == NULL)
        return err;
    if (addr != NULL && len >= sizeof(sa_family_t) &&
        ((const struct sockaddr *)addr)->sa_family == AF_UNSPEC)
        return s->proto->disconnect != NULL ? s->proto->disconnect(s) : 0;
    ip_addr_t ip;
    uint16_t port;
    if ((err = addr_in(addr, len, &ip, &port)) != 0)
        return err;
    sock_hold(s);
    return sock_release(s, s->proto->connect(s, &ip, port));
}

static long send_iov(struct sock *s, const struct iovec *iov, int iovcnt,
                     long flags, const void *addr, socklen_t alen)
{
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    if (flags & ~(long)SEND_FLAGS)
        return -EINVAL;
    long err = husk_iov_len(iov, iovcnt);
    if (err < 0)
        return err;
    ip_addr_t ip;
    uint16_t port = 0;
    const ip_addr_t *to = NULL;
    if (addr != NULL && s->type == SOCK_DGRAM) {
        if ((err = addr_in(addr, alen, &ip, &port)) != 0)
            return err;
        to = &ip;
    }
    sock_hold(s);
    return sock_release(s,
                        s->proto->send(s, iov, iovcnt, (int)flags, to, port));
}

static long recv_iov(struct sock *s, const struct iovec *iov, int iovcnt,
                     int flags, ip_addr_t *from, uint16_t *port,
                     bool *truncated)
{
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    if (flags & ~RECV_FLAGS)
        return -EINVAL;
    long err = husk_iov_len(iov, iovcnt);
    if (err < 0)
        return err;
    *truncated = false;
    sock_hold(s);
    return sock_release(
        s, s->proto->recv(s, iov, iovcnt, flags, from, port, truncated));
}

static long sys_sendto(long fd, const void *buf, size_t len, long flags,
                       const void *addr, socklen_t alen)
{
    long err;
    struct sock *s = sock_of(fd, &err);
    if (s == NULL)
        return err;
    struct iovec iov = {(void *)buf, len};
    return send_iov(s, &iov, 1, flags, addr, alen);
}

static long sys_recvfrom(long fd, void *buf, size_t len, long flags, void *addr,
                         socklen_t *alen)
{
    long err;
    struct sock *s = sock_of(fd, &err);
    if (s == NULL)
        return err;
    struct iovec iov = {buf, len};
    ip_addr_t ip = *IP_ADDR_ANY;
    uint16_t port = 0;
    bool truncated;
    long n = recv_iov(s, &iov, 1, (int)flags, &ip, &port, &truncated);
    if (n >= 0 && s->type == SOCK_DGRAM)
        addr_out(&ip, port, addr, alen);
    else if (n >= 0 && alen != NULL)
        *alen = 0; /* a stream reports no address, as Linux */
    return n;
}

static long sys_sendmsg(long fd, const struct msghdr *m, long flags)
{
    long err;
    struct sock *s = sock_of(fd, &err);
    if (s == NULL)
        return err;
    return send_iov(s, m->msg_iov, (int)m->msg_iovlen, flags, m->msg_name,
                    m->msg_namelen);
}

static long sys_recvmsg(long fd, struct msghdr *m, long flags)
{
    long err;
    struct sock *s = sock_of(fd, &err);
    if (s == NULL)
        return err;
    ip_addr_t ip = *IP_ADDR_ANY;
    uint16_t port = 0;
    bool truncated;
    long n = recv_iov(s, m->msg_iov, (int)m->msg_iovlen, (int)flags, &ip, &port,
                      &truncated);
    if (n < 0)
        return n;
    if (m->msg_name != NULL && s->type == SOCK_DGRAM)
        addr_out(&ip, port, m->msg_name, &m->msg_namelen);
    else
        m->msg_namelen = 0;
    m->msg_controllen = 0; /* no ancillary data */
    m->msg_flags = truncated ? MSG_TRUNC : 0;
    return n;
}

static long sys_shutdown(long fd, long how)
{
    long err;
    struct sock *s = sock_of(fd, &err);
    if (s == NULL)
        return err;
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return -EINVAL;
    return s->proto->shutdown(s, how != SHUT_WR, how != SHUT_RD);
}

static long sys_name(long fd, void *addr, socklen_t *len, bool peer)
{
    long err;
    struct sock *s = sock_of(fd, &err);
    if (s == NULL)
        return err;
    if (len == NULL || (int)*len < 0)
        return -EINVAL;
    ip_addr_t ip = *IP_ADDR_ANY;
    uint16_t port = 0;
    if ((err = s->proto->name(s, peer, &ip, &port)) != 0)
        return err;
    return addr_out(&ip, port, addr, len);
}

/* ---- options ---- */

/* The IP-level part of a pcb: both kinds start with it. */
static struct ip_pcb *ip_pcb_of(struct sock *s)
{
    return s->type == SOCK_STREAM ? (struct ip_pcb *)(void *)s->pcb.tcp
                                  : (struct ip_pcb *)(void *)s->pcb.udp;
}

static long int_opt(const void *v, socklen_t len, int *out)
{
    if (v == NULL || len < sizeof(int))
        return -EINVAL;
    memcpy(out, v, sizeof(int));
    return 0;
}

static long timeo_opt(const void *v, socklen_t len, uint64_t *ns)
{
    struct timeval tv;
    if (v == NULL || len < sizeof(tv))
        return -EINVAL;
    memcpy(&tv, v, sizeof(tv));
    if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
        return -EDOM;
    *ns = (uint64_t)tv.tv_sec * 1000000000ULL + (uint64_t)tv.tv_usec * 1000;
    return 0;
}

static void set_so_option(struct sock *s, uint8_t flag, bool on)
{
    struct ip_pcb *pcb = ip_pcb_of(s);
    if (pcb == NULL)
        return; /* the connection is gone; nothing to apply it to */
    if (on)
        pcb->so_options |= flag;
    else
        pcb->so_options &= (uint8_t)~flag;
}

static long sol_socket_set(struct sock *s, int name, const void *v,
                           socklen_t len)
{
    int i = 0;
    long err = 0;
    switch (name) {
    case SO_RCVTIMEO:
        return timeo_opt(v, len, &s->rcvtimeo_ns);
    case SO_SNDTIMEO:
        return timeo_opt(v, len, &s->sndtimeo_ns);
    case SO_LINGER: {
        struct linger l;
        if (v == NULL || len < sizeof(l))
            return -EINVAL;
        memcpy(&l, v, sizeof(l));
        s->linger_abort = l.l_onoff && l.l_linger == 0;
        return 0;
    }
    default:
        break;
    }
    if ((err = int_opt(v, len, &i)) != 0)
        return err;
    switch (name) {
    case SO_REUSEADDR:
        set_so_option(s, SOF_REUSEADDR, i != 0);
        return 0;
    case SO_KEEPALIVE:
        set_so_option(s, SOF_KEEPALIVE, i != 0);
        return 0;
    case SO_BROADCAST:
        set_so_option(s, SOF_BROADCAST, i != 0);
        return 0;
    case SO_RCVBUF:
        s->rcvbuf = i; /* lwIP's windows are fixed; reported back */
        return 0;
    case SO_SNDBUF:
        s->sndbuf = i;
        return 0;
    case SO_REUSEPORT: /* one process: nothing else can share the port */
    case SO_RCVLOWAT:
    case SO_SNDLOWAT:
    case SO_OOBINLINE:
    case SO_PRIORITY:
        return 0;
    default:
        return -ENOPROTOOPT;
    }
}

static long put_int(void *v, socklen_t *len, int value)
{
    if (v == NULL || len == NULL || (int)*len < 0)
        return -EINVAL;
    socklen_t n = *len < sizeof(int) ? *len : sizeof(int);
    memcpy(v, &value, n);
    *len = n;
    return 0;
}

static long put_timeo(void *v, socklen_t *len, uint64_t ns)
{
    struct timeval tv = {(time_t)(ns / 1000000000ULL),
                         (suseconds_t)(ns % 1000000000ULL / 1000)};
    if (v == NULL || len == NULL || *len < sizeof(tv))
        return -EINVAL;
    memcpy(v, &tv, sizeof(tv));
    *len = sizeof(tv);
    return 0;
}

static long sol_socket_get(struct sock *s, int name, void *v, socklen_t *len)
{
    struct ip_pcb *pcb = ip_pcb_of(s);
    uint8_t so = pcb != NULL ? pcb->so_options : 0;
    switch (name) {
    case SO_TYPE:
        return put_int(v, len, s->type);
    case SO_DOMAIN:
        return put_int(v, len, AF_INET);
    case SO_PROTOCOL:
        return put_int(v, len,
                       s->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
    case SO_ERROR: {
        int e = s->err;
        s->err = 0;
        return put_int(v, len, e);
    }
    case SO_ACCEPTCONN:
        return put_int(v, len, s->state == SS_LISTEN);
    case SO_REUSEADDR:
        return put_int(v, len, (so & SOF_REUSEADDR) != 0);
    case SO_KEEPALIVE:
        return put_int(v, len, (so & SOF_KEEPALIVE) != 0);
    case SO_BROADCAST:
        return put_int(v, len, (so & SOF_BROADCAST) != 0);
    case SO_RCVBUF:
        return put_int(v, len, s->rcvbuf ? s->rcvbuf : TCP_WND);
    case SO_SNDBUF:
        return put_int(v, len, s->sndbuf ? s->sndbuf : TCP_SND_BUF);
    case SO_RCVTIMEO:
        return put_timeo(v, len, s->rcvtimeo_ns);
    case SO_SNDTIMEO:
        return put_timeo(v, len, s->sndtimeo_ns);
    case SO_LINGER: {
        struct linger l = {s->linger_abort, 0};
        if (v == NULL || len == NULL || *len < sizeof(l))
            return -EINVAL;
        memcpy(v, &l, sizeof(l));
        *len = sizeof(l);
        return 0;
    }
    default:
        return -ENOPROTOOPT;
    }
}

static long sol_ip(struct sock *s, int name, const void *in, socklen_t inlen,
                   void *out, socklen_t *outlen)
{
    struct ip_pcb *pcb = ip_pcb_of(s);
    int i;
    long err;
    if (name != IP_TOS && name != IP_TTL)
        return -ENOPROTOOPT;
    if (out != NULL) {
        int value = pcb == NULL ? 0 : name == IP_TOS ? pcb->tos : pcb->ttl;
        return put_int(out, outlen, value);
    }
    if ((err = int_opt(in, inlen, &i)) != 0)
        return err;
    if (i < 0 || i > 255)
        return -EINVAL;
    if (pcb != NULL && name == IP_TOS)
        pcb->tos = (uint8_t)i;
    else if (pcb != NULL)
        pcb->ttl = (uint8_t)(i == 0 ? IP_DEFAULT_TTL : i);
    return 0;
}

static long sys_setsockopt(long fd, long level, long name, const void *v,
                           socklen_t len)
{
    long err;
    struct sock *s = sock_of(fd, &err);
    if (s == NULL)
        return err;
    if (level == SOL_SOCKET)
        return sol_socket_set(s, (int)name, v, len);
    if (level == IPPROTO_IP)
        return sol_ip(s, (int)name, v, len, NULL, NULL);
    return s->proto->setopt(s, (int)level, (int)name, v, len);
}

static long sys_getsockopt(long fd, long level, long name, void *v,
                           socklen_t *len)
{
    long err;
    struct sock *s = sock_of(fd, &err);
    if (s == NULL)
        return err;
    if (len == NULL)
        return -EFAULT;
    if (level == SOL_SOCKET)
        return sol_socket_get(s, (int)name, v, len);
    if (level == IPPROTO_IP)
        return sol_ip(s, (int)name, NULL, 0, v, len);
    return s->proto->getopt(s, (int)level, (int)name, v, len);
}

long husk_net_syscall(long n, long a1, long a2, long a3, long a4, long a5,
                      long a6)
{
    (void)a6;
    switch (n) {
    case SYS_socket:
        return sys_socket(a1, a2, a3);
    case SYS_socketpair:
        return -EOPNOTSUPP; /* no AF_UNIX */
    case SYS_bind:
        return sys_bind(a1, (const void *)a2, (socklen_t)a3);
    case SYS_listen:
        return sys_listen(a1, a2);
    case SYS_accept:
        return sys_accept4(a1, (void *)a2, (socklen_t *)a3, 0);
    case SYS_accept4:
        return sys_accept4(a1, (void *)a2, (socklen_t *)a3, a4);
    case SYS_connect:
        return sys_connect(a1, (const void *)a2, (socklen_t)a3);
    case SYS_sendto:
        return sys_sendto(a1, (const void *)a2, (size_t)a3, a4,
                          (const void *)a5, (socklen_t)a6);
    case SYS_recvfrom:
        return sys_recvfrom(a1, (void *)a2, (size_t)a3, a4, (void *)a5,
                            (socklen_t *)a6);
    case SYS_sendmsg:
        return sys_sendmsg(a1, (const void *)a2, a3);
    case SYS_recvmsg:
        return sys_recvmsg(a1, (void *)a2, a3);
    case SYS_shutdown:
        return sys_shutdown(a1, a2);
    case SYS_getsockname:
        return sys_name(a1, (void *)a2, (socklen_t *)a3, false);
    case SYS_getpeername:
        return sys_name(a1, (void *)a2, (socklen_t *)a3, true);
    case SYS_setsockopt:
        return sys_setsockopt(a1, a2, a3, (const void *)a4, (socklen_t)a5);
    case SYS_getsockopt:
        return sys_getsockopt(a1, a2, a3, (void *)a4, (socklen_t *)a5);
    default:
        return -ENOSYS;
    }
}
