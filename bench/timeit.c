/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * timeit.c: run several commands in interleaved trials and compare them.
 *
 *   timeit [-g GROUP] [-m MARKER] [-t SECONDS] [-w ROUNDS] TRIALS NAME CMD... [:: NAME CMD...]...
 *
 * Each trial runs every command once, in turn, so that a slow moment of
 * the machine hits all of them alike; ROUNDS warm-up rounds (default 1:
 * page cache, first-run costs) come first and are not counted. For each command it prints
 * result lines (the format of bench/lib.sh):
 *
 *   result GROUP NAME exit_us MEDIAN p10=P10 p90=P90 n=TRIALS
 *   result GROUP NAME first_us MEDIAN p10=P10 p90=P90 n=TRIALS
 *   result GROUP NAME maxrss_kib MAX n=TRIALS
 *
 * exit_us is exec to exit (fork to reap); first_us, with -m, is exec to
 * the first appearance of MARKER on the command's stdout (read through a
 * pipe as it comes), left out for a command that never prints it. -t kills
 * a run that takes longer (default 300 s). A command that fails or times
 * out once stops the run with status 1: a benchmark of a failing program
 * measures nothing. Ratios are the report's job (bench/report.py).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CMDS_MAX 8
#define TRIALS_MAX 100000

struct cmd {
    const char *name;
    char **argv;
    double *exit_us;
    double *first_us; /* < 0: the marker did not appear in that trial */
    long maxrss_kib;
};

static const char *marker; /* NULL: no first-output timing */
static double timeout_us = 300e6;

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

/* Reads the child's stdout until EOF or the deadline; returns the time
 * (from t0) when the marker was first complete in it, or -1. The last
 * len-1 bytes are kept so that a marker split across reads is found. */
static double watch_output(int fd, double t0, double deadline)
{
    size_t mlen = marker ? strlen(marker) : 0;
    char buf[8192];
    size_t kept = 0;
    double first = -1;
    for (;;) {
        double left_ms = (deadline - now_us()) / 1e3;
        if (left_ms <= 0)
            return first;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left_ms + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return first;
        ssize_t n = read(fd, buf + kept, sizeof(buf) - kept - 1);
        if (n <= 0)
            return first;
        if (first >= 0 || mlen == 0)
            continue;
        size_t have = kept + (size_t)n;
        buf[have] = '\0';
        if (memmem(buf, have, marker, mlen) != NULL) {
            first = now_us() - t0;
            kept = 0;
            continue;
        }
        kept = have < mlen - 1 ? have : mlen - 1;
        memmove(buf, buf + have - kept, kept);
    }
}

static void run_once(struct cmd *c, int trial)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) {
        perror("timeit: pipe");
        exit(1);
    }
    double t0 = now_us();
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(out[1], 1);
        dup2(null, 2);
        execvp(c->argv[0], c->argv);
        _exit(127);
    }
    close(out[1]);
    if (pid < 0) {
        perror("timeit: fork");
        exit(1);
    }
    double deadline = t0 + timeout_us;
    c->first_us[trial] = watch_output(out[0], t0, deadline);
    close(out[0]);
    /* The output ended: the command has exited or is about to; a run
     * past the deadline is killed (and reported) rather than waited for. */
    int status = 0;
    struct rusage ru;
    pid_t w;
    while ((w = wait4(pid, &status, WNOHANG, &ru)) == 0) {
        if (now_us() > deadline) {
            kill(pid, SIGKILL);
            wait4(pid, &status, 0, &ru);
            fprintf(stderr, "timeit: %s took longer than %.0f s\n", c->name,
                    timeout_us / 1e6);
            exit(1);
        }
        usleep(200);
    }
    c->exit_us[trial] = now_us() - t0;
    if (w < 0) {
        perror("timeit: wait4");
        exit(1);
    }
    if (ru.ru_maxrss > c->maxrss_kib)
        c->maxrss_kib = ru.ru_maxrss;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "timeit: %s failed (status 0x%x)\n", c->name, status);
        exit(1);
    }
}

static void print_stat(const char *group, const char *name, const char *metric,
                       double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp);
    printf("result %s %s %s %.0f p10=%.0f p90=%.0f n=%d\n", group, name, metric,
           v[n / 2], v[n / 10], v[n * 9 / 10], n);
}

static void usage(void)
{
    fprintf(stderr, "usage: timeit [-g GROUP] [-m MARKER] [-t SECONDS] "
                    "[-w ROUNDS] TRIALS NAME CMD... [:: NAME CMD...]...\n");
    exit(2);
}

int main(int argc, char *argv[])
{
    const char *group = "boot";
    int warmups = 1;
    int opt;
    while ((opt = getopt(argc, argv, "+g:m:t:w:")) != -1) {
        switch (opt) {
        case 'g':
            group = optarg;
            break;
        case 'm':
            marker = *optarg ? optarg : NULL;
            break;
        case 't':
            timeout_us = atof(optarg) * 1e6;
            break;
        case 'w':
            warmups = atoi(optarg);
            break;
        default:
            usage();
        }
    }
    if (argc - optind < 3)
        usage();
    int trials = atoi(argv[optind]);
    if (trials < 1 || trials > TRIALS_MAX || timeout_us <= 0 || warmups < 0 ||
        warmups > 10)
        usage();
    struct cmd cmds[CMDS_MAX];
    int n = 0;
    for (int i = optind + 1; i < argc;) {
        if (n == CMDS_MAX || i + 1 >= argc)
            usage();
        cmds[n] = (struct cmd){.name = argv[i], .argv = &argv[i + 1]};
        cmds[n].exit_us = calloc((size_t)trials, sizeof(double));
        cmds[n].first_us = calloc((size_t)trials, sizeof(double));
        if (cmds[n].exit_us == NULL || cmds[n].first_us == NULL)
            usage();
        int j = i + 1;
        while (j < argc && strcmp(argv[j], "::") != 0)
            j++;
        argv[j < argc ? j : argc] = NULL; /* ends this command's argv */
        n++;
        i = j + 1;
    }
    for (int w = 0; w < warmups; w++)
        for (int c = 0; c < n; c++)
            run_once(&cmds[c], 0);
    for (int t = 0; t < trials; t++)
        for (int c = 0; c < n; c++)
            run_once(&cmds[c], t);
    for (int c = 0; c < n; c++) {
        print_stat(group, cmds[c].name, "exit_us", cmds[c].exit_us, trials);
        int seen = 0;
        for (int t = 0; t < trials; t++)
            seen += cmds[c].first_us[t] >= 0;
        if (marker != NULL && seen == trials)
            print_stat(group, cmds[c].name, "first_us", cmds[c].first_us,
                       trials);
        printf("result %s %s maxrss_kib %ld n=%d\n", group, cmds[c].name,
               cmds[c].maxrss_kib, trials);
    }
    return 0;
}
