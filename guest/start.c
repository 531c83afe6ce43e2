/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * start.c: from the entry point to main(). Sets up the clock, the heap and
 * the console, then builds the initial process stack that musl's start-up
 * code expects (argv, the environment of husk --env, the auxiliary
 * vector) and
 * hands over to __libc_start_main, which sets up TLS (arch_prctl, served
 * with wrfsbase), stdio and the stack canary, and calls main.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "guest.h"

int main(int argc, char **argv, char **envp);
int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
                      void (*init)(void), void (*fini)(void),
                      void (*ldso)(void));
_Noreturn void husk_start(const struct husk_bootinfo *bi);

const struct husk_bootinfo *husk_boot;
void (*husk_hc_entry)(uint64_t nr, uint64_t arg_gpa);

/* The status for a --cwd the guest does not have (monitor/exitcode.h's
 * HUSK_EXIT_MONITOR, as for a --mount that cannot be made). */
#define CWD_FAILED 125

/*
 * main(), in the directory of husk --cwd, then an embedder's calls
 * (calls.c) if it was started by one. After the constructors, which
 * is where ext mounts are made (guest/ext2/mount.c): the directory may be
 * on one. A directory that is not there stops the guest with one line
 * rather than leaving it in the root, where its relative paths would mean
 * other files.
 */
static int start_main(int argc, char **argv, char **envp)
{
    const char *cwd = (const char *)(uintptr_t)husk_boot->cwd_gpa;
    if (cwd != NULL) {
        if (strnlen(cwd, HUSK_CWD_MAX) == HUSK_CWD_MAX)
            husk_panic("bad --cwd path in boot information");
        if (chdir(cwd) != 0) {
            char line[HUSK_CWD_MAX + 160];
            snprintf(line, sizeof(line),
                     "husk: --cwd=%s: %s in the guest; give a directory its "
                     "image or mounts have\n",
                     cwd, strerror(errno));
            husk_console_note(line);
            husk_exit(CWD_FAILED);
        }
    }
    /* An embedder's guest serves its calls once main() is done. */
    return husk_serve_calls(main(argc, argv, envp));
}

/* argv pointers, NULL, envp pointers, NULL, then this many auxv pairs. */
#define AUXV_PAIRS 14

_Noreturn void husk_start(const struct husk_bootinfo *bi)
{
    /* First: even the panic below is a hypercall. */
    if (bi->features & HUSK_FEATURE_HC_CALL)
        husk_hc_entry = (void (*)(uint64_t, uint64_t))(uintptr_t)bi->hc_call;
    if (bi->magic != HUSK_BOOTINFO_MAGIC || bi->abi_version != HUSK_ABI_VERSION)
        husk_panic("boot information from an incompatible monitor");
    husk_boot = bi;
    husk_clock_init(bi);
    husk_mem_init(bi->image_end, bi->mem_size);
    husk_drivers_init();
    husk_fs_init();

    uint32_t argc = bi->argc;
    if (argc == 0 || argc > HUSK_ARGC_MAX)
        husk_panic("bad argument count in boot information");
    /* An older monitor leaves envc 0: an empty environment. */
    uint32_t envc = bi->envc;
    if (envc > HUSK_ENVC_MAX)
        husk_panic("bad environment size in boot information");
    const uint64_t *argv_gpa = (const uint64_t *)(uintptr_t)bi->argv_gpa;
    const uint64_t *envp_gpa = (const uint64_t *)(uintptr_t)bi->envp_gpa;
    /* On this stack for good (husk_start never returns): musl's environ
     * points here, and setenv may replace its entries. */
    uintptr_t vec[HUSK_ARGC_MAX + 1 + HUSK_ENVC_MAX + 1 + 2 * AUXV_PAIRS];
    size_t n = 0;
    for (uint32_t i = 0; i < argc; i++)
        vec[n++] = (uintptr_t)argv_gpa[i];
    vec[n++] = 0; /* end of argv */
    for (uint32_t i = 0; i < envc; i++)
        vec[n++] = (uintptr_t)envp_gpa[i];
    vec[n++] = 0; /* end of the environment */
    const uintptr_t auxv[][2] = {
        {AT_PHDR, (uintptr_t)bi->phdr_gpa},
        {AT_PHENT, bi->phentsize},
        {AT_PHNUM, bi->phnum},
        {AT_PAGESZ, HUSK_PAGE_SIZE},
        {AT_CLKTCK, 100},
        {AT_UID, 0},
        {AT_EUID, 0},
        {AT_GID, 0},
        {AT_EGID, 0},
        {AT_SECURE, 0},
        {AT_RANDOM, (uintptr_t)bi->random},
        {AT_EXECFN, vec[0]},
        {AT_HWCAP, 0},
        {AT_NULL, 0},
    };
    _Static_assert(sizeof(auxv) / sizeof(auxv[0]) == AUXV_PAIRS, "auxv");
    for (size_t i = 0; i < AUXV_PAIRS; i++) {
        vec[n++] = auxv[i][0];
        vec[n++] = auxv[i][1];
    }
    __libc_start_main(start_main, (int)argc, (char **)vec, 0, 0, 0);
    husk_panic("__libc_start_main returned");
}

_Noreturn void husk_panic(const char *msg)
{
    size_t len = 0;
    while (msg[len] != '\0' && len < HUSK_ABORT_MSG_MAX)
        len++;
    struct husk_hc_abort a = {.msg_gpa = (uintptr_t)msg, .len = (uint32_t)len};
    husk_hypercall(HUSK_HC_ABORT, &a);
    for (;;) /* the monitor never resumes a stopped guest */
        __asm__ volatile("ud2");
}

_Noreturn void husk_exit(int status)
{
    husk_drivers_flush(); /* frames still queued, e.g. a last FIN */
    struct husk_hc_exit a = {.status = status};
    husk_hypercall(HUSK_HC_EXIT, &a);
    for (;;) /* the monitor never resumes a stopped guest */
        __asm__ volatile("ud2");
}
