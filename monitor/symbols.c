/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * symbols.c: the name of the guest function a crash happened in, from the
 * image's .symtab and .strtab. The image file is mapped read-only at
 * start-up and not read: a run that does not crash touches none of its
 * pages, so start-up pays one mmap. The lookup runs at crash time, after
 * the seccomp filter, when no file can be opened or read; reading a
 * mapping needs no system call. The bytes are the image's, so untrusted:
 * every offset, size and index is checked before it is used.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "husk.h"

/* Whether [off, off + size) lies inside len bytes (no overflow). */
static bool inside(uint64_t off, uint64_t size, size_t len)
{
    return off <= len && size <= len - off;
}

/* Section header i, copied out (the bytes need not be aligned). */
static bool section(const uint8_t *bytes, size_t len, const Elf64_Ehdr *eh,
                    unsigned i, Elf64_Shdr *sh)
{
    if (i >= eh->e_shnum)
        return false;
    memcpy(sh, bytes + eh->e_shoff + (uint64_t)i * sizeof(*sh), sizeof(*sh));
    return inside(sh->sh_offset, sh->sh_size, len);
}

/* A named symbol defined in a section: a function, a label (an assembly
 * routine without .type, as some of musl's are) or an object. */
static bool defined_symbol(const Elf64_Sym *s)
{
    unsigned type = ELF64_ST_TYPE(s->st_info);
    return (type == STT_FUNC || type == STT_NOTYPE || type == STT_OBJECT) &&
           s->st_shndx != SHN_UNDEF && s->st_shndx < SHN_LORESERVE &&
           s->st_name != 0;
}

/* One that can name code: not an object. */
static bool code_symbol(const Elf64_Sym *s)
{
    return ELF64_ST_TYPE(s->st_info) != STT_OBJECT;
}

/* Copy the NUL-terminated name at strtab[off] into name, printable
 * characters only (the image chose these bytes: no escape reaches the
 * terminal); false if it does not end inside the table. */
static bool copy_name(const uint8_t *strtab, uint64_t strtab_size, uint64_t off,
                      char *name, size_t namelen)
{
    if (off >= strtab_size || namelen == 0)
        return false;
    const uint8_t *s = strtab + off;
    const uint8_t *end = memchr(s, '\0', strtab_size - off);
    if (end == NULL || end == s)
        return false;
    size_t n = (size_t)(end - s), i;
    for (i = 0; i < n && i + 1 < namelen; i++)
        name[i] = s[i] > 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
    name[i] = '\0';
    return true;
}

bool husk_symbol_find(const uint8_t *bytes, size_t len, uint64_t addr,
                      char *name, size_t namelen, uint64_t *offset)
{
    Elf64_Ehdr eh;
    if (bytes == NULL || len < sizeof(eh))
        return false;
    memcpy(&eh, bytes, sizeof(eh));
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_ident[EI_DATA] != ELFDATA2LSB ||
        eh.e_shentsize != sizeof(Elf64_Shdr) ||
        !inside(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr), len))
        return false;
    /* The first symbol table, and the string table it links to. */
    Elf64_Shdr symtab, strtab;
    unsigned i;
    for (i = 0; i < eh.e_shnum; i++)
        if (section(bytes, len, &eh, i, &symtab) &&
            symtab.sh_type == SHT_SYMTAB)
            break;
    if (i == eh.e_shnum || symtab.sh_entsize != sizeof(Elf64_Sym) ||
        !section(bytes, len, &eh, symtab.sh_link, &strtab) ||
        strtab.sh_type != SHT_STRTAB)
        return false;
    /* The code symbol whose extent holds addr; failing that, the nearest
     * symbol below it if that is code with no size (a label: where it
     * ends is unknown, but nothing else starts in between). */
    const uint8_t *syms = bytes + symtab.sh_offset;
    uint64_t count = symtab.sh_size / sizeof(Elf64_Sym);
    bool have_within = false, have_below = false;
    Elf64_Sym within, below;
    memset(&within, 0, sizeof(within));
    memset(&below, 0, sizeof(below));
    for (uint64_t k = 0; k < count; k++) {
        Elf64_Sym s;
        memcpy(&s, syms + k * sizeof(s), sizeof(s));
        if (!defined_symbol(&s) || s.st_value > addr)
            continue;
        if (code_symbol(&s) && s.st_size != 0 &&
            addr - s.st_value < s.st_size &&
            (!have_within || s.st_value > within.st_value)) {
            within = s;
            have_within = true;
        }
        /* Of two symbols at one address, a sized one names it. */
        if (!have_below || s.st_value > below.st_value ||
            (s.st_value == below.st_value && below.st_size == 0)) {
            below = s;
            have_below = true;
        }
    }
    const Elf64_Sym *found =
        have_within                                               ? &within
        : have_below && below.st_size == 0 && code_symbol(&below) ? &below
                                                                  : NULL;
    if (found == NULL || !copy_name(bytes + strtab.sh_offset, strtab.sh_size,
                                    found->st_name, name, namelen))
        return false;
    *offset = addr - found->st_value;
    return true;
}

static const uint8_t *image_map;
static size_t image_map_len;

void husk_symbols_map(int fd, size_t len)
{
    if (len == 0)
        return;
    /* Private and read-only: the guest under the process backend can see
     * it, but it is its own image. If the file shrinks while the guest
     * runs, a lookup may end the monitor with SIGBUS; the image is the
     * user's own file (docs/architecture.md). */
    void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        return; /* crash reports will have no names; nothing else changes */
    image_map = p;
    image_map_len = len;
}

void husk_symbolize(uint64_t addr, char *buf, size_t buflen)
{
    char name[96];
    uint64_t off;
    if (buflen == 0)
        return;
    buf[0] = '\0';
    if (husk_symbol_find(image_map, image_map_len, addr, name, sizeof(name),
                         &off))
        snprintf(buf, buflen, " (in %s+0x%llx)", name, (unsigned long long)off);
}
