/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * snapshot_format.c: the snapshot file's header, and every check a file
 * must pass before it becomes guest memory (pure: unit-tested and
 * fuzzed, as a snapshot file is untrusted input like an image).
 *
 * The file: one page of header (struct husk_snapshot_header), then guest
 * memory from husk_guest_mem_start() to mem_size, page for page, so that
 * a restore maps it copy-on-write where it is and many instances share
 * its pages. Pages of zeros are holes.
 */
#include <stdio.h>
#include <string.h>

#include "husk.h"

_Static_assert(sizeof(struct husk_snapshot_header) <= HUSK_PAGE_SIZE,
               "the header is one page");

uint64_t husk_snapshot_file_size(uint64_t mem_size)
{
    return HUSK_PAGE_SIZE + (mem_size - husk_guest_mem_start());
}

/* FNV-1a, 64 bits: a cut or bit-flipped header is told from a good one
 * (a hostile file can forge it: every field is checked for itself). */
static uint64_t header_sum(const struct husk_snapshot_header *h)
{
    const uint8_t *p = (const uint8_t *)h;
    uint64_t sum = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < offsetof(struct husk_snapshot_header, sum); i++)
        sum = (sum ^ p[i]) * 0x100000001b3ULL;
    return sum;
}

void husk_snapshot_seal(struct husk_snapshot_header *h)
{
    memcpy(h->magic, HUSK_SNAPSHOT_MAGIC, sizeof(h->magic));
    h->sum = header_sum(h);
}

static bool string_ends(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

int husk_snapshot_check(const struct husk_snapshot_header *h,
                        uint64_t file_size, char *err, size_t errlen)
{
    if (file_size < sizeof(*h) ||
        memcmp(h->magic, HUSK_SNAPSHOT_MAGIC, sizeof(h->magic)) != 0)
        return husk_errorf(err, errlen,
                           "not a Husk snapshot (make one with husk "
                           "--snapshot-to=FILE)");
    if (h->format != HUSK_SNAPSHOT_FORMAT)
        return husk_errorf(err, errlen,
                           "snapshot format %u; this husk reads format %d: "
                           "take the snapshot again",
                           h->format, HUSK_SNAPSHOT_FORMAT);
    if (h->sum != header_sum(h))
        return husk_errorf(err, errlen,
                           "corrupt snapshot (its header's checksum is "
                           "wrong)");
    if (h->abi_version != HUSK_ABI_VERSION)
        return husk_errorf(err, errlen,
                           "snapshot taken by a monitor of Husk ABI %u; this "
                           "is ABI %d: take the snapshot again",
                           h->abi_version, HUSK_ABI_VERSION);
    if (h->mem_size % HUSK_MEM_ALIGN != 0 || h->mem_size < HUSK_LOAD_MIN ||
        h->mem_size > HUSK_MEM_MAX)
        return husk_errorf(err, errlen,
                           "corrupt snapshot (guest memory of %llu bytes)",
                           (unsigned long long)h->mem_size);
    uint64_t want = husk_snapshot_file_size(h->mem_size);
    if (h->data_offset != HUSK_PAGE_SIZE || h->file_size != want)
        return husk_errorf(err, errlen,
                           "corrupt snapshot (its layout does not match "
                           "its memory size)");
    if (file_size < want)
        return husk_errorf(
            err, errlen, "snapshot cut short (%llu of %llu bytes)",
            (unsigned long long)file_size, (unsigned long long)want);
    if (h->build_id_len == 0 || h->build_id_len > HUSK_SNAPSHOT_BUILD_ID_MAX ||
        h->device_count > HUSK_DEVICES_MAX)
        return husk_errorf(err, errlen, "corrupt snapshot (bad header field)");
    for (unsigned i = 0; i < h->device_count; i++) {
        const struct husk_snapshot_device *d = &h->devices[i];
        if (d->info_len > HUSK_SNAPSHOT_INFO_MAX ||
            !string_ends(d->name, sizeof(d->name)))
            return husk_errorf(err, errlen,
                               "corrupt snapshot (device %u's record)", i);
    }
    return 0;
}

int husk_snapshot_match_image(const struct husk_snapshot_header *h,
                              const uint8_t *build_id, uint32_t build_id_len,
                              char *err, size_t errlen)
{
    if (build_id_len != h->build_id_len ||
        memcmp(build_id, h->build_id, build_id_len) != 0)
        return husk_errorf(err, errlen,
                           "the snapshot was taken from another image (its "
                           "build ID differs): restore it with the image it "
                           "came from");
    return 0;
}

static const char *kind_name(uint32_t kind)
{
    const struct husk_device_kind *k = husk_device_kind_of(kind);
    return k != NULL ? k->name : "?";
}

int husk_snapshot_match_devices(const struct husk_snapshot_header *h,
                                const struct husk_snapshot_device *now,
                                unsigned count, char *err, size_t errlen)
{
    if (count != h->device_count)
        return husk_errorf(err, errlen,
                           "the snapshot was taken with %u device%s, this "
                           "run has %u: give the same --block: and --net: "
                           "devices",
                           h->device_count, h->device_count == 1 ? "" : "s",
                           count);
    for (unsigned i = 0; i < count; i++) {
        const struct husk_snapshot_device *a = &h->devices[i], *b = &now[i];
        if (a->kind != b->kind || strcmp(a->name, b->name) != 0)
            return husk_errorf(err, errlen,
                               "device %u was --%s:%s when the snapshot was "
                               "taken, and is --%s:%s now: give the same "
                               "devices in the same order",
                               i, kind_name(a->kind), a->name,
                               kind_name(b->kind), b->name);
        if (a->info_len != b->info_len ||
            memcmp(a->info, b->info, a->info_len) != 0)
            return husk_errorf(err, errlen,
                               "device %s is not what it was when the "
                               "snapshot was taken (its size, addresses or "
                               "read-only flag differ): the guest would not "
                               "see the device it set up",
                               a->name);
    }
    return 0;
}
