/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * test_snapshot.c: the snapshot file's checks (monitor/snapshot_format.c):
 * a good header passes, and each way a file can be cut, corrupt, foreign
 * or taken with other devices is refused with its own reason.
 */
#include "husk.h"
#include "unit.h"

static const uint8_t id[20] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3};

/* A sealed header for a 64 MiB guest with one block device. */
static struct husk_snapshot_header good(void)
{
    struct husk_snapshot_header h;
    memset(&h, 0, sizeof(h));
    h.format = HUSK_SNAPSHOT_FORMAT;
    h.abi_version = HUSK_ABI_VERSION;
    h.mem_size = 64ULL << 20;
    h.data_offset = HUSK_PAGE_SIZE;
    h.file_size = husk_snapshot_file_size(h.mem_size);
    h.build_id_len = sizeof(id);
    memcpy(h.build_id, id, sizeof(id));
    h.device_count = 1;
    h.devices[0].kind = HUSK_DEVICE_BLOCK;
    strcpy(h.devices[0].name, "disk");
    h.devices[0].info_len = 24;
    h.devices[0].info[8] = 0x10; /* a capacity */
    husk_snapshot_seal(&h);
    return h;
}

static char err[512];

static int check(const struct husk_snapshot_header *h, uint64_t file_size)
{
    err[0] = '\0';
    return husk_snapshot_check(h, file_size, err, sizeof(err));
}

TEST(snapshot_layout)
{
    /* One page of header, then memory from the boot area up. */
    CHECK(husk_snapshot_file_size(64ULL << 20) ==
          HUSK_PAGE_SIZE + (64ULL << 20) - husk_guest_mem_start());
    CHECK(sizeof(struct husk_snapshot_header) <= HUSK_PAGE_SIZE);
}

TEST(snapshot_good_header_passes)
{
    struct husk_snapshot_header h = good();
    CHECK(check(&h, h.file_size) == 0);
    CHECK(check(&h, h.file_size + 4096) == 0); /* longer is fine */
}

TEST(snapshot_refuses_other_files)
{
    struct husk_snapshot_header h = good();
    memcpy(h.magic, "\177ELF\2\1\1\0", 8);
    CHECK(check(&h, h.file_size) == -1);
    CHECK(strstr(err, "not a Husk snapshot") != NULL);
    h = good();
    CHECK(check(&h, 100) == -1); /* shorter than a header */
    CHECK(strstr(err, "not a Husk snapshot") != NULL);
}

TEST(snapshot_refuses_cut_short)
{
    struct husk_snapshot_header h = good();
    CHECK(check(&h, h.file_size - 1) == -1);
    CHECK(strstr(err, "cut short") != NULL);
}

TEST(snapshot_refuses_corrupt_header)
{
    struct husk_snapshot_header h = good();
    h.mem_size += HUSK_PAGE_SIZE; /* without sealing again */
    CHECK(check(&h, h.file_size) == -1);
    CHECK(strstr(err, "checksum") != NULL);
    /* Fields that lie, in a header whose sum is right: each checked. */
    h = good();
    h.mem_size = 3ULL << 20; /* not a multiple of 2 MiB */
    husk_snapshot_seal(&h);
    CHECK(check(&h, ~0ULL) == -1);
    CHECK(strstr(err, "guest memory") != NULL);
    h = good();
    h.mem_size = HUSK_MEM_MAX + HUSK_MEM_ALIGN;
    husk_snapshot_seal(&h);
    CHECK(check(&h, ~0ULL) == -1);
    h = good();
    h.data_offset = 0;
    husk_snapshot_seal(&h);
    CHECK(check(&h, ~0ULL) == -1);
    CHECK(strstr(err, "layout") != NULL);
    h = good();
    h.build_id_len = HUSK_SNAPSHOT_BUILD_ID_MAX + 1;
    husk_snapshot_seal(&h);
    CHECK(check(&h, h.file_size) == -1);
    h = good();
    h.device_count = HUSK_DEVICES_MAX + 1;
    husk_snapshot_seal(&h);
    CHECK(check(&h, h.file_size) == -1);
    h = good();
    h.devices[0].info_len = HUSK_SNAPSHOT_INFO_MAX + 1;
    husk_snapshot_seal(&h);
    CHECK(check(&h, h.file_size) == -1);
    CHECK(strstr(err, "device 0") != NULL);
    h = good();
    memset(h.devices[0].name, 'x', sizeof(h.devices[0].name)); /* no NUL */
    husk_snapshot_seal(&h);
    CHECK(check(&h, h.file_size) == -1);
}

TEST(snapshot_refuses_other_versions)
{
    struct husk_snapshot_header h = good();
    h.format = HUSK_SNAPSHOT_FORMAT + 1;
    husk_snapshot_seal(&h);
    CHECK(check(&h, h.file_size) == -1);
    CHECK(strstr(err, "take the snapshot again") != NULL);
    h = good();
    h.abi_version = HUSK_ABI_VERSION - 1;
    husk_snapshot_seal(&h);
    CHECK(check(&h, h.file_size) == -1);
    CHECK(strstr(err, "Husk ABI") != NULL);
}

TEST(snapshot_matches_its_image_only)
{
    struct husk_snapshot_header h = good();
    CHECK(husk_snapshot_match_image(&h, id, sizeof(id), err, sizeof(err)) == 0);
    uint8_t other[20];
    memcpy(other, id, sizeof(id));
    other[19] ^= 1;
    CHECK(husk_snapshot_match_image(&h, other, sizeof(other), err,
                                    sizeof(err)) == -1);
    CHECK(strstr(err, "another image") != NULL);
    CHECK(husk_snapshot_match_image(&h, id, 16, err, sizeof(err)) == -1);
}

TEST(snapshot_matches_its_devices_only)
{
    struct husk_snapshot_header h = good();
    struct husk_snapshot_device now[2];
    memcpy(now, h.devices, sizeof(h.devices[0]));
    CHECK(husk_snapshot_match_devices(&h, now, 1, err, sizeof(err)) == 0);
    /* Another count. */
    CHECK(husk_snapshot_match_devices(&h, now, 0, err, sizeof(err)) == -1);
    CHECK(strstr(err, "1 device, this run has 0") != NULL);
    /* Another name or kind. */
    strcpy(now[0].name, "other");
    CHECK(husk_snapshot_match_devices(&h, now, 1, err, sizeof(err)) == -1);
    CHECK(strstr(err, "--block:disk") != NULL &&
          strstr(err, "--block:other") != NULL);
    memcpy(now, h.devices, sizeof(h.devices[0]));
    now[0].kind = HUSK_DEVICE_NET;
    CHECK(husk_snapshot_match_devices(&h, now, 1, err, sizeof(err)) == -1);
    CHECK(strstr(err, "--net:disk") != NULL);
    /* The same device telling the guest something else: a size. */
    memcpy(now, h.devices, sizeof(h.devices[0]));
    now[0].info[8] = 0x20;
    CHECK(husk_snapshot_match_devices(&h, now, 1, err, sizeof(err)) == -1);
    CHECK(strstr(err, "device disk is not what it was") != NULL);
}
