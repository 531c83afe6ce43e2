/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * console.c: process.terminal. The engine (conmon, the shim) listens on
 * --console-socket and expects the master of a new pseudo-terminal as an
 * SCM_RIGHTS message, as runc sends it; the slave becomes the container's
 * controlling terminal and stdio, which the monitor then serves to the
 * guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "oci.h"

static int send_fd(int sock, int fd, const char *name)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    memset(cbuf, 0, sizeof(cbuf));
    struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = cbuf,
                         .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    return sendmsg(sock, &msg, 0) < 0 ? -1 : 0;
}

int oci_console_setup(const char *socket_path, char *err, size_t errlen)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
        return oci_errorf(err, errlen, "cannot make a pseudo-terminal: %s",
                          strerror(errno));
    char name[64];
    if (ptsname_r(master, name, sizeof(name)) != 0)
        return oci_errorf(err, errlen, "ptsname: %s", strerror(errno));
    int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        return oci_errorf(err, errlen, "cannot open %s: %s", name,
                          strerror(errno));

    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof(sa.sun_path))
        return oci_errorf(err, errlen, "--console-socket %s: path too long",
                          socket_path);
    memcpy(sa.sun_path, socket_path, strlen(socket_path));
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        return oci_errorf(err, errlen, "--console-socket %s: %s", socket_path,
                          strerror(errno));
    if (send_fd(sock, master, name) != 0)
        return oci_errorf(err, errlen, "sending the terminal to %s: %s",
                          socket_path, strerror(errno));
    close(sock);
    close(master);

    /* We lead a new session (init.c): the slave becomes its terminal. */
    if (ioctl(slave, TIOCSCTTY, 0) != 0)
        return oci_errorf(err, errlen, "TIOCSCTTY: %s", strerror(errno));
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) != fd)
            return oci_errorf(err, errlen, "dup2: %s", strerror(errno));
    close(slave);
    return 0;
}
