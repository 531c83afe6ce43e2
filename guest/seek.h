/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* seek.h: lseek's arithmetic, for every file whose data is all there. */
#ifndef HUSK_SEEK_H
#define HUSK_SEEK_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Move *pos as lseek(offset, whence) does on a file of size bytes that
 * has no holes (SEEK_DATA finds data at offset, SEEK_HOLE the end).
 * Returns the new position, or -EINVAL / -ENXIO as Linux does.
 */
long husk_seek(uint64_t *pos, uint64_t size, off_t offset, int whence);

#endif
