/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * packfs.h: the read-only root file system. Its tree comes from the cpio
 * ("newc") archive husk-cc --files=DIR links into the image
 * (husk_files_start to husk_files_end): packfs_index.c indexes it at boot,
 * one node per entry, and the nodes point into the archive for their
 * names, data and link targets, so nothing is copied or unpacked.
 * Directories the tree lacks but a mount needs (/dev, /tmp, a --mount
 * path) are synthesised (rootfs.c). packfs.c serves the vnode operations,
 * packfs_file.c the open files.
 */
#ifndef HUSK_PACKFS_H
#define HUSK_PACKFS_H

#include <stdint.h>
#include <sys/types.h>

#include "vfs.h"

#define PACKFS_DEV 1 /* st_dev: one number per file system */

/* Small (80 bytes), since there is one per entry and every page of them
 * is memory the guest touches at boot: links between nodes are ids
 * (husk_packfs_at; 0 is none), and numbers are newc's 32 bits. */
struct packfs_node {
    struct husk_vnode v;        /* v.mode: the whole st_mode */
    const char *name;           /* the last component, NUL-terminated */
    const unsigned char *data;  /* a file's bytes, a link's target */
    uint32_t parent;            /* 0 at the root */
    uint32_t child, last_child; /* a directory's listing, in order */
    uint32_t sibling;           /* the next in parent's listing */
    uint32_t hnext;             /* the (parent, name) hash chain */
    uint32_t size, mtime, ino, nlink, uid, gid;
    uint16_t name_len;
};

/* ---- the index (packfs_index.c) ---- */

/* Index the image's archive, if it has one: its root, or NULL (no
 * --files, or an archive without "."). A damaged archive stops the guest
 * with a message that says to rebuild the image. */
struct packfs_node *husk_packfs_index(void);
/* The node of this id, or NULL (0, or no such node); and n's id. An id
 * is also n's readdir position (never 0, which means "from the
 * first"). */
struct packfs_node *husk_packfs_at(uint64_t id);
uint32_t husk_packfs_id(const struct packfs_node *n);
/* dir's child called name (len bytes), or NULL. */
struct packfs_node *husk_packfs_find(const struct packfs_node *dir,
                                     const char *name, size_t len);
/* A synthesised directory called name (len bytes) in parent, or the root
 * when parent is NULL: 0 and *out, or -ENOSPC when the pool of them is
 * used up. Mode 0755, owned by root, parent's mtime. */
int husk_packfs_add_dir(struct packfs_node *parent, const char *name,
                        size_t len, struct packfs_node **out);
/* What indexing found and cost: the archive's entries and bytes, and
 * the time it took (ns). */
void husk_packfs_stats(uint64_t *entries, uint64_t *bytes, uint64_t *ns);

/* ---- the vnode and file operations (packfs.c, packfs_file.c) ---- */
extern const struct husk_vnode_ops husk_packfs_ops;
long husk_packfs_open(struct husk_vnode *v, int flags);

#endif
