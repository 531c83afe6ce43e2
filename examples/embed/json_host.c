/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * json_host.c: the embedding example's host (docs/embedding.md). It
 * starts json_guest.husk in a sandbox through libhusk-host and has it
 * validate a few JSON documents (a valid one, invalid ones, a large
 * one), then any files named after the image; one line per document:
 *   NAME: ok (BYTES bytes)
 *   NAME: invalid (code C): invalid JSON at byte N of BYTES: ...
 * Usage: json_host IMAGE [BACKEND [FILE...]]; the husk command is $HUSK,
 * else husk on $PATH. Exits 0 if every built-in document came out as
 * expected (and every file was read), 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk-host.h"

static int mismatches;

/* Validate len bytes of doc in sb and print the verdict; want_ok -1 for
 * no expectation. */
static void check(struct husk_sandbox *sb, const char *name, const char *doc,
                  size_t len, int want_ok)
{
    char out[256];
    size_t n = 0;
    int r =
        husk_sandbox_call(sb, "validate", doc, len, out, sizeof(out) - 1, &n);
    out[r == HUSK_OK || r == HUSK_ERR_GUEST ? n : 0] = '\0';
    int ok = r == HUSK_OK;
    if (r == HUSK_OK) {
        printf("%s: %s (%zu bytes)\n", name, out, len);
    } else if (r == HUSK_ERR_GUEST) {
        /* The guest's message comes with its code. */
        printf("%s: invalid (code %d): %s\n", name, husk_sandbox_code(sb), out);
    } else
        printf("%s: call failed: %s %s\n", name, husk_result_name(r),
               husk_sandbox_report(sb));
    if (want_ok >= 0 &&
        (ok != want_ok || (r != HUSK_OK && r != HUSK_ERR_GUEST))) {
        printf("%s: expected %s\n", name, want_ok ? "ok" : "invalid");
        mismatches++;
    }
}

/* A valid document of about `bytes` bytes: an array of records. */
static char *large_doc(size_t bytes, size_t *len)
{
    char *s = malloc(bytes + 256);
    if (s == NULL)
        return NULL;
    size_t n = 0;
    s[n++] = '[';
    for (unsigned i = 0; n < bytes; i++)
        n += (size_t)sprintf(s + n,
                             "%s{\"id\":%u,\"name\":\"item %u\",\"tags\":"
                             "[\"a\",\"b\"],\"price\":%u.%02u,\"ok\":true}",
                             i > 0 ? "," : "", i, i, i % 1000, i % 100);
    s[n++] = ']';
    *len = n;
    return s;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: json_host IMAGE [BACKEND [FILE...]]\n");
        return 2;
    }
    struct husk_sandbox_options o = {
        .backend = argc > 2 ? argv[2] : NULL,
        .mem_bytes = 64 << 20,
        .call_timeout_ms = 5000,
    };
    char err[512];
    struct husk_sandbox *sb = husk_sandbox_new(argv[1], &o, err, sizeof(err));
    if (sb == NULL) {
        fprintf(stderr, "json_host: %s\n", err);
        return 1;
    }

    static const struct {
        const char *name, *doc;
        int ok;
    } docs[] = {
        {"object", "{\"name\": \"husk\", \"tags\": [1, 2.5, null, true]}", 1},
        {"trailing_comma", "{\"a\": 1, \"b\": [1, 2,]}", 0},
        {"truncated", "{\"a\": [1, 2", 0},
        {"bare_word", "[1, 2, nope]", 0},
        {"empty", "", 0},
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
        check(sb, docs[i].name, docs[i].doc, strlen(docs[i].doc), docs[i].ok);

    /* Large: about 900 KiB (a call carries at most 1 MiB each way), then
     * the same with one byte broken near its end. */
    size_t len;
    char *big = large_doc(900 * 1024, &len);
    if (big == NULL) {
        fprintf(stderr, "json_host: out of memory\n");
        return 1;
    }
    check(sb, "large", big, len, 1);
    big[len - 2] = ','; /* the last record's closing brace */
    check(sb, "large_broken", big, len, 0);
    free(big);

    /* Files named on the command line: no expectation. */
    for (int i = 3; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        static char buf[HUSK_SANDBOX_DATA_MAX];
        size_t n = f != NULL ? fread(buf, 1, sizeof(buf), f) : 0;
        if (f == NULL || ferror(f)) {
            printf("%s: cannot read it\n", argv[i]);
            mismatches++;
        } else {
            check(sb, argv[i], buf, n, -1);
        }
        if (f != NULL)
            fclose(f);
    }
    husk_sandbox_free(sb);
    return mismatches != 0;
}
