/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* tap_sink.c: attach to an existing tap device, as the monitor will, and
 * count the frames that arrive, for --seconds, until --frames have come,
 * or (--idle-ms) once none has come for that long after the first. Tests the harness's tap and the frame injector without a guest:
 * what the injector sends out of the tap's host side must arrive here,
 * oversized frames included. Prints "attached to IF" once attached, then
 * "frames N, bytes B, largest L" at the end. Exit status 0, or 1 if the
 * tap cannot be attached. */
#include <getopt.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>

#include "tool.h"

#define PROG "tap_sink"

static void usage(void)
{
    fprintf(stderr,
            "usage: " PROG
            " --ifname TAP [--seconds S] [--frames N] [--idle-ms MS]\n");
    exit(2);
}

int main(int argc, char *argv[])
{
    const char *ifname = NULL;
    unsigned seconds = 10, idle_ms = 0;
    unsigned long frames_max = 0;
    static const struct option opts[] = {
        {"ifname", required_argument, NULL, 'i'},
        {"seconds", required_argument, NULL, 's'},
        {"frames", required_argument, NULL, 'f'},
        {"idle-ms", required_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        if (o == 'i')
            ifname = optarg;
        else if (o == 's')
            seconds =
                (unsigned)parse_number(PROG, "--seconds", optarg, 1, 3600);
        else if (o == 'f')
            frames_max = parse_number(PROG, "--frames", optarg, 1, ~0ul);
        else if (o == 'I')
            idle_ms =
                (unsigned)parse_number(PROG, "--idle-ms", optarg, 1, 600000);
        else
            usage();
    }
    if (ifname == NULL || optind != argc)
        usage();

    int fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0)
        fail(PROG, 1, "/dev/net/tun");
    struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
    if (strlen(ifname) >= sizeof(ifr.ifr_name))
        fail(PROG, 0, "--ifname %s: too long", ifname);
    strcpy(ifr.ifr_name, ifname);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        fail(PROG, 1, "attach to %s", ifname);
    printf("attached to %s\n", ifname);
    fflush(stdout);

    static unsigned char buf[65536];
    unsigned long frames = 0, largest = 0;
    unsigned long long bytes = 0;
    double deadline = now() + seconds;
    while (frames_max == 0 || frames < frames_max) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int wait = ms_until(deadline);
        if (idle_ms > 0 && frames > 0 && (unsigned)wait > idle_ms)
            wait = (int)idle_ms;
        int r = poll(&p, 1, wait);
        if (r == 0)
            break;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fail(PROG, 1, "poll");
        }
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0)
            fail(PROG, 1, "read from %s", ifname);
        frames++;
        bytes += (unsigned long long)n;
        if ((unsigned long)n > largest)
            largest = (unsigned long)n;
    }
    printf("frames %lu, bytes %llu, largest %lu\n", frames, bytes, largest);
    return 0;
}
