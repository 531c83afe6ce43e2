/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * calls.c: the guest's half of embedding (libhusk-host). Functions
 * exported with HUSK_EXPORT (<husk.h>) sit in the section husk_exports;
 * once main() returns, a guest started by an embedder (HUSK_FEATURE_CALLS)
 * serves calls to them, one HUSK_HC_CALL_NEXT per call: it hands back the
 * last call's result and gets the next call in the same exit. Two call
 * areas take turns: a call reads its input from one and writes its output
 * to the other, which then carries the output out and the next input in,
 * so no byte is copied inside the guest. husk_host_call goes the other
 * way, to the embedder's registered functions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "include/husk.h"

/* The linker's bounds of the section (none if nothing is exported). */
extern const struct husk_export __start_husk_exports[] __attribute__((weak));
extern const struct husk_export __stop_husk_exports[] __attribute__((weak));

static husk_export_fn find(const char *name)
{
    for (const struct husk_export *e = __start_husk_exports;
         e != NULL && e < __stop_husk_exports; e++)
        if (e->name != NULL && strcmp(e->name, name) == 0)
            return e->fn;
    return NULL;
}

static uint8_t *area(void)
{
    uint8_t *p = malloc(HUSK_CALL_DATA_MAX);
    if (p == NULL)
        husk_panic("no memory for the call areas");
    return p;
}

int husk_serve_calls(int status)
{
    if (!(husk_boot->features & HUSK_FEATURE_CALLS))
        return status;
    uint8_t *areas[2] = {area(), area()};
    unsigned in = 0; /* the area the next call's input comes into */
    struct husk_hc_call_next a = {
        .buf_gpa = (uintptr_t)areas[in],
        .buf_cap = HUSK_CALL_DATA_MAX,
        .flags = HUSK_CALL_NEXT_FIRST,
    };
    for (;;) {
        /* An embedder may snapshot the guest while it waits here; the
         * restored one starts serving again. */
        if (setjmp(husk_resume_point) != 0) {
            a.flags = HUSK_CALL_NEXT_FIRST;
            a.buf_gpa = (uintptr_t)areas[in];
        }
        husk_resume_arm();
        husk_hypercall(HUSK_HC_CALL_NEXT, &a);
        if (a.what != HUSK_CALL_INVOKE)
            return status; /* the embedder is done */
        char name[HUSK_CALL_NAME_MAX];
        memcpy(name, a.name, sizeof(name));
        name[sizeof(name) - 1] = '\0';
        husk_export_fn fn = find(name);
        uint8_t *out = areas[in ^ 1];
        size_t out_len = 0;
        a.code = 0;
        if (fn == NULL) {
            a.status = HUSK_CALL_NO_FUNCTION;
        } else {
            int rc = fn(areas[in], a.in_len, out, HUSK_CALL_DATA_MAX, &out_len);
            if (out_len > HUSK_CALL_DATA_MAX) {
                a.status = HUSK_CALL_TOO_LARGE;
                out_len = 0;
            } else if (rc != 0) { /* its output says why, if it wrote any */
                a.status = HUSK_CALL_ERROR;
                a.code = rc;
            } else {
                a.status = HUSK_CALL_OK;
            }
        }
        /* The output's area carries it out and the next input in. */
        in ^= 1;
        a.buf_gpa = (uintptr_t)areas[in];
        a.out_len = (uint32_t)out_len;
        a.flags = 0;
    }
}

int husk_host_call(const char *name, const void *in, size_t in_len, void *out,
                   size_t out_cap, size_t *out_len)
{
    *out_len = 0;
    if (!(husk_boot->features & HUSK_FEATURE_CALLS)) {
        errno = ENOENT;
        return -1;
    }
    size_t cap = out_cap > in_len ? out_cap : in_len;
    if (strlen(name) >= HUSK_CALL_NAME_MAX) {
        errno = ENOENT;
        return -1;
    }
    if (cap > HUSK_CALL_DATA_MAX) {
        errno = EMSGSIZE;
        return -1;
    }
    /* One buffer: the input, then the output over it. */
    static uint8_t *buf;
    if (buf == NULL && (buf = malloc(HUSK_CALL_DATA_MAX)) == NULL) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(buf, in, in_len);
    struct husk_hc_host_call a = {
        .buf_gpa = (uintptr_t)buf,
        .buf_cap = (uint32_t)cap,
        .in_len = (uint32_t)in_len,
    };
    strcpy(a.name, name);
    husk_hypercall(HUSK_HC_HOST_CALL, &a);
    switch (a.status) {
    case HUSK_CALL_OK:
        if (a.out_len > out_cap) {
            errno = EMSGSIZE;
            return -1;
        }
        memcpy(out, buf, a.out_len);
        *out_len = a.out_len;
        return 0;
    case HUSK_CALL_NO_FUNCTION:
        errno = ENOENT;
        return -1;
    case HUSK_CALL_TOO_LARGE:
        errno = EMSGSIZE;
        return -1;
    default:
        errno = EIO;
        return -1;
    }
}
