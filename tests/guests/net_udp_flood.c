/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * net_udp_flood.c: a guest that floods its network with UDP: datagrams of
 * 1,400 bytes to ADDR:PORT through the sockets API, as fast as it can, for
 * SECONDS (tests/net-user-suite.sh: passt must take it, and the monitor
 * and passt stay small). Every 32 datagrams a poll() that does not wait
 * lets the network run (libhusk moves frames when a program waits).
 * Prints "flood: N datagrams sent, M refused" at the end; a send the
 * stack refuses for want of buffers (ENOMEM, ENOBUFS, EAGAIN) is counted
 * and the flood goes on.
 *
 *   net_udp_flood ADDR PORT SECONDS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: net_udp_flood ADDR PORT SECONDS\n");
        return 2;
    }
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
        fprintf(stderr, "net_udp_flood: '%s' is not an IPv4 address\n",
                argv[1]);
        return 2;
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        perror("net_udp_flood: socket");
        return 1;
    }
    static char datagram[1400];
    memset(datagram, 0x5a, sizeof(datagram));
    double stop = now() + atof(argv[3]);
    unsigned long sent = 0, refused = 0;
    while (now() < stop) {
        if ((sent + refused) % 32 == 0)
            poll(NULL, 0, 0);
        if (sendto(s, datagram, sizeof(datagram), 0, (struct sockaddr *)&to,
                   sizeof(to)) == (ssize_t)sizeof(datagram)) {
            sent++;
        } else if (errno == ENOMEM || errno == ENOBUFS || errno == EAGAIN) {
            refused++;
        } else {
            perror("net_udp_flood: sendto");
            return 1;
        }
    }
    printf("flood: %lu datagrams sent, %lu refused\n", sent, refused);
    return 0;
}
