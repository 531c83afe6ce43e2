/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* drivers/block/block.h: the block device's monitor side. */
#ifndef HUSK_BLOCK_H
#define HUSK_BLOCK_H

#include <stdbool.h>
#include <stddef.h>

#define HUSK_BLOCK_SECTOR 512
/* The longest FILE, its NUL included (PATH_MAX). */
#define HUSK_BLOCK_PATH_MAX 4096

/*
 * Parse the SPEC of --block:NAME=SPEC (husk_block_kind, in spec.c, is the
 * kind's entry in the table of husk.h), "FILE" or "FILE,ro", into path
 * (pathlen bytes) and *read_only. 0, or -1 with a reason in err. Pure.
 */
int husk_block_parse_spec(const char *spec, char *path, size_t pathlen,
                          bool *read_only, char *err, size_t errlen);

#endif
