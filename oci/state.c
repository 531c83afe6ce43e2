/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * state.c: a container's record, <root>/<id>/state.json, which every
 * command reads (each runs as a process of its own). The status is not
 * stored but found, as runc does: the process gone (or another process
 * under its pid, told by its start time) means stopped; the exec fifo
 * still there means created (start removes it); else running. So a
 * container whose monitor crashed, or was killed, reads as stopped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"

/* mkdir -p: containerd's shim names a root per namespace under its own. */
static int make_dirs(const char *path)
{
    char buf[4096];
    if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

void oci_state_path(const char *root, const char *id, char *dir, size_t len)
{
    if (make_dirs(root) != 0)
        oci_die("cannot make the state directory %s: %s (give another with "
                "--root)",
                root, strerror(errno));
    if ((size_t)snprintf(dir, len, "%s/%s", root, id) >= len)
        oci_die("the state path %s/%s is too long", root, id);
}

static int lock_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    /* Commands on one container take turns: start racing delete must
     * not see half of the other's work. */
    while (flock(fd, LOCK_EX) != 0)
        if (errno != EINTR)
            oci_die("cannot lock %s: %s", dir, strerror(errno));
    return fd;
}

int oci_state_make(const char *root, const char *id, char *dir, size_t len)
{
    oci_state_path(root, id, dir, len);
    if (mkdir(dir, 0700) != 0) {
        if (errno == EEXIST)
            oci_die("container '%s' already exists (delete it first: "
                    "husk-oci delete %s)",
                    id, id);
        oci_die("cannot make %s: %s", dir, strerror(errno));
    }
    int fd = lock_dir(dir);
    if (fd < 0)
        oci_die("cannot open %s: %s", dir, strerror(errno));
    return fd;
}

int oci_state_lock(const char *root, const char *id, char *dir, size_t len)
{
    if ((size_t)snprintf(dir, len, "%s/%s", root, id) >= len)
        oci_die("the state path %s/%s is too long", root, id);
    int fd = lock_dir(dir);
    if (fd < 0) {
        if (errno == ENOENT)
            oci_die("container '%s' does not exist (no %s)", id, dir);
        oci_die("cannot open %s: %s", dir, strerror(errno));
    }
    return fd;
}

void oci_state_save(const struct oci_state *st)
{
    json_t *ann = json_object();
    for (size_t i = 0; i + 1 < st->annotations.n; i += 2)
        json_object_set_new(ann, st->annotations.v[i],
                            json_string(st->annotations.v[i + 1]));
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:o}", "id",
                  st->id, "bundle", st->bundle, "rootfs", st->rootfs, "created",
                  st->created, "pid", (json_int_t)st->pid, "start_time",
                  (json_int_t)st->start_time, "netns", st->netns, "tap",
                  st->tap, "uplink", st->uplink, "annotations", ann);
    char path[4200], tmp[4200];
    snprintf(path, sizeof(path), "%s/state.json", st->dir);
    snprintf(tmp, sizeof(tmp), "%s/state.json.tmp", st->dir);
    /* Written whole, then renamed: a reader sees the old or the new. */
    if (o == NULL || json_dump_file(o, tmp, JSON_COMPACT) != 0 ||
        rename(tmp, path) != 0)
        oci_die("cannot write %s", path);
    json_decref(o);
}

static void copy_field(json_t *o, const char *key, char *out, size_t len)
{
    const char *s = json_string_value(json_object_get(o, key));
    snprintf(out, len, "%s", s ? s : "");
}

void oci_state_load(const char *dir, struct oci_state *st)
{
    memset(st, 0, sizeof(*st));
    char path[4200];
    snprintf(path, sizeof(path), "%s/state.json", dir);
    json_error_t jerr;
    json_t *o = json_load_file(path, 0, &jerr);
    if (o == NULL)
        oci_die("cannot read %s: %s (a create that did not finish? "
                "husk-oci delete --force removes it)",
                path, jerr.text);
    snprintf(st->dir, sizeof(st->dir), "%s", dir);
    copy_field(o, "id", st->id, sizeof(st->id));
    copy_field(o, "bundle", st->bundle, sizeof(st->bundle));
    copy_field(o, "rootfs", st->rootfs, sizeof(st->rootfs));
    copy_field(o, "created", st->created, sizeof(st->created));
    copy_field(o, "netns", st->netns, sizeof(st->netns));
    copy_field(o, "tap", st->tap, sizeof(st->tap));
    copy_field(o, "uplink", st->uplink, sizeof(st->uplink));
    st->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
    st->start_time =
        (uint64_t)json_integer_value(json_object_get(o, "start_time"));
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(o, "annotations"), key, v)
    {
        if (!json_is_string(v))
            continue;
        oci_strv_add(&st->annotations, key);
        oci_strv_add(&st->annotations, json_string_value(v));
    }
    json_decref(o);
}

uint64_t oci_proc_start_time(pid_t pid)
{
    if (pid <= 0)
        return 0;
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* The command name may hold spaces and parentheses: fields restart
     * after the last ')'. Field 3 is the state, 22 the start time. */
    char *p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
        return 0;
    p += 2;
    for (int field = 3; field < 22 && p != NULL; field++) {
        p = strchr(p, ' ');
        if (p != NULL)
            p++;
    }
    return p != NULL ? strtoull(p, NULL, 10) : 0;
}

enum oci_status oci_state_status(const struct oci_state *st)
{
    if (st->pid <= 0)
        return OCI_CREATING;
    uint64_t t = oci_proc_start_time(st->pid);
    if (t == 0 || t != st->start_time)
        return OCI_STOPPED;
    char fifo[4200];
    snprintf(fifo, sizeof(fifo), "%s/" OCI_EXEC_FIFO, st->dir);
    return access(fifo, F_OK) == 0 ? OCI_CREATED : OCI_RUNNING;
}

const char *oci_status_name(enum oci_status s)
{
    static const char *const names[] = {"creating", "created", "running",
                                        "stopped"};
    return names[s];
}

void oci_state_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        if (errno != ENOENT)
            oci_die("cannot open %s: %s", dir, strerror(errno));
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) != 0 && errno != ENOENT)
            oci_die("cannot remove %s/%s: %s", dir, e->d_name, strerror(errno));
    }
    closedir(d);
    if (rmdir(dir) != 0 && errno != ENOENT)
        oci_die("cannot remove %s: %s", dir, strerror(errno));
}
