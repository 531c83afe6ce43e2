/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * husk.h: the monitor's internal API. One struct describes the VM; each
 * start-up phase (see main.c) is one documented function below.
 */
#ifndef HUSK_H
#define HUSK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "../abi/husk_abi.h"
#include "exitcode.h"

#define HUSK_VERSION "0.1.0"

/* ---- log.c ---- */

/* Format a one-line reason into err (errlen bytes) and return -1: the
 * failure path of the pure parsers (args, ELF, device specs). */
int husk_errorf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* --log-level: which lines reach stderr. Error lines (fatal ones, and
 * those that say why the guest stopped) always do; warn is the default. */
enum husk_log_level {
    HUSK_LOG_ERROR,
    HUSK_LOG_WARN,
    HUSK_LOG_INFO,
    HUSK_LOG_DEBUG,
};
void husk_log_set_level(enum husk_log_level level);
/* Whether lines of this level are printed (to skip work for them). */
bool husk_log_enabled(enum husk_log_level level);
/* Print "husk: <message>" on stderr (one write), at every level: an error
 * that does not end the process by itself (the guest's end, a crash). */
void husk_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for output the user asked for (--stats): at every level. */
void husk_reportx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "husk: <message>" on stderr (one write), unless
 * --log-level=error. */
void husk_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "husk: info: <message>" with --log-level=info or debug. */
void husk_infox(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "husk: debug: <message>" with --log-level=debug. */
void husk_debugx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write text (len bytes, its own '\n' included) to stderr as it is, at
 * column 0 as a message line would be (--stats=json). */
void husk_log_raw(const char *text, size_t len);
/* Print "husk: <message>: strerror(errno)" and _exit(code). */
_Noreturn void husk_fatal(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "husk: <message>" and _exit(code). */
_Noreturn void husk_fatalx(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* stderr is a terminal that the guest's console writes to as well (the
 * console's state for it: whether the guest left a line unfinished): the
 * monitor's lines then start at column 0 with the attributes reset. */
void husk_log_console_tty(bool *guest_mid_line);
/*
 * The process backend serves some hypercalls on the guest's thread
 * pointer (proc.c says why), where glibc must not touch its thread-local
 * state: errno, the locale behind printf. What may need that state on such
 * a call's path (a message, a fatal error) calls husk_own_tls() first,
 * which switches to the monitor's thread pointer if needed (the hook is
 * proc.c's; NULL under KVM). The functions above call it themselves.
 */
extern void (*husk_tls_claim)(void);
static inline void husk_own_tls(void)
{
    if (husk_tls_claim != NULL)
        husk_tls_claim();
}

/* ---- json.c: a JSON object writer (pure) ---- */

/* One JSON text into a fixed buffer: objects, numbers, strings, booleans
 * and null, with commas and escaping done here. Nothing is allocated. */
struct husk_json {
    char *buf;
    size_t size, len; /* buf[len] is always '\0' */
    unsigned depth;   /* objects open */
    bool first;       /* no member yet in the innermost object */
    bool overflow;    /* something did not fit: the text is cut */
};

void husk_json_init(struct husk_json *j, char *buf, size_t size);
/* Open an object: the top-level one with key NULL, else a member's. */
void husk_json_begin(struct husk_json *j, const char *key);
void husk_json_end(struct husk_json *j);
/* Members of the innermost object (key NULL only at the top level). */
void husk_json_u64(struct husk_json *j, const char *key, uint64_t v);
void husk_json_i64(struct husk_json *j, const char *key, int64_t v);
/* s as a JSON string: escaped, and each byte that is not well-formed
 * UTF-8 replaced by U+FFFD, so the text stays valid whatever s holds. */
void husk_json_str(struct husk_json *j, const char *key, const char *s);
void husk_json_bool(struct husk_json *j, const char *key, bool b);
void husk_json_null(struct husk_json *j, const char *key);
/* End the text with '\n': 0, or -1 if it did not fit (or was left open). */
int husk_json_finish(struct husk_json *j);

/* ---- args.c: the command line ---- */

#define HUSK_MEM_DEFAULT (64ULL << 20)
#define HUSK_TIMEOUT_MAX (365U * 24 * 3600)
/* --console-rate: bytes per second the guest may print (0: no limit). */
#define HUSK_CONSOLE_RATE_DEFAULT (1ULL << 20)
#define HUSK_CONSOLE_RATE_MAX (1ULL << 30)

/* A device given on the command line: --KIND:NAME=SPEC, such as
 * --block:disk=disk.img (a kind of husk_device_kinds) */
struct husk_device_arg {
    uint32_t kind; /* HUSK_DEVICE_* */
    char name[HUSK_DEVICE_NAME_MAX];
    const char *spec; /* points into argv; its kind's check_spec passed */
};

/* --io-thread; auto by default: on with two CPUs or more (iothread.c). */
enum husk_io_mode { HUSK_IO_OFF, HUSK_IO_AUTO, HUSK_IO_ON };

/* --backend: where the guest runs. auto: KVM where /dev/kvm opens, else
 * the process backend (proc.c). */
enum husk_backend { HUSK_BACKEND_AUTO, HUSK_BACKEND_KVM, HUSK_BACKEND_PROCESS };

/* --stats: none, the text lines (--stats, --stats=text) or one JSON
 * object (--stats=json; stats.c, docs/stats.md). */
enum husk_stats_mode { HUSK_STATS_OFF, HUSK_STATS_TEXT, HUSK_STATS_JSON };

struct husk_config {
    const char *image_path;
    enum husk_backend backend; /* as asked for on the command line */
    uint64_t mem_size;
    unsigned timeout_s; /* 0 = none */
    int guest_argc;     /* arguments after "--" */
    char *const *guest_argv;
    unsigned device_count;
    struct husk_device_arg devices[HUSK_DEVICES_MAX];
    bool help, version;
    enum husk_stats_mode stats;    /* the report when the guest stops */
    enum husk_log_level log_level; /* --log-level; warn by default */
    enum husk_io_mode io_thread;   /* --io-thread */
    unsigned io_spin_us;           /* --io-spin; 0: the default */
    uint64_t console_rate;         /* --console-rate, bytes/s; 0 = no limit */
    const char *user, *group;      /* --user=, --group= as given, or NULL */
    bool no_jail;                  /* --no-jail: seccomp and limits only */
    bool print_seccomp;            /* print the filter instead of running */
    const char *dump_core;         /* --dump-core=FILE, or NULL */
    bool stdin_none;    /* --stdin=none: the guest's stdin is empty */
    unsigned env_count; /* --env=NAME=VALUE, in order given */
    const char *env[HUSK_ENVC_MAX]; /* each "NAME=VALUE", into argv */
    const char *cwd;                /* --cwd=/PATH, or NULL: the root */
    bool mem_given;                 /* --mem was on the command line */
    const char *snapshot_to;        /* --snapshot-to=FILE, or NULL */
    const char *restore;            /* --restore=FILE, or NULL */
    const char *netns; /* --netns=PATH: the jail joins it; or NULL */
    /* --call-channel=SOCKET,MEMORY (libhusk-host's), or -1 and -1. */
    int call_sock, call_mem;
};

/*
 * Parse argv into cfg. Returns 0 on success; on a usage error returns -1
 * with a one-line message (no "husk: " prefix) in err. Pure: no I/O.
 */
int husk_args_parse(int argc, char *const argv[], struct husk_config *cfg,
                    char *err, size_t errlen);

/* How husk_parse_size refuses a size. */
enum husk_size_error {
    HUSK_SIZE_MALFORMED = -1, /* not DIGITS[.DIGITS][UNIT] */
    HUSK_SIZE_FRACTION = -2,  /* a fraction that makes no whole bytes */
    HUSK_SIZE_TOO_LARGE = -3, /* more than 2^64 - 1 bytes */
};

/*
 * Parse a size into bytes: a number of bytes, or a number followed by K,
 * M or G (either case), alone or as KB, KiB, MB, MiB, GB, GiB; all powers
 * of 1024. "B" alone is bytes. A fraction ("1.5G") is allowed where it
 * makes whole bytes. Returns 0, or a husk_size_error (*out untouched).
 * Pure; the one size parser (--mem, --console-rate, net's rate=).
 */
int husk_parse_size(const char *s, uint64_t *out);

/*
 * /dev/kvm did not open, with errnum: the one-line message (no "husk: "
 * prefix) into msg, and whether that means no KVM on this host (ENOENT,
 * ENODEV, ENXIO), where --backend=auto uses the process backend instead.
 * Pure (args.c, with --backend; kvm.c opens /dev/kvm).
 */
bool husk_kvm_open_error(int errnum, char *msg, size_t msglen);

/* The --help text, with each device kind's entry (pure: composed in a
 * static buffer on the first call). */
const char *husk_usage(void);

/* ---- elf.c: validate a static ELF64 image (pure, fuzzable) ---- */

#define HUSK_ELF_PHNUM_MAX 64
#define HUSK_ELF_SEGMENTS_MAX 16

struct husk_elf_segment {
    uint64_t gpa, offset, filesz, memsz;
    uint32_t flags; /* p_flags: PF_R, PF_W, PF_X */
};

struct husk_elf_image {
    uint64_t entry;
    unsigned segment_count;
    struct husk_elf_segment segments[HUSK_ELF_SEGMENTS_MAX];
    uint64_t image_end; /* highest segment end, page-rounded up */
    uint64_t phoff;     /* program headers in the file */
    uint32_t phnum, phentsize;
    uint64_t phdr_gpa; /* where they are loaded, or 0 if not loaded */
    uint32_t abi_version;
    unsigned device_count;
    struct husk_note_device devices[HUSK_DEVICES_MAX];
    /* The first GNU build-id note's bytes, inside the headers' extent
     * (husk_elf_extent); build_id_len 0 if there is none. */
    uint64_t build_id_off;
    uint32_t build_id_len;
};

/*
 * Check everything the loader will rely on, from the first len bytes of
 * an image file of file_len bytes (len at least husk_elf_extent's): ELF
 * header, program headers, segments (in the file, inside
 * [HUSK_LOAD_MIN, HUSK_MEM_MAX), no overlap), entry point inside an
 * executable segment, the Husk ABI note and the device note. Returns 0,
 * or -1 with a one-line reason in err. Pure.
 */
int husk_elf_parse(const uint8_t *bytes, size_t len, size_t file_len,
                   struct husk_elf_image *img, char *err, size_t errlen);

/* As husk_elf_parse, but an image built for another ABI version passes
 * (img->abi_version says which): for husk inspect, which runs nothing and
 * says whether this monitor would. Pure. */
int husk_elf_parse_any_abi(const uint8_t *bytes, size_t len, size_t file_len,
                           struct husk_elf_image *img, char *err,
                           size_t errlen);

/*
 * How many bytes from the start of a file_len-byte image hold all that
 * husk_elf_parse reads: the ELF header, the program headers and the
 * notes (not the segments' bytes, which husk_elf_load reads straight
 * into guest memory, nor debug information). head holds its first
 * head_len bytes and must hold the program headers; where they do not,
 * or what they say is out of the file, the answer is file_len (read it
 * all, and let husk_elf_parse say what is wrong). Pure.
 */
size_t husk_elf_extent(const uint8_t *head, size_t head_len, size_t file_len);

/* The smallest --mem that leaves this image room for its heap and stack. */
uint64_t husk_elf_min_mem(const struct husk_elf_image *img);

/* Read the segments' file bytes from the image file fd straight into
 * guest memory (assumes husk_elf_parse passed and mem_size >=
 * husk_elf_min_mem): 0, or -1 with errno (ENODATA: the file is shorter
 * than the headers said). */
int husk_elf_load(const struct husk_elf_image *img, int fd, uint8_t *mem);

/* ---- huge_pages.c: 2 MiB pages where the image fills them ---- */

struct husk_vm;

#define HUSK_HUGE_PAGE (2ULL << 20)

/* Whether the 2 MiB-aligned chunk of guest memory at chunk is one the
 * image's file bytes fill at least a quarter of. */
bool husk_huge_chunk_wanted(const struct husk_elf_image *img, uint64_t chunk);

/* Ask for transparent huge pages in those chunks that lie in guest
 * memory from mem_lo on (before anything touches them). */
void husk_huge_advise(const struct husk_vm *vm,
                      const struct husk_elf_image *img, uint64_t mem_lo);

/* ---- inspect.c: husk inspect, what an image is without running it ---- */

/*
 * The arguments after "husk inspect" (argv[0] is "inspect"): returns the
 * image's path and sets *json for --json. Prints the help and exits 0
 * for --help; exits 125 with a one-line message on a usage error.
 */
const char *husk_inspect_args(int argc, char *const argv[], bool *json);

/*
 * Describe the image at path on stdout, as text or one JSON object: fd is
 * the image file (O_RDONLY), file_len its size when opened, head its
 * first head_len bytes (husk_elf_extent's, as main.c reads them for a
 * run). Returns 0; a bad image exits 125 with the line a run would print,
 * but one built for another ABI version is described (with whether this
 * monitor runs it). Reads the file with bounded reads; maps and runs
 * nothing, so needs neither the jail nor the seccomp filter.
 */
int husk_inspect(const char *path, bool json, int fd, size_t file_len,
                 const uint8_t *head, size_t head_len);

/* ---- the VM ---- */

enum husk_hc_result {
    HUSK_HC_DONE,      /* resume the guest */
    HUSK_HC_STOP,      /* stop; vm->exit_code says how */
    HUSK_HC_VIOLATION, /* stop with HUSK_EXIT_VIOLATION; vm->message says why */
    HUSK_HC_RESTART,   /* memory is rewound: start the guest at its entry */
};

struct husk_vm;
struct husk_rules; /* allowlist.h */
/* A hypercall handler works on a checked copy of the argument struct. */
typedef enum husk_hc_result (*husk_hc_fn)(struct husk_vm *vm, void *arg);

/* A device call's handler: dev is the device's back-end state
 * (vm->devices[handle]), resolved and kind-checked by the dispatcher from
 * the handle that every device call's struct starts with. */
typedef enum husk_hc_result (*husk_hc_dev_fn)(struct husk_vm *vm, void *dev,
                                              void *arg);

struct husk_hc_entry {
    const char *name;
    size_t arg_size;
    husk_hc_fn fn;         /* a core call, or */
    husk_hc_dev_fn dev_fn; /* a call on the device of kind device_kind */
    uint32_t device_kind;
    /* The handler touches no thread-local state except after
     * husk_own_tls() (raw system calls, no errno, no printf): the process
     * backend may run it on the guest's thread pointer. */
    bool tls_free;
};

#define HUSK_POLL_FDS_MAX HUSK_DEVICES_MAX

/* ---- rate.c: a token bucket (pure) ---- */

/* Up to `burst` bytes at once, `rate` bytes per second sustained. */
struct husk_rate {
    uint64_t rate, burst; /* bytes/s (0: no limit), bytes */
    uint64_t tokens;      /* in byte-nanoseconds per second: bytes * 1e9 */
    uint64_t last_ns;     /* when tokens was last brought up to date */
};

/* A full bucket at time now_ns. */
void husk_rate_init(struct husk_rate *r, uint64_t rate, uint64_t burst,
                    uint64_t now_ns);
/* Take n bytes at time now_ns (monotonic): true if they fit in the bucket,
 * false (and nothing taken) if not. Always true when rate is 0. */
bool husk_rate_take(struct husk_rate *r, uint64_t n, uint64_t now_ns);
/* After husk_rate_take said no: nanoseconds until n bytes will fit (0 if
 * they never will: n is over the burst, or there is no limit). */
uint64_t husk_rate_wait_ns(const struct husk_rate *r, uint64_t n);

#define HUSK_EXIT_REASONS 64

struct husk_vm {
    enum husk_backend backend;  /* the one that runs: KVM or process */
    int kvm_fd, vm_fd, vcpu_fd; /* -1 with the process backend */
    /* The image file, open from its parse until its segments are in
     * guest memory (main.c); -1 after. */
    int image_fd;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *mem; /* host mapping of guest-physical [0, mem_size); 0 with
                   * the process backend, where the two are the same */
    uint64_t mem_size;
    uint64_t tsc_hz;
    uint64_t features;   /* HUSK_FEATURE_* */
    uint64_t clock_call; /* the process backend's vDSO clock_gettime, or 0 */
    const struct husk_config *cfg;
    struct husk_hc_entry calls[HUSK_HC_MAX];
    /* Each device's back-end state, indexed by handle (= the position of
     * its --block:/--net: argument); the kind is cfg->devices[h].kind. */
    void *devices[HUSK_DEVICES_MAX];
    /* Host fds the poll hypercall waits on, indexed by device handle. */
    int poll_fds[HUSK_POLL_FDS_MAX];
    /* And, where a device has work that no fd signals (a frame the
     * monitor makes itself, a nudge it owes: the user-mode network), how
     * long from now until it does, in ns (0 now, UINT64_MAX none): the
     * poll call wakes by then and reports the device ready, so that the
     * guest's next call on it does the work. TLS-free. NULL: none. */
    uint64_t (*poll_due[HUSK_POLL_FDS_MAX])(struct husk_vm *vm, unsigned handle,
                                            uint64_t now);
    uint64_t pollable_mask;
    struct husk_io *io; /* the I/O thread and the queues it serves */
    int exit_code;
    uint64_t exits, hypercalls; /* for --stats */
    /* For --stats=json: KVM exits by exit_reason (reasons at or above the
     * last slot counted in it), calls made by number, and the time the
     * guest ran (measured only when timing: it costs two clock reads per
     * exit or call). */
    uint64_t exit_reasons[HUSK_EXIT_REASONS];
    uint64_t calls_made[HUSK_HC_MAX];
    bool timing;
    uint64_t guest_ns;
    /* "exit" when the guest's exit call ended the run; NULL when the
     * status says why (stats.c). */
    const char *end_reason;
    struct {
        uint64_t writes, stdout_bytes, stderr_bytes; /* written, not dropped */
        uint64_t reads, stdin_bytes;
    } console;                     /* for --stats=json */
    struct husk_rate console_rate; /* --console-rate */
    uint64_t console_dropped;      /* bytes over it, reported at the end */
    /* A console_read found stdin empty: the next wait also ends when it
     * turns readable (drivers/console/host.c, husk_console_wait_fd). */
    bool stdin_armed;
    char message[640]; /* why the guest was stopped */
    /* Guest memory is a private mapping of a snapshot file (--restore):
     * a page given back reads as the file's, not as zeros. */
    bool mem_private_file;
    uint64_t entry; /* the image's entry point, for a restart */
};

/* ---- drivers/console/host.c: stdin in the guest's waits ---- */

/*
 * Every wait of the guest's (the poll call, net_io) adds stdin to what it
 * waits on while the guest last found it empty: append
 * {STDIN_FILENO, POLLIN} to its ppoll set when this is true, and call
 * husk_stdin_woke if that entry's revents is not 0. TLS-free (a flag).
 */
static inline bool husk_stdin_wanted(const struct husk_vm *vm)
{
    return vm->stdin_armed;
}
static inline void husk_stdin_woke(struct husk_vm *vm)
{
    vm->stdin_armed = false; /* one wake-up per empty read */
}

/* ---- gpa.c: the only way to reach guest memory ---- */

/*
 * Host pointer to guest-physical [gpa, gpa + len), or NULL if any byte of
 * it lies outside the guest's own memory [HUSK_LOAD_MIN, mem_size) or
 * gpa + len overflows. len may be 0. The only memory a hypercall may make
 * the monitor write: nothing below HUSK_LOAD_MIN, ever.
 */
void *husk_gpa_range(const struct husk_vm *vm, uint64_t gpa, uint64_t len);
/* The same for memory the monitor only reads (a console line, a block
 * write's data): also the boot data the guest was given (boot information,
 * argv and its strings, program headers), never the exception stub. */
const void *husk_gpa_range_ro(const struct husk_vm *vm, uint64_t gpa,
                              uint64_t len);
/* The fault call's argument: the frame the exception stub built on the
 * exception stack, or (a guest may call it itself) its own memory. */
const void *husk_gpa_fault_frame(const struct husk_vm *vm, uint64_t gpa,
                                 uint64_t len);

/* ---- hypercall.c: table and dispatch ---- */

/* Put a handler into the table. -1 if nr is out of range or taken. */
int husk_hc_register(struct husk_vm *vm, unsigned nr, const char *name,
                     size_t arg_size, husk_hc_fn fn);
/* The same for a call on a device of this kind (HUSK_DEVICE_*): its
 * struct starts with the device's handle, which the dispatcher checks
 * (a device of this kind) before fn runs. */
int husk_hc_register_device(struct husk_vm *vm, unsigned nr, const char *name,
                            size_t arg_size, uint32_t kind, husk_hc_dev_fn fn);
/* Mark call nr, registered, as TLS-free (husk_hc_entry.tls_free). */
void husk_hc_mark_tls_free(struct husk_vm *vm, unsigned nr);

/* Record why the guest is being stopped; returns HUSK_HC_VIOLATION. */
enum husk_hc_result husk_violation(struct husk_vm *vm, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Handle one guest access to an address without memory (a KVM MMIO exit):
 * a hypercall if it is an 8-byte store to a registered slot of the
 * hypercall page, an ABI violation otherwise.
 */
enum husk_hc_result husk_hc_dispatch(struct husk_vm *vm, uint64_t gpa,
                                     uint32_t len, bool is_write,
                                     const uint8_t *data);

/*
 * Make hypercall nr with the argument struct at arg_gpa: the checks every
 * call shares (number, alignment, the struct inside guest memory), then
 * the handler on a private copy. Both backends come here.
 */
enum husk_hc_result husk_hc_call(struct husk_vm *vm, uint64_t nr,
                                 uint64_t arg_gpa);

/* Register exit, abort, wall clock and poll (core_calls.c). */
void husk_core_calls_register(struct husk_vm *vm);

/* ---- device kinds: what the command line and the image know of each ---- */

/*
 * A device kind, as far as the pure parts need it (the command line, its
 * help, the match against the image's device note): no open, no KVM, so
 * that the unit tests and fuzzers link it. Each kind defines its own in
 * drivers/<kind>/spec.c, as husk_<kind>_kind.
 */
struct husk_device_kind {
    uint32_t kind;         /* HUSK_DEVICE_*, as in the image's device note */
    const char *name;      /* as in --NAME:DEV=SPEC and husk-cc --NAME=DEV */
    const char *spec_name; /* what SPEC names, for messages: FILE, TAP */
    /* Its entry in husk --help: "  --NAME:...", lines ending in '\n'. */
    const char *usage;
    /* Check SPEC as the back end will parse it when it opens the device:
     * 0, or -1 with a one-line reason in err. Pure. */
    int (*check_spec)(const char *spec, char *err, size_t errlen);
};

/* ---- devices.c: the device back ends ---- */

/* What a device back end (drivers/<kind>/host.c) provides. */
struct husk_device_ops {
    const struct husk_device_kind *kind; /* its pure half, above */
    bool wants_io_thread; /* its calls may use the I/O thread's queues */
    /* Open the host side of device `handle` (before the sandbox); exits
     * with HUSK_EXIT_MONITOR and a one-line message if it cannot. */
    void (*open)(struct husk_vm *vm, unsigned handle,
                 const struct husk_device_arg *arg);
    /* The hypercall that tells the guest what the device is (its size,
     * its addresses): a snapshot records its answer, and a restore must
     * get the same. 0: none. */
    unsigned info_call;
    /* Register the kind's hypercalls; called once if any device of the
     * kind is configured. */
    void (*register_calls)(struct husk_vm *vm);
    /* Allow the system calls device `handle` needs, restricted to its own
     * fds. Returns 0, or -1 on failure. */
    int (*sandbox_rules)(struct husk_vm *vm, unsigned handle,
                         struct husk_rules *rules);
    /* Print device `handle`'s counters for --stats (optional). */
    void (*report_stats)(struct husk_vm *vm, unsigned handle);
    /* Add its counters to its object in --stats=json (optional). */
    void (*stats_json)(struct husk_vm *vm, unsigned handle,
                       struct husk_json *j);
};

/*
 * Every device kind, once, in the order of husk --help. X(kind) names a
 * folder drivers/<kind>/ whose spec.c defines husk_<kind>_kind and whose
 * host.c defines husk_<kind>_ops (with .kind = &husk_<kind>_kind). Adding
 * a kind is that folder and one line here: the command line, its help,
 * the match against the image and the back-end table all follow it.
 */
#define HUSK_DEVICE_KINDS(X) \
    X(block)                 \
    X(net)

#define HUSK_DEVICE_KIND_DECLARE(k)                       \
    extern const struct husk_device_kind husk_##k##_kind; \
    extern const struct husk_device_ops husk_##k##_ops;
HUSK_DEVICE_KINDS(HUSK_DEVICE_KIND_DECLARE)
#undef HUSK_DEVICE_KIND_DECLARE

/* Every kind's pure half, in the list's order, then NULL (device_kinds.c,
 * pure). */
extern const struct husk_device_kind *const husk_device_kinds[];
/* The kind numbered kind (HUSK_DEVICE_*), or NULL. Pure. */
const struct husk_device_kind *husk_device_kind_of(uint32_t kind);

/* The back end for a kind, or NULL. */
const struct husk_device_ops *husk_device_ops_of(uint32_t kind);

/*
 * Check that the devices on the command line and those the image declares
 * match, name for name and kind for kind; exits 125 with a message if not.
 */
void husk_devices_match(const struct husk_config *cfg,
                        const struct husk_elf_image *img);
/* Open each device's host side and register its hypercalls. */
void husk_devices_open(struct husk_vm *vm);
/* Whether a configured device can use the I/O thread's queues. */
bool husk_devices_want_io_thread(const struct husk_config *cfg);
/* Print each device's --stats counters. */
void husk_devices_report_stats(struct husk_vm *vm);
/* Each device's object in --stats=json ("name": {"kind": ..., ...}). */
void husk_devices_stats_json(struct husk_vm *vm, struct husk_json *j);

/* ---- kvm.c: VM, memory, vCPU ---- */

/* Pick the backend (--backend) and open it, before the jail: /dev/kvm by
 * path for KVM (auto falls back to the process backend only when there
 * is no KVM device here at all). Sets vm->backend; exits 125 with one line
 * if the backend asked for cannot run. */
void husk_backend_open(struct husk_vm *vm);
/* Create the VM with mem_size bytes and one vCPU, in the process that
 * runs the vCPU: the jailed child, so after the jail's split. */
void husk_vm_create(struct husk_vm *vm, uint64_t mem_size);

/* ---- cpu_x86_64.c: long mode at CPL3 ---- */

/* Page tables, GDT, TSS, control registers, CPUID, XCR0, FPU; the vCPU
 * starts at entry in ring 3 with %rdi = bootinfo_gpa. Sets vm->tsc_hz and
 * vm->features. */
void husk_cpu_setup(struct husk_vm *vm, uint64_t entry, uint64_t bootinfo_gpa);
/* After a call answered HUSK_HC_RESTART: finish that call's exit without
 * running the guest, then put the vCPU at vm->entry as husk_cpu_setup
 * did (registers and FPU; the rest is as the guest cannot change it). */
void husk_cpu_restart(struct husk_vm *vm);

/* Guest-physical layout of what the monitor puts below HUSK_LOAD_MIN. */
#define HUSK_GDT_GPA 0x1000ULL
#define HUSK_TSS_GPA 0x2000ULL
#define HUSK_PML4_GPA 0x3000ULL
#define HUSK_PDPT_GPA 0x4000ULL
#define HUSK_PT0_GPA 0x5000ULL   /* 4 KiB pages of the first 2 MiB */
#define HUSK_PD_HC_GPA 0x6000ULL /* the GiB that holds the hypercall page */
#define HUSK_IDT_GPA 0x7000ULL   /* 32 exception gates (trap_x86_64.c) */
#define HUSK_PD_GPA 0x10000ULL   /* one page per GiB of memory, up to 32 */
#define HUSK_BOOT_GPA 0x40000ULL /* boot info, then argv, phdrs (user) */
#define HUSK_TRAP_CODE_GPA 0x44000ULL /* the exception stub (user, read-only) */
#define HUSK_TRAP_STACK_TOP 0x46000ULL /* its stack: 0x45000-0x45fff (user) */
#define HUSK_BOOT_END 0x48000ULL /* 0x46000-0x47fff: the environment (user) */

/* ---- proc.c: the process backend ---- */

/* Measure the TSC and the host's features for the guest (before the jail). */
void husk_proc_open(struct husk_vm *vm);
/* Register the process backend's own hypercall (set_tls, if needed). */
void husk_proc_register(struct husk_vm *vm);
/* Map guest memory at its guest-physical addresses in this process;
 * exits 125 with one line if anything is in the way. */
void husk_proc_create(struct husk_vm *vm, uint64_t mem_size);
/* The guest's hypercall entry, for the boot information. */
uint64_t husk_proc_entry_address(void);
/* Signal stack and handlers (faults, stop signals): before the filter. */
void husk_proc_prepare(struct husk_vm *vm);
/* Run the guest from entry until it stops; ends the process. */
_Noreturn void husk_proc_run(struct husk_vm *vm, uint64_t entry);
/* Append to p the instructions that refuse every system call made from
 * guest code (the allowlist follows them), and what the allowlist must
 * add for this backend. */
struct husk_program;
void husk_proc_guest_prefix(const struct husk_vm *vm, struct husk_program *p);
int husk_proc_sandbox_rules(const struct husk_vm *vm, struct husk_rules *rules);

/* ---- vdso.c ---- */

/* The address of the kernel vDSO's function name, or 0. */
uintptr_t husk_vdso_symbol(const char *name);

/* ---- run.c: stopping and ending, for both backends ---- */

/* The status to stop with, after its line on stderr, if the I/O thread,
 * a signal or --timeout stopped the guest; -1 to run on. */
int husk_stop_status(struct husk_vm *vm);
/* A hypercall's result as a status (after its line), or -1 to run on. */
int husk_hc_status(struct husk_vm *vm, enum husk_hc_result r);
/* The end of every run: dropped output, --stats, then _exit(status). */
_Noreturn void husk_run_end(struct husk_vm *vm, int status);

/* ---- stats.c: --stats=json, and the phases of a run ---- */

/* The phases of main(), in order (issue 18's boot breakdown). */
enum husk_phase {
    HUSK_PHASE_START,          /* main() entered */
    HUSK_PHASE_ARGS_PARSED,    /* the command line */
    HUSK_PHASE_IMAGE_PARSED,   /* the image's headers read and checked */
    HUSK_PHASE_DEVICES_OPENED, /* backend and devices opened */
    HUSK_PHASE_JAIL_ENTERED,   /* namespaces (or --no-jail) */
    HUSK_PHASE_VM_CREATED,     /* guest memory (and the VM) */
    HUSK_PHASE_IMAGE_LOADED,   /* the segments in guest memory */
    HUSK_PHASE_SANDBOX_LOADED, /* the seccomp filter armed */
    HUSK_PHASE_GUEST_STARTED,  /* just before its first instruction */
    HUSK_PHASE_GUEST_READY,    /* its first ready call (husk_ready()) */
    HUSK_PHASE_GUEST_EXITED,   /* the run is over (husk_run_end) */
    HUSK_PHASE_TEARDOWN,       /* the end report, just before _exit */
    HUSK_PHASES
};

/* CLOCK_MONOTONIC in ns: the vDSO, no system call and no thread state.
 * Not instrumented, inline: the process backend reads it on the guest's
 * %fs, where a sanitizer's thread state is not to be found. */
__attribute__((no_sanitize_address)) static inline uint64_t husk_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
/* Note that phase p is reached now (its first time only). */
void husk_phase(enum husk_phase p);
/* The "debug: phases" line (--log-level=debug). */
void husk_phases_debug(void);
/* Allow what the JSON report needs (getrusage, mincore), with
 * --stats=json */
int husk_stats_sandbox_rules(const struct husk_vm *vm,
                             struct husk_rules *rules);
/* How the run ended, in a word: exit, abort, crash, violation, timeout,
 * signal, monitor_error (or unknown). */
const char *husk_stats_end_reason(const struct husk_vm *vm, int status);
/* Write the --stats=json line on stderr: how the guest ended (status),
 * exits, calls, times, memory, devices (docs/stats.md). */
void husk_stats_json(struct husk_vm *vm, int status);

/* ---- trap_x86_64.c: exceptions become crash reports ---- */

/* The IDT, the stub and IST1 (called by husk_cpu_setup). */
void husk_trap_setup(struct husk_vm *vm, uint16_t code_selector);
/* Register HUSK_HC_FAULT. */
void husk_trap_register(struct husk_vm *vm);
struct kvm_regs;
struct kvm_sregs;
/* "guest crashed: <exception> at rip=...", where (if not NULL) says where
 * the fault happened if not in guest code, then the registers if all_regs
 * (s may be NULL). Shared by both backends. */
void husk_report_fault(uint64_t vector, uint64_t error, const char *where,
                       const struct kvm_regs *r, bool all_regs,
                       const struct kvm_sregs *s);

/* ---- symbols.c: the function a crash happened in ---- */

/*
 * The function at addr in the ELF file bytes[0, len), from its .symtab:
 * its name (printable bytes only, cut to namelen - 1) into name and addr's
 * offset from its start into *offset. The symbol whose extent holds addr,
 * else the nearest one below addr if it has no size (an assembly label).
 * Returns false if there is none, or no symbol table. Pure; every offset
 * and size in the untrusted bytes is checked.
 */
bool husk_symbol_find(const uint8_t *bytes, size_t len, uint64_t addr,
                      char *name, size_t namelen, uint64_t *offset);
/* Map the image file (fd, len bytes) read-only for crash reports, before
 * the filter; nothing is read. A failure only leaves reports unnamed. */
void husk_symbols_map(int fd, size_t len);
/* " (in NAME+0xOFF)" for the guest address addr into buf, or "" if the
 * image names nothing there. Reads the mapping only: no system call. */
void husk_symbolize(uint64_t addr, char *buf, size_t buflen);

/* ---- guest_pages.c: the guest pages that hold anything ---- */

/* Where guest memory that is the guest's starts: the boot area (below it,
 * under KVM, the monitor's page tables, GDT and IDT). */
uint64_t husk_guest_mem_start(void);
typedef void (*husk_guest_page_fn)(void *ctx, uint64_t gpa,
                                   const uint8_t *page);
/* Call fn (if not NULL) for each resident guest page from
 * husk_guest_mem_start() up, in order, without touching the others;
 * returns how many there are, or -1 if mincore fails. No allocation. */
int64_t husk_guest_pages_each(const struct husk_vm *vm, husk_guest_page_fn fn,
                              void *ctx);
/* Whether the HUSK_PAGE_SIZE bytes at page are all zero. Pure. */
bool husk_guest_page_is_zero(const uint8_t *page);
/* Allow mincore when --stats=json, --dump-core or --snapshot-to reads
 * guest memory; 0 or -1. */
int husk_guest_pages_sandbox_rules(const struct husk_vm *vm,
                                   struct husk_rules *rules);

/* ---- outfile.c: a file written after the filter is armed ---- */

struct husk_outfile {
    int fd; /* -1: none */
    uint8_t *map;
    uint64_t len;
};
/* Create path (for flag=path, in messages) at len bytes, sparse, and map
 * it shared, before the jail and the limits; exits 125 with one line if
 * it cannot, or if it is a file this run uses (the image, stdout). */
void husk_outfile_create(const char *flag, const char *path, uint64_t len,
                         struct husk_outfile *out);
/* Allow emptying it; 0 or -1. */
int husk_outfile_sandbox_rules(const struct husk_outfile *f,
                               struct husk_rules *rules);
/* Empty it: a run that wrote nothing to it. One raw system call. */
void husk_outfile_discard(const struct husk_outfile *f);

/* ---- snapshot_format.c: the snapshot file (pure) ---- */

#define HUSK_SNAPSHOT_MAGIC "HUSKSNAP" /* 8 bytes, no NUL */
#define HUSK_SNAPSHOT_FORMAT 1
#define HUSK_SNAPSHOT_BUILD_ID_MAX 64
#define HUSK_SNAPSHOT_INFO_MAX 64

/* A device as the guest knew it when the snapshot was taken. */
struct husk_snapshot_device {
    uint32_t kind; /* HUSK_DEVICE_* */
    uint32_t info_len;
    char name[HUSK_DEVICE_NAME_MAX];
    uint8_t info[HUSK_SNAPSHOT_INFO_MAX]; /* its info call's answer */
};

/* The file's first page; guest memory follows at data_offset. */
struct husk_snapshot_header {
    char magic[8];        /* HUSK_SNAPSHOT_MAGIC */
    uint32_t format;      /* HUSK_SNAPSHOT_FORMAT */
    uint32_t abi_version; /* HUSK_ABI_VERSION of the monitor that wrote it */
    uint64_t mem_size;    /* the guest's --mem */
    uint64_t data_offset; /* where guest memory from husk_guest_mem_start()
                           * is in the file: one page */
    uint64_t file_size;   /* the whole file */
    uint32_t build_id_len;
    uint32_t device_count;
    uint8_t build_id[HUSK_SNAPSHOT_BUILD_ID_MAX]; /* the image's */
    struct husk_snapshot_device devices[HUSK_DEVICES_MAX];
    uint64_t pages; /* pages of memory written (the others are holes) */
    uint64_t sum;   /* FNV-1a of the bytes before it */
};

/* The file's size for a guest of mem_size bytes. Pure. */
uint64_t husk_snapshot_file_size(uint64_t mem_size);
/* Set the magic and the checksum: the header is complete. Pure. */
void husk_snapshot_seal(struct husk_snapshot_header *h);
/* Whether h (read from a file of file_size bytes) is a whole snapshot
 * this monitor can restore: 0, or -1 with a one-line reason. Pure. */
int husk_snapshot_check(const struct husk_snapshot_header *h,
                        uint64_t file_size, char *err, size_t errlen);
/* Whether the snapshot was taken from the image with this build ID. */
int husk_snapshot_match_image(const struct husk_snapshot_header *h,
                              const uint8_t *build_id, uint32_t build_id_len,
                              char *err, size_t errlen);
/* Whether the devices of this run (count of them) are the snapshot's. */
int husk_snapshot_match_devices(const struct husk_snapshot_header *h,
                                const struct husk_snapshot_device *now,
                                unsigned count, char *err, size_t errlen);

/* ---- snapshot.c: --snapshot-to=FILE, --restore=FILE ---- */

/* Before the jail, after the image's headers are checked: create
 * --snapshot-to's file, or open --restore's and check it against the
 * image (and set cfg->mem_size to its guest's). Exits 125 with one line
 * on any fault. Without either, nothing. */
void husk_snapshot_open(struct husk_config *cfg,
                        const struct husk_elf_image *img, const uint8_t *head);
/* Whether this run restores a snapshot. */
bool husk_snapshot_restoring(void);
/* Whether fd is a snapshot file's (not a device's, for the limits). */
bool husk_snapshot_owns_fd(int fd);
/* --restore: after the devices are open, check that each tells the guest
 * what it did when the snapshot was taken; exits 125 if not. */
void husk_snapshot_check_devices(struct husk_vm *vm);
/* --restore: map the snapshot's memory copy-on-write over guest memory
 * (executable for the process backend). */
void husk_snapshot_map(struct husk_vm *vm, bool exec);
/* Register the ready call (every run has it). */
void husk_snapshot_register(struct husk_vm *vm);
/* Write guest memory to --snapshot-to's file now (the guest waits in a
 * call that saved its context: ready, or call_next); false if there is no
 * file, it was written already, or a queued block request was bad (then
 * husk_io_stopped is true). */
bool husk_snapshot_take(struct husk_vm *vm);
/* Put guest memory back as --restore's file has it, in place: the pages
 * the guest wrote are dropped (MADV_DONTNEED on the private mapping; the
 * cost is the pages it touched) and the boot information says "resumed"
 * again; the caller restarts the guest at its entry. False, and nothing
 * done, if this run did not start from a snapshot or has devices, whose
 * host-side state would not rewind with it. */
bool husk_snapshot_rewind(struct husk_vm *vm);
/* Whether husk_snapshot_rewind can (for the filter, before the run). */
bool husk_snapshot_can_rewind(const struct husk_vm *vm);

/* ---- calls.c: --call-channel, libhusk-host's calls ---- */

/* Before the jail: check and map the channel's socket and memory (exits
 * 125 if they are not what libhusk-host makes). Without --call-channel,
 * nothing. */
void husk_calls_open(const struct husk_config *cfg);
bool husk_calls_enabled(void);
/* Whether fd is the channel's (not a device's, for the limits). */
bool husk_calls_owns_fd(int fd);
/* Register call_next and host_call, with a channel. */
void husk_calls_register(struct husk_vm *vm);
/* Allow reading and writing the channel's socket, and under KVM the
 * vCPU ioctls of a rewind */
int husk_calls_sandbox_rules(const struct husk_vm *vm,
                             struct husk_rules *rules);
/* Allow emptying --snapshot-to's file; 0 or -1. */
int husk_snapshot_sandbox_rules(struct husk_rules *rules);
/* The end of a run with status: a --snapshot-to that was never written
 * is emptied and said so; returns the status to exit with. */
int husk_snapshot_end(const struct husk_vm *vm, int status);

/* ---- core_dump.c: --dump-core=FILE ---- */

/* What a core says besides guest memory. */
struct husk_core_info {
    const struct kvm_regs *regs; /* the faulting thread's */
    uint64_t fs_base, gs_base;
    uint16_t cs, ss;
    int signal;                  /* the signal a process would have died of */
    uint64_t mem_start, mem_end; /* the guest memory it holds */
    const char *image_path;
};

/* Where guest memory starts in the file: the headers' size, page-rounded.
 * Pure. */
uint64_t husk_core_data_offset(void);
/* The file's size for guest memory [mem_start, mem_end). Pure. */
uint64_t husk_core_file_size(uint64_t mem_start, uint64_t mem_end);
/* The ELF header, program headers and notes, into the first
 * husk_core_data_offset() bytes of buf. Pure. */
void husk_core_headers(uint8_t *buf, const struct husk_core_info *info);
/* The signal that x86 exception vector means to a process. Pure. */
int husk_core_signal_of(uint64_t vector);
/* With --dump-core: create FILE, reserve its full size (sparse) and map
 * it, before the jail and the limits; exits 125 with one line if it
 * cannot. Without it, nothing. */
void husk_core_open(const struct husk_config *cfg);
/* The core file's fd (not counted for RLIMIT_FSIZE), or -1. */
int husk_core_fd(void);
/* Allow emptying the core file; 0 or -1. */
int husk_core_sandbox_rules(struct husk_rules *rules);
/* A crash: write guest memory and the registers (s may be NULL) to the
 * core file if there is one, and say so on stderr. No system call but
 * that line. */
void husk_core_dump(struct husk_vm *vm, const struct kvm_regs *r,
                    const struct kvm_sregs *s, int signal);
/* The end of a run: a core file that holds no core is emptied. */
void husk_core_discard(void);

/* ---- bootinfo.c ---- */

/* Write boot information (argv, devices, clock, phdrs); returns its GPA. */
uint64_t husk_bootinfo_write(struct husk_vm *vm,
                             const struct husk_elf_image *img,
                             const uint8_t *image_bytes);
/* husk --restore: rewrite only the fields that differ between runs in
 * the snapshot's boot information, and mark it HUSK_FEATURE_RESUMED
 * (abi/husk_abi.h); returns its GPA. */
uint64_t husk_bootinfo_resume(struct husk_vm *vm);

/* ---- iothread.c: serving device queues without exits ---- */

/* A device's queue, as the I/O thread and kicks serve it. */
struct husk_io_queue {
    /* Serve what the guest has submitted; never blocks on the guest.
     * Returns requests served, adding the bytes they moved to *bytes, or
     * -1 with a one-line reason in why. */
    long (*serve)(struct husk_vm *vm, void *ctx, uint64_t *bytes, char *why,
                  size_t whylen);
    /* Tell the guest whether it must kick (the thread sleeps). */
    void (*set_sleeping)(void *ctx, bool sleeping);
    void *ctx;
};

/* Allocate what the queues need, before the sandbox: a device that may
 * get a queue calls it when it is opened (nothing allocates after the
 * filter is armed; docs/security.md). */
void husk_io_prepare(struct husk_vm *vm);
/* Start the I/O thread (before the sandbox) if a device may want it and
 * --io-thread allows: auto starts it when two CPUs or more are ours. */
void husk_io_start(struct husk_vm *vm, bool needed);
bool husk_io_running(const struct husk_vm *vm);
/* Allow what the I/O thread needs, if it runs */
int husk_io_sandbox_rules(const struct husk_vm *vm, struct husk_rules *rules);
/* Add a queue (the guest set one up); the thread polls it from now on. */
void husk_io_add_queue(struct husk_vm *vm, struct husk_io_queue q);
/* A kick: serve q now in this thread and wake the I/O thread. Returns as
 * q->serve does. */
/* Serve every queue until none has work, and keep the I/O thread from
 * touching guest memory until husk_io_release: for a snapshot. A bad
 * request found makes husk_io_stopped true. */
void husk_io_quiesce(struct husk_vm *vm);
void husk_io_release(struct husk_vm *vm);
long husk_io_kick(struct husk_vm *vm, const struct husk_io_queue *q, char *why,
                  size_t whylen);
/* Whether the I/O thread stopped the guest; if so, sets vm->message and
 * vm->exit_code. */
bool husk_io_stopped(struct husk_vm *vm);
void husk_io_report_stats(struct husk_vm *vm);
/* Its "io_thread" object in --stats=json (nothing without queues). */
void husk_io_stats_json(struct husk_vm *vm, struct husk_json *j);

/* ---- limits.c: fds, core dumps, rlimits (with or without the jail) ---- */

/* Before anything is opened: fds 0-2 open (on /dev/null if they were
 * closed, so that no file we open later becomes the console), every
 * other inherited fd closed but the keep_count in keep (fds >= 3). */
void husk_fds_sanitize(const int *keep, unsigned keep_count);
/* No core dumps, not dumpable (no ptrace by other processes of the user). */
void husk_no_dumps(void);
/* Measure, while /proc is still there (before the jail), what the limits
 * of husk_limits_apply will be: the address space and the file sizes. */
void husk_limits_prepare(struct husk_vm *vm);
/* After set-up: close the fds the guest does not need (KVM's system and VM
 * fds; stdin with --stdin=none) and set RLIMIT_NOFILE (the fds a wait
 * names), RLIMIT_FSIZE and RLIMIT_AS. */
void husk_limits_apply(struct husk_vm *vm);

/* ---- jail.c: namespaces, an empty root, ids, capabilities ---- */

/* Resolve --user/--group (before anything is opened); exits 125 with one
 * line if a name is unknown or the caller may not switch. */
void husk_jail_resolve(const struct husk_config *cfg);
/* The ids the jail switches to, as resolved: each only if --user or
 * --group gave it (--user alone gives its primary group too). */
void husk_jail_ids(bool *has_uid, uid_t *uid, bool *has_gid, gid_t *gid);
/* A user's ids from /etc/passwd (as --user finds them); false if absent. */
bool husk_jail_find_user(const char *name, uid_t *uid, gid_t *gid);
/*
 * Unless --no-jail: fresh mount, pid, ipc, uts and net namespaces (and a
 * user namespace when unprivileged), an empty read-only root, then a
 * child: the parent stays behind as the supervisor (never returns; it
 * exits as the child does), the child returns as PID 1 of the new pid
 * namespace.
 * Always: --user/--group, all capabilities dropped, PR_SET_NO_NEW_PRIVS,
 * no core dumps. Call after every host file is open, before
 * husk_vm_create. Exits 125 with one line if the host refuses.
 */
void husk_jail_enter(struct husk_vm *vm);

/* ---- supervise.c: the jail's parent ---- */

/* Split into the supervisor and a child that shares its memory; returns
 * in the child. The parent waits for the child, kills it if it is told
 * to stop, and exits as it did; keep_fd stays open in it (the child
 * watches it to see that the parent is alive). */
void husk_supervise_start(int keep_fd);
/* In the child, before the guest's first instruction: wait until the
 * supervisor's filter is loaded (at once without a supervisor). */
void husk_supervise_await(void);
/* A helper process a device started before the jail (the user-mode
 * network's passt): the supervisor kills and reaps it when the monitor
 * has ended, before it exits itself, so that none outlives husk. */
void husk_supervise_helper(pid_t pid);

/* ---- sandbox.c: the seccomp allowlists ---- */

/* Gather the seccomp allowlist for this VM and its devices into r; 0, or
 * -1 if a rule did not fit. (gen/monitor_filters.c calls it too.) */
int husk_sandbox_rules(struct husk_vm *vm, struct husk_rules *r);
/* The seccomp program for this VM, or with --print-seccomp print its
 * allowlist and exit. Before the rlimits: it may compile it now. */
struct husk_program *husk_sandbox_build(struct husk_vm *vm);
/* Install it: from here on the process may only run the vCPU. */
void husk_sandbox_load(struct husk_vm *vm, const struct husk_program *p);

/* Test builds only (tests/sandbox/probe.c, -DHUSK_TEST_PROBE): report on
 * or attack the sandbox at a stage of start-up; see tests/sandbox-suite.sh. */
#ifdef HUSK_TEST_PROBE
void husk_test_probe(struct husk_vm *vm, const char *stage);
#else
#define husk_test_probe(vm, stage) ((void)(vm), (void)(stage))
#endif

/* ---- vcpu.c ---- */

/* Start the --timeout clock and catch SIGTERM, SIGINT and SIGHUP, which
 * stop the guest with status 128 + the signal after the report (before
 * the sandbox: it needs sigaction). The signals stay blocked in the vCPU
 * thread but for its waits (stop.c); KVM_RUN opens them itself. */
void husk_timeout_arm(struct husk_vm *vm);

/* ---- stop.c: stop requests (--timeout, SIGTERM, SIGINT, SIGHUP) ---- */

/* Block the stop signals in this thread (before the jail's split): one that
 * comes during set-up waits for the handlers instead of being lost. */
void husk_stop_block_signals(void);
/* This thread's signal mask with the stop signals open, for ppoll: a stop
 * ends the wait even if it came just before. NULL before set-up. */
const sigset_t *husk_wait_sigmask(void);
/* A signal handler's work: note a stop (SIGALRM: --timeout, SIGTERM,
 * SIGINT, SIGHUP; others are ignored) and end a husk_stop_write in
 * progress, by a jump: call it last in a handler. */
void husk_note_signal(int sig);
/* A stop was asked for: a call that failed with EINTR gives up. */
bool husk_stop_requested(void);
/* The stop signal noted (SIGALRM for --timeout), or 0. */
int husk_stop_signal(void);
/* Run the handlers of stop signals pending in this thread. */
void husk_stop_deliver(void);
/* write(2) that a stop request ends with EINTR, even one that came just
 * before it (the console's writes to stdout and stderr). */
ssize_t husk_stop_write(int fd, const void *buf, size_t len);
/* read(2) that a stop request ends with EINTR in the same way (stdin). */
ssize_t husk_stop_read(int fd, void *buf, size_t len);

struct kvm_regs;
struct kvm_sregs;
/* The register dump of a crash report (sregs may be NULL). */
void husk_print_registers(const struct kvm_regs *r, const struct kvm_sregs *s);

/* Run the guest until it stops; returns the monitor's exit status. */
int husk_vcpu_run(struct husk_vm *vm);

#endif
