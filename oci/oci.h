/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * oci.h: husk-oci, the OCI runtime that runs a container whose entry point
 * is a Husk image under the monitor. The pure parts (command line,
 * config.json, the monitor's command line, signal names) are unit-tested
 * and fuzzed; the rest does the work of one command each.
 */
#ifndef HUSK_OCI_H
#define HUSK_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../abi/husk_abi.h"

#define OCI_VERSION "0.1.0"
/* The runtime-spec version whose config.json we read and state we print. */
#define OCI_SPEC_VERSION "1.0.2"
#define OCI_DEFAULT_ROOT "/run/husk-oci"
#define OCI_ERR_MAX 512

/* ---- strv.c: a growable, NULL-terminated array of strings ---- */

struct oci_strv {
    char **v; /* NULL-terminated once anything was added */
    size_t n, cap;
};

/* Append a copy of s (or of the printf result); aborts on no memory. */
void oci_strv_add(struct oci_strv *sv, const char *s);
void oci_strv_addf(struct oci_strv *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void oci_strv_free(struct oci_strv *sv);

/* Format into err and return -1: the failure path of the pure parts. */
int oci_errorf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- cli.c: the command line (pure) ---- */

enum oci_command {
    OCI_CMD_NONE,
    OCI_CMD_CREATE,
    OCI_CMD_START,
    OCI_CMD_STATE,
    OCI_CMD_KILL,
    OCI_CMD_DELETE,
    OCI_CMD_FEATURES,
    OCI_CMD_VERSION,
    OCI_CMD_HELP,
};

struct oci_cli {
    /* Global flags, as runc takes them before the command. */
    const char *root;    /* state directory (default OCI_DEFAULT_ROOT) */
    const char *log;     /* --log FILE: errors also go there */
    bool log_json;       /* --log-format=json */
    const char *monitor; /* --husk=PATH (default: husk beside us) */
    enum oci_command command;
    const char *id; /* the container id, where the command takes one */
    /* create */
    const char *bundle; /* default "." */
    const char *pid_file;
    const char *console_socket; /* with process.terminal */
    unsigned preserve_fds;
    /* kill */
    const char *signal; /* default "SIGTERM" */
    bool all;
    /* delete */
    bool force;
};

/* Parse argv. Returns 0, or -1 with a one-line reason in err. */
int oci_cli_parse(int argc, char *const argv[], struct oci_cli *cli, char *err,
                  size_t errlen);
/* A container id we accept: 1-1024 characters of [A-Za-z0-9_.+-], not "."
 * or "..": it names a directory under the state root. */
bool oci_id_valid(const char *id);
const char *oci_usage(void);

/* ---- signals.c: signal names (pure) ---- */

/* "TERM", "SIGTERM", "sigterm" or "15": the number, or -1. */
int oci_signal_parse(const char *s);

/* ---- config.c: the bundle's config.json (pure, fuzzed) ---- */

enum oci_ns_type {
    OCI_NS_PID,
    OCI_NS_NETWORK,
    OCI_NS_MOUNT,
    OCI_NS_IPC,
    OCI_NS_UTS,
    OCI_NS_USER,
    OCI_NS_CGROUP,
    OCI_NS_TIME,
    OCI_NS_COUNT,
};

struct oci_mount {
    char *destination, *source, *type;
    bool bind, readonly;
};

struct oci_device {
    char *path;
    char type; /* 'b', 'c', 'u' or 'p' */
    int64_t major, minor;
};

#define OCI_RLIMITS_MAX 16

struct oci_rlimit {
    int resource; /* RLIMIT_* */
    uint64_t soft, hard;
};

struct oci_config {
    char *root_path; /* as given: relative to the bundle, or absolute */
    bool root_readonly;
    struct oci_strv args, env;
    char *cwd; /* process.cwd: absolute; NULL if not given */
    bool terminal;
    uint32_t uid, gid;
    int64_t memory_limit; /* bytes; -1: none */
    bool ns_wanted[OCI_NS_COUNT];
    char *ns_path[OCI_NS_COUNT]; /* join this one; NULL: a new one */
    struct oci_mount *mounts;
    size_t mount_count;
    struct oci_device *devices;
    size_t device_count;
    struct oci_rlimit rlimits[OCI_RLIMITS_MAX];
    size_t rlimit_count;
    struct oci_strv annotations; /* key, value, key, value... */
};

/* Parse config.json's text. Returns 0, or -1 with a one-line reason in
 * err naming the field (e.g. "process.args[0]: not a string"). cfg is
 * freed on failure too. */
int oci_config_parse(const char *text, size_t len, struct oci_config *cfg,
                     char *err, size_t errlen);
void oci_config_free(struct oci_config *cfg);
const char *oci_ns_name(enum oci_ns_type t);

/* ---- plan.c: the monitor's command line from the config (pure) ---- */

struct oci_image_dev {
    uint32_t kind; /* HUSK_DEVICE_BLOCK or HUSK_DEVICE_NET */
    char name[HUSK_DEVICE_NAME_MAX];
};

/* What the runtime learnt of the image (image.c). */
struct oci_image {
    char dir[4096]; /* the host directory that holds it */
    char file[256]; /* its name there: the monitor runs with dir as cwd */
    uint64_t min_mem;
    unsigned device_count;
    struct oci_image_dev devices[HUSK_DEVICES_MAX];
};

/* The container's interface as the guest takes it over (net.c). */
struct oci_net {
    char tap[16];
    char ip[16]; /* dotted quad */
    unsigned prefix;
    char gw[16]; /* empty: no default route */
    char mac[18];
    unsigned mtu;
};

/* The default --mem when the container has no memory limit. */
#define OCI_DEFAULT_MEM (64ULL << 20)

/* The guest memory for this config and image: the memory limit rounded
 * down to HUSK_MEM_ALIGN (at most HUSK_MEM_MAX), or without a limit the
 * larger of OCI_DEFAULT_MEM and the image's minimum. -1 with a reason if
 * the limit is below the image's minimum. */
int oci_plan_mem(const struct oci_config *cfg, const struct oci_image *img,
                 uint64_t *mem, char *err, size_t errlen);

/* The first network device the image declares, or NULL. */
const char *oci_plan_net_device(const struct oci_image *img);

/*
 * The monitor's argv: monitor, --mem, --env for process.env, --user and
 * --group unless root, --block for each block device the image declares
 * (from a bind mount or a block device at /dev/NAME), --net for its network
 * device (net, or -1 if the image declares one and net is NULL), the
 * image's file name (the monitor runs in img->dir), "--", process.args[1..].
 * Checks the guest's argument and environment limits. 0, or -1 with a
 * reason.
 */
int oci_plan_argv(const struct oci_config *cfg, const struct oci_image *img,
                  const struct oci_net *net, const char *monitor,
                  struct oci_strv *argv, char *err, size_t errlen);

/* ---- log.c: errors on stderr and in --log ---- */

void oci_log_open(const char *path, bool json);
/* "husk-oci: message" on stderr and into the log (runc's JSON lines with
 * --log-format=json, which containerd's shim reads back). */
void oci_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void oci_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* oci_error, then exit 1: what runc does for any failure. */
_Noreturn void oci_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* ---- image.c ---- */

/* Find process.args[0] inside the rootfs (never outside it: symbolic links
 * resolve within it) and check it is a Husk image; fills img, or dies
 * with a message that says what the file is instead. */
void oci_image_open(const char *rootfs, const char *path,
                    struct oci_image *img);

/* ---- state.c: one directory per container under the root ---- */

enum oci_status {
    OCI_CREATING,
    OCI_CREATED,
    OCI_RUNNING,
    OCI_STOPPED,
};

struct oci_state {
    char id[1025];
    char dir[4096];    /* <root>/<id> */
    char bundle[4096]; /* absolute */
    char rootfs[4096];
    char created[40]; /* RFC 3339 */
    pid_t pid;
    uint64_t start_time; /* /proc/PID/stat field 22: guards against reuse */
    char netns[4096];    /* the joined namespace's path, or empty */
    char tap[16];        /* the tap made there, or empty */
    char uplink[16];     /* the interface redirected to it */
    struct oci_strv annotations;
};

/* The state directory of id (made with mode 0700 if missing). */
void oci_state_path(const char *root, const char *id, char *dir, size_t len);
/* Make the container's directory; dies if it exists. Returns a locked fd
 * on it (flock), kept until the command ends. */
int oci_state_make(const char *root, const char *id, char *dir, size_t len);
/* Lock an existing container's directory; dies ("does not exist") if it
 * is not there. */
int oci_state_lock(const char *root, const char *id, char *dir, size_t len);
void oci_state_save(const struct oci_state *st);
/* Read dir/state.json; dies if missing or unreadable. */
void oci_state_load(const char *dir, struct oci_state *st);
enum oci_status oci_state_status(const struct oci_state *st);
const char *oci_status_name(enum oci_status s);
/* Remove the directory and everything in it. */
void oci_state_remove(const char *dir);
/* /proc/PID/stat's start time, or 0 if PID is gone or a zombie. */
uint64_t oci_proc_start_time(pid_t pid);
/* The exec fifo the init waits on until start (state dir/exec.fifo). */
#define OCI_EXEC_FIFO "exec.fifo"

/* ---- the commands ---- */

int oci_create(const struct oci_cli *cli);
int oci_start(const struct oci_cli *cli);
int oci_state_cmd(const struct oci_cli *cli);
int oci_kill(const struct oci_cli *cli);
int oci_delete(const struct oci_cli *cli);
int oci_features(void);

/* ---- init.c: the container's process until the monitor replaces it ---- */

struct oci_init_args {
    const struct oci_config *cfg;
    const struct oci_image *img;
    const char *monitor;
    const char *state_dir;
    const char *console_socket;
    int sync_fd; /* one message to create: "ok" or the error */
};

/* In the child of create: join or make the network namespace, take the
 * interface over for the guest, set up the console and rlimits, report
 * to create, wait on the exec fifo for start, exec the monitor. Never
 * returns. */
_Noreturn void oci_init(const struct oci_init_args *a);

/* ---- net.c: the guest takes over the container's interface ---- */

/* In the container's network namespace: the first interface with an IPv4
 * address becomes the guest's. A tap is made, its traffic and the
 * interface's are redirected to each other (tc ingress + mirred), and
 * the guest gets the interface's address, gateway, MAC and MTU. 0, or -1
 * with a reason. No interface with an address: 1 (no network). */
int oci_net_takeover(struct oci_net *net, char *uplink, size_t uplink_len,
                     char *err, size_t errlen);
/* Undo it in the current namespace (best effort: the namespace may be on
 * its way out). */
void oci_net_release(const char *tap, const char *uplink);

/* ---- netlink.c: the few rtnetlink requests net.c needs ---- */

int oci_nl_ingress_redirect(unsigned from_ifindex, unsigned to_ifindex,
                            char *err, size_t errlen);
int oci_nl_ingress_delete(unsigned ifindex);
/* The first interface other than lo with an IPv4 address. */
int oci_nl_first_ipv4(unsigned *ifindex, uint32_t *addr, unsigned *prefix,
                      char *err, size_t errlen);
/* The gateway of the main table's default IPv4 route; 0 if none. */
int oci_nl_default_gateway(uint32_t *gw, char *err, size_t errlen);

/* ---- console.c ---- */

/* Make a pseudo-terminal, send its master to the console socket (as runc
 * does, SCM_RIGHTS), make its slave our controlling terminal and stdio.
 * 0, or -1 with a reason. */
int oci_console_setup(const char *socket_path, char *err, size_t errlen);

#endif
