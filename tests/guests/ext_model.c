/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * ext_model.c: random file I/O on an ext2/ext4 mount at /data against a
 * model in memory. Three files get OPS random operations, all derived
 * from SEED: writes of 1 byte to 300 KiB anywhere in the first 3 MiB
 * (now and then far beyond, leaving holes), truncations down and up,
 * reads compared with the model, fsyncs, closes and reopens.
 *
 *   ext_model SEED OPS         run them, compare all: "model ok: N ops"
 *   ext_model SEED OPS check   (the next boot) run the same operations on
 *                              the model only, then compare the files
 *
 * Exit 1 and the first difference on a mismatch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILES 3
#define SPAN (3 << 20) /* where most writes land */
#define FAR (12 << 20) /* the furthest a write or truncation reaches */
#define WRITE_MAX (300 * 1024)

struct file {
    unsigned char *data; /* FAR bytes; only [0, size) counts */
    size_t size;
    int fd;
};

static struct file files[FILES];
static uint64_t rng;
static bool io = true; /* false: the model only (check) */

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t below(size_t n)
{
    return (size_t)(next() % n);
}

static void fail(const char *what, int i, size_t off)
{
    printf("file %d: %s at %zu (errno %d %s)\n", i, what, off, errno,
           strerror(errno));
    exit(1);
}

static void open_file(int i)
{
    char path[32];
    snprintf(path, sizeof(path), "/data/m%d", i);
    files[i].fd = open(path, O_RDWR | O_CREAT, 0644);
    if (files[i].fd < 0)
        fail("open", i, 0);
}

/* Compare [off, off + len) of file i with the model. */
static void compare(int i, size_t off, size_t len)
{
    struct file *f = &files[i];
    static unsigned char buf[WRITE_MAX];
    while (len > 0) {
        size_t n = len < sizeof(buf) ? len : sizeof(buf);
        size_t want = off >= f->size      ? 0
                      : f->size - off < n ? f->size - off
                                          : n;
        ssize_t got = pread(f->fd, buf, n, (off_t)off);
        if (got != (ssize_t)want)
            fail("short read", i, off);
        for (size_t k = 0; k < want; k++)
            if (buf[k] != f->data[off + k]) {
                printf("file %d: byte %zu is %u, not %u\n", i, off + k, buf[k],
                       f->data[off + k]);
                exit(1);
            }
        off += n;
        len -= n;
    }
}

static void compare_all(int i)
{
    struct stat st;
    if (fstat(files[i].fd, &st) != 0 || st.st_size != (off_t)files[i].size) {
        printf("file %d: size %lld, not %zu\n", i, (long long)st.st_size,
               files[i].size);
        exit(1);
    }
    compare(i, 0, files[i].size);
}

static void op(void)
{
    int i = (int)below(FILES);
    struct file *f = &files[i];
    unsigned kind = (unsigned)below(100);
    if (kind < 50) { /* write */
        size_t len = 1 + below(below(4) == 0 ? WRITE_MAX : 9000);
        size_t off = below(10) == 0 ? below(FAR - WRITE_MAX) : below(SPAN);
        unsigned char fill = (unsigned char)next();
        static unsigned char buf[WRITE_MAX];
        for (size_t k = 0; k < len; k++)
            buf[k] = (unsigned char)(fill + k * 7);
        if (io && pwrite(f->fd, buf, len, (off_t)off) != (ssize_t)len)
            fail("write", i, off);
        memcpy(f->data + off, buf, len);
        if (off + len > f->size) {
            if (off > f->size)
                memset(f->data + f->size, 0, off - f->size);
            f->size = off + len;
        }
    } else if (kind < 60) { /* truncate */
        size_t size = below(5) == 0 ? below(FAR) : below(SPAN);
        if (io && ftruncate(f->fd, (off_t)size) != 0)
            fail("truncate", i, size);
        if (size > f->size)
            memset(f->data + f->size, 0, size - f->size);
        f->size = size;
    } else if (kind < 90) { /* read */
        size_t off = below(SPAN + 4096), len = 1 + below(WRITE_MAX);
        if (io)
            compare(i, off, len);
    } else if (kind < 95) {
        if (io && fsync(f->fd) != 0)
            fail("fsync", i, 0);
    } else if (io) {
        if (close(f->fd) != 0)
            fail("close", i, 0);
        open_file(i);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "check") != 0)) {
        fprintf(stderr, "usage: ext_model SEED OPS [check]\n");
        return 2;
    }
    rng = strtoull(argv[1], NULL, 10) * 2654435761ULL + 1;
    long ops = atol(argv[2]);
    bool check = argc == 4;
    for (int i = 0; i < FILES; i++) {
        files[i].data = calloc(1, FAR);
        if (files[i].data == NULL)
            return 3;
        if (!check) {
            char path[32];
            snprintf(path, sizeof(path), "/data/m%d", i);
            unlink(path);
        }
        open_file(i);
    }
    io = !check;
    for (long n = 0; n < ops; n++)
        op();
    io = true;
    for (int i = 0; i < FILES; i++)
        compare_all(i);
    printf("model %s: %ld operations\n", check ? "checked" : "ok", ops);
    return 0;
}
