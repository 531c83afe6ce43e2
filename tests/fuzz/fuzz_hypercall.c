/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * fuzz_hypercall.c: libFuzzer harness for the hypercall path: the
 * dispatcher (monitor/hypercall.c, gpa.c) and the real handlers behind it
 * (monitor/core_calls.c, drivers/console/host.c with a console rate, and
 * drivers/block/host.c with two real devices), on a fake VM with 2 MiB of
 * guest memory. Handles: 1 is a read-write block device, 3 a read-only
 * one (64 KiB each, temporary files), 0 and 2 are pollable, not block
 * devices (no network back end is linked in). An input is one guest
 * access:
 *
 *     offset 0   u8  flags   FLAG_* below
 *            1   u8  nr      hypercall number (offset nr * 8 in the page)
 *            2   u16 off     FLAG_RAW_OFF: access at HUSK_HC_BASE - 64 + off
 *            4   u32 len     FLAG_RAW_LEN: access size (else 8)
 *            8   u64 arg     the stored value: the argument's GPA, taken
 *                            modulo mem_size + 64 unless FLAG_RAW_ARG
 *           16   ...         guest memory at that GPA (the argument struct
 *                            and whatever follows), else at HUSK_LOAD_MIN
 *
 * The monitor's own rules must hold afterwards: a violation sets exit 159
 * and a message, a stop sets a status, DONE sets neither, and every message
 * is one line of printable ASCII (abort quotes guest bytes). On the host
 * side: no device file changes size, the read-only one never changes, and
 * a violation leaves the read-write one as it was (batches are checked
 * whole before any I/O).
 *
 * Both block devices have their request queue from the start, at
 * QUEUE_GPA (handle 1) and QUEUE_GPA + QUEUE_STRIDE (handle 3), zero at
 * the start of every input but for what the input writes there. An input
 * numbers its requests from 0 (`submitted` is how many, entries[0] the
 * first): the harness moves them to where the monitor's count of requests
 * taken says they go, so that a block_kick input means the same whatever
 * ran before it.
 *
 * husk_fatal (an _exit) cannot be reached from here: ppoll gets at most
 * two valid fds and a normalised timeout, madvise gets page-aligned
 * ranges inside the mapping that backs guest memory, and the block
 * devices' files do not fail. If it ever were, the fuzzer would stop with
 * status 125 and run.sh reports it.
 *
 * Run it with -close_fd_mask=3 (run.sh does): console_write then writes
 * the guest's bytes to /dev/null instead of libFuzzer's stderr, and
 * libFuzzer keeps its own output and the sanitizer's on a copy of stderr.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../drivers/block/block.h"
#include "../../drivers/console/console.h"
#include "../../drivers/net/net.h"
#include "husk.h"

#define MEM_SIZE (2ULL << 20) /* above HUSK_LOAD_MIN: mem_discard can pass */
#define HEADER 16
#define DISK (64 << 10)        /* each block device's size */
#define QUEUE_GPA 0x1f0000ULL  /* handle 1's queue; handle 3's follows */
#define QUEUE_STRIDE 0x2000ULL /* a queue takes two pages */

#define FLAG_LOAD 0x1
#define FLAG_RAW_OFF 0x2
#define FLAG_RAW_LEN 0x4
#define FLAG_RAW_ARG 0x8

static struct husk_vm vm;
static struct husk_config cfg;
static int report_fd = 2; /* the real stderr, even under -close_fd_mask */
static int disk_fd[2];    /* our own view of devices 1 (rw) and 3 (ro) */
static uint8_t disk_before[DISK], disk_after[DISK];
static uint32_t taken[2]; /* requests each queue's monitor side has taken */

#define ENSURE(cond)                                           \
    do {                                                       \
        if (!(cond)) {                                         \
            dprintf(report_fd,                                 \
                    "fuzz_hypercall: %s:%d: %s does not hold " \
                    "(message: %s)\n",                         \
                    __FILE__, __LINE__, #cond, vm.message);    \
            abort();                                           \
        }                                                      \
    } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
    dprintf(report_fd, "fuzz_hypercall: set-up: %s: %m\n", what);
    exit(1);
}

/* Block device `handle`: a temporary file of DISK bytes, opened by the
 * real back end, removed from the file system at once. */
static void add_disk(unsigned handle, int i, const char *name,
                     const char *options)
{
    static char specs[2][64];
    char path[] = "/tmp/fuzz_hypercall.XXXXXX";
    int fd = mkstemp(path);
    uint8_t pattern[DISK];
    for (size_t j = 0; j < DISK; j++)
        pattern[j] = (uint8_t)(j * 7 + handle);
    if (fd < 0 || pwrite(fd, pattern, DISK, 0) != DISK)
        die("a block device's file");
    snprintf(specs[i], sizeof(specs[i]), "%s%s", path, options);
    struct husk_device_arg *d = &cfg.devices[handle];
    d->kind = HUSK_DEVICE_BLOCK;
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->spec = specs[i];
    husk_block_ops.open(&vm, handle, d);
    unlink(path);
    disk_fd[i] = fd;
}

/* Network device `handle`: a datagram socket pair stands in for the tap
 * (one frame per read and write); the far end feeds frames in. The one
 * at handle 2 speaks with virtio-net headers, as a real tap does, so that
 * TSO frames reach the checks of vnet.c. */
static int nic_far[HUSK_DEVICES_MAX];

static void add_nic(unsigned handle)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) != 0)
        die("a network device's socket pair");
    struct husk_net_config nc = {.mtu = 1500,
                                 .mac = {2, 0, 0, 0, 0, 1},
                                 .prefix_len = 24,
                                 .vnet_hdr = handle == 2};
    husk_net_attach(&vm, handle, sv[0], &nc);
    nic_far[handle] = sv[1];
}

/* Before a net_io: a frame the guest can take, one it cannot, a runt. */
static void feed_nics(void)
{
    static uint8_t frame[2000];
    for (unsigned h = 0; h <= 2; h += 2) {
        ssize_t unused = send(nic_far[h], frame, 60, MSG_DONTWAIT);
        unused = send(nic_far[h], frame, sizeof(frame), MSG_DONTWAIT);
        unused = send(nic_far[h], frame, 4, MSG_DONTWAIT);
        (void)unused;
        /* What the guest sent: drained, so the pair never fills. */
        while (recv(nic_far[h], frame, sizeof(frame), MSG_DONTWAIT) > 0)
            ;
    }
}

static void read_disk(int i, uint8_t *buf)
{
    if (pread(disk_fd[i], buf, DISK, 0) != DISK)
        die("reading a block device's file");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    report_fd = dup(STDERR_FILENO); /* before libFuzzer closes fd 2 */
    int null = open("/dev/null", O_RDWR);
    int idle[2];
    /* Heap memory, page-aligned for madvise; ASan guards its end. */
    vm.mem = aligned_alloc(HUSK_PAGE_SIZE, MEM_SIZE);
    if (report_fd < 0 || null < 0 || pipe(idle) != 0 || vm.mem == NULL) {
        perror("fuzz_hypercall: set-up");
        exit(1);
    }
    memset(vm.mem, 0, MEM_SIZE);
    vm.mem_size = MEM_SIZE;
    dup2(null, STDOUT_FILENO); /* console_write's stream 1 */
    dup2(null, STDIN_FILENO);  /* console_read: at end of file */
    /* Handle 0 is always ready (/dev/null), handle 2 never (a pipe). */
    for (int h = 0; h < HUSK_POLL_FDS_MAX; h++)
        vm.poll_fds[h] = -1;
    vm.poll_fds[0] = null;
    vm.poll_fds[2] = idle[0];
    vm.pollable_mask = 0x5;
    /* A rate low enough for fuzzing to reach the dropping path. */
    cfg.console_rate = 64 << 10;
    vm.cfg = &cfg;
    husk_core_calls_register(&vm);
    husk_console_register(&vm);
    add_disk(1, 0, "data", "");
    add_disk(3, 1, "more", ",ro");
    cfg.devices[0].kind = cfg.devices[2].kind = HUSK_DEVICE_NET;
    cfg.device_count = 4;
    husk_block_ops.register_calls(&vm);
    /* The queues, set up as libhusk sets them up: with block_queue. */
    for (int i = 0; i < 2; i++) {
        struct husk_hc_block_queue setup = {
            .handle = i == 0 ? 1 : 3,
            .queue_gpa = QUEUE_GPA + (uint64_t)i * QUEUE_STRIDE};
        uint64_t at = HUSK_LOAD_MIN;
        uint8_t stored[8];
        memcpy(vm.mem + at, &setup, sizeof(setup));
        memcpy(stored, &at, sizeof(stored));
        if (husk_hc_dispatch(&vm, HUSK_HC_BASE + 8 * HUSK_HC_BLOCK_QUEUE, 8,
                             true, stored) != HUSK_HC_DONE)
            die(vm.message);
    }
    memset(vm.mem, 0, MEM_SIZE);
    add_nic(0);
    add_nic(2);
    husk_net_register(&vm);
    /* The poll tests' readiness, as before: the NICs' own fds are for
     * net_io only. */
    vm.poll_fds[0] = null;
    vm.poll_fds[2] = idle[0];
    return 0;
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* net_io may wait up to an hour too (timeout_ns at offset 32). */
static void shorten_net_io(uint64_t gpa, uint32_t len, bool is_write,
                           uint64_t arg_gpa)
{
    if (!is_write || len != 8 || gpa != HUSK_HC_BASE + 8 * HUSK_HC_NET_IO ||
        arg_gpa % 8 != 0 || arg_gpa > MEM_SIZE - sizeof(struct husk_hc_net_io))
        return;
    uint64_t t;
    memcpy(&t, vm.mem + arg_gpa + 32, sizeof(t));
    if (t <= HUSK_POLL_TIMEOUT_MAX)
        t %= 1000;
    memcpy(vm.mem + arg_gpa + 32, &t, sizeof(t));
    feed_nics();
}

/* A poll may sleep up to an hour; keep valid timeouts under 1 us. */
static void shorten_poll(uint64_t gpa, uint32_t len, bool is_write,
                         uint64_t arg_gpa)
{
    if (!is_write || len != 8 || gpa != HUSK_HC_BASE + 8 * HUSK_HC_POLL ||
        arg_gpa % 8 != 0 || arg_gpa > MEM_SIZE - sizeof(struct husk_hc_poll))
        return;
    uint64_t t = load64(vm.mem + arg_gpa);
    if (t <= HUSK_POLL_TIMEOUT_MAX)
        t %= 1000;
    memcpy(vm.mem + arg_gpa, &t, sizeof(t));
}

static struct husk_block_queue *queue(int i)
{
    return (void *)(vm.mem + QUEUE_GPA + (uint64_t)i * QUEUE_STRIDE);
}

/* Requests numbered from 0 by the input go where the monitor expects the
 * next ones: entries rotated by what it has taken, `submitted` raised. */
static void rebase_queues(void)
{
    for (int i = 0; i < 2; i++) {
        struct husk_block_queue *q = queue(i);
        uint32_t k = taken[i] % HUSK_BLOCK_QUEUE_SIZE;
        static struct husk_block_qentry e[HUSK_BLOCK_QUEUE_SIZE];
        for (uint32_t j = 0; j < HUSK_BLOCK_QUEUE_SIZE; j++)
            e[(j + k) % HUSK_BLOCK_QUEUE_SIZE] = q->entries[j];
        memcpy(q->entries, e, sizeof(e));
        q->submitted += taken[i];
    }
}

/* After a kick the monitor served: it has taken all that was submitted. */
static void note_taken(enum husk_hc_result r, uint64_t gpa, uint64_t arg_gpa)
{
    struct husk_hc_block_kick k;
    if (r != HUSK_HC_DONE || gpa != HUSK_HC_BASE + 8 * HUSK_HC_BLOCK_KICK ||
        arg_gpa > MEM_SIZE - sizeof(k))
        return;
    memcpy(&k, vm.mem + arg_gpa, sizeof(k));
    if (k.handle == 1 || k.handle == 3)
        taken[k.handle == 1 ? 0 : 1] = queue(k.handle == 1 ? 0 : 1)->submitted;
}

static void check_message(void)
{
    const char *end = memchr(vm.message, '\0', sizeof(vm.message));
    ENSURE(end != NULL);
    for (const char *p = vm.message; p < end; p++)
        ENSURE(*p >= 0x20 && *p < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER)
        return 0;
    uint8_t flags = data[0], nr = data[1];
    uint16_t off;
    uint32_t raw_len;
    memcpy(&off, data + 2, sizeof(off));
    memcpy(&raw_len, data + 4, sizeof(raw_len));
    uint64_t arg = load64(data + 8);

    bool is_write = !(flags & FLAG_LOAD);
    uint64_t gpa = flags & FLAG_RAW_OFF ? HUSK_HC_BASE - 64 + off
                                        : HUSK_HC_BASE + 8ULL * nr;
    uint32_t len = flags & FLAG_RAW_LEN ? raw_len : 8;
    uint64_t arg_gpa = flags & FLAG_RAW_ARG ? arg : arg % (MEM_SIZE + 64);

    /* The rest of the input is guest memory at the argument. */
    uint64_t dst = arg_gpa < MEM_SIZE ? arg_gpa : HUSK_LOAD_MIN;
    size_t n = size - HEADER;
    if (n > MEM_SIZE - dst)
        n = MEM_SIZE - dst;
    memcpy(vm.mem + dst, data + HEADER, n);
    shorten_poll(gpa, len, is_write, arg_gpa);
    shorten_net_io(gpa, len, is_write, arg_gpa);

    static uint8_t ro_before[DISK];
    static bool ro_read;
    if (!ro_read) {
        read_disk(1, ro_before);
        ro_read = true;
    }
    read_disk(0, disk_before);

    uint8_t stored[8];
    memcpy(stored, &arg_gpa, sizeof(stored));
    vm.message[0] = '\0';
    vm.exit_code = 0;
    rebase_queues();
    enum husk_hc_result r = husk_hc_dispatch(&vm, gpa, len, is_write, stored);
    note_taken(r, gpa, arg_gpa);

    check_message();
    switch (r) {
    case HUSK_HC_DONE:
        ENSURE(vm.message[0] == '\0' && vm.exit_code == 0);
        break;
    case HUSK_HC_STOP:
        ENSURE(vm.exit_code >= 0 && vm.exit_code <= 255); /* abort: 134 */
        break;
    case HUSK_HC_VIOLATION:
        ENSURE(vm.exit_code == HUSK_EXIT_VIOLATION && vm.message[0] != '\0');
        break;
    default:
        ENSURE(!"a result outside enum husk_hc_result");
    }
    struct stat st0, st1;
    ENSURE(fstat(disk_fd[0], &st0) == 0 && st0.st_size == DISK);
    ENSURE(fstat(disk_fd[1], &st1) == 0 && st1.st_size == DISK);
    read_disk(1, disk_after);
    ENSURE(memcmp(disk_after, ro_before, DISK) == 0);
    if (r == HUSK_HC_VIOLATION) {
        read_disk(0, disk_after);
        ENSURE(memcmp(disk_after, disk_before, DISK) == 0);
    }

    /* Back to all-zero memory: only the copy, the argument and the queues
     * changed. */
    memset(vm.mem + dst, 0, n);
    memset(queue(0), 0, 2 * QUEUE_STRIDE);
    if (arg_gpa < MEM_SIZE) {
        uint64_t m = MEM_SIZE - arg_gpa < 256 ? MEM_SIZE - arg_gpa : 256;
        memset(vm.mem + arg_gpa, 0, m);
    }
    return 0;
}
