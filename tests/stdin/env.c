/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * tests/stdin/env.c: the guest's environment (husk --env, tests/stdin-
 * suite.sh). Prints "envc=N" (as main's envp and environ agree, else
 * exits 1), then each entry on its own line, then getenv of each argument
 * as "NAME=[value]" or "NAME unset"; setenv must work on it.
 */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv, char **envp)
{
    if (envp != environ)
        return 1;
    int n = 0;
    while (envp[n] != NULL)
        n++;
    printf("envc=%d\n", n);
    for (int i = 0; i < n; i++)
        printf("%s\n", envp[i]);
    for (int i = 1; i < argc; i++) {
        const char *v = getenv(argv[i]);
        if (v != NULL)
            printf("%s=[%s]\n", argv[i], v);
        else
            printf("%s unset\n", argv[i]);
    }
    if (setenv("HUSK_TEST_SET", "1", 1) != 0 || getenv("HUSK_TEST_SET") == NULL)
        return 1;
    if (n > 0 && setenv(envp[0][0] == 'A' ? "A" : "B", "x", 1) != 0)
        return 1;
    return 0;
}
