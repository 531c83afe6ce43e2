/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* drivers/net/net.h: the network device's monitor side. */
#ifndef HUSK_NET_H
#define HUSK_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct husk_vm;

#define HUSK_TAP_NAME_MAX 16 /* IFNAMSIZ, the NUL included */

/* What --net:NAME=SPEC says. */
struct husk_net_config {
    char tap[HUSK_TAP_NAME_MAX];
    uint8_t mac[6];
    bool mac_given;
    uint32_t mtu;          /* 0: take the tap's */
    uint32_t ipv4_addr;    /* network byte order */
    uint32_t ipv4_gateway; /* network byte order; 0 = none */
    uint8_t prefix_len;
    uint64_t tx_rate; /* bytes/s the guest may send (0: no limit) */
    /* Not from SPEC: the fd carries a virtio-net header before each frame
     * (a tap opened with IFF_VNET_HDR), so the device takes TSO frames. */
    bool vnet_hdr;
};

/* rate= when not given: 1 Gbit/s, so that a guest that floods its link
 * cannot take the host's network stack for itself. */
#define HUSK_NET_RATE_DEFAULT (125ULL << 20)
#define HUSK_NET_RATE_MAX (64ULL << 30) /* keeps the bucket's math in range */

/*
 * Parse SPEC, "TAP,ip=A.B.C.D/N[,gw=A.B.C.D][,mac=XX:XX:XX:XX:XX:XX]
 * [,mtu=N][,rate=SIZE]", into cfg. 0, or -1 with a one-line reason in err. Pure.
 */
int husk_net_parse_spec(const char *spec, struct husk_net_config *cfg,
                        char *err, size_t errlen);

/*
 * Make device `handle` a network device on fd, which must behave as a tap
 * opened with IFF_TAP | IFF_NO_PI | O_NONBLOCK (and IFF_VNET_HDR if
 * cfg->vnet_hdr): one frame per read and write. cfg->mtu must be set. The back end's open uses this after it has
 * attached the tap; the unit tests and fuzzers pass a datagram socket.
 */
void husk_net_attach(struct husk_vm *vm, unsigned handle, int fd,
                     const struct husk_net_config *cfg);

/* Register net_info and net_io (also done by husk_net_ops). */
void husk_net_register(struct husk_vm *vm);

#endif
