/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * resolv.c: DNS for musl's resolver (resolv.h). musl reads its servers
 * from /etc/resolv.conf and, finding none, asks 127.0.0.1, where nothing
 * answers in a guest: getaddrinfo then fails after 5 s, silently. So the
 * servers the network devices give (net_info) become a read-only
 * /etc/resolv.conf of the root, "nameserver A.B.C.D" a line, when the
 * image's root has no entry of that name of its own (the image's file,
 * or link, is the image's choice and stays). It is an entry of the
 * packed root like the mountpoints rootfs.c synthesises: listed, stat'ed
 * and read like the image's files; its bytes are here. And a query that
 * still goes to a loopback address with no server there gets one line on
 * stderr, once: the lookup is doomed, and the user should know why.
 *
 * Hooked at the query, not at the open of /etc/resolv.conf: programs read
 * that file at start whether or not they ever look a name up (and for a
 * name that is an address), and an image's own file may name no server.
 */
#include <errno.h>
#include <sys/stat.h>

#include "guest.h"
#include "packfs.h"
#include "resolv.h"
#include "vfs.h"

#define LINE_MAX_LEN sizeof("nameserver 255.255.255.255\n")

static uint32_t servers[HUSK_RESOLV_MAX];
static unsigned server_count;
static struct packfs_node *file; /* NULL: the image has its own, or none */
static unsigned char text[HUSK_RESOLV_MAX * LINE_MAX_LEN];

/* "A.B.C.D" of a network-order address, into out (16 bytes); its length. */
static size_t dotted(uint32_t ipv4, char *out)
{
    const uint8_t *b = (const uint8_t *)&ipv4;
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100)
            out[n++] = (char)('0' + v / 100);
        if (v >= 10)
            out[n++] = (char)('0' + v / 10 % 10);
        out[n++] = (char)('0' + v % 10);
        if (i < 3)
            out[n++] = '.';
    }
    out[n] = '\0';
    return n;
}

/*
 * /etc/resolv.conf as an empty regular file of the root, or NULL if the
 * root has an entry of that name already, or /etc is not the root's to
 * add to (a file, a link out of the tree, a mount on it). The root's
 * entries are synthesised as directories (husk_packfs_add_dir), so this
 * one is made one and turned into a file: mode, one link, and its
 * directory's link count back to what it was (a file has no "..").
 */
static struct packfs_node *make_file(void)
{
    static const char name[] = "resolv.conf";
    struct husk_vnode *v;
    if (husk_rootfs_mountpoint("/etc", &v) != 0 || husk_vfs_covered(v) != v)
        return NULL;
    struct packfs_node *etc = (struct packfs_node *)v, *f;
    if (husk_packfs_find(etc, name, sizeof(name) - 1) != NULL ||
        husk_packfs_add_dir(etc, name, sizeof(name) - 1, &f) != 0)
        return NULL;
    f->v.mode = S_IFREG | 0644;
    f->nlink = 1;
    etc->nlink--;
    f->data = text;
    f->size = 0;
    return f;
}

void husk_resolv_add(uint32_t ipv4)
{
    if (ipv4 == 0 || server_count == HUSK_RESOLV_MAX)
        return;
    for (unsigned i = 0; i < server_count; i++)
        if (servers[i] == ipv4)
            return;
    servers[server_count++] = ipv4;
    if (server_count == 1)
        file = make_file();
    if (file == NULL)
        return;
    static const char key[] = "nameserver ";
    unsigned char *p = text + file->size;
    __builtin_memcpy(p, key, sizeof(key) - 1);
    p += sizeof(key) - 1;
    p += dotted(ipv4, (char *)p);
    *p++ = '\n';
    file->size = (uint32_t)(p - text);
}

/* The NUL-terminated parts, joined into line (size bytes). */
static void join(char *line, size_t size, const char *const *parts, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        for (const char *s = parts[i]; *s != '\0' && len < size - 1; s++)
            line[len++] = *s;
    line[len] = '\0';
}

void husk_resolv_query_to_nobody(uint32_t to)
{
    static bool told;
    if (told)
        return;
    told = true;
    char line[256], dst[16], own[16];
    dotted(to, dst);
    if (server_count == 0) {
        const char *parts[] = {"husk: no DNS server: a name lookup asked ", dst,
                               ", where none listens; give the network "
                               "device one (husk --net:NAME=...,"
                               "dns=A.B.C.D)\n"};
        join(line, sizeof(line), parts, 3);
    } else {
        /* The image's own /etc/resolv.conf won over the device's. */
        dotted(servers[0], own);
        const char *parts[] = {"husk: a name lookup asked ", dst,
                               ", where no DNS server listens: the image's "
                               "own /etc/resolv.conf names no other (the "
                               "network device's is ",
                               own, ")\n"};
        join(line, sizeof(line), parts, 5);
    }
    husk_console_note(line);
}
