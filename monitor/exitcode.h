/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * exitcode.h: every exit status the monitor itself chooses. A guest that
 * exits normally passes its own status (0..255) through unchanged, so a
 * unikernel behaves like a process to the shell that ran it. The codes
 * below follow the shell's 128+signal habit where one fits.
 */
#ifndef HUSK_EXITCODE_H
#define HUSK_EXITCODE_H

enum husk_exit_code {
    HUSK_EXIT_TIMEOUT = 124,   /* --timeout expired (as timeout(1)) */
    HUSK_EXIT_MONITOR = 125,   /* usage, missing file, bad image, KVM error */
    HUSK_EXIT_ABORT = 134,     /* the guest called abort (128 + SIGABRT) */
    HUSK_EXIT_CRASH = 139,     /* the guest faulted (128 + SIGSEGV) */
    HUSK_EXIT_VIOLATION = 159, /* the guest broke the ABI (128 + SIGSYS) */
};

#define HUSK_EXIT_CODES_HELP                                          \
    "Exit status: the guest's own status (0-255) when it exits;\n"    \
    "124 --timeout expired; 125 monitor error (usage, image, KVM);\n" \
    "134 guest abort; 139 guest crash; 159 guest ABI violation;\n"    \
    "128+N stopped by signal N (SIGTERM, SIGINT, SIGHUP: after the\n" \
    "--stats report).\n"

#endif
