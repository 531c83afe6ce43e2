/* sleep_clock.c: a 100 ms nanosleep measured with CLOCK_MONOTONIC, and
 * the wall clock compared with the host's time passed as argv[1]. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char *argv[])
{
    double t0 = now_ms();
    struct timespec req = {0, 100 * 1000 * 1000};
    if (nanosleep(&req, NULL) != 0)
        return 2;
    double slept = now_ms() - t0;
    printf("slept %.1f ms\n", slept);
    /* Loose: the host may be slow or busy, never early. */
    if (slept < 99.9 || slept > 1000)
        return 1;

    t0 = now_ms();
    usleep(20 * 1000);
    if (now_ms() - t0 < 19.9)
        return 3;

    if (argc > 1) {
        long host = atol(argv[1]);
        struct timeval tv;
        gettimeofday(&tv, NULL);
        long diff = (long)time(NULL) - host;
        printf("wall clock %+ld s from the host\n", diff);
        if (diff < -5 || diff > 5 || labs(tv.tv_sec - time(NULL)) > 1)
            return 4;
    }
    return 0;
}
