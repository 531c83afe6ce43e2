/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * create.c: read the bundle, check the image and the config against each
 * other, fork the container's process (init.c) and wait until it is
 * ready; then record the container and write the pid file. Everything
 * that can be known before start fails here, where the engine reports it
 * as a failed create, rather than in the container's log.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

static char *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        oci_die("cannot read %s: %s (a bundle holds config.json)", path,
                strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL)
            oci_die("out of memory reading %s", path);
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            oci_die("cannot read %s: %s", path, strerror(errno));
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == cap) {
            /* A config.json of megabytes is no config we want. */
            if (cap >= (16u << 20))
                oci_die("%s is larger than 16 MiB", path);
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    close(fd);
    *len = n;
    return buf;
}

/* The monitor: --husk, or husk beside this program. */
static void find_monitor(const char *given, char *out, size_t len)
{
    if (given != NULL) {
        snprintf(out, len, "%s", given);
    } else {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0)
            oci_die("cannot find where husk-oci is (/proc/self/exe); give "
                    "the monitor with --husk=PATH");
        self[n] = '\0';
        snprintf(out, len, "%s/husk", dirname(self));
    }
    if (access(out, X_OK) != 0)
        oci_die("the monitor %s: %s (install husk beside husk-oci, or give "
                "--husk=PATH)",
                out, strerror(errno));
}

static void write_pid_file(const char *path, pid_t pid)
{
    char tmp[PATH_MAX + 8], text[32];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int n = snprintf(text, sizeof(text), "%d", (int)pid);
    if (fd < 0 || write(fd, text, (size_t)n) != n || close(fd) != 0 ||
        rename(tmp, path) != 0)
        oci_die("cannot write the pid file %s: %s", path, strerror(errno));
}

static void now_rfc3339(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

/* Read the init's one message: "ok TAP UPLINK" or "error WHY". */
static void await_init(int fd, pid_t pid, const char *dir, char *tap,
                       char *uplink)
{
    char msg[1100];
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, msg + n, sizeof(msg) - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || (n += (size_t)r) == sizeof(msg) - 1)
            break;
    }
    msg[n] = '\0';
    close(fd);
    if (strncmp(msg, "ok ", 3) == 0 &&
        sscanf(msg + 3, "%15s %15s", tap, uplink) == 2) {
        if (strcmp(tap, "-") == 0)
            tap[0] = uplink[0] = '\0';
        return;
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    oci_state_remove(dir);
    if (strncmp(msg, "error ", 6) == 0)
        oci_die("%s", msg + 6);
    oci_die("the container's process ended before it was ready");
}

int oci_create(const struct oci_cli *cli)
{
    if (cli->pid_file == NULL)
        oci_warn("create without --pid-file: the engine will not know the "
                 "container's pid");
    char bundle[PATH_MAX];
    if (realpath(cli->bundle, bundle) == NULL)
        oci_die("the bundle %s: %s", cli->bundle, strerror(errno));
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/config.json", bundle);
    size_t len;
    char *text = read_file(path, &len);
    struct oci_config cfg;
    char err[OCI_ERR_MAX];
    if (oci_config_parse(text, len, &cfg, err, sizeof(err)) != 0)
        oci_die("%s: %s", path, err);
    free(text);
    if (cfg.terminal && cli->console_socket == NULL)
        oci_die("process.terminal is true but no --console-socket was "
                "given to pass the terminal on");
    if (!cfg.terminal && cli->console_socket != NULL)
        oci_die("--console-socket given, but process.terminal is false");

    char rootfs[PATH_MAX];
    char joined[PATH_MAX * 2];
    if (cfg.root_path[0] == '/')
        snprintf(joined, sizeof(joined), "%s", cfg.root_path);
    else
        snprintf(joined, sizeof(joined), "%s/%s", bundle, cfg.root_path);
    if (realpath(joined, rootfs) == NULL)
        oci_die("root.path %s: %s", joined, strerror(errno));

    struct oci_image img;
    oci_image_open(rootfs, cfg.args.v[0], &img);
    /* What depends on the network alone waits for init; check the rest
     * now, as if the network were there. */
    struct oci_net probe = {.tap = "tap",
                            .ip = "10.0.0.2",
                            .prefix = 24,
                            .mac = "02:00:00:00:00:01",
                            .mtu = 1500};
    struct oci_strv argv = {0};
    if (oci_plan_argv(&cfg, &img, &probe, "husk", &argv, err, sizeof(err)))
        oci_die("%s", err);
    oci_strv_free(&argv);
    char monitor[PATH_MAX];
    find_monitor(cli->monitor, monitor, sizeof(monitor));

    struct oci_state st;
    memset(&st, 0, sizeof(st));
    int lock = oci_state_make(cli->root, cli->id, st.dir, sizeof(st.dir));
    snprintf(path, sizeof(path), "%s/" OCI_EXEC_FIFO, st.dir);
    if (mkfifo(path, 0600) != 0)
        oci_die("cannot make %s: %s", path, strerror(errno));
    int sync[2];
    if (pipe2(sync, O_CLOEXEC) != 0)
        oci_die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        oci_die("fork: %s", strerror(errno));
    if (pid == 0) {
        close(sync[0]);
        close(lock); /* the lock is create's, not the container's */
        struct oci_init_args a = {
            &cfg, &img, monitor, st.dir, cli->console_socket, sync[1]};
        oci_init(&a);
    }
    close(sync[1]);
    await_init(sync[0], pid, st.dir, st.tap, st.uplink);

    snprintf(st.id, sizeof(st.id), "%s", cli->id);
    snprintf(st.bundle, sizeof(st.bundle), "%s", bundle);
    snprintf(st.rootfs, sizeof(st.rootfs), "%s", rootfs);
    now_rfc3339(st.created, sizeof(st.created));
    st.pid = pid;
    st.start_time = oci_proc_start_time(pid);
    if (cfg.ns_path[OCI_NS_NETWORK] != NULL)
        snprintf(st.netns, sizeof(st.netns), "%s", cfg.ns_path[OCI_NS_NETWORK]);
    st.annotations = cfg.annotations;
    oci_state_save(&st);
    if (cli->pid_file != NULL)
        write_pid_file(cli->pid_file, pid);
    oci_config_free(&cfg);
    return 0;
}
