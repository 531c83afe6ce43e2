/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * delete.c: forget a container. A running one only with --force (it is
 * killed first, and waited for); a created one like a stopped one, as runc
 * does (its process only waits on the exec fifo). The interface given to
 * the guest is handed back when the network namespace outlives the
 * container (a pod's, or one the engine keeps), and the state directory
 * goes. Works whatever state the monitor left: crashed, killed, never
 * started.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

/* The process is not our child: poll until it is gone (or a zombie, which
 * its parent, the engine, reaps). */
static void wait_gone(const struct oci_state *st)
{
    for (int i = 0; i < 1000; i++) {
        if (oci_state_status(st) == OCI_STOPPED)
            return;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    oci_die("container '%s': process %d is still there 10 s after SIGKILL",
            st->id, (int)st->pid);
}

/* Give the interface back, in its namespace, if that is still there. */
static void release_network(const struct oci_state *st)
{
    if (st->tap[0] == '\0' || st->netns[0] == '\0')
        return; /* nothing made, or a namespace that died with the process */
    int fd = open(st->netns, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return; /* the engine removed it: the tap went with it */
    if (setns(fd, CLONE_NEWNET) == 0)
        oci_net_release(st->tap, st->uplink);
    else
        oci_warn("cannot enter %s to remove tap %s: %s", st->netns, st->tap,
                 strerror(errno));
    close(fd);
}

int oci_delete(const struct oci_cli *cli)
{
    char dir[4096], path[4200];
    /* runc's --force deletes what is there, and nothing is fine: engines
     * clean up with it after a create that failed. */
    snprintf(path, sizeof(path), "%s/%s", cli->root, cli->id);
    if (cli->force && access(path, F_OK) != 0 && errno == ENOENT)
        return 0;
    int lock = oci_state_lock(cli->root, cli->id, dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/state.json", dir);
    if (access(path, F_OK) != 0) {
        /* A create that died half-way: nothing but the directory. */
        if (!cli->force)
            oci_die("container '%s' was never fully created; husk-oci "
                    "delete --force %s removes what is left",
                    cli->id, cli->id);
        oci_state_remove(dir);
        return 0;
    }
    struct oci_state st;
    oci_state_load(dir, &st);
    enum oci_status s = oci_state_status(&st);
    if (s == OCI_RUNNING && !cli->force)
        oci_die("cannot delete container '%s': it is running (stop it "
                "first, e.g. husk-oci kill %s, or delete --force)",
                cli->id, cli->id);
    if (s == OCI_RUNNING || s == OCI_CREATED) {
        if (kill(st.pid, SIGKILL) != 0 && errno != ESRCH)
            oci_die("kill(%d, SIGKILL): %s", (int)st.pid, strerror(errno));
        wait_gone(&st);
    }
    release_network(&st);
    oci_state_remove(dir);
    close(lock);
    return 0;
}
