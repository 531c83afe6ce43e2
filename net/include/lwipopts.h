/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * lwipopts.h: how Husk builds lwIP 2.1. One thread and no interrupts
 * (NO_SYS, the raw API); net/ provides the sockets. Memory comes from
 * lwIP's own fixed pools and heap, so a guest under attack (a flood of
 * connections, of frames) runs out of lwIP buffers and drops, instead of
 * growing without bound. Sizes are for servers with a few hundred
 * connections; the pools are zeroed BSS, and only what is used costs host
 * memory (apart from the pools' free lists, which lwIP writes at init).
 */
#ifndef HUSK_LWIPOPTS_H
#define HUSK_LWIPOPTS_H

#define NO_SYS 1
#define LWIP_TIMERS 1
#define SYS_LIGHTWEIGHT_PROT 0 /* nothing runs concurrently */
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0 /* net/socket.c is the sockets layer */
#define LWIP_CALLBACK_API 1

/* ---- memory ---- */
#define MEM_ALIGNMENT 8
/* PBUF_RAM: outgoing TCP data and UDP, ACKs, ARP and ICMP replies. The
 * sockets keep TCP's unacknowledged data within HUSK_TX_BUDGET of it, so
 * that the replies that free the rest always find memory. */
#define MEM_SIZE (8 * 1024 * 1024)
#define HUSK_TX_BUDGET (MEM_SIZE / 4 * 3)
#define MEMP_NUM_PBUF 64
#define MEMP_NUM_UDP_PCB 32
#define MEMP_NUM_TCP_PCB 512
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_TCP_SEG 2048
#define MEMP_NUM_ARP_QUEUE 64
#define MEMP_NUM_REASSDATA 8
/* Incoming frames. Sockets copy received data out at once, so that a
 * pool pbuf lives only while a batch of frames is processed (and in TCP's
 * small out-of-order queues): the next frame, be it an ARP request or the
 * RST that frees a connection, always finds one. */
#define PBUF_POOL_SIZE 256
#define PBUF_POOL_BUFSIZE 1536

/* ---- link and IP ---- */
#define LWIP_ETHERNET 1
#define LWIP_ARP 1
#define ARP_TABLE_SIZE 64
#define ARP_QUEUEING 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define LWIP_IPV4 1
#define LWIP_IPV6 0 /* later: the sockets layer keeps AF_INET6 possible */
#define IP_FORWARD 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_REASS_MAX_PBUFS 64 /* a 64 KiB UDP datagram in 1500-byte frames */
#define IP_DEFAULT_TTL 64
#define IP_SOF_BROADCAST 1
#define IP_SOF_BROADCAST_RECV 1
#define LWIP_ICMP 1 /* answers ping */
#define LWIP_RAW 0
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define LWIP_UDP 1
#define LWIP_NETIF_LOOPBACK 1 /* 127.0.0.1 and the guest's own address */
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPBACK_MAX_PBUFS 256

/* ---- TCP ---- */
#define LWIP_TCP 1
#define TCP_MSS 1460
/* Window scaling (RFC 7323), so that the receive window can pass 64 KiB:
 * 4 x 64,240 bytes, advertised in units of 4. Unscaled, 64,240 was a
 * ceiling of a window per round trip, and below a loopback MSS (65,483):
 * an upload from the host's own loopback through passt crawled (a 10 MB
 * echo took 8 to 14 s, 0.4 s scaled; docs/architecture.md, "The
 * user-mode network"). Received
 * data is copied out of the pool at once (rxq.c), so the window is backed
 * by the guest's heap, as the program leaves it unread: up to TCP_WND a
 * connection. The pool need only hold a batch of frames in flight (the
 * sanity check in lwIP's init.c asks for TCP_WND of pool all the same:
 * PBUF_POOL_SIZE x 1,460 bytes is more). The send buffer stays at 64,240:
 * a larger one gained nothing on a tap (the guest's CPU is the limit),
 * and outgoing data is lwIP's heap, shared by every connection. */
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2
#define TCP_WND (4 * 44 * TCP_MSS) /* 256,960 */
#define TCP_SND_BUF (44 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
#define TCP_OOSEQ_MAX_PBUFS 4
/* TIME_WAIT lasts 2 * TCP_MSL: 60 s, as on Linux (lwIP's default is
 * 120 s). In TIME_WAIT lwIP answers a new SYN from the same address and
 * port with an ACK and ignores the RST the client sends back, where Linux
 * would open the new connection: the client's connect is stalled until
 * TIME_WAIT ends, and Linux gives up after its SYN retries (127 s). With
 * 60 s, its retry at 63 s gets through. A client reuses its port at once
 * after a connection that the server closed first (curl with
 * "Connection: close"): asan/net/http_drop_300 once failed so. */
#define TCP_MSL 30000UL
/* Initial sequence numbers, random (the CPU's RDRAND: guest/random.c).
 * lwIP's own is a counter from 6510 that every connection shares, so an
 * off-path host could guess a connection's numbers and inject into it or
 * reset it (RFC 6528). Random rather than RFC 6528's keyed hash: no key
 * to keep, where every instance restored from one snapshot would share
 * it; old segments of a reused address and port pair are kept out by
 * TIME_WAIT (above). */
#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) \
    husk_lwip_rand()
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define LWIP_TCP_KEEPALIVE 1
#define SO_REUSE 1
#define LWIP_CHECKSUM_ON_COPY 1
#define LWIP_CHKSUM_ALGORITHM 3

/* ---- what is left out ---- */
/* Only the heap's use is counted: the tx budget reads it. */
#define LWIP_STATS 1
#define MEM_STATS 1
#define LINK_STATS 0
#define ETHARP_STATS 0
#define IP_STATS 0
#define IPFRAG_STATS 0
#define ICMP_STATS 0
#define UDP_STATS 0
#define TCP_STATS 0
#define MEMP_STATS 0
#define SYS_STATS 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1 /* musl has them */

#endif
