/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * tmpfs_data.c: a tmpfs file's bytes and its open files. Data is a
 * table of 4 KiB pages, allocated as they are first written: a hole, or
 * a file made large with ftruncate, costs nothing until written. Every
 * page is charged against the tmpfs's size, so a full tmpfs gives ENOSPC
 * (a short write first, if part fitted), never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "guest.h"
#include "seek.h"
#include "tmpfs.h"

#define PAGE TMPFS_PAGE

struct tmpfs_file {
    struct tmpfs_node *n;
    uint64_t pos;
    bool readable, writable, append;
};

void husk_tmpfs_free_pages(struct tmpfs_node *n)
{
    for (size_t i = 0; i < n->npages; i++)
        if (n->pages[i] != NULL) {
            free(n->pages[i]);
            husk_tmpfs_uncharge(PAGE);
        }
    free(n->pages);
    husk_tmpfs_uncharge(n->npages * sizeof(*n->pages));
    n->pages = NULL;
    n->npages = 0;
}

/* Make the page table cover page index i: 0, or -ENOSPC. */
static int cover(struct tmpfs_node *n, uint64_t i)
{
    if (i < n->npages)
        return 0;
    uint64_t want = n->npages < 8 ? 8 : n->npages;
    while (want <= i)
        want *= 2;
    if (want > SIZE_MAX / sizeof(*n->pages))
        return -ENOSPC;
    uint64_t more = (want - n->npages) * sizeof(*n->pages);
    if (husk_tmpfs_charge(more) < 0)
        return -ENOSPC;
    unsigned char **p = realloc(n->pages, want * sizeof(*p));
    if (p == NULL) {
        husk_tmpfs_uncharge(more);
        return -ENOSPC;
    }
    for (size_t k = n->npages; k < want; k++)
        p[k] = NULL;
    n->pages = p;
    n->npages = want;
    return 0;
}

/* Page i, allocated (zeroed) if it is a hole: NULL when there is no room. */
static unsigned char *page_for_write(struct tmpfs_node *n, uint64_t i)
{
    if (cover(n, i) < 0)
        return NULL;
    if (n->pages[i] == NULL) {
        if (husk_tmpfs_charge(PAGE) < 0)
            return NULL;
        n->pages[i] = calloc(1, PAGE);
        if (n->pages[i] == NULL)
            husk_tmpfs_uncharge(PAGE);
    }
    return n->pages[i];
}

int husk_tmpfs_truncate(struct husk_vnode *v, off_t size)
{
    struct tmpfs_node *n = (struct tmpfs_node *)v;
    if (size < 0)
        return -EINVAL;
    uint64_t s = (uint64_t)size;
    if (s < n->size) {
        /* Drop whole pages past the end, and clear the rest of the last
         * one: a later extension must read zeros there. */
        uint64_t keep = (s + PAGE - 1) / PAGE;
        for (uint64_t i = keep; i < n->npages; i++)
            if (n->pages[i] != NULL) {
                free(n->pages[i]);
                n->pages[i] = NULL;
                husk_tmpfs_uncharge(PAGE);
            }
        if (s % PAGE != 0 && s / PAGE < n->npages && n->pages[s / PAGE])
            __builtin_memset(n->pages[s / PAGE] + s % PAGE, 0, PAGE - s % PAGE);
    }
    n->size = s;
    n->mtime = n->ctime = husk_tmpfs_now();
    return 0;
}

static long tf_pread(void *priv, void *buf, size_t len, off_t off)
{
    struct tmpfs_file *f = priv;
    struct tmpfs_node *n = f->n;
    if (!f->readable)
        return -EBADF;
    uint64_t o = (uint64_t)off;
    if (o >= n->size)
        return 0;
    if (len > n->size - o)
        len = (size_t)(n->size - o);
    size_t done = 0;
    while (done < len) {
        uint64_t i = (o + done) / PAGE, in = (o + done) % PAGE;
        size_t chunk = PAGE - in < len - done ? PAGE - in : len - done;
        unsigned char *p = i < n->npages ? n->pages[i] : NULL;
        if (p != NULL)
            __builtin_memcpy((char *)buf + done, p + in, chunk);
        else
            __builtin_memset((char *)buf + done, 0, chunk);
        done += chunk;
    }
    return (long)done;
}

static long tf_pwrite(void *priv, const void *buf, size_t len, off_t off)
{
    struct tmpfs_file *f = priv;
    struct tmpfs_node *n = f->n;
    if (!f->writable)
        return -EBADF;
    if (len == 0)
        return 0;
    uint64_t o = (uint64_t)off;
    if (len > (size_t)INT64_MAX || o > (uint64_t)INT64_MAX - len)
        return -EFBIG;
    size_t done = 0;
    while (done < len) {
        uint64_t i = (o + done) / PAGE, in = (o + done) % PAGE;
        size_t chunk = PAGE - in < len - done ? PAGE - in : len - done;
        unsigned char *p = page_for_write(n, i);
        if (p == NULL)
            break;
        __builtin_memcpy(p + in, (const char *)buf + done, chunk);
        done += chunk;
    }
    if (done == 0)
        return -ENOSPC;
    if (o + done > n->size)
        n->size = o + done;
    n->mtime = n->ctime = husk_tmpfs_now();
    return (long)done;
}

static long tf_read(void *priv, void *buf, size_t len)
{
    struct tmpfs_file *f = priv;
    long r = tf_pread(priv, buf, len, (off_t)f->pos);
    if (r > 0)
        f->pos += (uint64_t)r;
    return r;
}

static long tf_write(void *priv, const void *buf, size_t len)
{
    struct tmpfs_file *f = priv;
    if (f->append)
        f->pos = f->n->size;
    long r = tf_pwrite(priv, buf, len, (off_t)f->pos);
    if (r > 0)
        f->pos += (uint64_t)r;
    return r;
}

static long tf_lseek(void *priv, off_t offset, int whence)
{
    struct tmpfs_file *f = priv;
    return husk_seek(&f->pos, f->n->size, offset, whence);
}

static long tf_fstat(void *priv, struct stat *st)
{
    struct tmpfs_file *f = priv;
    return f->n->v.ops->getattr(&f->n->v, st);
}

static long tf_truncate(void *priv, off_t len)
{
    struct tmpfs_file *f = priv;
    if (!f->writable)
        return -EINVAL; /* Linux: not open for writing */
    return husk_tmpfs_truncate(&f->n->v, len);
}

static long tf_close(void *priv)
{
    struct tmpfs_file *f = priv;
    husk_vnode_put(&f->n->v);
    free(f);
    return 0;
}

static void tf_set_flags(void *priv, int flags)
{
    struct tmpfs_file *f = priv;
    f->append = (flags & O_APPEND) != 0;
}

static struct husk_vnode *tf_vnode(void *priv)
{
    struct tmpfs_file *f = priv;
    return &f->n->v;
}

static const struct husk_file_ops tmpfs_file_ops = {
    .read = tf_read,
    .write = tf_write,
    .pread = tf_pread,
    .pwrite = tf_pwrite,
    .lseek = tf_lseek,
    .fstat = tf_fstat,
    .truncate = tf_truncate,
    .close = tf_close,
    .set_flags = tf_set_flags,
    .vnode = tf_vnode,
};

long husk_tmpfs_open(struct husk_vnode *v, int flags)
{
    struct tmpfs_file *f = malloc(sizeof(*f));
    if (f == NULL)
        return -ENOMEM;
    int acc = flags & O_ACCMODE;
    *f = (struct tmpfs_file){
        .n = (struct tmpfs_node *)v,
        .readable = acc != O_WRONLY,
        .writable = acc != O_RDONLY,
        .append = (flags & O_APPEND) != 0,
    };
    int fd = husk_fd_install(0, &tmpfs_file_ops, f);
    if (fd < 0) {
        free(f);
        return fd;
    }
    husk_vnode_get(v);
    return fd;
}
