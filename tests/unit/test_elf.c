/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_elf.c: husk_elf_parse, husk_elf_min_mem and husk_elf_load
 * (monitor/elf.c) on images built in memory by elfimg.c. Each test starts
 * from a valid image and breaks one thing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfimg.h"
#include "husk.h"
#include "unit.h"

static struct elfimg im;
static struct elfimg_spec spec;
static struct husk_elf_image img;
static char err[512];

static int parse_bytes(const uint8_t *bytes, size_t len)
{
    memset(err, 0, sizeof(err));
    /* A heap copy of exactly len bytes: ASan catches any read past it. */
    uint8_t *copy = malloc(len ? len : 1);
    CHECK(copy != NULL);
    memcpy(copy, bytes, len);
    int rc = husk_elf_parse(copy, len, len, &img, err, sizeof(err));
    free(copy);
    return rc;
}

static int parse(void)
{
    return parse_bytes(im.bytes, im.len);
}

static int build_and_parse(void)
{
    elfimg_build(&im, &spec);
    return parse();
}

/* Rejected, with a one-line reason containing these words. */
#define CHECK_BAD(rc, words)              \
    do {                                  \
        CHECK_EQ(rc, -1);                 \
        CHECK_HAS(err, words);            \
        CHECK(strchr(err, '\n') == NULL); \
    } while (0)

/* Passed; err says why if not. */
#define CHECK_OK(rc)                         \
    do {                                     \
        if ((rc) != 0)                       \
            FAIL("%s failed: %s", #rc, err); \
    } while (0)

static struct husk_note_device device(uint32_t kind, const char *name)
{
    struct husk_note_device d = {.kind = kind};
    size_t n = strlen(name);
    memcpy(d.name, name, n < sizeof(d.name) ? n : sizeof(d.name));
    return d;
}

/* ---- valid images ---- */

TEST(elf_minimal_valid)
{
    elfimg_minimal(&im);
    CHECK_OK(parse());
    CHECK_EQ(img.entry, ELFIMG_TEXT_GPA);
    CHECK_EQ(img.segment_count, 1);
    CHECK_EQ(img.segments[0].gpa, ELFIMG_TEXT_GPA);
    CHECK_EQ(img.segments[0].filesz, ELFIMG_CODE_LEN);
    CHECK_EQ(img.segments[0].memsz, ELFIMG_CODE_LEN);
    CHECK_EQ(img.segments[0].offset, elfimg_ph(&im, 0)->p_offset);
    CHECK_EQ(img.image_end, ELFIMG_TEXT_GPA + HUSK_PAGE_SIZE);
    CHECK_EQ(img.abi_version, HUSK_ABI_VERSION);
    CHECK_EQ(img.device_count, 0);
    CHECK_EQ(img.phoff, sizeof(Elf64_Ehdr));
    CHECK_EQ(img.phnum, 2);
    CHECK_EQ(img.phentsize, sizeof(Elf64_Phdr));
    CHECK_EQ(img.phdr_gpa, 0); /* no segment loads them */
}

TEST(elf_every_prefix_rejected)
{
    /* Truncated anywhere, the image must fail cleanly (ASan watches). */
    elfimg_minimal(&im);
    for (size_t len = 0; len < im.len; len++)
        if (parse_bytes(im.bytes, len) != -1)
            FAIL("a %zu-byte prefix of a %zu-byte image passed", len, im.len);
}

TEST(elf_phdrs_in_loaded_segment)
{
    /* A text segment that starts at file offset 0, as ld makes them: the
     * guest finds its program headers where they were loaded. */
    elfimg_minimal(&im);
    Elf64_Phdr *text = elfimg_ph(&im, 0);
    text->p_offset = 0;
    text->p_filesz = text->p_memsz = im.len;
    CHECK_OK(parse());
    CHECK_EQ(img.phdr_gpa, ELFIMG_TEXT_GPA + sizeof(Elf64_Ehdr));
}

TEST(elf_bss_and_extra_headers)
{
    static const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    elfimg_spec_minimal(&spec);
    elfimg_spec_add(&spec, PT_LOAD, PF_R | PF_W, 0x201000, 0x3000, data, 8);
    elfimg_spec_add(&spec, PT_GNU_STACK, PF_R | PF_W, 0, 0, NULL, 0);
    elfimg_spec_add(&spec, PT_TLS, PF_R, 0x201000, 8, NULL, 0);
    elfimg_spec_add(&spec, PT_LOAD, PF_R, 0, 0, NULL, 0); /* empty: skipped */
    CHECK_OK(build_and_parse());
    CHECK_EQ(img.segment_count, 2);
    CHECK_EQ(img.segments[1].gpa, 0x201000);
    CHECK_EQ(img.segments[1].filesz, 8);
    CHECK_EQ(img.segments[1].memsz, 0x3000);
    CHECK_EQ(img.image_end, 0x204000);
}

TEST(elf_unknown_notes_skipped)
{
    static const uint8_t build_id[20] = {0xab};
    elfimg_spec_minimal(&spec);
    spec.notes_len = 0;
    elfimg_spec_note(&spec, NT_GNU_BUILD_ID, "GNU", 4, build_id, 20);
    elfimg_spec_note(&spec, 7, "", 0, "", 0);                 /* empty note */
    elfimg_spec_note(&spec, HUSK_NOTE_ABI, "Husk", 4, "", 0); /* not ours */
    elfimg_spec_note(&spec, 0x48569999, HUSK_NOTE_NAME, 5, "xyz", 3);
    elfimg_spec_abi_note(&spec, HUSK_ABI_VERSION);
    CHECK_OK(build_and_parse());
}

TEST(elf_notes_in_two_segments)
{
    /* The ABI note may sit in any PT_NOTE segment. */
    static const uint8_t gnu[16] = {0};
    elfimg_spec_minimal(&spec);
    spec.notes_len = 0;
    elfimg_spec_note(&spec, NT_GNU_ABI_TAG, "GNU", 4, gnu, 16);
    static struct elfimg_spec other;
    elfimg_spec_minimal(&other);
    elfimg_spec_add(&spec, PT_NOTE, PF_R, 0, 0, other.notes, other.notes_len);
    CHECK_OK(build_and_parse());
    CHECK_EQ(img.abi_version, HUSK_ABI_VERSION);
}

TEST(elf_two_devices)
{
    struct husk_note_device devs[2] = {device(HUSK_DEVICE_BLOCK, "disk"),
                                       device(HUSK_DEVICE_NET, "eth0")};
    elfimg_spec_minimal(&spec);
    elfimg_spec_devices(&spec, 2, devs);
    CHECK_OK(build_and_parse());
    CHECK_EQ(img.device_count, 2);
    CHECK_EQ(img.devices[0].kind, HUSK_DEVICE_BLOCK);
    CHECK_STREQ(img.devices[0].name, "disk");
    CHECK_EQ(img.devices[1].kind, HUSK_DEVICE_NET);
    CHECK_STREQ(img.devices[1].name, "eth0");
}

TEST(elf_sixteen_devices)
{
    struct husk_note_device devs[HUSK_DEVICES_MAX];
    for (int i = 0; i < HUSK_DEVICES_MAX; i++) {
        char name[8];
        snprintf(name, sizeof(name), "d%d", i);
        devs[i] = device(HUSK_DEVICE_BLOCK, name);
    }
    memset(devs[15].name, 'z', 31); /* the longest name: 31 + NUL */
    elfimg_spec_minimal(&spec);
    elfimg_spec_devices(&spec, HUSK_DEVICES_MAX, devs);
    CHECK_OK(build_and_parse());
    CHECK_EQ(img.device_count, HUSK_DEVICES_MAX);
    CHECK_EQ(strlen(img.devices[15].name), 31);
}

TEST(elf_zero_devices)
{
    elfimg_spec_minimal(&spec);
    elfimg_spec_devices(&spec, 0, NULL);
    CHECK_OK(build_and_parse());
    CHECK_EQ(img.device_count, 0);
}

/* ---- the ELF header ---- */

TEST(elf_not_elf)
{
    static const uint8_t text[] = "#!/bin/sh\necho not an image\n";
    CHECK_BAD(parse_bytes(text, sizeof(text)), "not an ELF file");
    CHECK_BAD(parse_bytes(text, 0), "not an ELF file");
    CHECK_BAD(parse_bytes((const uint8_t *)"\x7f"
                                           "EL",
                          3),
              "not an ELF file");
    elfimg_minimal(&im);
    im.bytes[3] = 'G';
    CHECK_BAD(parse(), "not an ELF file");
}

TEST(elf_truncated_header)
{
    elfimg_minimal(&im);
    CHECK_BAD(parse_bytes(im.bytes, 4), "truncated ELF header (4 bytes)");
    CHECK_BAD(parse_bytes(im.bytes, 63), "truncated ELF header (63 bytes)");
}

TEST(elf_class)
{
    elfimg_minimal(&im);
    im.bytes[EI_CLASS] = ELFCLASS32;
    CHECK_BAD(parse(), "not a 64-bit ELF file (class 1)");
    im.bytes[EI_CLASS] = ELFCLASSNONE;
    CHECK_BAD(parse(), "not a 64-bit ELF file (class 0)");
}

TEST(elf_big_endian)
{
    elfimg_minimal(&im);
    im.bytes[EI_DATA] = ELFDATA2MSB;
    CHECK_BAD(parse(), "not a little-endian ELF file");
    im.bytes[EI_DATA] = ELFDATANONE;
    CHECK_BAD(parse(), "not a little-endian ELF file");
}

TEST(elf_version)
{
    elfimg_minimal(&im);
    im.bytes[EI_VERSION] = 2;
    CHECK_BAD(parse(), "unknown ELF version");
    elfimg_minimal(&im);
    elfimg_eh(&im)->e_version = 0;
    CHECK_BAD(parse(), "unknown ELF version");
}

TEST(elf_machine)
{
    elfimg_minimal(&im);
    elfimg_eh(&im)->e_machine = EM_AARCH64;
    CHECK_BAD(parse(),
              "built for another machine (e_machine 183, expected x86-64)");
    elfimg_eh(&im)->e_machine = EM_386;
    CHECK_BAD(parse(), "e_machine 3");
}

TEST(elf_type)
{
    elfimg_minimal(&im);
    elfimg_eh(&im)->e_type = ET_DYN;
    CHECK_BAD(parse(), "position-independent or shared object; build the "
                       "image with husk-cc");
    elfimg_eh(&im)->e_type = ET_REL;
    CHECK_BAD(parse(), "not an executable (e_type 1)");
    elfimg_eh(&im)->e_type = ET_CORE;
    CHECK_BAD(parse(), "not an executable (e_type 4)");
}

TEST(elf_phentsize)
{
    elfimg_minimal(&im);
    elfimg_eh(&im)->e_phentsize = 32;
    CHECK_BAD(parse(), "bad program header size 32");
}

TEST(elf_phnum_zero)
{
    elfimg_minimal(&im);
    elfimg_eh(&im)->e_phnum = 0;
    CHECK_BAD(parse(), "0 program headers (expected 1 to 64)");
}

TEST(elf_phnum_limit)
{
    elfimg_spec_minimal(&spec);
    while (spec.phnum < HUSK_ELF_PHNUM_MAX)
        elfimg_spec_add(&spec, PT_NULL, 0, 0, 0, NULL, 0);
    CHECK_OK(build_and_parse());
    elfimg_spec_add(&spec, PT_NULL, 0, 0, 0, NULL, 0);
    CHECK_BAD(build_and_parse(), "65 program headers (expected 1 to 64)");
    elfimg_eh(&im)->e_phnum = 0xffff; /* PN_XNUM: not supported either */
    CHECK_BAD(parse(), "65535 program headers");
}

TEST(elf_phdrs_outside_file)
{
    elfimg_minimal(&im);
    elfimg_eh(&im)->e_phoff = im.len;
    CHECK_BAD(parse(), "program headers lie outside the file");
    elfimg_eh(&im)->e_phoff = im.len - 2 * sizeof(Elf64_Phdr) + 1;
    CHECK_BAD(parse(), "program headers lie outside the file");
    elfimg_eh(&im)->e_phoff = UINT64_MAX - 8; /* offset + size overflows */
    CHECK_BAD(parse(), "program headers lie outside the file");
}

/* ---- segments ---- */

TEST(elf_segment_outside_file)
{
    elfimg_minimal(&im);
    Elf64_Phdr *ph = elfimg_ph(&im, 0);
    ph->p_offset = im.len;
    CHECK_BAD(parse(), "segment at 0x200000 lies outside the file");
    ph->p_offset = im.len - ELFIMG_CODE_LEN + 1;
    CHECK_BAD(parse(), "lies outside the file");
    ph->p_offset = UINT64_MAX;
    CHECK_BAD(parse(), "lies outside the file");
    ph->p_offset = 8;
    ph->p_filesz = ph->p_memsz = UINT64_MAX; /* offset + size overflows */
    CHECK_BAD(parse(), "lies outside the file");
}

TEST(elf_filesz_above_memsz)
{
    elfimg_minimal(&im);
    elfimg_ph(&im, 0)->p_memsz = ELFIMG_CODE_LEN - 1;
    CHECK_BAD(parse(), "segment at 0x200000: file size exceeds memory size");
}

TEST(elf_paddr_differs)
{
    elfimg_minimal(&im);
    elfimg_ph(&im, 0)->p_paddr = 0x300000;
    CHECK_BAD(parse(), "physical and virtual addresses differ");
}

TEST(elf_segment_below_load_min)
{
    elfimg_minimal(&im);
    Elf64_Phdr *ph = elfimg_ph(&im, 0);
    ph->p_vaddr = ph->p_paddr = HUSK_LOAD_MIN - 0x1000;
    elfimg_eh(&im)->e_entry = ph->p_vaddr;
    CHECK_BAD(parse(), "segment 0xff000+0x10 lies outside guest memory (images "
                       "load between 0x100000 and 0x800000000)");
    ph->p_vaddr = ph->p_paddr = 0;
    CHECK_BAD(parse(), "segment 0x0+0x10 lies outside guest memory");
    ph->p_vaddr = ph->p_paddr = HUSK_LOAD_MIN; /* the lowest address allowed */
    elfimg_eh(&im)->e_entry = HUSK_LOAD_MIN;
    CHECK_OK(parse());
}

TEST(elf_segment_past_mem_max)
{
    elfimg_minimal(&im);
    Elf64_Phdr *ph = elfimg_ph(&im, 0);
    Elf64_Ehdr *eh = elfimg_eh(&im);
    /* Ends 1 MiB below HUSK_MEM_MAX: the last image that can still get a
     * heap and stack. One page more and it is refused at parse time. */
    ph->p_vaddr = ph->p_paddr = eh->e_entry = HUSK_MEM_MAX - 0x101000;
    ph->p_memsz = 0x1000;
    CHECK_OK(parse());
    CHECK_EQ(img.image_end, HUSK_MEM_MAX - 0x100000);
    CHECK_EQ(husk_elf_min_mem(&img), HUSK_MEM_MAX);
    ph->p_vaddr = ph->p_paddr = eh->e_entry = HUSK_MEM_MAX - 0x1000;
    CHECK_BAD(parse(), "leaves no room for a heap and stack below 32G");
    ph->p_memsz = 0x1001;
    CHECK_BAD(parse(), "segment 0x7fffff000+0x1001 lies outside guest memory");
    ph->p_vaddr = ph->p_paddr = eh->e_entry = HUSK_MEM_MAX;
    ph->p_memsz = ELFIMG_CODE_LEN;
    CHECK_BAD(parse(), "lies outside guest memory");
    ph->p_vaddr = ph->p_paddr = eh->e_entry = HUSK_LOAD_MIN;
    ph->p_memsz = HUSK_MEM_MAX + 1;
    CHECK_BAD(parse(), "lies outside guest memory");
}

TEST(elf_segment_end_overflows)
{
    elfimg_minimal(&im);
    Elf64_Phdr *ph = elfimg_ph(&im, 0);
    Elf64_Ehdr *eh = elfimg_eh(&im);
    /* vaddr + memsz wraps around to a small number. */
    ph->p_vaddr = ph->p_paddr = eh->e_entry = 0xfffffffffffff000ULL;
    ph->p_memsz = 0x201000;
    CHECK_BAD(parse(), "segment 0xfffffffffffff000+0x201000 lies outside");
    ph->p_vaddr = ph->p_paddr = eh->e_entry = HUSK_LOAD_MIN;
    ph->p_memsz = UINT64_MAX;
    CHECK_BAD(parse(), "lies outside guest memory");
}

static void two_segments(uint64_t a, uint64_t a_size, uint64_t b,
                         uint64_t b_size)
{
    elfimg_spec_minimal(&spec);
    spec.seg[0].ph.p_vaddr = spec.seg[0].ph.p_paddr = spec.entry = a;
    spec.seg[0].ph.p_memsz = a_size;
    elfimg_spec_add(&spec, PT_LOAD, PF_R | PF_W, b, b_size, NULL, 0);
}

TEST(elf_segments_overlap)
{
    two_segments(0x200000, 0x2000, 0x201000, 0x1000);
    CHECK_BAD(build_and_parse(),
              "segments 0x200000+0x2000 and 0x201000+0x1000 overlap");
    two_segments(0x201000, 0x1000, 0x200000, 0x1001); /* b ends inside a */
    CHECK_BAD(build_and_parse(), "overlap");
    two_segments(0x200000, 0x1000, 0x200000, 0x1000); /* the same range */
    CHECK_BAD(build_and_parse(), "overlap");
    two_segments(0x200000, 0x10000, 0x204000, 0x10); /* b inside a */
    CHECK_BAD(build_and_parse(), "overlap");
    two_segments(0x204000, 0x10, 0x200000, 0x10000); /* a inside b */
    CHECK_BAD(build_and_parse(), "overlap");
}

TEST(elf_segments_adjacent)
{
    two_segments(0x200000, 0x1000, 0x201000, 0x1000);
    CHECK_OK(build_and_parse());
    two_segments(0x201000, 0x1000, 0x200000, 0x1000);
    CHECK_OK(build_and_parse());
    CHECK_EQ(img.image_end, 0x202000);
}

TEST(elf_too_many_segments)
{
    elfimg_spec_minimal(&spec);
    for (uint64_t i = 1; i < HUSK_ELF_SEGMENTS_MAX; i++)
        elfimg_spec_add(&spec, PT_LOAD, PF_R, 0x200000 + i * 0x1000, 0x1000,
                        NULL, 0);
    CHECK_OK(build_and_parse());
    CHECK_EQ(img.segment_count, HUSK_ELF_SEGMENTS_MAX);
    elfimg_spec_add(&spec, PT_LOAD, PF_R, 0x300000, 0x1000, NULL, 0);
    CHECK_BAD(build_and_parse(), "more than 16 loadable segments");
}

TEST(elf_no_loadable_segment)
{
    elfimg_spec_minimal(&spec);
    spec.seg[0].ph.p_type = PT_NULL;
    CHECK_BAD(build_and_parse(), "no loadable segments");
}

/* ---- entry point ---- */

TEST(elf_entry_outside)
{
    elfimg_minimal(&im);
    Elf64_Ehdr *eh = elfimg_eh(&im);
    eh->e_entry = 0x300000;
    CHECK_BAD(parse(), "entry point 0x300000 is outside every executable "
                       "segment");
    eh->e_entry = ELFIMG_TEXT_GPA + ELFIMG_CODE_LEN; /* one past the end */
    CHECK_BAD(parse(), "entry point 0x200010 is outside");
    eh->e_entry = ELFIMG_TEXT_GPA - 1;
    CHECK_BAD(parse(), "is outside every executable segment");
    eh->e_entry = 0;
    CHECK_BAD(parse(), "entry point 0x0 is outside");
    eh->e_entry = ELFIMG_TEXT_GPA + ELFIMG_CODE_LEN - 1; /* the last byte */
    CHECK_OK(parse());
    CHECK_EQ(img.entry, ELFIMG_TEXT_GPA + ELFIMG_CODE_LEN - 1);
}

TEST(elf_entry_in_data_segment)
{
    elfimg_spec_minimal(&spec);
    elfimg_spec_add(&spec, PT_LOAD, PF_R | PF_W, 0x201000, 0x1000, NULL, 0);
    spec.entry = 0x201000;
    CHECK_BAD(build_and_parse(), "entry point 0x201000 is outside every "
                                 "executable segment");
}

/* ---- dynamic linking ---- */

TEST(elf_interp)
{
    static const char interp[] = "/lib64/ld-linux-x86-64.so.2";
    elfimg_spec_minimal(&spec);
    elfimg_spec_add(&spec, PT_INTERP, PF_R, 0, 0, interp, sizeof(interp));
    CHECK_BAD(build_and_parse(), "dynamically linked; build the image with "
                                 "husk-cc");
}

TEST(elf_dynamic)
{
    elfimg_spec_minimal(&spec);
    elfimg_spec_add(&spec, PT_DYNAMIC, PF_R, 0, 0, NULL, 0);
    CHECK_BAD(build_and_parse(), "dynamically linked");
}

/* ---- the ABI note ---- */

TEST(elf_no_abi_note)
{
    elfimg_spec_minimal(&spec);
    spec.notes_len = 0;
    elfimg_spec_note(&spec, NT_GNU_BUILD_ID, "GNU", 4, "0123456789abcdef", 16);
    CHECK_BAD(build_and_parse(),
              "not a Husk image (no Husk ABI note); build it with husk-cc");
    elfimg_spec_minimal(&spec);
    spec.seg[spec.note_seg].ph.p_type = PT_NULL; /* no PT_NOTE at all */
    CHECK_BAD(build_and_parse(), "no Husk ABI note");
}

TEST(elf_abi_note_wrong_name)
{
    static const struct husk_note_abi abi = {HUSK_ABI_VERSION, 0};
    elfimg_spec_minimal(&spec);
    spec.notes_len = 0;
    elfimg_spec_note(&spec, HUSK_NOTE_ABI, "Husk", 4, &abi, sizeof(abi));
    elfimg_spec_note(&spec, HUSK_NOTE_ABI, "HUSK", 5, &abi, sizeof(abi));
    elfimg_spec_note(&spec, HUSK_NOTE_ABI, "Husk\0\0", 6, &abi, sizeof(abi));
    CHECK_BAD(build_and_parse(), "no Husk ABI note");
}

/* The monitor's own ABI version, as its messages spell it. */
#define ABI_TEXT_(v) #v
#define ABI_TEXT_OF(v) ABI_TEXT_(v)
#define ABI_TEXT ABI_TEXT_OF(HUSK_ABI_VERSION)

TEST(elf_abi_version_mismatch)
{
    elfimg_spec_minimal(&spec);
    spec.notes_len = 0;
    elfimg_spec_abi_note(&spec, 999);
    CHECK_BAD(build_and_parse(),
              "built for Husk ABI 999, but this monitor "
              "speaks ABI " ABI_TEXT "; rebuild the image with this "
              "release's husk-cc");
    spec.notes_len = 0;
    elfimg_spec_abi_note(&spec, 0);
    CHECK_BAD(build_and_parse(), "built for Husk ABI 0");
}

TEST(elf_abi_note_bad_size)
{
    static const uint8_t desc[16] = {1};
    elfimg_spec_minimal(&spec);
    spec.notes_len = 0;
    elfimg_spec_note(&spec, HUSK_NOTE_ABI, HUSK_NOTE_NAME, 5, desc, 4);
    CHECK_BAD(build_and_parse(), "bad Husk ABI note size 4");
    spec.notes_len = 0;
    elfimg_spec_note(&spec, HUSK_NOTE_ABI, HUSK_NOTE_NAME, 5, desc, 16);
    CHECK_BAD(build_and_parse(), "bad Husk ABI note size 16");
}

/* ---- malformed notes ---- */

TEST(elf_note_truncated)
{
    elfimg_minimal(&im);
    Elf64_Phdr *note = elfimg_ph(&im, 1);
    note->p_filesz = sizeof(Elf64_Nhdr) - 1;
    CHECK_BAD(parse(), "truncated ELF note");
    /* A whole note followed by 4 stray bytes. */
    elfimg_spec_minimal(&spec);
    spec.notes_len += 4;
    CHECK_BAD(build_and_parse(), "truncated ELF note");
}

TEST(elf_note_segment_outside_file)
{
    elfimg_minimal(&im);
    Elf64_Phdr *note = elfimg_ph(&im, 1);
    note->p_offset = im.len - 4;
    CHECK_BAD(parse(), "note segment lies outside the file");
    note->p_offset = 16;
    note->p_filesz = UINT64_MAX - 8; /* offset + size overflows */
    CHECK_BAD(parse(), "note segment lies outside the file");
}

TEST(elf_note_name_past_segment)
{
    elfimg_minimal(&im);
    Elf64_Nhdr *nh = (Elf64_Nhdr *)(im.bytes + elfimg_ph(&im, 1)->p_offset);
    nh->n_namesz = 0x1000;
    CHECK_BAD(parse(), "ELF note runs past its segment");
    nh->n_namesz = UINT32_MAX; /* padding it must not wrap around */
    CHECK_BAD(parse(), "ELF note runs past its segment");
    nh->n_namesz = 5;
    nh->n_descsz = 9; /* padded to 12: 4 bytes past the end */
    CHECK_BAD(parse(), "ELF note runs past its segment");
    nh->n_descsz = UINT32_MAX;
    CHECK_BAD(parse(), "ELF note runs past its segment");
    nh->n_descsz = 0xfffffffd; /* + 3 would wrap in 32 bits */
    CHECK_BAD(parse(), "ELF note runs past its segment");
}

/* ---- the device note ---- */

static int parse_device_desc(const void *desc, uint32_t descsz)
{
    elfimg_spec_minimal(&spec);
    elfimg_spec_note(&spec, HUSK_NOTE_DEVICES, HUSK_NOTE_NAME, 5, desc, descsz);
    return build_and_parse();
}

TEST(elf_device_note_truncated)
{
    static const struct husk_note_devices hdr = {0, 0};
    CHECK_BAD(parse_device_desc(&hdr, 4), "truncated Husk device note");
    CHECK_BAD(parse_device_desc(&hdr, 0), "truncated Husk device note");
}

TEST(elf_device_note_bad_size)
{
    uint8_t desc[8 + 3 * 40] = {0};
    struct husk_note_devices hdr = {.count = 2};
    memcpy(desc, &hdr, sizeof(hdr));
    struct husk_note_device d[3] = {device(HUSK_DEVICE_BLOCK, "a"),
                                    device(HUSK_DEVICE_BLOCK, "b"),
                                    device(HUSK_DEVICE_BLOCK, "c")};
    memcpy(desc + 8, d, sizeof(d));
    CHECK_BAD(parse_device_desc(desc, 8 + 40), "bad Husk device note size 48");
    CHECK_BAD(parse_device_desc(desc, 8 + 3 * 40),
              "bad Husk device note size 128");
    CHECK_BAD(parse_device_desc(desc, 8 + 2 * 40 - 1),
              "bad Husk device note size 87");
    CHECK_OK(parse_device_desc(desc, 8 + 2 * 40));
}

TEST(elf_device_note_count_too_big)
{
    uint8_t desc[8 + 17 * 40] = {0};
    struct husk_note_devices hdr = {.count = 17};
    memcpy(desc, &hdr, sizeof(hdr));
    CHECK_BAD(parse_device_desc(desc, sizeof(desc)),
              "image declares 17 devices (at most 16)");
    hdr.count = UINT32_MAX; /* count * 40 must not wrap to a small size */
    memcpy(desc, &hdr, sizeof(hdr));
    CHECK_BAD(parse_device_desc(desc, 8 + 24), "declares 4294967295 devices");
    hdr.count = 0x6666667; /* 8 + count * 40 == 2^32 + 24 */
    memcpy(desc, &hdr, sizeof(hdr));
    CHECK_BAD(parse_device_desc(desc, 24), "devices (at most 16)");
}

TEST(elf_device_unknown_kind)
{
    struct husk_note_device d[2] = {device(HUSK_DEVICE_NET, "eth0"),
                                    device(3, "x")};
    elfimg_spec_minimal(&spec);
    elfimg_spec_devices(&spec, 2, d);
    CHECK_BAD(build_and_parse(), "device 1 has unknown kind 3");
    d[1].kind = 0;
    elfimg_spec_minimal(&spec);
    elfimg_spec_devices(&spec, 2, d);
    CHECK_BAD(build_and_parse(), "device 1 has unknown kind 0");
}

TEST(elf_device_name_without_nul)
{
    struct husk_note_device d = device(HUSK_DEVICE_BLOCK, "");
    memset(d.name, 'a', sizeof(d.name)); /* 32 characters, no NUL */
    elfimg_spec_minimal(&spec);
    elfimg_spec_devices(&spec, 1, &d);
    CHECK_BAD(build_and_parse(), "device 0 has a bad name");
}

TEST(elf_device_name_empty)
{
    struct husk_note_device d = device(HUSK_DEVICE_NET, "");
    elfimg_spec_minimal(&spec);
    elfimg_spec_devices(&spec, 1, &d);
    CHECK_BAD(build_and_parse(), "device 0 has a bad name");
}

TEST(elf_device_name_charset)
{
    /* husk_abi.h: names are [a-z0-9_]+, as on the command line (args.c).
     * Any other name can never be attached, and it reaches the monitor's
     * one-line messages on stderr (devices.c) verbatim. */
    static const char *const bad[] = {"Disk", "a b", "a\nhusk: forged", "a-b",
                                      "\x1b[2J"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct husk_note_device d = device(HUSK_DEVICE_BLOCK, bad[i]);
        elfimg_spec_minimal(&spec);
        elfimg_spec_devices(&spec, 1, &d);
        if (build_and_parse() != -1)
            FAIL("device name \"%s\" was accepted", bad[i]);
        CHECK_HAS(err, "bad name");
    }
}

TEST(elf_device_declared_twice)
{
    struct husk_note_device d[3] = {device(HUSK_DEVICE_BLOCK, "disk"),
                                    device(HUSK_DEVICE_NET, "eth0"),
                                    device(HUSK_DEVICE_NET, "disk")};
    elfimg_spec_minimal(&spec);
    elfimg_spec_devices(&spec, 3, d);
    CHECK_BAD(build_and_parse(), "device 'disk' is declared twice");
}

TEST(elf_two_device_notes)
{
    struct husk_note_device a = device(HUSK_DEVICE_BLOCK, "a");
    struct husk_note_device b = device(HUSK_DEVICE_BLOCK, "b");
    elfimg_spec_minimal(&spec);
    elfimg_spec_devices(&spec, 1, &a);
    elfimg_spec_devices(&spec, 1, &b);
    CHECK_BAD(build_and_parse(), "more than one Husk device note");
}

/* ---- husk_elf_min_mem ---- */

static uint64_t min_mem_for(uint64_t image_end)
{
    struct husk_elf_image i = {.image_end = image_end};
    return husk_elf_min_mem(&i);
}

TEST(elf_min_mem)
{
    /* image_end + 1 MiB for heap and stack, rounded up to 2 MiB, >= 4 MiB */
    CHECK_EQ(min_mem_for(0x201000), HUSK_MEM_MIN);
    CHECK_EQ(min_mem_for(0x300000), 4ULL << 20);
    CHECK_EQ(min_mem_for(0x301000), 6ULL << 20);
    CHECK_EQ(min_mem_for(0x500000), 6ULL << 20);
    CHECK_EQ(min_mem_for(0xb00000), 12ULL << 20);
    CHECK_EQ(min_mem_for(HUSK_MEM_MAX), HUSK_MEM_MAX + (2ULL << 20));
    elfimg_minimal(&im);
    CHECK_OK(parse());
    CHECK_EQ(husk_elf_min_mem(&img), HUSK_MEM_MIN);
}

TEST(elf_min_mem_big_bss)
{
    elfimg_spec_minimal(&spec);
    elfimg_spec_add(&spec, PT_LOAD, PF_R | PF_W, 0x300000, 8ULL << 20, NULL, 0);
    CHECK_OK(build_and_parse());
    CHECK_EQ(img.image_end, 0xb00000);
    CHECK_EQ(husk_elf_min_mem(&img), 12ULL << 20);
}

/* ---- husk_elf_load ---- */

/* Load the image built last (im) from a file, as the monitor does. */
static void load_from_file(uint8_t *mem)
{
    int fd = memfd_create("image", MFD_CLOEXEC);
    CHECK(fd >= 0);
    CHECK((size_t)write(fd, im.bytes, im.len) == im.len);
    CHECK_OK(husk_elf_load(&img, fd, mem));
    close(fd);
}

TEST(elf_load)
{
    static const uint8_t data[5] = {0xd0, 0xd1, 0xd2, 0xd3, 0xd4};
    elfimg_spec_minimal(&spec);
    elfimg_spec_add(&spec, PT_LOAD, PF_R | PF_W, 0x203000, 0x2000, data, 5);
    CHECK_OK(build_and_parse());
    uint64_t size = husk_elf_min_mem(&img);
    uint8_t *mem = malloc(size);
    CHECK(mem != NULL);
    memset(mem, 0xee, size);
    load_from_file(mem);
    CHECK(memcmp(mem + ELFIMG_TEXT_GPA, elfimg_code, ELFIMG_CODE_LEN) == 0);
    CHECK(memcmp(mem + 0x203000, data, sizeof(data)) == 0);
    /* Only the file bytes are written: BSS is zero because guest memory
     * starts zeroed, not because the loader writes it. */
    for (uint64_t a = 0; a < size; a++) {
        bool text =
            a >= ELFIMG_TEXT_GPA && a < ELFIMG_TEXT_GPA + ELFIMG_CODE_LEN;
        bool dat = a >= 0x203000 && a < 0x203000 + sizeof(data);
        if (!text && !dat && mem[a] != 0xee)
            FAIL("byte 0x%llx written by the loader", (unsigned long long)a);
    }
    free(mem);
}

TEST(elf_load_at_end_of_min_mem)
{
    /* Loading into a heap buffer of exactly min_mem bytes stays inside it
     * (ASan), with a segment that fills its last page below image_end. */
    static uint8_t data[0x1000];
    memset(data, 0x5a, sizeof(data));
    elfimg_spec_minimal(&spec);
    elfimg_spec_add(&spec, PT_LOAD, PF_R, 0x2ff000, 0x1000, data, sizeof(data));
    CHECK_OK(build_and_parse());
    uint64_t size = husk_elf_min_mem(&img);
    CHECK_EQ(size, 4ULL << 20);
    uint8_t *mem = calloc(1, size);
    CHECK(mem != NULL);
    load_from_file(mem);
    CHECK_EQ(mem[0x2fffff], 0x5a);
    free(mem);
}

TEST(elf_load_file_shrunk)
{
    /* The file lost its last bytes after it was parsed: ENODATA, which
     * the monitor reports as an image that changed while it was read. */
    static const uint8_t data[5] = {1, 2, 3, 4, 5};
    elfimg_spec_minimal(&spec);
    elfimg_spec_add(&spec, PT_LOAD, PF_R | PF_W, 0x203000, 0x1000, data, 5);
    CHECK_OK(build_and_parse());
    uint8_t *mem = calloc(1, husk_elf_min_mem(&img));
    CHECK(mem != NULL);
    int fd = memfd_create("image", MFD_CLOEXEC);
    CHECK(fd >= 0);
    CHECK((size_t)write(fd, im.bytes, im.len - 2) == im.len - 2);
    errno = 0;
    CHECK_EQ(husk_elf_load(&img, fd, mem), -1);
    CHECK_EQ(errno, ENODATA);
    close(fd);
    free(mem);
}

TEST(elf_parse_reads_only_the_headers)
{
    /* The monitor parses husk_elf_extent's bytes: headers and notes, not
     * the segments' bytes, and must decide as from the whole file. */
    static uint8_t data[0x3000];
    elfimg_spec_minimal(&spec);
    elfimg_spec_add(&spec, PT_LOAD, PF_R, 0x300000, 0x3000, data, sizeof(data));
    elfimg_build(&im, &spec);
    size_t extent = husk_elf_extent(im.bytes, im.len, im.len);
    CHECK(extent < im.len);
    uint8_t *copy = malloc(extent);
    CHECK(copy != NULL);
    memcpy(copy, im.bytes, extent);
    CHECK_OK(husk_elf_parse(copy, extent, im.len, &img, err, sizeof(err)));
    /* Fewer bytes than that: the notes are not all there. */
    CHECK_EQ(husk_elf_parse(copy, extent - 1, im.len, &img, err, sizeof(err)),
             -1);
    CHECK(strstr(err, "note segment lies past the first") != NULL);
    free(copy);
}
