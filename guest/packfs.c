/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * packfs.c: the vnode operations of the packed read-only root (packfs.h):
 * lookups, listings, attributes and link targets straight from the index
 * and the archive. It has no operation that changes anything, and says
 * read_only, so the VFS answers EROFS to every such call.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "guest.h"
#include "packfs.h"

/* statfs's f_type: Linux's initramfs, also a cpio archive, is a ramfs. */
#define PACKFS_MAGIC 0x858458f6
#define BLOCK 4096

static struct packfs_node *node_of(struct husk_vnode *v)
{
    return (struct packfs_node *)v;
}

static int pk_lookup(struct husk_vnode *dir, const char *name, size_t len,
                     struct husk_vnode **out)
{
    struct packfs_node *n = husk_packfs_find(node_of(dir), name, len);
    if (n == NULL)
        return -ENOENT;
    *out = &n->v;
    return 0;
}

static struct husk_vnode *pk_parent(struct husk_vnode *dir)
{
    struct packfs_node *p = husk_packfs_at(node_of(dir)->parent);
    return p != NULL ? &p->v : NULL;
}

/* A position is the listed node's id (husk_packfs_id), so a listing
 * resumes anywhere without a walk; one that names no child of dir (a
 * seek to a made-up offset) is the end. */
static int pk_readdir(struct husk_vnode *dir, uint64_t pos,
                      struct husk_dirent *out)
{
    struct packfs_node *d = node_of(dir);
    struct packfs_node *c = husk_packfs_at(pos == 0 ? d->child : pos);
    if (c == NULL || c->parent != husk_packfs_id(d))
        return 0;
    out->ino = c->ino;
    out->next = c->sibling != 0 ? c->sibling : UINT32_MAX;
    out->type = (unsigned char)IFTODT(c->v.mode);
    __builtin_memcpy(out->name, c->name, c->name_len + 1);
    return 1;
}

static int pk_getattr(struct husk_vnode *v, struct stat *st)
{
    struct packfs_node *n = node_of(v);
    st->st_dev = PACKFS_DEV;
    st->st_ino = n->ino;
    st->st_mode = v->mode;
    st->st_nlink = n->nlink;
    st->st_uid = n->uid;
    st->st_gid = n->gid;
    st->st_blksize = BLOCK;
    /* A directory's size in the archive is 0; show what tmpfs shows. */
    st->st_size = S_ISDIR(v->mode) ? BLOCK : (off_t)n->size;
    st->st_blocks = (blkcnt_t)((st->st_size + 511) / 512);
    st->st_mtim.tv_sec = n->mtime; /* newc keeps seconds only */
    st->st_atim = st->st_ctim = st->st_mtim;
    return 0;
}

static long pk_readlink(struct husk_vnode *v, char *buf, size_t size)
{
    struct packfs_node *n = node_of(v);
    if (!S_ISLNK(v->mode))
        return -EINVAL;
    size_t len = n->size < size ? n->size : size;
    __builtin_memcpy(buf, n->data, len);
    return (long)len;
}

/* Over the VFS's defaults (vfs_attr.c): what this file system is. */
static int pk_statfs(struct husk_vnode *v, struct statfs *st)
{
    (void)v;
    uint64_t entries, bytes, ns;
    husk_packfs_stats(&entries, &bytes, &ns);
    st->f_type = PACKFS_MAGIC;
    st->f_bsize = st->f_frsize = BLOCK;
    st->f_blocks = (bytes + BLOCK - 1) / BLOCK;
    st->f_bfree = st->f_bavail = st->f_ffree = 0; /* full, for good */
    st->f_files = entries;
    st->f_namelen = HUSK_NAME_MAX;
    st->f_flags |= ST_RDONLY;
    return 0;
}

const struct husk_vnode_ops husk_packfs_ops = {
    .read_only = true,
    .lookup = pk_lookup,
    .parent = pk_parent,
    .readdir = pk_readdir,
    .getattr = pk_getattr,
    .open = husk_packfs_open,
    .readlink = pk_readlink,
    .statfs = pk_statfs,
};
