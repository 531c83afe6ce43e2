/* malloc_sizes.c: the heap from 1 byte to tens of MiB, checked by
 * pattern, freed and reallocated in an order that reuses the holes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 64

static int check(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i += 4093)
        if (p[i] != v)
            return 0;
    return n == 0 || p[n - 1] == v;
}

int main(void)
{
    static unsigned char *blocks[N];
    static size_t sizes[N];
    size_t total = 0;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            /* 1 B .. 32 MiB, geometric, shuffled by round */
            size_t n = (size_t)1 << ((i * 7 + round) % 26);
            n += (size_t)i * 13;
            blocks[i] = malloc(n);
            if (blocks[i] == NULL) {
                printf("malloc(%zu) failed\n", n);
                return 1;
            }
            memset(blocks[i], i + round, n);
            sizes[i] = n;
            total += n;
        }
        for (int i = 0; i < N; i++)
            if (!check(blocks[i], sizes[i], (unsigned char)(i + round))) {
                printf("block %d (%zu bytes) corrupted\n", i, sizes[i]);
                return 1;
            }
        for (int i = round % 2; i < N; i += 2)
            free(blocks[i]);
        for (int i = 1 - round % 2; i < N; i += 2)
            free(blocks[i]);
    }
    /* calloc must hand out zeroes, also from reused memory. */
    for (int i = 0; i < 8; i++) {
        size_t n = (size_t)(1 + i) << 20;
        unsigned char *p = calloc(1, n);
        if (p == NULL || !check(p, n, 0)) {
            printf("calloc(%zu) not zero\n", n);
            return 1;
        }
        memset(p, 0xff, n);
        free(p);
    }
    void *r = NULL;
    for (size_t n = 1; n <= ((size_t)16 << 20); n *= 3) {
        r = realloc(r, n);
        if (r == NULL)
            return 1;
        ((unsigned char *)r)[n - 1] = 1;
    }
    free(r);
    printf("malloc ok: %zu MiB allocated in total\n", total >> 20);
    return 0;
}
