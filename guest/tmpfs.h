/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * tmpfs.h: the tmpfs's node, shared by its tree (tmpfs.c) and its data
 * and open files (tmpfs_data.c).
 */
#ifndef HUSK_TMPFS_H
#define HUSK_TMPFS_H

#include <sys/stat.h>
#include <time.h>

#include "vfs.h"

#define TMPFS_PAGE 4096

struct tmpfs_entry {
    struct tmpfs_entry *next, *prev; /* the directory's, in creation order */
    struct tmpfs_entry *hnext;       /* the name hash's chain */
    struct tmpfs_node *dir, *node;
    uint64_t cookie; /* its readdir position: stable while others go */
    size_t len;
    char name[];
};

struct tmpfs_node {
    struct husk_vnode v;
    uint64_t ino;
    nlink_t nlink;
    mode_t perm;
    uid_t uid;
    gid_t gid;
    struct timespec atime, mtime, ctime;
    /* a directory */
    struct tmpfs_node *parent; /* NULL at the root and once removed */
    struct tmpfs_entry *entries, *last;
    struct tmpfs_entry *cursor; /* the entry readdir gave last */
    uint64_t next_cookie;
    /* a symbolic link: its target, size bytes (no NUL) */
    char *target;
    /* a regular file: pages[i] holds bytes [i * PAGE, (i + 1) * PAGE), or
     * is NULL (a hole: zeros) */
    uint64_t size;
    unsigned char **pages;
    size_t npages;
};

/* Charge n bytes against the tmpfs's size: 0, or -ENOSPC. */
int husk_tmpfs_charge(uint64_t n);
void husk_tmpfs_uncharge(uint64_t n);
struct timespec husk_tmpfs_now(void);
/* Free a node nothing names or holds any more. */
void husk_tmpfs_maybe_free(struct tmpfs_node *n);

/* tmpfs_attr.c: what getattr, chmod, chown, utimens, statfs say and do */
int husk_tmpfs_getattr(struct husk_vnode *v, struct stat *st);
int husk_tmpfs_chmod(struct husk_vnode *v, mode_t mode);
int husk_tmpfs_chown(struct husk_vnode *v, uid_t uid, gid_t gid);
int husk_tmpfs_utimens(struct husk_vnode *v, const struct timespec ts[2]);
int husk_tmpfs_statfs(struct husk_vnode *v, struct statfs *st);
/* The bytes the tmpfs holds, and may hold. */
void husk_tmpfs_usage(uint64_t *used, uint64_t *limit);

/* tmpfs_data.c */
int husk_tmpfs_truncate(struct husk_vnode *v, off_t size);
long husk_tmpfs_open(struct husk_vnode *v, int flags);
void husk_tmpfs_free_pages(struct tmpfs_node *n);

#endif
