/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * rootfs.c: "/" and the start-up that mounts /dev (devfs) and /tmp
 * (tmpfs) on it. "/" is the packed read-only tree of husk-cc --files=DIR
 * (packfs*.c), or an empty read-only directory without one; either way
 * nothing can be created in it (EROFS, as on a read-only root). A
 * mountpoint the tree lacks (/dev, /tmp, a husk-cc --mount path) is
 * synthesised, as mkdir -p would make it, so that the root shows it.
 */
#include <errno.h>
#include <sys/stat.h>

#include "guest.h"
#include "packfs.h"
#include "vfs.h"

/* Linux's limit on the links followed in one path. */
#define LINKS_MAX 40

static struct packfs_node *root;

static void root_init(void)
{
    if (root != NULL)
        return;
    root = husk_packfs_index();
    if (root == NULL && husk_packfs_add_dir(NULL, "", 0, &root) < 0)
        husk_panic("no room for the root directory"); /* the pool is empty */
}

/* The path of a link's target and what was left after the link, as one
 * path in buf: 0, or -ENAMETOOLONG. */
static int splice(char *buf, const struct packfs_node *link, const char *rest)
{
    size_t tlen = link->size, rlen = __builtin_strlen(rest);
    if (tlen + 1 + rlen + 1 > HUSK_PATH_MAX)
        return -ENAMETOOLONG;
    /* rest may lie in buf itself, beyond where the target will end. */
    __builtin_memmove(buf + tlen + 1, rest, rlen + 1);
    __builtin_memcpy(buf, link->data, tlen);
    buf[tlen] = '/';
    return 0;
}

int husk_rootfs_mountpoint(const char *path, struct husk_vnode **out)
{
    static char buf[HUSK_PATH_MAX];
    if (path[0] != '/')
        return -EINVAL;
    size_t plen = __builtin_strlen(path);
    if (plen >= sizeof(buf))
        return -ENAMETOOLONG;
    root_init();
    __builtin_memcpy(buf, path, plen + 1);
    /* Components before keep (a link's target) must exist: mkdir -p
     * makes no directory a link points to. */
    size_t keep = 0;
    unsigned links = 0;
    struct packfs_node *d = root;
    for (const char *p = buf;;) {
        while (*p == '/')
            p++;
        if (*p == '\0')
            break;
        const char *name = p;
        while (*p != '\0' && *p != '/')
            p++;
        size_t len = (size_t)(p - name);
        if (husk_vfs_covered(&d->v) != &d->v)
            return -EXDEV; /* below another mount: not the root's */
        if (len > HUSK_NAME_MAX)
            return -ENAMETOOLONG;
        if (len == 1 && name[0] == '.')
            continue;
        if (len == 2 && name[0] == '.' && name[1] == '.') {
            if (d->parent != 0)
                d = husk_packfs_at(d->parent);
            continue;
        }
        struct packfs_node *c = husk_packfs_find(d, name, len);
        if (c == NULL) {
            if ((size_t)(name - buf) < keep)
                return -ENOENT;
            int rc = husk_packfs_add_dir(d, name, len, &c);
            if (rc < 0)
                return rc;
        } else if (S_ISLNK(c->v.mode)) {
            if (++links > LINKS_MAX)
                return -ELOOP;
            if (c->size == 0)
                return -ENOENT; /* as Linux for an empty target */
            size_t done = (size_t)(p - buf);
            int rc = splice(buf, c, p);
            if (rc < 0)
                return rc;
            /* The target is kept, and whatever of the old kept part
             * followed the link (now after the target and its '/'). */
            keep = keep > done ? c->size + 1 + (keep - done) : c->size;
            if (buf[0] == '/')
                d = root;
            p = buf;
            continue;
        } else if (!S_ISDIR(c->v.mode)) {
            return -ENOTDIR;
        }
        d = c;
    }
    *out = &d->v;
    return 0;
}

/* Mount fs on path, or stop: a broken start-up has nothing to run on. */
static void mount_or_stop(const char *path, struct husk_vnode *fs)
{
    struct husk_vnode *at;
    int rc = husk_rootfs_mountpoint(path, &at);
    if (rc == -ENOTDIR)
        husk_panic("husk-cc --files: the packed tree has /dev or /tmp as a "
                   "file; they are mountpoints: remove it from the directory");
    if (rc < 0 || husk_vfs_mount(at, fs) < 0)
        husk_panic("could not mount /dev and /tmp");
}

void husk_fs_init(void)
{
    root_init();
    husk_vfs_set_root(&root->v);
    /* Half of memory for /tmp, as Linux sizes a tmpfs by default. */
    struct husk_vnode *tmp = husk_tmpfs_root(husk_boot->mem_size / 2);
    if (tmp == NULL)
        husk_panic("could not mount /dev and /tmp");
    mount_or_stop("/dev", husk_devfs_root());
    mount_or_stop("/tmp", tmp);
    husk_vfs_set_cwd(&root->v);
}
