/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * allowlist.c: the allowlist as a list (allowlist.h). Compiling a filter
 * with libseccomp at run time cost 0.3-0.5 ms of a 2-3 ms process-backend
 * run on these hosts (docs/performance.md); the usual configurations have
 * their programs compiled at build time instead, from the same list, and
 * tests/unit/test_allowlist.c checks that each, patched, is instruction
 * for instruction what libseccomp builds at run time.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "allowlist.h"

void husk_rules_init(struct husk_rules *r, uint32_t refuse)
{
    /* Not the rules: each is zeroed as it is added, and a page the
     * list never reaches is never faulted in (a fault costs 10-40 us on
     * these hosts). */
    r->refuse = refuse;
    r->count = 0;
    r->overflow = false;
    memset(r->slot_set, 0, sizeof(r->slot_set));
    memset(r->slot_value, 0, sizeof(r->slot_value));
}

int husk_rule_add(struct husk_rules *r, int nr, unsigned argc, ...)
{
    if (r->count == HUSK_RULES_MAX || argc > HUSK_RULE_ARGS_MAX) {
        r->overflow = true;
        return -1;
    }
    struct husk_rule *rule = &r->rule[r->count++];
    memset(rule, 0, sizeof(*rule)); /* padding too: lists are memcmp'd */
    rule->nr = nr;
    rule->argc = argc;
    va_list ap;
    va_start(ap, argc);
    for (unsigned i = 0; i < argc; i++)
        rule->arg[i] = va_arg(ap, struct scmp_arg_cmp);
    va_end(ap);
    return 0;
}

scmp_datum_t husk_rules_slot(struct husk_rules *r, enum husk_rule_slot s,
                             uint32_t value)
{
    if (r->slot_set[s] && r->slot_value[s] != value)
        return value; /* no program has this list: libseccomp compiles it */
    r->slot_set[s] = true;
    r->slot_value[s] = value;
    return HUSK_SLOT_PLACEHOLDER(s);
}

/* The value a rule's datum stands for in this run. */
static scmp_datum_t run_value(const struct husk_rules *r, scmp_datum_t d)
{
    for (unsigned s = 0; s < HUSK_SLOTS; s++)
        if (r->slot_set[s] && d == HUSK_SLOT_PLACEHOLDER(s))
            return r->slot_value[s];
    return d;
}

void *husk_rules_compile(const struct husk_rules *r)
{
    if (r->overflow)
        return NULL;
    scmp_filter_ctx ctx = seccomp_init(r->refuse);
    if (ctx == NULL)
        return NULL;
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, r->refuse);
    for (unsigned i = 0; i < r->count && rc == 0; i++) {
        const struct husk_rule *rule = &r->rule[i];
        struct scmp_arg_cmp arg[HUSK_RULE_ARGS_MAX];
        for (unsigned a = 0; a < rule->argc; a++) {
            arg[a] = rule->arg[a];
            arg[a].datum_a = run_value(r, arg[a].datum_a);
        }
        rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, rule->nr, rule->argc,
                                    arg);
    }
    if (rc != 0) {
        seccomp_release(ctx);
        return NULL;
    }
    return ctx;
}

bool husk_rules_are(const struct husk_rules *r, uint32_t refuse, unsigned count,
                    const struct husk_rule *rules)
{
    return !r->overflow && r->refuse == refuse && r->count == count &&
           memcmp(r->rule, rules, count * sizeof(r->rule[0])) == 0;
}

const struct husk_fixed_filter *husk_rules_find(
    const struct husk_rules *r, const struct husk_fixed_filter *table, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct husk_fixed_filter *f = &table[i];
        if (husk_rules_are(r, f->refuse, f->rule_count, f->rules))
            return f;
    }
    return NULL;
}

unsigned husk_rules_patch(const struct husk_rules *r, struct sock_filter *f,
                          unsigned n)
{
    unsigned changed = 0;
    for (unsigned i = 0; i < n; i++) {
        /* Only the comparisons hold values: a return's k is an action. */
        if (f[i].code != (BPF_JMP | BPF_JEQ | BPF_K))
            continue;
        uint32_t to = (uint32_t)run_value(r, f[i].k);
        if (to != f[i].k) {
            f[i].k = to;
            changed++;
        }
    }
    return changed;
}

/* libseccomp 2.5 hands a program over only through an fd. */
static int compile_into(const struct husk_rules *r, struct husk_program *p)
{
    scmp_filter_ctx ctx = husk_rules_compile(r);
    if (ctx == NULL) {
        errno = EINVAL;
        return -1;
    }
    int fd = memfd_create("husk-seccomp", MFD_CLOEXEC);
    if (fd < 0) {
        seccomp_release(ctx);
        return -1;
    }
    int rc = seccomp_export_bpf(ctx, fd);
    seccomp_release(ctx);
    size_t room = (BPF_MAXINSNS - p->len) * sizeof(p->code[0]);
    ssize_t got = rc == 0 ? pread(fd, &p->code[p->len], room, 0) : -1;
    int read_errno = errno;
    off_t size = lseek(fd, 0, SEEK_END);
    close(fd);
    if (rc != 0) {
        errno = -rc;
        return -1;
    }
    if (got < 0) {
        errno = read_errno;
        return -1;
    }
    if (got == 0 || size != got || got % (ssize_t)sizeof(p->code[0]) != 0) {
        errno = got == 0 ? EINVAL : E2BIG; /* none, or more than the room */
        return -1;
    }
    p->len += (unsigned)(got / (ssize_t)sizeof(p->code[0]));
    return 0;
}

int husk_rules_program(const struct husk_rules *r,
                       const struct husk_fixed_filter *table, size_t n,
                       struct husk_program *p, bool *fixed)
{
    const struct husk_fixed_filter *f = husk_rules_find(r, table, n);
    *fixed = f != NULL && f->len <= BPF_MAXINSNS - p->len;
    if (!*fixed)
        return compile_into(r, p);
    memcpy(&p->code[p->len], f->program, f->len * sizeof(p->code[0]));
    husk_rules_patch(r, &p->code[p->len], f->len);
    p->len += f->len;
    return 0;
}
