/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * ext_names.c: random changes to names on an ext2/ext4 mount at /data,
 * for tests/ext-suite.sh to check with e2fsck -fn afterwards: OPS random
 * creations (with data), mkdir, unlink, rmdir, rename (files and
 * directories, across directories, onto existing names), link, symlink,
 * appends and truncations among 40 names in each of five directories,
 * all derived from SEED. Calls may fail the way Linux's do (ENOENT,
 * EEXIST, ENOTEMPTY, ...); any other error ends the run.
 *
 *   ext_names SEED OPS    "names ok: C changes made" (C: calls that worked)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t rng;

static unsigned below(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void pick(char *buf, size_t size)
{
    static const char *dirs[] = {"/data", "/data/a", "/data/b", "/data/a/c",
                                 "/data/b/d"};
    snprintf(buf, size, "%s/n%u", dirs[below(5)], below(40));
}

/* What a random call on random names may say, as on Linux. */
static int expected(int e)
{
    return e == ENOENT || e == EEXIST || e == ENOTEMPTY || e == EISDIR ||
           e == ENOTDIR || e == EINVAL || e == EPERM || e == ELOOP;
}

static long write_some(const char *path, int flags, const char *data,
                       size_t len)
{
    int fd = open(path, flags, 0644);
    if (fd < 0)
        return -1;
    long n = write(fd, data, len);
    int e = errno;
    close(fd);
    errno = e;
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: ext_names SEED OPS\n");
        return 2;
    }
    rng = strtoull(argv[1], NULL, 10) * 7919 + 1;
    int ops = atoi(argv[2]), made = 0;
    static char data[70000];
    memset(data, 'z', sizeof(data));
    const char *dirs[] = {"/data/a", "/data/b", "/data/a/c", "/data/b/d"};
    for (size_t i = 0; i < 4; i++)
        if (mkdir(dirs[i], 0755) != 0 && errno != EEXIST) {
            printf("mkdir %s: %s\n", dirs[i], strerror(errno));
            return 1;
        }
    for (int i = 0; i < ops; i++) {
        char x[64], y[64];
        pick(x, sizeof(x));
        pick(y, sizeof(y));
        unsigned kind = below(9);
        long rc = 0;
        switch (kind) {
        case 0:
            rc = write_some(x, O_CREAT | O_WRONLY | O_TRUNC, data,
                            below(sizeof(data)));
            break;
        case 1:
            rc = mkdir(x, 0755);
            break;
        case 2:
            rc = unlink(x);
            break;
        case 3:
            rc = rmdir(x);
            break;
        case 4:
            rc = rename(x, y);
            break;
        case 5:
            rc = link(x, y);
            break;
        case 6:
            rc = symlink(y, x);
            break;
        case 7:
            rc = write_some(x, O_WRONLY | O_APPEND, data, below(9000));
            break;
        default:
            rc = truncate(x, below(100000));
            break;
        }
        if (rc >= 0)
            made++;
        else if (!expected(errno)) {
            printf("call %d (kind %u) on %s, %s: %s\n", i, kind, x, y,
                   strerror(errno));
            return 1;
        }
    }
    printf("names ok: %d changes made\n", made);
    return 0;
}
