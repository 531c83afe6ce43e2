/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* memcache_check.c: the client side of the memcached tests and benchmark
 * (tests/threads-suite.sh, bench/threads). C connections at once, one
 * thread each, speak memcached's text protocol: each sets its own keys to
 * values of changing sizes (1 byte to --max-value) made from the key and
 * the round, and reads each back with get, comparing every byte; a
 * missing, changed or foreign value is reported with its key. With
 * --seconds S it runs that long and counts operations (a set and a get
 * are two), else --rounds N per connection.
 *
 * Prints "ops N ops_per_s R conns C" and exits 0 when every value came
 * back as it was set; exits 1 with one line saying what went wrong. */
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/uio.h>

#include "tool.h"

#define PROG "memcache_check"
#define KEYS 64 /* per connection, reused round after round */

static void usage(void)
{
    fprintf(stderr, "usage: " PROG " --host A.B.C.D --port N [--connections C] "
                    "[--rounds N | --seconds S] [--max-value BYTES] "
                    "[--timeout SECONDS]\n");
    exit(2);
}

static struct sockaddr_in addr;
static unsigned conns = 32, rounds = 100, seconds, max_value = 4096;
static unsigned timeout_s = 60;
static double stop_at;
static atomic_ullong ops;

struct conn {
    unsigned id;
    int fd;
    char in[1 << 16];
    size_t have; /* bytes in `in` not yet consumed */
};

static void send_all(struct conn *c, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            fail(PROG, 1, "connection %u: send", c->id);
        p += n;
        len -= (size_t)n;
    }
}

/* Read until the buffer holds at least want bytes. */
static void fill(struct conn *c, size_t want)
{
    if (want > sizeof(c->in))
        fail(PROG, 0, "connection %u: a reply longer than %zu bytes", c->id,
             sizeof(c->in));
    while (c->have < want) {
        ssize_t n = recv(c->fd, c->in + c->have, sizeof(c->in) - c->have, 0);
        if (n == 0)
            fail(PROG, 0, "connection %u: the server closed the connection",
                 c->id);
        if (n < 0)
            fail(PROG, 1, "connection %u: recv", c->id);
        c->have += (size_t)n;
    }
}

/* The next line (without its CR LF), NUL-terminated in place. */
static char *line(struct conn *c, size_t *len)
{
    for (size_t scanned = 0;;) {
        for (; scanned + 1 < c->have; scanned++)
            if (c->in[scanned] == '\r' && c->in[scanned + 1] == '\n') {
                c->in[scanned] = '\0';
                *len = scanned;
                return c->in;
            }
        fill(c, c->have + 1);
    }
}

static void consume(struct conn *c, size_t n)
{
    memmove(c->in, c->in + n, c->have - n);
    c->have -= n;
}

/* Value bytes of key k in round r: any stretch made again from its
 * offset (tool.h's stream). */
static size_t value_len(unsigned id, unsigned k, unsigned r)
{
    return 1 +
           (size_t)(splitmix64(((uint64_t)id << 40) ^ ((uint64_t)k << 20) ^ r) %
                    max_value);
}

static void make_value(char *buf, size_t len, unsigned id, unsigned k,
                       unsigned r)
{
    uint64_t seed = ((uint64_t)id << 32) ^ ((uint64_t)k << 16) ^ r;
    stream_bytes(seed, 0, (unsigned char *)buf, len);
}

static void *run(void *arg)
{
    struct conn *c = arg;
    char cmd[256];
    char *value = malloc(max_value + 2), *want = malloc(max_value);
    if (value == NULL || want == NULL)
        fail(PROG, 0, "out of memory");
    unsigned r = 0;
    for (;; r++) {
        if (seconds != 0 ? now() >= stop_at : r >= rounds)
            break;
        if (now() > stop_at + timeout_s)
            fail(PROG, 0, "connection %u: still running at the timeout", c->id);
        unsigned k = r % KEYS;
        size_t len = value_len(c->id, k, r);
        make_value(value, len, c->id, k, r);
        memcpy(value + len, "\r\n", 2);
        /* The command and its data in one send, as clients do (a
         * writev): one segment for a small value. */
        int n = snprintf(cmd, sizeof(cmd), "set c%u_k%u 0 0 %zu\r\n", c->id, k,
                         len);
        struct iovec iov[2] = {{cmd, (size_t)n}, {value, len + 2}};
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
        for (size_t left = (size_t)n + len + 2; left > 0;) {
            ssize_t w = sendmsg(c->fd, &m, MSG_NOSIGNAL);
            if (w <= 0)
                fail(PROG, 1, "connection %u: send", c->id);
            left -= (size_t)w;
            while (w > 0) { /* what went: off the front of the vectors */
                size_t take = (size_t)w < m.msg_iov->iov_len
                                  ? (size_t)w
                                  : m.msg_iov->iov_len;
                m.msg_iov->iov_base = (char *)m.msg_iov->iov_base + take;
                m.msg_iov->iov_len -= take;
                w -= (ssize_t)take;
                if (m.msg_iov->iov_len == 0 && m.msg_iovlen > 1) {
                    m.msg_iov++;
                    m.msg_iovlen--;
                }
            }
        }
        size_t ll;
        char *l = line(c, &ll);
        if (strcmp(l, "STORED") != 0)
            fail(PROG, 0, "connection %u: set c%u_k%u: the server said \"%s\"",
                 c->id, c->id, k, l);
        consume(c, ll + 2);
        n = snprintf(cmd, sizeof(cmd), "get c%u_k%u\r\n", c->id, k);
        send_all(c, cmd, (size_t)n);
        l = line(c, &ll);
        char key[64];
        unsigned flags;
        size_t got_len;
        if (sscanf(l, "VALUE %63s %u %zu", key, &flags, &got_len) != 3)
            fail(PROG, 0, "connection %u: get c%u_k%u: the server said \"%s\"",
                 c->id, c->id, k, l);
        char expect_key[64];
        snprintf(expect_key, sizeof(expect_key), "c%u_k%u", c->id, k);
        if (strcmp(key, expect_key) != 0 || got_len != len)
            fail(PROG, 0,
                 "connection %u: get %s: got %s of %zu bytes, expected %zu",
                 c->id, expect_key, key, got_len, len);
        consume(c, ll + 2);
        fill(c, len + 2);
        make_value(want, len, c->id, k, r);
        for (size_t i = 0; i < len; i++)
            if (c->in[i] != want[i])
                fail(PROG, 0, "connection %u: get %s: byte %zu of %zu differs",
                     c->id, expect_key, i, len);
        consume(c, len + 2);
        l = line(c, &ll);
        if (strcmp(l, "END") != 0)
            fail(PROG, 0, "connection %u: get %s: \"%s\" instead of END", c->id,
                 expect_key, l);
        consume(c, ll + 2);
        ops += 2;
    }
    free(value);
    free(want);
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"host", required_argument, NULL, 'h'},
        {"port", required_argument, NULL, 'p'},
        {"connections", required_argument, NULL, 'c'},
        {"rounds", required_argument, NULL, 'r'},
        {"seconds", required_argument, NULL, 's'},
        {"max-value", required_argument, NULL, 'v'},
        {"timeout", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    const char *host = NULL;
    unsigned port = 0;
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'h':
            host = optarg;
            break;
        case 'p':
            port = (unsigned)parse_number(PROG, "--port", optarg, 1, 65535);
            break;
        case 'c':
            conns =
                (unsigned)parse_number(PROG, "--connections", optarg, 1, 1024);
            break;
        case 'r':
            rounds =
                (unsigned)parse_number(PROG, "--rounds", optarg, 1, 100000000);
            break;
        case 's':
            seconds =
                (unsigned)parse_number(PROG, "--seconds", optarg, 1, 3600);
            break;
        case 'v':
            max_value =
                (unsigned)parse_number(PROG, "--max-value", optarg, 1, 60000);
            break;
        case 't':
            timeout_s =
                (unsigned)parse_number(PROG, "--timeout", optarg, 1, 3600);
            break;
        default:
            usage();
        }
    }
    if (optind != argc || port == 0)
        usage();
    addr = parse_addr(PROG, host, port);
    want_fds(PROG, conns);
    struct conn *cs = calloc(conns, sizeof(*cs));
    pthread_t *ts = calloc(conns, sizeof(*ts));
    if (cs == NULL || ts == NULL)
        fail(PROG, 0, "out of memory");
    for (unsigned i = 0; i < conns; i++) { /* all connected before any op */
        cs[i].id = i;
        cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        if (cs[i].fd < 0)
            fail(PROG, 1, "socket");
        int one = 1;
        setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        struct timeval tv = {timeout_s, 0};
        setsockopt(cs[i].fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (connect(cs[i].fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
            fail(PROG, 1, "connection %u: connect", i);
    }
    double start = now();
    stop_at = seconds != 0 ? start + seconds : start + timeout_s;
    for (unsigned i = 0; i < conns; i++)
        if (pthread_create(&ts[i], NULL, run, &cs[i]) != 0)
            fail(PROG, 0, "pthread_create failed");
    for (unsigned i = 0; i < conns; i++)
        pthread_join(ts[i], NULL);
    double took = now() - start;
    printf("ops %llu ops_per_s %.0f conns %u\n", (unsigned long long)ops,
           (double)ops / took, conns);
    return 0;
}
