/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/block/guest.h: the guest's block driver, for the modules that
 * sit on a device by name (guest/ext2). The core reaches it only through
 * its entry in the driver table (guest/driver.h): /dev lists and opens
 * its devices from there.
 */
#ifndef HUSK_BLOCK_GUEST_H
#define HUSK_BLOCK_GUEST_H

#include <stdbool.h>
#include <stdint.h>

/* Open /dev/NAME of a block device: an fd, or -ENOENT if there is none. */
long husk_block_open(const char *name, int flags);
/* The block devices: how many, the name of each, its size, whether it
 * was attached read-only. */
unsigned husk_block_count(void);
const char *husk_block_name(unsigned i);
uint64_t husk_block_capacity(unsigned i);
bool husk_block_read_only(unsigned i);

#endif
