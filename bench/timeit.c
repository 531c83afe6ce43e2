/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * timeit.c: run several commands in interleaved trials and compare them.
 *
 *   timeit TRIALS NAME CMD... [:: NAME CMD...]...
 *
 * Each trial runs every command once, in turn, so that a slow moment of
 * the machine hits all of them alike. For each: median, 10th and 90th
 * percentile exec-to-exit wall time, the median's ratio to the FIRST
 * command's, and the largest peak RSS (ru_maxrss). Output goes to stdout,
 * the commands' own output to /dev/null. A command that fails once stops
 * the run: a benchmark of a failing program measures nothing.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CMDS_MAX 8

struct cmd {
    const char *name;
    char **argv;
    double *us;
    long maxrss_kib;
};

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void run_once(struct cmd *c, int trial)
{
    double t0 = now_us();
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execvp(c->argv[0], c->argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
        perror("timeit");
        exit(1);
    }
    c->us[trial] = now_us() - t0;
    if (ru.ru_maxrss > c->maxrss_kib)
        c->maxrss_kib = ru.ru_maxrss;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "timeit: %s failed (status 0x%x)\n", c->name, status);
        exit(1);
    }
}

int main(int argc, char *argv[])
{
    if (argc < 4) {
        fprintf(stderr, "usage: timeit TRIALS NAME CMD... [:: NAME CMD...]\n");
        return 2;
    }
    int trials = atoi(argv[1]);
    struct cmd cmds[CMDS_MAX];
    int n = 0;
    for (int i = 2; i < argc && n < CMDS_MAX;) {
        cmds[n] = (struct cmd){.name = argv[i], .argv = &argv[i + 1]};
        cmds[n].us = calloc((size_t)trials, sizeof(double));
        int j = i + 1;
        while (j < argc && strcmp(argv[j], "::") != 0)
            j++;
        argv[j < argc ? j : argc] = NULL; /* ends this command's argv */
        n++;
        i = j + 1;
    }
    for (int c = 0; c < n; c++) /* warm-up: page cache, first-run costs */
        run_once(&cmds[c], 0);
    for (int t = 0; t < trials; t++)
        for (int c = 0; c < n; c++)
            run_once(&cmds[c], t);
    double base = 0;
    printf("%-16s %10s %10s %10s %8s %10s\n", "command", "median_us",
           "p10_us", "p90_us", "ratio", "maxrss_kib");
    for (int c = 0; c < n; c++) {
        qsort(cmds[c].us, (size_t)trials, sizeof(double), cmp);
        double med = cmds[c].us[trials / 2];
        if (c == 0)
            base = med;
        printf("%-16s %10.0f %10.0f %10.0f %8.2f %10ld\n", cmds[c].name, med,
               cmds[c].us[trials / 10], cmds[c].us[trials * 9 / 10],
               med / base, cmds[c].maxrss_kib);
    }
    return 0;
}
