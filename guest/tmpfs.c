/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * tmpfs.c: a file system in guest memory, mounted on /tmp: directories,
 * names, attributes. Data lives in pages (tmpfs_data.c). Memory comes
 * from malloc, and the tmpfs holds at most half of guest memory (Linux's
 * default for a tmpfs): past that, or when malloc fails first, a call
 * that needs more gets ENOSPC and the guest runs on.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>

#include "guest.h"
#include "tmpfs.h"

/* What a node and a name cost besides their data: their allocations. */
#define NODE_COST (sizeof(struct tmpfs_node))
#define ENTRY_COST(len) (sizeof(struct tmpfs_entry) + (len) + 1)

static const struct husk_vnode_ops tmpfs_ops;
static struct tmpfs_node root = {
    .v = {&tmpfs_ops, 0, S_IFDIR},
    .ino = 2,
    .nlink = 2,
    .perm = 01777, /* /tmp: anyone may create, sticky */
};
static uint64_t used, limit, last_ino = 2;

int husk_tmpfs_charge(uint64_t n)
{
    if (n > limit - used)
        return -ENOSPC;
    used += n;
    return 0;
}

void husk_tmpfs_uncharge(uint64_t n)
{
    used -= n;
}

void husk_tmpfs_usage(uint64_t *u, uint64_t *l)
{
    *u = used;
    *l = limit;
}

struct timespec husk_tmpfs_now(void)
{
    struct timespec ts = {0};
    husk_sys_clock_gettime(CLOCK_REALTIME, &ts);
    return ts;
}

struct husk_vnode *husk_tmpfs_root(uint64_t max)
{
    limit = max;
    return &root.v;
}

static struct tmpfs_node *node_of(struct husk_vnode *v)
{
    return (struct tmpfs_node *)v;
}

void husk_tmpfs_maybe_free(struct tmpfs_node *n)
{
    if (n->nlink > 0 || n->v.refs > 0 || n == &root)
        return;
    husk_tmpfs_free_pages(n);
    if (n->target != NULL) {
        husk_tmpfs_uncharge(n->size);
        free(n->target);
    }
    husk_tmpfs_uncharge(NODE_COST);
    free(n);
}

/* Every name of the tmpfs in one hash table keyed on (directory, name):
 * a directory of many entries costs no more to search than a small one. */
static struct tmpfs_entry **buckets;
static size_t bucket_count, entry_count;

static size_t hash(const struct tmpfs_node *dir, const char *name, size_t len)
{
    uint64_t h = 14695981039346656037ULL ^ (uint64_t)(uintptr_t)dir;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 29));
}

/* Grow the table when it gets crowded; if there is no memory for that,
 * the chains get longer instead. */
static void maybe_grow(void)
{
    if (entry_count < bucket_count)
        return;
    size_t n = bucket_count == 0 ? 64 : bucket_count * 2;
    struct tmpfs_entry **b = calloc(n, sizeof(*b));
    if (b == NULL)
        return;
    for (size_t i = 0; i < bucket_count; i++)
        for (struct tmpfs_entry *e = buckets[i], *next; e != NULL; e = next) {
            next = e->hnext;
            size_t k = hash(e->dir, e->name, e->len) % n;
            e->hnext = b[k];
            b[k] = e;
        }
    free(buckets);
    buckets = b;
    bucket_count = n;
}

static struct tmpfs_entry *find(struct tmpfs_node *dir, const char *name,
                                size_t len)
{
    if (bucket_count == 0)
        return NULL;
    for (struct tmpfs_entry *e = buckets[hash(dir, name, len) % bucket_count];
         e != NULL; e = e->hnext)
        if (e->dir == dir && e->len == len &&
            __builtin_memcmp(e->name, name, len) == 0)
            return e;
    return NULL;
}

/* A new entry for name (not linked yet), or NULL: no space. */
static struct tmpfs_entry *new_entry(const char *name, size_t len)
{
    maybe_grow(); /* now, so that linking it cannot fail */
    if (bucket_count == 0 || husk_tmpfs_charge(ENTRY_COST(len)) < 0)
        return NULL;
    struct tmpfs_entry *e = malloc(sizeof(*e) + len + 1);
    if (e == NULL) {
        husk_tmpfs_uncharge(ENTRY_COST(len));
        return NULL;
    }
    e->len = len;
    __builtin_memcpy(e->name, name, len);
    e->name[len] = '\0';
    return e;
}

static void free_entry(struct tmpfs_entry *e)
{
    husk_tmpfs_uncharge(ENTRY_COST(e->len));
    free(e);
}

static void link_entry(struct tmpfs_node *dir, struct tmpfs_entry *e,
                       struct tmpfs_node *n)
{
    e->dir = dir;
    e->node = n;
    e->cookie = dir->next_cookie++;
    e->next = NULL;
    e->prev = dir->last;
    if (dir->last != NULL)
        dir->last->next = e;
    else
        dir->entries = e;
    dir->last = e;
    size_t k = hash(dir, e->name, e->len) % bucket_count;
    e->hnext = buckets[k];
    buckets[k] = e;
    entry_count++;
    dir->mtime = dir->ctime = husk_tmpfs_now();
}

static void unlink_entry(struct tmpfs_node *dir, struct tmpfs_entry *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        dir->entries = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        dir->last = e->prev;
    if (dir->cursor == e)
        dir->cursor = NULL;
    struct tmpfs_entry **p =
        &buckets[hash(dir, e->name, e->len) % bucket_count];
    while (*p != e)
        p = &(*p)->hnext;
    *p = e->hnext;
    entry_count--;
    dir->mtime = dir->ctime = husk_tmpfs_now();
    free_entry(e);
}

static int tmpfs_lookup(struct husk_vnode *dir, const char *name, size_t len,
                        struct husk_vnode **out)
{
    struct tmpfs_entry *e = find(node_of(dir), name, len);
    if (e == NULL)
        return -ENOENT;
    *out = &e->node->v;
    return 0;
}

static struct husk_vnode *tmpfs_parent(struct husk_vnode *dir)
{
    struct tmpfs_node *p = node_of(dir)->parent;
    return p != NULL ? &p->v : NULL;
}

static int tmpfs_readdir(struct husk_vnode *dir, uint64_t pos,
                         struct husk_dirent *out)
{
    struct tmpfs_node *d = node_of(dir);
    /* A listing asks for the entry after the one it got last: start
     * there rather than at the first. */
    struct tmpfs_entry *e = d->cursor != NULL && d->cursor->cookie < pos
                                ? d->cursor->next
                                : d->entries;
    while (e != NULL && e->cookie < pos)
        e = e->next;
    if (e == NULL)
        return 0;
    d->cursor = e;
    out->ino = e->node->ino;
    out->next = e->cookie + 1;
    out->type = IFTODT(e->node->v.mode);
    __builtin_memcpy(out->name, e->name, e->len + 1);
    return 1;
}

/* A new node of this type and permissions named name in dir. */
static int add_node(struct tmpfs_node *dir, const char *name, size_t len,
                    mode_t type, mode_t perm, struct tmpfs_node **out)
{
    if (dir->parent == NULL && dir != &root)
        return -ENOENT; /* Linux: nothing is created in a removed dir */
    struct tmpfs_entry *e = new_entry(name, len);
    if (e == NULL)
        return -ENOSPC;
    struct tmpfs_node *n = NULL;
    if (husk_tmpfs_charge(NODE_COST) == 0 &&
        (n = calloc(1, sizeof(*n))) == NULL)
        husk_tmpfs_uncharge(NODE_COST);
    if (n == NULL) {
        free_entry(e);
        return -ENOSPC;
    }
    struct timespec now = husk_tmpfs_now();
    n->v = (struct husk_vnode){&tmpfs_ops, 0, type};
    n->ino = ++last_ino;
    n->perm = perm & 07777;
    n->atime = n->mtime = n->ctime = now;
    n->nlink = 1;
    if (S_ISDIR(type)) {
        n->nlink = 2;
        n->parent = dir;
        dir->nlink++;
    }
    link_entry(dir, e, n);
    *out = n;
    return 0;
}

static int tmpfs_create(struct husk_vnode *dir, const char *name, size_t len,
                        mode_t mode, struct husk_vnode **out)
{
    struct tmpfs_node *n;
    int rc = add_node(node_of(dir), name, len, S_IFREG, mode, &n);
    if (rc == 0)
        *out = &n->v;
    return rc;
}

static int tmpfs_mkdir(struct husk_vnode *dir, const char *name, size_t len,
                       mode_t mode)
{
    struct tmpfs_node *n;
    return add_node(node_of(dir), name, len, S_IFDIR, mode, &n);
}

/* The entry is gone: drop n's name, and n if nothing holds it. */
static void forget(struct tmpfs_node *dir, struct tmpfs_node *n)
{
    if (S_ISDIR(n->v.mode)) {
        n->nlink = 0;
        n->parent = NULL;
        dir->nlink--;
    } else {
        n->nlink--;
    }
    n->ctime = husk_tmpfs_now();
    husk_tmpfs_maybe_free(n);
}

static int tmpfs_unlink(struct husk_vnode *dir, const char *name, size_t len,
                        struct husk_vnode *v)
{
    struct tmpfs_node *d = node_of(dir);
    struct tmpfs_entry *e = find(d, name, len);
    if (e == NULL)
        return -ENOENT;
    unlink_entry(d, e);
    forget(d, node_of(v));
    return 0;
}

static int tmpfs_rmdir(struct husk_vnode *dir, const char *name, size_t len,
                       struct husk_vnode *v)
{
    if (node_of(v)->entries != NULL)
        return -ENOTEMPTY;
    return tmpfs_unlink(dir, name, len, v);
}

static int tmpfs_rename(struct husk_vnode *odir, const char *oname, size_t olen,
                        struct husk_vnode *v, struct husk_vnode *ndir,
                        const char *nname, size_t nlen,
                        struct husk_vnode *target)
{
    struct tmpfs_node *od = node_of(odir), *nd = node_of(ndir);
    struct tmpfs_node *n = node_of(v);
    struct tmpfs_entry *oe = find(od, oname, olen);
    if (oe == NULL)
        return -ENOENT;
    if (target != NULL) {
        struct tmpfs_node *t = node_of(target);
        if (S_ISDIR(t->v.mode) && t->entries != NULL)
            return -ENOTEMPTY;
        struct tmpfs_entry *te = find(nd, nname, nlen);
        if (te == NULL)
            return -ENOENT;
        te->node = n; /* the name stays where it was in the listing */
        unlink_entry(od, oe);
        forget(nd, t);
    } else {
        if (nd->parent == NULL && nd != &root)
            return -ENOENT;
        struct tmpfs_entry *ne = new_entry(nname, nlen);
        if (ne == NULL)
            return -ENOSPC;
        unlink_entry(od, oe);
        link_entry(nd, ne, n);
    }
    if (S_ISDIR(n->v.mode) && od != nd) {
        od->nlink--;
        nd->nlink++;
        n->parent = nd;
    }
    nd->mtime = nd->ctime = n->ctime = husk_tmpfs_now();
    return 0;
}

static int tmpfs_symlink(struct husk_vnode *dir, const char *name, size_t len,
                         const char *target)
{
    size_t tlen = __builtin_strlen(target);
    if (husk_tmpfs_charge(tlen) < 0)
        return -ENOSPC;
    char *copy = malloc(tlen);
    struct tmpfs_node *n;
    int rc = copy != NULL ? add_node(node_of(dir), name, len, S_IFLNK, 0777, &n)
                          : -ENOSPC;
    if (rc < 0) {
        free(copy);
        husk_tmpfs_uncharge(tlen);
        return rc;
    }
    __builtin_memcpy(copy, target, tlen);
    n->target = copy;
    n->size = tlen;
    return 0;
}

static long tmpfs_readlink(struct husk_vnode *v, char *buf, size_t size)
{
    struct tmpfs_node *n = node_of(v);
    size_t len = n->size < size ? n->size : size;
    __builtin_memcpy(buf, n->target, len);
    n->atime = husk_tmpfs_now();
    return (long)len;
}

static int tmpfs_link(struct husk_vnode *dir, const char *name, size_t len,
                      struct husk_vnode *v)
{
    struct tmpfs_node *d = node_of(dir), *n = node_of(v);
    if (d->parent == NULL && d != &root)
        return -ENOENT;
    if (n->nlink == 0)
        return -ENOENT; /* Linux: an unlinked file gets no new name */
    struct tmpfs_entry *e = new_entry(name, len);
    if (e == NULL)
        return -ENOSPC;
    link_entry(d, e, n);
    n->nlink++;
    n->ctime = husk_tmpfs_now();
    return 0;
}

static void tmpfs_release(struct husk_vnode *v)
{
    husk_tmpfs_maybe_free(node_of(v));
}

static const struct husk_vnode_ops tmpfs_ops = {
    .lookup = tmpfs_lookup,
    .parent = tmpfs_parent,
    .readdir = tmpfs_readdir,
    .getattr = husk_tmpfs_getattr,
    .create = tmpfs_create,
    .mkdir = tmpfs_mkdir,
    .unlink = tmpfs_unlink,
    .rmdir = tmpfs_rmdir,
    .rename = tmpfs_rename,
    .chmod = husk_tmpfs_chmod,
    .chown = husk_tmpfs_chown,
    .utimens = husk_tmpfs_utimens,
    .statfs = husk_tmpfs_statfs,
    .readlink = tmpfs_readlink,
    .symlink = tmpfs_symlink,
    .link = tmpfs_link,
    .truncate = husk_tmpfs_truncate,
    .open = husk_tmpfs_open,
    .release = tmpfs_release,
};
