/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * packfs_file.c: open files of the packed read-only root. A file's bytes
 * stay where the image put them, in the archive; a read is a copy out of
 * it. The VFS has already refused every open for writing (EROFS).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "guest.h"
#include "packfs.h"
#include "seek.h"

struct pack_file {
    struct packfs_node *n;
    uint64_t pos;
};

static long pf_pread(void *priv, void *buf, size_t len, off_t off)
{
    struct pack_file *f = priv;
    uint64_t size = f->n->size, o = (uint64_t)off;
    if (o >= size)
        return 0;
    if (len > size - o)
        len = (size_t)(size - o);
    __builtin_memcpy(buf, f->n->data + o, len);
    return (long)len;
}

static long pf_read(void *priv, void *buf, size_t len)
{
    struct pack_file *f = priv;
    long r = pf_pread(priv, buf, len, (off_t)f->pos);
    f->pos += (uint64_t)r;
    return r;
}

static long pf_write(void *priv, const void *buf, size_t len)
{
    (void)priv, (void)buf, (void)len;
    return -EBADF; /* never open for writing */
}

static long pf_lseek(void *priv, off_t offset, int whence)
{
    struct pack_file *f = priv;
    return husk_seek(&f->pos, f->n->size, offset, whence);
}

static long pf_fstat(void *priv, struct stat *st)
{
    struct pack_file *f = priv;
    return f->n->v.ops->getattr(&f->n->v, st);
}

static long pf_close(void *priv)
{
    struct pack_file *f = priv;
    husk_vnode_put(&f->n->v);
    free(f);
    return 0;
}

static struct husk_vnode *pf_vnode(void *priv)
{
    struct pack_file *f = priv;
    return &f->n->v;
}

static const struct husk_file_ops pack_file_ops = {
    .read = pf_read,
    .write = pf_write,
    .pread = pf_pread,
    .lseek = pf_lseek,
    .fstat = pf_fstat,
    .close = pf_close,
    .vnode = pf_vnode,
};

long husk_packfs_open(struct husk_vnode *v, int flags)
{
    (void)flags; /* read-only: the VFS let only O_RDONLY through */
    if (S_ISLNK(v->mode))
        return -ELOOP; /* reached only with O_NOFOLLOW */
    if (!S_ISREG(v->mode))
        return -ENXIO; /* a device or fifo packed in: nothing behind it */
    struct pack_file *f = malloc(sizeof(*f));
    if (f == NULL)
        return -ENOMEM;
    *f = (struct pack_file){.n = (struct packfs_node *)v};
    int fd = husk_fd_install(0, &pack_file_ops, f);
    if (fd < 0) {
        free(f);
        return fd;
    }
    husk_vnode_get(v);
    return fd;
}
