/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_core_dump.c: the pure half of --dump-core (monitor/core_dump.c):
 * the headers of a core read back as gdb reads them, the signal for each
 * exception, the zero-page test.
 */
#include <elf.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/procfs.h>
#include <sys/user.h>

#include "husk.h"
#include "unit.h"

static struct kvm_regs regs;
static uint8_t *buf;

static void headers(void)
{
    memset(&regs, 0, sizeof(regs));
    regs.rip = 0x100230, regs.rsp = 0x3ffeda8, regs.rbp = 0x3ffeef0;
    regs.rax = 1, regs.r15 = 15, regs.rflags = 0x10246;
    struct husk_core_info info = {
        .regs = &regs,
        .fs_base = 0x15feb8,
        .gs_base = 0x7000,
        .cs = 0x33,
        .ss = 0x2b,
        .signal = SIGSEGV,
        .mem_start = HUSK_BOOT_GPA,
        .mem_end = 64ULL << 20,
        .image_path = "/some/where/crash.husk",
    };
    /* Exactly the header area: ASan catches a write past it. */
    buf = malloc(husk_core_data_offset());
    CHECK(buf != NULL);
    memset(buf, 0x55, husk_core_data_offset());
    husk_core_headers(buf, &info);
}

TEST(core_layout)
{
    CHECK_EQ(husk_core_data_offset() % HUSK_PAGE_SIZE, 0);
    CHECK(husk_core_data_offset() >= sizeof(Elf64_Ehdr));
    CHECK_EQ(husk_core_file_size(HUSK_BOOT_GPA, 64ULL << 20),
             husk_core_data_offset() + (64ULL << 20) - HUSK_BOOT_GPA);
}

TEST(core_elf_header)
{
    headers();
    Elf64_Ehdr eh;
    memcpy(&eh, buf, sizeof(eh));
    CHECK(memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0);
    CHECK_EQ(eh.e_ident[EI_CLASS], ELFCLASS64);
    CHECK_EQ(eh.e_ident[EI_DATA], ELFDATA2LSB);
    CHECK_EQ(eh.e_type, ET_CORE);
    CHECK_EQ(eh.e_machine, EM_X86_64);
    CHECK_EQ(eh.e_phentsize, sizeof(Elf64_Phdr));
    CHECK_EQ(eh.e_phnum, 2);
    CHECK_EQ(eh.e_shnum, 0);
    free(buf);
}

TEST(core_program_headers)
{
    headers();
    Elf64_Phdr ph[2];
    memcpy(ph, buf + sizeof(Elf64_Ehdr), sizeof(ph));
    CHECK_EQ(ph[0].p_type, PT_NOTE);
    CHECK(ph[0].p_offset + ph[0].p_filesz <= husk_core_data_offset());
    CHECK_EQ(ph[1].p_type, PT_LOAD);
    CHECK_EQ(ph[1].p_offset, husk_core_data_offset());
    CHECK_EQ(ph[1].p_vaddr, HUSK_BOOT_GPA);
    CHECK_EQ(ph[1].p_filesz, (64ULL << 20) - HUSK_BOOT_GPA);
    CHECK_EQ(ph[1].p_memsz, ph[1].p_filesz);
    /* gdb maps file offset to address page by page. */
    CHECK_EQ(ph[1].p_offset % HUSK_PAGE_SIZE, ph[1].p_vaddr % HUSK_PAGE_SIZE);
    free(buf);
}

/* Walk the notes as a reader does; returns the descriptor of type. */
static const uint8_t *note(uint32_t type, uint32_t *size)
{
    Elf64_Phdr ph;
    memcpy(&ph, buf + sizeof(Elf64_Ehdr), sizeof(ph));
    uint64_t at = ph.p_offset, end = ph.p_offset + ph.p_filesz;
    while (at + sizeof(Elf64_Nhdr) <= end) {
        Elf64_Nhdr nh;
        memcpy(&nh, buf + at, sizeof(nh));
        uint64_t name = at + sizeof(nh);
        uint64_t desc = name + ((nh.n_namesz + 3) & ~3U);
        CHECK(desc + nh.n_descsz <= end);
        CHECK_EQ(nh.n_namesz, 5);
        CHECK(memcmp(buf + name, "CORE", 5) == 0);
        if (nh.n_type == type) {
            *size = nh.n_descsz;
            return buf + desc;
        }
        at = desc + ((nh.n_descsz + 3) & ~3U);
    }
    FAIL("no note of type %u", type);
}

TEST(core_prstatus_registers)
{
    headers();
    uint32_t size;
    const uint8_t *d = note(NT_PRSTATUS, &size);
    CHECK_EQ(size, sizeof(struct elf_prstatus));
    struct elf_prstatus st;
    memcpy(&st, d, sizeof(st));
    CHECK_EQ(st.pr_cursig, SIGSEGV);
    struct user_regs_struct u;
    memcpy(&u, &st.pr_reg, sizeof(u));
    CHECK_EQ(u.rip, 0x100230);
    CHECK_EQ(u.rsp, 0x3ffeda8);
    CHECK_EQ(u.rbp, 0x3ffeef0);
    CHECK_EQ(u.rax, 1);
    CHECK_EQ(u.r15, 15);
    CHECK_EQ(u.eflags, 0x10246);
    CHECK_EQ(u.fs_base, 0x15feb8);
    CHECK_EQ(u.gs_base, 0x7000);
    CHECK_EQ(u.cs, 0x33);
    CHECK_EQ(u.ss, 0x2b);
    free(buf);
}

TEST(core_prpsinfo_name)
{
    headers();
    uint32_t size;
    const uint8_t *d = note(NT_PRPSINFO, &size);
    CHECK_EQ(size, sizeof(struct elf_prpsinfo));
    struct elf_prpsinfo ps;
    memcpy(&ps, d, sizeof(ps));
    CHECK_STREQ(ps.pr_fname, "crash.husk");
    CHECK_STREQ(ps.pr_psargs, "/some/where/crash.husk");
    free(buf);
}

TEST(core_signal_of_vector)
{
    CHECK_EQ(husk_core_signal_of(0), SIGFPE);
    CHECK_EQ(husk_core_signal_of(3), SIGTRAP);
    CHECK_EQ(husk_core_signal_of(6), SIGILL);
    CHECK_EQ(husk_core_signal_of(13), SIGSEGV);
    CHECK_EQ(husk_core_signal_of(14), SIGSEGV);
    CHECK_EQ(husk_core_signal_of(19), SIGFPE);
    CHECK_EQ(husk_core_signal_of(999), SIGSEGV);
}

TEST(core_page_is_zero)
{
    static uint8_t page[HUSK_PAGE_SIZE];
    memset(page, 0, sizeof(page));
    CHECK(husk_guest_page_is_zero(page));
    page[HUSK_PAGE_SIZE - 1] = 1;
    CHECK(!husk_guest_page_is_zero(page));
    page[HUSK_PAGE_SIZE - 1] = 0;
    page[0] = 0x80;
    CHECK(!husk_guest_page_is_zero(page));
}
