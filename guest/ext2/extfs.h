/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * extfs.h: ext2/ext3/ext4 file systems on block devices, mounted at boot
 * (husk-cc --mount=NAME:/PATH) through e2fsprogs' libext2fs, built for
 * the guest by guest/ext2/build.sh. Shared by the mount and its state
 * (mount.c), the block device underneath (io.c), the vnode cache
 * (node.c), the names (dir.c), the attributes (attr.c), the mapping of
 * file blocks (map.c) and open files (file.c).
 *
 * Consistency: libext2fs keeps the bitmaps, group descriptors and
 * superblock in memory and writes them only when flushed; inodes,
 * directory and extent blocks wait in io.c's cache. So between flushes
 * the image is not consistent, and it says so: before the first changed
 * metadata block reaches the device after a flush, the superblock is
 * written without its "valid" state (mount.c, extfs_mark_dirty); a flush
 * (fsync, sync, exit) writes everything, then the superblock "valid"
 * again. After kill -9 following an fsync the image is clean; after
 * kill -9 in the middle of changes, it says it needs e2fsck.
 */
#ifndef HUSK_EXTFS_H
#define HUSK_EXTFS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <ext2fs/ext2fs.h>

#include "../vfs.h"

struct extfs;

/* A file system object: one per inode in use, found by inode number
 * (node.c). Regular files and symbolic links keep their inode here, and
 * this copy is the one that counts (libext2fs is always given it); a
 * directory's inode is read again before each use, as libext2fs changes
 * directories' inodes itself (link, expand). */
struct ext_node {
    struct husk_vnode v;
    struct extfs *m;
    ext2_ino_t ino;
    struct ext2_inode_large inode;
    /* The size or the times changed and are not written yet: they are,
     * at the next flush or when the node leaves the cache. */
    bool dirty;
    /* No name any more: the node is out of the inode number's hash, and
     * is freed on disk when nothing holds it (freed: that is done; a
     * directory is freed at once, as it is empty). */
    bool unlinked, freed;
    /* The last extent map.c found (blocks [lblk, lblk + len) at pblk;
     * pblk 0: a hole), until the file's blocks change. */
    bool map_valid, map_uninit;
    blk64_t map_lblk, map_len, map_pblk;
    struct ext_node *hnext;         /* the inode number's hash chain */
    struct ext_node *newer, *older; /* the cache's recency list */
};

/* One mounted file system. */
struct extfs {
    ext2_filsys fs;
    char name[32]; /* the block device */
    char path[HUSK_PATH_MAX];
    bool read_only;
    /* The device holds what memory holds, marked valid: nothing changed
     * since the last flush but what quiet writes changed. */
    bool clean;
    /* The device's superblock says "not valid" (since the last flush). */
    bool marked;
    /* Writing a node's size and times only, which leaves the image
     * consistent: no need to mark it not valid for that (node.c). */
    bool quiet;
    dev_t dev;         /* st_dev */
    uint64_t meta_gen; /* counts metadata writes: directory buffers age */
    struct ext_node *root;
    /* the vnode cache (node.c) */
    struct ext_node **buckets;
    size_t nodes;
    struct ext_node *newest, *oldest;
    /* scratch space: three blocks for libext2fs's block-mapped calls, and
     * one for file.c's partial blocks */
    char *scratch, *blockbuf;
    /* the directory block dir.c parsed last (its inode, logical block
     * and meta_gen then) */
    char *dirbuf;
    ext2_ino_t dirbuf_ino;
    blk64_t dirbuf_lblk;
    uint64_t dirbuf_gen;
    bool dirbuf_valid;
    bool warned; /* one note about a corrupt structure is enough */
};

/* ---- mount.c ---- */
/* Before changed metadata first reaches the device after a flush: write
 * the superblock marked not valid, and make sure it is on the device. */
void extfs_mark_dirty(struct extfs *m);
/* Write every changed node, the bitmaps, group descriptors and the
 * superblock marked valid, then flush the device: 0 or -errno. */
int extfs_flush(struct extfs *m);

/* ---- io.c: the block device as a libext2fs I/O channel ---- */
extern io_manager husk_extfs_io_manager;
/* Call before_write(ctx) ahead of every metadata write through ch (into
 * its cache), and before_writeback(ctx) ahead of writing cached blocks
 * to the device. */
void extfs_io_hook(io_channel ch, void (*before_write)(void *),
                   void (*before_writeback)(void *), void *ctx);
/* Flush the device itself (not the cache): 0 or -errno. */
int extfs_io_sync(io_channel ch);
/* Move len bytes of file data at byte offset off of the device straight
 * from or into buf, past the metadata cache (which forgets what a write
 * overwrites): 0 or -errno. */
int extfs_io_data(io_channel ch, bool write, uint64_t off, void *buf,
                  size_t len);

/* ---- node.c: the vnode cache and inodes ---- */
extern const struct husk_vnode_ops extfs_ops, extfs_ro_ops;
/* The mount's empty cache: 0 or -ENOMEM. */
int extfs_nodes_init(struct extfs *m);
/* Free on disk the files that lost their last name while open: the
 * program is ending, which closes them. */
void extfs_nodes_drop_unlinked(struct extfs *m);
/* The node of inode ino: 0 and *out, or -errno. */
int extfs_node_get(struct extfs *m, ext2_ino_t ino, struct ext_node **out);
/* Every operation starts here: the node is the newest in the cache, and
 * a directory's inode is read again. 0 or -errno. */
int extfs_node_use(struct ext_node *n);
/* Write the node's inode now: 0 or -errno. */
int extfs_node_store(struct ext_node *n);
/* Write the node's inode if its size or times wait (quietly: see
 * struct extfs). */
int extfs_node_flush(struct ext_node *n);
/* Write every waiting inode of the mount: 0 or the first -errno. */
int extfs_nodes_flush(struct extfs *m);
/* The node lost its last name: free it on disk now if nothing holds it,
 * else when the last reference goes. 0 or -errno. */
int extfs_node_unlinked(struct ext_node *n);
/* Free inode ino (its blocks, its extended attributes) on disk. */
int extfs_inode_free(struct extfs *m, ext2_ino_t ino,
                     struct ext2_inode_large *inode);
/* A libext2fs error as a negative errno; a corrupt structure is also
 * named once on the console, with what to do. */
int extfs_err(struct extfs *m, errcode_t e);
struct timespec extfs_now(void);
/* An inode's times: which is 'a', 'm', 'c' (with nanoseconds where the
 * inode has room for them). */
void extfs_time_set(struct ext_node *n, char which, struct timespec t);
struct timespec extfs_time_get(const struct ext_node *n, char which);
uint64_t extfs_size(const struct ext_node *n);

/* ---- dir.c ---- */
int extfs_lookup(struct husk_vnode *dir, const char *name, size_t len,
                 struct husk_vnode **out);
struct husk_vnode *extfs_parent(struct husk_vnode *dir);
int extfs_readdir(struct husk_vnode *dir, uint64_t pos,
                  struct husk_dirent *out);
int extfs_create(struct husk_vnode *dir, const char *name, size_t len,
                 mode_t mode, struct husk_vnode **out);
int extfs_mkdir(struct husk_vnode *dir, const char *name, size_t len,
                mode_t mode);
int extfs_unlink(struct husk_vnode *dir, const char *name, size_t len,
                 struct husk_vnode *node);
int extfs_rmdir(struct husk_vnode *dir, const char *name, size_t len,
                struct husk_vnode *node);
int extfs_rename(struct husk_vnode *odir, const char *oname, size_t olen,
                 struct husk_vnode *node, struct husk_vnode *ndir,
                 const char *nname, size_t nlen, struct husk_vnode *target);
int extfs_symlink(struct husk_vnode *dir, const char *name, size_t len,
                  const char *target);
int extfs_link(struct husk_vnode *dir, const char *name, size_t len,
               struct husk_vnode *node);
long extfs_readlink(struct husk_vnode *node, char *buf, size_t size);

/* ---- dirsync.c: the same changes of names, on the device at return ---- */
int extfs_create_sync(struct husk_vnode *dir, const char *name, size_t len,
                      mode_t mode, struct husk_vnode **out);
int extfs_mkdir_sync(struct husk_vnode *dir, const char *name, size_t len,
                     mode_t mode);
int extfs_unlink_sync(struct husk_vnode *dir, const char *name, size_t len,
                      struct husk_vnode *node);
int extfs_rmdir_sync(struct husk_vnode *dir, const char *name, size_t len,
                     struct husk_vnode *node);
int extfs_rename_sync(struct husk_vnode *odir, const char *oname, size_t olen,
                      struct husk_vnode *node, struct husk_vnode *ndir,
                      const char *nname, size_t nlen,
                      struct husk_vnode *target);
int extfs_symlink_sync(struct husk_vnode *dir, const char *name, size_t len,
                       const char *target);
int extfs_link_sync(struct husk_vnode *dir, const char *name, size_t len,
                    struct husk_vnode *node);

/* ---- attr.c ---- */
int extfs_getattr(struct husk_vnode *node, struct stat *st);
int extfs_chmod(struct husk_vnode *node, mode_t mode);
int extfs_chown(struct husk_vnode *node, uid_t uid, gid_t gid);
int extfs_utimens(struct husk_vnode *node, const struct timespec times[2]);
int extfs_statfs(struct husk_vnode *node, struct statfs *st);
int extfs_sync(struct husk_vnode *node);

/* ---- map.c: which device blocks hold a file's blocks ---- */
/*
 * The run of logical blocks that starts at lblk, at most max of them:
 * *pblk its first device block (0: a hole), *len its length, *uninit
 * whether it is allocated but unwritten (reads as zeros). 0 or -errno.
 */
int extfs_map(struct ext_node *n, blk64_t lblk, blk64_t max, blk64_t *pblk,
              blk64_t *len, bool *uninit);
/* Give blocks to the hole at [lblk, lblk + len): how many from lblk on
 * got them (at least 1; they hold garbage until written), or -errno
 * (-ENOSPC) and none. */
long extfs_alloc(struct ext_node *n, blk64_t lblk, blk64_t len);
/* Mark written blocks [lblk, lblk + len), at pblk, initialised. */
int extfs_map_init(struct ext_node *n, blk64_t lblk, blk64_t pblk, blk64_t len);
/* Free every block from lblk on. */
int extfs_punch(struct ext_node *n, blk64_t lblk);
errcode_t extfs_punch_raw(struct extfs *m, ext2_ino_t ino,
                          struct ext2_inode *inode, blk64_t lblk);
/* The largest size file n can have. */
uint64_t extfs_max_size(struct ext_node *n);

/* ---- file.c ---- */
long extfs_open(struct husk_vnode *node, int flags);
int extfs_truncate(struct husk_vnode *node, off_t size);

#endif
