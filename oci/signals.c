/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* signals.c: a signal as kill(1), runc and the engines name it (pure). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oci.h"

static const struct {
    const char *name;
    int sig;
} names[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT},
    {"ILL", SIGILL},   {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},
    {"IOT", SIGIOT},   {"BUS", SIGBUS},       {"FPE", SIGFPE},
    {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},
    {"CONT", SIGCONT}, {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF}, {"WINCH", SIGWINCH},   {"IO", SIGIO},
    {"POLL", SIGPOLL}, {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

int oci_signal_parse(const char *s)
{
    if (s[0] >= '0' && s[0] <= '9') {
        char *end;
        long n = strtol(s, &end, 10);
        return *end == '\0' && n >= 1 && n <= 64 ? (int)n : -1;
    }
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(s, names[i].name) == 0)
            return names[i].sig;
    /* Real-time signals: RTMIN, RTMIN+N, RTMAX-N. */
    if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
        bool min = strncasecmp(s, "RTMIN", 5) == 0;
        int base = min ? SIGRTMIN : SIGRTMAX;
        if (s[5] == '\0')
            return base;
        if (s[5] != (min ? '+' : '-') || s[6] < '0' || s[6] > '9')
            return -1;
        char *end;
        long n = strtol(s + 6, &end, 10);
        int sig = min ? base + (int)n : base - (int)n;
        if (*end != '\0' || n > SIGRTMAX - SIGRTMIN || sig < SIGRTMIN ||
            sig > SIGRTMAX)
            return -1;
        return sig;
    }
    return -1;
}
