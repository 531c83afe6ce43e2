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

/* SPEC's first word that picks the user-mode back end (passt.c) instead
 * of a tap of that name. */
#define HUSK_NET_USER "user"
/* The user-mode network's address plan when ip= is not given: slirp's
 * (QEMU's -netdev user), which people know. */
#define HUSK_NET_USER_ADDR "10.0.2.15"
#define HUSK_NET_USER_PREFIX 24
#define HUSK_NET_USER_GATEWAY "10.0.2.2"
#define HUSK_NET_FWD_MAX 16 /* hostfwd= options per device */

/* A hostfwd=: the host's HOST_ADDR:HOST_PORT forwarded to the guest's
 * GUEST_PORT, by passt. */
struct husk_net_fwd {
    bool udp;           /* else TCP */
    uint32_t host_addr; /* network byte order; 0: every host address */
    uint16_t host_port, guest_port;
};

/* What --net:NAME=SPEC says. */
struct husk_net_config {
    bool user;                   /* HUSK_NET_USER: no tap, passt */
    char tap[HUSK_TAP_NAME_MAX]; /* the tap's name, if not user */
    uint8_t mac[6];
    bool mac_given;
    uint32_t mtu;          /* 0: take the tap's */
    uint32_t ipv4_addr;    /* network byte order */
    uint32_t ipv4_gateway; /* network byte order; 0 = none */
    /* The guest's DNS server (dns=), network byte order; 0 = none. With
     * user and no dns=, the gateway, and dns_forward is set: passt
     * forwards what the guest sends to its port 53 to the host's first
     * nameserver (passt_cli.c). */
    uint32_t ipv4_dns;
    bool dns_forward;
    uint8_t prefix_len;
    uint64_t tx_rate;   /* bytes/s the guest may send (0: no limit) */
    unsigned fwd_count; /* hostfwd=, user only */
    struct husk_net_fwd fwd[HUSK_NET_FWD_MAX];
    /* Not from SPEC: the fd carries a virtio-net header before each frame
     * (a tap opened with IFF_VNET_HDR), so the device takes TSO frames. */
    bool vnet_hdr;
};

/* rate= when not given: 1 Gbit/s, so that a guest that floods its link
 * cannot take the host's network stack for itself. */
#define HUSK_NET_RATE_DEFAULT (125ULL << 20)
#define HUSK_NET_RATE_MAX (64ULL << 30) /* keeps the bucket's math in range */

/*
 * Parse SPEC, "TAP,ip=A.B.C.D/N[,gw=A.B.C.D][,dns=A.B.C.D]
 * [,mac=XX:XX:XX:XX:XX:XX][,mtu=N][,rate=SIZE]" or "user[,ip=...][,gw=...]
 * [,dns=...][,mac=...][,mtu=...][,rate=...]
 * [,hostfwd=tcp|udp:[HOSTADDR:]HOSTPORT-:GUESTPORT]...", into cfg. With
 * user, ip= and gw= default to the fixed plan above (ip= alone: the
 * gateway is the subnet's first host, or its second if that is the
 * guest), and dns= to the gateway, forwarded by passt to the host's
 * nameserver. 0, or -1 with a one-line reason in err. Pure.
 */
int husk_net_parse_spec(const char *spec, struct husk_net_config *cfg,
                        char *err, size_t errlen);

/*
 * Make device `handle` a network device on fd, which must behave as a tap
 * opened with IFF_TAP | IFF_NO_PI | O_NONBLOCK (and IFF_VNET_HDR if
 * cfg->vnet_hdr): one frame per read and write; or, with cfg->user, be a
 * non-blocking stream socket that carries each frame after its length
 * (stream.h), passt's end at the other side. cfg->mtu must be set. The
 * back end's open uses this after it has attached the tap or started
 * passt; the unit tests and fuzzers pass a socket pair.
 */
void husk_net_attach(struct husk_vm *vm, unsigned handle, int fd,
                     const struct husk_net_config *cfg);

/*
 * Whether resolv.conf's text (len bytes) names an IPv4 nameserver, as
 * passt reads it: a line "nameserver ADDR" whose last word is a dotted
 * quad. Without one passt has nothing to forward the guest's DNS queries
 * to. Pure.
 */
bool husk_net_resolv_has_ipv4(const char *text, size_t len);

/* Register net_info and net_io (also done by husk_net_ops). */
void husk_net_register(struct husk_vm *vm);

#endif
