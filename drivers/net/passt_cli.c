/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/passt_cli.c: what the monitor tells passt, its command line,
 * and what passt tells the monitor, its stderr (passt.h). Pure but for
 * reading passt's stderr without waiting; the unit tests run it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "passt.h"

/* ---- the command line (pure) ---- */

struct strbuf {
    char *p;
    size_t left;
    bool full;
};

static const char *put(struct strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *put(struct strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p, b->left, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= b->left) {
        b->full = true;
        return "";
    }
    const char *s = b->p;
    b->p += n + 1;
    b->left -= (size_t)n + 1;
    return s;
}

static const char *ipv4(struct strbuf *b, uint32_t addr)
{
    char s[INET_ADDRSTRLEN];
    struct in_addr a = {.s_addr = addr};
    return put(b, "%s", inet_ntop(AF_INET, &a, s, sizeof(s)));
}

int husk_passt_argv(const char *path, const struct husk_net_config *cfg,
                    char *buf, size_t buflen, const char *argv[],
                    size_t argv_max)
{
    struct strbuf b = {buf, buflen, false};
    size_t n = 0;
#define ADD(s)                 \
    do {                       \
        if (n + 1 >= argv_max) \
            return -1;         \
        argv[n++] = (s);       \
    } while (0)
    ADD(path);
    /* In the foreground (its pid stays ours), quiet, IPv4 only (the
     * guest's lwIP has no IPv6), no DHCP (the guest's settings are static,
     * and passt is told the same below). */
    ADD("--foreground");
    ADD("--quiet");
    ADD("--ipv4-only");
    ADD("--no-dhcp");
    ADD("--fd");
    ADD(put(&b, "%d", HUSK_PASST_FD));
    ADD("--address");
    ADD(ipv4(&b, cfg->ipv4_addr));
    ADD("--netmask");
    ADD(put(&b, "%u", cfg->prefix_len));
    ADD("--gateway");
    ADD(ipv4(&b, cfg->ipv4_gateway));
    ADD("--mtu");
    ADD(put(&b, "%u", cfg->mtu));
    /* The guest's default DNS server (spec.c): UDP to its port 53 goes to
     * the host's first nameserver, and the answers come back from it. */
    if (cfg->dns_forward) {
        ADD("--dns-forward");
        ADD(ipv4(&b, cfg->ipv4_dns));
    }
    for (unsigned i = 0; i < cfg->fwd_count; i++) {
        const struct husk_net_fwd *f = &cfg->fwd[i];
        ADD(f->udp ? "--udp-ports" : "--tcp-ports");
        if (f->host_addr != 0) {
            const char *a = ipv4(&b, f->host_addr);
            ADD(put(&b, "%s/%u:%u", a, f->host_port, f->guest_port));
        } else {
            ADD(put(&b, "%u:%u", f->host_port, f->guest_port));
        }
    }
#undef ADD
    argv[n] = NULL;
    return b.full ? -1 : (int)n;
}

/* ---- its last words ---- */

/* The last line of log[0, len) that says something, as one printable
 * line. passt tells stderr when it has no system logger to send a
 * message to (a container, a chroot), before the message itself. */
void husk_passt_last_line(const char *log, size_t len, char *out, size_t outlen)
{
    out[0] = '\0';
    size_t end = len;
    while (end > 0) {
        while (end > 0 && (log[end - 1] == '\n' || log[end - 1] == '\r'))
            end--;
        size_t start = end;
        while (start > 0 && log[start - 1] != '\n')
            start--;
        unsigned n;
        char c;
        /* "Failed to send N bytes to syslog", passt's log.c */
        bool syslog = sscanf(log + start, "Failed to send %u bytes to syslo%c",
                             &n, &c) == 2 &&
                      c == 'g';
        if (end > start && !syslog) {
            size_t k = 0;
            for (size_t i = start; i < end && k + 1 < outlen; i++)
                out[k++] = log[i] >= 0x20 && log[i] < 0x7f ? log[i] : '?';
            out[k] = '\0';
            return;
        }
        end = start;
    }
}

/* Append what log_fd has to log (HUSK_PASST_LOG_MAX bytes, its end kept); false at
 * its end (passt closed stderr: it exited). */
bool husk_passt_read_log(int log_fd, char *log, size_t *len)
{
    char chunk[1024];
    for (;;) {
        ssize_t r = read(log_fd, chunk, sizeof(chunk));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0; /* EAGAIN: more may come */
        if (*len + (size_t)r > HUSK_PASST_LOG_MAX) {
            size_t drop = *len + (size_t)r - HUSK_PASST_LOG_MAX;
            memmove(log, log + drop, *len - drop);
            *len -= drop;
        }
        memcpy(log + *len, chunk, (size_t)r);
        *len += (size_t)r;
    }
}

void husk_passt_last_words(int log_fd, char *out, size_t outlen)
{
    char log[HUSK_PASST_LOG_MAX];
    size_t len = 0;
    husk_passt_read_log(log_fd, log, &len);
    husk_passt_last_line(log, len, out, outlen);
}
