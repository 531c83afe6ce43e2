/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* args.c: parse the command line into a struct husk_config (pure). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk.h"

/* The help before the device kinds' entries, and after them. Each line
 * at most 79 columns (the unit tests check 80). */
static const char usage_head[] =
    "Usage: husk [OPTIONS] IMAGE [-- GUEST-ARGS...]\n"
    "       husk inspect [--json] IMAGE   (describe IMAGE without running it)\n"
    "Run the unikernel IMAGE (built with husk-cc) in a KVM virtual machine,\n"
    "or where there is no KVM, as a seccomp-confined process.\n"
    "\n"
    "An option's VALUE follows it after = or as the next argument: --mem=64M\n"
    "or --mem 64M; --block:NAME=FILE or --block:NAME FILE (a VALUE that\n"
    "starts with -- goes after =). IMAGE is the first argument that is not\n"
    "an option; -- ends the options, and what follows it is the guest's.\n"
    "A SIZE is a number of bytes, or a number followed by K, M or G, also\n"
    "written KB, KiB, MB, MiB, GB or GiB: all powers of 1024 (1M = 1MB =\n"
    "1MiB = 1048576 bytes). A fraction is allowed where it makes whole bytes\n"
    "(1.5G, 0.5K).\n"
    "\n"
    "  --backend=auto|kvm|process  where the guest runs (default auto: KVM\n"
    "                        where /dev/kvm exists, else the process\n"
    "                        backend; the same image runs under both)\n"
    "  --mem=SIZE            guest memory (default 64M; from 4M to 32G),\n"
    "                        rounded up to a multiple of 2M: 5M gives 6M\n"
    "  --timeout=SECONDS     stop the guest after SECONDS of wall time\n"
    "                        (whole seconds, 1 to 31536000: a year)\n";
static const char usage_tail[] =
    "  --io-thread=off|auto|on  serve block queues from a polling I/O\n"
    "                        thread, without an exit per request (default\n"
    "                        auto: when two CPUs or more are available;\n"
    "                        off: every batch of requests costs an exit)\n"
    "  --io-spin=MICROSECONDS  how long the I/O thread polls for more work\n"
    "                        before it sleeps (1 to 1000000; default: it\n"
    "                        adapts to the gaps between requests, from 50\n"
    "                        up to eight wake-ups' cost, at most 5000)\n"
    "  --env=NAME=VALUE      set NAME in the guest's environment\n"
    "                        (repeatable; the guest gets nothing of the\n"
    "                        host's environment)\n"
    "  --cwd=/PATH           the guest's working directory when main()\n"
    "                        starts (default /); a path in the guest\n"
    "  --stdin=pass|none     pass: the guest reads husk's stdin (default);\n"
    "                        none: its stdin is empty, husk's is closed\n"
    "  --console-rate=SIZE   guest console output allowed per second, e.g.\n"
    "                        64K (default 1M, at most 1G; 0: no limit);\n"
    "                        output over it is dropped, with one notice on\n"
    "                        stderr\n"
    "  --dump-core=FILE      if the guest crashes, write an ELF core of its\n"
    "                        memory and registers to FILE, for gdb IMAGE\n"
    "                        FILE; FILE is made at start and left empty\n"
    "                        if the guest does not crash\n"
    "  --snapshot-to=FILE    when the guest calls husk_ready() (once it has\n"
    "                        initialised), write its memory to FILE and\n"
    "                        exit 0 (docs/snapshots.md)\n"
    "  --restore=FILE        start from FILE's snapshot instead of booting:\n"
    "                        husk_ready() returns 1 in the guest; give the\n"
    "                        same image and devices (no guest arguments)\n"
    "  --call-channel=SOCKET,MEMORY  serve calls from libhusk-host over these\n"
    "                        two inherited fds (docs/embedding.md)\n"
    "  --user=USER           run as USER (name or number; husk must start\n"
    "                        as root); files are opened before the switch\n"
    "  --group=GROUP         run as GROUP (default: USER's primary group)\n"
    "  --netns=PATH          join the network namespace at PATH instead of\n"
    "                        making one (it must hold lo alone, down, as\n"
    "                        ip netns add NAME makes /run/netns/NAME)\n"
    "  --no-jail             no namespaces and no empty root (the seccomp\n"
    "                        filter and the limits stay); for hosts that\n"
    "                        refuse namespaces\n"
    "  --print-seccomp       set up as for a run, print the seccomp filter\n"
    "                        instead of starting the guest, and exit\n"
    "  --stats[=text|json]   at the end, print the backend and the number of\n"
    "                        VM exits and hypercalls (text, the default), or\n"
    "                        one line of JSON: exits, hypercalls, times,\n"
    "                        memory, device counters (docs/stats.md)\n"
    "  --log-level=error|warn|info|debug  what the monitor says on stderr\n"
    "                        (default warn; info: its phases; debug: and\n"
    "                        their times)\n"
    "  --help, -h            print this help and exit\n"
    "  --version             print the monitor and ABI versions and exit\n"
    "--no-jail, --print-seccomp, --help and --version take no value; --stats\n"
    "takes one only after =.\n"
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

/* The shift of a size's unit, what follows its number in s: nothing or
 * "B" (bytes), or K, M, G (either case) alone or with "B" or "iB" after
 * it. -1 for anything else. */
static int size_unit(const char *s, unsigned *shift)
{
    static const char letters[] = "KkMmGg";
    *shift = 0;
    if (s[0] == '\0' || strcmp(s, "B") == 0)
        return 0;
    const char *l = strchr(letters, s[0]);
    if (l == NULL)
        return -1;
    *shift = 10 * (unsigned)(1 + (l - letters) / 2);
    if (s[1] == '\0' || strcmp(s + 1, "B") == 0 || strcmp(s + 1, "iB") == 0)
        return 0;
    return -1;
}

/*
 * DIGITS[.DIGITS][UNIT], UNIT one of K, M, G (either case) alone or with
 * B or iB after it, or B; no sign, no blank. A fraction must make whole
 * bytes. With its trailing zeros dropped, a fraction of d digits is
 * F / 10^d = F / (2^d 5^d), and F * 2^shift / (2^d 5^d) is whole only if
 * 5^d divides F and d <= shift (were d > shift, 2 would divide F as well
 * as 5, so 10 would, and F has no trailing zero): the bytes it adds are
 * then (F / 5^d) << (shift - d), less than 1 << shift.
 */
int husk_parse_size(const char *s, uint64_t *out)
{
    const char *p = s;
    if (*p < '0' || *p > '9')
        return HUSK_SIZE_MALFORMED;
    uint64_t whole = 0;
    bool too_large = false;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned digit = (unsigned)(*p - '0');
        if (whole > (UINT64_MAX - digit) / 10)
            too_large = true;
        else
            whole = whole * 10 + digit;
    }
    const char *frac = p, *frac_end = p;
    if (*p == '.') {
        frac = ++p;
        if (*p < '0' || *p > '9')
            return HUSK_SIZE_MALFORMED;
        while (*p >= '0' && *p <= '9')
            p++;
        frac_end = p;
        while (frac_end > frac && frac_end[-1] == '0')
            frac_end--;
    }
    unsigned shift;
    if (size_unit(p, &shift) < 0)
        return HUSK_SIZE_MALFORMED;
    if (too_large || whole > (UINT64_MAX >> shift))
        return HUSK_SIZE_TOO_LARGE;
    size_t d = (size_t)(frac_end - frac);
    if (d > shift)
        return HUSK_SIZE_FRACTION;
    /* d <= 30: F < 10^30 and 5^d fit in 128 bits. */
    unsigned __int128 f = 0, pow5 = 1;
    for (size_t i = 0; i < d; i++) {
        f = f * 10 + (unsigned)(frac[i] - '0');
        pow5 *= 5;
    }
    if (f % pow5 != 0)
        return HUSK_SIZE_FRACTION;
    /* whole << shift has its low shift bits clear: the sum cannot wrap. */
    *out = (whole << shift) + ((uint64_t)(f / pow5) << (shift - d));
    return 0;
}

/* How a SIZE may be written, for the messages. */
#define SIZE_FORMS "bytes, or a number with K, M or G, also as KB or KiB"

/* The message for a value husk_parse_size refused (rc) that is not
 * merely too large (each option says that with its own limit). */
static int size_error(const char *opt, const char *value, int rc,
                      const char *hint, char *err, size_t errlen)
{
    if (rc == HUSK_SIZE_FRACTION)
        return husk_errorf(err, errlen,
                           "%s=%s: not a whole number of bytes (K, M and G "
                           "are 1024, 1024^2 and 1024^3 bytes)",
                           opt, value);
    return husk_errorf(err, errlen, "%s=%s: not a size (" SIZE_FORMS ": %s)",
                       opt, value, hint);
}

/* Only digits: a size without a unit, which is bytes. */
static bool all_digits(const char *s)
{
    return s[0] != '\0' && strspn(s, "0123456789") == strlen(s);
}

static int parse_mem(const char *value, struct husk_config *cfg, char *err,
                     size_t errlen)
{
    uint64_t size = 0;
    int rc = husk_parse_size(value, &size);
    if (rc != 0 && rc != HUSK_SIZE_TOO_LARGE)
        return size_error("--mem", value, rc, "try --mem=64M or --mem=1.5G",
                          err, errlen);
    if (rc == 0 && size < HUSK_MEM_MIN) {
        /* "--mem=64", meant as MiB: a bare number is bytes. */
        if (size != 0 && all_digits(value))
            return husk_errorf(err, errlen,
                               "--mem=%s: too small; the minimum is %lluM (a "
                               "number alone is bytes: --mem=%sM?)",
                               value, HUSK_MEM_MIN >> 20, value);
        return husk_errorf(err, errlen,
                           "--mem=%s: too small; the minimum is %lluM", value,
                           HUSK_MEM_MIN >> 20);
    }
    if (rc != 0 || size > HUSK_MEM_MAX)
        return husk_errorf(err, errlen,
                           "--mem=%s: too large; the maximum is %lluG", value,
                           HUSK_MEM_MAX >> 30);
    /* Rounded up, never refused: guest memory is mapped in whole 2 MiB
     * pages. HUSK_MEM_MAX is a multiple, so this stays within it. */
    cfg->mem_size = (size + HUSK_MEM_ALIGN - 1) & ~(HUSK_MEM_ALIGN - 1);
    cfg->mem_given = true;
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

/* What to do where KVM is missing, in each message that says so. */
#define KVM_MISSING                                                        \
    "load the kvm_intel or kvm_amd module (it needs VT-x or AMD-V, on in " \
    "the firmware, or nested virtualisation where husk runs in a VM), or " \
    "run with --backend=process, which needs no KVM"

/* Here rather than in kvm.c, which opens /dev/kvm: pure, so unit-tested
 * with the options. */
bool husk_kvm_open_error(int errnum, char *msg, size_t msglen)
{
    switch (errnum) {
    case ENOENT: /* no device node: no KVM module loaded */
        snprintf(msg, msglen, "/dev/kvm: not found: " KVM_MISSING);
        return true;
    case ENODEV: /* a node with no KVM behind it */
    case ENXIO:
        snprintf(msg, msglen, "/dev/kvm: no KVM behind it: " KVM_MISSING);
        return true;
    case EACCES: /* the node's mode */
        snprintf(msg, msglen,
                 "/dev/kvm: permission denied: add this user to the kvm "
                 "group (usermod -aG kvm $USER, then log in again), or run "
                 "with --backend=process, which needs no KVM");
        return false;
    case EPERM: /* a device cgroup or a security module, whatever the mode */
        snprintf(msg, msglen,
                 "/dev/kvm: not permitted: a container or security policy "
                 "keeps this user from it (in a container, pass /dev/kvm "
                 "through), or run with --backend=process, which needs no "
                 "KVM");
        return false;
    default:
        snprintf(msg, msglen,
                 "/dev/kvm: cannot open: %s (--backend=process needs no KVM)",
                 strerror(errnum));
        return false;
    }
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
    uint64_t rate = 0;
    int rc = husk_parse_size(value, &rate);
    if (rc != 0 && rc != HUSK_SIZE_TOO_LARGE)
        return size_error("--console-rate", value, rc,
                          "try --console-rate=64K, or 0 for no limit", err,
                          errlen);
    if (rc != 0 || rate > HUSK_CONSOLE_RATE_MAX)
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

/* --cwd=/PATH: absolute, as the guest has no other directory to start
 * from; whether it exists is the guest's to find (its file systems are
 * mounted only as it starts). */
static int parse_cwd(const char *value, struct husk_config *cfg, char *err,
                     size_t errlen)
{
    if (value[0] != '/')
        return husk_errorf(err, errlen,
                           "--cwd=%s: expected an absolute path in the "
                           "guest, starting with /",
                           value);
    if (strlen(value) >= HUSK_CWD_MAX)
        return husk_errorf(err, errlen,
                           "--cwd: the path is too long (at most %d bytes)",
                           HUSK_CWD_MAX - 1);
    cfg->cwd = value;
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

/* --dump-core=FILE: created at start-up (core_dump.c), checked here. */
static int parse_dump_core(const char *value, struct husk_config *cfg,
                           char *err, size_t errlen)
{
    if (value[0] == '\0')
        return husk_errorf(err, errlen,
                           "--dump-core=: expected a file name, such as "
                           "--dump-core=guest.core");
    cfg->dump_core = value;
    return 0;
}

/* --snapshot-to=FILE, --restore=FILE: made and read at start-up
 * (snapshot.c), checked here. */
static int parse_file(const char *opt, const char *value, const char **out,
                      const char *example, char *err, size_t errlen)
{
    if (value[0] == '\0')
        return husk_errorf(err, errlen,
                           "%s=: expected a file name, such as %s=%s", opt, opt,
                           example);
    *out = value;
    return 0;
}

static int parse_snapshot_to(const char *value, struct husk_config *cfg,
                             char *err, size_t errlen)
{
    return parse_file("--snapshot-to", value, &cfg->snapshot_to, "app.snap",
                      err, errlen);
}

static int parse_restore(const char *value, struct husk_config *cfg, char *err,
                         size_t errlen)
{
    return parse_file("--restore", value, &cfg->restore, "app.snap", err,
                      errlen);
}

/* --netns=PATH: opened and checked by the jail (jail.c). */
static int parse_netns(const char *value, struct husk_config *cfg, char *err,
                       size_t errlen)
{
    return parse_file("--netns", value, &cfg->netns, "/run/netns/husk", err,
                      errlen);
}

/* --call-channel=SOCKET,MEMORY: two inherited fds, made by libhusk-host
 * (calls.c checks what they are). */
static int parse_call_channel(const char *value, struct husk_config *cfg,
                              char *err, size_t errlen)
{
    char *end;
    errno = 0;
    long sock = strtol(value, &end, 10);
    long mem = -1;
    if (end != value && *end == ',' && errno == 0) {
        const char *second = end + 1;
        mem = strtol(second, &end, 10);
        if (end == second || *end != '\0' || errno != 0)
            mem = -1;
    }
    if (sock < 3 || sock > 65535 || mem < 3 || mem > 65535 || sock == mem ||
        !isdigit((unsigned char)value[0]))
        return husk_errorf(err, errlen,
                           "--call-channel=%s: expected two fds, "
                           "SOCKET,MEMORY, each 3 or above (libhusk-host "
                           "passes them)",
                           value);
    cfg->call_sock = (int)sock;
    cfg->call_mem = (int)mem;
    return 0;
}

/* A restored guest has run its main() up to husk_ready(): what it was
 * started with is in the snapshot, and cannot be given again. */
static int check_restore(const struct husk_config *cfg, char *err,
                         size_t errlen)
{
    if (cfg->restore == NULL)
        return 0;
    const char *given = cfg->snapshot_to != NULL ? "--snapshot-to"
                        : cfg->guest_argc > 0    ? "guest arguments"
                        : cfg->env_count > 0     ? "--env"
                        : cfg->cwd != NULL       ? "--cwd"
                                                 : NULL;
    if (given != NULL)
        return husk_errorf(err, errlen,
                           "--restore: %s cannot be given; the snapshot's "
                           "guest has them as it was started with them",
                           given);
    return 0;
}

static int check_netns(const struct husk_config *cfg, char *err, size_t errlen)
{
    if (cfg->netns != NULL && cfg->no_jail)
        return husk_errorf(err, errlen,
                           "--netns=%s: --no-jail makes no namespaces, so "
                           "there is none to join; leave one of them out",
                           cfg->netns);
    return 0;
}

/* --user=NAME and --group=NAME: resolved later (jail.c), checked here. */
static int parse_id(const char *opt, const char *value, const char **out,
                    char *err, size_t errlen)
{
    if (value[0] == '\0')
        return husk_errorf(err, errlen, "%s=: expected a name or a number",
                           opt);
    *out = value;
    return 0;
}

static int parse_user(const char *value, struct husk_config *cfg, char *err,
                      size_t errlen)
{
    return parse_id("--user", value, &cfg->user, err, errlen);
}

static int parse_group(const char *value, struct husk_config *cfg, char *err,
                       size_t errlen)
{
    return parse_id("--group", value, &cfg->group, err, errlen);
}

static int parse_log_level(const char *value, struct husk_config *cfg,
                           char *err, size_t errlen)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(value, names[i]) == 0) {
            cfg->log_level = (enum husk_log_level)i;
            return 0;
        }
    return husk_errorf(err, errlen,
                       "--log-level=%s: expected error, warn, info or debug",
                       value);
}

/* --stats, --stats=text or --stats=json. The value is optional, so it is
 * taken only after '=': "--stats app.husk" names the image. */
static int parse_stats(const char *arg, struct husk_config *cfg, char *err,
                       size_t errlen)
{
    if (strcmp(arg, "--stats") == 0 || strcmp(arg, "--stats=text") == 0)
        cfg->stats = HUSK_STATS_TEXT;
    else if (strcmp(arg, "--stats=json") == 0)
        cfg->stats = HUSK_STATS_JSON;
    else
        return husk_errorf(err, errlen,
                           "%s: expected --stats, --stats=text or "
                           "--stats=json",
                           arg);
    return 0;
}

/* An option that takes a value: --NAME=VALUE, or --NAME VALUE. */
struct value_option {
    const char *name;    /* "--mem" */
    const char *metavar; /* its VALUE, as --help names it */
    int (*parse)(const char *value, struct husk_config *cfg, char *err,
                 size_t errlen);
};

static const struct value_option value_options[] = {
    {"--backend", "auto|kvm|process", parse_backend},
    {"--mem", "SIZE", parse_mem},
    {"--timeout", "SECONDS", parse_timeout},
    {"--io-thread", "off|auto|on", parse_io_thread},
    {"--io-spin", "MICROSECONDS", parse_io_spin},
    {"--env", "NAME=VALUE", parse_env},
    {"--cwd", "/PATH", parse_cwd},
    {"--stdin", "pass|none", parse_stdin},
    {"--console-rate", "SIZE", parse_console_rate},
    {"--dump-core", "FILE", parse_dump_core},
    {"--snapshot-to", "FILE", parse_snapshot_to},
    {"--restore", "FILE", parse_restore},
    {"--call-channel", "SOCKET,MEMORY", parse_call_channel},
    {"--netns", "PATH", parse_netns},
    {"--user", "USER", parse_user},
    {"--group", "GROUP", parse_group},
    {"--log-level", "error|warn|info|debug", parse_log_level},
};

/* The option arg names, as --NAME=VALUE (*value set) or --NAME alone
 * (*value NULL), or NULL. */
static const struct value_option *value_option(const char *arg,
                                               const char **value)
{
    for (size_t i = 0; i < sizeof(value_options) / sizeof(value_options[0]);
         i++) {
        const struct value_option *o = &value_options[i];
        size_t n = strlen(o->name);
        if (strncmp(arg, o->name, n) == 0 &&
            (arg[n] == '\0' || arg[n] == '=')) {
            *value = arg[n] == '=' ? arg + n + 1 : NULL;
            return o;
        }
    }
    return NULL;
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

/* A device option as messages quote it: "--KIND:NAME=SPEC", whichever
 * form it was given in, cut at ARG_SHOWN_MAX ("..." after it) so that
 * the reason after it still fits (a long SPEC: "file name too long"). */
static void show_device(char *out, size_t outlen, const char *opt,
                        size_t optlen, const char *spec)
{
    int n = snprintf(out, outlen, "%.*s=%s", (int)optlen, opt, spec);
    if (n > ARG_SHOWN_MAX && outlen > ARG_SHOWN_MAX + 3)
        memcpy(out + ARG_SHOWN_MAX, "...", 4);
}

/* --KIND:NAME=SPEC, or --KIND:NAME SPEC: opt is "--KIND:NAME" (optlen
 * bytes of it). SPEC is checked here, as its back end will parse it when
 * it opens the device, so that a bad one is refused with the other
 * options, before the image is read. A NULL spec (the second form, its
 * SPEC not yet taken) checks all but the SPEC, so that a bad NAME is not
 * blamed on the argument after it. */
static int parse_device(const char *opt, size_t optlen, const char *spec,
                        const struct husk_device_kind *k,
                        struct husk_config *cfg, char *err, size_t errlen)
{
    const char *name = opt + 2 + strlen(k->name) + 1;
    size_t len = optlen - (size_t)(name - opt);
    char shown[ARG_SHOWN_MAX + 4];
    if (spec != NULL)
        show_device(shown, sizeof(shown), opt, optlen, spec);
    else
        snprintf(shown, sizeof(shown), "%.*s", (int)optlen, opt);
    if (spec != NULL ? spec[0] == '\0' : len == 0)
        return husk_errorf(err, errlen,
                           "%s: expected --%s:NAME=%s or --%s:NAME %s", shown,
                           k->name, k->spec_name, k->name, k->spec_name);
    if (!valid_device_name(name, len))
        return husk_errorf(
            err, errlen,
            "%s: device name must be 1-%d characters of a-z, 0-9, _", shown,
            HUSK_DEVICE_NAME_MAX - 1);
    for (unsigned i = 0; i < cfg->device_count; i++)
        if (strlen(cfg->devices[i].name) == len &&
            memcmp(cfg->devices[i].name, name, len) == 0)
            return husk_errorf(err, errlen, "%s: device '%.*s' is given twice",
                               shown, (int)len, name);
    if (cfg->device_count == HUSK_DEVICES_MAX)
        return husk_errorf(err, errlen, "%s: too many devices (at most %d)",
                           shown, HUSK_DEVICES_MAX);
    if (spec == NULL)
        return 0;
    char why[256];
    if (k->check_spec(spec, why, sizeof(why)) != 0)
        return husk_errorf(err, errlen, "%s: %s", shown, why);
    struct husk_device_arg *d = &cfg->devices[cfg->device_count++];
    d->kind = k->kind;
    memcpy(d->name, name, len);
    d->name[len] = '\0';
    d->spec = spec;
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

/*
 * The VALUE of an option given as "--NAME VALUE": argv[*i + 1], which
 * *i then steps over; or NULL with a message if there is none. A next
 * argument that starts with "--" (another option, or the end of them) is
 * not taken: "--user --group=x" is a missing value, not a user named
 * "--group=x". NOTE: getopt_long would take it; a VALUE that starts with
 * "--" is still given after '='.
 */
static const char *next_value(int argc, char *const argv[], int *i,
                              const char *opt, const char *metavar, char *err,
                              size_t errlen)
{
    const char *next = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (next == NULL || strncmp(next, "--", 2) == 0) {
        husk_errorf(err, errlen, "%s: missing its value%s%s (%s=%s or %s %s)",
                    opt, next != NULL ? " before " : "",
                    next != NULL ? next : "", opt, metavar, opt, metavar);
        return NULL;
    }
    ++*i;
    return next;
}

int husk_args_parse(int argc, char *const argv[], struct husk_config *cfg,
                    char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->mem_size = HUSK_MEM_DEFAULT;
    cfg->console_rate = HUSK_CONSOLE_RATE_DEFAULT;
    cfg->io_thread = HUSK_IO_AUTO;
    cfg->log_level = HUSK_LOG_WARN;
    cfg->call_sock = cfg->call_mem = -1;
    static char *const no_args[] = {NULL};
    cfg->guest_argv = no_args;
    /* The last "--NAME VALUE", for the message if it took the image. */
    const char *took_opt = NULL, *took_metavar = NULL;
    int took_at = 0, end = argc;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const struct husk_device_kind *kind;
        const struct value_option *opt;
        const char *value;
        int rc = 0;
        if (strcmp(a, "--") == 0) {
            cfg->guest_argc = argc - i - 1;
            cfg->guest_argv = &argv[i + 1];
            end = i;
            break;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cfg->help = true;
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            cfg->version = true;
            return 0;
        } else if (strcmp(a, "--stats") == 0 ||
                   strncmp(a, "--stats=", 8) == 0) {
            rc = parse_stats(a, cfg, err, errlen);
        } else if (strcmp(a, "--no-jail") == 0) {
            cfg->no_jail = true;
        } else if (strcmp(a, "--print-seccomp") == 0) {
            cfg->print_seccomp = true;
        } else if ((opt = value_option(a, &value)) != NULL) {
            if (value == NULL) {
                value =
                    next_value(argc, argv, &i, a, opt->metavar, err, errlen);
                if (value == NULL)
                    return -1;
                took_opt = a, took_metavar = opt->metavar, took_at = i;
            }
            rc = opt->parse(value, cfg, err, errlen);
        } else if ((kind = device_option(a)) != NULL) {
            /* NAME has no '=': the first one ends it. */
            const char *eq = strchr(a, '=');
            if (eq == NULL) {
                if (parse_device(a, strlen(a), NULL, kind, cfg, err, errlen))
                    return -1;
                value =
                    next_value(argc, argv, &i, a, kind->spec_name, err, errlen);
                if (value == NULL)
                    return -1;
                took_opt = a, took_metavar = kind->spec_name, took_at = i;
                rc = parse_device(a, strlen(a), value, kind, cfg, err, errlen);
            } else {
                rc = parse_device(a, (size_t)(eq - a), eq + 1, kind, cfg, err,
                                  errlen);
            }
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
    if (cfg->image_path == NULL) {
        /* "husk --block:disk app.husk": the image became the FILE. */
        if (took_opt != NULL && took_at == end - 1)
            return husk_errorf(err, errlen,
                               "no image given (%s took %s as its %s; "
                               "usage: husk [OPTIONS] IMAGE [-- ARGS])",
                               took_opt, argv[took_at], took_metavar);
        return husk_errorf(err, errlen,
                           "no image given (usage: husk [OPTIONS] "
                           "IMAGE [-- ARGS]; see husk --help)");
    }
    if (check_env(cfg, err, errlen) != 0 ||
        check_restore(cfg, err, errlen) != 0 ||
        check_netns(cfg, err, errlen) != 0)
        return -1;
    return check_guest_args(cfg, err, errlen);
}
