/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * net_dns.c: name lookups as a program makes them (tests/net-suite.sh,
 * tests/net-user-suite.sh). First what musl's resolver will read,
 * /etc/resolv.conf: "resolv.conf: LINE" for each of its lines, or
 * "resolv.conf: none"; and for one that is there, whether it is the
 * read-only regular file it should be ("resolv.conf: file, read-only" or
 * what it is instead). Then getaddrinfo (any family, a stream socket's)
 * for each NAME, in turn: "NAME A.B.C.D" for each address found, or
 * "NAME: " and gai_strerror's words, and then "NAME took N ms". A NAME
 * written !NAME is one that must not be found. Exits 0 if every NAME
 * came out as it should, else 1.
 *
 *   net_dns [!]NAME...
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void show_resolv_conf(void)
{
    FILE *f = fopen("/etc/resolv.conf", "r");
    if (f == NULL) {
        printf("resolv.conf: none (%s)\n", strerror(errno));
        return;
    }
    char line[256];
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        printf("resolv.conf: %s\n", line);
    }
    fclose(f);
    struct stat st;
    int w = open("/etc/resolv.conf", O_WRONLY);
    int werr = errno;
    if (w >= 0)
        close(w);
    if (stat("/etc/resolv.conf", &st) != 0)
        printf("resolv.conf: stat: %s\n", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        printf("resolv.conf: mode %o, not a regular file\n",
               (unsigned)st.st_mode);
    else if (w >= 0 || werr != EROFS)
        printf("resolv.conf: opened for writing: %s\n",
               w >= 0 ? "it worked" : strerror(werr));
    else
        printf("resolv.conf: file, read-only\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: net_dns [!]NAME...\n");
        return 2;
    }
    show_resolv_conf();
    int wrong = 0;
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i];
        bool absent = name[0] == '!';
        name += absent;
        struct addrinfo hints = {.ai_family = AF_UNSPEC,
                                 .ai_socktype = SOCK_STREAM};
        struct addrinfo *res;
        long long t0 = now_ms();
        int rc = getaddrinfo(name, NULL, &hints, &res);
        long long ms = now_ms() - t0;
        wrong += (rc == 0) == absent;
        if (rc != 0) {
            printf("%s: %s\n", name, gai_strerror(rc));
        } else {
            for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
                char text[INET6_ADDRSTRLEN];
                const void *addr =
                    a->ai_family == AF_INET
                        ? (const void *)&((struct sockaddr_in *)a->ai_addr)
                              ->sin_addr
                        : (const void *)&((struct sockaddr_in6 *)a->ai_addr)
                              ->sin6_addr;
                printf("%s %s\n", name,
                       inet_ntop(a->ai_family, addr, text, sizeof(text)));
            }
            freeaddrinfo(res);
        }
        printf("%s took %lld ms\n", name, ms);
    }
    return wrong == 0 ? 0 : 1;
}
