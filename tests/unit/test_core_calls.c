/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_core_calls.c: the real handlers of monitor/core_calls.c (exit,
 * abort, wallclock, poll, mem_discard) and drivers/console/host.c
 * (console_write), driven through husk_hc_dispatch on a fake VM.
 *
 * Those two files are linked into the unit tests only if the Makefile
 * lists them. Their entry points are weak here, so that without them the
 * binary still links and these tests report SKIP instead of failing the
 * build.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../drivers/console/console.h"
#include "fakevm.h"
#include "unit.h"

#pragma weak husk_core_calls_register
#pragma weak husk_console_register

#define ARG_GPA 0x200000ULL /* the argument struct */
#define BUF_GPA 0x201000ULL /* a buffer it points to */

static struct husk_vm *core_vm(void)
{
    if (husk_core_calls_register == NULL || husk_console_register == NULL)
        unit_skip("monitor/core_calls.c and drivers/console/host.c are not "
                  "linked into the unit tests (Makefile: MONITOR_PURE)");
    struct husk_vm *vm = fakevm_new();
    husk_core_calls_register(vm);
    husk_console_register(vm);
    return vm;
}

/* Put the argument struct at ARG_GPA and make the call. */
static enum husk_hc_result call(struct husk_vm *vm, unsigned nr,
                                const void *arg, size_t size)
{
    memcpy(vm->mem + ARG_GPA, arg, size);
    return fakevm_call(vm, nr, ARG_GPA);
}

#define CALL(vm, nr, arg) call(vm, nr, &(arg), sizeof(arg))

/* Read the struct back from guest memory (OUT fields). */
#define READ_BACK(vm, arg) memcpy(&(arg), (vm)->mem + ARG_GPA, sizeof(arg))

#define CHECK_VIOLATION(vm, r, words)                   \
    do {                                                \
        CHECK_EQ(r, HUSK_HC_VIOLATION);                 \
        CHECK_EQ((vm)->exit_code, HUSK_EXIT_VIOLATION); \
        CHECK_HAS((vm)->message, words);                \
    } while (0)

TEST(core_register)
{
    struct husk_vm *vm = core_vm();
    static const struct {
        unsigned nr;
        const char *name;
        size_t size;
    } want[] = {
        {HUSK_HC_EXIT, "exit", sizeof(struct husk_hc_exit)},
        {HUSK_HC_ABORT, "abort", sizeof(struct husk_hc_abort)},
        {HUSK_HC_CONSOLE_WRITE, "console_write",
         sizeof(struct husk_hc_console_write)},
        {HUSK_HC_WALLCLOCK, "wallclock", sizeof(struct husk_hc_wallclock)},
        {HUSK_HC_POLL, "poll", sizeof(struct husk_hc_poll)},
        {HUSK_HC_MEM_DISCARD, "mem_discard",
         sizeof(struct husk_hc_mem_discard)},
        {HUSK_HC_CONSOLE_READ, "console_read",
         sizeof(struct husk_hc_console_read)},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        CHECK(vm->calls[want[i].nr].fn != NULL);
        CHECK_STREQ(vm->calls[want[i].nr].name, want[i].name);
        CHECK_EQ(vm->calls[want[i].nr].arg_size, want[i].size);
    }
}

TEST(core_register_twice_is_fatal)
{
    struct husk_vm *vm = core_vm();
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        husk_core_calls_register(vm); /* all slots taken: husk_fatalx */
        _exit(0);
    }
    close(fds[1]);
    char msg[256] = "";
    ssize_t n = read(fds[0], msg, sizeof(msg) - 1);
    msg[n > 0 ? n : 0] = '\0';
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), HUSK_EXIT_MONITOR);
    CHECK_STREQ(msg, "husk: internal error: core hypercall registration "
                     "failed\n");
}

/* ---- exit ---- */

TEST(core_exit_status)
{
    static const struct {
        int32_t status;
        int code;
    } cases[] = {{0, 0},   {42, 42},  {255, 255},    {256, 0},
                 {259, 3}, {-1, 255}, {INT32_MIN, 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct husk_vm *vm = core_vm();
        struct husk_hc_exit a = {.status = cases[i].status};
        CHECK_EQ(CALL(vm, HUSK_HC_EXIT, a), HUSK_HC_STOP);
        CHECK_EQ(vm->exit_code, cases[i].code);
    }
}

TEST(core_exit_padding)
{
    struct husk_vm *vm = core_vm();
    struct husk_hc_exit a = {.status = 0, ._pad0 = 1};
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_EXIT, a), "exit: padding is not zero");
}

/* ---- abort ---- */

static struct husk_vm *abort_with(const void *msg, uint32_t len)
{
    struct husk_vm *vm = core_vm();
    memcpy(vm->mem + BUF_GPA, msg, len);
    struct husk_hc_abort a = {.msg_gpa = BUF_GPA, .len = len};
    CHECK_EQ(CALL(vm, HUSK_HC_ABORT, a), HUSK_HC_STOP);
    CHECK_EQ(vm->exit_code, HUSK_EXIT_ABORT);
    return vm;
}

TEST(core_abort_message)
{
    CHECK_STREQ(abort_with("boom", 4)->message, "guest aborted: boom");
    /* Trailing newlines and NULs go; nothing is read past len. */
    CHECK_STREQ(abort_with("boom\n\0\n", 7)->message, "guest aborted: boom");
    CHECK_STREQ(abort_with("boom!!", 4)->message, "guest aborted: boom");
    CHECK_STREQ(abort_with("", 0)->message, "guest aborted: ");
    CHECK_STREQ(abort_with("\n\n", 2)->message, "guest aborted: ");
}

TEST(core_abort_sanitized)
{
    /* Guest bytes on the monitor's stderr: printable ASCII only, so that a
     * guest cannot forge a second "husk: " line or send escapes. */
    CHECK_STREQ(abort_with("a\nhusk: b", 9)->message,
                "guest aborted: a?husk: b");
    CHECK_STREQ(abort_with("\x1b[2J\x7f\x80\xff\t.", 9)->message,
                "guest aborted: ?[2J????.");
    CHECK_STREQ(abort_with("a\0b", 3)->message, "guest aborted: a?b");
}

TEST(core_abort_longest)
{
    char msg[HUSK_ABORT_MSG_MAX];
    memset(msg, 'm', sizeof(msg));
    struct husk_vm *vm = abort_with(msg, HUSK_ABORT_MSG_MAX);
    CHECK_EQ(strlen(vm->message), strlen("guest aborted: ") + 512);
}

TEST(core_abort_bad_length)
{
    struct husk_vm *vm = core_vm();
    struct husk_hc_abort a = {.msg_gpa = BUF_GPA,
                              .len = HUSK_ABORT_MSG_MAX + 1};
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_ABORT, a),
                    "abort: message length 513 exceeds 512");
    vm = core_vm();
    a.len = UINT32_MAX;
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_ABORT, a),
                    "abort: message length 4294967295 exceeds 512");
}

TEST(core_abort_bad_pointer)
{
    struct husk_vm *vm = core_vm();
    struct husk_hc_abort a = {.msg_gpa = FAKEVM_MEM - 4, .len = 8};
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_ABORT, a),
                    "abort: message 0x3ffffc+8 lies outside guest memory");
    vm = core_vm();
    a.msg_gpa = UINT64_MAX - 1;
    a.len = 4;
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_ABORT, a),
                    "abort: message 0xfffffffffffffffe+4 lies outside");
}

TEST(core_abort_padding)
{
    struct husk_vm *vm = core_vm();
    struct husk_hc_abort a = {.msg_gpa = BUF_GPA, .len = 1, ._pad0 = 0x100};
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_ABORT, a),
                    "abort: padding is not zero");
}

/* ---- wallclock ---- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

TEST(core_wallclock)
{
    struct husk_vm *vm = core_vm();
    struct husk_hc_wallclock a = {.ns = 12345};
    uint64_t before = now_ns();
    CHECK_EQ(CALL(vm, HUSK_HC_WALLCLOCK, a), HUSK_HC_DONE);
    uint64_t after = now_ns();
    READ_BACK(vm, a);
    CHECK(a.ns >= before && a.ns <= after);
}

/* ---- poll ---- */

TEST(core_poll_bad_timeout)
{
    struct husk_vm *vm = core_vm();
    struct husk_hc_poll a = {.timeout_ns = HUSK_POLL_TIMEOUT_MAX + 1};
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_POLL, a),
                    "poll: timeout 3600000000001 ns exceeds one hour");
    vm = core_vm();
    a.timeout_ns = UINT64_MAX;
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_POLL, a), "exceeds one hour");
}

TEST(core_poll_bad_mask)
{
    struct husk_vm *vm = core_vm();
    struct husk_hc_poll a = {.timeout_ns = 0, .wait_mask = 1};
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_POLL, a),
                    "poll: wait_mask 0x1 names handles that are not pollable "
                    "devices (0x0)");
    vm = core_vm();
    vm->pollable_mask = 0x8;
    a.wait_mask = 0x18;
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_POLL, a), "wait_mask 0x18");
    vm = core_vm();
    vm->pollable_mask = 0x8;
    a.wait_mask = 1ULL << 63;
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_POLL, a),
                    "wait_mask 0x8000000000000000 names handles");
}

TEST(core_poll_sleep)
{
    struct husk_vm *vm = core_vm();
    struct husk_hc_poll a = {.timeout_ns = 2000000, .ready_mask = 0xffff};
    uint64_t before = now_ns();
    CHECK_EQ(CALL(vm, HUSK_HC_POLL, a), HUSK_HC_DONE);
    CHECK(now_ns() - before >= 2000000);
    READ_BACK(vm, a);
    CHECK_EQ(a.ready_mask, 0); /* OUT: the guest's value is overwritten */
}

TEST(core_poll_ready)
{
    struct husk_vm *vm = core_vm();
    int ready[2], idle[2];
    CHECK(pipe(ready) == 0 && pipe(idle) == 0);
    CHECK(write(ready[1], "x", 1) == 1);
    vm->poll_fds[0] = ready[0];
    vm->poll_fds[3] = idle[0];
    vm->pollable_mask = 0x9;
    struct husk_hc_poll a = {.timeout_ns = 0, .wait_mask = 0x9};
    CHECK_EQ(CALL(vm, HUSK_HC_POLL, a), HUSK_HC_DONE);
    READ_BACK(vm, a);
    CHECK_EQ(a.ready_mask, 0x1);
    CHECK_EQ(a.wait_mask, 0x9);
    a = (struct husk_hc_poll){.timeout_ns = 1000000, .wait_mask = 0x8};
    CHECK_EQ(CALL(vm, HUSK_HC_POLL, a), HUSK_HC_DONE);
    READ_BACK(vm, a);
    CHECK_EQ(a.ready_mask, 0);
}

/* A device whose own work is due at a set time (the user-mode network's
 * SYNs and asks, drivers/net/user.c). */
static uint64_t due_at;
static unsigned due_asked_for;
static uint64_t due_in(struct husk_vm *vm, unsigned handle, uint64_t now)
{
    (void)vm;
    due_asked_for = handle;
    return due_at == UINT64_MAX ? UINT64_MAX : due_at > now ? due_at - now : 0;
}

TEST(core_poll_wakes_when_a_device_is_due)
{
    struct husk_vm *vm = core_vm();
    int idle[2];
    CHECK(pipe(idle) == 0);
    vm->poll_fds[3] = idle[0];
    vm->poll_due[3] = due_in;
    vm->pollable_mask = 0x8;
    /* Due in 3 ms: a wait of up to 10 s ends then, the device ready. */
    uint64_t before = husk_now_ns();
    due_at = before + 3000000;
    struct husk_hc_poll a = {.timeout_ns = 10000000000ULL, .wait_mask = 0x8};
    CHECK_EQ(CALL(vm, HUSK_HC_POLL, a), HUSK_HC_DONE);
    uint64_t took = husk_now_ns() - before;
    CHECK(took >= 3000000);
    CHECK(took < 2000000000ULL);
    READ_BACK(vm, a);
    CHECK_EQ(a.ready_mask, 0x8);
    CHECK_EQ(due_asked_for, 3);
    /* Nothing due: the guest's own timeout, and the device not ready. */
    due_at = UINT64_MAX;
    a = (struct husk_hc_poll){.timeout_ns = 1000000, .wait_mask = 0x8};
    CHECK_EQ(CALL(vm, HUSK_HC_POLL, a), HUSK_HC_DONE);
    READ_BACK(vm, a);
    CHECK_EQ(a.ready_mask, 0);
    /* Not waited on: not asked, not reported. */
    due_asked_for = 99;
    due_at = 0;
    a = (struct husk_hc_poll){.timeout_ns = 1000000, .wait_mask = 0};
    CHECK_EQ(CALL(vm, HUSK_HC_POLL, a), HUSK_HC_DONE);
    READ_BACK(vm, a);
    CHECK_EQ(a.ready_mask, 0);
    CHECK_EQ(due_asked_for, 99);
    close(idle[0]);
    close(idle[1]);
}

/* ---- mem_discard ---- */

static void check_discard_rejected(uint64_t gpa, uint64_t len,
                                   const char *words, int line)
{
    struct husk_vm *vm = core_vm();
    struct husk_hc_mem_discard a = {.gpa = gpa, .len = len};
    enum husk_hc_result r = CALL(vm, HUSK_HC_MEM_DISCARD, a);
    if (r != HUSK_HC_VIOLATION || strstr(vm->message, words) == NULL)
        unit_fail(__FILE__, line,
                  "mem_discard 0x%llx+0x%llx: result %d, message \"%s\", "
                  "expected a violation with \"%s\"",
                  (unsigned long long)gpa, (unsigned long long)len, (int)r,
                  vm->message, words);
}
#define CHECK_DISCARD_REJECTED(gpa, len, words) \
    check_discard_rejected(gpa, len, words, __LINE__)

TEST(core_mem_discard_not_pages)
{
    CHECK_DISCARD_REJECTED(HUSK_LOAD_MIN + 1, 0x1000,
                           "mem_discard: 0x100001+0x1000 is not a whole "
                           "number of pages");
    CHECK_DISCARD_REJECTED(HUSK_LOAD_MIN, 0x1001,
                           "0x100000+0x1001 is not a "
                           "whole number of pages");
    CHECK_DISCARD_REJECTED(HUSK_LOAD_MIN, 0, "0x100000+0x0 is not a whole");
}

TEST(core_mem_discard_not_guest_memory)
{
    const char *own = "is not the guest's own memory";
    CHECK_DISCARD_REJECTED(HUSK_LOAD_MIN - 0x1000, 0x1000,
                           "mem_discard: 0xff000+0x1000 is not the guest's "
                           "own memory");
    CHECK_DISCARD_REJECTED(HUSK_LOAD_MIN - 0x1000, 0x2000, own); /* straddles */
    CHECK_DISCARD_REJECTED(0, 0x1000, own);
    CHECK_DISCARD_REJECTED(0x1000, 0x1000, own); /* the GDT */
    CHECK_DISCARD_REJECTED(FAKEVM_MEM - 0x1000, 0x2000, own);
    CHECK_DISCARD_REJECTED(FAKEVM_MEM, 0x1000, own);
    CHECK_DISCARD_REJECTED(HUSK_LOAD_MIN, FAKEVM_MEM, own);
    CHECK_DISCARD_REJECTED(0xfffffffffffff000ULL, 0x2000, own); /* wraps */
    CHECK_DISCARD_REJECTED(HUSK_LOAD_MIN, 0xfffffffffffff000ULL, own);
}

TEST(core_mem_discard_zeroes)
{
    struct husk_vm *vm = core_vm();
    uint64_t gpa = 0x300000, len = 0x2000;
    memset(vm->mem + gpa - 1, 0xaa, len + 2);
    struct husk_hc_mem_discard a = {.gpa = gpa, .len = len};
    CHECK_EQ(CALL(vm, HUSK_HC_MEM_DISCARD, a), HUSK_HC_DONE);
    for (uint64_t i = 0; i < len; i++)
        if (vm->mem[gpa + i] != 0)
            FAIL("byte 0x%llx not zero after discard",
                 (unsigned long long)(gpa + i));
    CHECK_EQ(vm->mem[gpa - 1], 0xaa); /* neighbours untouched */
    CHECK_EQ(vm->mem[gpa + len], 0xaa);
}

TEST(core_mem_discard_edges)
{
    struct husk_vm *vm = core_vm();
    struct husk_hc_mem_discard a = {.gpa = HUSK_LOAD_MIN, .len = 0x1000};
    CHECK_EQ(CALL(vm, HUSK_HC_MEM_DISCARD, a), HUSK_HC_DONE);
    a = (struct husk_hc_mem_discard){FAKEVM_MEM - 0x1000, 0x1000};
    CHECK_EQ(CALL(vm, HUSK_HC_MEM_DISCARD, a), HUSK_HC_DONE);
    /* The argument struct's own page: allowed, it reads zero afterwards
     * and the copy-back restores the struct. */
    a = (struct husk_hc_mem_discard){ARG_GPA, 0x1000};
    CHECK_EQ(CALL(vm, HUSK_HC_MEM_DISCARD, a), HUSK_HC_DONE);
    READ_BACK(vm, a);
    CHECK_EQ(a.gpa, ARG_GPA);
}

/* ---- console_write ---- */

/* Make the call with fd (1 or 2) pointing at to; restore it after. */
static enum husk_hc_result console_to(struct husk_vm *vm, int fd, int to,
                                      struct husk_hc_console_write *a)
{
    fflush(NULL);
    int saved = dup(fd);
    CHECK(saved >= 0 && dup2(to, fd) == fd);
    enum husk_hc_result r = call(vm, HUSK_HC_CONSOLE_WRITE, a, sizeof(*a));
    CHECK(dup2(saved, fd) == fd);
    close(saved);
    READ_BACK(vm, *a);
    return r;
}

static void check_console_stream(uint32_t stream, int fd)
{
    struct husk_vm *vm = core_vm();
    int p[2];
    CHECK(pipe(p) == 0);
    memcpy(vm->mem + BUF_GPA, "hello, console", 14);
    struct husk_hc_console_write a = {
        .buf_gpa = BUF_GPA, .len = 5, .stream = stream, .ret = 99};
    CHECK_EQ(console_to(vm, fd, p[1], &a), HUSK_HC_DONE);
    CHECK_EQ(a.ret, 5);
    close(p[1]);
    char got[32];
    ssize_t n = read(p[0], got, sizeof(got));
    CHECK_EQ(n, 5);
    CHECK(memcmp(got, "hello", 5) == 0);
}

TEST(console_stdout)
{
    check_console_stream(HUSK_CONSOLE_STDOUT, STDOUT_FILENO);
}

TEST(console_stderr)
{
    check_console_stream(HUSK_CONSOLE_STDERR, STDERR_FILENO);
}

TEST(console_empty_and_longest)
{
    struct husk_vm *vm = core_vm();
    int null = open("/dev/null", O_WRONLY);
    CHECK(null >= 0);
    struct husk_hc_console_write a = {
        .buf_gpa = FAKEVM_MEM, .len = 0, .stream = HUSK_CONSOLE_STDOUT};
    CHECK_EQ(console_to(vm, STDOUT_FILENO, null, &a), HUSK_HC_DONE);
    CHECK_EQ(a.ret, 0);
    a = (struct husk_hc_console_write){.buf_gpa = FAKEVM_MEM - HUSK_CONSOLE_MAX,
                                       .len = HUSK_CONSOLE_MAX,
                                       .stream = HUSK_CONSOLE_STDOUT};
    CHECK_EQ(console_to(vm, STDOUT_FILENO, null, &a), HUSK_HC_DONE);
    CHECK_EQ(a.ret, HUSK_CONSOLE_MAX);
}

TEST(console_closed_pipe)
{
    /* The host's problem, not the guest's: -HUSK_EIO, and the guest goes
     * on. main.c ignores SIGPIPE; so does this test. */
    signal(SIGPIPE, SIG_IGN);
    struct husk_vm *vm = core_vm();
    int p[2];
    CHECK(pipe(p) == 0);
    close(p[0]);
    struct husk_hc_console_write a = {
        .buf_gpa = BUF_GPA, .len = 3, .stream = HUSK_CONSOLE_STDOUT};
    CHECK_EQ(console_to(vm, STDOUT_FILENO, p[1], &a), HUSK_HC_DONE);
    CHECK_EQ(a.ret, -HUSK_EIO);
    CHECK_EQ(vm->exit_code, 0);
}

TEST(console_bad_stream)
{
    static const uint32_t streams[] = {0, 3, UINT32_MAX};
    for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
        struct husk_vm *vm = core_vm();
        struct husk_hc_console_write a = {
            .buf_gpa = BUF_GPA, .len = 1, .stream = streams[i]};
        char want[64];
        snprintf(want, sizeof(want), "console_write: unknown stream %u",
                 streams[i]);
        CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_CONSOLE_WRITE, a), want);
    }
}

TEST(console_too_long)
{
    struct husk_vm *vm = core_vm();
    struct husk_hc_console_write a = {.buf_gpa = BUF_GPA,
                                      .len = HUSK_CONSOLE_MAX + 1,
                                      .stream = HUSK_CONSOLE_STDOUT};
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_CONSOLE_WRITE, a),
                    "console_write: length 65537 exceeds 65536");
}

TEST(console_buffer_outside)
{
    struct husk_vm *vm = core_vm();
    struct husk_hc_console_write a = {
        .buf_gpa = FAKEVM_MEM - 4, .len = 8, .stream = HUSK_CONSOLE_STDERR};
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_CONSOLE_WRITE, a),
                    "console_write: buffer 0x3ffffc+8 lies outside guest "
                    "memory (4 MiB)");
    vm = core_vm();
    a.buf_gpa = UINT64_MAX - 4;
    a.len = 64;
    CHECK_VIOLATION(vm, CALL(vm, HUSK_HC_CONSOLE_WRITE, a),
                    "buffer 0xfffffffffffffffb+64 lies outside");
}

TEST(console_rate_drops_the_excess)
{
    /* 1 KiB a second: a burst of one whole call (64 KiB) passes, then
     * writes are dropped (reported as written, so that the guest does not
     * retry), counted, and the operator told once. The bucket earns a
     * byte a millisecond: slow enough for the test not to race it. */
    struct husk_vm *vm = fakevm_new();
    ((struct husk_config *)vm->cfg)->console_rate = 1 << 10;
    if (husk_console_register == NULL)
        unit_skip("drivers/console/host.c is not linked");
    husk_console_register(vm);
    int out[2], err[2];
    CHECK(pipe(out) == 0 && pipe(err) == 0);
    CHECK(fcntl(out[0], F_SETPIPE_SZ, 1 << 20) >= 0);
    struct husk_hc_console_write a = {.buf_gpa = BUF_GPA,
                                      .len = HUSK_CONSOLE_MAX,
                                      .stream = HUSK_CONSOLE_STDOUT};
    CHECK_EQ(console_to(vm, STDOUT_FILENO, out[1], &a), HUSK_HC_DONE);
    CHECK_EQ(a.ret, HUSK_CONSOLE_MAX);
    CHECK_EQ(vm->console_dropped, 0);
    fflush(NULL);
    int saved = dup(STDERR_FILENO);
    CHECK(saved >= 0 && dup2(err[1], STDERR_FILENO) == STDERR_FILENO);
    for (int i = 0; i < 3; i++) {
        a.len = 1000;
        CHECK_EQ(console_to(vm, STDOUT_FILENO, out[1], &a), HUSK_HC_DONE);
        CHECK_EQ(a.ret, 1000);
    }
    CHECK(dup2(saved, STDERR_FILENO) == STDERR_FILENO);
    close(err[1]);
    close(out[1]);
    CHECK_EQ(vm->console_dropped, 3000);
    char notice[512] = "";
    CHECK(read(err[0], notice, sizeof(notice) - 1) > 0);
    CHECK_HAS(notice, "husk: console: the guest prints more than "
                      "--console-rate=1K a second; dropping what is over "
                      "(this notice is printed once)\n");
    CHECK(strchr(notice, '\n') == notice + strlen(notice) - 1); /* once */
    static char got[1 << 20];
    ssize_t n, total = 0;
    while ((n = read(out[0], got, sizeof(got))) > 0)
        total += n;
    CHECK_EQ(total, HUSK_CONSOLE_MAX);
}

/* ---- console_read, and stdin in the poll call's wait ---- */

/* Make the call with stdin pointing at from; restore it after. */
static enum husk_hc_result read_from(struct husk_vm *vm, int from,
                                     struct husk_hc_console_read *a)
{
    int saved = dup(STDIN_FILENO);
    CHECK(saved >= 0 && dup2(from, STDIN_FILENO) == STDIN_FILENO);
    enum husk_hc_result r = call(vm, HUSK_HC_CONSOLE_READ, a, sizeof(*a));
    CHECK(dup2(saved, STDIN_FILENO) == STDIN_FILENO);
    close(saved);
    READ_BACK(vm, *a);
    return r;
}

TEST(console_read_input_then_nothing_then_end)
{
    struct husk_vm *vm = core_vm();
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK(write(p[1], "abc", 3) == 3);
    struct husk_hc_console_read a = {.buf_gpa = BUF_GPA, .len = 2};
    CHECK_EQ(read_from(vm, p[0], &a), HUSK_HC_DONE);
    CHECK_EQ(a.ret, 2);
    CHECK(memcmp(vm->mem + BUF_GPA, "ab", 2) == 0);
    a = (struct husk_hc_console_read){.buf_gpa = BUF_GPA, .len = 100};
    CHECK_EQ(read_from(vm, p[0], &a), HUSK_HC_DONE);
    CHECK_EQ(a.ret, 1);
    CHECK(!vm->stdin_armed);
    /* Nothing waiting: EAGAIN at once, and the next wait watches stdin. */
    a = (struct husk_hc_console_read){.buf_gpa = BUF_GPA, .len = 100};
    CHECK_EQ(read_from(vm, p[0], &a), HUSK_HC_DONE);
    CHECK_EQ(a.ret, -HUSK_EAGAIN);
    CHECK(vm->stdin_armed);
    close(p[1]);
    a = (struct husk_hc_console_read){.buf_gpa = BUF_GPA, .len = 100};
    CHECK_EQ(read_from(vm, p[0], &a), HUSK_HC_DONE);
    CHECK_EQ(a.ret, 0); /* the writer is gone: the end */
    CHECK(!vm->stdin_armed);
    close(p[0]);
}

TEST(console_read_leaves_stdin_blocking)
{
    /* O_NONBLOCK is the open file's, shared with a terminal's shell. */
    struct husk_vm *vm = core_vm();
    int p[2];
    CHECK(pipe(p) == 0);
    struct husk_hc_console_read a = {.buf_gpa = BUF_GPA, .len = 8};
    CHECK_EQ(read_from(vm, p[0], &a), HUSK_HC_DONE);
    CHECK_EQ(a.ret, -HUSK_EAGAIN);
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
    close(p[0]);
    close(p[1]);
}

TEST(console_read_checks)
{
    struct husk_vm *vm = core_vm();
    int null = open("/dev/null", O_RDONLY);
    CHECK(null >= 0);
    struct husk_hc_console_read a = {.buf_gpa = BUF_GPA, .len = 0};
    CHECK_VIOLATION(vm, read_from(vm, null, &a), "length 0 is not 1 to 65536");
    vm = core_vm();
    a = (struct husk_hc_console_read){.buf_gpa = BUF_GPA,
                                      .len = HUSK_CONSOLE_MAX + 1};
    CHECK_VIOLATION(vm, read_from(vm, null, &a), "length 65537");
    vm = core_vm();
    a = (struct husk_hc_console_read){.buf_gpa = BUF_GPA, .len = 1, ._pad0 = 1};
    CHECK_VIOLATION(vm, read_from(vm, null, &a), "padding is not zero");
    vm = core_vm();
    a = (struct husk_hc_console_read){.buf_gpa = FAKEVM_MEM - 4, .len = 8};
    CHECK_VIOLATION(vm, read_from(vm, null, &a), "lies outside guest memory");
    /* Never into the boot data, though console_write may read it. */
    vm = core_vm();
    a = (struct husk_hc_console_read){.buf_gpa = HUSK_BOOT_GPA + 0x2000,
                                      .len = 8};
    CHECK_VIOLATION(vm, read_from(vm, null, &a), "lies outside guest memory");
    vm = core_vm();
    a = (struct husk_hc_console_read){.buf_gpa = HUSK_TRAP_STACK_TOP, .len = 8};
    CHECK_VIOLATION(vm, read_from(vm, null, &a), "lies outside guest memory");
    /* The longest read, at the very end of memory: /dev/null's end. */
    vm = core_vm();
    a = (struct husk_hc_console_read){.buf_gpa = FAKEVM_MEM - HUSK_CONSOLE_MAX,
                                      .len = HUSK_CONSOLE_MAX};
    CHECK_EQ(read_from(vm, null, &a), HUSK_HC_DONE);
    CHECK_EQ(a.ret, 0);
    close(null);
}

TEST(poll_ends_on_stdin_once_armed)
{
    struct husk_vm *vm = core_vm();
    int p[2];
    CHECK(pipe(p) == 0);
    int saved = dup(STDIN_FILENO);
    CHECK(saved >= 0 && dup2(p[0], STDIN_FILENO) == STDIN_FILENO);
    CHECK(write(p[1], "x", 1) == 1);
    /* Not armed: stdin's input does not end a sleep. */
    struct husk_hc_poll a = {.timeout_ns = 50000000};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(CALL(vm, HUSK_HC_POLL, a), HUSK_HC_DONE);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK((t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec >=
          40000000L);
    /* Armed (an empty read): it ends at once, lets go, and says no
     * device is ready. */
    vm->stdin_armed = true;
    a = (struct husk_hc_poll){.timeout_ns = 10ULL * 1000000000ULL};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(CALL(vm, HUSK_HC_POLL, a), HUSK_HC_DONE);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    READ_BACK(vm, a);
    CHECK(t1.tv_sec - t0.tv_sec < 5);
    CHECK_EQ(a.ready_mask, 0);
    CHECK(!vm->stdin_armed);
    CHECK(dup2(saved, STDIN_FILENO) == STDIN_FILENO);
    close(saved);
    close(p[0]);
    close(p[1]);
}
