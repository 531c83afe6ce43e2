/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * vfs_attr.c: the system calls that change what a file is rather than
 * what it holds or where it is: chmod, chown, utimensat, truncate, and
 * the file system as a whole: statfs, sync. Paths resolve as in vfs.c;
 * a file system without the operation says EROFS if it is read-only and
 * EPERM otherwise, as Linux does for a file system that cannot store it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>

#include "guest.h"
#include "vfs.h"

#ifndef ST_RDONLY
#define ST_RDONLY 1
#endif

/* The vnode of a path argument, or of fd when the path is NULL or "" with
 * AT_EMPTY_PATH (futimens, fchownat(fd, "", ...)). */
static int target_of(int dirfd, const char *u, int flags,
                     struct husk_vnode **out)
{
    if (u == NULL) {
        int rc = husk_fd_vnode(dirfd, out);
        return rc < 0 ? rc : *out == NULL ? -EPERM : 0;
    }
    return husk_vfs_resolve_at(dirfd, u, flags, out);
}

static int vnode_of_fd(int fd, struct husk_vnode **out)
{
    int rc = husk_fd_vnode(fd, out);
    return rc < 0 ? rc : *out == NULL ? -EPERM : 0;
}

static long cannot(struct husk_vnode *v)
{
    return v->ops->read_only ? -EROFS : -EPERM;
}

/* ---- chmod ---- */

static long do_chmod(struct husk_vnode *v, mode_t mode)
{
    if (v->ops->chmod == NULL)
        return cannot(v);
    return v->ops->chmod(v, mode & 07777);
}

static long sys_fchmodat(int dirfd, const char *u, mode_t mode)
{
    struct husk_vnode *v;
    int rc = husk_vfs_resolve_at(dirfd, u, 0, &v);
    return rc < 0 ? rc : do_chmod(v, mode);
}

static long sys_fchmod(int fd, mode_t mode)
{
    struct husk_vnode *v;
    int rc = vnode_of_fd(fd, &v);
    return rc < 0 ? rc : do_chmod(v, mode);
}

/* ---- chown ---- */

static long do_chown(struct husk_vnode *v, uid_t uid, gid_t gid)
{
    if (v->ops->chown == NULL)
        return cannot(v);
    return v->ops->chown(v, uid, gid);
}

static long sys_fchownat(int dirfd, const char *u, uid_t uid, gid_t gid,
                         int flags)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct husk_vnode *v;
    int rc = husk_vfs_resolve_at(dirfd, u, flags, &v);
    return rc < 0 ? rc : do_chown(v, uid, gid);
}

static long sys_fchown(int fd, uid_t uid, gid_t gid)
{
    struct husk_vnode *v;
    int rc = vnode_of_fd(fd, &v);
    return rc < 0 ? rc : do_chown(v, uid, gid);
}

/* ---- times ---- */

static bool valid_time(const struct timespec *t)
{
    return t->tv_nsec == UTIME_NOW || t->tv_nsec == UTIME_OMIT ||
           (t->tv_nsec >= 0 && t->tv_nsec < 1000000000);
}

static long sys_utimensat(int dirfd, const char *u, const struct timespec *t,
                          int flags)
{
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct timespec ts[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    if (t != NULL) {
        ts[0] = t[0];
        ts[1] = t[1];
        if (!valid_time(&ts[0]) || !valid_time(&ts[1]))
            return -EINVAL;
    }
    struct husk_vnode *v;
    int rc = target_of(dirfd, u, flags, &v);
    if (rc < 0)
        return rc;
    if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
        return 0;
    if (v->ops->utimens == NULL)
        return cannot(v);
    struct timespec now = {0};
    husk_sys_clock_gettime(CLOCK_REALTIME, &now);
    for (int i = 0; i < 2; i++)
        if (ts[i].tv_nsec == UTIME_NOW)
            ts[i] = now;
    return v->ops->utimens(v, ts);
}

/* ---- truncate ---- */

static long sys_truncate(const char *u, off_t len)
{
    struct husk_vnode *v;
    int rc = husk_vfs_resolve_at(AT_FDCWD, u, 0, &v);
    if (rc < 0)
        return rc;
    if (S_ISDIR(v->mode))
        return -EISDIR;
    if (len < 0 || !S_ISREG(v->mode))
        return -EINVAL;
    if (v->ops->truncate == NULL)
        return -EROFS;
    return v->ops->truncate(v, len);
}

/* ---- the file system as a whole ---- */

static long do_statfs(struct husk_vnode *v, struct statfs *st)
{
    *st = (struct statfs){
        .f_bsize = 4096,
        .f_frsize = 4096,
        .f_namelen = HUSK_NAME_MAX,
        .f_flags = v->ops->read_only ? ST_RDONLY : 0,
    };
    return v->ops->statfs != NULL ? v->ops->statfs(v, st) : 0;
}

static long sys_statfs(const char *u, struct statfs *st)
{
    struct husk_vnode *v;
    int rc = husk_vfs_resolve_at(AT_FDCWD, u, 0, &v);
    return rc < 0 ? rc : do_statfs(v, st);
}

static long sys_fstatfs(int fd, struct statfs *st)
{
    struct husk_vnode *v;
    int rc = husk_fd_vnode(fd, &v);
    if (rc < 0)
        return rc;
    if (v == NULL) { /* the console, a pipe, a socket: nothing to store */
        *st = (struct statfs){.f_bsize = 4096, .f_namelen = HUSK_NAME_MAX};
        return 0;
    }
    return do_statfs(v, st);
}

static long sync_fs(struct husk_vnode *v)
{
    return v->ops->sync != NULL ? v->ops->sync(v) : 0;
}

/* sync(2) cannot fail; an error is the file system's to report at the
 * next fsync. */
static long sys_sync(void)
{
    struct husk_vnode *root;
    for (unsigned i = 0; (root = husk_vfs_mount_root(i)) != NULL; i++)
        sync_fs(root);
    return 0;
}

static long sys_syncfs(int fd)
{
    struct husk_vnode *v;
    int rc = husk_fd_vnode(fd, &v);
    if (rc < 0)
        return rc;
    return v != NULL ? sync_fs(v) : 0;
}

long husk_vfs_attr_syscall(long n, long a1, long a2, long a3, long a4, long a5)
{
    const char *p1 = (const char *)a1, *p2 = (const char *)a2;
    switch (n) {
    case SYS_chmod:
        return sys_fchmodat(AT_FDCWD, p1, (mode_t)a2);
    case SYS_fchmodat:
        return sys_fchmodat((int)a1, p2, (mode_t)a3);
    case SYS_fchmod:
        return sys_fchmod((int)a1, (mode_t)a2);
    case SYS_chown:
        return sys_fchownat(AT_FDCWD, p1, (uid_t)a2, (gid_t)a3, 0);
    case SYS_lchown:
        return sys_fchownat(AT_FDCWD, p1, (uid_t)a2, (gid_t)a3,
                            AT_SYMLINK_NOFOLLOW);
    case SYS_fchownat:
        return sys_fchownat((int)a1, p2, (uid_t)a3, (gid_t)a4, (int)a5);
    case SYS_fchown:
        return sys_fchown((int)a1, (uid_t)a2, (gid_t)a3);
    case SYS_utimensat:
        return sys_utimensat((int)a1, p2, (const struct timespec *)a3, (int)a4);
    case SYS_truncate:
        return sys_truncate(p1, (off_t)a2);
    case SYS_statfs:
        return sys_statfs(p1, (struct statfs *)a2);
    case SYS_fstatfs:
        return sys_fstatfs((int)a1, (struct statfs *)a2);
    case SYS_sync:
        return sys_sync();
    case SYS_syncfs:
        return sys_syncfs((int)a1);
    default:
        return husk_vfs_link_syscall(n, a1, a2, a3, a4, a5);
    }
}
