/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * fuzz_oci_config.c: libFuzzer harness for husk-oci's reading of a
 * bundle's config.json (oci/config.c), which whoever writes the bundle
 * controls, and for the monitor command line made from it (oci/plan.c).
 * The input is the file. A refusal must be one line; an accepted config
 * must have what the runtime relies on (args[0] non-empty, env entries
 * NAME=VALUE, soft limits within hard ones), and its command line must
 * hold only --options before the image, then "--" and the guest's args.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/oci.h"

#define ENSURE(cond)                                                      \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "fuzz_oci_config: %s:%d: %s does not hold\n", \
                    __FILE__, __LINE__, #cond);                           \
            abort();                                                      \
        }                                                                 \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_plan(const struct oci_config *cfg)
{
    /* An image that declares a block device and a network device. */
    struct oci_image img;
    memset(&img, 0, sizeof(img));
    strcpy(img.dir, "/rootfs");
    strcpy(img.file, "app.husk");
    img.min_mem = 8ULL << 20;
    img.device_count = 2;
    img.devices[0].kind = HUSK_DEVICE_BLOCK;
    strcpy(img.devices[0].name, "data");
    img.devices[1].kind = HUSK_DEVICE_NET;
    strcpy(img.devices[1].name, "service");
    const struct oci_net net = {"husktap0", "10.0.0.2",          24,
                                "10.0.0.1", "02:00:00:00:00:01", 1500};
    struct oci_strv argv = {0};
    char err[OCI_ERR_MAX];
    if (oci_plan_argv(cfg, &img, &net, "husk", &argv, err, sizeof(err)) != 0) {
        ENSURE(strchr(err, '\n') == NULL && err[0] != '\0');
        oci_strv_free(&argv);
        return;
    }
    size_t i = 1;
    for (; i < argv.n && strncmp(argv.v[i], "--", 2) == 0 &&
           strcmp(argv.v[i], "--") != 0;
         i++)
        ;
    ENSURE(i + 1 < argv.n);
    ENSURE(strcmp(argv.v[i], "app.husk") == 0);
    ENSURE(strcmp(argv.v[i + 1], "--") == 0);
    ENSURE(argv.n - (i + 2) == cfg->args.n - 1);
    ENSURE(argv.v[argv.n] == NULL);
    uint64_t mem;
    ENSURE(oci_plan_mem(cfg, &img, &mem, err, sizeof(err)) == 0);
    ENSURE(mem >= img.min_mem && mem <= HUSK_MEM_MAX &&
           mem % HUSK_MEM_ALIGN == 0);
    oci_strv_free(&argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct oci_config cfg;
    char err[OCI_ERR_MAX];
    memset(err, 0, sizeof(err));
    if (oci_config_parse((const char *)data, size, &cfg, err, sizeof(err)) !=
        0) {
        ENSURE(err[0] != '\0');
        ENSURE(strchr(err, '\n') == NULL);
        ENSURE(cfg.args.n == 0 && cfg.root_path == NULL);
        return 0;
    }
    ENSURE(cfg.root_path != NULL && cfg.root_path[0] != '\0');
    ENSURE(cfg.args.n >= 1 && cfg.args.v[0][0] != '\0');
    for (size_t i = 0; i < cfg.env.n; i++)
        ENSURE(cfg.env.v[i][0] != '=' && strchr(cfg.env.v[i], '=') != NULL);
    for (size_t i = 0; i < cfg.rlimit_count; i++)
        ENSURE(cfg.rlimits[i].soft <= cfg.rlimits[i].hard);
    ENSURE(cfg.memory_limit == -1 || cfg.memory_limit > 0);
    ENSURE(cfg.annotations.n % 2 == 0);
    check_plan(&cfg);
    oci_config_free(&cfg);
    return 0;
}
