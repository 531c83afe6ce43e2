/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * map.c: which device blocks hold a file's blocks, and giving a file
 * blocks. A read or write asks for the run of blocks at a position and
 * moves all of it at once (file.c), so a 1 MiB read of a file whose
 * extent is contiguous is one device transfer. Extent-mapped files
 * (ext4) are asked through the extent tree; block-mapped ones (ext2,
 * ext3) block by block, joining neighbours.
 */
#include <errno.h>

#include "extfs.h"

/* A block-mapped file's run is looked up block by block: at most this
 * many at a time. */
#define IND_RUN_MAX 1024

static void forget_map(struct ext_node *n)
{
    n->map_valid = false;
}

static void remember_map(struct ext_node *n, blk64_t lblk, blk64_t len,
                         blk64_t pblk, bool uninit)
{
    n->map_valid = true;
    n->map_lblk = lblk;
    n->map_len = len;
    n->map_pblk = pblk;
    n->map_uninit = uninit;
}

/* The extent at or after lblk: 0, or 1 if lblk lies in a hole. */
static int map_extent(struct ext_node *n, blk64_t lblk)
{
    ext2_filsys fs = n->m->fs;
    ext2_extent_handle_t h;
    errcode_t e =
        ext2fs_extent_open2(fs, n->ino, (struct ext2_inode *)&n->inode, &h);
    if (e != 0)
        return extfs_err(n->m, e);
    struct ext2fs_extent ex;
    e = ext2fs_extent_goto2(h, 0, lblk);
    if (e == 0) {
        e = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &ex);
        if (e == 0)
            remember_map(n, ex.e_lblk, ex.e_len, ex.e_pblk,
                         ex.e_flags & EXT2_EXTENT_FLAGS_UNINIT);
    } else if (e == EXT2_ET_EXTENT_NOT_FOUND) {
        /* A hole, up to the next extent (goto left us on the one before
         * it, or on the first extent if the hole comes first), or to the
         * end of all blocks if there is none. */
        blk64_t end = ~0ULL;
        e = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &ex);
        while (e == 0) {
            if ((ex.e_flags & EXT2_EXTENT_FLAGS_LEAF) && ex.e_lblk > lblk) {
                end = ex.e_lblk;
                break;
            }
            e = ext2fs_extent_get(h, EXT2_EXTENT_NEXT_LEAF, &ex);
        }
        if (e == EXT2_ET_EXTENT_NO_NEXT || e == EXT2_ET_NO_CURRENT_NODE)
            e = 0;
        if (e == 0)
            remember_map(n, lblk, end - lblk, 0, false);
    }
    ext2fs_extent_free(h);
    return extfs_err(n->m, e);
}

/* The run at lblk of a block-mapped file, up to max blocks. */
static int map_blocks(struct ext_node *n, blk64_t lblk, blk64_t max)
{
    ext2_filsys fs = n->m->fs;
    blk64_t first = 0, i;
    if (max > IND_RUN_MAX)
        max = IND_RUN_MAX;
    for (i = 0; i < max; i++) {
        blk64_t p;
        errcode_t e = ext2fs_bmap2(fs, n->ino, (struct ext2_inode *)&n->inode,
                                   n->m->scratch, 0, lblk + i, NULL, &p);
        if (e != 0)
            return extfs_err(n->m, e);
        if (i == 0)
            first = p;
        else if (first == 0 ? p != 0 : p != first + i)
            break;
    }
    remember_map(n, lblk, i, first, false);
    return 0;
}

int extfs_map(struct ext_node *n, blk64_t lblk, blk64_t max, blk64_t *pblk,
              blk64_t *len, bool *uninit)
{
    if (!n->map_valid || lblk < n->map_lblk ||
        lblk - n->map_lblk >= n->map_len) {
        int rc = n->inode.i_flags & EXT4_EXTENTS_FL ? map_extent(n, lblk)
                                                    : map_blocks(n, lblk, max);
        if (rc < 0)
            return rc;
    }
    blk64_t in = lblk - n->map_lblk;
    *pblk = n->map_pblk != 0 ? n->map_pblk + in : 0;
    *len = n->map_len - in < max ? n->map_len - in : max;
    *uninit = n->map_uninit;
    return 0;
}

/*
 * Map the hole at lblk to len new blocks or fewer, in one initialised
 * extent: a free run near the file's other blocks (ext2fs_new_range),
 * joined to the extent before it when it continues it on the device, so
 * a file written in order keeps one extent per 32768 blocks. (Not
 * ext2fs_fallocate: in 1.47.0 it fills the whole hole up to the next
 * extent, unzeroed, when that extent is the file's first.)
 */
static errcode_t alloc_extent(struct ext_node *n, blk64_t lblk, blk64_t len,
                              blk64_t *got)
{
    ext2_filsys fs = n->m->fs;
    struct ext2_inode *in = (struct ext2_inode *)&n->inode;
    if (len > EXT_INIT_MAX_LEN)
        len = EXT_INIT_MAX_LEN;
    blk64_t goal = ext2fs_find_inode_goal(fs, n->ino, in, lblk), pblk, plen;
    errcode_t e = ext2fs_new_range(fs, 0, goal, len, NULL, &pblk, &plen);
    if (e != 0)
        return e;
    /* Claimed before the tree changes: splitting a full node allocates
     * a block, which must not be one of these. */
    ext2fs_block_alloc_stats_range(fs, pblk, plen, +1);
    if ((e = ext2fs_iblk_add_blocks(fs, in, plen)) != 0) {
        ext2fs_block_alloc_stats_range(fs, pblk, plen, -1);
        return e;
    }
    ext2_extent_handle_t h;
    if ((e = ext2fs_extent_open2(fs, n->ino, in, &h)) != 0)
        goto undo;
    struct ext2fs_extent ex,
        add = {.e_pblk = pblk, .e_lblk = lblk, .e_len = (__u32)plen};
    /* lblk is in a hole: goto leaves the handle on the extent before it,
     * or on the first one, or on none in an empty tree. */
    ext2fs_extent_goto2(h, 0, lblk);
    e = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &ex);
    if (e == 0 && ex.e_lblk + ex.e_len == lblk &&
        ex.e_pblk + ex.e_len == pblk &&
        !(ex.e_flags & EXT2_EXTENT_FLAGS_UNINIT) &&
        ex.e_len + plen <= EXT_INIT_MAX_LEN) {
        ex.e_len += (__u32)plen;
        e = ext2fs_extent_replace(h, 0, &ex);
    } else if (e == 0 || e == EXT2_ET_NO_CURRENT_NODE) {
        int op = e == 0 && ex.e_lblk > lblk ? 0 : EXT2_EXTENT_INSERT_AFTER;
        e = ext2fs_extent_insert(h, op, &add);
    }
    if (e == 0)
        e = ext2fs_extent_fix_parents(h);
    ext2fs_extent_free(h);
    if (e == 0) {
        *got = plen;
        return 0;
    }
undo:
    ext2fs_iblk_sub_blocks(fs, in, plen);
    ext2fs_block_alloc_stats_range(fs, pblk, plen, -1);
    return e;
}

long extfs_alloc(struct ext_node *n, blk64_t lblk, blk64_t len)
{
    ext2_filsys fs = n->m->fs;
    struct ext2_inode *in = (struct ext2_inode *)&n->inode;
    errcode_t e = 0;
    blk64_t got = 0;
    forget_map(n);
    if (n->inode.i_flags & EXT4_EXTENTS_FL) {
        e = alloc_extent(n, lblk, len, &got);
    } else {
        for (; got < len; got++) {
            blk64_t p = 0;
            e = ext2fs_bmap2(fs, n->ino, in, n->m->scratch, BMAP_ALLOC,
                             lblk + got, NULL, &p);
            if (e != 0)
                break;
        }
    }
    forget_map(n);
    /* The inode's block count changed even where the extent tree's root
     * in it did not. What did get allocated stays: the caller writes it
     * (the error comes back on the next call). */
    int rc = extfs_node_store(n);
    if (got == 0)
        return extfs_err(n->m, e != 0 ? e : EXT2_ET_BLOCK_ALLOC_FAIL);
    return rc < 0 ? rc : (long)got;
}

int extfs_map_init(struct ext_node *n, blk64_t lblk, blk64_t pblk, blk64_t len)
{
    errcode_t e = 0;
    forget_map(n);
    for (blk64_t i = 0; i < len && e == 0; i++) {
        blk64_t p = pblk + i;
        e = ext2fs_bmap2(n->m->fs, n->ino, (struct ext2_inode *)&n->inode,
                         n->m->scratch, BMAP_SET, lblk + i, NULL, &p);
    }
    forget_map(n);
    int rc = extfs_node_store(n);
    return e != 0 ? extfs_err(n->m, e) : rc;
}

/*
 * libext2fs 1.47.0's punch refuses to free a run of blocks that ends at
 * the file system's last block (punch_extent_blocks checks start + count
 * >= blocks_count: one too strict), and it does so after it has taken the
 * extent out of the tree, so the blocks would be lost. A full file system
 * hands that block out. So the block count is one higher for the call:
 * nothing beyond the real end is ever mapped, and a punch to the end of a
 * file allocates nothing (it never splits an extent), so nothing can use
 * the block that is not there.
 */
errcode_t extfs_punch_raw(struct extfs *m, ext2_ino_t ino,
                          struct ext2_inode *inode, blk64_t lblk)
{
    blk64_t count = ext2fs_blocks_count(m->fs->super);
    ext2fs_blocks_count_set(m->fs->super, count + 1);
    errcode_t e = ext2fs_punch(m->fs, ino, inode, m->scratch, lblk, ~0ULL);
    ext2fs_blocks_count_set(m->fs->super, count);
    return e;
}

int extfs_punch(struct ext_node *n, blk64_t lblk)
{
    forget_map(n);
    errcode_t e =
        extfs_punch_raw(n->m, n->ino, (struct ext2_inode *)&n->inode, lblk);
    forget_map(n);
    return extfs_err(n->m, e);
}

uint64_t extfs_max_size(struct ext_node *n)
{
    ext2_filsys fs = n->m->fs;
    uint64_t bs = fs->blocksize, blocks;
    if (n->inode.i_flags & EXT4_EXTENTS_FL) {
        blocks = (1ULL << 32) - 1; /* logical block numbers are 32 bits */
    } else {
        uint64_t p = bs / 4; /* block numbers per indirect block */
        blocks = EXT2_NDIR_BLOCKS + p + p * p + p * p * p;
    }
    /* A revision 0 file system has 32-bit sizes. */
    if (fs->super->s_rev_level == EXT2_GOOD_OLD_REV && blocks > 0x7fffffff / bs)
        blocks = 0x7fffffff / bs;
    /* Without huge_file, i_blocks counts 512-byte sectors in 32 bits. */
    if (!ext2fs_has_feature_huge_file(fs->super) &&
        blocks > ((1ULL << 32) - 1) / (bs / 512))
        blocks = ((1ULL << 32) - 1) / (bs / 512) - 1;
    return blocks * bs;
}
