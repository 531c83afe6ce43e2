/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* test_block_spec.c: what follows --block:NAME= (drivers/block/spec.c). */
#include <string.h>

#include "../../drivers/block/block.h"
#include "unit.h"

static char path[64], err[128];
static bool ro;

static int parse(const char *spec)
{
    return husk_block_parse_spec(spec, path, sizeof(path), &ro, err,
                                 sizeof(err));
}

TEST(block_spec_file)
{
    CHECK_EQ(parse("data.img"), 0);
    CHECK_STREQ(path, "data.img");
    CHECK(!ro);
    CHECK_EQ(parse("/dev/vdb,ro"), 0);
    CHECK_STREQ(path, "/dev/vdb");
    CHECK(ro);
}

TEST(block_spec_errors)
{
    CHECK_EQ(parse(""), -1);
    CHECK(strstr(err, "no file given") != NULL);
    CHECK_EQ(parse(",ro"), -1);
    CHECK(strstr(err, "no file given") != NULL);
    CHECK_EQ(parse("x,rw"), -1);
    CHECK(strstr(err, "unknown option 'rw'") != NULL);
    CHECK_EQ(parse("x,ro,ro"), -1);
    char longer[80];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    CHECK_EQ(parse(longer), -1);
    CHECK(strstr(err, "too long") != NULL);
}
