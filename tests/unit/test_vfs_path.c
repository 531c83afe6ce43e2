/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_vfs_path.c: libhusk's path resolution and mount table
 * (guest/vfs_path.c) over a small file system of the test's own:
 *
 *   /  a/  a/b/  f  mnt/ (covered by a second file system: x/ and y)
 */
#include <errno.h>
#include <sys/stat.h>

#include "../../guest/vfs.h"
#include "unit.h"

struct fnode {
    struct husk_vnode v;
    const char *name;
    struct fnode *parent;
    struct fnode *kids[4];
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

static const struct husk_vnode_ops f_ops = {
    .lookup = f_lookup, .parent = f_parent, .readdir = f_readdir};

#define DIR_NODE(n)                    \
    {                                  \
        {&f_ops, 0, S_IFDIR}, n, NULL, \
        {                              \
            NULL                       \
        }                              \
    }
static struct fnode root = DIR_NODE(""), a = DIR_NODE("a"), b = DIR_NODE("b"),
                    mnt = DIR_NODE("mnt"),
                    f = {{&f_ops, 0, S_IFREG}, "f", NULL, {NULL}};
static struct fnode root2 = DIR_NODE(""), x = DIR_NODE("x"),
                    y = {{&f_ops, 0, S_IFREG}, "y", NULL, {NULL}};

static void setup(void)
{
    root.kids[0] = &a, root.kids[1] = &f, root.kids[2] = &mnt;
    a.parent = f.parent = mnt.parent = &root;
    a.kids[0] = &b, b.parent = &a;
    root2.kids[0] = &x, root2.kids[1] = &y;
    x.parent = y.parent = &root2;
    husk_vfs_set_root(&root.v);
    CHECK_EQ(husk_vfs_mount(&mnt.v, &root2.v), 0);
}

/* Resolve from start: the node, or NULL with the error in *rc. */
static struct husk_vnode *res(struct husk_vnode *start, const char *path,
                              int *rc)
{
    struct husk_vnode *v = NULL;
    *rc = husk_vfs_resolve(start, path, &v);
    return *rc == 0 ? v : NULL;
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
    CHECK_EQ(husk_vfs_walk(&b.v, "/", &w), 0);
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
    CHECK_EQ(husk_vfs_walk(&a.v, "b/..", &w), 0);
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
    CHECK_EQ(husk_vfs_walk(&root.v, "/a/new", &w), 0);
    CHECK(w.node == NULL && w.dir == &a.v);
    CHECK_EQ(w.len, 3);
    CHECK(memcmp(w.name, "new", 3) == 0);
    CHECK(!w.slash);
    CHECK_EQ(husk_vfs_walk(&root.v, "/a/new/", &w), 0);
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
    CHECK_EQ(husk_vfs_walk(&root.v, "", &w), -ENOENT);
    CHECK_EQ(husk_vfs_walk(&root.v, "/nope/x", &w), -ENOENT);
    CHECK_EQ(husk_vfs_walk(&root.v, "/f/x", &w), -ENOTDIR);
    CHECK_EQ(husk_vfs_walk(&root.v, "/f/.", &w), -ENOTDIR);
    CHECK_EQ(husk_vfs_walk(&root.v, "/f/..", &w), -ENOTDIR);
    CHECK(res(&root.v, "/f/", &rc) == NULL);
    CHECK_EQ(rc, -ENOTDIR);
    CHECK(res(&root.v, "/f", &rc) == &f.v);
    CHECK(res(&root.v, "/a/", &rc) == &a.v);
    /* a relative path from a file (a dirfd that is not a directory) */
    CHECK_EQ(husk_vfs_walk(&f.v, "x", &w), -ENOTDIR);
}

TEST(vfs_name_max)
{
    setup();
    char path[2 + HUSK_NAME_MAX + 2];
    path[0] = '/';
    memset(path + 1, 'n', HUSK_NAME_MAX);
    path[1 + HUSK_NAME_MAX] = '\0';
    struct husk_walk w;
    CHECK_EQ(husk_vfs_walk(&root.v, path, &w), 0);
    CHECK(w.node == NULL && w.len == HUSK_NAME_MAX);
    path[1 + HUSK_NAME_MAX] = 'n';
    path[2 + HUSK_NAME_MAX] = '\0';
    CHECK_EQ(husk_vfs_walk(&root.v, path, &w), -ENAMETOOLONG);
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
