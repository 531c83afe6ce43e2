/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * kill.c: a signal to the container's process. After start that is the
 * monitor's supervisor (or the monitor, with --no-jail), which passes
 * SIGTERM, SIGINT and SIGHUP on to the monitor: the guest stops and the
 * container ends with 128 + the signal (143 for SIGTERM). SIGKILL ends the
 * supervisor, and the kernel the monitor (PR_SET_PDEATHSIG). --all is the
 * same signal: the container has no other process of its own.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

int oci_kill(const struct oci_cli *cli)
{
    int sig = oci_signal_parse(cli->signal);
    struct oci_state st;
    char dir[4096];
    int lock = oci_state_lock(cli->root, cli->id, dir, sizeof(dir));
    oci_state_load(dir, &st);
    enum oci_status s = oci_state_status(&st);
    if (s != OCI_CREATED && s != OCI_RUNNING)
        oci_die("container '%s' is not running (it is %s)", cli->id,
                oci_status_name(s));
    if (kill(st.pid, sig) != 0)
        oci_die("kill(%d, %d): %s", (int)st.pid, sig, strerror(errno));
    close(lock);
    return 0;
}
