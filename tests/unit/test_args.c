/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* test_args.c: husk_parse_size, husk_args_parse, husk_usage and
 * husk_kvm_open_error (monitor/args.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../drivers/block/block.h"
#include "husk.h"
#include "unit.h"

#define ARGV_MAX 1024

static struct husk_config cfg;
static char err[512];
static char *argv_[ARGV_MAX + 1]; /* the argv of the last parse */

/* Parse "husk" followed by the NULL-terminated list; the strings are copied
 * to the heap so that ASan sees every read past one of them. */
static int parse_list(const char *const *list)
{
    int argc = 0;
    argv_[argc++] = strdup("husk");
    for (; list[argc - 1] != NULL; argc++) {
        if (argc == ARGV_MAX)
            FAIL("more than %d arguments", ARGV_MAX);
        argv_[argc] = strdup(list[argc - 1]);
    }
    argv_[argc] = NULL;
    memset(err, 0, sizeof(err));
    return husk_args_parse(argc, argv_, &cfg, err, sizeof(err));
}

#define PARSE(...) parse_list((const char *const[]){__VA_ARGS__, NULL})

/* A usage error: rc -1, one line without our prefix, with these words. */
#define CHECK_USAGE(rc, words)                \
    do {                                      \
        CHECK_EQ(rc, -1);                     \
        CHECK_HAS(err, words);                \
        CHECK(strchr(err, '\n') == NULL);     \
        CHECK(strncmp(err, "husk:", 5) != 0); \
    } while (0)

static uint64_t size_of(const char *s)
{
    uint64_t v = 0xdeadbeef;
    if (husk_parse_size(s, &v) != 0)
        FAIL("husk_parse_size(\"%s\") failed", s);
    return v;
}

/* s is refused with rc, and *out is left alone. */
static void check_bad_size(const char *s, int rc, int line)
{
    uint64_t v = 0xdeadbeef;
    int got = husk_parse_size(s, &v);
    if (got != rc)
        unit_fail(__FILE__, line,
                  "husk_parse_size(\"%s\") returned %d, expected %d (%llu)", s,
                  got, rc, (unsigned long long)v);
    if (v != 0xdeadbeef)
        unit_fail(__FILE__, line, "husk_parse_size(\"%s\") wrote *out", s);
}
#define CHECK_BAD_SIZE(s) check_bad_size(s, HUSK_SIZE_MALFORMED, __LINE__)
#define CHECK_FRACTION(s) check_bad_size(s, HUSK_SIZE_FRACTION, __LINE__)
#define CHECK_TOO_LARGE(s) check_bad_size(s, HUSK_SIZE_TOO_LARGE, __LINE__)

/* ---- husk_parse_size ---- */

TEST(size_suffixes)
{
    CHECK_EQ(size_of("64"), 64); /* a bare number is bytes */
    CHECK_EQ(size_of("64B"), 64);
    CHECK_EQ(size_of("64M"), 64ULL << 20);
    CHECK_EQ(size_of("64m"), 64ULL << 20);
    CHECK_EQ(size_of("512K"), 512ULL << 10);
    CHECK_EQ(size_of("512k"), 512ULL << 10);
    CHECK_EQ(size_of("1G"), 1ULL << 30);
    CHECK_EQ(size_of("32g"), 32ULL << 30);
    CHECK_EQ(size_of("0"), 0);
    CHECK_EQ(size_of("0K"), 0);
    CHECK_EQ(size_of("007M"), 7ULL << 20);
    CHECK_EQ(size_of("67108864"), 64ULL << 20);
}

/* KB, MB, GB are the same powers of 1024 as KiB, MiB, GiB and K, M, G. */
TEST(size_binary_units)
{
    static const char *const same[][3] = {
        {"512K", "512KB", "512KiB"},
        {"64M", "64MB", "64MiB"},
        {"1G", "1GB", "1GiB"},
        {"3g", "3gB", "3giB"},
    };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        CHECK_EQ(size_of(same[i][1]), size_of(same[i][0]));
        CHECK_EQ(size_of(same[i][2]), size_of(same[i][0]));
    }
    CHECK_EQ(size_of("1MB"), 1048576);
    CHECK_EQ(size_of("1KiB"), 1024);
}

TEST(size_fractions)
{
    CHECK_EQ(size_of("1.5G"), 3ULL << 29);
    CHECK_EQ(size_of("1.5GiB"), 3ULL << 29);
    CHECK_EQ(size_of("0.5K"), 512);
    CHECK_EQ(size_of("1.25K"), 1280);
    CHECK_EQ(size_of("2.0M"), 2ULL << 20);
    /* Trailing zeros add nothing. */
    CHECK_EQ(size_of("2.000000000000000000000000000000000000000M"), 2ULL << 20);
    CHECK_EQ(size_of("1.0"), 1); /* bytes: a zero fraction is whole */
    CHECK_EQ(size_of("0.0009765625M"), 1024); /* 2^-10 M */
    /* 2^-30 G: one byte, the finest fraction there is. */
    CHECK_EQ(size_of("0.000000000931322574615478515625G"), 1);
    CHECK_EQ(size_of("16777215.999999999068677425384521484375G"),
             (16777216ULL << 30) - 1);
    CHECK_FRACTION("1.5");
    CHECK_FRACTION("0.5B");
    CHECK_FRACTION("1.1K");
    CHECK_FRACTION("0.001K");
    CHECK_FRACTION("1.3G");
    CHECK_FRACTION("0.0000000009313225746154785156251G"); /* 31 digits */
    CHECK_FRACTION("0.00048828125K"); /* 2^-11 K: half a byte */
}

TEST(size_malformed)
{
    CHECK_BAD_SIZE("");
    CHECK_BAD_SIZE("M");
    CHECK_BAD_SIZE("B");
    CHECK_BAD_SIZE("G1");
    CHECK_BAD_SIZE("64MM");
    CHECK_BAD_SIZE("64 M");
    CHECK_BAD_SIZE(" 64");
    CHECK_BAD_SIZE("64 ");
    CHECK_BAD_SIZE("-1");
    CHECK_BAD_SIZE("+1");
    CHECK_BAD_SIZE("1T");
    CHECK_BAD_SIZE("1TB");
    CHECK_BAD_SIZE("0x10");
    CHECK_BAD_SIZE("1e3");
    CHECK_BAD_SIZE("64Mb"); /* megabits? */
    CHECK_BAD_SIZE("64mb");
    CHECK_BAD_SIZE("64MIB");
    CHECK_BAD_SIZE("64Mib");
    CHECK_BAD_SIZE("64MiBs");
    CHECK_BAD_SIZE("64iB");
    CHECK_BAD_SIZE("64BB");
    CHECK_BAD_SIZE("1.");
    CHECK_BAD_SIZE(".5G");
    CHECK_BAD_SIZE("1..5G");
    CHECK_BAD_SIZE("1.5.0G");
    CHECK_BAD_SIZE("1,5G");
    CHECK_BAD_SIZE("1.G");
    CHECK_BAD_SIZE("1.-5G");
    CHECK_BAD_SIZE("99999999999999999999x"); /* malformed before large */
}

TEST(size_overflow)
{
    CHECK_TOO_LARGE("99999999999999999999G");
    CHECK_TOO_LARGE("18446744073709551616"); /* 2^64 */
    CHECK_TOO_LARGE("17179869184G");         /* 2^34 G = 2^64 */
    CHECK_TOO_LARGE("17592186044416M");      /* 2^44 M = 2^64 */
    CHECK_TOO_LARGE("18014398509481984K");   /* 2^54 K = 2^64 */
    CHECK_TOO_LARGE("99999999999999999999.5G");
    /* The largest values that fit. */
    CHECK_EQ(size_of("18446744073709551615"), UINT64_MAX);
    CHECK_EQ(size_of("17179869183G"), 17179869183ULL << 30);
    CHECK_EQ(size_of("17592186044415M"), 17592186044415ULL << 20);
    /* With every fraction below 1G: 2^64 - 1 bytes exactly. */
    CHECK_EQ(size_of("17179869183.999999999068677425384521484375G"),
             UINT64_MAX);
}

/* ---- husk_args_parse: defaults, image, "--" ---- */

TEST(args_defaults)
{
    CHECK_EQ(PARSE("img"), 0);
    CHECK_STREQ(cfg.image_path, "img");
    CHECK(cfg.image_path == argv_[1]);
    CHECK_EQ(cfg.mem_size, HUSK_MEM_DEFAULT);
    CHECK_EQ(cfg.mem_size, 64ULL << 20);
    CHECK_EQ(cfg.timeout_s, 0);
    CHECK_EQ(cfg.guest_argc, 0);
    CHECK(cfg.guest_argv != NULL && cfg.guest_argv[0] == NULL);
    CHECK_EQ(cfg.device_count, 0);
    CHECK(!cfg.help && !cfg.version);
    CHECK_EQ(cfg.console_rate, HUSK_CONSOLE_RATE_DEFAULT);
    CHECK(cfg.user == NULL && cfg.group == NULL);
    CHECK(!cfg.no_jail && !cfg.print_seccomp);
}

TEST(args_no_image)
{
    const char *const none[] = {NULL};
    CHECK_USAGE(parse_list(none), "no image given");
    CHECK_HAS(err, "husk --help");
    CHECK_USAGE(PARSE("--mem=8M"), "no image given");
    CHECK_USAGE(PARSE("--", "img"), "no image given"); /* a guest arg */
}

TEST(args_empty_image_path)
{
    CHECK_USAGE(PARSE(""), "the image path is empty");
}

TEST(args_second_positional)
{
    CHECK_USAGE(PARSE("img", "extra"),
                "extra: unexpected argument; guest arguments go after --");
}

TEST(args_options_after_image)
{
    CHECK_EQ(PARSE("img", "--mem=8M", "--timeout=3"), 0);
    CHECK_EQ(cfg.mem_size, 8ULL << 20);
    CHECK_EQ(cfg.timeout_s, 3);
}

TEST(args_guest_args)
{
    CHECK_EQ(PARSE("img", "--", "a", "--mem=8M", "--", "-x"), 0);
    CHECK_EQ(cfg.guest_argc, 4);
    CHECK(cfg.guest_argv == &argv_[3]); /* pointers into argv, not copies */
    CHECK_STREQ(cfg.guest_argv[0], "a");
    CHECK_STREQ(cfg.guest_argv[1], "--mem=8M");
    CHECK_STREQ(cfg.guest_argv[2], "--");
    CHECK_STREQ(cfg.guest_argv[3], "-x");
    CHECK(cfg.guest_argv[4] == NULL);
    CHECK_EQ(cfg.mem_size, HUSK_MEM_DEFAULT); /* not parsed as an option */
}

TEST(args_empty_guest_args)
{
    CHECK_EQ(PARSE("img", "--"), 0);
    CHECK_EQ(cfg.guest_argc, 0);
    CHECK(cfg.guest_argv[0] == NULL);
    CHECK_EQ(PARSE("img", "--", ""), 0); /* an empty guest arg is fine */
    CHECK_EQ(cfg.guest_argc, 1);
    CHECK_STREQ(cfg.guest_argv[0], "");
}

/* Parse "img -- a a a ..." with n guest args of len characters each. */
static int parse_guest_args(const char *image, int n, size_t len)
{
    static const char *list[ARGV_MAX];
    char *arg = malloc(len + 1);
    CHECK(arg != NULL && n + 3 < ARGV_MAX);
    memset(arg, 'a', len);
    arg[len] = '\0';
    int i = 0;
    list[i++] = image;
    list[i++] = "--";
    while (i < n + 2)
        list[i++] = arg;
    list[i] = NULL;
    int rc = parse_list(list);
    free(arg);
    return rc;
}

TEST(args_too_many_guest_args)
{
    /* argv[0] counts: HUSK_ARGC_MAX - 1 guest arguments at most. */
    CHECK_EQ(parse_guest_args("img", HUSK_ARGC_MAX - 1, 1), 0);
    CHECK_EQ(cfg.guest_argc, HUSK_ARGC_MAX - 1);
    CHECK_USAGE(parse_guest_args("img", HUSK_ARGC_MAX, 1),
                "too many guest arguments (at most 255)");
    CHECK_USAGE(parse_guest_args("img", 1000, 0), "too many guest arguments");
}

TEST(args_guest_args_too_long)
{
    /* "img\0" + "aaa...\0" = 4 + len + 1 bytes, NULs included. */
    CHECK_EQ(parse_guest_args("img", 1, HUSK_ARGS_MAX - 5), 0);
    CHECK_USAGE(parse_guest_args("img", 1, HUSK_ARGS_MAX - 4),
                "guest arguments too long (4097 bytes; at most 4096)");
    /* Many empty strings: their NULs count. */
    CHECK_EQ(parse_guest_args("img", 200, 19), 0); /* 4 + 200 * 20 */
    CHECK_USAGE(parse_guest_args("img", 205, 19), "guest arguments too long");
}

TEST(args_long_image_path_counts)
{
    /* The image path is the guest's argv[0]: it counts towards the limit. */
    char *path = malloc(HUSK_ARGS_MAX + 1);
    CHECK(path != NULL);
    memset(path, 'p', HUSK_ARGS_MAX);
    path[HUSK_ARGS_MAX] = '\0';
    CHECK_USAGE(PARSE(path), "guest arguments too long (4097 bytes");
    path[HUSK_ARGS_MAX - 1] = '\0';
    CHECK_EQ(PARSE(path), 0);
    CHECK_USAGE(PARSE(path, "--", ""), "guest arguments too long");
}

/* ---- --mem ---- */

TEST(args_mem_bounds)
{
    CHECK_EQ(PARSE("--mem=4M", "img"), 0);
    CHECK_EQ(cfg.mem_size, HUSK_MEM_MIN);
    CHECK_EQ(PARSE("--mem=32G", "img"), 0);
    CHECK_EQ(cfg.mem_size, HUSK_MEM_MAX);
    CHECK_EQ(PARSE("--mem=4096K", "img"), 0);
    CHECK_EQ(cfg.mem_size, 4ULL << 20);
    CHECK_EQ(PARSE("--mem=34359738368", "img"), 0); /* bare number: bytes */
    CHECK_EQ(cfg.mem_size, 32ULL << 30);
    CHECK_EQ(PARSE("--mem=64MiB", "img"), 0);
    CHECK_EQ(cfg.mem_size, 64ULL << 20);
    CHECK_EQ(PARSE("--mem=1GB", "img"), 0);
    CHECK_EQ(cfg.mem_size, 1ULL << 30);
    CHECK_EQ(PARSE("--mem=1.5G", "img"), 0);
    CHECK_EQ(cfg.mem_size, 1536ULL << 20);
}

TEST(args_mem_too_small)
{
    CHECK_USAGE(PARSE("--mem=2M", "img"),
                "--mem=2M: too small; the minimum is 4M");
    CHECK_USAGE(PARSE("--mem=0", "img"), "--mem=0: too small");
    CHECK(strstr(err, "alone") == NULL); /* no "--mem=0M?" */
    CHECK_USAGE(PARSE("--mem=4094K", "img"), "too small");
    CHECK_USAGE(PARSE("--mem=3.5M", "img"), "too small");
    /* Checked as asked, before rounding: 3M is not taken as 4M. */
    CHECK_USAGE(PARSE("--mem=3M", "img"), "--mem=3M: too small");
    /* A bare number is bytes: the message says so. */
    CHECK_USAGE(PARSE("--mem=64", "img"),
                "--mem=64: too small; the minimum is 4M (a number alone is "
                "bytes: --mem=64M?)");
    CHECK_USAGE(PARSE("--mem=4194303", "img"), "too small");
    CHECK_EQ(PARSE("--mem=4194304", "img"), 0);
}

TEST(args_mem_too_large)
{
    CHECK_USAGE(PARSE("--mem=33G", "img"),
                "--mem=33G: too large; the maximum is 32G");
    CHECK_USAGE(PARSE("--mem=32770M", "img"), "too large");
    CHECK_USAGE(PARSE("--mem=32.5G", "img"), "too large");
    CHECK_USAGE(PARSE("--mem=17179869183G", "img"), "too large");
    /* Past 2^64 bytes: too large as well, not "not a size". */
    CHECK_USAGE(PARSE("--mem=17179869184G", "img"),
                "--mem=17179869184G: too large; the maximum is 32G");
    CHECK_USAGE(PARSE("--mem=99999999999999999999G", "img"),
                "--mem=99999999999999999999G: too large");
}

/* Guest memory comes in whole 2 MiB pages: --mem rounds up to them. */
TEST(args_mem_rounded_up_to_2m)
{
    static const struct {
        const char *arg;
        uint64_t mem;
    } cases[] = {
        {"--mem=5M", 6ULL << 20},
        {"--mem=4097K", 6ULL << 20},
        {"--mem=6145K", 8ULL << 20},
        {"--mem=4194305", 6ULL << 20},
        {"--mem=100000000", 96ULL << 20}, /* 95.4 MiB */
        {"--mem=1.00048828125G", 1026ULL << 20},
        {"--mem=31.9990234375G", 32ULL << 30},
        {"--mem=6M", 6ULL << 20}, /* a multiple stays */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (PARSE(cases[i].arg, "img") != 0)
            FAIL("%s: %s", cases[i].arg, err);
        if (cfg.mem_size != cases[i].mem)
            FAIL("%s gave %llu bytes, expected %llu", cases[i].arg,
                 (unsigned long long)cfg.mem_size,
                 (unsigned long long)cases[i].mem);
    }
}

TEST(args_mem_malformed)
{
    const char *msg = "not a size (bytes, or a number with K, M or G, also as "
                      "KB or KiB: try --mem=64M or --mem=1.5G)";
    CHECK_USAGE(PARSE("--mem=", "img"), msg);
    CHECK_USAGE(PARSE("--mem=lots", "img"), "--mem=lots: not a size");
    CHECK_USAGE(PARSE("--mem=64Mb", "img"), msg);
    CHECK_USAGE(PARSE("--mem=-64M", "img"), msg);
    CHECK_USAGE(PARSE("--mem=1T", "img"), msg);
    CHECK_USAGE(PARSE("--mem=.5G", "img"), msg);
    CHECK_USAGE(PARSE("--mem=1.1K", "img"),
                "--mem=1.1K: not a whole number of bytes (K, M and G are "
                "1024, 1024^2 and 1024^3 bytes)");
    CHECK_USAGE(PARSE("--mem=1.3G", "img"), "not a whole number of bytes");
}

TEST(args_mem_last_wins)
{
    CHECK_EQ(PARSE("--mem=8M", "--mem=16M", "img"), 0);
    CHECK_EQ(cfg.mem_size, 16ULL << 20);
}

/* ---- --timeout ---- */

TEST(args_timeout_bounds)
{
    CHECK_EQ(PARSE("--timeout=1", "img"), 0);
    CHECK_EQ(cfg.timeout_s, 1);
    CHECK_EQ(PARSE("--timeout=31536000", "img"), 0);
    CHECK_EQ(cfg.timeout_s, HUSK_TIMEOUT_MAX);
}

TEST(args_timeout_bad)
{
    const char *msg = "expected whole seconds from 1 to 31536000";
    static const char *const bad[] = {
        "0",
        "31536001",
        "abc",
        "",
        "-1",
        "+5",
        " 5",
        "5 ",
        "1.5",
        "10s",
        "0x10",
        "99999999999999999999999",
        "18446744073709551617",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char opt[64];
        snprintf(opt, sizeof(opt), "--timeout=%s", bad[i]);
        if (PARSE(opt, "img") != -1)
            FAIL("%s was accepted", opt);
        CHECK_HAS(err, opt);
        CHECK_HAS(err, msg);
    }
}

/* ---- --block: and --net: ---- */

TEST(args_block_and_net)
{
    CHECK_EQ(
        PARSE("--block:disk=a.img,ro", "--net:eth0=tap0,ip=10.0.0.2/24", "img"),
        0);
    CHECK_EQ(cfg.device_count, 2);
    CHECK_EQ(cfg.devices[0].kind, HUSK_DEVICE_BLOCK);
    CHECK_STREQ(cfg.devices[0].name, "disk");
    CHECK_STREQ(cfg.devices[0].spec, "a.img,ro");
    CHECK(cfg.devices[0].spec == argv_[1] + strlen("--block:disk="));
    CHECK_EQ(cfg.devices[1].kind, HUSK_DEVICE_NET);
    CHECK_STREQ(cfg.devices[1].name, "eth0");
    CHECK_STREQ(cfg.devices[1].spec, "tap0,ip=10.0.0.2/24");
}

TEST(args_device_spec_keeps_equals)
{
    CHECK_EQ(PARSE("--block:d_1=a=b", "img"), 0);
    CHECK_STREQ(cfg.devices[0].name, "d_1");
    CHECK_STREQ(cfg.devices[0].spec, "a=b");
}

TEST(args_device_syntax)
{
    CHECK_USAGE(PARSE("img", "--block:disk"),
                "--block:disk: missing its value (--block:disk=FILE or "
                "--block:disk FILE)");
    CHECK_USAGE(PARSE("--block:disk=", "img"),
                "--block:disk=: expected --block:NAME=FILE or --block:NAME "
                "FILE");
    CHECK_USAGE(PARSE("--block:", "img"), "expected --block:NAME=FILE");
    CHECK_USAGE(PARSE("--block:", "x", "img"),
                "--block:: expected --block:NAME=FILE");
    CHECK_USAGE(PARSE("img", "--net:eth0"),
                "--net:eth0: missing its value (--net:eth0=TAP or --net:eth0 "
                "TAP)");
    CHECK_USAGE(PARSE("--net:eth0=", "img"), "expected --net:NAME=TAP");
    /* Without a FILE, the image becomes it: the message says so. */
    CHECK_USAGE(PARSE("--block:disk", "img"),
                "no image given (--block:disk took img as its FILE; usage: "
                "husk [OPTIONS] IMAGE [-- ARGS])");
    CHECK_USAGE(PARSE("--block:d", "img", "--", "a"),
                "no image given (--block:d took img as its FILE;");
    /* Not when something came between. */
    CHECK_USAGE(PARSE("--block:d", "img", "--stats"), "no image given (usage:");
}

TEST(args_device_bad_names)
{
    const char *msg = "device name must be 1-31 characters of a-z, 0-9, _";
    CHECK_USAGE(PARSE("--block:=x", "img"), msg);
    CHECK_USAGE(PARSE("--block:Disk=x", "img"), "--block:Disk=x: device name");
    CHECK_USAGE(PARSE("--block:a-b=x", "img"), msg);
    CHECK_USAGE(PARSE("--block:a.b=x", "img"), msg);
    CHECK_USAGE(PARSE("--block:a b=x", "img"), msg);
    CHECK_USAGE(PARSE("--net:\xc3\xa9=x", "img"), msg);
    char name[64];
    memset(name, 'n', 31);
    snprintf(name + 31, sizeof(name) - 31, "=x");
    char opt[80];
    snprintf(opt, sizeof(opt), "--block:%s", name);
    CHECK_EQ(PARSE(opt, "img"), 0); /* 31 characters: the longest name */
    CHECK_EQ(strlen(cfg.devices[0].name), 31);
    snprintf(opt, sizeof(opt), "--block:n%s", name);
    CHECK_USAGE(PARSE(opt, "img"), msg);
}

TEST(args_device_twice)
{
    CHECK_USAGE(PARSE("--block:a=x", "--block:a=y", "img"),
                "--block:a=y: device 'a' is given twice");
    /* Names are shared between kinds. */
    CHECK_USAGE(PARSE("--block:a=x", "--net:a=y", "img"),
                "device 'a' is given twice");
    /* A prefix is a different name. */
    CHECK_EQ(PARSE("--block:ab=x", "--block:a=y", "--block:abc=z", "img"), 0);
    CHECK_EQ(cfg.device_count, 3);
}

TEST(args_too_many_devices)
{
    static char opts[HUSK_DEVICES_MAX + 1][32];
    const char *list[HUSK_DEVICES_MAX + 3];
    for (int i = 0; i <= HUSK_DEVICES_MAX; i++) {
        snprintf(opts[i], sizeof(opts[i]), "--%s:d%d=%s",
                 i % 2 ? "net" : "block", i, i % 2 ? "t,ip=10.0.0.2/8" : "x");
        list[i] = opts[i];
    }
    list[HUSK_DEVICES_MAX] = "img";
    list[HUSK_DEVICES_MAX + 1] = NULL;
    CHECK_EQ(parse_list(list), 0);
    CHECK_EQ(cfg.device_count, HUSK_DEVICES_MAX);
    CHECK_STREQ(cfg.devices[15].name, "d15");
    list[HUSK_DEVICES_MAX] = opts[HUSK_DEVICES_MAX];
    list[HUSK_DEVICES_MAX + 1] = "img";
    list[HUSK_DEVICES_MAX + 2] = NULL;
    CHECK_USAGE(parse_list(list),
                "--block:d16=x: too many devices (at most 16)");
}

/* SPEC is checked by its kind's parser with the other options, in the
 * order given, and refused as "--KIND:NAME=SPEC: why". */
TEST(args_device_spec_checked)
{
    CHECK_USAGE(PARSE("--block:disk=x,rw", "img"),
                "--block:disk=x,rw: unknown option 'rw' (the only one is ro)");
    CHECK_USAGE(PARSE("--block:disk=,ro", "img"),
                "--block:disk=,ro: no file given");
    CHECK_USAGE(PARSE("--net:eth0=tap0", "img"),
                "--net:eth0=tap0: no address for the guest");
    CHECK_USAGE(PARSE("--net:eth0=tap0,ip=10.0.0.2/24,gw=10.1.0.1", "img"),
                "gw=10.1.0.1: not another host on the guest's subnet");
    CHECK_USAGE(PARSE("--net:eth0=tap0,ip=10.0.0.2/24,speed=1", "img"),
                "unknown option 'speed'");
    /* The first error on the command line wins. */
    CHECK_USAGE(PARSE("--mem=3M", "--block:disk=x,rw", "img"), "--mem=3M");
    CHECK_USAGE(PARSE("--block:disk=x,rw", "--mem=3M", "img"),
                "--block:disk=x,rw");
    /* A long one is cut in the message, the reason kept. */
    static char opt[HUSK_BLOCK_PATH_MAX + 32];
    snprintf(opt, sizeof(opt), "--block:disk=");
    memset(opt + 13, 'a', HUSK_BLOCK_PATH_MAX);
    CHECK_USAGE(PARSE(opt, "img"), "--block:disk=aaa");
    CHECK_HAS(err, "...: file name too long");
    CHECK(strlen(err) < 300);
    /* A bad SPEC is not counted: the same name may follow. */
    CHECK_EQ(PARSE("--net:n=tap0,ip=10.0.0.2/24,mtu=9999999", "img"), -1);
    CHECK_EQ(cfg.device_count, 0);
    CHECK_EQ(PARSE("--block:disk=a.img,ro", "img"), 0);
}

/* The table of kinds: every entry complete, found by its number. */
TEST(args_device_kinds_table)
{
    size_t count = 0;
    for (size_t i = 0; husk_device_kinds[i] != NULL; i++, count++) {
        const struct husk_device_kind *k = husk_device_kinds[i];
        CHECK(k->name != NULL && k->name[0] != '\0');
        CHECK(k->spec_name != NULL && k->spec_name[0] != '\0');
        CHECK(k->check_spec != NULL);
        /* Its help entry starts with its option and ends a line. */
        char opt[64];
        snprintf(opt, sizeof(opt), "  --%s:NAME=%s", k->name, k->spec_name);
        CHECK(strncmp(k->usage, opt, strlen(opt)) == 0);
        CHECK(k->usage[strlen(k->usage) - 1] == '\n');
        CHECK(husk_device_kind_of(k->kind) == k);
        for (size_t j = 0; j < i; j++) {
            CHECK(husk_device_kinds[j]->kind != k->kind);
            CHECK(strcmp(husk_device_kinds[j]->name, k->name) != 0);
        }
    }
    CHECK_EQ(count, 2);
    CHECK(husk_device_kind_of(HUSK_DEVICE_BLOCK) == &husk_block_kind);
    CHECK(husk_device_kind_of(HUSK_DEVICE_NET) == &husk_net_kind);
    CHECK(husk_device_kind_of(0) == NULL);
    CHECK(husk_device_kind_of(99) == NULL);
}

/* ---- unknown options, help, version ---- */

TEST(args_unknown_option)
{
    CHECK_USAGE(PARSE("--memory=8M", "img"),
                "--memory=8M: unknown option (see husk --help)");
    CHECK_USAGE(PARSE("-x", "img"), "-x: unknown option");
    CHECK_USAGE(PARSE("img", "--mem"), "--mem: missing its value");
    CHECK_USAGE(PARSE("img", "--timeout"), "--timeout: missing its value");
    CHECK_USAGE(PARSE("img", "--mem64M"), "--mem64M: unknown option");
    CHECK_USAGE(PARSE("img", "--mem:64M"), "--mem:64M: unknown option");
    CHECK_USAGE(PARSE("img", "--stats=1"),
                "--stats=1: expected --stats, --stats=text or --stats=json");
    CHECK_USAGE(PARSE("img", "--statsjson"), "--statsjson: unknown option");
    CHECK_USAGE(PARSE("img", "--version=1"), "--version=1: unknown option");
    CHECK_USAGE(PARSE("img", "--block"), "--block: unknown option");
    CHECK_USAGE(PARSE("img", "--net=x"), "--net=x: unknown option");
    /* A kind's name must be followed by ':'. */
    CHECK_USAGE(PARSE("img", "--blocks:a=x"), "--blocks:a=x: unknown option");
    CHECK_USAGE(PARSE("img", "--bloc:a=x"), "--bloc:a=x: unknown option");
    CHECK_USAGE(PARSE("img", "-block:a=x"), "-block:a=x: unknown option");
    CHECK_USAGE(PARSE("img", "--:a=x"), "--:a=x: unknown option");
    CHECK_USAGE(PARSE("img", "---"), "---: unknown option");
    CHECK_USAGE(PARSE("img", "--HELP"), "--HELP: unknown option");
}

TEST(args_help)
{
    CHECK_EQ(PARSE("--help"), 0); /* no image needed */
    CHECK(cfg.help && !cfg.version);
    CHECK_EQ(PARSE("-h"), 0);
    CHECK(cfg.help);
    CHECK_EQ(PARSE("img", "--mem=8M", "--help", "--bogus"), 0);
    CHECK(cfg.help);
    /* An error before --help is still an error. */
    CHECK_USAGE(PARSE("--bogus", "--help"), "--bogus: unknown option");
    /* After "--" it belongs to the guest. */
    CHECK_EQ(PARSE("img", "--", "--help"), 0);
    CHECK(!cfg.help);
}

TEST(args_version)
{
    CHECK_EQ(PARSE("--version"), 0);
    CHECK(cfg.version && !cfg.help);
    CHECK_EQ(PARSE("img", "--version", "--mem=bad"), 0);
    CHECK(cfg.version);
}

TEST(args_usage_text)
{
    static const char *const words[] = {
        "Usage: husk [OPTIONS] IMAGE [-- GUEST-ARGS...]",
        "husk inspect [--json] IMAGE",
        "--mem=SIZE",
        "--timeout=SECONDS",
        "--block:NAME=FILE",
        "--net:NAME=TAP",
        "--help",
        "--version",
        "multiple of 2M",
        "124",
        "125",
        "134",
        "139",
        "159",
    };
    const char *usage = husk_usage();
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        CHECK_HAS(usage, words[i]);
    size_t n = strlen(usage);
    CHECK(n > 0 && usage[n - 1] == '\n');
    /* All of it: the exit codes come last. */
    const char *tail = HUSK_EXIT_CODES_HELP;
    CHECK(n > strlen(tail) && strcmp(usage + n - strlen(tail), tail) == 0);
    CHECK(husk_usage() == usage); /* composed once */
}

/* Each kind's help entry is in --help, once, between --timeout and
 * --io-thread, in the list's order. */
TEST(args_usage_has_every_kind)
{
    const char *usage = husk_usage();
    const char *at = strstr(usage, "  --timeout=");
    CHECK(at != NULL);
    for (size_t i = 0; husk_device_kinds[i] != NULL; i++) {
        const struct husk_device_kind *k = husk_device_kinds[i];
        const char *entry = strstr(at, k->usage);
        if (entry == NULL)
            FAIL("--help lacks the %s entry", k->name);
        CHECK(strstr(entry + 1, k->usage) == NULL);
        at = entry + strlen(k->usage);
    }
    CHECK(strncmp(at, "  --io-thread=", 14) == 0);
}

TEST(args_err_truncated_to_errlen)
{
    char small[12];
    memset(small, 'X', sizeof(small));
    char *argv[] = {(char *)"husk", (char *)"--bogus-option-that-is-long",
                    NULL};
    CHECK_EQ(husk_args_parse(2, argv, &cfg, small, 8), -1);
    CHECK_EQ(strlen(small), 7);
    CHECK(small[8] == 'X'); /* nothing written past errlen */
}

/* ---- the sandbox's options ---- */

TEST(args_console_rate)
{
    CHECK_EQ(PARSE("--console-rate=64K", "img"), 0);
    CHECK_EQ(cfg.console_rate, 64 << 10);
    CHECK_EQ(PARSE("--console-rate=0", "img"), 0); /* no limit */
    CHECK_EQ(cfg.console_rate, 0);
    CHECK_EQ(PARSE("--console-rate=1G", "img"), 0); /* the largest */
    CHECK_EQ(cfg.console_rate, HUSK_CONSOLE_RATE_MAX);
    CHECK_EQ(PARSE("--console-rate=2", "img"), 0); /* bytes, as for --mem */
    CHECK_EQ(cfg.console_rate, 2);
    CHECK_EQ(PARSE("--console-rate=1.5KiB", "img"), 0);
    CHECK_EQ(cfg.console_rate, 1536);
    CHECK_EQ(PARSE("--console-rate", "64KB", "img"), 0);
    CHECK_EQ(cfg.console_rate, 64 << 10);
    CHECK_USAGE(PARSE("--console-rate=fast", "img"),
                "--console-rate=fast: not a size (bytes, or a number with K, "
                "M or G, also as KB or KiB: try --console-rate=64K, or 0 for "
                "no limit)");
    CHECK_USAGE(PARSE("--console-rate=0.1K", "img"),
                "--console-rate=0.1K: not a whole number of bytes");
    CHECK_USAGE(PARSE("--console-rate=99999999999999999999", "img"),
                "more than 1G a second");
    CHECK_USAGE(PARSE("--console-rate=", "img"), "--console-rate=: not a size");
    CHECK_USAGE(PARSE("--console-rate=1025M", "img"),
                "--console-rate=1025M: more than 1G a second; use 0 for no "
                "limit");
}

TEST(args_user_and_group)
{
    CHECK_EQ(PARSE("--user=nobody", "--group=1234", "img"), 0);
    CHECK_STREQ(cfg.user, "nobody");
    CHECK_STREQ(cfg.group, "1234");
    CHECK(cfg.user == argv_[1] + 7); /* resolved later, by jail.c */
    CHECK_USAGE(PARSE("--user=", "img"),
                "--user=: expected a name or a number");
    CHECK_USAGE(PARSE("--group=", "img"),
                "--group=: expected a name or a number");
    CHECK_USAGE(PARSE("img", "--user"), "--user: missing its value");
    CHECK_USAGE(PARSE("--user", "img"), "--user took img as its USER");
    CHECK_EQ(PARSE("--user", "nobody", "--group", "0", "img"), 0);
    CHECK_STREQ(cfg.user, "nobody");
    CHECK_STREQ(cfg.group, "0");
    CHECK(cfg.user == argv_[2]); /* the next argument itself */
}

TEST(args_jail_switches)
{
    CHECK_EQ(PARSE("--no-jail", "img", "--", "--print-seccomp"), 0);
    CHECK(cfg.no_jail && !cfg.print_seccomp); /* a guest arg, not ours */
    CHECK_EQ(PARSE("--print-seccomp", "img"), 0);
    CHECK(cfg.print_seccomp && !cfg.no_jail);
    CHECK_USAGE(PARSE("--no-jail=1", "img"), "--no-jail=1: unknown option");
    CHECK_USAGE(PARSE("--print-seccomp=yes", "img"),
                "--print-seccomp=yes: unknown option");
}

/* ---- --NAME VALUE as well as --NAME=VALUE ---- */

/* Each option that takes a value, in both forms, with the same result. */
TEST(args_value_in_next_argument)
{
    static const char *const pairs[][2] = {
        {"--backend", "process"}, {"--mem", "1.5G"},
        {"--timeout", "7"},       {"--io-thread", "on"},
        {"--io-spin", "99"},      {"--env", "A=b=c"},
        {"--stdin", "none"},      {"--console-rate", "64KiB"},
        {"--user", "nobody"},     {"--group", "nogroup"},
        {"--log-level", "debug"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        char joined[64];
        snprintf(joined, sizeof(joined), "%s=%s", pairs[i][0], pairs[i][1]);
        if (PARSE(joined, "img") != 0)
            FAIL("%s: %s", joined, err);
        struct husk_config want = cfg;
        if (PARSE(pairs[i][0], pairs[i][1], "img") != 0)
            FAIL("%s %s: %s", pairs[i][0], pairs[i][1], err);
        CHECK_STREQ(cfg.image_path, "img");
        CHECK_EQ(cfg.backend, want.backend);
        CHECK_EQ(cfg.mem_size, want.mem_size);
        CHECK_EQ(cfg.timeout_s, want.timeout_s);
        CHECK_EQ(cfg.io_thread, want.io_thread);
        CHECK_EQ(cfg.io_spin_us, want.io_spin_us);
        CHECK_EQ(cfg.stdin_none, want.stdin_none);
        CHECK_EQ(cfg.console_rate, want.console_rate);
        CHECK_EQ(cfg.env_count, want.env_count);
        CHECK((cfg.user == NULL) == (want.user == NULL));
        CHECK((cfg.group == NULL) == (want.group == NULL));
        CHECK_EQ(cfg.log_level, want.log_level);
    }
    CHECK_EQ(PARSE("--backend", "process", "--mem", "32M", "--timeout", "5",
                   "--stats", "img", "--", "--mem", "8M"),
             0);
    CHECK_EQ(cfg.backend, HUSK_BACKEND_PROCESS);
    CHECK_EQ(cfg.mem_size, 32ULL << 20);
    CHECK_EQ(cfg.timeout_s, 5);
    CHECK_EQ(cfg.stats, HUSK_STATS_TEXT);
    CHECK_EQ(cfg.guest_argc, 2); /* after "--": the guest's */
    CHECK_STREQ(cfg.guest_argv[0], "--mem");
    CHECK_EQ(PARSE("--env", "A=1", "--env", "B=2", "img"), 0);
    CHECK_EQ(cfg.env_count, 2);
    CHECK(cfg.env[1] == argv_[4]); /* into argv, as with --env= */
}

/* Errors name the option as --NAME=VALUE, whichever form it came in. */
TEST(args_value_errors_in_next_argument)
{
    CHECK_USAGE(PARSE("--mem", "3M", "img"),
                "--mem=3M: too small; the minimum is 4M");
    CHECK_USAGE(PARSE("--timeout", "0", "img"),
                "--timeout=0: expected whole seconds");
    CHECK_USAGE(PARSE("--timeout", "-5", "img"), "--timeout=-5: expected");
    CHECK_USAGE(PARSE("--backend", "qemu", "img"),
                "--backend=qemu: expected auto, kvm or process");
    CHECK_USAGE(PARSE("--stdin", "", "img"), "--stdin=: expected pass or none");
    CHECK_USAGE(PARSE("--user", "", "img"),
                "--user=: expected a name or a number");
    CHECK_USAGE(PARSE("--env", "FOO", "img"), "--env=FOO: expected");
}

/* A value that is missing, or that would be "--" or another option. */
TEST(args_value_missing)
{
    CHECK_USAGE(PARSE("img", "--mem"),
                "--mem: missing its value (--mem=SIZE or --mem SIZE)");
    CHECK_USAGE(PARSE("img", "--backend"),
                "--backend: missing its value (--backend=auto|kvm|process or "
                "--backend auto|kvm|process)");
    CHECK_USAGE(PARSE("--mem", "--", "img"),
                "--mem: missing its value before -- (--mem=SIZE");
    CHECK_USAGE(PARSE("--user", "--group=x", "img"),
                "--user: missing its value before --group=x (--user=USER or "
                "--user USER)");
    CHECK_USAGE(PARSE("--block:disk", "--stats", "img"),
                "--block:disk: missing its value before --stats");
    /* Such a value goes after '='. */
    CHECK_EQ(PARSE("--env=--x=1", "img"), 0);
    CHECK_STREQ(cfg.env[0], "--x=1");
    /* One dash is a value ("-5" is refused by --timeout itself). */
    CHECK_EQ(PARSE("--block:disk", "-", "img"), 0);
    CHECK_STREQ(cfg.devices[0].spec, "-");
    /* An empty next argument is a value, refused as --NAME= is. */
    CHECK_USAGE(PARSE("--mem", "", "img"), "--mem=: not a size");
}

TEST(args_device_in_next_argument)
{
    CHECK_EQ(PARSE("--block:disk", "a.img,ro", "--net:eth0",
                   "tap0,ip=10.0.0.2/24", "img", "--", "x"),
             0);
    CHECK_EQ(cfg.device_count, 2);
    CHECK_STREQ(cfg.devices[0].name, "disk");
    CHECK(cfg.devices[0].spec == argv_[2]);
    CHECK_STREQ(cfg.devices[1].name, "eth0");
    CHECK_STREQ(cfg.devices[1].spec, "tap0,ip=10.0.0.2/24");
    CHECK_STREQ(cfg.image_path, "img");
    CHECK_EQ(cfg.guest_argc, 1);
    CHECK_EQ(PARSE("--net:n", "user,hostfwd=tcp:18080-:80", "img"), 0);
    CHECK_STREQ(cfg.devices[0].spec, "user,hostfwd=tcp:18080-:80");
    /* The same checks, quoted as --KIND:NAME=SPEC. */
    CHECK_USAGE(PARSE("--block:disk", "x,rw", "img"),
                "--block:disk=x,rw: unknown option 'rw' (the only one is ro)");
    CHECK_USAGE(PARSE("--block:a", "x", "--block:a=y", "img"),
                "--block:a=y: device 'a' is given twice");
    /* A bad NAME is refused before the next argument is taken. */
    CHECK_USAGE(PARSE("--block:Disk", "x", "img"),
                "--block:Disk: device name must be 1-31 characters");
    CHECK_USAGE(PARSE("img", "--block:Disk"), "--block:Disk: device name");
    CHECK_USAGE(PARSE("--block:a", "x", "--block:a", "img"),
                "--block:a: device 'a' is given twice");
    /* A long one is cut in the message, the reason kept. */
    static char spec[HUSK_BLOCK_PATH_MAX + 1];
    memset(spec, 'a', HUSK_BLOCK_PATH_MAX);
    CHECK_USAGE(PARSE("--block:disk", spec, "img"), "--block:disk=aaa");
    CHECK_HAS(err, "...: file name too long");
    CHECK(strlen(err) < 300);
}

/* ---- --help: every option, its forms, 80 columns ---- */

TEST(args_usage_lists_every_option)
{
    static const char *const words[] = {
        "--backend=auto|kvm|process",
        "--mem=SIZE",
        "--timeout=SECONDS",
        "--io-thread=off|auto|on",
        "--io-spin=MICROSECONDS",
        "--env=NAME=VALUE",
        "--stdin=pass|none",
        "--console-rate=SIZE",
        "--user=USER",
        "--group=GROUP",
        "--no-jail",
        "--print-seccomp",
        "--stats[=text|json]",
        "--log-level=error|warn|info|debug",
        "--help, -h",
        "--version",
        "--block:NAME=FILE[,ro]",
        "--net:NAME=TAP,ip=A.B.C.D/N",
        "--net:NAME=user",
        "gw=",
        "mac=",
        "mtu=",
        "rate=SIZE",
        "hostfwd=",
        "--mem 64M",
        "--block:NAME FILE",
        "1M = 1MB =",
        "KiB",
        "GiB",
        "1.5G",
        "whole bytes",
        "rounded up to a multiple of 2M",
    };
    const char *usage = husk_usage();
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        CHECK_HAS(usage, words[i]);
}

TEST(args_usage_80_columns)
{
    const char *usage = husk_usage();
    /* The exit codes (exitcode.h) are checked apart, below. */
    size_t body = strlen(usage) - strlen(HUSK_EXIT_CODES_HELP);
    unsigned line = 1;
    for (const char *p = usage; p < usage + body; line++) {
        const char *nl = strchr(p, '\n');
        CHECK(nl != NULL);
        if (nl - p > 80)
            FAIL("--help line %u is %d columns: %.*s", line, (int)(nl - p),
                 (int)(nl - p), p);
        p = nl + 1;
    }
}

TEST(args_usage_exit_codes_80_columns)
{
    for (const char *p = HUSK_EXIT_CODES_HELP; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        CHECK(nl != NULL);
        CHECK(nl - p <= 80);
        p = nl + 1;
    }
}

/* ---- husk_kvm_open_error: what --backend=kvm says ---- */

TEST(kvm_open_error_missing)
{
    char msg[512];
    static const int missing[] = {ENOENT, ENODEV, ENXIO};
    for (size_t i = 0; i < 3; i++) {
        memset(msg, 0, sizeof(msg));
        CHECK(husk_kvm_open_error(missing[i], msg, sizeof(msg)));
        CHECK(strncmp(msg, "/dev/kvm: ", 10) == 0);
        CHECK_HAS(msg, "load the kvm_intel or kvm_amd module");
        CHECK_HAS(msg, "VT-x or AMD-V");
        CHECK_HAS(msg, "nested virtualisation");
        CHECK_HAS(msg, "--backend=process, which needs no KVM");
        CHECK(strchr(msg, '\n') == NULL);
    }
    husk_kvm_open_error(ENOENT, msg, sizeof(msg));
    CHECK_HAS(msg, "/dev/kvm: not found: load the kvm_intel");
    husk_kvm_open_error(ENXIO, msg, sizeof(msg));
    CHECK_HAS(msg, "/dev/kvm: no KVM behind it: load");
}

TEST(kvm_open_error_permission)
{
    char msg[512];
    CHECK(!husk_kvm_open_error(EACCES, msg, sizeof(msg)));
    CHECK_STREQ(msg, "/dev/kvm: permission denied: add this user to the kvm "
                     "group (usermod -aG kvm $USER, then log in again), or "
                     "run with --backend=process, which needs no KVM");
    CHECK(!husk_kvm_open_error(EPERM, msg, sizeof(msg)));
    CHECK_HAS(msg, "/dev/kvm: not permitted: ");
    CHECK_HAS(msg, "pass /dev/kvm through");
    CHECK_HAS(msg, "--backend=process");
    CHECK(strchr(msg, '\n') == NULL);
}

TEST(kvm_open_error_other)
{
    char msg[512];
    CHECK(!husk_kvm_open_error(EBUSY, msg, sizeof(msg)));
    CHECK_STREQ(msg, "/dev/kvm: cannot open: Device or resource busy "
                     "(--backend=process needs no KVM)");
    CHECK(!husk_kvm_open_error(EMFILE, msg, sizeof(msg)));
    CHECK_HAS(msg, "Too many open files");
    CHECK(!husk_kvm_open_error(0, msg, sizeof(msg)));
    CHECK_HAS(msg, "/dev/kvm: cannot open: ");
    /* Cut to the buffer, NUL-terminated. */
    char small[16];
    memset(small, 'X', sizeof(small));
    CHECK(husk_kvm_open_error(ENOENT, small, 12));
    CHECK_EQ(strlen(small), 11);
    CHECK(small[12] == 'X');
}

/* ---- --stats[=text|json] and --log-level ---- */

TEST(args_stats_forms)
{
    CHECK_EQ(PARSE("img"), 0);
    CHECK_EQ(cfg.stats, HUSK_STATS_OFF);
    CHECK_EQ(PARSE("--stats", "img"), 0);
    CHECK_EQ(cfg.stats, HUSK_STATS_TEXT);
    CHECK_EQ(PARSE("--stats=text", "img"), 0);
    CHECK_EQ(cfg.stats, HUSK_STATS_TEXT);
    CHECK_EQ(PARSE("--stats=json", "img"), 0);
    CHECK_EQ(cfg.stats, HUSK_STATS_JSON);
    CHECK_EQ(PARSE("--stats=json", "--stats", "img"), 0); /* the last wins */
    CHECK_EQ(cfg.stats, HUSK_STATS_TEXT);
    /* An optional value only after '=': the next argument is the image. */
    CHECK_EQ(PARSE("--stats", "json"), 0);
    CHECK_STREQ(cfg.image_path, "json");
    CHECK_USAGE(PARSE("--stats=", "img"),
                "--stats=: expected --stats, --stats=text or --stats=json");
    CHECK_USAGE(PARSE("--stats=JSON", "img"), "--stats=JSON: expected");
}

TEST(args_log_level)
{
    CHECK_EQ(PARSE("img"), 0);
    CHECK_EQ(cfg.log_level, HUSK_LOG_WARN);
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (size_t i = 0; i < 4; i++) {
        char arg[32];
        snprintf(arg, sizeof(arg), "--log-level=%s", names[i]);
        CHECK_EQ(PARSE(arg, "img"), 0);
        CHECK_EQ(cfg.log_level, (enum husk_log_level)i);
    }
    CHECK_USAGE(PARSE("--log-level=loud", "img"),
                "--log-level=loud: expected error, warn, info or debug");
    CHECK_USAGE(PARSE("--log-level=", "img"),
                "--log-level=: expected error, warn, info or debug");
    CHECK_USAGE(PARSE("img", "--log-level"), "--log-level: missing its value");
}
