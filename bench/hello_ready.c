/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * hello_ready.c: bench/hello.c with a snapshot point, for bench/snapshot.
 * It calls husk_ready() first thing, so that `husk --snapshot-to` stores
 * a guest that has done nothing yet and `husk --restore` measures what a
 * restore itself costs, then prints "hello, world" and exits 0.
 *
 *   hello_ready.husk              print, exit
 *   hello_ready.husk idle [SECS]  print, then sleep SECS (default 600):
 *                                 an idle instance for the memory group
 *
 * The arguments are the first start's: a restored instance has them from
 * the snapshot, so the idle snapshot is taken with "idle".
 */
#include <husk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    husk_ready();
    printf("hello, world\n");
    if (argc > 1 && strcmp(argv[1], "idle") == 0) {
        unsigned seconds = argc > 2 ? (unsigned)atoi(argv[2]) : 600;
        fflush(stdout);
        sleep(seconds);
    }
    return 0;
}
