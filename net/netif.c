/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * net/netif.c: each Husk network device as an lwIP Ethernet netif.
 * Outgoing frames are copied from lwIP's pbuf chain into the driver's
 * transmit queue; incoming frames are copied into a pbuf from lwIP's pool
 * and handed to ethernet_input. When the pool is empty the frame is
 * dropped, as a NIC with a full ring drops: TCP retransmits.
 */
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#include "../drivers/net/nic.h"
#include "net.h"

static struct netif netifs[HUSK_DEVICES_MAX];

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
    struct husk_nic *nic = netif->state;
    if (p->tot_len > nic->frame_max)
        return ERR_BUF; /* lwIP keeps frames within the MTU: never */
    void *buf = husk_nic_tx_buffer(nic);
    pbuf_copy_partial(p, buf, p->tot_len, 0);
    husk_nic_tx_commit(nic, p->tot_len);
    return ERR_OK;
}

static err_t netif_setup(struct netif *netif)
{
    struct husk_nic *nic = netif->state;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->mtu = (u16_t)nic->mtu;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    for (int i = 0; i < ETH_HWADDR_LEN; i++)
        netif->hwaddr[i] = nic->mac[i];
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
                   NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    netif->output = etharp_output;
    netif->linkoutput = linkoutput;
    return ERR_OK;
}

void husk_netif_add(struct husk_nic *nic, unsigned index)
{
    struct netif *netif = &netifs[index];
    ip4_addr_t ip, mask, gw;
    ip.addr = nic->ipv4_addr;
    mask.addr = nic->prefix_len == 0
                    ? 0
                    : lwip_htonl(0xffffffffU << (32 - nic->prefix_len));
    gw.addr = nic->ipv4_gateway;
    if (netif_add(netif, &ip, &mask, &gw, nic, netif_setup, ethernet_input) ==
        NULL)
        husk_lwip_assert("netif_add failed", __FILE__, __LINE__);
    nic->stack = netif;
    /* The default route: the first device with a gateway, else the first. */
    if (netif_default == NULL || (gw.addr != 0 && netif_default->gw.addr == 0))
        netif_set_default(netif);
    netif_set_up(netif); /* announces the address (gratuitous ARP) */
}

void husk_netif_input(struct husk_nic *nic, const void *frame, size_t len)
{
    struct netif *netif = nic->stack;
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
    if (p == NULL)
        return; /* out of buffers: dropped */
    pbuf_take(p, frame, (u16_t)len);
    if (netif->input(p, netif) != ERR_OK)
        pbuf_free(p);
}
