/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * microvm_net_init.c: /init of the Linux microVM's network initramfs
 * (bench/net). The kernel passes what follows "--" on its command line:
 *
 *   /init ADDRESS/PREFIX GATEWAY|- PROGRAM [ARGS...]
 *
 * Debian's cloud kernel builds virtio, virtio-mmio and virtio-net as
 * modules, so this loads them first (the names, in dependency order, are in
 * /modules/order, which bench/setup writes). Then it gives eth0 its address,
 * brings lo and eth0 up, adds the default route if there is a gateway, and
 * runs PROGRAM as its child; when that exits it reboots, which with reboot=t
 * and qemu's -no-reboot ends qemu (init must never return). No shell, no ip
 * binary: a handful of ioctls is all the set-up a one-program guest needs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define IFACE "eth0"

static _Noreturn void stop(void)
{
    reboot(RB_AUTOBOOT);
    for (;;)
        pause();
}

static _Noreturn void die(const char *what)
{
    fprintf(stderr, "init: %s: %s\n", what, strerror(errno));
    stop();
}

/* glibc has no finit_module wrapper. Already loaded (EEXIST) is fine. */
static void load_module(const char *name)
{
    char path[128];
    snprintf(path, sizeof(path), "/modules/%s.ko", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die(path);
    if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)
        die(path);
    close(fd);
}

static void load_modules(void)
{
    FILE *f = fopen("/modules/order", "r");
    if (f == NULL)
        die("/modules/order");
    char line[64];
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] != '\0')
            load_module(line);
    }
    fclose(f);
}

static struct sockaddr_in inet(in_addr_t a)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = a;
    return sin;
}

static void set_addr(struct ifreq *ifr, in_addr_t a)
{
    struct sockaddr_in sin = inet(a);
    memcpy(&ifr->ifr_addr, &sin, sizeof(sin));
}

static void ifreq_for(struct ifreq *ifr, const char *name)
{
    memset(ifr, 0, sizeof(*ifr));
    snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
}

static void link_up(int s, const char *name)
{
    struct ifreq ifr;
    ifreq_for(&ifr, name);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
        die(name);
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
        die(name);
}

/* Probing happens in the module's init, but give a slow (emulated) machine
 * some time before calling eth0 missing: 5 s at most. */
static void wait_for_iface(int s)
{
    struct ifreq ifr;
    for (int i = 0; i < 500; i++) {
        ifreq_for(&ifr, IFACE);
        if (ioctl(s, SIOCGIFINDEX, &ifr) == 0)
            return;
        usleep(10000);
    }
    die("no " IFACE " after 5 s");
}

static void configure(const char *cidr, const char *gw)
{
    char addr[32];
    snprintf(addr, sizeof(addr), "%s", cidr);
    char *slash = strchr(addr, '/');
    int prefix = slash ? atoi(slash + 1) : 24;
    if (slash)
        *slash = '\0';
    struct in_addr a;
    if (inet_pton(AF_INET, addr, &a) != 1 || prefix < 1 || prefix > 32) {
        errno = EINVAL;
        die(cidr);
    }
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        die("socket");
    link_up(s, "lo"); /* the kernel gives lo 127.0.0.1 when it goes up */
    wait_for_iface(s);

    struct ifreq ifr;
    ifreq_for(&ifr, IFACE);
    set_addr(&ifr, a.s_addr);
    if (ioctl(s, SIOCSIFADDR, &ifr) != 0)
        die("SIOCSIFADDR");
    ifreq_for(&ifr, IFACE);
    set_addr(&ifr, htonl(0xffffffffu << (32 - prefix)));
    if (ioctl(s, SIOCSIFNETMASK, &ifr) != 0)
        die("SIOCSIFNETMASK");
    link_up(s, IFACE);

    if (strcmp(gw, "-") != 0) {
        struct in_addr g;
        if (inet_pton(AF_INET, gw, &g) != 1) {
            errno = EINVAL;
            die(gw);
        }
        struct rtentry rt;
        memset(&rt, 0, sizeof(rt));
        struct sockaddr_in any = inet(INADDR_ANY), via = inet(g.s_addr);
        memcpy(&rt.rt_dst, &any, sizeof(any));
        memcpy(&rt.rt_genmask, &any, sizeof(any));
        memcpy(&rt.rt_gateway, &via, sizeof(via));
        rt.rt_flags = RTF_UP | RTF_GATEWAY;
        if (ioctl(s, SIOCADDRT, &rt) != 0)
            die("SIOCADDRT");
    }
    close(s);
}

int main(int argc, char *argv[])
{
    if (argc < 4) {
        fprintf(stderr,
                "usage: init ADDRESS/PREFIX GATEWAY|- PROGRAM [ARGS...]\n");
        stop();
    }
    load_modules();
    configure(argv[1], argv[2]);
    pid_t pid = fork();
    if (pid == 0) {
        execv(argv[3], &argv[3]);
        fprintf(stderr, "init: %s: %s\n", argv[3], strerror(errno));
        _exit(127);
    }
    int status;
    if (pid > 0)
        waitpid(pid, &status, 0);
    stop();
}
