/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * fuzz_args.c: libFuzzer harness for the command line (monitor/args.c).
 * The input, split on NUL bytes, is argv[1..]; argv[0] is "husk". Each
 * argument is its own heap block so that ASan sees a read past its NUL.
 * What the parser accepts must hold the limits main.c and bootinfo.c rely
 * on; what it refuses must come with a message. The parser checks each
 * device's spec (what follows --block:NAME= or --net:NAME=) with its
 * kind's check_spec (the table of kinds, husk.h); what it accepted must
 * then parse, with a sane result, as the back end will parse it when it
 * opens the device. Every option that takes a value takes it as
 * --NAME=VALUE or as --NAME VALUE: an argv that parses is parsed again
 * with each such option split in two, and must give the same config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk.h"
#include "../../drivers/block/block.h"
#include "../../drivers/net/net.h"

/* More than HUSK_ARGC_MAX, so that the guest-argument limit is reachable. */
#define FUZZ_ARGC_MAX 600

#define ENSURE(cond)                                                          \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "fuzz_args: %s:%d: %s does not hold\n", __FILE__, \
                    __LINE__, #cond);                                         \
            abort();                                                          \
        }                                                                     \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n < HUSK_DEVICE_NAME_MAX &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static void check_spec(const struct husk_device_arg *d)
{
    const struct husk_device_kind *k = husk_device_kind_of(d->kind);
    ENSURE(k != NULL);
    char err[256];
    memset(err, 0x55, sizeof(err));
    ENSURE(k->check_spec(d->spec, err, sizeof(err)) == 0);
    if (d->kind == HUSK_DEVICE_BLOCK) {
        char path[HUSK_BLOCK_PATH_MAX];
        bool ro;
        ENSURE(husk_block_parse_spec(d->spec, path, sizeof(path), &ro, err,
                                     sizeof(err)) == 0);
        ENSURE(path[0] != '\0' && strlen(path) < sizeof(path) &&
               strncmp(path, d->spec, strlen(path)) == 0);
    } else {
        struct husk_net_config nc;
        ENSURE(husk_net_parse_spec(d->spec, &nc, err, sizeof(err)) == 0);
        ENSURE(nc.prefix_len >= 1 && nc.prefix_len <= 32 && nc.ipv4_addr != 0);
        /* A tap by name, or the user-mode network: a gateway on a subnet
         * with room for it, and forwards passt will take. */
        ENSURE(nc.user ? nc.tap[0] == '\0' : nc.tap[0] != '\0');
        ENSURE(nc.user ? nc.prefix_len <= 30 && nc.ipv4_gateway != 0
                       : nc.fwd_count == 0);
        ENSURE(nc.fwd_count <= HUSK_NET_FWD_MAX);
        for (unsigned i = 0; i < nc.fwd_count; i++) {
            ENSURE(nc.fwd[i].host_port != 0 && nc.fwd[i].guest_port != 0);
            for (unsigned j = 0; j < i; j++)
                ENSURE(nc.fwd[j].udp != nc.fwd[i].udp ||
                       nc.fwd[j].host_port != nc.fwd[i].host_port);
        }
    }
}

static void check_config(const struct husk_config *cfg)
{
    if (cfg->help || cfg->version)
        return;
    ENSURE(cfg->image_path != NULL && cfg->image_path[0] != '\0');
    ENSURE(cfg->mem_size >= HUSK_MEM_MIN && cfg->mem_size <= HUSK_MEM_MAX);
    ENSURE(cfg->mem_size % HUSK_MEM_ALIGN == 0);
    ENSURE(cfg->timeout_s <= HUSK_TIMEOUT_MAX);
    ENSURE(cfg->console_rate <= HUSK_CONSOLE_RATE_MAX);
    ENSURE(cfg->user == NULL || cfg->user[0] != '\0');
    ENSURE(cfg->group == NULL || cfg->group[0] != '\0');
    ENSURE(cfg->guest_argc >= 0 && cfg->guest_argc < HUSK_ARGC_MAX);
    size_t bytes = strlen(cfg->image_path) + 1;
    for (int i = 0; i < cfg->guest_argc; i++)
        bytes += strlen(cfg->guest_argv[i]) + 1;
    ENSURE(bytes <= HUSK_ARGS_MAX);
    ENSURE(cfg->guest_argv[cfg->guest_argc] == NULL);
    ENSURE(cfg->env_count <= HUSK_ENVC_MAX);
    bytes = 0;
    for (unsigned i = 0; i < cfg->env_count; i++) {
        const char *eq = strchr(cfg->env[i], '=');
        ENSURE(eq != NULL && eq != cfg->env[i]);
        for (unsigned j = 0; j < i; j++) /* each NAME once */
            ENSURE(strncmp(cfg->env[i], cfg->env[j],
                           (size_t)(eq - cfg->env[i]) + 1) != 0);
        bytes += strlen(cfg->env[i]) + 1;
    }
    ENSURE(bytes <= HUSK_ENV_MAX);
    ENSURE(cfg->device_count <= HUSK_DEVICES_MAX);
    for (unsigned i = 0; i < cfg->device_count; i++) {
        const struct husk_device_arg *d = &cfg->devices[i];
        ENSURE(valid_name(d->name));
        ENSURE(d->spec != NULL && d->spec[0] != '\0');
        for (unsigned j = 0; j < i; j++)
            ENSURE(strcmp(d->name, cfg->devices[j].name) != 0);
        check_spec(d);
    }
}

/* The options that take a value (args.c's table). */
static const char *const value_options[] = {
    "--backend", "--mem",   "--timeout",      "--io-thread", "--io-spin",
    "--env",     "--stdin", "--console-rate", "--user",      "--group",
};

/* Where arg's value starts if it is --NAME=VALUE for an option that takes
 * a value or a device (--KIND:NAME=SPEC), else NULL. */
static const char *joined_value(const char *arg)
{
    if (strncmp(arg, "--block:", 8) == 0 || strncmp(arg, "--net:", 6) == 0) {
        const char *eq = strchr(arg, '=');
        return eq != NULL ? eq + 1 : NULL;
    }
    for (size_t i = 0; i < sizeof(value_options) / sizeof(value_options[0]);
         i++) {
        size_t n = strlen(value_options[i]);
        if (strncmp(arg, value_options[i], n) == 0 && arg[n] == '=')
            return arg + n + 1;
    }
    return NULL;
}

/* Parse argv again with each --NAME=VALUE before "--" given as --NAME
 * VALUE (not one whose VALUE starts with "--", which only '=' takes):
 * the same config, VALUEs and SPECs the same strings. */
static void check_split(int argc, char *const argv[],
                        const struct husk_config *want)
{
    static char *split[2 * (FUZZ_ARGC_MAX + 2)];
    static char *owned[FUZZ_ARGC_MAX + 2];
    int n = 0, owned_n = 0;
    bool options = true;
    for (int i = 0; i < argc; i++) {
        const char *v = options ? joined_value(argv[i]) : NULL;
        if (strcmp(argv[i], "--") == 0)
            options = false;
        if (v == NULL || strncmp(v, "--", 2) == 0) {
            split[n++] = argv[i];
            continue;
        }
        char *name = strndup(argv[i], (size_t)(v - 1 - argv[i]));
        ENSURE(name != NULL);
        owned[owned_n++] = name;
        split[n++] = name;
        split[n++] = (char *)v;
    }
    split[n] = NULL;
    static struct husk_config got;
    char err[512];
    if (husk_args_parse(n, split, &got, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz_args: split, refused: %s\n", err);
        ENSURE(!"the split argv parses too");
    }
    ENSURE(got.help == want->help && got.version == want->version);
    if (!want->help && !want->version) {
        ENSURE(strcmp(got.image_path, want->image_path) == 0);
        ENSURE(got.backend == want->backend);
        ENSURE(got.mem_size == want->mem_size);
        ENSURE(got.timeout_s == want->timeout_s);
        ENSURE(got.guest_argc == want->guest_argc);
        ENSURE(got.stats == want->stats && got.no_jail == want->no_jail &&
               got.print_seccomp == want->print_seccomp);
        ENSURE(got.io_thread == want->io_thread);
        ENSURE(got.io_spin_us == want->io_spin_us);
        ENSURE(got.console_rate == want->console_rate);
        ENSURE(got.stdin_none == want->stdin_none);
        ENSURE((got.user == NULL) == (want->user == NULL));
        ENSURE(got.user == NULL || strcmp(got.user, want->user) == 0);
        ENSURE((got.group == NULL) == (want->group == NULL));
        ENSURE(got.group == NULL || strcmp(got.group, want->group) == 0);
        ENSURE(got.env_count == want->env_count);
        for (unsigned i = 0; i < got.env_count; i++)
            ENSURE(strcmp(got.env[i], want->env[i]) == 0);
        ENSURE(got.device_count == want->device_count);
        for (unsigned i = 0; i < got.device_count; i++) {
            ENSURE(got.devices[i].kind == want->devices[i].kind);
            ENSURE(strcmp(got.devices[i].name, want->devices[i].name) == 0);
            ENSURE(strcmp(got.devices[i].spec, want->devices[i].spec) == 0);
        }
    }
    for (int i = 0; i < owned_n; i++)
        free(owned[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *argv[FUZZ_ARGC_MAX + 2];
    int argc = 0;
    argv[argc++] = strdup("husk");
    size_t start = 0;
    for (size_t i = 0; i <= size && argc <= FUZZ_ARGC_MAX; i++) {
        if (i < size && data[i] != '\0')
            continue;
        char *a = malloc(i - start + 1);
        if (a == NULL)
            break;
        memcpy(a, data + start, i - start);
        a[i - start] = '\0';
        argv[argc++] = a;
        start = i + 1;
    }
    argv[argc] = NULL;

    static struct husk_config cfg;
    char err[512];
    memset(err, 0x55, sizeof(err));
    if (husk_args_parse(argc, argv, &cfg, err, sizeof(err)) == 0) {
        check_config(&cfg);
        check_split(argc, argv, &cfg);
    } else
        ENSURE(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    return 0;
}
