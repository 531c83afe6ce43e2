/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * device_kinds.c: the table of device kinds (pure), made from the one
 * list in husk.h (HUSK_DEVICE_KINDS). The command line, its help and the
 * match against the image look kinds up here; devices.c pairs each with
 * its back end from the same list.
 */
#include "husk.h"

#define KIND_ENTRY(k) &husk_##k##_kind,
const struct husk_device_kind *const husk_device_kinds[] = {
    HUSK_DEVICE_KINDS(KIND_ENTRY) NULL,
};
#undef KIND_ENTRY

const struct husk_device_kind *husk_device_kind_of(uint32_t kind)
{
    for (size_t i = 0; husk_device_kinds[i] != NULL; i++)
        if (husk_device_kinds[i]->kind == kind)
            return husk_device_kinds[i];
    return NULL;
}
