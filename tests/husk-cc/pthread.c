/*
 * pthread.c: a pthread program as any build writes it, built with husk-cc
 * -pthread or -lpthread (tests/husk-cc/run.sh): four threads add under a
 * mutex and yield, main waits for them on a condition variable and joins.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#define THREADS 4
#define ROUNDS 1000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static long total;
static int done;

static void *add(void *arg)
{
    long step = (long)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        total += step;
        pthread_mutex_unlock(&lock);
        sched_yield();
    }
    pthread_mutex_lock(&lock);
    done++;
    pthread_cond_signal(&done_cond);
    pthread_mutex_unlock(&lock);
    return arg;
}

int main(void)
{
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++) {
        if (pthread_create(&t[i], NULL, add, (void *)(i + 1)) != 0) {
            printf("pthread_create failed\n");
            return 1;
        }
    }
    pthread_mutex_lock(&lock);
    while (done < THREADS)
        pthread_cond_wait(&done_cond, &lock);
    pthread_mutex_unlock(&lock);
    long joined = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        joined += (long)r;
    }
    printf("pthread: %d threads, total %ld, joined %ld\n", THREADS, total,
           joined);
    return total == ROUNDS * 10 && joined == 10 ? 0 : 1;
}
