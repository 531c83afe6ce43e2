/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * jail.c: after every host file is open and before the VM exists, put the
 * monitor where a compromise of it reaches nothing: fresh mount, pid, ipc,
 * uts and net namespaces, an empty read-only root, --user/--group, no
 * capabilities, no new privileges, no core dumps.
 *
 * As root the namespaces need no user namespace (as Firecracker's jailer
 * does it); an unprivileged user gets one, mapping only its own ids,
 * because it cannot create the others without one. If the host refuses,
 * husk stops (125) rather than run a guest less confined than asked:
 * --no-jail is the explicit way to run with the seccomp filter and the
 * limits alone.
 *
 * A new pid namespace takes effect in a child, so the jail makes one: the
 * child runs the guest as PID 1 of its namespace, the parent supervises
 * (supervise.c). The two share the address space (a clone with CLONE_VM,
 * not a fork: supervise.c says why and what that asks of the parent);
 * fds are copied, not shared, and those opened before survive.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk.h"

/* Not in glibc 2.36's headers. */
#ifndef SECBIT_NOROOT
#define SECBIT_NOROOT (1 << 0)
#define SECBIT_NOROOT_LOCKED (1 << 1)
#define SECBIT_KEEP_CAPS_LOCKED (1 << 5)
#define SECBIT_NO_CAP_AMBIENT_RAISE (1 << 6)
#define SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED (1 << 7)
#endif

/* Where the empty root is mounted before it becomes "/": any directory
 * that surely exists and that no one else controls (bubblewrap's choice). */
#define JAIL_MOUNT_POINT "/tmp"

static struct {
    bool set_uid, set_gid, done;
    uid_t uid;
    gid_t gid;
} ids;

/* A whole decimal number below 2^32 - 1 ((uid_t)-1 means "no change"). */
static bool parse_id_number(const char *s, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
        n >= 0xffffffffUL)
        return false;
    *out = (unsigned)n;
    return true;
}

/*
 * The host's users and groups, read from /etc/passwd and /etc/group
 * themselves rather than through NSS: the monitor is a static program
 * (the Makefile says why), and glibc's NSS would load shared modules for
 * any source but files (systemd, LDAP), which a static program cannot
 * use. Accounts from those are given by number. A match by name first
 * (a user may be called "1000"), else by number if want_id.
 */
static bool find_user(const char *name, bool want_id, unsigned id, uid_t *uid,
                      gid_t *gid)
{
    FILE *f = fopen("/etc/passwd", "re");
    if (f == NULL)
        return false;
    bool by_name = false, by_id = false;
    struct passwd *pw;
    while (!by_name && (pw = fgetpwent(f)) != NULL) {
        if (strcmp(pw->pw_name, name) == 0) {
            by_name = true;
            *uid = pw->pw_uid, *gid = pw->pw_gid;
        } else if (want_id && !by_id && pw->pw_uid == id) {
            by_id = true;
            *uid = pw->pw_uid, *gid = pw->pw_gid;
        }
    }
    fclose(f);
    return by_name || by_id;
}

static bool find_group(const char *name, gid_t *gid)
{
    FILE *f = fopen("/etc/group", "re");
    if (f == NULL)
        return false;
    struct group *gr;
    bool found = false;
    while (!found && (gr = fgetgrent(f)) != NULL)
        if (strcmp(gr->gr_name, name) == 0) {
            found = true;
            *gid = gr->gr_gid;
        }
    fclose(f);
    return found;
}

void husk_jail_resolve(const struct husk_config *cfg)
{
    bool have_primary = false;
    gid_t primary = 0;
    unsigned n;
    if (cfg->user != NULL) {
        bool numeric = parse_id_number(cfg->user, &n);
        uid_t uid;
        if (find_user(cfg->user, numeric, n, &uid, &primary)) {
            ids.uid = uid;
            have_primary = true;
        } else if (numeric) {
            ids.uid = n;
        } else {
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "--user=%s: no such user in /etc/passwd (an "
                        "account from elsewhere, such as LDAP, is given "
                        "by number)",
                        cfg->user);
        }
        ids.set_uid = true;
    }
    if (cfg->group != NULL) {
        gid_t gid;
        if (find_group(cfg->group, &gid))
            ids.gid = gid;
        else if (parse_id_number(cfg->group, &n))
            ids.gid = n;
        else
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "--group=%s: no such group in /etc/group (a group "
                        "from elsewhere is given by number)",
                        cfg->group);
        ids.set_gid = true;
    } else if (cfg->user != NULL) {
        if (!have_primary)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "--user=%s: not in the user database, so it has no "
                        "primary group; give --group too",
                        cfg->user);
        ids.gid = primary;
        ids.set_gid = true;
    }
    /* Switching to oneself is allowed (and a no-op) for anyone. */
    if (geteuid() != 0 && ids.set_uid && ids.uid != geteuid())
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--user=%s: only root can run husk as another user "
                    "(start husk as that user instead)",
                    cfg->user);
    if (geteuid() != 0 && ids.set_gid && ids.gid != getegid())
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--group=%s: only root can run husk as another group",
                    cfg->group != NULL ? cfg->group : cfg->user);
}

void husk_jail_ids(bool *has_uid, uid_t *uid, bool *has_gid, gid_t *gid)
{
    *has_uid = ids.set_uid;
    *uid = ids.uid;
    *has_gid = ids.set_gid;
    *gid = ids.gid;
}

bool husk_jail_find_user(const char *name, uid_t *uid, gid_t *gid)
{
    return find_user(name, false, 0, uid, gid);
}

/* Become --user/--group, once; everything we need is open already. */
static void set_ids(void)
{
    if (ids.done)
        return;
    ids.done = true;
    if ((ids.set_uid || ids.set_gid) && geteuid() == 0 &&
        setgroups(0, NULL) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "setgroups");
    if (ids.set_gid && setresgid(ids.gid, ids.gid, ids.gid) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--group: setresgid(%u)",
                   (unsigned)ids.gid);
    if (ids.set_uid && setresuid(ids.uid, ids.uid, ids.uid) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--user: setresuid(%u)",
                   (unsigned)ids.uid);
}

static bool have_cap(int cap)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0)
        return false;
    return (d[cap / 32].effective >> (cap % 32)) & 1;
}

/* A sysctl's value, or -1 if it does not exist on this kernel. */
static long sysctl_value(const char *path)
{
    FILE *f = fopen(path, "re");
    long v = -1;
    if (f != NULL) {
        if (fscanf(f, "%ld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

static _Noreturn void refused(const char *what, int err, bool user_ns)
{
    const char *why = "";
    if (user_ns &&
        sysctl_value("/proc/sys/kernel/unprivileged_userns_clone") == 0)
        why = " (unprivileged user namespaces are disabled: sysctl "
              "kernel.unprivileged_userns_clone=0)";
    else if (user_ns && sysctl_value("/proc/sys/user/max_user_namespaces") == 0)
        why = " (user namespaces are disabled: sysctl "
              "user.max_user_namespaces=0)";
    else if (user_ns &&
             sysctl_value(
                 "/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
        why = " (AppArmor restricts unprivileged user namespaces: sysctl "
              "kernel.apparmor_restrict_unprivileged_userns=1)";
    else if (err == EPERM)
        why = " (a chroot, or a container that forbids namespaces?)";
    else if (err == EINVAL && !user_ns)
        why = " (in a chroot whose root is not a mount point?)";
    husk_fatalx(HUSK_EXIT_MONITOR,
                "jail: cannot %s: %s%s; %spass --no-jail to run with the "
                "seccomp filter and limits only",
                what, strerror(err), why,
                user_ns ? "start husk as root, or " : "");
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t len = (ssize_t)strlen(text);
    if (fd < 0 || write(fd, text, (size_t)len) != len)
        refused("set up the user namespace's ids", errno, true);
    close(fd);
}

/*
 * --netns=PATH: a network namespace made once (ip netns add) and joined
 * instead of one made per run, which costs more than all the other
 * namespaces together and leaves its clean-up to a kernel worker after
 * the exit (docs/performance.md). It must be a network namespace, not
 * the one husk runs in, and hold what a new one would: lo, down, and no
 * other interface; checked once joined. The same namespace may be
 * joined by any number of monitors: what that gives up is in
 * docs/security.md.
 */
static int open_netns(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--netns=%s: cannot open it", path);
    if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--netns=%s: not a network namespace (ip netns add NAME "
                    "makes one at /run/netns/NAME)",
                    path);
    struct stat want, own;
    if (fstat(fd, &want) == 0 && stat("/proc/self/ns/net", &own) == 0 &&
        want.st_ino == own.st_ino && want.st_dev == own.st_dev)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--netns=%s: that is the network namespace husk runs "
                    "in; give an empty one of its own (ip netns add NAME)",
                    path);
    return fd;
}

static void join_netns(const char *path, int fd)
{
    if (setns(fd, CLONE_NEWNET) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--netns=%s: cannot join it%s", path,
                   errno == EPERM ? " (only root can: husk is not root, or "
                                    "the namespace belongs to another user)"
                                  : "");
    close(fd);
    struct if_nameindex *ifs = if_nameindex();
    if (ifs == NULL)
        husk_fatal(HUSK_EXIT_MONITOR, "--netns=%s: cannot list its interfaces",
                   path);
    for (struct if_nameindex *i = ifs; i->if_index != 0; i++)
        if (strcmp(i->if_name, "lo") != 0)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "--netns=%s: it has the interface %s; the jail "
                        "joins only a namespace with lo alone, as ip netns "
                        "add makes it",
                        path, i->if_name);
    if_freenameindex(ifs);
    struct ifreq lo;
    memset(&lo, 0, sizeof(lo));
    memcpy(lo.ifr_name, "lo", 3);
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &lo) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--netns=%s: cannot read lo's state",
                   path);
    close(s);
    if (lo.ifr_flags & IFF_UP)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--netns=%s: its lo is up; the jail joins only a "
                    "namespace whose lo is down, as ip netns add makes it",
                    path);
}

static void enter_namespaces(const struct husk_config *cfg, bool privileged)
{
    int flags =
        CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET;
    /* Opened by its path in the host's mount namespace. */
    int netns = cfg->netns != NULL ? open_netns(cfg->netns) : -1;
    if (netns >= 0)
        flags &= ~CLONE_NEWNET;
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (!privileged) {
        flags |= CLONE_NEWUSER;
        /* A change of ids made us undumpable, which makes the files of
         * /proc/self root's: the maps would not be ours to write.
         * husk_no_dumps() turns this off again before the VM exists. */
        if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
            husk_fatal(HUSK_EXIT_MONITOR, "prctl(PR_SET_DUMPABLE)");
    }
    if (unshare(flags) != 0)
        refused(privileged ? "create namespaces"
                           : "create a user namespace (husk is not root)",
                errno, !privileged);
    if (!privileged) {
        char map[64];
        /* Without CAP_SETGID outside, gid_map needs setgroups denied. */
        write_file("/proc/self/setgroups", "deny");
        snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
        write_file("/proc/self/uid_map", map);
        snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
        write_file("/proc/self/gid_map", map);
    }
    if (netns >= 0)
        join_netns(cfg->netns, netns);
    if (sethostname("husk", 4) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "jail: sethostname");
}

/*
 * An empty, read-only tmpfs becomes "/", and the host's tree is detached:
 * nothing of the host's file system is reachable by any path any more.
 * pivot_root(".", ".") stacks the old root on the new one, so that
 * umount2(".") takes the old one away (pivot_root(2), NOTES).
 */
static void make_empty_root(void)
{
    /* Our mounts must not propagate back to the host's namespace. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        refused("make the mounts private", errno, false);
    if (mount("husk", JAIL_MOUNT_POINT, "tmpfs",
              MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "size=4k,nr_inodes=2,mode=0555") != 0)
        refused("mount an empty root on " JAIL_MOUNT_POINT, errno, false);
    if (chdir(JAIL_MOUNT_POINT) != 0 || syscall(SYS_pivot_root, ".", ".") != 0)
        refused("pivot_root onto the empty root", errno, false);
    if (umount2(".", MNT_DETACH) != 0 || chdir("/") != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "jail: cannot detach the old root");
}

/* Only CAP_KILL left, if keep_kill and we have it, else no capability. */
static void set_caps(bool keep_kill)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct caps[2];
    memset(caps, 0, sizeof(caps));
    if (keep_kill && have_cap(CAP_KILL))
        caps[0].permitted = caps[0].effective = 1U << CAP_KILL;
    if (syscall(SYS_capset, &h, caps) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "cannot drop capabilities");
}

/* No capability in any set, none to be had again (bounding set, ambient
 * set, securebits), no privilege from an exec. keep_kill: CAP_KILL stays
 * for the supervisor, whose filter lets it signal only the child and the
 * helpers: passt runs as nobody where husk runs as root, and without it
 * the supervisor could not end a passt that hangs (it would wait for it
 * for good). The child drops it at once (split_supervisor). */
static void drop_privileges(bool keep_kill)
{
    /* Dropping from the bounding set takes CAP_SETPCAP; without it (an
     * unprivileged --no-jail run) we have no capability to drop. */
    if (have_cap(CAP_SETPCAP)) {
        /* Up to the first number the kernel does not know (EINVAL):
         * one system call a capability, not two. */
        int c = 0;
        while (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0)
            c++;
        if (errno != EINVAL || c == 0)
            husk_fatal(HUSK_EXIT_MONITOR, "prctl(PR_CAPBSET_DROP, %d)", c);
        if (prctl(PR_SET_SECUREBITS,
                  SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
                      SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
                      SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
                  0, 0, 0) != 0)
            husk_fatal(HUSK_EXIT_MONITOR, "prctl(PR_SET_SECUREBITS)");
    }
    set_ids();
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "cannot drop capabilities");
    set_caps(keep_kill);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "prctl(PR_SET_NO_NEW_PRIVS)");
    husk_no_dumps();
}

/* The parent supervises; the child returns, killed if the parent dies. */
static void split_supervisor(void)
{
    int alive[2];
    if (pipe2(alive, O_CLOEXEC) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "jail: pipe");
    husk_supervise_start(alive[1]); /* the parent never returns */
    close(alive[1]);
    set_caps(false); /* CAP_KILL was the supervisor's */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "prctl(PR_SET_PDEATHSIG)");
    /* If the parent died before that, its end of the pipe is closed. */
    struct pollfd p = {.fd = alive[0], .events = POLLIN};
    if (poll(&p, 1, 0) != 0)
        _exit(HUSK_EXIT_MONITOR);
    close(alive[0]);
}

void husk_jail_enter(struct husk_vm *vm)
{
    /* Before the split: PID 1 of a pid namespace drops a signal it has no
     * handler for, and ours come late (husk_timeout_arm). Blocked, a stop
     * during set-up waits for them; the supervisor opens them again. */
    husk_stop_block_signals();
    if (vm->cfg->no_jail) {
        /* Every run says so: a jail-less monitor must not go unnoticed. */
        husk_warnx("warning: --no-jail: no namespaces and no empty root; "
                   "only the seccomp filter and the limits confine the "
                   "monitor");
        drop_privileges(false);
        husk_test_probe(vm, "jail");
        return;
    }
    bool privileged = have_cap(CAP_SYS_ADMIN);
    /* A user namespace maps only the ids we have when we create it. */
    if (!privileged)
        set_ids();
    enter_namespaces(vm->cfg, privileged);
    make_empty_root();
    drop_privileges(true);
    split_supervisor();
    husk_test_probe(vm, "jail");
}
