/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * fuzz_tcpfix.c: the monitor's following of passt's TCP
 * (drivers/net/tcpfix.c) on any frames, both ways, with a window budget.
 * Input: the budget (4 bytes, little-endian; 0 leaves windows alone),
 * then records: a direction byte (odd: passt's frame, even: the guest's;
 * the other 7 bits move the clock on by that many tenths of a second), a
 * length (2 bytes, little-endian) and that many bytes. Each
 * frame is in a buffer of just its size (a guest frame: its first
 * HUSK_VNET_HEAD_MAX bytes, the copy the monitor reads), so ASan sees a
 * read past it. After each: the count of connections passt may send on
 * is what the table holds, a frame to go as it is was not changed, and
 * the pokes due come out at most one per shut window, each a TCP segment
 * with its checksums right, none due after.
 */
#include <stdlib.h>
#include <string.h>

#include "../../drivers/net/tcpfix.h"
#include "../../drivers/net/vnet.h"

static struct husk_tcpfix t;

static void check_live(void)
{
    uint32_t sending = 0;
    for (unsigned b = 0; b < HUSK_TCPFIX_BUCKETS; b++)
        for (unsigned w = 0; w < HUSK_TCPFIX_WAYS; w++) {
            const struct husk_tcpfix_conn *c = &t.conn[b][w];
            if (c->sending && !c->used)
                abort(); /* a forgotten connection still counted */
            sending += c->sending && !c->idle;
        }
    if (sending != t.live)
        abort();
}

static uint32_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s;
}

static uint32_t sum16(uint32_t s, const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n % 2 != 0)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static void check_pokes(void)
{
    if (t.owed_count > HUSK_TCPFIX_OWED_MAX)
        abort();
    unsigned due = husk_tcpfix_poke_wait(&t, t.now_ns) == 0;
    unsigned n = 0;
    uint8_t p[HUSK_TCPFIX_POKE_MAX];
    uint32_t len;
    while ((len = husk_tcpfix_poke(&t, p)) != 0) {
        const uint8_t *ip = p + 14, *tcp = ip + 20;
        uint32_t tl = len - 34;
        if ((len != HUSK_TCPFIX_POKE_MAX && len != HUSK_TCPFIX_POKE_MAX - 1) ||
            ++n > HUSK_TCPFIX_OWED_MAX || fold(sum16(0, ip, 20)) != 0xffff ||
            fold(sum16(sum16(0, ip + 12, 8) + 6 + tl, tcp, tl)) != 0xffff)
            abort();
    }
    if ((n > 0 && !due) || husk_tcpfix_poke_wait(&t, t.now_ns) == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&t, 0, sizeof(t));
    if (size < 4)
        return 0;
    memcpy(&t.budget, data, 4);
    data += 4;
    size -= 4;
    while (size >= 3) {
        int from_passt = data[0] & 1;
        t.now_ns += (uint64_t)(data[0] >> 1) * 100000000ULL;
        uint32_t len = (uint32_t)data[1] | (uint32_t)data[2] << 8;
        data += 3;
        size -= 3;
        if (len > size)
            len = (uint32_t)size;
        uint32_t n = len;
        if (!from_passt && n > HUSK_VNET_HEAD_MAX)
            n = HUSK_VNET_HEAD_MAX;
        uint8_t *frame = malloc(n ? n : 1);
        if (frame == NULL)
            abort();
        memcpy(frame, data, n);
        if (from_passt) {
            husk_tcpfix_from_passt(&t, frame, n);
        } else {
            uint8_t before[HUSK_VNET_HEAD_MAX];
            memcpy(before, frame, n);
            uint8_t nudge[HUSK_TCPFIX_NUDGE_MAX];
            enum husk_tcpfix_fate fate = husk_tcpfix_narrow(&t, frame, n);
            if (fate == HUSK_TCPFIX_AS_IS && memcmp(before, frame, n) != 0)
                abort(); /* changed, but not said so */
            husk_tcpfix_from_guest(&t, frame, n, nudge);
        }
        free(frame);
        check_live();
        check_pokes();
        data += len;
        size -= len;
    }
    return 0;
}
