/* enosys.c: an unsupported system call fails with ENOSYS, and the
 * console names it once. */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    for (int i = 0; i < 3; i++) {
        errno = 0;
        long r = syscall(SYS_ptrace, 0, 0, 0, 0);
        if (r != -1 || errno != ENOSYS) {
            printf("ptrace returned %ld errno %d\n", r, errno);
            return 1;
        }
    }
    printf("ENOSYS ok\n");
    return 0;
}
