/* threads_net.c: threads and the network, inside one guest over its own
 * address (argv[1]; lwIP delivers to itself): an acceptor thread blocked
 * in accept while server threads (one per connection) echo, and client
 * threads that connect, send a stream and check every byte that comes
 * back; blocking connect, send and recv in several threads at once, and
 * whichever thread waits runs the network. Then a thread blocked in
 * accept is made to return by a connection only once the others are
 * done, and a thread blocked in recv with SO_RCVTIMEO times out while
 * another computes; a socket closed while a thread waits in it makes the
 * wait return EBADF. Prints "threads_net ok" or the first failure and
 * exits 1. Needs a network device (any tap: nothing leaves). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define PORT 7000
#define CLIENTS 6
#define STREAM (256 * 1024)

static const char *ip;
static int listen_fd;
static atomic_int accepting, served, accepted_after;

static unsigned char at(size_t i, int who)
{
    return (unsigned char)(i * 31 + (size_t)who * 7 + i / 1021);
}

static struct sockaddr_in addr(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static void *serve(void *arg)
{
    int c = (int)(long)arg;
    char buf[4096];
    ssize_t n;
    while ((n = recv(c, buf, sizeof(buf), 0)) > 0)
        for (ssize_t off = 0; off < n;) {
            ssize_t w = send(c, buf + off, (size_t)(n - off), 0);
            if (w <= 0)
                goto out;
            off += w;
        }
out:
    close(c);
    served++;
    return NULL;
}

static void *acceptor(void *arg)
{
    (void)arg;
    for (;;) {
        accepting = 1;
        int c = accept(listen_fd, NULL, NULL);
        accepting = 0;
        if (c < 0)
            return (void *)1;
        char first;
        /* The last connection says "q": the acceptor's wait is over. */
        if (recv(c, &first, 1, MSG_PEEK) == 1 && first == 'q') {
            accepted_after = served;
            close(c);
            return NULL;
        }
        pthread_t t;
        if (pthread_create(&t, NULL, serve, (void *)(long)c) != 0)
            return (void *)2;
        pthread_detach(t);
    }
}

struct client {
    int who;
    long result; /* 0: every byte came back */
};

static void *client(void *arg)
{
    struct client *cl = arg;
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = addr(PORT);
    if (c < 0 || connect(c, (void *)&a, sizeof(a)) != 0) {
        cl->result = 1;
        return NULL;
    }
    unsigned char out[8192], in[8192];
    size_t sent = 0, got = 0;
    bool shut = false;
    while (got < STREAM) {
        if (sent < STREAM) { /* send ahead of what came back, bounded */
            size_t n =
                STREAM - sent < sizeof(out) ? STREAM - sent : sizeof(out);
            for (size_t i = 0; i < n; i++)
                out[i] = at(sent + i, cl->who);
            ssize_t w = send(c, out, n, 0);
            if (w <= 0) {
                cl->result = 2;
                break;
            }
            sent += (size_t)w;
        }
        if (sent == STREAM && !shut) {
            shut = true;
            if (shutdown(c, SHUT_WR) != 0)
                cl->result = 5;
        }
        ssize_t r = recv(c, in, sizeof(in), 0);
        if (r <= 0) {
            cl->result = 3;
            break;
        }
        for (ssize_t i = 0; i < r; i++)
            if (in[i] != at(got + (size_t)i, cl->who)) {
                cl->result = 4;
                goto done;
            }
        got += (size_t)r;
    }
done:
    close(c);
    return NULL;
}

static atomic_int computed;

static void *timed_recv(void *arg)
{
    (void)arg;
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = addr(PORT + 1);
    struct timeval tv = {0, 200000};
    char b;
    if (s < 0 || bind(s, (void *)&a, sizeof(a)) != 0 ||
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
        return (void *)1;
    long rc = recv(s, &b, 1, 0) == -1 && errno == EAGAIN ? 0 : 2;
    close(s);
    /* the other thread ran while this one waited */
    return (void *)(rc != 0 ? rc : computed ? 0 : 3);
}

static void *compute(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 1000000};
    for (int i = 0; i < 20; i++)
        nanosleep(&ts, NULL);
    computed = 1;
    return NULL;
}

/* A thread blocked in a call on fd, which another thread closes: the
 * call returns EBADF (Linux would go on waiting; either way the socket
 * must not be used after it is freed). */
struct blocked {
    int fd;
    bool in_accept; /* else recv */
    atomic_int waiting;
    long result;
};

static void *block_on(void *arg)
{
    struct blocked *b = arg;
    char c;
    b->waiting = 1;
    long rc = b->in_accept ? accept(b->fd, NULL, NULL) : recv(b->fd, &c, 1, 0);
    b->result = rc == -1 && errno == EBADF ? 0 : rc == -1 ? errno : 1000;
    return NULL;
}

static void close_under(int fd, bool in_accept)
{
    struct blocked b = {.fd = fd, .in_accept = in_accept, .result = -1};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, block_on, &b) == 0);
    while (!b.waiting)
        sched_yield();
    for (int i = 0; i < 10; i++) /* well inside its wait */
        sched_yield();
    CHECK(close(fd) == 0);
    /* A new socket may reuse the memory of the one just closed. */
    int other = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(pthread_join(t, NULL) == 0);
    if (b.result != 0)
        fprintf(stderr, "%s on a closed socket: %ld\n",
                in_accept ? "accept" : "recv", b.result);
    CHECK(b.result == 0);
    close(other);
}

static void closed_while_blocked(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = addr(PORT + 2);
    CHECK(bind(l, (void *)&a, sizeof(a)) == 0);
    CHECK(listen(l, 4) == 0);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(c, (void *)&a, sizeof(a)) == 0);
    int s = accept(l, NULL, NULL);
    CHECK(s >= 0);
    close_under(c, false); /* a connected socket, in recv */
    close_under(l, true);  /* a listener, in accept */
    close(s);
}

static void run(void)
{
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = addr(PORT);
    CHECK(bind(listen_fd, (void *)&a, sizeof(a)) == 0);
    CHECK(listen(listen_fd, 16) == 0);
    pthread_t acc;
    CHECK(pthread_create(&acc, NULL, acceptor, NULL) == 0);
    while (!accepting)
        sched_yield();

    pthread_t t[CLIENTS];
    struct client cl[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        cl[i] = (struct client){.who = i};
        CHECK(pthread_create(&t[i], NULL, client, &cl[i]) == 0);
    }
    for (int i = 0; i < CLIENTS; i++) {
        CHECK(pthread_join(t[i], NULL) == 0);
        CHECK(cl[i].result == 0);
    }
    /* the acceptor is back in accept; servers finish on their own */
    while (served < CLIENTS || !accepting)
        sched_yield();
    int q = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(q, (void *)&a, sizeof(a)) == 0);
    CHECK(send(q, "q", 1, 0) == 1);
    void *r = (void *)-1;
    CHECK(pthread_join(acc, &r) == 0 && r == NULL);
    CHECK(accepted_after == CLIENTS);
    close(q);

    pthread_t w, c;
    CHECK(pthread_create(&w, NULL, timed_recv, NULL) == 0);
    CHECK(pthread_create(&c, NULL, compute, NULL) == 0);
    r = (void *)-1;
    CHECK(pthread_join(w, &r) == 0 && r == NULL);
    CHECK(pthread_join(c, NULL) == 0);
    close(listen_fd);
    closed_while_blocked();
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: threads_net OWN_IP\n");
        return 2;
    }
    ip = argv[1];
    run();
    if (failed)
        return 1;
    printf("threads_net ok\n");
    return 0;
}
