/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * elfimg.h: build small ELF64 images in memory, for the unit tests,
 * tests/cli/mkelf.c and the fuzz seeds. A spec lists program headers and
 * the bytes behind them; elfimg_build lays them out as
 *
 *     ELF header | program headers | each segment's bytes (8-aligned)
 *
 * and fills in p_offset and p_filesz of every segment that has bytes. Tests
 * then break one field at a time through elfimg_eh() and elfimg_ph().
 */
#ifndef HUSK_ELFIMG_H
#define HUSK_ELFIMG_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "../../abi/husk_abi.h"

#define ELFIMG_CAP 65536
/* Above HUSK_ELF_PHNUM_MAX, so that the limit can be hit. */
#define ELFIMG_PH_MAX 80
#define ELFIMG_NOTES_MAX 2048

/* The minimal image: 16 bytes of code at 0x200000 (entry), the ABI note. */
#define ELFIMG_TEXT_GPA 0x200000ULL
#define ELFIMG_CODE_LEN 16

struct elfimg_seg {
    Elf64_Phdr ph;
    const void *data; /* NULL: p_offset and p_filesz are left as given */
    size_t len;
};

struct elfimg_spec {
    uint64_t entry;
    unsigned phnum;
    struct elfimg_seg seg[ELFIMG_PH_MAX];
    int note_seg; /* the PT_NOTE that holds notes[], or -1 */
    size_t notes_len;
    _Alignas(8) uint8_t notes[ELFIMG_NOTES_MAX];
};

struct elfimg {
    size_t len;
    _Alignas(8) uint8_t bytes[ELFIMG_CAP];
};

/* The code bytes of the minimal image (jmp . and hlt padding). */
extern const uint8_t elfimg_code[ELFIMG_CODE_LEN];

/* A spec for the minimal valid Husk image (ABI note, no devices). */
void elfimg_spec_minimal(struct elfimg_spec *s);

/* Append a program header; data (len bytes) may be NULL. */
struct elfimg_seg *elfimg_spec_add(struct elfimg_spec *s, uint32_t type,
                                   uint32_t flags, uint64_t vaddr,
                                   uint64_t memsz, const void *data,
                                   size_t len);

/* Append one raw note: namesz bytes of name (padded to 4), then descsz
 * bytes of desc (padded to 4). Adds the PT_NOTE header on first use. */
void elfimg_spec_note(struct elfimg_spec *s, uint32_t type, const char *name,
                      uint32_t namesz, const void *desc, uint32_t descsz);

/* The Husk ABI note for the given version. */
void elfimg_spec_abi_note(struct elfimg_spec *s, uint32_t version);

/* A Husk device note declaring devs[0..count). */
void elfimg_spec_devices(struct elfimg_spec *s, uint32_t count,
                         const struct husk_note_device *devs);

/* Lay the spec out in im (aborts if it does not fit ELFIMG_CAP). */
void elfimg_build(struct elfimg *im, const struct elfimg_spec *s);

/* The minimal valid image, built. */
void elfimg_minimal(struct elfimg *im);

Elf64_Ehdr *elfimg_eh(struct elfimg *im);
Elf64_Phdr *elfimg_ph(struct elfimg *im, unsigned i);

#endif
