/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* test_json.c: the JSON writer of monitor/json.c (--stats=json), its
 * output read back by jansson, a parser that is not ours. */
#include <jansson.h>
#include <stdio.h>

#include "husk.h"
#include "unit.h"

/* Parse text strictly (one value, nothing after it) or fail the test. */
static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    if (v == NULL)
        FAIL("not valid JSON (%s at %d): %s", e.text, e.position, text);
    return v;
}

/* s written as a string member, read back by jansson. */
static json_t *round_trip(const char *s, char *buf, size_t size)
{
    struct husk_json j;
    husk_json_init(&j, buf, size);
    husk_json_begin(&j, NULL);
    husk_json_str(&j, "s", s);
    husk_json_end(&j);
    CHECK_EQ(husk_json_finish(&j), 0);
    return parse(buf);
}

TEST(json_nested_objects_and_types)
{
    char buf[512];
    struct husk_json j;
    husk_json_init(&j, buf, sizeof(buf));
    husk_json_begin(&j, NULL);
    husk_json_u64(&j, "big", UINT64_MAX);
    husk_json_i64(&j, "neg", -5);
    husk_json_begin(&j, "empty");
    husk_json_end(&j);
    husk_json_begin(&j, "inner");
    husk_json_bool(&j, "t", true);
    husk_json_null(&j, "n");
    husk_json_end(&j);
    husk_json_str(&j, "after", "x");
    husk_json_end(&j);
    CHECK_EQ(husk_json_finish(&j), 0);
    CHECK_STREQ(buf, "{\"big\":18446744073709551615,\"neg\":-5,\"empty\":{},"
                     "\"inner\":{\"t\":true,\"n\":null},\"after\":\"x\"}\n");
    CHECK_EQ(j.len, strlen(buf));
    /* jansson reads no integer above INT64_MAX: the rest, then. */
    memcpy(buf + 7, "18446744", 8);
    memset(buf + 15, ' ', 12);
    json_decref(parse(buf));
}

TEST(json_escapes)
{
    char buf[256];
    const char *in = "q\"b\\s/n\nt\tr\rc\x01\x1f\x7f end";
    round_trip(in, buf, sizeof(buf));
    CHECK_HAS(buf, "\"q\\\"b\\\\s/n\\nt\\tr\\rc\\u0001\\u001f\\u007f end\"");
    json_t *v = parse(buf);
    CHECK_STREQ(json_string_value(json_object_get(v, "s")), in);
    json_decref(v);
}

TEST(json_utf8_kept)
{
    char buf[256];
    const char *in = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"; /* é € 😀 */
    json_t *v = round_trip(in, buf, sizeof(buf));
    CHECK_STREQ(json_string_value(json_object_get(v, "s")), in);
    json_decref(v);
}

/* Bytes that are not well-formed UTF-8 (a guest's message may hold any):
 * each becomes U+FFFD, and the text stays valid. */
TEST(json_bad_utf8_replaced)
{
    static const char *const bad[] = {
        "\x80",             /* a lone continuation byte */
        "\xc3",             /* cut short at the end */
        "\xc3(",            /* cut short by an ASCII byte */
        "\xc0\xaf",         /* overlong '/' */
        "\xe0\x80\xaf",     /* overlong, three bytes */
        "\xed\xa0\x80",     /* a surrogate, U+D800 */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xff",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char buf[256], in[32];
        snprintf(in, sizeof(in), "a%sb", bad[i]);
        json_t *v = round_trip(in, buf, sizeof(buf));
        const char *out = json_string_value(json_object_get(v, "s"));
        CHECK(out != NULL);
        CHECK(out[0] == 'a' && out[strlen(out) - 1] == 'b');
        CHECK_HAS(out, "\xef\xbf\xbd"); /* U+FFFD */
        json_decref(v);
    }
}

TEST(json_keys_escaped_too)
{
    char buf[128];
    struct husk_json j;
    husk_json_init(&j, buf, sizeof(buf));
    husk_json_begin(&j, NULL);
    husk_json_u64(&j, "a\"b", 1);
    husk_json_end(&j);
    CHECK_EQ(husk_json_finish(&j), 0);
    json_t *v = parse(buf);
    CHECK_EQ(json_integer_value(json_object_get(v, "a\"b")), 1);
    json_decref(v);
}

/* Write {"key":"a fairly long value"} and the newline into size bytes. */
static int write_small(char *buf, size_t size, size_t *len)
{
    struct husk_json j;
    husk_json_init(&j, buf, size);
    husk_json_begin(&j, NULL);
    husk_json_str(&j, "key", "a fairly long value");
    husk_json_end(&j);
    int rc = husk_json_finish(&j);
    *len = j.len;
    return rc;
}

/* Too small a buffer: -1, never a write past it, always NUL-terminated. */
TEST(json_overflow)
{
    char whole[64];
    size_t need;
    CHECK_EQ(write_small(whole, sizeof(whole), &need), 0);
    CHECK_EQ(need, 30);
    for (size_t size = 0; size <= need + 1; size++) {
        char buf[64];
        memset(buf, 'X', sizeof(buf));
        size_t len;
        CHECK_EQ(write_small(buf, size, &len), size > need ? 0 : -1);
        for (size_t i = size; i < sizeof(buf); i++)
            CHECK(buf[i] == 'X');
        if (size > 0)
            CHECK(memchr(buf, '\0', size) != NULL);
    }
}

TEST(json_left_open_is_an_error)
{
    char buf[64];
    struct husk_json j;
    husk_json_init(&j, buf, sizeof(buf));
    husk_json_begin(&j, NULL);
    husk_json_begin(&j, "a");
    husk_json_end(&j);
    CHECK_EQ(husk_json_finish(&j), -1);
}
