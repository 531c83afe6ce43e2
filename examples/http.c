/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* http.c: an HTTP/1.1 server that serves one fixed body, for benchmarks
 * (wrk) and tests. One thread, epoll (level-triggered), keep-alive,
 * pipelining: requests are answered one at a time, in order, and the
 * next one is parsed only when the previous answer is sent, so each
 * connection holds one request buffer and no queue. Every answer is
 * prepared at start-up: a request costs a parse and a send, and no
 * allocation.
 *
 *   GET or HEAD /   200 with the body: the lines "1", "2", "3", ... cut
 *                   to --body-size bytes (seq 1 N | head -c N makes it)
 *   another path    404
 *   anything else   400, and the connection is closed
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <getopt.h>
#include <stddef.h>
#include <strings.h>
#include <sys/epoll.h>

#include "netutil.h"

#define PROG "http"
#define REQ_MAX 8192 /* a longer request head is refused (400) */
#define MAX_EVENTS 64

/* A prepared answer: bytes [0, len) are sent; head is the header part,
 * all that HEAD sends. */
struct answer {
    const char *bytes;
    size_t len, head;
    int close; /* close the connection once it is sent */
};

enum { OK_KEEP, OK_CLOSE, NOT_FOUND_KEEP, NOT_FOUND_CLOSE, BAD, N_ANSWERS };
static struct answer answers[N_ANSWERS];

#define DRAIN_MAX 65536 /* bytes read and dropped after our FIN, at most */

struct conn {
    int fd;
    int eof;      /* the client sent FIN: answer what came, then close */
    int writing;  /* registered for EPOLLOUT instead of EPOLLIN */
    int draining; /* answered and shut down: reading until the client closes */
    size_t drained;
    const char *out; /* the answer being sent, or NULL */
    size_t out_off, out_len;
    int close_after;
    size_t in_len;
    char in[REQ_MAX];
};

static int epfd, lfd;
static size_t n_conns, max_conns = 1000;
static unsigned long served, max_requests; /* 0: no limit */
static int accepting = 1;

static void usage(void)
{
    fprintf(stderr,
            "usage: " PROG " [--port N] [--body-size BYTES] [--requests N] "
            "[--max-clients N]\n");
    exit(2);
}

/* The header, then (for 200) the body, in one buffer: one send. */
static struct answer make_answer(const char *status, const char *body,
                                 size_t body_len, int close)
{
    char head[256];
    int h = snprintf(head, sizeof(head),
                     "HTTP/1.1 %s\r\nContent-Type: text/plain\r\n"
                     "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
                     status, body_len, close ? "close" : "keep-alive");
    char *b = malloc((size_t)h + body_len);
    if (b == NULL)
        fail(PROG, 0, "out of memory for a %zu-byte body", body_len);
    memcpy(b, head, (size_t)h);
    memcpy(b + h, body, body_len);
    return (struct answer){b, (size_t)h + body_len, (size_t)h, close};
}

static void prepare_answers(size_t body_size)
{
    char *body = malloc(body_size + 24);
    if (body == NULL)
        fail(PROG, 0, "out of memory for a %zu-byte body", body_size);
    for (size_t len = 0, i = 1; len < body_size; i++)
        len += (size_t)snprintf(body + len, 24, "%zu\n", i);
    static const char nf[] = "not found\n", bad[] = "bad request\n";
    answers[OK_KEEP] = make_answer("200 OK", body, body_size, 0);
    answers[OK_CLOSE] = make_answer("200 OK", body, body_size, 1);
    answers[NOT_FOUND_KEEP] =
        make_answer("404 Not Found", nf, sizeof(nf) - 1, 0);
    answers[NOT_FOUND_CLOSE] =
        make_answer("404 Not Found", nf, sizeof(nf) - 1, 1);
    answers[BAD] = make_answer("400 Bad Request", bad, sizeof(bad) - 1, 1);
    free(body);
}

/* Does the comma-separated header value [v, end) contain TOKEN? */
static int has_token(const char *v, const char *end, const char *token)
{
    size_t tl = strlen(token);
    while (v < end) {
        while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
            v++;
        const char *t = v;
        while (v < end && *v != ',' && *v != ' ' && *v != '\t')
            v++;
        if ((size_t)(v - t) == tl && strncasecmp(t, token, tl) == 0)
            return 1;
    }
    return 0;
}

/* Parse the request head in [req, req + len) (it ends with CRLF CRLF):
 * returns the answer and whether only its head is sent. */
static const struct answer *parse(const char *req, size_t len, int *head_only)
{
    const char *end = req + len - 2; /* the last header line's CRLF */
    const char *sp1 = memchr(req, ' ', len);
    const char *eol = memchr(req, '\r', len);
    if (sp1 == NULL || eol == NULL || sp1 > eol || eol[1] != '\n')
        return &answers[BAD];
    const char *target = sp1 + 1;
    const char *sp2 = memchr(target, ' ', (size_t)(eol - target));
    if (sp2 == NULL || *target != '/' || eol - sp2 != 9 ||
        strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || (sp2[8] != '0' && sp2[8] != '1'))
        return &answers[BAD];
    int get = sp1 - req == 3 && memcmp(req, "GET", 3) == 0;
    *head_only = sp1 - req == 4 && memcmp(req, "HEAD", 4) == 0;
    if (!get && !*head_only)
        return &answers[BAD]; /* a body we would not read follows, maybe */
    int keep = sp2[8] == '1'; /* HTTP/1.1 keeps the connection by default */

    for (const char *line = eol + 2; line < end;) {
        const char *le = memchr(line, '\r', (size_t)(end - line) + 1);
        const char *colon = memchr(line, ':', (size_t)(le - line));
        if (le[1] != '\n' || colon == NULL || colon == line)
            return &answers[BAD];
        size_t nl = (size_t)(colon - line);
        if (nl == 10 && strncasecmp(line, "connection", 10) == 0) {
            if (has_token(colon + 1, le, "close"))
                keep = 0;
            else if (has_token(colon + 1, le, "keep-alive"))
                keep = 1;
        } else if ((nl == 14 && strncasecmp(line, "content-length", 14) == 0 &&
                    !has_token(colon + 1, le, "0")) ||
                   (nl == 17 &&
                    strncasecmp(line, "transfer-encoding", 17) == 0)) {
            return &answers[BAD]; /* GET with a body: refused */
        }
        line = le + 2;
    }
    int root = sp2 - target == 1 || target[1] == '?';
    if (root)
        return &answers[keep ? OK_KEEP : OK_CLOSE];
    return &answers[keep ? NOT_FOUND_KEEP : NOT_FOUND_CLOSE];
}

static void watch(struct conn *c, int writing)
{
    if (c->writing == writing)
        return;
    struct epoll_event ev = {.events = writing ? EPOLLOUT : EPOLLIN,
                             .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        fail(PROG, 1, "epoll_ctl");
    c->writing = writing;
}

static void close_conn(struct conn *c)
{
    close(c->fd); /* also takes it out of the epoll set */
    free(c);
    n_conns--;
    if (!accepting) { /* room again after EMFILE and the like */
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
        if (epoll_ctl(epfd, EPOLL_CTL_MOD, lfd, &ev) == 0)
            accepting = 1;
    }
}

/* Send the pending answer. 1 = all sent, 0 = the socket is full,
 * -1 = the connection is broken. */
static int flush(struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                         MSG_NOSIGNAL);
        if (w < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
                       ? 0
                       : -1;
        c->out_off += (size_t)w;
    }
    c->out = NULL;
    if (max_requests != 0 && ++served >= max_requests) {
        printf(PROG ": served %lu requests\n", served);
        exit(0);
    }
    return 1;
}

/* After the last answer: send FIN, but read on until the client closes.
 * Closing with unread requests in the socket would send a reset, and a
 * reset can overtake the answer and destroy it at the client. */
static int linger(struct conn *c)
{
    if (c->eof)
        return -1; /* the client is done sending: nothing can be unread */
    shutdown(c->fd, SHUT_WR);
    c->draining = 1;
    watch(c, 0);
    return 0;
}

/* Answer every complete request in the buffer, in order, as far as the
 * socket takes them. Returns -1 when the connection is to be closed. */
static int serve(struct conn *c)
{
    for (;;) {
        if (c->out != NULL) {
            int r = flush(c);
            if (r < 0)
                return -1;
            if (r == 0) {
                watch(c, 1);
                return 0;
            }
            if (c->close_after)
                return linger(c);
        }
        char *e =
            c->in_len >= 4 ? memmem(c->in, c->in_len, "\r\n\r\n", 4) : NULL;
        if (e == NULL) {
            if (c->in_len == REQ_MAX) { /* a head too long to be one */
                c->in_len = 0;
                c->out = answers[BAD].bytes;
                c->out_off = 0;
                c->out_len = answers[BAD].len;
                c->close_after = 1;
                continue;
            }
            if (c->eof)
                return -1; /* nothing complete is left to answer */
            watch(c, 0);
            return 0;
        }
        size_t len = (size_t)(e - c->in) + 4;
        int head_only = 0;
        const struct answer *a = parse(c->in, len, &head_only);
        c->out = a->bytes;
        c->out_off = 0;
        c->out_len = head_only ? a->head : a->len;
        c->close_after = a->close;
        /* Pipelined requests after this one move up; they are short. */
        memmove(c->in, c->in + len, c->in_len - len);
        c->in_len -= len;
    }
}

static void on_readable(struct conn *c)
{
    if (c->draining) {
        ssize_t r = recv(c->fd, c->in, REQ_MAX, 0);
        if (r > 0 && (c->drained += (size_t)r) <= DRAIN_MAX)
            return;
        if (r < 0 &&
            (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        close_conn(c); /* closed, broken, or too talkative */
        return;
    }
    ssize_t r = recv(c->fd, c->in + c->in_len, REQ_MAX - c->in_len, 0);
    if (r > 0)
        c->in_len += (size_t)r;
    else if (r == 0)
        c->eof = 1;
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        close_conn(c);
        return;
    }
    if (serve(c) < 0)
        close_conn(c);
}

static void accept_all(void)
{
    while (n_conns < max_conns) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            enum accept_failure f = accept_failure(errno);
            if (f == ACCEPT_FATAL)
                fail(PROG, 1, "accept");
            if (f == ACCEPT_LATER)
                return;
            break; /* out of something: stop until a close */
        }
        struct conn *c = malloc(sizeof(*c));
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (c == NULL || set_nonblocking(fd) < 0 ||
            epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            free(c);
            close(fd);
            continue;
        }
        memset(c, 0, offsetof(struct conn, in)); /* all but the buffer */
        c->fd = fd;
        n_conns++;
    }
    struct epoll_event ev = {.events = 0, .data.ptr = NULL}; /* pause */
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, lfd, &ev) == 0)
        accepting = 0;
}

int main(int argc, char *argv[])
{
    unsigned port = 80;
    size_t body_size = 4096;
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'},
        {"body-size", required_argument, NULL, 'b'},
        {"requests", required_argument, NULL, 'r'},
        {"max-clients", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        if (o == 'p')
            port = parse_port(PROG, optarg);
        else if (o == 'b')
            body_size = parse_number(PROG, "--body-size", optarg, 0, 1ul << 30);
        else if (o == 'r')
            max_requests = parse_number(PROG, "--requests", optarg, 1, ~0ul);
        else if (o == 'm')
            max_conns = parse_number(PROG, "--max-clients", optarg, 1, 100000);
        else
            usage();
    }
    if (optind != argc)
        usage();

    prepare_answers(body_size);
    lfd = listen_tcp(PROG, port);
    epfd = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev) < 0)
        fail(PROG, 1, "epoll");
    printf(PROG ": listening on port %u, body %zu bytes\n", port, body_size);
    fflush(stdout);

    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(epfd, evs, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail(PROG, 1, "epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c == NULL)
                accept_all();
            else if (evs[i].events & EPOLLERR)
                close_conn(c); /* reset: nothing more can be delivered */
            else if (!c->writing)
                on_readable(c);
            else if (serve(c) < 0)
                close_conn(c);
        }
    }
}
