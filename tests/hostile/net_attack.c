/* net_attack.c: a hostile guest with one network device ("service").
 * argv[1] names an attack on the net hypercalls; each must stop the guest
 * with status 159 and a message naming the fault, before any frame moves.
 * "flood" instead sends well-formed frames as fast as it can for argv[2]
 * seconds, and "ok" sends one valid frame: both must survive. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abi/husk_abi.h"
#include "tests/hostile/raw_hc.h"

static void hypercall(unsigned nr, void *arg)
{
    raw_hypercall(nr, (uint64_t)(uintptr_t)arg);
}

static uint64_t mem_end(void)
{
    uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
    return (sp + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
}

static _Alignas(64) uint8_t frames[4][16384];
static struct husk_net_frame tx[HUSK_NET_BATCH_MAX + 1];
static struct husk_net_frame rx[HUSK_NET_BATCH_MAX + 1];
static struct husk_hc_net_io io;

/* A broadcast ARP request for 10.99.99.99 from this guest: a frame any
 * host drops quietly. */
static void arp_frame(uint8_t *f, const uint8_t mac[6])
{
    static const uint8_t head[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    memset(f, 0, 60);
    memcpy(f, head, 6);
    memcpy(f + 6, mac, 6);
    f[12] = 0x08, f[13] = 0x06;                 /* ARP */
    f[14] = 0, f[15] = 1, f[16] = 8, f[17] = 0; /* Ethernet, IPv4 */
    f[18] = 6, f[19] = 4, f[20] = 0, f[21] = 1; /* request */
    memcpy(f + 22, mac, 6);
    f[38] = 10, f[39] = 99, f[40] = 99, f[41] = 99; /* who has */
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *a = argc > 1 ? argv[1] : "";
    uint64_t end = mem_end();
    static struct husk_hc_net_info info;
    info.handle = 0;
    hypercall(HUSK_HC_NET_INFO, &info);
    uint32_t max = info.mtu + HUSK_ETH_HLEN;
    printf("attack %s (mtu %u)\n", a, info.mtu);
    arp_frame(frames[0], info.mac);
    tx[0] = (struct husk_net_frame){.buf_gpa = (uintptr_t)frames[0], .len = 60};
    for (int i = 0; i < 2; i++)
        rx[i] = (struct husk_net_frame){.buf_gpa = (uintptr_t)frames[2 + i],
                                        .cap = max};
    io = (struct husk_hc_net_io){.handle = 0,
                                 .tx_count = 1,
                                 .tx_gpa = (uintptr_t)tx,
                                 .rx_count = 2,
                                 .rx_gpa = (uintptr_t)rx};
    if (!strcmp(a, "ok")) {
        hypercall(HUSK_HC_NET_IO, &io);
        printf("sent %u\n", io.tx_sent);
        return io.tx_sent == 1 ? 0 : 1;
    } else if (!strcmp(a, "flood")) {
        double stop = now() + (argc > 2 ? atof(argv[2]) : 1);
        unsigned long calls = 0, sent = 0;
        for (int i = 1; i < HUSK_NET_BATCH_MAX; i++)
            tx[i] = tx[0];
        io.tx_count = HUSK_NET_BATCH_MAX;
        io.rx_count = 0;
        while (now() < stop) {
            hypercall(HUSK_HC_NET_IO, &io);
            calls++;
            sent += io.tx_sent;
        }
        printf("flood: %lu calls, %lu frames\n", calls, sent);
        return 0;
    } else if (!strcmp(a, "frame_too_long")) {
        tx[0].len = max + 1;
    } else if (!strcmp(a, "frame_huge")) {
        tx[0].len = UINT32_MAX;
    } else if (!strcmp(a, "frame_runt")) {
        tx[0].len = HUSK_ETH_HLEN - 1;
    } else if (!strcmp(a, "frame_outside")) {
        tx[0].buf_gpa = end - 30;
    } else if (!strcmp(a, "frame_wraps")) {
        tx[0].buf_gpa = UINT64_MAX - 20;
    } else if (!strcmp(a, "frame_in_page_tables")) {
        tx[0].buf_gpa = 0x3000;
    } else if (!strcmp(a, "tso_not_tcp")) { /* an ARP frame */
        tx[0].mss = 1;
    } else if (!strcmp(a, "tso_mss_huge")) {
        tx[0].mss = UINT32_MAX;
    } else if (!strcmp(a, "tso_too_long")) { /* the guest's own code */
        tx[0] = (struct husk_net_frame){.buf_gpa = 0x100000,
                                        .len = HUSK_NET_TSO_FRAME_MAX + 1,
                                        .mss = 1000};
    } else if (!strcmp(a, "tso_outside")) {
        tx[0].mss = 1000;
        tx[0].buf_gpa = end - 30;
    } else if (!strcmp(a, "second_bad")) { /* the good first frame too */
        tx[1] = tx[0];
        tx[1].len = max + 1;
        io.tx_count = 2;
    } else if (!strcmp(a, "tx_count_huge")) {
        io.tx_count = HUSK_NET_BATCH_MAX + 1;
    } else if (!strcmp(a, "tx_array_outside")) {
        io.tx_gpa = end - 16;
        io.tx_count = 2;
    } else if (!strcmp(a, "rx_small")) {
        rx[1].cap = max - 1;
    } else if (!strcmp(a, "rx_outside")) {
        rx[1].buf_gpa = end - 100;
    } else if (!strcmp(a, "rx_count_huge")) {
        io.rx_count = 0x80000000u;
    } else if (!strcmp(a, "timeout_huge")) {
        io.timeout_ns = UINT64_MAX;
    } else if (!strcmp(a, "padding")) {
        io._pad0 = 1;
    } else if (!strcmp(a, "bad_handle")) {
        io.handle = 5;
    } else if (!strcmp(a, "info_bad_handle")) {
        info.handle = 1;
        hypercall(HUSK_HC_NET_INFO, &info);
    } else {
        printf("unknown attack\n");
        return 1;
    }
    hypercall(HUSK_HC_NET_IO, &io);
    printf("survived %s\n", a);
    return 0;
}
