/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * dir.c: names on an ext2/ext4 mount: lookup, listing, and the calls
 * that add, remove and move them, with libext2fs doing the directory
 * blocks (htree directories included: ext2fs_link adds to their index).
 *
 * A new file, directory or link is made whole without a name first and
 * named last; if naming it fails (the directory cannot grow: ENOSPC) it
 * is freed again, so a failed call leaves no inode behind for e2fsck to
 * find. A rename onto an existing name rewrites that entry in place, so
 * the name never goes missing, as rename(2) promises.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "extfs.h"

static struct ext_node *node_of(struct husk_vnode *v)
{
    return (struct ext_node *)v;
}

/* name, len as a C string in buf: libext2fs wants one. */
static int cname(const char *name, size_t len, char buf[EXT2_NAME_LEN + 1])
{
    if (len > EXT2_NAME_LEN)
        return -ENAMETOOLONG;
    memcpy(buf, name, len);
    buf[len] = '\0';
    return 0;
}

static int ftype_of(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return EXT2_FT_REG_FILE;
    case S_IFDIR:
        return EXT2_FT_DIR;
    case S_IFCHR:
        return EXT2_FT_CHRDEV;
    case S_IFBLK:
        return EXT2_FT_BLKDEV;
    case S_IFIFO:
        return EXT2_FT_FIFO;
    case S_IFSOCK:
        return EXT2_FT_SOCK;
    case S_IFLNK:
        return EXT2_FT_SYMLINK;
    default:
        return EXT2_FT_UNKNOWN;
    }
}

static unsigned char dtype_of(int ftype)
{
    static const unsigned char dt[EXT2_FT_MAX] = {
        [EXT2_FT_REG_FILE] = DT_REG, [EXT2_FT_DIR] = DT_DIR,
        [EXT2_FT_CHRDEV] = DT_CHR,   [EXT2_FT_BLKDEV] = DT_BLK,
        [EXT2_FT_FIFO] = DT_FIFO,    [EXT2_FT_SOCK] = DT_SOCK,
        [EXT2_FT_SYMLINK] = DT_LNK,
    };
    return ftype > 0 && ftype < EXT2_FT_MAX ? dt[ftype] : DT_UNKNOWN;
}

/* ---- looking up and listing ---- */

int extfs_lookup(struct husk_vnode *dir, const char *name, size_t len,
                 struct husk_vnode **out)
{
    struct ext_node *d = node_of(dir);
    int rc = extfs_node_use(d);
    if (rc < 0)
        return rc;
    if (d->unlinked)
        return -ENOENT;
    if (len > EXT2_NAME_LEN)
        return -ENAMETOOLONG;
    ext2_ino_t ino;
    errcode_t e = ext2fs_lookup(d->m->fs, d->ino, name, (int)len, NULL, &ino);
    if (e != 0)
        return extfs_err(d->m, e);
    struct ext_node *n;
    rc = extfs_node_get(d->m, ino, &n);
    if (rc == 0)
        *out = &n->v;
    return rc;
}

struct husk_vnode *extfs_parent(struct husk_vnode *dir)
{
    struct ext_node *d = node_of(dir), *p;
    ext2_ino_t ino;
    if (extfs_node_use(d) < 0 || d->unlinked || d->ino == EXT2_ROOT_INO ||
        ext2fs_lookup(d->m->fs, d->ino, "..", 2, NULL, &ino) != 0 ||
        extfs_node_get(d->m, ino, &p) < 0)
        return NULL;
    return &p->v;
}

/* Directory block lblk of d, checked (checksum), in m->dirbuf: 1, or 0
 * for a hole, or -errno. The last one stays until metadata is written. */
static int dir_block(struct ext_node *d, blk64_t lblk)
{
    struct extfs *m = d->m;
    if (m->dirbuf_valid && m->dirbuf_ino == d->ino && m->dirbuf_lblk == lblk &&
        m->dirbuf_gen == m->meta_gen)
        return 1;
    blk64_t pblk;
    errcode_t e = ext2fs_bmap2(m->fs, d->ino, (struct ext2_inode *)&d->inode,
                               m->scratch, 0, lblk, NULL, &pblk);
    if (e != 0)
        return extfs_err(m, e);
    if (pblk == 0)
        return 0;
    m->dirbuf_valid = false;
    e = ext2fs_read_dir_block4(m->fs, pblk, m->dirbuf, 0, d->ino);
    if (e != 0)
        return extfs_err(m, e);
    m->dirbuf_valid = true;
    m->dirbuf_ino = d->ino;
    m->dirbuf_lblk = lblk;
    m->dirbuf_gen = m->meta_gen;
    return 1;
}

static bool is_dot(const struct ext2_dir_entry *de)
{
    int len = ext2fs_dirent_name_len(de);
    return de->name[0] == '.' && (len == 1 || (len == 2 && de->name[1] == '.'));
}

static void fill(struct extfs *m, const struct ext2_dir_entry *de,
                 struct husk_dirent *out)
{
    int len = ext2fs_dirent_name_len(de);
    out->ino = de->inode;
    out->type = ext2fs_has_feature_filetype(m->fs->super)
                    ? dtype_of(ext2fs_dirent_file_type(de))
                    : DT_UNKNOWN;
    memcpy(out->name, de->name, (size_t)len);
    out->name[len] = '\0';
}

/* An inline-data directory (in the inode itself; read-only mounts only):
 * through libext2fs's iterator, counting entries to pos. Such a
 * directory holds a few entries at most. */
struct inline_walk {
    struct extfs *m;
    uint64_t pos, seen;
    struct husk_dirent *out;
    int found;
};

static int inline_entry(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
                        int offset, int blocksize, char *buf, void *priv)
{
    (void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
    struct inline_walk *w = priv;
    if (de->inode == 0 || is_dot(de))
        return 0;
    if (w->seen++ < w->pos)
        return 0;
    fill(w->m, de, w->out);
    w->out->next = w->seen;
    w->found = 1;
    return DIRENT_ABORT;
}

static int readdir_inline(struct ext_node *d, uint64_t pos,
                          struct husk_dirent *out)
{
    struct inline_walk w = {.m = d->m, .pos = pos, .out = out};
    errcode_t e =
        ext2fs_dir_iterate2(d->m->fs, d->ino, DIRENT_FLAG_INCLUDE_INLINE_DATA,
                            NULL, inline_entry, &w);
    return e != 0 ? extfs_err(d->m, e) : w.found;
}

/*
 * pos is a byte offset in the directory: entries are found by reading
 * its blocks in order and skipping the empty ones, the checksum tails
 * and the blocks of an htree's index (which look empty), as Linux lists
 * a directory without using the index. A position stays valid while
 * entries come and go, so a listing resumes where it stopped.
 */
int extfs_readdir(struct husk_vnode *dir, uint64_t pos, struct husk_dirent *out)
{
    struct ext_node *d = node_of(dir);
    struct extfs *m = d->m;
    int rc = extfs_node_use(d);
    if (rc < 0)
        return rc;
    if (d->unlinked)
        return 0;
    if (d->inode.i_flags & EXT4_INLINE_DATA_FL)
        return readdir_inline(d, pos, out);
    uint64_t bs = m->fs->blocksize, size = extfs_size(d);
    while (pos < size) {
        blk64_t lblk = pos / bs;
        rc = dir_block(d, lblk);
        if (rc < 0)
            return rc;
        unsigned off = 0;
        while (rc == 1 && off < bs) {
            struct ext2_dir_entry *de =
                (struct ext2_dir_entry *)(m->dirbuf + off);
            unsigned rec;
            errcode_t e = ext2fs_get_rec_len(m->fs, de, &rec);
            if (e != 0 || rec < 8 || rec % 4 != 0 || off + rec > bs ||
                (unsigned)ext2fs_dirent_name_len(de) + 8 > rec)
                return extfs_err(m, EXT2_ET_DIR_CORRUPTED);
            if (lblk * bs + off >= pos && de->inode != 0 && !is_dot(de)) {
                fill(m, de, out);
                out->next = lblk * bs + off + rec;
                return 1;
            }
            off += rec;
        }
        pos = (lblk + 1) * bs;
    }
    return 0;
}

/* Whether directory d holds anything but "." and "..": 0, -ENOTEMPTY,
 * or -errno. */
static int check_empty(struct ext_node *d)
{
    struct husk_dirent e;
    int rc = extfs_readdir(&d->v, 0, &e);
    return rc == 1 ? -ENOTEMPTY : rc;
}

/* ---- adding and removing names ---- */

/* Name ino in dir, making room there if the directory is full. */
static int add_entry(struct ext_node *d, const char *name, ext2_ino_t ino,
                     int ftype)
{
    ext2_filsys fs = d->m->fs;
    errcode_t e = ext2fs_link(fs, d->ino, name, ino, ftype);
    /* An htree directory grows its own index (or cannot: ENOSPC); a
     * plain one gets a block more. */
    if (e == EXT2_ET_DIR_NO_SPACE && !(d->inode.i_flags & EXT2_INDEX_FL)) {
        e = ext2fs_expand_dir(fs, d->ino);
        if (e == 0)
            e = ext2fs_link(fs, d->ino, name, ino, ftype);
    }
    return extfs_err(d->m, e);
}

/* A directory's entries changed: its times, and link count by delta
 * (subdirectories: each has a ".." naming it). */
static int dir_changed(struct ext_node *d, int delta)
{
    int rc = extfs_node_use(d);
    if (rc < 0)
        return rc;
    __u16 *links = &d->inode.i_links_count;
    if (delta > 0 && *links != 1)
        *links += 1;
    else if (delta < 0 && *links > 2)
        *links -= 1;
    /* dir_nlink: past the limit, 1 stands for "many", as in Linux */
    if (*links >= EXT2_LINK_MAX)
        *links = 1;
    struct timespec now = extfs_now();
    extfs_time_set(d, 'm', now);
    extfs_time_set(d, 'c', now);
    return extfs_node_store(d);
}

/* Whether directory d can take one subdirectory more. */
static int room_for_subdir(struct ext_node *d)
{
    if (d->inode.i_links_count + 1 >= EXT2_LINK_MAX &&
        !ext2fs_has_feature_dir_nlink(d->m->fs->super))
        return -EMLINK;
    return 0;
}

/* Write a new inode: all of its on-disk size, zeroed past ours (no stale
 * extended attributes of a former inode there). */
static int write_new(struct ext_node *n)
{
    ext2_filsys fs = n->m->fs;
    size_t size = (size_t)EXT2_INODE_SIZE(fs->super);
    char *buf = calloc(1, size > sizeof(n->inode) ? size : sizeof(n->inode));
    if (buf == NULL)
        return -ENOMEM;
    memcpy(buf, &n->inode, sizeof(n->inode));
    errcode_t e = ext2fs_write_inode_full(fs, n->ino, (struct ext2_inode *)buf,
                                          (int)size);
    free(buf);
    return extfs_err(n->m, e);
}

/* A new inode's fields: mode, one link, the times now. */
static void init_inode(struct ext_node *n, mode_t mode)
{
    ext2_filsys fs = n->m->fs;
    memset(&n->inode, 0, sizeof(n->inode));
    n->inode.i_mode = (__u16)mode;
    n->inode.i_links_count = 1;
    if (EXT2_INODE_SIZE(fs->super) > EXT2_GOOD_OLD_INODE_SIZE)
        n->inode.i_extra_isize = sizeof(n->inode) - EXT2_GOOD_OLD_INODE_SIZE;
    struct timespec now = extfs_now();
    extfs_time_set(n, 'a', now);
    extfs_time_set(n, 'm', now);
    extfs_time_set(n, 'c', now);
    n->inode.i_crtime = n->inode.i_ctime;
    n->inode.i_crtime_extra = n->inode.i_ctime_extra;
}

/* Take back inode ino, made for a name that could not be added. */
static void unmake(struct extfs *m, ext2_ino_t ino)
{
    struct ext2_inode_large in;
    if (ext2fs_read_inode_full(m->fs, ino, (struct ext2_inode *)&in,
                               sizeof(in)) == 0)
        extfs_inode_free(m, ino, &in);
}

/* Start a call that adds name to directory dir: 0, the name as a C
 * string, and the inode number to use. */
static int begin_add(struct ext_node *d, const char *name, size_t len,
                     mode_t mode, char buf[EXT2_NAME_LEN + 1], ext2_ino_t *ino)
{
    int rc = extfs_node_use(d);
    if (rc < 0)
        return rc;
    if (d->unlinked)
        return -ENOENT; /* Linux: nothing is made in a removed directory */
    if ((rc = cname(name, len, buf)) < 0)
        return rc;
    errcode_t e = ext2fs_new_inode(d->m->fs, d->ino, (int)mode, NULL, ino);
    return extfs_err(d->m, e);
}

int extfs_create(struct husk_vnode *dir, const char *name, size_t len,
                 mode_t mode, struct husk_vnode **out)
{
    struct ext_node *d = node_of(dir);
    struct extfs *m = d->m;
    char nm[EXT2_NAME_LEN + 1];
    ext2_ino_t ino;
    int rc = begin_add(d, name, len, mode, nm, &ino);
    if (rc < 0)
        return rc;
    struct ext_node n = {.m = m, .ino = ino};
    init_inode(&n, S_IFREG | (mode & 07777));
    if (ext2fs_has_feature_extents(m->fs->super)) {
        /* An empty extent tree: opening it on an inode without one
         * writes its header into i_block and sets EXTENTS_FL. */
        ext2_extent_handle_t h;
        errcode_t e =
            ext2fs_extent_open2(m->fs, ino, (struct ext2_inode *)&n.inode, &h);
        if (e != 0)
            return extfs_err(m, e);
        ext2fs_extent_free(h);
    }
    if ((rc = write_new(&n)) < 0)
        return rc;
    ext2fs_inode_alloc_stats2(m->fs, ino, +1, 0);
    if ((rc = add_entry(d, nm, ino, EXT2_FT_REG_FILE)) < 0) {
        unmake(m, ino);
        return rc;
    }
    struct ext_node *made;
    if ((rc = dir_changed(d, 0)) < 0 ||
        (rc = extfs_node_get(m, ino, &made)) < 0)
        return rc;
    *out = &made->v;
    return 0;
}

int extfs_mkdir(struct husk_vnode *dir, const char *name, size_t len,
                mode_t mode)
{
    struct ext_node *d = node_of(dir);
    struct extfs *m = d->m;
    char nm[EXT2_NAME_LEN + 1];
    ext2_ino_t ino;
    int rc = room_for_subdir(d);
    if (rc < 0 || (rc = begin_add(d, name, len, S_IFDIR, nm, &ino)) < 0)
        return rc;
    /* The directory, its block with "." and "..", no name yet; its ".."
     * already counted in the parent's links. */
    bool many = d->inode.i_links_count == 1;
    errcode_t e = ext2fs_mkdir(m->fs, d->ino, ino, NULL);
    if (e != 0)
        return extfs_err(m, e);
    struct ext_node n = {.m = m, .ino = ino};
    e = ext2fs_read_inode_full(m->fs, ino, (struct ext2_inode *)&n.inode,
                               sizeof(n.inode));
    if (e != 0)
        return extfs_err(m, e);
    n.inode.i_mode = (__u16)(S_IFDIR | (mode & 07777));
    struct timespec now = extfs_now();
    extfs_time_set(&n, 'a', now);
    extfs_time_set(&n, 'm', now);
    extfs_time_set(&n, 'c', now);
    if ((rc = extfs_node_store(&n)) < 0 ||
        (rc = add_entry(d, nm, ino, EXT2_FT_DIR)) < 0) {
        unmake(m, ino);
        dir_changed(d, -1);
        return rc;
    }
    if ((rc = extfs_node_use(d)) < 0)
        return rc;
    if (many) /* dir_nlink's "many" stays so */
        d->inode.i_links_count = 1;
    return dir_changed(d, 0);
}

int extfs_symlink(struct husk_vnode *dir, const char *name, size_t len,
                  const char *target)
{
    struct ext_node *d = node_of(dir);
    struct extfs *m = d->m;
    if (strlen(target) >= m->fs->blocksize)
        return -ENAMETOOLONG; /* Linux: a link's target fits a block */
    char nm[EXT2_NAME_LEN + 1];
    ext2_ino_t ino;
    int rc = begin_add(d, name, len, S_IFLNK, nm, &ino);
    if (rc < 0)
        return rc;
    errcode_t e = ext2fs_symlink(m->fs, d->ino, ino, NULL, target);
    if (e != 0)
        return extfs_err(m, e);
    if ((rc = add_entry(d, nm, ino, EXT2_FT_SYMLINK)) < 0) {
        unmake(m, ino);
        return rc;
    }
    return dir_changed(d, 0);
}

int extfs_link(struct husk_vnode *dir, const char *name, size_t len,
               struct husk_vnode *node)
{
    struct ext_node *d = node_of(dir), *n = node_of(node);
    char nm[EXT2_NAME_LEN + 1];
    int rc = extfs_node_use(d);
    if (rc < 0 || (rc = extfs_node_use(n)) < 0 ||
        (rc = cname(name, len, nm)) < 0)
        return rc;
    if (d->m != n->m)
        return -EXDEV; /* the VFS checks it too: st_dev differs */
    if (d->unlinked || n->unlinked)
        return -ENOENT; /* as Linux for a file with no name left */
    if (n->inode.i_links_count >= EXT2_LINK_MAX)
        return -EMLINK;
    if ((rc = add_entry(d, nm, n->ino, ftype_of(n->inode.i_mode))) < 0)
        return rc;
    n->inode.i_links_count++;
    extfs_time_set(n, 'c', extfs_now());
    if ((rc = extfs_node_store(n)) < 0)
        return rc;
    return dir_changed(d, 0);
}

/* The node lost a name: its link count, and the node itself if that was
 * its last. */
static int drop_link(struct ext_node *n)
{
    if (S_ISDIR(n->v.mode) || n->inode.i_links_count <= 1) {
        n->inode.i_links_count = 0;
        return extfs_node_unlinked(n);
    }
    n->inode.i_links_count--;
    extfs_time_set(n, 'c', extfs_now());
    return extfs_node_store(n);
}

int extfs_unlink(struct husk_vnode *dir, const char *name, size_t len,
                 struct husk_vnode *node)
{
    struct ext_node *d = node_of(dir), *n = node_of(node);
    char nm[EXT2_NAME_LEN + 1];
    int rc = extfs_node_use(d);
    if (rc < 0 || (rc = extfs_node_use(n)) < 0 ||
        (rc = cname(name, len, nm)) < 0)
        return rc;
    errcode_t e = ext2fs_unlink(d->m->fs, d->ino, nm, n->ino, 0);
    if (e != 0)
        return extfs_err(d->m, e);
    if ((rc = drop_link(n)) < 0)
        return rc;
    return dir_changed(d, 0);
}

int extfs_rmdir(struct husk_vnode *dir, const char *name, size_t len,
                struct husk_vnode *node)
{
    struct ext_node *d = node_of(dir), *n = node_of(node);
    char nm[EXT2_NAME_LEN + 1];
    int rc = extfs_node_use(d);
    if (rc < 0 || (rc = cname(name, len, nm)) < 0 || (rc = check_empty(n)) < 0)
        return rc;
    errcode_t e = ext2fs_unlink(d->m->fs, d->ino, nm, n->ino, 0);
    if (e != 0)
        return extfs_err(d->m, e);
    if ((rc = drop_link(n)) < 0)
        return rc;
    return dir_changed(d, -1);
}

/* ---- rename ---- */

struct entry_edit {
    const char *name;
    int len;
    ext2_ino_t ino;
    int ftype;
    bool done;
};

/* Point the entry called e->name at e->ino. */
static int repoint(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
                   int offset, int blocksize, char *buf, void *priv)
{
    (void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
    struct entry_edit *e = priv;
    if (de->inode == 0 || ext2fs_dirent_name_len(de) != e->len ||
        memcmp(de->name, e->name, (size_t)e->len) != 0)
        return 0;
    de->inode = e->ino;
    if (e->ftype >= 0)
        ext2fs_dirent_set_file_type(de, e->ftype);
    e->done = true;
    return DIRENT_CHANGED | DIRENT_ABORT;
}

/* Point directory d's entry name (or "..") at ino. */
static int set_entry(struct ext_node *d, const char *name, ext2_ino_t ino,
                     int ftype)
{
    struct entry_edit e = {
        name, (int)strlen(name), ino,
        ext2fs_has_feature_filetype(d->m->fs->super) ? ftype : -1, false};
    errcode_t err = ext2fs_dir_iterate2(d->m->fs, d->ino, 0, NULL, repoint, &e);
    if (err != 0)
        return extfs_err(d->m, err);
    return e.done ? 0 : extfs_err(d->m, EXT2_ET_DIR_CORRUPTED);
}

int extfs_rename(struct husk_vnode *odir, const char *oname, size_t olen,
                 struct husk_vnode *node, struct husk_vnode *ndir,
                 const char *nname, size_t nlen, struct husk_vnode *target)
{
    struct ext_node *od = node_of(odir), *nd = node_of(ndir);
    struct ext_node *n = node_of(node), *t = target ? node_of(target) : NULL;
    struct extfs *m = n->m;
    char onm[EXT2_NAME_LEN + 1], nnm[EXT2_NAME_LEN + 1];
    int rc = extfs_node_use(od);
    if (rc < 0 || (rc = extfs_node_use(nd)) < 0 ||
        (rc = extfs_node_use(n)) < 0 || (rc = cname(oname, olen, onm)) < 0 ||
        (rc = cname(nname, nlen, nnm)) < 0)
        return rc;
    if (od->m != nd->m)
        return -EXDEV; /* the VFS checks it too: st_dev differs */
    if (nd->unlinked)
        return -ENOENT;
    bool dir = S_ISDIR(n->v.mode), moves = dir && od != nd;
    if (t != NULL && S_ISDIR(t->v.mode) && (rc = check_empty(t)) < 0)
        return rc;
    if (moves && t == NULL && (rc = room_for_subdir(nd)) < 0)
        return rc;
    int ftype = ftype_of(n->inode.i_mode);
    /* The new name first: a crash in between leaves two names (e2fsck
     * fixes the count), never none. */
    rc = t != NULL ? set_entry(nd, nnm, n->ino, ftype)
                   : add_entry(nd, nnm, n->ino, ftype);
    if (rc < 0)
        return rc;
    errcode_t e = ext2fs_unlink(m->fs, od->ino, onm, n->ino, 0);
    if (e != 0)
        return extfs_err(m, e);
    if (moves && (rc = set_entry(n, "..", nd->ino, EXT2_FT_DIR)) < 0)
        return rc;
    if (t != NULL && (rc = drop_link(t)) < 0)
        return rc;
    extfs_time_set(n, 'c', extfs_now());
    if (!dir && (rc = extfs_node_store(n)) < 0)
        return rc;
    /* Link counts: a directory moved takes its ".." along; one replaced
     * gives its ".." up. */
    int to_old = moves ? -1 : 0;
    int to_new = (moves ? 1 : 0) - (t != NULL && S_ISDIR(t->v.mode) ? 1 : 0);
    if (od != nd && (rc = dir_changed(od, to_old)) < 0)
        return rc;
    return dir_changed(nd, od != nd ? to_new : to_new + to_old);
}

/* ---- symbolic links ---- */

long extfs_readlink(struct husk_vnode *node, char *buf, size_t size)
{
    struct ext_node *n = node_of(node);
    struct extfs *m = n->m;
    int rc = extfs_node_use(n);
    if (rc < 0)
        return rc;
    if (!S_ISLNK(n->v.mode))
        return -EINVAL;
    uint64_t len = extfs_size(n);
    if (len >= m->fs->blocksize)
        return extfs_err(m, EXT2_ET_INODE_CORRUPTED);
    struct ext2_inode *in = (struct ext2_inode *)&n->inode;
    const char *src = m->scratch;
    errcode_t e = 0;
    if (ext2fs_is_fast_symlink(in)) {
        src = (const char *)in->i_block;
    } else if (in->i_flags & EXT4_INLINE_DATA_FL) {
        size_t got = m->fs->blocksize;
        e = ext2fs_inline_data_get(m->fs, n->ino, in, m->scratch, &got);
        if (e == 0 && got < len)
            len = got;
    } else {
        blk64_t pblk, run;
        bool uninit;
        rc = extfs_map(n, 0, 1, &pblk, &run, &uninit);
        if (rc < 0)
            return rc;
        if (pblk == 0 || uninit)
            return extfs_err(m, EXT2_ET_INODE_CORRUPTED);
        e = io_channel_read_blk64(m->fs->io, pblk, 1, m->scratch);
    }
    if (e != 0)
        return extfs_err(m, e);
    if (len > size)
        len = size;
    memcpy(buf, src, (size_t)len);
    return (long)len;
}
