/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * limits.c: what the monitor process may hold and grow: its fds, its core
 * dumps, its rlimits. None of it needs privilege or a namespace, so all of
 * it applies with --no-jail too. The limits are measured before the jail
 * (they need /proc) and set after set-up, just before the seccomp filter:
 * from then on the process cannot open a file, grow a file past what its
 * devices already are, or map more memory than it has.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk.h"

/* Room left in the address space for the monitor's own growth between the
 * measurement and the filter (the vCPU's run area, the stack, malloc); the
 * sanitizer runtime maps much more as it goes. */
#ifdef HUSK_SANITIZE
#define AS_SLACK (1ULL << 30)
#else
#define AS_SLACK (64ULL << 20)
#endif

static uint64_t as_limit;    /* RLIMIT_AS; 0 if not measured */
static uint64_t fsize_max;   /* the largest regular file we hold open */
static bool console_is_file; /* stdout or stderr is a regular file */

void husk_fds_sanitize(const int *keep, unsigned keep_count)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        /* The lowest free fd is this one. */
        if (open("/dev/null", O_RDWR) != fd)
            husk_fatal(HUSK_EXIT_MONITOR,
                       "fd %d is closed and /dev/null cannot stand in", fd);
    }
    /* Whatever the caller left open (a log, a socket, a host file) is no
     * business of the guest's: nothing reaches the jail by accident. The
     * fds kept (libhusk-host's channel) are closed around, lowest first. */
    unsigned from = 3;
    for (;;) {
        unsigned next = ~0U; /* the lowest kept fd at or above from */
        for (unsigned i = 0; i < keep_count; i++)
            if (keep[i] >= (int)from && (unsigned)keep[i] < next)
                next = (unsigned)keep[i];
        if (next > from && close_range(from, next - 1, 0) != 0)
            husk_fatal(HUSK_EXIT_MONITOR, "close_range (Linux 5.9 or later)");
        if (next == ~0U)
            break;
        from = next + 1;
    }
}

void husk_no_dumps(void)
{
    struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "setrlimit(RLIMIT_CORE)");
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "prctl(PR_SET_DUMPABLE)");
}

/* The address space in use, from /proc/self/statm (in pages). */
static uint64_t address_space(void)
{
    FILE *f = fopen("/proc/self/statm", "re");
    unsigned long long pages;
    if (f == NULL || fscanf(f, "%llu", &pages) != 1)
        husk_fatal(HUSK_EXIT_MONITOR,
                   "cannot read /proc/self/statm (is /proc mounted?)");
    fclose(f);
    return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

void husk_limits_prepare(struct husk_vm *vm)
{
    /* Guest memory is not mapped yet: it comes on top (husk_vm_create),
     * with the vCPU's run area inside the slack. */
    as_limit = address_space() + vm->cfg->mem_size + AS_SLACK;

    /* The regular files among our fds are the devices' files, and perhaps
     * the console: the kernel checks RLIMIT_FSIZE against the position of
     * every write, so a console redirected into a file would be cut off. */
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        husk_fatal(HUSK_EXIT_MONITOR, "cannot list /proc/self/fd");
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        struct stat st;
        if (e->d_name[0] == '.' || fd == dirfd(d) || fd == vm->image_fd ||
            fd == husk_core_fd() || husk_snapshot_owns_fd(fd) ||
            husk_calls_owns_fd(fd) || fstat(fd, &st) != 0 ||
            !S_ISREG(st.st_mode))
            continue; /* the image, closed before the limits apply; the
                       * core file and --snapshot-to's, written only
                       * through their mappings; --restore's, read only */
        if (fd == STDOUT_FILENO || fd == STDERR_FILENO)
            console_is_file = true;
        else if ((uint64_t)st.st_size > fsize_max)
            fsize_max = (uint64_t)st.st_size;
    }
    closedir(d);
}

static void set_limit(int resource, const char *name, uint64_t value)
{
    struct rlimit r = {value, value};
    if (setrlimit(resource, &r) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "setrlimit(%s)", name);
}

void husk_limits_apply(struct husk_vm *vm)
{
    /* The vCPU fd keeps the VM alive; KVM's system fd and the VM fd are
     * needed only to set it up. stdin is the guest's (console_read)
     * unless --stdin=none. */
    close(vm->kvm_fd);
    close(vm->vm_fd);
    if (vm->cfg->stdin_none)
        close(STDIN_FILENO);
    vm->kvm_fd = vm->vm_fd = -1;

    /* No new fd: no file, socket or pipe can be opened from here on. But
     * ppoll refuses more fds than RLIMIT_NOFILE (EINVAL), and the poll and
     * net_io calls wait on the network devices' fds and on stdin, and
     * the call channel's wait on its socket: with those, the limit is
     * their count (a new fd could only take a number below it, and
     * seccomp allows no call that makes one). */
    uint64_t waited_on = (uint64_t)__builtin_popcountll(vm->pollable_mask) +
                         !vm->cfg->stdin_none + husk_calls_enabled();
    set_limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", waited_on);
    /* No file grows past the largest device (a device write past its end
     * is refused before it reaches the kernel; this makes it impossible).
     * EFBIG rather than death by SIGXFSZ: the guest gets -HUSK_EIO. */
    if (!console_is_file) {
        signal(SIGXFSZ, SIG_IGN);
        set_limit(RLIMIT_FSIZE, "RLIMIT_FSIZE", fsize_max);
    }
    set_limit(RLIMIT_AS, "RLIMIT_AS", as_limit);
    husk_test_probe(vm, "limits");
}
