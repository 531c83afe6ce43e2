/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * json_guest.c: the embedding example's guest (docs/embedding.md). It
 * exports "validate": its input is a JSON text, parsed by cJSON (Debian's
 * cjson source, built with husk-cc: examples/embed/build.sh); its output
 * "ok" and 0, or code 1 and where and why the text is not JSON (a failed
 * call's output reaches the host with its code).
 * A host program (json_host.c) calls it through libhusk-host, so a
 * parser bug an attacker's document finds stays inside the sandbox.
 */
#include <husk.h>
#include <stdio.h>
#include <string.h>

#include "cJSON.h"

/* The invalid document's code: what husk_sandbox_code gives the host. */
#define INVALID 1

static int validate(const void *in, size_t in_len, void *out, size_t out_cap,
                    size_t *out_len)
{
    const char *text = in, *end = NULL;
    /* Not NUL-terminated: the length bounds the parse. */
    cJSON *doc = cJSON_ParseWithLengthOpts(text, in_len, &end, 0);
    int n;
    if (doc != NULL) {
        cJSON_Delete(doc);
        n = snprintf(out, out_cap, "ok");
    } else {
        size_t at = end != NULL && end >= text && end <= text + in_len
                        ? (size_t)(end - text)
                        : in_len;
        /* What is there: up to 16 bytes from the error, printable. */
        char near[17];
        size_t k = 0;
        for (; k < 16 && at + k < in_len; k++) {
            char c = text[at + k];
            near[k] = c >= 0x20 && c < 0x7f ? c : '.';
        }
        near[k] = '\0';
        n = snprintf(out, out_cap, "invalid JSON at byte %zu of %zu: %s%s%s",
                     at, in_len, k > 0 ? "near \"" : "at the end", near,
                     k > 0 ? "\"" : "");
    }
    if (n < 0)
        return 2;
    *out_len = (size_t)n < out_cap ? (size_t)n : out_cap;
    return doc != NULL ? 0 : INVALID;
}
HUSK_EXPORT("validate", validate);

int main(void)
{
    /* Nothing to initialise: cJSON uses malloc and free as they are. */
    return 0;
}
