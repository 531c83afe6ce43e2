/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* elfimg.c: the in-memory ELF image builder of elfimg.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfimg.h"

const uint8_t elfimg_code[ELFIMG_CODE_LEN] = {
    0xeb, 0xfe, /* jmp . */
    0xf4, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4,
    0xf4, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4, /* hlt: never reached */
};

static _Noreturn void too_big(const char *what)
{
    fprintf(stderr, "elfimg: %s does not fit; raise the limit\n", what);
    abort();
}

struct elfimg_seg *elfimg_spec_add(struct elfimg_spec *s, uint32_t type,
                                   uint32_t flags, uint64_t vaddr,
                                   uint64_t memsz, const void *data, size_t len)
{
    if (s->phnum == ELFIMG_PH_MAX)
        too_big("program header table");
    struct elfimg_seg *g = &s->seg[s->phnum++];
    *g = (struct elfimg_seg){
        .ph = {.p_type = type,
               .p_flags = flags,
               .p_vaddr = vaddr,
               .p_paddr = vaddr,
               .p_memsz = memsz,
               .p_align = 8},
        .data = data,
        .len = len,
    };
    return g;
}

static void put(struct elfimg_spec *s, const void *p, size_t n)
{
    size_t padded = (n + 3) & ~(size_t)3;
    if (padded > sizeof(s->notes) - s->notes_len)
        too_big("notes");
    memcpy(s->notes + s->notes_len, p, n);
    memset(s->notes + s->notes_len + n, 0, padded - n);
    s->notes_len += padded;
}

void elfimg_spec_note(struct elfimg_spec *s, uint32_t type, const char *name,
                      uint32_t namesz, const void *desc, uint32_t descsz)
{
    if (s->note_seg < 0) {
        elfimg_spec_add(s, PT_NOTE, PF_R, 0, 0, s->notes, 0);
        s->note_seg = (int)s->phnum - 1;
    }
    Elf64_Nhdr nh = {.n_namesz = namesz, .n_descsz = descsz, .n_type = type};
    put(s, &nh, sizeof(nh));
    put(s, name, namesz);
    put(s, desc, descsz);
}

void elfimg_spec_abi_note(struct elfimg_spec *s, uint32_t version)
{
    struct husk_note_abi abi = {.abi_version = version};
    elfimg_spec_note(s, HUSK_NOTE_ABI, HUSK_NOTE_NAME, sizeof(HUSK_NOTE_NAME),
                     &abi, sizeof(abi));
}

void elfimg_spec_devices(struct elfimg_spec *s, uint32_t count,
                         const struct husk_note_device *devs)
{
    uint8_t desc[sizeof(struct husk_note_devices) +
                 HUSK_DEVICES_MAX * sizeof(struct husk_note_device)];
    if (count > HUSK_DEVICES_MAX)
        too_big("device note");
    struct husk_note_devices hdr = {.count = count};
    memcpy(desc, &hdr, sizeof(hdr));
    if (count > 0) /* devs may be NULL then */
        memcpy(desc + sizeof(hdr), devs, count * sizeof(*devs));
    elfimg_spec_note(s, HUSK_NOTE_DEVICES, HUSK_NOTE_NAME,
                     sizeof(HUSK_NOTE_NAME), desc,
                     (uint32_t)(sizeof(hdr) + count * sizeof(*devs)));
}

void elfimg_spec_minimal(struct elfimg_spec *s)
{
    memset(s, 0, sizeof(*s));
    s->note_seg = -1;
    s->entry = ELFIMG_TEXT_GPA;
    elfimg_spec_add(s, PT_LOAD, PF_R | PF_X, ELFIMG_TEXT_GPA, ELFIMG_CODE_LEN,
                    elfimg_code, ELFIMG_CODE_LEN);
    elfimg_spec_abi_note(s, HUSK_ABI_VERSION);
}

void elfimg_build(struct elfimg *im, const struct elfimg_spec *s)
{
    memset(im, 0, sizeof(*im));
    Elf64_Ehdr *eh = elfimg_eh(im);
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_ident[EI_OSABI] = ELFOSABI_SYSV;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = s->entry;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = (Elf64_Half)s->phnum;

    size_t off = sizeof(Elf64_Ehdr) + s->phnum * sizeof(Elf64_Phdr);
    for (unsigned i = 0; i < s->phnum; i++) {
        Elf64_Phdr ph = s->seg[i].ph;
        const void *data = s->seg[i].data;
        size_t len = s->seg[i].len;
        if ((int)i == s->note_seg) { /* the notes of this spec, not a copy's */
            data = s->notes;
            len = s->notes_len;
        }
        if (data != NULL) {
            off = (off + 7) & ~(size_t)7;
            if (len > ELFIMG_CAP - off)
                too_big("image");
            memcpy(im->bytes + off, data, len);
            ph.p_offset = off;
            ph.p_filesz = len;
            off += len;
        }
        memcpy(elfimg_ph(im, i), &ph, sizeof(ph));
    }
    im->len = off;
}

void elfimg_minimal(struct elfimg *im)
{
    static struct elfimg_spec s; /* 5 KiB: not on every test's stack */
    elfimg_spec_minimal(&s);
    elfimg_build(im, &s);
}

Elf64_Ehdr *elfimg_eh(struct elfimg *im)
{
    return (Elf64_Ehdr *)im->bytes;
}

Elf64_Phdr *elfimg_ph(struct elfimg *im, unsigned i)
{
    return (Elf64_Phdr *)(im->bytes + sizeof(Elf64_Ehdr)) + i;
}
