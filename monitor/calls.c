/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * calls.c: husk --call-channel=SOCKET,MEMORY, the monitor's half of
 * libhusk-host: the embedder calls the guest's exported functions, and
 * the guest calls the embedder's (abi/husk_channel.h says how the two
 * talk; docs/embedding.md how it is used).
 *
 * The guest serves calls from one hypercall, HUSK_HC_CALL_NEXT, which
 * hands back the last call's result and blocks here until the embedder
 * sends the next: one exit per call. Its data crosses through MEMORY,
 * mapped before the jail, into the guest's call area, whose every byte is
 * checked as any guest buffer is. The messages go through MEMORY's boxes,
 * the socket only rings (husk_channel.h). The embedder is not the guest,
 * but its messages are checked too: a malformed one ends the run (125).
 *
 * Both calls are TLS-free (proc.c): a call that costs no system call must
 * not cost two arch_prctl either. Their common path makes raw system
 * calls only; what leaves it (a message, a snapshot, a rewind) claims the
 * monitor's thread pointer first.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allowlist.h"
#include "../abi/husk_channel.h"
#include "husk.h"
#include "rawsys.h"

static struct {
    int sock, mem_fd;                 /* -1 without --call-channel */
    uint8_t *mem;                     /* HUSK_CALL_MEM_SIZE bytes, shared */
    struct husk_channel_boxes *boxes; /* at its end */
    uint32_t taken;    /* messages taken from boxes->to_monitor */
    uint64_t watch_ns; /* how long to watch the box: 0 on one CPU */
    struct husk_channel_watch watch; /* whether watching pays */
} chan = {.sock = -1, .mem_fd = -1};

bool husk_calls_enabled(void)
{
    return chan.sock >= 0;
}

bool husk_calls_owns_fd(int fd)
{
    return fd >= 0 && (fd == chan.sock || fd == chan.mem_fd);
}

void husk_calls_open(const struct husk_config *cfg)
{
    if (cfg->call_sock < 0)
        return;
    int type = 0;
    socklen_t len = sizeof(type);
    if (getsockopt(cfg->call_sock, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
        type != SOCK_SEQPACKET)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--call-channel: fd %d is not a SOCK_SEQPACKET socket "
                    "(it is made by libhusk-host)",
                    cfg->call_sock);
    struct stat st;
    if (fstat(cfg->call_mem, &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size < HUSK_CALL_MEM_SIZE)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--call-channel: fd %d is not a file of at least %u "
                    "bytes (is libhusk-host as new as this husk?)",
                    cfg->call_mem, HUSK_CALL_MEM_SIZE);
    void *mem = mmap(NULL, HUSK_CALL_MEM_SIZE, PROT_READ | PROT_WRITE,
                     MAP_SHARED, cfg->call_mem, 0);
    if (mem == MAP_FAILED)
        husk_fatal(HUSK_EXIT_MONITOR, "--call-channel: cannot map fd %d",
                   cfg->call_mem);
    /* Not inherited by anything the monitor might start. */
    fcntl(cfg->call_sock, F_SETFD, FD_CLOEXEC);
    fcntl(cfg->call_mem, F_SETFD, FD_CLOEXEC);
    chan.sock = cfg->call_sock;
    chan.mem_fd = cfg->call_mem;
    chan.mem = mem;
    chan.boxes = husk_channel_boxes_of(mem);
    /* The library starts each monitor with both boxes empty; whatever
     * they count now is where this monitor starts. */
    chan.taken = __atomic_load_n(&chan.boxes->to_monitor.seq, __ATOMIC_ACQUIRE);
    /* Watching a box on the only CPU would keep the other side from
     * answering. */
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1)
        chan.watch_ns = HUSK_CHANNEL_WATCH_NS;
}

int husk_calls_sandbox_rules(const struct husk_vm *vm, struct husk_rules *rules)
{
    if (chan.sock < 0)
        return 0;
    int rc = 0;
    /* One message each way per call; both on this socket only. */
    rc |= husk_rule_add(rules, SCMP_SYS(read), 1,
                        SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)chan.sock));
    rc |= husk_rule_add(rules, SCMP_SYS(write), 1,
                        SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)chan.sock));
    if (!husk_snapshot_can_rewind(vm))
        return rc;
    /* A rewind gives the guest fresh random bytes, as a restore does
     * (bootinfo.c), and puts the vCPU back at the entry
     * (husk_cpu_restart). */
    rc |= husk_rule_add(rules, SCMP_SYS(getrandom), 1, SCMP_A2(SCMP_CMP_EQ, 0));
    if (vm->backend == HUSK_BACKEND_KVM) {
        scmp_datum_t vcpu =
            husk_rules_slot(rules, HUSK_SLOT_VCPU_FD, (uint32_t)vm->vcpu_fd);
        rc |=
            husk_rule_add(rules, SCMP_SYS(ioctl), 2, SCMP_A0(SCMP_CMP_EQ, vcpu),
                          SCMP_A1(SCMP_CMP_EQ, KVM_SET_REGS));
        rc |=
            husk_rule_add(rules, SCMP_SYS(ioctl), 2, SCMP_A0(SCMP_CMP_EQ, vcpu),
                          SCMP_A1(SCMP_CMP_EQ, KVM_SET_FPU));
    }
    return rc;
}

/* ---- the boxes and the socket ---- */

/* Put m in the library's box, and ring if it sleeps. TLS-free. */
static void send_msg(const struct husk_vm *vm, const struct husk_channel_msg *m)
{
    if (!husk_channel_put(&chan.boxes->to_library, m,
                          (uint32_t)vm->console.writes))
        return;
    for (;;) {
        long n = husk_raw_write(chan.sock, "", 1);
        /* Sent; or the embedder is gone, and nothing is left to serve. */
        if (n >= 0 || n == -EPIPE || n == -ECONNRESET)
            return;
        if (n != -EINTR) {
            husk_own_tls();
            errno = (int)-n;
            husk_fatal(HUSK_EXIT_MONITOR, "--call-channel: cannot ring");
        }
    }
}

enum wait_result { WAIT_MSG, WAIT_CLOSED, WAIT_STOPPED };

/* Check a message the embedder put in the box. */
static void check_msg(const struct husk_channel_msg *m)
{
    if (m->len > HUSK_CALL_DATA_MAX ||
        memchr(m->name, '\0', sizeof(m->name)) == NULL)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "--call-channel: a malformed message (type %u)", m->type);
}

/* The embedder's next message, or why there is none: the box watched for
 * chan.watch_ns, then a sleep on the socket with the stop signals open,
 * as the poll call sleeps (stop.c). TLS-free. */
static enum wait_result wait_msg(struct husk_channel_msg *m)
{
    struct husk_channel_box *box = &chan.boxes->to_monitor;
    uint32_t output;
    if (husk_channel_take(box, &chan.taken, m, &output)) {
        check_msg(m);
        return WAIT_MSG;
    }
    uint64_t watch_until = 0;
    if (chan.watch_ns != 0 && husk_channel_watch_now(&chan.watch))
        watch_until = husk_now_ns() + chan.watch_ns;
    for (;;) {
        if (husk_stop_requested())
            return WAIT_STOPPED;
        if (husk_channel_take(box, &chan.taken, m, &output)) {
            if (watch_until != 0)
                husk_channel_watched(&chan.watch, 1);
            check_msg(m);
            return WAIT_MSG;
        }
        if (watch_until != 0) {
            if (husk_channel_watch(box, chan.taken, 64) ||
                husk_now_ns() < watch_until)
                continue;
            watch_until = 0;
            husk_channel_watched(&chan.watch, 0);
        }
        if (!husk_channel_may_sleep(box, chan.taken))
            continue;
        struct pollfd p = {.fd = chan.sock, .events = POLLIN};
        long rc = husk_raw_ppoll(&p, 1, NULL, husk_wait_sigmask());
        husk_channel_awake(box);
        if (rc == -EINTR)
            continue;
        if (rc < 0) {
            husk_own_tls();
            errno = (int)-rc;
            husk_fatal(HUSK_EXIT_MONITOR, "--call-channel: ppoll");
        }
        /* A doorbell (its bytes mean nothing), or the end. */
        char bell[16];
        long n = husk_raw_read(chan.sock, bell, sizeof(bell));
        if (n == 0 || n == -ECONNRESET) {
            /* A last message may have come before the end. */
            if (husk_channel_take(box, &chan.taken, m, &output)) {
                check_msg(m);
                return WAIT_MSG;
            }
            return WAIT_CLOSED;
        }
        if (n < 0 && n != -EINTR && n != -EAGAIN) {
            husk_own_tls();
            errno = (int)-n;
            husk_fatal(HUSK_EXIT_MONITOR, "--call-channel: read");
        }
    }
}

static bool status_valid(int32_t s)
{
    return s >= HUSK_CALL_OK && s <= HUSK_CALL_TOO_LARGE;
}

/* ---- the guest's calls ---- */

enum next { NEXT_CALL, NEXT_CLOSE, NEXT_REWOUND };

/* Serve the embedder's messages until one is a call for the guest (its
 * name and input then in a and buf), a rewind (guest memory is then the
 * snapshot's again: a and buf are no longer the guest's) or there are no
 * more. */
static enum next serve_messages(struct husk_vm *vm, struct husk_hc_call_next *a,
                                uint8_t *buf)
{
    for (;;) {
        struct husk_channel_msg m;
        enum wait_result w = wait_msg(&m);
        if (w != WAIT_MSG)
            return NEXT_CLOSE;
        if (m.type == HUSK_CHAN_SNAPSHOT) {
            husk_own_tls();
            struct husk_channel_msg done = {.type = HUSK_CHAN_SNAPSHOT_DONE};
            done.status = husk_snapshot_take(vm) ? 0 : 1;
            send_msg(vm, &done);
            continue;
        }
        if (m.type == HUSK_CHAN_REWIND) {
            husk_own_tls();
            if (husk_snapshot_rewind(vm))
                return NEXT_REWOUND;
            struct husk_channel_msg no = {.type = HUSK_CHAN_REWIND_REFUSED};
            send_msg(vm, &no);
            continue;
        }
        if (m.type != HUSK_CHAN_CALL)
            husk_fatalx(HUSK_EXIT_MONITOR,
                        "--call-channel: message type %u while the guest "
                        "waits for a call",
                        m.type);
        if (m.len > a->buf_cap) {
            /* The guest's call area is smaller: the embedder hears so,
             * and the guest never sees the call. */
            struct husk_channel_msg r = {.type = HUSK_CHAN_RESULT,
                                         .status = HUSK_CALL_TOO_LARGE};
            send_msg(vm, &r);
            continue;
        }
        memcpy(buf, chan.mem, m.len);
        memcpy(a->name, m.name, sizeof(a->name));
        a->in_len = m.len;
        return NEXT_CALL;
    }
}

static enum husk_hc_result hc_call_next(struct husk_vm *vm, void *arg)
{
    struct husk_hc_call_next *a = arg;
    if (a->_pad0 != 0 || (a->flags & ~(uint32_t)HUSK_CALL_NEXT_FIRST) != 0)
        return husk_violation(vm, "call_next: padding or flags not zero");
    if (a->buf_cap > HUSK_CALL_DATA_MAX || a->out_len > a->buf_cap)
        return husk_violation(
            vm,
            "call_next: buf_cap %u or out_len %u exceeds "
            "%u",
            a->buf_cap, a->out_len,
            a->buf_cap > HUSK_CALL_DATA_MAX ? HUSK_CALL_DATA_MAX : a->buf_cap);
    uint8_t *buf = husk_gpa_range(vm, a->buf_gpa, a->buf_cap);
    if (buf == NULL)
        return husk_violation(vm,
                              "call_next: 0x%llx+%u lies outside guest memory",
                              (unsigned long long)a->buf_gpa, a->buf_cap);
    if (!(a->flags & HUSK_CALL_NEXT_FIRST)) {
        if (!status_valid(a->status))
            return husk_violation(vm, "call_next: unknown status %d",
                                  a->status);
        memcpy(chan.mem, buf, a->out_len);
        struct husk_channel_msg r = {.type = HUSK_CHAN_RESULT,
                                     .status = a->status,
                                     .code = a->code,
                                     .len = a->out_len};
        send_msg(vm, &r);
    } else {
        /* The guest serves: its start-up is over (or it was restored
         * from a snapshot taken while it waited here). */
        struct husk_channel_msg r = {.type = HUSK_CHAN_READY};
        send_msg(vm, &r);
    }
    memset(a->name, 0, sizeof(a->name));
    a->in_len = 0;
    enum next next = serve_messages(vm, a, buf);
    if (next == NEXT_REWOUND)
        return HUSK_HC_RESTART; /* its start sends READY again */
    a->what = next == NEXT_CALL ? HUSK_CALL_INVOKE : HUSK_CALL_CLOSE;
    return HUSK_HC_DONE;
}

static enum husk_hc_result hc_host_call(struct husk_vm *vm, void *arg)
{
    struct husk_hc_host_call *a = arg;
    if (a->_pad0 != 0)
        return husk_violation(vm, "host_call: padding is not zero");
    if (memchr(a->name, '\0', sizeof(a->name)) == NULL)
        return husk_violation(vm, "host_call: the name is not terminated");
    if (a->buf_cap > HUSK_CALL_DATA_MAX || a->in_len > a->buf_cap)
        return husk_violation(vm,
                              "host_call: buf_cap %u or in_len %u exceeds "
                              "%u",
                              a->buf_cap, a->in_len, HUSK_CALL_DATA_MAX);
    uint8_t *buf = husk_gpa_range(vm, a->buf_gpa, a->buf_cap);
    if (buf == NULL)
        return husk_violation(vm,
                              "host_call: 0x%llx+%u lies outside guest memory",
                              (unsigned long long)a->buf_gpa, a->buf_cap);
    struct husk_channel_msg m = {.type = HUSK_CHAN_HOST_CALL, .len = a->in_len};
    memcpy(m.name, a->name, sizeof(m.name));
    memcpy(chan.mem, buf, a->in_len);
    send_msg(vm, &m);
    a->out_len = 0;
    a->code = 0;
    struct husk_channel_msg r;
    enum wait_result w = wait_msg(&r);
    if (w != WAIT_MSG) {
        /* The embedder is gone or the run stops: the guest's next
         * call_next ends it. */
        a->status = HUSK_CALL_ERROR;
        return HUSK_HC_DONE;
    }
    if (r.type != HUSK_CHAN_HOST_REPLY || !status_valid(r.status))
        husk_fatalx(
            /* it claims the monitor's thread pointer */ HUSK_EXIT_MONITOR,
            "--call-channel: message type %u (status %d) while the "
            "guest waits for a host call's reply",
            r.type, r.status);
    a->status = r.status;
    a->code = r.code;
    if (r.status == HUSK_CALL_OK && r.len > a->buf_cap) {
        a->status = HUSK_CALL_TOO_LARGE;
        a->out_len = r.len; /* what it would have needed */
        return HUSK_HC_DONE;
    }
    if (r.status == HUSK_CALL_OK) {
        memcpy(buf, chan.mem, r.len);
        a->out_len = r.len;
    }
    return HUSK_HC_DONE;
}

void husk_calls_register(struct husk_vm *vm)
{
    if (chan.sock < 0)
        return;
    if (husk_hc_register(vm, HUSK_HC_CALL_NEXT, "call_next",
                         sizeof(struct husk_hc_call_next), hc_call_next) != 0 ||
        husk_hc_register(vm, HUSK_HC_HOST_CALL, "host_call",
                         sizeof(struct husk_hc_host_call), hc_host_call) != 0)
        husk_fatalx(HUSK_EXIT_MONITOR,
                    "internal error: call registration failed");
    husk_hc_mark_tls_free(vm, HUSK_HC_CALL_NEXT); /* see the top */
    husk_hc_mark_tls_free(vm, HUSK_HC_HOST_CALL);
}
