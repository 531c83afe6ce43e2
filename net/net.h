/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* net/net.h: the parts of the network stack's glue that share state. */
#ifndef HUSK_NET_NET_H
#define HUSK_NET_NET_H

#include <stddef.h>
#include <stdint.h>

#include "arch/cc.h"

struct husk_nic;

/* stack.c: bring up lwIP and every network device (a constructor). */
void husk_net_init(void);

/* netif.c: device `index` (0..) as an lwIP netif, and its input. */
void husk_netif_add(struct husk_nic *nic, unsigned index);
void husk_netif_input(struct husk_nic *nic, const void *frame, size_t len);

#endif
