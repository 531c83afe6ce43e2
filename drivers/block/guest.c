/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/block/guest.c: block devices as files. open("/dev/NAME") gives
 * an fd that reads and writes any byte range; underneath, the driver
 * moves whole sectors: the aligned middle of a transfer goes straight
 * between the device and the caller's buffer (one request per 4 MiB, up to
 * 64 per batch), and a partial first or last sector goes through a
 * bounce buffer (read, and for a write, modify and write back).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../guest/driver.h"
#include "../../guest/guest.h"
#include "../../guest/seek.h"
#include "guest.h"

#define SECTOR 512ULL
#define FILES_MAX 64

struct block_dev {
    uint32_t handle;
    uint64_t capacity;
    bool read_only;
    const char *name; /* in the boot information */
    struct husk_block_queue *queue;
    uint32_t submitted; /* requests handed to the queue, ever */
};

/* One request queue per device, each page-aligned (the ABI's rule). Zero
 * BSS: pages no device uses cost the host nothing. */
static union {
    struct husk_block_queue q;
    _Alignas(4096) unsigned char page[8192];
} queues[HUSK_DEVICES_MAX];
_Static_assert(sizeof(struct husk_block_queue) <= 8192, "queue size");

struct block_file {
    struct block_dev *dev;
    uint64_t pos;
    bool readable, writable, used;
};

static struct block_dev devs[HUSK_DEVICES_MAX];
static unsigned dev_count;
static struct block_file files[FILES_MAX];

static void block_init(void)
{
    for (uint32_t i = 0; i < husk_boot->device_count; i++) {
        const struct husk_boot_device *d = &husk_boot->devices[i];
        if (d->kind != HUSK_DEVICE_BLOCK)
            continue;
        struct husk_hc_block_info info = {.handle = d->handle};
        husk_hypercall(HUSK_HC_BLOCK_INFO, &info);
        devs[dev_count] = (struct block_dev){
            .handle = d->handle,
            .capacity = info.capacity,
            .read_only = info.flags & HUSK_BLOCK_READ_ONLY,
            .name = d->name,
        };
        dev_count++;
    }
}

/* The device's queue, set up on first use: a guest that never touches
 * a device pays neither the exit nor the pages. */
static struct husk_block_queue *queue_of(struct block_dev *dev)
{
    if (dev->queue == NULL) {
        struct husk_block_queue *q = &queues[dev - devs].q;
        struct husk_hc_block_queue setup = {
            .handle = dev->handle,
            .queue_gpa = (uintptr_t)q,
        };
        husk_hypercall(HUSK_HC_BLOCK_QUEUE, &setup);
        dev->queue = q;
    }
    return dev->queue;
}

/* A restored instance: each queue set up is handed to the new monitor. */
static void block_resume(void)
{
    for (unsigned i = 0; i < dev_count; i++) {
        if (devs[i].queue == NULL)
            continue;
        struct husk_hc_block_queue setup = {
            .handle = devs[i].handle,
            .queue_gpa = (uintptr_t)devs[i].queue,
        };
        husk_hypercall(HUSK_HC_BLOCK_QUEUE, &setup);
    }
}

/* ---- batches of sector requests ---- */

struct batch {
    struct block_dev *dev;
    unsigned count;
    /* At most a queue's worth: the queue is empty when a batch starts. */
    struct husk_block_request reqs[HUSK_BLOCK_QUEUE_SIZE];
    int error;
};

/* How long to wait for the I/O thread before kicking: above the time a
 * request takes when the host's page cache has the data. */
#define KICK_AFTER_NS 100000ULL

static void kick(struct block_dev *dev)
{
    struct husk_hc_block_kick k = {.handle = dev->handle};
    husk_hypercall(HUSK_HC_BLOCK_KICK, &k);
}

/* Hand the batch to the device's queue and wait until it is done. While
 * the monitor's I/O thread polls the queue this costs no exit; when it
 * sleeps (or there is none), one kick serves the whole batch. */
static void batch_flush(struct batch *b)
{
    if (b->count == 0)
        return;
    struct block_dev *dev = b->dev;
    struct husk_block_queue *q = queue_of(dev);
    uint32_t base = dev->submitted;
    uint64_t bytes = 0;
    for (unsigned i = 0; i < b->count; i++) {
        q->entries[(base + i) % HUSK_BLOCK_QUEUE_SIZE].req = b->reqs[i];
        bytes += b->reqs[i].len;
    }
    dev->submitted = base + b->count;
    __atomic_store_n(&q->submitted, dev->submitted, __ATOMIC_RELEASE);
    /* Dekker with the I/O thread: publish, fence, then read its flag. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    bool kicked = false;
    /* A large batch kicks at once (husk_abi.h): the vCPU had better
     * sleep in the monitor than spin through its transfer. */
    if (bytes >= HUSK_BLOCK_KICK_AT_ONCE ||
        __atomic_load_n(&q->monitor_sleeping, __ATOMIC_RELAXED)) {
        kick(dev);
        kicked = true;
    }
    uint64_t give_up = husk_monotonic_ns() + KICK_AFTER_NS;
    for (unsigned i = 0; i < b->count; i++) {
        struct husk_block_qentry *e =
            &q->entries[(base + i) % HUSK_BLOCK_QUEUE_SIZE];
        while (__atomic_load_n(&e->done, __ATOMIC_ACQUIRE) != base + i + 1) {
            if (kicked)
                husk_panic("block: a kicked request is not done");
            if (husk_monotonic_ns() < give_up) {
                __builtin_ia32_pause();
                continue;
            }
            kick(dev); /* it returns when every request is done */
            kicked = true;
        }
        if (e->req.result != 0)
            b->error = -EIO;
    }
    b->count = 0;
}

/* Queue op on sectors [sector, sector + bytes / SECTOR) <-> buf. */
static void batch_add(struct batch *b, uint32_t op, uint64_t sector, void *buf,
                      uint64_t bytes)
{
    while (bytes > 0) {
        uint32_t n =
            bytes > HUSK_BLOCK_IO_MAX ? HUSK_BLOCK_IO_MAX : (uint32_t)bytes;
        if (b->count == HUSK_BLOCK_QUEUE_SIZE)
            batch_flush(b);
        b->reqs[b->count++] = (struct husk_block_request){
            .op = op, .len = n, .sector = sector, .buf_gpa = (uintptr_t)buf};
        sector += n / SECTOR;
        buf = (char *)buf + n;
        bytes -= n;
    }
}

/* ---- byte ranges ---- */

static _Alignas(64) unsigned char head_buf[SECTOR], tail_buf[SECTOR];

/* Move len bytes at byte offset off; returns bytes moved or -errno. */
static long block_rw(struct block_dev *dev, uint32_t op, unsigned char *buf,
                     size_t len, uint64_t off)
{
    if (len == 0)
        return 0;
    if (off >= dev->capacity)
        return op == HUSK_BLOCK_OP_READ ? 0 : -ENOSPC; /* as Linux */
    if (len > dev->capacity - off)
        len = (size_t)(dev->capacity - off);
    uint64_t end = off + len;
    uint64_t first = off / SECTOR, last = (end - 1) / SECTOR;
    bool head = off % SECTOR != 0 || end < (first + 1) * SECTOR;
    bool tail = end % SECTOR != 0 && last != first;
    uint64_t mid0 = head ? first + 1 : first, mid1 = tail ? last : last + 1;
    /* Bytes of the caller's buffer in the partial first and last sector. */
    size_t head_len = SECTOR - off % SECTOR < len ? SECTOR - off % SECTOR : len;
    size_t tail_len = (size_t)(end - last * SECTOR);
    struct batch b = {.dev = dev};

    if (op == HUSK_BLOCK_OP_WRITE && (head || tail)) {
        /* Read the partial sectors first, to merge the new bytes in. */
        if (head)
            batch_add(&b, HUSK_BLOCK_OP_READ, first, head_buf, SECTOR);
        if (tail)
            batch_add(&b, HUSK_BLOCK_OP_READ, last, tail_buf, SECTOR);
        batch_flush(&b);
        if (b.error != 0)
            return b.error;
        if (head)
            __builtin_memcpy(head_buf + off % SECTOR, buf, head_len);
        if (tail)
            __builtin_memcpy(tail_buf, buf + (last * SECTOR - off), tail_len);
    }
    if (head)
        batch_add(&b, op, first, head_buf, SECTOR);
    if (mid1 > mid0)
        batch_add(&b, op, mid0, buf + (mid0 * SECTOR - off),
                  (mid1 - mid0) * SECTOR);
    if (tail)
        batch_add(&b, op, last, tail_buf, SECTOR);
    batch_flush(&b);
    if (b.error != 0)
        return b.error;
    if (op == HUSK_BLOCK_OP_READ) {
        if (head)
            __builtin_memcpy(buf, head_buf + off % SECTOR, head_len);
        if (tail)
            __builtin_memcpy(buf + (last * SECTOR - off), tail_buf, tail_len);
    }
    return (long)len;
}

/* ---- file operations ---- */

static long file_pread(void *priv, void *buf, size_t len, off_t off)
{
    struct block_file *f = priv;
    if (!f->readable)
        return -EBADF;
    return block_rw(f->dev, HUSK_BLOCK_OP_READ, buf, len, (uint64_t)off);
}

static long file_pwrite(void *priv, const void *buf, size_t len, off_t off)
{
    struct block_file *f = priv;
    if (!f->writable)
        return -EBADF;
    /* block_rw only reads from buf for a write: the cast is safe. */
    return block_rw(f->dev, HUSK_BLOCK_OP_WRITE, (unsigned char *)buf, len,
                    (uint64_t)off);
}

static long file_read(void *priv, void *buf, size_t len)
{
    struct block_file *f = priv;
    long n = file_pread(priv, buf, len, (off_t)f->pos);
    if (n > 0)
        f->pos += (uint64_t)n;
    return n;
}

static long file_write(void *priv, const void *buf, size_t len)
{
    struct block_file *f = priv;
    long n = file_pwrite(priv, buf, len, (off_t)f->pos);
    if (n > 0)
        f->pos += (uint64_t)n;
    return n;
}

static long file_lseek(void *priv, off_t offset, int whence)
{
    struct block_file *f = priv;
    return husk_seek(&f->pos, f->dev->capacity, offset, whence);
}

static long file_fsync(void *priv)
{
    struct block_file *f = priv;
    struct husk_hc_block_flush fl = {.handle = f->dev->handle};
    husk_hypercall(HUSK_HC_BLOCK_FLUSH, &fl);
    return fl.result == 0 ? 0 : -EIO;
}

static long file_fstat(void *priv, struct stat *st)
{
    struct block_file *f = priv;
    /* An ordinary file whose size is the device's capacity. */
    st->st_mode = S_IFREG | (f->dev->read_only ? 0444 : 0644);
    st->st_size = (off_t)f->dev->capacity;
    st->st_blksize = 4096;
    st->st_blocks = (blkcnt_t)(f->dev->capacity / 512);
    st->st_nlink = 1;
    return 0;
}

static long file_close(void *priv)
{
    struct block_file *f = priv;
    f->used = false;
    return 0;
}

static const struct husk_file_ops block_file_ops = {
    .read = file_read,
    .write = file_write,
    .pread = file_pread,
    .pwrite = file_pwrite,
    .fsync = file_fsync,
    .lseek = file_lseek,
    .fstat = file_fstat,
    .close = file_close,
};

unsigned husk_block_count(void)
{
    return dev_count;
}

const char *husk_block_name(unsigned i)
{
    return i < dev_count ? devs[i].name : "";
}

uint64_t husk_block_capacity(unsigned i)
{
    return i < dev_count ? devs[i].capacity : 0;
}

bool husk_block_read_only(unsigned i)
{
    return i < dev_count && devs[i].read_only;
}

long husk_block_open(const char *name, int flags)
{
    struct block_dev *dev = NULL;
    for (unsigned i = 0; i < dev_count && dev == NULL; i++) {
        const char *a = devs[i].name, *b = name;
        while (*a != '\0' && *a == *b)
            a++, b++;
        if (*a == '\0' && *b == '\0')
            dev = &devs[i];
    }
    if (dev == NULL)
        return -ENOENT;
    int mode = flags & O_ACCMODE;
    if (mode != O_RDONLY && dev->read_only)
        return -EROFS;
    for (unsigned i = 0; i < FILES_MAX; i++) {
        if (files[i].used)
            continue;
        files[i] = (struct block_file){
            .dev = dev,
            .readable = mode != O_WRONLY,
            .writable = mode != O_RDONLY,
            .used = true,
        };
        int fd = husk_fd_install(3, &block_file_ops, &files[i]);
        if (fd < 0)
            files[i].used = false;
        return fd;
    }
    return -ENFILE;
}

/* ---- the driver table's entry (guest/driver.h) ---- */

static long block_dev_open(unsigned i, int flags)
{
    return husk_block_open(husk_block_name(i), flags);
}

/* husk-cc pulls this object into every image by this name. */
HUSK_DRIVER(husk_block_driver) = {
    .name = "block",
    .order = 1,
    .init = block_init,
    .resume = block_resume,
    .dev_count = husk_block_count,
    .dev_name = husk_block_name,
    .dev_size = husk_block_capacity,
    .dev_read_only = husk_block_read_only,
    .dev_open = block_dev_open,
};
