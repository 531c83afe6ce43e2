/* guestlib.c: a guest library, built with husk-cc into libguestlib.a. */
#include "guestlib.h"

int guestlib_answer(void)
{
    return 42;
}
