/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * vfs.h: libhusk's virtual file system. Every file system (the read-only
 * root, devfs at /dev, tmpfs at /tmp) hands out vnodes; the VFS walks
 * paths over them, crosses mounts, counts references and turns the path
 * system calls into vnode operations (vfs.c). Path resolution and the
 * mount table (vfs_path.c) are pure: the host's unit tests run them over
 * a file system of their own.
 *
 * Single-threaded: a vnode found by a walk stays valid until the system
 * call returns; whatever must outlive the call (the working directory, an
 * open file) holds a reference (husk_vnode_get/put).
 */
#ifndef HUSK_VFS_H
#define HUSK_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Linux's limits: a path of PATH_MAX bytes with its NUL, a name of
 * NAME_MAX bytes. */
#define HUSK_PATH_MAX 4096
#define HUSK_NAME_MAX 255
#define HUSK_MOUNTS_MAX 24 /* /dev, /tmp, and one per block device */

struct stat;
struct statfs;
struct timespec;
struct husk_vnode;

/* One directory entry, as readdir gives it. */
struct husk_dirent {
    uint64_t ino;
    uint64_t next;      /* the position after this entry */
    unsigned char type; /* DT_* */
    char name[HUSK_NAME_MAX + 1];
};

/*
 * What a file system does. A missing operation means: this file system
 * cannot (EROFS for the ones that change it, EPERM for chmod, EINVAL for
 * the rest). Names are not NUL-terminated: name, len. Every operation
 * returns 0 or a negative errno, except open (an fd).
 */
struct husk_vnode_ops {
    /* Nothing in it can change: EROFS for writes, access(W_OK) included. */
    bool read_only;
    /* The child called name of directory dir, or -ENOENT. */
    int (*lookup)(struct husk_vnode *dir, const char *name, size_t len,
                  struct husk_vnode **out);
    /* dir's parent in the same file system; NULL at its root, or when
     * dir has been removed. */
    struct husk_vnode *(*parent)(struct husk_vnode *dir);
    /* The entry at position pos (0 is the first, next the one after):
     * 1 and *out, or 0 at the end. Not "." and "..": the VFS adds those. */
    int (*readdir)(struct husk_vnode *dir, uint64_t pos,
                   struct husk_dirent *out);
    int (*getattr)(struct husk_vnode *node, struct stat *st);
    /* A new regular file (the name is known to be free). */
    int (*create)(struct husk_vnode *dir, const char *name, size_t len,
                  mode_t mode, struct husk_vnode **out);
    int (*mkdir)(struct husk_vnode *dir, const char *name, size_t len,
                 mode_t mode);
    /* Remove dir's entry name, which is node (a non-directory). */
    int (*unlink)(struct husk_vnode *dir, const char *name, size_t len,
                  struct husk_vnode *node);
    /* Remove dir's entry name, which is node, a directory: -ENOTEMPTY
     * unless it is empty. */
    int (*rmdir)(struct husk_vnode *dir, const char *name, size_t len,
                 struct husk_vnode *node);
    /* Move node from (odir, oname) to (ndir, nname), replacing target if
     * it is not NULL; the VFS has checked the types and loops. */
    int (*rename)(struct husk_vnode *odir, const char *oname, size_t olen,
                  struct husk_vnode *node, struct husk_vnode *ndir,
                  const char *nname, size_t nlen, struct husk_vnode *target);
    int (*chmod)(struct husk_vnode *node, mode_t mode);
    int (*truncate)(struct husk_vnode *node, off_t size);
    /* Open a non-directory: install an fd (husk_fd_install) and return it. */
    long (*open)(struct husk_vnode *node, int flags);
    /* A symbolic link's target (size bytes at most, no NUL added): its
     * length. The VFS follows links through it, so a file system that
     * has them must have it. */
    long (*readlink)(struct husk_vnode *node, char *buf, size_t size);
    /* A new symbolic link, name in dir, to target (NUL-terminated; the
     * name is known to be free). */
    int (*symlink)(struct husk_vnode *dir, const char *name, size_t len,
                   const char *target);
    /* A new name in dir for node, a non-directory of this file system
     * (the name is known to be free; -EXDEV is the VFS's). */
    int (*link)(struct husk_vnode *dir, const char *name, size_t len,
                struct husk_vnode *node);
    /* Set the access (times[0]) and modification (times[1]) times; a
     * tv_nsec of UTIME_OMIT leaves one as it is (the VFS has turned
     * UTIME_NOW into the time). */
    int (*utimens)(struct husk_vnode *node, const struct timespec times[2]);
    /* Set the owner and group; (uid_t)-1 or (gid_t)-1 leaves one as it is. */
    int (*chown)(struct husk_vnode *node, uid_t uid, gid_t gid);
    /* statfs of the file system node is in (without it: zeros, with
     * f_bsize 4096 and the VFS's f_type and f_flags). */
    int (*statfs)(struct husk_vnode *node, struct statfs *st);
    /* sync, syncfs: all of the file system node is in reaches its
     * storage (optional: nothing to do). */
    int (*sync)(struct husk_vnode *node);
    /* The last reference went (husk_vnode_put). */
    void (*release)(struct husk_vnode *node);
};

/* The part of every vnode the VFS sees; a file system's own node starts
 * with it. */
struct husk_vnode {
    const struct husk_vnode_ops *ops;
    uint32_t refs; /* references held beyond a system call */
    mode_t mode;   /* the type bits (S_IFDIR, ...) at least */
};

void husk_vnode_get(struct husk_vnode *v);
void husk_vnode_put(struct husk_vnode *v);

/* ---- the mount table (vfs_path.c) ---- */

/* The root directory; set once, before any walk. */
void husk_vfs_set_root(struct husk_vnode *root);
struct husk_vnode *husk_vfs_root(void);
/* Mount the file system whose root is root on directory mountpoint;
 * -EBUSY if something is mounted there, -ENOMEM if the table is full. */
int husk_vfs_mount(struct husk_vnode *mountpoint, struct husk_vnode *root);
/* The mountpoint that v is the root of, or NULL. */
struct husk_vnode *husk_vfs_mounted_on(struct husk_vnode *v);
/* What is visible at v: the root of what is mounted on it, or v. */
struct husk_vnode *husk_vfs_covered(struct husk_vnode *v);
/* v's parent, across mounts; v itself for the root, NULL when v has
 * been removed. */
struct husk_vnode *husk_vfs_parent(struct husk_vnode *v);
/* The root of the i-th file system mounted (0 is "/"), or NULL past the
 * last: sync goes through them all. */
struct husk_vnode *husk_vfs_mount_root(unsigned i);

/* ---- path resolution (vfs_path.c) ---- */

enum husk_last {
    HUSK_LAST_NORM,   /* a name */
    HUSK_LAST_DOT,    /* "." */
    HUSK_LAST_DOTDOT, /* ".." */
    HUSK_LAST_ROOT,   /* no name at all: "/", "//" */
};

struct husk_walk {
    struct husk_vnode *dir;  /* the directory that holds the last name */
    struct husk_vnode *node; /* what the path names; NULL if no such entry */
    enum husk_last last;
    const char *name; /* the last name, in the path (len bytes) */
    size_t len;
    bool slash; /* the path ends in '/': it must name a directory */
};

/* Follow a symbolic link in the last component too (stat, open without
 * O_NOFOLLOW); links before it are always followed. */
#define HUSK_WALK_FOLLOW 1
/* Links followed in one walk before ELOOP: Linux's 40. */
#define HUSK_LINKS_MAX 40

/*
 * Resolve path (NUL-terminated in a buffer of HUSK_PATH_MAX bytes,
 * already checked by husk_path_copy) from start (the working directory,
 * or a dirfd's directory) as Linux does: absolute or relative, "." and
 * "..", ".." at "/" stays there, repeated slashes, mounts crossed both
 * ways, symbolic links followed (their targets are spliced into path,
 * which the walk rewrites; -ELOOP after HUSK_LINKS_MAX). Every component
 * but the last must be an existing directory (-ENOENT, -ENOTDIR); the
 * last may be missing (w->node NULL), and is itself when it is a link
 * not followed. Returns 0 or a negative errno (-ENOENT for an empty
 * path, -ENAMETOOLONG for a name of more than NAME_MAX bytes or a path
 * that grows past PATH_MAX).
 */
int husk_vfs_walk(struct husk_vnode *start, char *path, int flags,
                  struct husk_walk *w);
/*
 * The same, and the last component must exist: 0 and *out, or
 * -ENOENT, or -ENOTDIR when the path ends in '/' but names no directory.
 */
int husk_vfs_resolve(struct husk_vnode *start, char *path, int flags,
                     struct husk_vnode **out);
/* Whether dir is anc or lies below it (rename's loop check). */
bool husk_vfs_is_within(struct husk_vnode *dir, struct husk_vnode *anc);
/*
 * The absolute path of directory dir into buf (size bytes): its length
 * with the NUL, -ERANGE if it does not fit, -ENOENT if dir was removed.
 */
long husk_vfs_path_of(struct husk_vnode *dir, char *buf, size_t size);

/* ---- the file systems and the working directory ---- */

/* The working directory becomes dir (vfs.c). */
void husk_vfs_set_cwd(struct husk_vnode *dir);
/* devfs's root: the block devices and the character devices (devfs.c). */
struct husk_vnode *husk_devfs_root(void);
/* The root of the tmpfs (one, empty at start; tmpfs.c), which holds at
 * most limit bytes: it allocates nothing, so it may run before malloc. */
struct husk_vnode *husk_tmpfs_root(uint64_t limit);
/*
 * The root file system's directory at path (absolute), to mount on
 * (rootfs.c): the packed tree's (husk-cc --files), with the directories
 * it lacks along the way synthesised, as mkdir -p would (in the
 * read-only root only; a symbolic link is followed, but what it points
 * to must exist). 0 and *out, or -EINVAL (a relative path), -ENOTDIR (a
 * component is a file), -EXDEV (below another mount), -ENOENT,
 * -ENAMETOOLONG, -ELOOP, -ENOSPC (too many synthesised directories).
 * Works from the start of husk_fs_init on.
 */
int husk_rootfs_mountpoint(const char *path, struct husk_vnode **out);

/* ---- the path system calls' shared steps (vfs.c) ---- */

/* The two path arguments a system call copies in (one call at a time). */
extern char husk_vfs_path_a[HUSK_PATH_MAX], husk_vfs_path_b[HUSK_PATH_MAX];
/* Copy a path argument from the guest's memory into buf (HUSK_PATH_MAX
 * bytes): 0, -EFAULT, -ENAMETOOLONG. */
int husk_vfs_copy_path(const char *u, char *buf);
/* Copy path u into buf and walk it from dirfd (AT_FDCWD or a directory's
 * fd) with husk_vfs_walk's flags. */
int husk_vfs_walk_at(int dirfd, const char *u, char *buf, int flags,
                     struct husk_walk *w);
/* Resolve path u (copied into husk_vfs_path_a) from dirfd to an existing
 * node. at_flags: AT_SYMLINK_NOFOLLOW (a last link is itself), and
 * AT_EMPTY_PATH ("" is dirfd's own file). */
int husk_vfs_resolve_at(int dirfd, const char *u, int at_flags,
                        struct husk_vnode **out);
/* getattr with *st zeroed first. */
long husk_vfs_getattr(struct husk_vnode *v, struct stat *st);
/* Whether a and b are in the same file system (mount): the same ops and
 * st_dev, which each file system, and each mount of one, keeps unique. */
bool husk_vfs_same_fs(struct husk_vnode *a, struct husk_vnode *b);
/* The system calls of vfs_attr.c and vfs_link.c (-ENOSYS: not theirs);
 * husk_vfs_syscall (vfs.c) hands them what it does not serve. */
long husk_vfs_attr_syscall(long n, long a1, long a2, long a3, long a4, long a5);
long husk_vfs_link_syscall(long n, long a1, long a2, long a3, long a4, long a5);

/* An fd on v itself (vfs_dir.c): a directory, or O_PATH of anything. */
long husk_vfs_open_vnode(struct husk_vnode *v, int flags);

/*
 * Copy a path argument in [lo, hi) (the guest's memory) into buf of
 * HUSK_PATH_MAX bytes: 0, or -EFAULT if it is not all in [lo, hi),
 * -ENAMETOOLONG if it has HUSK_PATH_MAX bytes or more before its NUL.
 */
int husk_path_copy(char *buf, const char *src, uintptr_t lo, uintptr_t hi);

#endif
