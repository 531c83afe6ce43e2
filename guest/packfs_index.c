/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * packfs_index.c: the packed tree's index, built at boot in one pass over
 * the archive husk-cc --files links in. The archive is cpio's "newc"
 * format: per entry a 110-byte header of hexadecimal fields, the path
 * (NUL-terminated), the data (a file's bytes, a link's target), each
 * padded to 4 bytes; "TRAILER!!!" ends it. husk-cc writes "." (the root)
 * first and every directory before what it holds (sorted paths), and says
 * how many entries there are (husk_files_entries), so the nodes are one
 * allocation, made before malloc exists (this runs before musl starts).
 * A node points into the archive for its name and data: nothing is
 * copied. Names are found through one hash table keyed on (directory,
 * name), as in tmpfs.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "guest.h"
#include "packfs.h"

/* What husk-cc --files links in (guest/husk-cc); without --files they
 * are undefined and, being weak, NULL. */
extern const unsigned char husk_files_start[] __attribute__((weak));
extern const unsigned char husk_files_end[] __attribute__((weak));
extern const uint64_t husk_files_entries __attribute__((weak));

/* Synthesised directories: mountpoints the tree lacks and the
 * directories on their way (rootfs.c): a few per mount. */
#define SYNTH_MAX 64
#define HDR_LEN 110
#define SMALL_BUCKETS 64

struct synth {
    struct packfs_node n;
    char name[HUSK_NAME_MAX + 1];
};

static struct packfs_node *nodes; /* the archive's, in archive order */
static size_t node_count, node_cap;
static struct synth synth[SYNTH_MAX];
static size_t synth_count;
static uint32_t max_ino;
/* cpio --reproducible numbers entries from 0 (the root); Linux's roots
 * are inode 2, and 0 means "no inode" to some programs. */
#define INO_BASE 2
static uint32_t *buckets; /* ids, chained through hnext */
static size_t bucket_mask;
static uint32_t small_buckets[SMALL_BUCKETS];
static uint64_t index_ns, archive_bytes;

static size_t hash(uint32_t dir, const char *name, size_t len)
{
    uint64_t h = 14695981039346656037ULL ^ dir;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 29)) & bucket_mask;
}

struct packfs_node *husk_packfs_at(uint64_t id)
{
    if (id == 0)
        return NULL;
    id--;
    if (id < node_count)
        return &nodes[id];
    id -= node_count;
    return id < synth_count ? &synth[id].n : NULL;
}

uint32_t husk_packfs_id(const struct packfs_node *n)
{
    uintptr_t a = (uintptr_t)n, lo = (uintptr_t)nodes;
    if (a >= lo && a < lo + node_count * sizeof(*n))
        return (uint32_t)(n - nodes) + 1;
    return (uint32_t)(node_count + (size_t)((const struct synth *)n - synth)) +
           1;
}

struct packfs_node *husk_packfs_find(const struct packfs_node *dir,
                                     const char *name, size_t len)
{
    uint32_t d = husk_packfs_id(dir);
    for (struct packfs_node *n = husk_packfs_at(buckets[hash(d, name, len)]);
         n != NULL; n = husk_packfs_at(n->hnext))
        if (n->parent == d && n->name_len == len &&
            __builtin_memcmp(n->name, name, len) == 0)
            return n;
    return NULL;
}

/* Into its parent's listing, at the end (so a listing is in archive
 * order: sorted, but for files with hard links, which cpio writes after
 * the others) and into the hash. */
static void link_node(struct packfs_node *n, struct packfs_node *p)
{
    uint32_t id = husk_packfs_id(n);
    n->parent = husk_packfs_id(p);
    if (p->last_child != 0)
        husk_packfs_at(p->last_child)->sibling = id;
    else
        p->child = id;
    p->last_child = id;
    size_t k = hash(n->parent, n->name, n->name_len);
    n->hnext = buckets[k];
    buckets[k] = id;
}

int husk_packfs_add_dir(struct packfs_node *parent, const char *name,
                        size_t len, struct packfs_node **out)
{
    if (synth_count == SYNTH_MAX)
        return -ENOSPC;
    if (len > HUSK_NAME_MAX)
        return -ENAMETOOLONG;
    struct synth *s = &synth[synth_count++];
    __builtin_memcpy(s->name, name, len);
    s->name[len] = '\0';
    /* Inodes after the archive's: 2, 3, 4 for /, /dev, /tmp without one. */
    s->n = (struct packfs_node){
        .v = {&husk_packfs_ops, 0, S_IFDIR | 0755},
        .name = s->name,
        .name_len = (uint16_t)len,
        .ino = (max_ino > 0 ? max_ino : INO_BASE - 1) + (uint32_t)synth_count,
        .nlink = 2,
        .mtime = parent != NULL ? parent->mtime : 0,
    };
    if (parent != NULL) {
        parent->nlink++; /* the new directory's ".." */
        link_node(&s->n, parent);
    }
    *out = &s->n;
    return 0;
}

void husk_packfs_stats(uint64_t *entries, uint64_t *bytes, uint64_t *ns)
{
    *entries = node_count;
    *bytes = archive_bytes;
    *ns = index_ns;
}

/* ---- reading the archive ---- */

/* A damaged archive is a broken image: stop, and say how to mend it. */
#define DAMAGED(what)                                                \
    husk_panic("the packed tree (husk-cc --files) is damaged: " what \
               "; rebuild the image")

/* An 8-digit hexadecimal field of a header. */
static uint32_t hex8(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            DAMAGED("a header field is not hexadecimal");
        v = v << 4 | d;
    }
    return v;
}

static uint64_t align4(uint64_t x)
{
    return (x + 3) & ~(uint64_t)3;
}

static bool is(const char *s, size_t len, const char *lit)
{
    return __builtin_strlen(lit) == len && __builtin_memcmp(s, lit, len) == 0;
}

/* The directory that holds path (its first dlen bytes name it), found
 * from the root one component at a time; entries of one directory come
 * together, so the last answer is tried first. */
static struct packfs_node *dir_of(struct packfs_node *root, const char *path,
                                  size_t dlen)
{
    static const char *last_path;
    static size_t last_len;
    static struct packfs_node *last_dir;
    if (dlen == 0)
        return root;
    if (last_dir != NULL && last_len == dlen &&
        __builtin_memcmp(last_path, path, dlen) == 0)
        return last_dir;
    struct packfs_node *d = root;
    for (size_t i = 0; i < dlen;) {
        size_t j = i;
        while (j < dlen && path[j] != '/')
            j++;
        d = husk_packfs_find(d, path + i, j - i);
        if (d == NULL || !S_ISDIR(d->v.mode))
            DAMAGED("an entry comes before its directory");
        i = j + 1;
    }
    last_path = path;
    last_len = dlen;
    last_dir = d;
    return d;
}

/* Regular files with more than one name: cpio's newc gives the data
 * only with the last of them, so the others wait here for it (through
 * their last_child, which a file has no use for). */
static uint32_t waiting_links;

static void hard_link(struct packfs_node *n)
{
    if (n->size == 0) {
        n->last_child = waiting_links;
        waiting_links = husk_packfs_id(n);
        return;
    }
    for (uint32_t *p = &waiting_links; *p != 0;) {
        struct packfs_node *w = husk_packfs_at(*p);
        if (w->ino == n->ino) {
            w->data = n->data;
            w->size = n->size;
            *p = w->last_child;
            w->last_child = 0;
        } else {
            p = &w->last_child;
        }
    }
}

/* One entry's node; the path is NUL-terminated, plen bytes. */
static void add_entry(const unsigned char *h, const char *path, size_t plen,
                      const unsigned char *data, uint32_t size)
{
    if (node_count == node_cap)
        DAMAGED("more entries than its count");
    struct packfs_node *n = &nodes[node_count++];
    uint32_t mode = hex8(h + 14);
    *n = (struct packfs_node){
        .v = {&husk_packfs_ops, 0, (mode_t)mode},
        .data = data,
        .size = size,
        .ino = INO_BASE + hex8(h + 6), /* beyond 32 bits: wraps */
        .uid = hex8(h + 22),
        .gid = hex8(h + 30),
        .nlink = hex8(h + 38),
        .mtime = hex8(h + 46),
    };
    if (n->ino > max_ino)
        max_ino = n->ino;
    if (node_count == 1) {
        if (!is(path, plen, ".") || !S_ISDIR(mode))
            DAMAGED("it does not start with its root directory");
        n->name = path + plen; /* "" */
        return;
    }
    size_t slash = plen;
    while (slash > 0 && path[slash - 1] != '/')
        slash--;
    const char *name = path + slash;
    size_t len = plen - slash;
    if (len == 0 || len > HUSK_NAME_MAX || is(name, len, ".") ||
        is(name, len, ".."))
        DAMAGED("a bad file name");
    struct packfs_node *dir =
        dir_of(&nodes[0], path, slash > 0 ? slash - 1 : 0);
    n->name = name;
    n->name_len = (uint16_t)len;
    if (husk_packfs_find(dir, name, len) != NULL)
        DAMAGED("a name appears twice");
    link_node(n, dir);
    if (S_ISREG(mode) && n->nlink > 1)
        hard_link(n);
}

/* The nodes and the hash table, in one mapping. */
static void allocate(size_t entries)
{
    size_t nb = SMALL_BUCKETS;
    while (nb < entries + SYNTH_MAX)
        nb *= 2;
    size_t len = entries * sizeof(struct packfs_node) + nb * sizeof(*buckets);
    long p = husk_sys_mmap(0, len, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p < 0)
        husk_panic("no memory to index the packed tree (husk-cc --files): "
                   "give the guest more with husk --mem");
    nodes = (struct packfs_node *)p; /* zero, as all new memory */
    buckets = (uint32_t *)(nodes + entries);
    bucket_mask = nb - 1;
    node_cap = entries;
}

struct packfs_node *husk_packfs_index(void)
{
    buckets = small_buckets;
    bucket_mask = SMALL_BUCKETS - 1;
    if (husk_files_start == NULL || husk_files_end == NULL ||
        &husk_files_entries == NULL)
        return NULL;
    uint64_t t0 = husk_monotonic_ns();
    const unsigned char *a = husk_files_start;
    uint64_t size = (uint64_t)(husk_files_end - husk_files_start);
    archive_bytes = size;
    allocate(husk_files_entries);
    for (uint64_t off = 0;;) {
        if (size - off < HDR_LEN)
            DAMAGED("it ends inside a header");
        const unsigned char *h = a + off;
        if (__builtin_memcmp(h, "070701", 6) != 0)
            DAMAGED("not a cpio newc header");
        uint32_t fsize = hex8(h + 54), nsize = hex8(h + 94);
        uint64_t data = align4(off + HDR_LEN + nsize);
        const char *path = (const char *)h + HDR_LEN;
        if (nsize < 2 || data > size || fsize > size - data ||
            path[nsize - 1] != '\0' || __builtin_strlen(path) != nsize - 1)
            DAMAGED("an entry runs past its end");
        if (is(path, nsize - 1, "TRAILER!!!"))
            break;
        add_entry(h, path, nsize - 1, a + data, fsize);
        off = align4(data + fsize);
    }
    if (node_count != node_cap)
        DAMAGED("fewer entries than its count");
    index_ns = husk_monotonic_ns() - t0;
    return &nodes[0];
}
