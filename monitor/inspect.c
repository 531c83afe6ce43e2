/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * inspect.c: husk inspect [--json] IMAGE: what an image is, without
 * running it. The checks, the notes and the smallest --mem are elf.c's,
 * as a run makes them (main.c reads the image for both); what the
 * monitor never needs (symbols, the packed tree, the mount table) comes
 * from the section headers, read here with bounded reads of an
 * untrusted file. Nothing is mapped or run, so no jail and no seccomp
 * filter: the process only reads the file and prints.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk.h"

static const char inspect_usage[] =
    "usage: husk inspect [--json] IMAGE\n"
    "Describe the unikernel IMAGE without running it: its ABI version and\n"
    "whether this husk runs it, its devices, mounts and packed tree, its\n"
    "entry point and segments, the smallest --mem it needs, its build id\n"
    "and whether it has symbols.\n"
    "\n"
    "  --json   print one JSON object (on one line) instead of text\n"
    "  --help   print this help and exit\n"
    "\n"
    "Exit status: 0 when the image could be read (an image built for\n"
    "another ABI too: see \"runs\"); 125 for a usage error or an image\n"
    "husk cannot read, with the line husk IMAGE would print.\n";

const char *husk_inspect_args(int argc, char *const argv[], bool *json)
{
    const char *path = NULL;
    bool options = true;
    *json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && strcmp(a, "--") == 0) {
            options = false;
        } else if (options && strcmp(a, "--json") == 0) {
            *json = true;
        } else if (options && strcmp(a, "--help") == 0) {
            fputs(inspect_usage, stdout);
            exit(fflush(stdout) == 0 ? 0 : HUSK_EXIT_MONITOR);
        } else if (options && a[0] == '-' && a[1] != '\0') {
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "%s: unknown option (see husk inspect --help)", a);
        } else if (path == NULL) {
            if (a[0] == '\0')
                husk_fatalx(HUSK_EXIT_MONITOR, "the image path is empty");
            path = a;
        } else {
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "%s: unexpected argument; husk inspect takes one "
                        "image",
                        a);
        }
    }
    if (path == NULL)
        husk_fatalx(HUSK_EXIT_MONITOR, "no image given (usage: husk inspect "
                                       "[--json] IMAGE)");
    return path;
}

/* Bounds on what is read beyond the headers: a table larger than this is
 * reported as unreadable, never read. */
#define NAMES_MAX (1U << 20)    /* section names */
#define SYMBOLS_MAX (64U << 20) /* the symbol table, and its strings */
/* husk-cc's limits on a mount (guest/husk-cc, add_mount). */
#define MOUNT_PATH_MAX 1024
#define MOUNT_TABLE_MAX \
    (HUSK_DEVICES_MAX * (HUSK_DEVICE_NAME_MAX + MOUNT_PATH_MAX + 1) + 1)

struct mount {
    char device[HUSK_DEVICE_NAME_MAX];
    char path[MOUNT_PATH_MAX + 1];
};

/* What the section headers tell. */
struct sections {
    const char *unknown; /* why there is nothing below, or NULL */
    bool debug_info;
    bool files; /* a .husk.files section: husk-cc --files */
    uint64_t files_size;
    uint64_t symbol_count;      /* in .symtab, without the null symbol */
    const char *mounts_unknown; /* why mounts[] is not known, or NULL */
    unsigned mount_count;
    struct mount mounts[HUSK_DEVICES_MAX];
};

/* True if [off, off + size) lies inside a file of len bytes. */
static bool in_file(uint64_t off, uint64_t size, uint64_t len)
{
    return off <= len && size <= len - off;
}

/* Read len bytes at off (inside the file, as it was when opened) into a
 * new buffer; exits with the monitor's lines if that fails. */
static void *read_range(int fd, const char *path, uint64_t off, uint64_t len)
{
    uint8_t *buf = malloc(len > 0 ? len : 1);
    if (buf == NULL)
        husk_fatal(HUSK_EXIT_MONITOR, "%s: no memory to read the image", path);
    uint64_t got = 0;
    while (got < len) {
        ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot read the image", path);
        if (n == 0)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "%s: the image changed while it was read (shorter "
                        "than when opened)",
                        path);
        got += (uint64_t)n;
    }
    return buf;
}

/* The NUL-terminated string at off in a table of size bytes, or NULL. */
static const char *string_at(const char *table, uint64_t size, uint64_t off)
{
    if (off >= size || memchr(table + off, '\0', size - off) == NULL)
        return NULL;
    return table + off;
}

/* Whether a section header's bytes lie in the file and fit max. */
static bool readable(const Elf64_Shdr *sh, uint64_t max, uint64_t file_len)
{
    return sh->sh_type != SHT_NOBITS && sh->sh_size <= max &&
           in_file(sh->sh_offset, sh->sh_size, file_len);
}

/* A mount's path as husk-cc writes it: absolute, of letters, digits and
 * . _ + - / (so that it needs no escaping in text or JSON either). */
static bool valid_mount_path(const char *p, size_t len)
{
    if (len == 0 || len > MOUNT_PATH_MAX || p[0] != '/')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || strchr("._+-/", c) != NULL))
            return false;
    }
    return true;
}

/* A declared block device's name, or false. */
static bool block_device(const struct husk_elf_image *img, const char *name,
                         size_t len)
{
    for (unsigned i = 0; i < img->device_count; i++) {
        const struct husk_note_device *d = &img->devices[i];
        if (d->kind == HUSK_DEVICE_BLOCK && strlen(d->name) == len &&
            memcmp(d->name, name, len) == 0)
            return true;
    }
    return false;
}

/*
 * husk-cc --mount's table, husk_extfs_mounts: "NAME", "/PATH", ..., "".
 * NULL when it was read whole, else why not. Each NAME must be a block
 * device the image declares, as husk-cc makes sure.
 */
static const char *parse_mounts(const char *t, size_t len,
                                const struct husk_elf_image *img,
                                struct sections *sec)
{
    size_t pos = 0;
    for (;;) {
        const char *name = t + pos;
        size_t n = strnlen(name, len - pos);
        if (n == len - pos)
            return "the mount table is unterminated";
        pos += n + 1;
        if (n == 0)
            return NULL;
        const char *path = t + pos;
        size_t m = strnlen(path, len - pos);
        if (m == len - pos)
            return "the mount table is unterminated";
        pos += m + 1;
        if (sec->mount_count == HUSK_DEVICES_MAX ||
            !block_device(img, name, n) || !valid_mount_path(path, m))
            return "the mount table is malformed";
        struct mount *mt = &sec->mounts[sec->mount_count++];
        memcpy(mt->device, name, n + 1);
        memcpy(mt->path, path, m + 1);
    }
}

/* Find husk_extfs_mounts in the symbol table and read the table. */
static void read_mounts(int fd, const char *path, uint64_t file_len,
                        const struct husk_elf_image *img, const Elf64_Shdr *sh,
                        unsigned shnum, const Elf64_Shdr *symtab,
                        struct sections *sec)
{
    static const char want[] = "husk_extfs_mounts";
    if (symtab == NULL) {
        sec->mounts_unknown = "no symbol table";
        return;
    }
    const Elf64_Shdr *strtab =
        symtab->sh_link < shnum ? &sh[symtab->sh_link] : NULL;
    if (symtab->sh_entsize != sizeof(Elf64_Sym) ||
        symtab->sh_size % sizeof(Elf64_Sym) != 0 ||
        !readable(symtab, SYMBOLS_MAX, file_len) || strtab == NULL ||
        strtab->sh_type != SHT_STRTAB ||
        !readable(strtab, SYMBOLS_MAX, file_len)) {
        sec->mounts_unknown = "the symbol table is unreadable";
        return;
    }
    Elf64_Sym *syms = read_range(fd, path, symtab->sh_offset, symtab->sh_size);
    char *strs = read_range(fd, path, strtab->sh_offset, strtab->sh_size);
    uint64_t table = 0;
    bool found = false;
    for (uint64_t i = 0; i < symtab->sh_size / sizeof(Elf64_Sym); i++) {
        const char *name = string_at(strs, strtab->sh_size, syms[i].st_name);
        if (name != NULL && strcmp(name, want) == 0 &&
            syms[i].st_shndx != SHN_UNDEF) {
            table = syms[i].st_value;
            found = true;
            break;
        }
    }
    free(strs);
    free(syms);
    if (!found)
        return; /* no --mount */
    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct husk_elf_segment *s = &img->segments[i];
        if (table < s->gpa || table - s->gpa >= s->filesz)
            continue;
        uint64_t len = s->filesz - (table - s->gpa);
        if (len > MOUNT_TABLE_MAX)
            len = MOUNT_TABLE_MAX;
        char *bytes = read_range(fd, path, s->offset + (table - s->gpa), len);
        sec->mounts_unknown = parse_mounts(bytes, len, img, sec);
        if (sec->mounts_unknown != NULL)
            sec->mount_count = 0;
        free(bytes);
        return;
    }
    sec->mounts_unknown = "the mount table is outside the image's data";
}

/*
 * Read the section headers and their names (the image's headers passed
 * husk_elf_parse; the section headers were never checked): symbols,
 * debug information, the packed tree, the mount table.
 */
static void read_sections(int fd, const char *path, uint64_t file_len,
                          const uint8_t *head, const struct husk_elf_image *img,
                          struct sections *sec)
{
    Elf64_Ehdr eh;
    memcpy(&eh, head, sizeof(eh)); /* husk_elf_parse checked it is there */
    if (eh.e_shoff == 0 || eh.e_shnum == 0) {
        /* (e_shnum 0 with an offset: more than 65279 sections, which
         * a Husk image never has.) */
        sec->unknown = "no section headers";
        return;
    }
    if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shstrndx >= eh.e_shnum ||
        !in_file(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr),
                 file_len)) {
        sec->unknown = "bad section headers";
        return;
    }
    Elf64_Shdr *sh = read_range(fd, path, eh.e_shoff,
                                (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr));
    const Elf64_Shdr *names = &sh[eh.e_shstrndx];
    if (names->sh_type != SHT_STRTAB || !readable(names, NAMES_MAX, file_len)) {
        sec->unknown = "bad section names";
        free(sh);
        return;
    }
    char *str = read_range(fd, path, names->sh_offset, names->sh_size);
    const Elf64_Shdr *symtab = NULL;
    for (unsigned i = 1; i < eh.e_shnum; i++) {
        const char *name = string_at(str, names->sh_size, sh[i].sh_name);
        if (sh[i].sh_type == SHT_SYMTAB && symtab == NULL) {
            symtab = &sh[i];
            if (sh[i].sh_size >= 2 * sizeof(Elf64_Sym) &&
                in_file(sh[i].sh_offset, sh[i].sh_size, file_len))
                sec->symbol_count = sh[i].sh_size / sizeof(Elf64_Sym) - 1;
        }
        if (name == NULL)
            continue;
        if (strcmp(name, ".debug_info") == 0)
            sec->debug_info = true;
        if (strcmp(name, ".husk.files") == 0 && sh[i].sh_type == SHT_PROGBITS) {
            sec->files = true;
            sec->files_size = sh[i].sh_size;
        }
    }
    free(str);
    read_mounts(fd, path, file_len, img, sh, eh.e_shnum, symtab, sec);
    free(sh);
}

static const char *kind_name(uint32_t kind)
{
    /* husk_elf_parse accepts only the kinds the table knows. */
    const struct husk_device_kind *k = husk_device_kind_of(kind);
    return k != NULL ? k->name : "unknown";
}

static void flags_string(uint32_t flags, char out[4])
{
    out[0] = (flags & PF_R) ? 'r' : '-';
    out[1] = (flags & PF_W) ? 'w' : '-';
    out[2] = (flags & PF_X) ? 'x' : '-';
    out[3] = '\0';
}

/* The text report's labels: "name:" in a column of this width. */
#define LABEL_WIDTH 16

static void label(const char *name)
{
    printf("%-*s", LABEL_WIDTH, name);
}

static void print_build_id(const struct husk_elf_image *img,
                           const uint8_t *head)
{
    for (uint32_t i = 0; i < img->build_id_len; i++)
        printf("%02x", head[img->build_id_off + i]);
}

static void print_text(const char *path, const struct husk_elf_image *img,
                       const uint8_t *head, const struct sections *sec)
{
    label("image:");
    printf("%s\n", path);
    label("ABI version:");
    if (img->abi_version == HUSK_ABI_VERSION)
        printf("%u (this husk runs it)\n", img->abi_version);
    else
        printf("%u (this husk runs ABI %d only: rebuild the image with "
               "this release's husk-cc)\n",
               img->abi_version, HUSK_ABI_VERSION);
    label("devices:");
    if (img->device_count == 0)
        printf("none\n");
    for (unsigned i = 0; i < img->device_count; i++) {
        if (i > 0)
            label("");
        printf("%-5s %s\n", kind_name(img->devices[i].kind),
               img->devices[i].name);
    }
    label("mounts:");
    if (sec->unknown != NULL || sec->mounts_unknown != NULL)
        printf("unknown (%s)\n",
               sec->unknown != NULL ? sec->unknown : sec->mounts_unknown);
    else if (sec->mount_count == 0)
        printf("none\n");
    for (unsigned i = 0; i < sec->mount_count; i++) {
        if (i > 0)
            label("");
        printf("%s on %s\n", sec->mounts[i].device, sec->mounts[i].path);
    }
    label("packed tree:");
    if (sec->unknown != NULL)
        printf("unknown (%s)\n", sec->unknown);
    else if (sec->files)
        printf("yes, %llu bytes (husk-cc --files)\n",
               (unsigned long long)sec->files_size);
    else
        printf("none\n");
    label("entry point:");
    printf("0x%llx\n", (unsigned long long)img->entry);
    label("segments:");
    printf("%-12s %-12s %-12s %s\n", "vaddr", "file size", "mem size", "flags");
    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct husk_elf_segment *s = &img->segments[i];
        char v[24], f[24], m[24], fl[4];
        snprintf(v, sizeof(v), "0x%llx", (unsigned long long)s->gpa);
        snprintf(f, sizeof(f), "0x%llx", (unsigned long long)s->filesz);
        snprintf(m, sizeof(m), "0x%llx", (unsigned long long)s->memsz);
        flags_string(s->flags, fl);
        label("");
        printf("%-12s %-12s %-12s %s\n", v, f, m, fl);
    }
    label("minimum --mem:");
    printf("%lluM\n", (unsigned long long)(husk_elf_min_mem(img) >> 20));
    label("build id:");
    if (img->build_id_len == 0)
        printf("none (husk-cc -Wl,--build-id adds one)");
    print_build_id(img, head);
    printf("\n");
    label("symbols:");
    if (sec->unknown != NULL)
        printf("unknown (%s)\n", sec->unknown);
    else if (sec->symbol_count == 0)
        printf("none%s\n", sec->debug_info ? ", but debug information" : "");
    else
        printf("yes, %llu symbols, %s debug information\n",
               (unsigned long long)sec->symbol_count,
               sec->debug_info ? "with" : "without");
}

/*
 * One JSON object on one line, its keys always present and in this order
 * (null: the section headers, or the symbol table, could not tell). Keys
 * may be added, never renamed or removed. Every string in it is of a
 * checked alphabet (kinds and device names, mount paths, hex, flags), so
 * none needs escaping; the image's path, which could, is not in it.
 */
static void print_json(const struct husk_elf_image *img, const uint8_t *head,
                       const struct sections *sec)
{
    printf("{\"abi_version\": %u, \"husk_abi_version\": %d, \"runs\": %s",
           img->abi_version, HUSK_ABI_VERSION,
           img->abi_version == HUSK_ABI_VERSION ? "true" : "false");
    printf(", \"devices\": [");
    for (unsigned i = 0; i < img->device_count; i++)
        printf("%s{\"kind\": \"%s\", \"name\": \"%s\"}", i ? ", " : "",
               kind_name(img->devices[i].kind), img->devices[i].name);
    printf("], \"mounts\": ");
    if (sec->unknown != NULL || sec->mounts_unknown != NULL) {
        printf("null");
    } else {
        printf("[");
        for (unsigned i = 0; i < sec->mount_count; i++)
            printf("%s{\"device\": \"%s\", \"path\": \"%s\"}", i ? ", " : "",
                   sec->mounts[i].device, sec->mounts[i].path);
        printf("]");
    }
    if (sec->unknown != NULL)
        printf(", \"files\": null, \"files_size\": null");
    else
        printf(", \"files\": %s, \"files_size\": %llu",
               sec->files ? "true" : "false",
               (unsigned long long)sec->files_size);
    printf(", \"entry\": %llu, \"segments\": [",
           (unsigned long long)img->entry);
    for (unsigned i = 0; i < img->segment_count; i++) {
        const struct husk_elf_segment *s = &img->segments[i];
        char fl[4];
        flags_string(s->flags, fl);
        printf("%s{\"vaddr\": %llu, \"file_size\": %llu, \"mem_size\": %llu, "
               "\"flags\": \"%s\"}",
               i ? ", " : "", (unsigned long long)s->gpa,
               (unsigned long long)s->filesz, (unsigned long long)s->memsz, fl);
    }
    printf("], \"min_mem\": %llu, \"build_id\": ",
           (unsigned long long)husk_elf_min_mem(img));
    if (img->build_id_len == 0) {
        printf("null");
    } else {
        printf("\"");
        print_build_id(img, head);
        printf("\"");
    }
    if (sec->unknown != NULL)
        printf(", \"symbols\": null, \"symbol_count\": null, "
               "\"debug_info\": null}\n");
    else
        printf(", \"symbols\": %s, \"symbol_count\": %llu, "
               "\"debug_info\": %s}\n",
               sec->symbol_count > 0 ? "true" : "false",
               (unsigned long long)sec->symbol_count,
               sec->debug_info ? "true" : "false");
}

int husk_inspect(const char *path, bool json, int fd, size_t file_len,
                 const uint8_t *head, size_t head_len)
{
    static struct sections sec;
    struct husk_elf_image img;
    char err[512];
    if (husk_elf_parse_any_abi(head, head_len, file_len, &img, err,
                               sizeof(err)) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR, "%s: %s", path, err);
    /* The parser keeps the build id inside the notes it read: a guard. */
    if (!in_file(img.build_id_off, img.build_id_len, head_len))
        img.build_id_len = 0;
    read_sections(fd, path, file_len, head, &img, &sec);
    if (json)
        print_json(&img, head, &sec);
    else
        print_text(path, &img, head, &sec);
    if (fflush(stdout) != 0 || ferror(stdout))
        husk_fatal(HUSK_EXIT_MONITOR, "%s: cannot write the report", path);
    return 0;
}
