/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * vfs.c: the system calls that take a path, and the working directory.
 * Each copies its path in (EFAULT, ENAMETOOLONG), resolves it with
 * vfs_path.c from "/", the working directory or a dirfd, and checks what
 * Linux checks, in Linux's order where a program could tell, before it
 * asks the file system (vfs.h) to do the work.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest.h"
#include "vfs.h"

#ifndef O_TMPFILE
#define O_TMPFILE 020200000
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

static struct husk_vnode *cwd;
static mode_t umask_bits = 022;

/* Path arguments, copied in: one system call at a time, at most two. */
char husk_vfs_path_a[HUSK_PATH_MAX], husk_vfs_path_b[HUSK_PATH_MAX];

void husk_vfs_set_cwd(struct husk_vnode *dir)
{
    husk_vnode_get(dir);
    if (cwd != NULL)
        husk_vnode_put(cwd);
    cwd = dir;
}

/* Copy a path from the guest's memory: the image and above, or the boot
 * information (argv) below it. */
int husk_vfs_copy_path(const char *u, char *buf)
{
    uintptr_t a = (uintptr_t)u;
    if (a < HUSK_LOAD_MIN)
        return husk_path_copy(buf, u, (uintptr_t)husk_boot, HUSK_LOAD_MIN);
    return husk_path_copy(buf, u, HUSK_LOAD_MIN, husk_boot->mem_size);
}

/* Where a relative path starts: the working directory or dirfd's. */
static int start_dir(int dirfd, const char *path, struct husk_vnode **out)
{
    if (path[0] == '\0')
        return -ENOENT;
    if (path[0] == '/' || dirfd == AT_FDCWD) {
        *out = cwd;
        return 0;
    }
    struct husk_vnode *v;
    int rc = husk_fd_vnode(dirfd, &v);
    if (rc < 0)
        return rc;
    if (v == NULL || !S_ISDIR(v->mode))
        return -ENOTDIR;
    *out = v;
    return 0;
}

int husk_vfs_walk_at(int dirfd, const char *u, char *buf, int flags,
                     struct husk_walk *w)
{
    struct husk_vnode *start;
    int rc = husk_vfs_copy_path(u, buf);
    if (rc == 0)
        rc = start_dir(dirfd, buf, &start);
    return rc < 0 ? rc : husk_vfs_walk(start, buf, flags, w);
}

int husk_vfs_resolve_at(int dirfd, const char *u, int flags,
                        struct husk_vnode **out)
{
    int rc = husk_vfs_copy_path(u, husk_vfs_path_a);
    if (rc < 0)
        return rc;
    if (husk_vfs_path_a[0] == '\0' && (flags & AT_EMPTY_PATH)) {
        if (dirfd == AT_FDCWD) {
            *out = cwd;
            return 0;
        }
        rc = husk_fd_vnode(dirfd, out);
        return rc < 0 ? rc : *out == NULL ? -EBADF : 0;
    }
    struct husk_vnode *start;
    rc = start_dir(dirfd, husk_vfs_path_a, &start);
    if (rc < 0)
        return rc;
    return husk_vfs_resolve(
        start, husk_vfs_path_a,
        (flags & AT_SYMLINK_NOFOLLOW) ? 0 : HUSK_WALK_FOLLOW, out);
}

static bool read_only(struct husk_vnode *v)
{
    return v->ops->read_only;
}

long husk_vfs_getattr(struct husk_vnode *v, struct stat *st)
{
    __builtin_memset(st, 0, sizeof(*st));
    return v->ops->getattr(v, st);
}

bool husk_vfs_same_fs(struct husk_vnode *a, struct husk_vnode *b)
{
    struct stat sa, sb;
    return a->ops == b->ops && husk_vfs_getattr(a, &sa) == 0 &&
           husk_vfs_getattr(b, &sb) == 0 && sa.st_dev == sb.st_dev;
}

/* ---- open ---- */

/* The fd a file system's open gave, with open's flags recorded on it. */
static long opened(long fd, int flags)
{
    if (fd >= 0)
        husk_fd_opened((int)fd, flags);
    return fd;
}

static long open_node(struct husk_vnode *v, int flags)
{
    int acc = flags & O_ACCMODE;
    if (flags & O_PATH)
        return opened(husk_vfs_open_vnode(v, flags), flags);
    if (S_ISDIR(v->mode)) {
        if (acc != O_RDONLY || (flags & O_CREAT))
            return -EISDIR;
        return opened(husk_vfs_open_vnode(v, flags), flags);
    }
    if (flags & O_DIRECTORY)
        return -ENOTDIR;
    if (acc == O_ACCMODE)
        return -EINVAL;
    if (acc != O_RDONLY && read_only(v) && S_ISREG(v->mode))
        return -EROFS;
    if ((flags & O_TRUNC) && S_ISREG(v->mode)) {
        if (v->ops->truncate == NULL)
            return -EROFS;
        int rc = v->ops->truncate(v, 0);
        if (rc < 0)
            return rc;
    }
    if (v->ops->open == NULL)
        return -ENXIO;
    return opened(v->ops->open(v, flags), flags);
}

static long sys_openat(int dirfd, const char *u, int flags, mode_t mode)
{
    if ((flags & O_TMPFILE) == O_TMPFILE)
        return -EOPNOTSUPP; /* no file system here makes unnamed files */
    /* O_CREAT|O_EXCL never follows a last link: it exists (EEXIST). A
     * dangling one is followed and its target created, as on Linux. */
    bool follow = !(flags & O_NOFOLLOW) &&
                  (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
    struct husk_walk w;
    int rc = husk_vfs_walk_at(dirfd, u, husk_vfs_path_a,
                              follow ? HUSK_WALK_FOLLOW : 0, &w);
    if (rc < 0)
        return rc;
    struct husk_vnode *v = w.node;
    if (flags & O_CREAT) {
        if (flags & O_DIRECTORY)
            return -EINVAL; /* as Linux 6.4 and later */
        if (w.last != HUSK_LAST_NORM)
            return -EISDIR;
        if (v != NULL && (flags & O_EXCL))
            return -EEXIST;
        if (v == NULL) {
            if (w.slash)
                return -EISDIR;
            if (w.dir->ops->create == NULL)
                return -EROFS;
            rc = w.dir->ops->create(w.dir, w.name, w.len,
                                    S_IFREG | (mode & 07777 & ~umask_bits), &v);
            if (rc < 0)
                return rc;
            flags &= ~O_TRUNC; /* new and empty */
        }
    } else if (v == NULL) {
        return -ENOENT;
    }
    if (w.slash && !S_ISDIR(v->mode))
        return -ENOTDIR;
    if (S_ISLNK(v->mode) && !(flags & O_PATH))
        return -ELOOP; /* O_NOFOLLOW on a link */
    return open_node(v, flags);
}

/* ---- stat ---- */

/* struct statx as Linux defines it (musl 1.2.3 has none). */
struct statx_ts {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};
struct husk_statx {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, spare0;
    uint64_t ino, size, blocks, attributes_mask;
    struct statx_ts atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare[14];
};
_Static_assert(sizeof(struct husk_statx) == 256, "statx layout");

static struct statx_ts ts_of(struct timespec t)
{
    return (struct statx_ts){t.tv_sec, (uint32_t)t.tv_nsec, 0};
}

static uint32_t major_of(dev_t d)
{
    return (uint32_t)(((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffULL));
}

static uint32_t minor_of(dev_t d)
{
    return (uint32_t)((d & 0xff) | ((d >> 12) & ~0xffULL));
}

static long sys_statx(int dirfd, const char *u, int flags, unsigned mask,
                      struct husk_statx *sx)
{
    (void)mask; /* everything there is, always */
    if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
                  AT_STATX_SYNC_TYPE))
        return -EINVAL;
    struct husk_vnode *v;
    int rc = husk_vfs_resolve_at(dirfd, u, flags, &v);
    if (rc < 0)
        return rc;
    struct stat st;
    if ((rc = (int)husk_vfs_getattr(v, &st)) < 0)
        return rc;
    *sx = (struct husk_statx){
        .mask = 0x7ff, /* STATX_BASIC_STATS */
        .blksize = (uint32_t)st.st_blksize,
        .nlink = (uint32_t)st.st_nlink,
        .uid = st.st_uid,
        .gid = st.st_gid,
        .mode = (uint16_t)st.st_mode,
        .ino = st.st_ino,
        .size = (uint64_t)st.st_size,
        .blocks = (uint64_t)st.st_blocks,
        .atime = ts_of(st.st_atim),
        .ctime = ts_of(st.st_ctim),
        .mtime = ts_of(st.st_mtim),
        .rdev_major = major_of(st.st_rdev),
        .rdev_minor = minor_of(st.st_rdev),
        .dev_major = major_of(st.st_dev),
        .dev_minor = minor_of(st.st_dev),
    };
    return 0;
}

static long sys_fstatat(int dirfd, const char *u, struct stat *st, int flags)
{
    if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT))
        return -EINVAL;
    int rc = husk_vfs_copy_path(u, husk_vfs_path_a);
    if (rc < 0)
        return rc;
    if (dirfd != AT_FDCWD && (flags & AT_EMPTY_PATH) &&
        husk_vfs_path_a[0] == '\0')
        return husk_sys_fstat(dirfd, st); /* any fd: console, socket */
    struct husk_vnode *v;
    rc = husk_vfs_resolve_at(dirfd, u, flags, &v);
    return rc < 0 ? rc : husk_vfs_getattr(v, st);
}

static long sys_faccessat(int dirfd, const char *u, int amode, int flags)
{
    if (amode & ~(R_OK | W_OK | X_OK))
        return -EINVAL;
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct husk_vnode *v;
    int rc = husk_vfs_resolve_at(dirfd, u, flags, &v);
    if (rc < 0)
        return rc;
    /* We are root: only a read-only file system and the x bits say no. */
    if ((amode & W_OK) && read_only(v) &&
        (S_ISREG(v->mode) || S_ISDIR(v->mode)))
        return -EROFS;
    if (amode & X_OK) {
        struct stat st;
        if ((rc = (int)husk_vfs_getattr(v, &st)) < 0)
            return rc;
        if (!S_ISDIR(st.st_mode) && !(st.st_mode & 0111))
            return -EACCES;
    }
    return 0;
}

/* ---- directories ---- */

static long sys_mkdirat(int dirfd, const char *u, mode_t mode)
{
    struct husk_walk w;
    int rc = husk_vfs_walk_at(dirfd, u, husk_vfs_path_a, 0, &w);
    if (rc < 0)
        return rc;
    if (w.last != HUSK_LAST_NORM || w.node != NULL)
        return -EEXIST;
    if (w.dir->ops->mkdir == NULL)
        return -EROFS;
    return w.dir->ops->mkdir(w.dir, w.name, w.len, mode & 07777 & ~umask_bits);
}

static long sys_rmdir_at(int dirfd, const char *u)
{
    struct husk_walk w;
    int rc = husk_vfs_walk_at(dirfd, u, husk_vfs_path_a, 0, &w);
    if (rc < 0)
        return rc;
    switch (w.last) {
    case HUSK_LAST_DOT:
        return -EINVAL;
    case HUSK_LAST_DOTDOT:
        return -ENOTEMPTY;
    case HUSK_LAST_ROOT:
        return -EBUSY;
    case HUSK_LAST_NORM:
        break;
    }
    if (w.node == NULL)
        return -ENOENT;
    if (!S_ISDIR(w.node->mode))
        return -ENOTDIR;
    if (husk_vfs_mounted_on(w.node) != NULL)
        return -EBUSY;
    if (w.dir->ops->rmdir == NULL)
        return -EROFS;
    return w.dir->ops->rmdir(w.dir, w.name, w.len, w.node);
}

static long sys_unlinkat(int dirfd, const char *u, int flags)
{
    if (flags & ~AT_REMOVEDIR)
        return -EINVAL;
    if (flags & AT_REMOVEDIR)
        return sys_rmdir_at(dirfd, u);
    struct husk_walk w;
    int rc = husk_vfs_walk_at(dirfd, u, husk_vfs_path_a, 0, &w);
    if (rc < 0)
        return rc;
    if (w.last != HUSK_LAST_NORM)
        return -EISDIR;
    if (w.node == NULL)
        return -ENOENT;
    if (S_ISDIR(w.node->mode))
        return -EISDIR;
    if (w.slash)
        return -ENOTDIR;
    if (w.dir->ops->unlink == NULL)
        return -EROFS;
    return w.dir->ops->unlink(w.dir, w.name, w.len, w.node);
}

static long sys_renameat2(int odirfd, const char *ou, int ndirfd,
                          const char *nu, unsigned flags)
{
    if (flags & ~RENAME_NOREPLACE)
        return -EINVAL; /* RENAME_EXCHANGE, _WHITEOUT: not here */
    struct husk_walk o, n;
    int rc = husk_vfs_walk_at(odirfd, ou, husk_vfs_path_a, 0, &o);
    if (rc == 0)
        rc = husk_vfs_walk_at(ndirfd, nu, husk_vfs_path_b, 0, &n);
    if (rc < 0)
        return rc;
    if (o.last != HUSK_LAST_NORM || n.last != HUSK_LAST_NORM)
        return -EBUSY;
    struct husk_vnode *v = o.node, *t = n.node;
    if (v == NULL)
        return -ENOENT;
    bool dir = S_ISDIR(v->mode);
    if (!dir && (o.slash || n.slash))
        return -ENOTDIR;
    if (!husk_vfs_same_fs(o.dir, n.dir))
        return -EXDEV;
    if (husk_vfs_mounted_on(v) != NULL ||
        (t != NULL && husk_vfs_mounted_on(t) != NULL))
        return -EBUSY;
    if (o.dir->ops->rename == NULL)
        return -EROFS;
    if (t != NULL && (flags & RENAME_NOREPLACE))
        return -EEXIST;
    if (t == v)
        return 0; /* the same file: nothing to do */
    if (t != NULL && dir && !S_ISDIR(t->mode))
        return -ENOTDIR;
    if (t != NULL && !dir && S_ISDIR(t->mode))
        return -EISDIR;
    if (dir && husk_vfs_is_within(n.dir, v))
        return -EINVAL; /* into itself */
    return o.dir->ops->rename(o.dir, o.name, o.len, v, n.dir, n.name, n.len, t);
}

static long sys_getcwd(char *buf, size_t size)
{
    if (size == 0)
        return -ERANGE;
    static char tmp[HUSK_PATH_MAX];
    long n = husk_vfs_path_of(cwd, tmp, sizeof(tmp));
    if (n < 0)
        return n;
    if ((size_t)n > size)
        return -ERANGE;
    __builtin_memcpy(buf, tmp, (size_t)n);
    return n;
}

static long sys_chdir(const char *u)
{
    struct husk_vnode *v;
    int rc = husk_vfs_resolve_at(AT_FDCWD, u, 0, &v);
    if (rc < 0)
        return rc;
    if (!S_ISDIR(v->mode))
        return -ENOTDIR;
    husk_vfs_set_cwd(v);
    return 0;
}

static long sys_fchdir(int fd)
{
    struct husk_vnode *v;
    int rc = husk_fd_vnode(fd, &v);
    if (rc < 0)
        return rc;
    if (v == NULL || !S_ISDIR(v->mode))
        return -ENOTDIR;
    husk_vfs_set_cwd(v);
    return 0;
}

static long sys_umask(mode_t mask)
{
    mode_t old = umask_bits;
    umask_bits = mask & 0777;
    return old;
}

long husk_vfs_syscall(long n, long a1, long a2, long a3, long a4, long a5)
{
    const char *p1 = (const char *)a1, *p2 = (const char *)a2;
    switch (n) {
    case SYS_open:
        return sys_openat(AT_FDCWD, p1, (int)a2, (mode_t)a3);
    case SYS_creat:
        return sys_openat(AT_FDCWD, p1, O_CREAT | O_WRONLY | O_TRUNC,
                          (mode_t)a2);
    case SYS_openat:
        return sys_openat((int)a1, p2, (int)a3, (mode_t)a4);
    case SYS_stat:
        return sys_fstatat(AT_FDCWD, p1, (struct stat *)a2, 0);
    case SYS_lstat:
        return sys_fstatat(AT_FDCWD, p1, (struct stat *)a2,
                           AT_SYMLINK_NOFOLLOW);
    case SYS_newfstatat:
        return sys_fstatat((int)a1, p2, (struct stat *)a3, (int)a4);
    case SYS_statx:
        return sys_statx((int)a1, p2, (int)a3, (unsigned)a4, (void *)a5);
    case SYS_access:
        return sys_faccessat(AT_FDCWD, p1, (int)a2, 0);
    case SYS_faccessat:
        return sys_faccessat((int)a1, p2, (int)a3, 0);
    case SYS_faccessat2:
        return sys_faccessat((int)a1, p2, (int)a3, (int)a4);
    case SYS_mkdir:
        return sys_mkdirat(AT_FDCWD, p1, (mode_t)a2);
    case SYS_mkdirat:
        return sys_mkdirat((int)a1, p2, (mode_t)a3);
    case SYS_rmdir:
        return sys_rmdir_at(AT_FDCWD, p1);
    case SYS_unlink:
        return sys_unlinkat(AT_FDCWD, p1, 0);
    case SYS_unlinkat:
        return sys_unlinkat((int)a1, p2, (int)a3);
    case SYS_rename:
        return sys_renameat2(AT_FDCWD, p1, AT_FDCWD, p2, 0);
    case SYS_renameat:
        return sys_renameat2((int)a1, p2, (int)a3, (const char *)a4, 0);
    case SYS_renameat2:
        return sys_renameat2((int)a1, p2, (int)a3, (const char *)a4,
                             (unsigned)a5);
    case SYS_getcwd:
        return sys_getcwd((char *)a1, (size_t)a2);
    case SYS_chdir:
        return sys_chdir(p1);
    case SYS_fchdir:
        return sys_fchdir((int)a1);
    case SYS_umask:
        return sys_umask((mode_t)a1);
    default:
        return husk_vfs_attr_syscall(n, a1, a2, a3, a4, a5);
    }
}
