/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* udp_echo.c: a UDP echo server: every datagram goes back to its sender
 * as it came, empty ones included. Blocking recvfrom/sendto, one thread. */
#include <getopt.h>

#include "netutil.h"

#define PROG "udp_echo"

static void usage(void)
{
    fprintf(stderr, "usage: " PROG " [--port N]\n");
    exit(2);
}

int main(int argc, char *argv[])
{
    unsigned port = 7;
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        if (o == 'p')
            port = parse_port(PROG, optarg);
        else
            usage();
    }
    if (optind != argc)
        usage();

    int fd = bound_socket(PROG, SOCK_DGRAM, port);
    printf(PROG ": listening on port %u\n", port);
    fflush(stdout);

    static char buf[65536]; /* the largest UDP payload fits */
    for (;;) {
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        ssize_t r =
            recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
        if (r < 0) {
            /* A reply to a vanished sender can come back as an error on
             * the next call (ICMP port unreachable): not ours to stop for. */
            if (errno == EINTR || errno == ECONNREFUSED)
                continue;
            fail(PROG, 1, "recvfrom");
        }
        if (sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&from, fl) < 0 &&
            errno != ECONNREFUSED && errno != EINTR && errno != ENOBUFS &&
            errno != EAGAIN && errno != EHOSTUNREACH && errno != ENETUNREACH)
            fail(PROG, 1, "sendto");
    }
}
