/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/spec.c: parse the SPEC of --net:NAME=SPEC (pure, fuzzable):
 * the tap to attach and the guest's link and IPv4 settings.
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

/* One "key=value" option; value is NUL-terminated. */
static int parse_option(const char *key, size_t keylen, const char *value,
                        struct husk_net_config *cfg, unsigned *seen, char *err,
                        size_t errlen)
{
    static const char *const keys[] = {"ip", "gw", "mac", "mtu", "rate"};
    unsigned k = 0;
    while (k < 5 &&
           !(strlen(keys[k]) == keylen && memcmp(keys[k], key, keylen) == 0))
        k++;
    if (k == 5)
        return husk_errorf(err, errlen,
                           "unknown option '%.*s' (the options are ip=, "
                           "gw=, mac=, mtu=, rate=)",
                           (int)keylen, key);
    if (*seen & (1U << k))
        return husk_errorf(err, errlen, "%s= is given twice", keys[k]);
    *seen |= 1U << k;
    if (value[0] == '\0')
        return husk_errorf(err, errlen, "%s= has no value", keys[k]);
    switch (k) {
    case 0:
        return parse_ip(value, cfg, err, errlen);
    case 1:
        if (parse_ipv4(value, &cfg->ipv4_gateway) != 0)
            return husk_errorf(err, errlen, "gw=%s: not an IPv4 address",
                               value);
        return 0;
    case 2:
        cfg->mac_given = true;
        return parse_mac(value, cfg->mac, err, errlen);
    case 3:
        return parse_mtu(value, &cfg->mtu, err, errlen);
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

int husk_net_parse_spec(const char *spec, struct husk_net_config *cfg,
                        char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->tx_rate = HUSK_NET_RATE_DEFAULT;
    const char *comma = strchr(spec, ',');
    size_t len = comma ? (size_t)(comma - spec) : strlen(spec);
    if (!valid_tap_name(spec, len))
        return husk_errorf(err, errlen,
                           "'%.*s' is not a tap device name (1-15 "
                           "characters of a-z, A-Z, 0-9, _, -, .; " EXAMPLE ")",
                           (int)len, spec);
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
    if (!(seen & 1))
        return husk_errorf(
            err, errlen,
            "no address for the guest: add ip=A.B.C.D/N (" EXAMPLE ")");
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
             "[,gw=A.B.C.D][,mac=M][,mtu=N][,rate=SIZE]\n"
             "                        attach network device NAME (declared in\n"
             "                        IMAGE) to the tap TAP: the guest's\n"
             "                        address and prefix, gateway, MAC, MTU,\n"
             "                        and the bytes a second it may send\n"
             "                        (default 125M; 0: no limit)\n",
    .check_spec = net_check_spec,
};
