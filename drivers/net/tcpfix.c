/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/tcpfix.c: passt's TCP toward the guest, made up for
 * (tcpfix.h). Pure: the unit tests run it on the host.
 */
#include <string.h>

#include "tcpfix.h"
#include "bytes.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
#define WS_MAX 14 /* RFC 7323: a larger one is taken as 14 */

/* The TCP segment in an Ethernet frame of which len bytes are at f: its
 * header (thl bytes, checked to lie there) and its payload's length (by
 * the IP header), or NULL for anything else. */
static uint8_t *tcp_header(uint8_t *f, uint32_t len, uint32_t *thl,
                           uint32_t *payload)
{
    if (len < 14 + 20 || be16(f + 12) != 0x0800)
        return NULL;
    uint8_t *ip = f + 14;
    uint32_t ihl = (ip[0] & 0xfu) * 4u;
    /* Not a fragment (MF or an offset): its length is not the
     * segment's. */
    if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 6 ||
        (be16(ip + 6) & 0x3fff) != 0 || 14 + ihl + 20 > len)
        return NULL;
    uint8_t *tcp = ip + ihl;
    *thl = (uint32_t)(tcp[12] >> 4) * 4u;
    if (*thl < 20 || 14 + ihl + *thl > len || be16(ip + 2) < ihl + *thl)
        return NULL;
    *payload = be16(ip + 2) - ihl - *thl;
    return tcp;
}

/* The value of the option of the given kind and length (kind and length
 * bytes included), or NULL if there is none. */
static const uint8_t *find_option(const uint8_t *tcp, uint32_t thl,
                                  uint8_t kind, uint8_t len)
{
    for (uint32_t i = 20; i < thl;) {
        if (tcp[i] == 0) /* end of options */
            break;
        if (tcp[i] == 1) { /* no-op */
            i++;
            continue;
        }
        if (i + 1 >= thl || tcp[i + 1] < 2 || i + tcp[i + 1] > thl)
            break; /* malformed: no more options */
        if (tcp[i] == kind && tcp[i + 1] == len)
            return tcp + i + 2;
        i += tcp[i + 1];
    }
    return NULL;
}

/* The window scale option's value, or -1 if there is none. */
static int scale_option(const uint8_t *tcp, uint32_t thl)
{
    const uint8_t *o = find_option(tcp, thl, 3, 3);
    if (o == NULL)
        return -1;
    return o[0] > WS_MAX ? WS_MAX : o[0];
}

/* The MSS option's value, or 0 if there is none. */
static uint16_t mss_option(const uint8_t *tcp, uint32_t thl)
{
    const uint8_t *o = find_option(tcp, thl, 2, 4);
    return o == NULL ? 0 : (uint16_t)be16(o);
}

/* The window field set to wnd, the checksum updated (RFC 1624: HC' =
 * ~(~HC + ~m + m'), in 16-bit ones' complement). */
static void set_window(uint8_t *tcp, uint32_t wnd)
{
    uint32_t old = be16(tcp + 14);
    tcp[14] = (uint8_t)(wnd >> 8);
    tcp[15] = (uint8_t)wnd;
    uint32_t sum = (~be16(tcp + 16) & 0xffff) + (~old & 0xffff) + wnd;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = ~sum & 0xffff;
    tcp[16] = (uint8_t)(sum >> 8);
    tcp[17] = (uint8_t)sum;
}

static unsigned bucket(uint32_t addr, uint16_t port, uint16_t guest_port)
{
    uint32_t h =
        addr * 0x9e3779b1U ^ ((uint32_t)port << 16 | guest_port) * 0x85ebca77U;
    h ^= h >> 15;
    return (h * 0xc2b2ae35U >> 16) % HUSK_TCPFIX_BUCKETS;
}

/* Whether c is counted in `live`. */
static bool counted(const struct husk_tcpfix_conn *c)
{
    return c->sending && !c->idle;
}

static struct husk_tcpfix_conn *find(struct husk_tcpfix *t, uint32_t addr,
                                     uint16_t port, uint16_t guest_port,
                                     bool make)
{
    unsigned b = bucket(addr, port, guest_port);
    struct husk_tcpfix_conn *free_way = NULL;
    for (unsigned w = 0; w < HUSK_TCPFIX_WAYS; w++) {
        struct husk_tcpfix_conn *c = &t->conn[b][w];
        if (c->used && c->addr == addr && c->port == port &&
            c->guest_port == guest_port)
            return c;
        if (!c->used && free_way == NULL)
            free_way = c;
    }
    if (!make)
        return NULL;
    if (free_way == NULL) { /* full: the oldest made goes */
        free_way = &t->conn[b][t->next[b]];
        t->next[b] = (uint8_t)((t->next[b] + 1) % HUSK_TCPFIX_WAYS);
        if (counted(free_way))
            t->live--;
    }
    *free_way = (struct husk_tcpfix_conn){
        .addr = addr, .port = port, .guest_port = guest_port, .used = true};
    return free_way;
}

/* c, found or made, as a new connection: passt may send on it. */
static void open_conn(struct husk_tcpfix *t, struct husk_tcpfix_conn *c,
                      uint32_t addr, uint16_t port, uint16_t guest_port)
{
    if (!counted(c))
        t->live++;
    *c = (struct husk_tcpfix_conn){.addr = addr,
                                   .port = port,
                                   .guest_port = guest_port,
                                   .used = true,
                                   .sending = true,
                                   .seen_ns = t->now_ns};
}

/* passt will send no more data on c (its FIN), or c is over (a reset). */
static void stop_sending(struct husk_tcpfix *t, struct husk_tcpfix_conn *c)
{
    if (counted(c))
        t->live--;
    c->sending = c->idle = false;
}

/* A segment of c seen now: an idle connection counts again. */
static void touch(struct husk_tcpfix *t, struct husk_tcpfix_conn *c)
{
    c->seen_ns = t->now_ns;
    if (c->idle) {
        c->idle = false;
        t->live++;
    }
}

/* At most once a second: connections quiet for HUSK_TCPFIX_IDLE_NS stop
 * counting (tcpfix.h). */
static void sweep(struct husk_tcpfix *t)
{
    if (t->now_ns - t->swept_ns < 1000000000ULL)
        return;
    t->swept_ns = t->now_ns;
    for (unsigned b = 0; b < HUSK_TCPFIX_BUCKETS; b++)
        for (unsigned w = 0; w < HUSK_TCPFIX_WAYS; w++) {
            struct husk_tcpfix_conn *c = &t->conn[b][w];
            if (c->used && counted(c) &&
                t->now_ns - c->seen_ns > HUSK_TCPFIX_IDLE_NS) {
                c->idle = true;
                t->live--;
            }
        }
}

/* a after b, in sequence space */
static bool seq_after(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

/* The Internet checksum of n bytes, big-endian words, not complemented. */
static uint32_t sum16(uint32_t s, const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i + 1 < n; i += 2)
        s += be16(p + i);
    if (n % 2)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}
static uint32_t complemented(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return ~s & 0xffff;
}

/* Whether passt owes c a window or an ACK worth asking for (tcpfix.h). */
static bool owes(const struct husk_tcpfix_conn *c)
{
    return c->acked_before && c->guest_next_known && !c->guest_fin &&
           (c->shut ||
            (c->passt_ack_known && seq_after(c->guest_next, c->passt_ack)));
}

/* c followed if passt owes it something: its ask due after the first gap,
 * counted from now when passt has just sent on it, else left as it was. */
static void follow(struct husk_tcpfix *t, struct husk_tcpfix_conn *c,
                   bool passt_spoke)
{
    if (!owes(c) || (c->followed && !passt_spoke))
        return;
    unsigned i = 0;
    while (i < t->owed_count &&
           (t->owed[i].addr != c->addr || t->owed[i].port != c->port ||
            t->owed[i].guest_port != c->guest_port))
        i++;
    if (i == HUSK_TCPFIX_OWED_MAX)
        return; /* the guest probes or retransmits itself, later */
    if (i == t->owed_count)
        t->owed_count++;
    uint64_t first =
        c->shut ? HUSK_TCPFIX_POKE_FIRST_NS : HUSK_TCPFIX_OWED_FIRST_NS;
    t->owed[i] = (struct husk_tcpfix_owed){
        .addr = c->addr,
        .port = c->port,
        .guest_port = c->guest_port,
        .due_ns = t->now_ns + first,
        .gap_ns = first,
    };
    c->followed = true;
}

/* As from the guest to passt on c: for a shut window an old ACK, nothing
 * but passt's look at its window; for an ACK owed a byte past all the
 * guest has sent, as a retransmission's nudge (tcpfix.h). */
static uint32_t make_poke(const struct husk_tcpfix *t,
                          const struct husk_tcpfix_conn *c, uint8_t *out)
{
    uint32_t data = c->shut ? 0 : 1;
    memcpy(out, t->guest_eth, 14);
    uint8_t *ip = out + 14, *tcp = ip + 20;
    memset(ip, 0, 40 + data);
    ip[0] = 0x45;
    put16(ip + 2, 40 + data);
    put16(ip + 6, 0x4000); /* DF */
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, t->guest_ip, 4);
    memcpy(ip + 16, &c->addr, 4);
    put16(ip + 10, complemented(sum16(0, ip, 20)));
    put16(tcp, c->guest_port);
    put16(tcp + 2, c->port);
    put32(tcp + 4, c->guest_next + data);
    put32(tcp + 8, c->last_ack - (1 - data));
    tcp[12] = 5 << 4;
    tcp[13] = TCP_ACK;
    put16(tcp + 14, c->last_window);
    uint32_t s = sum16(0, ip + 12, 8) + 6 + 20 + data;
    put16(tcp + 16, complemented(sum16(s, tcp, 20 + data)));
    return 14 + 40 + data;
}

uint32_t husk_tcpfix_poke(struct husk_tcpfix *t, uint8_t *out)
{
    unsigned i = 0;
    while (i < t->owed_count) {
        struct husk_tcpfix_owed *s = &t->owed[i];
        struct husk_tcpfix_conn *c =
            find(t, s->addr, s->port, s->guest_port, false);
        /* Over (or another connection in its place), paid, or past the
         * guest's FIN (whose segment a poke must not trail: tcpfix.h):
         * no longer followed. */
        if (c == NULL || !c->followed || !owes(c) || !t->guest_known) {
            if (c != NULL)
                c->followed = false;
            t->owed[i] = t->owed[--t->owed_count];
            continue;
        }
        if (t->now_ns < s->due_ns) {
            i++;
            continue;
        }
        s->gap_ns = s->gap_ns * 2 < HUSK_TCPFIX_POKE_LAST_NS
                        ? s->gap_ns * 2
                        : HUSK_TCPFIX_POKE_LAST_NS;
        s->due_ns = t->now_ns + s->gap_ns;
        t->pokes++;
        return make_poke(t, c, out);
    }
    return 0;
}

uint64_t husk_tcpfix_poke_wait(const struct husk_tcpfix *t, uint64_t now_ns)
{
    uint64_t wait = UINT64_MAX;
    for (unsigned i = 0; i < t->owed_count; i++) {
        uint64_t due = t->owed[i].due_ns;
        if (due <= now_ns)
            return 0;
        if (due - now_ns < wait)
            wait = due - now_ns;
    }
    return wait;
}

/* The segment f's headers with one byte after them, at sequence number
 * seq: lengths, ids and checksums its own. */
static uint32_t make_nudge(const uint8_t *f, uint32_t ihl, uint32_t thl,
                           uint32_t seq, uint8_t *out)
{
    uint32_t hl = 14 + ihl + thl;
    memcpy(out, f, hl);
    out[hl] = 0;
    uint8_t *ip = out + 14, *tcp = ip + ihl;
    put16(ip + 2, ihl + thl + 1);
    put16(ip + 10, 0);
    put16(ip + 10, complemented(sum16(0, ip, ihl)));
    put16(tcp + 4, seq >> 16);
    put16(tcp + 6, seq);
    tcp[13] &= (uint8_t) ~(0x01 | 0x08); /* no FIN, no PSH */
    put16(tcp + 16, 0);
    uint32_t s = sum16(0, ip + 12, 8) + 6 + thl + 1;
    put16(tcp + 16, complemented(sum16(s, tcp, thl + 1)));
    return hl + 1;
}

uint32_t husk_tcpfix_from_guest(struct husk_tcpfix *t, const uint8_t *head,
                                uint32_t len, uint8_t *nudge)
{
    uint32_t thl, payload;
    uint8_t *f = (uint8_t *)head; /* read only: tcp_header is shared */
    uint8_t *tcp = tcp_header(f, len, &thl, &payload);
    if (tcp == NULL)
        return false;
    uint32_t addr;
    memcpy(&addr, f + 14 + 16, 4); /* the far end: the destination */
    uint16_t port = (uint16_t)be16(tcp + 2), guest_port = (uint16_t)be16(tcp);
    uint8_t flags = tcp[13];
    uint32_t seq = be32(tcp + 4);
    if (flags & TCP_SYN) {
        struct husk_tcpfix_conn *c = find(t, addr, port, guest_port, true);
        if (!(flags & TCP_ACK)) /* the guest opens: a new one */
            open_conn(t, c, addr, port, guest_port);
        memcpy(t->guest_eth, f, sizeof(t->guest_eth)); /* for a poke */
        memcpy(t->guest_ip, f + 14 + 12, sizeof(t->guest_ip));
        t->guest_known = true;
        int shift = scale_option(tcp, thl);
        c->guest_scales = shift >= 0;
        c->guest_shift = (uint8_t)(shift > 0 ? shift : 0);
        c->guest_next = seq + 1;
        c->guest_next_known = true;
        return 0;
    }
    struct husk_tcpfix_conn *c = find(t, addr, port, guest_port, false);
    if (c == NULL)
        return 0;
    touch(t, c);
    if (flags & TCP_RST) {
        stop_sending(t, c);
        c->used = false;
        return 0;
    }
    if (flags & TCP_FIN)
        c->guest_fin = true;
    if ((flags & TCP_ACK) && c->passt_fin_known &&
        seq_after(be32(tcp + 8), c->passt_fin_seq))
        c->passt_fin_acked = true;
    /* After its FIN the guest waits for nothing passt could hold back,
     * and an ACK asked for could trail a closing one (tcpfix.h). */
    if (payload == 0 || !c->guest_next_known || !(flags & TCP_ACK) ||
        c->guest_fin)
        return 0;
    uint32_t end = seq + payload;
    if (seq_after(end, c->guest_next)) {
        c->guest_next = end;
        follow(t, c, false);
        return 0;
    }
    /* A retransmission: passt's ACK is asked for (tcpfix.h). */
    t->nudges++;
    return make_nudge(f, (uint32_t)(tcp - (f + 14)), thl, c->guest_next + 1,
                      nudge);
}

bool husk_tcpfix_from_passt(struct husk_tcpfix *t, uint8_t *f, uint32_t len)
{
    uint32_t thl, payload;
    uint8_t *tcp = tcp_header(f, len, &thl, &payload);
    if (tcp == NULL)
        return false;
    uint32_t addr;
    memcpy(&addr, f + 14 + 12, 4); /* the far end: the source */
    uint16_t port = (uint16_t)be16(tcp), guest_port = (uint16_t)be16(tcp + 2);
    uint8_t flags = tcp[13];
    if (flags & TCP_SYN) {
        int shift = scale_option(tcp, thl);
        struct husk_tcpfix_conn *c = find(t, addr, port, guest_port, true);
        if (!(flags & TCP_ACK)) /* passt opens: a new connection */
            open_conn(t, c, addr, port, guest_port);
        c->shift = (uint8_t)(shift > 0 ? shift : 0);
        c->passt_scales = shift >= 0;
        c->mss = mss_option(tcp, thl);
        if (flags & TCP_ACK) { /* its SYN-ACK: the guest's SYN is paid */
            c->passt_ack_known = true;
            c->passt_ack = be32(tcp + 8);
        }
        return false; /* a SYN's window is never scaled */
    }
    struct husk_tcpfix_conn *c = find(t, addr, port, guest_port, false);
    if (c == NULL)
        return false;
    touch(t, c);
    if (!(flags & TCP_RST)) {
        c->shut = be16(tcp + 14) == 0;
        if (flags & TCP_ACK) {
            c->passt_ack_known = true;
            c->passt_ack = be32(tcp + 8);
        }
        follow(t, c, true);
    }
    if (flags & (TCP_RST | TCP_FIN))
        stop_sending(t, c);
    if (flags & TCP_FIN) {
        c->passt_fin_known = true;
        c->passt_fin_seq = be32(tcp + 4) + payload;
    }
    if (flags & TCP_RST) {
        c->used = false;
        return false;
    }
    if (c->guest_scales || c->shift == 0)
        return false;
    uint32_t old = be16(tcp + 14);
    uint32_t wnd = old << c->shift;
    if (wnd > 0xffff)
        wnd = 0xffff;
    if (wnd == old)
        return false;
    set_window(tcp, wnd);
    return true;
}

enum husk_tcpfix_fate husk_tcpfix_narrow(struct husk_tcpfix *t, uint8_t *head,
                                         uint32_t len)
{
    uint32_t thl, payload;
    uint8_t *tcp = tcp_header(head, len, &thl, &payload);
    if (tcp == NULL || (tcp[13] & TCP_RST))
        return HUSK_TCPFIX_AS_IS;
    uint32_t addr;
    memcpy(&addr, head + 14 + 16, 4); /* the far end: the destination */
    struct husk_tcpfix_conn *c =
        find(t, addr, (uint16_t)be16(tcp + 2), (uint16_t)be16(tcp), false);
    uint8_t flags = tcp[13];
    sweep(t);
    if (c == NULL || !(flags & TCP_ACK))
        return HUSK_TCPFIX_AS_IS;
    touch(t, c);
    bool pure = payload == 0 && !(flags & (TCP_SYN | TCP_FIN));
    uint32_t ack = be32(tcp + 8);
    if (flags & TCP_SYN) { /* with ACK: the guest's SYN-ACK */
        if (c->synack_sent && c->synack_seq == be32(tcp + 4) &&
            t->now_ns - c->synack_ns < HUSK_TCPFIX_SYNACK_HOLD_NS) {
            t->held++; /* just sent: could share passt's batch (tcpfix.h) */
            return HUSK_TCPFIX_HELD;
        }
        c->synack_sent = true;
        c->synack_seq = be32(tcp + 4);
        c->synack_ns = t->now_ns;
    }
    if (pure && c->guest_fin && c->passt_fin_acked) {
        t->held++; /* passt has all it needs (tcpfix.h) */
        return HUSK_TCPFIX_HELD;
    }
    uint16_t guest_window = (uint16_t)be16(tcp + 14);
    enum husk_tcpfix_fate fate = HUSK_TCPFIX_AS_IS;
    if (t->budget != 0 && counted(c)) {
        uint32_t share = t->budget / t->live;        /* c is one of them */
        uint32_t floor = c->mss != 0 ? c->mss : 536; /* RFC 9293's */
        /* A client on the host gets more while that many of them fit in
         * passt's socket (four budgets), where they could not push each
         * other's SYNs out (tcpfix.h). */
        if (c->addr == t->host_addr && t->host_addr != 0 &&
            (uint64_t)t->live * HUSK_TCPFIX_HOST_FLOOR <= 4ULL * t->budget)
            floor = HUSK_TCPFIX_HOST_FLOOR;
        if (share < floor)
            share = floor;
        /* A SYN's window is never scaled; the others are when both SYNs
         * offered a scale. */
        unsigned shift =
            (flags & TCP_SYN) || !c->guest_scales || !c->passt_scales
                ? 0
                : c->guest_shift;
        if (((uint64_t)guest_window << shift) > share) {
            /* Rounded up: never below the floor. */
            set_window(tcp, (share + (1U << shift) - 1) >> shift);
            t->narrowed++;
            fate = HUSK_TCPFIX_CHANGED;
        }
    }
    /* A SYN's window is unscaled: not one to compare later ones with. */
    if (flags & TCP_SYN)
        return fate;
    uint16_t window = (uint16_t)be16(tcp + 14);
    /* A window update that narrowing made a duplicate ACK (tcpfix.h). */
    if (pure && fate == HUSK_TCPFIX_CHANGED && c->acked_before &&
        ack == c->last_ack && window == c->last_window &&
        guest_window != c->last_guest_window) {
        c->last_guest_window = guest_window;
        t->held++;
        return HUSK_TCPFIX_HELD;
    }
    c->acked_before = true;
    c->last_ack = ack;
    c->last_window = window;
    c->last_guest_window = guest_window;
    return fate;
}
