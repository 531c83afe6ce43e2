/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* udp_check.c: the host side of the UDP echo test. Sends COUNT datagrams
 * one after the other, of sizes from 0 to MAX (the edge sizes first,
 * then pseudo-random ones), each filled from the test stream, and
 * expects each back whole and unchanged. A datagram with no reply within
 * --wait-ms is sent again, up to --tries times (UDP may drop); a late
 * reply to an earlier one is recognised and skipped. The first datagram
 * is resent for up to --first-wait seconds, while the server starts.
 * Exit status 0 when every datagram came back, 1 otherwise. */
#include <getopt.h>
#include <poll.h>

#include "tool.h"

#define PROG "udp_check"
#define MAX_DGRAM 65507 /* the largest IPv4 UDP payload */
#define LATE_WINDOW 16  /* how far back a late reply is recognised */

static void usage(void)
{
    fprintf(stderr, "usage: " PROG " --host A.B.C.D --port N [--count K] "
                    "[--max-size BYTES] [--tries N] [--wait-ms MS] "
                    "[--first-wait SECONDS] [--seed S]\n");
    exit(2);
}

static uint64_t seed = 7;
static size_t max_size = 1472; /* fits one Ethernet frame at MTU 1500 */

static size_t size_of(size_t i)
{
    static const size_t edges[] = {0,   1,    7,    8,    9,    64,
                                   512, 1024, 1400, 1472, 1473, 8192};
    size_t n = sizeof(edges) / sizeof(edges[0]);
    if (i < n)
        return edges[i] < max_size ? edges[i] : max_size;
    return (size_t)(splitmix64(seed ^ 0x5a5a5a5aull ^ i) % (max_size + 1));
}

static void fill(size_t i, unsigned char *p, size_t n)
{
    stream_bytes(seed + ((uint64_t)i << 32), 0, p, n);
}

int main(int argc, char *argv[])
{
    const char *host = NULL;
    unsigned port = 0, tries = 5, wait_ms = 500, first_wait = 5;
    size_t count = 200;
    static const struct option opts[] = {
        {"host", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"count", required_argument, NULL, 'c'},
        {"max-size", required_argument, NULL, 'm'},
        {"tries", required_argument, NULL, 't'},
        {"wait-ms", required_argument, NULL, 'w'},
        {"first-wait", required_argument, NULL, 'f'},
        {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        if (o == 'H')
            host = optarg;
        else if (o == 'p')
            port = parse_port(PROG, optarg);
        else if (o == 'c')
            count = parse_number(PROG, "--count", optarg, 1, 1000000);
        else if (o == 'm')
            max_size = parse_number(PROG, "--max-size", optarg, 0, MAX_DGRAM);
        else if (o == 't')
            tries = (unsigned)parse_number(PROG, "--tries", optarg, 1, 100);
        else if (o == 'w')
            wait_ms =
                (unsigned)parse_number(PROG, "--wait-ms", optarg, 1, 60000);
        else if (o == 'f')
            first_wait =
                (unsigned)parse_number(PROG, "--first-wait", optarg, 0, 600);
        else if (o == 's')
            seed = parse_number(PROG, "--seed", optarg, 0, ~0ul);
        else
            usage();
    }
    if (port == 0 || optind != argc)
        usage();
    struct sockaddr_in a = parse_addr(PROG, host, port);
    /* Connected: the kernel passes on only the server's replies, and a
     * port-unreachable comes back as ECONNREFUSED. */
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        fail(PROG, 1, "socket to %s:%u", host, port);

    static unsigned char out[MAX_DGRAM], in[MAX_DGRAM + 1], old[MAX_DGRAM];
    unsigned resent = 0, late = 0;
    size_t smallest = MAX_DGRAM, largest = 0;
    for (size_t i = 0; i < count; i++) {
        size_t n = size_of(i);
        fill(i, out, n);
        smallest = n < smallest ? n : smallest;
        largest = n > largest ? n : largest;
        /* The first datagram waits for the server to come up. */
        double give_up = i == 0 ? now() + first_wait : 0;
        unsigned sends = 0;
        int ok = 0;
        while (!ok) {
            if (sends >= tries && now() >= give_up)
                fail(PROG, 0,
                     "datagram %zu (%zu bytes): no reply after %u tries "
                     "of %u ms",
                     i + 1, n, sends, wait_ms);
            if (send(fd, out, n, 0) < 0 && errno != ECONNREFUSED)
                fail(PROG, 1, "datagram %zu (%zu bytes): send", i + 1, n);
            resent += sends++ > 0;
            double until =
                now() + (i == 0 && sends > 1 ? 0.2 : wait_ms / 1000.0);
            while (!ok) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                if (poll(&p, 1, ms_until(until)) <= 0)
                    break; /* nothing within the wait: send again */
                ssize_t r = recv(fd, in, sizeof(in), 0);
                if (r < 0) {
                    if (errno == ECONNREFUSED || errno == EINTR)
                        continue; /* not listening yet */
                    fail(PROG, 1, "datagram %zu: recv", i + 1);
                }
                if ((size_t)r == n && memcmp(in, out, n) == 0) {
                    ok = 1;
                    break;
                }
                int is_late = 0;
                for (size_t k = 1; k <= LATE_WINDOW && k <= i && !is_late;
                     k++) {
                    size_t m = size_of(i - k);
                    fill(i - k, old, m);
                    is_late = (size_t)r == m && memcmp(in, old, m) == 0;
                }
                if (!is_late)
                    fail(PROG, 0,
                         "datagram %zu (%zu bytes): the reply (%zd bytes) "
                         "differs from what was sent",
                         i + 1, n, r);
                late++;
            }
        }
    }
    printf("udp ok: %zu datagrams of %zu to %zu bytes came back intact "
           "(%u sent again, %u late replies skipped)\n",
           count, smallest, largest, resent, late);
    return 0;
}
