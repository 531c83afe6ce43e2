/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* strv.c: string vectors and one-line error messages, which every other
 * file of the runtime uses (pure). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

static void *must(void *p)
{
    if (p == NULL) {
        fputs("husk-oci: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

void oci_strv_add(struct oci_strv *sv, const char *s)
{
    if (sv->n + 2 > sv->cap) {
        sv->cap = sv->cap == 0 ? 8 : sv->cap * 2;
        sv->v = must(realloc(sv->v, sv->cap * sizeof(*sv->v)));
    }
    sv->v[sv->n++] = must(strdup(s));
    sv->v[sv->n] = NULL;
}

void oci_strv_addf(struct oci_strv *sv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        must(NULL);
    oci_strv_add(sv, s);
    free(s);
}

void oci_strv_free(struct oci_strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    memset(sv, 0, sizeof(*sv));
}

int oci_errorf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    /* Messages quote config.json's strings, which may hold anything: a
     * control byte would break the one-line message (or a terminal). */
    for (char *p = err; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return -1;
}
