/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* tcp_echo.c: a TCP echo server for many clients at once, in one thread:
 * a non-blocking poll() loop. Each connection has a fixed buffer; while
 * it is full the server stops reading that connection, so a client that
 * sends without reading is slowed down by TCP instead of growing the
 * server's memory. A client that resets or vanishes only closes its own
 * connection. */
#include <getopt.h>
#include <poll.h>

#include "netutil.h"

#define PROG "tcp_echo"
#define BUF_SIZE 16384

struct conn {
    int fd;
    int eof;    /* the client has shut down its sending side */
    size_t off; /* buf[off, len) is still to be echoed */
    size_t len;
    char buf[BUF_SIZE];
};

static void usage(void)
{
    fprintf(stderr, "usage: " PROG " [--port N] [--max-clients N]\n");
    exit(2);
}

static void close_conn(struct conn **conns, size_t i, size_t *n)
{
    close(conns[i]->fd);
    free(conns[i]);
    conns[i] = conns[--*n]; /* order does not matter */
}

/* Read what fits, write what is pending. 0 = keep, -1 = close it. */
static int serve(struct conn *c, short revents)
{
    if (revents & (POLLERR | POLLNVAL))
        return -1; /* reset: what is buffered can no longer be delivered */
    if ((revents & (POLLIN | POLLHUP)) && !c->eof && c->len < BUF_SIZE) {
        ssize_t r = recv(c->fd, c->buf + c->len, BUF_SIZE - c->len, 0);
        if (r > 0)
            c->len += (size_t)r;
        else if (r == 0)
            c->eof = 1;
        else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return -1;
    }
    if (c->off < c->len) {
        /* MSG_NOSIGNAL: a vanished client is an EPIPE, not a SIGPIPE. */
        ssize_t w = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (w > 0)
            c->off += (size_t)w;
        else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
                 errno != EINTR)
            return -1;
    }
    if (c->off == c->len) {
        c->off = c->len = 0;
    } else if (c->len == BUF_SIZE && c->off > 0) {
        memmove(c->buf, c->buf + c->off, c->len - c->off); /* room to read */
        c->len -= c->off;
        c->off = 0;
    }
    return c->eof && c->len == 0 ? -1 : 0; /* all echoed: close */
}

int main(int argc, char *argv[])
{
    unsigned port = 7;
    size_t max_clients = 1000;
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'},
        {"max-clients", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        if (o == 'p')
            port = parse_port(PROG, optarg);
        else if (o == 'm')
            max_clients =
                parse_number(PROG, "--max-clients", optarg, 1, 100000);
        else
            usage();
    }
    if (optind != argc)
        usage();

    int lfd = listen_tcp(PROG, port);
    struct conn **conns = calloc(max_clients, sizeof(*conns));
    struct pollfd *pfd = calloc(max_clients + 1, sizeof(*pfd));
    if (conns == NULL || pfd == NULL)
        fail(PROG, 0, "out of memory for %zu clients", max_clients);
    printf(PROG ": listening on port %u\n", port);
    fflush(stdout);

    size_t n = 0;
    int accepting = 1; /* 0 after EMFILE and the like, until a close */
    for (;;) {
        /* pfd[0] is the listener; pfd[1 + i] is conns[i]. */
        pfd[0] = (struct pollfd){
            .fd = lfd, .events = accepting && n < max_clients ? POLLIN : 0};
        for (size_t i = 0; i < n; i++) {
            struct conn *c = conns[i];
            short ev = 0;
            if (!c->eof && c->len < BUF_SIZE)
                ev |= POLLIN;
            if (c->off < c->len)
                ev |= POLLOUT;
            pfd[1 + i] = (struct pollfd){.fd = c->fd, .events = ev};
        }
        size_t polled = n;
        if (poll(pfd, 1 + polled, -1) < 0) {
            if (errno == EINTR)
                continue;
            fail(PROG, 1, "poll");
        }
        /* Backwards: closing i moves the last connection into slot i,
         * and that one has already been served in this round. */
        for (size_t i = polled; i-- > 0;) {
            if (pfd[1 + i].revents != 0 &&
                serve(conns[i], pfd[1 + i].revents) < 0) {
                close_conn(conns, i, &n);
                accepting = 1;
            }
        }
        while ((pfd[0].revents & POLLIN) && n < max_clients) {
            int fd = accept(lfd, NULL, NULL);
            if (fd < 0) {
                enum accept_failure f = accept_failure(errno);
                if (f == ACCEPT_FATAL)
                    fail(PROG, 1, "accept");
                accepting = f != ACCEPT_PAUSE;
                break;
            }
            struct conn *c = malloc(sizeof(*c));
            if (c == NULL || set_nonblocking(fd) < 0) {
                free(c);
                close(fd);
                continue;
            }
            c->fd = fd;
            c->eof = 0;
            c->off = c->len = 0;
            conns[n++] = c;
        }
    }
}
