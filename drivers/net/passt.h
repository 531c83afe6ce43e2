/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/passt.h: passt, the user-mode network's helper process
 * (passt.c): its command line, its start before the jail, its last words.
 */
#ifndef HUSK_PASST_H
#define HUSK_PASST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "net.h"
#include "stream.h"

/* The fd passt gets its end of the socket pair on (--fd). */
#define HUSK_PASST_FD 3
/* How long passt may take to start and answer (passt.c). */
#define HUSK_PASST_START_SECONDS 20
/* The send buffer asked for toward passt (the kernel doubles it): what
 * may wait unread stays far below the 8 MiB passt reads at once. */
#define HUSK_PASST_SNDBUF (1 << 20)
/* HUSK_PASST=PATH runs that passt instead of the first in PATH. */
#define HUSK_PASST_ENV "HUSK_PASST"

/* A passt that runs, and the monitor's ends of its fds. */
struct husk_passt {
    pid_t pid;
    int fd;         /* the frames: a non-blocking stream socket */
    int log_fd;     /* its stderr: the read end of a pipe, non-blocking */
    uint8_t mac[6]; /* its own, from its answer at start */
    uint32_t toward_guest; /* bytes its socket holds toward the guest */
};

/*
 * passt's command line for cfg, into argv (NULL-terminated, at most
 * argv_max entries with the NULL) with its strings in buf: foreground,
 * quiet, IPv4 only (lwIP has no IPv6), no DHCP, NDP or router
 * advertisements (the guest's settings are static), the socket on
 * HUSK_PASST_FD, the guest's address, prefix and gateway and MTU as cfg
 * gives them, one -t or -u per hostfwd=. Returns argc, or -1 if buf or
 * argv is too small. Pure.
 */
int husk_passt_argv(const char *path, const struct husk_net_config *cfg,
                    char *buf, size_t buflen, const char *argv[],
                    size_t argv_max);

/*
 * Start passt for device dev (as "--net:NAME", for messages) with cfg,
 * before the jail, and wait until it answers on the socket (an ARP
 * request for the gateway, sent as the guest would: then its ports are
 * bound and its sandbox is up; the answer gives its MAC address, in p).
 * Frames that follow the answer stay in rx
 * (a buffer of HUSK_STREAM_RX_BUF bytes) for the guest. On any failure
 * (passt not installed, it exits, it does not answer within
 * HUSK_PASST_START_SECONDS) prints one line and exits 125.
 */
void husk_passt_start(const char *dev, const struct husk_net_config *cfg,
                      struct husk_stream_rx *rx, struct husk_passt *p);

/* What is kept of passt's stderr: its end. */
#define HUSK_PASST_LOG_MAX 4096
/* Append what log_fd has, without waiting, to log (HUSK_PASST_LOG_MAX
 * bytes; its end is kept); false at its end (passt has exited). */
bool husk_passt_read_log(int log_fd, char *log, size_t *len);
/* The last line of log[0, len) that says something, as one printable
 * line (control bytes shown as '?'), into out; lines about passt's
 * system logger are skipped. Pure. */
void husk_passt_last_line(const char *log, size_t len, char *out,
                          size_t outlen);

/*
 * The last line passt wrote to stderr and the monitor has not read,
 * without waiting, as one printable line (control bytes shown as '?');
 * empty if there is none. Lines about its system logger are skipped.
 */
void husk_passt_last_words(int log_fd, char *out, size_t outlen);

#endif
