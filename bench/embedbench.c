/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * embedbench.c: bench/embed's timer. One batch of N round trips of one
 * kind, after N/10 untimed ones, and "ns_per_call X":
 *   embedbench func N                  a plain C call through a pointer
 *   embedbench pipe N                  1 byte to a helper process over a
 *                                      pipe and 1 byte back
 *   embedbench empty N HUSK IMAGE BACKEND
 *                                      husk_sandbox_call of the guest's
 *                                      "empty" (bench/embed_guest.c)
 *   embedbench 4k N HUSK IMAGE BACKEND its "echo", 4 KiB in and 4 KiB out
 *   embedbench rewind N HUSK IMAGE BACKEND PAGES
 *                                      husk_sandbox_restore in place, each
 *                                      after a call that wrote PAGES pages
 *   embedbench respawn N HUSK IMAGE BACKEND
 *                                      husk_sandbox_restore by a new
 *                                      monitor, each after a crash
 * Only the loop is timed, not the sandbox's start; of a restore, only the
 * restore ("ns_per_restore X").
 */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "husk-host.h"

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

__attribute__((noinline)) static int plain(const void *in, size_t in_len,
                                           void *out, size_t out_cap,
                                           size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_cap;
    *out_len = 0;
    __asm__ volatile("" ::: "memory");
    return 0;
}
static int (*volatile plain_fn)(const void *, size_t, void *, size_t,
                                size_t *) = plain;

static int bad(const char *what)
{
    fprintf(stderr, "embedbench: %s\n", what);
    return 1;
}

/* write 1 byte to the helper, read its byte back */
static int pipe_trip(int to, int from)
{
    char c = 'x';
    return write(to, &c, 1) == 1 && read(from, &c, 1) == 1 ? 0 : -1;
}

/* rewind or respawn: n restores, each after the call that makes it one
 * or the other, timed alone. */
static int restores(const char *mode, long n, int argc, char **argv)
{
    bool rewind = strcmp(mode, "rewind") == 0;
    if (argc != (rewind ? 7 : 6))
        return bad(rewind ? "rewind needs HUSK IMAGE BACKEND PAGES"
                          : "respawn needs HUSK IMAGE BACKEND");
    uint32_t pages = rewind ? (uint32_t)atol(argv[6]) : 0;
    struct husk_sandbox_options o = {.husk = argv[3],
                                     .backend = argv[5],
                                     .mem_bytes = 64 << 20,
                                     .snapshot = true};
    char err[512];
    struct husk_sandbox *sb = husk_sandbox_new(argv[4], &o, err, sizeof(err));
    if (sb == NULL)
        return bad(err);
    /* The first restore starts a monitor from the snapshot: from then on
     * the sandbox rewinds in place. */
    static uint8_t out[64];
    size_t len;
    double total = 0;
    for (long i = -1; i < n; i++) {
        int r = rewind ? husk_sandbox_call(sb, "dirty", &pages, sizeof(pages),
                                           out, sizeof(out), &len)
                       : husk_sandbox_call(sb, "crash", NULL, 0, out,
                                           sizeof(out), &len);
        if (r != (rewind ? HUSK_OK : HUSK_ERR_CRASHED)) {
            fprintf(stderr, "embedbench: call %ld: %s %s\n", i,
                    husk_result_name(r), husk_sandbox_report(sb));
            husk_sandbox_free(sb);
            return 1;
        }
        double t = now_ns();
        r = husk_sandbox_restore(sb);
        if (i >= 0)
            total += now_ns() - t;
        if (r != HUSK_OK) {
            fprintf(stderr, "embedbench: restore %ld: %s %s\n", i,
                    husk_result_name(r), husk_sandbox_report(sb));
            husk_sandbox_free(sb);
            return 1;
        }
    }
    husk_sandbox_free(sb);
    printf("ns_per_restore %.1f\n", total / n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return bad(
            "usage: embedbench func|pipe|empty|4k|rewind|respawn N [HUSK "
            "IMAGE BACKEND [PAGES]]");
    const char *mode = argv[1];
    long n = atol(argv[2]), warm = n / 10;
    if (n <= 0)
        return bad("N must be positive");
    double t0 = 0, t1 = 0;

    if (strcmp(mode, "func") == 0) {
        size_t len;
        for (long i = 0; i < warm + n; i++) {
            if (i == warm)
                t0 = now_ns();
            plain_fn(NULL, 0, NULL, 0, &len);
        }
        t1 = now_ns();
    } else if (strcmp(mode, "pipe") == 0) {
        int down[2], up[2];
        if (pipe(down) != 0 || pipe(up) != 0)
            return bad("pipe");
        pid_t pid = fork();
        if (pid < 0)
            return bad("fork");
        if (pid == 0) { /* the helper: each byte back, until EOF */
            char c;
            close(down[1]), close(up[0]);
            while (read(down[0], &c, 1) == 1)
                if (write(up[1], &c, 1) != 1)
                    break;
            _exit(0);
        }
        close(down[0]), close(up[1]);
        for (long i = 0; i < warm + n; i++) {
            if (i == warm)
                t0 = now_ns();
            if (pipe_trip(down[1], up[0]) != 0)
                return bad("the helper stopped");
        }
        t1 = now_ns();
        close(down[1]);
        waitpid(pid, NULL, 0);
    } else if (strcmp(mode, "empty") == 0 || strcmp(mode, "4k") == 0) {
        if (argc != 6)
            return bad("empty and 4k need HUSK IMAGE BACKEND");
        struct husk_sandbox_options o = {
            .husk = argv[3], .backend = argv[5], .mem_bytes = 32 << 20};
        char err[512];
        struct husk_sandbox *sb =
            husk_sandbox_new(argv[4], &o, err, sizeof(err));
        if (sb == NULL)
            return bad(err);
        int big = strcmp(mode, "4k") == 0;
        static uint8_t in[4096], out[4096];
        memset(in, 0xa5, sizeof(in));
        for (long i = 0; i < warm + n; i++) {
            if (i == warm)
                t0 = now_ns();
            size_t len = 0;
            int r = big ? husk_sandbox_call(sb, "echo", in, sizeof(in), out,
                                            sizeof(out), &len)
                        : husk_sandbox_call(sb, "empty", NULL, 0, out,
                                            sizeof(out), &len);
            if (r != HUSK_OK || len != (big ? sizeof(in) : 0)) {
                fprintf(stderr, "embedbench: call %ld: %s %s\n", i,
                        husk_result_name(r), husk_sandbox_report(sb));
                husk_sandbox_free(sb);
                return 1;
            }
        }
        t1 = now_ns();
        if (big && out[4095] != 0xa5)
            return bad("echo's output is wrong");
        husk_sandbox_free(sb);
    } else if (strcmp(mode, "rewind") == 0 || strcmp(mode, "respawn") == 0) {
        return restores(mode, n, argc, argv);
    } else {
        return bad("unknown mode");
    }
    printf("ns_per_call %.1f\n", (t1 - t0) / n);
    return 0;
}
