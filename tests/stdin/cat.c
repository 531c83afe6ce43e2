/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * tests/stdin/cat.c: copy fd 0 to fd 1 until end of file, as cat(1) does
 * (tests/stdin-suite.sh). With "stdio", through stdio (fread, musl's
 * readv of a buffer), with "small", 1 byte per read; else read(2) of 64
 * KiB. Exits 0 at the end of file, 3 on a read error, 4 on a write error.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(1, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static char buf[65536];
    const char *mode = argc > 1 ? argv[1] : "read";
    if (strcmp(mode, "stdio") == 0) {
        size_t n;
        while ((n = fread(buf, 1, 1000, stdin)) > 0)
            if (fwrite(buf, 1, n, stdout) != n)
                return 4;
        return ferror(stdin) ? 3 : 0;
    }
    size_t chunk = strcmp(mode, "small") == 0 ? 1 : sizeof(buf);
    for (;;) {
        ssize_t n = read(0, buf, chunk);
        if (n == 0)
            return 0;
        if (n < 0) {
            perror("read");
            return 3;
        }
        if (write_all(buf, (size_t)n) != 0)
            return 4;
    }
}
