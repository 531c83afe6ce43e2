/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * file.c: open files on an ext2/ext4 mount. A read or write is cut at
 * the file's extents (map.c), and each run moves as one transfer between
 * the device and the program's buffer (io.c, extfs_io_data): no block
 * cache copy, no 4 KiB at a time. Holes read as zeros; a write into a
 * hole first allocates the whole run it covers (ext2fs_fallocate), and
 * the parts of a new block it does not cover are written as zeros, so
 * old contents of a freed block never show. The size and times a write
 * changes are kept in the node and written at the next flush (fsync,
 * sync, exit) or before anything else writes the inode.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../guest.h"
#include "../seek.h"
#include "extfs.h"

struct ext_file {
    struct ext_node *n;
    uint64_t pos;
    bool readable, writable, append;
};

static struct ext_node *node_of(struct husk_vnode *v)
{
    return (struct ext_node *)v;
}

/* ---- reading ---- */

/* An inline-data file (read-only mounts only): its few bytes, from the
 * inode and its extended attribute. */
static long read_inline(struct ext_node *n, void *buf, size_t len, uint64_t off)
{
    ext2_filsys fs = n->m->fs;
    size_t size;
    errcode_t e = ext2fs_inline_data_size(fs, n->ino, &size);
    if (e != 0)
        return extfs_err(n->m, e);
    char *data = malloc(size > 0 ? size : 1);
    if (data == NULL)
        return -ENOMEM;
    e = ext2fs_inline_data_get(fs, n->ino, (struct ext2_inode *)&n->inode, data,
                               &size);
    long rc = extfs_err(n->m, e);
    if (rc == 0 && off < size) {
        rc = (long)(len < size - off ? len : size - off);
        memcpy(buf, data + off, (size_t)rc);
    }
    free(data);
    return rc;
}

static long read_at(struct ext_node *n, void *buf, size_t len, uint64_t off)
{
    int rc = extfs_node_use(n);
    if (rc < 0)
        return rc;
    uint64_t size = extfs_size(n);
    if (off >= size || len == 0)
        return 0;
    if (len > size - off)
        len = (size_t)(size - off);
    if (n->inode.i_flags & EXT4_INLINE_DATA_FL)
        return read_inline(n, buf, len, off);
    uint64_t bs = n->m->fs->blocksize;
    size_t done = 0;
    while (done < len) {
        uint64_t pos = off + done, in = pos % bs;
        blk64_t want = (in + (len - done) + bs - 1) / bs, pblk, run;
        bool uninit;
        rc = extfs_map(n, pos / bs, want, &pblk, &run, &uninit);
        if (rc < 0)
            break;
        size_t chunk =
            run * bs - in < len - done ? (size_t)(run * bs - in) : len - done;
        if (pblk == 0 || uninit)
            memset((char *)buf + done, 0, chunk);
        else if ((rc = extfs_io_data(n->m->fs->io, false, pblk * bs + in,
                                     (char *)buf + done, chunk)) < 0)
            break;
        done += chunk;
    }
    return done > 0 ? (long)done : rc;
}

/* ---- writing ---- */

/* Write bytes [in, in + len) of the run of blocks at pblk. fresh: the
 * blocks hold nothing yet (just allocated, or allocated unwritten), so a
 * partial first or last block is written whole, zeros around the data. */
static int write_run(struct ext_node *n, blk64_t pblk, uint64_t in,
                     const char *buf, size_t len, bool fresh)
{
    struct extfs *m = n->m;
    io_channel io = m->fs->io;
    uint64_t bs = m->fs->blocksize, end = in + len;
    /* extfs_io_data only reads from buf when it writes. */
    char *data = (char *)(uintptr_t)buf;
    if (!fresh)
        return extfs_io_data(io, true, pblk * bs + in, data, len);
    int rc;
    uint64_t first = in / bs, last = (end - 1) / bs;
    uint64_t mid0 = in % bs != 0 ? first + 1 : first;
    uint64_t mid1 = end % bs != 0 ? last : last + 1;
    if (in % bs != 0 || (first == last && end % bs != 0)) {
        uint64_t to = end < (first + 1) * bs ? end : (first + 1) * bs;
        memset(m->blockbuf, 0, bs);
        memcpy(m->blockbuf + in % bs, data, (size_t)(to - in));
        if ((rc = extfs_io_data(io, true, (pblk + first) * bs, m->blockbuf,
                                bs)) < 0)
            return rc;
        if (first == last)
            return 0;
        mid0 = first + 1;
    }
    if (mid1 > mid0 &&
        (rc = extfs_io_data(io, true, (pblk + mid0) * bs,
                            data + (mid0 * bs - in), (mid1 - mid0) * bs)) < 0)
        return rc;
    if (end % bs != 0 && last >= mid0) {
        memset(m->blockbuf, 0, bs);
        memcpy(m->blockbuf, data + (last * bs - in), (size_t)(end - last * bs));
        if ((rc = extfs_io_data(io, true, (pblk + last) * bs, m->blockbuf,
                                bs)) < 0)
            return rc;
    }
    return 0;
}

/* The size and times after a write of done bytes at off: in the node
 * only, written with the next flush. */
static int wrote(struct ext_node *n, uint64_t off, size_t done)
{
    errcode_t e = 0;
    if (off + done > extfs_size(n))
        e = ext2fs_inode_size_set(n->m->fs, (struct ext2_inode *)&n->inode,
                                  off + done);
    struct timespec now = extfs_now();
    extfs_time_set(n, 'm', now);
    extfs_time_set(n, 'c', now);
    n->dirty = true;
    return extfs_err(n->m, e);
}

static long write_at(struct ext_node *n, const void *buf, size_t len,
                     uint64_t off)
{
    int rc = extfs_node_use(n);
    if (rc < 0)
        return rc;
    if (len == 0)
        return 0;
    if (n->inode.i_flags & EXT4_INLINE_DATA_FL)
        return -EOPNOTSUPP; /* not reached: such mounts are read-only */
    uint64_t max = extfs_max_size(n);
    if (off >= max)
        return -EFBIG;
    if (len > max - off)
        len = (size_t)(max - off);
    uint64_t bs = n->m->fs->blocksize;
    size_t done = 0;
    bool allocated = false;
    /* The blocks this call allocated last, not all written yet: they
     * hold whatever their last owner left. */
    blk64_t new_from = 0, new_to = 0;
    while (done < len) {
        uint64_t pos = off + done, in = pos % bs;
        blk64_t lblk = pos / bs, want = (in + (len - done) + bs - 1) / bs;
        blk64_t pblk, run;
        bool uninit;
        if ((rc = extfs_map(n, lblk, want, &pblk, &run, &uninit)) < 0)
            break;
        if (pblk == 0) {
            long got = extfs_alloc(n, lblk, run);
            if (got < 0) {
                rc = (int)got;
                break;
            }
            new_from = lblk;
            new_to = lblk + (blk64_t)got;
            allocated = true;
            if ((rc = extfs_map(n, lblk, want, &pblk, &run, &uninit)) < 0)
                break;
        }
        bool fresh = uninit || (lblk >= new_from && lblk < new_to);
        if (lblk >= new_from && lblk < new_to && run > new_to - lblk)
            run = new_to - lblk; /* the rest holds data already */
        size_t chunk =
            run * bs - in < len - done ? (size_t)(run * bs - in) : len - done;
        if ((rc = write_run(n, pblk, in, (const char *)buf + done, chunk,
                            fresh)) < 0)
            break;
        if (uninit && (rc = extfs_map_init(n, lblk, pblk,
                                           (in + chunk + bs - 1) / bs)) < 0)
            break;
        done += chunk;
    }
    if (rc < 0 && allocated) {
        /* Blocks this write allocated and could not fill: past the new
         * end of the file, they would be blocks of nothing. */
        uint64_t end = off + done > extfs_size(n) ? off + done : extfs_size(n);
        extfs_punch(n, (end + bs - 1) / bs);
    }
    if (done == 0)
        return rc;
    wrote(n, off, done);
    return (long)done;
}

int extfs_truncate(struct husk_vnode *node, off_t size)
{
    struct ext_node *n = node_of(node);
    int rc = extfs_node_use(n);
    if (rc < 0)
        return rc;
    if (size < 0)
        return -EINVAL;
    if ((uint64_t)size > extfs_max_size(n))
        return -EFBIG;
    uint64_t s = (uint64_t)size, bs = n->m->fs->blocksize;
    if (s < extfs_size(n)) {
        if ((rc = extfs_punch(n, (s + bs - 1) / bs)) < 0)
            return rc;
        /* The rest of the last block must read as zeros if the file
         * grows again. */
        blk64_t pblk, run;
        bool uninit;
        if (s % bs != 0 &&
            (rc = extfs_map(n, s / bs, 1, &pblk, &run, &uninit)) == 0 &&
            pblk != 0 && !uninit) {
            memset(n->m->blockbuf, 0, bs - s % bs);
            rc = extfs_io_data(n->m->fs->io, true, pblk * bs + s % bs,
                               n->m->blockbuf, bs - s % bs);
        }
        if (rc < 0)
            return rc;
    }
    errcode_t e =
        ext2fs_inode_size_set(n->m->fs, (struct ext2_inode *)&n->inode, s);
    if (e != 0)
        return extfs_err(n->m, e);
    struct timespec now = extfs_now();
    extfs_time_set(n, 'm', now);
    extfs_time_set(n, 'c', now);
    return extfs_node_store(n);
}

/* ---- SEEK_DATA and SEEK_HOLE: where the extents say ---- */

static long seek_data_hole(struct ext_node *n, uint64_t off, bool data)
{
    uint64_t size = extfs_size(n), bs = n->m->fs->blocksize;
    if (off >= size)
        return -ENXIO;
    if (n->inode.i_flags & EXT4_INLINE_DATA_FL)
        return (long)(data ? off : size);
    for (uint64_t pos = off; pos < size;) {
        blk64_t pblk, run;
        bool uninit;
        int rc = extfs_map(n, pos / bs, (size - pos + bs - 1) / bs, &pblk, &run,
                           &uninit);
        if (rc < 0)
            return rc;
        if ((pblk != 0 && !uninit) == data)
            return (long)pos;
        pos = (pos / bs + run) * bs;
    }
    return data ? -ENXIO : (long)size; /* the end is a hole */
}

/* ---- the open file's operations ---- */

static long ef_pread(void *priv, void *buf, size_t len, off_t off)
{
    struct ext_file *f = priv;
    if (!f->readable)
        return -EBADF;
    if (off < 0)
        return -EINVAL;
    return read_at(f->n, buf, len, (uint64_t)off);
}

static long ef_pwrite(void *priv, const void *buf, size_t len, off_t off)
{
    struct ext_file *f = priv;
    if (!f->writable)
        return -EBADF;
    if (off < 0)
        return -EINVAL;
    return write_at(f->n, buf, len, (uint64_t)off);
}

static long ef_read(void *priv, void *buf, size_t len)
{
    struct ext_file *f = priv;
    long r = ef_pread(priv, buf, len, (off_t)f->pos);
    if (r > 0)
        f->pos += (uint64_t)r;
    return r;
}

static long ef_write(void *priv, const void *buf, size_t len)
{
    struct ext_file *f = priv;
    if (f->append)
        f->pos = extfs_size(f->n);
    long r = ef_pwrite(priv, buf, len, (off_t)f->pos);
    if (r > 0)
        f->pos += (uint64_t)r;
    return r;
}

static long ef_lseek(void *priv, off_t offset, int whence)
{
    struct ext_file *f = priv;
    if (whence == SEEK_DATA || whence == SEEK_HOLE) {
        if (offset < 0)
            return -ENXIO;
        long r = seek_data_hole(f->n, (uint64_t)offset, whence == SEEK_DATA);
        if (r >= 0)
            f->pos = (uint64_t)r;
        return r;
    }
    return husk_seek(&f->pos, extfs_size(f->n), offset, whence);
}

static long ef_fstat(void *priv, struct stat *st)
{
    struct ext_file *f = priv;
    return extfs_getattr(&f->n->v, st);
}

static long ef_fsync(void *priv)
{
    struct ext_file *f = priv;
    return extfs_flush(f->n->m);
}

static long ef_truncate(void *priv, off_t len)
{
    struct ext_file *f = priv;
    if (!f->writable)
        return -EINVAL; /* Linux: not open for writing */
    return extfs_truncate(&f->n->v, len);
}

static long ef_close(void *priv)
{
    struct ext_file *f = priv;
    husk_vnode_put(&f->n->v);
    free(f);
    return 0;
}

static void ef_set_flags(void *priv, int flags)
{
    struct ext_file *f = priv;
    f->append = (flags & O_APPEND) != 0;
}

static struct husk_vnode *ef_vnode(void *priv)
{
    struct ext_file *f = priv;
    return &f->n->v;
}

static const struct husk_file_ops ext_file_ops = {
    .read = ef_read,
    .write = ef_write,
    .pread = ef_pread,
    .pwrite = ef_pwrite,
    .fsync = ef_fsync,
    .lseek = ef_lseek,
    .fstat = ef_fstat,
    .truncate = ef_truncate,
    .close = ef_close,
    .set_flags = ef_set_flags,
    .vnode = ef_vnode,
};

long extfs_open(struct husk_vnode *node, int flags)
{
    struct ext_node *n = node_of(node);
    int rc = extfs_node_use(n);
    if (rc < 0)
        return rc;
    if (!S_ISREG(n->v.mode))
        return -ENXIO; /* a device node or FIFO: no such device here */
    struct ext_file *f = malloc(sizeof(*f));
    if (f == NULL)
        return -ENOMEM;
    int acc = flags & O_ACCMODE;
    *f = (struct ext_file){
        .n = n,
        .readable = acc != O_WRONLY,
        .writable = acc != O_RDONLY,
        .append = (flags & O_APPEND) != 0,
    };
    int fd = husk_fd_install(0, &ext_file_ops, f);
    if (fd < 0) {
        free(f);
        return fd;
    }
    husk_vnode_get(&n->v);
    return fd;
}
