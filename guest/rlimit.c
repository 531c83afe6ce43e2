/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * rlimit.c: getrlimit, setrlimit and prlimit64 of the one process. The
 * limits tell the truth about the guest: the fd table's size, guest
 * memory, the stack mem.c set aside, and no core dumps (the monitor writes
 * a crash report instead). A limit may be lowered; nothing can give the
 * guest more than it has, so raising a hard limit is EPERM even though the
 * guest runs as uid 0. The limits are reported, not enforced.
 */
#include <errno.h>
#include <sys/resource.h>

#include "guest.h"

static struct rlimit limits[RLIM_NLIMITS];
static bool ready;

static void init(void)
{
    for (int r = 0; r < RLIM_NLIMITS; r++)
        limits[r] = (struct rlimit){RLIM_INFINITY, RLIM_INFINITY};
    uint64_t mem = husk_boot->mem_size;
    /* As mem.c sizes the stack: 1/16 of memory, 256 KiB to 8 MiB. */
    uint64_t stack = mem / 16;
    if (stack < (256 << 10))
        stack = 256 << 10;
    if (stack > (8 << 20))
        stack = 8 << 20;
    limits[RLIMIT_NOFILE] = (struct rlimit){HUSK_FD_MAX, HUSK_FD_MAX};
    limits[RLIMIT_AS] = (struct rlimit){mem, mem};
    limits[RLIMIT_DATA] = (struct rlimit){mem, mem};
    limits[RLIMIT_STACK] = (struct rlimit){stack, stack};
    limits[RLIMIT_CORE] = (struct rlimit){0, 0};
    ready = true;
}

long husk_sys_prlimit64(int pid, int resource, const void *new_limit,
                        void *old_limit)
{
    if (pid != 0 && pid != 1)
        return -ESRCH;
    if (resource < 0 || resource >= RLIM_NLIMITS)
        return -EINVAL;
    if (!ready)
        init();
    struct rlimit next;
    if (new_limit != NULL) {
        next = *(const struct rlimit *)new_limit;
        if (next.rlim_cur > next.rlim_max)
            return -EINVAL;
        if (next.rlim_max > limits[resource].rlim_max)
            return -EPERM;
    }
    if (old_limit != NULL)
        *(struct rlimit *)old_limit = limits[resource];
    if (new_limit != NULL)
        limits[resource] = next;
    return 0;
}
