/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * <husk.h>: what a Husk guest may ask of Husk itself, beyond POSIX.
 * husk-cc puts it on the include path; __husk__ is defined there too, so
 * a program built for both Linux and Husk can test for it.
 */
#ifndef HUSK_GUEST_API_H
#define HUSK_GUEST_API_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The program has initialised (read its configuration, loaded its
 * libraries, warmed its caches, opened its listening sockets) and is about
 * to serve. With `husk --snapshot-to=FILE` the run ends here, with status
 * 0, and FILE holds the program as it is at this call; `husk
 * --restore=FILE` starts any number of instances from it, each returning
 * from this call in a moment instead of booting and initialising again.
 *
 * Returns 0 when the program goes on in the run that called it (no
 * snapshot was asked for), 1 in an instance restored from a snapshot.
 * A restored instance keeps everything in its memory, so it should redo
 * what must differ between instances or depends on when it runs: seed
 * its random numbers again (getrandom() gives fresh bytes; a generator
 * seeded before the call is the same in every instance), drop TCP
 * connections it had open (they are gone), read the time again. Call it
 * once, from the main thread; a second call does nothing.
 * docs/snapshots.md says what a snapshot carries and what it does not.
 */
int husk_ready(void);

#ifdef __cplusplus
}
#endif

#endif
