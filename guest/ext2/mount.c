/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * mount.c: the ext2/ext3/ext4 mounts an image declares (husk-cc
 * --mount=NAME:/PATH), made at start-up, kept consistent on the device
 * (extfs.h) and flushed when the program ends.
 *
 * husk-cc writes the table husk_extfs_mounts ("NAME", "/PATH", ... ""),
 * links this library only into images that have one, and pulls it in by
 * husk_extfs_init, a constructor: it runs once musl is up (malloc), before
 * main. A mount that cannot be made stops the guest before main with one
 * line, "husk: --mount=NAME:/PATH: why; what to do", and status 125, the
 * monitor's status for a bad command line or image: a program would
 * otherwise run against an empty directory of the read-only root and
 * fail later, further from the cause. What the image can be read but not
 * written for (attached ro, or a state or feature this code does not
 * write) mounts read-only, with a line saying why when it was not asked.
 *
 * The end: husk-cc links these images with --wrap=husk_exit, so every
 * way out (return from main, exit, _exit, a signal's default action)
 * passes __wrap_husk_exit, which flushes every mount before the guest
 * stops, after stdio has flushed its buffers into the files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../../drivers/block/guest.h"
#include "../guest.h"
#include "extfs.h"

/* The status for a mount that cannot be made (monitor/exitcode.h's
 * HUSK_EXIT_MONITOR: a bad image). */
#define MOUNT_FAILED 125

extern const char husk_extfs_mounts[];
void husk_extfs_init(void) __attribute__((constructor));
_Noreturn void __real_husk_exit(int status);
_Noreturn void __wrap_husk_exit(int status);

static struct extfs *mounts[HUSK_MOUNTS_MAX];
static unsigned mount_count;

static _Noreturn void fail(const char *name, const char *path, const char *why)
{
    char line[HUSK_PATH_MAX + 512];
    snprintf(line, sizeof(line), "husk: --mount=%s:%s: %s\n", name, path, why);
    husk_console_note(line);
    husk_exit(MOUNT_FAILED);
}

static void note(struct extfs *m, const char *what)
{
    char line[HUSK_PATH_MAX + 512];
    snprintf(line, sizeof(line), "husk: --mount=%s:%s: %s\n", m->name, m->path,
             what);
    husk_console_note(line);
}

/* ---- keeping the device consistent ---- */

void extfs_mark_dirty(struct extfs *m)
{
    ext2_filsys fs = m->fs;
    m->marked = true;
    struct ext2_super_block sb;
    memcpy(&sb, fs->super, sizeof(sb));
    sb.s_state &= (__u16)~EXT2_VALID_FS;
    ext2fs_superblock_csum_set(fs, &sb);
    /* On the device before anything it covers: a crash from here on
     * leaves an image e2fsck checks rather than trusts. */
    int rc = extfs_io_data(fs->io, true, SUPERBLOCK_OFFSET, &sb, sizeof(sb));
    if (rc == 0)
        rc = extfs_io_sync(fs->io);
    if (rc < 0)
        note(m, "cannot mark the file system in use on its device; it "
                "may not say that it needs e2fsck after a crash");
    /* What flush compares against to write only what changed. */
    if (fs->orig_super != NULL)
        memcpy(fs->orig_super, &sb, sizeof(sb));
}

/* Before each metadata write through libext2fs, into io.c's cache. */
static void before_write(void *ctx)
{
    struct extfs *m = ctx;
    m->meta_gen++;
    if (!m->quiet)
        m->clean = false;
}

/* Before cached metadata goes to the device. */
static void before_writeback(void *ctx)
{
    struct extfs *m = ctx;
    if (!m->clean && !m->marked)
        extfs_mark_dirty(m);
}

int extfs_flush(struct extfs *m)
{
    ext2_filsys fs = m->fs;
    if (m->read_only)
        return 0;
    int rc = extfs_nodes_flush(m);
    if (!m->clean || (fs->flags & (EXT2_FLAG_DIRTY | EXT2_FLAG_BB_DIRTY |
                                   EXT2_FLAG_IB_DIRTY))) {
        /* Bitmaps, group descriptors, the device flushed, the
         * superblock (valid: fs->super's state always is), flushed. */
        ext2fs_mark_super_dirty(fs);
        errcode_t e = ext2fs_flush2(fs, 0);
        if (e == 0) {
            m->clean = true;
            m->marked = false;
        } else if (rc == 0) {
            rc = extfs_err(m, e);
        }
    } else if (io_channel_flush(fs->io) != 0 && rc == 0) {
        rc = -EIO; /* file data, and inodes' sizes and times */
    }
    return rc;
}

/* ---- the end ---- */

_Noreturn void __wrap_husk_exit(int status)
{
    static bool ending;
    if (!ending) { /* a flush that fails must not come back here */
        ending = true;
        for (unsigned i = 0; i < mount_count; i++) {
            struct extfs *m = mounts[i];
            if (m->read_only)
                continue;
            extfs_nodes_drop_unlinked(m);
            if (extfs_flush(m) < 0)
                note(m, "could not write everything back at exit; check "
                        "the image with e2fsck -f");
        }
    }
    __real_husk_exit(status);
}

/* ---- mounting ---- */

/* Why an image that opened read-write should still not be written. */
static const char *why_read_only(ext2_filsys fs)
{
    struct ext2_super_block *sb = fs->super;
    if (sb->s_state & EXT2_ERROR_FS)
        return "mounted read-only: it has errors recorded; repair the image "
               "with e2fsck -fy first";
    if (!(sb->s_state & EXT2_VALID_FS))
        return "mounted read-only: it was not cleanly unmounted (a guest "
               "stopped before its fsync or exit?); check the image with "
               "e2fsck -fy first";
    if (sb->s_last_orphan != 0 || ext2fs_has_feature_orphan_present(sb))
        return "mounted read-only: it has orphan inodes to release; run "
               "e2fsck -fy on the image first";
    static const struct {
        int (*has)(struct ext2_super_block *);
        const char *why;
    } features[] = {
        {ext2fs_has_feature_inline_data, "inline_data"},
        {ext2fs_has_feature_encrypt, "encrypt"},
        {ext2fs_has_feature_casefold, "casefold"},
        {ext2fs_has_feature_verity, "verity"},
        {ext2fs_has_feature_bigalloc, "bigalloc"},
        {ext2fs_has_feature_quota, "quota"},
        {ext2fs_has_feature_project, "project"},
        {ext2fs_has_feature_ea_inode, "ea_inode"},
        {ext2fs_has_feature_shared_blocks, "shared_blocks"},
    };
    static char why[128];
    for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
        if (features[i].has(sb)) {
            snprintf(why, sizeof(why),
                     "mounted read-only: Husk does not write file systems "
                     "with the %s feature",
                     features[i].why);
            return why;
        }
    return NULL;
}

/* A one-line reason for a failed ext2fs_open2. */
static const char *why_not_opened(errcode_t e)
{
    static char why[256];
    switch (e) {
    case EXT2_ET_BAD_MAGIC:
        return "the device holds no ext2/ext3/ext4 file system (no "
               "superblock); make one with mkfs.ext4 [-d DIR] IMAGE";
    case EXT2_ET_SHORT_READ:
    case EXT2_ET_TOOSMALL:
        return "the device is too small for the file system its superblock "
               "describes (a truncated image?)";
    case EXT2_ET_UNSUPP_FEATURE:
        return "the file system uses features this libext2fs cannot read "
               "(see dumpe2fs -h IMAGE)";
    case EXT2_ET_UNEXPECTED_BLOCK_SIZE:
        return "the file system's block size is not supported";
    default:
        snprintf(why, sizeof(why),
                 "the file system is damaged (%s); repair the image with "
                 "e2fsck -fy",
                 error_message(e));
        return why;
    }
}

static int device_index(const char *name)
{
    for (unsigned i = 0; i < husk_block_count(); i++)
        if (strcmp(husk_block_name(i), name) == 0)
            return (int)i;
    return -1;
}

static void mount_one(const char *name, const char *path)
{
    int dev = device_index(name);
    if (dev < 0) /* the monitor attaches every device the note declares */
        fail(name, path,
             "no such block device; attach it with "
             "husk --block:NAME=IMAGE");
    struct extfs *m = calloc(1, sizeof(*m));
    if (m == NULL || extfs_nodes_init(m) < 0)
        fail(name, path, "out of memory (raise --mem)");
    snprintf(m->name, sizeof(m->name), "%s", name);
    snprintf(m->path, sizeof(m->path), "%s", path);
    m->read_only = husk_block_read_only((unsigned)dev);
    m->dev = makedev(8, 16 * (unsigned)mount_count);

    int flags = EXT2_FLAG_64BITS | EXT2_FLAG_MASTER_SB_ONLY;
    errcode_t e =
        ext2fs_open2(name, NULL, flags | (m->read_only ? 0 : EXT2_FLAG_RW), 0,
                     0, husk_extfs_io_manager, &m->fs);
    const char *ro_why = NULL;
    if (e == EXT2_ET_RO_UNSUPP_FEATURE && !m->read_only) {
        ro_why = "mounted read-only: the file system has features this "
                 "libext2fs cannot write (see dumpe2fs -h IMAGE)";
        m->read_only = true;
        e = ext2fs_open2(name, NULL, flags, 0, 0, husk_extfs_io_manager,
                         &m->fs);
    }
    if (e != 0)
        fail(name, path, why_not_opened(e));
    ext2_filsys fs = m->fs;
    uint64_t need = ext2fs_blocks_count(fs->super) * (uint64_t)fs->blocksize;
    uint64_t have = husk_block_capacity((unsigned)dev);
    if (need > have) {
        char why[256];
        snprintf(why, sizeof(why),
                 "the device is too small for the file system its superblock "
                 "describes (%llu bytes, the device has %llu): a truncated "
                 "image?",
                 (unsigned long long)need, (unsigned long long)have);
        fail(name, path, why);
    }
    if (ext2fs_has_feature_journal_dev(fs->super))
        fail(name, path,
             "the device is an external ext3/ext4 journal, not "
             "a file system");
    /* libext2fs neither replays nor writes a journal: the changes in it
     * would be lost, or worse, replayed later over ours. */
    if (ext2fs_has_feature_journal_needs_recovery(fs->super))
        fail(name, path,
             "its journal holds changes not yet applied (Linux "
             "did not unmount it cleanly); apply them with "
             "e2fsck -fy IMAGE, then attach it again");
    if (!m->read_only && (ro_why = why_read_only(fs)) != NULL) {
        /* Open it again read-only: libext2fs then refuses every write
         * (and closing without EXT2_FLAG_RW writes nothing). */
        fs->flags &= ~EXT2_FLAG_RW;
        ext2fs_close_free(&m->fs);
        m->read_only = true;
        e = ext2fs_open2(name, NULL, flags, 0, 0, husk_extfs_io_manager,
                         &m->fs);
        if (e != 0)
            fail(name, path, why_not_opened(e));
        fs = m->fs;
    }
    size_t bs = fs->blocksize;
    m->scratch = malloc(3 * bs);
    m->blockbuf = malloc(bs);
    m->dirbuf = malloc(bs);
    if (m->scratch == NULL || m->blockbuf == NULL || m->dirbuf == NULL)
        fail(name, path, "out of memory (raise --mem)");
    if (!m->read_only) {
        e = ext2fs_read_bitmaps(fs);
        if (e != 0)
            fail(name, path, why_not_opened(e));
        m->clean = true; /* checked: valid, nothing written yet */
    }
    extfs_io_hook(fs->io, before_write, before_writeback, m);

    struct ext_node *root;
    int rc = extfs_node_get(m, EXT2_ROOT_INO, &root);
    if (rc == 0 && !S_ISDIR(root->v.mode))
        rc = -ENOTDIR;
    if (rc < 0)
        fail(name, path, why_not_opened(EXT2_ET_INODE_CORRUPTED));
    m->root = root;
    struct husk_vnode *at;
    rc = husk_rootfs_mountpoint(path, &at);
    if (rc == 0)
        rc = husk_vfs_mount(at, &root->v);
    if (rc < 0) {
        char why[256];
        snprintf(why, sizeof(why), "cannot mount on %s: %s", path,
                 rc == -EBUSY    ? "something is mounted there already"
                 : rc == -ENOMEM ? "too many mounts"
                                 : strerror(-rc));
        fail(name, path, why);
    }
    mounts[mount_count++] = m;
    if (ro_why != NULL)
        note(m, ro_why);
}

void husk_extfs_init(void)
{
    initialize_ext2_error_table(); /* error_message() names its codes */
    for (const char *p = husk_extfs_mounts; *p != '\0';) {
        const char *name = p;
        const char *path = name + strlen(name) + 1;
        p = path + strlen(path) + 1;
        if (mount_count == HUSK_MOUNTS_MAX)
            fail(name, path, "too many mounts");
        mount_one(name, path);
    }
}
