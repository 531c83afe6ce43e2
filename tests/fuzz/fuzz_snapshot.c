/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * fuzz_snapshot.c: libFuzzer harness for the snapshot file's header
 * (monitor/snapshot_format.c), which husk --restore reads from a file
 * anyone may have written. The input is the file's length (8 bytes, as
 * fstat would say it) and then its first bytes, of which the check sees
 * at most a header's worth, as snapshot.c reads them. A header the check
 * accepts must hold what the restore relies on: a memory size it can map,
 * a layout that fits the file, device records it can compare; the image
 * and device comparisons then run on it and must not read past anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk.h"

#define ENSURE(cond)                                                    \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "fuzz_snapshot: %s:%d: %s does not hold\n", \
                    __FILE__, __LINE__, #cond);                         \
            abort();                                                    \
        }                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < sizeof(uint64_t))
        return 0;
    uint64_t file_size;
    memcpy(&file_size, data, sizeof(file_size));
    data += sizeof(file_size), size -= sizeof(file_size);
    /* As open_restore: what was read, the rest zero; a short read says
     * how long the file is. */
    struct husk_snapshot_header *h = malloc(sizeof(*h));
    ENSURE(h != NULL);
    memset(h, 0, sizeof(*h));
    size_t got = size < sizeof(*h) ? size : sizeof(*h);
    memcpy(h, data, got);
    if (got < sizeof(*h))
        file_size = got;
    char err[512];
    err[0] = '\0';
    if (husk_snapshot_check(h, file_size, err, sizeof(err)) != 0) {
        ENSURE(err[0] != '\0');
        free(h);
        return 0;
    }
    ENSURE(h->mem_size % HUSK_MEM_ALIGN == 0 && h->mem_size <= HUSK_MEM_MAX &&
           h->mem_size > husk_guest_mem_start());
    ENSURE(h->data_offset == HUSK_PAGE_SIZE);
    ENSURE(file_size >=
           h->data_offset + (h->mem_size - husk_guest_mem_start()));
    ENSURE(h->build_id_len > 0 &&
           h->build_id_len <= HUSK_SNAPSHOT_BUILD_ID_MAX);
    ENSURE(h->device_count <= HUSK_DEVICES_MAX);
    static const uint8_t id[20] = {1, 2, 3};
    (void)husk_snapshot_match_image(h, id, sizeof(id), err, sizeof(err));
    /* This run's devices: the snapshot's own (a match), then one changed. */
    struct husk_snapshot_device now[HUSK_DEVICES_MAX];
    memcpy(now, h->devices, sizeof(now));
    ENSURE(husk_snapshot_match_devices(h, now, h->device_count, err,
                                       sizeof(err)) == 0);
    if (h->device_count > 0) {
        now[0].info[0] ^= 1;
        now[0].info_len = HUSK_SNAPSHOT_INFO_MAX;
        ENSURE(husk_snapshot_match_devices(h, now, h->device_count, err,
                                           sizeof(err)) != 0 ||
               h->devices[0].info_len == HUSK_SNAPSHOT_INFO_MAX);
    }
    free(h);
    return 0;
}
