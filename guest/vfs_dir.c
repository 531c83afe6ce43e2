/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * vfs_dir.c: fds on a vnode itself rather than on its data: directories
 * (getdents64, a dirfd, fchdir) and O_PATH files of any type. The file
 * systems only list their entries; "." and ".." are added here, so that
 * every directory has them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"
#include "vfs.h"

struct vnode_file {
    struct husk_vnode *v;
    uint64_t pos;   /* 0: ".", 1: "..", 2 + p: the file system's p */
    bool path_only; /* O_PATH: no reading, no listing */
};

static long vf_read(void *priv, void *buf, size_t len)
{
    struct vnode_file *f = priv;
    (void)buf, (void)len;
    return f->path_only ? -EBADF : -EISDIR;
}

static long vf_write(void *priv, const void *buf, size_t len)
{
    (void)priv, (void)buf, (void)len;
    return -EBADF; /* a directory is never open for writing */
}

static long vf_fstat(void *priv, struct stat *st)
{
    struct vnode_file *f = priv;
    return f->v->ops->getattr(f->v, st);
}

static long vf_lseek(void *priv, off_t offset, int whence)
{
    struct vnode_file *f = priv;
    if (f->path_only)
        return -EBADF;
    if (whence == SEEK_SET && offset >= 0)
        f->pos = (uint64_t)offset;
    else if (!(whence == SEEK_CUR && offset == 0))
        return -EINVAL;
    return (long)f->pos;
}

static uint64_t ino_of(struct husk_vnode *v)
{
    struct stat st = {0};
    v->ops->getattr(v, &st);
    return st.st_ino;
}

/* The entry at f->pos: 1 and *e, or 0 at the end. */
static int entry_at(struct vnode_file *f, struct husk_dirent *e)
{
    if (f->pos < 2) {
        struct husk_vnode *v = f->v;
        if (f->pos == 1 && (v = husk_vfs_parent(f->v)) == NULL)
            return 0; /* removed: Linux lists nothing at all */
        e->ino = ino_of(v);
        e->next = f->pos + 1;
        e->type = DT_DIR;
        e->name[0] = '.';
        e->name[1] = f->pos == 1 ? '.' : '\0';
        e->name[2] = '\0';
        return 1;
    }
    if (husk_vfs_parent(f->v) == NULL || f->v->ops->readdir == NULL)
        return 0;
    if (f->v->ops->readdir(f->v, f->pos - 2, e) != 1)
        return 0;
    e->next += 2;
    return 1;
}

static long vf_getdents(void *priv, void *buf, size_t len)
{
    struct vnode_file *f = priv;
    if (f->path_only)
        return -EBADF;
    size_t done = 0;
    struct husk_dirent e;
    while (entry_at(f, &e) == 1) {
        size_t name_len = __builtin_strlen(e.name);
        size_t reclen =
            (offsetof(struct dirent, d_name) + name_len + 1 + 7) & ~(size_t)7;
        if (done + reclen > len) {
            if (done == 0)
                return -EINVAL; /* Linux: the buffer holds no entry */
            break;
        }
        struct dirent *d = (struct dirent *)((char *)buf + done);
        d->d_ino = e.ino;
        d->d_off = (off_t)e.next;
        d->d_reclen = (unsigned short)reclen;
        d->d_type = e.type;
        __builtin_memcpy(d->d_name, e.name, name_len + 1);
        done += reclen;
        f->pos = e.next;
    }
    return (long)done;
}

static long vf_close(void *priv)
{
    struct vnode_file *f = priv;
    husk_vnode_put(f->v);
    free(f);
    return 0;
}

static struct husk_vnode *vf_vnode(void *priv)
{
    struct vnode_file *f = priv;
    return f->v;
}

static const struct husk_file_ops vnode_file_ops = {
    .read = vf_read,
    .write = vf_write,
    .fstat = vf_fstat,
    .lseek = vf_lseek,
    .getdents = vf_getdents,
    .close = vf_close,
    .vnode = vf_vnode,
};

long husk_vfs_open_vnode(struct husk_vnode *v, int flags)
{
    struct vnode_file *f = malloc(sizeof(*f));
    if (f == NULL)
        return -ENOMEM;
    *f = (struct vnode_file){.v = v, .path_only = (flags & O_PATH) != 0};
    int fd = husk_fd_install(0, &vnode_file_ops, f);
    if (fd < 0) {
        free(f);
        return fd;
    }
    husk_vnode_get(v);
    return fd;
}
