/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/console/host.c: the console hypercall, onto stdout and stderr.
 * Output is rate-limited (--console-rate): a guest that floods its console
 * must not flood the host's logs or disks. What is over the rate is
 * dropped, not delayed: a service that logs in a loop keeps serving, and
 * the operator is told once on stderr and given the total at the end.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "../../monitor/husk.h"
#include "console.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* the vDSO: no system call */
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static enum husk_hc_result hc_console_write(struct husk_vm *vm, void *arg)
{
    struct husk_hc_console_write *a = arg;
    if (a->stream != HUSK_CONSOLE_STDOUT && a->stream != HUSK_CONSOLE_STDERR)
        return husk_violation(vm, "console_write: unknown stream %u",
                              a->stream);
    if (a->len > HUSK_CONSOLE_MAX)
        return husk_violation(vm, "console_write: length %u exceeds %d",
                              a->len, HUSK_CONSOLE_MAX);
    const uint8_t *buf = husk_gpa_range(vm, a->buf_gpa, a->len);
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
    size_t done = 0;
    while (done < a->len) {
        ssize_t n = write(fd, buf + done, a->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* A closed pipe on our side is the host's condition, not a
             * guest error: report it and let the guest decide. */
            a->ret = done > 0 ? (int64_t)done : -HUSK_EIO;
            return HUSK_HC_DONE;
        }
        done += (size_t)n;
    }
    a->ret = (int64_t)done;
    return HUSK_HC_DONE;
}

void husk_console_register(struct husk_vm *vm)
{
    /* A burst of one second's worth, and at least one whole call. */
    uint64_t rate = vm->cfg->console_rate;
    husk_rate_init(&vm->console_rate, rate,
                   rate > HUSK_CONSOLE_MAX ? rate : HUSK_CONSOLE_MAX, now_ns());
    if (husk_hc_register(vm, HUSK_HC_CONSOLE_WRITE, "console_write",
                         sizeof(struct husk_hc_console_write),
                         hc_console_write) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "internal error: console registration failed");
}
