/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_vfs_path.c: libhusk's path resolution and mount table
 * (guest/vfs_path.c) over a small file system of the test's own:
 *
 *   /  a/  a/b/  f  mnt/ (covered by a second file system: x/ and y)
 *
 * and symbolic links: /l -> a/b, /a/up -> .., /a/loop -> loop,
 * /a/dang -> nope, /a/b/abs -> /mnt/x, /a/b/rel -> ../../f and
 * /a/b/long -> 4,000 slashes and "a".
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "../../guest/vfs.h"
#include "unit.h"

struct fnode {
    struct husk_vnode v;
    const char *name;
    struct fnode *parent;
    struct fnode *kids[4];
    const char *target; /* a symbolic link's */
};

static int f_lookup(struct husk_vnode *dir, const char *name, size_t len,
                    struct husk_vnode **out)
{
    struct fnode *d = (struct fnode *)dir;
    for (int i = 0; i < 4 && d->kids[i] != NULL; i++)
        if (strlen(d->kids[i]->name) == len &&
            memcmp(d->kids[i]->name, name, len) == 0) {
            *out = &d->kids[i]->v;
            return 0;
        }
    return -ENOENT;
}

static struct husk_vnode *f_parent(struct husk_vnode *dir)
{
    struct fnode *p = ((struct fnode *)dir)->parent;
    return p != NULL ? &p->v : NULL;
}

static int f_readdir(struct husk_vnode *dir, uint64_t pos,
                     struct husk_dirent *out)
{
    struct fnode *d = (struct fnode *)dir;
    if (pos >= 4 || d->kids[pos] == NULL)
        return 0;
    strcpy(out->name, d->kids[pos]->name);
    out->next = pos + 1;
    return 1;
}

static long f_readlink(struct husk_vnode *v, char *buf, size_t size)
{
    const char *t = ((struct fnode *)v)->target;
    size_t len = strlen(t) < size ? strlen(t) : size;
    memcpy(buf, t, len);
    return (long)len;
}

static const struct husk_vnode_ops f_ops = {.lookup = f_lookup,
                                            .parent = f_parent,
                                            .readdir = f_readdir,
                                            .readlink = f_readlink};

#define DIR_NODE(n)                                 \
    {                                               \
        {&f_ops, 0, S_IFDIR}, n, NULL, {NULL}, NULL \
    }
static struct fnode root = DIR_NODE(""), a = DIR_NODE("a"), b = DIR_NODE("b"),
                    mnt = DIR_NODE("mnt"),
                    f = {{&f_ops, 0, S_IFREG}, "f", NULL, {NULL}, NULL};
static struct fnode root2 = DIR_NODE(""), x = DIR_NODE("x"),
                    y = {{&f_ops, 0, S_IFREG}, "y", NULL, {NULL}, NULL};
#define LINK_NODE(n, t)                          \
    {                                            \
        {&f_ops, 0, S_IFLNK}, n, NULL, {NULL}, t \
    }
static char long_target[4001];
static struct fnode l = LINK_NODE("l", "a/b"), up = LINK_NODE("up", ".."),
                    loop = LINK_NODE("loop", "loop"),
                    dang = LINK_NODE("dang", "nope"),
                    abs_l = LINK_NODE("abs", "/mnt/x"),
                    rel = LINK_NODE("rel", "../../f"),
                    long_l = LINK_NODE("long", long_target);

static void setup(void)
{
    root.kids[0] = &a, root.kids[1] = &f, root.kids[2] = &mnt;
    a.parent = f.parent = mnt.parent = &root;
    a.kids[0] = &b, b.parent = &a;
    root.kids[3] = &l;
    a.kids[1] = &up, a.kids[2] = &loop, a.kids[3] = &dang;
    b.kids[0] = &abs_l, b.kids[1] = &rel, b.kids[2] = &long_l;
    memset(long_target, '/', 4000);
    long_target[3999] = 'a';
    root2.kids[0] = &x, root2.kids[1] = &y;
    x.parent = y.parent = &root2;
    husk_vfs_set_root(&root.v);
    CHECK_EQ(husk_vfs_mount(&mnt.v, &root2.v), 0);
}

/* The walk rewrites its path when it follows a link: a copy of it. */
static char path_buf[HUSK_PATH_MAX];

static int walk(struct husk_vnode *start, const char *path, int flags,
                struct husk_walk *w)
{
    snprintf(path_buf, sizeof(path_buf), "%s", path);
    return husk_vfs_walk(start, path_buf, flags, w);
}

/* Resolve from start, following a last link unless flags say not to:
 * the node, or NULL with the error in *rc. */
static struct husk_vnode *res_flags(struct husk_vnode *start, const char *path,
                                    int flags, int *rc)
{
    struct husk_vnode *v = NULL;
    snprintf(path_buf, sizeof(path_buf), "%s", path);
    *rc = husk_vfs_resolve(start, path_buf, flags, &v);
    return *rc == 0 ? v : NULL;
}

static struct husk_vnode *res(struct husk_vnode *start, const char *path,
                              int *rc)
{
    return res_flags(start, path, HUSK_WALK_FOLLOW, rc);
}

TEST(vfs_absolute_paths)
{
    setup();
    int rc;
    CHECK(res(&root.v, "/a/b", &rc) == &b.v);
    CHECK(res(&b.v, "/a", &rc) == &a.v);
    CHECK(res(&b.v, "//a///b//", &rc) == &b.v);
    CHECK(res(&b.v, "/", &rc) == &root.v);
    CHECK(res(&b.v, "///", &rc) == &root.v);
    struct husk_walk w;
    CHECK_EQ(walk(&b.v, "/", 0, &w), 0);
    CHECK_EQ(w.last, HUSK_LAST_ROOT);
    CHECK(w.node == &root.v);
}

TEST(vfs_relative_paths_dot_and_dotdot)
{
    setup();
    int rc;
    CHECK(res(&a.v, "b", &rc) == &b.v);
    CHECK(res(&a.v, "./b/.", &rc) == &b.v);
    CHECK(res(&b.v, "..", &rc) == &a.v);
    CHECK(res(&b.v, "../../f", &rc) == &f.v);
    CHECK(res(&a.v, ".", &rc) == &a.v);
    struct husk_walk w;
    CHECK_EQ(walk(&a.v, "b/..", 0, &w), 0);
    CHECK_EQ(w.last, HUSK_LAST_DOTDOT);
    CHECK(w.node == &a.v && w.dir == &b.v);
}

TEST(vfs_dotdot_never_above_root)
{
    setup();
    int rc;
    CHECK(res(&root.v, "/..", &rc) == &root.v);
    CHECK(res(&root.v, "/../../../a", &rc) == &a.v);
    CHECK(res(&b.v, "../../../../..", &rc) == &root.v);
}

TEST(vfs_missing_last_component)
{
    setup();
    struct husk_walk w;
    CHECK_EQ(walk(&root.v, "/a/new", 0, &w), 0);
    CHECK(w.node == NULL && w.dir == &a.v);
    CHECK_EQ(w.len, 3);
    CHECK(memcmp(w.name, "new", 3) == 0);
    CHECK(!w.slash);
    CHECK_EQ(walk(&root.v, "/a/new/", 0, &w), 0);
    CHECK(w.node == NULL && w.slash && w.len == 3);
    int rc;
    CHECK(res(&root.v, "/a/new", &rc) == NULL);
    CHECK_EQ(rc, -ENOENT);
}

TEST(vfs_errors_like_linux)
{
    setup();
    struct husk_walk w;
    int rc;
    CHECK_EQ(walk(&root.v, "", 0, &w), -ENOENT);
    CHECK_EQ(walk(&root.v, "/nope/x", 0, &w), -ENOENT);
    CHECK_EQ(walk(&root.v, "/f/x", 0, &w), -ENOTDIR);
    CHECK_EQ(walk(&root.v, "/f/.", 0, &w), -ENOTDIR);
    CHECK_EQ(walk(&root.v, "/f/..", 0, &w), -ENOTDIR);
    CHECK(res(&root.v, "/f/", &rc) == NULL);
    CHECK_EQ(rc, -ENOTDIR);
    CHECK(res(&root.v, "/f", &rc) == &f.v);
    CHECK(res(&root.v, "/a/", &rc) == &a.v);
    /* a relative path from a file (a dirfd that is not a directory) */
    CHECK_EQ(walk(&f.v, "x", 0, &w), -ENOTDIR);
}

TEST(vfs_name_max)
{
    setup();
    char path[2 + HUSK_NAME_MAX + 2];
    path[0] = '/';
    memset(path + 1, 'n', HUSK_NAME_MAX);
    path[1 + HUSK_NAME_MAX] = '\0';
    struct husk_walk w;
    CHECK_EQ(walk(&root.v, path, 0, &w), 0);
    CHECK(w.node == NULL && w.len == HUSK_NAME_MAX);
    path[1 + HUSK_NAME_MAX] = 'n';
    path[2 + HUSK_NAME_MAX] = '\0';
    CHECK_EQ(walk(&root.v, path, 0, &w), -ENAMETOOLONG);
}

TEST(vfs_mounts_crossed_both_ways)
{
    setup();
    int rc;
    CHECK(res(&root.v, "/mnt", &rc) == &root2.v);
    CHECK(res(&root.v, "/mnt/x", &rc) == &x.v);
    CHECK(res(&root.v, "/mnt/..", &rc) == &root.v);
    CHECK(res(&x.v, "../..", &rc) == &root.v);
    CHECK(res(&x.v, "../../a/b", &rc) == &b.v);
    CHECK(res(&root2.v, "..", &rc) == &root.v);
    CHECK(husk_vfs_parent(&root2.v) == &root.v);
    CHECK(husk_vfs_mounted_on(&root2.v) == &mnt.v);
    CHECK_EQ(husk_vfs_mount(&mnt.v, &a.v), -EBUSY);
    CHECK_EQ(husk_vfs_mount(&f.v, &a.v), -ENOTDIR);
}

TEST(vfs_is_within)
{
    setup();
    CHECK(husk_vfs_is_within(&b.v, &a.v));
    CHECK(husk_vfs_is_within(&a.v, &a.v));
    CHECK(husk_vfs_is_within(&x.v, &root.v));
    CHECK(!husk_vfs_is_within(&a.v, &b.v));
    CHECK(!husk_vfs_is_within(&x.v, &a.v));
}

TEST(vfs_path_of)
{
    setup();
    char buf[64];
    CHECK_EQ(husk_vfs_path_of(&b.v, buf, sizeof(buf)), 5);
    CHECK_STREQ(buf, "/a/b");
    CHECK_EQ(husk_vfs_path_of(&root.v, buf, sizeof(buf)), 2);
    CHECK_STREQ(buf, "/");
    CHECK_EQ(husk_vfs_path_of(&x.v, buf, sizeof(buf)), 7);
    CHECK_STREQ(buf, "/mnt/x");
    CHECK_EQ(husk_vfs_path_of(&root2.v, buf, sizeof(buf)), 5);
    CHECK_STREQ(buf, "/mnt");
    CHECK_EQ(husk_vfs_path_of(&b.v, buf, 4), -ERANGE);
    b.parent = NULL; /* removed: getcwd says ENOENT */
    CHECK_EQ(husk_vfs_path_of(&b.v, buf, sizeof(buf)), -ENOENT);
    int rc;
    CHECK(res(&b.v, "..", &rc) == NULL);
    CHECK_EQ(rc, -ENOENT);
}

TEST(vfs_path_copy)
{
    static char mem[HUSK_PATH_MAX + 16], buf[HUSK_PATH_MAX];
    uintptr_t lo = (uintptr_t)mem, hi = lo + sizeof(mem);
    memset(mem, 'p', sizeof(mem));
    mem[HUSK_PATH_MAX - 1] = '\0'; /* 4095 bytes: the longest path */
    CHECK_EQ(husk_path_copy(buf, mem, lo, hi), 0);
    CHECK_EQ(strlen(buf), HUSK_PATH_MAX - 1);
    mem[HUSK_PATH_MAX - 1] = 'p';
    mem[HUSK_PATH_MAX] = '\0'; /* 4096: PATH_MAX with no room for NUL */
    CHECK_EQ(husk_path_copy(buf, mem, lo, hi), -ENAMETOOLONG);
    CHECK_EQ(husk_path_copy(buf, NULL, lo, hi), -EFAULT);
    CHECK_EQ(husk_path_copy(buf, mem + sizeof(mem), lo, hi), -EFAULT);
    /* runs off the end of memory before its NUL */
    memset(mem, 'p', sizeof(mem));
    CHECK_EQ(husk_path_copy(buf, mem + sizeof(mem) - 8, lo, hi), -EFAULT);
}

static int released;
static void count_release(struct husk_vnode *v)
{
    (void)v;
    released++;
}

TEST(vfs_vnode_references)
{
    static const struct husk_vnode_ops ops = {.release = count_release};
    struct husk_vnode v = {&ops, 0, S_IFREG};
    husk_vnode_get(&v);
    husk_vnode_get(&v);
    husk_vnode_put(&v);
    CHECK_EQ(v.refs, 1);
    CHECK_EQ(released, 0);
    husk_vnode_put(&v);
    CHECK_EQ(released, 1);
    husk_vnode_put(&v); /* an extra put neither wraps nor releases again */
    CHECK_EQ(v.refs, 0);
    CHECK_EQ(released, 1);
}

TEST(vfs_symlinks_followed_inside_a_path)
{
    setup();
    int rc;
    CHECK(res(&root.v, "/l", &rc) == &b.v);
    CHECK(res(&root.v, "/l/..", &rc) == &a.v); /* physical: b's parent */
    CHECK(res(&root.v, "/a/up/a/b", &rc) == &b.v);
    CHECK(res(&root.v, "/a/b/abs", &rc) == &x.v); /* into a mount */
    CHECK(res(&root.v, "/a/b/rel", &rc) == &f.v);
    CHECK(res(&root.v, "/l/abs/..", &rc) == &root2.v);
    CHECK(res(&a.v, "../l/rel", &rc) == &f.v);
}

TEST(vfs_symlink_last_component)
{
    setup();
    int rc;
    /* Not followed when asked for as itself, unless a slash follows. */
    CHECK(res_flags(&root.v, "/l", 0, &rc) == &l.v);
    CHECK(res_flags(&root.v, "/l/", 0, &rc) == &b.v);
    CHECK(res_flags(&root.v, "/a/loop", 0, &rc) == &loop.v);
    /* A dangling link: the walk ends at its target's name, to create. */
    struct husk_walk w;
    CHECK_EQ(walk(&root.v, "/a/dang", HUSK_WALK_FOLLOW, &w), 0);
    CHECK(w.node == NULL && w.dir == &a.v);
    CHECK(w.len == 4 && memcmp(w.name, "nope", 4) == 0);
    CHECK_EQ(walk(&root.v, "/a/dang", 0, &w), 0);
    CHECK(w.node == &dang.v);
    CHECK(res(&root.v, "/a/dang", &rc) == NULL);
    CHECK_EQ(rc, -ENOENT);
}

TEST(vfs_symlink_loops_and_growth)
{
    setup();
    int rc;
    CHECK(res(&root.v, "/a/loop", &rc) == NULL);
    CHECK_EQ(rc, -ELOOP);
    CHECK(res_flags(&root.v, "/a/loop/x", 0, &rc) == NULL);
    CHECK_EQ(rc, -ELOOP);
    /* 4,000 bytes of target and 120 of rest do not fit in PATH_MAX. */
    char path[200] = "/a/b/long/";
    memset(path + 10, 'n', 120);
    path[130] = '\0';
    CHECK(res(&root.v, path, &rc) == NULL);
    CHECK_EQ(rc, -ENAMETOOLONG);
    CHECK(res(&root.v, "/a/b/long/b", &rc) == &b.v); /* it fits */
}
