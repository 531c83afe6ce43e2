/* guestlib.h: a guest library's header, installed with it. */
#ifndef GUESTLIB_H
#define GUESTLIB_H

int guestlib_answer(void);

#endif
