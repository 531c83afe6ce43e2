/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * filebench.c: file I/O through a file system, the same source natively
 * (on the host's tmpfs or a mounted ext4 image) and in Husk (its tmpfs at
 * /tmp, or an ext4 image mounted with husk-cc --mount). In directory DIR:
 * a new file written sequentially in 1 MiB writes and read back (MiB/s),
 * then random 4 KiB reads and writes inside it (IOPS). One line per
 * measure; the file is synced (untimed) and removed at the end.
 *
 *   filebench DIR MIB OPS
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIB (1 << 20)
#define PAGE 4096

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* A page-aligned offset inside a file of mib MiB. */
static off_t random_page(int mib)
{
    return (off_t)(rand() % (mib * (MIB / PAGE))) * PAGE;
}

int main(int argc, char *argv[])
{
    if (argc != 4) {
        fprintf(stderr, "usage: filebench DIR MIB OPS\n");
        return 2;
    }
    int mib = atoi(argv[2]), ops = atoi(argv[3]);
    char path[4096];
    snprintf(path, sizeof(path), "%s/filebench.dat", argv[1]);
    char *buf = malloc(MIB);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || buf == NULL || mib <= 0 || ops <= 0) {
        perror(path);
        return 1;
    }
    memset(buf, 0x5a, MIB);
    double t = now();
    for (int i = 0; i < mib; i++)
        if (write(fd, buf, MIB) != MIB) {
            perror("sequential write");
            return 3;
        }
    printf("seq_write_mibps %.1f\n", mib / (now() - t));
    if (lseek(fd, 0, SEEK_SET) != 0)
        return 4;
    t = now();
    for (int i = 0; i < mib; i++)
        if (read(fd, buf, MIB) != MIB) {
            perror("sequential read");
            return 5;
        }
    printf("seq_read_mibps %.1f\n", mib / (now() - t));
    srand(1);
    t = now();
    for (int i = 0; i < ops; i++)
        if (pread(fd, buf, PAGE, random_page(mib)) != PAGE) {
            perror("random read");
            return 6;
        }
    printf("rand_read_iops %.0f\n", ops / (now() - t));
    t = now();
    for (int i = 0; i < ops; i++)
        if (pwrite(fd, buf, PAGE, random_page(mib)) != PAGE) {
            perror("random write");
            return 7;
        }
    printf("rand_write_iops %.0f\n", ops / (now() - t));
    if (fsync(fd) != 0 || close(fd) != 0 || unlink(path) != 0) {
        perror(path);
        return 8;
    }
    return 0;
}
