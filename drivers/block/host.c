/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/block/host.c: block devices, backed by a host file or block
 * device opened once at start-up (before the sandbox) and locked so that
 * two monitors never write one image. Four hypercalls: info, flush
 * (fdatasync), and the request queue in guest memory (set it up, kick it),
 * which the I/O thread or a kick serves. Every batch taken from the queue
 * is checked whole before any of it touches the file, so a bad request
 * changes nothing. (Call 9, a batch of requests in one exit, was the
 * second way in until the queue's kick made it redundant: it is gone,
 * and its number stays reserved.)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../monitor/allowlist.h"
#include "../../monitor/husk.h"
#include "../../monitor/rawsys.h"
#include "block.h"

struct block {
    int fd;
    uint64_t capacity;
    bool read_only;
    /* The request queue in guest memory (HUSK_HC_BLOCK_QUEUE), served by
     * the I/O thread and by kicks; `taken` is the monitor's own count of
     * requests taken, never read back from the guest. */
    struct husk_block_queue *queue;
    uint32_t taken;
    struct husk_io_queue io;
    /* For --stats=json, counted under the I/O lock (queue_serve) or by
     * the vCPU thread alone (flush). */
    uint64_t reads, read_bytes, writes, write_bytes, flushes, errors;
};

static void block_open(struct husk_vm *vm, unsigned handle,
                       const struct husk_device_arg *arg)
{
    char path[HUSK_BLOCK_PATH_MAX], err[256];
    bool ro;
    if (husk_block_parse_spec(arg->spec, path, sizeof(path), &ro, err,
                              sizeof(err)) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "--block:%s=%s: %s", arg->name,
                    arg->spec, err);
    /* O_NONBLOCK: opening a FIFO for reading waits for a writer, before
     * --timeout is armed; it is refused below, at once. */
    int fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && !ro && (errno == EACCES || errno == EROFS || errno == EPERM))
        husk_fatal(HUSK_EXIT_MONITOR,
                   "--block:%s=%s: cannot open for writing (add ,ro to "
                   "attach it read-only)",
                   arg->name, path);
    if (fd < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--block:%s=%s: cannot open", arg->name,
                   path);
    struct stat st;
    if (fstat(fd, &st) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--block:%s=%s: stat", arg->name, path);
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--block:%s=%s: not a regular file or block device",
                    arg->name, path);
    /* Back to blocking I/O, which a file or a disk has anyway. */
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--block:%s=%s: fcntl", arg->name, path);
    /* Shared for readers, exclusive for a writer: never two writers. */
    if (flock(fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--block:%s=%s: in use by another process (locked)",
                    arg->name, path);
    /* root may open a file whose mode forbids writing: refuse anyway. */
    if (!ro && !(st.st_mode & 0222))
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--block:%s=%s: the file is read-only (mode %03o); add "
                    ",ro to attach it read-only",
                    arg->name, path, st.st_mode & 0777);
    uint64_t size = (uint64_t)st.st_size;
    if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &size) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--block:%s=%s: BLKGETSIZE64", arg->name,
                   path);
    if (size == 0 || size % HUSK_BLOCK_SECTOR != 0)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--block:%s=%s: size %llu is not a non-zero multiple of "
                    "%d bytes (try truncate -s 64M %s)",
                    arg->name, path, (unsigned long long)size,
                    HUSK_BLOCK_SECTOR, path);
    struct block *b = calloc(1, sizeof(*b));
    if (b == NULL)
        husk_fatal(HUSK_EXIT_MONITOR, "out of memory");
    *b = (struct block){.fd = fd, .capacity = size, .read_only = ro};
    vm->devices[handle] = b;
    husk_io_prepare(vm); /* for its queue: block_queue comes after the filter */
}

static enum husk_hc_result hc_block_info(struct husk_vm *vm, void *dev,
                                         void *arg)
{
    struct husk_hc_block_info *a = arg;
    struct block *b = dev;
    if (a->_pad0 != 0)
        return husk_violation(vm, "block_info: padding is not zero");
    a->capacity = b->capacity;
    a->sector_size = HUSK_BLOCK_SECTOR;
    a->flags = b->read_only ? HUSK_BLOCK_READ_ONLY : 0;
    return HUSK_HC_DONE;
}

/* Check one request; returns the host buffer, or NULL with the reason in
 * why (the I/O thread must not touch vm->message, so no husk_violation). */
static void *check_request(struct husk_vm *vm, const struct block *b,
                           unsigned i, const struct husk_block_request *r,
                           char *why, size_t whylen)
{
    if (r->op != HUSK_BLOCK_OP_READ && r->op != HUSK_BLOCK_OP_WRITE) {
        husk_errorf(why, whylen, "request %u: unknown op %u", i, r->op);
        return NULL;
    }
    if (r->_pad0 != 0) {
        husk_errorf(why, whylen, "request %u: padding is not zero", i);
        return NULL;
    }
    if (r->op == HUSK_BLOCK_OP_WRITE && b->read_only) {
        husk_errorf(why, whylen, "request %u: write to a read-only device", i);
        return NULL;
    }
    if (r->len == 0 || r->len > HUSK_BLOCK_IO_MAX ||
        r->len % HUSK_BLOCK_SECTOR != 0) {
        husk_errorf(why, whylen,
                    "request %u: length %u is not a multiple of %d from %d "
                    "to %u",
                    i, r->len, HUSK_BLOCK_SECTOR, HUSK_BLOCK_SECTOR,
                    HUSK_BLOCK_IO_MAX);
        return NULL;
    }
    uint64_t sectors = b->capacity / HUSK_BLOCK_SECTOR;
    uint64_t count = r->len / HUSK_BLOCK_SECTOR;
    if (r->sector > sectors || count > sectors - r->sector) {
        husk_errorf(why, whylen,
                    "request %u: sectors %llu+%llu lie past the end of the "
                    "device (%llu sectors)",
                    i, (unsigned long long)r->sector, (unsigned long long)count,
                    (unsigned long long)sectors);
        return NULL;
    }
    /* A read makes us write guest memory: the guest's own only. A write
     * only reads it, and may take the boot data (argv) too; pwrite never
     * writes through the pointer, hence the cast. */
    void *buf = r->op == HUSK_BLOCK_OP_READ
                    ? husk_gpa_range(vm, r->buf_gpa, r->len)
                    : (void *)husk_gpa_range_ro(vm, r->buf_gpa, r->len);
    if (buf == NULL)
        husk_errorf(why, whylen,
                    "request %u: buffer 0x%llx+%u lies outside guest memory", i,
                    (unsigned long long)r->buf_gpa, r->len);
    return buf;
}

/* Check a whole batch (copied out of guest memory) before any of it runs;
 * the host buffers go to bufs. false with the reason in why. */
static bool check_batch(struct husk_vm *vm, const struct block *b,
                        const struct husk_block_request *reqs, unsigned n,
                        void **bufs, char *why, size_t whylen)
{
    for (unsigned i = 0; i < n; i++)
        if ((bufs[i] = check_request(vm, b, i, &reqs[i], why, whylen)) == NULL)
            return false;
    return true;
}

/* One transfer, all of it or an error: pread/pwrite may move less. Raw
 * system calls: a kick runs this on the guest's %fs (proc.c). */
static int transfer(int fd, uint32_t op, uint8_t *buf, size_t len, off_t off)
{
    size_t done = 0;
    while (done < len) {
        long n = husk_raw_syscall6(
            op == HUSK_BLOCK_OP_READ ? SYS_pread64 : SYS_pwrite64, fd,
            (long)(buf + done), (long)(len - done), off + (off_t)done, 0, 0);
        if (n == -EINTR)
            continue;
        if (n <= 0)
            return -HUSK_EIO; /* a host error, or the file shrank */
        done += (size_t)n;
    }
    return 0;
}

static enum husk_hc_result hc_block_flush(struct husk_vm *vm, void *dev,
                                          void *arg)
{
    struct husk_hc_block_flush *a = arg;
    struct block *b = dev;
    if (a->_pad0 != 0)
        return husk_violation(vm, "block_flush: padding is not zero");
    a->result = b->read_only || fdatasync(b->fd) == 0 ? 0 : -HUSK_EIO;
    b->flushes++;
    b->errors += a->result != 0;
    return HUSK_HC_DONE;
}

/* ---- the request queue ---- */

/* A request served, in the device's counters. */
static void count(struct block *b, const struct husk_block_request *r,
                  int64_t result)
{
    if (result != 0)
        b->errors++;
    else if (r->op == HUSK_BLOCK_OP_READ)
        b->reads++, b->read_bytes += r->len;
    else
        b->writes++, b->write_bytes += r->len;
}

/* Serve what the guest has submitted to b's queue since the last time
 * (the caller holds the I/O lock). Each batch taken is checked whole
 * first. */
static long queue_serve(struct husk_vm *vm, void *ctx, uint64_t *bytes,
                        char *why, size_t whylen)
{
    struct block *b = ctx;
    struct husk_block_queue *q = b->queue;
    uint32_t submitted = __atomic_load_n(&q->submitted, __ATOMIC_ACQUIRE);
    uint32_t n = submitted - b->taken;
    if (n == 0)
        return 0;
    if (n > HUSK_BLOCK_QUEUE_SIZE) {
        husk_errorf(why, whylen,
                    "block queue: %u requests submitted, %u taken: more "
                    "than its %d entries",
                    submitted, b->taken, HUSK_BLOCK_QUEUE_SIZE);
        return -1;
    }
    struct husk_block_request reqs[HUSK_BLOCK_QUEUE_SIZE];
    void *bufs[HUSK_BLOCK_QUEUE_SIZE];
    for (uint32_t i = 0; i < n; i++) /* one copy: read each field once */
        memcpy(&reqs[i],
               &q->entries[(b->taken + i) % HUSK_BLOCK_QUEUE_SIZE].req,
               sizeof(reqs[i]));
    char reason[256];
    if (!check_batch(vm, b, reqs, n, bufs, reason, sizeof(reason))) {
        husk_errorf(why, whylen, "block queue: %s", reason);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t seq = b->taken + i;
        struct husk_block_qentry *e = &q->entries[seq % HUSK_BLOCK_QUEUE_SIZE];
        e->req.result = transfer(b->fd, reqs[i].op, bufs[i], reqs[i].len,
                                 (off_t)(reqs[i].sector * HUSK_BLOCK_SECTOR));
        count(b, &reqs[i], e->req.result);
        *bytes += reqs[i].len;
        __atomic_store_n(&e->done, seq + 1, __ATOMIC_RELEASE);
    }
    b->taken = submitted;
    __atomic_store_n(&q->consumed, submitted, __ATOMIC_RELEASE);
    return n;
}

static void queue_set_sleeping(void *ctx, bool sleeping)
{
    struct block *b = ctx;
    __atomic_store_n(&b->queue->monitor_sleeping, sleeping ? 1 : 0,
                     __ATOMIC_SEQ_CST);
}

static enum husk_hc_result hc_block_queue(struct husk_vm *vm, void *dev,
                                          void *arg)
{
    struct husk_hc_block_queue *a = arg;
    struct block *b = dev;
    if (a->_pad0 != 0)
        return husk_violation(vm, "block_queue: padding is not zero");
    if (b->queue != NULL)
        return husk_violation(vm,
                              "block_queue: device %u already has a "
                              "queue",
                              a->handle);
    struct husk_block_queue *q;
    if (a->queue_gpa % HUSK_PAGE_SIZE != 0 ||
        (q = husk_gpa_range(vm, a->queue_gpa, sizeof(*q))) == NULL)
        return husk_violation(vm,
                              "block_queue: 0x%llx+%zu is not a page-aligned "
                              "range of guest memory",
                              (unsigned long long)a->queue_gpa, sizeof(*q));
    b->queue = q;
    b->taken = __atomic_load_n(&q->submitted, __ATOMIC_ACQUIRE);
    b->io = (struct husk_io_queue){queue_serve, queue_set_sleeping, b};
    husk_io_add_queue(vm, b->io);
    return HUSK_HC_DONE;
}

static enum husk_hc_result hc_block_kick(struct husk_vm *vm, void *dev,
                                         void *arg)
{
    struct husk_hc_block_kick *a = arg;
    struct block *b = dev;
    if (a->_pad0 != 0)
        return husk_violation(vm, "block_kick: padding is not zero");
    if (b->queue == NULL)
        return husk_violation(vm, "block_kick: device %u has no queue",
                              a->handle);
    char why[512];
    if (husk_io_kick(vm, &b->io, why, sizeof(why)) < 0)
        return husk_violation(vm, "%s", why);
    return HUSK_HC_DONE;
}

static void block_register(struct husk_vm *vm)
{
    static const struct {
        unsigned nr;
        const char *name;
        size_t size;
        husk_hc_dev_fn fn;
    } calls[] = {
        {HUSK_HC_BLOCK_INFO, "block_info", sizeof(struct husk_hc_block_info),
         hc_block_info},
        {HUSK_HC_BLOCK_FLUSH, "block_flush", sizeof(struct husk_hc_block_flush),
         hc_block_flush},
        {HUSK_HC_BLOCK_QUEUE, "block_queue", sizeof(struct husk_hc_block_queue),
         hc_block_queue},
        {HUSK_HC_BLOCK_KICK, "block_kick", sizeof(struct husk_hc_block_kick),
         hc_block_kick},
    };
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
        if (husk_hc_register_device(vm, calls[i].nr, calls[i].name,
                                    calls[i].size, HUSK_DEVICE_BLOCK,
                                    calls[i].fn) != 0)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "internal error: block registration failed");
    husk_hc_mark_tls_free(vm, HUSK_HC_BLOCK_KICK); /* see transfer() */
}

static int block_sandbox_rules(struct husk_vm *vm, unsigned handle,
                               struct husk_rules *rules)
{
    const struct block *b = vm->devices[handle];
    scmp_datum_t fd = (scmp_datum_t)b->fd;
    int rc = 0;
    /* The queue's reads, and writes unless the device is read-only. */
    rc |= husk_rule_add(rules, SCMP_SYS(pread64), 1, SCMP_A0(SCMP_CMP_EQ, fd));
    if (!b->read_only) {
        rc |= husk_rule_add(rules, SCMP_SYS(pwrite64), 1,
                            SCMP_A0(SCMP_CMP_EQ, fd));
        /* block_flush */
        rc |= husk_rule_add(rules, SCMP_SYS(fdatasync), 1,
                            SCMP_A0(SCMP_CMP_EQ, fd));
    }
    return rc == 0 ? 0 : -1;
}

static void block_stats_json(struct husk_vm *vm, unsigned handle,
                             struct husk_json *j)
{
    const struct block *b = vm->devices[handle];
    husk_json_bool(j, "read_only", b->read_only);
    husk_json_u64(j, "capacity_bytes", b->capacity);
    husk_json_u64(j, "reads", b->reads);
    husk_json_u64(j, "read_bytes", b->read_bytes);
    husk_json_u64(j, "writes", b->writes);
    husk_json_u64(j, "write_bytes", b->write_bytes);
    husk_json_u64(j, "flushes", b->flushes);
    husk_json_u64(j, "errors", b->errors);
}

const struct husk_device_ops husk_block_ops = {
    .kind = &husk_block_kind,
    .wants_io_thread = true, /* its request queue */
    .open = block_open,
    .info_call = HUSK_HC_BLOCK_INFO,
    .register_calls = block_register,
    .sandbox_rules = block_sandbox_rules,
    .stats_json = block_stats_json,
};
