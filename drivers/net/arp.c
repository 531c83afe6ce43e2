/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* drivers/net/arp.c: ARP requests answered in the monitor (arp.h). */
#include <string.h>

#include "arp.h"

bool husk_arp_request(struct husk_arp *a, const uint8_t *f, uint32_t len)
{
    /* Ethernet, ARP; hardware Ethernet (1), protocol IPv4, lengths 6 and
     * 4, a request (1). */
    static const uint8_t request[] = {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1};
    if (len < HUSK_ARP_FRAME || memcmp(f + 12, request, sizeof(request)) != 0)
        return false;
    const uint8_t *sha = f + 22, *spa = f + 28, *tpa = f + 38;
    static const uint8_t zero[4];
    bool announcement = memcmp(spa, zero, 4) != 0 && memcmp(spa, tpa, 4) == 0;
    if (announcement || memcmp(tpa, &a->guest_ip, 4) == 0)
        return true; /* passt would not answer either */
    if (a->count == HUSK_ARP_PENDING) {
        a->dropped++;
        return true;
    }
    a->answered++;
    uint8_t *r = a->answer[(a->head + a->count++) % HUSK_ARP_PENDING];
    memcpy(r, sha, 6);              /* to the asker */
    memcpy(r + 6, a->peer_mac, 6);  /* from passt */
    memcpy(r + 12, request, 9);     /* ARP, Ethernet, IPv4, 6, 4 */
    r[21] = 2;                      /* a reply */
    memcpy(r + 22, a->peer_mac, 6); /* the target is at passt's MAC */
    memcpy(r + 28, tpa, 4);
    memcpy(r + 32, sha, 6);
    memcpy(r + 38, spa, 4);
    return true;
}

const uint8_t *husk_arp_next(struct husk_arp *a)
{
    if (a->count == 0)
        return NULL;
    const uint8_t *r = a->answer[a->head];
    a->head = (a->head + 1) % HUSK_ARP_PENDING;
    a->count--;
    return r;
}
