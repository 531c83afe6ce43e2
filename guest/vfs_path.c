/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * vfs_path.c: the mount table and path resolution, as Linux resolves a
 * path, symbolic links included. Pure (no hypercalls, no libc state): the
 * host's unit tests run it over a file system of their own
 * (tests/unit/test_vfs_path.c).
 */
#include <errno.h>
#include <sys/stat.h>

#include "vfs.h"

struct mount {
    struct husk_vnode *mountpoint, *root;
};

static struct husk_vnode *root_dir;
static struct mount mounts[HUSK_MOUNTS_MAX];
static unsigned mount_count;

void husk_vnode_get(struct husk_vnode *v)
{
    v->refs++;
}

void husk_vnode_put(struct husk_vnode *v)
{
    if (v->refs > 0 && --v->refs == 0 && v->ops->release != NULL)
        v->ops->release(v);
}

void husk_vfs_set_root(struct husk_vnode *root)
{
    root_dir = root;
    mount_count = 0;
}

struct husk_vnode *husk_vfs_root(void)
{
    return root_dir;
}

int husk_vfs_mount(struct husk_vnode *mountpoint, struct husk_vnode *root)
{
    if (!S_ISDIR(mountpoint->mode) || !S_ISDIR(root->mode))
        return -ENOTDIR;
    for (unsigned i = 0; i < mount_count; i++)
        if (mounts[i].mountpoint == mountpoint)
            return -EBUSY;
    if (mount_count == HUSK_MOUNTS_MAX)
        return -ENOMEM;
    mounts[mount_count++] = (struct mount){mountpoint, root};
    husk_vnode_get(mountpoint); /* both stay for good */
    husk_vnode_get(root);
    return 0;
}

struct husk_vnode *husk_vfs_covered(struct husk_vnode *v)
{
    for (unsigned i = 0; i < mount_count; i++)
        if (mounts[i].mountpoint == v)
            return mounts[i].root;
    return v;
}

struct husk_vnode *husk_vfs_mounted_on(struct husk_vnode *v)
{
    for (unsigned i = 0; i < mount_count; i++)
        if (mounts[i].root == v)
            return mounts[i].mountpoint;
    return NULL;
}

struct husk_vnode *husk_vfs_parent(struct husk_vnode *v)
{
    for (;;) {
        if (v == root_dir)
            return v; /* "/.." is "/" */
        struct husk_vnode *under = husk_vfs_mounted_on(v);
        if (under == NULL)
            break;
        v = under; /* ".." of a file system's root: beside its mountpoint */
    }
    struct husk_vnode *p = v->ops->parent != NULL ? v->ops->parent(v) : NULL;
    return p != NULL ? husk_vfs_covered(p) : NULL;
}

struct husk_vnode *husk_vfs_mount_root(unsigned i)
{
    if (i == 0)
        return root_dir;
    return i - 1 < mount_count ? mounts[i - 1].root : NULL;
}

static bool is_name(const char *name, size_t len, const char *s)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != name[i])
            return false;
    return s[len] == '\0';
}

/*
 * Splice a symbolic link's target in front of the rest of the path: path
 * becomes target, then "/" and rest if there is a rest or the link's name
 * ended in a slash (which then still asks for a directory). rest points
 * into path. 0, or -ENAMETOOLONG.
 */
static int splice_link(char *path, const char *rest, bool slash,
                       const char *target, size_t tlen)
{
    size_t rlen = __builtin_strlen(rest);
    size_t need = tlen + (slash ? 1 + rlen : 0) + 1;
    if (need > HUSK_PATH_MAX)
        return -ENAMETOOLONG;
    if (slash) {
        __builtin_memmove(path + tlen + 1, rest, rlen + 1);
        path[tlen] = '/';
    } else {
        path[tlen] = '\0';
    }
    __builtin_memcpy(path, target, tlen);
    return 0;
}

int husk_vfs_walk(struct husk_vnode *start, char *path, int flags,
                  struct husk_walk *w)
{
    if (*path == '\0')
        return -ENOENT;
    struct husk_vnode *cur = *path == '/' ? root_dir : start;
    const char *p = path;
    unsigned links = 0;
    for (;;) {
        while (*p == '/')
            p++;
        if (*p == '\0')
            break; /* only slashes: the root */
        const char *name = p;
        while (*p != '\0' && *p != '/')
            p++;
        size_t len = (size_t)(p - name);
        const char *rest = p;
        while (*rest == '/')
            rest++;
        if (!S_ISDIR(cur->mode))
            return -ENOTDIR;
        if (len > HUSK_NAME_MAX)
            return -ENAMETOOLONG;
        struct husk_vnode *next = NULL;
        enum husk_last kind = HUSK_LAST_NORM;
        if (is_name(name, len, ".")) {
            next = cur;
            kind = HUSK_LAST_DOT;
        } else if (is_name(name, len, "..")) {
            next = husk_vfs_parent(cur);
            if (next == NULL)
                return -ENOENT; /* cur was removed */
            kind = HUSK_LAST_DOTDOT;
        } else {
            int rc = cur->ops->lookup != NULL
                         ? cur->ops->lookup(cur, name, len, &next)
                         : -ENOENT;
            if (rc == -ENOENT)
                next = NULL;
            else if (rc < 0)
                return rc;
            else
                next = husk_vfs_covered(next);
        }
        bool last = *rest == '\0', slash = *p == '/';
        /* A link is followed unless it is the last name, asked for as
         * itself (lstat, unlink, O_NOFOLLOW) and not followed by '/'. */
        if (next != NULL && S_ISLNK(next->mode) &&
            (!last || slash || (flags & HUSK_WALK_FOLLOW))) {
            if (++links > HUSK_LINKS_MAX)
                return -ELOOP;
            char target[HUSK_PATH_MAX];
            long tlen = next->ops->readlink != NULL
                            ? next->ops->readlink(next, target, sizeof(target))
                            : -EINVAL;
            if (tlen < 0)
                return (int)tlen;
            if (tlen == 0)
                return -ENOENT; /* as Linux, for an empty target */
            int rc = splice_link(path, rest, slash, target, (size_t)tlen);
            if (rc < 0)
                return rc;
            p = path; /* relative to the link's directory, cur */
            if (*p == '/')
                cur = root_dir;
            continue;
        }
        if (last) {
            *w = (struct husk_walk){
                .dir = cur,
                .node = next,
                .last = kind,
                .name = name,
                .len = len,
                .slash = slash,
            };
            return 0;
        }
        if (next == NULL)
            return -ENOENT;
        cur = next;
    }
    *w = (struct husk_walk){
        .dir = cur,
        .node = cur,
        .last = HUSK_LAST_ROOT,
        .name = p,
        .len = 0,
        .slash = true,
    };
    return 0;
}

int husk_vfs_resolve(struct husk_vnode *start, char *path, int flags,
                     struct husk_vnode **out)
{
    struct husk_walk w;
    int rc = husk_vfs_walk(start, path, flags, &w);
    if (rc < 0)
        return rc;
    if (w.node == NULL)
        return -ENOENT;
    if (w.slash && !S_ISDIR(w.node->mode))
        return -ENOTDIR;
    *out = w.node;
    return 0;
}

bool husk_vfs_is_within(struct husk_vnode *dir, struct husk_vnode *anc)
{
    for (struct husk_vnode *v = dir; v != NULL; v = husk_vfs_parent(v)) {
        if (v == anc)
            return true;
        if (v == root_dir)
            return false;
    }
    return false;
}

/* Find the name under which parent holds v: 0 and *e, or -ENOENT. */
static int name_in(struct husk_vnode *parent, struct husk_vnode *v,
                   struct husk_dirent *e)
{
    if (parent->ops->readdir == NULL || parent->ops->lookup == NULL)
        return -ENOENT;
    for (uint64_t pos = 0; parent->ops->readdir(parent, pos, e) == 1;
         pos = e->next) {
        size_t len = __builtin_strlen(e->name);
        struct husk_vnode *child;
        if (parent->ops->lookup(parent, e->name, len, &child) == 0 &&
            husk_vfs_covered(child) == v)
            return 0;
    }
    return -ENOENT;
}

long husk_vfs_path_of(struct husk_vnode *dir, char *buf, size_t size)
{
    char out[HUSK_PATH_MAX];
    size_t pos = sizeof(out) - 1; /* built from the end */
    out[pos] = '\0';
    struct husk_dirent e;
    for (struct husk_vnode *v = dir; v != root_dir;) {
        struct husk_vnode *parent = husk_vfs_parent(v);
        if (parent == NULL || name_in(parent, v, &e) < 0)
            return -ENOENT; /* removed, as Linux's getcwd says */
        size_t len = __builtin_strlen(e.name);
        if (len + 1 > pos)
            return -ENAMETOOLONG;
        pos -= len;
        __builtin_memcpy(out + pos, e.name, len);
        out[--pos] = '/';
        v = parent;
    }
    if (pos == sizeof(out) - 1)
        out[--pos] = '/';
    size_t need = sizeof(out) - pos;
    if (need > size)
        return -ERANGE;
    __builtin_memcpy(buf, out + pos, need);
    return (long)need;
}

int husk_path_copy(char *buf, const char *src, uintptr_t lo, uintptr_t hi)
{
    uintptr_t a = (uintptr_t)src;
    if (a < lo || a >= hi)
        return -EFAULT;
    for (size_t i = 0; i < HUSK_PATH_MAX; i++) {
        if (a + i >= hi)
            return -EFAULT;
        buf[i] = src[i];
        if (buf[i] == '\0')
            return 0;
    }
    return -ENAMETOOLONG;
}
