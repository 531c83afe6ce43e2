/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * husk_channel.h: how libhusk-host talks to the monitor it starts
 * (husk --call-channel=SOCKET,MEMORY). Not the guest's ABI: the guest
 * sees HUSK_HC_CALL_NEXT and HUSK_HC_HOST_CALL (husk_abi.h), and the
 * monitor turns them into these messages.
 *
 * SOCKET is one end of an AF_UNIX SOCK_SEQPACKET pair: each message is
 * one struct husk_channel_msg. MEMORY is a file (a memfd) of at least
 * HUSK_CALL_DATA_MAX bytes that both sides map shared: a message's `len`
 * bytes of data are at its start. Whoever sent the last message owns the
 * memory until the answer comes. Closing the socket ends the guest
 * (HUSK_CALL_CLOSE); the monitor's end closes when it exits.
 */
#ifndef HUSK_CHANNEL_H
#define HUSK_CHANNEL_H

#include <stdint.h>

#include "husk_abi.h"

/* Monitor to library. */
#define HUSK_CHAN_READY 1          /* the guest serves: send calls */
#define HUSK_CHAN_RESULT 2         /* a call's status, code and output */
#define HUSK_CHAN_HOST_CALL 3      /* the guest calls the library's `name` */
#define HUSK_CHAN_SNAPSHOT_DONE 4  /* status 0: written to --snapshot-to */
#define HUSK_CHAN_REWIND_REFUSED 5 /* this monitor cannot rewind (below) */
/* Library to monitor. */
#define HUSK_CHAN_CALL 16       /* call the guest's `name` with len bytes */
#define HUSK_CHAN_HOST_REPLY 17 /* a host call's status, code and output */
#define HUSK_CHAN_SNAPSHOT 18   /* write the guest to --snapshot-to now */
/* Put the guest back as --restore's snapshot has it, in place: answered
 * by READY once it serves again, or by REWIND_REFUSED from a monitor
 * that did not start with --restore or that has devices. */
#define HUSK_CHAN_REWIND 19

struct husk_channel_msg {
    uint32_t type;  /* HUSK_CHAN_* */
    int32_t status; /* HUSK_CALL_* (RESULT, HOST_REPLY) */
    int32_t code;   /* with HUSK_CALL_ERROR: the function's own code */
    uint32_t len;   /* data bytes at the start of MEMORY */
    char name[HUSK_CALL_NAME_MAX]; /* CALL, HOST_CALL: NUL-terminated */
};
HUSK_ABI_CHECK(struct husk_channel_msg, 80);

#endif
