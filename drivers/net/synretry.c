/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* drivers/net/synretry.c: passt's SYNs to the guest, sent again
 * (synretry.h). A few at a time are kept: a plain array, searched. */
#include <string.h>

#include "synretry.h"
#include "bytes.h"

#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
#define NS 1000000000ULL

/* When a SYN given tries times so far is due again, from when the last
 * went: 1 s, then 2 s, then 4 s (1, 3 and 7 s after the first). */
static uint64_t backoff(unsigned tries)
{
    return NS << tries;
}

/* The TCP header of an IPv4 frame (its flags at [13]), or NULL. */
static const uint8_t *tcp_of(const uint8_t *f, uint32_t len)
{
    if (len < 14 + 20 + 20 || be16(f + 12) != 0x0800)
        return NULL;
    uint32_t ihl = (f[14] & 0xfu) * 4u;
    if ((f[14] >> 4) != 4 || ihl < 20 || f[14 + 9] != 6 || 14 + ihl + 20 > len)
        return NULL;
    return f + 14 + ihl;
}

static struct husk_syn *find(struct husk_synretry *t, uint32_t addr,
                             uint16_t port, uint16_t guest_port)
{
    for (unsigned i = 0; i < t->count; i++) {
        struct husk_syn *s = &t->syn[i];
        if (s->addr == addr && s->port == port && s->guest_port == guest_port)
            return s;
    }
    return NULL;
}

static void forget(struct husk_synretry *t, struct husk_syn *s)
{
    *s = t->syn[--t->count];
}

void husk_synretry_from_passt(struct husk_synretry *t, const uint8_t *f,
                              uint32_t len, uint64_t now_ns)
{
    const uint8_t *tcp = tcp_of(f, len);
    if (tcp == NULL || !(tcp[13] & (TCP_SYN | TCP_RST)))
        return;
    uint32_t addr;
    memcpy(&addr, f + 14 + 12, 4);
    uint16_t port = (uint16_t)be16(tcp), guest_port = (uint16_t)be16(tcp + 2);
    struct husk_syn *s = find(t, addr, port, guest_port);
    if (tcp[13] & TCP_RST) {
        if (s != NULL)
            forget(t, s);
        return;
    }
    if (tcp[13] & TCP_ACK) /* an answer to the guest's SYN: not ours */
        return;
    if (s == NULL) {
        if (t->count == HUSK_SYN_PENDING) /* the oldest goes */
            forget(t, &t->syn[0]);
        s = &t->syn[t->count++];
    }
    uint32_t n = len < HUSK_SYN_FRAME_MAX ? len : HUSK_SYN_FRAME_MAX;
    *s = (struct husk_syn){.len = n,
                           .due_ns = now_ns + backoff(0),
                           .addr = addr,
                           .port = port,
                           .guest_port = guest_port};
    memcpy(s->frame, f, n);
}

void husk_synretry_from_guest(struct husk_synretry *t, const uint8_t *f,
                              uint32_t len)
{
    if (t->count == 0)
        return;
    const uint8_t *tcp = tcp_of(f, len);
    if (tcp == NULL ||
        !((tcp[13] & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) ||
          (tcp[13] & TCP_RST)))
        return;
    uint32_t addr;
    memcpy(&addr, f + 14 + 16, 4); /* the far end: the destination */
    struct husk_syn *s =
        find(t, addr, (uint16_t)be16(tcp + 2), (uint16_t)be16(tcp));
    if (s != NULL)
        forget(t, s);
}

uint32_t husk_synretry_due(struct husk_synretry *t, uint64_t now_ns,
                           uint8_t *out)
{
    for (unsigned i = 0; i < t->count; i++) {
        struct husk_syn *s = &t->syn[i];
        if (s->due_ns > now_ns)
            continue;
        uint32_t len = s->len;
        memcpy(out, s->frame, len);
        t->resent++;
        if (++s->tries == HUSK_SYN_TRIES)
            forget(t, s);
        else
            s->due_ns = now_ns + backoff(s->tries);
        return len;
    }
    return 0;
}

uint64_t husk_synretry_wait(const struct husk_synretry *t, uint64_t now_ns)
{
    uint64_t wait = UINT64_MAX;
    for (unsigned i = 0; i < t->count; i++) {
        uint64_t due = t->syn[i].due_ns;
        uint64_t w = due > now_ns ? due - now_ns : 0;
        if (w < wait)
            wait = w;
    }
    return wait;
}
