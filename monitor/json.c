/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * json.c: a JSON object writer into a caller's buffer (pure). For the
 * --stats=json report, which is written after the seccomp filter is
 * armed: no allocation, no system call, and a result that is valid JSON
 * whatever bytes a string holds (a guest's message may hold any).
 */
#include <stdio.h>
#include <string.h>

#include "husk.h"

void husk_json_init(struct husk_json *j, char *buf, size_t size)
{
    j->buf = buf;
    j->size = size;
    j->len = 0;
    j->depth = 0;
    j->first = true;
    j->overflow = size == 0;
    if (size > 0)
        buf[0] = '\0';
}

static void put(struct husk_json *j, const char *s, size_t n)
{
    /* Keep one byte for the NUL; past the end, note it and stop. */
    if (j->overflow || n >= j->size - j->len) {
        j->overflow = true;
        return;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void put_str(struct husk_json *j, const char *s)
{
    put(j, s, strlen(s));
}

/*
 * The length of the well-formed UTF-8 sequence at s (n bytes left), or 0
 * if it is not one: a stray continuation byte, a truncated sequence, an
 * overlong form, a surrogate or a code point above U+10FFFF (RFC 3629).
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* s as a JSON string: quoted, with '"', '\\' and the control characters
 * escaped, and each byte that is not part of well-formed UTF-8 replaced
 * by U+FFFD (JSON text must be UTF-8, RFC 8259 section 8.1). */
static void put_string(struct husk_json *j, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    put(j, "\"", 1);
    while (n > 0) {
        char esc[8];
        size_t len = utf8_len(p, n);
        if (len == 0) {
            put_str(j, "\\ufffd");
            len = 1;
        } else if (*p == '"' || *p == '\\') {
            esc[0] = '\\', esc[1] = (char)*p;
            put(j, esc, 2);
        } else if (*p == '\n') {
            put_str(j, "\\n");
        } else if (*p == '\t') {
            put_str(j, "\\t");
        } else if (*p == '\r') {
            put_str(j, "\\r");
        } else if (*p < 0x20 || *p == 0x7f) {
            /* DEL is legal JSON, but a terminal would act on it. */
            snprintf(esc, sizeof(esc), "\\u%04x", *p);
            put_str(j, esc);
        } else {
            put(j, (const char *)p, len);
        }
        p += len;
        n -= len;
    }
    put(j, "\"", 1);
}

/* The separator before a member, and its key (none at the top level). */
static void member(struct husk_json *j, const char *key)
{
    if (!j->first)
        put(j, ",", 1);
    j->first = false;
    if (key != NULL) {
        put_string(j, key);
        put(j, ":", 1);
    }
}

void husk_json_begin(struct husk_json *j, const char *key)
{
    member(j, key);
    put(j, "{", 1);
    j->depth++;
    j->first = true;
}

void husk_json_end(struct husk_json *j)
{
    put(j, "}", 1);
    if (j->depth > 0)
        j->depth--;
    j->first = false;
}

void husk_json_u64(struct husk_json *j, const char *key, uint64_t v)
{
    char num[24];
    member(j, key);
    snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
    put_str(j, num);
}

void husk_json_i64(struct husk_json *j, const char *key, int64_t v)
{
    char num[24];
    member(j, key);
    snprintf(num, sizeof(num), "%lld", (long long)v);
    put_str(j, num);
}

void husk_json_str(struct husk_json *j, const char *key, const char *s)
{
    member(j, key);
    put_string(j, s);
}

void husk_json_bool(struct husk_json *j, const char *key, bool b)
{
    member(j, key);
    put_str(j, b ? "true" : "false");
}

void husk_json_null(struct husk_json *j, const char *key)
{
    member(j, key);
    put_str(j, "null");
}

int husk_json_finish(struct husk_json *j)
{
    if (j->depth != 0)
        j->overflow = true; /* a bug: an object left open */
    put(j, "\n", 1);
    return j->overflow ? -1 : 0;
}
