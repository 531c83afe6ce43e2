/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * net/stack.c: lwIP's platform (clock, randomness, diagnostics) and the
 * network's event loop. lwIP runs only when the guest calls into it:
 * husk_net_poll is one step (send what is queued, take in what arrived,
 * run lwIP's timers), waiting in the monitor for the first frame or the
 * next timer when there is nothing to do. Every wait of the guest goes
 * through it (guest/poll.c), so a server blocked in accept still answers
 * ARP, ping and retransmits.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"

#include "../drivers/net/nic.h"
#include "../guest/driver.h"
#include "../guest/guest.h"
#include "sock.h"
#include "net.h"

static unsigned nic_count;

u32_t sys_now(void)
{
    return (u32_t)(husk_monotonic_ns() / 1000000ULL);
}

uint32_t husk_lwip_rand(void)
{
    uint32_t r;
    husk_sys_getrandom(&r, sizeof(r), 0);
    return r;
}

void husk_lwip_diag(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    husk_console_note(line);
}

_Noreturn void husk_lwip_assert(const char *msg, const char *file, int line)
{
    char text[256];
    snprintf(text, sizeof(text), "lwIP assertion failed: %s (%s:%d)", msg, file,
             line);
    husk_panic(text);
}

/* A constructor: it needs musl's malloc and TLS, which exist only once
 * __libc_start_main runs; it runs before main and other constructors. */
__attribute__((constructor(101))) void husk_net_init(void)
{
    lwip_init();
    nic_count = husk_nics_init();
    for (unsigned i = 0; i < nic_count; i++)
        husk_netif_add(husk_nic_get(i), i);
}

/* How long lwIP can wait before its next timer, in ns. */
static uint64_t timers_due_in(void)
{
    u32_t ms = sys_timeouts_sleeptime();
    return ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? UINT64_MAX
                                                 : (uint64_t)ms * 1000000ULL;
}

/* Wait on several devices: poll them all, then exchange with those that
 * have frames. */
static void wait_many(uint64_t wait_ns)
{
    struct husk_hc_poll p = {.timeout_ns = wait_ns};
    for (unsigned i = 0; i < nic_count; i++)
        p.wait_mask |= 1ULL << husk_nic_get(i)->handle;
    husk_hypercall(HUSK_HC_POLL, &p);
    for (unsigned i = 0; i < nic_count; i++) {
        struct husk_nic *nic = husk_nic_get(i);
        if (p.ready_mask & (1ULL << nic->handle))
            husk_nic_io(nic, 0, husk_netif_input);
    }
}

/* Whether packets the guest sent itself wait in a loopback queue. */
static bool loopback_pending(void)
{
    struct netif *n;
    NETIF_FOREACH(n)
    {
        if (n->loop_first != NULL)
            return true;
    }
    return false;
}

/* When the network last ran: husk_net_step_if_stale runs it again after
 * STALE_NS, so that a program that never waits (it finds something ready
 * every time, or loops on EAGAIN) still gets its frames in and out. An
 * event loop that waits runs the network anyway and pays nothing more. */
#define STALE_NS 1000000ULL
static uint64_t last_poll_ns;

bool husk_net_step_if_stale(void)
{
    uint64_t now = husk_monotonic_ns();
    if (now - last_poll_ns < STALE_NS)
        return false;
    husk_net_poll(now);
    return true;
}

void husk_net_poll(uint64_t deadline_ns)
{
    last_poll_ns = husk_monotonic_ns();
    /* Loopback first: what the guest sent itself is ready at once. */
    netif_poll_all();
    uint64_t now = husk_monotonic_ns();
    uint64_t wait =
        deadline_ns > now && !loopback_pending() ? deadline_ns - now : 0;
    uint64_t timers = timers_due_in();
    if (timers < wait)
        wait = timers;
    if (wait > HUSK_POLL_TIMEOUT_MAX)
        wait = HUSK_POLL_TIMEOUT_MAX;
    if (nic_count == 1) {
        husk_nic_io(husk_nic_get(0), wait, husk_netif_input);
    } else {
        unsigned got = 0;
        for (unsigned i = 0; i < nic_count; i++)
            got += husk_nic_io(husk_nic_get(i), 0, husk_netif_input);
        if (got == 0 && wait > 0 && nic_count > 0)
            wait_many(wait);
        else if (got == 0 && wait > 0)
            husk_sleep_until(husk_monotonic_ns() + wait);
    }
    netif_poll_all();
    husk_tcp_push_held();
    sys_check_timeouts();
    /* The pool ran dry while TCP held out-of-order segments: drop those
     * (the peers send them again) so that frames can be received. */
    PBUF_CHECK_FREE_OOSEQ();
}

void husk_net_flush(void)
{
    netif_poll_all();
    for (unsigned i = 0; i < nic_count; i++) {
        struct husk_nic *nic = husk_nic_get(i);
        if (nic->tx_count > 0)
            husk_nic_io(nic, 0, husk_netif_input);
    }
}

/* The network's entry in the driver table: husk-cc --net pulls it (and
 * with it this stack) into the image by this name. */
HUSK_DRIVER(husk_net_driver) = {
    .name = "net",
    .order = 2,
    .poll = husk_net_poll,
    .flush = husk_net_flush,
    .step_if_stale = husk_net_step_if_stale,
    .syscall = husk_net_syscall,
};
