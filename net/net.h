/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* net/net.h: the parts of the network stack's glue that share state. */
#ifndef HUSK_NET_NET_H
#define HUSK_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/cc.h"

struct husk_nic;

/* stack.c: bring up lwIP and every network device (a constructor). */
void husk_net_init(void);
/* stack.c, the driver's entry (guest/driver.h): run the network until
 * deadline_ns or until frames arrive; send what is queued; run it once if
 * it has not run for a while (true if it ran). */
void husk_net_poll(uint64_t deadline_ns);
void husk_net_flush(void);
bool husk_net_step_if_stale(void);
/* socket.c: the socket system calls. */
long husk_net_syscall(long n, long a1, long a2, long a3, long a4, long a5,
                      long a6);

/* netif.c: device `index` (0..) as an lwIP netif, and its input. */
void husk_netif_add(struct husk_nic *nic, unsigned index);
void husk_netif_input(struct husk_nic *nic, const void *frame, size_t len);

#endif
