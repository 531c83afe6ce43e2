/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_net.c: the network back end's pure parts. husk_net_parse_spec
 * (drivers/net/spec.c), and net_info/net_io (drivers/net/host.c) through
 * husk_hc_dispatch on a fake VM whose "tap" is one end of a datagram
 * socket pair: one frame per read and write, as a tap behaves.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../drivers/net/net.h"
#include "../../drivers/net/netdev.h"
#include "fakevm.h"
#include "unit.h"

/* ---- husk_net_parse_spec ---- */

static struct husk_net_config spec_cfg;
static char spec_err[256];

static int parse(const char *spec)
{
    spec_err[0] = '\0';
    return husk_net_parse_spec(spec, &spec_cfg, spec_err, sizeof(spec_err));
}

#define CHECK_SPEC_ERROR(spec, needle)         \
    do {                                       \
        CHECK_EQ(parse(spec), -1);             \
        CHECK_HAS(spec_err, needle);           \
        CHECK(strchr(spec_err, '\n') == NULL); \
    } while (0)

TEST(net_spec_full)
{
    CHECK_EQ(parse("tap0,ip=10.0.0.2/24,gw=10.0.0.1,mac=02:aB:0c:00:00:ff,"
                   "mtu=9000"),
             0);
    CHECK_STREQ(spec_cfg.tap, "tap0");
    CHECK_EQ(spec_cfg.ipv4_addr, inet_addr("10.0.0.2"));
    CHECK_EQ(spec_cfg.ipv4_gateway, inet_addr("10.0.0.1"));
    CHECK_EQ(spec_cfg.prefix_len, 24);
    CHECK(spec_cfg.mac_given);
    const uint8_t mac[6] = {0x02, 0xab, 0x0c, 0x00, 0x00, 0xff};
    CHECK(memcmp(spec_cfg.mac, mac, 6) == 0);
    CHECK_EQ(spec_cfg.mtu, 9000);
}

TEST(net_spec_minimal)
{
    CHECK_EQ(parse("t-1.x_Y,ip=192.168.7.9/32"), 0);
    CHECK_STREQ(spec_cfg.tap, "t-1.x_Y");
    CHECK_EQ(spec_cfg.prefix_len, 32);
    CHECK_EQ(spec_cfg.ipv4_gateway, 0);
    CHECK(!spec_cfg.mac_given);
    CHECK_EQ(spec_cfg.mtu, 0); /* the tap's own, read at open */
    CHECK_EQ(parse("tap0,mtu=68,ip=10.1.2.3/8"), 0); /* any order */
    CHECK_EQ(parse("tap0,ip=10.0.0.1/31"), 0);       /* /31: both are hosts */
}

TEST(net_spec_tap_name)
{
    CHECK_SPEC_ERROR("", "not a tap device name");
    CHECK_SPEC_ERROR(",ip=10.0.0.2/24", "not a tap device name");
    CHECK_SPEC_ERROR("0123456789abcdef,ip=10.0.0.2/24", "1-15 characters");
    CHECK_EQ(parse("0123456789abcde,ip=10.0.0.2/24"), 0);
    CHECK_SPEC_ERROR("../x,ip=10.0.0.2/24", "not a tap device name");
    CHECK_SPEC_ERROR("..,ip=10.0.0.2/24", "not a tap device name");
    CHECK_SPEC_ERROR("ta p,ip=10.0.0.2/24", "not a tap device name");
    /* A terminal escape in a name must not reach the error verbatim as a
     * tap that exists; the name check refuses it first. */
    CHECK_SPEC_ERROR("t\x1b[2J,ip=10.0.0.2/24", "not a tap device name");
}

TEST(net_spec_ip)
{
    CHECK_SPEC_ERROR("tap0", "no address for the guest");
    CHECK_SPEC_ERROR("tap0,gw=10.0.0.1", "no address");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2", "prefix length");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/", "A.B.C.D/N");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/0", "from 1 to 32");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/33", "from 1 to 32");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24x", "A.B.C.D/N");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/-1", "A.B.C.D/N");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0/24", "not an IPv4 address");
    CHECK_SPEC_ERROR("tap0,ip=010.0.0.2/24", "not an IPv4 address");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.256/24", "not an IPv4 address");
    CHECK_SPEC_ERROR("tap0,ip=0.0.0.0/24", "unicast");
    CHECK_SPEC_ERROR("tap0,ip=224.0.0.1/24", "unicast");
    CHECK_SPEC_ERROR("tap0,ip=255.255.255.255/32", "unicast");
    CHECK_SPEC_ERROR("tap0,ip=127.0.0.1/8", "unicast");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.0/24", "network or broadcast");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.255/24", "network or broadcast");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,ip=10.0.0.3/24", "given twice");
}

TEST(net_spec_gateway)
{
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,gw=10.0.1.1", "not another host");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,gw=10.0.0.2", "not another host");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,gw=10.0.0.255", "not another host");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,gw=10.0.0", "not an IPv4 address");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,gw=", "has no value");
    CHECK_EQ(parse("tap0,ip=10.0.0.2/16,gw=10.0.200.1"), 0);
}

TEST(net_spec_mac_mtu_options)
{
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,mac=01:00:00:00:00:01", "multicast");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,mac=00:00:00:00:00:00", "all-zero");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,mac=02:00:00:00:00", "six hex");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,mac=02-00-00-00-00-01", "six hex");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,mac=0g:00:00:00:00:01", "six hex");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,mac=02:00:00:00:00:011", "six hex");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,mtu=67", "68 to 9000");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,mtu=9001", "68 to 9000");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,mtu=1500k", "68 to 9000");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,mtu=99999999999999999999",
                     "68 to 9000");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,speed=10", "unknown option 'speed'");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,rate=fast",
                     "rate=fast: expected bytes");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,rate=65G", "up to 64G");
    CHECK_EQ(parse("tap0,ip=10.0.0.2/24,rate=1M"), 0);
    CHECK_EQ(spec_cfg.tx_rate, 1 << 20);
    CHECK_EQ(parse("tap0,ip=10.0.0.2/24,rate=0"), 0);
    CHECK_EQ(spec_cfg.tx_rate, 0);
    CHECK_EQ(parse("tap0,ip=10.0.0.2/24"), 0);
    CHECK_EQ(spec_cfg.tx_rate, HUSK_NET_RATE_DEFAULT);
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,", "expected KEY=VALUE");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,ro", "expected KEY=VALUE");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,mtu=1500,mtu=1500", "given twice");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/2444444444444444444444444444444444444444"
                     "4444444444444444444444444",
                     "value too long");
}

TEST(net_spec_dns)
{
    CHECK_EQ(parse("tap0,ip=10.0.0.2/24"), 0);
    CHECK_EQ(spec_cfg.ipv4_dns, 0); /* none: a tap has no default */
    CHECK(!spec_cfg.dns_forward);
    CHECK_EQ(parse("tap0,ip=10.0.0.2/24,dns=10.0.0.53"), 0);
    CHECK_EQ(spec_cfg.ipv4_dns, inet_addr("10.0.0.53"));
    CHECK(!spec_cfg.dns_forward);
    /* Anywhere the gateway leads, and before ip=. */
    CHECK_EQ(parse("tap0,dns=192.0.2.1,ip=10.0.0.2/24,gw=10.0.0.1"), 0);
    CHECK_EQ(spec_cfg.ipv4_dns, inet_addr("192.0.2.1"));
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,dns=10.0.0", "dns=10.0.0: not an "
                                                       "IPv4 address");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,dns=ns.example", "not an IPv4");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,dns=127.0.0.53",
                     "dns=127.0.0.53: that is the guest's own loopback");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,dns=0.0.0.0", "unicast");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,dns=224.0.0.251", "unicast");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,dns=255.255.255.255", "unicast");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,dns=", "dns= has no value");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,dns=10.0.0.1,dns=10.0.0.3",
                     "dns= is given twice");
    CHECK_SPEC_ERROR("tap0,ip=10.0.0.2/24,nameserver=10.0.0.1",
                     "the options are ip=, gw=, dns=, mac=, mtu=, rate=)");
}

/* ---- net_info and net_io on a fake VM ---- */

#define ARG_GPA 0x200000ULL /* the argument struct */
#define TX_GPA 0x201000ULL  /* tx descriptors */
#define RX_GPA 0x202000ULL  /* rx descriptors */
#define BUF_GPA 0x210000ULL /* frame buffers, 0x4000 apart */
#define MTU 1500
#define FRAME_MAX (MTU + HUSK_ETH_HLEN)

struct net_vm {
    struct husk_vm *vm;
    struct husk_config cfg;
    int host; /* the far end of the "tap": what the host network sees */
};

/* Device 0 is a block device (a wrong kind for net calls), 1 the NIC. */
static struct net_vm *net_vm(void)
{
    static struct net_vm t;
    memset(&t, 0, sizeof(t));
    t.vm = fakevm_new();
    t.cfg.device_count = 2;
    t.cfg.devices[0].kind = HUSK_DEVICE_BLOCK;
    t.cfg.devices[1].kind = HUSK_DEVICE_NET;
    strcpy(t.cfg.devices[1].name, "service");
    t.vm->cfg = &t.cfg;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) != 0)
        FAIL("socketpair");
    /* Room for a flood of frames, as a tap has. */
    int big = 1 << 20;
    setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    struct husk_net_config nc = {
        .tap = "tap0",
        .mac = {2, 0, 0, 0, 0, 7},
        .mtu = MTU,
        .ipv4_addr = inet_addr("10.0.0.2"),
        .ipv4_gateway = inet_addr("10.0.0.1"),
        .ipv4_dns = inet_addr("192.0.2.53"),
        .prefix_len = 24,
    };
    husk_net_attach(t.vm, 1, sv[0], &nc);
    husk_net_register(t.vm);
    t.host = sv[1];
    return &t;
}

static void *gpa(struct net_vm *t, uint64_t a)
{
    return t->vm->mem + a;
}

static struct husk_hc_net_io *io_arg(struct net_vm *t)
{
    struct husk_hc_net_io *a = gpa(t, ARG_GPA);
    memset(a, 0, sizeof(*a));
    a->handle = 1;
    a->tx_gpa = TX_GPA;
    a->rx_gpa = RX_GPA;
    return a;
}

/* tx descriptor i: a frame of len bytes filled with byte i. */
static void tx_frame(struct net_vm *t, unsigned i, uint32_t len)
{
    struct husk_net_frame *f = gpa(t, TX_GPA);
    f[i] =
        (struct husk_net_frame){.buf_gpa = BUF_GPA + 0x4000ULL * i, .len = len};
    memset(gpa(t, f[i].buf_gpa), (int)i + 1, len);
}

static void rx_buffers(struct net_vm *t, unsigned n)
{
    struct husk_net_frame *f = gpa(t, RX_GPA);
    for (unsigned i = 0; i < n; i++)
        f[i] = (struct husk_net_frame){
            .buf_gpa = BUF_GPA + 0x100000ULL + 0x4000ULL * i, .cap = FRAME_MAX};
}

static enum husk_hc_result net_io(struct net_vm *t)
{
    return fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA);
}

#define CHECK_VIOLATION(t, needle)                         \
    do {                                                   \
        CHECK_EQ(net_io(t), HUSK_HC_VIOLATION);            \
        CHECK_EQ((t)->vm->exit_code, HUSK_EXIT_VIOLATION); \
        CHECK_HAS((t)->vm->message, needle);               \
    } while (0)

/* Nothing reached the host side. */
static void check_host_silent(struct net_vm *t)
{
    char b[16];
    CHECK(recv(t->host, b, sizeof(b), MSG_DONTWAIT) < 0);
}

TEST(net_info_reports_config)
{
    struct net_vm *t = net_vm();
    struct husk_hc_net_info *a = gpa(t, ARG_GPA);
    memset(a, 0xee, sizeof(*a));
    a->handle = 1;
    a->_pad0 = 0;
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_INFO, ARG_GPA), HUSK_HC_DONE);
    CHECK_EQ(a->mtu, MTU);
    CHECK_EQ(a->mac[5], 7);
    CHECK_EQ(a->prefix_len, 24);
    CHECK_EQ(a->offloads, 0); /* a socket, not a tap with IFF_VNET_HDR */
    CHECK_EQ(a->ipv4_addr, inet_addr("10.0.0.2"));
    CHECK_EQ(a->ipv4_gateway, inet_addr("10.0.0.1"));
    CHECK_EQ(a->ipv4_dns, inet_addr("192.0.2.53"));
    CHECK_EQ(a->_pad0, 0);
    /* The reserved word is the guest's to leave zero. */
    a->_pad0 = 1;
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_INFO, ARG_GPA), HUSK_HC_VIOLATION);
    CHECK_HAS(t->vm->message, "net_info: padding is not zero");
    a->_pad0 = 0;
    const uint32_t bad[] = {0, 2, 16, 0xffffffff};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        a->handle = bad[i];
        CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_INFO, ARG_GPA),
                 HUSK_HC_VIOLATION);
        CHECK_HAS(t->vm->message, "is not a network device");
    }
}

TEST(net_io_moves_frames_both_ways)
{
    struct net_vm *t = net_vm();
    struct husk_hc_net_io *a = io_arg(t);
    tx_frame(t, 0, 60);
    tx_frame(t, 1, FRAME_MAX);
    a->tx_count = 2;
    /* Two frames from the host: the guest gets both, whole, in order. */
    uint8_t in[FRAME_MAX];
    memset(in, 0xa1, sizeof(in));
    CHECK_EQ(send(t->host, in, 42, 0), 42);
    memset(in, 0xa2, sizeof(in));
    CHECK_EQ(send(t->host, in, FRAME_MAX, 0), FRAME_MAX);
    rx_buffers(t, 4);
    a->rx_count = 4;
    CHECK_EQ(net_io(t), HUSK_HC_DONE);
    CHECK_EQ(a->tx_sent, 2);
    CHECK_EQ(a->rx_filled, 2);
    const struct husk_netdev *n = t->vm->devices[1];
    CHECK_EQ(n->tx_bytes, 60 + FRAME_MAX); /* --stats */
    CHECK_EQ(n->rx_bytes, 42 + FRAME_MAX);
    uint8_t out[FRAME_MAX + 1];
    CHECK_EQ(recv(t->host, out, sizeof(out), MSG_DONTWAIT), 60);
    CHECK_EQ(out[0], 1);
    CHECK_EQ(out[59], 1);
    CHECK_EQ(recv(t->host, out, sizeof(out), MSG_DONTWAIT), FRAME_MAX);
    CHECK_EQ(out[FRAME_MAX - 1], 2);
    const struct husk_net_frame *rx = gpa(t, RX_GPA);
    CHECK_EQ(rx[0].len, 42);
    CHECK_EQ(*(uint8_t *)gpa(t, rx[0].buf_gpa + 41), 0xa1);
    CHECK_EQ(rx[1].len, FRAME_MAX);
    CHECK_EQ(*(uint8_t *)gpa(t, rx[1].buf_gpa + FRAME_MAX - 1), 0xa2);
    /* Nothing more waiting, no wait asked: returns at once. */
    a->tx_count = 0;
    CHECK_EQ(net_io(t), HUSK_HC_DONE);
    CHECK_EQ(a->rx_filled, 0);
    CHECK_EQ(a->tx_sent, 0);
}

TEST(net_io_waits_for_a_frame_up_to_the_timeout)
{
    struct net_vm *t = net_vm();
    struct husk_hc_net_io *a = io_arg(t);
    rx_buffers(t, 1);
    a->rx_count = 1;
    a->timeout_ns = 20000000; /* 20 ms */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(net_io(t), HUSK_HC_DONE);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK_EQ(a->rx_filled, 0);
    long ms =
        (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(ms >= 19);
}

TEST(net_io_drops_what_the_guest_cannot_take)
{
    struct net_vm *t = net_vm();
    struct husk_hc_net_io *a = io_arg(t);
    /* Oversized (longer than the guest's MTU allows) and runt frames from
     * the host are dropped whole; the good frame behind them arrives. */
    static uint8_t in[9000];
    memset(in, 0x5a, sizeof(in));
    CHECK_EQ(send(t->host, in, FRAME_MAX + 1, 0), FRAME_MAX + 1);
    CHECK_EQ(send(t->host, in, sizeof(in), 0), (ssize_t)sizeof(in));
    CHECK_EQ(send(t->host, in, HUSK_ETH_HLEN - 1, 0), HUSK_ETH_HLEN - 1);
    CHECK_EQ(send(t->host, in, 0, 0), 0);
    CHECK_EQ(send(t->host, in, 100, 0), 100);
    rx_buffers(t, 2);
    a->rx_count = 2;
    CHECK_EQ(net_io(t), HUSK_HC_DONE);
    CHECK_EQ(a->rx_filled, 1);
    CHECK_EQ(((struct husk_net_frame *)gpa(t, RX_GPA))[0].len, 100);
    /* The spill never reaches guest memory past the buffer. */
    CHECK_EQ(*(uint8_t *)gpa(t, BUF_GPA + 0x100000 + FRAME_MAX), 0);
}

TEST(net_io_flood_is_bounded_per_call)
{
    struct net_vm *t = net_vm();
    struct husk_hc_net_io *a = io_arg(t);
    static uint8_t runt[4];
    int sent = 0;
    while (sent < 1000 && send(t->host, runt, sizeof(runt), 0) == 4)
        sent++;
    CHECK(sent > 4 * HUSK_NET_BATCH_MAX);
    rx_buffers(t, 1);
    a->rx_count = 1;
    CHECK_EQ(net_io(t), HUSK_HC_DONE); /* returns despite the flood */
    CHECK_EQ(a->rx_filled, 0);
}

TEST(net_io_over_rate_waits)
{
    struct net_vm *t = net_vm();
    /* A new device at 32 MiB/s, its bucket full (a batch of the largest
     * frames, about 4 MiB): whatever it sends beyond that must take at
     * least its size at the rate, counted from when the bucket was full,
     * and none of it may be dropped. A lower bound only: slow machines
     * pass it too. */
    struct husk_net_config nc = {.tap = "tap0",
                                 .mtu = MTU,
                                 .ipv4_addr = inet_addr("10.0.0.2"),
                                 .prefix_len = 24,
                                 .tx_rate = 32 << 20};
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) == 0);
    int big = 1 << 22;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    husk_net_attach(t->vm, 1, sv[0], &nc);
    struct husk_hc_net_io *a = io_arg(t);
    for (unsigned i = 0; i < HUSK_NET_BATCH_MAX; i++)
        tx_frame(t, i, FRAME_MAX);
    uint64_t burst = (uint64_t)HUSK_NET_BATCH_MAX * HUSK_NET_FRAME_MAX;
    uint64_t sent = 0, frames = 0;
    static char sink[HUSK_NET_FRAME_MAX + 64];
    while (sent < burst + (2u << 20)) {
        a->tx_count = HUSK_NET_BATCH_MAX;
        CHECK_EQ(net_io(t), HUSK_HC_DONE);
        CHECK_EQ(a->tx_sent, HUSK_NET_BATCH_MAX); /* waited, not dropped */
        sent += (uint64_t)a->tx_sent * FRAME_MAX;
        while (recv(sv[1], sink, sizeof(sink), 0) > 0)
            frames++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(s >= (double)(sent - burst) / (32 << 20));
    CHECK(frames > 0);
    close(sv[1]);
}

TEST(net_io_bad_handle_and_header)
{
    struct net_vm *t = net_vm();
    struct husk_hc_net_io *a = io_arg(t);
    a->handle = 0; /* the block device */
    CHECK_VIOLATION(t, "0 is not a network device");
    a->handle = 2;
    CHECK_VIOLATION(t, "2 is not a network device");
    a->handle = 1;
    a->_pad0 = 1;
    CHECK_VIOLATION(t, "padding");
    a->_pad0 = 0;
    a->timeout_ns = HUSK_POLL_TIMEOUT_MAX + 1;
    CHECK_VIOLATION(t, "exceeds one hour");
    a->timeout_ns = 0;
    a->tx_count = HUSK_NET_BATCH_MAX + 1;
    CHECK_VIOLATION(t, "tx count 65 exceeds 64");
    a->tx_count = 0;
    a->rx_count = 0xffffffff;
    CHECK_VIOLATION(t, "rx count 4294967295 exceeds 64");
    a->rx_count = 1;
    a->rx_gpa = RX_GPA + 4;
    CHECK_VIOLATION(t, "not 8-byte aligned");
    a->rx_gpa = FAKEVM_MEM - 8; /* straddles the end */
    CHECK_VIOLATION(t, "rx frames at 0x3ffff8 lie outside guest memory");
    a->rx_count = 0;
    a->tx_count = 2;
    a->tx_gpa = HUSK_PML4_GPA; /* the monitor's page tables */
    CHECK_VIOLATION(t, "tx frames at 0x3000 lie outside guest memory");
}

TEST(net_io_bad_frames_send_nothing)
{
    struct net_vm *t = net_vm();
    struct husk_hc_net_io *a = io_arg(t);
    struct husk_net_frame *tx = gpa(t, TX_GPA);
    a->tx_count = 3;
    /* Frame 2 is bad: frames 0 and 1 must not leave either. */
    tx_frame(t, 0, 60);
    tx_frame(t, 1, 60);
    tx_frame(t, 2, FRAME_MAX + 1);
    CHECK_VIOLATION(t, "tx frame 2: length 1515 is not from 14 to 1514");
    check_host_silent(t);
    tx_frame(t, 2, HUSK_ETH_HLEN - 1);
    CHECK_VIOLATION(t, "tx frame 2: length 13");
    tx_frame(t, 2, 60);
    tx[2].mss = 60;
    CHECK_VIOLATION(
        t, "tx frame 2: mss 60 given, but this device takes no offloads");
    tx[2].mss = 0;
    tx[2].buf_gpa = FAKEVM_MEM - 30; /* straddles the end */
    CHECK_VIOLATION(t, "tx frame 2: buffer 0x3fffe2+60 lies outside");
    tx[2].buf_gpa = UINT64_MAX - 10; /* wraps */
    CHECK_VIOLATION(t, "lies outside guest memory");
    check_host_silent(t);
    /* A bad rx buffer also stops the whole call before any tx. */
    tx[2].buf_gpa = BUF_GPA;
    rx_buffers(t, 2);
    struct husk_net_frame *rx = gpa(t, RX_GPA);
    a->rx_count = 2;
    rx[1].cap = FRAME_MAX - 1;
    CHECK_VIOLATION(t, "rx buffer 1: cap 1513 is less than a whole frame");
    rx[1].cap = 0xffffffff;
    CHECK_VIOLATION(t, "rx buffer 1");
    rx[1].cap = FRAME_MAX;
    rx[1].buf_gpa = HUSK_LOAD_MIN - 16;
    CHECK_VIOLATION(t, "rx buffer 1: 0xffff0+1514 lies outside");
    check_host_silent(t);
}

TEST(net_io_rx_buffer_may_be_larger)
{
    struct net_vm *t = net_vm();
    struct husk_hc_net_io *a = io_arg(t);
    rx_buffers(t, 1);
    struct husk_net_frame *rx = gpa(t, RX_GPA);
    rx[0].cap = 0x4000;
    /* A 2000-byte frame is still too long for MTU 1500, whatever the
     * buffer's size: dropped, not delivered. */
    static uint8_t in[2000];
    CHECK_EQ(send(t->host, in, sizeof(in), 0), (ssize_t)sizeof(in));
    a->rx_count = 1;
    CHECK_EQ(net_io(t), HUSK_HC_DONE);
    CHECK_EQ(a->rx_filled, 0);
}
