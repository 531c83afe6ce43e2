/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * unit.c: the runner behind unit.h. One child process per test, so that a
 * crash, a sanitizer abort or an _exit() in the code under test (husk_fatal)
 * is reported against that test and the others still run.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#define UNIT_TESTS_MAX 1024
#define UNIT_TIMEOUT_S 20 /* per test: a test that sleeps is a failure */

struct unit_test {
    const char *name, *file;
    int line;
    unit_fn fn;
};

static struct unit_test tests[UNIT_TESTS_MAX];
static unsigned test_count;
static int report_fd = -1; /* the child's pipe to the runner */

void unit_register(const char *name, unit_fn fn, const char *file, int line)
{
    if (test_count == UNIT_TESTS_MAX) {
        fprintf(stderr, "unit: more than %d tests; raise UNIT_TESTS_MAX\n",
                UNIT_TESTS_MAX);
        exit(2);
    }
    tests[test_count++] = (struct unit_test){name, file, line, fn};
}

/* The report is a tag byte ('F' failed, 'S' skipped) and one line. */
static _Noreturn void report(char tag, int status, const char *prefix,
                             const char *fmt, va_list ap)
{
    char msg[1024];
    int n = snprintf(msg, sizeof(msg), "%c%s", tag, prefix);
    if (n > 0 && (size_t)n < sizeof(msg))
        vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    ssize_t unused = write(report_fd, msg, strlen(msg));
    (void)unused;
    _exit(status);
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
    char where[256];
    snprintf(where, sizeof(where), "%s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    report('F', 1, where, fmt, ap);
}

void unit_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report('S', 0, "", fmt, ap);
}

static int by_place(const void *a, const void *b)
{
    const struct unit_test *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c != 0 ? c : x->line - y->line;
}

/* Messages may quote guest or file bytes: keep the result on one line. */
static void one_line(char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

/* Run one test in a child; 0 passed, 1 failed, 2 skipped. */
static int run_one(const struct unit_test *t)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("unit: pipe");
        exit(2);
    }
    fflush(NULL); /* or the child would print our buffered lines again */
    pid_t pid = fork();
    if (pid < 0) {
        perror("unit: fork");
        exit(2);
    }
    if (pid == 0) {
        close(fds[0]);
        report_fd = fds[1];
        /* Stray output of the code under test must not break our lines. */
        dup2(STDERR_FILENO, STDOUT_FILENO);
        alarm(UNIT_TIMEOUT_S);
        t->fn();
        _exit(0);
    }
    close(fds[1]);
    char msg[1100];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof(msg) - 1 &&
           (n = read(fds[0], msg + len, sizeof(msg) - 1 - len)) > 0)
        len += (size_t)n;
    msg[len] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    one_line(msg);

    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && msg[0] != 'S') {
        printf("PASS unit/%s\n", t->name);
        return 0;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        printf("SKIP unit/%s: %s\n", t->name, msg + 1);
        return 2;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1 && msg[0] == 'F') {
        printf("FAIL unit/%s: %s\n", t->name, msg + 1);
        return 1;
    }
    if (WIFSIGNALED(status))
        printf("FAIL unit/%s: %s:%d: killed by signal %d (%s)%s\n", t->name,
               t->file, t->line, WTERMSIG(status), strsignal(WTERMSIG(status)),
               WTERMSIG(status) == SIGALRM ? ", the test timed out" : "");
    else
        printf("FAIL unit/%s: %s:%d: exited with status %d (a sanitizer "
               "report or a husk_fatal message is on stderr)\n",
               t->name, t->file, t->line, WEXITSTATUS(status));
    return 1;
}

int main(int argc, char *argv[])
{
    const char *only = argc > 1 ? argv[1] : NULL;
    qsort(tests, test_count, sizeof(tests[0]), by_place);
    unsigned counts[3] = {0, 0, 0};
    for (unsigned i = 0; i < test_count; i++)
        if (only == NULL || strstr(tests[i].name, only) != NULL)
            counts[run_one(&tests[i])]++;
    return counts[1] == 0 ? 0 : 1;
}
