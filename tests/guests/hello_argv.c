/* hello_argv.c: argv arrives from the command line after "--". */
#include <stdio.h>

int main(int argc, char *argv[])
{
    printf("argc=%d", argc);
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n");
    fprintf(stderr, "to stderr\n");
    return 0;
}
