/* stats.h: word statistics over the program's arguments. */
#ifndef STATS_H
#define STATS_H

struct stats {
    int words;
    double mean_length;
    double stddev;
};

struct stats stats_of(int n, char *const words[]);

#endif
