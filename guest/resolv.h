/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * resolv.h: the guest's DNS servers, as musl's resolver finds them: the
 * network devices' (net_info's ipv4_dns, husk --net:NAME=...,dns=) in a
 * read-only /etc/resolv.conf of the root, unless the image brings its own
 * (resolv.c).
 */
#ifndef HUSK_RESOLV_H
#define HUSK_RESOLV_H

#include <stdint.h>

/* How many servers musl reads from resolv.conf (its MAXNS). */
#define HUSK_RESOLV_MAX 3

/*
 * A network device's DNS server (IPv4, network byte order; 0: it has
 * none), from its driver at start-up, after husk_fs_init. The first one
 * makes /etc/resolv.conf (and /etc, if the root lacks it) unless the
 * root has one already; each one after it that is new adds a line, up
 * to HUSK_RESOLV_MAX.
 */
void husk_resolv_add(uint32_t ipv4);

/*
 * A DNS query went to loopback address `to` (network byte order), where
 * no socket of the guest's listens on port 53: musl's choice when it
 * finds no nameserver (no resolv.conf), so the lookup waits out its
 * timeout (5 s) and fails. Says why on stderr, once. From the UDP sockets
 * (net/udp_sock.c).
 */
void husk_resolv_query_to_nobody(uint32_t to);

#endif
