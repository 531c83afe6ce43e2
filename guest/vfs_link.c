/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * vfs_link.c: names that point at files: hard links (link, linkat) and
 * symbolic links (symlink, symlinkat, readlink, readlinkat). Following a
 * symbolic link is the walk's (vfs_path.c); here they are made and read.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "guest.h"
#include "vfs.h"

/* The name a new link gets: free, and in a file system that can take
 * it (op is the operation it needs). */
static int new_name(const struct husk_walk *w, const void *op)
{
    if (w->last != HUSK_LAST_NORM || w->node != NULL)
        return -EEXIST;
    if (w->slash)
        return -ENOENT; /* "new/" names a directory that is not there */
    if (op == NULL)
        return w->dir->ops->read_only ? -EROFS : -EPERM;
    return 0;
}

static long sys_linkat(int odirfd, const char *ou, int ndirfd, const char *nu,
                       int flags)
{
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    /* Linux's linkat links a symbolic link itself unless asked to follow. */
    int at = (flags & AT_EMPTY_PATH) |
             ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW);
    struct husk_vnode *v;
    int rc = husk_vfs_resolve_at(odirfd, ou, at, &v);
    if (rc < 0)
        return rc;
    if (S_ISDIR(v->mode))
        return -EPERM;
    struct husk_walk w;
    rc = husk_vfs_walk_at(ndirfd, nu, husk_vfs_path_b, 0, &w);
    if (rc < 0)
        return rc;
    if (w.last == HUSK_LAST_NORM && w.node == NULL &&
        !husk_vfs_same_fs(v, w.dir))
        return -EXDEV;
    rc = new_name(&w, (const void *)w.dir->ops->link);
    if (rc < 0)
        return rc;
    return w.dir->ops->link(w.dir, w.name, w.len, v);
}

static long sys_symlinkat(const char *tu, int ndirfd, const char *nu)
{
    /* The target is any string, looked at only when the link is
     * followed; it is copied in as a path is (EFAULT, ENAMETOOLONG). */
    int rc = husk_vfs_copy_path(tu, husk_vfs_path_b);
    if (rc < 0)
        return rc;
    if (husk_vfs_path_b[0] == '\0')
        return -ENOENT;
    struct husk_walk w;
    rc = husk_vfs_walk_at(ndirfd, nu, husk_vfs_path_a, 0, &w);
    if (rc < 0)
        return rc;
    rc = new_name(&w, (const void *)w.dir->ops->symlink);
    if (rc < 0)
        return rc;
    return w.dir->ops->symlink(w.dir, w.name, w.len, husk_vfs_path_b);
}

static long sys_readlinkat(int dirfd, const char *u, char *buf, long size)
{
    if (size <= 0)
        return -EINVAL;
    struct husk_vnode *v;
    int rc =
        husk_vfs_resolve_at(dirfd, u, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &v);
    if (rc < 0)
        return rc;
    if (!S_ISLNK(v->mode) || v->ops->readlink == NULL)
        return -EINVAL;
    /* The link's whole target first: the op may not cut it short. */
    long n = v->ops->readlink(v, husk_vfs_path_b, HUSK_PATH_MAX);
    if (n < 0)
        return n;
    if (n > size)
        n = size;
    __builtin_memcpy(buf, husk_vfs_path_b, (size_t)n);
    return n;
}

long husk_vfs_link_syscall(long n, long a1, long a2, long a3, long a4, long a5)
{
    const char *p1 = (const char *)a1, *p2 = (const char *)a2;
    switch (n) {
    case SYS_link:
        return sys_linkat(AT_FDCWD, p1, AT_FDCWD, p2, 0);
    case SYS_linkat:
        return sys_linkat((int)a1, p2, (int)a3, (const char *)a4, (int)a5);
    case SYS_symlink:
        return sys_symlinkat(p1, AT_FDCWD, p2);
    case SYS_symlinkat:
        return sys_symlinkat(p1, (int)a2, (const char *)a3);
    case SYS_readlink:
        return sys_readlinkat(AT_FDCWD, p1, (char *)a2, a3);
    case SYS_readlinkat:
        return sys_readlinkat((int)a1, p2, (char *)a3, a4);
    default:
        return -ENOSYS;
    }
}
