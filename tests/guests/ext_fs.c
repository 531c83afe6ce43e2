/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * ext_fs.c: an ext2/ext4 image mounted at /data (husk-cc --mount), one
 * part per argument, run by tests/ext-suite.sh, which makes the images
 * (mkfs.ext4 -d, mkfs.ext2) and checks them from the host afterwards
 * (debugfs, e2fsck -fn):
 *   write        files, directories, links, renames, truncation, O_APPEND,
 *                O_TRUNC, chmod, utimensat, a sparse file; the host's files
 *   verify       (the next boot) all of write's results, as written
 *   errors       ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, EXDEV,
 *                ENAMETOOLONG, ELOOP; a file unlinked while open
 *   many         5000 files in one directory, listed, then removed
 *   htree        names added, removed and replaced in /data/big, an
 *                indexed (htree) directory of 3000 files the host made
 *   big          a file past 4 GiB (ext4), its hole, SEEK_DATA/SEEK_HOLE
 *   fill         writes until ENOSPC, then goes on once space is freed
 *   fill_inodes  creates files until ENOSPC (no inode left)
 *   readonly     every change refused with EROFS, reads work
 *   corrupt      a damaged directory: EUCLEAN, the rest still readable
 *   sync_and_wait  writes, fsyncs, prints "synced" and waits to be killed
 *   after_kill   (the next boot) what sync_and_wait synced is there
 *   two          (ext_two.husk) a second file system at /mnt/more
 *   exit_now     writes a file, then _exit(7): no atexit, no stdio flush
 *   signal_exit  writes a file, then dies of SIGTERM's default action
 *   synced_file  writes /data/synced_file (8 KiB) and fsyncs it
 *   fsync_idle   fsyncs synced_file ten times, changing nothing
 *   overwrite    rewrites synced_file's first 4 KiB in place, fsyncs it
 *                (the suite counts the host flushes each costs)
 * Prints "PART ok", or the first check that failed and exits 1.
 */
#define _GNU_SOURCE /* SEEK_DATA, SEEK_HOLE */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "check.h"

#define EXT_MAGIC 0xEF53
#define LINE 21 /* "%08d ext pattern\n": seq -f '%08g ext pattern' */

/* Bytes [off, off + len) of the pattern file of that many lines. */
static void pattern(char *buf, size_t off, size_t len)
{
    char line[LINE + 16]; /* room for what %08zu could print */
    for (size_t i = 0; i < len; i++) {
        size_t at = off + i;
        if (i == 0 || at % LINE == 0)
            snprintf(line, sizeof(line), "%08zu ext pattern\n", at / LINE + 1);
        buf[i] = line[at % LINE];
    }
}

/* Write lines 1..n of the pattern to path, in writes of chunk bytes. */
static void write_pattern(const char *path, size_t lines, size_t chunk)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    char *buf = malloc(chunk);
    size_t size = lines * LINE;
    for (size_t off = 0; fd >= 0 && off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        pattern(buf, off, n);
        CHECK(write(fd, buf, n) == (ssize_t)n);
    }
    CHECK(fsync(fd) == 0);
    CHECK(close(fd) == 0);
    free(buf);
}

/* Whether path holds exactly lines of the pattern. */
static void check_pattern(const char *path, size_t lines)
{
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)(lines * LINE));
    size_t chunk = 65536 + 17, size = lines * LINE;
    char *want = malloc(chunk), *got = malloc(chunk);
    for (size_t off = 0; fd >= 0 && off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        pattern(want, off, n);
        CHECK(read(fd, got, chunk) == (ssize_t)n);
        CHECK(memcmp(want, got, n) == 0);
        if (failed)
            break;
    }
    CHECK(read(fd, got, 1) == 0);
    close(fd);
    free(want);
    free(got);
}

static void put(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s));
    CHECK(close(fd) == 0);
}

/* Whether path holds exactly s. */
static bool holds(const char *path, const char *s)
{
    char buf[256];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof(buf));
    close(fd);
    return n == (ssize_t)strlen(s) && memcmp(buf, s, (size_t)n) == 0;
}

/* The names in dir, sorted, joined by spaces (after "." and ".."). */
static const char *listing(const char *dir)
{
    static char out[4096];
    char names[64][NAME_MAX + 1];
    int n = 0, dots = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            dots++;
        else if (n < 64)
            snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
    }
    if (d != NULL)
        closedir(d);
    qsort(names, (size_t)n, sizeof(names[0]),
          (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        strcat(out, i ? " " : "");
        strcat(out, names[i]);
    }
    if (dots != 2)
        strcat(out, " (no . and ..)");
    return out;
}

/* A target too long for the inode (60 bytes): a block of its own. */
static const char *long_target(void)
{
    static char t[200];
    strcpy(t, "dir/sub");
    for (int i = 0; i < 60; i++)
        strcat(t, "/.");
    strcat(t, "/pattern.txt");
    return t;
}

#define SPARSE_MID (10 << 20)
#define SPARSE_END (40 << 20)

static void write_part(void)
{
    struct stat st;
    /* what the host put there (mkfs.ext4 -d) */
    CHECK(holds("/data/host/hello.txt", "hi from the host\n"));
    CHECK(stat("/data/host", &st) == 0 && S_ISDIR(st.st_mode));
    /* stdio */
    FILE *f = fopen("/data/small.txt", "w");
    CHECK(f != NULL && fprintf(f, "hello from husk\n") == 16 && fclose(f) == 0);
    /* directories, and a long file in writes that end mid-block */
    CHECK(mkdir("/data/dir", 0755) == 0 && mkdir("/data/dir/sub", 0750) == 0);
    write_pattern("/data/dir/sub/pattern.txt", 200000, 21000);
    /* links */
    CHECK(symlink("dir/sub/pattern.txt", "/data/link") == 0);
    CHECK(symlink("/data/small.txt", "/data/abslink") == 0);
    CHECK(symlink(long_target(), "/data/longlink") == 0);
    CHECK(link("/data/small.txt", "/data/hard") == 0);
    /* renames: a file to another directory, a directory to another one
     * (its ".." follows), a file onto another */
    put("/data/old.txt", "renamed\n");
    CHECK(rename("/data/old.txt", "/data/dir/new.txt") == 0);
    CHECK(mkdir("/data/moveme", 0755) == 0);
    put("/data/moveme/inner.txt", "inner\n");
    CHECK(rename("/data/moveme", "/data/dir/sub/moved") == 0);
    put("/data/a.txt", "A\n");
    put("/data/b.txt", "B\n");
    CHECK(rename("/data/a.txt", "/data/b.txt") == 0);
    /* removal */
    put("/data/gone.txt", "gone\n");
    CHECK(unlink("/data/gone.txt") == 0);
    CHECK(mkdir("/data/emptydir", 0755) == 0 && rmdir("/data/emptydir") == 0);
    /* truncation: down mid-block, then up again (zeros after) */
    write_pattern("/data/trunc.txt", 10000, 4096);
    CHECK(truncate("/data/trunc.txt", 1000) == 0);
    int fd = open("/data/trunc.txt", O_WRONLY);
    CHECK(fd >= 0 && ftruncate(fd, 5000) == 0 && close(fd) == 0);
    /* O_APPEND writes at the end wherever the offset is */
    fd = open("/data/append.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
    CHECK(fd >= 0 && write(fd, "one\n", 4) == 4);
    CHECK(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "two\n", 4) == 4);
    CHECK(close(fd) == 0);
    /* O_TRUNC */
    put("/data/retrunc.txt", "a much longer first version\n");
    put("/data/retrunc.txt", "short\n");
    /* attributes */
    CHECK(chmod("/data/small.txt", 0600) == 0);
    struct timespec ts[2] = {{1000000000, 250000000}, {1234567890, 500000000}};
    CHECK(utimensat(AT_FDCWD, "/data/dir/new.txt", ts, 0) == 0);
    CHECK(chown("/data/append.log", 70000, 80000) == 0); /* 32-bit ids */
    CHECK(lchown("/data/link", 5, -1) == 0);
    /* a sparse file: three pieces, holes between */
    fd = open("/data/sparse.bin", O_RDWR | O_CREAT, 0644);
    CHECK(fd >= 0 && pwrite(fd, "begin", 5, 0) == 5);
    CHECK(pwrite(fd, "middle", 6, SPARSE_MID + 5) == 6);
    CHECK(pwrite(fd, "end", 3, SPARSE_END) == 3);
    CHECK(fstat(fd, &st) == 0 && st.st_size == SPARSE_END + 3);
    CHECK(st.st_blocks * 512 < 1 << 20); /* the holes take nothing */
    CHECK(close(fd) == 0);
}

static void verify_part(void)
{
    struct stat st, st2;
    char buf[4096];
    CHECK(holds("/data/host/hello.txt", "hi from the host\n"));
    CHECK(holds("/data/small.txt", "hello from husk\n"));
    CHECK(stat("/data/small.txt", &st) == 0 && (st.st_mode & 07777) == 0600 &&
          st.st_nlink == 2);
    CHECK(stat("/data/hard", &st2) == 0 && st2.st_ino == st.st_ino);
    check_pattern("/data/dir/sub/pattern.txt", 200000);
    check_pattern("/data/link", 200000);
    CHECK(readlink("/data/link", buf, sizeof(buf)) == 19 &&
          memcmp(buf, "dir/sub/pattern.txt", 19) == 0);
    CHECK(holds("/data/abslink", "hello from husk\n"));
    size_t tlen = strlen(long_target());
    CHECK(readlink("/data/longlink", buf, sizeof(buf)) == (ssize_t)tlen &&
          memcmp(buf, long_target(), tlen) == 0);
    check_pattern("/data/longlink", 200000);
    CHECK(holds("/data/dir/new.txt", "renamed\n"));
    CHECK(holds("/data/dir/sub/moved/inner.txt", "inner\n"));
    CHECK(stat("/data/dir/sub/moved/..", &st) == 0 &&
          stat("/data/dir/sub", &st2) == 0 && st.st_ino == st2.st_ino);
    CHECK(stat("/data/dir/sub", &st) == 0 && st.st_nlink == 3 &&
          (st.st_mode & 07777) == 0750);
    CHECK(holds("/data/b.txt", "A\n"));
    CHECK(strcmp(listing("/data"),
                 "abslink append.log b.txt dir hard host link longlink "
                 "lost+found retrunc.txt small.txt sparse.bin trunc.txt") == 0);
    CHECK(strcmp(listing("/data/dir"), "new.txt sub") == 0);
    CHECK(strcmp(listing("/data/dir/sub"), "moved pattern.txt") == 0);
    /* truncation */
    int fd = open("/data/trunc.txt", O_RDONLY);
    char want[1000];
    pattern(want, 0, sizeof(want));
    CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == sizeof(buf));
    CHECK(memcmp(buf, want, sizeof(want)) == 0);
    for (size_t i = sizeof(want); i < sizeof(buf); i++)
        CHECK(buf[i] == 0);
    CHECK(fstat(fd, &st) == 0 && st.st_size == 5000 && close(fd) == 0);
    CHECK(holds("/data/append.log", "one\ntwo\n"));
    CHECK(stat("/data/append.log", &st) == 0 && st.st_uid == 70000 &&
          st.st_gid == 80000);
    CHECK(lstat("/data/link", &st) == 0 && st.st_uid == 5 && st.st_gid == 0);
    CHECK(holds("/data/retrunc.txt", "short\n"));
    CHECK(stat("/data/dir/new.txt", &st) == 0 &&
          st.st_mtim.tv_sec == 1234567890 && st.st_atim.tv_sec == 1000000000);
    /* nanoseconds where the inodes have room (256 bytes: mkfs.ext4) */
    CHECK(st.st_mtim.tv_nsec == 0 || st.st_mtim.tv_nsec == 500000000);
    /* the sparse file */
    fd = open("/data/sparse.bin", O_RDONLY);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == SPARSE_END + 3);
    CHECK(pread(fd, buf, 5, 0) == 5 && memcmp(buf, "begin", 5) == 0);
    CHECK(pread(fd, buf, 6, SPARSE_MID + 5) == 6 &&
          memcmp(buf, "middle", 6) == 0);
    CHECK(pread(fd, buf, 10, SPARSE_END) == 3 && memcmp(buf, "end", 3) == 0);
    CHECK(pread(fd, buf, sizeof(buf), 1 << 20) == sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++)
        CHECK(buf[i] == 0);
    CHECK(lseek(fd, 0, SEEK_HOLE) == st.st_blksize);
    CHECK(lseek(fd, 100, SEEK_DATA) == 100);
    CHECK(lseek(fd, st.st_blksize, SEEK_DATA) == SPARSE_MID);
    CHECK(lseek(fd, SPARSE_MID + 6 + st.st_blksize, SEEK_DATA) ==
          SPARSE_END / st.st_blksize * st.st_blksize);
    FAILS(lseek(fd, SPARSE_END + 3, SEEK_DATA), ENXIO);
    close(fd);
    struct statfs sf;
    CHECK(statfs("/data", &sf) == 0 && sf.f_type == EXT_MAGIC &&
          sf.f_bsize == (unsigned long)st.st_blksize && sf.f_bfree > 0 &&
          sf.f_files > sf.f_ffree);
}

static void errors_part(void)
{
    struct stat st;
    char buf[64];
    put("/data/file", "x\n");
    CHECK(mkdir("/data/d", 0755) == 0);
    put("/data/d/inside", "y\n");
    FAILS(open("/data/missing", O_RDONLY), ENOENT);
    FAILS(stat("/data/d/missing/x", &st), ENOENT);
    FAILS(mkdir("/data/d", 0755), EEXIST);
    FAILS(open("/data/file", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    FAILS(open("/data/file/x", O_RDONLY), ENOTDIR);
    FAILS(mkdir("/data/file/x", 0755), ENOTDIR);
    FAILS(open("/data/d", O_WRONLY), EISDIR);
    FAILS(unlink("/data/d"), EISDIR);
    FAILS(rmdir("/data/file"), ENOTDIR);
    FAILS(rmdir("/data/d"), ENOTEMPTY);
    FAILS(rename("/data/file", "/tmp/file"), EXDEV);
    FAILS(link("/data/file", "/tmp/file"), EXDEV);
    CHECK(mkdir("/data/d/e", 0755) == 0);
    FAILS(rename("/data/d", "/data/d/e/f"), EINVAL);
    /* rename a directory onto a non-empty one, and onto an empty one */
    CHECK(mkdir("/data/full", 0755) == 0);
    put("/data/full/x", "x");
    CHECK(mkdir("/data/empty", 0755) == 0);
    FAILS(rename("/data/empty", "/data/full"), ENOTEMPTY);
    CHECK(rename("/data/full", "/data/empty") == 0);
    CHECK(holds("/data/empty/x", "x") && stat("/data/full", &st) != 0);
    char name[300];
    memset(name, 'n', sizeof(name));
    memcpy(name, "/data/", 6);
    name[6 + 256] = '\0';
    FAILS(open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
    name[6 + 255] = '\0'; /* NAME_MAX itself is fine */
    int fd = open(name, O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0 && close(fd) == 0 && unlink(name) == 0);
    FAILS(readlink("/data/file", buf, sizeof(buf)), EINVAL);
    CHECK(symlink("loop", "/data/loop") == 0);
    FAILS(stat("/data/loop", &st), ELOOP);
    CHECK(symlink("nowhere", "/data/dangling") == 0);
    FAILS(stat("/data/dangling", &st), ENOENT);
    /* a file unlinked while open keeps its data until closed, then its
     * blocks are free again */
    struct statfs before, during, after;
    CHECK(statfs("/data", &before) == 0);
    write_pattern("/data/doomed", 100000, 65536);
    fd = open("/data/doomed", O_RDWR);
    CHECK(fd >= 0 && unlink("/data/doomed") == 0);
    CHECK(stat("/data/doomed", &st) != 0 && errno == ENOENT);
    CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0 &&
          st.st_size == 100000 * LINE);
    CHECK(pwrite(fd, "still here", 10, 50) == 10);
    CHECK(pread(fd, buf, 10, 50) == 10 && memcmp(buf, "still here", 10) == 0);
    CHECK(statfs("/data", &during) == 0 && during.f_bfree < before.f_bfree);
    CHECK(close(fd) == 0);
    CHECK(statfs("/data", &after) == 0 && after.f_bfree == before.f_bfree);
    /* the working directory on the mount */
    CHECK(chdir("/data/d") == 0 && getcwd(buf, sizeof(buf)) != NULL &&
          strcmp(buf, "/data/d") == 0);
    CHECK(holds("inside", "y\n") && chdir("/") == 0);
}

#define MANY 5000

static void many_part(void)
{
    char path[64];
    CHECK(mkdir("/data/many", 0755) == 0);
    for (int i = 0; i < MANY && !failed; i++) {
        snprintf(path, sizeof(path), "/data/many/file%05d", i);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        CHECK(fd >= 0 && write(fd, path, strlen(path)) > 0 && close(fd) == 0);
    }
    int seen = 0;
    DIR *d = opendir("/data/many");
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        seen++;
        CHECK(e->d_type == DT_REG);
    }
    CHECK(d != NULL && closedir(d) == 0 && seen == MANY);
    CHECK(holds("/data/many/file04321", "/data/many/file04321"));
    for (int i = 0; i < MANY && !failed; i += 2) {
        snprintf(path, sizeof(path), "/data/many/file%05d", i);
        CHECK(unlink(path) == 0);
    }
    CHECK(holds("/data/many/file01235", "/data/many/file01235"));
    struct stat st;
    CHECK(stat("/data/many/file01234", &st) != 0 && errno == ENOENT);
}

static void htree_part(void)
{
    char path[64], want[64];
    CHECK(holds("/data/big/f1234", "f1234\n"));
    for (int i = 0; i < 1000 && !failed; i++) {
        snprintf(path, sizeof(path), "/data/big/n%d", i);
        snprintf(want, sizeof(want), "n%d\n", i);
        put(path, want);
    }
    for (int i = 0; i < 1000 && !failed; i++) {
        snprintf(path, sizeof(path), "/data/big/f%d", i);
        CHECK(unlink(path) == 0);
    }
    CHECK(rename("/data/big/f1000", "/data/big/renamed") == 0);
    CHECK(rename("/data/big/n5", "/data/big/f1001") == 0);
    CHECK(holds("/data/big/f1001", "n5\n") &&
          holds("/data/big/n999", "n999\n"));
    CHECK(holds("/data/big/renamed", "f1000\n") &&
          holds("/data/big/f2999", "f2999\n"));
    struct stat st;
    CHECK(stat("/data/big/f999", &st) != 0 && errno == ENOENT);
    int seen = 0;
    DIR *d = opendir("/data/big");
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        seen += e->d_name[0] != '.';
    CHECK(d != NULL && closedir(d) == 0 && seen == 2999);
}

static void big_part(void)
{
    const off_t at = 5LL << 30; /* 5 GiB */
    char buf[4096], got[4096];
    pattern(buf, 0, sizeof(buf));
    int fd = open("/data/big", O_RDWR | O_CREAT, 0644);
    CHECK(fd >= 0 && pwrite(fd, buf, sizeof(buf), at) == sizeof(buf));
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == at + (off_t)sizeof(buf));
    CHECK(pread(fd, got, sizeof(got), at) == sizeof(got) &&
          memcmp(buf, got, sizeof(buf)) == 0);
    CHECK(pread(fd, got, sizeof(got), 4LL << 30) == sizeof(got));
    for (size_t i = 0; i < sizeof(got); i++)
        CHECK(got[i] == 0);
    CHECK(lseek(fd, 0, SEEK_DATA) == at && lseek(fd, 0, SEEK_HOLE) == 0);
    CHECK(lseek(fd, at, SEEK_HOLE) == at + (off_t)sizeof(buf));
    CHECK(ftruncate(fd, 6LL << 30) == 0 && fstat(fd, &st) == 0 &&
          st.st_size == 6LL << 30);
    CHECK(close(fd) == 0);
}

/* Write until the file system is full: ENOSPC, nothing else, and the
 * guest goes on; space freed is space again. */
static void fill_part(void)
{
    struct statfs sf;
    CHECK(statfs("/data", &sf) == 0);
    size_t chunk = 64 * 1024;
    char *buf = malloc(chunk);
    memset(buf, 'f', chunk);
    int fd = open("/data/filler", O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    long long total = 0;
    ssize_t n;
    errno = 0;
    while ((n = write(fd, buf, chunk)) > 0)
        total += n;
    CHECK(n == -1 && errno == ENOSPC);
    /* nearly all the free space went into the file */
    CHECK(total > (long long)sf.f_bfree * (long long)sf.f_bsize / 10 * 9);
    FAILS(write(fd, buf, chunk), ENOSPC);
    FAILS(mkdir("/data/nospace", 0755), ENOSPC);
    CHECK(fsync(fd) == 0 && close(fd) == 0);
    struct stat st;
    CHECK(stat("/data/filler", &st) == 0 && st.st_size == total);
    CHECK(unlink("/data/filler") == 0);
    put("/data/after.txt", "there is room again\n");
    CHECK(holds("/data/after.txt", "there is room again\n"));
    free(buf);
    printf("filled %lld bytes\n", total);
}

static void fill_inodes_part(void)
{
    char path[64];
    int made = 0, fd = -1;
    errno = 0;
    for (; made < 100000; made++) {
        snprintf(path, sizeof(path), "/data/i%06d", made);
        if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) < 0)
            break;
        close(fd);
    }
    CHECK(fd < 0 && errno == ENOSPC && made > 0);
    snprintf(path, sizeof(path), "/data/i%06d", 0);
    CHECK(unlink(path) == 0);
    snprintf(path, sizeof(path), "/data/again");
    fd = open(path, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0 && close(fd) == 0);
    printf("made %d files\n", made);
}

static void readonly_part(void)
{
    struct stat st;
    CHECK(holds("/data/host/hello.txt", "hi from the host\n"));
    FAILS(open("/data/host/hello.txt", O_WRONLY), EROFS);
    FAILS(open("/data/host/hello.txt", O_RDONLY | O_TRUNC), EROFS);
    FAILS(open("/data/new", O_CREAT | O_WRONLY, 0644), EROFS);
    FAILS(mkdir("/data/newdir", 0755), EROFS);
    FAILS(unlink("/data/host/hello.txt"), EROFS);
    FAILS(rmdir("/data/host"), EROFS);
    FAILS(rename("/data/host/hello.txt", "/data/x"), EROFS);
    FAILS(symlink("x", "/data/sym"), EROFS);
    FAILS(link("/data/host/hello.txt", "/data/hard"), EROFS);
    FAILS(truncate("/data/host/hello.txt", 0), EROFS);
    FAILS(chmod("/data/host/hello.txt", 0600), EROFS);
    FAILS(access("/data/host/hello.txt", W_OK), EROFS);
    CHECK(stat("/data/host/hello.txt", &st) == 0 && st.st_size == 17);
    struct statfs sf;
    CHECK(statfs("/data", &sf) == 0 && (sf.f_flags & 1)); /* ST_RDONLY */
    int fd = open("/data/host/hello.txt", O_RDONLY);
    CHECK(fd >= 0 && fsync(fd) == 0 && close(fd) == 0);
    sync();
}

/* /data/host/broken is a directory whose block the suite overwrote. */
static void corrupt_part(void)
{
    DIR *d = opendir("/data/host/broken");
    struct dirent *e;
    errno = 0;
    if (d != NULL) {
        while ((e = readdir(d)) != NULL)
            if (e->d_name[0] != '.')
                break;
        closedir(d);
    }
    struct stat st;
    FAILS(stat("/data/host/broken/anything", &st), EUCLEAN);
    CHECK(holds("/data/host/hello.txt", "hi from the host\n"));
}

static void sync_and_wait_part(void)
{
    write_pattern("/data/synced.txt", 50000, 4000);
    CHECK(mkdir("/data/synced_dir", 0755) == 0);
    put("/data/synced_dir/f", "in a directory\n");
    int fd = open("/data/synced_dir/f", O_RDONLY);
    CHECK(fd >= 0 && fsync(fd) == 0);
    if (failed)
        return;
    printf("synced\n");
    fflush(stdout);
    for (;;)
        sleep(60); /* until kill -9 */
}

static void after_kill_part(void)
{
    check_pattern("/data/synced.txt", 50000);
    CHECK(holds("/data/synced_dir/f", "in a directory\n"));
}

/* ext_two.husk: "more" is mounted at /mnt/more as well. */
static void two_part(void)
{
    struct stat a, b;
    struct statfs fa, fb;
    put("/data/one.txt", "on data\n");
    put("/mnt/more/two.txt", "on more\n");
    FAILS(rename("/data/one.txt", "/mnt/more/one.txt"), EXDEV);
    FAILS(link("/data/one.txt", "/mnt/more/one.txt"), EXDEV);
    CHECK(stat("/data/one.txt", &a) == 0 && stat("/mnt/more/two.txt", &b) == 0);
    CHECK(a.st_dev != b.st_dev);
    CHECK(statfs("/data", &fa) == 0 && statfs("/mnt/more", &fb) == 0);
    CHECK(fa.f_type == EXT_MAGIC && fb.f_type == EXT_MAGIC);
    CHECK(memcmp(&fa.f_fsid, &fb.f_fsid, sizeof(fa.f_fsid)) != 0);
    CHECK(stat("/mnt/more/..", &a) == 0 && stat("/mnt", &b) == 0 &&
          a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    char cwd[64];
    CHECK(chdir("/mnt/more") == 0 && getcwd(cwd, sizeof(cwd)) != NULL &&
          strcmp(cwd, "/mnt/more") == 0 && chdir("/") == 0);
}

/* Ways out that skip exit()'s handlers: the mount is flushed anyway. */
static void exit_now_part(void)
{
    write_pattern("/data/exit_now.txt", 1000, 3000);
    int fd = open("/data/exit_now.txt", O_WRONLY | O_APPEND);
    CHECK(fd >= 0 && write(fd, "tail\n", 5) == 5);
    if (!failed)
        _exit(7); /* fd still open, the size written only in memory */
}

static void signal_exit_part(void)
{
    write_pattern("/data/signal_exit.txt", 1000, 3000);
    CHECK(mkdir("/data/signal_dir", 0755) == 0);
    if (!failed)
        raise(SIGTERM);
}

/* For the count of host flushes (the suite reads --stats=json). */
static void synced_file_part(void)
{
    char buf[8192];
    memset(buf, 'a', sizeof(buf));
    int fd = open("/data/synced_file", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
    CHECK(fsync(fd) == 0 && close(fd) == 0);
}

/* Nothing changed since the last flush: no fsync has anything to do. */
static void fsync_idle_part(void)
{
    int fd = open("/data/synced_file", O_RDONLY);
    CHECK(fd >= 0);
    for (int i = 0; i < 10; i++)
        CHECK(fsync(fd) == 0);
    CHECK(close(fd) == 0);
}

/* Data in blocks the file has, and its times: one flush. */
static void overwrite_part(void)
{
    char buf[4096];
    memset(buf, 'b', sizeof(buf));
    int fd = open("/data/synced_file", O_WRONLY);
    CHECK(fd >= 0 && pwrite(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
    CHECK(fsync(fd) == 0 && close(fd) == 0);
}

int main(int argc, char **argv)
{
    static const struct test_part parts[] = {
        {"write", write_part},
        {"verify", verify_part},
        {"errors", errors_part},
        {"many", many_part},
        {"htree", htree_part},
        {"big", big_part},
        {"fill", fill_part},
        {"fill_inodes", fill_inodes_part},
        {"readonly", readonly_part},
        {"corrupt", corrupt_part},
        {"sync_and_wait", sync_and_wait_part},
        {"after_kill", after_kill_part},
        {"two", two_part},
        {"exit_now", exit_now_part},
        {"signal_exit", signal_exit_part},
        {"synced_file", synced_file_part},
        {"fsync_idle", fsync_idle_part},
        {"overwrite", overwrite_part},
    };
    return run_part(argc, argv, parts, sizeof(parts) / sizeof(parts[0]));
}
