// SPDX-License-Identifier: MIT
// tests/vm/selftest/kvm_hlt.c: the smallest proof that /dev/kvm works.
// Opens /dev/kvm, checks the API version, runs a real-mode guest that
// loops on port I/O (timing the KVM_RUN round trips) and then executes
// `hlt`, expecting KVM_EXIT_HLT. Then, unless given "16", a 64-bit
// long-mode guest that uses SSE and halts (paging, CR4/EFER, nested page
// tables), and unless given "16" or "64": the features KVM offers
// (KVM_GET_SUPPORTED_CPUID), a long-mode guest that uses AVX, wrfsbase
// and rdrand, and a spinning guest that a signal must interrupt.
// Prints "kvm ok" when all went well. "forever" spins a guest until the
// process is killed (from outside, by `timeout`, say).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "kvm_hlt: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

struct vm {
    int vm, vcpu;
    struct kvm_run *run;
    uint8_t *mem;
};

static void vm_new(int kvm, struct vm *v, size_t memsz)
{
    v->vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (v->vm < 0)
        die("KVM_CREATE_VM");
    v->mem = mmap(NULL, memsz, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (v->mem == MAP_FAILED)
        die("mmap");
    struct kvm_userspace_memory_region r = {
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = memsz,
        .userspace_addr = (uintptr_t)v->mem,
    };
    if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
        die("KVM_SET_USER_MEMORY_REGION");
    v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
    if (v->vcpu < 0)
        die("KVM_CREATE_VCPU");
    int sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (sz < 0)
        die("KVM_GET_VCPU_MMAP_SIZE");
    v->run = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
    if (v->run == MAP_FAILED)
        die("mmap vcpu");
}

static int vm_run(struct vm *v, double *us)
{
    double t = now_us();
    if (ioctl(v->vcpu, KVM_RUN, 0) < 0)
        die("KVM_RUN");
    *us = now_us() - t;
    return v->run->exit_reason;
}

// Real mode: out 0x10, al (al = 42) n times, then hlt.
static void real_mode(int kvm)
{
    struct vm v;
    vm_new(kvm, &v, 0x10000);
    const uint8_t code[] = {
        0xb0, 0x2a, // mov al, 42
        0xe6, 0x10, // out 0x10, al
        0xeb, 0xfa, // jmp back to mov  (loops until we stop it)
    };
    const uint8_t hlt[] = {0xf4};
    memcpy(v.mem + 0x1000, code, sizeof code);
    memcpy(v.mem + 0x2000, hlt, sizeof hlt);

    struct kvm_sregs s;
    if (ioctl(v.vcpu, KVM_GET_SREGS, &s) < 0)
        die("KVM_GET_SREGS");
    s.cs.base = 0, s.cs.selector = 0;
    if (ioctl(v.vcpu, KVM_SET_SREGS, &s) < 0)
        die("KVM_SET_SREGS");
    struct kvm_regs r = {.rip = 0x1000, .rflags = 2};
    if (ioctl(v.vcpu, KVM_SET_REGS, &r) < 0)
        die("KVM_SET_REGS");

    // Round trips: each `out` is one exit to us and one entry back.
    enum { N = 200 };
    double first, us, total = 0, best = 1e30;
    for (int i = 0; i < N; i++) {
        int e = vm_run(&v, &us);
        if (i == 0)
            first = us;
        else {
            total += us;
            if (us < best)
                best = us;
        }
        if (e != KVM_EXIT_IO || v.run->io.port != 0x10 ||
            ((uint8_t *)v.run)[v.run->io.data_offset] != 42) {
            fprintf(stderr, "kvm_hlt: real mode: exit %d, want KVM_EXIT_IO\n",
                    e);
            exit(1);
        }
    }
    // Now jump to the hlt.
    if (ioctl(v.vcpu, KVM_GET_REGS, &r) < 0)
        die("KVM_GET_REGS");
    r.rip = 0x2000;
    if (ioctl(v.vcpu, KVM_SET_REGS, &r) < 0)
        die("KVM_SET_REGS");
    int e = vm_run(&v, &us);
    if (e != KVM_EXIT_HLT) {
        fprintf(stderr, "kvm_hlt: real mode: exit %d, want KVM_EXIT_HLT (%d)\n",
                e, KVM_EXIT_HLT);
        exit(1);
    }
    printf("real mode: hlt ok; first KVM_RUN %.0f us, then %d io exits: "
           "mean %.1f us, best %.1f us\n",
           first, N - 1, total / (N - 1), best);
}

// Long mode: identity-map 2 MiB with one large page, run 64-bit code that
// uses SSE, reads CR4-gated stuff not at all, writes port 0x11 and halts.
static void long_mode(int kvm)
{
    struct vm v;
    vm_new(kvm, &v, 0x200000);
    uint64_t *pml4 = (void *)(v.mem + 0x1000);
    uint64_t *pdpt = (void *)(v.mem + 0x2000);
    uint64_t *pd = (void *)(v.mem + 0x3000);
    pml4[0] = 0x2000 | 3;
    pdpt[0] = 0x3000 | 3;
    pd[0] = 0 | 0x83; // present, writable, 2 MiB page
    const uint8_t code[] = {
        0x48, 0xb8, 0x88, 0x77, 0x66,
        0x55, 0x44, 0x33, 0x22, 0x11, // mov rax, imm64
        0x66, 0x48, 0x0f, 0x6e, 0xc0, // movq xmm0, rax
        0x66, 0x48, 0x0f, 0x7e, 0xc3, // movq rbx, xmm0
        0xe6, 0x11,                   // out 0x11, al
        0xf4,                         // hlt
    };
    memcpy(v.mem + 0x10000, code, sizeof code);

    struct kvm_sregs s;
    if (ioctl(v.vcpu, KVM_GET_SREGS, &s) < 0)
        die("KVM_GET_SREGS");
    struct kvm_segment cs = {.base = 0,
                             .limit = 0xffffffff,
                             .selector = 8,
                             .type = 11,
                             .present = 1,
                             .dpl = 0,
                             .db = 0,
                             .s = 1,
                             .l = 1,
                             .g = 1};
    struct kvm_segment ds = cs;
    ds.type = 3, ds.selector = 16, ds.l = 0, ds.db = 1;
    s.cs = cs;
    s.ds = s.es = s.fs = s.gs = s.ss = ds;
    s.cr3 = 0x1000;
    s.cr4 = (1 << 5) | (1 << 9) | (1 << 10); // PAE, OSFXSR, OSXMMEXCPT
    s.cr0 = 0x80000001 | (1 << 1);           // PG, PE, MP
    s.efer = (1 << 8) | (1 << 10);           // LME, LMA
    if (ioctl(v.vcpu, KVM_SET_SREGS, &s) < 0)
        die("KVM_SET_SREGS (long)");
    struct kvm_regs r = {.rip = 0x10000, .rflags = 2, .rsp = 0x100000};
    if (ioctl(v.vcpu, KVM_SET_REGS, &r) < 0)
        die("KVM_SET_REGS (long)");
    double us;
    int e = vm_run(&v, &us);
    if (e != KVM_EXIT_IO || v.run->io.port != 0x11) {
        fprintf(stderr, "kvm_hlt: long mode: exit %d, want KVM_EXIT_IO\n", e);
        exit(1);
    }
    e = vm_run(&v, &us);
    if (e != KVM_EXIT_HLT) {
        fprintf(stderr, "kvm_hlt: long mode: exit %d, want KVM_EXIT_HLT\n", e);
        exit(1);
    }
    if (ioctl(v.vcpu, KVM_GET_REGS, &r) < 0)
        die("KVM_GET_REGS");
    if (r.rbx != 0x1122334455667788ull) {
        fprintf(stderr, "kvm_hlt: long mode: rbx %llx\n",
                (unsigned long long)r.rbx);
        exit(1);
    }
    printf("long mode: sse + hlt ok\n");
}

// What KVM offers its guests (KVM_GET_SUPPORTED_CPUID), then a long-mode
// guest that uses them the way our guests do: AVX (VEX, with XCR0 set),
// wrfsbase/rdfsbase (CR4.FSGSBASE) and rdrand.
static struct kvm_cpuid2 *supported(int kvm)
{
    int n = 256;
    struct kvm_cpuid2 *c = calloc(1, sizeof *c + n * sizeof c->entries[0]);
    c->nent = n;
    if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) < 0)
        die("KVM_GET_SUPPORTED_CPUID");
    return c;
}

static uint32_t reg(struct kvm_cpuid2 *c, uint32_t fn, int which)
{
    for (uint32_t i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == fn && e->index == 0)
            return which == 1   ? e->ebx
                   : which == 2 ? e->ecx
                   : which == 3 ? e->edx
                                : e->eax;
    }
    return 0;
}

static void features(int kvm)
{
    struct kvm_cpuid2 *c = supported(kvm);
    uint32_t c1 = reg(c, 1, 2), b7 = reg(c, 7, 1);
    struct {
        const char *name;
        int on;
    } f[] = {
        {"sse4_2", c1 >> 20 & 1}, {"xsave", c1 >> 26 & 1},
        {"avx", c1 >> 28 & 1},    {"rdrand", c1 >> 30 & 1},
        {"fsgsbase", b7 & 1},     {"avx2", b7 >> 5 & 1},
        {"rdseed", b7 >> 18 & 1},
    };
    printf("KVM_GET_SUPPORTED_CPUID:");
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        printf(" %s%s", f[i].on ? "" : "!", f[i].name);
    printf("\n");
    if (!(c1 >> 28 & 1) || !(c1 >> 26 & 1) || !(b7 & 1) || !(c1 >> 30 & 1)) {
        printf("features: skipped (needs avx, xsave, fsgsbase and rdrand)\n");
        return;
    }

    struct vm v;
    vm_new(kvm, &v, 0x200000);
    if (ioctl(v.vcpu, KVM_SET_CPUID2, c) < 0)
        die("KVM_SET_CPUID2");
    uint64_t *pml4 = (void *)(v.mem + 0x1000);
    uint64_t *pdpt = (void *)(v.mem + 0x2000);
    uint64_t *pd = (void *)(v.mem + 0x3000);
    pml4[0] = 0x2000 | 3;
    pdpt[0] = 0x3000 | 3;
    pd[0] = 0 | 0x83;
    const uint8_t code[] = {
        0xc5, 0xfd, 0x76, 0xc0, // vpcmpeqd ymm0, ymm0, ymm0
        0xc5, 0xfd, 0x50, 0xc0, // vmovmskpd eax, ymm0
        0x89, 0xc6,             // mov esi, eax
        0x48, 0xb8, 0x88, 0x77, 0x66,
        0x55, 0x44, 0x33, 0x22, 0x11, // mov rax, imm64
        0xf3, 0x48, 0x0f, 0xae, 0xd0, // wrfsbase rax
        0xf3, 0x48, 0x0f, 0xae, 0xc3, // rdfsbase rbx
        0x48, 0x0f, 0xc7, 0xf1,       // rdrand rcx
        0x0f, 0x92, 0xc2,             // setc dl
        0xe6, 0x12,                   // out 0x12, al
        0xf4,                         // hlt
    };
    memcpy(v.mem + 0x10000, code, sizeof code);
    struct kvm_sregs s;
    if (ioctl(v.vcpu, KVM_GET_SREGS, &s) < 0)
        die("KVM_GET_SREGS");
    struct kvm_segment cs = {.base = 0,
                             .limit = 0xffffffff,
                             .selector = 8,
                             .type = 11,
                             .present = 1,
                             .dpl = 0,
                             .db = 0,
                             .s = 1,
                             .l = 1,
                             .g = 1};
    struct kvm_segment ds = cs;
    ds.type = 3, ds.selector = 16, ds.l = 0, ds.db = 1;
    s.cs = cs;
    s.ds = s.es = s.fs = s.gs = s.ss = ds;
    s.cr3 = 0x1000;
    // PAE, OSFXSR, OSXMMEXCPT, FSGSBASE, OSXSAVE
    s.cr4 = (1 << 5) | (1 << 9) | (1 << 10) | (1 << 16) | (1 << 18);
    s.cr0 = 0x80000001 | (1 << 1);
    s.efer = (1 << 8) | (1 << 10);
    if (ioctl(v.vcpu, KVM_SET_SREGS, &s) < 0)
        die("KVM_SET_SREGS (features)");
    struct kvm_xcrs x = {.nr_xcrs = 1, .xcrs = {{.xcr = 0, .value = 7}}};
    if (ioctl(v.vcpu, KVM_SET_XCRS, &x) < 0)
        die("KVM_SET_XCRS");
    struct kvm_regs r = {.rip = 0x10000, .rflags = 2, .rsp = 0x100000};
    if (ioctl(v.vcpu, KVM_SET_REGS, &r) < 0)
        die("KVM_SET_REGS (features)");
    double us;
    int e = vm_run(&v, &us);
    if (e == KVM_EXIT_IO && v.run->io.port == 0x12)
        e = vm_run(&v, &us);
    if (ioctl(v.vcpu, KVM_GET_REGS, &r) < 0)
        die("KVM_GET_REGS");
    if (e != KVM_EXIT_HLT) {
        fprintf(stderr,
                "kvm_hlt: features: exit %d at rip %llx, want KVM_EXIT_HLT\n",
                e, (unsigned long long)r.rip);
        exit(1);
    }
    if (r.rsi != 0xf || r.rbx != 0x1122334455667788ull || (r.rdx & 0xff) != 1) {
        fprintf(stderr, "kvm_hlt: features: rsi %llx rbx %llx rdx %llx\n",
                (unsigned long long)r.rsi, (unsigned long long)r.rbx,
                (unsigned long long)r.rdx);
        exit(1);
    }
    printf("features: avx, wrfsbase/rdfsbase, rdrand ok in a guest (rdrand "
           "%llx)\n",
           (unsigned long long)r.rcx);
}

// A guest that spins (`jmp $`) must still be interrupted: a signal to the
// vCPU thread makes KVM_RUN return EINTR. Under QEMU's TCG this needs the
// emulated SVM to leave the nested guest on the L1 timer interrupt.
static void on_alarm(int sig)
{
    (void)sig;
}

static void spin(int kvm)
{
    struct vm v;
    vm_new(kvm, &v, 0x10000);
    v.mem[0x1000] = 0xeb, v.mem[0x1001] = 0xfe; // jmp $
    struct kvm_sregs s;
    if (ioctl(v.vcpu, KVM_GET_SREGS, &s) < 0)
        die("KVM_GET_SREGS");
    s.cs.base = 0, s.cs.selector = 0;
    if (ioctl(v.vcpu, KVM_SET_SREGS, &s) < 0)
        die("KVM_SET_SREGS");
    struct kvm_regs r = {.rip = 0x1000, .rflags = 2};
    if (ioctl(v.vcpu, KVM_SET_REGS, &r) < 0)
        die("KVM_SET_REGS");
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {.it_value = {.tv_usec = 200000}};
    setitimer(ITIMER_REAL, &it, NULL);
    double t = now_us();
    int rc = ioctl(v.vcpu, KVM_RUN, 0);
    int err = errno;
    t = now_us() - t;
    if (rc != -1 || err != EINTR) {
        fprintf(stderr, "kvm_hlt: spin: KVM_RUN returned %d (%s), want EINTR\n",
                rc, strerror(err));
        exit(1);
    }
    printf(
        "spin: a spinning guest was interrupted after %.0f ms (timer 200 ms)\n",
        t / 1e3);
}

int main(int argc, char **argv)
{
    double t0 = now_us();
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0)
        die("open /dev/kvm");
    int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
    if (api != 12) {
        fprintf(stderr, "kvm_hlt: KVM_GET_API_VERSION %d, want 12\n", api);
        return 1;
    }
    real_mode(kvm);
    const char *upto = argc > 1 ? argv[1] : "all";
    if (strcmp(upto, "forever") == 0) { // for `timeout` to kill: no handler
        struct vm v;
        vm_new(kvm, &v, 0x10000);
        v.mem[0] = 0xeb, v.mem[1] = 0xfe; // jmp $
        struct kvm_sregs s;
        if (ioctl(v.vcpu, KVM_GET_SREGS, &s) < 0)
            die("KVM_GET_SREGS");
        s.cs.base = 0, s.cs.selector = 0;
        if (ioctl(v.vcpu, KVM_SET_SREGS, &s) < 0)
            die("KVM_SET_SREGS");
        struct kvm_regs r = {.rip = 0, .rflags = 2};
        if (ioctl(v.vcpu, KVM_SET_REGS, &r) < 0)
            die("KVM_SET_REGS");
        printf("spinning\n");
        fflush(stdout);
        for (;;)
            ioctl(v.vcpu, KVM_RUN, 0);
    }
    if (strcmp(upto, "16") != 0) {
        long_mode(kvm);
        if (strcmp(upto, "64") != 0) {
            features(kvm);
            spin(kvm);
        }
    }
    printf("kvm ok (%.0f ms in all)\n", (now_us() - t0) / 1e3);
    return 0;
}
