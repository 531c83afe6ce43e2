/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_net_user.c: the user-mode network's pure parts: --net:NAME=user
 * and hostfwd= (drivers/net/spec.c), passt's command line and last words
 * (passt_cli.c), the stream's framing and TSO frames made whole
 * (stream.c), passt's TCP made up for (tcpfix.c), ARP answered in the
 * monitor (arp.c), SYNs given again (synretry.c); then net_info and
 * net_io on a fake VM whose passt is the far end of a stream socket pair.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../drivers/net/arp.h"
#include "../../drivers/net/bytes.h"
#include "../../drivers/net/net.h"
#include "../../drivers/net/netdev.h"
#include "../../drivers/net/passt.h"
#include "../../drivers/net/stream.h"
#include "../../drivers/net/synretry.h"
#include "../../drivers/net/tcpfix.h"
#include "fakevm.h"
#include "unit.h"

/* ---- frames ---- */

/* The Internet checksum over what is given, big-endian words. */
static uint32_t sum_be(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += be16(p + i);
    if (n % 2)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}
static uint16_t folded(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

/* Whether an IPv4 TCP frame's IP and TCP checksums are right. */
static bool checksums_right(const uint8_t *f, uint32_t len)
{
    const uint8_t *ip = f + 14;
    uint32_t ihl = (ip[0] & 15u) * 4;
    if (folded(sum_be(0, ip, ihl)) != 0xffff)
        return false;
    uint32_t tcp_len = be16(ip + 2) - ihl;
    if (14 + ihl + tcp_len != len)
        return false;
    uint32_t s = sum_be(0, ip + 12, 8) + 6 + tcp_len;
    return folded(sum_be(s, ip + ihl, tcp_len)) == 0xffff;
}

/* Fill both checksums of an IPv4 TCP frame. */
static void set_checksums(uint8_t *f)
{
    uint8_t *ip = f + 14;
    uint32_t ihl = (ip[0] & 15u) * 4, tcp_len = be16(ip + 2) - ihl;
    put16(ip + 10, 0);
    put16(ip + 10, (uint16_t)~folded(sum_be(0, ip, ihl)));
    uint8_t *tcp = ip + ihl;
    put16(tcp + 16, 0);
    uint32_t s = sum_be(0, ip + 12, 8) + 6 + tcp_len;
    put16(tcp + 16, (uint16_t)~folded(sum_be(s, tcp, tcp_len)));
}

#define GUEST_IP "10.0.2.15"
#define FAR_IP "10.0.5.2"

/* An IPv4 TCP frame from src to dst with the given flags, sequence
 * number, window, options (olen, a multiple of 4) and payload bytes (the
 * value of each is its offset's low byte); checksums right. Returns its
 * length. */
static uint32_t tcp_frame(uint8_t *f, const char *src, uint16_t sport,
                          const char *dst, uint16_t dport, uint8_t flags,
                          uint32_t seq, uint16_t wnd, const uint8_t *opts,
                          uint32_t olen, uint32_t payload)
{
    uint32_t thl = 20 + olen, len = 14 + 20 + thl + payload;
    memset(f, 0, 14 + 20 + thl);
    memset(f, 0x02, 6);
    memset(f + 6, 0x04, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14, *tcp = ip + 20;
    ip[0] = 0x45;
    put16(ip + 2, len - 14);
    put16(ip + 4, 0x1234);
    put16(ip + 6, 0x4000);
    ip[8] = 64;
    ip[9] = 6;
    inet_pton(AF_INET, src, ip + 12);
    inet_pton(AF_INET, dst, ip + 16);
    put16(tcp, sport);
    put16(tcp + 2, dport);
    put32(tcp + 4, seq);
    put32(tcp + 8, 1000);
    tcp[12] = (uint8_t)((thl / 4) << 4);
    tcp[13] = flags;
    put16(tcp + 14, wnd);
    if (olen > 0)
        memcpy(tcp + 20, opts, olen);
    for (uint32_t i = 0; i < payload; i++)
        f[14 + 20 + thl + i] = (uint8_t)(14 + 20 + thl + i);
    set_checksums(f);
    return len;
}

#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10
#define FIN 0x01
#define CWR 0x80

/* MSS 1460, no-op, window scale ws: as passt's SYNs carry them. */
static const uint8_t *syn_opts(uint8_t ws)
{
    static uint8_t o[8] = {2, 4, 0x05, 0xb4, 1, 3, 3, 0};
    o[7] = ws;
    return o;
}

/* ---- --net:NAME=user, hostfwd= ---- */

static struct husk_net_config cfg;
static char err[256];

static int parse(const char *spec)
{
    err[0] = '\0';
    return husk_net_parse_spec(spec, &cfg, err, sizeof(err));
}

#define CHECK_SPEC_ERROR(spec, needle)    \
    do {                                  \
        CHECK_EQ(parse(spec), -1);        \
        CHECK_HAS(err, needle);           \
        CHECK(strchr(err, '\n') == NULL); \
    } while (0)

TEST(net_user_spec_default_plan)
{
    CHECK_EQ(parse("user"), 0);
    CHECK(cfg.user);
    CHECK_STREQ(cfg.tap, "");
    CHECK_EQ(cfg.ipv4_addr, inet_addr("10.0.2.15"));
    CHECK_EQ(cfg.prefix_len, 24);
    CHECK_EQ(cfg.ipv4_gateway, inet_addr("10.0.2.2"));
    CHECK_EQ(cfg.fwd_count, 0);
    CHECK_EQ(cfg.tx_rate, HUSK_NET_RATE_DEFAULT);
    /* The rest of the options, as with a tap. */
    CHECK_EQ(parse("user,mtu=9000,mac=02:00:00:00:00:09,rate=0"), 0);
    CHECK_EQ(cfg.mtu, 9000);
    CHECK_EQ(cfg.mac[5], 9);
    CHECK_EQ(cfg.tx_rate, 0);
}

TEST(net_user_spec_own_plan)
{
    /* ip= alone: the gateway is the subnet's first host... */
    CHECK_EQ(parse("user,ip=192.168.100.5/24"), 0);
    CHECK_EQ(cfg.ipv4_gateway, inet_addr("192.168.100.1"));
    /* ...or its second, if the first is the guest. */
    CHECK_EQ(parse("user,ip=192.168.100.1/24"), 0);
    CHECK_EQ(cfg.ipv4_gateway, inet_addr("192.168.100.2"));
    CHECK_EQ(parse("user,ip=172.20.0.9/16,gw=172.20.3.4"), 0);
    CHECK_EQ(cfg.ipv4_gateway, inet_addr("172.20.3.4"));
    CHECK_EQ(parse("user,ip=10.9.8.1/30"), 0); /* the smallest with room */
    CHECK_EQ(cfg.ipv4_gateway, inet_addr("10.9.8.2"));
    /* gw= alone keeps the default address; it must fit its subnet. */
    CHECK_EQ(parse("user,gw=10.0.2.3"), 0);
    CHECK_EQ(cfg.ipv4_addr, inet_addr("10.0.2.15"));
    CHECK_EQ(cfg.ipv4_gateway, inet_addr("10.0.2.3"));
    CHECK_SPEC_ERROR("user,gw=10.0.3.1", "not another host on the guest's "
                                         "subnet 10.0.2.0/24");
    CHECK_SPEC_ERROR("user,ip=10.9.8.1/31", "needs a subnet with room for "
                                            "its gateway");
    CHECK_SPEC_ERROR("user,ip=10.9.8.1/32", "a prefix of 30 or less");
    CHECK_SPEC_ERROR("user,ip=10.0.2.15/24,ip=10.0.2.16/24", "given twice");
}

TEST(net_user_spec_hostfwd)
{
    CHECK_EQ(parse("user,hostfwd=tcp:18080-:8080,hostfwd=udp:127.0.0.1:"
                   "5353-:53,hostfwd=tcp::80-:8081"),
             0);
    CHECK_EQ(cfg.fwd_count, 3);
    CHECK(!cfg.fwd[0].udp);
    CHECK_EQ(cfg.fwd[0].host_addr, 0);
    CHECK_EQ(cfg.fwd[0].host_port, 18080);
    CHECK_EQ(cfg.fwd[0].guest_port, 8080);
    CHECK(cfg.fwd[1].udp);
    CHECK_EQ(cfg.fwd[1].host_addr, inet_addr("127.0.0.1"));
    CHECK_EQ(cfg.fwd[1].host_port, 5353);
    CHECK_EQ(cfg.fwd[1].guest_port, 53);
    CHECK_EQ(cfg.fwd[2].host_addr, 0); /* QEMU's empty address: all */
    CHECK_EQ(cfg.fwd[2].host_port, 80);
    CHECK_EQ(cfg.fwd[2].guest_port, 8081);
    /* One port each way by protocol: tcp and udp may share a number. */
    CHECK_EQ(parse("user,hostfwd=tcp:53-:53,hostfwd=udp:53-:53"), 0);
    CHECK_EQ(parse("user,hostfwd=tcp:1-:65535"), 0);
}

TEST(net_user_spec_hostfwd_errors)
{
    CHECK_SPEC_ERROR("user,hostfwd=tcp:17010", "hostfwd=tcp:17010: expected "
                                               "tcp:[HOSTADDR:]HOSTPORT-:"
                                               "GUESTPORT");
    CHECK_SPEC_ERROR("user,hostfwd=17010-:80", "expected tcp:");
    CHECK_SPEC_ERROR("user,hostfwd=tcp:80-8080", "expected tcp:");
    CHECK_SPEC_ERROR("user,hostfwd=sctp:1-:2", "the protocol is tcp or udp, "
                                               "not 'sctp'");
    CHECK_SPEC_ERROR("user,hostfwd=TCP:1-:2", "not 'TCP'");
    CHECK_SPEC_ERROR("user,hostfwd=tcp:0-:7", "the host port '0' is not a "
                                              "number from 1 to 65535");
    CHECK_SPEC_ERROR("user,hostfwd=tcp:65536-:7", "'65536' is not a number");
    CHECK_SPEC_ERROR("user,hostfwd=tcp:-1-:7", "the host port '' is not");
    CHECK_SPEC_ERROR("user,hostfwd=tcp:+80-:7", "'+80' is not");
    CHECK_SPEC_ERROR("user,hostfwd=tcp:80-:", "the guest port '' is not");
    CHECK_SPEC_ERROR("user,hostfwd=tcp:80-:0x50", "the guest port '0x50'");
    CHECK_SPEC_ERROR("user,hostfwd=tcp:80-:80000", "the guest port '80000'");
    CHECK_SPEC_ERROR("user,hostfwd=udp:1000-10.0.2.15:7",
                     "leave the guest's address out");
    CHECK_SPEC_ERROR("user,hostfwd=tcp:1.2.3:80-:80",
                     "'1.2.3' is not an IPv4 address");
    CHECK_SPEC_ERROR("user,hostfwd=tcp:1.2.3.4.5.6.7.8.9:80-:80",
                     "is not an IPv4 address");
    CHECK_SPEC_ERROR("user,hostfwd=tcp:224.0.0.1:80-:80",
                     "224.0.0.1 is not an address of this host");
    CHECK_SPEC_ERROR("user,hostfwd=tcp:9000-:7,hostfwd=tcp:9000-:8",
                     "host port 9000 (tcp) is forwarded twice");
    CHECK_SPEC_ERROR("user,hostfwd=udp:9000-:7,hostfwd=udp:1.2.3.4:9000-:8",
                     "host port 9000 (udp) is forwarded twice");
    CHECK_SPEC_ERROR("user,hostfwd=", "hostfwd= has no value");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,hostfwd=tcp:80-:80",
                     "forwarding is for the user-mode network");
    CHECK_SPEC_ERROR("user,speed=1", "unknown option 'speed' (the options "
                                     "are ip=, gw=, dns=, mac=, mtu=, "
                                     "rate=, hostfwd=)");
    /* As many as there is room for, and not one more. */
    char spec[1024] = "user";
    for (int i = 0; i < HUSK_NET_FWD_MAX; i++)
        snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec),
                 ",hostfwd=tcp:%d-:80", 1000 + i);
    CHECK_EQ(parse(spec), 0);
    CHECK_EQ(cfg.fwd_count, HUSK_NET_FWD_MAX);
    strcat(spec, ",hostfwd=tcp:2000-:80");
    CHECK_SPEC_ERROR(spec, "more than 16 hostfwd= options");
}

TEST(net_user_spec_dns)
{
    /* By default the gateway, which passt forwards to the host's first
     * nameserver (--dns-forward, passt_cli.c). */
    CHECK_EQ(parse("user"), 0);
    CHECK_EQ(cfg.ipv4_dns, inet_addr("10.0.2.2"));
    CHECK(cfg.dns_forward);
    CHECK_EQ(parse("user,ip=192.168.100.1/24"), 0);
    CHECK_EQ(cfg.ipv4_dns, inet_addr("192.168.100.2"));
    CHECK(cfg.dns_forward);
    CHECK_EQ(parse("user,ip=172.20.0.9/16,gw=172.20.3.4"), 0);
    CHECK_EQ(cfg.ipv4_dns, inet_addr("172.20.3.4"));
    /* dns= as given, no forward: the guest's queries go there through
     * passt as any UDP does. */
    CHECK_EQ(parse("user,dns=192.0.2.53"), 0);
    CHECK_EQ(cfg.ipv4_dns, inet_addr("192.0.2.53"));
    CHECK(!cfg.dns_forward);
    CHECK_EQ(parse("user,dns=10.0.2.2"), 0);
    CHECK(!cfg.dns_forward);
    CHECK_SPEC_ERROR("user,dns=127.0.0.1", "the host's is the gateway");
}

/* resolv.conf as passt reads it: only an IPv4 address as a nameserver
 * line's last word counts. */
static bool names_ipv4(const char *text)
{
    return husk_net_resolv_has_ipv4(text, strlen(text));
}

TEST(net_user_resolv_conf)
{
    CHECK(names_ipv4("nameserver 10.255.255.53\n"));
    CHECK(names_ipv4("nameserver 127.0.0.53")); /* no newline at the end */
    CHECK(names_ipv4("# made by hand\nsearch example.com\noptions edns0\n"
                     "nameserver ::1\nnameserver 192.0.2.1\n"));
    CHECK(!names_ipv4(""));
    CHECK(!names_ipv4("\n\n"));
    CHECK(!names_ipv4("search example.com\n"));
    CHECK(!names_ipv4("nameserver ::1\nnameserver fe80::1%eth0\n"));
    CHECK(!names_ipv4("# nameserver 192.0.2.1\n"));
    CHECK(!names_ipv4(" nameserver 192.0.2.1\n"));
    CHECK(!names_ipv4("nameserver\t192.0.2.1\n"));
    CHECK(!names_ipv4("nameserver 192.0.2.1 \n")); /* the last word: "" */
    CHECK(!names_ipv4("nameserver 192.0.2\n"));
    CHECK(!names_ipv4("nameserver"));
    CHECK(names_ipv4("nameserver 192.0.2.1%x\n")); /* cut at the '%' */
    /* Only len bytes are read. */
    CHECK(!husk_net_resolv_has_ipv4("nameserver 192.0.2.1", 12));
}

TEST(net_user_spec_is_not_a_tap)
{
    /* "user" picks the back end; a tap of that name cannot be named,
     * but one that only starts so can. */
    CHECK_EQ(parse("user1,ip=10.0.0.2/24"), 0);
    CHECK(!cfg.user);
    CHECK_STREQ(cfg.tap, "user1");
    CHECK_SPEC_ERROR("tap0", "or use the user-mode network: "
                             "user[,hostfwd=...]");
}

/* ---- passt's command line and last words ---- */

TEST(net_user_passt_argv)
{
    CHECK_EQ(parse("user,ip=192.168.7.9/20,gw=192.168.0.1,mtu=9000,"
                   "hostfwd=tcp:18080-:8080,hostfwd=udp:127.0.0.1:5353-:53"),
             0);
    char buf[1024];
    const char *argv[40];
    int argc =
        husk_passt_argv("/usr/bin/passt", &cfg, buf, sizeof(buf), argv, 40);
    const char *want[] = {
        "/usr/bin/passt",   "--foreground", "--quiet",    "--ipv4-only",
        "--no-dhcp",        "--fd",         "3",          "--address",
        "192.168.7.9",      "--netmask",    "20",         "--gateway",
        "192.168.0.1",      "--mtu",        "9000",       "--dns-forward",
        "192.168.0.1",      "--tcp-ports",  "18080:8080", "--udp-ports",
        "127.0.0.1/5353:53"};
    CHECK_EQ(argc, sizeof(want) / sizeof(want[0]));
    for (int i = 0; i < argc; i++)
        CHECK_STREQ(argv[i], want[i]);
    CHECK(argv[argc] == NULL);
    /* Too little room, for the strings or the pointers: -1, not a cut. */
    CHECK_EQ(husk_passt_argv("/usr/bin/passt", &cfg, buf, 40, argv, 40), -1);
    CHECK_EQ(husk_passt_argv("/usr/bin/passt", &cfg, buf, sizeof(buf), argv,
                             (size_t)argc),
             -1);
    CHECK_EQ(husk_passt_argv("/usr/bin/passt", &cfg, buf, sizeof(buf), argv,
                             (size_t)argc + 1),
             argc);
}

TEST(net_user_passt_last_words)
{
    char out[64];
    const char log[] = "Failed to send 47 bytes to syslog\n"
                       "Failed to bind any port for '-t 17009:7', exiting\n"
                       "Failed to send 59 bytes to syslog\n\n";
    husk_passt_last_line(log, strlen(log), out, sizeof(out));
    CHECK_STREQ(out, "Failed to bind any port for '-t 17009:7', exiting");
    /* Control bytes never reach husk's line; a long one is cut. */
    const char evil[] = "a\x1b[2Jb\tc\r\n";
    husk_passt_last_line(evil, strlen(evil), out, sizeof(out));
    CHECK_STREQ(out, "a?[2Jb?c");
    char longline[200];
    memset(longline, 'x', sizeof(longline));
    husk_passt_last_line(longline, sizeof(longline), out, 10);
    CHECK_STREQ(out, "xxxxxxxxx");
    husk_passt_last_line("", 0, out, sizeof(out));
    CHECK_STREQ(out, "");
    const char only_syslog[] = "Failed to send 3 bytes to syslog\n";
    husk_passt_last_line(only_syslog, strlen(only_syslog), out, sizeof(out));
    CHECK_STREQ(out, "");
    /* Read from a pipe, without waiting. */
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK(write(p[1], log, strlen(log)) == (ssize_t)strlen(log));
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    husk_passt_last_words(p[0], out, sizeof(out));
    CHECK_STREQ(out, "Failed to bind any port for '-t 17009:7', exiting");
    husk_passt_last_words(p[0], out, sizeof(out)); /* nothing more */
    CHECK_STREQ(out, "");
    close(p[0]);
    close(p[1]);
}

/* ---- the stream's receive side ---- */

static struct husk_stream_rx *stream(void)
{
    static struct husk_stream_rx s;
    static uint8_t *buf;
    if (buf == NULL)
        buf = malloc(HUSK_STREAM_RX_BUF);
    s = (struct husk_stream_rx){.buf = buf};
    return &s;
}

/* Append bytes as a read would. */
static void feed(struct husk_stream_rx *s, const void *p, size_t n)
{
    size_t room;
    uint8_t *at = husk_stream_room(s, &room);
    if (room < n)
        FAIL("no room for %zu bytes (%zu)", n, room);
    memcpy(at, p, n);
    husk_stream_filled(s, n);
}

static void feed_frame(struct husk_stream_rx *s, uint32_t len, uint8_t fill)
{
    uint8_t prefix[4];
    put32(prefix, len);
    feed(s, prefix, 4);
    static uint8_t f[70000];
    memset(f, fill, len);
    feed(s, f, len);
}

TEST(net_user_stream_frames)
{
    struct husk_stream_rx *s = stream();
    uint8_t *f;
    uint32_t len;
    CHECK_EQ(husk_stream_next(s, 1514, &f, &len), HUSK_STREAM_NONE);
    feed_frame(s, 60, 0xa1);
    feed_frame(s, 1514, 0xa2);
    CHECK_EQ(husk_stream_next(s, 1514, &f, &len), HUSK_STREAM_FRAME);
    CHECK_EQ(len, 60);
    CHECK_EQ(f[59], 0xa1);
    CHECK_EQ(husk_stream_next(s, 1514, &f, &len), HUSK_STREAM_FRAME);
    CHECK_EQ(len, 1514);
    CHECK_EQ(f[0], 0xa2);
    CHECK_EQ(husk_stream_next(s, 1514, &f, &len), HUSK_STREAM_NONE);
    /* Cut anywhere, the length too: whole only when all of it is in. */
    uint8_t one[4 + 100];
    put32(one, 100);
    memset(one + 4, 0xb3, 100);
    for (size_t at = 1; at < sizeof(one); at += 7) {
        feed(s, one, at);
        CHECK_EQ(husk_stream_next(s, 1514, &f, &len), HUSK_STREAM_NONE);
        feed(s, one + at, sizeof(one) - at);
        CHECK_EQ(husk_stream_next(s, 1514, &f, &len), HUSK_STREAM_FRAME);
        CHECK_EQ(len, 100);
        CHECK_EQ(f[99], 0xb3);
    }
}

TEST(net_user_stream_drops)
{
    struct husk_stream_rx *s = stream();
    uint8_t *f;
    uint32_t len;
    /* A runt, and a frame longer than the guest takes, coming in two
     * parts: dropped whole, the good one behind them delivered. */
    feed_frame(s, 13, 0);
    uint8_t prefix[4];
    put32(prefix, 9000);
    feed(s, prefix, 4);
    static uint8_t big[9000];
    feed(s, big, 5000);
    CHECK_EQ(husk_stream_next(s, 1514, &f, &len), HUSK_STREAM_DROP);
    CHECK_EQ(len, 13);
    CHECK_EQ(husk_stream_next(s, 1514, &f, &len), HUSK_STREAM_DROP);
    CHECK_EQ(len, 9000);
    CHECK_EQ(husk_stream_next(s, 1514, &f, &len), HUSK_STREAM_NONE);
    feed(s, big, 4000); /* the rest of it */
    feed_frame(s, 42, 0xc4);
    CHECK_EQ(husk_stream_next(s, 1514, &f, &len), HUSK_STREAM_FRAME);
    CHECK_EQ(len, 42);
    CHECK_EQ(f[0], 0xc4);
    /* A length no frame has: the two ends are out of step. */
    put32(prefix, HUSK_STREAM_FRAME_MAX + 1);
    feed(s, prefix, 4);
    CHECK_EQ(husk_stream_next(s, 1514, &f, &len), HUSK_STREAM_BAD);
    CHECK_EQ(len, HUSK_STREAM_FRAME_MAX + 1);
    /* The largest frame passt sends fits, whole. */
    s = stream();
    feed_frame(s, HUSK_STREAM_FRAME_MAX, 0xd5);
    CHECK_EQ(husk_stream_next(s, HUSK_STREAM_FRAME_MAX, &f, &len),
             HUSK_STREAM_FRAME);
    CHECK_EQ(len, HUSK_STREAM_FRAME_MAX);
}

TEST(net_user_stream_room_and_overflow)
{
    struct husk_stream_rx *s = stream();
    uint8_t *f;
    uint32_t len;
    /* Fill it with frames the guest does not take: then dropping the
     * whole ones makes room again, and the partial one is kept. */
    size_t room;
    unsigned n = 0;
    while (husk_stream_room(s, &room), room >= 1518 + 4)
        feed_frame(s, 1514, (uint8_t)n++);
    uint8_t prefix[4];
    put32(prefix, 100);
    feed(s, prefix, 4);
    CHECK_EQ(husk_stream_drop_whole(s, 1514), n);
    husk_stream_room(s, &room);
    CHECK(room >= HUSK_STREAM_RX_BUF - 4);
    uint8_t rest[100];
    memset(rest, 0xe6, sizeof(rest));
    feed(s, rest, sizeof(rest));
    CHECK_EQ(husk_stream_next(s, 1514, &f, &len), HUSK_STREAM_FRAME);
    CHECK_EQ(len, 100);
    CHECK_EQ(f[0], 0xe6);
}

/* ---- TSO frames made whole ---- */

TEST(net_user_tso_one_segment)
{
    static uint8_t f[65600];
    uint32_t len = tcp_frame(f, GUEST_IP, 80, FAR_IP, 40000, ACK | PSH, 5000,
                             64240, NULL, 0, 14600);
    /* As the guest's driver leaves it: the pseudo-header's sum only. */
    put16(f + 34 + 16, 0x1234);
    struct virtio_net_hdr h;
    char why[160];
    CHECK_EQ(husk_vnet_header(f, len, 1460, 1500, &h, why, sizeof(why)), 0);
    static uint8_t head[HUSK_VNET_HEAD_MAX], head2[HUSK_VNET_HEAD_MAX];
    memcpy(head, f, h.hdr_len);
    struct husk_stream_piece p[2];
    CHECK_EQ(husk_stream_tso(&h, head, head2, f, len, p), 1);
    CHECK_EQ(be32(p[0].prefix), len);
    CHECK_EQ(p[0].head_len + p[0].payload_len, len);
    CHECK(p[0].payload == f + h.hdr_len); /* the payload is not copied */
    static uint8_t out[65600];
    memcpy(out, p[0].head, p[0].head_len);
    memcpy(out + p[0].head_len, p[0].payload, p[0].payload_len);
    CHECK(checksums_right(out, len));
}

TEST(net_user_tso_two_segments)
{
    /* The longest TSO frame the ABI allows (65,549 bytes) is longer than
     * passt takes (65,535): two segments, as TCP cuts them. */
    static uint8_t f[HUSK_NET_TSO_FRAME_MAX];
    const uint8_t ts[12] = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
    uint32_t payload = HUSK_NET_TSO_FRAME_MAX - 14 - 20 - 32;
    uint32_t len =
        tcp_frame(f, GUEST_IP, 80, FAR_IP, 40000, ACK | PSH | FIN | CWR,
                  0xfffff000, 64240, ts, sizeof(ts), payload);
    CHECK_EQ(len, HUSK_NET_TSO_FRAME_MAX);
    struct virtio_net_hdr h;
    char why[160];
    CHECK_EQ(husk_vnet_header(f, len, 1448, 1500, &h, why, sizeof(why)), 0);
    static uint8_t head[HUSK_VNET_HEAD_MAX], head2[HUSK_VNET_HEAD_MAX];
    memcpy(head, f, h.hdr_len);
    struct husk_stream_piece p[2];
    CHECK_EQ(husk_stream_tso(&h, head, head2, f, len, p), 2);
    uint32_t first = HUSK_STREAM_FRAME_MAX - 66;
    CHECK_EQ(be32(p[0].prefix), HUSK_STREAM_FRAME_MAX);
    CHECK_EQ(p[0].payload_len, first);
    CHECK_EQ(be32(p[1].prefix), 66 + payload - first);
    CHECK_EQ(p[1].payload_len, payload - first);
    CHECK(p[1].payload == f + 66 + first);
    static uint8_t a[65600], b[65600];
    memcpy(a, p[0].head, 66);
    memcpy(a + 66, p[0].payload, p[0].payload_len);
    memcpy(b, p[1].head, 66);
    memcpy(b + 66, p[1].payload, p[1].payload_len);
    CHECK(checksums_right(a, be32(p[0].prefix)));
    CHECK(checksums_right(b, be32(p[1].prefix)));
    /* Sequence numbers follow on (across the wrap), the IP ids too; PSH
     * and FIN only on the last, CWR only on the first. */
    CHECK_EQ(be32(a + 34 + 4), 0xfffff000);
    CHECK_EQ(be32(b + 34 + 4), 0xfffff000 + first);
    CHECK_EQ(be16(b + 14 + 4), 0x1235);
    CHECK_EQ(a[34 + 13], ACK | CWR);
    CHECK_EQ(b[34 + 13], ACK | PSH | FIN);
    /* The options go with both. */
    CHECK(memcmp(a + 54, ts, sizeof(ts)) == 0);
    CHECK(memcmp(b + 54, ts, sizeof(ts)) == 0);
}

/* ---- passt's TCP made up for ---- */

static struct husk_tcpfix *tcpfix(void)
{
    static struct husk_tcpfix t;
    memset(&t, 0, sizeof(t));
    return &t;
}

TEST(net_user_tcpfix_scales_passts_windows_back)
{
    struct husk_tcpfix *t = tcpfix();
    uint8_t f[200], nudge[HUSK_TCPFIX_NUDGE_MAX];
    /* A client's connection through a forward: passt's SYN offers a
     * scale of 7, the guest's SYN-ACK none. */
    uint32_t len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 80, SYN, 1, 65535,
                             syn_opts(7), 8, 0);
    CHECK(!husk_tcpfix_from_passt(t, f, len));
    CHECK_EQ(be16(f + 34 + 14), 65535); /* a SYN's window is never scaled */
    len = tcp_frame(f, GUEST_IP, 80, FAR_IP, 40000, SYN | ACK, 100, 64240,
                    (const uint8_t[]){2, 4, 5, 0xb4}, 4, 0);
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
    /* passt's windows, scaled by 7, are scaled back... */
    len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 80, ACK, 2, 416, NULL, 0, 100);
    CHECK(husk_tcpfix_from_passt(t, f, len));
    CHECK_EQ(be16(f + 34 + 14), 416 << 7);
    CHECK(checksums_right(f, len));
    /* ...to 65,535 at most; zero stays zero. */
    len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 80, ACK, 2, 600, NULL, 0, 0);
    CHECK(husk_tcpfix_from_passt(t, f, len));
    CHECK_EQ(be16(f + 34 + 14), 65535);
    CHECK(checksums_right(f, len));
    len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 80, ACK, 2, 0, NULL, 0, 0);
    CHECK(!husk_tcpfix_from_passt(t, f, len));
    /* Another connection is not this one's. */
    len = tcp_frame(f, FAR_IP, 40001, GUEST_IP, 80, ACK, 2, 416, NULL, 0, 0);
    CHECK(!husk_tcpfix_from_passt(t, f, len));
    /* A reset ends it. */
    len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 80, RST, 2, 416, NULL, 0, 0);
    CHECK(!husk_tcpfix_from_passt(t, f, len));
    len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 80, ACK, 2, 416, NULL, 0, 0);
    CHECK(!husk_tcpfix_from_passt(t, f, len));
}

TEST(net_user_tcpfix_guest_that_scales_is_left_alone)
{
    struct husk_tcpfix *t = tcpfix();
    uint8_t f[200], nudge[HUSK_TCPFIX_NUDGE_MAX];
    /* The guest opens, offering a scale; passt answers with one: scaling
     * is in force both ways, and passt's windows are right as they are. */
    uint32_t len = tcp_frame(f, GUEST_IP, 5000, FAR_IP, 80, SYN, 1, 64240,
                             syn_opts(2), 8, 0);
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
    len = tcp_frame(f, FAR_IP, 80, GUEST_IP, 5000, SYN | ACK, 9, 65535,
                    syn_opts(7), 8, 0);
    CHECK(!husk_tcpfix_from_passt(t, f, len));
    len = tcp_frame(f, FAR_IP, 80, GUEST_IP, 5000, ACK, 10, 416, NULL, 0, 0);
    CHECK(!husk_tcpfix_from_passt(t, f, len));
    CHECK_EQ(be16(f + 34 + 14), 416);
    /* The same guest opening without one: passt's windows scaled back. */
    len = tcp_frame(f, GUEST_IP, 5001, FAR_IP, 80, SYN, 1, 64240,
                    (const uint8_t[]){2, 4, 5, 0xb4}, 4, 0);
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
    len = tcp_frame(f, FAR_IP, 80, GUEST_IP, 5001, SYN | ACK, 9, 65535,
                    syn_opts(7), 8, 0);
    CHECK(!husk_tcpfix_from_passt(t, f, len));
    len = tcp_frame(f, FAR_IP, 80, GUEST_IP, 5001, ACK, 10, 416, NULL, 0, 0);
    CHECK(husk_tcpfix_from_passt(t, f, len));
    CHECK_EQ(be16(f + 34 + 14), 416 << 7);
}

TEST(net_user_tcpfix_retransmission_asks_for_an_ack)
{
    struct husk_tcpfix *t = tcpfix();
    uint8_t f[2000], nudge[HUSK_TCPFIX_NUDGE_MAX];
    uint32_t len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 7, SYN, 1, 65535,
                             syn_opts(8), 8, 0);
    husk_tcpfix_from_passt(t, f, len);
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, SYN | ACK, 1000, 64240, NULL,
                    0, 0);
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
    /* New data: nothing to ask. */
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, ACK, 1001, 0, NULL, 0, 1460);
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, ACK | PSH, 2461, 3000, NULL,
                    0, 1460);
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
    /* The first segment again: a byte past all the guest has sent (3921)
     * goes after it, out of order for passt, with its own checksums, and
     * the segment's ACK and window; no PSH. */
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, ACK | PSH, 1001, 0, NULL, 0,
                    1460);
    uint32_t n = husk_tcpfix_from_guest(t, f, len, nudge);
    CHECK_EQ(n, 55);
    CHECK(checksums_right(nudge, n));
    CHECK_EQ(be32(nudge + 34 + 4), 3922);
    CHECK_EQ(be32(nudge + 34 + 8), 1000); /* its ACK, as tcp_frame makes */
    CHECK_EQ(nudge[34 + 13], ACK);
    CHECK_EQ(be16(nudge + 34 + 14), 0);
    CHECK(memcmp(nudge + 14 + 12, f + 14 + 12, 8) == 0);
    CHECK_EQ(t->nudges, 1);
    /* A segment that only partly repeats carries new data: nothing. */
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, ACK, 3000, 0, NULL, 0, 1460);
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
    /* No data, or not TCP to look at: nothing. */
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, ACK, 1001, 0, NULL, 0, 0);
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, ACK, 1001, 0, NULL, 0, 1460);
    CHECK_EQ(husk_tcpfix_from_guest(t, f, 50, nudge), 0);
    f[14 + 6] = 0x20; /* MF: a fragment */
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
    f[14 + 6] = 0x40;
    f[14 + 9] = 17;
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
    /* Another connection's: not known, nothing. */
    len = tcp_frame(f, GUEST_IP, 8, FAR_IP, 40000, ACK, 1001, 0, NULL, 0, 1460);
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
}

TEST(net_user_tcpfix_many_connections)
{
    /* More than it follows: the oldest are forgotten, the table stays
     * whole, and the newest are still fixed. */
    struct husk_tcpfix *t = tcpfix();
    uint8_t f[200];
    unsigned conns = HUSK_TCPFIX_BUCKETS * HUSK_TCPFIX_WAYS * 2;
    for (unsigned i = 0; i < conns; i++) {
        uint32_t len = tcp_frame(f, FAR_IP, (uint16_t)(1024 + i % 60000),
                                 GUEST_IP, (uint16_t)(1 + i / 60000), SYN, 1,
                                 65535, syn_opts(7), 8, 0);
        husk_tcpfix_from_passt(t, f, len);
    }
    unsigned i = conns - 1;
    uint32_t len =
        tcp_frame(f, FAR_IP, (uint16_t)(1024 + i % 60000), GUEST_IP,
                  (uint16_t)(1 + i / 60000), ACK, 2, 100, NULL, 0, 0);
    CHECK(husk_tcpfix_from_passt(t, f, len));
    CHECK_EQ(be16(f + 34 + 14), 100 << 7);
    /* Each connection followed is counted once, the forgotten not. */
    unsigned sending = 0;
    for (unsigned b = 0; b < HUSK_TCPFIX_BUCKETS; b++)
        for (unsigned w = 0; w < HUSK_TCPFIX_WAYS; w++)
            sending += t->conn[b][w].used && t->conn[b][w].sending;
    CHECK_EQ(t->live, sending);
    CHECK(sending > HUSK_TCPFIX_BUCKETS);
}

/* f's ACK number set, its checksums made right again. */
static void set_ack(uint8_t *f, uint32_t ack)
{
    put32(f + 34 + 8, ack);
    set_checksums(f);
}

/* A connection through a forward, as passt opens it: its SYN (MSS 1460,
 * scale 7) and the guest's SYN-ACK (scale 2, as lwIP offers). Returns
 * the fate of the SYN-ACK. */
static enum husk_tcpfix_fate open_forwarded(struct husk_tcpfix *t,
                                            uint16_t port, uint16_t *window)
{
    uint8_t f[200], nudge[HUSK_TCPFIX_NUDGE_MAX];
    uint32_t len = tcp_frame(f, FAR_IP, port, GUEST_IP, 7, SYN, 1, 65535,
                             syn_opts(7), 8, 0);
    husk_tcpfix_from_passt(t, f, len);
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, port, SYN | ACK, 100, 65535,
                    syn_opts(2), 8, 0);
    set_ack(f, 2);
    enum husk_tcpfix_fate fate = husk_tcpfix_narrow(t, f, len);
    CHECK(checksums_right(f, len));
    *window = (uint16_t)be16(f + 34 + 14);
    husk_tcpfix_from_guest(t, f, len, nudge);
    return fate;
}

/* The guest's pure ACK on port's connection with window wnd (scaled by
 * 4): its fate, and the window that would go to passt. */
static enum husk_tcpfix_fate guest_ack(struct husk_tcpfix *t, uint16_t port,
                                       uint32_t ack, uint16_t wnd,
                                       uint16_t *sent)
{
    uint8_t f[200], nudge[HUSK_TCPFIX_NUDGE_MAX];
    uint32_t len =
        tcp_frame(f, GUEST_IP, 7, FAR_IP, port, ACK, 101, wnd, NULL, 0, 0);
    set_ack(f, ack);
    enum husk_tcpfix_fate fate = husk_tcpfix_narrow(t, f, len);
    CHECK(checksums_right(f, len));
    *sent = (uint16_t)be16(f + 34 + 14);
    if (fate != HUSK_TCPFIX_HELD)
        husk_tcpfix_from_guest(t, f, len, nudge);
    return fate;
}

TEST(net_user_tcpfix_windows_share_the_budget)
{
    struct husk_tcpfix *t = tcpfix();
    t->budget = 40000;
    uint16_t w;
    /* One connection: its SYN-ACK's window (never scaled) is cut to the
     * whole budget, checksums right. */
    CHECK_EQ(open_forwarded(t, 40000, &w), HUSK_TCPFIX_CHANGED);
    CHECK_EQ(w, 40000);
    CHECK_EQ(t->live, 1);
    /* Scaled by 4: 64,240 x 4 is cut to 40,000, sent as 10,000. */
    CHECK_EQ(guest_ack(t, 40000, 2, 64240, &w), HUSK_TCPFIX_CHANGED);
    CHECK_EQ(w, 10000);
    /* A window within its share goes as it is. */
    CHECK_EQ(guest_ack(t, 40000, 3, 5000, &w), HUSK_TCPFIX_AS_IS);
    CHECK_EQ(w, 5000);
    /* A second connection halves each share. */
    CHECK_EQ(open_forwarded(t, 40001, &w), HUSK_TCPFIX_CHANGED);
    CHECK_EQ(w, 20000);
    CHECK_EQ(t->live, 2);
    CHECK_EQ(guest_ack(t, 40000, 4, 64240, &w), HUSK_TCPFIX_CHANGED);
    CHECK_EQ(w, 5000);
    /* Never below passt's MSS: a budget of 1,000 still gives 1,460. */
    t->budget = 1000;
    CHECK_EQ(guest_ack(t, 40000, 5, 64240, &w), HUSK_TCPFIX_CHANGED);
    CHECK_EQ(w, 1460 / 4);
    t->budget = 40000;
    /* passt's FIN: it sends no more there, so the other gets it all. */
    uint8_t f[200];
    uint32_t len =
        tcp_frame(f, FAR_IP, 40001, GUEST_IP, 7, FIN | ACK, 2, 100, NULL, 0, 0);
    husk_tcpfix_from_passt(t, f, len);
    CHECK_EQ(t->live, 1);
    CHECK_EQ(guest_ack(t, 40000, 6, 64240, &w), HUSK_TCPFIX_CHANGED);
    CHECK_EQ(w, 10000);
    /* A reset ends the other. */
    len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 7, RST, 2, 0, NULL, 0, 0);
    husk_tcpfix_from_passt(t, f, len);
    CHECK_EQ(t->live, 0);
    /* No budget: windows are left alone. */
    t->budget = 0;
    CHECK_EQ(open_forwarded(t, 40002, &w), HUSK_TCPFIX_AS_IS);
    CHECK_EQ(w, 65535);
}

TEST(net_user_tcpfix_holds_what_would_loop_passt)
{
    struct husk_tcpfix *t = tcpfix();
    t->budget = 40000;
    uint16_t w;
    open_forwarded(t, 40000, &w);
    CHECK_EQ(guest_ack(t, 40000, 2, 64240, &w), HUSK_TCPFIX_CHANGED);
    /* A window update, narrowed to the window passt has, would be a
     * duplicate ACK: held. */
    CHECK_EQ(guest_ack(t, 40000, 2, 64000, &w), HUSK_TCPFIX_HELD);
    CHECK_EQ(t->held, 1);
    /* A duplicate ACK the guest meant (its window the same) goes. */
    CHECK_EQ(guest_ack(t, 40000, 2, 64000, &w), HUSK_TCPFIX_CHANGED);
    /* New data acknowledged: goes. */
    CHECK_EQ(guest_ack(t, 40000, 500, 64000, &w), HUSK_TCPFIX_CHANGED);
    /* The guest's SYN-ACK again (a SYN given again): held. */
    uint8_t f[2000], nudge[HUSK_TCPFIX_NUDGE_MAX];
    uint32_t len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, SYN | ACK, 100,
                             65535, syn_opts(2), 8, 0);
    set_ack(f, 2);
    CHECK_EQ(husk_tcpfix_narrow(t, f, len), HUSK_TCPFIX_HELD);
    /* passt's FIN (at 600), the guest's FIN: the guest's ACKs still go
     * until one acknowledges passt's FIN, then they are held; a FIN sent
     * again still goes, and asks for no ACK. */
    len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 7, FIN | ACK, 500, 100, NULL, 0,
                    100);
    husk_tcpfix_from_passt(t, f, len);
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, FIN | ACK, 101, 100, NULL, 0,
                    1460);
    set_ack(f, 600);
    CHECK_EQ(husk_tcpfix_narrow(t, f, len), HUSK_TCPFIX_AS_IS);
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
    CHECK_EQ(guest_ack(t, 40000, 600, 100, &w), HUSK_TCPFIX_AS_IS);
    CHECK_EQ(guest_ack(t, 40000, 601, 100, &w), HUSK_TCPFIX_AS_IS);
    CHECK_EQ(guest_ack(t, 40000, 601, 100, &w), HUSK_TCPFIX_HELD);
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, FIN | ACK, 101, 100, NULL, 0,
                    1460);
    set_ack(f, 601);
    CHECK_EQ(husk_tcpfix_narrow(t, f, len), HUSK_TCPFIX_AS_IS);
    CHECK_EQ(husk_tcpfix_from_guest(t, f, len, nudge), 0);
    CHECK_EQ(t->nudges, 0);
    /* A reset always goes. */
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, RST | ACK, 1562, 0, NULL, 0,
                    0);
    CHECK_EQ(husk_tcpfix_narrow(t, f, len), HUSK_TCPFIX_AS_IS);
}

TEST(net_user_tcpfix_host_clients_idle_and_late_synacks)
{
    struct husk_tcpfix *t = tcpfix();
    t->budget = 40000;
    uint16_t w;
    /* A client on the host itself (passt shows it as the gateway) keeps
     * 128 KiB, whatever the share: loopback segments are 65,483 bytes. */
    inet_pton(AF_INET, FAR_IP, &t->host_addr);
    open_forwarded(t, 40000, &w);
    CHECK_EQ(w, 65535); /* a SYN's window: unscaled, at most 65,535 */
    CHECK_EQ(guest_ack(t, 40000, 2, 64240, &w), HUSK_TCPFIX_CHANGED);
    CHECK_EQ(w, HUSK_TCPFIX_HOST_FLOOR / 4);
    /* Not once the floors would overfill passt's socket (4 budgets):
     * two of them here, and each gets its share. */
    open_forwarded(t, 40003, &w);
    CHECK_EQ(guest_ack(t, 40000, 3, 64240, &w), HUSK_TCPFIX_CHANGED);
    CHECK_EQ(w, 20000 / 4);
    uint8_t rst[200];
    uint32_t rlen =
        tcp_frame(rst, FAR_IP, 40003, GUEST_IP, 7, RST, 2, 0, NULL, 0, 0);
    husk_tcpfix_from_passt(t, rst, rlen);
    t->host_addr = 0;
    /* Quiet for 10 s: no longer counted; counted again when it stirs. */
    open_forwarded(t, 40001, &w);
    CHECK_EQ(t->live, 2);
    t->now_ns = HUSK_TCPFIX_IDLE_NS + 2000000000ULL;
    CHECK_EQ(guest_ack(t, 40001, 2, 64240, &w), HUSK_TCPFIX_CHANGED);
    CHECK_EQ(t->live, 1); /* 40000 was swept; 40001 spoke */
    CHECK_EQ(w, 10000);   /* the whole budget, in units of 4 */
    CHECK_EQ(guest_ack(t, 40000, 3, 64240, &w), HUSK_TCPFIX_CHANGED);
    CHECK_EQ(t->live, 2);
    CHECK_EQ(w, 5000);
    /* A SYN-ACK repeated 200 ms or more after the first goes. */
    uint8_t f[200];
    open_forwarded(t, 40002, &w);
    uint32_t len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40002, SYN | ACK, 100,
                             65535, syn_opts(2), 8, 0);
    set_ack(f, 2);
    CHECK_EQ(husk_tcpfix_narrow(t, f, len), HUSK_TCPFIX_HELD);
    t->now_ns += HUSK_TCPFIX_SYNACK_HOLD_NS;
    CHECK(husk_tcpfix_narrow(t, f, len) != HUSK_TCPFIX_HELD);
}

/* A poke as tcpfix.h has it: the guest's headers toward passt, an old ACK
 * (ack - 1) at the guest's next sequence number, its window, no data. */
static void check_poke(const uint8_t *p, uint32_t len, uint16_t port,
                       uint32_t seq, uint32_t ack, uint16_t wnd)
{
    uint8_t want[200];
    CHECK_EQ(len, HUSK_TCPFIX_POKE_MAX - 1);
    CHECK(checksums_right(p, len));
    tcp_frame(want, GUEST_IP, 7, FAR_IP, port, ACK, seq, wnd, NULL, 0, 0);
    CHECK(memcmp(p, want, 14) == 0);          /* Ethernet, as the guest's */
    CHECK(memcmp(p + 26, want + 26, 8) == 0); /* addresses */
    CHECK_EQ(be16(p + 34), 7);
    CHECK_EQ(be16(p + 36), port);
    CHECK_EQ(be32(p + 34 + 4), seq);
    CHECK_EQ(be32(p + 34 + 8), ack - 1);
    CHECK_EQ(p[34 + 13], ACK);
    CHECK_EQ(be16(p + 34 + 14), wnd);
}

/* passt's segment on port's connection with window wnd (unscaled),
 * acknowledging up to ack. */
static void passt_window(struct husk_tcpfix *t, uint16_t port, uint8_t flags,
                         uint16_t wnd, uint32_t ack)
{
    uint8_t f[200];
    uint32_t len =
        tcp_frame(f, FAR_IP, port, GUEST_IP, 7, flags, 2, wnd, NULL, 0, 0);
    set_ack(f, ack);
    husk_tcpfix_from_passt(t, f, len);
}

/* The guest's data on port's connection: 1,000 bytes at seq. */
static void guest_data(struct husk_tcpfix *t, uint16_t port, uint32_t seq,
                       uint8_t flags)
{
    uint8_t f[2000], nudge[HUSK_TCPFIX_NUDGE_MAX];
    uint32_t len =
        tcp_frame(f, GUEST_IP, 7, FAR_IP, port, flags, seq, 900, NULL, 0, 1000);
    set_ack(f, 2);
    husk_tcpfix_narrow(t, f, len);
    husk_tcpfix_from_guest(t, f, len, nudge);
}

TEST(net_user_tcpfix_pokes_a_shut_window)
{
    struct husk_tcpfix *t = tcpfix();
    uint8_t p[HUSK_TCPFIX_POKE_MAX];
    uint16_t w;
    t->now_ns = 5000000000ULL;
    open_forwarded(t, 40000, &w);
    guest_data(t, 40000, 101, ACK);
    CHECK_EQ(husk_tcpfix_poke_wait(t, t->now_ns), UINT64_MAX);
    CHECK_EQ(husk_tcpfix_poke(t, p), 0);
    /* passt shuts its window: a poke 1 ms later, then 2, 4, ... 256 ms. */
    passt_window(t, 40000, ACK, 0, 1101);
    CHECK_EQ(husk_tcpfix_poke_wait(t, t->now_ns), 1000000);
    CHECK_EQ(husk_tcpfix_poke(t, p), 0);
    uint64_t gap = 1000000;
    for (unsigned k = 0; k < 12; k++) {
        t->now_ns += gap;
        CHECK_EQ(husk_tcpfix_poke_wait(t, t->now_ns), 0);
        check_poke(p, husk_tcpfix_poke(t, p), 40000, 1101, 2, 900);
        CHECK_EQ(husk_tcpfix_poke(t, p), 0); /* one at a time */
        gap = gap * 2 < 256000000 ? gap * 2 : 256000000;
        CHECK_EQ(husk_tcpfix_poke_wait(t, t->now_ns), gap);
    }
    CHECK_EQ(t->pokes, 12);
    /* More zero windows change nothing; an open one ends it. */
    passt_window(t, 40000, ACK, 0, 1101);
    CHECK_EQ(husk_tcpfix_poke_wait(t, t->now_ns), 1000000);
    passt_window(t, 40000, ACK, 300, 1101);
    t->now_ns += gap;
    CHECK_EQ(husk_tcpfix_poke(t, p), 0);
    CHECK_EQ(husk_tcpfix_poke_wait(t, t->now_ns), UINT64_MAX);
    /* Shut again: from 1 ms again, at the guest's next byte. */
    guest_data(t, 40000, 1101, ACK);
    passt_window(t, 40000, ACK, 0, 2101);
    t->now_ns += 1000000;
    check_poke(p, husk_tcpfix_poke(t, p), 40000, 2101, 2, 900);
    /* Once the guest has sent its FIN, no more (tcpfix.h). */
    guest_data(t, 40000, 2101, ACK | FIN);
    t->now_ns += 2000000;
    CHECK_EQ(husk_tcpfix_poke(t, p), 0);
    CHECK_EQ(husk_tcpfix_poke_wait(t, t->now_ns), UINT64_MAX);
    /* A reset ends it too. */
    open_forwarded(t, 40001, &w);
    guest_data(t, 40001, 101, ACK);
    passt_window(t, 40001, ACK, 0, 1101);
    passt_window(t, 40001, RST, 0, 1101);
    t->now_ns += 1000000;
    CHECK_EQ(husk_tcpfix_poke(t, p), 0);
    /* One that never acknowledged anything is not poked. */
    open_forwarded(t, 40002, &w);
    passt_window(t, 40002, ACK, 0, 101);
    t->now_ns += 1000000;
    CHECK_EQ(husk_tcpfix_poke(t, p), 0);
    CHECK_EQ(t->owed_count, 0);
    CHECK_EQ(t->pokes, 13);
}

TEST(net_user_tcpfix_asks_for_an_ack_passt_owes)
{
    struct husk_tcpfix *t = tcpfix();
    uint8_t p[HUSK_TCPFIX_POKE_MAX];
    uint16_t w;
    t->now_ns = 5000000000ULL;
    open_forwarded(t, 40000, &w);
    passt_window(t, 40000, ACK, 300, 101); /* the handshake's last */
    CHECK_EQ(husk_tcpfix_poke_wait(t, t->now_ns), UINT64_MAX);
    guest_data(t, 40000, 101, ACK);
    /* Sent and not acknowledged: asked for 60 ms after it went... */
    CHECK_EQ(husk_tcpfix_poke_wait(t, t->now_ns), 60000000);
    /* ...or after passt last said something that owed it still. */
    t->now_ns += 50000000;
    passt_window(t, 40000, ACK, 300, 101);
    CHECK_EQ(husk_tcpfix_poke_wait(t, t->now_ns), 60000000);
    t->now_ns += 60000000;
    uint32_t n = husk_tcpfix_poke(t, p);
    /* A byte past all the guest has sent, its last ACK and window. */
    CHECK_EQ(n, HUSK_TCPFIX_POKE_MAX);
    CHECK(checksums_right(p, n));
    CHECK_EQ(be32(p + 34 + 4), 1102);
    CHECK_EQ(be32(p + 34 + 8), 2);
    CHECK_EQ(be16(p + 34 + 14), 900);
    CHECK_EQ(p[34 + 13], ACK);
    CHECK_EQ(husk_tcpfix_poke(t, p), 0);
    CHECK_EQ(husk_tcpfix_poke_wait(t, t->now_ns), 120000000);
    /* More data does not put it off; passt's ACK of all of it ends it. */
    guest_data(t, 40000, 1101, ACK);
    CHECK_EQ(husk_tcpfix_poke_wait(t, t->now_ns), 120000000);
    passt_window(t, 40000, ACK, 300, 2101);
    t->now_ns += 120000000;
    CHECK_EQ(husk_tcpfix_poke(t, p), 0);
    CHECK_EQ(t->owed_count, 0);
    CHECK_EQ(t->pokes, 1);
}

TEST(net_user_tcpfix_shut_windows_followed_at_once)
{
    struct husk_tcpfix *t = tcpfix();
    uint8_t p[HUSK_TCPFIX_POKE_MAX];
    uint16_t w;
    t->now_ns = 5000000000ULL;
    for (uint16_t k = 0; k < HUSK_TCPFIX_OWED_MAX + 8; k++) {
        open_forwarded(t, (uint16_t)(41000 + k), &w);
        guest_data(t, (uint16_t)(41000 + k), 101, ACK);
        passt_window(t, (uint16_t)(41000 + k), ACK, 0, 1101);
    }
    CHECK_EQ(t->owed_count, HUSK_TCPFIX_OWED_MAX);
    t->now_ns += 1000000;
    unsigned n = 0;
    while (husk_tcpfix_poke(t, p) != 0)
        n++;
    CHECK_EQ(n, HUSK_TCPFIX_OWED_MAX);
    /* One opens: its place is free for the next that shuts. */
    passt_window(t, 41000, ACK, 100, 1101);
    t->now_ns += 2000000;
    while (husk_tcpfix_poke(t, p) != 0)
        ;
    CHECK_EQ(t->owed_count, HUSK_TCPFIX_OWED_MAX - 1);
    passt_window(t, 41000 + HUSK_TCPFIX_OWED_MAX + 3, ACK, 100, 1101);
    passt_window(t, 41000 + HUSK_TCPFIX_OWED_MAX + 3, ACK, 0, 1101);
    CHECK_EQ(t->owed_count, HUSK_TCPFIX_OWED_MAX);
}

/* ---- ARP answered in the monitor ---- */

static uint32_t arp_frame(uint8_t *f, uint16_t op, const char *sender,
                          const char *target)
{
    memset(f, 0, 60);
    memset(f, 0xff, 6);
    memset(f + 6, 0x02, 6);
    put16(f + 12, 0x0806);
    put16(f + 14, 1);
    put16(f + 16, 0x0800);
    f[18] = 6, f[19] = 4;
    put16(f + 20, op);
    memset(f + 22, 0x02, 6);
    inet_pton(AF_INET, sender, f + 28);
    inet_pton(AF_INET, target, f + 38);
    return 60;
}

TEST(net_user_arp_answers)
{
    static struct husk_arp a;
    memset(&a, 0, sizeof(a));
    memcpy(a.peer_mac, (const uint8_t[]){0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55},
           6);
    a.guest_ip = inet_addr(GUEST_IP);
    uint8_t f[60];
    CHECK(husk_arp_next(&a) == NULL);
    /* Who has the gateway, and who has any other address: passt's MAC. */
    CHECK(husk_arp_request(&a, f, arp_frame(f, 1, GUEST_IP, "10.0.2.2")));
    CHECK(husk_arp_request(&a, f, arp_frame(f, 1, "0.0.0.0", "10.99.99.99")));
    const uint8_t *r = husk_arp_next(&a);
    CHECK(r != NULL);
    CHECK(memcmp(r, f + 6, 6) == 0); /* to the guest */
    CHECK(memcmp(r + 6, a.peer_mac, 6) == 0);
    CHECK_EQ(be16(r + 12), 0x0806);
    CHECK_EQ(be16(r + 20), 2); /* a reply */
    CHECK(memcmp(r + 22, a.peer_mac, 6) == 0);
    CHECK_EQ(be32(r + 28), be32((const uint8_t[]){10, 0, 2, 2}));
    CHECK(memcmp(r + 32, f + 22, 6) == 0);
    CHECK_EQ(be32(r + 38), be32((const uint8_t[]){10, 0, 2, 15}));
    r = husk_arp_next(&a);
    CHECK(r != NULL);
    CHECK_EQ(be32(r + 28), be32((const uint8_t[]){10, 99, 99, 99}));
    CHECK_EQ(be32(r + 38), 0);
    CHECK(husk_arp_next(&a) == NULL);
    /* Taken but not answered, as passt does: an announcement, and a
     * question for the guest's own address. */
    CHECK(husk_arp_request(&a, f, arp_frame(f, 1, GUEST_IP, GUEST_IP)));
    CHECK(husk_arp_request(&a, f, arp_frame(f, 1, "10.0.2.9", GUEST_IP)));
    CHECK(husk_arp_next(&a) == NULL);
    /* Not requests: for passt. */
    CHECK(!husk_arp_request(&a, f, arp_frame(f, 2, GUEST_IP, "10.0.2.2")));
    CHECK(!husk_arp_request(&a, f, 41));
    f[12] = 0x08, f[13] = 0x00;
    CHECK(!husk_arp_request(&a, f, 60));
    /* A flood: the queue keeps what fits, the rest is counted. */
    for (int i = 0; i < HUSK_ARP_PENDING + 10; i++)
        CHECK(husk_arp_request(&a, f, arp_frame(f, 1, GUEST_IP, "10.0.2.3")));
    CHECK_EQ(a.dropped, 10);
    CHECK_EQ(a.answered, 2 + HUSK_ARP_PENDING);
}

/* ---- SYNs given again ---- */

#define S 1000000000ULL

TEST(net_user_synretry)
{
    static struct husk_synretry t;
    memset(&t, 0, sizeof(t));
    uint8_t f[200], out[HUSK_SYN_FRAME_MAX];
    uint32_t len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 7, SYN, 1, 65535,
                             syn_opts(7), 8, 0);
    CHECK_EQ(husk_synretry_wait(&t, 0), UINT64_MAX);
    husk_synretry_from_passt(&t, f, len, 10 * S);
    CHECK_EQ(husk_synretry_wait(&t, 10 * S), S);
    CHECK_EQ(husk_synretry_due(&t, 10 * S + S - 1, out), 0);
    /* Due 1 s, 3 s and 7 s after the first, the same frame each time. */
    CHECK_EQ(husk_synretry_due(&t, 11 * S, out), len);
    CHECK(memcmp(out, f, len) == 0);
    CHECK_EQ(husk_synretry_wait(&t, 11 * S), 2 * S);
    CHECK_EQ(husk_synretry_due(&t, 12 * S, out), 0);
    CHECK_EQ(husk_synretry_due(&t, 13 * S, out), len);
    CHECK_EQ(husk_synretry_due(&t, 16 * S, out), 0);
    CHECK_EQ(husk_synretry_due(&t, 17 * S, out), len);
    CHECK_EQ(husk_synretry_due(&t, 100 * S, out), 0); /* then no more */
    CHECK_EQ(t.resent, 3);
    /* Answered (a SYN-ACK), or reset from either side: forgotten. */
    husk_synretry_from_passt(&t, f, len, 0);
    uint8_t g[200];
    uint32_t glen = tcp_frame(g, GUEST_IP, 7, FAR_IP, 40000, SYN | ACK, 5,
                              64240, NULL, 0, 0);
    husk_synretry_from_guest(&t, g, glen);
    CHECK_EQ(husk_synretry_due(&t, 100 * S, out), 0);
    husk_synretry_from_passt(&t, f, len, 0);
    glen =
        tcp_frame(g, GUEST_IP, 7, FAR_IP, 40000, RST | ACK, 0, 0, NULL, 0, 0);
    husk_synretry_from_guest(&t, g, glen);
    CHECK_EQ(husk_synretry_due(&t, 100 * S, out), 0);
    husk_synretry_from_passt(&t, f, len, 0);
    glen = tcp_frame(g, FAR_IP, 40000, GUEST_IP, 7, RST, 0, 0, NULL, 0, 0);
    husk_synretry_from_passt(&t, g, glen, 0);
    CHECK_EQ(husk_synretry_due(&t, 100 * S, out), 0);
    /* Another connection's answer does not count; passt's SYN-ACK (to the
     * guest's own SYN) is not kept. */
    husk_synretry_from_passt(&t, f, len, 0);
    glen = tcp_frame(g, GUEST_IP, 7, FAR_IP, 40001, SYN | ACK, 5, 64240, NULL,
                     0, 0);
    husk_synretry_from_guest(&t, g, glen);
    glen = tcp_frame(g, FAR_IP, 80, GUEST_IP, 5000, SYN | ACK, 5, 64240, NULL,
                     0, 0);
    husk_synretry_from_passt(&t, g, glen, 0);
    CHECK_EQ(t.count, 1);
    /* Full: the oldest goes, the count stays bounded. */
    for (unsigned i = 0; i < HUSK_SYN_PENDING + 5; i++) {
        len = tcp_frame(f, FAR_IP, (uint16_t)(1000 + i), GUEST_IP, 7, SYN, 1,
                        65535, NULL, 0, 0);
        husk_synretry_from_passt(&t, f, len, 0);
    }
    CHECK_EQ(t.count, HUSK_SYN_PENDING);
}

/* ---- net_info and net_io through passt's socket ---- */

#define ARG_GPA 0x200000ULL
#define TX_GPA 0x201000ULL
#define RX_GPA 0x202000ULL
#define BUF_GPA 0x210000ULL /* frame buffers, 0x10000 apart */
#define RXBUF_GPA 0x300000ULL

struct user_vm {
    struct husk_vm *vm;
    struct husk_config cfg;
    int passt; /* the far end: what passt reads and writes */
};

static struct user_vm *user_vm(void)
{
    static struct user_vm t;
    memset(&t, 0, sizeof(t));
    t.vm = fakevm_new();
    t.cfg.device_count = 1;
    t.cfg.devices[0].kind = HUSK_DEVICE_NET;
    strcpy(t.cfg.devices[0].name, "service");
    t.vm->cfg = &t.cfg;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        FAIL("socketpair");
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    int big = HUSK_PASST_SNDBUF;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    if (parse("user") != 0)
        FAIL("parse: %s", err);
    cfg.mtu = 1500;
    memcpy(cfg.mac, (const uint8_t[]){2, 0, 0, 0, 0, 7}, 6);
    husk_net_attach(t.vm, 0, sv[0], &cfg);
    husk_net_register(t.vm);
    t.passt = sv[1];
    return &t;
}

static void *gpa(struct user_vm *t, uint64_t a)
{
    return t->vm->mem + a;
}

static struct husk_hc_net_io *io(struct user_vm *t, uint32_t tx, uint32_t rx)
{
    struct husk_hc_net_io *a = gpa(t, ARG_GPA);
    memset(a, 0, sizeof(*a));
    a->tx_gpa = TX_GPA;
    a->rx_gpa = RX_GPA;
    a->tx_count = tx;
    a->rx_count = rx;
    struct husk_net_frame *r = gpa(t, RX_GPA);
    for (uint32_t i = 0; i < rx; i++)
        r[i] = (struct husk_net_frame){.buf_gpa = RXBUF_GPA + 0x1000ULL * i,
                                       .cap = 1514};
    return a;
}

static void tx(struct user_vm *t, unsigned i, const uint8_t *frame,
               uint32_t len, uint32_t mss)
{
    struct husk_net_frame *f = gpa(t, TX_GPA);
    f[i] = (struct husk_net_frame){
        .buf_gpa = BUF_GPA + 0x10000ULL * i, .len = len, .mss = mss};
    memcpy(gpa(t, f[i].buf_gpa), frame, len);
}

/* The next frame passt would read, its length; 0 if none is there. */
static uint32_t passt_reads(struct user_vm *t, uint8_t *frame)
{
    uint8_t prefix[4];
    if (recv(t->passt, prefix, 4, MSG_DONTWAIT | MSG_WAITALL) != 4)
        return 0;
    uint32_t len = be32(prefix);
    if (recv(t->passt, frame, len, MSG_WAITALL) != (ssize_t)len)
        FAIL("a frame of %u bytes came cut short", len);
    return len;
}

static void passt_sends(struct user_vm *t, const uint8_t *frame, uint32_t len)
{
    uint8_t prefix[4];
    put32(prefix, len);
    CHECK_EQ(send(t->passt, prefix, 4, 0), 4);
    if (len > 0)
        CHECK_EQ(send(t->passt, frame, len, 0), (ssize_t)len);
}

TEST(net_user_io_info)
{
    struct user_vm *t = user_vm();
    struct husk_hc_net_info *a = gpa(t, ARG_GPA);
    memset(a, 0, sizeof(*a));
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_INFO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->offloads, HUSK_NET_OFFLOAD_TSO4); /* whole, to passt */
    CHECK_EQ(a->mtu, 1500);
    CHECK_EQ(a->ipv4_addr, inet_addr("10.0.2.15"));
    CHECK_EQ(a->ipv4_gateway, inet_addr("10.0.2.2"));
    CHECK_EQ(a->prefix_len, 24);
    /* The gateway, passt's forward, if this host has a nameserver for it
     * to forward to; else none (host.c). */
    char text[16384];
    FILE *f = fopen("/etc/resolv.conf", "r");
    size_t n = f != NULL ? fread(text, 1, sizeof(text), f) : 0;
    if (f != NULL)
        fclose(f);
    CHECK_EQ(a->ipv4_dns,
             husk_net_resolv_has_ipv4(text, n) ? inet_addr("10.0.2.2") : 0);
}

TEST(net_user_io_frames_both_ways)
{
    struct user_vm *t = user_vm();
    static uint8_t f[65600], got[65600];
    /* Out: a frame as it is, and a TSO frame whole, its checksum made. */
    uint32_t l0 =
        tcp_frame(f, GUEST_IP, 80, FAR_IP, 40000, ACK, 1, 64240, NULL, 0, 100);
    tx(t, 0, f, l0, 0);
    uint32_t l1 = tcp_frame(f, GUEST_IP, 80, FAR_IP, 40000, ACK | PSH, 101,
                            64240, NULL, 0, 1460 * 20);
    put16(f + 34 + 16, 0); /* the guest's driver leaves a partial sum */
    tx(t, 1, f, l1, 1460);
    struct husk_hc_net_io *a = io(t, 2, 4);
    /* In: two frames, the second in two pieces. */
    uint32_t l2 =
        tcp_frame(f, FAR_IP, 40000, GUEST_IP, 80, ACK, 1, 500, NULL, 0, 10);
    passt_sends(t, f, l2);
    uint8_t prefix[4];
    put32(prefix, 60);
    CHECK_EQ(send(t->passt, prefix, 3, 0), 3);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->tx_sent, 2);
    CHECK_EQ(a->rx_filled, 1);
    const struct husk_netdev *n = t->vm->devices[0];
    CHECK_EQ(n->tx_bytes, l0 + l1); /* --stats: the frames' own bytes */
    CHECK_EQ(n->rx_bytes, l2);
    CHECK_EQ(passt_reads(t, got), l0);
    CHECK(checksums_right(got, l0));
    CHECK_EQ(passt_reads(t, got), l1);
    CHECK(checksums_right(got, l1));
    CHECK_EQ(be32(got + 34 + 4), 101);
    CHECK_EQ(passt_reads(t, got), 0);
    const struct husk_net_frame *rx = gpa(t, RX_GPA);
    CHECK_EQ(rx[0].len, l2);
    CHECK(memcmp(gpa(t, rx[0].buf_gpa), f, l2) == 0);
    /* The rest of the cut frame: its length's last byte, then it. */
    static uint8_t sixty[60];
    memset(sixty, 0x61, sizeof(sixty));
    CHECK_EQ(send(t->passt, prefix + 3, 1, 0), 1);
    CHECK_EQ(send(t->passt, sixty, 60, 0), 60);
    a = io(t, 0, 4);
    a->timeout_ns = 1000000000ULL;
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->rx_filled, 1);
    CHECK_EQ(rx[0].len, 60);
    CHECK_EQ(*(uint8_t *)gpa(t, rx[0].buf_gpa + 59), 0x61);
}

TEST(net_user_io_arp_answered_here)
{
    struct user_vm *t = user_vm();
    uint8_t f[60], got[100];
    tx(t, 0, f, arp_frame(f, 1, GUEST_IP, "10.0.2.2"), 0);
    struct husk_hc_net_io *a = io(t, 1, 4);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->tx_sent, 1);
    CHECK_EQ(a->rx_filled, 1); /* the answer, in the same call */
    const struct husk_net_frame *rx = gpa(t, RX_GPA);
    CHECK_EQ(rx[0].len, HUSK_ARP_FRAME);
    CHECK_EQ(be16((uint8_t *)gpa(t, rx[0].buf_gpa) + 20), 2);
    CHECK_EQ(passt_reads(t, got), 0); /* passt never saw it */
}

TEST(net_user_io_oversized_dropped)
{
    struct user_vm *t = user_vm();
    static uint8_t f[9000];
    passt_sends(t, f, 9000);
    passt_sends(t, f, 13);
    uint32_t len =
        tcp_frame(f, FAR_IP, 40000, GUEST_IP, 80, ACK, 1, 500, NULL, 0, 10);
    passt_sends(t, f, len);
    struct husk_hc_net_io *a = io(t, 0, 4);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->rx_filled, 1);
    CHECK_EQ(((struct husk_net_frame *)gpa(t, RX_GPA))[0].len, len);
}

/* passt reads nothing: once the socket is full, a batch waits the stall
 * limit and is dropped whole (the call returns); when passt reads again,
 * frames go again. */
TEST(net_user_io_passt_stalled)
{
    struct user_vm *t = user_vm();
    struct husk_netdev *n = t->vm->devices[0];
    n->user->stall_ns = 50 * 1000000ULL;
    n->tx_rate.rate = 0; /* no rate= waits, which write a batch in parts */
    static uint8_t f[1514], got[1514];
    uint32_t len =
        tcp_frame(f, GUEST_IP, 80, FAR_IP, 40000, ACK, 1, 100, NULL, 0, 1400);
    struct husk_hc_net_io *a;
    unsigned calls = 0;
    do {
        for (unsigned i = 0; i < 16; i++)
            tx(t, i, f, len, 0);
        a = io(t, 16, 0);
        CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    } while (a->tx_sent == 16 && ++calls < 100000);
    CHECK_EQ(a->tx_sent, 0); /* all of the batch or none of it */
    CHECK_EQ(n->user->tx_stalled, 16);
    CHECK_EQ(n->tx_dropped, 16);
    CHECK(n->user->stall_said);
    while (passt_reads(t, got) > 0)
        ;
    tx(t, 0, f, len, 0);
    a = io(t, 1, 0);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->tx_sent, 1);
    CHECK_EQ(passt_reads(t, got), len);
    CHECK_EQ(n->user->tx_stalled, 16);
}

TEST(net_user_io_passt_gone)
{
    signal(SIGPIPE, SIG_IGN); /* as the monitor has it (main.c) */
    struct user_vm *t = user_vm();
    close(t->passt);
    struct husk_hc_net_io *a = io(t, 0, 4);
    a->timeout_ns = 1000000000ULL;
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_STOP);
    CHECK_EQ(t->vm->exit_code, HUSK_EXIT_MONITOR);
    CHECK_STREQ(t->vm->message, "--net:service: the user-mode network's passt "
                                "has ended; the guest is stopped");
    /* A frame to send finds it gone too. */
    t = user_vm();
    close(t->passt);
    uint8_t f[200];
    tx(t, 0, f,
       tcp_frame(f, GUEST_IP, 80, FAR_IP, 40000, ACK, 1, 100, NULL, 0, 10), 0);
    io(t, 1, 0);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_STOP);
    CHECK_EQ(t->vm->exit_code, HUSK_EXIT_MONITOR);
}

TEST(net_user_io_stream_out_of_step)
{
    struct user_vm *t = user_vm();
    uint8_t prefix[4];
    put32(prefix, 0x7fffffff);
    CHECK_EQ(send(t->passt, prefix, 4, 0), 4);
    io(t, 0, 4);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_STOP);
    CHECK_EQ(t->vm->exit_code, HUSK_EXIT_MONITOR);
    CHECK_HAS(t->vm->message, "passt sent a frame length of 2147483647, more "
                              "than any frame: its stream is out of step");
}

TEST(net_user_io_windows_narrowed_and_held)
{
    struct user_vm *t = user_vm();
    struct husk_netdev *n = t->vm->devices[0];
    n->user->tcpfix.budget = 40000;
    static uint8_t f[2000], got[2000], want[2000];
    uint32_t len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 7, SYN, 1, 65535,
                             syn_opts(7), 8, 0);
    passt_sends(t, f, len);
    io(t, 0, 4);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    /* The guest's SYN-ACK, a segment with data, the SYN-ACK again. */
    uint32_t l0 = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, SYN | ACK, 1000,
                            65535, syn_opts(2), 8, 0);
    tx(t, 0, f, l0, 0);
    tx(t, 2, f, l0, 0);
    uint32_t l1 = tcp_frame(want, GUEST_IP, 7, FAR_IP, 40000, ACK | PSH, 1001,
                            64240, NULL, 0, 1000);
    tx(t, 1, want, l1, 0);
    struct husk_hc_net_io *a = io(t, 3, 0);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->tx_sent, 3); /* the one held back is taken too */
    /* The SYN-ACK's window cut to the budget, checksums right. */
    CHECK_EQ(passt_reads(t, got), l0);
    CHECK_EQ(be16(got + 34 + 14), 40000);
    CHECK(checksums_right(got, l0));
    /* The segment: headers from the monitor's copy, window 10,000 (x 4),
     * the payload from guest memory as it was. */
    CHECK_EQ(passt_reads(t, got), l1);
    CHECK_EQ(be16(got + 34 + 14), 10000);
    CHECK(checksums_right(got, l1));
    CHECK(memcmp(got + 54, want + 54, l1 - 54) == 0);
    CHECK_EQ(passt_reads(t, got), 0); /* the second SYN-ACK: held */
    CHECK_EQ(n->user->tcpfix.held, 1);
}

TEST(net_user_io_retransmission_asks_passt_for_its_ack)
{
    struct user_vm *t = user_vm();
    static uint8_t f[2000], got[2000];
    /* passt's SYN in, the guest's SYN-ACK and a segment out. */
    uint32_t len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 7, SYN, 1, 65535,
                             syn_opts(7), 8, 0);
    passt_sends(t, f, len);
    io(t, 0, 4);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, SYN | ACK, 1000, 64240, NULL,
                    0, 0);
    tx(t, 0, f, len, 0);
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, ACK, 1001, 64240, NULL, 0,
                    1000);
    tx(t, 1, f, len, 0);
    struct husk_hc_net_io *a = io(t, 2, 0);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->tx_sent, 2);
    CHECK(passt_reads(t, got) > 0);
    CHECK_EQ(passt_reads(t, got), len);
    CHECK_EQ(passt_reads(t, got), 0);
    /* The segment again: it, then a byte at 2002, out of order. */
    tx(t, 0, f, len, 0);
    a = io(t, 1, 0);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->tx_sent, 1);
    CHECK_EQ(passt_reads(t, got), len);
    CHECK(memcmp(got, f, len) == 0);
    uint32_t n = passt_reads(t, got);
    CHECK_EQ(n, 55);
    CHECK_EQ(be32(got + 34 + 4), 2002);
    CHECK(checksums_right(got, n));
    CHECK_EQ(passt_reads(t, got), 0);
}

TEST(net_user_io_pokes_a_window_passt_left_shut)
{
    struct user_vm *t = user_vm();
    static uint8_t f[2000], got[2000];
    uint32_t len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 7, SYN, 1, 65535,
                             syn_opts(7), 8, 0);
    passt_sends(t, f, len);
    io(t, 0, 4);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, SYN | ACK, 1000, 64240, NULL,
                    0, 0);
    set_ack(f, 2);
    tx(t, 0, f, len, 0);
    len = tcp_frame(f, GUEST_IP, 7, FAR_IP, 40000, ACK, 1001, 1000, NULL, 0,
                    1000);
    set_ack(f, 2);
    tx(t, 1, f, len, 0);
    io(t, 2, 0);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    while (passt_reads(t, got) > 0)
        ;
    /* passt's window shuts; the guest waits for up to 50 ms: the monitor
     * pokes passt after 1 ms (the wait ends then, as for a SYN due), and
     * again 2 ms after in the guest's next wait. */
    len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 7, ACK, 2, 0, NULL, 0, 0);
    set_ack(f, 2001);
    passt_sends(t, f, len);
    struct husk_hc_net_io *a = io(t, 0, 4);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->rx_filled, 1);
    a = io(t, 0, 4);
    a->timeout_ns = 50000000;
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->rx_filled, 0);
    uint32_t n = passt_reads(t, got);
    CHECK_EQ(n, HUSK_TCPFIX_POKE_MAX - 1);
    CHECK_EQ(be32(got + 34 + 4), 2001);
    CHECK_EQ(be32(got + 34 + 8), 1);
    CHECK(checksums_right(got, n));
    CHECK_EQ(passt_reads(t, got), 0);
    a = io(t, 0, 4);
    a->timeout_ns = 50000000;
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(passt_reads(t, got), HUSK_TCPFIX_POKE_MAX - 1);
    /* passt answers with an open window: no more pokes. */
    len = tcp_frame(f, FAR_IP, 40000, GUEST_IP, 7, ACK, 2, 300, NULL, 0, 0);
    passt_sends(t, f, len);
    a = io(t, 0, 4);
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->rx_filled, 1);
    while (passt_reads(t, got) > 0)
        ;
    a = io(t, 0, 4);
    a->timeout_ns = 20000000;
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(passt_reads(t, got), 0);
}
