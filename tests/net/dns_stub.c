/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* dns_stub.c: the smallest DNS server the name-lookup tests need. On UDP
 * --host:--port it answers queries for one name (--name, any case, with
 * or without the final dot): type A with --answer (one record, TTL 60),
 * any other type with no records; every other name with NXDOMAIN, and
 * what is not a plain query of one question with FORMERR (or not at all,
 * when it is too short to carry an id). Prints "dns_stub: ready" once
 * bound, then "query TYPE NAME" for each query (TYPE a number), all
 * flushed as they happen; exits 0 after --seconds (default 60) or
 * --queries questions, whichever comes first, or at SIGTERM. */
#include <ctype.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>

#include "tool.h"

#define PROG "dns_stub"
#define DNS_MAX 512 /* a UDP message without EDNS */
#define TYPE_A 1
#define RCODE_FORMERR 1
#define RCODE_NXDOMAIN 3

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: " PROG " --host A.B.C.D [--port N] --name NAME "
                    "--answer A.B.C.D [--seconds N] [--queries N]\n");
    exit(2);
}

static unsigned get16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* The question's name at q (its labels end within the first len bytes),
 * as dotted text in out (at least 256 bytes); the bytes it takes, or 0
 * if it is malformed (a compression pointer has no place in a query). */
static size_t read_name(const unsigned char *q, size_t len, char *out)
{
    size_t at = 0, n = 0;
    while (at < len && q[at] != 0) {
        unsigned l = q[at];
        if (l > 63 || at + 1 + l >= len || n + l + 1 >= 256)
            return 0;
        if (n > 0)
            out[n++] = '.';
        memcpy(out + n, q + at + 1, l);
        n += l;
        at += 1 + l;
    }
    if (at >= len)
        return 0;
    out[n] = '\0';
    return at + 1;
}

static bool same_name(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (lb > 0 && b[lb - 1] == '.')
        lb--;
    if (la != lb)
        return false;
    for (size_t i = 0; i < la; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

/* The answer to the query in m (len bytes, at most DNS_MAX, in a buffer
 * 16 bytes longer), written over it; its length, or 0 for no answer. */
static size_t answer(unsigned char *m, size_t len, const char *name,
                     struct in_addr addr)
{
    if (len < 12)
        return 0; /* no id to answer to */
    unsigned flags = get16(m + 2);
    char qname[256];
    size_t qlen = 0;
    bool plain = !(flags & 0x8000) && ((flags >> 11) & 15) == 0 &&
                 get16(m + 4) == 1 && get16(m + 6) == 0 && get16(m + 8) == 0;
    if (plain)
        qlen = read_name(m + 12, len - 12, qname);
    if (qlen == 0 || 12 + qlen + 4 > len) {
        m[2] = (unsigned char)(0x80 | (m[2] & 0x79)); /* QR, opcode, RD */
        m[3] = RCODE_FORMERR;
        memset(m + 4, 0, 8);
        return 12;
    }
    unsigned type = get16(m + 12 + qlen);
    printf("query %u %s\n", type, qname);
    fflush(stdout);
    size_t end = 12 + qlen + 4; /* the question, kept; EDNS dropped */
    bool ours = same_name(qname, name);
    m[2] = (unsigned char)(0x84 | (m[2] & 0x01)); /* QR, AA, RD as asked */
    m[3] = (unsigned char)(0x80 | (ours ? 0 : RCODE_NXDOMAIN)); /* RA */
    m[6] = m[7] = m[8] = m[9] = m[10] = m[11] = 0;
    if (ours && type == TYPE_A) {
        static const unsigned char rr[] = {0xc0, 12, /* the question's name */
                                           0,    TYPE_A,        /* type */
                                           0,    1,             /* class IN */
                                           0,    0,      0, 60, /* TTL */
                                           0,    4}; /* the address's length */
        memcpy(m + end, rr, sizeof(rr));
        memcpy(m + end + sizeof(rr), &addr, 4);
        end += sizeof(rr) + 4;
        m[7] = 1; /* one answer */
    }
    return end;
}

int main(int argc, char *argv[])
{
    const char *host = NULL, *name = NULL, *answer_text = NULL;
    unsigned port = 53;
    unsigned long seconds = 60, queries = 1000;
    static const struct option opts[] = {
        {"host", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"name", required_argument, NULL, 'n'},
        {"answer", required_argument, NULL, 'a'},
        {"seconds", required_argument, NULL, 's'},
        {"queries", required_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            host = optarg;
            break;
        case 'p':
            port = parse_port(PROG, optarg);
            break;
        case 'n':
            name = optarg;
            break;
        case 'a':
            answer_text = optarg;
            break;
        case 's':
            seconds = parse_number(PROG, "--seconds", optarg, 1, 3600);
            break;
        case 'q':
            queries = parse_number(PROG, "--queries", optarg, 1, 1000000);
            break;
        default:
            usage();
        }
    }
    if (optind != argc || name == NULL || answer_text == NULL)
        usage();
    struct sockaddr_in me = parse_addr(PROG, host, port);
    struct in_addr addr;
    if (inet_pton(AF_INET, answer_text, &addr) != 1)
        fail(PROG, 0, "--answer %s: expected an IPv4 address", answer_text);
    struct sigaction sa = {.sa_handler = on_term};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fail(PROG, 1, "socket");
    if (bind(fd, (struct sockaddr *)&me, sizeof(me)) != 0)
        fail(PROG, 1, "bind to %s:%u", host, port);
    printf(PROG ": ready\n");
    fflush(stdout);
    double deadline = now() + (double)seconds;
    unsigned long served = 0;
    while (!stop && served < queries && now() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, ms_until(deadline)) <= 0)
            continue;                  /* the deadline, or a signal */
        unsigned char m[DNS_MAX + 16]; /* room for the answer's record */
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        ssize_t r = recvfrom(fd, m, DNS_MAX, MSG_DONTWAIT,
                             (struct sockaddr *)&from, &fl);
        if (r < 0)
            continue;
        size_t n = answer(m, (size_t)r, name, addr);
        if (n > 0) {
            served++;
            sendto(fd, m, n, 0, (struct sockaddr *)&from, fl);
        }
    }
    printf(PROG ": %lu queries\n", served);
    return 0;
}
