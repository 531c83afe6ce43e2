/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * sandbox.c: libhusk-host (husk-host.h). A sandbox is a husk monitor,
 * started here as a child with --call-channel=3,4: fd 4 a memfd both
 * sides map for the call's bytes and the two boxes its messages go
 * through, fd 3 a SOCK_SEQPACKET socket that rings the one that sleeps
 * (abi/husk_channel.h). Its stdout and stderr are
 * pipes read while a call runs, so that a guest that prints never blocks
 * on a full pipe. The monitor's exit ends the socket: its status says
 * how the guest stopped (monitor/exitcode.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../abi/husk_channel.h"
#include "husk-host.h"

#define FNS_MAX 64
#define REPORT_MAX 4096
/* How long a start (or a restore) may take to reach its first call. */
#define START_MS 60000
/* How long husk_sandbox_free waits for the guest to exit. */
#define FREE_MS 5000

struct host_fn {
    char name[HUSK_CALL_NAME_MAX];
    husk_host_fn fn;
    void *ctx;
};

struct husk_sandbox {
    char *image, *husk, *backend;
    uint64_t mem_bytes;
    unsigned timeout_ms;
    char **args; /* NULL-terminated */
    husk_console_fn console;
    void *console_ctx;
    bool want_snapshot;
    char snap_dir[64]; /* mkdtemp's, with the snapshot file in it */
    char snap_path[96];
    bool have_snapshot;
    bool from_snapshot;  /* this monitor started with --restore */
    bool rewind_refused; /* and said it cannot rewind (devices) */

    pid_t pid;    /* the monitor, or 0 */
    int sock;     /* our end of the channel, or -1 */
    int out, err; /* its stdout and stderr, or -1 once at their end */
    int mem_fd;
    uint8_t *mem; /* HUSK_CALL_MEM_SIZE bytes, shared with the monitor */
    struct husk_channel_boxes *boxes; /* at the end of mem */
    uint32_t taken;    /* messages taken from boxes->to_library */
    uint32_t output;   /* the monitor's console writes, as last read */
    uint64_t watch_ns; /* how long to watch the box: 0 on one CPU */
    struct husk_channel_watch watch; /* whether watching pays */
    uint8_t *scratch; /* a host function's input, copied out of mem */

    int code;
    char report[REPORT_MAX];
    size_t report_len;
    char line[512]; /* stderr's unfinished line */
    size_t line_len;
    struct host_fn fns[FNS_MAX];
    unsigned fn_count;
};

static int say(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int say(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ms(void)
{
    return now_ns() / 1000000;
}

const char *husk_result_name(int result)
{
    static const char *const names[] = {
        "ok",      "guest error",   "no such function", "too large",
        "crashed", "timeout",       "ABI violation",    "exited",
        "stopped", "monitor error",
    };
    if (result < 0 || (size_t)result >= sizeof(names) / sizeof(names[0]))
        return "unknown";
    return names[result];
}

/* ---- the monitor's output ---- */

/* husk's own lines ("husk: ...") on stderr, kept for the report. */
static void keep_line(struct husk_sandbox *sb, const char *s, size_t n)
{
    if (n < 6 || memcmp(s, "husk: ", 6) != 0)
        return;
    if (sb->report_len + n + 1 >= REPORT_MAX)
        return;
    memcpy(sb->report + sb->report_len, s, n);
    sb->report_len += n;
    sb->report[sb->report_len++] = '\n';
    sb->report[sb->report_len] = '\0';
}

static void scan_lines(struct husk_sandbox *sb, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n') {
            keep_line(sb, sb->line, sb->line_len);
            sb->line_len = 0;
        } else if (sb->line_len < sizeof(sb->line)) {
            sb->line[sb->line_len++] = buf[i];
        }
    }
}

/* Read what the pipe *fd holds (1: stdout, 2: stderr); at its end, close
 * it and set *fd to -1. */
static void drain(struct husk_sandbox *sb, int *fd, int stream)
{
    char buf[8192];
    ssize_t n;
    while ((n = read(*fd, buf, sizeof(buf))) > 0) {
        if (stream == 2)
            scan_lines(sb, buf, (size_t)n);
        if (sb->console != NULL)
            sb->console(sb->console_ctx, stream, buf, (size_t)n);
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        if (stream == 2 && sb->line_len > 0) {
            keep_line(sb, sb->line, sb->line_len);
            sb->line_len = 0;
        }
        close(*fd);
        *fd = -1;
    }
}

/* ---- the monitor's process ---- */

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Reap the monitor (it has exited, or is about to): its status, as
 * waitpid gives it, or -1. */
static int reap(struct husk_sandbox *sb, bool kill_it)
{
    if (sb->pid <= 0)
        return -1;
    if (kill_it)
        kill(sb->pid, SIGKILL);
    int status = -1;
    while (waitpid(sb->pid, &status, 0) < 0 && errno == EINTR)
        ;
    sb->pid = 0;
    close_fd(&sb->sock);
    /* What it printed last (a crash report) is read to its end. */
    while (sb->out >= 0 || sb->err >= 0) {
        struct pollfd p[2] = {{.fd = sb->out, .events = POLLIN},
                              {.fd = sb->err, .events = POLLIN}};
        if (poll(p, 2, 1000) <= 0)
            break;
        if (sb->out >= 0 && p[0].revents != 0)
            drain(sb, &sb->out, 1);
        if (sb->err >= 0 && p[1].revents != 0)
            drain(sb, &sb->err, 2);
    }
    close_fd(&sb->out);
    close_fd(&sb->err);
    return status;
}

/* What the monitor's exit status says about the guest. */
static int result_of_exit(int status)
{
    if (!WIFEXITED(status))
        return HUSK_ERR_MONITOR;
    switch (WEXITSTATUS(status)) {
    case 124: /* --timeout */
        return HUSK_ERR_TIMEOUT;
    case 125:
        return HUSK_ERR_MONITOR;
    case 134: /* abort */
    case 139: /* a fault */
        return HUSK_ERR_CRASHED;
    case 159:
        return HUSK_ERR_VIOLATION;
    default:
        return HUSK_ERR_EXITED;
    }
}

static void add_arg(char **argv, int *argc, char *s)
{
    argv[(*argc)++] = s;
}

/* Start the monitor (from the snapshot if restore), its fds on 3 and 4. */
static int spawn(struct husk_sandbox *sb, bool restore, char *err,
                 size_t errlen)
{
    int sv[2], out[2], errp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return say(err, errlen, "socketpair: %s", strerror(errno));
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
        close(sv[0]), close(sv[1]);
        return say(err, errlen, "pipe: %s", strerror(errno));
    }
    size_t nargs = 0;
    while (sb->args[nargs] != NULL)
        nargs++;
    char **argv = calloc(nargs + 12, sizeof(char *));
    char backend[64], mem[64], chosen[128];
    char channel[] = "--call-channel=3,4", no_stdin[] = "--stdin=none";
    if (argv == NULL)
        return say(err, errlen, "out of memory");
    int argc = 0;
    add_arg(argv, &argc, sb->husk);
    add_arg(argv, &argc, channel);
    add_arg(argv, &argc, no_stdin);
    if (sb->backend != NULL) {
        snprintf(backend, sizeof(backend), "--backend=%s", sb->backend);
        add_arg(argv, &argc, backend);
    }
    if (sb->mem_bytes != 0 && !restore) {
        snprintf(mem, sizeof(mem), "--mem=%llu",
                 (unsigned long long)sb->mem_bytes);
        add_arg(argv, &argc, mem);
    }
    for (size_t i = 0; i < nargs; i++)
        add_arg(argv, &argc, sb->args[i]);
    if (restore) {
        snprintf(chosen, sizeof(chosen), "--restore=%s", sb->snap_path);
        add_arg(argv, &argc, chosen);
    } else if (sb->want_snapshot) {
        snprintf(chosen, sizeof(chosen), "--snapshot-to=%s", sb->snap_path);
        add_arg(argv, &argc, chosen);
    }
    add_arg(argv, &argc, sb->image);
    argv[argc] = NULL;

    /* Both boxes empty for the new monitor (the last one, if any, is
     * gone: nothing writes them now). */
    memset(sb->boxes, 0, sizeof(*sb->boxes));
    sb->taken = sb->output = 0;
    pid_t pid = fork();
    if (pid < 0) {
        free(argv);
        return say(err, errlen, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        /* Above any number they are moved to first, then onto 3 and 4. */
        int s = fcntl(sv[1], F_DUPFD, 10), m = fcntl(sb->mem_fd, F_DUPFD, 10);
        int devnull = open("/dev/null", O_RDONLY);
        if (s < 0 || m < 0 || devnull < 0 || dup2(devnull, 0) < 0 ||
            dup2(out[1], 1) < 0 || dup2(errp[1], 2) < 0 || dup2(s, 3) < 0 ||
            dup2(m, 4) < 0)
            _exit(127);
        execvp(sb->husk, argv);
        dprintf(2, "husk: cannot run %s: %s\n", sb->husk, strerror(errno));
        _exit(127);
    }
    free(argv);
    close(sv[1]), close(out[1]), close(errp[1]);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(errp[0], F_SETFL, O_NONBLOCK);
    sb->pid = pid;
    sb->from_snapshot = restore;
    sb->sock = sv[0];
    sb->out = out[0];
    sb->err = errp[0];
    sb->report_len = 0;
    sb->report[0] = '\0';
    return 0;
}

/* ---- messages ---- */

/* Put m in the monitor's box, and ring if it sleeps. */
static int send_msg(struct husk_sandbox *sb, const struct husk_channel_msg *m)
{
    if (!husk_channel_put(&sb->boxes->to_monitor, m, 0))
        return 0;
    ssize_t n;
    do
        n = send(sb->sock, "", 1, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : -1;
}

enum got { GOT_MSG, GOT_END, GOT_TIMEOUT };

/* The message taken from the box: checked, and the console's output read
 * first if the guest wrote any since (it is in the pipes already). */
static enum got took(struct husk_sandbox *sb, const struct husk_channel_msg *m,
                     uint32_t output)
{
    if (output != sb->output) {
        sb->output = output;
        if (sb->out >= 0)
            drain(sb, &sb->out, 1);
        if (sb->err >= 0)
            drain(sb, &sb->err, 2);
    }
    bool named = memchr(m->name, '\0', sizeof(m->name)) != NULL;
    return m->len > HUSK_CALL_DATA_MAX || !named ? GOT_END : GOT_MSG;
}

/* The monitor's next message: the box watched for sb->watch_ns, then a
 * sleep on the socket, reading the monitor's output meanwhile. GOT_END
 * when it has exited (its socket closed), GOT_TIMEOUT at deadline (0:
 * none). */
static enum got next_msg(struct husk_sandbox *sb, struct husk_channel_msg *m,
                         uint64_t deadline)
{
    struct husk_channel_box *box = &sb->boxes->to_library;
    uint32_t output;
    if (husk_channel_take(box, &sb->taken, m, &output))
        return took(sb, m, output);
    if (sb->watch_ns != 0 && husk_channel_watch_now(&sb->watch)) {
        uint64_t until = now_ns() + sb->watch_ns;
        for (;;) {
            if (husk_channel_take(box, &sb->taken, m, &output)) {
                husk_channel_watched(&sb->watch, 1);
                return took(sb, m, output);
            }
            if (!husk_channel_watch(box, sb->taken, 64) && now_ns() >= until)
                break;
        }
        husk_channel_watched(&sb->watch, 0);
    }
    for (;;) {
        if (husk_channel_take(box, &sb->taken, m, &output))
            return took(sb, m, output);
        int wait = -1;
        if (deadline != 0) {
            uint64_t now = now_ms();
            if (now >= deadline)
                return GOT_TIMEOUT;
            wait = (int)(deadline - now);
        }
        if (!husk_channel_may_sleep(box, sb->taken))
            continue;
        struct pollfd p[3] = {{.fd = sb->sock, .events = POLLIN},
                              {.fd = sb->out, .events = POLLIN},
                              {.fd = sb->err, .events = POLLIN}};
        int rc = poll(p, 3, wait);
        husk_channel_awake(box);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return GOT_END;
        if (sb->out >= 0 && p[1].revents != 0)
            drain(sb, &sb->out, 1);
        if (sb->err >= 0 && p[2].revents != 0)
            drain(sb, &sb->err, 2);
        if (p[0].revents == 0)
            continue;
        /* A doorbell (its bytes mean nothing), or the end. */
        char bell[16];
        ssize_t n = recv(sb->sock, bell, sizeof(bell), MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            /* A last message may have come before the end. */
            if (husk_channel_take(box, &sb->taken, m, &output))
                return took(sb, m, output);
            return GOT_END;
        }
    }
}

/* The monitor ended (or must: kill_it): reap it, and say how. */
static int ended(struct husk_sandbox *sb, bool kill_it)
{
    int status = reap(sb, kill_it);
    return status < 0 ? HUSK_ERR_STOPPED : result_of_exit(status);
}

/* A host call from the guest: run the registered function, answer. */
static int host_call(struct husk_sandbox *sb, const struct husk_channel_msg *m)
{
    struct husk_channel_msg r = {.type = HUSK_CHAN_HOST_REPLY,
                                 .status = HUSK_CALL_NO_FUNCTION};
    for (unsigned i = 0; i < sb->fn_count; i++) {
        if (strcmp(sb->fns[i].name, m->name) != 0)
            continue;
        /* The input is copied out: the output goes where it was. */
        memcpy(sb->scratch, sb->mem, m->len);
        size_t out_len = 0;
        int rc = sb->fns[i].fn(sb->fns[i].ctx, sb->scratch, m->len, sb->mem,
                               HUSK_CALL_DATA_MAX, &out_len);
        if (rc != 0) {
            r.status = HUSK_CALL_ERROR;
            r.code = rc;
        } else if (out_len > HUSK_CALL_DATA_MAX) {
            r.status = HUSK_CALL_TOO_LARGE;
        } else {
            r.status = HUSK_CALL_OK;
            r.len = (uint32_t)out_len;
        }
        break;
    }
    return send_msg(sb, &r);
}

/* The monitor's next message of type `want` into *m, serving the guest's
 * host calls meanwhile (main() may make them too): HUSK_OK, or how the
 * monitor ended (any other message ends it: the two disagree). */
static int await(struct husk_sandbox *sb, uint32_t want,
                 struct husk_channel_msg *m, uint64_t deadline)
{
    for (;;) {
        enum got g = next_msg(sb, m, deadline);
        if (g == GOT_TIMEOUT) {
            reap(sb, true);
            return HUSK_ERR_TIMEOUT;
        }
        if (g == GOT_END)
            return ended(sb, false);
        if (m->type == want)
            return HUSK_OK;
        if (m->type != HUSK_CHAN_HOST_CALL)
            return ended(sb, true);
        if (host_call(sb, m) != 0)
            return ended(sb, false);
    }
}

/* Wait for the guest to serve (after a start or a restore). */
static int wait_ready(struct husk_sandbox *sb)
{
    struct husk_channel_msg m;
    return await(sb, HUSK_CHAN_READY, &m, now_ms() + START_MS);
}

static int take_snapshot(struct husk_sandbox *sb)
{
    struct husk_channel_msg m = {.type = HUSK_CHAN_SNAPSHOT};
    if (send_msg(sb, &m) != 0)
        return ended(sb, false);
    enum got g = next_msg(sb, &m, now_ms() + START_MS);
    if (g != GOT_MSG)
        return ended(sb, true);
    if (m.type != HUSK_CHAN_SNAPSHOT_DONE || m.status != 0) {
        ended(sb, true);
        return HUSK_ERR_MONITOR;
    }
    sb->have_snapshot = true;
    return HUSK_OK;
}

/* ---- the API ---- */

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

void husk_sandbox_free(struct husk_sandbox *sb)
{
    if (sb == NULL)
        return;
    if (sb->pid > 0) {
        /* Closing our end tells the guest to exit (HUSK_CALL_CLOSE). */
        close_fd(&sb->sock);
        uint64_t deadline = now_ms() + FREE_MS;
        while (sb->pid > 0 && waitpid(sb->pid, NULL, WNOHANG) == 0 &&
               now_ms() < deadline) {
            struct pollfd p[2] = {{.fd = sb->out, .events = POLLIN},
                                  {.fd = sb->err, .events = POLLIN}};
            if (poll(p, 2, 10) > 0) {
                if (sb->out >= 0 && p[0].revents != 0)
                    drain(sb, &sb->out, 1);
                if (sb->err >= 0 && p[1].revents != 0)
                    drain(sb, &sb->err, 2);
            }
        }
        if (waitpid(sb->pid, NULL, WNOHANG) == 0)
            reap(sb, true);
        sb->pid = 0;
    }
    close_fd(&sb->out);
    close_fd(&sb->err);
    if (sb->snap_dir[0] != '\0') {
        unlink(sb->snap_path);
        rmdir(sb->snap_dir);
    }
    if (sb->mem != NULL)
        munmap(sb->mem, HUSK_CALL_MEM_SIZE);
    close_fd(&sb->mem_fd);
    free(sb->scratch);
    for (size_t i = 0; sb->args != NULL && sb->args[i] != NULL; i++)
        free(sb->args[i]);
    free(sb->args);
    free(sb->image);
    free(sb->husk);
    free(sb->backend);
    free(sb);
}

struct husk_sandbox *husk_sandbox_new(const char *image,
                                      const struct husk_sandbox_options *opts,
                                      char *err, size_t errlen)
{
    static const struct husk_sandbox_options none;
    if (opts == NULL)
        opts = &none;
    struct husk_sandbox *sb = calloc(1, sizeof(*sb));
    if (sb == NULL) {
        say(err, errlen, "out of memory");
        return NULL;
    }
    sb->sock = sb->out = sb->err = sb->mem_fd = -1;
    const char *husk = opts->husk;
    if (husk == NULL)
        husk = getenv("HUSK");
    if (husk == NULL || husk[0] == '\0')
        husk = "husk";
    size_t nargs = 0;
    while (opts->args != NULL && opts->args[nargs] != NULL)
        nargs++;
    sb->args = calloc(nargs + 1, sizeof(char *));
    sb->image = dup_or_null(image);
    sb->husk = strdup(husk);
    sb->backend = dup_or_null(opts->backend);
    sb->scratch = malloc(HUSK_CALL_DATA_MAX);
    bool ok = sb->args != NULL && sb->image != NULL && sb->husk != NULL &&
              sb->scratch != NULL;
    for (size_t i = 0; ok && i < nargs; i++)
        ok = (sb->args[i] = strdup(opts->args[i])) != NULL;
    if (!ok) {
        say(err, errlen, "out of memory");
        husk_sandbox_free(sb);
        return NULL;
    }
    sb->mem_bytes = opts->mem_bytes;
    sb->timeout_ms = opts->call_timeout_ms;
    sb->console = opts->console;
    sb->console_ctx = opts->console_ctx;
    sb->want_snapshot = opts->snapshot;

    sb->mem_fd = memfd_create("husk-call", MFD_CLOEXEC);
    if (sb->mem_fd < 0 || ftruncate(sb->mem_fd, HUSK_CALL_MEM_SIZE) != 0 ||
        (sb->mem = mmap(NULL, HUSK_CALL_MEM_SIZE, PROT_READ | PROT_WRITE,
                        MAP_SHARED, sb->mem_fd, 0)) == MAP_FAILED) {
        sb->mem = NULL;
        say(err, errlen, "cannot make the call memory: %s", strerror(errno));
        husk_sandbox_free(sb);
        return NULL;
    }
    sb->boxes = husk_channel_boxes_of(sb->mem);
    /* Watching the box on the only CPU would keep the monitor from
     * answering. */
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1)
        sb->watch_ns = HUSK_CHANNEL_WATCH_NS;
    if (sb->want_snapshot) {
        const char *tmp = getenv("TMPDIR");
        snprintf(sb->snap_dir, sizeof(sb->snap_dir), "%s/husk-host-XXXXXX",
                 tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
        if (mkdtemp(sb->snap_dir) == NULL) {
            say(err, errlen, "cannot make a directory for the snapshot: %s",
                strerror(errno));
            sb->snap_dir[0] = '\0';
            husk_sandbox_free(sb);
            return NULL;
        }
        snprintf(sb->snap_path, sizeof(sb->snap_path), "%s/guest.snap",
                 sb->snap_dir);
    }
    if (spawn(sb, false, err, errlen) != 0) {
        husk_sandbox_free(sb);
        return NULL;
    }
    int r = wait_ready(sb);
    if (r == HUSK_OK && sb->want_snapshot)
        r = take_snapshot(sb);
    if (r != HUSK_OK) {
        say(err, errlen, "%s did not start serving calls (%s)%s%s", image,
            husk_result_name(r), sb->report_len > 0 ? ": " : "",
            sb->report_len > 0 ? sb->report : "");
        /* One line: the first of husk's. */
        char *nl = err != NULL ? strchr(err, '\n') : NULL;
        if (nl != NULL)
            *nl = '\0';
        husk_sandbox_free(sb);
        return NULL;
    }
    return sb;
}

int husk_sandbox_register(struct husk_sandbox *sb, const char *name,
                          husk_host_fn fn, void *ctx)
{
    if (strlen(name) >= HUSK_CALL_NAME_MAX || sb->fn_count == FNS_MAX ||
        fn == NULL)
        return -1;
    struct host_fn *f = &sb->fns[sb->fn_count++];
    strcpy(f->name, name);
    f->fn = fn;
    f->ctx = ctx;
    return 0;
}

int husk_sandbox_call(struct husk_sandbox *sb, const char *name, const void *in,
                      size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
    *out_len = 0;
    sb->code = 0;
    if (sb->pid <= 0)
        return HUSK_ERR_STOPPED;
    if (strlen(name) >= HUSK_CALL_NAME_MAX)
        return HUSK_ERR_NO_FUNCTION;
    if (in_len > HUSK_CALL_DATA_MAX)
        return HUSK_ERR_TOO_LARGE;
    struct husk_channel_msg m = {.type = HUSK_CHAN_CALL,
                                 .len = (uint32_t)in_len};
    strcpy(m.name, name);
    memcpy(sb->mem, in, in_len);
    sb->report_len = 0;
    sb->report[0] = '\0';
    if (send_msg(sb, &m) != 0)
        return ended(sb, false);
    uint64_t deadline = sb->timeout_ms != 0 ? now_ms() + sb->timeout_ms : 0;
    int r = await(sb, HUSK_CHAN_RESULT, &m, deadline);
    if (r != HUSK_OK)
        return r;
    switch (m.status) {
    case HUSK_CALL_OK:
        *out_len = m.len;
        if (m.len > out_cap)
            return HUSK_ERR_TOO_LARGE;
        memcpy(out, sb->mem, m.len);
        return HUSK_OK;
    case HUSK_CALL_ERROR:
        /* What the function wrote (a message, say), if it fits. */
        sb->code = m.code;
        *out_len = m.len;
        if (m.len <= out_cap)
            memcpy(out, sb->mem, m.len);
        else
            *out_len = 0;
        return HUSK_ERR_GUEST;
    case HUSK_CALL_NO_FUNCTION:
        return HUSK_ERR_NO_FUNCTION;
    default:
        return HUSK_ERR_TOO_LARGE;
    }
}

pid_t husk_sandbox_pid(const struct husk_sandbox *sb)
{
    return sb->pid > 0 ? sb->pid : 0;
}

int husk_sandbox_code(const struct husk_sandbox *sb)
{
    return sb->code;
}

const char *husk_sandbox_report(const struct husk_sandbox *sb)
{
    return sb->report;
}

/* Ask a monitor that started from the snapshot, whose guest waits for a
 * call, to put its memory back in place (HUSK_CHAN_REWIND): it drops the
 * pages the guest touched, and starts it again. HUSK_OK, or how the
 * monitor ended: one that refuses (it has devices) is stopped as any
 * that answers out of turn, and a new monitor has to start from the
 * snapshot, now and at every restore after. */
static int rewind_in_place(struct husk_sandbox *sb)
{
    struct husk_channel_msg m = {.type = HUSK_CHAN_REWIND};
    if (send_msg(sb, &m) != 0)
        return HUSK_ERR_STOPPED;
    int r = await(sb, HUSK_CHAN_READY, &m, now_ms() + START_MS);
    if (r != HUSK_OK && m.type == HUSK_CHAN_REWIND_REFUSED)
        sb->rewind_refused = true;
    return r;
}

int husk_sandbox_restore(struct husk_sandbox *sb)
{
    if (!sb->have_snapshot)
        return HUSK_ERR_STOPPED;
    if (sb->pid > 0 && sb->from_snapshot && !sb->rewind_refused &&
        rewind_in_place(sb) == HUSK_OK)
        return HUSK_OK;
    if (sb->pid > 0)
        reap(sb, true);
    char why[256];
    if (spawn(sb, true, why, sizeof(why)) != 0) {
        sb->report_len =
            (size_t)snprintf(sb->report, sizeof(sb->report), "husk: %s\n", why);
        return HUSK_ERR_MONITOR;
    }
    return wait_ready(sb);
}
