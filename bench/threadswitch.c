/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * threadswitch.c: the cost of a thread switch, as a futex ping-pong
 * between two threads (bench/threads). A word says whose turn it is; each
 * thread waits on it with FUTEX_WAIT until it is its turn, then hands the
 * turn over and wakes the other with FUTEX_WAKE. Every hand-over is one
 * switch from one thread to the other, so the time per hand-over is the
 * cost of a wake, a wait and a switch: on Linux pinned to one CPU, two
 * system calls and a scheduler switch; in Husk, two calls and a switch of
 * libhusk's own. The same source builds natively and with husk-cc.
 *
 * Usage: threadswitch ROUNDS. Prints "switch_ns N" (per hand-over) and
 * "handovers N"; exits 1 with a line on stderr if anything fails.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

/* Linux's numbers (<linux/futex.h>, which musl's headers do not have). */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static _Atomic int turn; /* 0: the main thread's, 1: the other's */
static long rounds;

static void wait_turn(int mine)
{
    int t;
    while ((t = atomic_load(&turn)) != mine)
        if (syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, t, NULL, NULL, 0) !=
                0 &&
            errno != EAGAIN && errno != EINTR) {
            fprintf(stderr, "threadswitch: futex wait: %s\n", strerror(errno));
            exit(1);
        }
}

static void give_turn(int to)
{
    atomic_store(&turn, to);
    if (syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) < 0) {
        fprintf(stderr, "threadswitch: futex wake: %s\n", strerror(errno));
        exit(1);
    }
}

static void *other(void *arg)
{
    (void)arg;
    for (long i = 0; i < rounds; i++) {
        wait_turn(1);
        give_turn(0);
    }
    return NULL;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    rounds = argc == 2 ? atol(argv[1]) : 0;
    if (rounds <= 0) {
        fprintf(stderr, "usage: threadswitch ROUNDS\n");
        return 2;
    }
    pthread_t t;
    int rc = pthread_create(&t, NULL, other, NULL);
    if (rc != 0) {
        fprintf(stderr, "threadswitch: pthread_create: %s\n", strerror(rc));
        return 1;
    }
    double start = now_ns();
    for (long i = 0; i < rounds; i++) {
        give_turn(1);
        wait_turn(0);
    }
    double end = now_ns();
    rc = pthread_join(t, NULL);
    if (rc != 0) {
        fprintf(stderr, "threadswitch: pthread_join: %s\n", strerror(rc));
        return 1;
    }
    printf("switch_ns %.1f\nhandovers %ld\n", (end - start) / (2.0 * rounds),
           2 * rounds);
    return 0;
}
