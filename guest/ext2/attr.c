/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * attr.c: the attributes of files on an ext2/ext4 mount (stat, chmod,
 * chown, utimensat), the mount's statfs and sync.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "extfs.h"

/* struct statfs's f_flags bits, as Linux sets them (ST_VALID: the field
 * is filled in). */
#define FLAG_RDONLY 0x0001
#define FLAG_VALID 0x0020
#define FLAG_NOATIME 0x0400

static struct ext_node *node_of(struct husk_vnode *v)
{
    return (struct ext_node *)v;
}

/* A device node's number, in either of ext2's two encodings. */
static dev_t rdev_of(const struct ext2_inode_large *in)
{
    if (in->i_block[0] != 0)
        return makedev((in->i_block[0] >> 8) & 0xff, in->i_block[0] & 0xff);
    __u32 d = in->i_block[1];
    return makedev((d & 0xfff00) >> 8, (d & 0xff) | ((d >> 12) & 0xfff00));
}

int extfs_getattr(struct husk_vnode *node, struct stat *st)
{
    struct ext_node *n = node_of(node);
    ext2_filsys fs = n->m->fs;
    int rc = extfs_node_use(n);
    if (rc < 0)
        return rc;
    const struct ext2_inode_large *in = &n->inode;
    st->st_dev = n->m->dev;
    st->st_ino = n->ino;
    st->st_mode = in->i_mode;
    st->st_nlink = in->i_links_count;
    st->st_uid = inode_uid(*in);
    st->st_gid = inode_gid(*in);
    st->st_size = (off_t)extfs_size(n);
    st->st_blksize = (blksize_t)fs->blocksize;
    st->st_blocks =
        (blkcnt_t)ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)in);
    st->st_atim = extfs_time_get(n, 'a');
    st->st_mtim = extfs_time_get(n, 'm');
    st->st_ctim = extfs_time_get(n, 'c');
    if (S_ISCHR(in->i_mode) || S_ISBLK(in->i_mode))
        st->st_rdev = rdev_of(in);
    return 0;
}

int extfs_chmod(struct husk_vnode *node, mode_t mode)
{
    struct ext_node *n = node_of(node);
    int rc = extfs_node_use(n);
    if (rc < 0)
        return rc;
    if (n->freed)
        return 0; /* a removed directory: nothing left to change */
    n->inode.i_mode = (__u16)((n->inode.i_mode & S_IFMT) | (mode & 07777));
    extfs_time_set(n, 'c', extfs_now());
    return extfs_node_store(n);
}

int extfs_chown(struct husk_vnode *node, uid_t uid, gid_t gid)
{
    struct ext_node *n = node_of(node);
    struct ext2_inode_large *in = &n->inode;
    int rc = extfs_node_use(n);
    if (rc < 0)
        return rc;
    if (n->freed)
        return 0;
    if (uid != (uid_t)-1) {
        in->i_uid = (__u16)uid;
        ext2fs_set_i_uid_high(*in, uid >> 16);
    }
    if (gid != (gid_t)-1) {
        in->i_gid = (__u16)gid;
        ext2fs_set_i_gid_high(*in, gid >> 16);
    }
    /* As Linux: a new owner takes the set-id bits of an executable off. */
    if (!S_ISDIR(in->i_mode) && (uid != (uid_t)-1 || gid != (gid_t)-1)) {
        in->i_mode &= (__u16)~S_ISUID;
        if (in->i_mode & S_IXGRP)
            in->i_mode &= (__u16)~S_ISGID;
    }
    extfs_time_set(n, 'c', extfs_now());
    return extfs_node_store(n);
}

int extfs_utimens(struct husk_vnode *node, const struct timespec times[2])
{
    struct ext_node *n = node_of(node);
    int rc = extfs_node_use(n);
    if (rc < 0)
        return rc;
    if (n->freed)
        return 0;
    if (times[0].tv_nsec != UTIME_OMIT)
        extfs_time_set(n, 'a', times[0]);
    if (times[1].tv_nsec != UTIME_OMIT)
        extfs_time_set(n, 'm', times[1]);
    extfs_time_set(n, 'c', extfs_now());
    return extfs_node_store(n);
}

int extfs_statfs(struct husk_vnode *node, struct statfs *st)
{
    struct extfs *m = node_of(node)->m;
    struct ext2_super_block *sb = m->fs->super;
    uint64_t free = ext2fs_free_blocks_count(sb);
    uint64_t reserved = ext2fs_r_blocks_count(sb);
    memset(st, 0, sizeof(*st));
    st->f_type = EXT2_SUPER_MAGIC;
    st->f_bsize = m->fs->blocksize;
    st->f_frsize = m->fs->blocksize;
    st->f_blocks = ext2fs_blocks_count(sb);
    st->f_bfree = free;
    st->f_bavail = free > reserved ? free - reserved : 0;
    st->f_files = sb->s_inodes_count;
    st->f_ffree = sb->s_free_inodes_count;
    st->f_namelen = EXT2_NAME_LEN;
    /* As Linux: the two halves of the UUID, folded. */
    uint64_t lo, hi;
    memcpy(&lo, sb->s_uuid, 8);
    memcpy(&hi, sb->s_uuid + 8, 8);
    lo ^= hi;
    memcpy(&st->f_fsid, &lo, sizeof(lo));
    st->f_flags = FLAG_VALID | FLAG_NOATIME | (m->read_only ? FLAG_RDONLY : 0);
    return 0;
}

int extfs_sync(struct husk_vnode *node)
{
    return extfs_flush(node_of(node)->m);
}
