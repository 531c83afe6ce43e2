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

/*
 * Read the image file into memory of our own; it is validated as untrusted
 * bytes. Not a mapping of the file: the bytes are used again after the
 * jail's fork, and a file that shrank in between would kill us with
 * SIGBUS. Only what the loader reads is read (husk_elf_extent): the
 * first page tells how much that is. An image's debug information is
 * most of its file, and reading it cost a tenth of a hello's start-up. A
 * file that changes while we read it is refused.
 */
static const uint8_t *map_image(const char *path, size_t *len)
{
    /* O_NONBLOCK: a FIFO must not hang us before the S_ISREG check. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot open the image", path);
    struct stat st;
    if (fstat(fd, &st) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot stat the image", path);
    if (!S_ISREG(st.st_mode))
        husk_fatalx(HUSK_EXIT_MONITOR, "%s: not a regular file", path);
    if (st.st_size == 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "%s: not an ELF file (empty)", path);
    if ((uint64_t)st.st_size > HUSK_MEM_MAX)
        husk_fatalx(HUSK_EXIT_MONITOR, "%s: too large to be an image", path);
    size_t size = (size_t)st.st_size;
    uint8_t head[4096];
    size_t head_want = size < sizeof(head) ? size : sizeof(head);
    size_t got = read_at(fd, head, head_want, 0, path);
    size_t need = got < head_want ? size : husk_elf_extent(head, got, size);
    /* Populated at once: one system call instead of a page fault per
     * page as the read fills it (a fault costs ~38 us in a guest). */
    uint8_t *p = mmap(NULL, need, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: no memory to read the image", path);
    memcpy(p, head, got < need ? got : need);
    if (got == head_want && need > got)
        got += read_at(fd, p + got, need - got, (off_t)got, path);
    if (got < need)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "%s: the image changed size while it was read (%zu "
                    "bytes when opened, %zu when read)",
                    path, size, got);
    /* Written to while we read it (a copy being made over it, a file
     * that grew): the bytes may come from different moments. */
    struct stat after;
    if (fstat(fd, &after) < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot stat the image", path);
    if (after.st_size != st.st_size ||
        after.st_ctim.tv_sec != st.st_ctim.tv_sec ||
        after.st_ctim.tv_nsec != st.st_ctim.tv_nsec)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "%s: the image changed while it was read", path);
    close(fd);
    *len = need;
    return p;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/*
 * Fault in, with one system call each, the guest pages that are written
 * before the guest's first instruction or touched by it at once: the
 * segments' file bytes (which husk_elf_load copies), the boot area, and
 * the top of the stack. A page fault costs ~38 us on these hosts (a VM
 * exit of the host's own hypervisor), populating ~1 us a page: about 40
 * faults, a third of a hello's start-up. BSS, heap and the rest stay
 * untouched until used: a guest pays memory only for what it touches.
 * An older kernel refuses the advice: the pages fault in as before.
 */
static void prefault(struct husk_vm *vm, const struct husk_elf_image *img)
{
    const uint64_t page = HUSK_PAGE_SIZE;
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

int main(int argc, char *argv[])
{
    static struct husk_config cfg;
    static struct husk_vm vm;
    char err[512];

    husk_fds_sanitize();
    if (husk_args_parse(argc, argv, &cfg, err, sizeof(err)) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "%s", err);
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

    size_t image_len;
    const uint8_t *image = map_image(cfg.image_path, &image_len);
    struct husk_elf_image img;
    if (husk_elf_parse(image, image_len, &img, err, sizeof(err)) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "%s: %s", cfg.image_path, err);
    uint64_t min_mem = husk_elf_min_mem(&img);
    if (cfg.mem_size < min_mem)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--mem=%lluM is too small for %s; it needs at least %lluM",
                    (unsigned long long)(cfg.mem_size >> 20), cfg.image_path,
                    (unsigned long long)(min_mem >> 20));
    husk_devices_match(&cfg, &img);

    vm.cfg = &cfg;
    husk_backend_open(&vm); /* KVM, or the process backend (proc.c) */
    husk_core_calls_register(&vm);
    if (vm.backend == HUSK_BACKEND_KVM)
        husk_trap_register(&vm);
    else
        husk_proc_register(&vm);
    husk_devices_open(&vm);
    husk_limits_prepare(&vm);
    husk_jail_enter(&vm); /* jailed: we are its child from here on */

    if (vm.backend == HUSK_BACKEND_KVM) {
        husk_vm_create(&vm, cfg.mem_size);
        prefault(&vm, &img);
        husk_elf_load(&img, image, vm.mem);
        husk_cpu_setup(&vm, img.entry, HUSK_BOOT_GPA);
    } else {
        husk_proc_create(&vm, cfg.mem_size);
        prefault(&vm, &img);
        husk_elf_load(&img, image, vm.mem);
    }
    husk_bootinfo_write(&vm, &img, image);
    munmap((void *)image, image_len);

    husk_io_start(&vm, husk_devices_want_io_thread(&cfg));
    void *filter = husk_sandbox_build(&vm); /* or print it and exit */
    husk_limits_apply(&vm);
    husk_timeout_arm(&vm);
    if (vm.backend == HUSK_BACKEND_PROCESS)
        husk_proc_prepare(&vm); /* its own handlers, over those above */
    husk_sandbox_load(&vm, filter);
    if (vm.backend == HUSK_BACKEND_PROCESS)
        husk_proc_run(&vm, img.entry);
    husk_run_end(&vm, husk_vcpu_run(&vm));
}
