/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * netlink.c: the rtnetlink requests that hand a container's interface to
 * its guest: read the interface's IPv4 address and the default gateway,
 * and redirect everything that arrives on one interface out of another
 * (an ingress qdisc, a u32 filter matching every frame, a mirred
 * "egress redirect" action: what `tc filter add dev A parent ffff: protocol
 * all u32 match u32 0 0 action mirred egress redirect dev B` sends). u32,
 * because it is in every kernel that has tc at all (matchall and flower
 * may be modules, or missing, as on this project's machines).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "oci.h"

struct req {
    struct nlmsghdr *h;
    char buf[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
};

static void req_init(struct req *r, uint16_t type, uint16_t flags,
                     const void *body, size_t len)
{
    memset(r->buf, 0, sizeof(r->buf));
    r->h = (struct nlmsghdr *)r->buf;
    r->h->nlmsg_len = NLMSG_LENGTH(len);
    r->h->nlmsg_type = type;
    r->h->nlmsg_flags = NLM_F_REQUEST | flags;
    r->h->nlmsg_seq = 1;
    memcpy(NLMSG_DATA(r->h), body, len);
}

static struct rtattr *attr(struct req *r, uint16_t type, const void *data,
                           size_t len)
{
    size_t at = NLMSG_ALIGN(r->h->nlmsg_len);
    /* The requests are fixed and small: overflowing is a bug here. */
    if (at + RTA_SPACE(len) > sizeof(r->buf))
        oci_die("netlink request too large (a husk-oci bug)");
    struct rtattr *a = (struct rtattr *)(r->buf + at);
    a->rta_type = type;
    a->rta_len = (unsigned short)RTA_LENGTH(len);
    if (len > 0)
        memcpy(RTA_DATA(a), data, len);
    r->h->nlmsg_len = (uint32_t)(at + RTA_SPACE(len));
    return a;
}

static struct rtattr *nest(struct req *r, uint16_t type)
{
    return attr(r, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct req *r, struct rtattr *a)
{
    a->rta_len = (unsigned short)(r->buf + r->h->nlmsg_len - (char *)a);
}

static int nl_socket(char *err, size_t errlen)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        oci_errorf(err, errlen, "netlink socket: %s", strerror(errno));
    return fd;
}

/* Send a request that asks for an ACK; 0, or -errno from the kernel. */
static int nl_call(struct req *r)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -errno;
    r->h->nlmsg_flags |= NLM_F_ACK;
    int rc = -EIO;
    if (send(fd, r->h, r->h->nlmsg_len, 0) < 0) {
        rc = -errno;
    } else {
        char buf[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        if (n < 0)
            rc = -errno;
        else if (NLMSG_OK(h, (size_t)n) && h->nlmsg_type == NLMSG_ERROR)
            rc = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
    }
    close(fd);
    return rc;
}

/* A dump: calls fn for each message until NLMSG_DONE. */
static int nl_dump(struct req *r, void (*fn)(struct nlmsghdr *, void *),
                   void *ctx, char *err, size_t errlen)
{
    int fd = nl_socket(err, errlen);
    if (fd < 0)
        return -1;
    r->h->nlmsg_flags |= NLM_F_DUMP;
    if (send(fd, r->h, r->h->nlmsg_len, 0) < 0) {
        close(fd);
        return oci_errorf(err, errlen, "netlink: %s", strerror(errno));
    }
    char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t left = (size_t)n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
             h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_type == NLMSG_DONE) {
                close(fd);
                return 0;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                int e = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
                close(fd);
                return oci_errorf(err, errlen, "netlink dump: %s", strerror(e));
            }
            fn(h, ctx);
        }
    }
    close(fd);
    return oci_errorf(err, errlen, "netlink dump ended early");
}

struct addr_found {
    unsigned ifindex, prefix;
    uint32_t addr;
};

static void on_addr(struct nlmsghdr *h, void *ctx)
{
    struct addr_found *f = ctx;
    struct ifaddrmsg *ifa = NLMSG_DATA(h);
    if (f->ifindex != 0 || h->nlmsg_type != RTM_NEWADDR ||
        ifa->ifa_family != AF_INET || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
        return;
    char name[IF_NAMESIZE];
    if (if_indextoname(ifa->ifa_index, name) == NULL || strcmp(name, "lo") == 0)
        return;
    int len = (int)IFA_PAYLOAD(h);
    for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == IFA_LOCAL ||
            (a->rta_type == IFA_ADDRESS && f->addr == 0)) {
            memcpy(&f->addr, RTA_DATA(a), 4);
            f->prefix = ifa->ifa_prefixlen;
        }
    if (f->addr != 0)
        f->ifindex = ifa->ifa_index;
}

int oci_nl_first_ipv4(unsigned *ifindex, uint32_t *addr, unsigned *prefix,
                      char *err, size_t errlen)
{
    struct req r;
    struct ifaddrmsg ifa = {.ifa_family = AF_INET};
    req_init(&r, RTM_GETADDR, 0, &ifa, sizeof(ifa));
    struct addr_found f = {0, 0, 0};
    if (nl_dump(&r, on_addr, &f, err, errlen) != 0)
        return -1;
    *ifindex = f.ifindex;
    *addr = f.addr;
    *prefix = f.prefix;
    return 0;
}

static void on_route(struct nlmsghdr *h, void *ctx)
{
    uint32_t *gw = ctx;
    struct rtmsg *rt = NLMSG_DATA(h);
    if (*gw != 0 || h->nlmsg_type != RTM_NEWROUTE ||
        rt->rtm_family != AF_INET || rt->rtm_dst_len != 0 ||
        rt->rtm_table != RT_TABLE_MAIN)
        return;
    int len = (int)RTM_PAYLOAD(h);
    for (struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == RTA_GATEWAY)
            memcpy(gw, RTA_DATA(a), 4);
}

int oci_nl_default_gateway(uint32_t *gw, char *err, size_t errlen)
{
    struct req r;
    struct rtmsg rt = {.rtm_family = AF_INET};
    req_init(&r, RTM_GETROUTE, 0, &rt, sizeof(rt));
    *gw = 0;
    return nl_dump(&r, on_route, gw, err, errlen);
}

int oci_nl_ingress_redirect(unsigned from, unsigned to, char *err,
                            size_t errlen)
{
    struct req r;
    struct tcmsg qd = {.tcm_family = AF_UNSPEC,
                       .tcm_ifindex = (int)from,
                       .tcm_handle = TC_H_MAKE(TC_H_INGRESS, 0),
                       .tcm_parent = TC_H_INGRESS};
    req_init(&r, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, &qd, sizeof(qd));
    attr(&r, TCA_KIND, "ingress", sizeof("ingress"));
    int rc = nl_call(&r);
    if (rc != 0)
        return oci_errorf(err, errlen, "adding an ingress qdisc: %s",
                          strerror(-rc));

    /* Priority 1, every protocol; one key that matches every frame. */
    struct tcmsg f = {.tcm_family = AF_UNSPEC,
                      .tcm_ifindex = (int)from,
                      .tcm_parent = TC_H_MAKE(TC_H_INGRESS, 0),
                      .tcm_info = TC_H_MAKE(1u << 16, htons(ETH_P_ALL))};
    req_init(&r, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, &f, sizeof(f));
    attr(&r, TCA_KIND, "u32", sizeof("u32"));
    struct rtattr *opts = nest(&r, TCA_OPTIONS);
    struct {
        struct tc_u32_sel sel;
        struct tc_u32_key key;
    } sel;
    memset(&sel, 0, sizeof(sel));
    sel.sel.flags = TC_U32_TERMINAL;
    sel.sel.nkeys = 1;
    attr(&r, TCA_U32_SEL, &sel, sizeof(sel));
    struct rtattr *acts = nest(&r, TCA_U32_ACT);
    struct rtattr *act = nest(&r, 1); /* the first action */
    attr(&r, TCA_ACT_KIND, "mirred", sizeof("mirred"));
    struct rtattr *aopts = nest(&r, TCA_ACT_OPTIONS);
    struct tc_mirred m = {
        .action = TC_ACT_STOLEN, .eaction = TCA_EGRESS_REDIR, .ifindex = to};
    attr(&r, TCA_MIRRED_PARMS, &m, sizeof(m));
    nest_end(&r, aopts);
    nest_end(&r, act);
    nest_end(&r, acts);
    nest_end(&r, opts);
    rc = nl_call(&r);
    if (rc != 0) {
        oci_nl_ingress_delete(from);
        return oci_errorf(err, errlen,
                          "adding a u32 filter with a mirred redirect: %s "
                          "(a kernel without CONFIG_NET_CLS_U32 or "
                          "CONFIG_NET_ACT_MIRRED?)",
                          strerror(-rc));
    }
    return 0;
}

int oci_nl_ingress_delete(unsigned ifindex)
{
    struct req r;
    struct tcmsg qd = {.tcm_family = AF_UNSPEC,
                       .tcm_ifindex = (int)ifindex,
                       .tcm_handle = TC_H_MAKE(TC_H_INGRESS, 0),
                       .tcm_parent = TC_H_INGRESS};
    req_init(&r, RTM_DELQDISC, 0, &qd, sizeof(qd));
    return nl_call(&r);
}
