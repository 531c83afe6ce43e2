/* main.c: print statistics of the words given as arguments. */
#include <stdio.h>

#include "stats.h"

int main(int argc, char *argv[])
{
    struct stats s = stats_of(argc - 1, argv + 1);
    printf("words=%d mean=%.2f stddev=%.2f\n", s.words, s.mean_length,
           s.stddev);
    return s.words == 0;
}
