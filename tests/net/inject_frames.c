/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* inject_frames.c: send malformed Ethernet frames out of an interface
 * (AF_PACKET, so a root-only tool), to show that whatever receives them
 * (the unikernel behind a tap, a server behind a veth) keeps serving.
 * COUNT frames, taking the kinds below in turn, to --dst-mac (default
 * broadcast); the IPv4 ones have a correct header checksum where the
 * kind allows, so that they get past the first check and into the
 * parsers behind it:
 *
 *   garbage     random bytes after the Ethernet header, random length
 *   runt        1-13 bytes: shorter than an Ethernet header
 *   ip_short    IPv4 ethertype, 0-19 bytes: shorter than an IP header
 *   ip_lies     an IP header whose header or total length claims more
 *               than the frame holds
 *   tcp_short   IPv4 to --dst-ip, TCP with a cut or lying header
 *   udp_lies    IPv4 to --dst-ip, UDP with a length that is not the size
 *   icmp_short  a cut ICMP echo request to --dst-ip
 *   fragment    an IPv4 fragment of a datagram that never completes
 *   arp_bad     ARP with wrong sizes, or cut short
 *   oversized   --big BYTES (if given): an IPv4/UDP frame that large, for
 *               a receiver whose MTU is smaller (raise the sending
 *               interface's MTU first, or the kernel refuses it)
 *
 * The kernel refuses runts on an Ethernet device (EINVAL): they are
 * counted as refused, not as failures; nothing can deliver them. A device
 * may drop a frame as it is sent (ENOBUFS: a veth drops frames larger
 * than its peer's MTU): tried again twice, then counted as dropped.
 * Prints "sent S of N frames (B oversized), R refused by the kernel, D
 * dropped by the device". Exit status 0, or 1 on any other error. */
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include "tool.h"

#define PROG "inject_frames"
#define MAX_FRAME 65536

static void usage(void)
{
    fprintf(stderr, "usage: " PROG " --ifname IF [--count N] [--dst-mac MAC] "
                    "[--dst-ip A.B.C.D] [--src-ip A.B.C.D] [--big BYTES] "
                    "[--seed S]\n");
    exit(2);
}

enum kind {
    GARBAGE,
    RUNT,
    IP_SHORT,
    IP_LIES,
    TCP_SHORT,
    UDP_LIES,
    ICMP_SHORT,
    FRAGMENT,
    ARP_BAD,
    OVERSIZED,
    N_KINDS
};

static unsigned char dst_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const unsigned char src_mac[6] = {0x02, 0x00, 0x00, 0x4a, 0x55, 0x4b};
static uint32_t dst_ip, src_ip; /* network order */
static uint64_t seed = 1, counter;

static uint64_t rnd(void)
{
    return splitmix64(seed + counter++);
}

static uint16_t ip_checksum(const unsigned char *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n % 2)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

/* Random bytes at p[0, n). */
static void noise(unsigned char *p, size_t n)
{
    stream_bytes(seed ^ 0xfeedull, counter++ << 24, p, n);
}

/* An IPv4 header at p (20 bytes, checksummed) with these lengths. */
static void ip_header(unsigned char *p, unsigned ihl, unsigned total,
                      unsigned proto, unsigned frag)
{
    memset(p, 0, 20);
    p[0] = (unsigned char)(0x40 | (ihl & 15));
    put16(p + 2, total);
    put16(p + 4, (unsigned)rnd());
    put16(p + 6, frag);
    p[8] = 64;
    p[9] = (unsigned char)proto;
    memcpy(p + 12, &src_ip, 4);
    memcpy(p + 16, &dst_ip, 4);
    put16(p + 10, ip_checksum(p, 20));
}

/* A frame of kind K into f; returns its length. */
static size_t make(enum kind k, unsigned char *f, size_t mtu, size_t big)
{
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, src_mac, 6);
    put16(f + 12, ETHERTYPE_IP);
    unsigned char *ip = f + 14, *l4 = f + 34;
    uint64_t r = rnd();
    switch (k) {
    case GARBAGE: {
        size_t n = 14 + (size_t)(r % (mtu + 1));
        noise(f + 12, n - 12); /* the ethertype too */
        return n;
    }
    case RUNT:
        return 1 + (size_t)(r % 13);
    case IP_SHORT: {
        size_t n = (size_t)(r % 20);
        noise(ip, n);
        if (n > 0)
            ip[0] = 0x45;
        return 14 + n;
    }
    case IP_LIES: {
        /* Claims: a header longer than the frame, a total past the end,
         * or a total shorter than the header. */
        size_t n = 20 + (size_t)(r % 40);
        unsigned variant = (unsigned)(r >> 32) % 3;
        unsigned ihl = variant == 0 ? 15 : 5;
        unsigned total = variant == 1
                             ? (unsigned)n + 1 + (unsigned)(r >> 40) % 1400
                         : variant == 2 ? 12
                                        : (unsigned)n;
        noise(ip + 20, n - 20);
        ip_header(ip, ihl, total, (unsigned)(r >> 48) & 0xff, 0);
        return 14 + n;
    }
    case TCP_SHORT: {
        /* A cut TCP header, or a data offset past the segment. */
        size_t n = (size_t)(r % 40);
        noise(l4, n);
        if (n >= 13)
            l4[12] = 0xf0; /* data offset 60 bytes */
        if (n >= 4)
            put16(l4 + 2, 80 + (unsigned)(r >> 32) % 3);
        ip_header(ip, 5, 20 + (unsigned)n, 6, 0);
        return 34 + n;
    }
    case UDP_LIES: {
        size_t n = 8 + (size_t)(r % 64);
        noise(l4, n);
        put16(l4 + 2, 7);
        put16(l4 + 4,
              (r >> 32) % 2 ? (unsigned)n + 100 : 4); /* too long, too short */
        put16(l4 + 6, 0);
        ip_header(ip, 5, 20 + (unsigned)n, 17, 0);
        return 34 + n;
    }
    case ICMP_SHORT: {
        size_t n = (size_t)(r % 8);
        noise(l4, n);
        if (n > 0)
            l4[0] = 8; /* echo request */
        ip_header(ip, 5, 20 + (unsigned)n, 1, 0);
        return 34 + n;
    }
    case FRAGMENT: {
        /* More fragments, at a random offset: a reassembly that waits. */
        size_t n = 8 + (size_t)(r % 64) * 8;
        noise(l4, n);
        ip_header(ip, 5, 20 + (unsigned)n, 17,
                  0x2000 | ((unsigned)(r >> 32) & 0x1fff));
        return 34 + n;
    }
    case ARP_BAD: {
        size_t n = (size_t)(r % 40);
        put16(f + 12, ETHERTYPE_ARP);
        noise(ip, n);
        if (n >= 8) {
            put16(ip, 1); /* Ethernet */
            put16(ip + 2, ETHERTYPE_IP);
            ip[4] = (unsigned char)(r >> 32); /* wrong address sizes */
            ip[5] = (unsigned char)(r >> 40);
            put16(ip + 6, 1 + (unsigned)(r >> 48) % 2);
        }
        return 14 + n;
    }
    case OVERSIZED:
    case N_KINDS:
        break;
    }
    /* OVERSIZED: a well-formed IPv4/UDP datagram of BIG bytes in all. */
    noise(l4 + 8, big - 42);
    put16(l4, 9);
    put16(l4 + 2, 7);
    put16(l4 + 4, (unsigned)big - 34);
    put16(l4 + 6, 0);
    ip_header(ip, 5, (unsigned)big - 14, 17, 0);
    return big;
}

static int parse_mac(const char *s, unsigned char *m)
{
    unsigned v[6];
    char end;
    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5], &end) != 6)
        return -1;
    for (int i = 0; i < 6; i++) {
        if (v[i] > 255)
            return -1;
        m[i] = (unsigned char)v[i];
    }
    return 0;
}

int main(int argc, char *argv[])
{
    const char *ifname = NULL, *dst = "10.0.0.2", *src = "10.0.0.1";
    unsigned long count = 200;
    size_t big = 0;
    static const struct option opts[] = {
        {"ifname", required_argument, NULL, 'i'},
        {"count", required_argument, NULL, 'c'},
        {"dst-mac", required_argument, NULL, 'm'},
        {"dst-ip", required_argument, NULL, 'd'},
        {"src-ip", required_argument, NULL, 's'},
        {"big", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        if (o == 'i')
            ifname = optarg;
        else if (o == 'c')
            count = parse_number(PROG, "--count", optarg, 1, 1000000);
        else if (o == 'm' && parse_mac(optarg, dst_mac) != 0)
            fail(PROG, 0,
                 "--dst-mac %s: expected six hex bytes, aa:bb:cc:dd:ee:ff",
                 optarg);
        else if (o == 'd')
            dst = optarg;
        else if (o == 's')
            src = optarg;
        else if (o == 'b')
            big = parse_number(PROG, "--big", optarg, 64, MAX_FRAME);
        else if (o == 'S')
            seed = parse_number(PROG, "--seed", optarg, 0, ~0ul);
        else if (o != 'm')
            usage();
    }
    if (ifname == NULL || optind != argc)
        usage();
    if (inet_pton(AF_INET, dst, &dst_ip) != 1 ||
        inet_pton(AF_INET, src, &src_ip) != 1)
        fail(PROG, 0, "--dst-ip/--src-ip: expected IPv4 addresses (A.B.C.D)");

    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (fd < 0)
        fail(PROG, 1, "AF_PACKET socket (root only)");
    struct ifreq ifr = {0};
    if (strlen(ifname) >= sizeof(ifr.ifr_name))
        fail(PROG, 0, "--ifname %s: too long", ifname);
    strcpy(ifr.ifr_name, ifname);
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
        fail(PROG, 1, "--ifname %s", ifname);
    int ifindex = ifr.ifr_ifindex;
    if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
        fail(PROG, 1, "%s: MTU", ifname);
    size_t mtu = (size_t)ifr.ifr_mtu;
    if (mtu > 1500)
        mtu = 1500; /* garbage stays within an ordinary frame */
    struct sockaddr_ll to = {
        .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6};
    memcpy(to.sll_addr, dst_mac, 6);

    static unsigned char f[MAX_FRAME];
    unsigned long sent = 0, refused = 0, oversized = 0, dropped = 0;
    for (unsigned long i = 0; i < count; i++) {
        enum kind k = (enum kind)(i % (big > 0 ? N_KINDS : OVERSIZED));
        size_t n = make(k, f, mtu, big);
        ssize_t w;
        for (int again = 0; (w = sendto(fd, f, n, 0, (struct sockaddr *)&to,
                                        sizeof(to))) < 0 &&
                            errno == ENOBUFS && again < 2;
             again++)
            usleep(1000); /* perhaps a full queue: a moment */
        if (w == (ssize_t)n) {
            sent++;
            oversized += k == OVERSIZED;
        } else if (w < 0 && errno == ENOBUFS) {
            dropped++;
        } else if (k == RUNT && errno == EINVAL) {
            refused++;
        } else if (k == OVERSIZED && errno == EMSGSIZE) {
            fail(PROG, 0,
                 "%s refuses a %zu-byte frame: raise its MTU (ip link "
                 "set %s mtu 9000)",
                 ifname, n, ifname);
        } else {
            fail(PROG, 1, "%s: sending a %zu-byte frame", ifname, n);
        }
    }
    printf("sent %lu of %lu frames (%lu oversized), %lu refused by the kernel, "
           "%lu dropped by the device\n",
           sent, count, oversized, refused, dropped);
    return 0;
}
