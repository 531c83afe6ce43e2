/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * devices.c: match the devices on the command line with those the image
 * declares, and bring up each device's host side. The back ends are those
 * of husk.h's list of kinds (HUSK_DEVICE_KINDS), in its order.
 */
#include <string.h>

#include "../drivers/console/console.h"
#include "husk.h"

/* Every device back end; the console is not one: every guest has it. */
#define BACKEND_ENTRY(k) &husk_##k##_ops,
static const struct husk_device_ops *const backends[] = {
    HUSK_DEVICE_KINDS(BACKEND_ENTRY)};
#undef BACKEND_ENTRY

const struct husk_device_ops *husk_device_ops_of(uint32_t kind)
{
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
        if (backends[i]->kind->kind == kind)
            return backends[i];
    return NULL;
}

/* How messages name a kind: its option's name (elf.c let only known
 * kinds through, and the command line has only those). */
static const char *kind_name(uint32_t kind)
{
    const struct husk_device_kind *k = husk_device_kind_of(kind);
    return k != NULL ? k->name : "?";
}

/* What the option's value names. */
static const char *spec_name(uint32_t kind)
{
    const struct husk_device_kind *k = husk_device_kind_of(kind);
    return k != NULL ? k->spec_name : "?";
}

void husk_devices_match(const struct husk_config *cfg,
                        const struct husk_elf_image *img)
{
    for (unsigned i = 0; i < cfg->device_count; i++) {
        const struct husk_device_arg *d = &cfg->devices[i];
        unsigned j = 0;
        while (j < img->device_count && strcmp(img->devices[j].name, d->name))
            j++;
        if (j == img->device_count)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "--%s:%s: the image declares no device '%s' (build "
                        "it with husk-cc --%s=%s)",
                        kind_name(d->kind), d->name, d->name,
                        kind_name(d->kind), d->name);
        if (img->devices[j].kind != d->kind)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "--%s:%s: the image declares '%s' as a %s device",
                        kind_name(d->kind), d->name, d->name,
                        kind_name(img->devices[j].kind));
    }
    for (unsigned j = 0; j < img->device_count; j++) {
        const struct husk_note_device *n = &img->devices[j];
        unsigned i = 0;
        while (i < cfg->device_count && strcmp(cfg->devices[i].name, n->name))
            i++;
        if (i == cfg->device_count)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "the image needs %s device '%s'; attach it with "
                        "--%s:%s=%s",
                        kind_name(n->kind), n->name, kind_name(n->kind),
                        n->name, spec_name(n->kind));
    }
}

void husk_devices_open(struct husk_vm *vm)
{
    husk_console_register(vm);
    uint32_t kinds_registered = 0;
    for (unsigned h = 0; h < vm->cfg->device_count; h++) {
        const struct husk_device_arg *d = &vm->cfg->devices[h];
        const struct husk_device_ops *ops = husk_device_ops_of(d->kind);
        if (ops == NULL)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "internal error: no back end for --%s:%s",
                        kind_name(d->kind), d->name);
        ops->open(vm, h, d);
        if (!(kinds_registered & (1U << d->kind))) {
            ops->register_calls(vm);
            kinds_registered |= 1U << d->kind;
        }
    }
}

void husk_devices_report_stats(struct husk_vm *vm)
{
    for (unsigned h = 0; h < vm->cfg->device_count; h++) {
        const struct husk_device_ops *ops =
            husk_device_ops_of(vm->cfg->devices[h].kind);
        if (ops != NULL && ops->report_stats != NULL)
            ops->report_stats(vm, h);
    }
}

void husk_devices_stats_json(struct husk_vm *vm, struct husk_json *j)
{
    husk_json_begin(j, "devices");
    for (unsigned h = 0; h < vm->cfg->device_count; h++) {
        const struct husk_device_arg *d = &vm->cfg->devices[h];
        const struct husk_device_ops *ops = husk_device_ops_of(d->kind);
        husk_json_begin(j, d->name);
        husk_json_str(j, "kind", kind_name(d->kind));
        if (ops != NULL && ops->stats_json != NULL)
            ops->stats_json(vm, h, j);
        husk_json_end(j);
    }
    husk_json_end(j);
}

bool husk_devices_want_io_thread(const struct husk_config *cfg)
{
    for (unsigned h = 0; h < cfg->device_count; h++) {
        const struct husk_device_ops *ops =
            husk_device_ops_of(cfg->devices[h].kind);
        if (ops != NULL && ops->wants_io_thread)
            return true;
    }
    return false;
}
