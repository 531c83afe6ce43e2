/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * cli.c: husk-oci's command line, as conmon and containerd's runc shim
 * write it for runc: global flags, the command, its flags, the container
 * id (and for kill the signal). Flags take "--flag VALUE" or "--flag=VALUE"
 * and one dash works as two, as runc's parser allows. Pure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

static const char usage[] =
    "usage: husk-oci [GLOBAL-OPTIONS] COMMAND [OPTIONS] [ID]\n"
    "An OCI runtime for Husk images: the container's process.args[0] names\n"
    "a Husk image in its rootfs, which runs under the husk monitor.\n"
    "\n"
    "Commands:\n"
    "  create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] ID\n"
    "                  prepare the container; its process waits for start\n"
    "  start ID        run the guest\n"
    "  state ID        print the container's state (JSON)\n"
    "  kill [--all] ID [SIGNAL]  send SIGNAL (default SIGTERM: the guest\n"
    "                  stops, status 143)\n"
    "  delete [--force] ID  remove a stopped container (--force: kill it)\n"
    "  features        print what this runtime supports (JSON)\n"
    "\n"
    "Global options:\n"
    "  --root DIR      state directory (default " OCI_DEFAULT_ROOT ")\n"
    "  --log FILE      also write errors to FILE\n"
    "  --log-format text|json\n"
    "  --husk PATH     the monitor (default: husk beside husk-oci)\n"
    "  --systemd-cgroup, --debug  accepted and ignored (no cgroups are\n"
    "                  set up: the guest's memory is --mem)\n"
    "  --version, --help\n";

const char *oci_usage(void)
{
    return usage;
}

bool oci_id_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 1024 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '+' ||
              c == '-'))
            return false;
    }
    return true;
}

struct flag {
    const char *name;  /* without dashes */
    const char *alias; /* a short name, or NULL */
    bool takes_value;
};

/*
 * Match argv[*i] against one flag: "--name", "-name", "--name=V",
 * "-alias". Returns 1 and the value (NULL for a switch) if it matches,
 * moving *i past a separate value; 0 if not; -1 (err) if the value is
 * missing or a switch was given one.
 */
static int match(int argc, char *const argv[], int *i, const struct flag *f,
                 const char **value, char *err, size_t errlen)
{
    const char *a = argv[*i];
    const char *p = a[1] == '-' ? a + 2 : a + 1;
    size_t n = strlen(f->name);
    const char *rest = NULL;
    if (strncmp(p, f->name, n) == 0 && (p[n] == '\0' || p[n] == '='))
        rest = p + n;
    else if (f->alias != NULL && strcmp(p, f->alias) == 0)
        rest = p + strlen(p);
    if (rest == NULL)
        return 0;
    if (!f->takes_value) {
        if (*rest == '=')
            return oci_errorf(err, errlen, "%s takes no value", a);
        *value = NULL;
        return 1;
    }
    if (*rest == '=') {
        *value = rest + 1;
        return 1;
    }
    if (*i + 1 >= argc)
        return oci_errorf(err, errlen, "%s needs a value", a);
    *value = argv[++*i];
    return 1;
}

enum {
    G_ROOT,
    G_LOG,
    G_LOG_FORMAT,
    G_HUSK,
    G_SYSTEMD_CGROUP,
    G_DEBUG,
    G_CRIU,
    G_ROOTLESS,
    G_VERSION,
    G_HELP,
};
static const struct flag global_flags[] = {
    [G_ROOT] = {"root", NULL, true},
    [G_LOG] = {"log", NULL, true},
    [G_LOG_FORMAT] = {"log-format", NULL, true},
    [G_HUSK] = {"husk", NULL, true},
    [G_SYSTEMD_CGROUP] = {"systemd-cgroup", NULL, false},
    [G_DEBUG] = {"debug", NULL, false},
    [G_CRIU] = {"criu", NULL, true},
    [G_ROOTLESS] = {"rootless", NULL, true},
    [G_VERSION] = {"version", "v", false},
    [G_HELP] = {"help", "h", false},
};

enum {
    C_BUNDLE,
    C_PID_FILE,
    C_CONSOLE_SOCKET,
    C_PRESERVE_FDS,
    C_NO_PIVOT,
    C_NO_NEW_KEYRING,
    C_ALL,
    C_FORCE,
    C_FLAGS,
};
static const struct flag command_flags[C_FLAGS] = {
    [C_BUNDLE] = {"bundle", "b", true},
    [C_PID_FILE] = {"pid-file", NULL, true},
    [C_CONSOLE_SOCKET] = {"console-socket", NULL, true},
    [C_PRESERVE_FDS] = {"preserve-fds", NULL, true},
    [C_NO_PIVOT] = {"no-pivot", NULL, false},
    [C_NO_NEW_KEYRING] = {"no-new-keyring", NULL, false},
    [C_ALL] = {"all", "a", false},
    [C_FORCE] = {"force", "f", false},
};

struct command {
    const char *name;
    enum oci_command cmd;
    unsigned flags; /* bit per C_* it accepts */
    int ids;        /* 1: takes an id; 0: none */
};
static const struct command commands[] = {
    {"create", OCI_CMD_CREATE,
     1u << C_BUNDLE | 1u << C_PID_FILE | 1u << C_CONSOLE_SOCKET |
         1u << C_PRESERVE_FDS | 1u << C_NO_PIVOT | 1u << C_NO_NEW_KEYRING,
     1},
    {"start", OCI_CMD_START, 0, 1},
    {"state", OCI_CMD_STATE, 0, 1},
    {"kill", OCI_CMD_KILL, 1u << C_ALL, 1},
    {"delete", OCI_CMD_DELETE, 1u << C_FORCE, 1},
    {"features", OCI_CMD_FEATURES, 0, 0},
    {"help", OCI_CMD_HELP, 0, 0},
};

static int parse_global(int argc, char *const argv[], int *i,
                        struct oci_cli *cli, char *err, size_t errlen)
{
    for (size_t f = 0; f < sizeof(global_flags) / sizeof(global_flags[0]);
         f++) {
        const char *v;
        int rc = match(argc, argv, i, &global_flags[f], &v, err, errlen);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        switch (f) {
        case G_ROOT:
            if (v[0] == '\0')
                return oci_errorf(err, errlen, "--root: empty path");
            cli->root = v;
            break;
        case G_LOG:
            cli->log = v;
            break;
        case G_LOG_FORMAT:
            if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0)
                return oci_errorf(err, errlen,
                                  "--log-format=%s: expected text or json", v);
            cli->log_json = strcmp(v, "json") == 0;
            break;
        case G_HUSK:
            cli->monitor = v;
            break;
        case G_VERSION:
            cli->command = OCI_CMD_VERSION;
            break;
        case G_HELP:
            cli->command = OCI_CMD_HELP;
            break;
        default: /* accepted for runc's callers; nothing to do here */
            break;
        }
        return 1;
    }
    return oci_errorf(err, errlen, "unknown global option '%s'", argv[*i]);
}

static int parse_command_flag(int argc, char *const argv[], int *i,
                              const struct command *c, struct oci_cli *cli,
                              char *err, size_t errlen)
{
    for (unsigned f = 0; f < C_FLAGS; f++) {
        if (!(c->flags & (1u << f)))
            continue;
        const char *v;
        int rc = match(argc, argv, i, &command_flags[f], &v, err, errlen);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        char *end;
        switch (f) {
        case C_BUNDLE:
            cli->bundle = v;
            break;
        case C_PID_FILE:
            cli->pid_file = v;
            break;
        case C_CONSOLE_SOCKET:
            cli->console_socket = v;
            break;
        case C_PRESERVE_FDS: {
            unsigned long n = strtoul(v, &end, 10);
            if (v[0] < '0' || v[0] > '9' || *end != '\0' || n > 1024)
                return oci_errorf(err, errlen,
                                  "--preserve-fds=%s: expected 0 to 1024", v);
            cli->preserve_fds = (unsigned)n;
            break;
        }
        case C_ALL:
            cli->all = true;
            break;
        case C_FORCE:
            cli->force = true;
            break;
        default: /* --no-pivot, --no-new-keyring: nothing to pivot or key */
            break;
        }
        return 1;
    }
    return oci_errorf(err, errlen, "%s: unknown option '%s'", c->name,
                      argv[*i]);
}

int oci_cli_parse(int argc, char *const argv[], struct oci_cli *cli, char *err,
                  size_t errlen)
{
    memset(cli, 0, sizeof(*cli));
    cli->root = OCI_DEFAULT_ROOT;
    cli->bundle = ".";
    cli->signal = "SIGTERM";
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++)
        if (parse_global(argc, argv, &i, cli, err, errlen) < 0)
            return -1;
    if (cli->command != OCI_CMD_NONE) /* --version, --help */
        return 0;
    if (i == argc)
        return oci_errorf(err, errlen, "no command given (husk-oci --help)");
    const struct command *c = NULL;
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
        if (strcmp(argv[i], commands[k].name) == 0)
            c = &commands[k];
    if (c == NULL)
        return oci_errorf(err, errlen,
                          "unknown command '%s' (husk-oci --help lists them)",
                          argv[i]);
    cli->command = c->cmd;
    const char *operands[2] = {NULL, NULL};
    int nops = 0;
    for (i++; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0' && nops == 0) {
            if (parse_command_flag(argc, argv, &i, c, cli, err, errlen) < 0)
                return -1;
            continue;
        }
        if (nops == 2)
            return oci_errorf(err, errlen, "%s: unexpected argument '%s'",
                              c->name, argv[i]);
        operands[nops++] = argv[i];
    }
    int want = c->ids + (c->cmd == OCI_CMD_KILL ? 1 : 0);
    if (nops > want)
        return oci_errorf(err, errlen, "%s: unexpected argument '%s'", c->name,
                          operands[want]);
    if (c->ids == 1) {
        if (nops == 0)
            return oci_errorf(err, errlen, "%s: no container id given",
                              c->name);
        if (!oci_id_valid(operands[0]))
            return oci_errorf(err, errlen,
                              "'%s' is not a valid container id (1 to 1024 "
                              "characters of A-Z a-z 0-9 _ . + -)",
                              operands[0]);
        cli->id = operands[0];
    }
    if (c->cmd == OCI_CMD_KILL && nops == 2) {
        if (oci_signal_parse(operands[1]) < 0)
            return oci_errorf(err, errlen, "kill: unknown signal '%s'",
                              operands[1]);
        cli->signal = operands[1];
    }
    return 0;
}
