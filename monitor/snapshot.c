/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * snapshot.c: husk --snapshot-to=FILE and husk --restore=FILE.
 *
 * A snapshot is guest memory at the moment the guest called
 * HUSK_HC_READY (libhusk's husk_ready()), and nothing else: the guest
 * saved its own registers and clock in its memory before the call
 * (guest/ready.c), so no CPU state crosses from the monitor, and a
 * snapshot taken under one backend restores under the other. The file
 * (snapshot_format.c) is made before the jail like a core file
 * (outfile.c) and written through its mapping at the call.
 *
 * A restore maps the file's memory copy-on-write where guest memory
 * would be: no byte is read until the guest touches it, and every
 * instance restored from one file shares the pages none of them wrote.
 * It checks, before the jail, that the file is a whole snapshot of this
 * very image (its build ID) by a monitor of this ABI, and that each
 * device tells the guest what it told it when the snapshot was taken.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk.h"

static struct {
    struct husk_outfile out; /* --snapshot-to; fd -1 without */
    bool written;
    int in_fd;                          /* --restore's file; -1 without */
    struct husk_snapshot_header header; /* --restore's, or the one made */
    uint8_t build_id[HUSK_SNAPSHOT_BUILD_ID_MAX];
    uint32_t build_id_len;
} snap = {.out.fd = -1, .in_fd = -1};

/* The image's build ID: what says a snapshot belongs to it. */
static void take_build_id(const struct husk_config *cfg,
                          const struct husk_elf_image *img, const uint8_t *head,
                          const char *flag)
{
    if (img->build_id_len == 0)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "%s: %s has no build ID, which a snapshot needs to know "
                    "its image by; link it with -Wl,--build-id (husk-cc "
                    "does)",
                    flag, cfg->image_path);
    if (img->build_id_len > HUSK_SNAPSHOT_BUILD_ID_MAX)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "%s: %s has a build ID of %u bytes; at most %d are "
                    "supported (use -Wl,--build-id=sha1)",
                    flag, cfg->image_path, img->build_id_len,
                    HUSK_SNAPSHOT_BUILD_ID_MAX);
    memcpy(snap.build_id, head + img->build_id_off, img->build_id_len);
    snap.build_id_len = img->build_id_len;
}

static void open_restore(struct husk_config *cfg)
{
    const char *path = cfg->restore;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--restore=%s: cannot open it", path);
    if (!S_ISREG(st.st_mode))
        husk_fatalx(HUSK_EXIT_MONITOR, "--restore=%s: not a regular file",
                    path);
    struct husk_snapshot_header *h = &snap.header;
    memset(h, 0, sizeof(*h));
    ssize_t got;
    do
        got = pread(fd, h, sizeof(*h), 0);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--restore=%s: cannot read it", path);
    char err[512];
    uint64_t size =
        (uint64_t)got < sizeof(*h) ? (uint64_t)got : (uint64_t)st.st_size;
    if (husk_snapshot_check(h, size, err, sizeof(err)) != 0 ||
        husk_snapshot_match_image(h, snap.build_id, snap.build_id_len, err,
                                  sizeof(err)) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "--restore=%s: %s", path, err);
    if (cfg->mem_given && cfg->mem_size != h->mem_size)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--restore=%s: the snapshot's guest has %lluM of memory; "
                    "leave out --mem or give --mem=%lluM",
                    path, (unsigned long long)(h->mem_size >> 20),
                    (unsigned long long)(h->mem_size >> 20));
    cfg->mem_size = h->mem_size;
    snap.in_fd = fd;
}

void husk_snapshot_open(struct husk_config *cfg,
                        const struct husk_elf_image *img, const uint8_t *head)
{
    if (cfg->snapshot_to != NULL) {
        take_build_id(cfg, img, head, "--snapshot-to");
        husk_outfile_create("--snapshot-to", cfg->snapshot_to,
                            husk_snapshot_file_size(cfg->mem_size), &snap.out);
    }
    if (cfg->restore != NULL) {
        take_build_id(cfg, img, head, "--restore");
        open_restore(cfg);
    }
}

bool husk_snapshot_restoring(void)
{
    return snap.in_fd >= 0;
}

bool husk_snapshot_owns_fd(int fd)
{
    return fd >= 0 && (fd == snap.out.fd || fd == snap.in_fd);
}

/* Each device as the guest knows it: kind, name, and what its info call
 * answers (a block device's size and flags, a network device's
 * addresses), asked here as the guest would ask. */
static void devices_now(struct husk_vm *vm, struct husk_snapshot_device *out)
{
    const struct husk_config *cfg = vm->cfg;
    for (unsigned h = 0; h < cfg->device_count; h++) {
        struct husk_snapshot_device *d = &out[h];
        memset(d, 0, sizeof(*d));
        d->kind = cfg->devices[h].kind;
        memcpy(d->name, cfg->devices[h].name, sizeof(d->name));
        const struct husk_device_ops *ops = husk_device_ops_of(d->kind);
        if (ops == NULL || ops->info_call == 0)
            continue;
        const struct husk_hc_entry *call = &vm->calls[ops->info_call];
        if (call->dev_fn == NULL || call->arg_size > sizeof(d->info))
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "internal error: device %u's info call", h);
        uint32_t handle = h; /* every device call's struct starts with it */
        memcpy(d->info, &handle, sizeof(handle));
        if (call->dev_fn(vm, vm->devices[h], d->info) != HUSK_HC_DONE)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "internal error: device %u's info call failed", h);
        d->info_len = (uint32_t)call->arg_size;
    }
}

void husk_snapshot_check_devices(struct husk_vm *vm)
{
    if (snap.in_fd < 0)
        return;
    struct husk_snapshot_device now[HUSK_DEVICES_MAX];
    devices_now(vm, now);
    char err[512];
    if (husk_snapshot_match_devices(&snap.header, now, vm->cfg->device_count,
                                    err, sizeof(err)) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "--restore=%s: %s", vm->cfg->restore,
                    err);
}

void husk_snapshot_map(struct husk_vm *vm, bool exec)
{
    uint64_t start = husk_guest_mem_start();
    void *at = vm->mem + start;
    int prot = PROT_READ | PROT_WRITE | (exec ? PROT_EXEC : 0);
    void *got = mmap(at, vm->mem_size - start, prot, MAP_PRIVATE | MAP_FIXED,
                     snap.in_fd, (off_t)snap.header.data_offset);
    if (got != at)
        husk_fatal(HUSK_EXIT_MONITOR,
                   "--restore=%s: cannot map the snapshot as guest memory%s",
                   vm->cfg->restore,
                   exec && errno == EPERM
                       ? " (its file system is mounted noexec, which the "
                         "process backend needs it not to be)"
                       : "");
    close(snap.in_fd); /* the mapping holds the file */
    snap.in_fd = -1;
    vm->mem_private_file = true;
}

/* ---- taking it: the ready call ---- */

struct copy_ctx {
    uint8_t *base; /* guest-physical address 0 in the file's mapping */
    uint64_t pages;
};

static void copy_page(void *ctx, uint64_t gpa, const uint8_t *page)
{
    struct copy_ctx *c = ctx;
    if (!husk_guest_page_is_zero(page)) {
        memcpy(c->base + gpa, page, HUSK_PAGE_SIZE);
        c->pages++;
    }
}

bool husk_snapshot_take(struct husk_vm *vm)
{
    if (snap.out.fd < 0 || snap.written)
        return false;
    /* Every request the guest queued is done, and the I/O thread writes
     * nothing into guest memory while it is copied. */
    husk_io_quiesce(vm);
    if (husk_io_stopped(vm)) {
        husk_io_release(vm);
        return false;
    }
    uint64_t start = husk_guest_mem_start();
    struct copy_ctx c = {snap.out.map + HUSK_PAGE_SIZE - start, 0};
    if (husk_guest_pages_each(vm, copy_page, &c) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--snapshot-to: mincore");
    struct husk_snapshot_header *h = &snap.header;
    memset(h, 0, sizeof(*h));
    h->format = HUSK_SNAPSHOT_FORMAT;
    h->abi_version = HUSK_ABI_VERSION;
    h->mem_size = vm->mem_size;
    h->data_offset = HUSK_PAGE_SIZE;
    h->file_size = husk_snapshot_file_size(vm->mem_size);
    h->build_id_len = snap.build_id_len;
    memcpy(h->build_id, snap.build_id, snap.build_id_len);
    h->device_count = vm->cfg->device_count;
    devices_now(vm, h->devices);
    h->pages = c.pages;
    /* The header last: a snapshot cut short is no snapshot. */
    husk_snapshot_seal(h);
    memcpy(snap.out.map, h, sizeof(*h));
    snap.written = true;
    husk_io_release(vm);
    husk_infox("snapshot: %llu pages written to %s",
               (unsigned long long)c.pages, vm->cfg->snapshot_to);
    return true;
}

bool husk_snapshot_can_rewind(const struct husk_vm *vm)
{
    return vm->mem_private_file && vm->cfg->device_count == 0;
}

bool husk_snapshot_rewind(struct husk_vm *vm)
{
    if (!husk_snapshot_can_rewind(vm))
        return false;
    /* Each page the guest wrote is a private copy; dropped, the page
     * reads as the file's again. A page it only read is unmapped too and
     * faults back in from the page cache. */
    uint64_t start = husk_guest_mem_start();
    if (madvise(vm->mem + start, vm->mem_size - start, MADV_DONTNEED) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "rewind: madvise");
    husk_bootinfo_resume(vm);
    husk_infox("rewound to %s", vm->cfg->restore);
    return true;
}

static enum husk_hc_result hc_ready(struct husk_vm *vm, void *arg)
{
    struct husk_hc_ready *a = arg;
    if (a->flags != 0)
        return husk_violation(vm, "ready: flags 0x%llx are not 0",
                              (unsigned long long)a->flags);
    husk_phase(HUSK_PHASE_GUEST_READY);
    /* An embedder asks for its snapshots itself (calls.c), while the
     * guest waits for a call. */
    if (snap.out.fd < 0 || snap.written || husk_calls_enabled())
        return HUSK_HC_DONE;
    husk_snapshot_take(vm);
    if (husk_io_stopped(vm)) /* a bad request found while it was taken */
        return HUSK_HC_VIOLATION;
    vm->exit_code = 0;
    vm->end_reason = "snapshot";
    vm->message[0] = '\0';
    return HUSK_HC_STOP;
}

void husk_snapshot_register(struct husk_vm *vm)
{
    if (husk_hc_register(vm, HUSK_HC_READY, "ready",
                         sizeof(struct husk_hc_ready), hc_ready) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "internal error: ready registration failed");
}

int husk_snapshot_sandbox_rules(struct husk_rules *rules)
{
    return husk_outfile_sandbox_rules(&snap.out, rules);
}

int husk_snapshot_end(const struct husk_vm *vm, int status)
{
    if (snap.out.fd < 0 || snap.written)
        return status;
    husk_outfile_discard(&snap.out);
    husk_errx("--snapshot-to=%s: the guest ended (status %d) without calling "
              "husk_ready(); no snapshot was written",
              vm->cfg->snapshot_to, status);
    return status == 0 ? HUSK_EXIT_MONITOR : status;
}
