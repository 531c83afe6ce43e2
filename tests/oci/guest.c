/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * guest.c: the image tests/oci-suite.sh runs in containers. Its first
 * argument says what to do:
 *   echo ARGS...     print "argv: ARGS" and "env NAME=VALUE" for OCI_TEST,
 *                    and "to stderr" on stderr; exit 0
 *   exit N           exit with status N
 *   sleep SECONDS    print "ready", then sleep (a SIGTERM to the monitor
 *                    stops it: the container ends with 143)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    if (argc >= 2 && strcmp(argv[1], "echo") == 0) {
        printf("argv:");
        for (int i = 2; i < argc; i++)
            printf(" %s", argv[i]);
        printf("\n");
        const char *v = getenv("OCI_TEST");
        printf("env OCI_TEST=%s\n", v != NULL ? v : "(unset)");
        fprintf(stderr, "to stderr\n");
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "exit") == 0)
        return atoi(argv[2]);
    if (argc == 3 && strcmp(argv[1], "sleep") == 0) {
        printf("ready\n");
        fflush(stdout);
        sleep((unsigned)atoi(argv[2]));
        printf("slept\n");
        return 0;
    }
    fprintf(stderr, "usage: guest echo ARGS... | exit N | sleep SECONDS\n");
    return 2;
}
