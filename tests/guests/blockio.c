/* blockio.c: block devices through the ordinary file API. argv[1] picks
 * what to do; tests/block-suite.sh runs each mode and checks the image
 * files from the host side. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint8_t pattern(uint64_t off, unsigned seed)
{
    uint64_t x = (off + 1) * 0x9e3779b97f4a7c15ULL ^ seed;
    return (uint8_t)(x >> 29);
}

static int fail(const char *what)
{
    printf("FAILED: %s (errno %d: %s)\n", what, errno, strerror(errno));
    return 1;
}

static off_t size_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? st.st_size : -1;
}

/* Write the pattern over the whole device in odd-sized pieces, fsync. */
static int do_write(const char *dev, unsigned seed)
{
    int fd = open(dev, O_RDWR);
    if (fd < 0)
        return fail("open");
    off_t size = size_of(fd);
    static uint8_t buf[70000];
    for (off_t off = 0; off < size;) {
        size_t n = 1 + (size_t)((off * 7919) % (sizeof(buf) - 1));
        if ((off_t)n > size - off)
            n = (size_t)(size - off);
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern((uint64_t)off + i, seed);
        if (pwrite(fd, buf, n, off) != (ssize_t)n)
            return fail("pwrite");
        off += (off_t)n;
    }
    if (fsync(fd) != 0)
        return fail("fsync");
    printf("wrote %lld bytes\n", (long long)size);
    return close(fd) == 0 ? 0 : fail("close");
}

static int do_verify(const char *dev, unsigned seed)
{
    int fd = open(dev, O_RDONLY);
    if (fd < 0)
        return fail("open");
    static uint8_t buf[65536 + 13];
    off_t total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != pattern((uint64_t)(total + i), seed)) {
                printf("FAILED: byte %lld differs\n", (long long)(total + i));
                return 1;
            }
        total += n;
    }
    if (n < 0)
        return fail("read");
    printf("verified %lld bytes\n", (long long)total);
    return total == size_of(fd) ? 0 : fail("short device");
}

/* Random unaligned reads and writes checked against a model in memory. */
static int do_model(const char *dev, unsigned ops)
{
    int fd = open(dev, O_RDWR);
    if (fd < 0)
        return fail("open");
    off_t size = size_of(fd);
    uint8_t *model = malloc((size_t)size), *buf = malloc(200000);
    if (model == NULL || buf == NULL ||
        pread(fd, model, (size_t)size, 0) != size)
        return fail("initial read");
    srand(7);
    for (unsigned i = 0; i < ops; i++) {
        off_t off = rand() % size;
        size_t n = (size_t)(rand() % 200000);
        if (rand() % 8 == 0)
            n = (size_t)(rand() % 1500); /* many small ones */
        size_t avail = (size_t)(size - off) < n ? (size_t)(size - off) : n;
        if (rand() % 2) {
            for (size_t j = 0; j < n; j++)
                buf[j] = (uint8_t)rand();
            if (pwrite(fd, buf, n, off) != (ssize_t)avail)
                return fail("pwrite");
            memcpy(model + off, buf, avail);
        } else {
            if (pread(fd, buf, n, off) != (ssize_t)avail)
                return fail("pread");
            if (memcmp(buf, model + off, avail) != 0) {
                printf("FAILED: read %zu at %lld differs from the model\n", n,
                       (long long)off);
                return 1;
            }
        }
    }
    if (pread(fd, buf, 0, 0) != 0)
        return fail("empty read");
    printf("model ok: %u operations\n", ops);
    return 0;
}

/* Reads and writes past the end, bad offsets, lseek, fstat. */
static int do_bounds(const char *dev)
{
    int fd = open(dev, O_RDWR);
    if (fd < 0)
        return fail("open");
    off_t size = size_of(fd);
    char b[1024] = {1};
    if (pread(fd, b, 10, size) != 0)
        return fail("read at end is not EOF");
    if (pwrite(fd, b, 10, size) != -1 || errno != ENOSPC)
        return fail("write at end is not ENOSPC");
    if (pwrite(fd, b, 1000, size - 100) != 100)
        return fail("write across the end is not short");
    if (pread(fd, b, 1000, size - 10) != 10)
        return fail("read across the end is not short");
    if (pread(fd, b, 10, -1) != -1 || errno != EINVAL)
        return fail("negative offset is not EINVAL");
    if (lseek(fd, -1, SEEK_SET) != -1 || errno != EINVAL)
        return fail("lseek to -1 is not EINVAL");
    if (lseek(fd, 0, SEEK_END) != size || read(fd, b, 10) != 0)
        return fail("lseek SEEK_END");
    if (lseek(fd, 3, SEEK_SET) != 3 || write(fd, "abc", 3) != 3 ||
        lseek(fd, 0, SEEK_CUR) != 6)
        return fail("write moves the offset");
    if (open("/dev/nothing", O_RDONLY) != -1 || errno != ENOENT)
        return fail("unknown device is not ENOENT");
    if (open("/etc/passwd", O_RDONLY) != -1 || errno != ENOENT)
        return fail("a host path is not ENOENT");
    FILE *f = fdopen(fd, "r+");
    if (f == NULL || fseek(f, 3, SEEK_SET) != 0 || fgetc(f) != 'a')
        return fail("stdio on a device");
    printf("bounds ok: size %lld\n", (long long)size);
    return 0;
}

static int do_readonly(const char *dev)
{
    if (open(dev, O_RDWR) != -1 || errno != EROFS)
        return fail("O_RDWR on a read-only device is not EROFS");
    int fd = open(dev, O_RDONLY);
    char b[100];
    if (fd < 0 || pread(fd, b, sizeof(b), 1000) != sizeof(b))
        return fail("read from a read-only device");
    if (write(fd, b, 1) != -1 || errno != EBADF)
        return fail("write to an O_RDONLY fd is not EBADF");
    printf("read-only ok\n");
    return 0;
}

int main(int argc, char *argv[])
{
    const char *mode = argc > 1 ? argv[1] : "";
    const char *dev = argc > 2 ? argv[2] : "/dev/data";
    unsigned n = argc > 3 ? (unsigned)atoi(argv[3]) : 1;
    if (!strcmp(mode, "write"))
        return do_write(dev, n);
    if (!strcmp(mode, "verify"))
        return do_verify(dev, n);
    if (!strcmp(mode, "model"))
        return do_model(dev, n);
    if (!strcmp(mode, "bounds"))
        return do_bounds(dev);
    if (!strcmp(mode, "readonly"))
        return do_readonly(dev);
    if (!strcmp(mode, "sync_and_wait")) {
        if (do_write(dev, n) != 0)
            return 1;
        printf("synced\n");
        fflush(stdout);
        for (;;)
            sleep(1); /* until the test kills the monitor */
    }
    printf("usage: blockio write|verify|model|bounds|readonly|sync_and_wait "
           "DEV [N]\n");
    return 2;
}
