/* exit_status.c: return the status given as argv[1]; the shell sees it. */
#include <stdlib.h>

int main(int argc, char *argv[])
{
    return argc > 1 ? atoi(argv[1]) : 0;
}
