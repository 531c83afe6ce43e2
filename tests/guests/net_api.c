/* net_api.c: the sockets layer's semantics, checked inside one guest over
 * its own addresses (loopback and the device's), the way Linux behaves.
 * Prints "ok NAME" per check and "net_api: N failed" at the end; exits 1
 * if any failed. Needs a network device (any tap: nothing leaves). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static int failed;

#define CHECK(name, cond)                                                   \
    do {                                                                    \
        if (cond)                                                           \
            printf("ok %s\n", name);                                        \
        else {                                                              \
            printf("FAILED %s: %s (errno %d %s) at line %d\n", name, #cond, \
                   errno, strerror(errno), __LINE__);                       \
            failed++;                                                       \
        }                                                                   \
    } while (0)

static struct sockaddr_in addr(const char *ip, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static int listener(const char *ip, int port, int backlog)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = addr(ip, port);
    if (bind(l, (void *)&a, sizeof(a)) != 0 || listen(l, backlog) != 0)
        return -1;
    return l;
}

static int connect_to(const char *ip, int port)
{
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = addr(ip, port);
    return connect(c, (void *)&a, sizeof(a)) == 0 ? c : -1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void errors(void)
{
    errno = 0;
    CHECK("inet6_refused",
          socket(AF_INET6, SOCK_STREAM, 0) == -1 && errno == EAFNOSUPPORT);
    CHECK("unix_refused",
          socket(AF_UNIX, SOCK_STREAM, 0) == -1 && errno == EAFNOSUPPORT);
    CHECK("raw_refused",
          socket(AF_INET, SOCK_RAW, 1) == -1 && errno == ESOCKTNOSUPPORT);
    CHECK("bad_proto", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP) == -1 &&
                           errno == EPROTONOSUPPORT);
    char b[4];
    CHECK("notsock", recv(1, b, 4, 0) == -1 && errno == ENOTSOCK);
    CHECK("badf", send(999, b, 4, 0) == -1 && errno == EBADF);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK("send_unconnected", send(s, b, 4, 0) == -1 && errno == ENOTCONN);
    CHECK("recv_unconnected", recv(s, b, 4, 0) == -1 && errno == ENOTCONN);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
    CHECK("bind_inet6",
          bind(s, (void *)&a6, sizeof(a6)) == -1 && errno == EAFNOSUPPORT);
    struct sockaddr_in a = addr("127.0.0.1", 9);
    CHECK("bind_short", bind(s, (void *)&a, 4) == -1 && errno == EINVAL);
    CHECK("accept_not_listening",
          accept(s, NULL, NULL) == -1 && errno == EINVAL);
    struct stat st;
    CHECK("fstat_socket", fstat(s, &st) == 0 && S_ISSOCK(st.st_mode));
    int type = 0;
    socklen_t len = sizeof(type);
    CHECK("so_type", getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
                         type == SOCK_STREAM);
    CHECK("unknown_opt",
          setsockopt(s, SOL_SOCKET, 12345, &type, sizeof(type)) == -1 &&
              errno == ENOPROTOOPT);
    close(s);
}

static void tcp_basics(void)
{
    int l = listener("0.0.0.0", 5001, 8);
    CHECK("listen", l >= 0);
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    CHECK("getsockname_listener",
          getsockname(l, (void *)&a, &len) == 0 && ntohs(a.sin_port) == 5001);
    int busy = socket(AF_INET, SOCK_STREAM, 0);
    a = addr("0.0.0.0", 5001);
    CHECK("addr_in_use",
          bind(busy, (void *)&a, sizeof(a)) == -1 && errno == EADDRINUSE);
    close(busy);

    int c = connect_to("127.0.0.1", 5001);
    CHECK("connect_loopback", c >= 0);
    struct sockaddr_in peer;
    len = sizeof(peer);
    int s = accept4(l, (void *)&peer, &len, SOCK_NONBLOCK);
    CHECK("accept4", s >= 0 && len == sizeof(peer) &&
                         peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    CHECK("accept4_nonblock", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
    CHECK("accept4_rdwr", (fcntl(s, F_GETFL) & O_ACCMODE) == O_RDWR);
    CHECK("accept4_no_cloexec", fcntl(s, F_GETFD) == 0);
    int ce = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    CHECK("socket_cloexec", fcntl(ce, F_GETFD) == FD_CLOEXEC &&
                                (fcntl(ce, F_GETFL) & O_NONBLOCK) == 0);
    close(ce);
    struct sockaddr_in mine;
    len = sizeof(mine);
    getsockname(c, (void *)&mine, &len);
    CHECK("peer_is_client", peer.sin_port == mine.sin_port);
    char b[64];
    CHECK("eagain", recv(s, b, sizeof(b), 0) == -1 && errno == EAGAIN);
    CHECK("send", send(c, "hello", 5, 0) == 5);
    struct pollfd p = {s, POLLIN, 0};
    CHECK("poll_in", poll(&p, 1, 1000) == 1 && (p.revents & POLLIN));
    int avail = 0;
    CHECK("fionread", ioctl(s, FIONREAD, &avail) == 0 && avail == 5);
    CHECK("peek", recv(s, b, 3, MSG_PEEK) == 3 && memcmp(b, "hel", 3) == 0);
    CHECK("recv", recv(s, b, sizeof(b), 0) == 5 && memcmp(b, "hello", 5) == 0);
    /* writev, then readv across two buffers */
    struct iovec out[2] = {{"ab", 2}, {"cdef", 4}};
    CHECK("writev", writev(c, out, 2) == 6);
    char x[3], y[3];
    struct iovec in[2] = {{x, 3}, {y, 3}};
    CHECK("waitall_readv", poll(&p, 1, 1000) == 1 && readv(s, in, 2) == 6 &&
                               memcmp(x, "abc", 3) == 0 &&
                               memcmp(y, "def", 3) == 0);
    /* shutdown: the peer reads EOF, then can still send back */
    CHECK("shutdown_wr", shutdown(c, SHUT_WR) == 0);
    fcntl(s, F_SETFL, 0); /* blocking from here */
    CHECK("eof_after_shutdown", recv(s, b, sizeof(b), 0) == 0);
    CHECK("half_open_send", send(s, "bye", 3, 0) == 3);
    CHECK("half_open_recv", recv(c, b, sizeof(b), 0) == 3);
    CHECK("send_after_shutdown",
          send(c, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE);
    close(s);
    CHECK("eof_after_close", recv(c, b, sizeof(b), 0) == 0);
    close(c);
    close(l);
}

static void tcp_refused_and_reset(void)
{
    /* Nobody listens on 5999: a blocking connect is refused. */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = addr("127.0.0.1", 5999);
    CHECK("refused",
          connect(c, (void *)&a, sizeof(a)) == -1 && errno == ECONNREFUSED);
    close(c);
    /* Non-blocking: EINPROGRESS, then POLLOUT and SO_ERROR. */
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK("connect_inprogress",
          connect(c, (void *)&a, sizeof(a)) == -1 && errno == EINPROGRESS);
    struct pollfd p = {c, POLLOUT, 0};
    poll(&p, 1, 2000);
    int err = 0;
    socklen_t len = sizeof(err);
    CHECK("so_error_refused",
          getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
              err == ECONNREFUSED);
    close(c);
    /* Non-blocking connect that succeeds. */
    int l = listener("127.0.0.1", 5002, 4);
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    a = addr("127.0.0.1", 5002);
    connect(c, (void *)&a, sizeof(a));
    p = (struct pollfd){c, POLLOUT, 0};
    CHECK("connect_completes",
          poll(&p, 1, 2000) == 1 && (p.revents & POLLOUT) &&
              getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0);
    /* A peer that closes with unread data resets: ECONNRESET. */
    int s = accept(l, NULL, NULL);
    fcntl(c, F_SETFL, 0);
    send(s, "zz", 2, 0);
    send(c, "unread", 6, 0);
    struct pollfd ps = {s, POLLIN, 0};
    poll(&ps, 1, 1000);
    close(s); /* "unread" was never read: RST */
    char b[8];
    recv(c, b, 2, 0); /* the data sent before the reset still arrives */
    struct pollfd pc = {c, POLLIN, 0};
    poll(&pc, 1, 1000);
    errno = 0;
    long n = recv(c, b, sizeof(b), 0);
    CHECK("reset", n == -1 && errno == ECONNRESET);
    CHECK("after_reset_eof", recv(c, b, sizeof(b), 0) == 0);
    close(c);
    close(l);
}

static void udp(void)
{
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = addr("127.0.0.1", 5003);
    CHECK("udp_bind", bind(u, (void *)&a, sizeof(a)) == 0);
    int v = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK("udp_sendto",
          sendto(v, "datagram", 8, 0, (void *)&a, sizeof(a)) == 8);
    CHECK("udp_sendto2", sendto(v, "two", 3, 0, (void *)&a, sizeof(a)) == 3);
    char b[16];
    struct sockaddr_in from;
    socklen_t len = sizeof(from);
    /* Truncation: the rest of the datagram is gone; MSG_TRUNC says how
     * long it was. */
    CHECK("udp_trunc", recvfrom(u, b, 4, MSG_TRUNC, (void *)&from, &len) == 8 &&
                           memcmp(b, "data", 4) == 0);
    struct sockaddr_in vs;
    socklen_t vl = sizeof(vs);
    getsockname(v, (void *)&vs, &vl);
    CHECK("udp_from", from.sin_port == vs.sin_port && ntohs(vs.sin_port) != 0);
    CHECK("udp_boundaries", recv(u, b, sizeof(b), 0) == 3);
    CHECK("udp_eagain",
          recv(u, b, sizeof(b), MSG_DONTWAIT) == -1 && errno == EAGAIN);
    /* connect, send, and recvmsg with MSG_TRUNC in msg_flags */
    CHECK("udp_connect", connect(v, (void *)&a, sizeof(a)) == 0);
    CHECK("udp_send", send(v, "0123456789", 10, 0) == 10);
    struct iovec iov = {b, 5};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    CHECK("udp_recvmsg", recvmsg(u, &m, 0) == 5 && (m.msg_flags & MSG_TRUNC));
    CHECK("udp_too_big", send(v, b, 70000, 0) == -1 && errno == EMSGSIZE);
    close(u);
    close(v);
}

static void event_apis(void)
{
    int l = listener("127.0.0.1", 5004, 4);
    int c = connect_to("127.0.0.1", 5004);
    int s = accept(l, NULL, NULL);
    /* select: writable at once, readable after data, with a timeout */
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(s, &r);
    FD_SET(s, &w);
    struct timeval tv = {1, 0};
    CHECK("select_writable", select(s + 1, &r, &w, NULL, &tv) == 1 &&
                                 FD_ISSET(s, &w) && !FD_ISSET(s, &r));
    FD_ZERO(&r);
    FD_SET(s, &r);
    tv = (struct timeval){0, 100000};
    double t0 = now();
    CHECK("select_timeout",
          select(s + 1, &r, NULL, NULL, &tv) == 0 && now() - t0 >= 0.09);
    /* epoll, level-triggered: reported while unread */
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 42};
    CHECK("epoll_add", epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) == 0);
    CHECK("epoll_exists",
          epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) == -1 && errno == EEXIST);
    struct epoll_event out[4];
    CHECK("epoll_timeout", epoll_wait(ep, out, 4, 50) == 0);
    send(c, "ping", 4, 0);
    CHECK("epoll_level", epoll_wait(ep, out, 4, 1000) == 1 &&
                             out[0].data.u64 == 42 &&
                             (out[0].events & EPOLLIN));
    CHECK("epoll_level_again", epoll_wait(ep, out, 4, 0) == 1);
    /* edge-triggered: once per arrival */
    ev.events = EPOLLIN | EPOLLET;
    CHECK("epoll_mod", epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev) == 0);
    CHECK("epoll_edge_first", epoll_wait(ep, out, 4, 0) == 1);
    CHECK("epoll_edge_quiet", epoll_wait(ep, out, 4, 0) == 0);
    send(c, "more", 4, 0);
    CHECK("epoll_edge_new_data", epoll_wait(ep, out, 4, 1000) == 1);
    /* oneshot: disarmed after one report until MOD */
    ev.events = EPOLLIN | EPOLLONESHOT;
    epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev);
    CHECK("epoll_oneshot",
          epoll_wait(ep, out, 4, 0) == 1 && epoll_wait(ep, out, 4, 0) == 0);
    /* a closed fd leaves the set, even when the number is reused */
    char b[16];
    recv(s, b, sizeof(b), 0);
    close(s);
    int again = socket(AF_INET, SOCK_DGRAM, 0); /* likely the same number */
    CHECK("epoll_closed_fd_gone", epoll_wait(ep, out, 4, 0) == 0);
    CHECK("epoll_del_gone",
          epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL) == -1 && errno == ENOENT);
    close(again);
    /* poll reports POLLHUP/POLLIN when the peer goes */
    int s2 = -1;
    int c2 = connect_to("127.0.0.1", 5004);
    s2 = accept(l, NULL, NULL);
    close(c2);
    struct pollfd p = {s2, POLLIN | POLLRDHUP, 0};
    CHECK("poll_rdhup", poll(&p, 1, 1000) == 1 && (p.revents & POLLRDHUP));
    close(s2);
    close(ep);
    close(c);
    close(l);
}

static void own_address_and_backlog(const char *own)
{
    /* The device's own address works without the tap (lwIP loops it). */
    int l = listener(own, 5005, 2);
    int c = connect_to(own, 5005);
    CHECK("own_address", l >= 0 && c >= 0);
    int s = accept(l, NULL, NULL);
    close(s);
    close(c);
    /* Connections beyond the backlog wait (their SYNs are ignored) until
     * accept makes room. */
    int cs[4];
    for (int i = 0; i < 4; i++) {
        cs[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        struct sockaddr_in a = addr(own, 5005);
        connect(cs[i], (void *)&a, sizeof(a));
    }
    int accepted = 0;
    fcntl(l, F_SETFL, O_NONBLOCK);
    double t0 = now();
    while (accepted < 4 && now() - t0 < 10) {
        struct pollfd p = {l, POLLIN, 0};
        poll(&p, 1, 200);
        int a = accept(l, NULL, NULL);
        if (a >= 0) {
            accepted++;
            close(a);
        }
    }
    CHECK("backlog_drains", accepted == 4);
    for (int i = 0; i < 4; i++)
        close(cs[i]);
    close(l);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    errors();
    tcp_basics();
    tcp_refused_and_reset();
    udp();
    event_apis();
    own_address_and_backlog(argc > 1 ? argv[1] : "10.0.0.2");
    printf("net_api: %d failed\n", failed);
    return failed != 0;
}
