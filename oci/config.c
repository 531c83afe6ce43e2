/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * config.c: the bundle's config.json into struct oci_config. The file is
 * untrusted input (whoever writes the bundle), so every field is checked
 * for its type and range, and a failure names the field. Fields the
 * runtime has no use for (capabilities, seccomp, hooks...) are not read:
 * the monitor's own jail and filter stand in for them (docs/security.md).
 * Pure; parsed with jansson. Fuzzed by tests/fuzz/fuzz_oci_config.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "oci.h"

static const char *const ns_names[OCI_NS_COUNT] = {
    [OCI_NS_PID] = "pid",       [OCI_NS_NETWORK] = "network",
    [OCI_NS_MOUNT] = "mount",   [OCI_NS_IPC] = "ipc",
    [OCI_NS_UTS] = "uts",       [OCI_NS_USER] = "user",
    [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

const char *oci_ns_name(enum oci_ns_type t)
{
    return ns_names[t];
}

static const struct {
    const char *name;
    int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

/* The parse's state: the error buffer, so that helpers can fail in one
 * line. */
struct parse {
    char *err;
    size_t errlen;
};

static char *dup_string(const json_t *s)
{
    char *d = strdup(json_string_value(s));
    if (d == NULL) {
        fputs("husk-oci: out of memory\n", stderr);
        exit(1);
    }
    return d;
}

/* obj[key] if present (NULL if absent or JSON null); -1 if it has another
 * type than want. */
static int member(struct parse *p, const json_t *obj, const char *where,
                  const char *key, json_type want, json_t **out)
{
    static const char *const type_names[] = {
        [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
        [JSON_STRING] = "a string",  [JSON_INTEGER] = "an integer",
        [JSON_REAL] = "a number",    [JSON_TRUE] = "a boolean",
        [JSON_FALSE] = "a boolean",  [JSON_NULL] = "null",
    };
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    bool ok = want == JSON_TRUE ? json_is_boolean(v) : json_typeof(v) == want;
    if (!ok)
        return oci_errorf(p->err, p->errlen, "%s%s%s: not %s", where,
                          where[0] ? "." : "", key, type_names[want]);
    *out = v;
    return 0;
}

/* An array of strings (each without '=' check unless env). */
static int string_array(struct parse *p, const json_t *arr, const char *where,
                        bool env, struct oci_strv *out)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v))
            return oci_errorf(p->err, p->errlen, "%s[%zu]: not a string", where,
                              i);
        const char *s = json_string_value(v);
        if (env && (strchr(s, '=') == NULL || s[0] == '='))
            return oci_errorf(p->err, p->errlen,
                              "%s[%zu]: '%.64s' is not NAME=VALUE", where, i,
                              s);
        oci_strv_add(out, s);
    }
    return 0;
}

static int unsigned32(struct parse *p, const json_t *obj, const char *where,
                      const char *key, uint32_t *out)
{
    json_t *v;
    if (member(p, obj, where, key, JSON_INTEGER, &v) != 0)
        return -1;
    if (v == NULL)
        return 0;
    json_int_t n = json_integer_value(v);
    if (n < 0 || n > 0xffffffffLL)
        return oci_errorf(p->err, p->errlen, "%s.%s: %lld is out of range",
                          where, key, (long long)n);
    *out = (uint32_t)n;
    return 0;
}

static int parse_rlimits(struct parse *p, const json_t *arr,
                         struct oci_config *cfg)
{
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r)
    {
        char where[48];
        snprintf(where, sizeof(where), "process.rlimits[%zu]", i);
        if (!json_is_object(r))
            return oci_errorf(p->err, p->errlen, "%s: not an object", where);
        json_t *type, *soft, *hard;
        if (member(p, r, where, "type", JSON_STRING, &type) != 0 ||
            member(p, r, where, "soft", JSON_INTEGER, &soft) != 0 ||
            member(p, r, where, "hard", JSON_INTEGER, &hard) != 0)
            return -1;
        if (type == NULL || soft == NULL || hard == NULL)
            return oci_errorf(p->err, p->errlen,
                              "%s: needs type, soft and hard", where);
        int res = -1;
        for (size_t k = 0; k < sizeof(rlimit_names) / sizeof(rlimit_names[0]);
             k++)
            if (strcmp(json_string_value(type), rlimit_names[k].name) == 0)
                res = rlimit_names[k].resource;
        if (res < 0)
            return oci_errorf(p->err, p->errlen, "%s.type: unknown '%.32s'",
                              where, json_string_value(type));
        /* JSON integers are signed 64-bit here; a limit of -1 would be
         * RLIM_INFINITY as an unsigned value: allow that spelling only. */
        json_int_t s = json_integer_value(soft), h = json_integer_value(hard);
        if (s < -1 || h < -1)
            return oci_errorf(p->err, p->errlen, "%s: a negative limit", where);
        uint64_t su = s == -1 ? RLIM_INFINITY : (uint64_t)s;
        uint64_t hu = h == -1 ? RLIM_INFINITY : (uint64_t)h;
        if (su > hu)
            return oci_errorf(p->err, p->errlen,
                              "%s: soft limit %llu is above the hard limit "
                              "%llu",
                              where, (unsigned long long)su,
                              (unsigned long long)hu);
        for (size_t k = 0; k < cfg->rlimit_count; k++)
            if (cfg->rlimits[k].resource == res)
                return oci_errorf(p->err, p->errlen, "%s: %s given twice",
                                  where, json_string_value(type));
        if (cfg->rlimit_count == OCI_RLIMITS_MAX)
            return oci_errorf(p->err, p->errlen, "%s: too many rlimits", where);
        cfg->rlimits[cfg->rlimit_count++] =
            (struct oci_rlimit){.resource = res, .soft = su, .hard = hu};
    }
    return 0;
}

static int parse_process(struct parse *p, const json_t *proc,
                         struct oci_config *cfg)
{
    json_t *args, *env, *cwd, *term, *user, *rl;
    if (member(p, proc, "process", "args", JSON_ARRAY, &args) != 0 ||
        member(p, proc, "process", "env", JSON_ARRAY, &env) != 0 ||
        member(p, proc, "process", "cwd", JSON_STRING, &cwd) != 0 ||
        member(p, proc, "process", "terminal", JSON_TRUE, &term) != 0 ||
        member(p, proc, "process", "user", JSON_OBJECT, &user) != 0 ||
        member(p, proc, "process", "rlimits", JSON_ARRAY, &rl) != 0)
        return -1;
    if (args == NULL || json_array_size(args) == 0)
        return oci_errorf(p->err, p->errlen,
                          "process.args: missing or empty (args[0] names "
                          "the Husk image)");
    if (string_array(p, args, "process.args", false, &cfg->args) != 0)
        return -1;
    if (cfg->args.v[0][0] == '\0')
        return oci_errorf(p->err, p->errlen, "process.args[0]: empty");
    if (env != NULL && string_array(p, env, "process.env", true, &cfg->env))
        return -1;
    /* The guest's working directory (husk --cwd), a path in the guest. */
    if (cwd != NULL) {
        const char *c = json_string_value(cwd);
        if (c[0] != '/')
            return oci_errorf(p->err, p->errlen,
                              "process.cwd: '%.64s' is not an absolute path",
                              c);
        if (strlen(c) >= HUSK_CWD_MAX)
            return oci_errorf(p->err, p->errlen,
                              "process.cwd: longer than a Husk guest takes "
                              "(%d bytes)",
                              HUSK_CWD_MAX - 1);
        cfg->cwd = dup_string(cwd);
    }
    cfg->terminal = term != NULL && json_is_true(term);
    if (user != NULL &&
        (unsigned32(p, user, "process.user", "uid", &cfg->uid) != 0 ||
         unsigned32(p, user, "process.user", "gid", &cfg->gid) != 0))
        return -1;
    return rl != NULL ? parse_rlimits(p, rl, cfg) : 0;
}

static int parse_namespaces(struct parse *p, const json_t *arr,
                            struct oci_config *cfg)
{
    size_t i;
    json_t *ns;
    json_array_foreach(arr, i, ns)
    {
        char where[48];
        snprintf(where, sizeof(where), "linux.namespaces[%zu]", i);
        if (!json_is_object(ns))
            return oci_errorf(p->err, p->errlen, "%s: not an object", where);
        json_t *type, *path;
        if (member(p, ns, where, "type", JSON_STRING, &type) != 0 ||
            member(p, ns, where, "path", JSON_STRING, &path) != 0)
            return -1;
        if (type == NULL)
            return oci_errorf(p->err, p->errlen, "%s: no type", where);
        int t = -1;
        for (int k = 0; k < OCI_NS_COUNT; k++)
            if (strcmp(json_string_value(type), ns_names[k]) == 0)
                t = k;
        if (t < 0)
            return oci_errorf(p->err, p->errlen, "%s.type: unknown '%.32s'",
                              where, json_string_value(type));
        if (cfg->ns_wanted[t])
            return oci_errorf(p->err, p->errlen, "%s: %s given twice", where,
                              ns_names[t]);
        cfg->ns_wanted[t] = true;
        if (path != NULL) {
            if (json_string_value(path)[0] != '/')
                return oci_errorf(p->err, p->errlen,
                                  "%s.path: not an absolute path", where);
            cfg->ns_path[t] = dup_string(path);
        }
    }
    return 0;
}

static int parse_devices(struct parse *p, const json_t *arr,
                         struct oci_config *cfg)
{
    size_t n = json_array_size(arr);
    cfg->devices = calloc(n ? n : 1, sizeof(*cfg->devices));
    if (cfg->devices == NULL)
        return oci_errorf(p->err, p->errlen, "out of memory");
    size_t i;
    json_t *d;
    json_array_foreach(arr, i, d)
    {
        char where[48];
        snprintf(where, sizeof(where), "linux.devices[%zu]", i);
        if (!json_is_object(d))
            return oci_errorf(p->err, p->errlen, "%s: not an object", where);
        json_t *path, *type, *major, *minor;
        if (member(p, d, where, "path", JSON_STRING, &path) != 0 ||
            member(p, d, where, "type", JSON_STRING, &type) != 0 ||
            member(p, d, where, "major", JSON_INTEGER, &major) != 0 ||
            member(p, d, where, "minor", JSON_INTEGER, &minor) != 0)
            return -1;
        if (path == NULL || type == NULL)
            return oci_errorf(p->err, p->errlen, "%s: needs path and type",
                              where);
        const char *t = json_string_value(type);
        if (strlen(t) != 1 || strchr("bcup", t[0]) == NULL)
            return oci_errorf(p->err, p->errlen,
                              "%s.type: '%.8s' is not b, c, u or p", where, t);
        struct oci_device *dev = &cfg->devices[cfg->device_count++];
        dev->path = dup_string(path);
        dev->type = t[0];
        dev->major = major ? json_integer_value(major) : -1;
        dev->minor = minor ? json_integer_value(minor) : -1;
        if ((t[0] == 'b' || t[0] == 'c') &&
            (dev->major < 0 || dev->major > 0xfff || dev->minor < 0 ||
             dev->minor > 0xfffff))
            return oci_errorf(p->err, p->errlen,
                              "%s: a device needs major 0-4095 and minor "
                              "0-1048575",
                              where);
    }
    return 0;
}

static int parse_memory(struct parse *p, const json_t *linux_,
                        struct oci_config *cfg)
{
    json_t *res, *mem, *limit;
    if (member(p, linux_, "linux", "resources", JSON_OBJECT, &res) != 0)
        return -1;
    if (res == NULL)
        return 0;
    if (member(p, res, "linux.resources", "memory", JSON_OBJECT, &mem) != 0)
        return -1;
    if (mem == NULL)
        return 0;
    if (member(p, mem, "linux.resources.memory", "limit", JSON_INTEGER,
               &limit) != 0)
        return -1;
    if (limit == NULL)
        return 0;
    json_int_t n = json_integer_value(limit);
    if (n == -1) /* unlimited, as runc reads it */
        return 0;
    if (n <= 0)
        return oci_errorf(p->err, p->errlen,
                          "linux.resources.memory.limit: %lld is not a size",
                          (long long)n);
    cfg->memory_limit = n;
    return 0;
}

static int parse_linux(struct parse *p, const json_t *linux_,
                       struct oci_config *cfg)
{
    json_t *ns, *devs;
    if (member(p, linux_, "linux", "namespaces", JSON_ARRAY, &ns) != 0 ||
        member(p, linux_, "linux", "devices", JSON_ARRAY, &devs) != 0)
        return -1;
    if (ns != NULL && parse_namespaces(p, ns, cfg) != 0)
        return -1;
    if (devs != NULL && parse_devices(p, devs, cfg) != 0)
        return -1;
    return parse_memory(p, linux_, cfg);
}

static int parse_mounts(struct parse *p, const json_t *arr,
                        struct oci_config *cfg)
{
    size_t n = json_array_size(arr);
    cfg->mounts = calloc(n ? n : 1, sizeof(*cfg->mounts));
    if (cfg->mounts == NULL)
        return oci_errorf(p->err, p->errlen, "out of memory");
    size_t i;
    json_t *m;
    json_array_foreach(arr, i, m)
    {
        char where[32];
        snprintf(where, sizeof(where), "mounts[%zu]", i);
        if (!json_is_object(m))
            return oci_errorf(p->err, p->errlen, "%s: not an object", where);
        json_t *dest, *src, *type, *opts;
        if (member(p, m, where, "destination", JSON_STRING, &dest) != 0 ||
            member(p, m, where, "source", JSON_STRING, &src) != 0 ||
            member(p, m, where, "type", JSON_STRING, &type) != 0 ||
            member(p, m, where, "options", JSON_ARRAY, &opts) != 0)
            return -1;
        if (dest == NULL)
            return oci_errorf(p->err, p->errlen, "%s: no destination", where);
        struct oci_mount *mt = &cfg->mounts[cfg->mount_count++];
        mt->destination = dup_string(dest);
        mt->source = src ? dup_string(src) : NULL;
        mt->type = type ? dup_string(type) : NULL;
        mt->bind = mt->type != NULL && strcmp(mt->type, "bind") == 0;
        size_t k;
        json_t *o;
        json_array_foreach(opts, k, o)
        {
            if (!json_is_string(o))
                return oci_errorf(p->err, p->errlen,
                                  "%s.options[%zu]: not a string", where, k);
            const char *s = json_string_value(o);
            if (strcmp(s, "bind") == 0 || strcmp(s, "rbind") == 0)
                mt->bind = true;
            else if (strcmp(s, "ro") == 0)
                mt->readonly = true;
            else if (strcmp(s, "rw") == 0)
                mt->readonly = false;
        }
    }
    return 0;
}

static int parse_annotations(struct parse *p, const json_t *obj,
                             struct oci_config *cfg)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (!json_is_string(v))
            return oci_errorf(p->err, p->errlen,
                              "annotations.%.64s: not a string", key);
        oci_strv_add(&cfg->annotations, key);
        oci_strv_add(&cfg->annotations, json_string_value(v));
    }
    return 0;
}

static int parse_root(struct parse *p, const json_t *doc,
                      struct oci_config *cfg)
{
    json_t *version, *root, *path, *ro;
    if (member(p, doc, "", "ociVersion", JSON_STRING, &version) != 0 ||
        member(p, doc, "", "root", JSON_OBJECT, &root) != 0)
        return -1;
    if (version == NULL)
        return oci_errorf(p->err, p->errlen, "ociVersion: missing");
    if (strncmp(json_string_value(version), "1.", 2) != 0)
        return oci_errorf(p->err, p->errlen,
                          "ociVersion: '%.32s' is not a 1.x runtime-spec "
                          "version",
                          json_string_value(version));
    if (root == NULL)
        return oci_errorf(p->err, p->errlen, "root: missing");
    if (member(p, root, "root", "path", JSON_STRING, &path) != 0 ||
        member(p, root, "root", "readonly", JSON_TRUE, &ro) != 0)
        return -1;
    if (path == NULL || json_string_value(path)[0] == '\0')
        return oci_errorf(p->err, p->errlen, "root.path: missing");
    cfg->root_path = dup_string(path);
    cfg->root_readonly = ro != NULL && json_is_true(ro);
    return 0;
}

static int parse_doc(struct parse *p, const json_t *doc, struct oci_config *cfg)
{
    if (!json_is_object(doc))
        return oci_errorf(p->err, p->errlen, "not a JSON object");
    if (parse_root(p, doc, cfg) != 0)
        return -1;
    json_t *proc, *linux_, *mounts, *ann;
    if (member(p, doc, "", "process", JSON_OBJECT, &proc) != 0 ||
        member(p, doc, "", "linux", JSON_OBJECT, &linux_) != 0 ||
        member(p, doc, "", "mounts", JSON_ARRAY, &mounts) != 0 ||
        member(p, doc, "", "annotations", JSON_OBJECT, &ann) != 0)
        return -1;
    if (proc == NULL)
        return oci_errorf(p->err, p->errlen,
                          "process: missing (husk-oci runs the container's "
                          "process)");
    if (parse_process(p, proc, cfg) != 0)
        return -1;
    if (linux_ != NULL && parse_linux(p, linux_, cfg) != 0)
        return -1;
    if (mounts != NULL && parse_mounts(p, mounts, cfg) != 0)
        return -1;
    return ann != NULL ? parse_annotations(p, ann, cfg) : 0;
}

int oci_config_parse(const char *text, size_t len, struct oci_config *cfg,
                     char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->memory_limit = -1;
    struct parse p = {err, errlen};
    json_error_t jerr;
    /* Duplicate keys are refused: two "args" could mean two things. */
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        oci_errorf(err, errlen, "not valid JSON: %s (line %d, column %d)",
                   jerr.text, jerr.line, jerr.column);
        return -1;
    }
    int rc = parse_doc(&p, doc, cfg);
    json_decref(doc);
    if (rc != 0)
        oci_config_free(cfg);
    return rc;
}

void oci_config_free(struct oci_config *cfg)
{
    free(cfg->root_path);
    free(cfg->cwd);
    oci_strv_free(&cfg->args);
    oci_strv_free(&cfg->env);
    for (int i = 0; i < OCI_NS_COUNT; i++)
        free(cfg->ns_path[i]);
    for (size_t i = 0; i < cfg->mount_count; i++) {
        free(cfg->mounts[i].destination);
        free(cfg->mounts[i].source);
        free(cfg->mounts[i].type);
    }
    free(cfg->mounts);
    for (size_t i = 0; i < cfg->device_count; i++)
        free(cfg->devices[i].path);
    free(cfg->devices);
    oci_strv_free(&cfg->annotations);
    memset(cfg, 0, sizeof(*cfg));
    cfg->memory_limit = -1;
}
