/* libc_misc.c: the rest of the supported system calls, through libc:
 * TLS, getrandom, uname, getpid, isatty, fstat, stdin at EOF. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static _Thread_local int tls_counter = 41;

int main(void)
{
    tls_counter++;
    unsigned char a[32], b[32];
    if (getrandom(a, sizeof(a), 0) != sizeof(a) ||
        getrandom(b, sizeof(b), 0) != sizeof(b) || !memcmp(a, b, sizeof(a)))
        return 1;
    struct utsname u;
    if (uname(&u) != 0)
        return 2;
    struct stat st;
    if (fstat(1, &st) != 0 || !S_ISCHR(st.st_mode))
        return 3;
    char c;
    if (read(0, &c, 1) != 0)
        return 4;
    printf("tls=%d sys=%s machine=%s pid=%d tty=%d\n", tls_counter, u.sysname,
           u.machine, (int)getpid(), isatty(1));
    return 0;
}
