/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/console/escape.c: what of a guest's console output reaches a
 * terminal as it is. A terminal obeys the bytes it is sent: escape
 * sequences move the cursor, erase lines, hide text (ESC[8m), set the
 * window title, write the clipboard (OSC 52), plant links (OSC 8). The
 * guest must not be able to do any of that, nor pass its lines off as the
 * monitor's. To a pipe or a file the output goes unchanged (console/host.c
 * decides which, once); to a terminal, this rule applies:
 *
 * - Printable ASCII, '\n' and '\t' pass; so does valid UTF-8.
 * - Every other C0 control, DEL, every C1 control (U+0080-U+009F, and the
 *   bytes 0x80-0x9f that a terminal not in UTF-8 takes as C1), invalid or
 *   overlong UTF-8, surrogates, and the characters that print as nothing
 *   (zero-width spaces and joiners, bidirectional overrides, the BOM,
 *   variation selectors, tags: Unicode's default-ignorable set) are shown
 *   as \xHH, one per byte. The cursor then only moves forward, and never
 *   onto what was written before; nothing is invisible.
 * - '\r' passes only as the first half of "\r\n" (which looks like '\n');
 *   alone it is shown as \x0d. A '\r' would move the cursor back over the
 *   line, and text written over the start of it could combine with what
 *   stays after it into something the guest never wrote in one piece.
 * - "husk:" is shown as "husk\x3a": whatever the guest writes, a terminal
 *   shows "husk:" only in the monitor's own lines (monitor/log.c), even
 *   where a long guest line wraps and puts it at the start of a row.
 *
 * The state between two writes: a '\r' or a UTF-8 character split by the
 * end of a write is held back and decided by the next write, and how much
 * of "husk" was just written. A backslash passes as it is, so a guest can
 * print text that looks like an escape; it cannot print a control.
 * Not caught: look-alike characters of other scripts (a Cyrillic "һ" in
 * "һusk:"). The monitor's own lines start at column 0 (log.c), so a guest
 * line cannot be joined onto one of them either.
 */
#include <string.h>

#include "escape.h"

static const char hex[] = "0123456789abcdef";

static size_t put_hex(char *out, uint8_t b)
{
    out[0] = '\\';
    out[1] = 'x';
    out[2] = hex[b >> 4];
    out[3] = hex[b & 15];
    return 4;
}

/* The length of the UTF-8 character at p[0, n) with its code point in
 * *cp; 0 if p is a valid start that n cuts short; -1 if p[0] starts no
 * valid character (a stray continuation, 0xc0, 0xc1, 0xf5-0xff, a bad
 * continuation, an overlong form, a surrogate, beyond U+10FFFF). */
static int utf8_decode(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t b = p[0];
    int len;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b >= 0xc2 && b <= 0xdf)
        len = 2, c = b & 0x1f, min = 0x80;
    else if (b >= 0xe0 && b <= 0xef)
        len = 3, c = b & 0x0f, min = 0x800;
    else if (b >= 0xf0 && b <= 0xf4)
        len = 4, c = b & 0x07, min = 0x10000;
    else
        return -1;
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n)
            return 0;
        if ((p[i] & 0xc0) != 0x80)
            return -1;
        c = c << 6 | (p[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return -1;
    *cp = c;
    return len;
}

/* Controls and the characters a terminal shows as nothing. */
static bool hidden(uint32_t c)
{
    static const struct {
        uint32_t lo, hi;
    } ranges[] = {
        {0x00, 0x1f},       {0x7f, 0x9f},       {0xad, 0xad},
        {0x34f, 0x34f},     {0x61c, 0x61c},     {0x115f, 0x1160},
        {0x17b4, 0x17b5},   {0x180b, 0x180f},   {0x200b, 0x200f},
        {0x2028, 0x202e},   {0x2060, 0x206f},   {0x3164, 0x3164},
        {0xfe00, 0xfe0f},   {0xfeff, 0xfeff},   {0xffa0, 0xffa0},
        {0xfff0, 0xfffb},   {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a},
        {0xe0000, 0xe0fff},
    };
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        if (c >= ranges[i].lo && c <= ranges[i].hi)
            return true;
    return false;
}

/* One character, p[0, len) = code point c, into out; returns its size. */
static size_t put_char(struct husk_tty_state *st, const uint8_t *p, size_t len,
                       uint32_t c, char *out)
{
    size_t o = 0;
    st->mid_line = c != '\n';
    if (c == '\n' || c == '\t') {
        out[0] = (char)c;
        st->husk = 0;
        return 1;
    }
    if (hidden(c)) {
        for (size_t i = 0; i < len; i++)
            o += put_hex(out + o, p[i]);
        st->husk = 0;
        return o;
    }
    if (c == ':' && st->husk == 4) {
        st->husk = 0;
        return put_hex(out, ':');
    }
    memcpy(out, p, len);
    if (c == (uint32_t) "husk"[st->husk])
        st->husk++;
    else
        st->husk = c == 'h';
    return len;
}

/* Escape what is held back, as it stands (it will not be completed). */
static size_t put_pending(struct husk_tty_state *st, char *out)
{
    size_t o = 0;
    for (unsigned i = 0; i < st->npend; i++)
        o += put_hex(out + o, st->pend[i]);
    st->npend = 0;
    st->husk = 0;
    st->mid_line = true;
    return o;
}

/* Decide what is held back with the start of in; returns bytes taken. */
static size_t resolve_pending(struct husk_tty_state *st, const uint8_t *in,
                              size_t len, char *out, size_t *o)
{
    if (st->pend[0] == '\r') {
        if (in[0] != '\n') {
            *o += put_pending(st, out + *o);
            return 0;
        }
        memcpy(out + *o, "\r\n", 2);
        *o += 2;
        st->npend = 0;
        st->husk = 0;
        st->mid_line = false;
        return 1;
    }
    uint8_t tmp[4];
    size_t have = st->npend;
    size_t take = len < sizeof(tmp) - have ? len : sizeof(tmp) - have;
    memcpy(tmp, st->pend, have);
    memcpy(tmp + have, in, take);
    uint32_t c;
    int n = utf8_decode(tmp, have + take, &c);
    if (n == 0) { /* still short: all of in is part of it */
        memcpy(st->pend + have, in, take);
        st->npend = (uint8_t)(have + take);
        return take;
    }
    if (n < 0) {
        *o += put_pending(st, out + *o);
        return 0;
    }
    st->npend = 0;
    *o += put_char(st, tmp, (size_t)n, c, out + *o);
    return (size_t)n - have;
}

size_t husk_tty_escape(struct husk_tty_state *st, const uint8_t *in, size_t len,
                       char *out, size_t cap, size_t *out_len)
{
    size_t i = 0, o = 0;
    while (i < len && cap - o >= HUSK_TTY_ESCAPE_MIN) {
        if (st->npend > 0) {
            i += resolve_pending(st, in + i, len - i, out, &o);
            continue;
        }
        if (in[i] == '\r') {
            if (i + 1 < len && in[i + 1] == '\n') {
                memcpy(out + o, "\r\n", 2);
                o += 2;
                i += 2;
                st->husk = 0;
                st->mid_line = false;
            } else if (i + 1 < len) {
                o += put_hex(out + o, '\r');
                i++;
                st->husk = 0;
                st->mid_line = true;
            } else { /* the next write says whether '\n' follows */
                st->pend[0] = '\r';
                st->npend = 1;
                i++;
            }
            continue;
        }
        uint32_t c;
        int n = utf8_decode(in + i, len - i, &c);
        if (n > 0) {
            o += put_char(st, in + i, (size_t)n, c, out + o);
            i += (size_t)n;
        } else if (n == 0) { /* cut by the end of this write */
            memcpy(st->pend, in + i, len - i);
            st->npend = (uint8_t)(len - i);
            i = len;
        } else {
            o += put_hex(out + o, in[i]);
            i++;
            st->husk = 0;
            st->mid_line = true;
        }
    }
    *out_len = o;
    return i;
}
