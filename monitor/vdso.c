/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * vdso.c: find a function of the kernel's vDSO by name. The process
 * backend hands the guest the vDSO's clock_gettime (proc.c): it reads the
 * host's clocks with no system call and no thread pointer, so guest code
 * may call it directly. The vDSO is the kernel's, mapped into every
 * process; its dynamic symbol table is read through its section headers.
 */
#include <elf.h>
#include <string.h>
#include <sys/auxv.h>

#include "husk.h"

uintptr_t husk_vdso_symbol(const char *name)
{
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    if (base == 0)
        return 0;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shoff == 0)
        return 0;
    /* The load bias: where the first PT_LOAD's p_vaddr landed. */
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    uintptr_t bias = base;
    for (unsigned i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD) {
            bias = base - ph[i].p_vaddr + ph[i].p_offset;
            break;
        }
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(base + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_entsize == 0 ||
            sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf64_Sym *sym = (const Elf64_Sym *)(base + sh[i].sh_offset);
        const char *strs = (const char *)(base + sh[sh[i].sh_link].sh_offset);
        size_t n = sh[i].sh_size / sh[i].sh_entsize;
        for (size_t j = 0; j < n; j++)
            if (ELF64_ST_TYPE(sym[j].st_info) == STT_FUNC &&
                sym[j].st_shndx != SHN_UNDEF &&
                strcmp(strs + sym[j].st_name, name) == 0)
                return bias + sym[j].st_value;
    }
    return 0;
}
