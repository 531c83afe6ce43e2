/* uselib.c: a program that links the installed guest library. */
#include <guestlib.h>

int main(void)
{
    return guestlib_answer() == 42 ? 0 : 1;
}
