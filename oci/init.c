/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * init.c: the container's process, from create's fork until it becomes
 * the monitor. Like runc's init it does the set-up that must happen in the
 * container's namespaces, reports to create, and then waits on the exec
 * fifo: it is the "created" container, and start is the other end of the
 * fifo. Then it execs husk, so the container's pid is the monitor's (its
 * supervisor, with the jail), and the guest's exit status is the
 * container's.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "oci.h"

static int sync_fd = -1;
/* The interface taken over, given back if a later step fails. */
static char taken_tap[16], taken_uplink[16];

/* Tell create what went wrong, and end: create prints it and fails. */
static _Noreturn void init_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void init_fail(const char *fmt, ...)
{
    char msg[1024] = "error ";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + 6, sizeof(msg) - 6, fmt, ap);
    va_end(ap);
    if (taken_tap[0] != '\0')
        oci_net_release(taken_tap, taken_uplink);
    ssize_t unused = write(sync_fd, msg, strlen(msg));
    (void)unused;
    _exit(1);
}

/* The namespaces: only the network one is the container's to give; the
 * monitor's jail makes fresh mount, pid, ipc and uts namespaces of its
 * own, which are at least as narrow as the ones asked for. */
static void enter_network(const struct oci_config *cfg, bool wants_net)
{
    if (cfg->ns_wanted[OCI_NS_USER])
        init_fail("linux.namespaces: a user namespace is asked for (a "
                  "rootless engine?); husk-oci runs only under a root "
                  "engine so far");
    if (!cfg->ns_wanted[OCI_NS_NETWORK]) {
        if (wants_net)
            init_fail("the image declares a network device but the "
                      "container shares the host's network namespace: "
                      "husk-oci hands the container's interface to the "
                      "guest, and will not take the host's (give it a "
                      "network of its own)");
        return;
    }
    const char *path = cfg->ns_path[OCI_NS_NETWORK];
    if (path == NULL) {
        if (unshare(CLONE_NEWNET) != 0)
            init_fail("cannot make a network namespace: %s", strerror(errno));
        return;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        init_fail("linux.namespaces: network %s: %s", path, strerror(errno));
    if (setns(fd, CLONE_NEWNET) != 0)
        init_fail("cannot join the network namespace %s: %s", path,
                  strerror(errno));
    close(fd);
}

static void apply_rlimits(const struct oci_config *cfg)
{
    for (size_t i = 0; i < cfg->rlimit_count; i++) {
        struct rlimit r = {cfg->rlimits[i].soft, cfg->rlimits[i].hard};
        if (setrlimit(cfg->rlimits[i].resource, &r) != 0)
            init_fail("process.rlimits[%zu]: setrlimit(%d, %llu, %llu): %s", i,
                      cfg->rlimits[i].resource, (unsigned long long)r.rlim_cur,
                      (unsigned long long)r.rlim_max, strerror(errno));
    }
}

/* What conmon or the shim left blocked or ignored must not reach the
 * monitor: it relies on SIGTERM's handler and default signal actions. */
static void reset_signals(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
            signal(s, SIG_DFL);
}

void oci_init(const struct oci_init_args *a)
{
    sync_fd = a->sync_fd;
    reset_signals();
    /* Out of the caller's session: a terminal's signals are not ours. */
    if (setsid() < 0)
        init_fail("setsid: %s", strerror(errno));
    bool wants_net = oci_plan_net_device(a->img) != NULL;
    enter_network(a->cfg, wants_net);

    struct oci_net net;
    char uplink[16] = "", err[OCI_ERR_MAX];
    bool have_net = false;
    if (wants_net) {
        int rc =
            oci_net_takeover(&net, uplink, sizeof(uplink), err, sizeof(err));
        if (rc < 0)
            init_fail("network: %s", err);
        have_net = rc == 0;
        if (have_net) {
            snprintf(taken_tap, sizeof(taken_tap), "%s", net.tap);
            snprintf(taken_uplink, sizeof(taken_uplink), "%s", uplink);
        }
    }
    struct oci_strv argv = {0};
    if (oci_plan_argv(a->cfg, a->img, have_net ? &net : NULL, a->monitor, &argv,
                      err, sizeof(err)) != 0)
        init_fail("%s", err);
    if (a->cfg->terminal &&
        oci_console_setup(a->console_socket, err, sizeof(err)) != 0)
        init_fail("console: %s", err);
    apply_rlimits(a->cfg);
    if (chdir(a->img->dir) != 0)
        init_fail("cannot enter %s: %s", a->img->dir, strerror(errno));

    /* Ready: tell create what it must remember for delete. */
    char ok[64];
    snprintf(ok, sizeof(ok), "ok %s %s", have_net ? net.tap : "-",
             have_net ? uplink : "-");
    if (write(sync_fd, ok, strlen(ok)) != (ssize_t)strlen(ok))
        _exit(1);
    close(sync_fd);

    /* Wait for start: opening the fifo's write end blocks until start
     * opens its read end. A signal (kill of a created container) ends us
     * here with its default action. */
    char fifo[4200];
    snprintf(fifo, sizeof(fifo), "%s/" OCI_EXEC_FIFO, a->state_dir);
    int fd = open(fifo, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1)
        _exit(1);
    close(fd);

    static char *const no_env[] = {NULL};
    execve(a->monitor, argv.v, no_env);
    fprintf(stderr, "husk-oci: cannot run the monitor %s: %s\n", a->monitor,
            strerror(errno));
    _exit(127);
}
