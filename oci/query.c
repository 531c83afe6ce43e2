/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* query.c: the commands that only print: state and features (JSON). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "oci.h"

static void print_json(json_t *o)
{
    char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
    if (text == NULL)
        oci_die("out of memory");
    puts(text);
    free(text);
    json_decref(o);
}

int oci_state_cmd(const struct oci_cli *cli)
{
    struct oci_state st;
    char dir[4096];
    int lock = oci_state_lock(cli->root, cli->id, dir, sizeof(dir));
    oci_state_load(dir, &st);
    enum oci_status s = oci_state_status(&st);
    json_t *ann = json_object();
    for (size_t i = 0; i + 1 < st.annotations.n; i += 2)
        json_object_set_new(ann, st.annotations.v[i],
                            json_string(st.annotations.v[i + 1]));
    /* runc's fields; the pid of a stopped container is 0, as runc says. */
    print_json(json_pack(
        "{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:o}", "ociVersion",
        OCI_SPEC_VERSION, "id", st.id, "status", oci_status_name(s), "pid",
        s == OCI_STOPPED ? 0 : (int)st.pid, "bundle", st.bundle, "rootfs",
        st.rootfs, "created", st.created, "owner", "", "annotations", ann));
    oci_strv_free(&st.annotations);
    close(lock);
    return 0;
}

int oci_features(void)
{
    /* What the runtime-spec's features document lists, restricted to what
     * husk-oci does something with (docs/architecture.md, oci/). */
    print_json(json_pack(
        "{s:s, s:s, s:[], s:[s,s,s], s:{s:[s,s,s,s,s,s,s]}, s:{s:s, s:s}}",
        "ociVersionMin", "1.0.0", "ociVersionMax", OCI_SPEC_VERSION, "hooks",
        "mountOptions", "bind", "rbind", "ro", "linux", "namespaces", "pid",
        "network", "mount", "ipc", "uts", "cgroup", "time", "annotations",
        "org.husk.runtime", "husk-oci", "org.husk.version", OCI_VERSION));
    return 0;
}
