/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * net/rxq.c: a TCP socket's received bytes, copied out of lwIP's pbufs
 * the moment they arrive. lwIP's pbuf pool then only ever holds frames
 * being processed, so a program that leaves data unread (or a peer that
 * fills every connection's window) cannot starve the stack of buffers for
 * the next frame. The bytes live in chunks from the guest's heap; TCP's
 * window bounds them per connection.
 */
#include <stdlib.h>
#include <string.h>

#include "lwip/pbuf.h"

#include "sock.h"

struct rxchunk {
    struct rxchunk *next;
    uint32_t off, len, cap; /* data[off, len) is unread */
    uint8_t data[];
};

#define CHUNK_MIN (16384 - sizeof(struct rxchunk))

int husk_rxq_append(struct rxq *q, const struct pbuf *p)
{
    size_t n = p->tot_len, done = 0;
    struct rxchunk *t = q->tail;
    if (t != NULL && t->cap > t->len) { /* fill the last chunk first */
        size_t room = t->cap - t->len;
        done = n < room ? n : room;
        pbuf_copy_partial(p, t->data + t->len, (u16_t)done, 0);
        t->len += (uint32_t)done;
    }
    if (done < n) {
        size_t cap = n - done > CHUNK_MIN ? n - done : CHUNK_MIN;
        struct rxchunk *c = malloc(sizeof(*c) + cap);
        if (c == NULL) {
            if (t != NULL)
                t->len -= (uint32_t)done; /* all or nothing */
            return -1;
        }
        c->next = NULL;
        c->off = 0;
        c->cap = (uint32_t)cap;
        c->len = (uint32_t)(n - done);
        pbuf_copy_partial(p, c->data, (u16_t)(n - done), (u16_t)done);
        if (t != NULL)
            t->next = c;
        else
            q->head = c;
        q->tail = c;
    }
    q->bytes += n;
    return 0;
}

size_t husk_rxq_take(struct rxq *q, const struct iovec *iov, int iovcnt,
                     bool peek)
{
    size_t done = 0;
    struct rxchunk *c = q->head;
    uint32_t off = c != NULL ? c->off : 0;
    for (int i = 0; i < iovcnt && c != NULL; i++) {
        size_t filled = 0;
        while (filled < iov[i].iov_len && c != NULL) {
            size_t n = c->len - off;
            if (n > iov[i].iov_len - filled)
                n = iov[i].iov_len - filled;
            memcpy((char *)iov[i].iov_base + filled, c->data + off, n);
            filled += n;
            off += (uint32_t)n;
            if (off == c->len) {
                struct rxchunk *next = c->next;
                if (!peek) {
                    free(c);
                    q->head = next;
                }
                c = next;
                off = c != NULL ? c->off : 0;
            }
        }
        done += filled;
    }
    if (!peek) {
        if (q->head == NULL)
            q->tail = NULL;
        else
            q->head->off = off;
        q->bytes -= done;
    }
    return done;
}

void husk_rxq_clear(struct rxq *q)
{
    while (q->head != NULL) {
        struct rxchunk *c = q->head;
        q->head = c->next;
        free(c);
    }
    q->tail = NULL;
    q->bytes = 0;
}
