/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/console/host.c: the console hypercall, onto stdout and stderr.
 * Output is rate-limited (--console-rate): a guest that floods its console
 * must not flood the host's logs or disks. What is over the rate is
 * dropped, not delayed: a service that logs in a loop keeps serving, and
 * the operator is told once on stderr and given the total at the end.
 *
 * To a pipe or a file the guest's bytes go as they are (a guest may write
 * gzip data to its stdout). To a terminal they go through escape.c's rule,
 * so that the guest cannot drive the terminal nor pass for the monitor.
 * Which is which is decided once, at start-up. The rate counts the
 * guest's bytes, not what escaping makes of them.
 *
 * A stop (--timeout, SIGTERM...) ends a write that blocks on a full pipe
 * or a paused terminal (husk_stop_write): the guest is not resumed.
 *
 * stdin (unless --stdin=none) is the guest's, read by console_read, which
 * never waits: the guest waits in its usual wait (the poll call, net_io),
 * which includes stdin once the guest found it empty (husk_stdin_wanted).
 * The monitor does not make stdin non-blocking to read it: O_NONBLOCK is
 * a flag of the open file, which a terminal shares with the shell that
 * started husk (the shell would find its own reads failing with EAGAIN).
 * It polls it without waiting and reads only what poll says is there.
 */
#include <errno.h>
#include <poll.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../monitor/allowlist.h"
#include "../../monitor/husk.h"
#include "console.h"
#include "escape.h"

/* Per stream (0: stdout, 1: stderr): the terminal's state, or NULL if it
 * is no terminal. Two streams on one terminal share one state: a line
 * the guest left unfinished on stdout is unfinished on stderr too. */
static struct husk_tty_state tty_states[2];
static struct husk_tty_state *tty_of[2];

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* the vDSO: no system call */
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Write all of p: 0, or -1 if a write fails (a closed pipe: the host's
 * condition, not a guest error; the guest is told and decides) or a stop
 * ends it. *done is what was written. */
static int write_all(int fd, const void *p, size_t len, size_t *done)
{
    *done = 0;
    while (*done < len) {
        ssize_t n = husk_stop_write(fd, (const char *)p + *done, len - *done);
        if (n < 0 && errno == EINTR && !husk_stop_requested())
            continue; /* the I/O thread's SIGUSR1 */
        if (n <= 0)
            return -1;
        *done += (size_t)n;
    }
    return 0;
}

static int64_t write_raw(int fd, const uint8_t *buf, uint32_t len)
{
    size_t done;
    if (write_all(fd, buf, len, &done) != 0 && done == 0)
        return -HUSK_EIO;
    return (int64_t)done;
}

/* The escaping reads each byte more than once (decode, then copy), so it
 * works on a copy the monitor owns: guest memory can change under it (the
 * I/O thread writes there), and a byte it let pass must be the byte sent. */
static int64_t write_tty(int fd, struct husk_tty_state *tty, const uint8_t *buf,
                         uint32_t len)
{
    static uint8_t in[4096];
    static char out[4 * sizeof(in) + HUSK_TTY_ESCAPE_MIN];
    size_t done = 0, out_len, written;
    while (done < len) {
        size_t chunk = len - done < sizeof(in) ? len - done : sizeof(in);
        memcpy(in, buf + done, chunk);
        size_t used = 0;
        while (used < chunk) {
            size_t took = husk_tty_escape(tty, in + used, chunk - used, out,
                                          sizeof(out), &out_len);
            if (write_all(fd, out, out_len, &written) != 0)
                return done + used > 0 ? (int64_t)(done + used) : -HUSK_EIO;
            used += took;
        }
        done += chunk;
    }
    return (int64_t)done;
}

/* Which stream is a terminal, once; and the same one for both? */
static void find_terminals(void)
{
    struct stat out, err;
    bool out_tty = isatty(STDOUT_FILENO), err_tty = isatty(STDERR_FILENO);
    if (out_tty)
        tty_of[0] = &tty_states[0];
    if (err_tty) {
        bool same = out_tty && fstat(STDOUT_FILENO, &out) == 0 &&
                    fstat(STDERR_FILENO, &err) == 0 &&
                    out.st_rdev == err.st_rdev;
        tty_of[1] = same ? &tty_states[0] : &tty_states[1];
        husk_log_console_tty(&tty_of[1]->mid_line);
    }
}

static enum husk_hc_result hc_console_write(struct husk_vm *vm, void *arg)
{
    struct husk_hc_console_write *a = arg;
    if (a->stream != HUSK_CONSOLE_STDOUT && a->stream != HUSK_CONSOLE_STDERR)
        return husk_violation(vm, "console_write: unknown stream %u",
                              a->stream);
    if (a->len > HUSK_CONSOLE_MAX)
        return husk_violation(vm, "console_write: length %u exceeds %d", a->len,
                              HUSK_CONSOLE_MAX);
    const uint8_t *buf = husk_gpa_range_ro(vm, a->buf_gpa, a->len);
    if (buf == NULL)
        return husk_violation(vm,
                              "console_write: buffer 0x%llx+%u lies outside "
                              "guest memory (%llu MiB)",
                              (unsigned long long)a->buf_gpa, a->len,
                              (unsigned long long)(vm->mem_size >> 20));
    if (!husk_rate_take(&vm->console_rate, a->len, now_ns())) {
        if (vm->console_dropped == 0) {
            uint64_t r = vm->console_rate.rate;
            husk_warnx("console: the guest prints more than "
                       "--console-rate=%llu%s a second; dropping what is "
                       "over (this notice is printed once)",
                       (unsigned long long)(r % 1024 ? r : r >> 10),
                       r % 1024 ? "" : "K");
        }
        vm->console_dropped += a->len;
        /* As written: a guest told otherwise would retry in a loop. */
        a->ret = a->len;
        return HUSK_HC_DONE;
    }
    int fd = a->stream == HUSK_CONSOLE_STDOUT ? STDOUT_FILENO : STDERR_FILENO;
    struct husk_tty_state *tty = tty_of[fd == STDERR_FILENO];
    a->ret = tty != NULL ? write_tty(fd, tty, buf, a->len)
                         : write_raw(fd, buf, a->len);
    vm->console.writes++;
    if (a->ret > 0) { /* --stats=json: the guest's bytes that went out */
        if (fd == STDOUT_FILENO)
            vm->console.stdout_bytes += (uint64_t)a->ret;
        else
            vm->console.stderr_bytes += (uint64_t)a->ret;
    }
    return HUSK_HC_DONE;
}

/* Up to len bytes of what waits on stdin; -HUSK_EAGAIN (and the next wait
 * watches stdin) if nothing does. */
static int64_t read_stdin(struct husk_vm *vm, uint8_t *buf, uint32_t len)
{
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    struct timespec zero = {0, 0};
    if (ppoll(&p, 1, &zero, NULL) <= 0) {
        vm->stdin_armed = true;
        return -HUSK_EAGAIN;
    }
    /* Input, the end of it (POLLHUP: the writer is gone) or an error:
     * read says which, without waiting (unless another reader of the
     * same pipe took the input since: then a stop still ends it). */
    ssize_t n;
    do
        n = husk_stop_read(STDIN_FILENO, buf, len);
    while (n < 0 && errno == EINTR && !husk_stop_requested());
    vm->stdin_armed = false;
    if (n >= 0)
        return n;
    if (errno == EAGAIN) { /* someone else made it non-blocking */
        vm->stdin_armed = true;
        return -HUSK_EAGAIN;
    }
    return -HUSK_EIO;
}

static enum husk_hc_result hc_console_read(struct husk_vm *vm, void *arg)
{
    struct husk_hc_console_read *a = arg;
    if (a->_pad0 != 0)
        return husk_violation(vm, "console_read: padding is not zero");
    if (a->len == 0 || a->len > HUSK_CONSOLE_MAX)
        return husk_violation(vm, "console_read: length %u is not 1 to %d",
                              a->len, HUSK_CONSOLE_MAX);
    /* Written by the monitor: the guest's own memory only. */
    uint8_t *buf = husk_gpa_range(vm, a->buf_gpa, a->len);
    if (buf == NULL)
        return husk_violation(vm,
                              "console_read: buffer 0x%llx+%u lies outside "
                              "guest memory (%llu MiB)",
                              (unsigned long long)a->buf_gpa, a->len,
                              (unsigned long long)(vm->mem_size >> 20));
    a->ret = read_stdin(vm, buf, a->len);
    vm->console.reads++;
    if (a->ret > 0)
        vm->console.stdin_bytes += (uint64_t)a->ret;
    return HUSK_HC_DONE;
}

int husk_console_sandbox_rules(const struct husk_vm *vm,
                               struct husk_rules *rules)
{
    if (vm->cfg->stdin_none)
        return 0;
    /* console_read: stdin, and no other fd (ppoll is allowed anyway). */
    return husk_rule_add(rules, SCMP_SYS(read), 1,
                         SCMP_A0(SCMP_CMP_EQ, STDIN_FILENO));
}

void husk_console_register(struct husk_vm *vm)
{
    find_terminals();
    /* A burst of one second's worth, and at least one whole call. */
    uint64_t rate = vm->cfg->console_rate;
    husk_rate_init(&vm->console_rate, rate,
                   rate > HUSK_CONSOLE_MAX ? rate : HUSK_CONSOLE_MAX, now_ns());
    if (husk_hc_register(vm, HUSK_HC_CONSOLE_WRITE, "console_write",
                         sizeof(struct husk_hc_console_write),
                         hc_console_write) != 0 ||
        (!vm->cfg->stdin_none &&
         husk_hc_register(vm, HUSK_HC_CONSOLE_READ, "console_read",
                          sizeof(struct husk_hc_console_read),
                          hc_console_read) != 0))
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "internal error: console registration failed");
}
