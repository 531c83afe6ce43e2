/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* tcp_client.c: fetch from a TCP server and say what came back. By
 * default an HTTP/1.1 GET with "Connection: close"; --send sends a string
 * of your own instead (\r, \n, \t and \\ are understood). The reply is
 * read to the end and parsed as a sequence of HTTP responses (several if
 * requests were pipelined): one "status:" line each, then the number and
 * size of the bodies and their checksum as `cksum` computes it (POSIX CRC
 * over all bodies). --raw skips the parsing: the checksum is of every
 * byte, and the sending side is shut down after the string (an echo
 * server then closes). Exit status 0 when the reply is complete and every
 * status is 2xx (--raw: when the server closed), 1 otherwise, 2 usage. */
#include <arpa/inet.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <strings.h>
#include <time.h>

#include "netutil.h"

#define PROG "tcp_client"

static void usage(void)
{
    fprintf(stderr, "usage: " PROG " --host A.B.C.D [--port N] [--path /P] "
                    "[--send STRING] [--raw] [--timeout SECONDS]\n");
    exit(2);
}

/* ---- POSIX cksum: CRC-32 (polynomial 0x04C11DB7, MSB first), then the
 * length, then complemented. */
static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i << 24;
        for (int k = 0; k < 8; k++)
            c = c & 0x80000000u ? (c << 1) ^ 0x04C11DB7u : c << 1;
        crc_table[i] = c;
    }
}

static uint32_t crc_add(uint32_t crc, const unsigned char *p, size_t n)
{
    while (n-- > 0)
        crc = (crc << 8) ^ crc_table[(crc >> 24) ^ *p++];
    return crc;
}

static uint32_t crc_end(uint32_t crc, unsigned long long len)
{
    for (; len != 0; len >>= 8) {
        unsigned char b = (unsigned char)len;
        crc = crc_add(crc, &b, 1);
    }
    return ~crc;
}

/* ---- the reply, parsed as it arrives */
static struct {
    enum { IN_HEAD, IN_BODY, BODY_TO_EOF } state;
    char head[16384];
    size_t head_len;
    unsigned long long body_left, body_bytes, received;
    unsigned responses, not_2xx;
    uint32_t crc;
} rx;

/* The head in rx.head is complete: print its status, find its body. */
static void parse_head(void)
{
    char *eol = strstr(rx.head, "\r\n");
    int code = 0;
    if (eol == NULL || strncmp(rx.head, "HTTP/1.", 7) != 0 ||
        sscanf(rx.head + 8, " %3d", &code) != 1)
        fail(PROG, 0, "the reply is not HTTP (it starts \"%.20s\")", rx.head);
    printf("status: %.*s\n", (int)(eol - rx.head), rx.head);
    if (code < 200 || code > 299)
        rx.not_2xx++;
    rx.state = BODY_TO_EOF; /* unless a length is given */
    for (char *line = eol + 2; *line != '\0' && *line != '\r';) {
        char *next = strstr(line, "\r\n");
        if (strncasecmp(line, "content-length:", 15) == 0) {
            rx.body_left = strtoull(line + 15, NULL, 10);
            rx.state = IN_BODY;
        } else if (strncasecmp(line, "transfer-encoding:", 18) == 0) {
            fail(PROG, 0, "a reply with Transfer-Encoding is not supported");
        }
        line = next + 2;
    }
    rx.head_len = 0;
    if (rx.state == IN_BODY && rx.body_left == 0) {
        rx.responses++;
        rx.state = IN_HEAD;
    }
}

static void body(const char *p, size_t n)
{
    rx.crc = crc_add(rx.crc, (const unsigned char *)p, n);
    rx.body_bytes += n;
}

static void take(const char *p, size_t n, int raw)
{
    rx.received += n;
    if (raw) {
        body(p, n);
        return;
    }
    while (n > 0) {
        if (rx.state == IN_HEAD) {
            /* Copy a byte at a time until the blank line: heads are small,
             * and no byte of the next body is taken for head. */
            if (rx.head_len == sizeof(rx.head) - 1)
                fail(PROG, 0, "a reply head longer than %zu bytes",
                     sizeof(rx.head));
            rx.head[rx.head_len++] = *p++;
            n--;
            rx.head[rx.head_len] = '\0';
            if (rx.head_len >= 4 &&
                memcmp(rx.head + rx.head_len - 4, "\r\n\r\n", 4) == 0)
                parse_head();
        } else if (rx.state == IN_BODY) {
            size_t m = n < rx.body_left ? n : (size_t)rx.body_left;
            body(p, m);
            p += m;
            n -= m;
            if ((rx.body_left -= m) == 0) {
                rx.responses++;
                rx.state = IN_HEAD;
            }
        } else {
            body(p, n);
            return;
        }
    }
}

/* ---- the connection */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Wait for EVENTS on fd until the deadline; exit when it passes. */
static void wait_for(int fd, short events, double deadline, const char *what)
{
    struct pollfd p = {.fd = fd, .events = events};
    for (;;) {
        double left = deadline - now();
        if (left <= 0)
            fail(PROG, 0, "timed out %s", what);
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r > 0)
            return;
        if (r < 0 && errno != EINTR)
            fail(PROG, 1, "poll");
    }
}

/* Undo the escapes \r \n \t \\ in place. */
static size_t unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r != '\0'; r++) {
        if (*r != '\\' || r[1] == '\0') {
            *w++ = *r;
            continue;
        }
        r++;
        *w++ = *r == 'r' ? '\r' : *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
    }
    return (size_t)(w - s);
}

int main(int argc, char *argv[])
{
    const char *host = NULL, *path = "/";
    char *send_str = NULL;
    unsigned port = 80, timeout = 30;
    int raw = 0;
    static const struct option opts[] = {
        {"host", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"path", required_argument, NULL, 'P'},
        {"send", required_argument, NULL, 's'},
        {"raw", no_argument, NULL, 'r'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        if (o == 'H')
            host = optarg;
        else if (o == 'p')
            port = parse_port(PROG, optarg);
        else if (o == 'P')
            path = optarg;
        else if (o == 's')
            send_str = optarg;
        else if (o == 'r')
            raw = 1;
        else if (o == 't')
            timeout =
                (unsigned)parse_number(PROG, "--timeout", optarg, 1, 86400);
        else
            usage();
    }
    if (host == NULL || optind != argc)
        usage();
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((unsigned short)port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        fail(PROG, 0, "--host %s: expected an IPv4 address (A.B.C.D)", host);

    char req[4096];
    size_t req_len;
    if (send_str != NULL) {
        req_len = unescape(send_str);
    } else {
        int n = snprintf(req, sizeof(req),
                         "GET %s HTTP/1.1\r\nHost: %s:%u\r\nUser-Agent: " PROG
                         "\r\nConnection: close\r\n\r\n",
                         path, host, port);
        if (n < 0 || (size_t)n >= sizeof(req))
            fail(PROG, 0, "--path is too long");
        req_len = (size_t)n;
    }
    const char *out = send_str != NULL ? send_str : req;
    crc_init();

    double deadline = now() + timeout;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || set_nonblocking(fd) < 0)
        fail(PROG, 1, "socket");
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
        errno != EINPROGRESS)
        fail(PROG, 1, "connect to %s:%u", host, port);
    wait_for(fd, POLLOUT, deadline, "connecting");
    int err = 0;
    socklen_t el = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0) {
        errno = err;
        fail(PROG, 1, "connect to %s:%u", host, port);
    }

    for (size_t off = 0; off < req_len;) {
        ssize_t w = send(fd, out + off, req_len - off, MSG_NOSIGNAL);
        if (w > 0)
            off += (size_t)w;
        else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            wait_for(fd, POLLOUT, deadline, "sending");
        else
            fail(PROG, 1, "send");
    }
    if (raw)
        shutdown(fd, SHUT_WR);

    static char buf[65536];
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r > 0)
            take(buf, (size_t)r, raw);
        else if (r == 0)
            break;
        else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            wait_for(fd, POLLIN, deadline, "waiting for the reply");
        else
            fail(PROG, 1, "recv (after %llu bytes)", rx.received);
    }
    close(fd);

    uint32_t sum = crc_end(rx.crc, rx.body_bytes);
    if (raw) {
        printf("total: %llu bytes, cksum %u\n", rx.received, sum);
        return 0;
    }
    if (rx.state == BODY_TO_EOF) { /* a body without a length ends here */
        rx.responses++;
        rx.state = IN_HEAD;
    }
    printf(
        "total: %u responses, body %llu bytes, cksum %u, %llu bytes received\n",
        rx.responses, rx.body_bytes, sum, rx.received);
    if (rx.state != IN_HEAD || rx.head_len != 0)
        fail(PROG, 0, "the connection closed in the middle of a response");
    if (rx.responses == 0)
        fail(PROG, 0, "no response");
    return rx.not_2xx == 0 ? 0 : 1;
}
