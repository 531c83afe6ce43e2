/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/block/spec.c: what follows --block:NAME= (pure: unit-tested and
 * fuzzed through the command line's harness, tests/fuzz/fuzz_args.c).
 */
#include <string.h>

#include "../../monitor/husk.h"
#include "block.h"

int husk_block_parse_spec(const char *spec, char *path, size_t pathlen,
                          bool *read_only, char *err, size_t errlen)
{
    const char *comma = strchr(spec, ',');
    size_t len = comma ? (size_t)(comma - spec) : strlen(spec);
    *read_only = false;
    if (len == 0)
        return husk_errorf(err, errlen,
                           "no file given (expected FILE or FILE,ro)");
    if (len >= pathlen)
        return husk_errorf(err, errlen, "file name too long");
    if (comma != NULL) {
        if (strcmp(comma + 1, "ro") != 0)
            return husk_errorf(err, errlen,
                               "unknown option '%s' (the only one is ro)",
                               comma + 1);
        *read_only = true;
    }
    memcpy(path, spec, len);
    path[len] = '\0';
    return 0;
}

static int block_check_spec(const char *spec, char *err, size_t errlen)
{
    char path[HUSK_BLOCK_PATH_MAX];
    bool read_only;
    return husk_block_parse_spec(spec, path, sizeof(path), &read_only, err,
                                 errlen);
}

const struct husk_device_kind husk_block_kind = {
    .kind = HUSK_DEVICE_BLOCK,
    .name = "block",
    .spec_name = "FILE",
    .usage = "  --block:NAME=FILE[,ro]  attach block device NAME (declared in\n"
             "                        IMAGE) to FILE, a file or block device;\n"
             "                        ,ro: only for reading\n",
    .check_spec = block_check_spec,
};
