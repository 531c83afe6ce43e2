/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* abi/husk_channel.h: the boxes libhusk-host and the monitor pass their
 * messages through, the doorbell's rule (ring only a reader that sleeps)
 * and the watch policy. The two-thread cases take turns as the library
 * and the monitor do: a wake-up the rule lost would leave both asleep,
 * which the cases see as a poll that times out. */
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../abi/husk_channel.h"
#include "unit.h"

TEST(channel_boxes_lie_after_the_data)
{
    static uint8_t mem[HUSK_CALL_MEM_SIZE];
    struct husk_channel_boxes *b = husk_channel_boxes_of(mem);
    CHECK_EQ((uint8_t *)b - mem, HUSK_CALL_DATA_MAX);
    CHECK((uint8_t *)(b + 1) <= mem + sizeof(mem));
    CHECK_EQ(offsetof(struct husk_channel_box, msg), 64);
    CHECK_EQ(offsetof(struct husk_channel_boxes, to_library), 192);
}

TEST(channel_take_gets_each_message_once)
{
    struct husk_channel_box box;
    memset(&box, 0, sizeof(box));
    uint32_t taken = 0, output = 0;
    struct husk_channel_msg m = {.type = HUSK_CHAN_CALL, .len = 7}, got;
    strcpy(m.name, "echo");
    CHECK(!husk_channel_take(&box, &taken, &got, &output));
    CHECK(!husk_channel_put(&box, &m, 3)); /* the reader is awake */
    CHECK(husk_channel_take(&box, &taken, &got, &output));
    CHECK_EQ(got.type, HUSK_CHAN_CALL);
    CHECK_EQ(got.len, 7);
    CHECK_STREQ(got.name, "echo");
    CHECK_EQ(output, 3);
    CHECK(!husk_channel_take(&box, &taken, &got, &output));
    m.len = 9;
    husk_channel_put(&box, &m, 4);
    CHECK(husk_channel_take(&box, &taken, &got, &output));
    CHECK_EQ(got.len, 9);
    CHECK_EQ(taken, 2);
}

TEST(channel_writer_rings_only_a_sleeping_reader)
{
    struct husk_channel_box box;
    memset(&box, 0, sizeof(box));
    uint32_t taken = 0, output;
    struct husk_channel_msg m = {.type = HUSK_CHAN_RESULT}, got;
    CHECK(husk_channel_may_sleep(&box, taken)); /* empty: it sleeps */
    CHECK(husk_channel_put(&box, &m, 0));       /* so the writer rings */
    husk_channel_awake(&box);
    CHECK(husk_channel_take(&box, &taken, &got, &output));
    CHECK(!husk_channel_put(&box, &m, 0)); /* awake: no ring */
    /* A message already there: the reader must not sleep, and stays
     * awake (a later writer does not ring). */
    CHECK(!husk_channel_may_sleep(&box, taken));
    CHECK_EQ(box.asleep, 0);
}

TEST(channel_watch_backs_off_while_watches_miss)
{
    struct husk_channel_watch w = {0};
    for (int i = 0; i < HUSK_CHANNEL_MISSES - 1; i++) {
        CHECK(husk_channel_watch_now(&w));
        husk_channel_watched(&w, 0);
    }
    CHECK(husk_channel_watch_now(&w));
    husk_channel_watched(&w, 0); /* the last miss: 8 waits without */
    for (int i = 0; i < 8; i++)
        CHECK(!husk_channel_watch_now(&w));
    for (int i = 0; i < HUSK_CHANNEL_MISSES; i++) {
        CHECK(husk_channel_watch_now(&w));
        husk_channel_watched(&w, 0);
    }
    for (int i = 0; i < 16; i++) /* doubled */
        CHECK(!husk_channel_watch_now(&w));
    CHECK(husk_channel_watch_now(&w));
    husk_channel_watched(&w, 1); /* one that pays ends it */
    CHECK_EQ(w.backoff, 0);
    /* Misses for good: the backoff stops doubling at 1024. */
    for (int i = 0; i < 100000; i++)
        if (husk_channel_watch_now(&w))
            husk_channel_watched(&w, 0);
    CHECK_EQ(w.backoff, 1024);
}

/* ---- two threads taking turns ---- */

#define ROUNDS 20000

struct side {
    struct husk_channel_box *in, *out;
    int sock;
    uint32_t taken;
    uint64_t spins; /* how long to watch, in pause loops: 0 never */
    int failed;
};

/* Wait for the next message as the two real loops do: watch, then say
 * so and sleep on the socket, a doorbell read on waking. */
static int receive(struct side *s, struct husk_channel_msg *m)
{
    uint32_t output;
    for (uint64_t i = 0; i < s->spins; i++)
        if (husk_channel_take(s->in, &s->taken, m, &output))
            return 0;
    for (;;) {
        if (husk_channel_take(s->in, &s->taken, m, &output))
            return 0;
        /* Widen the window a writer may put its message in between the
         * look above and the reader's saying it sleeps: the case that
         * may_sleep's second look is for. */
        for (int i = 0; i < 100; i++)
            __builtin_ia32_pause();
        if (!husk_channel_may_sleep(s->in, s->taken))
            continue;
        struct pollfd p = {.fd = s->sock, .events = POLLIN};
        int rc = poll(&p, 1, 5000);
        husk_channel_awake(s->in);
        if (rc <= 0)
            return -1; /* a lost wake-up */
        char bell[16];
        if (recv(s->sock, bell, sizeof(bell), MSG_DONTWAIT) <= 0)
            return -1;
    }
}

static void transmit(struct side *s, const struct husk_channel_msg *m)
{
    if (husk_channel_put(s->out, m, 0) && send(s->sock, "", 1, 0) != 1)
        s->failed = 1;
}

static void *answer(void *arg)
{
    struct side *s = arg;
    for (uint32_t i = 0; i < ROUNDS && !s->failed; i++) {
        struct husk_channel_msg m;
        if (receive(s, &m) != 0 || m.len != i) {
            s->failed = 1;
            break;
        }
        m.len = i + 1;
        transmit(s, &m);
    }
    return NULL;
}

/* ROUNDS calls and answers, each checked; 0 if none was lost. */
static int take_turns(uint64_t caller_spins, uint64_t answerer_spins)
{
    struct husk_channel_boxes boxes;
    memset(&boxes, 0, sizeof(boxes));
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
        return -1;
    struct side caller = {.in = &boxes.to_library,
                          .out = &boxes.to_monitor,
                          .sock = sv[0],
                          .spins = caller_spins};
    struct side answerer = {.in = &boxes.to_monitor,
                            .out = &boxes.to_library,
                            .sock = sv[1],
                            .spins = answerer_spins};
    pthread_t t;
    if (pthread_create(&t, NULL, answer, &answerer) != 0)
        return -1;
    for (uint32_t i = 0; i < ROUNDS && !caller.failed; i++) {
        struct husk_channel_msg m = {.type = HUSK_CHAN_CALL, .len = i};
        transmit(&caller, &m);
        if (receive(&caller, &m) != 0 || m.len != i + 1)
            caller.failed = 1;
    }
    if (caller.failed)
        answerer.failed = 1;
    close(sv[0]); /* ends an answerer still asleep */
    pthread_join(t, NULL);
    close(sv[1]);
    return caller.failed || answerer.failed ? -1 : 0;
}

TEST(channel_turns_with_sleeps_lose_no_wakeup)
{
    CHECK_EQ(take_turns(0, 0), 0);
}

TEST(channel_turns_with_watches_lose_no_wakeup)
{
    CHECK_EQ(take_turns(2000, 2000), 0);
    CHECK_EQ(take_turns(2000, 0), 0);
    CHECK_EQ(take_turns(0, 2000), 0);
}
