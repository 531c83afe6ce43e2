/* stats.c: mean and standard deviation of word lengths. */
#include <math.h>
#include <string.h>

#include "stats.h"

struct stats stats_of(int n, char *const words[])
{
    struct stats s = {n, 0, 0};
    for (int i = 0; i < n; i++)
        s.mean_length += (double)strlen(words[i]) / n;
    for (int i = 0; i < n; i++) {
        double d = (double)strlen(words[i]) - s.mean_length;
        s.stddev += d * d / n;
    }
    s.stddev = sqrt(s.stddev);
    return s;
}
