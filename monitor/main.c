/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * main.c: the monitor's phases, in order. Every host file is opened by
 * path before the jail; everything the guest can reach is set up before
 * the seccomp filter is armed; after that only the vCPU runs.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk.h"

/* Map the image file read-only; it is validated as untrusted bytes. */
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
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot read the image", path);
    close(fd);
    *len = (size_t)st.st_size;
    return p;
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
        fputs(husk_usage, stdout);
        return 0;
    }
    if (cfg.version) {
        printf("husk %s (Husk ABI %d)\n", HUSK_VERSION, HUSK_ABI_VERSION);
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
    husk_kvm_open(&vm);
    husk_core_calls_register(&vm);
    husk_trap_register(&vm);
    husk_devices_open(&vm);
    husk_limits_prepare(&vm);
    husk_jail_enter(&vm); /* jailed: we are its child from here on */

    husk_vm_create(&vm, cfg.mem_size);
    husk_elf_load(&img, image, vm.mem);
    husk_cpu_setup(&vm, img.entry, HUSK_BOOT_GPA);
    husk_bootinfo_write(&vm, &img, image);
    munmap((void *)image, image_len);

    husk_io_start(&vm, husk_devices_want_io_thread(&cfg));
    void *filter = husk_sandbox_build(&vm); /* or print it and exit */
    husk_limits_apply(&vm);
    husk_timeout_arm(&vm);
    husk_sandbox_load(&vm, filter);
    /* _exit: nothing is left to flush, and the filter allows no more. */
    _exit(husk_vcpu_run(&vm));
}
