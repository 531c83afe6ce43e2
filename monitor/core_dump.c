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
 * A crash is reported after the seccomp filter is armed, when no file can
 * be created, and the limits forbid any file to grow (RLIMIT_FSIZE, which
 * guards the block devices' files). So FILE is created at start-up at its
 * full size, as a sparse file (no blocks), and mapped shared; the fd is
 * not counted among the files RLIMIT_FSIZE allows for. A crash writes
 * through the mapping, which needs no system call: only the guest's pages
 * that are not all zeros, so the file takes the room of the memory the
 * guest used, however large --mem is. A run that ends without a crash
 * empties the file (ftruncate to 0: the one system call the filter adds,
 * on this fd, to length 0 only).
 */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <unistd.h>

#include "husk.h"
#include "rawsys.h"

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

bool husk_core_page_is_zero(const uint8_t *page)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < HUSK_PAGE_SIZE; i += sizeof(uint64_t)) {
        uint64_t w;
        memcpy(&w, page + i, sizeof(w));
        acc |= w;
    }
    return acc == 0;
}

/* ---- the file --------------------------------------------------------- */

static struct {
    int fd; /* -1 without --dump-core */
    uint8_t *map;
    uint64_t len;
    bool written;
} core = {.fd = -1};

/* Guest memory as the core holds it: from the boot area up. Below it
 * (under KVM) are the monitor's page tables, GDT and IDT, which are not
 * the program's; the process backend does not map them at all. */
static uint64_t mem_start(void)
{
    return HUSK_BOOT_GPA;
}

/* The open file that is the same file as st (the image, a device's
 * file, stdout), or -1: the core must not overwrite it. */
static int same_file_fd(int self, const struct stat *st)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        husk_fatal(HUSK_EXIT_MONITOR, "cannot list /proc/self/fd");
    int found = -1;
    struct dirent *e;
    while (found < 0 && (e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        struct stat other;
        if (e->d_name[0] != '.' && fd != self && fd != dirfd(d) &&
            fstat(fd, &other) == 0 && other.st_dev == st->st_dev &&
            other.st_ino == st->st_ino)
            found = fd;
    }
    closedir(d);
    return found;
}

void husk_core_open(const struct husk_config *cfg)
{
    const char *path = cfg->dump_core;
    if (path == NULL)
        return;
    /* 0600: guest memory may hold anything the guest was given. Not
     * O_TRUNC: first make sure it is not a file in use. */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        husk_fatal(HUSK_EXIT_MONITOR, "--dump-core=%s: cannot create it", path);
    if (!S_ISREG(st.st_mode))
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--dump-core=%s: not a regular file; give a path for "
                    "a new file",
                    path);
    int in_use = same_file_fd(fd, &st);
    if (in_use >= 0)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--dump-core=%s: that file is in use by this run (%s); "
                    "give a path for a new file",
                    path,
                    in_use == STDOUT_FILENO || in_use == STDERR_FILENO
                        ? "husk's output goes there"
                        : "the image or a device");
    uint64_t len = husk_core_file_size(mem_start(), cfg->mem_size);
    if (ftruncate(fd, 0) != 0 || ftruncate(fd, (off_t)len) != 0)
        husk_fatal(HUSK_EXIT_MONITOR,
                   "--dump-core=%s: cannot reserve %lluM for it", path,
                   (unsigned long long)(len >> 20));
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        husk_fatal(HUSK_EXIT_MONITOR, "--dump-core=%s: cannot map it", path);
    core.fd = fd;
    core.map = map;
    core.len = len;
}

int husk_core_fd(void)
{
    return core.fd;
}

int husk_core_sandbox_rules(void *ctx)
{
    if (core.fd < 0)
        return 0;
    /* husk_core_discard: a run that did not crash empties the file. */
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ftruncate), 2,
                            SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)core.fd),
                            SCMP_A1(SCMP_CMP_EQ, 0));
}

void husk_core_dump(struct husk_vm *vm, const struct kvm_regs *r,
                    const struct kvm_sregs *s, int signal)
{
    if (core.fd < 0 || core.written)
        return;
    uint64_t start = mem_start(), end = vm->mem_size;
    if (husk_core_file_size(start, end) > core.len)
        return; /* cannot happen: mem_size is fixed at start-up */
    /* Only pages with data: the others stay holes, which read as zeros. */
    uint8_t *data = core.map + husk_core_data_offset();
    for (uint64_t gpa = start; gpa < end; gpa += HUSK_PAGE_SIZE) {
        const uint8_t *page = vm->mem + gpa;
        if (!husk_core_page_is_zero(page))
            memcpy(data + (gpa - start), page, HUSK_PAGE_SIZE);
    }
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
    husk_core_headers(core.map, &info);
    core.written = true;
    husk_warnx("core dumped to %s (open it with: gdb %s %s)",
               vm->cfg->dump_core, vm->cfg->image_path, vm->cfg->dump_core);
}

void husk_core_discard(void)
{
    if (core.fd >= 0 && !core.written)
        husk_raw_syscall3(SYS_ftruncate, core.fd, 0, 0);
}
