/* pipe.c: pipes and fd flags from a program's side, one part per argument:
 * "basic" (a round trip, the ring's wrap, EOF, EPIPE, fstat, ESPIPE),
 * "nonblock" (EAGAIN, a full pipe, partial writes, pipe2's flags),
 * "poll" (poll, ppoll, select and epoll readiness, EPOLLET, a stream
 * pumped through an event loop), "flags" (F_GETFL's access mode, F_GETFD),
 * "stdio" (/dev/stdout and /dev/stdin after a dup2 of a pipe onto fds 0
 * and 1) and "block" (husk only: the blocking calls that would wait
 * forever on Linux). Every part but "block" passes on Linux too. Prints
 * "PART ok", or the first check that failed, and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

/* The events poll reports for fd now. */
static short ready(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 7 + i / 251);
}

static void basic(void)
{
    int p[2];
    char buf[16];
    CHECK(pipe(p) == 0 && p[0] >= 3 && p[1] > p[0]);
    CHECK(write(p[1], "hello", 5) == 5);
    int n = -1;
    CHECK(ioctl(p[0], FIONREAD, &n) == 0 && n == 5);
    CHECK(read(p[0], buf, 3) == 3 && memcmp(buf, "hel", 3) == 0);
    CHECK(read(p[0], buf, sizeof(buf)) == 2 && memcmp(buf, "lo", 2) == 0);
    /* each end one way only; no seeking */
    FAILS(write(p[0], "x", 1), EBADF);
    FAILS(read(p[1], buf, 1), EBADF);
    FAILS(lseek(p[0], 0, SEEK_CUR), ESPIPE);
    FAILS(pread(p[0], buf, 1, 0), ESPIPE);
    FAILS(pwrite(p[1], buf, 1, 0), ESPIPE);
    struct stat r, w;
    CHECK(fstat(p[0], &r) == 0 && S_ISFIFO(r.st_mode));
    CHECK(fstat(p[1], &w) == 0 && S_ISFIFO(w.st_mode));
    CHECK(r.st_ino == w.st_ino && r.st_dev == w.st_dev);

    /* across the ring's end, with writev and readv */
    static unsigned char big[60000], back[60000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = pattern(i);
    for (int round = 0; round < 3; round++) {
        struct iovec out[2] = {{big, 1000}, {big + 1000, sizeof(big) - 1000}};
        CHECK(writev(p[1], out, 2) == (ssize_t)sizeof(big));
        memset(back, 0, sizeof(back));
        struct iovec in[2] = {{back, 7}, {back + 7, sizeof(back) - 7}};
        CHECK(readv(p[0], in, 2) == (ssize_t)sizeof(back));
        CHECK(memcmp(big, back, sizeof(big)) == 0);
    }

    /* a readv that the first vector drains returns: it has data */
    CHECK(write(p[1], "xyz", 3) == 3);
    struct iovec two[2] = {{buf, 3}, {buf + 3, 5}};
    CHECK(readv(p[0], two, 2) == 3 && memcmp(buf, "xyz", 3) == 0);

    /* a dup keeps the write end open; EOF after the last one closes */
    int d = dup(p[1]);
    CHECK(d >= 0 && write(d, "ab", 2) == 2 && close(p[1]) == 0);
    CHECK(read(p[0], buf, sizeof(buf)) == 2 && close(d) == 0);
    CHECK(read(p[0], buf, sizeof(buf)) == 0);
    CHECK(read(p[0], buf, sizeof(buf)) == 0);
    CHECK(close(p[0]) == 0);

    /* data written before the close is still read, then EOF */
    CHECK(pipe(p) == 0 && write(p[1], "tail", 4) == 4 && close(p[1]) == 0);
    CHECK(read(p[0], buf, sizeof(buf)) == 4 && memcmp(buf, "tail", 4) == 0);
    CHECK(read(p[0], buf, sizeof(buf)) == 0 && close(p[0]) == 0);

    /* no reader: EPIPE, and SIGPIPE, which is ignored */
    signal(SIGPIPE, SIG_IGN);
    CHECK(pipe(p) == 0 && close(p[0]) == 0);
    FAILS(write(p[1], "x", 1), EPIPE);
    CHECK(write(p[1], "", 0) == 0); /* an empty write is not checked */
    CHECK(close(p[1]) == 0);
    FAILS(close(p[1]), EBADF);
    FAILS(pipe2(p, O_APPEND), EINVAL);
}

static void nonblock(void)
{
    int p[2];
    char buf[4097];
    CHECK(pipe2(p, O_NONBLOCK) == 0);
    CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) &&
          (fcntl(p[1], F_GETFL) & O_NONBLOCK));
    CHECK(fcntl(p[0], F_GETFD) == 0 && fcntl(p[1], F_GETFD) == 0);
    FAILS(read(p[0], buf, 1), EAGAIN);

    /* fill it: 64 KiB, Linux's default */
    CHECK(fcntl(p[1], F_GETPIPE_SZ) == 65536);
    memset(buf, 'f', sizeof(buf));
    long total = 0, n;
    while ((n = write(p[1], buf, 4096)) > 0)
        total += n;
    CHECK(n == -1 && errno == EAGAIN && total == 65536);
    FAILS(write(p[1], buf, 1), EAGAIN);
    CHECK(!(ready(p[1], POLLOUT) & POLLOUT));
    CHECK(ready(p[0], POLLIN) == POLLIN);

    /* room for one page: a larger write is partial, a small one whole or
     * not at all */
    CHECK(read(p[0], buf, 4096) == 4096);
    CHECK(ready(p[1], POLLOUT) == POLLOUT);
    CHECK(write(p[1], buf, 4097) == 4096);
    FAILS(write(p[1], buf, 100), EAGAIN);
    while ((n = read(p[0], buf, sizeof(buf))) > 0)
        total -= n;
    CHECK(n == -1 && errno == EAGAIN && total == 0);

    /* F_SETFL turns O_NONBLOCK off on one end only */
    CHECK(fcntl(p[1], F_SETFL, 0) == 0);
    CHECK(fcntl(p[1], F_GETFL) == O_WRONLY);
    CHECK(fcntl(p[0], F_GETFL) == (O_RDONLY | O_NONBLOCK));
    CHECK(write(p[1], "z", 1) == 1 && read(p[0], buf, 2) == 1);
    FAILS(read(p[0], buf, 1), EAGAIN);
    CHECK(close(p[0]) == 0 && close(p[1]) == 0);

    /* pipe2's flags */
    CHECK(pipe2(p, O_CLOEXEC) == 0);
    CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC &&
          fcntl(p[1], F_GETFD) == FD_CLOEXEC);
    CHECK(fcntl(p[0], F_GETFL) == O_RDONLY && fcntl(p[1], F_GETFL) == O_WRONLY);
    CHECK(close(p[0]) == 0 && close(p[1]) == 0);
    CHECK(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
    CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC);
    CHECK(fcntl(p[1], F_GETFL) == (O_WRONLY | O_NONBLOCK));
    CHECK(close(p[0]) == 0 && close(p[1]) == 0);

    /* a bigger pipe holds more */
    CHECK(pipe2(p, O_NONBLOCK) == 0 && write(p[1], "ab", 2) == 2);
    CHECK(fcntl(p[1], F_SETPIPE_SZ, 100000) == 131072);
    CHECK(fcntl(p[0], F_GETPIPE_SZ) == 131072);
    for (total = 2; (n = write(p[1], buf, 4096)) > 0;)
        total += n;
    CHECK(total > 65536 && total <= 131072);
    CHECK(read(p[0], buf, 2) == 2 && memcmp(buf, "ab", 2) == 0);
    FAILS(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
    CHECK(close(p[0]) == 0 && close(p[1]) == 0);
    int fd = open("/dev/null", O_RDONLY);
    FAILS(fcntl(fd, F_GETPIPE_SZ), EBADF);
    CHECK(close(fd) == 0);
}

/* A producer and a consumer of 1 MB in one event loop (poll), the way a
 * program talks to itself through a pipe. */
static void pump(void)
{
    int p[2];
    CHECK(pipe2(p, O_NONBLOCK) == 0);
    static unsigned char chunk[7001], in[5003];
    size_t sent = 0, got = 0, size = 1 << 20;
    int mismatch = 0, loops = 0;
    while (got < size && loops++ < 100000) {
        struct pollfd f[2] = {
            {.fd = p[0], .events = POLLIN},
            {.fd = sent < size ? p[1] : -1, .events = POLLOUT}};
        if (poll(f, 2, 1000) <= 0)
            break;
        if (f[1].revents & POLLOUT) {
            size_t len =
                size - sent < sizeof(chunk) ? size - sent : sizeof(chunk);
            for (size_t i = 0; i < len; i++)
                chunk[i] = pattern(sent + i);
            ssize_t n = write(p[1], chunk, len);
            if (n > 0)
                sent += (size_t)n;
        }
        if (f[0].revents & POLLIN) {
            ssize_t n = read(p[0], in, sizeof(in));
            for (ssize_t i = 0; i < n; i++)
                mismatch |= in[i] != pattern(got + (size_t)i);
            if (n > 0)
                got += (size_t)n;
        }
    }
    CHECK(sent == size && got == size && !mismatch);
    CHECK(close(p[0]) == 0 && close(p[1]) == 0);
}

static void polls(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK(ready(p[0], POLLIN | POLLOUT) == 0);
    struct pollfd wait = {.fd = p[0], .events = POLLIN};
    CHECK(poll(&wait, 1, 20) == 0 && wait.revents == 0); /* times out */
    CHECK(ready(p[1], POLLIN | POLLOUT) == POLLOUT);
    CHECK(write(p[1], "x", 1) == 1);
    CHECK(ready(p[0], POLLIN | POLLRDNORM) == (POLLIN | POLLRDNORM));

    struct pollfd f = {.fd = p[0], .events = POLLIN};
    struct timespec zero = {0, 0};
    CHECK(ppoll(&f, 1, &zero, NULL) == 1 && f.revents == POLLIN);

    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    struct timeval tv = {0, 0};
    CHECK(select(p[1] + 1, &r, &w, NULL, &tv) == 2);
    CHECK(FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));

    /* epoll, level- and edge-triggered */
    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK(ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC);
    CHECK(fcntl(ep, F_GETFL) == O_RDWR);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7}, out[4];
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
    CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].events == EPOLLIN &&
          out[0].data.u64 == 7);
    CHECK(epoll_wait(ep, out, 4, 0) == 1); /* level: still there */
    char c;
    CHECK(read(p[0], &c, 1) == 1 && c == 'x');
    CHECK(epoll_wait(ep, out, 4, 0) == 0);
    ev.events = EPOLLIN | EPOLLET;
    CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
    CHECK(write(p[1], "ab", 2) == 2);
    CHECK(epoll_wait(ep, out, 4, 0) == 1);
    CHECK(epoll_wait(ep, out, 4, 0) == 0); /* edge: reported once */
    CHECK(write(p[1], "c", 1) == 1);
    CHECK(epoll_wait(ep, out, 4, 0) == 1); /* new data: again */
    CHECK(read(p[0], &c, 1) == 1);
    CHECK(epoll_wait(ep, out, 4, 0) == 0); /* reading is no new edge */
    ev = (struct epoll_event){.events = EPOLLOUT, .data.u64 = 9};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0);
    CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].data.u64 == 9);

    /* the write end closed: the read end hangs up, data first */
    CHECK(close(p[1]) == 0);
    CHECK(ready(p[0], POLLIN) == (POLLIN | POLLHUP));
    CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].data.u64 == 7 &&
          out[0].events == (EPOLLIN | EPOLLHUP));
    char two[2];
    CHECK(read(p[0], two, 2) == 2 && ready(p[0], POLLIN) == POLLHUP);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    CHECK(select(p[0] + 1, &r, NULL, NULL, &tv) == 1 && FD_ISSET(p[0], &r));
    CHECK(close(p[0]) == 0 && close(ep) == 0);

    /* the read end closed: the write end is in error, as select's
     * writable (the write would not block: it fails) */
    CHECK(pipe(p) == 0 && close(p[0]) == 0);
    CHECK(ready(p[1], POLLOUT) == (POLLOUT | POLLERR));
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    CHECK(select(p[1] + 1, NULL, &w, NULL, &tv) == 1 && FD_ISSET(p[1], &w));
    CHECK(close(p[1]) == 0);
    pump();
}

/* F_GETFL: what each fd was opened for; F_GETFD: its FD_CLOEXEC. */
static void flags(void)
{
    char c;
    int fd = open("/tmp/fl", O_CREAT | O_WRONLY | O_TRUNC, 0600);
    CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY);
    CHECK(write(fd, "abc", 3) == 3);
    FAILS(read(fd, &c, 1), EBADF);
    FAILS(pread(fd, &c, 1, 0), EBADF);
    CHECK(close(fd) == 0);

    fd = open("/tmp/fl", O_RDONLY);
    CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
    CHECK(read(fd, &c, 1) == 1 && c == 'a');
    FAILS(write(fd, "x", 1), EBADF);
    FAILS(pwrite(fd, "x", 1, 0), EBADF);
    /* F_SETFL changes the status flags, never the access mode */
    CHECK(fcntl(fd, F_SETFL, O_RDWR | O_NONBLOCK) == 0);
    int fl = fcntl(fd, F_GETFL);
    CHECK((fl & O_ACCMODE) == O_RDONLY && (fl & O_NONBLOCK));
    int d = dup(fd); /* a dup shares the flags */
    CHECK(d >= 0 && (fcntl(d, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) ==
                        (O_RDONLY | O_NONBLOCK));
    CHECK(close(fd) == 0 && close(d) == 0);

    fd = open("/tmp/fl", O_RDWR | O_APPEND | O_CLOEXEC);
    fl = fcntl(fd, F_GETFL);
    CHECK(fd >= 0 && (fl & O_ACCMODE) == O_RDWR && (fl & O_APPEND));
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
    d = dup(fd);
    CHECK(fcntl(d, F_GETFD) == 0); /* FD_CLOEXEC is the fd's, not shared */
    CHECK(fcntl(d, F_SETFD, FD_CLOEXEC) == 0 &&
          fcntl(d, F_GETFD) == FD_CLOEXEC);
    CHECK(fcntl(d, F_SETFD, 0) == 0 && fcntl(d, F_GETFD) == 0);
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
    int d2 = fcntl(fd, F_DUPFD_CLOEXEC, 20);
    CHECK(d2 >= 20 && fcntl(d2, F_GETFD) == FD_CLOEXEC);
    CHECK(dup3(fd, d2, 0) == d2 && fcntl(d2, F_GETFD) == 0);
    CHECK(dup3(fd, d2, O_CLOEXEC) == d2 && fcntl(d2, F_GETFD) == FD_CLOEXEC);
    CHECK(dup2(fd, d2) == d2 && fcntl(d2, F_GETFD) == 0);
    CHECK(close(fd) == 0 && close(d) == 0 && close(d2) == 0);

    fd = open("/dev/null", O_WRONLY);
    CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY);
    FAILS(read(fd, &c, 1), EBADF);
    CHECK(close(fd) == 0);
    fd = open("/dev/zero", O_RDONLY);
    FAILS(write(fd, "x", 1), EBADF);
    CHECK(close(fd) == 0);
    fd = open("/tmp", O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
    CHECK(close(fd) == 0);
    fd = open("/tmp/fl", O_PATH);
    CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_PATH));
    FAILS(read(fd, &c, 1), EBADF);
    CHECK(close(fd) == 0 && unlink("/tmp/fl") == 0);
}

/* /dev/stdin, /dev/stdout and /dev/stderr are whatever fds 0-2 are. */
static void stdio(void)
{
    int p[2];
    char buf[64];
    struct stat st, pst;
    fflush(stdout);
    CHECK(pipe(p) == 0 && fstat(p[0], &pst) == 0);
    int saved = dup(1);
    CHECK(saved >= 0 && dup2(p[1], 1) == 1);
    CHECK(stat("/dev/stdout", &st) == 0 && S_ISFIFO(st.st_mode) &&
          st.st_ino == pst.st_ino);
    int fd = open("/dev/stdout", O_WRONLY);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY);
    CHECK(write(fd, "via ", 4) == 4 && close(fd) == 0);
    FILE *f = fopen("/dev/stdout", "w");
    CHECK(f != NULL && fputs("fopen ", f) >= 0 && fclose(f) == 0);
    printf("printf");
    fflush(stdout);
    CHECK(dup2(saved, 1) == 1 && close(saved) == 0);
    CHECK(close(p[1]) == 0); /* the last write end: EOF after the data */
    size_t got = 0;
    ssize_t n;
    while ((n = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = '\0';
    CHECK(n == 0 && strcmp(buf, "via fopen printf") == 0);
    CHECK(close(p[0]) == 0);
    CHECK(stat("/dev/stdout", &st) == 0 &&
          (!S_ISFIFO(st.st_mode) || st.st_ino != pst.st_ino));

    /* stdin from a pipe */
    CHECK(pipe(p) == 0 && write(p[1], "input\n", 6) == 6 && close(p[1]) == 0);
    saved = dup(0);
    CHECK(saved >= 0 && dup2(p[0], 0) == 0 && close(p[0]) == 0);
    fd = open("/dev/stdin", O_RDONLY);
    CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
    CHECK(read(fd, buf, sizeof(buf)) == 6 && memcmp(buf, "input\n", 6) == 0);
    CHECK(read(0, buf, sizeof(buf)) == 0);
    CHECK(close(fd) == 0 && dup2(saved, 0) == 0 && close(saved) == 0);

    /* a closed fd: the link leads nowhere */
    saved = dup(2);
    CHECK(saved >= 0 && close(2) == 0);
    FAILS(open("/dev/stderr", O_WRONLY), ENOENT);
    FAILS(stat("/dev/stderr", &st), ENOENT);
    CHECK(dup2(saved, 2) == 2 && close(saved) == 0);
    CHECK(stat("/dev/stderr", &st) == 0);
}

/* husk only: on Linux each of these would wait forever. */
static void block(void)
{
    int p[2];
    char buf[4096];
    CHECK(pipe(p) == 0);
    FAILS(read(p[0], buf, 1), EAGAIN); /* empty, the write end open */
    memset(buf, 'b', sizeof(buf));
    long total = 0, n;
    while ((n = write(p[1], buf, sizeof(buf) - 1)) > 0)
        total += n; /* the last write is short: what fitted */
    CHECK(n == -1 && errno == EAGAIN && total == 65536);
    CHECK(read(p[0], buf, 10) == 10 && write(p[1], buf, 100) == 10);
    CHECK(close(p[1]) == 0);
    for (total = 0; (n = read(p[0], buf, sizeof(buf))) > 0;)
        total += n;
    CHECK(n == 0 && total == 65536);
    CHECK(close(p[0]) == 0);
}

int main(int argc, char **argv)
{
    static const struct test_part parts[] = {
        {"basic", basic}, {"nonblock", nonblock}, {"poll", polls},
        {"flags", flags}, {"stdio", stdio},       {"block", block}};
    return run_part(argc, argv, parts, sizeof(parts) / sizeof(parts[0]));
}
