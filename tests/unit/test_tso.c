/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_tso.c: the guest's joining of TCP segments (drivers/net/tso.c) and
 * the monitor's virtio-net header for what it makes (drivers/net/vnet.c):
 * what may be joined, the headers of the result, and every frame the
 * monitor must refuse; and the driver's transmit queue (txq.c), which
 * sends no frame cut while its rest is still to come.
 */
#include "../../drivers/net/bytes.h"
#include "../../drivers/net/nic.h"
#include "../../drivers/net/tso.h"
#include "../../drivers/net/vnet.h"
#include "unit.h"

#define MTU 1500
#define MSS 1460
#define HDRS (14 + 20 + 20)

static uint32_t sum16(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s;
}

/* A segment as lwIP sends one: payload bytes of value seq & 0xff. */
static uint32_t segment(uint8_t *f, uint32_t seq, uint32_t payload,
                        uint8_t flags)
{
    memset(f, 0, HDRS);
    memset(f, 0x02, 6);     /* destination MAC */
    memset(f + 6, 0x04, 6); /* source MAC */
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14, *th = ip + 20;
    ip[0] = 0x45;
    put16(ip + 2, 40 + payload);
    put16(ip + 4, seq & 0xffff); /* the id differs per segment */
    put16(ip + 6, 0x4000);       /* DF */
    ip[8] = 255;
    ip[9] = 6;
    put32(ip + 12, 0x0a000102);
    put32(ip + 16, 0x0a000101);
    put16(ip + 10, ~sum16(ip, 20) & 0xffff);
    put16(th, 80);
    put16(th + 2, 40000);
    put32(th + 4, seq);
    put32(th + 8, 777);
    th[12] = 5 << 4;
    th[13] = flags;
    put16(th + 14, 64240);
    put16(th + 16, 0xbeef); /* lwIP's complete checksum */
    memset(f + HDRS, (int)(seq & 0xff), payload);
    return HDRS + payload;
}

static uint8_t buf[70000], seg[2000];

TEST(tso_joins_a_stream_and_its_headers_add_up)
{
    uint32_t len = segment(buf, 1000, MSS, 0x10), mss = 0;
    for (uint32_t i = 1; i < 8; i++) {
        uint32_t n = segment(seg, 1000 + i * MSS, MSS, 0x10);
        CHECK(husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    }
    uint32_t n = segment(seg, 1000 + 8 * MSS, 600, 0x18); /* PSH, short */
    CHECK(husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    CHECK_EQ(mss, MSS);
    CHECK_EQ(len, HDRS + 8 * MSS + 600);
    const uint8_t *ip = buf + 14, *th = ip + 20;
    CHECK_EQ((uint32_t)ip[2] << 8 | ip[3], len - 14);
    CHECK_EQ(sum16(ip, 20), 0xffff); /* the IP checksum is right */
    CHECK_EQ(th[13], 0x18);          /* PSH from the last */
    /* The TCP checksum field: the pseudo-header's sum. */
    uint8_t pseudo[12];
    memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0, pseudo[9] = 6;
    put16(pseudo + 10, len - 34);
    CHECK_EQ((uint32_t)th[16] << 8 | th[17], sum16(pseudo, 12));
    /* The payloads, in order. */
    for (uint32_t i = 0; i < 8; i++)
        CHECK_EQ(buf[HDRS + i * MSS + 5], (1000 + i * MSS) & 0xff);
    CHECK_EQ(buf[len - 1], (1000 + 8 * MSS) & 0xff);
    /* And the monitor makes it a TSO frame of that mss. */
    struct virtio_net_hdr h;
    char why[160] = "";
    CHECK_EQ(husk_vnet_header(buf, len, mss, MTU, &h, why, sizeof(why)), 0);
    CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
    CHECK_EQ(h.gso_size, MSS);
    CHECK_EQ(h.hdr_len, HDRS);
    CHECK_EQ(h.csum_start, 34);
    CHECK_EQ(h.csum_offset, 16);
    CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
}

TEST(tso_joins_only_what_continues_the_stream)
{
    uint32_t len, mss, n;
#define FRESH() (len = segment(buf, 5000, MSS, 0x10), mss = 0)
    FRESH();
    n = segment(seg, 5000 + MSS + 1, MSS, 0x10); /* a gap */
    CHECK(!husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    n = segment(seg, 5000 + MSS, MSS, 0x10);
    seg[14 + 20 + 1] = 81; /* another connection */
    CHECK(!husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    n = segment(seg, 5000 + MSS, MSS, 0x11); /* FIN */
    CHECK(!husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    n = segment(seg, 5000 + MSS, MSS, 0x10);
    seg[14 + 20 + 11] ^= 1; /* another ack */
    CHECK(!husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    n = segment(seg, 5000 + MSS, MSS + 1, 0x10); /* longer than the first */
    CHECK(!husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    n = segment(seg, 5000 + MSS, 0, 0x10); /* a bare ACK */
    CHECK(!husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    n = segment(seg, 5000 + MSS, MSS, 0x10);
    CHECK(
        !husk_tso_append(buf, &len, &mss, seg, n, len + MSS - 1)); /* no room */
    seg[12] = 0x86, seg[13] = 0xdd; /* not IPv4 */
    CHECK(!husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    /* Nothing after a PSH, or after a short segment. */
    len = segment(buf, 5000, MSS, 0x18), mss = 0;
    n = segment(seg, 5000 + MSS, MSS, 0x10);
    CHECK(!husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    FRESH();
    n = segment(seg, 5000 + MSS, 100, 0x10);
    CHECK(husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    n = segment(seg, 5000 + MSS + 100, 100, 0x10);
    CHECK(!husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    CHECK_EQ(len, HDRS + MSS + 100);
    /* Nothing is changed by a refusal. */
    FRESH();
    uint8_t before[HDRS + MSS];
    memcpy(before, buf, sizeof(before));
    n = segment(seg, 1, MSS, 0x10);
    CHECK(!husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    CHECK(memcmp(before, buf, sizeof(before)) == 0);
    CHECK_EQ(mss, 0);
#undef FRESH
}

/* As the driver queues them: each segment right after the frame, in the
 * same buffer, where the move of its payload overwrites its headers. */
TEST(tso_joins_segments_that_follow_in_one_buffer)
{
    uint32_t len = segment(buf, 1, MSS, 0x10), mss = 0;
    uint32_t at = (len + 63) & ~63u;
    uint32_t n = segment(buf + at, 1 + MSS, 100, 0x18);
    CHECK(husk_tso_append(buf, &len, &mss, buf + at, n, sizeof(buf)));
    CHECK_EQ(len, HDRS + MSS + 100);
    CHECK_EQ(buf[14 + 20 + 13], 0x18);
    CHECK_EQ(buf[HDRS + MSS - 1], 1);
    CHECK_EQ(buf[HDRS + MSS], (1 + MSS) & 0xff);
    CHECK_EQ(buf[len - 1], (1 + MSS) & 0xff);
    at = (len + 63) & ~63u;
    n = segment(buf + at, 1 + MSS + 100, 100, 0x10);
    CHECK(!husk_tso_append(buf, &len, &mss, buf + at, n, sizeof(buf)));
}

/* The driver keeps such a frame for the next batch rather than send it
 * cut (drivers/net/guest.c): data without PSH, whose rest is to come. */
TEST(tso_may_grow_only_data_without_psh)
{
    uint32_t len = segment(buf, 1, MSS, 0x10), mss = 0;
    CHECK(husk_tso_may_grow(buf, len));
    uint32_t n = segment(seg, 1 + MSS, MSS, 0x10);
    CHECK(husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    CHECK(husk_tso_may_grow(buf, len)); /* joined already, and growing */
    n = segment(seg, 1 + 2 * MSS, 100, 0x18);
    CHECK(husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)));
    CHECK(!husk_tso_may_grow(buf, len)); /* the write's end: PSH */
    CHECK(!husk_tso_may_grow(seg, segment(seg, 1, 0, 0x10)));   /* bare ACK */
    CHECK(!husk_tso_may_grow(seg, segment(seg, 1, 100, 0x11))); /* FIN */
    CHECK(!husk_tso_may_grow(seg, 40));                         /* short */
    n = segment(seg, 1, MSS, 0x10);
    seg[12] = 0x86; /* not IPv4 */
    CHECK(!husk_tso_may_grow(seg, n));
}

TEST(tso_stops_at_64k)
{
    uint32_t len = segment(buf, 0, MSS, 0x10), mss = 0, joined = 1;
    for (uint32_t i = 1; i < 60; i++) {
        uint32_t n = segment(seg, i * MSS, MSS, 0x10);
        if (!husk_tso_append(buf, &len, &mss, seg, n, sizeof(buf)))
            break;
        joined++;
    }
    CHECK_EQ(joined, (65535 - 40) / MSS);
    CHECK(len - 14 <= 65535);
}

TEST(vnet_header_of_a_complete_frame_is_zero)
{
    struct virtio_net_hdr h;
    memset(&h, 0xff, sizeof(h));
    char why[160];
    CHECK_EQ(husk_vnet_header(buf, 60, 0, MTU, &h, why, sizeof(why)), 0);
    static const struct virtio_net_hdr zero;
    CHECK(memcmp(&h, &zero, sizeof(h)) == 0);
}

TEST(vnet_header_refuses_what_is_no_tso_segment)
{
    struct virtio_net_hdr h;
    char why[160];
    uint32_t len = segment(buf, 0, 3000, 0x10);
#define REFUSED(mss, needle)                                                 \
    do {                                                                     \
        why[0] = '\0';                                                       \
        CHECK_EQ(husk_vnet_header(buf, len, mss, MTU, &h, why, sizeof(why)), \
                 -1);                                                        \
        CHECK_HAS(why, needle);                                              \
    } while (0)
    REFUSED(MTU - 39, "mss 1461 is not from 1 to 1460");
    REFUSED(0xffffffff, "is not from 1 to 1460");
    CHECK_EQ(husk_vnet_header(buf, len, MSS, MTU, &h, why, sizeof(why)), 0);
    len = 53;
    REFUSED(MSS, "length 53 is not from 54 to 65549");
    len = 65550;
    REFUSED(MSS, "length 65550 is not from 54");
    len = segment(buf, 0, 3000, 0x10);
    buf[14 + 9] = 17; /* UDP */
    REFUSED(MSS, "no IPv4 TCP segment without IP options");
    buf[14 + 9] = 6;
    buf[14] = 0x46; /* IP options */
    REFUSED(MSS, "no IPv4 TCP segment");
    buf[14] = 0x45;
    buf[12] = 0x86;
    REFUSED(MSS, "no IPv4 TCP segment");
    buf[12] = 0x08;
    buf[14 + 3] ^= 1; /* IP total length */
    REFUSED(MSS, "IP total length 3041 is not its length 3054");
    buf[14 + 3] ^= 1;
    buf[14 + 7] = 1; /* a fragment offset */
    REFUSED(MSS, "must not be an IP fragment");
    buf[14 + 6] = 0x60, buf[14 + 7] = 0; /* MF and DF */
    REFUSED(MSS, "fragment");
    buf[14 + 6] = 0x40;
    buf[34 + 12] = 4 << 4; /* TCP header of 16 bytes */
    REFUSED(MSS, "TCP header length 16 does not fit");
    buf[34 + 12] = 15 << 4; /* 60 bytes: fits, but then mss 1460 does not */
    REFUSED(MSS, "segments (headers 80 + mss 1460) would exceed the MTU 1500");
    CHECK_EQ(husk_vnet_header(buf, len, MSS - 40, MTU, &h, why, sizeof(why)),
             0);
    CHECK_EQ(h.hdr_len, 14 + 20 + 60);
    len = HDRS + 20; /* 60-byte TCP header past the end */
    put16(buf + 14 + 2, len - 14);
    REFUSED(10, "does not fit");
#undef REFUSED
}

TEST(vnet_header_of_one_short_segment_asks_only_for_the_checksum)
{
    struct virtio_net_hdr h;
    char why[160];
    uint32_t len = segment(buf, 0, 100, 0x18);
    CHECK_EQ(husk_vnet_header(buf, len, 100, MTU, &h, why, sizeof(why)), 0);
    CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
    CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
}

/* The transmit queue, as the driver has it for a 1,500-byte MTU. */
static uint8_t arena[HUSK_NET_BATCH_MAX * 1536];
static struct {
    unsigned batches, frames, cut;
    uint32_t next_seq[40]; /* per connection: where its data goes on */
} sent;

static void record_send(struct husk_nic *nic)
{
    sent.batches++;
    for (unsigned i = 0; i < nic->tx_count; i++) {
        const uint8_t *f = (const uint8_t *)(uintptr_t)nic->tx[i].buf_gpa;
        const uint8_t *th = f + 14 + 20;
        unsigned conn = be16(th + 2) - 40000;
        uint32_t payload = nic->tx[i].len - HDRS;
        CHECK(conn < 40);
        CHECK_EQ(be32(th + 4), sent.next_seq[conn]);
        CHECK_EQ(f[HDRS], sent.next_seq[conn] & 0xff);
        sent.next_seq[conn] += payload;
        sent.frames++;
        sent.cut += th[13] != (0x10 | 0x08);
    }
    nic->tx_count = 0;
    nic->tx_used = 0;
}

/* 40 connections each answer with a 12,437-byte write (8 full segments
 * and one of 757 bytes with PSH) before the guest next waits: 500 KB,
 * five times the arena. Each answer goes as one frame. */
TEST(txq_sends_no_answer_cut_at_a_full_batch)
{
    struct husk_nic nic = {.frame_max = MTU + 14,
                           .tso = true,
                           .stride = 1536,
                           .tx_arena = arena,
                           .tx_arena_size = sizeof(arena)};
    memset(&sent, 0, sizeof(sent));
    uint32_t seq[40] = {0};
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned conn = 0; conn < 40; conn++) {
            for (unsigned k = 0; k < 9; k++) {
                uint8_t *f = husk_txq_room(&nic, record_send);
                uint32_t n = segment(f, seq[conn], k < 8 ? MSS : 757,
                                     k < 8 ? 0x10 : 0x18);
                put16(f + 14 + 20 + 2, 40000 + conn);
                husk_nic_tx_commit(&nic, n);
                seq[conn] += n - HDRS;
            }
        }
    }
    record_send(&nic); /* the guest waits: what is queued goes */
    CHECK(sent.batches >= 15);
    CHECK_EQ(sent.frames, 120u);
    CHECK_EQ(sent.cut, 0u);
    for (unsigned conn = 0; conn < 40; conn++)
        CHECK_EQ(sent.next_seq[conn], 3 * 12437u);
}
