/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* core_calls.c: the hypercalls every guest has: exit, abort, clock, poll,
 * and giving memory back. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "husk.h"
#include "rawsys.h"

static enum husk_hc_result hc_exit(struct husk_vm *vm, void *arg)
{
    struct husk_hc_exit *a = arg;
    if (a->_pad0 != 0)
        return husk_violation(vm, "exit: padding is not zero");
    /* As for a process: the shell sees the low 8 bits. */
    vm->exit_code = (int)((uint32_t)a->status & 0xff);
    vm->end_reason = "exit"; /* its status may be any: say so (stats.c) */
    return HUSK_HC_STOP;
}

static enum husk_hc_result hc_abort(struct husk_vm *vm, void *arg)
{
    struct husk_hc_abort *a = arg;
    if (a->_pad0 != 0)
        return husk_violation(vm, "abort: padding is not zero");
    if (a->len > HUSK_ABORT_MSG_MAX)
        return husk_violation(vm, "abort: message length %u exceeds %d", a->len,
                              HUSK_ABORT_MSG_MAX);
    const char *msg = husk_gpa_range(vm, a->msg_gpa, a->len);
    if (msg == NULL)
        return husk_violation(vm,
                              "abort: message 0x%llx+%u lies outside guest "
                              "memory",
                              (unsigned long long)a->msg_gpa, a->len);
    /* The message is guest data: keep only printable ASCII on our line.
     * Copied once first: guest memory may change while we look at it
     * (the I/O thread writes there), and a byte checked must be the byte
     * printed. */
    char clean[HUSK_ABORT_MSG_MAX + 1];
    memcpy(clean, msg, a->len);
    uint32_t n = a->len;
    while (n > 0 && (clean[n - 1] == '\n' || clean[n - 1] == '\0'))
        n--;
    for (uint32_t i = 0; i < n; i++)
        if (clean[i] < 0x20 || clean[i] >= 0x7f)
            clean[i] = '?';
    clean[n] = '\0';
    snprintf(vm->message, sizeof(vm->message), "guest aborted: %s", clean);
    vm->exit_code = HUSK_EXIT_ABORT;
    return HUSK_HC_STOP;
}

static enum husk_hc_result hc_wallclock(struct husk_vm *vm, void *arg)
{
    (void)vm;
    struct husk_hc_wallclock *a = arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    a->ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    return HUSK_HC_DONE;
}

static enum husk_hc_result hc_poll(struct husk_vm *vm, void *arg)
{
    struct husk_hc_poll *a = arg;
    if (a->timeout_ns > HUSK_POLL_TIMEOUT_MAX)
        return husk_violation(vm, "poll: timeout %llu ns exceeds one hour",
                              (unsigned long long)a->timeout_ns);
    if (a->wait_mask & ~vm->pollable_mask)
        return husk_violation(vm,
                              "poll: wait_mask 0x%llx names handles that are "
                              "not pollable devices (0x%llx)",
                              (unsigned long long)a->wait_mask,
                              (unsigned long long)vm->pollable_mask);
    struct pollfd fds[HUSK_POLL_FDS_MAX + 1];
    int handle_of[HUSK_POLL_FDS_MAX + 1];
    nfds_t n = 0;
    uint64_t timeout = a->timeout_ns;
    uint64_t now = 0, due_mask = 0;
    for (int h = 0; h < HUSK_POLL_FDS_MAX; h++) {
        if (!(a->wait_mask & (1ULL << h)))
            continue;
        fds[n] = (struct pollfd){.fd = vm->poll_fds[h], .events = POLLIN};
        handle_of[n++] = h;
        if (vm->poll_due[h] == NULL)
            continue;
        /* Its own work ends the wait too, when it is due. */
        if (now == 0)
            now = husk_now_ns();
        uint64_t due = vm->poll_due[h](vm, (unsigned)h, now);
        if (due < timeout)
            timeout = due;
        due_mask |= 1ULL << h;
    }
    /* The guest found stdin empty: input ends this wait too (the guest
     * then reads it), though no bit of ready_mask says so. */
    if (husk_stdin_wanted(vm)) {
        fds[n] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
        handle_of[n++] = -1;
    }
    struct timespec ts = {
        .tv_sec = (time_t)(timeout / 1000000000ULL),
        .tv_nsec = (long)(timeout % 1000000000ULL),
    };
    /* A stop that came before the wait: do not sleep through it. The
     * mask opens the stop signals for the wait only, so that one that
     * comes after this check still ends it (stop.c). */
    if (husk_stop_requested())
        ts = (struct timespec){0, 0};
    long rc = husk_raw_ppoll(fds, n, &ts, husk_wait_sigmask());
    a->ready_mask = 0;
    if (rc < 0 && rc != -EINTR) {
        husk_own_tls();
        errno = (int)-rc;
        husk_fatal(HUSK_EXIT_MONITOR, "poll hypercall: ppoll");
    }
    for (nfds_t i = 0; rc > 0 && i < n; i++) {
        if (fds[i].revents == 0)
            continue;
        if (handle_of[i] < 0)
            husk_stdin_woke(vm);
        else
            a->ready_mask |= 1ULL << handle_of[i];
    }
    if (due_mask != 0) {
        now = husk_now_ns();
        for (int h = 0; h < HUSK_POLL_FDS_MAX; h++)
            if ((due_mask & (1ULL << h)) &&
                vm->poll_due[h](vm, (unsigned)h, now) == 0)
                a->ready_mask |= 1ULL << h;
    }
    return HUSK_HC_DONE;
}

static enum husk_hc_result hc_mem_discard(struct husk_vm *vm, void *arg)
{
    struct husk_hc_mem_discard *a = arg;
    if (a->gpa % HUSK_PAGE_SIZE != 0 || a->len % HUSK_PAGE_SIZE != 0 ||
        a->len == 0)
        return husk_violation(vm,
                              "mem_discard: 0x%llx+0x%llx is not a "
                              "whole number of pages",
                              (unsigned long long)a->gpa,
                              (unsigned long long)a->len);
    /* Below HUSK_LOAD_MIN live the page tables and the GDT: never. */
    if (a->gpa < HUSK_LOAD_MIN || husk_gpa_range(vm, a->gpa, a->len) == NULL)
        return husk_violation(vm,
                              "mem_discard: 0x%llx+0x%llx is not the "
                              "guest's own memory",
                              (unsigned long long)a->gpa,
                              (unsigned long long)a->len);
    if (vm->mem_private_file) {
        /* Restored from a snapshot: the pages given back would read as
         * the snapshot's. Zeros, as the call promises, cost the pages. */
        memset(vm->mem + a->gpa, 0, a->len);
        return HUSK_HC_DONE;
    }
    long rc = husk_raw_madvise(vm->mem + a->gpa, a->len, MADV_DONTNEED);
    if (rc != 0) {
        husk_own_tls();
        errno = (int)-rc;
        husk_fatal(HUSK_EXIT_MONITOR, "mem_discard: madvise");
    }
    return HUSK_HC_DONE;
}

void husk_core_calls_register(struct husk_vm *vm)
{
    if (husk_hc_register(vm, HUSK_HC_EXIT, "exit", sizeof(struct husk_hc_exit),
                         hc_exit) != 0 ||
        husk_hc_register(vm, HUSK_HC_ABORT, "abort",
                         sizeof(struct husk_hc_abort), hc_abort) != 0 ||
        husk_hc_register(vm, HUSK_HC_WALLCLOCK, "wallclock",
                         sizeof(struct husk_hc_wallclock), hc_wallclock) != 0 ||
        husk_hc_register(vm, HUSK_HC_POLL, "poll", sizeof(struct husk_hc_poll),
                         hc_poll) != 0 ||
        husk_hc_register(vm, HUSK_HC_MEM_DISCARD, "mem_discard",
                         sizeof(struct husk_hc_mem_discard),
                         hc_mem_discard) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "internal error: core hypercall "
                                       "registration failed");
    /* The frequent ones. clock_gettime is the vDSO's, which keeps no
     * thread state; it fails only for a bad clock id. */
    husk_hc_mark_tls_free(vm, HUSK_HC_WALLCLOCK);
    husk_hc_mark_tls_free(vm, HUSK_HC_POLL);
    husk_hc_mark_tls_free(vm, HUSK_HC_MEM_DISCARD);
}
