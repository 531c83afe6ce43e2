/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * probe.c: the test monitor's look at its own sandbox. Linked only into
 * build/test/husk-probe (-DHUSK_TEST_PROBE), never into the release
 * monitor. HUSK_PROBE in the environment says what to do:
 *
 *   jail     print on stderr, in one line starting "husk-probe:", what the
 *            jail and the limits look like from inside, just before the
 *            seccomp filter is armed; then run the guest as usual
 *   seccomp  right after the filter is armed, make a system call it does
 *            not allow (open): the kernel must kill the process (SIGSYS)
 *   noalloc  from the moment the filter is armed, any call of malloc and
 *            friends (ours or the C library's) prints one "husk-probe:"
 *            line and exits 125: the filter allows no brk or mmap, so an
 *            allocation works only while the heap happens to have room
 *
 * Unset, the probe does nothing. HUSK_PROBE_HOST_PID names a process of
 * the host that the monitor must not see. tests/sandbox-suite.sh reads it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <malloc.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../monitor/husk.h"

static char line[2048];
static size_t used;

static void add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + used, sizeof(line) - used, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof(line) - used)
        used += (size_t)n;
}

static const char *errno_name(int e)
{
    switch (e) {
    case 0:
        return "none";
    case ENOENT:
        return "ENOENT";
    case ESRCH:
        return "ESRCH";
    case EROFS:
        return "EROFS";
    case EACCES:
        return "EACCES";
    case EPERM:
        return "EPERM";
    case EMFILE:
        return "EMFILE";
    default:
        return "other";
    }
}

/* What needs fds (before RLIMIT_NOFILE is 0): the view of the world. */
static void look_around(void)
{
    add("husk-probe: pid=%d", (int)getpid());
    errno = 0;
    kill(-1, 0); /* every process we could signal, but ourselves */
    add(" others=%s", errno == ESRCH ? "none" : "some");
    const char *host = getenv("HUSK_PROBE_HOST_PID");
    if (host != NULL) {
        errno = 0;
        kill(atoi(host), 0);
        add(" host_pid=%s", errno_name(errno));
    }
    int entries = -1;
    DIR *d = opendir("/");
    if (d != NULL) {
        struct dirent *e;
        for (entries = 0; (e = readdir(d)) != NULL;)
            entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
        closedir(d);
    }
    add(" root_entries=%d", entries);
    errno = 0;
    if (mkdir("/probe", 0700) == 0)
        rmdir("/probe");
    add(" mkdir=%s", errno_name(errno));
    struct stat root, up;
    add(" dotdot=%s", stat("/", &root) == 0 && stat("/..", &up) == 0 &&
                              root.st_ino == up.st_ino &&
                              root.st_dev == up.st_dev
                          ? "root"
                          : "other");
    errno = 0;
    int fd = open("/etc/passwd", O_RDONLY);
    add(" etc_passwd=%s", fd >= 0 ? "present" : errno_name(errno));
    if (fd >= 0)
        close(fd);
    add(" ifaces=");
    struct if_nameindex *ifs = if_nameindex();
    for (struct if_nameindex *i = ifs; i != NULL && i->if_name != NULL; i++)
        add("%s%s", i == ifs ? "" : ",", i->if_name);
    if (ifs != NULL)
        if_freenameindex(ifs);
    /* Which network namespace: its default TTL, a sysctl of its own
     * (--netns: the suite sets it in the namespace it makes). */
    int ttl = -1;
    socklen_t ttl_len = sizeof(ttl);
    int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (udp >= 0) {
        getsockopt(udp, IPPROTO_IP, IP_TTL, &ttl, &ttl_len);
        close(udp);
    }
    add(" ttl=%d", ttl);
    char host_name[65] = "";
    gethostname(host_name, sizeof(host_name) - 1);
    add(" hostname=%s", host_name);
    add(" uid=%u gid=%u groups=%d", (unsigned)getuid(), (unsigned)getgid(),
        getgroups(0, NULL));
}

static void add_limit(const char *name, int resource)
{
    struct rlimit r;
    getrlimit(resource, &r);
    if (r.rlim_cur == RLIM_INFINITY)
        add(" %s=inf", name);
    else
        add(" %s=%llu", name, (unsigned long long)r.rlim_cur);
}

/* Just before the filter: privileges, limits and fds. */
static void look_inside(struct husk_vm *vm)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct c[2] = {{0, 0, 0}, {0, 0, 0}};
    syscall(SYS_capget, &h, c);
    add(" caps=%x%x,%x%x,%x%x", c[1].effective, c[0].effective, c[1].permitted,
        c[0].permitted, c[1].inheritable, c[0].inheritable);
    int bounding = 0, ambient = 0;
    for (int i = 0; prctl(PR_CAPBSET_READ, i, 0, 0, 0) >= 0; i++) {
        bounding += prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1;
        ambient += prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0, 0) == 1;
    }
    add(" bounding=%d ambient=%d", bounding, ambient);
    add(" nnp=%d dumpable=%d securebits=0x%x",
        prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
        prctl(PR_GET_DUMPABLE, 0, 0, 0, 0),
        prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
    add_limit("nofile", RLIMIT_NOFILE);
    add_limit("fsize", RLIMIT_FSIZE);
    add_limit("core", RLIMIT_CORE);
    add_limit("as", RLIMIT_AS);
    add(" fds=");
    for (int fd = 0, n = 0; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            add("%s%d", n++ ? "," : "", fd);
    add(" vcpu=%d", vm->vcpu_fd);
    errno = 0;
    int fd = open("/", O_RDONLY);
    add(" open=%s\n", fd >= 0 ? "allowed" : errno_name(errno));
    if (write(STDERR_FILENO, line, used) < 0)
        _exit(HUSK_EXIT_MONITOR);
}

/* ---- noalloc: the C library's allocator, watched ---- */

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
void *__libc_memalign(size_t align, size_t n);

static volatile int no_alloc; /* set once the filter is armed */

static void alloc_check(const char *what)
{
    if (!no_alloc)
        return;
    static const char head[] = "husk-probe: ";
    static const char tail[] = " after the seccomp filter was armed\n";
    if (write(STDERR_FILENO, head, sizeof(head) - 1) < 0 ||
        write(STDERR_FILENO, what, strlen(what)) < 0 ||
        write(STDERR_FILENO, tail, sizeof(tail) - 1) < 0)
        _exit(HUSK_EXIT_MONITOR);
    _exit(HUSK_EXIT_MONITOR);
}

void *malloc(size_t n)
{
    alloc_check("malloc");
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    alloc_check("calloc");
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    alloc_check("realloc");
    return __libc_realloc(p, n);
}

void free(void *p)
{
    if (p != NULL) /* may give memory back: munmap or brk */
        alloc_check("free");
    __libc_free(p);
}

void *memalign(size_t align, size_t n)
{
    alloc_check("memalign");
    return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    alloc_check("aligned_alloc");
    return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    alloc_check("posix_memalign");
    if (align % sizeof(void *) != 0 || (align & (align - 1)) != 0)
        return EINVAL;
    void *p = __libc_memalign(align, n);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}

void husk_test_probe(struct husk_vm *vm, const char *stage)
{
    const char *mode = getenv("HUSK_PROBE");
    if (mode == NULL)
        return;
    if (strcmp(mode, "noalloc") == 0 && strcmp(stage, "filter") == 0)
        no_alloc = 1;
    if (strcmp(mode, "jail") == 0) {
        if (strcmp(stage, "jail") == 0)
            look_around();
        if (strcmp(stage, "limits") == 0)
            look_inside(vm);
    } else if (strcmp(mode, "seccomp") == 0 && strcmp(stage, "filter") == 0) {
        if (open("/", O_RDONLY) >= 0)
            husk_fatalx(HUSK_EXIT_MONITOR, "seccomp probe: open was allowed");
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "seccomp probe: open failed, the process was not killed");
    }
}
