/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* bootinfo.c: the boot information block the guest finds in %rdi. */
#include <string.h>
#include <sys/random.h>

#include "husk.h"

/* Pages of the boot area, all user-readable (see cpu_x86_64.c). */
#define ARGV_GPA (HUSK_BOOT_GPA + 0x1000)    /* uint64_t[HUSK_ARGC_MAX + 1] */
#define STRINGS_GPA (HUSK_BOOT_GPA + 0x2000) /* HUSK_ARGS_MAX bytes */
#define PHDRS_GPA (HUSK_BOOT_GPA + 0x3000)   /* copy of program headers */
/* After the exception stub and its stack (0x44000-0x45fff): the
 * environment, like argv a page of pointers and a page of strings. */
#define ENVP_GPA (HUSK_BOOT_GPA + 0x6000) /* uint64_t[HUSK_ENVC_MAX + 1] */
#define ENV_STRINGS_GPA (HUSK_BOOT_GPA + 0x7000) /* HUSK_ENV_MAX bytes */
/* --cwd's path, in the envp page after its pointers. */
#define CWD_GPA (ENVP_GPA + (HUSK_ENVC_MAX + 1) * 8)

_Static_assert(sizeof(struct husk_bootinfo) <= 0x1000, "boot info page");
_Static_assert((HUSK_ARGC_MAX + 1) * 8 <= 0x1000, "argv page");
_Static_assert(HUSK_ARGS_MAX <= 0x1000, "argument strings page");
_Static_assert(HUSK_ELF_PHNUM_MAX * 56 <= 0x1000, "program header page");
_Static_assert(PHDRS_GPA + 0x1000 <= HUSK_TRAP_CODE_GPA, "boot area");
_Static_assert(ENVP_GPA >= HUSK_TRAP_STACK_TOP &&
                   ENV_STRINGS_GPA + 0x1000 <= HUSK_BOOT_END,
               "environment pages");
_Static_assert((HUSK_ENVC_MAX + 1) * 8 <= 0x1000, "envp page");
_Static_assert(HUSK_ENV_MAX <= 0x1000, "environment strings page");
_Static_assert(CWD_GPA + HUSK_CWD_MAX <= ENVP_GPA + 0x1000, "--cwd's path");

/* The environment of --env and the directory of --cwd (bounded by
 * husk_args_parse), nothing else. */
static void write_env(struct husk_vm *vm, struct husk_bootinfo *bi)
{
    uint64_t *envp = (void *)(vm->mem + ENVP_GPA);
    char *strings = (char *)(vm->mem + ENV_STRINGS_GPA);
    const struct husk_config *cfg = vm->cfg;
    size_t used = 0;
    for (unsigned i = 0; i < cfg->env_count; i++) {
        size_t n = strlen(cfg->env[i]) + 1;
        memcpy(strings + used, cfg->env[i], n);
        envp[i] = ENV_STRINGS_GPA + used;
        used += n;
    }
    envp[cfg->env_count] = 0;
    bi->envc = cfg->env_count;
    bi->envp_gpa = ENVP_GPA;
    if (cfg->cwd != NULL) { /* shorter than HUSK_CWD_MAX: husk_args_parse */
        memcpy(vm->mem + CWD_GPA, cfg->cwd, strlen(cfg->cwd) + 1);
        bi->cwd_gpa = CWD_GPA;
    }
}

/* What differs from one run to the next even for one guest: the host's
 * clock and calls, the backend's features, fresh entropy, the handles.
 * A restore (HUSK_FEATURE_RESUMED) rewrites only these. */
static void write_run_fields(struct husk_vm *vm, struct husk_bootinfo *bi)
{
    const struct husk_config *cfg = vm->cfg;
    bi->magic = HUSK_BOOTINFO_MAGIC;
    bi->abi_version = HUSK_ABI_VERSION;
    bi->mem_size = vm->mem_size;
    bi->tsc_hz = vm->tsc_hz;
    bi->features = vm->features | HUSK_FEATURE_READY;
    if (!cfg->stdin_none)
        bi->features |= HUSK_FEATURE_CONSOLE_READ;
    if (husk_calls_enabled())
        bi->features |= HUSK_FEATURE_CALLS;
    if (getrandom(bi->random, sizeof(bi->random), 0) != sizeof(bi->random))
        husk_fatal(HUSK_EXIT_MONITOR, "getrandom");
    bi->hc_call =
        vm->features & HUSK_FEATURE_HC_CALL ? husk_proc_entry_address() : 0;
    bi->clock_call =
        vm->features & HUSK_FEATURE_CLOCK_CALL ? vm->clock_call : 0;
    bi->device_count = cfg->device_count;
    for (unsigned i = 0; i < cfg->device_count; i++) {
        bi->devices[i].kind = cfg->devices[i].kind;
        bi->devices[i].handle = i;
        memcpy(bi->devices[i].name, cfg->devices[i].name,
               sizeof(bi->devices[i].name));
    }
}

uint64_t husk_bootinfo_write(struct husk_vm *vm,
                             const struct husk_elf_image *img,
                             const uint8_t *image_bytes)
{
    struct husk_bootinfo *bi = (void *)(vm->mem + HUSK_BOOT_GPA);
    uint64_t *argv = (void *)(vm->mem + ARGV_GPA);
    char *strings = (char *)(vm->mem + STRINGS_GPA);
    const struct husk_config *cfg = vm->cfg;

    /* argv[0] is the image path, as a shell would pass it; the sizes were
     * bounded by husk_args_parse. */
    size_t used = 0;
    for (int i = 0; i <= cfg->guest_argc; i++) {
        const char *s = i == 0 ? cfg->image_path : cfg->guest_argv[i - 1];
        size_t n = strlen(s) + 1;
        memcpy(strings + used, s, n);
        argv[i] = STRINGS_GPA + used;
        used += n;
    }
    argv[cfg->guest_argc + 1] = 0;

    write_run_fields(vm, bi);
    bi->image_end = img->image_end;
    bi->argc = (uint32_t)cfg->guest_argc + 1;
    bi->argv_gpa = ARGV_GPA;
    bi->phnum = img->phnum;
    bi->phentsize = img->phentsize;
    if (img->phdr_gpa != 0) {
        bi->phdr_gpa = img->phdr_gpa;
    } else {
        memcpy(vm->mem + PHDRS_GPA, image_bytes + img->phoff,
               (size_t)img->phnum * img->phentsize);
        bi->phdr_gpa = PHDRS_GPA;
    }
    write_env(vm, bi);
    return HUSK_BOOT_GPA;
}

uint64_t husk_bootinfo_resume(struct husk_vm *vm)
{
    struct husk_bootinfo *bi = (void *)(vm->mem + HUSK_BOOT_GPA);
    write_run_fields(vm, bi);
    bi->features |= HUSK_FEATURE_RESUMED;
    return HUSK_BOOT_GPA;
}
