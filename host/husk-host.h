/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * husk-host.h: libhusk-host, for programs that call functions inside a
 * Husk guest as they would call a library (a filter, a plug-in, a user's
 * function), each guest isolated in its own sandboxed monitor.
 *
 * A sandbox is one guest image, started once: its main() initialises,
 * then it serves calls to the functions it exports with HUSK_EXPORT
 * (<husk.h> in the guest). Each call is bytes in, bytes out. The guest
 * may call back the functions registered here, and nothing else.
 *
 * Confinement: the guest runs in a husk monitor that this library starts
 * as a child process (the husk command, found as the options say), with
 * everything a husk run has: the KVM boundary or the process backend, the
 * seccomp filter, the namespaces and limits. Nothing of the guest runs in
 * the calling process. docs/embedding.md says more.
 *
 * Not thread-safe per sandbox: one call at a time on each.
 */
#ifndef HUSK_HOST_H
#define HUSK_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a call, or a restore, came to. */
enum husk_result {
    HUSK_OK = 0,
    HUSK_ERR_GUEST = 1, /* the guest's function failed: husk_sandbox_code */
    HUSK_ERR_NO_FUNCTION = 2, /* the guest exports no function of that name */
    HUSK_ERR_TOO_LARGE =
        3, /* input or output over 1 MiB, or output over out_cap */
    HUSK_ERR_CRASHED =
        4, /* the guest crashed or aborted: husk_sandbox_report */
    HUSK_ERR_TIMEOUT =
        5, /* the call ran past call_timeout_ms: the guest was stopped */
    HUSK_ERR_VIOLATION = 6, /* the guest broke the ABI: husk_sandbox_report */
    HUSK_ERR_EXITED = 7,    /* the guest exited instead of serving */
    HUSK_ERR_STOPPED =
        8, /* the sandbox does not run (after one of the three above): restore it */
    HUSK_ERR_MONITOR =
        9, /* husk failed, or the arguments are wrong: husk_sandbox_report */
};

/* The largest input or output of a call, either way. */
#define HUSK_SANDBOX_DATA_MAX (1U << 20)

/* A function the guest may call (husk_host_call in the guest): as a
 * guest's exported function, plus ctx. Returns 0, or an error code. */
typedef int (*husk_host_fn)(void *ctx, const void *in, size_t in_len, void *out,
                            size_t out_cap, size_t *out_len);
/* The guest's output: stream 1 its stdout, 2 its stderr and husk's own
 * lines (which start with "husk: "). */
typedef void (*husk_console_fn)(void *ctx, int stream, const void *buf,
                                size_t len);

struct husk_sandbox_options {
    /* The husk command: NULL for $HUSK, else "husk" on $PATH. */
    const char *husk;
    /* "auto" (NULL), "kvm" or "process": husk --backend. */
    const char *backend;
    /* Guest memory in bytes; 0: husk's default (64 MiB). */
    uint64_t mem_bytes;
    /* A call that takes longer stops the guest (HUSK_ERR_TIMEOUT); 0:
     * no limit. */
    unsigned call_timeout_ms;
    /* More husk options, such as "--block:disk=disk.img"; NULL-terminated,
     * or NULL. */
    const char *const *args;
    /* Where the guest's output goes; NULL: it is dropped, but husk's own
     * lines are kept for husk_sandbox_report. */
    husk_console_fn console;
    void *console_ctx;
    /* Take a snapshot once the guest serves (husk_sandbox_restore goes
     * back to it). */
    bool snapshot;
};

struct husk_sandbox;

/* Start image in a new sandbox and wait until it serves calls. Returns
 * NULL with a one-line reason in err (errlen bytes) if it cannot. opts
 * may be NULL (all defaults); its strings are copied. */
struct husk_sandbox *husk_sandbox_new(const char *image,
                                      const struct husk_sandbox_options *opts,
                                      char *err, size_t errlen);

/* Let the guest call fn by name (at most 63 bytes). Returns 0, or -1 if
 * the name is too long or the table is full (64 functions). */
int husk_sandbox_register(struct husk_sandbox *sb, const char *name,
                          husk_host_fn fn, void *ctx);

/* Call the guest's function `name` with in_len bytes of input; its output
 * goes to out (at most out_cap bytes) and its length to *out_len, also
 * when the function fails (HUSK_ERR_GUEST: it may say why there). Returns
 * a husk_result. */
int husk_sandbox_call(struct husk_sandbox *sb, const char *name, const void *in,
                      size_t in_len, void *out, size_t out_cap,
                      size_t *out_len);

/* The monitor's process id (helper-process mode), e.g. to account for
 * its resources; 0 while none runs. A restore may change it. */
pid_t husk_sandbox_pid(const struct husk_sandbox *sb);

/* The last call's error code from the guest (HUSK_ERR_GUEST). */
int husk_sandbox_code(const struct husk_sandbox *sb);

/* husk's lines about why the guest stopped (a crash report, a violation,
 * an error), or "" */
const char *husk_sandbox_report(const struct husk_sandbox *sb);

/* Put the sandbox back as it was when it started serving (it must have
 * been made with opts.snapshot). The first restore starts a new monitor
 * from the snapshot; after that, while the guest is well, the monitor
 * puts its memory back in place, dropping only the pages the guest
 * touched (a sandbox with devices always gets a new monitor). Works after
 * a crash, a timeout or a violation too. Returns a husk_result. */
int husk_sandbox_restore(struct husk_sandbox *sb);

/* Stop the guest (its main()'s status is its exit) and free everything. */
void husk_sandbox_free(struct husk_sandbox *sb);

/* "ok", "guest error", ...: a husk_result's name, for messages. */
const char *husk_result_name(int result);

#ifdef __cplusplus
}
#endif

#endif
