/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* drivers/net/vnet.h: the virtio-net header of a tap frame (vnet.c). */
#ifndef HUSK_VNET_H
#define HUSK_VNET_H

#include <linux/virtio_net.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "../../abi/husk_abi.h"

#define HUSK_VNET_IP_TCP_MIN 40 /* an IPv4 and a TCP header, no options */
/* The longest Ethernet, IPv4 and TCP headers (both with the most options
 * their length fields allow): every byte husk_vnet_header may look at. */
#define HUSK_VNET_HEAD_MAX (HUSK_ETH_HLEN + 60 + 60)

/*
 * The header for a transmit frame of len bytes with net_io's mss (0: a
 * complete frame), on a link of MTU mtu. head holds the frame's first
 * min(len, HUSK_VNET_HEAD_MAX) bytes, and nothing past them is read: for
 * a TSO frame, the monitor's private copy of them, so that what is checked
 * is what is sent (husk_vnet_iov). h->hdr_len is then the length of the
 * headers the check covered. 0, or -1 with the reason in why when the
 * frame is not the TSO segment the ABI describes. Pure.
 */
int husk_vnet_header(const uint8_t *head, uint32_t len, uint32_t mss,
                     uint32_t mtu, struct virtio_net_hdr *h, char *why,
                     size_t whylen);

/*
 * The iovecs that send a frame checked by husk_vnet_header: h, then the
 * frame's first h->hdr_len bytes from head (the checked copy), then the
 * rest of its len bytes from frame (guest memory: payload, never looked
 * at). Returns how many of iov[3] it filled. Pure.
 */
unsigned husk_vnet_iov(const struct virtio_net_hdr *h, const uint8_t *head,
                       const uint8_t *frame, uint32_t len, struct iovec iov[3]);

#endif
