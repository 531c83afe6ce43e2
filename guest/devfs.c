/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * devfs.c: /dev. The drivers' devices by name (the block devices: the
 * driver table, driver.h), then
 * the character devices every program may expect: null, zero, full,
 * random and urandom (the CPU's generator, random.c), and stdin, stdout
 * and stderr. Those follow fds 0, 1 and 2 as Linux's links to
 * /proc/self/fd/N do: stat shows what the fd is (a pipe after a dup2 onto
 * it), and an open is a dup of the fd (it shares the open file, position
 * and flags, where Linux would open the file anew). ENOENT while the fd is
 * closed, as a link that leads nowhere. A block device named like one of
 * those hides it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "driver.h"
#include "guest.h"
#include "vfs.h"

#define DEVFS_DEV 5   /* st_dev */
#define INO_DEVICE 16 /* device file i has inode INO_DEVICE + i */

enum chr {
    DEV_NULL,
    DEV_ZERO,
    DEV_FULL,
    DEV_RANDOM,
    DEV_URANDOM,
    DEV_STDIN,
    DEV_STDOUT,
    DEV_STDERR,
    CHR_COUNT
};

struct chr_node {
    struct husk_vnode v;
    const char *name;
    dev_t rdev;
};

struct blk_node {
    struct husk_vnode v;
    unsigned index; /* over all drivers' devices, in table order */
};

static const struct husk_vnode_ops devfs_ops;
static struct husk_vnode dev_dir = {&devfs_ops, 0, S_IFDIR};
static struct chr_node chrs[CHR_COUNT] = {
    [DEV_NULL] = {{&devfs_ops, 0, S_IFCHR}, "null", makedev(1, 3)},
    [DEV_ZERO] = {{&devfs_ops, 0, S_IFCHR}, "zero", makedev(1, 5)},
    [DEV_FULL] = {{&devfs_ops, 0, S_IFCHR}, "full", makedev(1, 7)},
    [DEV_RANDOM] = {{&devfs_ops, 0, S_IFCHR}, "random", makedev(1, 8)},
    [DEV_URANDOM] = {{&devfs_ops, 0, S_IFCHR}, "urandom", makedev(1, 9)},
    [DEV_STDIN] = {{&devfs_ops, 0, S_IFCHR}, "stdin", makedev(5, 0)},
    [DEV_STDOUT] = {{&devfs_ops, 0, S_IFCHR}, "stdout", makedev(5, 0)},
    [DEV_STDERR] = {{&devfs_ops, 0, S_IFCHR}, "stderr", makedev(5, 0)},
};
/* Device files are vnodes of S_IFBLK type here (O_TRUNC passes them by),
 * though stat shows what fstat on their fd always has: a regular file of
 * the device's size. */
static struct blk_node blks[HUSK_DEVICES_MAX];

/* Device file `index` (over all drivers): its driver, and its number
 * there in *i; NULL past the last. */
static const struct husk_driver *device_at(unsigned index, unsigned *i)
{
    const struct husk_driver *d;
    for (unsigned k = 0; (d = husk_driver_at(k)) != NULL; k++) {
        unsigned n = d->dev_count != NULL ? d->dev_count() : 0;
        if (index < n) {
            *i = index;
            return d;
        }
        index -= n;
    }
    return NULL;
}

/* How many device files there are, over all drivers. */
static unsigned device_count(void)
{
    unsigned n = 0;
    const struct husk_driver *d;
    for (unsigned k = 0; (d = husk_driver_at(k)) != NULL; k++)
        n += d->dev_count != NULL ? d->dev_count() : 0;
    return n;
}

static const char *device_name(unsigned index)
{
    unsigned i;
    const struct husk_driver *d = device_at(index, &i);
    return d != NULL ? d->dev_name(i) : NULL;
}

struct husk_vnode *husk_devfs_root(void)
{
    for (unsigned i = 0; i < HUSK_DEVICES_MAX; i++)
        blks[i] = (struct blk_node){{&devfs_ops, 0, S_IFBLK}, i};
    return &dev_dir;
}

static bool same(const char *s, const char *name, size_t len)
{
    return __builtin_strlen(s) == len && __builtin_memcmp(s, name, len) == 0;
}

static int devfs_lookup(struct husk_vnode *dir, const char *name, size_t len,
                        struct husk_vnode **out)
{
    (void)dir;
    for (unsigned i = 0, n = device_count(); i < n && i < HUSK_DEVICES_MAX; i++)
        if (same(device_name(i), name, len)) {
            *out = &blks[i].v;
            return 0;
        }
    for (unsigned i = 0; i < CHR_COUNT; i++)
        if (same(chrs[i].name, name, len)) {
            *out = &chrs[i].v;
            return 0;
        }
    return -ENOENT;
}

static struct husk_vnode *devfs_parent(struct husk_vnode *dir)
{
    (void)dir;
    return NULL; /* only the root is a directory */
}

static int devfs_readdir(struct husk_vnode *dir, uint64_t pos,
                         struct husk_dirent *out)
{
    (void)dir;
    const char *name;
    unsigned blocks = device_count();
    if (blocks > HUSK_DEVICES_MAX)
        blocks = HUSK_DEVICES_MAX; /* the most blks[] holds */
    struct husk_vnode *v;
    if (pos < blocks) {
        name = device_name((unsigned)pos);
        out->ino = INO_DEVICE + pos;
        out->type = DT_BLK;
    } else if (pos < blocks + CHR_COUNT) {
        name = chrs[pos - blocks].name;
        if (devfs_lookup(dir, name, __builtin_strlen(name), &v) == 0 &&
            v != &chrs[pos - blocks].v)
            name = ""; /* hidden by a block device of that name */
        out->ino = 3 + (pos - blocks);
        out->type = DT_CHR;
    } else {
        return 0;
    }
    if (*name == '\0')
        return devfs_readdir(dir, pos + 1, out);
    __builtin_memcpy(out->name, name, __builtin_strlen(name) + 1);
    out->next = pos + 1;
    return 1;
}

static int devfs_getattr(struct husk_vnode *node, struct stat *st)
{
    st->st_dev = DEVFS_DEV;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    if (node == &dev_dir) {
        st->st_mode = S_IFDIR | 0755;
        st->st_ino = 2;
        st->st_nlink = 2;
    } else if (S_ISBLK(node->mode)) {
        unsigned index = ((struct blk_node *)node)->index, i;
        const struct husk_driver *d = device_at(index, &i);
        if (d == NULL)
            return -ENOENT;
        uint64_t cap = d->dev_size(i);
        st->st_mode = S_IFREG | (d->dev_read_only(i) ? 0444 : 0644);
        st->st_ino = INO_DEVICE + index;
        st->st_size = (off_t)cap;
        st->st_blocks = (blkcnt_t)(cap / 512);
    } else if (node >= &chrs[DEV_STDIN].v && node <= &chrs[DEV_STDERR].v) {
        int fd = (int)((struct chr_node *)node - &chrs[DEV_STDIN]);
        long rc = husk_sys_fstat(fd, st);
        return rc == -EBADF ? -ENOENT : (int)rc;
    } else {
        struct chr_node *c = (struct chr_node *)node;
        st->st_mode = S_IFCHR | (c->rdev == makedev(5, 0) ? 0620 : 0666);
        st->st_ino = 3 + (uint64_t)(c - chrs);
        st->st_rdev = c->rdev;
    }
    return 0;
}

/* ---- the character devices' files: priv is the enum chr ---- */

static long chr_read(void *priv, void *buf, size_t len)
{
    switch ((enum chr)(uintptr_t)priv) {
    case DEV_NULL:
        return 0;
    case DEV_RANDOM:
    case DEV_URANDOM:
        return husk_sys_getrandom(buf, len, 0);
    default: /* zero, full */
        __builtin_memset(buf, 0, len);
        return (long)len;
    }
}

static long chr_write(void *priv, const void *buf, size_t len)
{
    (void)buf;
    if ((enum chr)(uintptr_t)priv == DEV_FULL)
        return -ENOSPC;
    return (long)len; /* null, zero; random takes entropy it ignores */
}

static long chr_pread(void *priv, void *buf, size_t len, off_t off)
{
    (void)off;
    return chr_read(priv, buf, len);
}

static long chr_pwrite(void *priv, const void *buf, size_t len, off_t off)
{
    (void)off;
    return chr_write(priv, buf, len);
}

static long chr_lseek(void *priv, off_t offset, int whence)
{
    (void)priv, (void)offset, (void)whence;
    return 0; /* Linux: these devices stay at 0 */
}

static long chr_fstat(void *priv, struct stat *st)
{
    return devfs_getattr(&chrs[(uintptr_t)priv].v, st);
}

static struct husk_vnode *chr_vnode(void *priv)
{
    return &chrs[(uintptr_t)priv].v;
}

static const struct husk_file_ops chr_ops = {
    .read = chr_read,
    .write = chr_write,
    .pread = chr_pread,
    .pwrite = chr_pwrite,
    .lseek = chr_lseek,
    .fstat = chr_fstat,
    .vnode = chr_vnode,
};

static long devfs_open(struct husk_vnode *node, int flags)
{
    if (S_ISBLK(node->mode)) {
        unsigned i;
        const struct husk_driver *d =
            device_at(((struct blk_node *)node)->index, &i);
        return d != NULL ? d->dev_open(i, flags) : -ENOENT;
    }
    enum chr c = (enum chr)((struct chr_node *)node - chrs);
    if (c >= DEV_STDIN) {
        /* A dup, not a new open file: husk_fd_opened leaves its flags. */
        long fd = husk_sys_dup_min((int)(c - DEV_STDIN), 0);
        return fd == -EBADF ? -ENOENT : fd;
    }
    return husk_fd_install(0, &chr_ops, (void *)(uintptr_t)c);
}

static const struct husk_vnode_ops devfs_ops = {
    .read_only = true,
    .lookup = devfs_lookup,
    .parent = devfs_parent,
    .readdir = devfs_readdir,
    .getattr = devfs_getattr,
    .open = devfs_open,
};
