/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * tmpfs_attr.c: a tmpfs node's attributes (what stat says, and chmod,
 * chown, utimensat) and the tmpfs's statfs. The tree is tmpfs.c's, the
 * data tmpfs_data.c's.
 */
#include <errno.h>
#include <sys/statfs.h>

#include "guest.h"
#include "tmpfs.h"

#define TMPFS_DEV 6            /* st_dev */
#define TMPFS_MAGIC 0x01021994 /* statfs f_type, as Linux's tmpfs */

static struct tmpfs_node *node_of(struct husk_vnode *v)
{
    return (struct tmpfs_node *)v;
}

int husk_tmpfs_getattr(struct husk_vnode *v, struct stat *st)
{
    struct tmpfs_node *n = node_of(v);
    st->st_dev = TMPFS_DEV;
    st->st_ino = n->ino;
    st->st_mode = v->mode | n->perm;
    st->st_nlink = n->nlink;
    st->st_uid = n->uid;
    st->st_gid = n->gid;
    st->st_blksize = TMPFS_PAGE;
    st->st_atim = n->atime;
    st->st_mtim = n->mtime;
    st->st_ctim = n->ctime;
    if (S_ISDIR(v->mode)) {
        st->st_size = 4096;
        st->st_blocks = 8;
        return 0;
    }
    st->st_size = (off_t)n->size;
    blkcnt_t pages = 0;
    for (size_t i = 0; i < n->npages; i++)
        pages += n->pages[i] != NULL;
    st->st_blocks = pages * (TMPFS_PAGE / 512);
    return 0;
}

int husk_tmpfs_chmod(struct husk_vnode *v, mode_t mode)
{
    struct tmpfs_node *n = node_of(v);
    n->perm = mode & 07777;
    n->ctime = husk_tmpfs_now();
    return 0;
}

int husk_tmpfs_chown(struct husk_vnode *v, uid_t uid, gid_t gid)
{
    struct tmpfs_node *n = node_of(v);
    if (uid != (uid_t)-1)
        n->uid = uid;
    if (gid != (gid_t)-1)
        n->gid = gid;
    n->ctime = husk_tmpfs_now();
    return 0;
}

int husk_tmpfs_utimens(struct husk_vnode *v, const struct timespec ts[2])
{
    struct tmpfs_node *n = node_of(v);
    if (ts[0].tv_nsec != UTIME_OMIT)
        n->atime = ts[0];
    if (ts[1].tv_nsec != UTIME_OMIT)
        n->mtime = ts[1];
    n->ctime = husk_tmpfs_now();
    return 0;
}

int husk_tmpfs_statfs(struct husk_vnode *v, struct statfs *st)
{
    (void)v;
    uint64_t used, limit;
    husk_tmpfs_usage(&used, &limit);
    st->f_type = TMPFS_MAGIC;
    st->f_blocks = limit / TMPFS_PAGE;
    st->f_bfree = st->f_bavail = (limit - used) / TMPFS_PAGE;
    return 0;
}
