/* snapshot.c: a guest that initialises, calls husk_ready() and then checks
 * that what it set up is still there, for tests/snapshot-suite.sh. argv[1]
 * picks what it sets up first:
 *   state   heap, a file in /tmp, the environment, a sleeping thread, a
 *           block device's queue (the image declares "disk"), the clock
 *   never   exits 0 without calling husk_ready()
 * After the call it prints "ready=R" (1 when restored from a snapshot)
 * and the result of each check, then exits 0 if all passed, else 1. Its
 * exit status says nothing of the snapshot: the monitor's does. */
#include <fcntl.h>
#include <husk.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "check.h"

#define HEAP_BYTES (3 << 20)
#define BIG_BYTES (8 << 20) /* given back after the call: zeros after */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)((i * 2654435761u) >> 13);
}

/* A thread that sleeps across the snapshot and wakes in the instance. */
static volatile int thread_woke;
static void *sleeper(void *arg)
{
    (void)arg;
    struct timespec d = {0, 50 * 1000 * 1000};
    nanosleep(&d, NULL);
    thread_woke = 1;
    return NULL;
}

/* The block device: a sector written before the call, read back after. */
static int disk = -1;
static const char disk_text[] = "written before husk_ready";

static void set_up_disk(void)
{
    disk = open("/dev/disk", O_RDWR);
    CHECK(disk >= 0);
    CHECK(pwrite(disk, disk_text, sizeof(disk_text), 4096) ==
          (ssize_t)sizeof(disk_text));
}

static void check_disk(void)
{
    char buf[sizeof(disk_text)];
    CHECK(pread(disk, buf, sizeof(buf), 4096) == (ssize_t)sizeof(buf));
    CHECK(memcmp(buf, disk_text, sizeof(buf)) == 0);
    static const char after[] = "written after husk_ready";
    CHECK(pwrite(disk, after, sizeof(after), 8192) == (ssize_t)sizeof(after));
    CHECK(fsync(disk) == 0);
    char back[sizeof(after)];
    CHECK(pread(disk, back, sizeof(back), 8192) == (ssize_t)sizeof(back));
    CHECK(memcmp(back, after, sizeof(after)) == 0);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "state";
    if (strcmp(mode, "never") == 0) {
        printf("exiting without husk_ready\n");
        return 0;
    }
    uint8_t *heap = malloc(HEAP_BYTES);
    CHECK(heap != NULL);
    for (size_t i = 0; i < HEAP_BYTES; i++)
        heap[i] = pattern(i);
    FILE *f = fopen("/tmp/made-before", "w");
    CHECK(f != NULL && fputs("tmpfs survives\n", f) >= 0 && fclose(f) == 0);
    CHECK(setenv("SNAPSHOT_VAR", "set before", 1) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, sleeper, NULL) == 0);
    set_up_disk();
    /* In the snapshot, not zeros: given back after the restore. */
    uint8_t *big = mmap(NULL, BIG_BYTES, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(big != MAP_FAILED);
    memset(big, 0xa5, BIG_BYTES);
    uint64_t before = now_ns();
    printf("initialised: %s, argc %d\n", mode, argc);
    fflush(stdout);

    int ready = husk_ready();
    printf("ready=%d\n", ready);

    /* The clock goes on from where it stood: never backwards, and the
     * time spent between snapshot and restore does not count. */
    uint64_t after = now_ns();
    CHECK(after >= before);
    CHECK(after - before < 10ULL * 1000 * 1000 * 1000);
    for (size_t i = 0; i < HEAP_BYTES; i++)
        if (heap[i] != pattern(i)) {
            CHECK(heap[i] == pattern(i));
            break;
        }
    char line[64] = "";
    f = fopen("/tmp/made-before", "r");
    CHECK(f != NULL && fgets(line, sizeof(line), f) != NULL);
    CHECK(strcmp(line, "tmpfs survives\n") == 0);
    if (f != NULL)
        fclose(f);
    const char *var = getenv("SNAPSHOT_VAR");
    CHECK(var != NULL && strcmp(var, "set before") == 0);
    CHECK(pthread_join(t, NULL) == 0 && thread_woke);
    check_disk();
    /* Memory given back to the host reads as zeros, also where the
     * restored memory is the snapshot file's. */
    CHECK(big[BIG_BYTES - 1] == 0xa5);
    CHECK(madvise(big, BIG_BYTES, MADV_DONTNEED) == 0);
    for (size_t i = 0; i < BIG_BYTES; i += 4096)
        if (big[i] != 0) {
            CHECK(big[i] == 0);
            break;
        }
    uint8_t rnd[16];
    CHECK(getrandom(rnd, sizeof(rnd), 0) == (ssize_t)sizeof(rnd));
    /* A second call does nothing. */
    CHECK(husk_ready() == 0);
    printf("%s\n", failed ? "checks FAILED" : "checks passed");
    return failed ? 1 : 0;
}
