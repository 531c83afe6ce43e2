/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * node.c: the vnode cache of an ext2/ext4 mount, inodes in and out, and
 * libext2fs's errors as errnos.
 *
 * The VFS needs one vnode per file (it compares them: the working
 * directory, mountpoints, rename's loop check), holds references only
 * for what outlives a system call (open files, the working directory),
 * and may use any vnode a walk found until the call returns. So nodes
 * are kept by inode number in a hash, newest first in a recency list,
 * and when there are more than NODES_MAX the oldest one nothing holds
 * is forgotten (its inode written first if it waits). Every operation
 * makes its nodes the newest, so a node dropped has not been used in
 * the last NODES_MAX - 1 node uses: more than a system call makes (two
 * paths of PATH_MAX bytes name at most 4096 entries; only symbolic links
 * followed through a tree of more directories than that could name
 * more).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../guest.h"
#include "extfs.h"

#define NODES_MAX 4608
#define NODE_BUCKETS 1024

int extfs_nodes_init(struct extfs *m)
{
    m->buckets = calloc(NODE_BUCKETS, sizeof(*m->buckets));
    return m->buckets != NULL ? 0 : -ENOMEM;
}

static struct ext_node **bucket(struct extfs *m, ext2_ino_t ino)
{
    return &m->buckets[(ino * 2654435761U) % NODE_BUCKETS];
}

static void unhash(struct ext_node *n)
{
    struct ext_node **p = bucket(n->m, n->ino);
    while (*p != NULL && *p != n)
        p = &(*p)->hnext;
    if (*p == n)
        *p = n->hnext;
    n->hnext = NULL;
}

static void recency_unlink(struct ext_node *n)
{
    struct extfs *m = n->m;
    if (n->newer != NULL)
        n->newer->older = n->older;
    else
        m->newest = n->older;
    if (n->older != NULL)
        n->older->newer = n->newer;
    else
        m->oldest = n->newer;
}

static void recency_push(struct ext_node *n)
{
    struct extfs *m = n->m;
    n->newer = NULL;
    n->older = m->newest;
    if (m->newest != NULL)
        m->newest->newer = n;
    else
        m->oldest = n;
    m->newest = n;
}

/* Forget the oldest node nothing holds, if the cache is over its size. */
static void evict(struct extfs *m)
{
    if (m->nodes <= NODES_MAX)
        return;
    for (struct ext_node *n = m->oldest; n != NULL; n = n->newer) {
        if (n->v.refs > 0 || n == m->root)
            continue;
        if (n->dirty && extfs_node_flush(n) < 0)
            continue; /* kept until its inode can be written */
        if (!n->unlinked)
            unhash(n);
        recency_unlink(n);
        m->nodes--;
        free(n);
        return;
    }
}

static int read_inode(struct ext_node *n)
{
    errcode_t e = ext2fs_read_inode_full(
        n->m->fs, n->ino, (struct ext2_inode *)&n->inode, sizeof(n->inode));
    return extfs_err(n->m, e);
}

int extfs_node_get(struct extfs *m, ext2_ino_t ino, struct ext_node **out)
{
    if (ino < EXT2_ROOT_INO || ino > m->fs->super->s_inodes_count)
        return extfs_err(m, EXT2_ET_BAD_INODE_NUM);
    for (struct ext_node *n = *bucket(m, ino); n != NULL; n = n->hnext)
        if (n->ino == ino) {
            *out = n;
            return extfs_node_use(n);
        }
    struct ext_node *n = calloc(1, sizeof(*n));
    if (n == NULL)
        return -ENOMEM;
    n->m = m;
    n->ino = ino;
    int rc = read_inode(n);
    if (rc == 0 && n->inode.i_links_count == 0)
        rc = extfs_err(m, EXT2_ET_INODE_CORRUPTED); /* a name of a free inode */
    if (rc < 0) {
        free(n);
        return rc;
    }
    n->v = (struct husk_vnode){m->read_only ? &extfs_ro_ops : &extfs_ops, 0,
                               n->inode.i_mode & S_IFMT};
    n->hnext = *bucket(m, ino);
    *bucket(m, ino) = n;
    recency_push(n);
    m->nodes++;
    evict(m);
    *out = n;
    return 0;
}

int extfs_node_use(struct ext_node *n)
{
    recency_unlink(n);
    recency_push(n);
    /* libext2fs changes directories' inodes behind our back (ext2fs_link,
     * ext2fs_expand_dir): a directory's copy is read again each time. */
    if (S_ISDIR(n->v.mode) && !n->freed)
        return read_inode(n);
    return 0;
}

int extfs_node_store(struct ext_node *n)
{
    errcode_t e = ext2fs_write_inode_full(
        n->m->fs, n->ino, (struct ext2_inode *)&n->inode, sizeof(n->inode));
    if (e == 0)
        n->dirty = false;
    return extfs_err(n->m, e);
}

int extfs_node_flush(struct ext_node *n)
{
    if (!n->dirty || n->freed)
        return 0;
    n->m->quiet = true;
    int rc = extfs_node_store(n);
    n->m->quiet = false;
    return rc;
}

int extfs_nodes_flush(struct extfs *m)
{
    int first = 0;
    for (struct ext_node *n = m->newest; n != NULL; n = n->older) {
        int rc = extfs_node_flush(n);
        if (rc < 0 && first == 0)
            first = rc;
    }
    return first;
}

int extfs_inode_free(struct extfs *m, ext2_ino_t ino,
                     struct ext2_inode_large *inode)
{
    ext2_filsys fs = m->fs;
    struct ext2_inode *small = (struct ext2_inode *)inode;
    errcode_t e = 0;
    if (ext2fs_inode_has_valid_blocks2(fs, small) ||
        (inode->i_flags & EXT4_INLINE_DATA_FL))
        e = extfs_punch_raw(m, ino, small, 0);
    if (e == 0)
        e = ext2fs_free_ext_attr(fs, ino, inode);
    if (e != 0)
        return extfs_err(m, e);
    inode->i_links_count = 0;
    inode->i_dtime = (__u32)extfs_now().tv_sec;
    e = ext2fs_write_inode_full(fs, ino, small, sizeof(*inode));
    if (e != 0)
        return extfs_err(m, e);
    ext2fs_inode_alloc_stats2(fs, ino, -1, LINUX_S_ISDIR(inode->i_mode));
    return 0;
}

static int free_node(struct ext_node *n)
{
    int rc = extfs_inode_free(n->m, n->ino, &n->inode);
    if (rc == 0) {
        n->freed = true;
        n->dirty = false;
    }
    return rc;
}

int extfs_node_unlinked(struct ext_node *n)
{
    if (!n->unlinked) {
        n->unlinked = true;
        unhash(n);
    }
    /* An open file keeps its data until closed; a directory is empty. */
    if (n->v.refs > 0 && !S_ISDIR(n->v.mode))
        return extfs_node_store(n);
    return free_node(n);
}

void extfs_nodes_drop_unlinked(struct extfs *m)
{
    for (struct ext_node *n = m->newest; n != NULL; n = n->older)
        if (n->unlinked && !n->freed)
            free_node(n);
}

static void extfs_release(struct husk_vnode *v)
{
    struct ext_node *n = (struct ext_node *)v;
    /* The last reference to a file with no name: its blocks go now. The
     * node itself stays in the cache list until evict drops it. */
    if (n->unlinked && !n->freed)
        free_node(n);
}

/* ---- errors ---- */

int extfs_err(struct extfs *m, errcode_t e)
{
    switch (e) {
    case 0:
        return 0;
    case EXT2_ET_NO_MEMORY:
        return -ENOMEM;
    case EXT2_ET_BLOCK_ALLOC_FAIL:
    case EXT2_ET_INODE_ALLOC_FAIL:
    case EXT2_ET_DIR_NO_SPACE:
    case EXT2_ET_EA_NO_SPACE:
    case EXT2_ET_INLINE_DATA_NO_SPACE:
    case EXT2_ET_EXTENT_NO_SPACE:
    case EXT2_ET_DIR_NO_SPACE_FOR_CSUM:
        return -ENOSPC;
    case EXT2_ET_RO_FILSYS:
    case EXT2_ET_FILE_RO:
        return -EROFS;
    case EXT2_ET_FILE_NOT_FOUND:
        return -ENOENT;
    case EXT2_ET_FILE_EXISTS:
    case EXT2_ET_DIR_EXISTS:
        return -EEXIST;
    case EXT2_ET_NO_DIRECTORY:
        return -ENOTDIR;
    case EXT2_ET_FILE_TOO_BIG:
        return -EFBIG;
    case EXT2_ET_UNIMPLEMENTED:
    case EXT2_ET_OP_NOT_SUPPORTED:
    case EXT2_ET_EXTENT_NOT_SUPPORTED:
        return -EOPNOTSUPP;
    case EXT2_ET_INVALID_ARGUMENT:
        return -EINVAL;
    default:
        break;
    }
    if (e > 0 && e < 4096)
        return -(int)e; /* an errno, from the device or libc */
    /* Anything else says the file system is damaged. Linux returns
     * EUCLEAN (EFSCORRUPTED) there and logs it: so do we, once. */
    if (!m->warned) {
        m->warned = true;
        char line[HUSK_PATH_MAX + 256];
        snprintf(line, sizeof(line),
                 "husk: ext2 file system on %s (device %s): %s; run e2fsck "
                 "-f on its image\n",
                 m->path, m->name, error_message(e));
        husk_console_note(line);
    }
    return -EUCLEAN;
}

/* ---- times and sizes ---- */

struct timespec extfs_now(void)
{
    struct timespec ts = {0};
    husk_sys_clock_gettime(CLOCK_REALTIME, &ts);
    return ts;
}

/* Where an inode keeps time 'which': seconds, and extra (nanoseconds and
 * the epoch bits) if the inode is large enough to have it. */
static void time_fields(struct ext_node *n, char which, __u32 **sec,
                        __u32 **extra)
{
    struct ext2_inode_large *in = &n->inode;
    size_t off;
    switch (which) {
    case 'a':
        *sec = &in->i_atime;
        *extra = &in->i_atime_extra;
        off = offsetof(struct ext2_inode_large, i_atime_extra);
        break;
    case 'm':
        *sec = &in->i_mtime;
        *extra = &in->i_mtime_extra;
        off = offsetof(struct ext2_inode_large, i_mtime_extra);
        break;
    default:
        *sec = &in->i_ctime;
        *extra = &in->i_ctime_extra;
        off = offsetof(struct ext2_inode_large, i_ctime_extra);
        break;
    }
    if (EXT2_INODE_SIZE(n->m->fs->super) <= EXT2_GOOD_OLD_INODE_SIZE ||
        off + sizeof(__u32) >
            EXT2_GOOD_OLD_INODE_SIZE + (size_t)in->i_extra_isize)
        *extra = NULL;
}

void extfs_time_set(struct ext_node *n, char which, struct timespec t)
{
    __u32 *sec, *extra;
    time_fields(n, which, &sec, &extra);
    *sec = (__u32)t.tv_sec;
    if (extra != NULL) {
        int64_t epoch = (t.tv_sec - (int64_t)(int32_t)t.tv_sec) >> 32;
        *extra = (__u32)(epoch & EXT4_EPOCH_MASK) |
                 ((__u32)t.tv_nsec << EXT4_EPOCH_BITS);
    }
}

struct timespec extfs_time_get(const struct ext_node *n, char which)
{
    __u32 *sec, *extra;
    time_fields((struct ext_node *)n, which, &sec, &extra);
    struct timespec t = {.tv_sec = (int32_t)*sec};
    if (extra != NULL) {
        t.tv_sec += (int64_t)(*extra & EXT4_EPOCH_MASK) << 32;
        t.tv_nsec = (long)(*extra >> EXT4_EPOCH_BITS);
    }
    return t;
}

uint64_t extfs_size(const struct ext_node *n)
{
    return EXT2_I_SIZE(&n->inode);
}

/* ---- the vnode operations (changes of names: dirsync.c) ---- */

const struct husk_vnode_ops extfs_ops = {
    .lookup = extfs_lookup,
    .parent = extfs_parent,
    .readdir = extfs_readdir,
    .getattr = extfs_getattr,
    .create = extfs_create_sync,
    .mkdir = extfs_mkdir_sync,
    .unlink = extfs_unlink_sync,
    .rmdir = extfs_rmdir_sync,
    .rename = extfs_rename_sync,
    .chmod = extfs_chmod,
    .truncate = extfs_truncate,
    .open = extfs_open,
    .readlink = extfs_readlink,
    .symlink = extfs_symlink_sync,
    .link = extfs_link_sync,
    .utimens = extfs_utimens,
    .chown = extfs_chown,
    .statfs = extfs_statfs,
    .sync = extfs_sync,
    .release = extfs_release,
};

/* A read-only mount (attached ro, or with what this libext2fs cannot
 * write): nothing that changes it, so the VFS says EROFS. */
const struct husk_vnode_ops extfs_ro_ops = {
    .read_only = true,
    .lookup = extfs_lookup,
    .parent = extfs_parent,
    .readdir = extfs_readdir,
    .getattr = extfs_getattr,
    .open = extfs_open,
    .readlink = extfs_readlink,
    .statfs = extfs_statfs,
    .sync = extfs_sync,
    .release = extfs_release,
};
