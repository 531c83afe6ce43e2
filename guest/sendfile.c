/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * sendfile.c: sendfile and copy_file_range, as loops of pread and write
 * through a buffer. There is no page cache to splice from, and every fd
 * kind already has read and write, so any file (tmpfs, packed, ext, a
 * block device) can be sent to any fd (a socket, a pipe, the console).
 * Servers call sendfile for static files (lighttpd, nginx) and fall back
 * to read and write only on some errors, so it has to exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "guest.h"

/* Linux's cap on one call (MAX_RW_COUNT). */
#define CALL_MAX 0x7ffff000L
/* The buffer: big enough that a file goes to a socket in few calls,
 * small enough for any heap; from malloc, as a thread's stack may be
 * small and another thread may send while this one waits in a write. */
#define CHUNK (64 * 1024)

/* Write all of buf[0, len) to out, unless it fails or would block once
 * something went. Returns what went, or the first call's error. */
static long write_all(int out, const char *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        long w = husk_sys_write(out, buf + done, len - done);
        if (w <= 0)
            return done > 0 ? (long)done : w;
        done += (size_t)w;
    }
    return (long)done;
}

/*
 * Copy up to count bytes of in, from *pos on, to out (by write, or by
 * pwrite at *out_pos if out_pos is given), advancing *pos (and *out_pos)
 * by what was written. Returns the bytes written, or an error if none
 * were.
 */
static long copy(int in, int64_t *pos, int out, int64_t *out_pos, size_t count)
{
    if (count > CALL_MAX)
        count = CALL_MAX;
    if (count == 0)
        return 0;
    char *buf = malloc(count < CHUNK ? count : CHUNK);
    if (buf == NULL)
        return -ENOMEM;
    size_t done = 0;
    long rc = 0;
    while (done < count) {
        size_t want = count - done < CHUNK ? count - done : CHUNK;
        long r = husk_sys_pread(in, buf, want, (off_t)*pos);
        if (r <= 0) {
            rc = r;
            break;
        }
        long w = out_pos != NULL
                     ? husk_sys_pwrite(out, buf, (size_t)r, (off_t)*out_pos)
                     : write_all(out, buf, (size_t)r);
        if (w > 0) {
            done += (size_t)w;
            *pos += w;
            if (out_pos != NULL)
                *out_pos += w;
        }
        if (w != r) { /* short: the destination is full or would block */
            rc = w < 0 ? w : 0;
            break;
        }
    }
    free(buf);
    return done > 0 ? (long)done : rc;
}

/* The position of in: *offset if given (checked), else its own. */
static long start(int fd, const int64_t *offset, int64_t *pos)
{
    if (offset == NULL) {
        long p = husk_sys_lseek(fd, 0, SEEK_CUR);
        if (p < 0)
            return p == -ESPIPE ? -EINVAL : p;
        *pos = p;
        return 0;
    }
    if (*offset < 0)
        return -EINVAL;
    *pos = *offset;
    return 0;
}

/* What sendfile and copy_file_range read from: a file to pread. */
static long check_source(int in)
{
    struct stat st;
    long rc = husk_sys_fstat(in, &st);
    if (rc < 0)
        return rc;
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    if ((husk_sys_fcntl(in, F_GETFL, 0) & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    return S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) ? 0 : -EINVAL;
}

long husk_sys_sendfile(int out, int in, int64_t *offset, size_t count)
{
    long rc = check_source(in);
    if (rc < 0)
        return rc == -EISDIR ? -EINVAL : rc; /* Linux's for sendfile */
    if (!husk_fd_is_open(out))
        return -EBADF;
    if (husk_sys_fcntl(out, F_GETFL, 0) & O_APPEND)
        return -EINVAL; /* as Linux */
    int64_t pos;
    if ((rc = start(in, offset, &pos)) < 0)
        return rc;
    long n = copy(in, &pos, out, NULL, count);
    if (n > 0) {
        if (offset != NULL)
            *offset = pos;
        else
            husk_sys_lseek(in, (off_t)pos, SEEK_SET);
    }
    return n;
}

long husk_sys_copy_file_range(int in, int64_t *off_in, int out,
                              int64_t *off_out, size_t len, unsigned flags)
{
    if (flags != 0)
        return -EINVAL;
    long rc = check_source(in);
    if (rc < 0)
        return rc;
    struct stat st;
    if ((rc = husk_sys_fstat(out, &st)) < 0)
        return rc;
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    if (!S_ISREG(st.st_mode))
        return -EINVAL;
    int out_flags = (int)husk_sys_fcntl(out, F_GETFL, 0);
    if ((out_flags & O_ACCMODE) == O_RDONLY || (out_flags & O_APPEND))
        return -EBADF;
    int64_t pos, out_pos;
    if ((rc = start(in, off_in, &pos)) < 0 ||
        (rc = start(out, off_out, &out_pos)) < 0)
        return rc;
    /* The same file, overlapping: Linux refuses it. */
    struct stat in_st;
    husk_sys_fstat(in, &in_st);
    if (in_st.st_dev == st.st_dev && in_st.st_ino == st.st_ino &&
        pos < out_pos + (int64_t)len && out_pos < pos + (int64_t)len)
        return -EINVAL;
    long n = copy(in, &pos, out, &out_pos, len);
    if (n > 0) {
        if (off_in != NULL)
            *off_in = pos;
        else
            husk_sys_lseek(in, (off_t)pos, SEEK_SET);
        if (off_out != NULL)
            *off_out = out_pos;
        else
            husk_sys_lseek(out, (off_t)out_pos, SEEK_SET);
    }
    return n;
}
