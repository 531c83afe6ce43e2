/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * drivers/console/escape.h: guest console output made safe for a terminal
 * (pure; escape.c explains the rule).
 */
#ifndef HUSK_CONSOLE_ESCAPE_H
#define HUSK_CONSOLE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a guest's output to one terminal stands, between two writes. */
struct husk_tty_state {
    uint8_t pend[4]; /* held back: a UTF-8 character begun, or a '\r' */
    uint8_t npend;
    uint8_t husk;  /* how much of "husk" the last characters spelled */
    bool mid_line; /* something other than '\n' was written last */
};

/* The most one step writes: out must have room for this much. */
#define HUSK_TTY_ESCAPE_MIN 32

/*
 * Escape in[0, len) for a terminal into out[0, cap), cap >=
 * HUSK_TTY_ESCAPE_MIN. Returns how many bytes of in it took (all of them
 * if cap >= 4 * len + HUSK_TTY_ESCAPE_MIN); *out_len is what it wrote.
 */
size_t husk_tty_escape(struct husk_tty_state *st, const uint8_t *in, size_t len,
                       char *out, size_t cap, size_t *out_len);

#endif
