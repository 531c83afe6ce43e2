/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * core_dump.c: --dump-core=FILE, an ELF core of a crashed guest that
 * `gdb IMAGE FILE` opens: one PT_LOAD of guest memory at its guest
 * addresses (they are the image's virtual addresses: identity map under
 * KVM, the same addresses in the process backend), and a PT_NOTE with the
 * faulting thread's registers (NT_PRSTATUS) and the image's name
 * (NT_PRPSINFO).
 *
 * A crash is reported after the seccomp filter is armed, so FILE is made
 * at start-up (outfile.c says how) and a crash writes through its mapping
 * only the guest's pages that hold data: the file takes the room of the
 * memory the guest used, however large --mem is. A run that ends without
 * a crash empties the file.
 */
#include <elf.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/user.h>
#include <unistd.h>

#include "husk.h"

/* The notes: each a header, "CORE" padded to 8, and its descriptor. */
#define NOTE_NAME_SIZE 8
#define NOTE_SIZE(desc) (sizeof(Elf64_Nhdr) + NOTE_NAME_SIZE + (desc))
#define NOTES_SIZE                            \
    (NOTE_SIZE(sizeof(struct elf_prstatus)) + \
     NOTE_SIZE(sizeof(struct elf_prpsinfo)))
#define PHNUM 2 /* PT_NOTE, PT_LOAD */
#define HEADERS_SIZE \
    (sizeof(Elf64_Ehdr) + PHNUM * sizeof(Elf64_Phdr) + NOTES_SIZE)

_Static_assert(sizeof(struct elf_prstatus) % 4 == 0, "note alignment");
_Static_assert(sizeof(struct elf_prpsinfo) % 4 == 0, "note alignment");
_Static_assert(sizeof(elf_gregset_t) == sizeof(struct user_regs_struct),
               "pr_reg is a user_regs_struct");

uint64_t husk_core_data_offset(void)
{
    return (HEADERS_SIZE + HUSK_PAGE_SIZE - 1) & ~(HUSK_PAGE_SIZE - 1);
}

uint64_t husk_core_file_size(uint64_t mem_start, uint64_t mem_end)
{
    return husk_core_data_offset() + (mem_end - mem_start);
}

int husk_core_signal_of(uint64_t vector)
{
    switch (vector) {
    case 0:  /* #DE */
    case 16: /* #MF */
    case 19: /* #XM */
        return SIGFPE;
    case 1: /* #DB */
    case 3: /* #BP */
        return SIGTRAP;
    case 6: /* #UD */
        return SIGILL;
    case 17: /* #AC */
        return SIGBUS;
    default:
        return SIGSEGV;
    }
}

static uint8_t *put_note(uint8_t *p, uint32_t type, const void *desc,
                         uint32_t size)
{
    Elf64_Nhdr nh = {.n_namesz = 5, .n_descsz = size, .n_type = type};
    memcpy(p, &nh, sizeof(nh));
    p += sizeof(nh);
    memset(p, 0, NOTE_NAME_SIZE);
    memcpy(p, "CORE", 5);
    p += NOTE_NAME_SIZE;
    memcpy(p, desc, size);
    return p + size;
}

void husk_core_headers(uint8_t *buf, const struct husk_core_info *info)
{
    const struct kvm_regs *r = info->regs;
    memset(buf, 0, husk_core_data_offset());

    Elf64_Ehdr eh = {
        .e_type = ET_CORE,
        .e_machine = EM_X86_64,
        .e_version = EV_CURRENT,
        .e_phoff = sizeof(Elf64_Ehdr),
        .e_ehsize = sizeof(Elf64_Ehdr),
        .e_phentsize = sizeof(Elf64_Phdr),
        .e_phnum = PHNUM,
    };
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
    memcpy(buf, &eh, sizeof(eh));

    Elf64_Phdr ph[PHNUM] = {
        {
            .p_type = PT_NOTE,
            .p_offset = sizeof(Elf64_Ehdr) + PHNUM * sizeof(Elf64_Phdr),
            .p_filesz = NOTES_SIZE,
            .p_align = 4,
        },
        {
            .p_type = PT_LOAD,
            .p_flags = PF_R | PF_W | PF_X,
            .p_offset = husk_core_data_offset(),
            .p_vaddr = info->mem_start,
            .p_paddr = info->mem_start,
            .p_filesz = info->mem_end - info->mem_start,
            .p_memsz = info->mem_end - info->mem_start,
            .p_align = HUSK_PAGE_SIZE,
        },
    };
    memcpy(buf + sizeof(eh), ph, sizeof(ph));

    /* The registers as Linux saves them (struct user_regs_struct). */
    struct user_regs_struct u = {
        .r15 = r->r15,
        .r14 = r->r14,
        .r13 = r->r13,
        .r12 = r->r12,
        .rbp = r->rbp,
        .rbx = r->rbx,
        .r11 = r->r11,
        .r10 = r->r10,
        .r9 = r->r9,
        .r8 = r->r8,
        .rax = r->rax,
        .rcx = r->rcx,
        .rdx = r->rdx,
        .rsi = r->rsi,
        .rdi = r->rdi,
        .orig_rax = ~0ULL, /* not in a system call */
        .rip = r->rip,
        .cs = info->cs,
        .eflags = r->rflags,
        .rsp = r->rsp,
        .ss = info->ss,
        .fs_base = info->fs_base,
        .gs_base = info->gs_base,
    };
    struct elf_prstatus st;
    memset(&st, 0, sizeof(st));
    st.pr_info.si_signo = st.pr_cursig = (short)info->signal;
    st.pr_pid = 1; /* the guest's one thread */
    memcpy(&st.pr_reg, &u, sizeof(u));
    struct elf_prpsinfo ps;
    memset(&ps, 0, sizeof(ps));
    ps.pr_state = 0;
    ps.pr_sname = 'R';
    ps.pr_pid = 1;
    const char *base = strrchr(info->image_path, '/');
    base = base != NULL ? base + 1 : info->image_path;
    snprintf(ps.pr_fname, sizeof(ps.pr_fname), "%s", base);
    snprintf(ps.pr_psargs, sizeof(ps.pr_psargs), "%s", info->image_path);

    uint8_t *p = buf + ph[0].p_offset;
    p = put_note(p, NT_PRSTATUS, &st, sizeof(st));
    put_note(p, NT_PRPSINFO, &ps, sizeof(ps));
}

/* ---- the file --------------------------------------------------------- */

static struct {
    struct husk_outfile file; /* fd -1 without --dump-core */
    bool written;
} core = {.file.fd = -1};

void husk_core_open(const struct husk_config *cfg)
{
    if (cfg->dump_core != NULL)
        husk_outfile_create(
            "--dump-core", cfg->dump_core,
            husk_core_file_size(husk_guest_mem_start(), cfg->mem_size),
            &core.file);
}

int husk_core_fd(void)
{
    return core.file.fd;
}

int husk_core_sandbox_rules(struct husk_rules *rules)
{
    /* husk_core_discard: a run that did not crash empties the file. */
    return husk_outfile_sandbox_rules(&core.file, rules);
}

struct copy_ctx {
    uint8_t *base; /* guest-physical address 0 in the file's mapping */
};

static void copy_page(void *ctx, uint64_t gpa, const uint8_t *page)
{
    struct copy_ctx *c = ctx;
    if (!husk_guest_page_is_zero(page))
        memcpy(c->base + gpa, page, HUSK_PAGE_SIZE);
}

void husk_core_dump(struct husk_vm *vm, const struct kvm_regs *r,
                    const struct kvm_sregs *s, int signal)
{
    if (core.file.fd < 0 || core.written)
        return;
    uint64_t start = husk_guest_mem_start(), end = vm->mem_size;
    if (husk_core_file_size(start, end) > core.file.len)
        return; /* cannot happen: mem_size is fixed at start-up */
    /* Only pages with data: the others stay holes, which read as zeros. */
    struct copy_ctx c = {core.file.map + husk_core_data_offset() - start};
    husk_guest_pages_each(vm, copy_page, &c);
    struct husk_core_info info = {
        .regs = r,
        .fs_base = s != NULL ? s->fs.base : 0,
        .gs_base = s != NULL ? s->gs.base : 0,
        .cs = s != NULL ? s->cs.selector : 0,
        .ss = s != NULL ? s->ss.selector : 0,
        .signal = signal,
        .mem_start = start,
        .mem_end = end,
        .image_path = vm->cfg->image_path,
    };
    /* The headers last: a dump cut short is no valid core. */
    husk_core_headers(core.file.map, &info);
    core.written = true;
    husk_warnx("core dumped to %s (open it with: gdb %s %s)",
               vm->cfg->dump_core, vm->cfg->image_path, vm->cfg->dump_core);
}

void husk_core_discard(void)
{
    if (!core.written)
        husk_outfile_discard(&core.file);
}
