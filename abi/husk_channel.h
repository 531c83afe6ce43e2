/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * husk_channel.h: how libhusk-host talks to the monitor it starts
 * (husk --call-channel=SOCKET,MEMORY). Not the guest's ABI: the guest
 * sees HUSK_HC_CALL_NEXT and HUSK_HC_HOST_CALL (husk_abi.h), and the
 * monitor turns them into these messages.
 *
 * MEMORY is a file (a memfd) of at least HUSK_CALL_MEM_SIZE bytes that
 * both sides map shared. A message's `len` bytes of data are at its
 * start; after the data (at HUSK_CALL_DATA_MAX) lie two boxes, one for
 * each direction, each holding the last message sent that way (struct
 * husk_channel_box). Whoever sent the last message owns the data until
 * the answer comes: the two take turns, so a box never holds a message
 * its reader has not taken when the next one is put in it.
 *
 * A reader that finds its box empty watches it for a while (a few tens
 * of microseconds, where it has a CPU of its own) and then sleeps on
 * SOCKET, one end of an AF_UNIX SOCK_SEQPACKET pair: a writer that finds
 * its reader asleep sends a doorbell there, a message of any length and
 * content, which means only "look in your box". A call between two
 * processes that both watch costs no system call and no wake-up.
 * Closing the socket ends the guest (HUSK_CALL_CLOSE); the monitor's end
 * closes when it exits.
 *
 * The monitor checks every message it takes as it checks the guest's
 * arguments, and the library every one it takes: with the process
 * backend a guest that took over its monitor can write both boxes.
 */
#ifndef HUSK_CHANNEL_H
#define HUSK_CHANNEL_H

#include <stdint.h>

#include "husk_abi.h"

/* Monitor to library. */
#define HUSK_CHAN_READY 1          /* the guest serves: send calls */
#define HUSK_CHAN_RESULT 2         /* a call's status, code and output */
#define HUSK_CHAN_HOST_CALL 3      /* the guest calls the library's `name` */
#define HUSK_CHAN_SNAPSHOT_DONE 4  /* status 0: written to --snapshot-to */
#define HUSK_CHAN_REWIND_REFUSED 5 /* this monitor cannot rewind (below) */
/* Library to monitor. */
#define HUSK_CHAN_CALL 16       /* call the guest's `name` with len bytes */
#define HUSK_CHAN_HOST_REPLY 17 /* a host call's status, code and output */
#define HUSK_CHAN_SNAPSHOT 18   /* write the guest to --snapshot-to now */
/* Put the guest back as --restore's snapshot has it, in place: answered
 * by READY once it serves again, or by REWIND_REFUSED from a monitor
 * that did not start with --restore or that has devices. */
#define HUSK_CHAN_REWIND 19

struct husk_channel_msg {
    uint32_t type;  /* HUSK_CHAN_* */
    int32_t status; /* HUSK_CALL_* (RESULT, HOST_REPLY) */
    int32_t code;   /* with HUSK_CALL_ERROR: the function's own code */
    uint32_t len;   /* data bytes at the start of MEMORY */
    char name[HUSK_CALL_NAME_MAX]; /* CALL, HOST_CALL: NUL-terminated */
};
HUSK_ABI_CHECK(struct husk_channel_msg, 80);

/* One direction's box. seq counts the messages put in so far; the reader
 * remembers how many it has taken. */
struct husk_channel_box {
    uint32_t seq;
    uint32_t asleep; /* the reader sleeps on the socket: ring */
    /* Monitor to library: the guest's console writes so far. When it
     * moved, the library reads the monitor's stdout and stderr pipes
     * before it returns (their bytes are there: written before the
     * message was put in the box). */
    uint32_t output;
    uint32_t _pad0[13];
    struct husk_channel_msg msg;
    uint8_t _pad1[48]; /* 192 bytes: three cache lines of its own */
};
HUSK_ABI_CHECK(struct husk_channel_box, 192);

struct husk_channel_boxes {
    struct husk_channel_box to_monitor, to_library;
};

#define HUSK_CALL_MEM_SIZE (HUSK_CALL_DATA_MAX + 4096U)

static inline struct husk_channel_boxes *husk_channel_boxes_of(void *mem)
{
    return (struct husk_channel_boxes *)((uint8_t *)mem + HUSK_CALL_DATA_MAX);
}

/* Put m in box b (output: see above). Returns whether the reader sleeps:
 * the caller then rings its doorbell. The fence orders the store of seq
 * before the load of asleep, against the reader's in
 * husk_channel_may_sleep: one of the two sees the other's store. */
static inline int husk_channel_put(struct husk_channel_box *b,
                                   const struct husk_channel_msg *m,
                                   uint32_t output)
{
    __builtin_memcpy(&b->msg, m, sizeof(*m));
    b->output = output;
    uint32_t seq = __atomic_load_n(&b->seq, __ATOMIC_RELAXED);
    __atomic_store_n(&b->seq, seq + 1, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return __atomic_load_n(&b->asleep, __ATOMIC_RELAXED) != 0;
}

/* Take b's message into *m if one came since *taken counted: 1, else 0.
 * *m is a copy, to be checked (the writer may be hostile). */
static inline int husk_channel_take(struct husk_channel_box *b, uint32_t *taken,
                                    struct husk_channel_msg *m,
                                    uint32_t *output)
{
    uint32_t seq = __atomic_load_n(&b->seq, __ATOMIC_ACQUIRE);
    if (seq == *taken)
        return 0;
    __builtin_memcpy(m, &b->msg, sizeof(*m));
    *output = __atomic_load_n(&b->output, __ATOMIC_RELAXED);
    *taken = seq;
    return 1;
}

/* Watch b for up to `times` pauses: 1 as soon as a message is there to
 * take, else 0. A look is a load of a cache line the writer's store
 * moves here; a pause between two keeps the watch light on its core. */
static inline int husk_channel_watch(struct husk_channel_box *b, uint32_t taken,
                                     unsigned times)
{
    for (unsigned i = 0; i < times; i++) {
        if (__atomic_load_n(&b->seq, __ATOMIC_ACQUIRE) != taken)
            return 1;
        __builtin_ia32_pause();
    }
    return 0;
}

/* Before sleeping on the socket: say so, then look again. 1: sleep (a
 * writer from now on rings); 0: a message came, take it (no sleep). */
static inline int husk_channel_may_sleep(struct husk_channel_box *b,
                                         uint32_t taken)
{
    __atomic_store_n(&b->asleep, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&b->seq, __ATOMIC_ACQUIRE) == taken)
        return 1;
    __atomic_store_n(&b->asleep, 0, __ATOMIC_RELAXED);
    return 0;
}

/* Awake again (the socket woke the reader, or its wait ended). */
static inline void husk_channel_awake(struct husk_channel_box *b)
{
    __atomic_store_n(&b->asleep, 0, __ATOMIC_RELAXED);
}

/* How long a reader with a CPU of its own watches its box before it
 * sleeps: a little more than a sleep and a wake-up cost on these hosts
 * (7-15 us), so that a caller that answers at once never pays one. */
#define HUSK_CHANNEL_WATCH_NS 30000ULL

/* Whether watching pays. Where the other side answers late (it works
 * between calls) or cannot run (the CPUs are busy with other work), a
 * watch only burns a CPU it may need: after HUSK_CHANNEL_MISSES watches
 * in a row that ended in a sleep, the reader sleeps at once for its next
 * `backoff` waits (8, doubling to 1024 while watches keep missing), then
 * watches again. One watch that pays ends the backoff. */
#define HUSK_CHANNEL_MISSES 4
struct husk_channel_watch {
    uint32_t misses, skip, backoff;
};

/* 1: watch before this wait; 0: sleep at once. */
static inline int husk_channel_watch_now(struct husk_channel_watch *w)
{
    if (w->skip == 0)
        return 1;
    w->skip--;
    return 0;
}

/* After a watch: paid is 1 if the message came while watching. */
static inline void husk_channel_watched(struct husk_channel_watch *w, int paid)
{
    if (paid) {
        w->misses = w->backoff = 0;
        return;
    }
    if (++w->misses < HUSK_CHANNEL_MISSES)
        return;
    w->misses = 0;
    w->backoff = w->backoff == 0     ? 8
                 : w->backoff >= 512 ? 1024
                                     : w->backoff * 2;
    w->skip = w->backoff;
}

#endif
