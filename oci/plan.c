/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * plan.c: what the container's config means for the monitor, as its
 * command line: guest memory from the memory limit, the environment, the
 * ids, the devices the image declares (from the container's mounts and
 * devices, and its network interface), the image and the guest's
 * arguments. Pure: everything it needs is passed in.
 */
#include <stdio.h>
#include <string.h>

#include "oci.h"

int oci_plan_mem(const struct oci_config *cfg, const struct oci_image *img,
                 uint64_t *mem, char *err, size_t errlen)
{
    if (cfg->memory_limit < 0) {
        *mem = img->min_mem > OCI_DEFAULT_MEM ? img->min_mem : OCI_DEFAULT_MEM;
        return 0;
    }
    /* The limit is what the container may use: round down, never up. The
     * monitor's own few MiB are not counted (no cgroup holds it). */
    uint64_t m = (uint64_t)cfg->memory_limit & ~(HUSK_MEM_ALIGN - 1);
    if (m > HUSK_MEM_MAX)
        m = HUSK_MEM_MAX;
    if (m < img->min_mem)
        return oci_errorf(err, errlen,
                          "the memory limit (linux.resources.memory.limit "
                          "%lld bytes, %llu MiB usable in units of 2 MiB) "
                          "is below the %llu MiB that %s needs; give the "
                          "container more (podman run -m %lluM)",
                          (long long)cfg->memory_limit,
                          (unsigned long long)(m >> 20),
                          (unsigned long long)(img->min_mem >> 20), img->file,
                          (unsigned long long)(img->min_mem >> 20));
    *mem = m;
    return 0;
}

const char *oci_plan_net_device(const struct oci_image *img)
{
    for (unsigned i = 0; i < img->device_count; i++)
        if (img->devices[i].kind == HUSK_DEVICE_NET)
            return img->devices[i].name;
    return NULL;
}

/* The container's file or block device at /dev/NAME, as --block's spec. */
static int block_source(const struct oci_config *cfg, const char *name,
                        struct oci_strv *argv, char *err, size_t errlen)
{
    char want[HUSK_DEVICE_NAME_MAX + 8];
    snprintf(want, sizeof(want), "/dev/%s", name);
    /* The last mount wins, as in a container's mount table. */
    for (size_t i = cfg->mount_count; i-- > 0;) {
        const struct oci_mount *m = &cfg->mounts[i];
        if (strcmp(m->destination, want) != 0)
            continue;
        if (!m->bind || m->source == NULL || m->source[0] != '/')
            return oci_errorf(err, errlen,
                              "mounts: %s is a %s mount; block device '%s' "
                              "needs a bind mount of a host file or device",
                              want, m->type ? m->type : "typeless", name);
        if (strchr(m->source, ',') != NULL)
            return oci_errorf(err, errlen,
                              "mounts: %s: the source '%s' has a comma, "
                              "which --block cannot take",
                              want, m->source);
        oci_strv_addf(argv, "--block:%s=%s%s", name, m->source,
                      m->readonly ? ",ro" : "");
        return 0;
    }
    for (size_t i = 0; i < cfg->device_count; i++) {
        const struct oci_device *d = &cfg->devices[i];
        if (strcmp(d->path, want) != 0)
            continue;
        if (d->type != 'b')
            return oci_errorf(err, errlen,
                              "linux.devices: %s is not a block device; "
                              "block device '%s' needs one",
                              want, name);
        oci_strv_addf(argv, "--block:%s=/dev/block/%lld:%lld", name,
                      (long long)d->major, (long long)d->minor);
        return 0;
    }
    return oci_errorf(err, errlen,
                      "the image declares block device '%s': give the "
                      "container a file or block device at %s (podman run "
                      "-v FILE:%s, or --device DEV:%s)",
                      name, want, want, want);
}

/* The guest's argv and environment fit what the boot information holds
 * (abi/husk_abi.h); the monitor would refuse them at start, too late for
 * the engine to report it as a failed create. */
static int check_guest_limits(const struct oci_config *cfg,
                              const struct oci_image *img, char *err,
                              size_t errlen)
{
    size_t bytes = strlen(img->file) + 1;
    for (size_t i = 1; i < cfg->args.n; i++)
        bytes += strlen(cfg->args.v[i]) + 1;
    if (cfg->args.n > HUSK_ARGC_MAX)
        return oci_errorf(err, errlen,
                          "process.args: %zu arguments; a Husk guest takes "
                          "at most %d",
                          cfg->args.n, HUSK_ARGC_MAX);
    if (bytes > HUSK_ARGS_MAX)
        return oci_errorf(err, errlen,
                          "process.args: %zu bytes; a Husk guest takes at "
                          "most %d",
                          bytes, HUSK_ARGS_MAX);
    bytes = 0;
    for (size_t i = 0; i < cfg->env.n; i++)
        bytes += strlen(cfg->env.v[i]) + 1;
    if (cfg->env.n > HUSK_ENVC_MAX)
        return oci_errorf(err, errlen,
                          "process.env: %zu variables; a Husk guest takes "
                          "at most %d",
                          cfg->env.n, HUSK_ENVC_MAX);
    if (bytes > HUSK_ENV_MAX)
        return oci_errorf(err, errlen,
                          "process.env: %zu bytes; a Husk guest takes at "
                          "most %d",
                          bytes, HUSK_ENV_MAX);
    return 0;
}

int oci_plan_argv(const struct oci_config *cfg, const struct oci_image *img,
                  const struct oci_net *net, const char *monitor,
                  struct oci_strv *argv, char *err, size_t errlen)
{
    uint64_t mem;
    if (oci_plan_mem(cfg, img, &mem, err, errlen) != 0 ||
        check_guest_limits(cfg, img, err, errlen) != 0)
        return -1;
    oci_strv_add(argv, monitor);
    oci_strv_addf(argv, "--mem=%lluM", (unsigned long long)(mem >> 20));
    for (size_t i = 0; i < cfg->env.n; i++)
        oci_strv_addf(argv, "--env=%s", cfg->env.v[i]);
    /* "/" is where a guest starts anyway (and what engines give when the
     * image names no working directory). */
    if (cfg->cwd != NULL && strcmp(cfg->cwd, "/") != 0)
        oci_strv_addf(argv, "--cwd=%s", cfg->cwd);
    /* Root stays root in the monitor's jail, without any capability; any
     * other user is the monitor's --user (docs/security.md). */
    if (cfg->uid != 0 || cfg->gid != 0) {
        oci_strv_addf(argv, "--user=%u", (unsigned)cfg->uid);
        oci_strv_addf(argv, "--group=%u", (unsigned)cfg->gid);
    }
    bool net_done = false;
    for (unsigned i = 0; i < img->device_count; i++) {
        const struct oci_image_dev *d = &img->devices[i];
        if (d->kind == HUSK_DEVICE_BLOCK) {
            if (block_source(cfg, d->name, argv, err, errlen) != 0)
                return -1;
        } else if (d->kind == HUSK_DEVICE_NET && net_done) {
            return oci_errorf(err, errlen,
                              "the image declares more than one network "
                              "device ('%s' too); a container has one "
                              "interface for it",
                              d->name);
        } else if (d->kind == HUSK_DEVICE_NET) {
            if (net == NULL)
                return oci_errorf(err, errlen,
                                  "the image declares network device '%s', "
                                  "but the container's network namespace "
                                  "has no interface with an IPv4 address "
                                  "(give the container a network)",
                                  d->name);
            char gw[24] = "";
            if (net->gw[0] != '\0')
                snprintf(gw, sizeof(gw), ",gw=%s", net->gw);
            oci_strv_addf(argv, "--net:%s=%s,ip=%s/%u%s,mac=%s,mtu=%u", d->name,
                          net->tap, net->ip, net->prefix, gw, net->mac,
                          net->mtu);
            net_done = true;
        }
    }
    oci_strv_add(argv, img->file);
    oci_strv_add(argv, "--");
    for (size_t i = 1; i < cfg->args.n; i++)
        oci_strv_add(argv, cfg->args.v[i]);
    return 0;
}
