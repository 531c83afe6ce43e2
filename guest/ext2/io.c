/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * io.c: a libext2fs I/O manager over a Husk block device, with a
 * write-back cache of metadata blocks.
 *
 * libext2fs reads and writes metadata (inode tables, directory and
 * extent blocks, bitmaps, group descriptors) a block at a time, and a
 * block device request is a round trip to the monitor. So the last
 * CACHE_BYTES of blocks stay here, and a block written stays dirty here
 * until the mount flushes (fsync, sync, exit: the I/O manager's flush,
 * which writes the dirty blocks in order, joining neighbours, then
 * flushes the device) or until the cache needs its room. A file
 * created, written and removed between two flushes costs no metadata
 * I/O at all. Before the first dirty block of a batch reaches the device,
 * the mount is told (before_writeback), so that it can mark the image
 * not valid first (mount.c).
 *
 * File data never comes this way: file.c moves it with extfs_io_data,
 * in runs as long as the file's extents, straight between the device and
 * the program's buffer. A block written as data has been freed and
 * reallocated if the cache held it as metadata: that copy is dropped,
 * dirty or not.
 *
 * The device is /dev/NAME's block file (drivers/block/guest.c), opened
 * once and kept on an fd at the top of the table (from HIGH_FD), where a
 * program's own files do not go; the driver batches a long transfer into
 * requests of up to 4 MiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "../../drivers/block/guest.h"
#include "../guest.h"
#include "extfs.h"

/* The cache's size: 1 MiB (256 blocks of 4 KiB), and from 16 to 1024
 * blocks whatever their size. */
#define CACHE_BYTES (1 << 20)
#define CACHE_MIN 16
#define CACHE_MAX 1024
#define CACHE_BUCKETS 512
/* A flush joins neighbouring dirty blocks into writes of up to this. */
#define RUN_BYTES (256 * 1024)
/* The block devices' fds: the highest ones, one per mount. */
#define HIGH_FD (HUSK_FD_MAX - HUSK_MOUNTS_MAX)

struct cblock {
    unsigned long long blk;
    bool dirty;
    struct cblock *hnext, *newer, *older;
    _Alignas(16) unsigned char data[];
};

struct blkio {
    int fd;
    void (*before_write)(void *ctx);
    void (*before_writeback)(void *ctx);
    void *ctx;
    struct cblock *buckets[CACHE_BUCKETS];
    struct cblock *newest, *oldest;
    unsigned count, dirty;
    /* Written to since the device was last flushed: a flush with nothing
     * new to make durable costs no host fdatasync (dev_rw, extfs_io_sync). */
    bool unsynced;
    struct struct_io_stats stats;
};

static struct blkio *bio_of(io_channel ch)
{
    return ch->private_data;
}

static unsigned cache_blocks(io_channel ch)
{
    unsigned n = CACHE_BYTES / (unsigned)ch->block_size;
    return n < CACHE_MIN ? CACHE_MIN : n > CACHE_MAX ? CACHE_MAX : n;
}

/* ---- the device ---- */

static errcode_t dev_rw(io_channel ch, bool write, uint64_t off, void *buf,
                        size_t len)
{
    struct blkio *b = bio_of(ch);
    size_t done = 0;
    if (write)
        b->unsynced = true; /* a write that fails half way counts too */
    while (done < len) {
        long n = write ? husk_sys_pwrite(b->fd, (char *)buf + done, len - done,
                                         (off_t)(off + done))
                       : husk_sys_pread(b->fd, (char *)buf + done, len - done,
                                        (off_t)(off + done));
        if (n < 0)
            return (errcode_t)-n;
        if (n == 0) /* past the end of the device */
            return write ? EXT2_ET_SHORT_WRITE : EXT2_ET_SHORT_READ;
        done += (size_t)n;
    }
    if (write)
        b->stats.bytes_written += len;
    else
        b->stats.bytes_read += len;
    return 0;
}

static void before_writeback(struct blkio *b)
{
    if (b->before_writeback != NULL)
        b->before_writeback(b->ctx);
}

/* ---- the cache ---- */

static struct cblock **slot(struct blkio *b, unsigned long long blk)
{
    struct cblock **p =
        &b->buckets[((blk * 0x9e3779b97f4a7c15ULL) >> 40) % CACHE_BUCKETS];
    while (*p != NULL && (*p)->blk != blk)
        p = &(*p)->hnext;
    return p;
}

static void lru_unlink(struct blkio *b, struct cblock *c)
{
    if (c->newer != NULL)
        c->newer->older = c->older;
    else
        b->newest = c->older;
    if (c->older != NULL)
        c->older->newer = c->newer;
    else
        b->oldest = c->newer;
}

static void lru_push(struct blkio *b, struct cblock *c)
{
    c->newer = NULL;
    c->older = b->newest;
    if (b->newest != NULL)
        b->newest->newer = c;
    else
        b->oldest = c;
    b->newest = c;
}

static void set_dirty(struct blkio *b, struct cblock *c, bool dirty)
{
    if (c->dirty != dirty)
        b->dirty += dirty ? 1 : -1U;
    c->dirty = dirty;
}

/* Forget c, dirty or not. */
static void drop(struct blkio *b, struct cblock *c)
{
    *slot(b, c->blk) = c->hnext;
    lru_unlink(b, c);
    set_dirty(b, c, false);
    b->count--;
    free(c);
}

static int cmp_blk(const void *x, const void *y)
{
    const struct cblock *a = *(struct cblock *const *)x;
    const struct cblock *c = *(struct cblock *const *)y;
    return a->blk < c->blk ? -1 : a->blk > c->blk;
}

/* Write every dirty block, in block order, neighbours joined. */
static errcode_t writeback(io_channel ch)
{
    struct blkio *b = bio_of(ch);
    if (b->dirty == 0)
        return 0;
    before_writeback(b);
    size_t bs = (size_t)ch->block_size, n = 0;
    struct cblock **list = malloc(b->dirty * sizeof(*list));
    unsigned char *run = malloc(RUN_BYTES > bs ? RUN_BYTES : bs);
    if (list == NULL || run == NULL) {
        free(list);
        free(run);
        return EXT2_ET_NO_MEMORY;
    }
    for (struct cblock *c = b->oldest; c != NULL; c = c->newer)
        if (c->dirty)
            list[n++] = c;
    qsort(list, n, sizeof(*list), cmp_blk);
    errcode_t e = 0;
    for (size_t i = 0; i < n && e == 0;) {
        size_t j = i, len = 0;
        while (j < n && len + bs <= RUN_BYTES &&
               list[j]->blk == list[i]->blk + (j - i)) {
            memcpy(run + len, list[j]->data, bs);
            len += bs;
            j++;
        }
        e = dev_rw(ch, true, list[i]->blk * bs, run, len);
        for (; e == 0 && i < j; i++)
            set_dirty(b, list[i], false);
    }
    free(list);
    free(run);
    return e;
}

/* Forget every cached block (written back first). */
static errcode_t drop_all(io_channel ch)
{
    struct blkio *b = bio_of(ch);
    errcode_t e = writeback(ch);
    if (e != 0)
        return e;
    while (b->oldest != NULL)
        drop(b, b->oldest);
    return 0;
}

/* Make room for one block more: the oldest goes, written if dirty. */
static errcode_t make_room(io_channel ch)
{
    struct blkio *b = bio_of(ch);
    if (b->count < cache_blocks(ch))
        return 0;
    struct cblock *c = b->oldest;
    if (c->dirty) {
        before_writeback(b);
        errcode_t e = dev_rw(ch, true, c->blk * (uint64_t)ch->block_size,
                             c->data, (size_t)ch->block_size);
        if (e != 0)
            return e;
    }
    drop(b, c);
    return 0;
}

/* blk's cache entry holding data (dirty: it is not on the device), or
 * NULL if there is no memory for it. */
static struct cblock *keep(io_channel ch, unsigned long long blk,
                           const void *data, bool dirty, errcode_t *err)
{
    struct blkio *b = bio_of(ch);
    struct cblock *c = *slot(b, blk);
    *err = 0;
    if (c != NULL) {
        lru_unlink(b, c);
    } else {
        if ((*err = make_room(ch)) != 0)
            return NULL;
        c = malloc(sizeof(*c) + (size_t)ch->block_size);
        if (c == NULL)
            return NULL;
        c->blk = blk;
        c->dirty = false;
        c->hnext = NULL;
        *slot(b, blk) = c;
        b->count++;
    }
    memcpy(c->data, data, (size_t)ch->block_size);
    set_dirty(b, c, dirty);
    lru_push(b, c);
    return c;
}

/* Bytes [off, off + len) were written to the device as data: no cached
 * copy of them is metadata any more. */
static void forget(io_channel ch, uint64_t off, uint64_t len)
{
    struct blkio *b = bio_of(ch);
    if (b->count == 0 || len == 0)
        return;
    uint64_t bs = (uint64_t)ch->block_size;
    uint64_t first = off / bs, last = (off + len - 1) / bs;
    if (last - first >= b->count) { /* cheaper to look at the cache */
        for (struct cblock *c = b->oldest, *next; c != NULL; c = next) {
            next = c->newer;
            if (c->blk >= first && c->blk <= last)
                drop(b, c);
        }
        return;
    }
    for (uint64_t blk = first; blk <= last; blk++) {
        struct cblock *c = *slot(b, blk);
        if (c != NULL)
            drop(b, c);
    }
}

/* Copy what the cache holds of bytes [off, off + len) over buf (a read
 * from the device: the cache is newer), or buf into the cache (a write
 * that went to the device directly: the cached copy is now that). */
static void overlay(io_channel ch, uint64_t off, unsigned char *buf,
                    uint64_t len, bool into_cache)
{
    struct blkio *b = bio_of(ch);
    if (b->count == 0 || len == 0)
        return;
    uint64_t bs = (uint64_t)ch->block_size;
    for (uint64_t blk = off / bs; blk <= (off + len - 1) / bs; blk++) {
        struct cblock *c = *slot(b, blk);
        if (c == NULL)
            continue;
        uint64_t from = blk * bs > off ? blk * bs : off;
        uint64_t to = (blk + 1) * bs < off + len ? (blk + 1) * bs : off + len;
        if (into_cache)
            memcpy(c->data + (from - blk * bs), buf + (from - off), to - from);
        else
            memcpy(buf + (from - off), c->data + (from - blk * bs), to - from);
    }
}

/* ---- what the mount uses ---- */

int extfs_io_data(io_channel ch, bool write, uint64_t off, void *buf,
                  size_t len)
{
    errcode_t e = dev_rw(ch, write, off, buf, len);
    if (write)
        forget(ch, off, len);
    if (e == 0)
        return 0;
    return e < 4096 ? -(int)e : -EIO;
}

int extfs_io_sync(io_channel ch)
{
    struct blkio *b = bio_of(ch);
    if (!b->unsynced)
        return 0;
    long rc = husk_sys_fsync(b->fd);
    if (rc < 0)
        return (int)rc;
    b->unsynced = false;
    return 0;
}

void extfs_io_hook(io_channel ch, void (*before_write)(void *),
                   void (*before_wb)(void *), void *ctx)
{
    struct blkio *b = bio_of(ch);
    b->before_write = before_write;
    b->before_writeback = before_wb;
    b->ctx = ctx;
}

/* ---- the I/O manager ---- */

/* count blocks, or -count bytes, as libext2fs gives a transfer's size. */
static size_t bytes_of(io_channel ch, int count)
{
    return count < 0 ? (size_t) - (long)count
                     : (size_t)count * (size_t)ch->block_size;
}

static struct struct_io_manager husk_io;

static errcode_t hio_open(const char *name, int flags, io_channel *out)
{
    long fd = husk_block_open(name, flags & IO_FLAG_RW ? O_RDWR : O_RDONLY);
    if (fd < 0)
        return (errcode_t)-fd;
    long high = husk_sys_dup_min((int)fd, HIGH_FD);
    husk_sys_close((int)fd);
    if (high < 0)
        return (errcode_t)-high;
    io_channel ch = calloc(1, sizeof(*ch));
    struct blkio *b = calloc(1, sizeof(*b));
    char *copy = strdup(name);
    if (ch == NULL || b == NULL || copy == NULL) {
        free(ch);
        free(b);
        free(copy);
        husk_sys_close((int)high);
        return EXT2_ET_NO_MEMORY;
    }
    b->fd = (int)high;
    b->stats.num_fields = 2;
    ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
    ch->manager = &husk_io;
    ch->name = copy;
    ch->block_size = 1024;
    ch->refcount = 1;
    ch->flags = CHANNEL_FLAGS_BLOCK_DEVICE;
    ch->private_data = b;
    *out = ch;
    return 0;
}

static errcode_t hio_close(io_channel ch)
{
    if (--ch->refcount > 0)
        return 0;
    struct blkio *b = bio_of(ch);
    errcode_t e = drop_all(ch);
    while (b->oldest != NULL) /* what could not be written is lost */
        drop(b, b->oldest);
    husk_sys_close(b->fd);
    free(b);
    free(ch->name);
    free(ch);
    return e;
}

static errcode_t hio_set_blksize(io_channel ch, int blksize)
{
    if (blksize <= 0)
        return EXT2_ET_INVALID_ARGUMENT;
    if (blksize == ch->block_size)
        return 0;
    errcode_t e = drop_all(ch); /* entries are of the old size */
    if (e == 0)
        ch->block_size = blksize;
    return e;
}

static errcode_t hio_read_blk64(io_channel ch, unsigned long long block,
                                int count, void *data)
{
    struct blkio *b = bio_of(ch);
    size_t len = bytes_of(ch, count);
    uint64_t off = block * (uint64_t)ch->block_size;
    if (count != 1) {
        errcode_t e = dev_rw(ch, false, off, data, len);
        if (e == 0)
            overlay(ch, off, data, len, false);
        return e;
    }
    struct cblock *c = *slot(b, block);
    if (c != NULL) {
        memcpy(data, c->data, len);
        lru_unlink(b, c);
        lru_push(b, c);
        return 0;
    }
    errcode_t e = dev_rw(ch, false, off, data, len);
    if (e == 0)
        keep(ch, block, data, false, &e);
    return e;
}

static errcode_t hio_write_blk64(io_channel ch, unsigned long long block,
                                 int count, const void *data)
{
    struct blkio *b = bio_of(ch);
    size_t len = bytes_of(ch, count);
    uint64_t off = block * (uint64_t)ch->block_size;
    if (b->before_write != NULL)
        b->before_write(b->ctx);
    errcode_t e;
    if (count == 1 && keep(ch, block, data, true, &e) != NULL)
        return 0;
    if (count == 1 && e != 0)
        return e;
    /* Several blocks, or no memory to cache one: straight to the device,
     * and any cached copy becomes what was written. */
    before_writeback(b);
    /* dev_rw only reads from data for a write. */
    e = dev_rw(ch, true, off, (void *)(uintptr_t)data, len);
    if (e == 0)
        overlay(ch, off, (void *)(uintptr_t)data, len, true);
    else
        forget(ch, off, len);
    return e;
}

static errcode_t hio_read_blk(io_channel ch, unsigned long block, int count,
                              void *data)
{
    return hio_read_blk64(ch, block, count, data);
}

static errcode_t hio_write_blk(io_channel ch, unsigned long block, int count,
                               const void *data)
{
    return hio_write_blk64(ch, block, count, data);
}

/*
 * The superblock's changed bytes (ext2fs_flush2: its only use), straight
 * to the device after the flush that wrote the rest. They need no flush
 * of their own, so ext2fs_flush2's last one costs nothing: all they
 * describe is on the device already, and if the host loses them in a
 * crash, the device keeps the superblock that extfs_mark_dirty wrote and
 * flushed before the first metadata write, which says "not clean", and
 * e2fsck checks the image. The next flush of anything else takes them
 * along. A program's fsync goes from three host fdatasyncs to two.
 */
static errcode_t hio_write_byte(io_channel ch, unsigned long offset, int size,
                                const void *data)
{
    struct blkio *b = bio_of(ch);
    if (size < 0)
        return EXT2_ET_INVALID_ARGUMENT;
    if (b->before_write != NULL)
        b->before_write(b->ctx);
    before_writeback(b);
    bool unsynced = b->unsynced;
    errcode_t e =
        dev_rw(ch, true, offset, (void *)(uintptr_t)data, (size_t)size);
    b->unsynced = unsynced;
    if (e == 0)
        overlay(ch, offset, (void *)(uintptr_t)data, (uint64_t)size, true);
    else
        forget(ch, offset, (uint64_t)size);
    return e;
}

static errcode_t hio_flush(io_channel ch)
{
    errcode_t e = writeback(ch);
    if (e != 0)
        return e;
    int rc = extfs_io_sync(ch);
    return rc < 0 ? (errcode_t)-rc : 0;
}

static errcode_t hio_set_option(io_channel ch, const char *option,
                                const char *arg)
{
    (void)ch, (void)option, (void)arg;
    return EXT2_ET_INVALID_ARGUMENT; /* it has none */
}

static errcode_t hio_get_stats(io_channel ch, io_stats *out)
{
    *out = &bio_of(ch)->stats;
    return 0;
}

static struct struct_io_manager husk_io = {
    .magic = EXT2_ET_MAGIC_IO_MANAGER,
    .name = "Husk block device",
    .open = hio_open,
    .close = hio_close,
    .set_blksize = hio_set_blksize,
    .read_blk = hio_read_blk,
    .write_blk = hio_write_blk,
    .flush = hio_flush,
    .write_byte = hio_write_byte,
    .set_option = hio_set_option,
    .get_stats = hio_get_stats,
    .read_blk64 = hio_read_blk64,
    .write_blk64 = hio_write_blk64,
};

io_manager husk_extfs_io_manager = &husk_io;
