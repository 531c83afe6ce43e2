/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* seek.c: lseek's arithmetic (seek.h), shared by tmpfs and block files. */
#include <errno.h>
#include <unistd.h>

#include "seek.h"

long husk_seek(uint64_t *pos, uint64_t size, off_t offset, int whence)
{
    int64_t base;
    switch (whence) {
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = (int64_t)*pos;
        break;
    case SEEK_END:
        base = (int64_t)size;
        break;
    case SEEK_DATA: /* all of it is data, as far as a reader can tell */
    case SEEK_HOLE:
        if (offset < 0 || (uint64_t)offset >= size)
            return -ENXIO;
        *pos = whence == SEEK_DATA ? (uint64_t)offset : size;
        return (long)*pos;
    default:
        return -EINVAL;
    }
    if ((offset < 0 && base + offset < 0) ||
        (offset > 0 && base > INT64_MAX - offset))
        return -EINVAL;
    *pos = (uint64_t)(base + offset);
    return (long)*pos;
}
