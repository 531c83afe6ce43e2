/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* drivers/net/vnet.h: the virtio-net header of a tap frame (vnet.c). */
#ifndef HUSK_VNET_H
#define HUSK_VNET_H

#include <linux/virtio_net.h>
#include <stddef.h>
#include <stdint.h>

#include "../../abi/husk_abi.h"

#define HUSK_VNET_IP_TCP_MIN 40 /* an IPv4 and a TCP header, no options */

/*
 * The header for a transmit frame of len bytes (already known to lie in
 * guest memory) with net_io's mss (0: a complete frame), on a link of MTU
 * mtu. 0, or -1 with the reason in why when the frame is not the TSO
 * segment the ABI describes. Pure.
 */
int husk_vnet_header(const uint8_t *frame, uint32_t len, uint32_t mss,
                     uint32_t mtu, struct virtio_net_hdr *h, char *why,
                     size_t whylen);

#endif
