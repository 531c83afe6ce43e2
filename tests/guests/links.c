/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * links.c: names that point at files, and attributes, on the tmpfs, one
 * part per argument: "symlinks" (made, read, followed or not, loops,
 * dangling ones), "hardlinks" (link counts, EXDEV, EPERM on a directory),
 * "attrs" (utimensat, chown, statfs, sync). Prints "PART ok" or the first
 * check that failed, and exits 1.
 */
#define _GNU_SOURCE /* syncfs */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

static int type_in_dir(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int type = -1;
    while (d != NULL && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, name) == 0)
            type = e->d_type;
    if (d != NULL)
        closedir(d);
    return type;
}

static void symlinks(void)
{
    char buf[PATH_MAX];
    struct stat st;
    CHECK(mkdir("/tmp/d", 0755) == 0);
    int fd = open("/tmp/d/file", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0 && write(fd, "data", 4) == 4 && close(fd) == 0);
    CHECK(symlink("d/file", "/tmp/rel") == 0);
    CHECK(symlink("/tmp/d", "/tmp/abs") == 0);
    /* readlink: the target, no NUL, cut to the buffer */
    CHECK(readlink("/tmp/rel", buf, sizeof(buf)) == 6 &&
          memcmp(buf, "d/file", 6) == 0);
    CHECK(readlink("/tmp/rel", buf, 3) == 3 && memcmp(buf, "d/f", 3) == 0);
    FAILS(readlink("/tmp/d/file", buf, sizeof(buf)), EINVAL);
    FAILS(readlink("/tmp/nope", buf, sizeof(buf)), ENOENT);
    /* stat follows, lstat does not */
    CHECK(stat("/tmp/rel", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 4);
    CHECK(lstat("/tmp/rel", &st) == 0 && S_ISLNK(st.st_mode) &&
          st.st_size == 6 && (st.st_mode & 0777) == 0777);
    CHECK(type_in_dir("/tmp", "rel") == DT_LNK);
    /* followed inside a path, and into a directory */
    fd = open("/tmp/abs/file", O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, 10) == 4 && close(fd) == 0);
    CHECK(chdir("/tmp/abs") == 0 && getcwd(buf, sizeof(buf)) != NULL &&
          strcmp(buf, "/tmp/d") == 0 && chdir("/") == 0);
    CHECK(stat("/tmp/abs/../rel", &st) == 0 && S_ISREG(st.st_mode));
    /* O_NOFOLLOW, O_PATH, and O_CREAT|O_EXCL on a link */
    FAILS(open("/tmp/rel", O_RDONLY | O_NOFOLLOW), ELOOP);
    fd = open("/tmp/rel", O_PATH | O_NOFOLLOW);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(readlinkat(fd, "", buf, sizeof(buf)) == 6);
    close(fd);
    FAILS(open("/tmp/rel", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    /* a dangling link: ENOENT, and O_CREAT makes its target */
    CHECK(symlink("made", "/tmp/dangling") == 0);
    FAILS(stat("/tmp/dangling", &st), ENOENT);
    CHECK(lstat("/tmp/dangling", &st) == 0);
    fd = open("/tmp/dangling", O_CREAT | O_WRONLY, 0600);
    CHECK(fd >= 0 && close(fd) == 0);
    CHECK(stat("/tmp/made", &st) == 0 && S_ISREG(st.st_mode));
    /* loops */
    CHECK(symlink("loop", "/tmp/loop") == 0);
    FAILS(stat("/tmp/loop", &st), ELOOP);
    FAILS(open("/tmp/loop/x", O_RDONLY), ELOOP);
    CHECK(symlink("ping", "/tmp/pong") == 0 &&
          symlink("pong", "/tmp/ping") == 0);
    FAILS(stat("/tmp/ping", &st), ELOOP);
    /* a name that is taken, and an empty target */
    FAILS(symlink("x", "/tmp/rel"), EEXIST);
    FAILS(symlink("x", "/tmp/d"), EEXIST);
    FAILS(symlink("", "/tmp/empty"), ENOENT);
    FAILS(symlink("x", "/nope/y"), ENOENT);
    FAILS(symlink("x", "/new"), EROFS); /* the read-only root */
    /* unlink and rename act on the link, not on what it points at */
    CHECK(rename("/tmp/rel", "/tmp/rel2") == 0);
    CHECK(readlink("/tmp/rel2", buf, sizeof(buf)) == 6);
    CHECK(unlink("/tmp/rel2") == 0 && stat("/tmp/d/file", &st) == 0);
    FAILS(rmdir("/tmp/abs"), ENOTDIR);
    CHECK(unlink("/tmp/abs") == 0 && stat("/tmp/d", &st) == 0);
    /* realpath resolves them all */
    CHECK(symlink("/tmp/d", "/tmp/abs") == 0);
    CHECK(realpath("/tmp/abs/./file", buf) != NULL &&
          strcmp(buf, "/tmp/d/file") == 0);
}

static void hardlinks(void)
{
    struct stat st, st2;
    int fd = open("/tmp/f", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0 && write(fd, "x", 1) == 1);
    CHECK(link("/tmp/f", "/tmp/g") == 0);
    CHECK(stat("/tmp/f", &st) == 0 && stat("/tmp/g", &st2) == 0 &&
          st.st_ino == st2.st_ino && st.st_nlink == 2);
    FAILS(link("/tmp/f", "/tmp/g"), EEXIST);
    FAILS(link("/tmp/nope", "/tmp/h"), ENOENT);
    CHECK(mkdir("/tmp/dir", 0755) == 0);
    FAILS(link("/tmp/dir", "/tmp/dir2"), EPERM);
    FAILS(link("/tmp/f", "/dev/f"), EXDEV);
    /* the data is shared; it stays while one name or the fd does */
    CHECK(unlink("/tmp/f") == 0 && stat("/tmp/g", &st) == 0 &&
          st.st_nlink == 1 && st.st_size == 1);
    CHECK(write(fd, "y", 1) == 1 && close(fd) == 0);
    CHECK(stat("/tmp/g", &st) == 0 && st.st_size == 2);
    /* linkat links a symbolic link itself unless told to follow */
    CHECK(symlink("g", "/tmp/s") == 0);
    CHECK(linkat(AT_FDCWD, "/tmp/s", AT_FDCWD, "/tmp/s2", 0) == 0);
    CHECK(lstat("/tmp/s2", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(linkat(AT_FDCWD, "/tmp/s", AT_FDCWD, "/tmp/g2", AT_SYMLINK_FOLLOW) ==
          0);
    CHECK(lstat("/tmp/g2", &st) == 0 && S_ISREG(st.st_mode) &&
          st.st_nlink == 2);
}

static void attrs(void)
{
    struct stat st;
    int fd = open("/tmp/t", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0);
    /* utimensat: set both, omit one, now */
    struct timespec ts[2] = {{1000, 5}, {2000, 6}};
    CHECK(utimensat(AT_FDCWD, "/tmp/t", ts, 0) == 0);
    CHECK(stat("/tmp/t", &st) == 0 && st.st_atim.tv_sec == 1000 &&
          st.st_atim.tv_nsec == 5 && st.st_mtim.tv_sec == 2000 &&
          st.st_mtim.tv_nsec == 6);
    ts[0] = (struct timespec){3000, UTIME_OMIT};
    ts[1] = (struct timespec){0, UTIME_NOW};
    CHECK(futimens(fd, ts) == 0);
    CHECK(stat("/tmp/t", &st) == 0 && st.st_atim.tv_sec == 1000 &&
          st.st_mtim.tv_sec > 1000000000);
    struct timeval tv[2] = {{4000, 0}, {5000, 0}};
    CHECK(utimes("/tmp/t", tv) == 0 && stat("/tmp/t", &st) == 0 &&
          st.st_mtim.tv_sec == 5000);
    ts[0] = (struct timespec){0, 1000000000};
    FAILS(utimensat(AT_FDCWD, "/tmp/t", ts, 0), EINVAL);
    FAILS(utimensat(AT_FDCWD, "/tmp/nope", NULL, 0), ENOENT);
    FAILS(utimensat(AT_FDCWD, "/", NULL, 0), EROFS);
    /* lutimes-style: the link's own times */
    CHECK(symlink("t", "/tmp/tl") == 0);
    ts[0] = ts[1] = (struct timespec){7000, 0};
    CHECK(utimensat(AT_FDCWD, "/tmp/tl", ts, AT_SYMLINK_NOFOLLOW) == 0);
    CHECK(lstat("/tmp/tl", &st) == 0 && st.st_mtim.tv_sec == 7000);
    CHECK(stat("/tmp/t", &st) == 0 && st.st_mtim.tv_sec == 5000);
    /* chown: numbers kept, -1 leaves one as it is */
    CHECK(chown("/tmp/t", 1000, 100) == 0 && stat("/tmp/t", &st) == 0 &&
          st.st_uid == 1000 && st.st_gid == 100);
    CHECK(fchown(fd, (uid_t)-1, 50) == 0 && stat("/tmp/t", &st) == 0 &&
          st.st_uid == 1000 && st.st_gid == 50);
    CHECK(lchown("/tmp/tl", 7, 7) == 0 && stat("/tmp/t", &st) == 0 &&
          st.st_uid == 1000);
    FAILS(chown("/", 1, 1), EROFS);
    /* statfs: the tmpfs's size and what is free; the root is read-only */
    struct statfs sf;
    CHECK(statfs("/tmp", &sf) == 0 && sf.f_type == 0x01021994 &&
          sf.f_bsize == 4096 && sf.f_blocks > 0 && sf.f_bfree <= sf.f_blocks);
    unsigned long before = sf.f_bfree;
    char page[4096] = {1};
    for (int i = 0; i < 16; i++)
        CHECK(write(fd, page, sizeof(page)) == (ssize_t)sizeof(page));
    CHECK(fstatfs(fd, &sf) == 0 && sf.f_bfree <= before - 16);
    CHECK(statfs("/", &sf) == 0 && (sf.f_flags & ST_RDONLY));
    FAILS(statfs("/nope", &sf), ENOENT);
    CHECK(fstatfs(1, &sf) == 0);
    /* sync and syncfs: nothing to write back here, and no error */
    sync();
    CHECK(syncfs(fd) == 0 && fsync(fd) == 0 && close(fd) == 0);
}

int main(int argc, char **argv)
{
    static const struct test_part parts[] = {
        {"symlinks", symlinks},
        {"hardlinks", hardlinks},
        {"attrs", attrs},
    };
    return run_part(argc, argv, parts, sizeof(parts) / sizeof(parts[0]));
}
