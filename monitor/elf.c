/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * elf.c: validate a static ELF64 image and load it into guest memory.
 * Pure: no KVM, no I/O, so that a fuzzer can feed it bytes directly.
 * Every value read from the file is untrusted and checked before use;
 * every sum is checked for overflow.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "husk.h"

/* Room the guest needs above its image: heap and stack, at least 1 MiB. */
#define HUSK_GUEST_MIN_FREE (1ULL << 20)

/* True if [off, off + size) lies inside a buffer of len bytes. */
static bool in_file(uint64_t off, uint64_t size, size_t len)
{
    return off <= len && size <= len - off;
}

static uint64_t page_up(uint64_t x)
{
    return (x + HUSK_PAGE_SIZE - 1) & ~(HUSK_PAGE_SIZE - 1);
}

static int check_header(const Elf64_Ehdr *eh, size_t len, char *err,
                        size_t errlen)
{
    if (len < SELFMAG || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return husk_errorf(err, errlen, "not an ELF file");
    if (len < sizeof(Elf64_Ehdr))
        return husk_errorf(err, errlen, "truncated ELF header (%zu bytes)",
                           len);
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        return husk_errorf(err, errlen, "not a 64-bit ELF file (class %u)",
                           eh->e_ident[EI_CLASS]);
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return husk_errorf(err, errlen, "not a little-endian ELF file");
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return husk_errorf(err, errlen, "unknown ELF version");
    if (eh->e_machine != EM_X86_64)
        return husk_errorf(err, errlen,
                           "built for another machine (e_machine %u, "
                           "expected x86-64)",
                           eh->e_machine);
    if (eh->e_type == ET_DYN)
        return husk_errorf(err, errlen,
                           "position-independent or shared object; "
                           "build the image with husk-cc");
    if (eh->e_type != ET_EXEC)
        return husk_errorf(err, errlen, "not an executable (e_type %u)",
                           eh->e_type);
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return husk_errorf(err, errlen, "bad program header size %u",
                           eh->e_phentsize);
    if (eh->e_phnum == 0 || eh->e_phnum > HUSK_ELF_PHNUM_MAX)
        return husk_errorf(err, errlen, "%u program headers (expected 1 to %d)",
                           eh->e_phnum, HUSK_ELF_PHNUM_MAX);
    if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), len))
        return husk_errorf(err, errlen, "program headers lie outside the file");
    return 0;
}

/* A device name: NUL-terminated within size, 1-31 of [a-z0-9_]. It ends
 * up in messages and must match what --block:NAME accepts. */
static bool valid_name(const char *name, size_t size)
{
    size_t i = 0;
    for (; i < size && name[i] != '\0'; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return i > 0 && i < size;
}

/* Parse the notes in one PT_NOTE segment, at offset off of the file;
 * unknown notes are skipped (a GNU build id's place is kept, for husk
 * inspect). */
static int parse_notes(const uint8_t *p, uint64_t off, uint64_t size,
                       struct husk_elf_image *img, bool *have_abi,
                       bool *have_devices, char *err, size_t errlen)
{
    while (size > 0) {
        Elf64_Nhdr nh;
        if (size < sizeof(nh))
            return husk_errorf(err, errlen, "truncated ELF note");
        memcpy(&nh, p, sizeof(nh));
        uint64_t name_sz = ((uint64_t)nh.n_namesz + 3) & ~3ULL;
        uint64_t desc_sz = ((uint64_t)nh.n_descsz + 3) & ~3ULL;
        uint64_t total = sizeof(nh) + name_sz + desc_sz;
        if (total > size)
            return husk_errorf(err, errlen, "ELF note runs past its segment");
        const char *name = (const char *)p + sizeof(nh);
        const uint8_t *desc = p + sizeof(nh) + name_sz;
        bool ours = nh.n_namesz == sizeof(HUSK_NOTE_NAME) &&
                    memcmp(name, HUSK_NOTE_NAME, sizeof(HUSK_NOTE_NAME)) == 0;
        if (ours && nh.n_type == HUSK_NOTE_ABI) {
            struct husk_note_abi abi;
            if (nh.n_descsz != sizeof(abi))
                return husk_errorf(err, errlen, "bad Husk ABI note size %u",
                                   nh.n_descsz);
            if (*have_abi)
                return husk_errorf(err, errlen, "more than one Husk ABI note");
            memcpy(&abi, desc, sizeof(abi));
            img->abi_version = abi.abi_version;
            *have_abi = true;
        } else if (ours && nh.n_type == HUSK_NOTE_DEVICES) {
            struct husk_note_devices hdr;
            if (nh.n_descsz < sizeof(hdr))
                return husk_errorf(err, errlen, "truncated Husk device note");
            memcpy(&hdr, desc, sizeof(hdr));
            if (hdr.count > HUSK_DEVICES_MAX)
                return husk_errorf(err, errlen,
                                   "image declares %u devices (at most %d)",
                                   hdr.count, HUSK_DEVICES_MAX);
            if (nh.n_descsz !=
                sizeof(hdr) + hdr.count * sizeof(struct husk_note_device))
                return husk_errorf(err, errlen, "bad Husk device note size %u",
                                   nh.n_descsz);
            if (*have_devices)
                return husk_errorf(err, errlen,
                                   "more than one Husk device note");
            *have_devices = true;
            for (uint32_t i = 0; i < hdr.count; i++) {
                struct husk_note_device *d = &img->devices[i];
                memcpy(d, desc + sizeof(hdr) + i * sizeof(*d), sizeof(*d));
                if (d->kind != HUSK_DEVICE_BLOCK && d->kind != HUSK_DEVICE_NET)
                    return husk_errorf(err, errlen,
                                       "device %u has unknown kind %u", i,
                                       d->kind);
                if (!valid_name(d->name, sizeof(d->name)))
                    return husk_errorf(
                        err, errlen,
                        "device %u has a bad name (1-31 characters "
                        "of a-z, 0-9, _)",
                        i);
                for (uint32_t j = 0; j < i; j++)
                    if (strcmp(img->devices[j].name, d->name) == 0)
                        return husk_errorf(err, errlen,
                                           "device '%s' is declared twice",
                                           d->name);
            }
            img->device_count = hdr.count;
        } else if (nh.n_type == NT_GNU_BUILD_ID &&
                   nh.n_namesz == sizeof(ELF_NOTE_GNU) &&
                   memcmp(name, ELF_NOTE_GNU, sizeof(ELF_NOTE_GNU)) == 0 &&
                   img->build_id_len == 0) {
            img->build_id_off = off + sizeof(nh) + name_sz;
            img->build_id_len = nh.n_descsz;
        }
        p += total;
        off += total;
        size -= total;
    }
    return 0;
}

static int add_segment(const Elf64_Phdr *ph, size_t len,
                       struct husk_elf_image *img, char *err, size_t errlen)
{
    if (ph->p_filesz > ph->p_memsz)
        return husk_errorf(err, errlen,
                           "segment at 0x%llx: file size exceeds "
                           "memory size",
                           (unsigned long long)ph->p_paddr);
    if (!in_file(ph->p_offset, ph->p_filesz, len))
        return husk_errorf(err, errlen,
                           "segment at 0x%llx lies outside the file",
                           (unsigned long long)ph->p_paddr);
    if (ph->p_paddr != ph->p_vaddr)
        return husk_errorf(err, errlen,
                           "segment at 0x%llx: physical and virtual "
                           "addresses differ",
                           (unsigned long long)ph->p_vaddr);
    if (ph->p_paddr < HUSK_LOAD_MIN || ph->p_memsz > HUSK_MEM_MAX ||
        ph->p_paddr > HUSK_MEM_MAX - ph->p_memsz)
        return husk_errorf(err, errlen,
                           "segment 0x%llx+0x%llx lies outside guest memory "
                           "(images load between 0x%llx and 0x%llx)",
                           (unsigned long long)ph->p_paddr,
                           (unsigned long long)ph->p_memsz, HUSK_LOAD_MIN,
                           HUSK_MEM_MAX);
    if (img->segment_count == HUSK_ELF_SEGMENTS_MAX)
        return husk_errorf(err, errlen, "more than %d loadable segments",
                           HUSK_ELF_SEGMENTS_MAX);
    uint64_t start = ph->p_paddr, end = ph->p_paddr + ph->p_memsz;
    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct husk_elf_segment *s = &img->segments[i];
        if (start < s->gpa + s->memsz && s->gpa < end)
            return husk_errorf(
                err, errlen, "segments 0x%llx+0x%llx and 0x%llx+0x%llx overlap",
                (unsigned long long)s->gpa, (unsigned long long)s->memsz,
                (unsigned long long)start, (unsigned long long)ph->p_memsz);
    }
    /* Field by field: the padding stays as husk_elf_parse zeroed it. */
    struct husk_elf_segment *s = &img->segments[img->segment_count++];
    s->gpa = start;
    s->offset = ph->p_offset;
    s->filesz = ph->p_filesz;
    s->memsz = ph->p_memsz;
    s->flags = ph->p_flags;
    if (page_up(end) > img->image_end)
        img->image_end = page_up(end);
    return 0;
}

static int parse(const uint8_t *bytes, size_t len, size_t file_len,
                 struct husk_elf_image *img, bool any_abi, char *err,
                 size_t errlen)
{
    memset(img, 0, sizeof(*img));
    Elf64_Ehdr eh;
    memset(&eh, 0, sizeof(eh));
    if (len > file_len)
        len = file_len;
    if (len > 0)
        memcpy(&eh, bytes, len < sizeof(eh) ? len : sizeof(eh));
    if (check_header(&eh, len, err, errlen) != 0)
        return -1;

    bool have_abi = false, have_devices = false, entry_ok = false;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, bytes + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        switch (ph.p_type) {
        case PT_LOAD:
            if (ph.p_memsz == 0)
                break;
            if (add_segment(&ph, file_len, img, err, errlen) != 0)
                return -1;
            if ((ph.p_flags & PF_X) && eh.e_entry >= ph.p_vaddr &&
                eh.e_entry - ph.p_vaddr < ph.p_memsz)
                entry_ok = true;
            break;
        case PT_NOTE:
            if (!in_file(ph.p_offset, ph.p_filesz, file_len))
                return husk_errorf(err, errlen,
                                   "note segment lies outside the file");
            if (!in_file(ph.p_offset, ph.p_filesz, len))
                return husk_errorf(err, errlen,
                                   "note segment lies past the first %zu "
                                   "bytes, which hold the headers",
                                   len);
            if (parse_notes(bytes + ph.p_offset, ph.p_offset, ph.p_filesz, img,
                            &have_abi, &have_devices, err, errlen) != 0)
                return -1;
            break;
        case PT_INTERP:
        case PT_DYNAMIC:
            return husk_errorf(err, errlen,
                               "dynamically linked; build the image "
                               "with husk-cc");
        default: /* PT_TLS, PT_GNU_STACK, ...: the guest's business */
            break;
        }
    }
    if (img->segment_count == 0)
        return husk_errorf(err, errlen, "no loadable segments");
    if (img->image_end > HUSK_MEM_MAX - HUSK_GUEST_MIN_FREE)
        return husk_errorf(
            err, errlen,
            "the image ends at 0x%llx and leaves no room for a heap "
            "and stack below %lluG",
            (unsigned long long)img->image_end, HUSK_MEM_MAX >> 30);
    if (!entry_ok)
        return husk_errorf(
            err, errlen,
            "entry point 0x%llx is outside every executable segment",
            (unsigned long long)eh.e_entry);
    if (!have_abi)
        return husk_errorf(err, errlen,
                           "not a Husk image (no Husk ABI note); build "
                           "it with husk-cc");
    if (img->abi_version != HUSK_ABI_VERSION && !any_abi)
        return husk_errorf(
            err, errlen,
            "built for Husk ABI %u, but this monitor speaks ABI %u; "
            "rebuild the image with this release's husk-cc",
            img->abi_version, HUSK_ABI_VERSION);
    img->entry = eh.e_entry;
    img->phoff = eh.e_phoff;
    img->phnum = eh.e_phnum;
    img->phentsize = eh.e_phentsize;
    /* If a segment loads the program headers, point the guest there so that
     * a PT_PHDR entry agrees with where they are; else bootinfo copies them. */
    uint64_t ph_size = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct husk_elf_segment *s = &img->segments[i];
        if (eh.e_phoff >= s->offset && ph_size <= s->filesz &&
            eh.e_phoff - s->offset <= s->filesz - ph_size)
            img->phdr_gpa = s->gpa + (eh.e_phoff - s->offset);
    }
    return 0;
}

int husk_elf_parse(const uint8_t *bytes, size_t len, size_t file_len,
                   struct husk_elf_image *img, char *err, size_t errlen)
{
    return parse(bytes, len, file_len, img, false, err, errlen);
}

int husk_elf_parse_any_abi(const uint8_t *bytes, size_t len, size_t file_len,
                           struct husk_elf_image *img, char *err, size_t errlen)
{
    return parse(bytes, len, file_len, img, true, err, errlen);
}

size_t husk_elf_extent(const uint8_t *head, size_t head_len, size_t file_len)
{
    Elf64_Ehdr eh;
    if (head_len < sizeof(eh))
        return file_len;
    memcpy(&eh, head, sizeof(eh));
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
        eh.e_phnum > HUSK_ELF_PHNUM_MAX)
        return file_len;
    uint64_t phsize = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
    if (!in_file(eh.e_phoff, phsize, head_len))
        return file_len;
    uint64_t need = eh.e_phoff + phsize;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, head + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type == PT_NOTE && ph.p_filesz > 0) {
            if (!in_file(ph.p_offset, ph.p_filesz, file_len))
                return file_len; /* husk_elf_parse says what is wrong */
            if (ph.p_offset + ph.p_filesz > need)
                need = ph.p_offset + ph.p_filesz;
        }
    }
    return need < file_len ? (size_t)need : file_len;
}

uint64_t husk_elf_min_mem(const struct husk_elf_image *img)
{
    uint64_t need = img->image_end + HUSK_GUEST_MIN_FREE;
    uint64_t rounded = (need + HUSK_MEM_ALIGN - 1) & ~(HUSK_MEM_ALIGN - 1);
    return rounded < HUSK_MEM_MIN ? HUSK_MEM_MIN : rounded;
}

int husk_elf_load(const struct husk_elf_image *img, int fd, uint8_t *mem)
{
    /* The rest of each segment (its BSS) is already zero: guest memory is
     * a fresh anonymous mapping, and the ABI promises that to the guest. */
    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct husk_elf_segment *s = &img->segments[i];
        uint64_t done = 0;
        while (done < s->filesz) {
            ssize_t n = pread(fd, mem + s->gpa + done, s->filesz - done,
                              (off_t)(s->offset + done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                if (n == 0)
                    errno = ENODATA; /* the file is shorter than it was */
                return -1;
            }
            done += (uint64_t)n;
        }
    }
    return 0;
}
