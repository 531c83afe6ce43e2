/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* netutil.h: the few helpers the network examples share (numbers from
 * the command line, a listening socket, non-blocking mode). Plain POSIX:
 * each example builds natively and with husk-cc alike. */
#ifndef NETUTIL_H
#define NETUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One line on stderr, "PROG: message[: strerror]", then exit(1). */
static inline void __attribute__((noreturn, format(printf, 3, 4)))
fail(const char *prog, int with_errno, const char *fmt, ...)
{
    int e = errno;
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (with_errno)
        fprintf(stderr, ": %s", strerror(e));
    fputc('\n', stderr);
    exit(1);
}

/* A decimal number from MIN to MAX; anything else exits with a line
 * naming the option. */
static inline unsigned long parse_number(const char *prog, const char *opt,
                                         const char *s, unsigned long min,
                                         unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min ||
        v > max)
        fail(prog, 0, "%s %s: expected a number from %lu to %lu", opt, s, min,
             max);
    return v;
}

static inline unsigned parse_port(const char *prog, const char *s)
{
    return (unsigned)parse_number(prog, "--port", s, 1, 65535);
}

static inline int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* A socket of TYPE (SOCK_STREAM, SOCK_DGRAM) bound to PORT on every
 * address. */
static inline int bound_socket(const char *prog, int type, unsigned port)
{
    int fd = socket(AF_INET, type, 0);
    if (fd < 0)
        fail(prog, 1, "socket");
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
        fail(prog, 1, "setsockopt SO_REUSEADDR");
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((unsigned short)port),
                            .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        fail(prog, 1, "bind to port %u", port);
    return fd;
}

/* A TCP socket listening on PORT, non-blocking. A long backlog: a test
 * opens a thousand connections at once, and a full queue makes clients
 * wait for SYN retransmissions (a second and more each). */
static inline int listen_tcp(const char *prog, unsigned port)
{
    int fd = bound_socket(prog, SOCK_STREAM, port);
    if (listen(fd, 1024) < 0)
        fail(prog, 1, "listen");
    if (set_nonblocking(fd) < 0)
        fail(prog, 1, "fcntl O_NONBLOCK");
    return fd;
}

/* What an accept() failure means to a server's loop. */
enum accept_failure {
    ACCEPT_LATER, /* nothing to take now, or it went away first: poll on */
    ACCEPT_PAUSE, /* out of descriptors or memory: wait for a close */
    ACCEPT_FATAL,
};
static inline enum accept_failure accept_failure(int e)
{
    if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR || e == ECONNABORTED ||
        e == EPROTO)
        return ACCEPT_LATER;
    if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM)
        return ACCEPT_PAUSE;
    return ACCEPT_FATAL;
}

#endif
