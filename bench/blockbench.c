/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * blockbench.c: block I/O through the file API, the same source natively
 * (on the image file) and in Husk (on /dev/data). Prints one line per
 * measure: sequential 1 MiB writes and reads (MiB/s), random 4 KiB reads
 * and writes (IOPS). The device must be at least 64 MiB.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIB (1 << 20)
#define SEQ_MIB 64

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char *argv[])
{
    const char *path = argc > 1 ? argv[1] : "/dev/data";
    int ops = argc > 2 ? atoi(argv[2]) : 4000;
    int fd = open(path, O_RDWR);
    char *buf = malloc(MIB);
    if (fd < 0 || buf == NULL) {
        perror(path);
        return 1;
    }
    memset(buf, 0x5a, MIB);
    double t = now();
    for (int i = 0; i < SEQ_MIB; i++)
        if (pwrite(fd, buf, MIB, (off_t)i * MIB) != MIB)
            return 2;
    printf("seq_write_mibps %.1f\n", SEQ_MIB / (now() - t));
    t = now();
    for (int i = 0; i < SEQ_MIB; i++)
        if (pread(fd, buf, MIB, (off_t)i * MIB) != MIB)
            return 3;
    printf("seq_read_mibps %.1f\n", SEQ_MIB / (now() - t));
    srand(1);
    t = now();
    for (int i = 0; i < ops; i++)
        if (pread(fd, buf, 4096, (off_t)(rand() % (SEQ_MIB * 256)) * 4096) !=
            4096)
            return 4;
    printf("rand_read_iops %.0f\n", ops / (now() - t));
    t = now();
    for (int i = 0; i < ops; i++)
        if (pwrite(fd, buf, 4096, (off_t)(rand() % (SEQ_MIB * 256)) * 4096) !=
            4096)
            return 5;
    printf("rand_write_iops %.0f\n", ops / (now() - t));
    return 0;
}
