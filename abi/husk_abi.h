/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * husk_abi.h: the only contract between the monitor (husk) and the guest
 * (libhusk). Both halves include this file and nothing else of each other.
 *
 * A hypercall is one 64-bit store of the guest-physical address of an
 * argument struct to HUSK_HC_BASE + 8 * number. That page has no memory
 * behind it, so the store exits to the monitor (KVM_EXIT_MMIO) from any
 * privilege level; the monitor checks the struct, does the work, writes
 * the OUT fields back and resumes the guest. One exit per call.
 *
 * Rules for every struct below: fixed-width fields only, explicit padding,
 * padding and reserved fields MUST be zero (the monitor stops a guest that
 * sets them), IN fields are read once, OUT fields are written by the
 * monitor. Layout is checked at compile time in both halves.
 */
#ifndef HUSK_ABI_H
#define HUSK_ABI_H

/* Bump on any change that is not purely additive. 2: net_info grew a
 * DNS server (an older guest's 24-byte struct would be overrun). */
#define HUSK_ABI_VERSION 2

/*
 * Guest-physical memory map. Guest memory is [0, mem_size), identity
 * mapped at the same virtual addresses. The first HUSK_LOAD_MIN bytes
 * belong to the monitor (page tables, GDT, boot information); the image
 * is loaded at or above HUSK_LOAD_MIN. Page 0 is never mapped so that a
 * null-pointer access faults.
 */
#define HUSK_PAGE_SIZE 4096ULL
#define HUSK_LOAD_MIN 0x100000ULL   /* 1 MiB */
#define HUSK_MEM_MIN (4ULL << 20)   /* 4 MiB */
#define HUSK_MEM_MAX (32ULL << 30)  /* 32 GiB */
#define HUSK_MEM_ALIGN (2ULL << 20) /* --mem is a multiple */
#define HUSK_HC_BASE HUSK_MEM_MAX   /* hypercall page (GPA) */
#define HUSK_HC_MAX 64              /* call numbers < this */

/* Call numbers (offset in the hypercall page / 8). 0 is never a call. */
#define HUSK_HC_EXIT 1
#define HUSK_HC_ABORT 2
#define HUSK_HC_CONSOLE_WRITE 3
#define HUSK_HC_WALLCLOCK 4
#define HUSK_HC_POLL 5
#define HUSK_HC_MEM_DISCARD 6
#define HUSK_HC_FAULT 7
#define HUSK_HC_BLOCK_INFO 8
/* 9: reserved (block_io, a batch in one exit, removed before 1.0: the
 * queue and its kick do the same) */
#define HUSK_HC_BLOCK_FLUSH 10
#define HUSK_HC_BLOCK_QUEUE 11
#define HUSK_HC_BLOCK_KICK 12
#define HUSK_HC_SET_TLS 13 /* process backend only (HUSK_FEATURE_TLS_CALL) */
#define HUSK_HC_CONSOLE_READ 14 /* with HUSK_FEATURE_CONSOLE_READ */
#define HUSK_HC_READY 15        /* with HUSK_FEATURE_READY */
#define HUSK_HC_NET_INFO 16
#define HUSK_HC_NET_IO 17
/* 18..23: reserved for network devices. */
#define HUSK_HC_CALL_NEXT 24 /* with HUSK_FEATURE_CALLS */
#define HUSK_HC_HOST_CALL 25 /* with HUSK_FEATURE_CALLS */

/* Results carried in `ret` fields: only conditions the guest cannot
 * foresee. An invalid argument is never a result: it stops the guest. */
#define HUSK_EOK 0
#define HUSK_EIO 5
#define HUSK_EAGAIN 11

/* ELF note that every image carries, checked before the VM is created. */
#define HUSK_NOTE_NAME "Husk"        /* n_namesz = 5, padded to 8 */
#define HUSK_NOTE_ABI 0x48560001     /* desc: struct husk_note_abi */
#define HUSK_NOTE_DEVICES 0x48560002 /* desc: struct husk_note_devices */

#define HUSK_DEVICE_NAME_MAX 32 /* including the terminating NUL */
#define HUSK_DEVICES_MAX 16

#define HUSK_DEVICE_BLOCK 1
#define HUSK_DEVICE_NET 2

#define HUSK_BOOTINFO_MAGIC 0x4f4f424b5355484bULL /* "KHUSKBOO" */
#define HUSK_ARGS_MAX 4096 /* bytes of guest argv strings, NULs included */
#define HUSK_ARGC_MAX 256
#define HUSK_ENV_MAX \
    4096 /* bytes of guest environment strings, NULs included */
#define HUSK_ENVC_MAX 256 /* environment entries */
#define HUSK_CWD_MAX 1024 /* bytes of the --cwd path, its NUL included */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

#define HUSK_ABI_CHECK(type, size) \
    _Static_assert(sizeof(type) == (size), #type " size is part of the ABI")
#define HUSK_ABI_OFFSET(type, field, off)          \
    _Static_assert(offsetof(type, field) == (off), \
                   #type "." #field " offset is part of the ABI")

struct husk_note_abi {
    uint32_t abi_version; /* HUSK_ABI_VERSION the image was built for */
    uint32_t _pad0;
};
HUSK_ABI_CHECK(struct husk_note_abi, 8);

struct husk_note_device {
    uint32_t kind; /* HUSK_DEVICE_* */
    uint32_t _pad0;
    char name[HUSK_DEVICE_NAME_MAX]; /* NUL-terminated, [a-z0-9_]+ */
};
HUSK_ABI_CHECK(struct husk_note_device, 40);

/* desc of HUSK_NOTE_DEVICES: exactly 8 + 40 * count bytes. */
struct husk_note_devices {
    uint32_t count; /* <= HUSK_DEVICES_MAX */
    uint32_t _pad0;
    struct husk_note_device devices[];
};
HUSK_ABI_CHECK(struct husk_note_devices, 8);

/* One configured device as the guest sees it at boot. */
struct husk_boot_device {
    uint32_t kind;   /* HUSK_DEVICE_* */
    uint32_t handle; /* pass to the device's hypercalls */
    char name[HUSK_DEVICE_NAME_MAX];
};
HUSK_ABI_CHECK(struct husk_boot_device, 40);

/*
 * Boot information, written by the monitor below HUSK_LOAD_MIN; its address
 * is in %rdi at entry and %rsp points just below mem_size (16-byte aligned).
 * All memory that the image does not fill is zero at entry.
 */
struct husk_bootinfo {
    uint64_t magic;       /* HUSK_BOOTINFO_MAGIC */
    uint32_t abi_version; /* HUSK_ABI_VERSION of the monitor */
    uint32_t _pad0;
    uint64_t mem_size;  /* bytes of guest memory, from 0 */
    uint64_t image_end; /* first byte above the loaded image (page up) */
    uint64_t tsc_hz;    /* guest TSC frequency; 0 with CLOCK_CALL */
    uint64_t features;  /* HUSK_FEATURE_* */
    uint64_t phdr_gpa;  /* copy of the image's program headers */
    uint32_t phnum;
    uint32_t phentsize;
    uint32_t argc; /* guest arguments (argv[0] = image name) */
    uint32_t device_count;
    uint64_t argv_gpa;  /* uint64_t[argc + 1], NULL-terminated */
    uint8_t random[16]; /* host entropy for AT_RANDOM/stack canary */
    struct husk_boot_device devices[HUSK_DEVICES_MAX];
    /* With HUSK_FEATURE_HC_CALL: the address of the call entry, a
     * function void (*)(uint64_t nr, uint64_t arg_gpa) that makes the
     * hypercall; 0 otherwise (an older monitor leaves it 0, too). */
    uint64_t hc_call;
    /* With HUSK_FEATURE_CLOCK_CALL: the address of the host's
     * clock_gettime in the vDSO, int (*)(int clock, struct timespec *),
     * which needs no thread pointer and makes no exit; 0 otherwise. */
    uint64_t clock_call;
    /* The guest's environment (husk --env=NAME=VALUE): envc entries
     * "NAME=VALUE" at envp_gpa, uint64_t[envc + 1], NULL-terminated. An
     * older monitor leaves both 0 (past the end of its struct): no
     * environment. */
    uint32_t envc; /* <= HUSK_ENVC_MAX */
    uint32_t _pad1;
    uint64_t envp_gpa;
    /* husk --cwd=/PATH: the directory main() starts in, an absolute path
     * of at most HUSK_CWD_MAX bytes with its NUL; 0 (no --cwd, or an
     * older monitor): the root. */
    uint64_t cwd_gpa;
};
HUSK_ABI_OFFSET(struct husk_bootinfo, tsc_hz, 32);
HUSK_ABI_OFFSET(struct husk_bootinfo, argv_gpa, 72);
HUSK_ABI_OFFSET(struct husk_bootinfo, devices, 96);
HUSK_ABI_OFFSET(struct husk_bootinfo, hc_call, 96 + 40 * HUSK_DEVICES_MAX);
HUSK_ABI_OFFSET(struct husk_bootinfo, clock_call, 104 + 40 * HUSK_DEVICES_MAX);
HUSK_ABI_OFFSET(struct husk_bootinfo, envc, 112 + 40 * HUSK_DEVICES_MAX);
HUSK_ABI_OFFSET(struct husk_bootinfo, envp_gpa, 120 + 40 * HUSK_DEVICES_MAX);
HUSK_ABI_OFFSET(struct husk_bootinfo, cwd_gpa, 128 + 40 * HUSK_DEVICES_MAX);
HUSK_ABI_CHECK(struct husk_bootinfo, 136 + 40 * HUSK_DEVICES_MAX);

#define HUSK_FEATURE_RDRAND (1ULL << 0) /* RDRAND usable at CPL3 */
#define HUSK_FEATURE_RDSEED (1ULL << 1) /* RDSEED usable at CPL3 */
/*
 * The process backend (the guest runs inside the monitor's process, with
 * no VM): a hypercall is a call of bootinfo.hc_call instead of a store to
 * the hypercall page, which has nothing behind it there.
 */
#define HUSK_FEATURE_HC_CALL (1ULL << 2)
/* wrfsbase/wrgsbase fault (a host kernel without user FSGSBASE): set the
 * thread pointer with HUSK_HC_SET_TLS instead. */
#define HUSK_FEATURE_TLS_CALL (1ULL << 3)
/* The process backend: read the clocks by calling bootinfo.clock_call
 * (the host kernel's own, exact and exitless) instead of scaling the TSC
 * by tsc_hz, which a process cannot always learn quickly. */
#define HUSK_FEATURE_CLOCK_CALL (1ULL << 4)
/* The monitor's stdin is the guest's: HUSK_HC_CONSOLE_READ reads it.
 * Without it (an older monitor, or husk --stdin=none) stdin is at end of
 * file and the call does not exist. */
#define HUSK_FEATURE_CONSOLE_READ (1ULL << 5)
/* The monitor serves HUSK_HC_READY (husk_ready() in libhusk). Without it
 * (an older monitor) husk_ready() does nothing. */
#define HUSK_FEATURE_READY (1ULL << 6)
/*
 * This entry resumes a snapshot (husk --restore) instead of booting: guest
 * memory is as it was when the guest called HUSK_HC_READY, and the guest
 * returns into the context it saved then, on a stack of its own (the
 * entry's %rsp is the top of memory, where the saved context's frames
 * are). The monitor rewrote only the fields that differ between runs:
 * abi_version, tsc_hz, features, random, devices' handles, hc_call and
 * clock_call. argc, argv_gpa, envc, envp_gpa, cwd_gpa and the program
 * headers are as the snapshot holds them.
 */
#define HUSK_FEATURE_RESUMED (1ULL << 7)
/* An embedder (libhusk-host) calls the guest's exported functions: once
 * main() returns, the guest serves calls (HUSK_HC_CALL_NEXT) instead of
 * exiting, and may call the embedder's (HUSK_HC_HOST_CALL). */
#define HUSK_FEATURE_CALLS (1ULL << 8)

/*
 * HUSK_HC_READY (HUSK_FEATURE_READY): the guest has initialised and is
 * about to serve. With husk --snapshot-to=FILE the monitor writes guest
 * memory to FILE and ends the run (status 0): the call does not return.
 * Without it the call returns at once. Every block request submitted
 * before the call is done when the snapshot is taken. The guest saves
 * what it needs to resume (its registers, its clock) in its own memory
 * first; see HUSK_FEATURE_RESUMED.
 */
struct husk_hc_ready {
    uint64_t flags; /* IN: 0 */
};
HUSK_ABI_CHECK(struct husk_hc_ready, 8);

/*
 * Calls between an embedder and the guest (HUSK_FEATURE_CALLS). A call
 * names a function (at most HUSK_CALL_NAME_MAX bytes with its NUL) and
 * carries bytes in and bytes out, each at most HUSK_CALL_DATA_MAX.
 */
#define HUSK_CALL_NAME_MAX 64
#define HUSK_CALL_DATA_MAX (1U << 20)
/* A call's status, as the guest or the embedder reports it. */
#define HUSK_CALL_OK 0
#define HUSK_CALL_ERROR 1       /* the function failed; `code` says how */
#define HUSK_CALL_NO_FUNCTION 2 /* nothing of that name is exported */
#define HUSK_CALL_TOO_LARGE 3   /* the output does not fit the buffer */

/*
 * HUSK_HC_CALL_NEXT: report the last call's result and wait for the next
 * call. The call area [buf_gpa, buf_gpa + buf_cap) holds the last call's
 * output on entry and the next call's input on return. With
 * HUSK_CALL_NEXT_FIRST there was no last call: the guest has just started
 * serving (or was restored from a snapshot taken while it waited here).
 * `what` is HUSK_CALL_INVOKE (call `name` with in_len bytes of input) or
 * HUSK_CALL_CLOSE (the embedder is done: exit).
 */
#define HUSK_CALL_NEXT_FIRST 1
#define HUSK_CALL_INVOKE 1
#define HUSK_CALL_CLOSE 2
struct husk_hc_call_next {
    uint64_t buf_gpa; /* IN */
    uint32_t buf_cap; /* IN: <= HUSK_CALL_DATA_MAX */
    uint32_t flags;   /* IN: HUSK_CALL_NEXT_FIRST, or 0 */
    uint32_t out_len; /* IN: the last call's output bytes, <= buf_cap */
    int32_t status;   /* IN: the last call's HUSK_CALL_* status */
    int32_t code;     /* IN: with HUSK_CALL_ERROR, the function's own code */
    uint32_t what;    /* OUT: HUSK_CALL_INVOKE or HUSK_CALL_CLOSE */
    uint32_t in_len;  /* OUT: the next call's input bytes */
    uint32_t _pad0;
    char name[HUSK_CALL_NAME_MAX]; /* OUT: the function, NUL-terminated */
};
HUSK_ABI_CHECK(struct husk_hc_call_next, 104);

/*
 * HUSK_HC_HOST_CALL: call the embedder's function `name` with the in_len
 * bytes at buf_gpa; its output replaces them (out_len bytes, at most
 * buf_cap). A name the embedder did not register is status
 * HUSK_CALL_NO_FUNCTION, not a violation: the guest cannot know.
 */
struct husk_hc_host_call {
    uint64_t buf_gpa; /* IN */
    uint32_t buf_cap; /* IN: <= HUSK_CALL_DATA_MAX */
    uint32_t in_len;  /* IN: <= buf_cap */
    uint32_t out_len; /* OUT */
    int32_t status;   /* OUT: a HUSK_CALL_* status */
    int32_t code;     /* OUT: with HUSK_CALL_ERROR, the function's code */
    uint32_t _pad0;
    char name[HUSK_CALL_NAME_MAX]; /* IN: NUL-terminated */
};
HUSK_ABI_CHECK(struct husk_hc_host_call, 96);

/* HUSK_HC_EXIT: stop the guest; the monitor exits with status & 0xff. */
struct husk_hc_exit {
    int32_t status; /* IN */
    uint32_t _pad0;
};
HUSK_ABI_CHECK(struct husk_hc_exit, 8);

/* HUSK_HC_ABORT: stop the guest abnormally (exit 134) with a message. */
#define HUSK_ABORT_MSG_MAX 512
struct husk_hc_abort {
    uint64_t msg_gpa; /* IN: message bytes, need not be NUL-terminated */
    uint32_t len;     /* IN: <= HUSK_ABORT_MSG_MAX */
    uint32_t _pad0;
};
HUSK_ABI_CHECK(struct husk_hc_abort, 16);

/* HUSK_HC_CONSOLE_WRITE: write bytes to the monitor's stdout or stderr. */
#define HUSK_CONSOLE_MAX 65536
#define HUSK_CONSOLE_STDOUT 1
#define HUSK_CONSOLE_STDERR 2
struct husk_hc_console_write {
    uint64_t buf_gpa; /* IN */
    uint32_t len;     /* IN: <= HUSK_CONSOLE_MAX */
    uint32_t stream;  /* IN: HUSK_CONSOLE_STDOUT or HUSK_CONSOLE_STDERR */
    int64_t ret;      /* OUT: bytes written, or -HUSK_EIO */
};
HUSK_ABI_CHECK(struct husk_hc_console_write, 24);
HUSK_ABI_OFFSET(struct husk_hc_console_write, ret, 16);

/*
 * HUSK_HC_CONSOLE_READ (HUSK_FEATURE_CONSOLE_READ): read what is waiting
 * on the monitor's stdin, never waiting for more. When nothing is waiting
 * (-HUSK_EAGAIN) the guest's next wait (the poll call, or net_io's) also
 * ends once stdin turns readable: a guest waits for input in the wait it
 * makes anyway. A wait that ends so, or a read that finds input or the
 * end, lets that go.
 */
struct husk_hc_console_read {
    uint64_t buf_gpa; /* IN: guest memory, written by the monitor */
    uint32_t len;     /* IN: 1..HUSK_CONSOLE_MAX */
    uint32_t _pad0;
    int64_t ret; /* OUT: bytes read, 0 at end of file, -HUSK_EAGAIN if
                  * nothing is waiting, or -HUSK_EIO */
};
HUSK_ABI_CHECK(struct husk_hc_console_read, 24);
HUSK_ABI_OFFSET(struct husk_hc_console_read, ret, 16);

/* HUSK_HC_SET_TLS (process backend, HUSK_FEATURE_TLS_CALL only): set the
 * guest's %fs or %gs base, which the monitor restores after every call. */
#define HUSK_TLS_FS 1
#define HUSK_TLS_GS 2
struct husk_hc_set_tls {
    uint64_t base;  /* IN: a canonical user address */
    uint32_t which; /* IN: HUSK_TLS_FS or HUSK_TLS_GS */
    uint32_t _pad0;
};
HUSK_ABI_CHECK(struct husk_hc_set_tls, 16);

/* HUSK_HC_WALLCLOCK: the host's CLOCK_REALTIME. */
struct husk_hc_wallclock {
    uint64_t ns; /* OUT: nanoseconds since the Unix epoch */
};
HUSK_ABI_CHECK(struct husk_hc_wallclock, 8);

/*
 * HUSK_HC_POLL: sleep until one of the devices in `wait_mask` (bit =
 * handle) is ready or `timeout_ns` passes. The timeout is relative because
 * the two halves share no monotonic epoch: the guest's clock is its TSC.
 */
#define HUSK_POLL_TIMEOUT_MAX (3600ULL * 1000000000ULL)
struct husk_hc_poll {
    uint64_t timeout_ns; /* IN: <= HUSK_POLL_TIMEOUT_MAX */
    uint64_t wait_mask;  /* IN: handles to wait for; 0 = plain sleep */
    uint64_t ready_mask; /* OUT: handles that are ready */
};
HUSK_ABI_CHECK(struct husk_hc_poll, 24);

/*
 * HUSK_HC_MEM_DISCARD: the guest no longer needs these pages. The monitor
 * returns them to the host; they read as zero afterwards. Only the
 * guest's own range [HUSK_LOAD_MIN, mem_size) may be discarded.
 */
struct husk_hc_mem_discard {
    uint64_t gpa; /* IN: page-aligned */
    uint64_t len; /* IN: page-aligned, > 0 */
};
HUSK_ABI_CHECK(struct husk_hc_mem_discard, 16);

/*
 * HUSK_HC_FAULT: made by the monitor's exception stub (not by libhusk)
 * when the guest takes an exception: the frame the CPU and the stub
 * pushed. The monitor reports the crash and stops the guest (139).
 */
struct husk_hc_fault {
    uint64_t rax;                      /* IN: saved by the stub */
    uint64_t vector;                   /* IN: 0..31 */
    uint64_t error;                    /* IN: the CPU's error code, or 0 */
    uint64_t rip, cs, rflags, rsp, ss; /* IN: as the CPU pushed them */
};
HUSK_ABI_CHECK(struct husk_hc_fault, 64);

/* HUSK_HC_BLOCK_INFO: the geometry of a block device. */
#define HUSK_BLOCK_READ_ONLY (1U << 0)
struct husk_hc_block_info {
    uint32_t handle; /* IN: a block device's handle (boot info) */
    uint32_t _pad0;
    uint64_t capacity;    /* OUT: bytes, a multiple of sector_size */
    uint32_t sector_size; /* OUT: 512 */
    uint32_t flags;       /* OUT: HUSK_BLOCK_* */
};
HUSK_ABI_CHECK(struct husk_hc_block_info, 24);

/*
 * A block request, an entry of the queue below. Each moves len bytes
 * between the device at sector * sector_size and guest memory at buf_gpa
 * (the guest's own memory, from HUSK_LOAD_MIN up; for a write the boot
 * data may be read too). A request that is invalid in any way (range,
 * alignment, a write to a read-only device) stops the guest; `result`
 * reports only host I/O errors.
 */
#define HUSK_BLOCK_OP_READ 1
#define HUSK_BLOCK_OP_WRITE 2
#define HUSK_BLOCK_IO_MAX (4U << 20) /* bytes per request */
struct husk_block_request {
    uint32_t op;      /* IN: HUSK_BLOCK_OP_* */
    uint32_t len;     /* IN: a multiple of sector_size, 1..HUSK_BLOCK_IO_MAX */
    uint64_t sector;  /* IN */
    uint64_t buf_gpa; /* IN */
    int32_t result;   /* OUT: 0, or -HUSK_EIO */
    uint32_t _pad0;
};
HUSK_ABI_CHECK(struct husk_block_request, 32);

/* HUSK_HC_BLOCK_FLUSH: written data is durable on the host when it returns. */
struct husk_hc_block_flush {
    uint32_t handle; /* IN */
    uint32_t _pad0;
    int64_t result; /* OUT: 0, or -HUSK_EIO */
};
HUSK_ABI_CHECK(struct husk_hc_block_flush, 16);

/*
 * A block device's request queue, its only way to move data.
 * The guest puts requests into entries[submitted % SIZE] and then raises
 * `submitted` (a free-running count); a monitor I/O thread that polls the
 * queue serves them in order and marks each entry done by writing its
 * sequence number + 1 into `done` (after `result`). While the thread
 * sleeps (it does after a short idle spell) `monitor_sleeping` is 1 and
 * the guest must call HUSK_HC_BLOCK_KICK, which serves the queue at once
 * (in the exit) and wakes the thread, unless the kick moved
 * HUSK_BLOCK_KICK_AT_ONCE bytes or more. A guest that has waited long for
 * a completion may kick too, and libhusk kicks every batch of
 * HUSK_BLOCK_KICK_AT_ONCE bytes or more at once: its transfer dwarfs the
 * exit, and it is served on the CPU that wants the data. The monitor checks every batch it takes
 * whole before any I/O; a bad request stops the guest. The guest must not
 * change an entry between submitting it and seeing it done.
 */
#define HUSK_BLOCK_QUEUE_SIZE 64            /* entries; a power of two */
#define HUSK_BLOCK_KICK_AT_ONCE (64 * 1024) /* bytes; see above */
struct husk_block_qentry {
    struct husk_block_request req; /* IN, and req.result OUT */
    uint32_t done;                 /* OUT: the entry's sequence number + 1 */
    uint32_t _pad0[7];             /* a cache line per entry */
};
HUSK_ABI_CHECK(struct husk_block_qentry, 64);

struct husk_block_queue {
    uint32_t submitted; /* IN: requests handed over, ever (mod 2^32) */
    uint32_t _pad0[15];
    uint32_t consumed;         /* OUT: requests the monitor has taken */
    uint32_t monitor_sleeping; /* OUT: 1 = no thread polls: kick */
    uint32_t _pad1[14];
    struct husk_block_qentry entries[HUSK_BLOCK_QUEUE_SIZE];
};
HUSK_ABI_OFFSET(struct husk_block_queue, consumed, 64);
HUSK_ABI_OFFSET(struct husk_block_queue, entries, 128);
HUSK_ABI_CHECK(struct husk_block_queue, 128 + 64 * HUSK_BLOCK_QUEUE_SIZE);

/* HUSK_HC_BLOCK_QUEUE: give the device a queue (once per device). */
struct husk_hc_block_queue {
    uint32_t handle; /* IN */
    uint32_t _pad0;
    uint64_t queue_gpa; /* IN: page-aligned struct husk_block_queue, zeroed */
};
HUSK_ABI_CHECK(struct husk_hc_block_queue, 16);

/* HUSK_HC_BLOCK_KICK: serve the device's queue now; returns once every
 * request submitted before the call is done. */
struct husk_hc_block_kick {
    uint32_t handle; /* IN */
    uint32_t _pad0;
};
HUSK_ABI_CHECK(struct husk_hc_block_kick, 8);

/*
 * Network devices: Ethernet frames to and from a host tap device. Frames
 * carry no checksum and no preamble: a destination MAC, a source MAC, an
 * EtherType and at most mtu bytes of payload.
 */
#define HUSK_ETH_HLEN 14
#define HUSK_NET_MTU_MIN 68   /* IPv4's minimum */
#define HUSK_NET_MTU_MAX 9000 /* jumbo frames */
#define HUSK_NET_FRAME_MAX (HUSK_NET_MTU_MAX + HUSK_ETH_HLEN)
#define HUSK_NET_BATCH_MAX 64 /* frames per direction per net_io */

/* Offloads a device takes (net_info's offloads). TSO4: a transmit frame
 * may be an IPv4 TCP segment of up to HUSK_NET_TSO_FRAME_MAX bytes that
 * the host cuts into segments of mss payload bytes each (see
 * husk_net_frame), with their checksums: one frame, one host write, for
 * what would be dozens of MTU-sized ones. */
#define HUSK_NET_OFFLOAD_TSO4 0x1
#define HUSK_NET_TSO_FRAME_MAX (HUSK_ETH_HLEN + 65535)

/* HUSK_HC_NET_INFO: a network device's link and IPv4 configuration, as
 * given on the monitor's command line. */
struct husk_hc_net_info {
    uint32_t handle;       /* IN: a network device's handle (boot info) */
    uint32_t mtu;          /* OUT: frames are at most mtu + HUSK_ETH_HLEN */
    uint8_t mac[6];        /* OUT: the guest's MAC address */
    uint8_t prefix_len;    /* OUT: IPv4 prefix length, 0..32 */
    uint8_t offloads;      /* OUT: HUSK_NET_OFFLOAD_* the device takes */
    uint32_t ipv4_addr;    /* OUT: network byte order; 0 = none given */
    uint32_t ipv4_gateway; /* OUT: network byte order; 0 = none */
    uint32_t ipv4_dns;     /* OUT: a DNS server (UDP port 53), network
                            * byte order; 0 = none */
    uint32_t _pad0;        /* IN: MUST be 0 (reserved) */
};
HUSK_ABI_OFFSET(struct husk_hc_net_info, ipv4_gateway, 20);
HUSK_ABI_OFFSET(struct husk_hc_net_info, ipv4_dns, 24);
HUSK_ABI_CHECK(struct husk_hc_net_info, 32);

/*
 * One frame buffer in a net_io batch. Receive: cap is the buffer's size
 * (at least mtu + HUSK_ETH_HLEN, so that no frame is ever cut) and the
 * monitor sets len to the received frame's length. Transmit: len is the
 * frame's length and mss is 0 for a complete frame (HUSK_ETH_HLEN .. mtu +
 * HUSK_ETH_HLEN bytes, checksums and all). With HUSK_NET_OFFLOAD_TSO4, mss
 * from 1 to mtu - 40 makes it a segmentation offload: an IPv4 TCP frame
 * (no IP options, not a fragment, IP total length = len - HUSK_ETH_HLEN,
 * at most HUSK_NET_TSO_FRAME_MAX bytes) whose TCP checksum field holds the
 * pseudo-header's sum (not complemented); the host sends it as segments
 * of mss payload bytes, each with its own headers and checksums, exactly
 * as if the guest had sent them one by one.
 */
struct husk_net_frame {
    uint64_t buf_gpa; /* IN */
    uint32_t len;     /* IN (transmit) or OUT (receive) */
    union {
        uint32_t cap; /* IN, receive: the buffer's size */
        uint32_t mss; /* IN, transmit: 0, or TSO's segment size */
    };
};
HUSK_ABI_CHECK(struct husk_net_frame, 16);

/*
 * HUSK_HC_NET_IO: transmit a batch of frames, then receive up to rx_count
 * frames, in one exit. When no frame is waiting the monitor waits up to
 * timeout_ns for the first one (0: do not wait). Frames the host cannot
 * take (its queue is full) are dropped and not counted in tx_sent, as a
 * NIC drops them; a frame that is invalid in any way stops the guest. Both
 * batches are checked whole before any frame moves.
 */
struct husk_hc_net_io {
    uint32_t handle;     /* IN */
    uint32_t tx_count;   /* IN: 0..HUSK_NET_BATCH_MAX */
    uint64_t tx_gpa;     /* IN: struct husk_net_frame[tx_count] */
    uint32_t rx_count;   /* IN: 0..HUSK_NET_BATCH_MAX buffers offered */
    uint32_t rx_filled;  /* OUT: frames received, into rx[0..rx_filled) */
    uint64_t rx_gpa;     /* IN: struct husk_net_frame[rx_count] */
    uint64_t timeout_ns; /* IN: <= HUSK_POLL_TIMEOUT_MAX */
    uint32_t tx_sent;    /* OUT: frames the host took */
    uint32_t _pad0;
};
HUSK_ABI_CHECK(struct husk_hc_net_io, 48);
HUSK_ABI_OFFSET(struct husk_hc_net_io, timeout_ns, 32);

/* Every call on a device starts its struct with the device's handle: the
 * monitor's dispatcher resolves and checks it before the call's handler. */
HUSK_ABI_OFFSET(struct husk_hc_block_info, handle, 0);
HUSK_ABI_OFFSET(struct husk_hc_block_flush, handle, 0);
HUSK_ABI_OFFSET(struct husk_hc_block_queue, handle, 0);
HUSK_ABI_OFFSET(struct husk_hc_block_kick, handle, 0);
HUSK_ABI_OFFSET(struct husk_hc_net_info, handle, 0);
HUSK_ABI_OFFSET(struct husk_hc_net_io, handle, 0);

#endif /* !__ASSEMBLER__ */
#endif /* HUSK_ABI_H */
