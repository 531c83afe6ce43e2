/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * main.c: the monitor's phases, in order. Every host file is opened by
 * path before the jail; everything the guest can reach is set up before
 * the seccomp filter is armed; after that only the vCPU runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk.h"

/* Read up to len bytes at off; fewer only at the end of the file. */
static size_t read_at(int fd, uint8_t *buf, size_t len, off_t off,
                      const char *path)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot read the image", path);
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* The image: its first bytes, which hold what husk_elf_parse reads, and
 * the open file, from which the segments are read into guest memory once
 * it exists (after the jail's split: a buffer of the whole image cost its
 * copy, and its unmapping ~20 us a page on these hosts). */
struct image_file {
    int fd;
    struct stat st;
    uint8_t *head;
    size_t head_len;
};

/*
 * Open the image and read its headers into memory of our own: they are
 * validated as untrusted bytes, and never read again from the file.
 * husk_elf_extent, from the first page, says how much that is.
 */
static void image_open(const char *path, struct image_file *im)
{
    /* O_NONBLOCK: a FIFO must not hang us before the S_ISREG check. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot open the image", path);
    if (fstat(fd, &im->st) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot stat the image", path);
    if (!S_ISREG(im->st.st_mode))
        husk_fatalx(HUSK_EXIT_MONITOR, "%s: not a regular file", path);
    if (im->st.st_size == 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "%s: not an ELF file (empty)", path);
    if ((uint64_t)im->st.st_size > HUSK_MEM_MAX)
        husk_fatalx(HUSK_EXIT_MONITOR, "%s: too large to be an image", path);
    size_t size = (size_t)im->st.st_size;
    uint8_t first[4096];
    size_t want = size < sizeof(first) ? size : sizeof(first);
    size_t got = read_at(fd, first, want, 0, path);
    size_t need = got < want ? want : husk_elf_extent(first, got, size);
    uint8_t *head = malloc(need);
    if (head == NULL)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: no memory to read the image", path);
    memcpy(head, first, got < need ? got : need);
    if (got == want && need > got)
        got += read_at(fd, head + got, need - got, (off_t)got, path);
    if (got < need) /* /proc and /sys files say 4096 and hold less */
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "%s: the image changed size while it was read (%zu "
                    "bytes when opened, %zu when read)",
                    path, size, got);
    im->fd = fd;
    im->head = head;
    im->head_len = need;
}

/*
 * Read the segments into guest memory, then check that the file did not
 * change since it was opened: a copy being made over it, a file that
 * grew or shrank, would give bytes from different moments.
 */
static void image_load(const char *path, struct image_file *im,
                       const struct husk_elf_image *img, uint8_t *mem)
{
    if (husk_elf_load(img, im->fd, mem) != 0) {
        if (errno == ENODATA)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "%s: the image changed while it was read (shorter "
                        "than when opened)",
                        path);
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot read the image", path);
    }
    struct stat after;
    if (fstat(im->fd, &after) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot stat the image", path);
    if (after.st_size != im->st.st_size ||
        after.st_ctim.tv_sec != im->st.st_ctim.tv_sec ||
        after.st_ctim.tv_nsec != im->st.st_ctim.tv_nsec)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "%s: the image changed while it was read", path);
    close(im->fd);
    im->fd = -1;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/*
 * Fault in, with one system call each, the guest pages that are written
 * before the guest's first instruction or touched by it at once: the
 * segments' file bytes (which husk_elf_load reads into), the boot area, and
 * the top of the stack. A page fault costs ~38 us on these hosts (a VM
 * exit of the host's own hypervisor), populating ~1 us a page: about 40
 * faults, a third of a hello's start-up. BSS, heap and the rest stay
 * untouched until used: a guest pays memory only for what it touches.
 * An older kernel refuses the advice: the pages fault in as before.
 */
static void prefault(struct husk_vm *vm, const struct husk_elf_image *img)
{
    const uint64_t page = HUSK_PAGE_SIZE;
    /* First, 2 MiB pages where the image fills them (huge_pages.c). The
     * process backend's mapping starts at HUSK_BOOT_GPA. */
    husk_huge_advise(vm, img,
                     vm->backend == HUSK_BACKEND_KVM ? 0 : HUSK_BOOT_GPA);
    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct husk_elf_segment *s = &img->segments[i];
        uint64_t start = s->gpa & ~(page - 1);
        uint64_t end = (s->gpa + s->filesz + page - 1) & ~(page - 1);
        if (end > start)
            madvise(vm->mem + start, end - start, MADV_POPULATE_WRITE);
    }
    madvise(vm->mem + HUSK_BOOT_GPA, HUSK_BOOT_END - HUSK_BOOT_GPA,
            MADV_POPULATE_WRITE);
    uint64_t stack = 4 * page;
    madvise(vm->mem + vm->mem_size - stack, stack, MADV_POPULATE_WRITE);
}

/* --log-level=info: each device as it was opened. */
static void log_devices(const struct husk_config *cfg)
{
    for (unsigned h = 0; h < cfg->device_count; h++) {
        const struct husk_device_arg *d = &cfg->devices[h];
        const struct husk_device_kind *k = husk_device_kind_of(d->kind);
        husk_infox("device %u: --%s:%s=%s", h, k != NULL ? k->name : "?",
                   d->name, d->spec);
    }
}

int main(int argc, char *argv[])
{
    static struct husk_config cfg;
    static struct husk_vm vm;
    char err[512];

    husk_phase(HUSK_PHASE_START);
    /* husk inspect [--json] IMAGE: the image read as for a run, described
     * and not run (inspect.c); no jail, no filter, no guest. */
    if (argc > 1 && strcmp(argv[1], "inspect") == 0) {
        bool json;
        husk_fds_sanitize(NULL, 0);
        const char *path = husk_inspect_args(argc - 1, argv + 1, &json);
        struct image_file image;
        image_open(path, &image);
        int status =
            husk_inspect(path, json, image.fd, (size_t)image.st.st_size,
                         image.head, image.head_len);
        free(image.head);
        close(image.fd);
        return status;
    }
    /* Pure: it opens nothing, so the fds are as inherited until the
     * parse says which to keep (--call-channel's). */
    int parsed = husk_args_parse(argc, argv, &cfg, err, sizeof(err));
    const int channel[] = {cfg.call_sock, cfg.call_mem};
    husk_fds_sanitize(channel, parsed == 0 && cfg.call_sock >= 0 ? 2 : 0);
    if (parsed != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "%s", err);
    husk_log_set_level(cfg.log_level);
    husk_phase(HUSK_PHASE_ARGS_PARSED);
    if (cfg.help) {
        fputs(husk_usage(), stdout);
        return 0;
    }
    if (cfg.version) {
        printf("husk %s (Husk ABI %d; backends: kvm%s, process)\n",
               HUSK_VERSION, HUSK_ABI_VERSION,
               access("/dev/kvm", R_OK | W_OK) == 0 ? ""
                                                    : " (no /dev/kvm here)");
        return 0;
    }
    husk_jail_resolve(&cfg);
    /* A closed stdout must not kill us: the console reports it instead. */
    signal(SIGPIPE, SIG_IGN);

    struct image_file image;
    image_open(cfg.image_path, &image);
    struct husk_elf_image img;
    if (husk_elf_parse(image.head, image.head_len, (size_t)image.st.st_size,
                       &img, err, sizeof(err)) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "%s: %s", cfg.image_path, err);
    /* --restore: the snapshot's memory size is the guest's. */
    husk_snapshot_open(&cfg, &img, image.head);
    uint64_t min_mem = husk_elf_min_mem(&img);
    if (cfg.mem_size < min_mem)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--mem=%lluM is too small for %s; it needs at least %lluM",
                    (unsigned long long)(cfg.mem_size >> 20), cfg.image_path,
                    (unsigned long long)(min_mem >> 20));
    husk_devices_match(&cfg, &img);
    husk_phase(HUSK_PHASE_IMAGE_PARSED);
    husk_infox("image %s: %llu bytes, ABI %u, entry 0x%llx, %u segments, "
               "--mem=%lluM (at least %lluM)",
               cfg.image_path, (unsigned long long)image.st.st_size,
               img.abi_version, (unsigned long long)img.entry,
               img.segment_count, (unsigned long long)(cfg.mem_size >> 20),
               (unsigned long long)(min_mem >> 20));

    vm.cfg = &cfg;
    vm.image_fd = image.fd;
    vm.entry = img.entry;
    husk_backend_open(&vm); /* KVM, or the process backend (proc.c) */
    husk_core_calls_register(&vm);
    husk_snapshot_register(&vm);
    husk_calls_open(&cfg);
    husk_calls_register(&vm);
    if (vm.backend == HUSK_BACKEND_KVM)
        husk_trap_register(&vm);
    else
        husk_proc_register(&vm);
    husk_infox("backend: %s",
               vm.backend == HUSK_BACKEND_KVM ? "kvm" : "process");
    husk_devices_open(&vm);
    husk_snapshot_check_devices(&vm);
    log_devices(&cfg);
    husk_phase(HUSK_PHASE_DEVICES_OPENED);
    /* Mapped now, for a crash after the filter: the image, whose symbols
     * name the faulting function (none is read unless there is a crash),
     * and --dump-core's file. Before the limits, which count them. */
    husk_symbols_map(image.fd, (size_t)image.st.st_size);
    husk_core_open(&cfg);
    husk_limits_prepare(&vm);
    husk_jail_enter(&vm); /* jailed: we are its child from here on */
    husk_phase(HUSK_PHASE_JAIL_ENTERED);
    husk_infox("jail: %s", cfg.no_jail ? "none (--no-jail)"
                                       : "namespaces and an empty root");

    bool kvm = vm.backend == HUSK_BACKEND_KVM;
    if (kvm)
        husk_vm_create(&vm, cfg.mem_size);
    else
        husk_proc_create(&vm, cfg.mem_size);
    husk_phase(HUSK_PHASE_VM_CREATED);
    bool restoring = husk_snapshot_restoring();
    if (restoring) {
        /* The image's bytes are in the snapshot's memory, as the guest
         * left them: nothing is read from the image. */
        husk_snapshot_map(&vm, !kvm);
        close(image.fd);
    } else {
        prefault(&vm, &img);
        image_load(cfg.image_path, &image, &img, vm.mem);
    }
    if (kvm)
        husk_cpu_setup(&vm, img.entry, HUSK_BOOT_GPA);
    husk_phase(HUSK_PHASE_IMAGE_LOADED);
    vm.image_fd = -1;
    if (restoring)
        husk_bootinfo_resume(&vm);
    else
        husk_bootinfo_write(&vm, &img, image.head);
    free(image.head);

    husk_io_start(&vm, husk_devices_want_io_thread(&cfg));
    struct husk_program *filter =
        husk_sandbox_build(&vm); /* or print it and exit */
    husk_limits_apply(&vm);
    husk_timeout_arm(&vm);
    if (vm.backend == HUSK_BACKEND_PROCESS)
        husk_proc_prepare(&vm); /* its own handlers, over those above */
    /* --stats=json times the guest: two clock reads per exit or call.
     * The process backend reads the vDSO's clock; without one (a clock
     * source it cannot read), each read would be a system call. */
    vm.timing = cfg.stats == HUSK_STATS_JSON &&
                (vm.backend == HUSK_BACKEND_KVM || vm.clock_call != 0);
    husk_sandbox_load(&vm, filter);
    husk_phase(HUSK_PHASE_SANDBOX_LOADED);
    husk_infox("seccomp filter loaded; starting the guest");
    if (vm.backend == HUSK_BACKEND_PROCESS)
        husk_proc_run(&vm, img.entry);
    husk_run_end(&vm, husk_vcpu_run(&vm));
}
