/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * start.c: open the exec fifo's read end. The container's process, blocked
 * opening its write end (init.c), then writes one byte and execs the
 * monitor; the fifo is removed, so the container reads as running.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

int oci_start(const struct oci_cli *cli)
{
    struct oci_state st;
    char dir[4096];
    int lock = oci_state_lock(cli->root, cli->id, dir, sizeof(dir));
    oci_state_load(dir, &st);
    enum oci_status s = oci_state_status(&st);
    if (s != OCI_CREATED)
        oci_die("container '%s' is %s, not created: only a created "
                "container can be started",
                cli->id, oci_status_name(s));
    char fifo[4200];
    snprintf(fifo, sizeof(fifo), "%s/" OCI_EXEC_FIFO, dir);
    /* Non-blocking: if the process died meanwhile, a blocking open would
     * wait for a writer forever. */
    int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        oci_die("cannot open %s: %s", fifo, strerror(errno));
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int rc = poll(&p, 1, 100);
        if (rc < 0 && errno != EINTR)
            oci_die("poll: %s", strerror(errno));
        char c;
        if (rc > 0 && read(fd, &c, 1) == 1)
            break;
        if (oci_state_status(&st) == OCI_STOPPED)
            oci_die("container '%s': its process ended before it could "
                    "start",
                    cli->id);
    }
    close(fd);
    if (unlink(fifo) != 0)
        oci_die("cannot remove %s: %s", fifo, strerror(errno));
    close(lock);
    return 0;
}
