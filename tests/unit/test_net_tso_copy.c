/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_net_tso_copy.c: a TSO frame's headers are checked and sent from
 * one copy the monitor owns (drivers/net/vnet.c husk_vnet_iov and
 * drivers/net/host.c), never read twice from guest memory, which the
 * guest (or the I/O thread) may change between the check and the send.
 * The "tap" is a datagram socket pair with virtio-net headers on.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../drivers/net/bytes.h"
#include "../../drivers/net/net.h"
#include "../../drivers/net/vnet.h"
#include "fakevm.h"
#include "unit.h"

#define MTU 1500
#define MSS 1460
#define HDRS (14 + 20 + 20)
#define PAYLOAD 3000
#define LEN (HDRS + PAYLOAD)
#define VHDR ((uint32_t)sizeof(struct virtio_net_hdr))

/* A TSO frame as the guest's driver makes one: IPv4, TCP, no options,
 * DF, payload bytes of 0xab (checksums do not matter to the monitor). */
static void tso_frame(uint8_t *f)
{
    memset(f, 0, HDRS);
    memset(f, 0x02, 6);
    memset(f + 6, 0x04, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14, *th = ip + 20;
    ip[0] = 0x45;
    put16(ip + 2, LEN - 14);
    put16(ip + 6, 0x4000);
    ip[8] = 64;
    ip[9] = 6;
    th[12] = 5 << 4;
    th[13] = 0x10;
    memset(f + HDRS, 0xab, PAYLOAD);
}

/* What the guest may change after the check: UDP, a fragment, a TCP
 * header that would make the kernel's segments exceed the MTU. */
static void make_hostile(uint8_t *f)
{
    f[14 + 9] = 17;
    f[14 + 6] = 0x20;  /* MF */
    f[14 + 3] ^= 0x40; /* the IP total length lies */
    f[34 + 12] = 15 << 4;
}

static uint8_t guest[LEN], out[VHDR + LEN + 16];

/* Gather the iovecs as writev would. */
static size_t gather(const struct iovec *iov, unsigned n)
{
    size_t at = 0;
    for (unsigned i = 0; i < n; i++) {
        CHECK(at + iov[i].iov_len <= sizeof(out));
        memcpy(out + at, iov[i].iov_base, iov[i].iov_len);
        at += iov[i].iov_len;
    }
    return at;
}

TEST(vnet_iov_sends_the_checked_headers_not_guest_memory)
{
    tso_frame(guest);
    uint8_t head[HUSK_VNET_HEAD_MAX];
    memcpy(head, guest, sizeof(head));
    struct virtio_net_hdr h;
    char why[160] = "";
    CHECK_EQ(husk_vnet_header(head, LEN, MSS, MTU, &h, why, sizeof(why)), 0);
    CHECK_EQ(h.hdr_len, HDRS);
    /* The guest rewrites its frame after the check. */
    make_hostile(guest);
    guest[LEN - 1] = 0xcd;
    struct iovec iov[3];
    unsigned n = husk_vnet_iov(&h, head, guest, LEN, iov);
    CHECK_EQ(n, 3);
    CHECK_EQ(gather(iov, n), VHDR + LEN);
    CHECK(memcmp(out, &h, VHDR) == 0);
    /* Every header byte sent is the checked one... */
    CHECK(memcmp(out + VHDR, head, HDRS) == 0);
    CHECK_EQ(out[VHDR + 14 + 9], 6);
    CHECK_EQ(out[VHDR + 14 + 6], 0x40);
    CHECK_EQ(out[VHDR + 34 + 12], 5 << 4);
    /* ...and the payload, never looked at, is the guest's as it is. */
    CHECK_EQ(out[VHDR + HDRS], 0xab);
    CHECK_EQ(out[VHDR + LEN - 1], 0xcd);
    /* A complete frame: nothing of it was read, all of it from the guest. */
    struct virtio_net_hdr zero;
    CHECK_EQ(husk_vnet_header(head, 60, 0, MTU, &zero, why, sizeof(why)), 0);
    n = husk_vnet_iov(&zero, head, guest, 60, iov);
    CHECK_EQ(n, 2);
    CHECK(iov[1].iov_base == guest);
    CHECK_EQ(iov[1].iov_len, 60);
}

/* ---- through net_io, on a device that takes TSO frames ---- */

#define ARG_GPA 0x200000ULL
#define TX_GPA 0x201000ULL
#define BUF_GPA 0x210000ULL

struct tso_vm {
    struct husk_vm *vm;
    struct husk_config cfg;
    int host;
};

static struct tso_vm *tso_vm(void)
{
    static struct tso_vm t;
    memset(&t, 0, sizeof(t));
    t.vm = fakevm_new();
    t.cfg.device_count = 1;
    t.cfg.devices[0].kind = HUSK_DEVICE_NET;
    strcpy(t.cfg.devices[0].name, "service");
    t.vm->cfg = &t.cfg;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) != 0)
        FAIL("socketpair");
    int big = 1 << 22;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    struct husk_net_config nc = {.tap = "tap0",
                                 .mtu = MTU,
                                 .mac = {2, 0, 0, 0, 0, 7},
                                 .ipv4_addr = inet_addr("10.0.0.2"),
                                 .prefix_len = 24,
                                 .vnet_hdr = true};
    husk_net_attach(t.vm, 0, sv[0], &nc);
    husk_net_register(t.vm);
    t.host = sv[1];
    struct husk_hc_net_io *a = (void *)(t.vm->mem + ARG_GPA);
    memset(a, 0, sizeof(*a));
    a->tx_gpa = TX_GPA;
    a->tx_count = 1;
    struct husk_net_frame *f = (void *)(t.vm->mem + TX_GPA);
    *f = (struct husk_net_frame){.buf_gpa = BUF_GPA, .len = LEN, .mss = MSS};
    tso_frame(t.vm->mem + BUF_GPA);
    return &t;
}

TEST(net_io_sends_a_tso_frame_behind_its_vnet_header)
{
    struct tso_vm *t = tso_vm();
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_DONE);
    struct husk_hc_net_io *a = (void *)(t->vm->mem + ARG_GPA);
    CHECK_EQ(a->tx_sent, 1);
    CHECK_EQ(recv(t->host, out, sizeof(out), MSG_DONTWAIT), VHDR + LEN);
    struct virtio_net_hdr h;
    memcpy(&h, out, sizeof(h));
    CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
    CHECK_EQ(h.gso_size, MSS);
    CHECK_EQ(h.hdr_len, HDRS);
    CHECK(memcmp(out + VHDR, t->vm->mem + BUF_GPA, LEN) == 0);
    /* The shared range check, with the TSO bound: 64 KiB, not the MTU. */
    struct husk_net_frame *f = (void *)(t->vm->mem + TX_GPA);
    f->buf_gpa = FAKEVM_MEM - 100;
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_VIOLATION);
    CHECK_HAS(t->vm->message, "tx frame 0: buffer 0x3fff9c+3054 lies outside");
    f->buf_gpa = BUF_GPA;
    f->len = HUSK_NET_TSO_FRAME_MAX + 1;
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_VIOLATION);
    CHECK_HAS(t->vm->message,
              "tx frame 0: a TSO frame's length 65550 is not from 54 to 65549");
    f->len = 53;
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_VIOLATION);
    CHECK_HAS(t->vm->message, "a TSO frame's length 53 is not from 54");
    f->len = 0xffffffff;
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_VIOLATION);
    CHECK_HAS(t->vm->message, "a TSO frame's length 4294967295");
    f->len = LEN;
    f->mss = 0; /* a complete frame of LEN bytes is over the MTU */
    CHECK_EQ(fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA), HUSK_HC_VIOLATION);
    CHECK_HAS(t->vm->message, "length 3054 is not from 14 to 1514");
    char b[16];
    CHECK(recv(t->host, b, sizeof(b), MSG_DONTWAIT) < 0);
}

/* The guest's other vCPU, or the I/O thread finishing a read into the
 * frame's pages: flips the headers between a good TSO segment and ones
 * the check refuses, as fast as it can. */
static atomic_bool stop;
static atomic_uint flips;

static void *flipper(void *arg)
{
    volatile uint8_t *f = arg;
    uint8_t good[HDRS], bad[HDRS];
    memcpy(good, (const uint8_t *)arg, HDRS);
    memcpy(bad, good, HDRS);
    make_hostile(bad);
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        for (int i = 0; i < HDRS; i++)
            f[i] = bad[i];
        for (int i = 0; i < HDRS; i++)
            f[i] = good[i];
        atomic_fetch_add_explicit(&flips, 1, memory_order_relaxed);
    }
    return NULL;
}

TEST(net_io_tso_headers_cannot_change_between_check_and_send)
{
    struct tso_vm *t = tso_vm();
    pthread_t th;
    atomic_store(&stop, false);
    atomic_store(&flips, 0);
    CHECK(pthread_create(&th, NULL, flipper, t->vm->mem + BUF_GPA) == 0);
    while (atomic_load(&flips) == 0)
        sched_yield();
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned calls = 0, sent = 0, bad = 0;
    long ms = 0;
    /* Enough frames sent for the race to show where it exists (with the
     * headers sent from guest memory, over half of them were refused
     * ones), and a check that saw the hostile headers. Two seconds at
     * most, if the flipper hardly runs. */
    while ((sent < 2000 || sent == calls) && ms < 2000) {
        enum husk_hc_result r = fakevm_call(t->vm, HUSK_HC_NET_IO, ARG_GPA);
        calls++;
        struct husk_hc_net_io *a = (void *)(t->vm->mem + ARG_GPA);
        if (r == HUSK_HC_DONE && a->tx_sent == 1) {
            ssize_t got = recv(t->host, out, sizeof(out), MSG_DONTWAIT);
            if (got != (ssize_t)(VHDR + LEN))
                FAIL("sent %zd bytes, expected %u", got, VHDR + LEN);
            sent++;
            /* What left must be what was checked: TCP, no fragment, the
             * IP total length the frame's, 20-byte TCP header. */
            const uint8_t *ip = out + VHDR + 14;
            if (ip[9] != 6 || (ip[6] & 0x3f) != 0 || ip[7] != 0 ||
                (ip[2] << 8 | ip[3]) != LEN - 14 || ip[20 + 12] != 5 << 4)
                bad++;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        ms = (now.tv_sec - t0.tv_sec) * 1000 +
             (now.tv_nsec - t0.tv_nsec) / 1000000;
    }
    atomic_store(&stop, true);
    pthread_join(th, NULL);
    CHECK_EQ(bad, 0);
    /* The test saw both verdicts, or it proved nothing: a loaded machine
     * that never ran the flipper during a check is skipped, not passed. */
    if (sent == 0 || sent == calls)
        unit_skip("the flipper never raced a check (%u of %u calls sent)", sent,
                  calls);
}
