/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* test_escape.c: the console's rule for terminals (drivers/console/escape.c). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "../../drivers/console/escape.h"
#include "husk.h"
#include "unit.h"

/* Escape the writes in order, with one state, into a string. */
static const char *escape_writes(struct husk_tty_state *st,
                                 const char *const writes[], size_t count)
{
    static char all[8192];
    size_t n = 0;
    for (size_t w = 0; w < count; w++) {
        const uint8_t *in = (const uint8_t *)writes[w];
        size_t len = strlen(writes[w]), done = 0;
        while (done < len) {
            char out[HUSK_TTY_ESCAPE_MIN];
            size_t out_len;
            size_t took = husk_tty_escape(st, in + done, len - done, out,
                                          sizeof(out), &out_len);
            if (n + out_len >= sizeof(all))
                FAIL("output too long");
            memcpy(all + n, out, out_len);
            n += out_len;
            done += took;
        }
    }
    all[n] = '\0';
    return all;
}

static const char *escape1(const char *s)
{
    struct husk_tty_state st = {0};
    return escape_writes(&st, &s, 1);
}

TEST(escape_plain_text_passes)
{
    CHECK_STREQ(escape1("hello, world\n\tindented\n"),
                "hello, world\n\tindented\n");
    CHECK_STREQ(escape1("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82\n"),
                "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82\n");
}

TEST(escape_terminal_controls)
{
    /* Erase the line above, hide what follows, set the title, write
     * the clipboard, plant a link: none reaches the terminal. */
    CHECK_STREQ(escape1("\x1b[1A\x1b[2K"), "\\x1b[1A\\x1b[2K");
    CHECK_STREQ(escape1("\x1b[8m"), "\\x1b[8m");
    CHECK_STREQ(escape1("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
    CHECK_STREQ(escape1("\x1b]52;c;aGk=\x1b\\"), "\\x1b]52;c;aGk=\\x1b\\");
    CHECK_STREQ(escape1("\x1b]8;;http://x\x07y"), "\\x1b]8;;http://x\\x07y");
    CHECK_STREQ(escape1("a\bb\x7f\x00"), "a\\x08b\\x7f");
    /* C1 controls: raw (CSI 0x9b for a terminal not in UTF-8) and
     * encoded (U+009B). */
    CHECK_STREQ(escape1("\x9b"
                        "2J"),
                "\\x9b2J");
    CHECK_STREQ(escape1("\xc2\x9b"
                        "2J"),
                "\\xc2\\x9b2J");
}

TEST(escape_nul_and_every_control)
{
    struct husk_tty_state st = {0};
    for (unsigned b = 0; b < 0x20; b++) {
        if (b == '\n' || b == '\t' || b == '\r')
            continue;
        uint8_t in = (uint8_t)b;
        char out[HUSK_TTY_ESCAPE_MIN], want[8];
        size_t out_len;
        CHECK_EQ(husk_tty_escape(&st, &in, 1, out, sizeof(out), &out_len), 1);
        snprintf(want, sizeof(want), "\\x%02x", b);
        CHECK_EQ(out_len, 4);
        CHECK(memcmp(out, want, 4) == 0);
    }
}

TEST(escape_invalid_utf8)
{
    CHECK_STREQ(escape1("\xff\xfe"), "\\xff\\xfe");
    CHECK_STREQ(escape1("\xc0\xaf"), "\\xc0\\xaf");          /* overlong '/' */
    CHECK_STREQ(escape1("\xe0\x80\x9b"), "\\xe0\\x80\\x9b"); /* overlong */
    CHECK_STREQ(escape1("\xed\xa0\x80"), "\\xed\\xa0\\x80"); /* surrogate */
    CHECK_STREQ(escape1("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
    CHECK_STREQ(escape1("\xe2\x82x"), "\\xe2\\x82x"); /* cut short */
    CHECK_STREQ(escape1("\x80x"), "\\x80x");
}

TEST(escape_invisible_characters)
{
    /* Zero-width space, right-to-left override, BOM: all show. */
    CHECK_STREQ(escape1("a\xe2\x80\x8b"
                        "b"),
                "a\\xe2\\x80\\x8bb");
    CHECK_STREQ(escape1("\xe2\x80\xae"
                        "x"),
                "\\xe2\\x80\\xaex");
    CHECK_STREQ(escape1("\xef\xbb\xbf"), "\\xef\\xbb\\xbf");
}

TEST(escape_carriage_return)
{
    CHECK_STREQ(escape1("line\r\n"), "line\r\n");
    CHECK_STREQ(escape1("    :\rhusk"), "    :\\x0dhusk");
    /* Split by the end of a write: decided by the next one. */
    struct husk_tty_state st = {0};
    const char *crlf[] = {"line\r", "\nnext\r", "x"};
    CHECK_STREQ(escape_writes(&st, crlf, 3), "line\r\nnext\\x0dx");
}

TEST(escape_husk_prefix_is_marked)
{
    CHECK_STREQ(escape1("husk: guest stopped: forged\n"),
                "husk\\x3a guest stopped: forged\n");
    CHECK_STREQ(escape1("xx husk: y"), "xx husk\\x3a y");
    CHECK_STREQ(escape1("hhusk:"), "hhusk\\x3a");
    CHECK_STREQ(escape1("husk :husk"), "husk :husk");
    /* Across writes, one byte at a time. */
    struct husk_tty_state st = {0};
    const char *bytes[] = {"h", "u", "s", "k", ":", " x\n"};
    CHECK_STREQ(escape_writes(&st, bytes, 6), "husk\\x3a x\n");
    /* An invisible character in between does not hide it. */
    CHECK_STREQ(escape1("husk\xe2\x80\x8b:"), "husk\\xe2\\x80\\x8b:");
}

TEST(escape_utf8_split_across_writes)
{
    struct husk_tty_state st = {0};
    const char *parts[] = {"\xe2", "\x82", "\xac!", "\xc2", "\x9b"};
    CHECK_STREQ(escape_writes(&st, parts, 5), "\xe2\x82\xac!\\xc2\\x9b");
    /* A valid start then something else: each byte escaped. */
    struct husk_tty_state st2 = {0};
    const char *bad[] = {"\xe2\x82", "A"};
    CHECK_STREQ(escape_writes(&st2, bad, 2), "\\xe2\\x82A");
}

TEST(escape_tracks_the_line)
{
    struct husk_tty_state st = {0};
    CHECK(!st.mid_line);
    escape_writes(&st, (const char *[]){"partial"}, 1);
    CHECK(st.mid_line);
    escape_writes(&st, (const char *[]){"line\n"}, 1);
    CHECK(!st.mid_line);
    escape_writes(&st, (const char *[]){"\x1b"}, 1);
    CHECK(st.mid_line);
    escape_writes(&st, (const char *[]){"\r\n"}, 1);
    CHECK(!st.mid_line);
}

TEST(escape_takes_what_fits)
{
    /* A small buffer takes part of the input; the rest comes next. */
    static uint8_t in[1000];
    memset(in, 0x1b, sizeof(in));
    struct husk_tty_state st = {0};
    char out[HUSK_TTY_ESCAPE_MIN];
    size_t out_len;
    size_t took =
        husk_tty_escape(&st, in, sizeof(in), out, sizeof(out), &out_len);
    CHECK(took > 0 && took < sizeof(in));
    CHECK_EQ(out_len, took * 4);
    /* With room for everything, everything. */
    static char big[4 * sizeof(in) + HUSK_TTY_ESCAPE_MIN];
    CHECK_EQ(husk_tty_escape(&st, in, sizeof(in), big, sizeof(big), &out_len),
             sizeof(in));
    CHECK_EQ(out_len, 4 * sizeof(in));
}

TEST(escape_every_byte_never_emits_a_control)
{
    /* All 256 bytes, then all pairs: no byte < 0x20 but \t, \n, \r
     * (only before \n), no DEL, no ESC, no C1 byte outside a valid
     * multi-byte character. */
    static uint8_t in[256 + 2 * 256 * 256];
    size_t n = 0;
    for (unsigned b = 0; b < 256; b++)
        in[n++] = (uint8_t)b;
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++) {
            in[n++] = (uint8_t)a;
            in[n++] = (uint8_t)b;
        }
    static char out[4 * sizeof(in) + HUSK_TTY_ESCAPE_MIN];
    struct husk_tty_state st = {0};
    size_t out_len;
    CHECK_EQ(husk_tty_escape(&st, in, n, out, sizeof(out), &out_len), n);
    for (size_t i = 0; i < out_len; i++) {
        uint8_t c = (uint8_t)out[i];
        if (c == '\r')
            CHECK(i + 1 < out_len && out[i + 1] == '\n');
        else
            CHECK(c >= 0x20 || c == '\n' || c == '\t');
        CHECK(c != 0x7f);
        if (c == 0xc2 && i + 1 < out_len)
            CHECK((uint8_t)out[i + 1] > 0x9f);
    }
    CHECK(strstr(out, "husk:") == NULL);
}

/* A write blocked on a full pipe ends when a stop comes (stop.c). */
static void on_alarm(int sig)
{
    husk_note_signal(sig);
}

TEST(stop_ends_a_blocked_write)
{
    int p[2];
    CHECK(pipe(p) == 0);
    struct sigaction sa = {.sa_handler = on_alarm};
    CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
    husk_stop_block_signals();
    static char buf[1 << 20];
    alarm(1);
    errno = 0;
    ssize_t n = husk_stop_write(p[1], buf, sizeof(buf)); /* fills, blocks */
    CHECK_EQ(n, -1);
    CHECK_EQ(errno, EINTR);
    CHECK(husk_stop_requested());
    /* And the next one does not even start. */
    CHECK_EQ(husk_stop_write(p[1], buf, 1), -1);
    CHECK_EQ(husk_stop_signal(), SIGALRM);
}
