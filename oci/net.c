/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * net.c: the guest takes over the container's network interface, as urunc
 * and Kata do: in the container's namespace a tap is made for the monitor
 * and everything arriving on the interface is redirected out of the tap
 * and back (tc, netlink.c). The guest gets the interface's address,
 * prefix, gateway, MAC and MTU, so that for the engine's network (a bridge,
 * the port forwards of `podman run -p`) the guest is the container.
 * The interface keeps its address: nothing in the namespace uses it any
 * more (the monitor's jail has a namespace of its own), and the engine
 * finds its set-up as it left it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "oci.h"

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    int rc = ioctl(s, req, ifr);
    int e = errno;
    close(s);
    errno = e;
    return rc;
}

/* A persistent tap (the monitor attaches to an existing one, never makes
 * one), named husktapN: the first free N. */
static int make_tap(char *name, size_t len, char *err, size_t errlen)
{
    for (int i = 0; i < 64; i++) {
        snprintf(name, len, "husktap%d", i);
        if (if_nametoindex(name) != 0)
            continue;
        int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return oci_errorf(err, errlen, "cannot open /dev/net/tun: %s",
                              strerror(errno));
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
        ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
        int rc = ioctl(fd, TUNSETIFF, &ifr);
        if (rc == 0)
            rc = ioctl(fd, TUNSETPERSIST, 1);
        int e = errno;
        close(fd);
        if (rc != 0)
            return oci_errorf(err, errlen, "cannot make tap %s: %s", name,
                              strerror(e));
        return 0;
    }
    return oci_errorf(err, errlen, "husktap0 to husktap63 all exist");
}

static void delete_link(const char *name)
{
    /* Detached from any reader, a persistent tap goes when it stops
     * being persistent. */
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    if (ioctl(fd, TUNSETIFF, &ifr) == 0 && ioctl(fd, TUNSETPERSIST, 0) != 0)
        oci_warn("cannot remove tap %s: %s", name, strerror(errno));
    close(fd);
}

void oci_net_release(const char *tap, const char *uplink)
{
    unsigned up = if_nametoindex(uplink);
    unsigned t = if_nametoindex(tap);
    if (up != 0)
        oci_nl_ingress_delete(up);
    if (t != 0) {
        oci_nl_ingress_delete(t);
        delete_link(tap);
    }
}

int oci_net_takeover(struct oci_net *net, char *uplink, size_t uplink_len,
                     char *err, size_t errlen)
{
    memset(net, 0, sizeof(*net));
    unsigned ifindex, prefix;
    uint32_t addr, gw;
    if (oci_nl_first_ipv4(&ifindex, &addr, &prefix, err, errlen) != 0)
        return -1;
    if (ifindex == 0)
        return 1;
    if (oci_nl_default_gateway(&gw, err, errlen) != 0)
        return -1;
    char name[IF_NAMESIZE];
    if (if_indextoname(ifindex, name) == NULL)
        return oci_errorf(err, errlen, "interface %u: %s", ifindex,
                          strerror(errno));
    snprintf(uplink, uplink_len, "%s", name);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ifreq_ioctl(SIOCGIFHWADDR, &ifr) != 0)
        return oci_errorf(err, errlen, "%s: no MAC address: %s", name,
                          strerror(errno));
    const unsigned char *mac = (unsigned char *)ifr.ifr_hwaddr.sa_data;
    snprintf(net->mac, sizeof(net->mac), "%02x:%02x:%02x:%02x:%02x:%02x",
             mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    if (ifreq_ioctl(SIOCGIFMTU, &ifr) != 0)
        return oci_errorf(err, errlen, "%s: no MTU: %s", name, strerror(errno));
    net->mtu = (unsigned)ifr.ifr_mtu;
    inet_ntop(AF_INET, &addr, net->ip, sizeof(net->ip));
    net->prefix = prefix;
    if (gw != 0)
        inet_ntop(AF_INET, &gw, net->gw, sizeof(net->gw));

    if (make_tap(net->tap, sizeof(net->tap), err, errlen) != 0)
        return -1;
    unsigned tap = if_nametoindex(net->tap);
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", net->tap);
    ifr.ifr_mtu = (int)net->mtu;
    int rc = ifreq_ioctl(SIOCSIFMTU, &ifr);
    if (rc == 0)
        rc = ifreq_ioctl(SIOCGIFFLAGS, &ifr);
    ifr.ifr_flags |= IFF_UP;
    if (rc == 0)
        rc = ifreq_ioctl(SIOCSIFFLAGS, &ifr);
    if (rc != 0) {
        oci_errorf(err, errlen, "cannot bring tap %s up: %s", net->tap,
                   strerror(errno));
        oci_net_release(net->tap, uplink);
        return -1;
    }
    if (oci_nl_ingress_redirect(ifindex, tap, err, errlen) != 0 ||
        oci_nl_ingress_redirect(tap, ifindex, err, errlen) != 0) {
        oci_net_release(net->tap, uplink);
        return -1;
    }
    return 0;
}
