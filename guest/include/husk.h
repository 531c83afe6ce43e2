/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * <husk.h>: what a Husk guest may ask of Husk itself, beyond POSIX.
 * husk-cc puts it on the include path; __husk__ is defined there too, so
 * a program built for both Linux and Husk can test for it.
 */
#ifndef HUSK_GUEST_API_H
#define HUSK_GUEST_API_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The program has initialised (read its configuration, loaded its
 * libraries, warmed its caches, opened its listening sockets) and is about
 * to serve. With `husk --snapshot-to=FILE` the run ends here, with status
 * 0, and FILE holds the program as it is at this call; `husk
 * --restore=FILE` starts any number of instances from it, each returning
 * from this call in a moment instead of booting and initialising again.
 *
 * Returns 0 when the program goes on in the run that called it (no
 * snapshot was asked for), 1 in an instance restored from a snapshot.
 * A restored instance keeps everything in its memory, so it should redo
 * what must differ between instances or depends on when it runs: seed
 * its random numbers again (getrandom() gives fresh bytes; a generator
 * seeded before the call is the same in every instance), drop TCP
 * connections it had open (they are gone), read the time again. Call it
 * once, from the main thread; a second call does nothing.
 * docs/snapshots.md says what a snapshot carries and what it does not.
 */
int husk_ready(void);

/*
 * Functions an embedder calls (libhusk-host's husk_sandbox_call): each
 * gets the call's input bytes and writes at most out_cap bytes of output
 * to out, their number to *out_len, and returns 0, or another number that
 * the embedder gets as the call's error code (with the output, which may
 * say why). A function is exported by
 * name, once, at file scope:
 *
 *     static int upper(const void *in, size_t in_len, void *out,
 *                      size_t out_cap, size_t *out_len) { ... }
 *     HUSK_EXPORT("upper", upper);
 *
 * main() runs once, to initialise; when it returns the guest serves calls
 * until the embedder closes it (then it exits with main's status). Run
 * without an embedder, the program just exits when main() returns.
 */
typedef int (*husk_export_fn)(const void *in, size_t in_len, void *out,
                              size_t out_cap, size_t *out_len);
struct husk_export {
    const char *name;
    husk_export_fn fn;
};
#define HUSK_EXPORT(name, fn)                        \
    static const struct husk_export husk_export_##fn \
        __attribute__((used, section("husk_exports"))) = {(name), (fn)}

/*
 * Call the embedder's function `name` (husk_sandbox_register) with in_len
 * bytes; its output (at most out_cap bytes) goes to out and its length to
 * *out_len. Returns 0, or -1 with errno: ENOENT (the embedder has no such
 * function, or there is no embedder), EMSGSIZE (in_len or the output is
 * larger than out_cap or 1 MiB), EIO (the function failed).
 */
int husk_host_call(const char *name, const void *in, size_t in_len, void *out,
                   size_t out_cap, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif
