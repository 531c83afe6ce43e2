/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* echo_check.c: the host side of the TCP echo tests.
 *
 * Echo mode: opens C connections (all of them before any data moves, so
 * the server must hold C at once), sends BYTES of the test stream spread
 * over them, reads the echo back at the same time (one poll() loop: a
 * large transfer cannot deadlock on full buffers), compares every byte
 * that comes back with what was sent (a lost, doubled or changed byte is
 * reported with its offset), shuts down each sending side and expects
 * the server to close after the last byte. Prints the rate in MB/s.
 *
 * Drop mode (--drop N): N connections, C at a time, each sending a part
 * of an HTTP request (or --drop-bytes of the stream) and then leaving
 * without finishing: every other one resets (SO_LINGER 0), the rest
 * close. For showing that a server keeps serving afterwards.
 *
 * Exit status 0 on success, 1 with one line saying what went wrong. */
#include <getopt.h>
#include <poll.h>

#include "tool.h"

#define PROG "echo_check"
#define CHUNK 65536

static void usage(void)
{
    fprintf(stderr,
            "usage: " PROG " --host A.B.C.D --port N [--bytes N[K|M|G]] "
            "[--connections C] [--seed S] [--timeout SECONDS]\n"
            "       " PROG
            " --host A.B.C.D --port N --drop N [--connections C] "
            "[--drop-bytes N] [--timeout SECONDS]\n");
    exit(2);
}

struct conn {
    int fd;
    uint64_t seed;
    uint64_t total, sent, rcvd;
    int shut; /* our sending side is shut down: all was sent */
    int done;
};

static struct sockaddr_in addr;
static double deadline;
static unsigned timeout_s = 60;

/* A non-blocking connect under way to the server, or exit. */
static int start_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || set_nonblocking(fd) < 0)
        fail(PROG, 1, "socket");
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 &&
        errno != EINPROGRESS)
        fail(PROG, 1, "connect");
    return fd;
}

/* The error of a connect that poll() says is over: 0 if it succeeded. */
static int connect_error(int fd)
{
    int err = 0;
    socklen_t el = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
        return errno;
    return err;
}

/* Connect all N at once; exit if one fails or the deadline passes. */
static void connect_all(struct conn *c, size_t n, struct pollfd *p)
{
    for (size_t i = 0; i < n; i++)
        c[i].fd = start_connect();
    for (size_t pending = n; pending > 0;) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!c[i].done)
                p[k++] = (struct pollfd){.fd = c[i].fd, .events = POLLOUT};
        int r = poll(p, k, ms_until(deadline));
        if (r == 0)
            fail(PROG, 0,
                 "timed out after %u s: %zu of %zu connections not "
                 "established",
                 timeout_s, pending, n);
        if (r < 0 && errno != EINTR)
            fail(PROG, 1, "poll");
        for (size_t i = 0, j = 0; i < n && r > 0; i++) {
            if (c[i].done || p[j++].revents == 0)
                continue;
            int e = connect_error(c[i].fd);
            if (e != 0) {
                errno = e;
                fail(PROG, 1, "connection %zu of %zu: connect", i + 1, n);
            }
            c[i].done = 1;
            pending--;
        }
    }
    for (size_t i = 0; i < n; i++)
        c[i].done = 0;
}

/* Send what the socket takes; shut down the sending side at the end. */
static void pump_out(struct conn *c, unsigned char *buf)
{
    while (c->sent < c->total) {
        size_t m =
            c->total - c->sent < CHUNK ? (size_t)(c->total - c->sent) : CHUNK;
        stream_bytes(c->seed, c->sent, buf, m);
        ssize_t w = send(c->fd, buf, m, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            fail(PROG, 1, "send (after %llu bytes)",
                 (unsigned long long)c->sent);
        }
        c->sent += (uint64_t)w;
    }
    if (shutdown(c->fd, SHUT_WR) < 0)
        fail(PROG, 1, "shutdown");
    c->shut = 1;
}

/* Take what has come back and compare it with what was sent. */
static void pump_in(struct conn *c, size_t index, unsigned char *buf,
                    unsigned char *want)
{
    ssize_t r = recv(c->fd, buf, CHUNK, 0);
    if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        fail(PROG, 1, "connection %zu: recv after %llu of %llu bytes", index,
             (unsigned long long)c->rcvd, (unsigned long long)c->total);
    }
    if (r == 0) {
        if (c->rcvd < c->total)
            fail(PROG, 0,
                 "connection %zu: the server closed after %llu of %llu bytes",
                 index, (unsigned long long)c->rcvd,
                 (unsigned long long)c->total);
        c->done = 1;
        return;
    }
    if (c->rcvd + (uint64_t)r > c->sent)
        fail(PROG, 0,
             "connection %zu: %llu bytes came back, only %llu were sent", index,
             (unsigned long long)(c->rcvd + (uint64_t)r),
             (unsigned long long)c->sent);
    stream_bytes(c->seed, c->rcvd, want, (size_t)r);
    if (memcmp(buf, want, (size_t)r) != 0) {
        size_t k = 0;
        while (buf[k] == want[k])
            k++;
        fail(PROG, 0,
             "connection %zu: byte %llu came back as 0x%02x, sent as 0x%02x",
             index, (unsigned long long)(c->rcvd + k), buf[k], want[k]);
    }
    c->rcvd += (uint64_t)r;
}

static int echo(uint64_t bytes, size_t n, uint64_t seed)
{
    struct conn *c = calloc(n, sizeof(*c));
    struct pollfd *p = calloc(n, sizeof(*p));
    size_t *who = calloc(n, sizeof(*who));
    unsigned char *buf = malloc(CHUNK), *want = malloc(CHUNK);
    if (c == NULL || p == NULL || who == NULL || buf == NULL || want == NULL)
        fail(PROG, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        c[i].seed = seed + ((uint64_t)i << 40); /* streams that never overlap */
        c[i].total = bytes / n + (i < bytes % n ? 1 : 0);
    }
    double t0 = now();
    connect_all(c, n, p);
    double t1 = now();
    for (size_t left = n; left > 0;) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (c[i].done)
                continue;
            short ev = POLLIN;
            if (!c[i].shut)
                ev |= POLLOUT;
            p[k] = (struct pollfd){.fd = c[i].fd, .events = ev};
            who[k++] = i;
        }
        int r = poll(p, k, ms_until(deadline));
        if (r < 0 && errno != EINTR)
            fail(PROG, 1, "poll");
        if (r == 0) {
            uint64_t got = 0;
            for (size_t i = 0; i < n; i++)
                got += c[i].rcvd;
            fail(PROG, 0,
                 "timed out after %u s: %llu of %llu bytes came back, "
                 "%zu of %zu connections unfinished",
                 timeout_s, (unsigned long long)got, (unsigned long long)bytes,
                 left, n);
        }
        for (size_t j = 0; j < k; j++) {
            struct conn *ci = &c[who[j]];
            if (p[j].revents & POLLOUT)
                pump_out(ci, buf);
            if (p[j].revents & (POLLIN | POLLHUP | POLLERR)) {
                pump_in(ci, who[j] + 1, buf, want);
                if (ci->done) {
                    close(ci->fd);
                    left--;
                }
            }
        }
    }
    double t2 = now();
    printf("echo ok: %llu bytes each way over %zu connection%s, every byte "
           "checked; %.1f MB/s (connecting took %.3f s)\n",
           (unsigned long long)bytes, n, n == 1 ? "" : "s",
           (double)bytes / 1e6 / (t2 - t1 > 1e-6 ? t2 - t1 : 1e-6), t1 - t0);
    return 0;
}

static void leave(int fd, size_t i, unsigned *resets)
{
    if (i % 2 == 0) {
        struct linger l = {.l_onoff = 1, .l_linger = 0}; /* close sends RST */
        if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) == 0)
            ++*resets;
    }
    close(fd);
}

static int drop(size_t total, size_t width, uint64_t drop_bytes)
{
    static const char req[] = "GET / HTTP/1.1\r\nHost: echo-check\r\n"
                              "User-Agent: echo_check\r\nAccept: */*\r\n";
    struct pollfd *p = calloc(width, sizeof(*p));
    size_t *idx = calloc(width, sizeof(*idx));
    unsigned char *buf = malloc(CHUNK);
    if (p == NULL || idx == NULL || buf == NULL)
        fail(PROG, 0, "out of memory");
    size_t started = 0, finished = 0, open_now = 0;
    unsigned resets = 0;
    unsigned long long bytes = 0;
    double t0 = now();
    while (finished < total) {
        while (open_now < width && started < total) {
            p[open_now] =
                (struct pollfd){.fd = start_connect(), .events = POLLOUT};
            idx[open_now++] = started++;
        }
        int r = poll(p, open_now, ms_until(deadline));
        if (r == 0)
            fail(PROG, 0,
                 "timed out after %u s: %zu of %zu connections dropped",
                 timeout_s, finished, total);
        if (r < 0 && errno != EINTR)
            fail(PROG, 1, "poll");
        for (size_t j = open_now; j-- > 0;) {
            if (p[j].revents == 0)
                continue;
            int e = connect_error(p[j].fd);
            if (e != 0) {
                errno = e;
                fail(PROG, 1, "connection %zu of %zu: connect", idx[j] + 1,
                     total);
            }
            /* Part of a request: never the whole of it. */
            size_t i = idx[j], m;
            const void *what = req;
            if (drop_bytes > 0) {
                m = drop_bytes < CHUNK ? (size_t)drop_bytes : CHUNK;
                stream_bytes(i, 0, buf, m);
                what = buf;
            } else {
                m = 1 + i % (sizeof(req) - 2);
            }
            ssize_t w = send(p[j].fd, what, m, MSG_NOSIGNAL);
            if (w > 0)
                bytes += (unsigned long long)w;
            leave(p[j].fd, i, &resets);
            p[j] = p[--open_now];
            idx[j] = idx[open_now];
            finished++;
        }
    }
    printf("dropped %zu connections (%u reset, %zu closed), %llu bytes sent, "
           "in %.3f s\n",
           total, resets, total - resets, bytes, now() - t0);
    return 0;
}

int main(int argc, char *argv[])
{
    const char *host = NULL;
    unsigned port = 0;
    uint64_t bytes = 1 << 20, seed = 1, drop_bytes = 0;
    size_t conns = 0, drops = 0;
    static const struct option opts[] = {
        {"host", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"bytes", required_argument, NULL, 'b'},
        {"connections", required_argument, NULL, 'c'},
        {"seed", required_argument, NULL, 's'},
        {"timeout", required_argument, NULL, 't'},
        {"drop", required_argument, NULL, 'd'},
        {"drop-bytes", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        if (o == 'H')
            host = optarg;
        else if (o == 'p')
            port = parse_port(PROG, optarg);
        else if (o == 'b')
            bytes = parse_size(PROG, "--bytes", optarg);
        else if (o == 'c')
            conns = parse_number(PROG, "--connections", optarg, 1, 65536);
        else if (o == 's')
            seed = parse_number(PROG, "--seed", optarg, 0, ~0ul);
        else if (o == 't')
            timeout_s =
                (unsigned)parse_number(PROG, "--timeout", optarg, 1, 86400);
        else if (o == 'd')
            drops = parse_number(PROG, "--drop", optarg, 1, 1000000);
        else if (o == 'D')
            drop_bytes = parse_size(PROG, "--drop-bytes", optarg);
        else
            usage();
    }
    if (port == 0 || optind != argc)
        usage();
    addr = parse_addr(PROG, host, port);
    deadline = now() + timeout_s;
    if (drops > 0) {
        size_t width = conns != 0 ? conns : 100;
        want_fds(PROG, width);
        return drop(drops, width < drops ? width : drops, drop_bytes);
    }
    if (conns == 0)
        conns = 1;
    want_fds(PROG, conns);
    return echo(bytes, conns, seed);
}
