/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * dirsync.c: a change of names is on the device when its call returns,
 * as under Linux's dirsync mount option. create, mkdir, unlink, rmdir,
 * rename, link and symlink write the metadata they changed through, flush
 * the device, and leave the superblock saying clean again.
 *
 * Why: the guest's metadata cache lives in the monitor's process, so
 * killing the monitor loses it, where a killed Linux program leaves the
 * kernel's cache behind. A program that has removed or renamed a file
 * and said so must find that done after a kill -9: SQLite commits a
 * transaction by deleting its journal, and a journal left behind undoes
 * the commit at the next open. File data and times still wait for fsync,
 * as on Linux.
 */
#include "extfs.h"

static int synced(struct husk_vnode *dir, int rc)
{
    if (rc != 0)
        return rc;
    return extfs_flush(((struct ext_node *)dir)->m);
}

int extfs_create_sync(struct husk_vnode *dir, const char *name, size_t len,
                      mode_t mode, struct husk_vnode **out)
{
    return synced(dir, extfs_create(dir, name, len, mode, out));
}

int extfs_mkdir_sync(struct husk_vnode *dir, const char *name, size_t len,
                     mode_t mode)
{
    return synced(dir, extfs_mkdir(dir, name, len, mode));
}

int extfs_unlink_sync(struct husk_vnode *dir, const char *name, size_t len,
                      struct husk_vnode *node)
{
    return synced(dir, extfs_unlink(dir, name, len, node));
}

int extfs_rmdir_sync(struct husk_vnode *dir, const char *name, size_t len,
                     struct husk_vnode *node)
{
    return synced(dir, extfs_rmdir(dir, name, len, node));
}

int extfs_rename_sync(struct husk_vnode *odir, const char *oname, size_t olen,
                      struct husk_vnode *node, struct husk_vnode *ndir,
                      const char *nname, size_t nlen, struct husk_vnode *target)
{
    return synced(
        odir, extfs_rename(odir, oname, olen, node, ndir, nname, nlen, target));
}

int extfs_symlink_sync(struct husk_vnode *dir, const char *name, size_t len,
                       const char *target)
{
    return synced(dir, extfs_symlink(dir, name, len, target));
}

int extfs_link_sync(struct husk_vnode *dir, const char *name, size_t len,
                    struct husk_vnode *node)
{
    return synced(dir, extfs_link(dir, name, len, node));
}
