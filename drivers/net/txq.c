/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/txq.c: the guest NIC's transmit queue (nic.h), packed in
 * its arena: where the next frame goes, and joining it to the frame before
 * (tso.c). Pure but for the send it is given: the unit tests run it.
 */
#include "nic.h"
#include "tso.h"

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

/* A full queue is sent, but for a last frame that may still grow (a TCP
 * segment lwIP is writing on): that one moves to the front of the next
 * batch, where the rest of its data, likely the next frame, can join it.
 * Cut in two at a batch's end, a 12 KiB HTTP response reaches the
 * user-mode network as two frames, and Debian 12's passt writes each to
 * its host socket as it comes, without TCP_NODELAY: the second waits for
 * the client's delayed ACK, 40 ms (docs/architecture.md, "The user-mode
 * network"). */
void *husk_txq_room(struct husk_nic *nic, void (*send)(struct husk_nic *))
{
    if (nic->tx_count < HUSK_NET_BATCH_MAX &&
        nic->tx_used + nic->frame_max <= nic->tx_arena_size)
        return nic->tx_arena + nic->tx_used;
    struct husk_net_frame last = nic->tx[nic->tx_count - 1];
    bool hold =
        nic->tso && nic->tx_count > 1 &&
        align64(last.len) + nic->frame_max <= nic->tx_arena_size &&
        husk_tso_may_grow((const uint8_t *)(uintptr_t)last.buf_gpa, last.len);
    nic->tx_count -= hold;
    send(nic);
    if (hold) {
        __builtin_memmove(nic->tx_arena, (const void *)(uintptr_t)last.buf_gpa,
                          last.len);
        last.buf_gpa = (uintptr_t)nic->tx_arena;
        nic->tx[nic->tx_count++] = last;
        nic->tx_used = align64(last.len);
    }
    return nic->tx_arena + nic->tx_used;
}

void husk_nic_tx_commit(struct husk_nic *nic, size_t len)
{
    uint8_t *frame = nic->tx_arena + nic->tx_used;
    if (nic->tso && nic->tx_count > 0) {
        struct husk_net_frame *last = &nic->tx[nic->tx_count - 1];
        uint8_t *buf = (uint8_t *)(uintptr_t)last->buf_gpa;
        size_t room = nic->tx_arena_size - (size_t)(buf - nic->tx_arena);
        if (husk_tso_append(buf, &last->len, &last->mss, frame, (uint32_t)len,
                            room < HUSK_NET_TSO_FRAME_MAX
                                ? (uint32_t)room
                                : HUSK_NET_TSO_FRAME_MAX)) {
            nic->tx_used = align64((size_t)(buf - nic->tx_arena) + last->len);
            return;
        }
    }
    nic->tx[nic->tx_count++] = (struct husk_net_frame){
        .buf_gpa = (uintptr_t)frame, .len = (uint32_t)len, .mss = 0};
    nic->tx_used += align64(len);
}
