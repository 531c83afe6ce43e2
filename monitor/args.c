/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* args.c: parse the command line into a struct husk_config (pure). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk.h"

/* The help before the device kinds' entries, and after them. */
static const char usage_head[] =
    "usage: husk [OPTIONS] IMAGE [-- GUEST-ARGS...]\n"
    "Run the unikernel IMAGE (built with husk-cc) in a KVM virtual machine,\n"
    "or where there is no KVM, as a seccomp-confined process.\n"
    "\n"
    "  --backend=auto|kvm|process  where the guest runs (default auto: KVM\n"
    "                        where /dev/kvm exists, else the process\n"
    "                        backend; the same image runs under both)\n"
    "  --mem=SIZE            guest memory, e.g. 64M or 1G (default 64M;\n"
    "                        a multiple of 2M, from 4M to 32G; a bare\n"
    "                        number means MiB)\n"
    "  --timeout=SECONDS     stop the guest after SECONDS of wall time\n";
static const char usage_tail[] =
    "  --io-thread=off|auto|on  serve block queues from a polling I/O\n"
    "                        thread, without an exit per request (default\n"
    "                        auto: when two CPUs or more are available;\n"
    "                        off: every batch of requests costs an exit)\n"
    "  --io-spin=MICROSECONDS  how long the I/O thread polls for more work\n"
    "                        before it sleeps (default: it adapts, from\n"
    "                        50 to 5000, to the gaps between requests)\n"
    "  --env=NAME=VALUE      set NAME in the guest's environment\n"
    "                        (repeatable; the guest gets nothing of the\n"
    "                        host's environment)\n"
    "  --stdin=pass|none     pass: the guest reads husk's stdin (default);\n"
    "                        none: its stdin is empty, husk's is closed\n"
    "  --console-rate=SIZE   guest console output allowed per second, e.g.\n"
    "                        64K (default 1M; 0: no limit); output over\n"
    "                        it is dropped, with one notice on stderr\n"
    "  --user=USER           run as USER (name or number; husk must start\n"
    "                        as root); files are opened before the switch\n"
    "  --group=GROUP         run as GROUP (default: USER's primary group)\n"
    "  --no-jail             no namespaces and no empty root (the seccomp\n"
    "                        filter and the limits stay); for hosts that\n"
    "                        refuse namespaces\n"
    "  --print-seccomp       set up as for a run, print the seccomp filter\n"
    "                        instead of starting the guest, and exit\n"
    "  --stats               print the backend and the number of VM exits\n"
    "                        and hypercalls at the end\n"
    "  --help                print this help and exit\n"
    "  --version             print the monitor and ABI versions and exit\n"
    "\n" HUSK_EXIT_CODES_HELP;

/* Append s to buf (size bytes, NUL-terminated) as far as it fits. */
static void append(char *buf, size_t size, const char *s)
{
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, "%s", s);
}

const char *husk_usage(void)
{
    /* Room for the text with every kind's entry; the unit tests check
     * that it all fits (the exit codes at the end are there). */
    static char text[8192];
    if (text[0] == '\0') {
        append(text, sizeof(text), usage_head);
        for (size_t i = 0; husk_device_kinds[i] != NULL; i++)
            append(text, sizeof(text), husk_device_kinds[i]->usage);
        append(text, sizeof(text), usage_tail);
    }
    return text;
}

int husk_parse_size(const char *s, uint64_t *out)
{
    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno != 0)
        return -1;
    unsigned shift;
    switch (*end) {
    case '\0': /* a bare number is MiB, as for QEMU's -m */
    case 'M':
    case 'm':
        shift = 20;
        break;
    case 'K':
    case 'k':
        shift = 10;
        break;
    case 'G':
    case 'g':
        shift = 30;
        break;
    default:
        return -1;
    }
    if (*end != '\0' && end[1] != '\0')
        return -1;
    if (n > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)n << shift;
    return 0;
}

static int parse_mem(const char *value, struct husk_config *cfg, char *err,
                     size_t errlen)
{
    uint64_t size;
    if (husk_parse_size(value, &size) != 0)
        return husk_errorf(err, errlen,
                           "--mem=%s: not a size (try --mem=64M or --mem=1G)",
                           value);
    if (size < HUSK_MEM_MIN)
        return husk_errorf(err, errlen,
                           "--mem=%s: too small; the minimum is %lluM", value,
                           HUSK_MEM_MIN >> 20);
    if (size > HUSK_MEM_MAX)
        return husk_errorf(err, errlen,
                           "--mem=%s: too large; the maximum is %lluG", value,
                           HUSK_MEM_MAX >> 30);
    if (size % HUSK_MEM_ALIGN != 0)
        return husk_errorf(err, errlen, "--mem=%s: must be a multiple of 2M",
                           value);
    cfg->mem_size = size;
    return 0;
}

static int parse_timeout(const char *value, struct husk_config *cfg, char *err,
                         size_t errlen)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(value, &end, 10);
    if (value[0] < '0' || value[0] > '9' || *end != '\0' || errno != 0 ||
        n == 0 || n > HUSK_TIMEOUT_MAX)
        return husk_errorf(err, errlen,
                           "--timeout=%s: expected whole seconds from 1 to %u",
                           value, HUSK_TIMEOUT_MAX);
    cfg->timeout_s = (unsigned)n;
    return 0;
}

static int parse_io_thread(const char *value, struct husk_config *cfg,
                           char *err, size_t errlen)
{
    if (strcmp(value, "auto") == 0)
        cfg->io_thread = HUSK_IO_AUTO;
    else if (strcmp(value, "on") == 0)
        cfg->io_thread = HUSK_IO_ON;
    else if (strcmp(value, "off") == 0)
        cfg->io_thread = HUSK_IO_OFF;
    else
        return husk_errorf(err, errlen,
                           "--io-thread=%s: expected auto, on or off", value);
    return 0;
}

static int parse_backend(const char *value, struct husk_config *cfg, char *err,
                         size_t errlen)
{
    if (strcmp(value, "auto") == 0)
        cfg->backend = HUSK_BACKEND_AUTO;
    else if (strcmp(value, "kvm") == 0)
        cfg->backend = HUSK_BACKEND_KVM;
    else if (strcmp(value, "process") == 0)
        cfg->backend = HUSK_BACKEND_PROCESS;
    else
        return husk_errorf(
            err, errlen, "--backend=%s: expected auto, kvm or process", value);
    return 0;
}

static int parse_io_spin(const char *value, struct husk_config *cfg, char *err,
                         size_t errlen)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(value, &end, 10);
    if (value[0] < '0' || value[0] > '9' || *end != '\0' || errno != 0 ||
        n == 0 || n > 1000000)
        return husk_errorf(err, errlen,
                           "--io-spin=%s: expected microseconds from 1 to "
                           "1000000",
                           value);
    cfg->io_spin_us = (unsigned)n;
    return 0;
}

static int parse_console_rate(const char *value, struct husk_config *cfg,
                              char *err, size_t errlen)
{
    uint64_t rate;
    if (husk_parse_size(value, &rate) != 0)
        return husk_errorf(err, errlen,
                           "--console-rate=%s: not a size (try "
                           "--console-rate=64K, or 0 for no limit)",
                           value);
    if (rate > HUSK_CONSOLE_RATE_MAX)
        return husk_errorf(err, errlen,
                           "--console-rate=%s: more than %lluG a second; "
                           "use 0 for no limit",
                           value, HUSK_CONSOLE_RATE_MAX >> 30);
    cfg->console_rate = rate;
    return 0;
}

static int parse_stdin(const char *value, struct husk_config *cfg, char *err,
                       size_t errlen)
{
    if (strcmp(value, "pass") == 0)
        cfg->stdin_none = false;
    else if (strcmp(value, "none") == 0)
        cfg->stdin_none = true;
    else
        return husk_errorf(err, errlen, "--stdin=%s: expected pass or none",
                           value);
    return 0;
}

/* --env=NAME=VALUE: NAME up to the first '=', not empty. A NAME given
 * again replaces its value, as env(1) does. */
static int parse_env(const char *value, struct husk_config *cfg, char *err,
                     size_t errlen)
{
    const char *eq = strchr(value, '=');
    if (eq == NULL)
        return husk_errorf(err, errlen,
                           "--env=%s: expected --env=NAME=VALUE (VALUE may "
                           "be empty)",
                           value);
    size_t name_len = (size_t)(eq - value);
    if (name_len == 0)
        return husk_errorf(err, errlen, "--env=%s: the name is empty", value);
    for (unsigned i = 0; i < cfg->env_count; i++)
        if (strncmp(cfg->env[i], value, name_len + 1) == 0) {
            cfg->env[i] = value;
            return 0;
        }
    if (cfg->env_count == HUSK_ENVC_MAX)
        return husk_errorf(err, errlen, "too many --env variables (at most %d)",
                           HUSK_ENVC_MAX);
    cfg->env[cfg->env_count++] = value;
    return 0;
}

static int check_env(const struct husk_config *cfg, char *err, size_t errlen)
{
    size_t bytes = 0;
    for (unsigned i = 0; i < cfg->env_count; i++)
        bytes += strlen(cfg->env[i]) + 1;
    if (bytes > HUSK_ENV_MAX)
        return husk_errorf(err, errlen,
                           "--env: the guest's environment is too large (%zu "
                           "bytes with a NUL each; at most %d)",
                           bytes, HUSK_ENV_MAX);
    return 0;
}

/* --user=NAME and --group=NAME: resolved later (jail.c), checked here. */
static int parse_id(const char *arg, const char *value, const char **out,
                    char *err, size_t errlen)
{
    if (value[0] == '\0')
        return husk_errorf(err, errlen, "%s: expected a name or a number", arg);
    *out = value;
    return 0;
}

static bool valid_device_name(const char *s, size_t len)
{
    if (len == 0 || len >= HUSK_DEVICE_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* How much of a device option a message quotes before its reason. */
#define ARG_SHOWN_MAX 160

/* The kind whose option arg is, "--KIND:...", or NULL. */
static const struct husk_device_kind *device_option(const char *arg)
{
    if (strncmp(arg, "--", 2) != 0)
        return NULL;
    for (size_t i = 0; husk_device_kinds[i] != NULL; i++) {
        const struct husk_device_kind *k = husk_device_kinds[i];
        size_t n = strlen(k->name);
        if (strncmp(arg + 2, k->name, n) == 0 && arg[2 + n] == ':')
            return k;
    }
    return NULL;
}

/* --KIND:NAME=SPEC. SPEC is checked here, as its back end will parse it
 * when it opens the device, so that a bad one is refused with the other
 * options, before the image is read. */
static int parse_device(const char *arg, const struct husk_device_kind *k,
                        struct husk_config *cfg, char *err, size_t errlen)
{
    const char *name = arg + 2 + strlen(k->name) + 1;
    const char *eq = strchr(name, '=');
    if (eq == NULL || eq[1] == '\0')
        return husk_errorf(err, errlen, "%s: expected --%s:NAME=%s", arg,
                           k->name, k->spec_name);
    size_t len = (size_t)(eq - name);
    if (!valid_device_name(name, len))
        return husk_errorf(
            err, errlen,
            "%s: device name must be 1-%d characters of a-z, 0-9, _", arg,
            HUSK_DEVICE_NAME_MAX - 1);
    for (unsigned i = 0; i < cfg->device_count; i++)
        if (strlen(cfg->devices[i].name) == len &&
            memcmp(cfg->devices[i].name, name, len) == 0)
            return husk_errorf(err, errlen, "%s: device '%.*s' is given twice",
                               arg, (int)len, name);
    if (cfg->device_count == HUSK_DEVICES_MAX)
        return husk_errorf(err, errlen, "%s: too many devices (at most %d)",
                           arg, HUSK_DEVICES_MAX);
    char why[256];
    if (k->check_spec(eq + 1, why, sizeof(why)) != 0) {
        /* A long SPEC ("file name too long") is cut so that the reason
         * still fits in the message. */
        if (strlen(arg) > ARG_SHOWN_MAX)
            return husk_errorf(err, errlen, "%.*s...: %s", ARG_SHOWN_MAX, arg,
                               why);
        return husk_errorf(err, errlen, "%s: %s", arg, why);
    }
    struct husk_device_arg *d = &cfg->devices[cfg->device_count++];
    d->kind = k->kind;
    memcpy(d->name, name, len);
    d->name[len] = '\0';
    d->spec = eq + 1;
    return 0;
}

static int check_guest_args(const struct husk_config *cfg, char *err,
                            size_t errlen)
{
    /* argv[0] (the image path) counts too: it is passed to the guest. */
    size_t bytes = strlen(cfg->image_path) + 1;
    for (int i = 0; i < cfg->guest_argc; i++)
        bytes += strlen(cfg->guest_argv[i]) + 1;
    if (cfg->guest_argc + 1 > HUSK_ARGC_MAX)
        return husk_errorf(err, errlen, "too many guest arguments (at most %d)",
                           HUSK_ARGC_MAX - 1);
    if (bytes > HUSK_ARGS_MAX)
        return husk_errorf(err, errlen,
                           "guest arguments too long (%zu bytes; at most %d)",
                           bytes, HUSK_ARGS_MAX);
    return 0;
}

int husk_args_parse(int argc, char *const argv[], struct husk_config *cfg,
                    char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->mem_size = HUSK_MEM_DEFAULT;
    cfg->console_rate = HUSK_CONSOLE_RATE_DEFAULT;
    cfg->io_thread = HUSK_IO_AUTO;
    static char *const no_args[] = {NULL};
    cfg->guest_argv = no_args;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const struct husk_device_kind *kind;
        int rc = 0;
        if (strcmp(a, "--") == 0) {
            cfg->guest_argc = argc - i - 1;
            cfg->guest_argv = &argv[i + 1];
            break;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cfg->help = true;
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            cfg->version = true;
            return 0;
        } else if (strcmp(a, "--stats") == 0) {
            cfg->stats = true;
        } else if (strcmp(a, "--no-jail") == 0) {
            cfg->no_jail = true;
        } else if (strcmp(a, "--print-seccomp") == 0) {
            cfg->print_seccomp = true;
        } else if (strncmp(a, "--console-rate=", 15) == 0) {
            rc = parse_console_rate(a + 15, cfg, err, errlen);
        } else if (strncmp(a, "--env=", 6) == 0) {
            rc = parse_env(a + 6, cfg, err, errlen);
        } else if (strncmp(a, "--stdin=", 8) == 0) {
            rc = parse_stdin(a + 8, cfg, err, errlen);
        } else if (strncmp(a, "--user=", 7) == 0) {
            rc = parse_id(a, a + 7, &cfg->user, err, errlen);
        } else if (strncmp(a, "--group=", 8) == 0) {
            rc = parse_id(a, a + 8, &cfg->group, err, errlen);
        } else if (strncmp(a, "--mem=", 6) == 0) {
            rc = parse_mem(a + 6, cfg, err, errlen);
        } else if (strncmp(a, "--backend=", 10) == 0) {
            rc = parse_backend(a + 10, cfg, err, errlen);
        } else if (strncmp(a, "--io-thread=", 12) == 0) {
            rc = parse_io_thread(a + 12, cfg, err, errlen);
        } else if (strncmp(a, "--io-spin=", 10) == 0) {
            rc = parse_io_spin(a + 10, cfg, err, errlen);
        } else if (strncmp(a, "--timeout=", 10) == 0) {
            rc = parse_timeout(a + 10, cfg, err, errlen);
        } else if ((kind = device_option(a)) != NULL) {
            rc = parse_device(a, kind, cfg, err, errlen);
        } else if (a[0] == '-' && a[1] != '\0') {
            rc = husk_errorf(err, errlen,
                             "%s: unknown option (see husk --help)", a);
        } else if (cfg->image_path == NULL) {
            if (a[0] == '\0')
                rc = husk_errorf(err, errlen, "the image path is empty");
            cfg->image_path = a;
        } else {
            rc = husk_errorf(
                err, errlen,
                "%s: unexpected argument; guest arguments go after --", a);
        }
        if (rc != 0)
            return -1;
    }
    if (cfg->image_path == NULL)
        return husk_errorf(err, errlen,
                           "no image given (usage: husk [OPTIONS] "
                           "IMAGE [-- ARGS]; see husk --help)");
    if (check_env(cfg, err, errlen) != 0)
        return -1;
    return check_guest_args(cfg, err, errlen);
}
