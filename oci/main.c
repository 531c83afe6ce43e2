/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * main.c: husk-oci, an OCI runtime for Husk images (docs/architecture.md,
 * "oci/"). Each command is a process of its own, as with runc: the
 * container's record is its state directory (state.c). Exit status 0 on
 * success, 1 with one line on stderr (and in --log) on any failure, as
 * the engines expect of runc.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../monitor/husk.h"
#include "oci.h"

int main(int argc, char *argv[])
{
    struct oci_cli cli;
    char err[OCI_ERR_MAX];
    if (oci_cli_parse(argc, argv, &cli, err, sizeof(err)) != 0) {
        /* --log may have been parsed before the error: use it. */
        oci_log_open(cli.log, cli.log_json);
        oci_die("%s", err);
    }
    oci_log_open(cli.log, cli.log_json);
    switch (cli.command) {
    case OCI_CMD_VERSION:
        printf("husk-oci version %s\nspec: %s\nhusk: %s (Husk ABI %d)\n",
               OCI_VERSION, OCI_SPEC_VERSION, HUSK_VERSION, HUSK_ABI_VERSION);
        return 0;
    case OCI_CMD_HELP:
        fputs(oci_usage(), stdout);
        return 0;
    case OCI_CMD_CREATE:
        return oci_create(&cli);
    case OCI_CMD_START:
        return oci_start(&cli);
    case OCI_CMD_STATE:
        return oci_state_cmd(&cli);
    case OCI_CMD_KILL:
        return oci_kill(&cli);
    case OCI_CMD_DELETE:
        return oci_delete(&cli);
    case OCI_CMD_FEATURES:
        return oci_features();
    case OCI_CMD_NONE:
        break;
    }
    oci_die("no command given (husk-oci --help)");
}
