/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * packed.c: the packed read-only root (husk-cc --files), from a program's
 * side, over the tree tests/guests/packed-fixture.sh makes. One part per
 * argument: "stat" (modes, sizes, owners, times, hard links), "read"
 * (read, pread, lseek, fstat), "readdir" (listings, a large one in small
 * pieces, synthesised mountpoints), "links" (readlink, links followed
 * and not, loops), "erofs" (every change refused), "paths" (ENOENT,
 * ENOTDIR, ".." above "/"), "passwd" (getpwnam and getgrnam read
 * /etc/passwd and /etc/group), "statfs", "mounts" (/dev and /tmp over
 * the tree), "mountpoint" (libhusk's husk_rootfs_mountpoint, which
 * makes the directories a mount needs), "cwd" (started in /etc by husk
 * --cwd); "bare" runs in the same program
 * built without --files (packed_none). Prints "PART ok" or the first
 * check that failed, and exits 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

#define HELLO "hello, packed world\n"
#define LINES 10000
#define LINE_LEN 11 /* "line 00042\n" */

/* The whole of a file into buf (size bytes): its length, or -1. */
static long slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    long n = read(fd, buf, size);
    close(fd);
    return n;
}

static void stat_part(void)
{
    struct stat st, st2;
    char owner[32] = {0};
    unsigned uid = 0, gid = 0;
    CHECK(slurp("/etc/owner", owner, sizeof(owner) - 1) > 0 &&
          sscanf(owner, "%u %u", &uid, &gid) == 2);
    CHECK(stat("/data/hello.txt", &st) == 0);
    CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640);
    CHECK(st.st_size == (off_t)strlen(HELLO));
    CHECK(st.st_mtime == 1234567890);
    CHECK(st.st_uid == uid && st.st_gid == gid);
    CHECK(st.st_nlink == 2); /* data/hard */
    CHECK(stat("/data/hard", &st2) == 0 && st2.st_ino == st.st_ino &&
          st2.st_dev == st.st_dev && st2.st_size == st.st_size);
    CHECK(stat("/data/lines.txt", &st) == 0 && st.st_size == LINES * LINE_LEN &&
          (st.st_mode & 07777) == 0755 && st.st_nlink == 1 &&
          st.st_blocks == (st.st_size + 511) / 512);
    CHECK(stat("/data/empty", &st) == 0 && st.st_size == 0);
    CHECK(stat("/private", &st) == 0 && S_ISDIR(st.st_mode) &&
          (st.st_mode & 07777) == 0700 && st.st_mtime == 1000000000);
    /* a directory's links: ".", its name, and each subdirectory's ".." */
    CHECK(stat("/a/b", &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 3);
    CHECK(stat("/", &st) == 0 && S_ISDIR(st.st_mode) && st.st_ino != 0);
    CHECK(stat("/data", &st2) == 0 && st2.st_dev == st.st_dev &&
          st2.st_ino != st.st_ino);
    CHECK(lstat("/data/link", &st) == 0 && S_ISLNK(st.st_mode) &&
          st.st_size == (off_t)strlen("hello.txt") &&
          st.st_mtime == 1234567890);
    CHECK(access("/data/lines.txt", X_OK) == 0);
    FAILS(access("/data/hello.txt", X_OK), EACCES);
    CHECK(access("/data/hello.txt", R_OK) == 0);
}

static void read_part(void)
{
    static char buf[LINES * LINE_LEN + 100];
    char line[LINE_LEN + 1];
    CHECK(slurp("/data/hello.txt", buf, sizeof(buf)) == (long)strlen(HELLO) &&
          memcmp(buf, HELLO, strlen(HELLO)) == 0);
    CHECK(slurp("/data/hard", buf, sizeof(buf)) == (long)strlen(HELLO) &&
          memcmp(buf, HELLO, strlen(HELLO)) == 0);
    CHECK(slurp("/data/empty", buf, sizeof(buf)) == 0);
    /* in pieces of awkward sizes: every byte where it belongs */
    int fd = open("/data/lines.txt", O_RDONLY);
    CHECK(fd >= 0);
    size_t got = 0;
    for (long n; (n = read(fd, buf + got, 997)) > 0;)
        got += (size_t)n;
    CHECK(got == LINES * LINE_LEN);
    for (int i = 0; i < LINES; i += 777) {
        snprintf(line, sizeof(line), "line %05d\n", i);
        CHECK(memcmp(buf + i * LINE_LEN, line, LINE_LEN) == 0);
    }
    CHECK(read(fd, buf, 10) == 0); /* end of file, and again */
    CHECK(read(fd, buf, 10) == 0);
    /* lseek and pread */
    CHECK(lseek(fd, 0, SEEK_CUR) == LINES * LINE_LEN);
    CHECK(lseek(fd, 42 * LINE_LEN, SEEK_SET) == 42 * LINE_LEN);
    CHECK(read(fd, line, LINE_LEN) == LINE_LEN &&
          memcmp(line, "line 00042\n", LINE_LEN) == 0);
    CHECK(lseek(fd, -LINE_LEN, SEEK_END) == (LINES - 1) * LINE_LEN);
    CHECK(read(fd, line, 100) == LINE_LEN &&
          memcmp(line, "line 09999\n", LINE_LEN) == 0);
    CHECK(lseek(fd, LINE_LEN, SEEK_CUR) == (LINES + 1) * LINE_LEN);
    CHECK(read(fd, line, 1) == 0); /* past the end: nothing */
    FAILS(lseek(fd, -1, SEEK_SET), EINVAL);
    CHECK(lseek(fd, 5, SEEK_DATA) == 5);
    CHECK(lseek(fd, 5, SEEK_HOLE) == LINES * LINE_LEN);
    FAILS(lseek(fd, LINES * LINE_LEN, SEEK_DATA), ENXIO);
    CHECK(pread(fd, line, LINE_LEN, 7 * LINE_LEN) == LINE_LEN &&
          memcmp(line, "line 00007\n", LINE_LEN) == 0);
    CHECK(pread(fd, line, 100, LINES * LINE_LEN - 3) == 3);
    CHECK(pread(fd, line, 1, LINES * LINE_LEN + 5) == 0);
    FAILS(pread(fd, line, 1, -1), EINVAL);
    CHECK(lseek(fd, 0, SEEK_CUR) == LINES * LINE_LEN); /* SEEK_HOLE's */
    struct iovec iov[2] = {{line, 5}, {line + 5, 6}};
    CHECK(lseek(fd, 3 * LINE_LEN, SEEK_SET) == 3 * LINE_LEN &&
          readv(fd, iov, 2) == LINE_LEN &&
          memcmp(line, "line 00003\n", LINE_LEN) == 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
          st.st_size == LINES * LINE_LEN);
    FAILS(write(fd, "x", 1), EBADF);
    FAILS(ftruncate(fd, 0), EINVAL);
    CHECK(fcntl(fd, F_GETFL) == O_RDONLY);
    CHECK(close(fd) == 0);
    /* two opens of one file: positions of their own */
    int a = open("/data/hello.txt", O_RDONLY), b = open("/data/hard", O_RDONLY);
    char c1, c2;
    CHECK(a >= 0 && b >= 0 && read(a, &c1, 1) == 1 && read(a, &c1, 1) == 1 &&
          read(b, &c2, 1) == 1 && c1 == 'e' && c2 == 'h');
    close(a);
    close(b);
    /* stdio on top, as programs read configuration */
    FILE *f = fopen("/a/b/c/d/file", "r");
    CHECK(f != NULL && fgets(line, sizeof(line), f) != NULL &&
          strcmp(line, "deep\n") == 0);
    if (f != NULL)
        fclose(f);
}

/* Names in dir (not "." or ".."), in order, joined by spaces. */
static int list(const char *dir, char *out, size_t size)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int n = 0;
    out[0] = '\0';
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n++ > 0)
            strncat(out, " ", size - strlen(out) - 1);
        strncat(out, e->d_name, size - strlen(out) - 1);
    }
    closedir(d);
    return n;
}

static void readdir_part(void)
{
    char names[4096];
    /* in the archive's order: sorted (cpio writes a file with hard links
     * at its last name, which here follows the first) */
    CHECK(list("/data", names, sizeof(names)) == 5 &&
          strcmp(names, "empty hard hello.txt lines.txt link") == 0);
    CHECK(list("/a/b/c/d", names, sizeof(names)) == 1 &&
          strcmp(names, "file") == 0);
    CHECK(list("/private", names, sizeof(names)) == 0);
    /* "/" shows the tree's entries and the mountpoint it lacked: dev */
    CHECK(list("/", names, sizeof(names)) == 12);
    CHECK(strstr(names, "dev") != NULL && strstr(names, "tmp") != NULL &&
          strstr(names, "etc") != NULL && strstr(names, "loop1") != NULL);
    /* d_type from the tree */
    DIR *d = opendir("/data");
    int types = 0;
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, "link") == 0)
            types += e->d_type == DT_LNK;
        if (strcmp(e->d_name, "hello.txt") == 0)
            types += e->d_type == DT_REG;
        if (strcmp(e->d_name, "..") == 0)
            types += e->d_type == DT_DIR;
    }
    CHECK(types == 3);
    if (d != NULL)
        closedir(d);
    /* 300 entries through a buffer that holds a few at a time */
    int fd = open("/many", O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0);
    /* a few entries per call; room for a whole struct dirent anyway */
    static char buf[sizeof(struct dirent) + 128] __attribute__((aligned(8)));
    const size_t piece = 128;
    int n = 0, next = 0, order_ok = 1;
    long off_of_100 = -1;
    for (long got; (got = syscall(SYS_getdents64, fd, buf, piece)) > 0;)
        for (long pos = 0; pos < got;) {
            struct dirent *e = (struct dirent *)(buf + pos);
            pos += e->d_reclen;
            n++;
            if (e->d_name[0] != 'f')
                continue;
            char want[16];
            snprintf(want, sizeof(want), "f%03d", next++);
            order_ok &= strcmp(e->d_name, want) == 0;
            if (next == 100)
                off_of_100 = e->d_off;
        }
    CHECK(n == 302 && next == 300 && order_ok);
    /* resuming at a position the listing gave (telldir/seekdir) */
    CHECK(off_of_100 > 0 && lseek(fd, off_of_100, SEEK_SET) == off_of_100);
    long got = syscall(SYS_getdents64, fd, buf, piece);
    CHECK(got > 0 && strcmp(((struct dirent *)buf)->d_name, "f100") == 0);
    CHECK(close(fd) == 0);
    /* a directory is no file to read */
    fd = open("/data", O_RDONLY);
    FAILS(read(fd, buf, 1), EISDIR);
    close(fd);
    FAILS(syscall(SYS_getdents64, 0, buf, sizeof(buf)), ENOTDIR);
}

static void links_part(void)
{
    char buf[PATH_MAX];
    struct stat st;
    long n = readlink("/data/link", buf, sizeof(buf));
    CHECK(n == 9 && memcmp(buf, "hello.txt", 9) == 0);
    CHECK(readlink("/data/link", buf, 3) == 3 && memcmp(buf, "hel", 3) == 0);
    n = readlink("/abs", buf, sizeof(buf));
    CHECK(n == 15 && memcmp(buf, "/data/hello.txt", 15) == 0);
    FAILS(readlink("/data/hello.txt", buf, sizeof(buf)), EINVAL);
    FAILS(readlink("/nope", buf, sizeof(buf)), ENOENT);
    /* followed: relative, absolute, through a directory link, with ".."
     * that would climb above "/" */
    CHECK(slurp("/data/link", buf, sizeof(buf)) == (long)strlen(HELLO));
    CHECK(slurp("/abs", buf, sizeof(buf)) == (long)strlen(HELLO));
    CHECK(slurp("/dirlink/hello.txt", buf, sizeof(buf)) == (long)strlen(HELLO));
    CHECK(slurp("/dirlink/link", buf, sizeof(buf)) == (long)strlen(HELLO));
    CHECK(slurp("/a/b/up", buf, sizeof(buf)) == (long)strlen(HELLO));
    CHECK(stat("/dirlink", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(lstat("/dirlink", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(lstat("/dirlink/", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat("/abs", &st) == 0 && S_ISREG(st.st_mode) &&
          st.st_size == (long)strlen(HELLO));
    CHECK(chdir("/dirlink") == 0 && getcwd(buf, sizeof(buf)) != NULL &&
          strcmp(buf, "/data") == 0 && chdir("/") == 0);
    /* loops and links that lead nowhere */
    FAILS(open("/loop1", O_RDONLY), ELOOP);
    FAILS(stat("/loop2/x", &st), ELOOP);
    CHECK(lstat("/loop1", &st) == 0 && S_ISLNK(st.st_mode));
    FAILS(open("/dangling", O_RDONLY), ENOENT);
    FAILS(stat("/dangling", &st), ENOENT);
    CHECK(lstat("/dangling", &st) == 0);
    FAILS(open("/data/link", O_RDONLY | O_NOFOLLOW), ELOOP);
    int fd = open("/data/link", O_PATH | O_NOFOLLOW);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
    close(fd);
    /* realpath, which musl builds on readlink */
    char *rp = realpath("/dirlink/../a/b/up", NULL);
    CHECK(rp != NULL && strcmp(rp, "/data/hello.txt") == 0);
    free(rp);
}

static void erofs_part(void)
{
    struct timespec ts[2] = {{0, 0}, {0, 0}};
    FAILS(open("/data/hello.txt", O_WRONLY), EROFS);
    FAILS(open("/data/hello.txt", O_RDWR), EROFS);
    FAILS(open("/data/hello.txt", O_RDONLY | O_TRUNC), EROFS);
    FAILS(open("/data/new", O_CREAT | O_WRONLY, 0644), EROFS);
    FAILS(open("/data/link", O_WRONLY), EROFS); /* through the link */
    FAILS(creat("/new", 0644), EROFS);
    FAILS(mkdir("/data/sub", 0755), EROFS);
    FAILS(rmdir("/private"), EROFS);
    FAILS(unlink("/data/hello.txt"), EROFS);
    FAILS(unlink("/data/link"), EROFS);
    FAILS(rename("/data/hello.txt", "/data/other"), EROFS);
    FAILS(truncate("/data/hello.txt", 0), EROFS);
    FAILS(chmod("/data/hello.txt", 0644), EROFS);
    FAILS(chown("/data/hello.txt", 1, 1), EROFS);
    FAILS(symlink("x", "/data/newlink"), EROFS);
    FAILS(link("/data/hello.txt", "/data/newhard"), EROFS);
    FAILS(utimensat(AT_FDCWD, "/data/hello.txt", ts, 0), EROFS);
    FAILS(access("/data/hello.txt", W_OK), EROFS);
    FAILS(access("/data", W_OK), EROFS);
    FAILS(access("/", W_OK), EROFS);
    /* across file systems, and rmdir of a mountpoint */
    FAILS(rename("/data/hello.txt", "/tmp/x"), EXDEV);
    FAILS(rmdir("/tmp"), EBUSY);
    /* an fd changes nothing either */
    int fd = open("/data/hello.txt", O_RDONLY);
    FAILS(fchmod(fd, 0600), EROFS);
    FAILS(write(fd, "x", 1), EBADF);
    close(fd);
    /* and everything is as it was */
    struct stat st;
    CHECK(stat("/data/hello.txt", &st) == 0 && (st.st_mode & 07777) == 0640 &&
          st.st_size == (long)strlen(HELLO));
}

static void paths_part(void)
{
    struct stat st, root;
    char buf[PATH_MAX];
    FAILS(stat("/nope", &st), ENOENT);
    FAILS(stat("/data/nope", &st), ENOENT);
    FAILS(open("/a/b/c/d/nope", O_RDONLY), ENOENT);
    FAILS(stat("/data/hello.txt/x", &st), ENOTDIR);
    FAILS(stat("/data/hello.txt/", &st), ENOTDIR);
    FAILS(open("/data/hello.txt", O_RDONLY | O_DIRECTORY), ENOTDIR);
    FAILS(chdir("/data/hello.txt"), ENOTDIR);
    /* ".." above "/" is "/" */
    CHECK(stat("/", &root) == 0);
    CHECK(stat("/..", &st) == 0 && st.st_ino == root.st_ino);
    CHECK(stat("/../../../..", &st) == 0 && st.st_ino == root.st_ino);
    CHECK(slurp("/../../data/../../data/hello.txt", buf, sizeof(buf)) ==
          (long)strlen(HELLO));
    CHECK(chdir("/a/b/c") == 0 && chdir("../../../../../..") == 0 &&
          getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, "/") == 0);
    CHECK(chdir("/a/b/c/d") == 0 && slurp("file", buf, sizeof(buf)) == 5 &&
          slurp("../../../../data/hello.txt", buf, sizeof(buf)) ==
              (long)strlen(HELLO));
    CHECK(getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, "/a/b/c/d") == 0);
    CHECK(chdir("/") == 0);
    /* relative to a directory fd in the tree */
    int dfd = open("/a/b", O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0 && fstatat(dfd, "c/d/file", &st, 0) == 0 && st.st_size == 5);
    CHECK(fstatat(dfd, "../../data/hello.txt", &st, 0) == 0);
    FAILS(fstatat(dfd, "c/nope", &st, 0), ENOENT);
    close(dfd);
    /* names too long */
    memset(buf, 'n', 300);
    buf[0] = '/';
    buf[300] = '\0';
    FAILS(stat(buf, &st), ENAMETOOLONG);
}

static void passwd_part(void)
{
    struct passwd *pw = getpwnam("alice");
    CHECK(pw != NULL && pw->pw_uid == 1000 && pw->pw_gid == 1000 &&
          strcmp(pw->pw_dir, "/home/alice") == 0 &&
          strcmp(pw->pw_gecos, "Alice Liddell") == 0);
    pw = getpwuid(0);
    CHECK(pw != NULL && strcmp(pw->pw_name, "root") == 0);
    errno = 0;
    CHECK(getpwnam("nobody-here") == NULL);
    struct group *gr = getgrnam("wonder");
    CHECK(gr != NULL && gr->gr_gid == 1000 && gr->gr_mem[0] != NULL &&
          strcmp(gr->gr_mem[0], "alice") == 0);
}

static void statfs_part(void)
{
    struct statfs sf;
    struct statvfs sv;
    CHECK(statfs("/data", &sf) == 0 && sf.f_bsize > 0 && sf.f_blocks > 0 &&
          sf.f_bfree == 0 && sf.f_files >= 326 && sf.f_namelen == 255);
    CHECK(statvfs("/", &sv) == 0 && (sv.f_flag & ST_RDONLY) != 0);
    CHECK(statvfs("/tmp", &sv) == 0 && (sv.f_flag & ST_RDONLY) == 0);
    int fd = open("/data/hello.txt", O_RDONLY);
    CHECK(fd >= 0 && fstatfs(fd, &sf) == 0 && sf.f_bfree == 0);
    close(fd);
}

static void mounts_part(void)
{
    struct stat st, root;
    char buf[64];
    /* the tree's own tmp is covered by the tmpfs */
    FAILS(stat("/tmp/hidden", &st), ENOENT);
    int fd = open("/tmp/mine", O_CREAT | O_RDWR, 0600);
    CHECK(fd >= 0 && write(fd, "abc", 3) == 3 && close(fd) == 0);
    CHECK(slurp("/tmp/mine", buf, sizeof(buf)) == 3);
    CHECK(stat("/", &root) == 0 && stat("/tmp", &st) == 0 &&
          st.st_dev != root.st_dev);
    CHECK(stat("/tmp/..", &st) == 0 && st.st_ino == root.st_ino &&
          st.st_dev == root.st_dev);
    /* /dev, which the tree lacks, synthesised and mounted */
    CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    CHECK(stat("/dev/..", &st) == 0 && st.st_ino == root.st_ino);
    CHECK(chdir("/dev") == 0 && getcwd(buf, sizeof(buf)) != NULL &&
          strcmp(buf, "/dev") == 0 && chdir("/") == 0);
    FAILS(rmdir("/dev"), EBUSY);
}

/* libhusk's own (guest/vfs.h): the directory a mount goes on. */
struct husk_vnode;
int husk_rootfs_mountpoint(const char *path, struct husk_vnode **out);

static void mountpoint_part(void)
{
    struct husk_vnode *v, *w;
    struct stat st, st2;
    char names[256];
    /* made as mkdir -p would, and shown in the tree */
    CHECK(husk_rootfs_mountpoint("/mnt/data/x", &v) == 0);
    CHECK(stat("/mnt/data/x", &st) == 0 && S_ISDIR(st.st_mode) &&
          (st.st_mode & 07777) == 0755 && st.st_uid == 0);
    CHECK(stat("/mnt", &st) == 0 && st.st_nlink == 3);
    CHECK(list("/mnt/data", names, sizeof(names)) == 1 &&
          strcmp(names, "x") == 0);
    CHECK(husk_rootfs_mountpoint("//mnt/./data/../data/x/", &w) == 0 && w == v);
    /* inside the tree too, and through a link to a directory */
    CHECK(husk_rootfs_mountpoint("/dirlink/newdir", &v) == 0);
    CHECK(stat("/data/newdir", &st) == 0 && S_ISDIR(st.st_mode) &&
          stat("/dirlink/newdir", &st2) == 0 && st.st_ino == st2.st_ino);
    CHECK(husk_rootfs_mountpoint("/a/b/c", &v) == 0);
    /* still read-only */
    FAILS(mkdir("/mnt/data/x/y", 0755), EROFS);
    FAILS(open("/mnt/f", O_CREAT | O_WRONLY, 0644), EROFS);
    /* what it refuses */
    CHECK(husk_rootfs_mountpoint("/data/hello.txt/x", &v) == -ENOTDIR);
    CHECK(husk_rootfs_mountpoint("/data/hello.txt", &v) == -ENOTDIR);
    CHECK(husk_rootfs_mountpoint("/a/b/up/x", &v) == -ENOTDIR);
    CHECK(husk_rootfs_mountpoint("/dangling/x", &v) == -ENOENT);
    CHECK(husk_rootfs_mountpoint("/loop1/x", &v) == -ELOOP);
    CHECK(husk_rootfs_mountpoint("/tmp/sub", &v) == -EXDEV);
    CHECK(husk_rootfs_mountpoint("relative", &v) == -EINVAL);
    FAILS(stat("/dangling", &st), ENOENT); /* nothing made on the way */
    FAILS(stat("/tmp/sub", &st), ENOENT);
}

/* The same program without --files: "/" is empty but for the
 * mountpoints, and gets more of them. */
/* Run with husk --cwd=/etc: main() starts there, and relative paths
 * mean files of /etc. */
static void cwd_part(void)
{
    char buf[PATH_MAX];
    struct stat st;
    CHECK(getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, "/etc") == 0);
    CHECK(stat("passwd", &st) == 0 && S_ISREG(st.st_mode));
    CHECK(stat("../data/hello.txt", &st) == 0 && S_ISREG(st.st_mode));
    CHECK(chdir("..") == 0 && getcwd(buf, sizeof(buf)) != NULL &&
          strcmp(buf, "/") == 0);
}

static void bare_part(void)
{
    struct stat st;
    struct husk_vnode *v;
    char names[256];
    CHECK(stat("/", &st) == 0 && S_ISDIR(st.st_mode) && st.st_ino == 2 &&
          (st.st_mode & 07777) == 0755);
    CHECK(list("/", names, sizeof(names)) == 2 &&
          strcmp(names, "dev tmp") == 0);
    FAILS(stat("/etc/passwd", &st), ENOENT);
    CHECK(getpwnam("root") == NULL);
    FAILS(mkdir("/etc", 0755), EROFS);
    CHECK(husk_rootfs_mountpoint("/srv/data", &v) == 0);
    CHECK(list("/", names, sizeof(names)) == 3 &&
          strcmp(names, "dev tmp srv") == 0);
    CHECK(stat("/srv/data", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat("/", &st) == 0 && st.st_nlink == 5);
    CHECK(husk_rootfs_mountpoint("/dev", &v) == 0 &&
          stat("/dev/null", &st) == 0);
    CHECK(husk_rootfs_mountpoint("/dev/sub", &v) == -EXDEV);
}

int main(int argc, char **argv)
{
    static const struct test_part parts[] = {
        {"stat", stat_part},       {"read", read_part},
        {"readdir", readdir_part}, {"links", links_part},
        {"erofs", erofs_part},     {"paths", paths_part},
        {"passwd", passwd_part},   {"statfs", statfs_part},
        {"mounts", mounts_part},   {"mountpoint", mountpoint_part},
        {"cwd", cwd_part},         {"bare", bare_part},
    };
    return run_part(argc, argv, parts, sizeof(parts) / sizeof(parts[0]));
}
