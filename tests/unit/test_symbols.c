/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_symbols.c: husk_symbol_find (monitor/symbols.c) on an ELF file
 * built here: a header, a symbol table and its string table, then each
 * test breaks one thing. The lookup reads an untrusted file: a broken
 * one gives no name, never a read outside it (ASan watches).
 */
#include <elf.h>
#include <stdlib.h>

#include "husk.h"
#include "unit.h"

/* The file: header, three section headers (null, .symtab, .strtab),
 * then the symbols and the strings. */
#define SH_OFF sizeof(Elf64_Ehdr)
#define SYM_OFF (SH_OFF + 3 * sizeof(Elf64_Shdr))
#define SYM_COUNT 6
#define STR_OFF (SYM_OFF + SYM_COUNT * sizeof(Elf64_Sym))
static const char strings[] = "\0main\0crash_here\0memcpy_label\0data\0b\033d";
#define FILE_LEN (STR_OFF + sizeof(strings))

static uint8_t file[FILE_LEN];

static Elf64_Shdr *shdr(unsigned i)
{
    return (Elf64_Shdr *)(file + SH_OFF + i * sizeof(Elf64_Shdr));
}

static Elf64_Sym *sym(unsigned i)
{
    return (Elf64_Sym *)(file + SYM_OFF + i * sizeof(Elf64_Sym));
}

static void build(void)
{
    memset(file, 0, sizeof(file));
    Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_shoff = SH_OFF;
    eh->e_shentsize = sizeof(Elf64_Shdr);
    eh->e_shnum = 3;
    *shdr(1) = (Elf64_Shdr){.sh_type = SHT_SYMTAB,
                            .sh_offset = SYM_OFF,
                            .sh_size = SYM_COUNT * sizeof(Elf64_Sym),
                            .sh_link = 2,
                            .sh_entsize = sizeof(Elf64_Sym)};
    *shdr(2) = (Elf64_Shdr){.sh_type = SHT_STRTAB,
                            .sh_offset = STR_OFF,
                            .sh_size = sizeof(strings)};
    memcpy(file + STR_OFF, strings, sizeof(strings));
    /* 0: the null symbol; main 0x1000+0x80; crash_here 0x1080+0x20; a
     * label with no size at 0x2000; an object; a name with an escape. */
    uint8_t func = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
    *sym(1) = (Elf64_Sym){.st_name = 1,
                          .st_info = func,
                          .st_shndx = 1,
                          .st_value = 0x1000,
                          .st_size = 0x80};
    *sym(2) = (Elf64_Sym){.st_name = 6,
                          .st_info = func,
                          .st_shndx = 1,
                          .st_value = 0x1080,
                          .st_size = 0x20};
    *sym(3) = (Elf64_Sym){.st_name = 17,
                          .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE),
                          .st_shndx = 1,
                          .st_value = 0x2000};
    *sym(4) = (Elf64_Sym){.st_name = 30,
                          .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
                          .st_shndx = 1,
                          .st_value = 0x3000,
                          .st_size = 0x100};
    *sym(5) = (Elf64_Sym){.st_name = 35,
                          .st_info = func,
                          .st_shndx = 1,
                          .st_value = 0x4000,
                          .st_size = 0x10};
}

static char name[64];
static uint64_t off;

/* Look addr up in a heap copy of exactly len bytes of the file. */
static bool find_in(size_t len, uint64_t addr)
{
    uint8_t *copy = malloc(len ? len : 1);
    CHECK(copy != NULL);
    memcpy(copy, file, len);
    memset(name, 0x55, sizeof(name));
    off = 0x5555;
    bool found = husk_symbol_find(copy, len, addr, name, sizeof(name), &off);
    free(copy);
    return found;
}

static bool find(uint64_t addr)
{
    return find_in(sizeof(file), addr);
}

TEST(symbol_inside_a_function)
{
    build();
    CHECK(find(0x1000));
    CHECK_STREQ(name, "main");
    CHECK_EQ(off, 0);
    CHECK(find(0x109f));
    CHECK_STREQ(name, "crash_here");
    CHECK_EQ(off, 0x1f);
}

TEST(symbol_past_a_function_is_unnamed)
{
    build();
    CHECK(!find(0x10a0)); /* after crash_here's end */
    CHECK(!find(0xfff));  /* below everything */
    CHECK(!find(0x3010)); /* an object names no code, nor ends a label */
}

TEST(symbol_label_without_size)
{
    build();
    CHECK(find(0x2345));
    CHECK_STREQ(name, "memcpy_label");
    CHECK_EQ(off, 0x345);
}

TEST(symbol_name_printable_and_cut)
{
    build();
    CHECK(find(0x4000));
    CHECK_STREQ(name, "b?d"); /* the escape byte is replaced */
    char small[3];
    CHECK(husk_symbol_find(file, sizeof(file), 0x1085, small, sizeof(small),
                           &off));
    CHECK_STREQ(small, "cr");
}

TEST(symbol_truncated_file)
{
    build();
    /* Every prefix of the file: no name from outside it. */
    for (size_t len = 0; len < sizeof(file); len++)
        if (find_in(len, 0x1085))
            FAIL("found %s in the first %zu bytes", name, len);
}

TEST(symbol_bad_tables)
{
    build();
    shdr(1)->sh_offset = ~0ULL - 8; /* symbols out of the file */
    CHECK(!find(0x1085));
    build();
    shdr(1)->sh_link = 7; /* no such section */
    CHECK(!find(0x1085));
    build();
    shdr(1)->sh_link = 1; /* not a string table */
    CHECK(!find(0x1085));
    build();
    shdr(1)->sh_entsize = 16;
    CHECK(!find(0x1085));
    build();
    sym(2)->st_name = sizeof(strings) + 100; /* name out of the table */
    CHECK(!find(0x1085));
    build();
    file[FILE_LEN - 1] = 'x'; /* the last name does not end */
    CHECK(!find(0x4000));
    build();
    ((Elf64_Ehdr *)file)->e_shnum = 0xffff; /* headers past the end */
    CHECK(!find(0x1085));
    build();
    ((Elf64_Ehdr *)file)->e_shoff = ~0ULL - 64;
    CHECK(!find(0x1085));
    build();
    sym(2)->st_shndx = SHN_UNDEF; /* undefined: names nothing */
    CHECK(!find(0x1085));
    build();
    file[EI_CLASS] = ELFCLASS32;
    CHECK(!find(0x1085));
}

TEST(symbol_no_file)
{
    CHECK(!husk_symbol_find(NULL, 0, 0x1000, name, sizeof(name), &off));
    char buf[64];
    husk_symbolize(0x1000, buf, sizeof(buf)); /* nothing mapped */
    CHECK_STREQ(buf, "");
}
