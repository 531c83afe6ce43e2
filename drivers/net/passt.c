/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/net/passt.c: the user-mode network's helper. passt (Debian's
 * package; Podman's rootless network) is a TCP/IP stack in a process of
 * its own that turns the guest's frames into the host's sockets and back,
 * with no tap and no privilege. The monitor starts it before the jail,
 * the jail's net namespace would leave it no network, with one end of a
 * socket pair, and speaks its frame protocol on the other (stream.h).
 *
 * Its life is tied to the monitor's three ways: passt exits when the
 * monitor's end of the socket closes (--fd means one client, then exit);
 * PR_SET_PDEATHSIG kills it if the process that started it (the
 * supervisor, or the monitor with --no-jail) dies, where that one may
 * signal it (the kernel checks: a --no-jail monitor that root started
 * may not signal nobody's passt); and the supervisor kills and reaps it
 * when the monitor has ended (supervise.c; it keeps CAP_KILL for that).
 *
 * Its confinement is its own (a user namespace, an empty root, no
 * capabilities, a seccomp filter: passt's isolation.c), and what the
 * monitor adds without taking the host's network from it: a session of
 * its own (no signals from husk's terminal), only its socket, /dev/null
 * and a pipe for stderr open, no environment, no new privileges, no core
 * dumps, and started by root it runs as --user (or nobody) from its
 * first instruction.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../monitor/husk.h"
#include "passt.h"

/* ---- starting it ---- */

/* Where passt is: $HUSK_PASST, else the first passt in PATH. */
static const char *find_passt(const char *dev, char *buf, size_t buflen)
{
    const char *given = getenv(HUSK_PASST_ENV);
    if (given != NULL && given[0] != '\0') {
        if (access(given, X_OK) != 0)
            husk_fatal(HUSK_EXIT_MONITOR,
                       "%s: " HUSK_PASST_ENV "=%s names no passt to run "
                       "(unset it to take passt from PATH)",
                       dev, given);
        return given;
    }
    const char *path = getenv("PATH");
    if (path == NULL || path[0] == '\0')
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *dir = path; *dir != '\0';) {
        size_t n = strcspn(dir, ":");
        if (n > 0 &&
            (size_t)snprintf(buf, buflen, "%.*s/passt", (int)n, dir) < buflen &&
            access(buf, X_OK) == 0)
            return buf;
        dir += n + (dir[n] == ':');
    }
    husk_fatalx(HUSK_EXIT_MONITOR,
                "%s: the user-mode network needs passt, which is not "
                "installed here (no passt in PATH): install the passt "
                "package (apt-get install passt), or set " HUSK_PASST_ENV
                " to its path",
                dev);
}

/* Who passt runs as: ourselves; started by root, --user (and --group)
 * or else nobody, as passt itself would choose, but switched to before
 * the exec (passt switching later would clear PR_SET_PDEATHSIG). */
struct runas {
    bool set;
    uid_t uid;
    gid_t gid;
};

static struct runas runas_for(void)
{
    struct runas as = {.set = geteuid() == 0, .uid = 65534, .gid = 65534};
    if (!as.set)
        return as;
    bool has_uid, has_gid;
    uid_t uid;
    gid_t gid;
    husk_jail_ids(&has_uid, &uid, &has_gid, &gid);
    husk_jail_find_user("nobody", &as.uid, &as.gid);
    if (has_uid)
        as.uid = uid;
    if (has_gid)
        as.gid = gid;
    return as;
}

/* What the child failed at, for the parent's message. */
enum step { STEP_FDS, STEP_IDS, STEP_EXEC };
static const char *const step_name[] = {"its file descriptors",
                                        "switching to its user", "exec"};
struct child_error {
    int step, err;
};

static _Noreturn void child_fail(int status_fd, enum step step)
{
    struct child_error e = {(int)step, errno};
    if (write(status_fd, &e, sizeof(e)) != sizeof(e))
        _exit(126);
    _exit(127);
}

static int become(const struct runas *as)
{
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 || setgroups(0, NULL) != 0 ||
        setresgid(as->gid, as->gid, as->gid) != 0 ||
        setresuid(as->uid, as->uid, as->uid) != 0)
        return -1;
    /* passt started as root keeps CAP_NET_BIND_SERVICE until its ports
     * are bound (a host port below 1024); an ambient capability carries
     * it over the exec without making that a privileged one (which would
     * clear PR_SET_PDEATHSIG). If the host refuses, low ports fail in
     * passt, with its message. The exec recomputes the permitted set
     * from the ambient one: nothing else KEEPCAPS kept survives it. */
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof(d));
    d[0].effective = d[0].permitted = d[0].inheritable =
        1U << CAP_NET_BIND_SERVICE;
    if (syscall(SYS_capset, &h, d) == 0)
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0);
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    return 0;
}

/* The child between fork and exec: one thread (the monitor has no other
 * yet), so anything goes, but only what is needed is done. */
static _Noreturn void run_child(const char *path, const char *const argv[],
                                const int fds[4], pid_t parent,
                                const struct runas *as)
{
    /* Signals as a new process has them, except SIGPIPE: passt's stderr
     * is a pipe whose reader may be gone, and a message must not kill it
     * (passt's sockets say MSG_NOSIGNAL themselves). */
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int s = 1; s < NSIG; s++)
        sigaction(s, &dfl, NULL); /* KILL, STOP and glibc's own refuse */
    signal(SIGPIPE, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Not in husk's session: Ctrl-C at husk's terminal stops the guest
     * (husk reports it), and must not take the network away first. */
    setsid();
    /* fds[] = /dev/null, stderr's pipe, the socket, the status pipe:
     * first out of the way of 0-4, which any of them may be. */
    int high[4];
    for (int i = 0; i < 4; i++)
        if ((high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10)) < 0)
            child_fail(fds[3], STEP_FDS);
    int status = dup3(high[3], 4, O_CLOEXEC);
    if (status < 0 || dup2(high[0], STDIN_FILENO) < 0 ||
        dup2(high[0], STDOUT_FILENO) < 0 || dup2(high[1], STDERR_FILENO) < 0 ||
        dup2(high[2], HUSK_PASST_FD) < 0)
        child_fail(status < 0 ? high[3] : status, STEP_FDS);
    close_range(5, ~0U, 0);
    if (as->set && become(as) != 0)
        child_fail(status, STEP_IDS);
    /* After the ids: a change of them clears it. If the parent is gone
     * already, the signal never comes: check. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent)
        _exit(127);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    struct rlimit none_core = {0, 0};
    setrlimit(RLIMIT_CORE, &none_core);
    static char *const env[] = {NULL};
    execve(path, (char *const *)argv, env);
    child_fail(status, STEP_EXEC);
}

/* An ARP request for the gateway, from the guest's address, as the
 * guest's first frame would be; with its length before it. */
static size_t arp_request(const struct husk_net_config *cfg, uint8_t *f)
{
    static const uint8_t head[] = {0,    0,    0,    42, /* the length */
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    memcpy(f, head, sizeof(head));
    uint8_t *p = f + sizeof(head);
    memcpy(p, cfg->mac, 6);
    p += 6;
    static const uint8_t arp[] = {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1};
    memcpy(p, arp, sizeof(arp));
    p += sizeof(arp);
    memcpy(p, cfg->mac, 6);
    memcpy(p + 6, &cfg->ipv4_addr, 4);
    memset(p + 10, 0, 6);
    memcpy(p + 16, &cfg->ipv4_gateway, 4);
    return 4 + 42;
}

static bool is_answer(const uint8_t *f, uint32_t len,
                      const struct husk_net_config *cfg)
{
    return len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[20] == 0 &&
           f[21] == 2 && memcmp(f + 28, &cfg->ipv4_gateway, 4) == 0 &&
           memcmp(f + 38, &cfg->ipv4_addr, 4) == 0;
}

struct start {
    const char *dev, *path;
    struct husk_passt *p;
    char log[HUSK_PASST_LOG_MAX]; /* what passt said on stderr */
    size_t log_len;
    bool log_open;
};

/* passt ended before it answered: say why, in one line. */
static _Noreturn void ended(struct start *s)
{
    /* Its stderr closes as it exits: read to the end (briefly). */
    for (int i = 0; i < 40 && s->log_open; i++) {
        struct pollfd p = {.fd = s->p->log_fd, .events = POLLIN};
        if (poll(&p, 1, 50) > 0)
            s->log_open =
                husk_passt_read_log(s->p->log_fd, s->log, &s->log_len);
    }
    int st = 0;
    bool exited = waitpid(s->p->pid, &st, WNOHANG) == s->p->pid;
    char words[256];
    husk_passt_last_line(s->log, s->log_len, words, sizeof(words));
    if (!exited) {
        kill(s->p->pid, SIGKILL);
        waitpid(s->p->pid, NULL, 0);
    }
    if (words[0] != '\0')
        husk_fatalx(HUSK_EXIT_MONITOR, "%s: passt could not start: %s", s->dev,
                    words);
    if (exited && WIFSIGNALED(st))
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "%s: passt could not start: it was killed by signal %d",
                    s->dev, WTERMSIG(st));
    husk_fatalx(HUSK_EXIT_MONITOR,
                "%s: passt could not start: it closed its socket (exit "
                "status %d) without a word",
                s->dev, exited && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait for passt's answer to the ARP request (see husk_passt_start). */
static void await_answer(struct start *s, const struct husk_net_config *cfg,
                         struct husk_stream_rx *rx)
{
    uint8_t req[4 + 42];
    size_t req_len = arp_request(cfg, req);
    if (send(s->p->fd, req, req_len, MSG_NOSIGNAL) != (ssize_t)req_len)
        ended(s); /* an empty socket takes 46 bytes: passt is gone */
    uint64_t deadline = now_ms() + HUSK_PASST_START_SECONDS * 1000;
    for (;;) {
        uint64_t now = now_ms();
        if (now >= deadline) {
            kill(s->p->pid, SIGKILL);
            waitpid(s->p->pid, NULL, 0);
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "%s: passt did not answer within %d s (is the host "
                        "very busy?)",
                        s->dev, HUSK_PASST_START_SECONDS);
        }
        struct pollfd p[2] = {
            {.fd = s->p->fd, .events = POLLIN},
            {.fd = s->log_open ? s->p->log_fd : -1, .events = POLLIN}};
        if (poll(p, 2, (int)(deadline - now)) < 0 && errno != EINTR)
            husk_fatal(HUSK_EXIT_MONITOR, "%s: poll", s->dev);
        if (p[1].revents != 0)
            s->log_open =
                husk_passt_read_log(s->p->log_fd, s->log, &s->log_len);
        if (p[0].revents == 0)
            continue;
        size_t room;
        uint8_t *at = husk_stream_room(rx, &room);
        ssize_t r = read(s->p->fd, at, room);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            ended(s); /* its end closed (or reset: it left unread data) */
        if (r < 0)
            continue;
        husk_stream_filled(rx, (size_t)r);
        uint8_t *f;
        uint32_t len;
        enum husk_stream_next k;
        while ((k = husk_stream_next(rx, HUSK_STREAM_FRAME_MAX, &f, &len)) !=
               HUSK_STREAM_NONE) {
            if (k == HUSK_STREAM_BAD)
                husk_fatalx(HUSK_EXIT_MONITOR,
                            "%s: passt sent a frame of %u bytes, longer than "
                            "any: is %s passt?",
                            s->dev, len, s->path);
            if (k == HUSK_STREAM_FRAME && is_answer(f, len, cfg)) {
                memcpy(s->p->mac, f + 22, 6); /* the sender's */
                return; /* what follows stays for the guest */
            }
        }
    }
}

void husk_passt_start(const char *dev, const struct husk_net_config *cfg,
                      struct husk_stream_rx *rx, struct husk_passt *p)
{
    char pathbuf[4096];
    const char *path = find_passt(dev, pathbuf, sizeof(pathbuf));
    char argbuf[2048];
    const char *argv[24 + 2 * HUSK_NET_FWD_MAX];
    if (husk_passt_argv(path, cfg, argbuf, sizeof(argbuf), argv,
                        sizeof(argv) / sizeof(argv[0])) < 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "%s: passt's command line is too long",
                    dev);
    int sv[2], log[2], status[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
        pipe2(log, O_CLOEXEC) != 0 || pipe2(status, O_CLOEXEC) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot make passt's socket", dev);
    /* Toward the guest: passt writes some frames' length and the frame
     * in two sends that do not wait, and a full socket can take the one
     * and refuse the other (a stream out of step: the monitor stops the
     * guest). A deep buffer, as deep as the host allows (sysctl
     * net.core.wmem_max), makes it full seldom; the monitor empties it
     * whenever the guest waits. Toward passt: passt reads at most about
     * 8 MiB at once and counts on that ending with a frame (user.c), so
     * what the monitor may have queued stays well below that. */
    int deep = 4 << 20, toward_passt = HUSK_PASST_SNDBUF;
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &deep, sizeof(deep));
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &toward_passt,
               sizeof(toward_passt));
    int toward_guest = 0; /* what the kernel granted (doubled) */
    socklen_t optlen = sizeof(toward_guest);
    getsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &toward_guest, &optlen);
    /* Its stderr: a message never blocks it, however long unread. */
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0 || fcntl(log[1], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(log[0], F_SETFL, O_NONBLOCK) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot set up passt's stderr", dev);
    struct runas as = runas_for();
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot start passt: fork", dev);
    if (pid == 0)
        run_child(path, argv, (const int[4]){devnull, log[1], sv[1], status[1]},
                  parent, &as);
    close(sv[1]);
    close(log[1]);
    close(status[1]);
    close(devnull);
    /* The exec closes the status pipe; a failure before it comes back. */
    struct child_error e;
    ssize_t r;
    while ((r = read(status[0], &e, sizeof(e))) < 0 && errno == EINTR)
        ;
    close(status[0]);
    if (r == (ssize_t)sizeof(e)) {
        waitpid(pid, NULL, 0);
        errno = e.err;
        if (e.step == STEP_EXEC && e.err == ENOENT)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "%s: %s is gone: install the passt package "
                        "(apt-get install passt)",
                        dev, path);
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot start passt (%s, %s)", dev,
                   path, step_name[e.step]);
    }
    if (r != 0) { /* a report cut short: the child is in trouble */
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "%s: cannot start passt: its start-up report was cut "
                    "short",
                    dev);
    }
    if (fcntl(sv[0], F_SETFL, O_NONBLOCK) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: passt's socket", dev);
    *p = (struct husk_passt){.pid = pid,
                             .fd = sv[0],
                             .log_fd = log[0],
                             .toward_guest = (uint32_t)toward_guest};
    husk_supervise_helper(pid);
    static struct start s;
    s = (struct start){.dev = dev, .path = path, .p = p, .log_open = true};
    await_answer(&s, cfg, rx);
    /* What it said while starting is done with. */
    husk_passt_read_log(p->log_fd, s.log, &s.log_len);
}
