/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/open.c: a network device's host side, opened before the
 * jail: an existing tap, attached, or passt, started (passt.c); and the
 * back end's table of operations. The hypercalls are host.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netdev.h"
#include "passt.h"

/* Read the tap's MTU from the host; 0 if it cannot be read. */
static uint32_t tap_mtu(const char *name)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return 0;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, name, strlen(name));
    int rc = ioctl(s, SIOCGIFMTU, &ifr);
    close(s);
    return rc == 0 && ifr.ifr_mtu > 0 ? (uint32_t)ifr.ifr_mtu : 0;
}

/* Attach to the existing tap `name`; never create one (that needs
 * privileges the monitor should not use, and hides typos). */
static int open_tap(const char *dev, const char *name)
{
    if (if_nametoindex(name) == 0)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "%s: no network interface '%s' here (create it first: "
                    "ip tuntap add %s mode tap)",
                    dev, name, name);
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot open /dev/net/tun", dev);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, name, strlen(name));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        if (errno == EBUSY)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "%s: tap '%s' is in use by another process", dev, name);
        if (errno == EINVAL)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "%s: '%s' is not a tap device (a tun device, or not "
                        "tun/tap at all)",
                        dev, name);
        if (errno == EPERM)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "%s: not allowed to attach tap '%s' (create it with "
                        "ip tuntap add %s mode tap user $USER)",
                        dev, name, name);
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot attach tap '%s'", dev, name);
    }
    int hdr_size = sizeof(struct virtio_net_hdr);
    if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_size) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: tap '%s': TUNSETVNETHDRSZ", dev,
                   name);
    return fd;
}

/* The user-mode network: passt started, its answer waited for. */
static void user_open(struct husk_vm *vm, unsigned handle, const char *dev,
                      struct husk_net_config *cfg)
{
    struct husk_netdev_user *u = husk_net_user_new();
    struct husk_passt p;
    husk_passt_start(dev, cfg, &u->rx, &p);
    int sndbuf = 0;
    socklen_t len = sizeof(sndbuf);
    if (getsockopt(p.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) != 0 ||
        sndbuf < HUSK_NET_USER_SNDBUF_MIN)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "%s: passt's socket buffer is %d bytes, less than the "
                    "%d the frames need (sysctl net.core.wmem_max)",
                    dev, sndbuf, HUSK_NET_USER_SNDBUF_MIN);
    u->pid = p.pid;
    u->log_fd = p.log_fd;
    /* A quarter of passt's socket for the windows (tcpfix.h): the rest is
     * room for the kernel's overhead, ACKs and SYNs, and windows given
     * before more connections came. */
    u->tcpfix.budget = p.toward_guest / 4;
    u->tcpfix.host_addr = cfg->ipv4_gateway; /* the host's own clients */
    memcpy(u->arp.peer_mac, p.mac, 6);
    u->arp.guest_ip = cfg->ipv4_addr;
    husk_net_attach_user(vm, handle, p.fd, cfg, u);
}

static void net_open(struct husk_vm *vm, unsigned handle,
                     const struct husk_device_arg *arg)
{
    char err[256], dev[64];
    snprintf(dev, sizeof(dev), "--net:%s", arg->name);
    struct husk_net_config cfg;
    if (husk_net_parse_spec(arg->spec, &cfg, err, sizeof(err)) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "%s=%s: %s", dev, arg->spec, err);
    int fd = -1;
    if (!cfg.user) {
        fd = open_tap(dev, cfg.tap);
        cfg.vnet_hdr = true;
    }
    if (cfg.mtu == 0) {
        /* The user-mode network has no link of its own: Ethernet's. */
        uint32_t mtu = cfg.user ? 1500 : tap_mtu(cfg.tap);
        cfg.mtu = mtu < HUSK_NET_MTU_MIN   ? 1500
                  : mtu > HUSK_NET_MTU_MAX ? HUSK_NET_MTU_MAX
                                           : mtu;
    }
    if (!cfg.mac_given) {
        /* A random, locally administered unicast address. */
        if (getrandom(cfg.mac, sizeof(cfg.mac), 0) != sizeof(cfg.mac))
            husk_fatal(HUSK_EXIT_MONITOR, "%s: getrandom", dev);
        cfg.mac[0] = (uint8_t)((cfg.mac[0] & 0xfc) | 0x02);
    }
    if (cfg.user)
        user_open(vm, handle, dev, &cfg);
    else
        husk_net_attach(vm, handle, fd, &cfg);
}

const struct husk_device_ops husk_net_ops = {
    .kind = &husk_net_kind,
    .open = net_open,
    .info_call = HUSK_HC_NET_INFO,
    .register_calls = husk_net_register,
    .sandbox_rules = husk_net_sandbox_rules,
    .report_stats = husk_net_report_stats,
    .stats_json = husk_net_stats_json,
};
