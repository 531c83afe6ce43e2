/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* test_args.c: husk_parse_size and husk_args_parse (monitor/args.c). */
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

static void check_bad_size(const char *s, int line)
{
    uint64_t v = 0xdeadbeef;
    if (husk_parse_size(s, &v) != -1)
        unit_fail(__FILE__, line, "husk_parse_size(\"%s\") accepted it: %llu",
                  s, (unsigned long long)v);
    if (v != 0xdeadbeef)
        unit_fail(__FILE__, line, "husk_parse_size(\"%s\") wrote *out", s);
}
#define CHECK_BAD_SIZE(s) check_bad_size(s, __LINE__)

/* ---- husk_parse_size ---- */

TEST(size_suffixes)
{
    CHECK_EQ(size_of("64"), 64ULL << 20); /* a bare number is MiB */
    CHECK_EQ(size_of("64M"), 64ULL << 20);
    CHECK_EQ(size_of("64m"), 64ULL << 20);
    CHECK_EQ(size_of("512K"), 512ULL << 10);
    CHECK_EQ(size_of("512k"), 512ULL << 10);
    CHECK_EQ(size_of("1G"), 1ULL << 30);
    CHECK_EQ(size_of("32g"), 32ULL << 30);
    CHECK_EQ(size_of("0"), 0);
    CHECK_EQ(size_of("007M"), 7ULL << 20);
}

TEST(size_malformed)
{
    CHECK_BAD_SIZE("");
    CHECK_BAD_SIZE("M");
    CHECK_BAD_SIZE("G1");
    CHECK_BAD_SIZE("64MB");
    CHECK_BAD_SIZE("64MM");
    CHECK_BAD_SIZE("64 M");
    CHECK_BAD_SIZE(" 64");
    CHECK_BAD_SIZE("64 ");
    CHECK_BAD_SIZE("-1");
    CHECK_BAD_SIZE("+1");
    CHECK_BAD_SIZE("1T");
    CHECK_BAD_SIZE("1.5G");
    CHECK_BAD_SIZE("0x10");
    CHECK_BAD_SIZE("1e3");
}

TEST(size_overflow)
{
    CHECK_BAD_SIZE("99999999999999999999G"); /* strtoull: ERANGE */
    CHECK_BAD_SIZE("18446744073709551616");  /* 2^64 */
    CHECK_BAD_SIZE("18446744073709551615");  /* fits, but not as MiB */
    CHECK_BAD_SIZE("17179869184G");          /* 2^34 G = 2^64 */
    CHECK_BAD_SIZE("17592186044416M");       /* 2^44 M = 2^64 */
    CHECK_BAD_SIZE("18014398509481984K");    /* 2^54 K = 2^64 */
    /* The largest values that fit. */
    CHECK_EQ(size_of("17179869183G"), 17179869183ULL << 30);
    CHECK_EQ(size_of("17592186044415M"), 17592186044415ULL << 20);
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
    CHECK_EQ(PARSE("--mem=32768", "img"), 0); /* bare number: MiB */
    CHECK_EQ(cfg.mem_size, 32ULL << 30);
    CHECK_EQ(PARSE("--mem=6", "img"), 0);
    CHECK_EQ(cfg.mem_size, 6ULL << 20);
}

TEST(args_mem_too_small)
{
    CHECK_USAGE(PARSE("--mem=2M", "img"),
                "--mem=2M: too small; the minimum is 4M");
    CHECK_USAGE(PARSE("--mem=0", "img"), "--mem=0: too small");
    CHECK_USAGE(PARSE("--mem=4094K", "img"), "too small");
    CHECK_USAGE(PARSE("--mem=2", "img"), "too small"); /* 2 MiB */
}

TEST(args_mem_too_large)
{
    CHECK_USAGE(PARSE("--mem=33G", "img"),
                "--mem=33G: too large; the maximum is 32G");
    CHECK_USAGE(PARSE("--mem=32770M", "img"), "too large");
    CHECK_USAGE(PARSE("--mem=17179869183G", "img"), "too large");
}

TEST(args_mem_not_multiple_of_2m)
{
    CHECK_USAGE(PARSE("--mem=5M", "img"), "--mem=5M: must be a multiple of 2M");
    CHECK_USAGE(PARSE("--mem=4097K", "img"), "must be a multiple of 2M");
    CHECK_USAGE(PARSE("--mem=6145K", "img"), "must be a multiple of 2M");
    CHECK_USAGE(PARSE("--mem=31", "img"), "must be a multiple of 2M");
}

TEST(args_mem_malformed)
{
    const char *msg = "not a size (try --mem=64M or --mem=1G)";
    CHECK_USAGE(PARSE("--mem=", "img"), msg);
    CHECK_USAGE(PARSE("--mem=lots", "img"), "--mem=lots: not a size");
    CHECK_USAGE(PARSE("--mem=64MB", "img"), msg);
    CHECK_USAGE(PARSE("--mem=-64M", "img"), msg);
    CHECK_USAGE(PARSE("--mem=1T", "img"), msg);
    CHECK_USAGE(PARSE("--mem=99999999999999999999G", "img"),
                "--mem=99999999999999999999G: not a size");
    CHECK_USAGE(PARSE("--mem=17179869184G", "img"), msg); /* wraps to 0 */
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
    CHECK_USAGE(PARSE("--block:disk", "img"),
                "--block:disk: expected --block:NAME=FILE");
    CHECK_USAGE(PARSE("--block:disk=", "img"), "expected --block:NAME=FILE");
    CHECK_USAGE(PARSE("--block:", "img"), "expected --block:NAME=FILE");
    CHECK_USAGE(PARSE("--net:eth0", "img"),
                "--net:eth0: expected --net:NAME=TAP");
    CHECK_USAGE(PARSE("--net:eth0=", "img"), "expected --net:NAME=TAP");
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
    CHECK_USAGE(PARSE("img", "--mem"), "--mem: unknown option");
    CHECK_USAGE(PARSE("img", "--timeout"), "--timeout: unknown option");
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
        "usage: husk [OPTIONS] IMAGE [-- GUEST-ARGS...]",
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
    CHECK_EQ(PARSE("--console-rate=2", "img"), 0); /* MiB, as for --mem */
    CHECK_EQ(cfg.console_rate, 2 << 20);
    CHECK_USAGE(PARSE("--console-rate=fast", "img"),
                "--console-rate=fast: not a size (try --console-rate=64K, "
                "or 0 for no limit)");
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
    CHECK_USAGE(PARSE("--user", "img"), "--user: unknown option");
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
