/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * tests/stdin/waits.c: stdin in the guest's waits (tests/stdin-suite.sh).
 * argv[1] is how to wait: poll, select, epoll or read (a blocking read,
 * after an O_NONBLOCK one). First a wait of 300 ms with no input (the
 * suite writes nothing yet): "quiet"; then a wait of up to 20 s, during
 * which the suite writes a line: "ready", and the line as read. Then the
 * rest to the end of file: "eof". Exits 1 on anything unexpected.
 *
 * argv[1] "signal": a blocking read that a timer's signal interrupts
 * (EINTR: "eintr"), then one that SA_RESTART carries on until the line
 * the suite writes after a second arrives ("restarted LINE").
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int epfd = -1;

/* Wait up to ms for fd 0 to be readable: 1, 0 on a timeout, -1. */
static int wait_in(const char *how, int ms)
{
    if (strcmp(how, "poll") == 0) {
        struct pollfd p = {.fd = 0, .events = POLLIN};
        int n = poll(&p, 1, ms);
        return n == 1 && (p.revents & POLLIN) ? 1 : n;
    }
    if (strcmp(how, "select") == 0) {
        fd_set r;
        FD_ZERO(&r);
        FD_SET(0, &r);
        struct timeval tv = {ms / 1000, ms % 1000 * 1000};
        int n = select(1, &r, NULL, NULL, &tv);
        return n == 1 && FD_ISSET(0, &r) ? 1 : n;
    }
    if (strcmp(how, "epoll") == 0) {
        if (epfd < 0) {
            epfd = epoll_create1(0);
            struct epoll_event ev = {.events = EPOLLIN, .data.fd = 0};
            if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev) != 0)
                return -1;
        }
        struct epoll_event out;
        int n = epoll_wait(epfd, &out, 1, ms);
        return n == 1 && out.data.fd == 0 && (out.events & EPOLLIN) ? 1 : n;
    }
    /* read: O_NONBLOCK says EAGAIN while there is nothing; sleep; then
     * the blocking read itself waits (the caller reads). */
    if (fcntl(0, F_SETFL, O_NONBLOCK) != 0)
        return -1;
    char c;
    ssize_t r = read(0, &c, 1);
    int err = errno;
    fcntl(0, F_SETFL, 0);
    if (r >= 0 || err != EAGAIN)
        return -1;
    if (ms < 1000) {
        struct timespec ts = {0, ms * 1000000L};
        nanosleep(&ts, NULL);
        return 0;
    }
    return 1;
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* A blocking read of fd 0 with a SIGALRM due in 200 ms. */
static ssize_t read_with_alarm(char *buf, size_t len, int sa_flags)
{
    struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = sa_flags};
    struct itimerval it = {.it_value = {0, 200000}};
    if (sigaction(SIGALRM, &sa, NULL) != 0 ||
        setitimer(ITIMER_REAL, &it, NULL) != 0)
        return -2;
    return read(0, buf, len);
}

static int signal_waits(void)
{
    char line[256];
    ssize_t n = read_with_alarm(line, sizeof(line) - 1, 0);
    if (n != -1 || errno != EINTR || alarms != 1)
        return 1;
    printf("eintr\n");
    fflush(stdout);
    n = read_with_alarm(line, sizeof(line) - 1, SA_RESTART);
    if (n <= 0 || alarms != 2)
        return 1;
    line[n] = '\0';
    printf("restarted %s", line);
    return 0;
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "poll";
    if (strcmp(how, "signal") == 0)
        return signal_waits();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (wait_in(how, 300) != 0)
        return 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms =
        (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    if (ms < 250)
        return 1;
    printf("quiet\n");
    fflush(stdout);
    if (wait_in(how, 20000) != 1)
        return 1;
    printf("ready\n");
    char line[256];
    ssize_t n = read(0, line, sizeof(line) - 1);
    if (n <= 0)
        return 1;
    line[n] = '\0';
    printf("read %s", line);
    fflush(stdout);
    while ((n = read(0, line, sizeof(line))) > 0)
        ;
    if (n != 0)
        return 1;
    /* At the end of file, fd 0 stays readable and reads 0. */
    if (strcmp(how, "read") != 0 && wait_in(how, 0) != 1)
        return 1;
    printf("eof\n");
    return 0;
}
