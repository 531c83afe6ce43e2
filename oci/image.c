/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * image.c: the container's entry point, process.args[0], found inside its
 * rootfs and checked to be a Husk image with the monitor's own parser
 * (monitor/elf.c): the ABI note says it is one, the device note says which
 * devices it wants, its segments say how much memory it needs.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../monitor/husk.h"
#include "oci.h"

/* What the monitor reads of an image at most: a larger file is not one. */
#define IMAGE_MAX (1ULL << 30)

static uint8_t *read_image(int fd, const char *path, size_t *len,
                           size_t *file_len)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        oci_die("process.args[0] '%s': %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        oci_die("process.args[0] '%s' in the container's rootfs is not a "
                "regular file, so not a Husk image",
                path);
    size_t size = (size_t)st.st_size;
    if ((uint64_t)st.st_size > IMAGE_MAX)
        size = IMAGE_MAX;
    uint8_t *buf = malloc(size ? size : 1);
    if (buf == NULL)
        oci_die("out of memory reading '%s'", path);
    /* The ELF and program headers first; then only what the parser
     * reads (the notes, not the segments' bytes or debug sections). */
    size_t want = size < 65536 ? size : 65536, got = 0;
    for (int pass = 0; pass < 2; pass++) {
        while (got < want) {
            ssize_t n = pread(fd, buf + got, want - got, (off_t)got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                oci_die("cannot read '%s': %s", path, strerror(errno));
            if (n == 0)
                break;
            got += (size_t)n;
        }
        want = husk_elf_extent(buf, got, size);
        if (want > size)
            want = size;
    }
    *len = got;
    *file_len = size;
    return buf;
}

void oci_image_open(const char *rootfs, const char *path, struct oci_image *img)
{
    memset(img, 0, sizeof(*img));
    int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        oci_die("the container's rootfs %s: %s", rootfs, strerror(errno));
    /* RESOLVE_IN_ROOT: ".." and absolute symbolic links stay inside the
     * rootfs, as they would for the container's own process. */
    struct open_how how = {.flags = O_RDONLY | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
    if (fd < 0)
        oci_die("process.args[0] '%s': %s in the container's rootfs %s (it "
                "names the Husk image to run)",
                path, strerror(errno), rootfs);
    close(root);
    size_t len, size;
    uint8_t *bytes = read_image(fd, path, &len, &size);
    struct husk_elf_image elf;
    char err[256];
    if (husk_elf_parse(bytes, len, size, &elf, err, sizeof(err)) != 0)
        oci_die("process.args[0] '%s' is not a Husk image (%s); husk-oci "
                "runs only images built with husk-cc: run this container "
                "with runc or crun",
                path, err);
    free(bytes);
    img->min_mem = husk_elf_min_mem(&elf);
    img->device_count = elf.device_count;
    for (unsigned i = 0; i < elf.device_count; i++) {
        img->devices[i].kind = elf.devices[i].kind;
        memcpy(img->devices[i].name, elf.devices[i].name,
               sizeof(img->devices[i].name));
        img->devices[i].name[HUSK_DEVICE_NAME_MAX - 1] = '\0';
    }
    /* The file the monitor will open: where the lookup above led, as a
     * host path (the monitor reads it before its jail, by path). */
    char link[64], real[sizeof(img->dir) + sizeof(img->file)];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, real, sizeof(real) - 1);
    if (n <= 0 || (size_t)n >= sizeof(real) - 1)
        oci_die("cannot tell where '%s' is on the host (%s)", path,
                n < 0 ? strerror(errno) : "path too long");
    real[n] = '\0';
    close(fd);
    char *slash = strrchr(real, '/');
    const char *base = slash + 1;
    *slash = '\0';
    /* A name starting with '-' would read as an option to the monitor. */
    int w = snprintf(img->file, sizeof(img->file), "%s%s",
                     base[0] == '-' ? "./" : "", base);
    if (w < 0 || (size_t)w >= sizeof(img->file) ||
        strlen(real) >= sizeof(img->dir))
        oci_die("the image's path %s/%s is too long", real, base);
    snprintf(img->dir, sizeof(img->dir), "%s", real[0] ? real : "/");
}
