/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * microvm_init.c: /init of the Linux microVM baseline's initramfs. Runs
 * /hello (or /sleeper, if the kernel command line passes "sleep" to init)
 * as a child, exactly as a shell would, then reboots: with reboot=t and
 * qemu's -no-reboot that ends qemu at once, so "exit" is the guest's
 * program exiting, not a kernel panic (init must never return).
 */
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    const char *prog = "/hello";
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "sleep") == 0)
            prog = "/sleeper";
    pid_t pid = fork();
    if (pid == 0) {
        execl(prog, prog, (char *)NULL);
        _exit(127);
    }
    int status;
    if (pid > 0)
        waitpid(pid, &status, 0);
    reboot(RB_AUTOBOOT);
    for (;;)
        pause();
}
