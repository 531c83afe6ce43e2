/* vfs.c: libhusk's file system from a program's side, one part per
 * argument: "paths" (resolution, the working directory, errors as Linux
 * has them), "dev" (devfs), "tmp" (tmpfs files and directories), "full"
 * (filling the tmpfs to ENOSPC, then going on), "dup" (fds that share a
 * file), "sendfile" (sendfile and copy_file_range, with and without
 * offsets, to a file and a pipe). Prints "PART ok" or the
 * first check that failed, and exits 1. */
#define _GNU_SOURCE /* copy_file_range */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "check.h"

static int count_entries(const char *dir, const char *want, int *found)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int n = 0;
    *found = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL; n++)
        if (want != NULL && strcmp(e->d_name, want) == 0)
            (*found)++;
    closedir(d);
    return n;
}

static void paths(void)
{
    struct stat st;
    char buf[PATH_MAX];
    static char longp[PATH_MAX + 2];
    CHECK(getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, "/") == 0);
    CHECK(stat("/", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat("/..", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat("//tmp//", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat("/../../tmp/../dev/./null", &st) == 0 && S_ISCHR(st.st_mode));
    FAILS(stat("/nonexistent", &st), ENOENT);
    FAILS(stat("/etc/passwd", &st), ENOENT);
    FAILS(stat("", &st), ENOENT);
    FAILS(stat("/dev/null/", &st), ENOTDIR);
    FAILS(stat("/dev/null/x", &st), ENOTDIR);
    FAILS(access("/nope", F_OK), ENOENT);
    CHECK(access("/tmp", R_OK | W_OK | X_OK) == 0);
    FAILS(access("/", W_OK), EROFS);
    FAILS(access("/", 0100), EINVAL);
    FAILS(open("/nope", O_RDONLY), ENOENT);
    FAILS(open("/newfile", O_CREAT | O_WRONLY, 0644), EROFS);
    FAILS(mkdir("/newdir", 0755), EROFS);
    FAILS(mkdir("/tmp", 0755), EEXIST);
    FAILS(mkdir("/", 0755), EEXIST);
    FAILS(rmdir("/tmp"), EBUSY);
    FAILS(rmdir("/"), EBUSY);
    FAILS(unlink("/tmp"), EISDIR);
    FAILS(unlink("/dev/null"), EROFS);
    FAILS(open("/", O_WRONLY), EISDIR);
    FAILS(open("/", O_CREAT | O_RDWR, 0644), EISDIR);
    FAILS(open("/dev/null", O_RDONLY | O_DIRECTORY), ENOTDIR);
    /* PATH_MAX bytes with no room for the NUL, and a long name */
    memset(longp, 'a', PATH_MAX);
    longp[0] = '/';
    FAILS(open(longp, O_RDONLY), ENAMETOOLONG);
    FAILS(stat(longp, &st), ENAMETOOLONG);
    memset(longp, '/', PATH_MAX - 1); /* 4095 slashes: just fits */
    longp[PATH_MAX - 1] = '\0';
    CHECK(stat(longp, &st) == 0 && S_ISDIR(st.st_mode));
    memset(longp, 'n', 300);
    longp[300] = '\0';
    FAILS(stat(longp, &st), ENAMETOOLONG);
    FAILS(syscall(SYS_open, (char *)8, O_RDONLY), EFAULT);
    FAILS(syscall(SYS_open, NULL, O_RDONLY), EFAULT);
    /* the working directory */
    CHECK(chdir("/tmp") == 0);
    CHECK(getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, "/tmp") == 0);
    CHECK(mkdir("d1", 0700) == 0 && chdir("d1") == 0);
    CHECK(mkdir("d2", 0700) == 0 && chdir("./d2/") == 0);
    CHECK(getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, "/tmp/d1/d2") == 0);
    FAILS(syscall(SYS_getcwd, buf, 5), ERANGE);
    CHECK(chdir("../../..") == 0);
    CHECK(getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, "/") == 0);
    CHECK(chdir("../../../../tmp/d1/../d1/d2/..") == 0);
    CHECK(getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, "/tmp/d1") == 0);
    FAILS(chdir("/dev/null"), ENOTDIR);
    FAILS(chdir("/nope"), ENOENT);
    int dfd = open("/tmp/d1", O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    CHECK(chdir("/") == 0 && fchdir(dfd) == 0);
    CHECK(getcwd(buf, sizeof(buf)) != NULL && strcmp(buf, "/tmp/d1") == 0);
    /* a dirfd for the *at calls */
    int fd = openat(dfd, "f", O_CREAT | O_RDWR | O_EXCL, 0600);
    CHECK(fd >= 0 && write(fd, "abc", 3) == 3 && close(fd) == 0);
    CHECK(fstatat(dfd, "f", &st, 0) == 0 && st.st_size == 3);
    CHECK(faccessat(dfd, "f", R_OK, 0) == 0);
    FAILS(openat(dfd, "f", O_CREAT | O_EXCL | O_RDWR, 0600), EEXIST);
    FAILS(openat(dfd, "f/", O_RDONLY), ENOTDIR);
    FAILS(openat(dfd, "g/", O_CREAT | O_RDWR, 0600), EISDIR);
    FAILS(openat(99, "f", O_RDONLY), EBADF);
    FAILS(openat(1, "f", O_RDONLY), ENOTDIR);
    int ffd = openat(dfd, "f", O_RDONLY);
    FAILS(openat(ffd, "x", O_RDONLY), ENOTDIR);
    FAILS(fchdir(ffd), ENOTDIR);
    FAILS(fchdir(1), ENOTDIR);
    FAILS(fchdir(77), EBADF);
    CHECK(close(ffd) == 0);
    CHECK(openat(AT_FDCWD, "/dev/null", O_RDONLY) >= 0);
    CHECK(fstatat(dfd, "", &st, AT_EMPTY_PATH) == 0 && S_ISDIR(st.st_mode));
    CHECK(renameat(dfd, "f", AT_FDCWD, "/tmp/d1/g") == 0);
    CHECK(unlinkat(dfd, "g", 0) == 0);
    FAILS(unlinkat(dfd, "g", 0), ENOENT);
    FAILS(unlinkat(dfd, "d2", 0), EISDIR);
    FAILS(unlinkat(dfd, "d2", 0x1234), EINVAL);
    CHECK(unlinkat(dfd, "d2", AT_REMOVEDIR) == 0);
    /* the working directory removed under us */
    CHECK(chdir("/tmp/d1") == 0 && rmdir("/tmp/d1") == 0);
    FAILS(syscall(SYS_getcwd, buf, sizeof(buf)), ENOENT);
    FAILS(open("x", O_CREAT | O_RDWR, 0600), ENOENT);
    CHECK(close(dfd) == 0 && chdir("/") == 0);
    /* realpath (musl's: readlink of each component) */
    CHECK(realpath("/tmp/../dev//null", buf) != NULL &&
          strcmp(buf, "/dev/null") == 0);
    CHECK(realpath("/tmp/nope", buf) == NULL && errno == ENOENT);
    FAILS(readlink("/dev/null", buf, sizeof(buf)), EINVAL);
    /* umask */
    CHECK(umask(077) == 022);
    CHECK(mkdir("/tmp/m", 0777) == 0 && stat("/tmp/m", &st) == 0 &&
          (st.st_mode & 0777) == 0700);
    CHECK(umask(022) == 077 && rmdir("/tmp/m") == 0);
    int found;
    CHECK(count_entries("/", "tmp", &found) == 4 && found == 1);
    CHECK(count_entries("/tmp", NULL, &found) == 2);
}

static void dev(void)
{
    char buf[64];
    int found;
    const char *names[] = {"null",    "zero",  "full",   "random",
                           "urandom", "stdin", "stdout", "stderr"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        CHECK(count_entries("/dev", names[i], &found) >= 10 && found == 1);
        char path[32];
        snprintf(path, sizeof(path), "/dev/%s", names[i]);
        struct stat st;
        CHECK(stat(path, &st) == 0 && S_ISCHR(st.st_mode));
    }
    struct stat st;
    CHECK(stat("/dev", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat("/dev/null", &st) == 0 && major(st.st_rdev) == 1 &&
          minor(st.st_rdev) == 3);
    int fd = open("/dev/null", O_RDWR);
    CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 0);
    CHECK(write(fd, "x", 1) == 1 && close(fd) == 0);
    fd = open("/dev/zero", O_RDONLY);
    memset(buf, 1, sizeof(buf));
    CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == sizeof(buf));
    CHECK(buf[0] == 0 && buf[63] == 0 && close(fd) == 0);
    fd = open("/dev/full", O_WRONLY);
    FAILS(write(fd, "x", 1), ENOSPC);
    close(fd);
    unsigned char r1[32] = {0}, r2[32] = {0};
    fd = open("/dev/urandom", O_RDONLY);
    CHECK(fd >= 0 && read(fd, r1, 32) == 32 && read(fd, r2, 32) == 32);
    CHECK(memcmp(r1, r2, 32) != 0 && close(fd) == 0);
    fd = open("/dev/random", O_RDONLY);
    CHECK(fd >= 0 && read(fd, r1, 32) == 32 && close(fd) == 0);
    FILE *out = fopen("/dev/stdout", "w");
    CHECK(out != NULL && fputs("via /dev/stdout\n", out) >= 0);
    CHECK(fclose(out) == 0);
    FILE *err = fopen("/dev/stderr", "w");
    CHECK(err != NULL && fputs("via /dev/stderr\n", err) >= 0);
    CHECK(fclose(err) == 0);
    fd = open("/dev/stdin", O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, 1) == 0 && close(fd) == 0);
    FAILS(open("/dev/nothing", O_RDONLY), ENOENT);
    FAILS(open("/dev/null/", O_RDONLY), ENOTDIR);
    FAILS(mkdir("/dev/x", 0755), EROFS);
    FAILS(chmod("/", 0700), EROFS);
}

static void tmp(void)
{
    char buf[8192];
    struct stat st;
    int fd = open("/tmp/a", O_CREAT | O_RDWR | O_TRUNC, 0640);
    CHECK(fd >= 0);
    CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
          (st.st_mode & 0777) == 0640 && st.st_size == 0);
    CHECK(write(fd, "hello world", 11) == 11);
    CHECK(lseek(fd, 0, SEEK_CUR) == 11 && lseek(fd, 6, SEEK_SET) == 6);
    CHECK(read(fd, buf, 100) == 5 && memcmp(buf, "world", 5) == 0);
    CHECK(read(fd, buf, 100) == 0);
    CHECK(pwrite(fd, "W", 1, 6) == 1 && pread(fd, buf, 5, 6) == 5 &&
          memcmp(buf, "World", 5) == 0);
    /* a hole, across pages */
    CHECK(pwrite(fd, "end", 3, 10000) == 3);
    CHECK(fstat(fd, &st) == 0 && st.st_size == 10003);
    CHECK(pread(fd, buf, 8192, 11) == 8192 && buf[0] == 0 && buf[8191] == 0);
    CHECK(lseek(fd, 0, SEEK_END) == 10003);
    FAILS(lseek(fd, -1, SEEK_SET), EINVAL);
    FAILS(pread(fd, buf, 1, -1), EINVAL);
    /* ftruncate down, then up: the cut part reads as zeros */
    CHECK(ftruncate(fd, 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3);
    CHECK(ftruncate(fd, 8) == 0 && pread(fd, buf, 8, 0) == 8 &&
          memcmp(buf, "hel\0\0\0\0\0", 8) == 0);
    FAILS(ftruncate(fd, -1), EINVAL);
    FAILS(ftruncate(1, 0), EINVAL);
    CHECK(close(fd) == 0);
    CHECK(truncate("/tmp/a", 2) == 0 && stat("/tmp/a", &st) == 0 &&
          st.st_size == 2);
    FAILS(truncate("/tmp", 0), EISDIR);
    FAILS(truncate("/tmp/nope", 0), ENOENT);
    /* read-only and write-only fds */
    fd = open("/tmp/a", O_RDONLY);
    FAILS(write(fd, "x", 1), EBADF);
    FAILS(ftruncate(fd, 0), EINVAL);
    close(fd);
    fd = open("/tmp/a", O_WRONLY | O_APPEND);
    FAILS(read(fd, buf, 1), EBADF);
    CHECK(write(fd, "++", 2) == 2 && lseek(fd, 0, SEEK_SET) == 0 &&
          write(fd, "!", 1) == 1);
    close(fd);
    CHECK(stat("/tmp/a", &st) == 0 && st.st_size == 5);
    fd = open("/tmp/a", O_RDWR | O_TRUNC);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0 && close(fd) == 0);
    /* O_EXCL, O_DIRECTORY, EISDIR */
    FAILS(open("/tmp/a", O_CREAT | O_EXCL | O_RDWR, 0600), EEXIST);
    FAILS(open("/tmp/a", O_RDONLY | O_DIRECTORY), ENOTDIR);
    FAILS(open("/tmp", O_RDWR), EISDIR);
    FAILS(open("/tmp/a/b", O_CREAT | O_RDWR, 0600), ENOTDIR);
    FAILS(open("/tmp/no/b", O_CREAT | O_RDWR, 0600), ENOENT);
    /* chmod, fchmod */
    CHECK(chmod("/tmp/a", 0604) == 0 && stat("/tmp/a", &st) == 0 &&
          (st.st_mode & 07777) == 0604);
    fd = open("/tmp/a", O_RDONLY);
    CHECK(fchmod(fd, 0755) == 0 && fstat(fd, &st) == 0 &&
          (st.st_mode & 07777) == 0755 && access("/tmp/a", X_OK) == 0);
    close(fd);
    CHECK(chmod("/tmp/a", 0644) == 0);
    FAILS(access("/tmp/a", X_OK), EACCES);
    /* directories */
    CHECK(mkdir("/tmp/d", 0755) == 0 && mkdir("/tmp/d/e", 0755) == 0);
    FAILS(mkdir("/tmp/d", 0755), EEXIST);
    FAILS(mkdir("/tmp/nope/x", 0755), ENOENT);
    FAILS(mkdir("/tmp/a/x", 0755), ENOTDIR);
    CHECK(mkdir("/tmp/slash/", 0755) == 0 && rmdir("/tmp/slash/") == 0);
    CHECK(stat("/tmp/d", &st) == 0 && st.st_nlink == 3);
    FAILS(rmdir("/tmp/d"), ENOTEMPTY);
    FAILS(rmdir("/tmp/a"), ENOTDIR);
    FAILS(rmdir("/tmp/d/."), EINVAL);
    FAILS(rmdir("/tmp/d/e/.."), ENOTEMPTY);
    FAILS(unlink("/tmp/a/"), ENOTDIR);
    FAILS(unlink("/tmp/d/"), EISDIR);
    /* rename */
    CHECK(rename("/tmp/a", "/tmp/d/a2") == 0);
    FAILS(stat("/tmp/a", &st), ENOENT);
    CHECK(stat("/tmp/d/a2", &st) == 0);
    FAILS(rename("/tmp/d", "/tmp/d/e/f"), EINVAL);
    FAILS(rename("/tmp/d", "/tmp/d/a2"), ENOTDIR);
    FAILS(rename("/tmp/d/a2", "/tmp/d/e"), EISDIR);
    FAILS(rename("/tmp/d", "/tmp/z/y"), ENOENT);
    FAILS(rename("/tmp/nope", "/tmp/x"), ENOENT);
    FAILS(rename("/tmp/d/a2", "/dev/x"), EXDEV);
    FAILS(rename("/tmp", "/tmp2"), EBUSY);
    CHECK(mkdir("/tmp/full", 0755) == 0 && mkdir("/tmp/full/x", 0755) == 0);
    FAILS(rename("/tmp/d/e", "/tmp/full"), ENOTEMPTY);
    CHECK(rename("/tmp/d/e", "/tmp/e") == 0 && stat("/tmp/d", &st) == 0 &&
          st.st_nlink == 2);
    CHECK(rename("/tmp/e", "/tmp/full/x") == 0); /* replaces an empty dir */
    fd = open("/tmp/b", O_CREAT | O_RDWR, 0600);
    CHECK(write(fd, "bee", 3) == 3 && close(fd) == 0);
    CHECK(rename("/tmp/b", "/tmp/d/a2") == 0); /* replaces a file */
    CHECK(stat("/tmp/d/a2", &st) == 0 && st.st_size == 3);
    CHECK(rename("/tmp/d/a2", "/tmp/d/a2") == 0);
    CHECK(syscall(SYS_renameat2, AT_FDCWD, "/tmp/d/a2", AT_FDCWD,
                  "/tmp/full/x/a3", 1 /* RENAME_NOREPLACE */) == 0);
    FAILS(syscall(SYS_renameat2, AT_FDCWD, "/tmp/full", AT_FDCWD, "/tmp/d", 1),
          EEXIST);
    /* an unlinked file lives while it is open */
    fd = open("/tmp/gone", O_CREAT | O_RDWR, 0600);
    CHECK(write(fd, "still here", 10) == 10 && unlink("/tmp/gone") == 0);
    FAILS(stat("/tmp/gone", &st), ENOENT);
    CHECK(pread(fd, buf, 10, 0) == 10 && memcmp(buf, "still here", 10) == 0);
    CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0 && close(fd) == 0);
    /* listing, with a removal in the middle */
    for (int i = 0; i < 50; i++) {
        char name[32];
        snprintf(name, sizeof(name), "/tmp/d/n%02d", i);
        fd = open(name, O_CREAT | O_WRONLY, 0600);
        CHECK(fd >= 0 && close(fd) == 0);
    }
    int found;
    CHECK(count_entries("/tmp/d", "n42", &found) == 52 && found == 1);
    DIR *d = opendir("/tmp/d");
    int seen = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL; seen++)
        if (seen == 10)
            CHECK(unlink("/tmp/d/n30") == 0);
    CHECK(seen == 51 || seen == 52); /* libc may have read n30 already */
    rewinddir(d);
    seen = 0;
    while (readdir(d) != NULL)
        seen++;
    CHECK(seen == 51 && closedir(d) == 0);
    /* stdio on tmpfs: tmpfile, mkstemp, fopen */
    FILE *t = tmpfile();
    CHECK(t != NULL && fprintf(t, "%d", 12345) == 5);
    rewind(t);
    int v = 0;
    CHECK(fscanf(t, "%d", &v) == 1 && v == 12345 && fclose(t) == 0);
    char tmpl[] = "/tmp/husk-XXXXXX";
    fd = mkstemp(tmpl);
    CHECK(fd >= 0 && strncmp(tmpl, "/tmp/husk-", 10) == 0 &&
          strcmp(tmpl + 10, "XXXXXX") != 0);
    CHECK(write(fd, "x", 1) == 1 && close(fd) == 0 && unlink(tmpl) == 0);
    FILE *w = fopen("/tmp/text", "w");
    CHECK(w != NULL && fputs("line one\nline two\n", w) >= 0 && !fclose(w));
    FILE *r = fopen("/tmp/text", "r");
    CHECK(r != NULL && fgets(buf, sizeof(buf), r) != NULL &&
          strcmp(buf, "line one\n") == 0 && !fclose(r));
    CHECK(remove("/tmp/text") == 0 && remove("/tmp/full/x/a3") == 0);
    CHECK(remove("/tmp/full/x") == 0);
    /* statx (musl 1.2.3 has no wrapper): stx_mode is at byte 28 */
    unsigned char sx[256];
    unsigned short sx_mode;
    CHECK(syscall(SYS_statx, AT_FDCWD, "/tmp/d", 0, 0x7ff, sx) == 0);
    memcpy(&sx_mode, sx + 28, 2);
    CHECK(S_ISDIR(sx_mode));
    FAILS(syscall(SYS_statx, AT_FDCWD, "/tmp/nope", 0, 0x7ff, sx), ENOENT);
}

/* Fill the tmpfs until it says ENOSPC, free it and fill it again. */
static void full(void)
{
    static char chunk[1 << 16];
    memset(chunk, 'f', sizeof(chunk));
    long long total[2] = {0, 0};
    for (int round = 0; round < 2; round++) {
        int fd = open("/tmp/big", O_CREAT | O_RDWR | O_TRUNC, 0600);
        CHECK(fd >= 0);
        for (;;) {
            ssize_t n = write(fd, chunk, sizeof(chunk));
            if (n < 0) {
                CHECK(errno == ENOSPC);
                break;
            }
            total[round] += n;
        }
        /* still running: malloc works, and so do small files */
        void *p = malloc(100000);
        CHECK(p != NULL);
        free(p);
        CHECK(close(fd) == 0 && unlink("/tmp/big") == 0);
        fd = open("/tmp/small", O_CREAT | O_RDWR, 0600);
        CHECK(fd >= 0 && write(fd, "ok", 2) == 2 && close(fd) == 0);
        CHECK(unlink("/tmp/small") == 0);
    }
    CHECK(total[0] > (4 << 20) && total[1] > total[0] / 2);
    /* many names: ENOSPC too, never a crash */
    int made = 0;
    for (;; made++) {
        char name[256];
        snprintf(name, sizeof(name), "/tmp/%0200d", made);
        int fd = open(name, O_CREAT | O_RDWR, 0600);
        if (fd < 0) {
            CHECK(errno == ENOSPC || errno == ENOMEM);
            break;
        }
        close(fd);
        if (made > 1000000)
            break;
    }
    for (int i = 0; i < made; i++) {
        char name[256];
        snprintf(name, sizeof(name), "/tmp/%0200d", i);
        CHECK(unlink(name) == 0);
    }
    /* memory runs out before the tmpfs's limit: ENOSPC all the same */
    static void *hog[4096];
    int hogs = 0;
    while (hogs < 4096 && (hog[hogs] = malloc(1 << 20)) != NULL)
        hogs++;
    for (int i = 0; i < 2 && hogs > 0; i++)
        free(hog[--hogs]);
    int fd = open("/tmp/squeezed", O_CREAT | O_RDWR, 0600);
    long long squeezed = 0;
    ssize_t n;
    while (fd >= 0 && (n = write(fd, chunk, sizeof(chunk))) > 0)
        squeezed += n;
    CHECK(fd >= 0 && errno == ENOSPC && squeezed < total[0]);
    while (hogs > 0)
        free(hog[--hogs]);
    CHECK(write(fd, chunk, sizeof(chunk)) == sizeof(chunk));
    CHECK(close(fd) == 0 && unlink("/tmp/squeezed") == 0);
    printf("filled %lld then %lld bytes, %d names\n", total[0], total[1], made);
}

/* dup, dup2, dup3, F_DUPFD: fds that share one open file */
static void dups(void)
{
    char buf[32];
    int fd = open("/tmp/dup", O_CREAT | O_RDWR, 0600);
    int d = dup(fd);
    CHECK(fd >= 0 && d > fd);
    CHECK(write(fd, "abc", 3) == 3 && lseek(d, 0, SEEK_CUR) == 3);
    CHECK(close(fd) == 0 && write(d, "def", 3) == 3); /* still open */
    CHECK(fcntl(d, F_DUPFD, 10) == 10 && fcntl(d, F_DUPFD_CLOEXEC, 10) == 11);
    CHECK(close(10) == 0 && close(11) == 0);
    FAILS(dup(99), EBADF);
    FAILS(dup2(99, 5), EBADF);
    FAILS(dup2(d, -1), EBADF);
    FAILS(dup2(d, 4096), EBADF);
    FAILS(dup3(d, d, 0), EINVAL);
    FAILS(syscall(SYS_dup3, d, 7, 12345), EINVAL); /* musl: dup2 */
    CHECK(dup2(d, d) == d);
    /* stdout into the file, then back */
    int saved = dup(1);
    CHECK(saved >= 0 && dup2(d, 1) == 1);
    printf("redirected\n");
    fflush(stdout);
    CHECK(dup3(saved, 1, O_CLOEXEC) == 1 && close(saved) == 0);
    CHECK(pread(d, buf, sizeof(buf), 0) == 17 &&
          memcmp(buf, "abcdefredirected\n", 17) == 0);
    CHECK(close(d) == 0 && unlink("/tmp/dup") == 0);
    FAILS(close(d), EBADF);
}

static void sendfiles(void)
{
    /* 200 KiB of a pattern: more than one pass of the 64 KiB buffer */
    enum { SIZE = 200 * 1024 };
    static char data[SIZE], back[SIZE];
    for (int i = 0; i < SIZE; i++)
        data[i] = (char)(i * 7 + i / 4093);
    int in = open("/tmp/sf_in", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(in >= 0 && write(in, data, SIZE) == SIZE);
    CHECK(lseek(in, 1000, SEEK_SET) == 1000);
    /* without an offset: from in's position, which moves */
    int out = open("/tmp/sf_out", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(out >= 0);
    CHECK(sendfile(out, in, NULL, SIZE) == SIZE - 1000);
    CHECK(lseek(in, 0, SEEK_CUR) == SIZE);
    CHECK(pread(out, back, SIZE, 0) == SIZE - 1000);
    CHECK(memcmp(back, data + 1000, SIZE - 1000) == 0);
    /* with an offset: it moves, in's position does not */
    off_t off = 10;
    CHECK(ftruncate(out, 0) == 0 && lseek(out, 0, SEEK_SET) == 0);
    CHECK(sendfile(out, in, &off, 70000) == 70000 && off == 70010);
    CHECK(lseek(in, 0, SEEK_CUR) == SIZE);
    CHECK(pread(out, back, SIZE, 0) == 70000);
    CHECK(memcmp(back, data + 10, 70000) == 0);
    CHECK(sendfile(out, in, &off, 0) == 0);
    off = SIZE;
    CHECK(sendfile(out, in, &off, 100) == 0); /* at the end */
    /* to a pipe: what fits, then EAGAIN when it is full and non-blocking */
    int p[2];
    CHECK(pipe2(p, O_NONBLOCK) == 0);
    off = 0;
    ssize_t n = sendfile(p[1], in, &off, 100);
    CHECK(n == 100 && off == 100 && read(p[0], back, 100) == 100);
    CHECK(memcmp(back, data, 100) == 0);
    ssize_t total = 0;
    while ((n = sendfile(p[1], in, &off, SIZE)) > 0)
        total += n;
    CHECK(n == -1 && errno == EAGAIN && total > 0 && off == 100 + total);
    /* errors as Linux has them */
    FAILS(sendfile(out, p[0], NULL, 10), EINVAL); /* a pipe is no source */
    FAILS(sendfile(out, 999, NULL, 10), EBADF);
    FAILS(sendfile(999, in, NULL, 10), EBADF);
    off = -1;
    FAILS(sendfile(out, in, &off, 10), EINVAL);
    int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
    FAILS(sendfile(out, dir, NULL, 10), EINVAL);
    FAILS(copy_file_range(dir, NULL, out, NULL, 10, 0), EISDIR);
    close(dir);
    close(p[0]);
    close(p[1]);
    /* copy_file_range: positions of both, or each file's own */
    loff_t from = 5, to = 0;
    CHECK(ftruncate(out, 0) == 0);
    CHECK(copy_file_range(in, &from, out, &to, 100000, 0) == 100000);
    CHECK(from == 100005 && to == 100000);
    CHECK(pread(out, back, SIZE, 0) == 100000);
    CHECK(memcmp(back, data + 5, 100000) == 0);
    CHECK(lseek(in, 0, SEEK_SET) == 0 && lseek(out, 0, SEEK_SET) == 0);
    CHECK(copy_file_range(in, NULL, out, NULL, 50, 0) == 50);
    CHECK(lseek(in, 0, SEEK_CUR) == 50 && lseek(out, 0, SEEK_CUR) == 50);
    FAILS(copy_file_range(in, NULL, out, NULL, 50, 1), EINVAL);
    from = 0, to = 10;
    FAILS(copy_file_range(in, &from, in, &to, 50, 0), EINVAL); /* overlap */
    int ro = open("/tmp/sf_out", O_RDONLY);
    FAILS(copy_file_range(in, NULL, ro, NULL, 50, 0), EBADF);
    close(ro);
    CHECK(close(in) == 0 && close(out) == 0);
    CHECK(unlink("/tmp/sf_in") == 0 && unlink("/tmp/sf_out") == 0);
}

int main(int argc, char **argv)
{
    static const struct test_part parts[] = {
        {"paths", paths}, {"dev", dev},  {"tmp", tmp},
        {"full", full},   {"dup", dups}, {"sendfile", sendfiles}};
    return run_part(argc, argv, parts, sizeof(parts) / sizeof(parts[0]));
}
