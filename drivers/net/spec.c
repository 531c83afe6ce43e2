/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/spec.c: parse the SPEC of --net:NAME=SPEC (pure, fuzzable):
 * the tap to attach, or "user" (passt, passt.c) and its port forwards,
 * and the guest's link, IPv4 and DNS settings.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../monitor/husk.h"
#include "net.h"

#define EXAMPLE "try tap0,ip=10.0.0.2/24,gw=10.0.0.1"

/* Interface names as Linux takes them: no '/', no blank, not "." or "..". */
static bool valid_tap_name(const char *s, size_t len)
{
    if (len == 0 || len >= HUSK_TAP_NAME_MAX)
        return false;
    if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* A dotted quad, strictly (inet_pton refuses octal and short forms). */
static int parse_ipv4(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return -1;
    *out = a.s_addr;
    return 0;
}

static uint32_t prefix_mask(unsigned len) /* host byte order */
{
    return len == 0 ? 0 : 0xffffffffU << (32 - len);
}

static int parse_ip(const char *v, struct husk_net_config *cfg, char *err,
                    size_t errlen)
{
    char addr[32];
    const char *slash = strchr(v, '/');
    if (slash == NULL)
        return husk_errorf(err, errlen,
                           "ip=%s: give the prefix length too, as in "
                           "ip=10.0.0.2/24",
                           v);
    size_t n = (size_t)(slash - v);
    char *end;
    errno = 0;
    unsigned long len = strtoul(slash + 1, &end, 10);
    if (n >= sizeof(addr) || slash[1] < '0' || slash[1] > '9' || *end != '\0' ||
        errno != 0 || len < 1 || len > 32)
        return husk_errorf(err, errlen,
                           "ip=%s: expected A.B.C.D/N with N from 1 to 32", v);
    memcpy(addr, v, n);
    addr[n] = '\0';
    uint32_t ip;
    if (parse_ipv4(addr, &ip) != 0)
        return husk_errorf(err, errlen, "ip=%s: '%s' is not an IPv4 address", v,
                           addr);
    uint32_t h = ntohl(ip), mask = prefix_mask((unsigned)len);
    if (h == 0 || (h >> 28) >= 0xe || (h >> 24) == 127)
        return husk_errorf(err, errlen,
                           "ip=%s: not a unicast address for a host", v);
    if (len <= 30 && ((h & ~mask) == 0 || (h & ~mask) == ~mask))
        return husk_errorf(err, errlen,
                           "ip=%s: that is the subnet's network or "
                           "broadcast address",
                           v);
    cfg->ipv4_addr = ip;
    cfg->prefix_len = (uint8_t)len;
    return 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_mac(const char *v, uint8_t mac[6], char *err, size_t errlen)
{
    bool ok = strlen(v) == 17;
    for (int i = 0; ok && i < 6; i++) {
        int hi = hex_digit(v[3 * i]), lo = hex_digit(v[3 * i + 1]);
        ok = hi >= 0 && lo >= 0 && (i == 5 || v[3 * i + 2] == ':');
        if (ok)
            mac[i] = (uint8_t)(hi << 4 | lo);
    }
    if (!ok)
        return husk_errorf(err, errlen,
                           "mac=%s: expected six hex bytes, as in "
                           "mac=02:00:00:00:00:01",
                           v);
    if (mac[0] & 1)
        return husk_errorf(err, errlen,
                           "mac=%s: a multicast address (the first byte is "
                           "odd); try 02:...",
                           v);
    if ((mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0)
        return husk_errorf(err, errlen, "mac=%s: the all-zero address", v);
    return 0;
}

static int parse_mtu(const char *v, uint32_t *mtu, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 ||
        n < HUSK_NET_MTU_MIN || n > HUSK_NET_MTU_MAX)
        return husk_errorf(err, errlen, "mtu=%s: expected %d to %d", v,
                           HUSK_NET_MTU_MIN, HUSK_NET_MTU_MAX);
    *mtu = (uint32_t)n;
    return 0;
}

/* A port number from 1 to 65535, the whole of s[0, n). */
static bool parse_port(const char *s, size_t n, uint16_t *port)
{
    unsigned long v = 0;
    if (n == 0 || n > 5)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return false;
    *port = (uint16_t)v;
    return true;
}

#define FWD_FORM                                                     \
    "expected tcp:[HOSTADDR:]HOSTPORT-:GUESTPORT or udp:..., as in " \
    "hostfwd=tcp:18080-:8080"

/* hostfwd=tcp|udp:[HOSTADDR:]HOSTPORT-:GUESTPORT, QEMU's form (an empty
 * HOSTADDR, "tcp::80-:8080", as QEMU writes it, is every address too). */
static int parse_hostfwd(const char *v, struct husk_net_config *cfg, char *err,
                         size_t errlen)
{
    if (!cfg->user)
        return husk_errorf(err, errlen,
                           "hostfwd=%s: forwarding is for the user-mode "
                           "network (--net:NAME=user,hostfwd=...); a tap's "
                           "traffic is the host's to route",
                           v);
    if (cfg->fwd_count == HUSK_NET_FWD_MAX)
        return husk_errorf(err, errlen, "more than %d hostfwd= options",
                           HUSK_NET_FWD_MAX);
    struct husk_net_fwd f = {0};
    const char *host = strchr(v, ':');
    const char *dash = host != NULL ? strchr(host, '-') : NULL;
    if (host == NULL || dash == NULL)
        return husk_errorf(err, errlen, "hostfwd=%s: " FWD_FORM, v);
    size_t plen = (size_t)(host - v);
    if (plen == 3 && memcmp(v, "udp", 3) == 0)
        f.udp = true;
    else if (!(plen == 3 && memcmp(v, "tcp", 3) == 0))
        return husk_errorf(err, errlen,
                           "hostfwd=%s: the protocol is tcp or udp, "
                           "not '%.*s'",
                           v, (int)plen, v);
    host++;
    /* HOSTADDR:HOSTPORT or HOSTPORT before the dash. */
    const char *port = host;
    const char *sep = memchr(host, ':', (size_t)(dash - host));
    if (sep != NULL) {
        char addr[16];
        size_t alen = (size_t)(sep - host);
        port = sep + 1;
        if (alen >= sizeof(addr))
            return husk_errorf(err, errlen,
                               "hostfwd=%s: '%.*s' is not an IPv4 address", v,
                               (int)alen, host);
        memcpy(addr, host, alen);
        addr[alen] = '\0';
        if (alen > 0 && parse_ipv4(addr, &f.host_addr) != 0)
            return husk_errorf(err, errlen,
                               "hostfwd=%s: '%s' is not an IPv4 address", v,
                               addr);
        uint32_t h = ntohl(f.host_addr);
        if ((h >> 28) >= 0xe)
            return husk_errorf(err, errlen,
                               "hostfwd=%s: %s is not an address of this host",
                               v, addr);
    }
    if (!parse_port(port, (size_t)(dash - port), &f.host_port))
        return husk_errorf(err, errlen,
                           "hostfwd=%s: the host port '%.*s' is not a "
                           "number from 1 to 65535",
                           v, (int)(dash - port), port);
    /* ":GUESTPORT" after the dash: the guest has one address. */
    const char *guest = dash + 1;
    const char *gsep = strchr(guest, ':');
    if (gsep == NULL)
        return husk_errorf(err, errlen, "hostfwd=%s: " FWD_FORM, v);
    if (gsep != guest)
        return husk_errorf(err, errlen,
                           "hostfwd=%s: leave the guest's address out (it "
                           "has one): hostfwd=%.3s:...-:GUESTPORT",
                           v, v);
    if (!parse_port(gsep + 1, strlen(gsep + 1), &f.guest_port))
        return husk_errorf(err, errlen,
                           "hostfwd=%s: the guest port '%s' is not a number "
                           "from 1 to 65535",
                           v, gsep + 1);
    /* passt keeps one forward per host port and protocol, whatever the
     * address: a second one would stop it at start. */
    for (unsigned i = 0; i < cfg->fwd_count; i++)
        if (cfg->fwd[i].udp == f.udp && cfg->fwd[i].host_port == f.host_port)
            return husk_errorf(err, errlen,
                               "hostfwd=%s: host port %u (%s) is forwarded "
                               "twice",
                               v, f.host_port, f.udp ? "udp" : "tcp");
    cfg->fwd[cfg->fwd_count++] = f;
    return 0;
}

/* dns=: a server the guest can send to. Not its own loopback (the guest
 * itself, not the host: the host's loopback is the user-mode network's
 * gateway), nor what no host can be. */
static int parse_dns(const char *v, uint32_t *out, char *err, size_t errlen)
{
    if (parse_ipv4(v, out) != 0)
        return husk_errorf(err, errlen, "dns=%s: not an IPv4 address", v);
    uint32_t h = ntohl(*out);
    if ((h >> 24) == 127)
        return husk_errorf(err, errlen,
                           "dns=%s: that is the guest's own loopback, not "
                           "the host's (on the user-mode network the "
                           "host's is the gateway, dns=10.0.2.2)",
                           v);
    if (h == 0 || (h >> 28) >= 0xe)
        return husk_errorf(err, errlen,
                           "dns=%s: not a unicast address for a host", v);
    return 0;
}

enum {
    OPT_IP,
    OPT_GW,
    OPT_DNS,
    OPT_MAC,
    OPT_MTU,
    OPT_RATE,
    OPT_HOSTFWD,
    OPT_COUNT
};

/* One "key=value" option; value is NUL-terminated. */
static int parse_option(const char *key, size_t keylen, const char *value,
                        struct husk_net_config *cfg, unsigned *seen, char *err,
                        size_t errlen)
{
    static const char *const keys[OPT_COUNT] = {"ip",  "gw",   "dns",    "mac",
                                                "mtu", "rate", "hostfwd"};
    unsigned k = 0;
    while (k < OPT_COUNT &&
           !(strlen(keys[k]) == keylen && memcmp(keys[k], key, keylen) == 0))
        k++;
    if (k == OPT_COUNT)
        return husk_errorf(err, errlen,
                           "unknown option '%.*s' (the options are ip=, "
                           "gw=, dns=, mac=, mtu=, rate=%s)",
                           (int)keylen, key, cfg->user ? ", hostfwd=" : "");
    if ((*seen & (1U << k)) && k != OPT_HOSTFWD)
        return husk_errorf(err, errlen, "%s= is given twice", keys[k]);
    *seen |= 1U << k;
    if (value[0] == '\0')
        return husk_errorf(err, errlen, "%s= has no value", keys[k]);
    switch (k) {
    case OPT_IP:
        return parse_ip(value, cfg, err, errlen);
    case OPT_GW:
        if (parse_ipv4(value, &cfg->ipv4_gateway) != 0)
            return husk_errorf(err, errlen, "gw=%s: not an IPv4 address",
                               value);
        return 0;
    case OPT_DNS:
        return parse_dns(value, &cfg->ipv4_dns, err, errlen);
    case OPT_MAC:
        cfg->mac_given = true;
        return parse_mac(value, cfg->mac, err, errlen);
    case OPT_MTU:
        return parse_mtu(value, &cfg->mtu, err, errlen);
    case OPT_HOSTFWD:
        return parse_hostfwd(value, cfg, err, errlen);
    default:
        if (husk_parse_size(value, &cfg->tx_rate) != 0 ||
            cfg->tx_rate > HUSK_NET_RATE_MAX)
            return husk_errorf(err, errlen,
                               "rate=%s: expected bytes per second up to "
                               "%lluG, as in rate=125M (0: no limit)",
                               value, HUSK_NET_RATE_MAX >> 30);
        return 0;
    }
}

/* The gateway must be another host on the guest's own subnet. */
static int check_gateway(const struct husk_net_config *cfg, char *err,
                         size_t errlen)
{
    if (cfg->ipv4_gateway == 0)
        return 0;
    uint32_t mask = prefix_mask(cfg->prefix_len);
    uint32_t ip = ntohl(cfg->ipv4_addr), gw = ntohl(cfg->ipv4_gateway);
    if ((gw & mask) != (ip & mask) || gw == ip ||
        (cfg->prefix_len <= 30 && ((gw & ~mask) == 0 || (gw & ~mask) == ~mask)))
        return husk_errorf(err, errlen,
                           "gw=%u.%u.%u.%u: not another host on the guest's "
                           "subnet %u.%u.%u.%u/%u",
                           gw >> 24, (gw >> 16) & 255, (gw >> 8) & 255,
                           gw & 255, (ip & mask) >> 24,
                           ((ip & mask) >> 16) & 255, ((ip & mask) >> 8) & 255,
                           ip & mask & 255, cfg->prefix_len);
    return 0;
}

/*
 * The user-mode network's plan where SPEC leaves it open: the fixed one
 * without ip=; with ip= but no gw=, the subnet's first host (its second
 * if that is the guest). passt is told the same (passt.c), so the guest's
 * static settings and passt's agree. A gateway needs room in the subnet.
 * Without dns=, the DNS server is the gateway too, which passt is told
 * to forward to the host's first nameserver (its --dns-forward), as
 * slirp's 10.0.2.3 is: an address on the guest's own subnet whatever the
 * host's resolver is (a loopback one such as systemd-resolved's, which
 * the guest could not reach as it is, included).
 */
static int user_plan(struct husk_net_config *cfg, unsigned seen, char *err,
                     size_t errlen)
{
    if (!(seen & (1U << OPT_IP))) {
        parse_ipv4(HUSK_NET_USER_ADDR, &cfg->ipv4_addr);
        cfg->prefix_len = HUSK_NET_USER_PREFIX;
        if (!(seen & (1U << OPT_GW)))
            parse_ipv4(HUSK_NET_USER_GATEWAY, &cfg->ipv4_gateway);
    }
    if (cfg->prefix_len > 30)
        return husk_errorf(err, errlen,
                           "ip=.../%u: the user-mode network needs a subnet "
                           "with room for its gateway (a prefix of 30 or "
                           "less)",
                           cfg->prefix_len);
    if (cfg->ipv4_gateway == 0) {
        uint32_t net = ntohl(cfg->ipv4_addr) & prefix_mask(cfg->prefix_len);
        uint32_t gw = net | 1;
        if (htonl(gw) == cfg->ipv4_addr)
            gw = net | 2;
        cfg->ipv4_gateway = htonl(gw);
    }
    if (!(seen & (1U << OPT_DNS))) {
        cfg->ipv4_dns = cfg->ipv4_gateway;
        cfg->dns_forward = true;
    }
    return 0;
}

bool husk_net_resolv_has_ipv4(const char *text, size_t len)
{
    static const char key[] = "nameserver ";
    for (size_t at = 0; at < len;) {
        const char *line = text + at;
        const char *nl = memchr(line, '\n', len - at);
        size_t n = nl != NULL ? (size_t)(nl - line) : len - at;
        at += n + 1;
        /* passt's reading: the line starts with the key, the address is
         * its last word, up to a '%' (an IPv6 scope). */
        if (n < sizeof(key) - 1 || memcmp(line, key, sizeof(key) - 1) != 0)
            continue;
        const char *last = line + n;
        while (last > line && last[-1] != ' ')
            last--;
        const char *pct = memchr(last, '%', (size_t)(line + n - last));
        size_t alen = (size_t)((pct != NULL ? pct : line + n) - last);
        char addr[INET_ADDRSTRLEN];
        struct in_addr a;
        if (alen < sizeof(addr)) {
            memcpy(addr, last, alen);
            addr[alen] = '\0';
            if (inet_pton(AF_INET, addr, &a) == 1)
                return true;
        }
    }
    return false;
}

int husk_net_parse_spec(const char *spec, struct husk_net_config *cfg,
                        char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->tx_rate = HUSK_NET_RATE_DEFAULT;
    const char *comma = strchr(spec, ',');
    size_t len = comma ? (size_t)(comma - spec) : strlen(spec);
    if (len == strlen(HUSK_NET_USER) && memcmp(spec, HUSK_NET_USER, len) == 0)
        cfg->user = true;
    else if (!valid_tap_name(spec, len))
        return husk_errorf(err, errlen,
                           "'%.*s' is not a tap device name (1-15 "
                           "characters of a-z, A-Z, 0-9, _, -, .; " EXAMPLE
                           "; or user for the user-mode network)",
                           (int)len, spec);
    else
        memcpy(cfg->tap, spec, len);
    unsigned seen = 0;
    while (comma != NULL) {
        const char *opt = comma + 1;
        comma = strchr(opt, ',');
        size_t optlen = comma ? (size_t)(comma - opt) : strlen(opt);
        const char *eq = memchr(opt, '=', optlen);
        if (eq == NULL)
            return husk_errorf(err, errlen,
                               "'%.*s': expected KEY=VALUE (" EXAMPLE ")",
                               (int)optlen, opt);
        char value[64];
        size_t vlen = optlen - (size_t)(eq + 1 - opt);
        if (vlen >= sizeof(value))
            return husk_errorf(err, errlen, "'%.*s': value too long",
                               (int)optlen, opt);
        memcpy(value, eq + 1, vlen);
        value[vlen] = '\0';
        if (parse_option(opt, (size_t)(eq - opt), value, cfg, &seen, err,
                         errlen) != 0)
            return -1;
    }
    if (cfg->user) {
        if (user_plan(cfg, seen, err, errlen) != 0)
            return -1;
    } else if (!(seen & (1U << OPT_IP))) {
        return husk_errorf(
            err, errlen,
            "no address for the guest: add ip=A.B.C.D/N (" EXAMPLE
            "), or use the user-mode network: user[,hostfwd=...]");
    }
    return check_gateway(cfg, err, errlen);
}

static int net_check_spec(const char *spec, char *err, size_t errlen)
{
    struct husk_net_config cfg;
    return husk_net_parse_spec(spec, &cfg, err, errlen);
}

const struct husk_device_kind husk_net_kind = {
    .kind = HUSK_DEVICE_NET,
    .name = "net",
    .spec_name = "TAP",
    .usage = "  --net:NAME=TAP,ip=A.B.C.D/N"
             "[,gw=A.B.C.D][,dns=A.B.C.D][,mac=M][,mtu=N]\n"
             "                 [,rate=SIZE]\n"
             "                        attach network device NAME (declared in\n"
             "                        IMAGE) to the tap TAP: the guest's\n"
             "                        address and prefix, gateway, DNS server\n"
             "                        (its /etc/resolv.conf), MAC, MTU, and\n"
             "                        the bytes a second it may send (default\n"
             "                        125M; 0: no limit)\n"
             "  --net:NAME=user[,hostfwd=tcp:[HOSTADDR:]HOSTPORT-:GUESTPORT]"
             "...\n"
             "                        the user-mode network, no root needed:\n"
             "                        passt (Debian package passt) connects\n"
             "                        the guest (default ip=10.0.2.15/24,\n"
             "                        gw=10.0.2.2: the host's loopback;\n"
             "                        dns=10.0.2.2: the host's resolver) and\n"
             "                        forwards host ports (tcp or udp) to it;\n"
             "                        the other options as above\n",
    .check_spec = net_check_spec,
};
