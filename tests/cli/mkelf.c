/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * mkelf.c DIR: write the images that tests/cli/cases.txt runs husk on,
 * each bad in one way (see the table below), plus valid ones. Built by
 * tests/cli/run.sh with the image builder of the unit tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../monitor/husk.h"
#include "../unit/elfimg.h"

static const char *dir;
static struct elfimg im;
static struct elfimg_spec spec;

static void write_file(const char *name, const void *bytes, size_t len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, bytes, len) != (ssize_t)len || close(fd) != 0) {
        fprintf(stderr, "mkelf: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void write_image(const char *name)
{
    write_file(name, im.bytes, im.len);
}

static void build(const char *name)
{
    elfimg_build(&im, &spec);
    write_image(name);
}

static struct husk_note_device device(uint32_t kind, const char *name)
{
    struct husk_note_device d = {.kind = kind};
    snprintf(d.name, sizeof(d.name), "%s", name);
    return d;
}

int main(int argc, char *argv[])
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkelf DIR\n");
        return 2;
    }
    dir = argv[1];

    elfimg_minimal(&im); /* runs only where /dev/kvm is, but parses */
    write_image("valid.husk");
    /* Readable by root all the same: run.sh runs that case as nobody. */
    write_image("unreadable.husk");
    char path[4096];
    snprintf(path, sizeof(path), "%s/unreadable.husk", dir);
    if (chmod(path, 0) != 0) {
        fprintf(stderr, "mkelf: chmod %s: %s\n", path, strerror(errno));
        return 1;
    }

    static const char text[] = "#!/bin/sh\necho this is not an image\n";
    write_file("notelf.husk", text, sizeof(text) - 1);
    write_file("empty.husk", "", 0);
    write_file("truncated.husk", im.bytes, 40);

    elfimg_minimal(&im);
    im.bytes[EI_CLASS] = ELFCLASS32;
    write_image("class32.husk");

    elfimg_minimal(&im);
    im.bytes[EI_DATA] = ELFDATA2MSB;
    write_image("bigendian.husk");

    elfimg_minimal(&im);
    elfimg_eh(&im)->e_machine = EM_AARCH64;
    write_image("aarch64.husk");

    elfimg_minimal(&im);
    elfimg_eh(&im)->e_type = ET_DYN;
    write_image("pie.husk");

    static const char interp[] = "/lib64/ld-linux-x86-64.so.2";
    elfimg_spec_minimal(&spec);
    elfimg_spec_add(&spec, PT_INTERP, PF_R, 0, 0, interp, sizeof(interp));
    build("dynamic.husk");

    elfimg_spec_minimal(&spec);
    while (spec.phnum <= HUSK_ELF_PHNUM_MAX) /* one too many */
        elfimg_spec_add(&spec, PT_NULL, 0, 0, 0, NULL, 0);
    build("phnum.husk");

    elfimg_spec_minimal(&spec);
    spec.seg[0].ph.p_memsz = 0x2000;
    elfimg_spec_add(&spec, PT_LOAD, PF_R | PF_W, 0x201000, 0x1000, NULL, 0);
    build("overlap.husk");

    /* Starts inside guest memory's limit, ends 4 KiB past it. */
    elfimg_spec_minimal(&spec);
    elfimg_spec_add(&spec, PT_LOAD, PF_R | PF_W, HUSK_MEM_MAX - 0x1000, 0x2000,
                    NULL, 0);
    build("past_mem_max.husk");

    /* In the monitor's first MiB (page tables, boot information). */
    elfimg_spec_minimal(&spec);
    spec.seg[0].ph.p_vaddr = spec.seg[0].ph.p_paddr = spec.entry = 0x40000;
    build("low.husk");

    elfimg_spec_minimal(&spec);
    spec.entry = 0x300000;
    build("entry.husk");

    elfimg_spec_minimal(&spec);
    spec.notes_len = 0;
    elfimg_spec_note(&spec, NT_GNU_BUILD_ID, "GNU", 4, "0123456789abcdef", 16);
    build("nonote.husk");

    elfimg_spec_minimal(&spec);
    spec.notes_len = 0;
    elfimg_spec_abi_note(&spec, 999);
    build("abi999.husk");

    elfimg_spec_minimal(&spec);
    spec.notes_len += 4; /* a note header cut after 4 bytes */
    build("badnote.husk");

    /* 8 MiB of BSS at 3 MiB: needs --mem=12M. */
    elfimg_spec_minimal(&spec);
    elfimg_spec_add(&spec, PT_LOAD, PF_R | PF_W, 0x300000, 8ULL << 20, NULL, 0);
    build("bigbss.husk");

    struct husk_note_device disk = device(HUSK_DEVICE_BLOCK, "disk");
    elfimg_spec_minimal(&spec);
    elfimg_spec_devices(&spec, 1, &disk);
    build("disk.husk");

    struct husk_note_device two[2] = {device(HUSK_DEVICE_BLOCK, "disk"),
                                      device(HUSK_DEVICE_BLOCK, "disk")};
    elfimg_spec_minimal(&spec);
    elfimg_spec_devices(&spec, 2, two);
    build("disk_twice.husk");
    return 0;
}
