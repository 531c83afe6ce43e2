/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * launch.c: launch rate. `launch N CONC CMD...` starts CMD N times with at
 * most CONC running at once, each to its exit (started, run, reaped; its
 * output to /dev/null), and prints "per_s R seconds T": completed runs per
 * second of wall time. A run that fails, or a batch that takes longer
 * than 600 s, stops it with status 1 (the runs still going are killed).
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONC_MAX 256
#define DEADLINE_S 600

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static pid_t running[CONC_MAX];

static void kill_all(void)
{
    for (int i = 0; i < CONC_MAX; i++)
        if (running[i] > 0)
            kill(running[i], SIGKILL);
}

/* A run that hangs would block wait() for ever: the alarm ends it all. */
static void on_alarm(int sig)
{
    (void)sig;
    kill_all();
    static const char msg[] = "launch: the batch took longer than 600 s\n";
    if (write(2, msg, sizeof(msg) - 1) < 0)
        _exit(1);
    _exit(1);
}

int main(int argc, char *argv[])
{
    long total = argc > 3 ? atol(argv[1]) : 0;
    int conc = argc > 3 ? atoi(argv[2]) : 0;
    if (total < 1 || conc < 1 || conc > CONC_MAX) {
        fprintf(stderr, "usage: launch N CONC CMD...  (1 <= CONC <= %d)\n",
                CONC_MAX);
        return 2;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    signal(SIGALRM, on_alarm);
    alarm(DEADLINE_S);
    double t0 = now_s();
    long started = 0, done = 0;
    int inflight = 0;
    while (done < total) {
        while (inflight < conc && started < total) {
            pid_t pid;
            if (posix_spawnp(&pid, argv[3], &fa, NULL, &argv[3], environ)) {
                perror("launch: spawn");
                kill_all();
                return 1;
            }
            for (int i = 0; i < CONC_MAX; i++)
                if (running[i] == 0) {
                    running[i] = pid;
                    break;
                }
            started++;
            inflight++;
        }
        int status = 0;
        pid_t pid = wait(&status);
        for (int i = 0; i < CONC_MAX && pid > 0; i++)
            if (running[i] == pid)
                running[i] = 0;
        if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "launch: a run failed (status 0x%x)\n", status);
            kill_all();
            return 1;
        }
        inflight--;
        done++;
    }
    double t = now_s() - t0;
    printf("per_s %.1f seconds %.3f\n", total / t, t);
    return 0;
}
