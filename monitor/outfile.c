/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * outfile.c: a file the monitor writes after the seccomp filter is armed
 * (--dump-core, --snapshot-to). Then no file can be created, and the
 * limits forbid any file to grow (RLIMIT_FSIZE, which guards the block
 * devices' files). So the file is created at start-up at its full size,
 * as a sparse file (no blocks), and mapped shared; its fd is not counted
 * among the files RLIMIT_FSIZE allows for. Writing goes through the
 * mapping, which needs no system call, and only pages that hold data
 * take room. A run that writes nothing empties it (ftruncate to 0: the
 * one system call the filter adds, on this fd, to length 0 only).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "allowlist.h"
#include "husk.h"
#include "rawsys.h"

/* The open file that is the same file as st (the image, a device's
 * file, stdout), or -1: it must not be overwritten. */
static int same_file_fd(int self, const struct stat *st)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        husk_fatal(HUSK_EXIT_MONITOR, "cannot list /proc/self/fd");
    int found = -1;
    struct dirent *e;
    while (found < 0 && (e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        struct stat other;
        if (e->d_name[0] != '.' && fd != self && fd != dirfd(d) &&
            fstat(fd, &other) == 0 && other.st_dev == st->st_dev &&
            other.st_ino == st->st_ino)
            found = fd;
    }
    closedir(d);
    return found;
}

void husk_outfile_create(const char *flag, const char *path, uint64_t len,
                         struct husk_outfile *out)
{
    /* 0600: guest memory may hold anything the guest was given. Not
     * O_TRUNC: first make sure it is not a file in use. */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s=%s: cannot create it", flag, path);
    if (!S_ISREG(st.st_mode))
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "%s=%s: not a regular file; give a path for a new file",
                    flag, path);
    int in_use = same_file_fd(fd, &st);
    if (in_use >= 0)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "%s=%s: that file is in use by this run (%s); give a "
                    "path for a new file",
                    flag, path,
                    in_use == STDOUT_FILENO || in_use == STDERR_FILENO
                        ? "husk's output goes there"
                        : "the image, a snapshot or a device");
    if (ftruncate(fd, 0) != 0 || ftruncate(fd, (off_t)len) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s=%s: cannot reserve %lluM for it",
                   flag, path, (unsigned long long)(len >> 20));
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        husk_fatal(HUSK_EXIT_MONITOR, "%s=%s: cannot map it", flag, path);
    *out = (struct husk_outfile){.fd = fd, .map = map, .len = len};
}

int husk_outfile_sandbox_rules(const struct husk_outfile *f,
                               struct husk_rules *rules)
{
    if (f->fd < 0)
        return 0;
    return husk_rule_add(rules, SCMP_SYS(ftruncate), 2,
                         SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)f->fd),
                         SCMP_A1(SCMP_CMP_EQ, 0));
}

void husk_outfile_discard(const struct husk_outfile *f)
{
    if (f->fd >= 0)
        husk_raw_syscall3(SYS_ftruncate, f->fd, 0, 0);
}
