/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * rootfs.c: "/", a read-only directory that holds only the mountpoints
 * "dev" (devfs) and "tmp" (tmpfs), and the start-up that mounts them.
 * Nothing can be created beside them: a program that writes outside /tmp
 * gets EROFS, as on a read-only root.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "guest.h"
#include "vfs.h"

#define ROOTFS_DEV 1 /* st_dev: one number per file system */

struct root_dir {
    struct husk_vnode v;
    const char *name;
    uint64_t ino;
};

static const struct husk_vnode_ops root_ops;
static struct root_dir root = {{&root_ops, 0, S_IFDIR}, "", 2};
static struct root_dir subdirs[] = {
    {{&root_ops, 0, S_IFDIR}, "dev", 3},
    {{&root_ops, 0, S_IFDIR}, "tmp", 4},
};
#define SUBDIRS (sizeof(subdirs) / sizeof(subdirs[0]))

static int root_lookup(struct husk_vnode *dir, const char *name, size_t len,
                       struct husk_vnode **out)
{
    if (dir != &root.v)
        return -ENOENT; /* dev and tmp are always covered by their mounts */
    for (size_t i = 0; i < SUBDIRS; i++)
        if (__builtin_strlen(subdirs[i].name) == len &&
            __builtin_memcmp(subdirs[i].name, name, len) == 0) {
            *out = &subdirs[i].v;
            return 0;
        }
    return -ENOENT;
}

static struct husk_vnode *root_parent(struct husk_vnode *dir)
{
    return dir == &root.v ? NULL : &root.v;
}

static int root_readdir(struct husk_vnode *dir, uint64_t pos,
                        struct husk_dirent *out)
{
    if (dir != &root.v || pos >= SUBDIRS)
        return 0;
    out->ino = subdirs[pos].ino;
    out->next = pos + 1;
    out->type = DT_DIR;
    __builtin_memcpy(out->name, subdirs[pos].name,
                     __builtin_strlen(subdirs[pos].name) + 1);
    return 1;
}

static int root_getattr(struct husk_vnode *node, struct stat *st)
{
    struct root_dir *d = (struct root_dir *)node;
    st->st_mode = S_IFDIR | 0755;
    st->st_ino = d->ino;
    st->st_dev = ROOTFS_DEV;
    st->st_nlink = node == &root.v ? 2 + SUBDIRS : 2;
    st->st_blksize = 4096;
    return 0;
}

static const struct husk_vnode_ops root_ops = {
    .read_only = true,
    .lookup = root_lookup,
    .parent = root_parent,
    .readdir = root_readdir,
    .getattr = root_getattr,
};

void husk_fs_init(void)
{
    husk_vfs_set_root(&root.v);
    /* Half of memory for /tmp, as Linux sizes a tmpfs by default. */
    struct husk_vnode *tmp = husk_tmpfs_root(husk_boot->mem_size / 2);
    if (tmp == NULL || husk_vfs_mount(&subdirs[0].v, husk_devfs_root()) < 0 ||
        husk_vfs_mount(&subdirs[1].v, tmp) < 0)
        husk_panic("could not mount /dev and /tmp");
    husk_vfs_set_cwd(&root.v);
}
