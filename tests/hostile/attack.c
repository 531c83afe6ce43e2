/* attack.c: a hostile guest. argv[1] names one attack on the monitor;
 * each must stop the guest with the documented status and message, and
 * never reach host memory outside the guest's. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/husk_abi.h"
#include "tests/hostile/raw_hc.h"

static void store(uint64_t gpa, uint64_t value)
{
    __asm__ volatile("movq %1, %0"
                     : "=m"(*(volatile uint64_t *)(uintptr_t)gpa)
                     : "r"(value)
                     : "memory");
}

static void hypercall(unsigned nr, uint64_t arg_gpa)
{
    raw_hypercall(nr, arg_gpa);
}

/* The guest's memory size, from the boot information's view: the top of
 * the stack is the end of memory, rounded up to 2 MiB. */
static uint64_t mem_end(void)
{
    uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
    return (sp + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
}

/* Attacks on the block request queue (HUSK_HC_BLOCK_QUEUE / KICK). The
 * guest never opened /dev/data, so libhusk has set up no queue yet. */
static _Alignas(4096) struct husk_block_queue q;

static int queue_attack(const char *a, uint64_t end, unsigned char *buf,
                        uint64_t sectors)
{
    static struct husk_hc_block_queue setup = {.handle = 0};
    static struct husk_hc_block_kick kick = {.handle = 0};
    setup.queue_gpa = (uintptr_t)&q;
    struct husk_block_request good = {HUSK_BLOCK_OP_WRITE, 4096, 0,
                                      (uintptr_t)buf,      0,    0};
    if (!strcmp(a, "kick_no_queue")) {
        hypercall(HUSK_HC_BLOCK_KICK, (uintptr_t)&kick);
        return 0;
    }
    if (!strcmp(a, "queue_misaligned"))
        setup.queue_gpa += 8;
    else if (!strcmp(a, "queue_outside"))
        setup.queue_gpa = end - 4096; /* the queue is longer than a page */
    hypercall(HUSK_HC_BLOCK_QUEUE, (uintptr_t)&setup);
    if (!strcmp(a, "queue_twice")) {
        hypercall(HUSK_HC_BLOCK_QUEUE, (uintptr_t)&setup);
    } else if (!strcmp(a, "queue_overrun")) {
        q.submitted = HUSK_BLOCK_QUEUE_SIZE + 1;
        hypercall(HUSK_HC_BLOCK_KICK, (uintptr_t)&kick);
    } else if (!strcmp(a, "queue_past_end") || !strcmp(a, "queue_second_bad")) {
        memset(buf, 0xee, 4096);
        q.entries[0].req = good;
        q.entries[1].req = good;
        q.entries[1].req.sector = sectors; /* past the end */
        q.submitted = 2;
        if (!strcmp(a, "queue_past_end"))
            q.entries[0].req.sector = sectors - 1;
        hypercall(HUSK_HC_BLOCK_KICK, (uintptr_t)&kick);
    } else if (!strcmp(a, "queue_thread")) {
        /* A good request through a kick wakes the I/O thread; a bad one
         * submitted without a kick must then be caught by the thread. */
        q.entries[0].req = (struct husk_block_request){
            HUSK_BLOCK_OP_READ, 4096, 0, (uintptr_t)buf, 0, 0};
        q.submitted = 1;
        hypercall(HUSK_HC_BLOCK_KICK, (uintptr_t)&kick);
        q.entries[1].req = q.entries[0].req;
        q.entries[1].req.buf_gpa = end - 100;
        __atomic_store_n(&q.submitted, 2, __ATOMIC_RELEASE);
        for (long i = 0; i < 20000000000L; i++)
            __builtin_ia32_pause(); /* the monitor stops us long before */
        printf("the I/O thread did not stop the guest\n");
        return 1;
    } else if (strcmp(a, "queue_misaligned") && strcmp(a, "queue_outside")) {
        printf("unknown queue attack\n");
        return 1;
    }
    printf("survived block_%s\n", a);
    return 0;
}

/* The monitor's pages below the image (monitor/husk.h): boot information,
 * argv and its strings, the exception stub (read-only to the guest) and
 * the exception stack. No hypercall may make the monitor write them. */
#define BOOT_INFO_GPA 0x40000ULL
#define ARGV_STRINGS_GPA 0x42000ULL
#define TRAP_CODE_GPA 0x44000ULL
#define TRAP_STACK_TOP 0x46000ULL

/* One request through the queue and a kick: the only block transport. */
static void submit_one(struct husk_block_request r)
{
    static struct husk_hc_block_queue setup = {.handle = 0};
    static struct husk_hc_block_kick kick = {.handle = 0};
    setup.queue_gpa = (uintptr_t)&q;
    hypercall(HUSK_HC_BLOCK_QUEUE, (uintptr_t)&setup);
    q.entries[0].req = r;
    __atomic_store_n(&q.submitted, 1, __ATOMIC_RELEASE);
    hypercall(HUSK_HC_BLOCK_KICK, (uintptr_t)&kick);
}

/*
 * block_foreign_tls: the process backend serves a kick on the guest's %fs
 * (monitor/proc.c). With %fs pointing at nothing, a write and a read go
 * through the queue, then a request past the end: the monitor must answer
 * the first two (exit 4 if not) and stop the guest for the third (159).
 * Had the kick touched the monitor's thread-local state on the way, the
 * monitor itself would fault (139). No printf once %fs is gone.
 */
extern const struct husk_bootinfo *husk_boot;
static int foreign_tls_block(unsigned char *buf, uint64_t sectors)
{
    if (!(husk_boot->features & HUSK_FEATURE_TLS_CALL)) {
        printf("this guest sets %%fs itself: nothing to test\n");
        return 3;
    }
    static struct husk_hc_set_tls t = {.base = 1ULL << 40,
                                       .which = HUSK_TLS_FS};
    static struct husk_hc_block_queue setup = {.handle = 0};
    static struct husk_hc_block_kick kick = {.handle = 0};
    static struct husk_hc_exit x = {.status = 4};
    setup.queue_gpa = (uintptr_t)&q;
    hypercall(HUSK_HC_SET_TLS, (uintptr_t)&t);
    hypercall(HUSK_HC_BLOCK_QUEUE, (uintptr_t)&setup);
    buf[0] = 0x5a;
    q.entries[0].req = (struct husk_block_request){.op = HUSK_BLOCK_OP_WRITE,
                                                   .len = 4096,
                                                   .sector = 8,
                                                   .buf_gpa = (uintptr_t)buf};
    __atomic_store_n(&q.submitted, 1, __ATOMIC_RELEASE);
    hypercall(HUSK_HC_BLOCK_KICK, (uintptr_t)&kick);
    buf[0] = 0;
    q.entries[1].req = (struct husk_block_request){.op = HUSK_BLOCK_OP_READ,
                                                   .len = 4096,
                                                   .sector = 8,
                                                   .buf_gpa = (uintptr_t)buf};
    __atomic_store_n(&q.submitted, 2, __ATOMIC_RELEASE);
    hypercall(HUSK_HC_BLOCK_KICK, (uintptr_t)&kick);
    if (q.entries[0].req.result != 0 || q.entries[1].req.result != 0 ||
        buf[0] != 0x5a)
        hypercall(HUSK_HC_EXIT, (uintptr_t)&x);
    q.entries[2].req = (struct husk_block_request){.op = HUSK_BLOCK_OP_READ,
                                                   .len = 4096,
                                                   .sector = sectors - 1,
                                                   .buf_gpa = (uintptr_t)buf};
    __atomic_store_n(&q.submitted, 3, __ATOMIC_RELEASE);
    hypercall(HUSK_HC_BLOCK_KICK, (uintptr_t)&kick);
    x.status = 5; /* not stopped */
    hypercall(HUSK_HC_EXIT, (uintptr_t)&x);
    return 5;
}

/* Raw block hypercalls on handle 0 (the image declares one block device,
 * "data", when built as attack_block.husk). Each must stop the guest,
 * but write_from_argv, which is allowed. */
static int block_attack(const char *a, uint64_t end)
{
    static _Alignas(4096) unsigned char buf[4096];
    static struct husk_hc_block_info info = {.handle = 0};
    hypercall(HUSK_HC_BLOCK_INFO, (uintptr_t)&info);
    uint64_t sectors = info.capacity / 512;
    if (!strncmp(a, "queue_", 6) || !strcmp(a, "kick_no_queue"))
        return queue_attack(a, end, buf, sectors);
    if (!strcmp(a, "foreign_tls"))
        return foreign_tls_block(buf, sectors);
    struct husk_block_request r = {HUSK_BLOCK_OP_WRITE, 4096, 0,
                                   (uintptr_t)buf,      0,    0};
    if (!strcmp(a, "past_end")) {
        r.sector = sectors - 1; /* 8 sectors from the last one */
    } else if (!strcmp(a, "sector_huge")) {
        r.sector = UINT64_MAX / 512 + 1; /* sector * 512 overflows */
    } else if (!strcmp(a, "len_unaligned")) {
        r.len = 1000;
    } else if (!strcmp(a, "len_huge")) {
        r.len = UINT32_MAX - 511;
    } else if (!strcmp(a, "buf_outside")) {
        r.buf_gpa = end - 100;
    } else if (!strcmp(a, "bad_handle")) {
        static struct husk_hc_block_queue setup = {.handle = 7};
        setup.queue_gpa = (uintptr_t)&q;
        hypercall(HUSK_HC_BLOCK_QUEUE, (uintptr_t)&setup);
    } else if (!strcmp(a, "info_bad_handle")) {
        info.handle = 3;
        hypercall(HUSK_HC_BLOCK_INFO, (uintptr_t)&info);
    } else if (!strcmp(a, "info_pad")) {
        info._pad0 = 1;
        hypercall(HUSK_HC_BLOCK_INFO, (uintptr_t)&info);
    } else if (!strcmp(a, "req_pad")) {
        r._pad0 = 1;
    } else if (!strcmp(a, "op_bad")) {
        r.op = 3;
    } else if (!strcmp(a, "flush_bad_handle")) {
        static struct husk_hc_block_flush f = {.handle = 9};
        hypercall(HUSK_HC_BLOCK_FLUSH, (uintptr_t)&f);
    } else if (!strcmp(a, "flush_pad")) {
        static struct husk_hc_block_flush f = {.handle = 0, ._pad0 = 1};
        hypercall(HUSK_HC_BLOCK_FLUSH, (uintptr_t)&f);
    } else if (!strcmp(a, "read_into_stub")) {
        /* The exception stub replaced by the file's bytes: the guest's
         * faults would then run its code, never the crash report. */
        r = (struct husk_block_request){HUSK_BLOCK_OP_READ, 4096, 0,
                                        TRAP_CODE_GPA,      0,    0};
    } else if (!strcmp(a, "read_into_trap_stack")) {
        r = (struct husk_block_request){HUSK_BLOCK_OP_READ,    4096, 0,
                                        TRAP_STACK_TOP - 4096, 0,    0};
    } else if (!strcmp(a, "read_into_boot_info")) {
        r = (struct husk_block_request){HUSK_BLOCK_OP_READ, 512, 0,
                                        BOOT_INFO_GPA,      0,   0};
    } else if (!strcmp(a, "write_from_argv")) {
        /* Allowed: the monitor only reads the boot data for a write. */
        r = (struct husk_block_request){HUSK_BLOCK_OP_WRITE, 512, 0,
                                        ARGV_STRINGS_GPA,    0,   0};
    } else if (strcmp(a, "write_ro") != 0) {
        printf("unknown block attack\n");
        return 1;
    }
    submit_one(r);
    if (!strcmp(a, "write_from_argv")) {
        printf("wrote from argv: result %d\n", q.entries[0].req.result);
        return 0;
    }
    printf("survived block_%s\n", a);
    fflush(stdout);
    __asm__ volatile("ud2"); /* with the stub intact: a crash report */
    return 0;
}

int main(int argc, char *argv[])
{
    const char *a = argc > 1 ? argv[1] : "";
    static struct husk_hc_console_write cw;
    printf("attack %s\n", a);
    fflush(stdout);
    uint64_t end = mem_end();
    if (!strcmp(a, "arg_outside")) {
        hypercall(HUSK_HC_CONSOLE_WRITE, end + 4096);
    } else if (!strcmp(a, "arg_straddles")) {
        hypercall(HUSK_HC_CONSOLE_WRITE, end - 8); /* 24-byte struct */
    } else if (!strcmp(a, "arg_huge")) {
        hypercall(HUSK_HC_CONSOLE_WRITE, UINT64_MAX - 7);
    } else if (!strcmp(a, "buf_outside")) {
        cw = (struct husk_hc_console_write){end + 100, 10, 1, 0};
        hypercall(HUSK_HC_CONSOLE_WRITE, (uintptr_t)&cw);
    } else if (!strcmp(a, "buf_wraps")) {
        cw = (struct husk_hc_console_write){UINT64_MAX - 4, 64, 1, 0};
        hypercall(HUSK_HC_CONSOLE_WRITE, (uintptr_t)&cw);
    } else if (!strcmp(a, "len_huge")) {
        cw = (struct husk_hc_console_write){(uintptr_t)&cw, UINT32_MAX, 1, 0};
        hypercall(HUSK_HC_CONSOLE_WRITE, (uintptr_t)&cw);
    } else if (!strcmp(a, "unknown_call")) {
        hypercall(HUSK_HC_MAX - 1, (uintptr_t)&cw);
    } else if (!strcmp(a, "call_zero")) {
        hypercall(0, (uintptr_t)&cw);
    } else if (!strcmp(a, "unaligned_store")) {
        store(HUSK_HC_BASE + 3, (uintptr_t)&cw);
    } else if (!strcmp(a, "not_hc_page")) {
        store(HUSK_HC_BASE + 0x1000, 0);
    } else if (!strcmp(a, "hc_load")) {
        volatile uint64_t v =
            *(volatile uint64_t *)(uintptr_t)(HUSK_HC_BASE + 8);
        (void)v;
    } else if (!strcmp(a, "arg_in_page_tables")) {
        /* The monitor would write the time into the PML4 if it let this
         * through: the guest could then remap its own memory. */
        hypercall(HUSK_HC_WALLCLOCK, 0x3000);
    } else if (!strcmp(a, "buf_in_gdt")) {
        cw = (struct husk_hc_console_write){0x1000, 16, 1, 0};
        hypercall(HUSK_HC_CONSOLE_WRITE, (uintptr_t)&cw);
    } else if (!strcmp(a, "discard_low")) {
        static struct husk_hc_mem_discard d = {0x1000, 0x1000};
        hypercall(HUSK_HC_MEM_DISCARD, (uintptr_t)&d);
    } else if (!strncmp(a, "read_", 5)) {
        /* console_read: the monitor writes the buffer, so only the
         * guest's own memory will do; not the boot data (argv's strings
         * here), not beyond --mem. */
        static char in[16];
        static struct husk_hc_console_read cr;
        cr = (struct husk_hc_console_read){(uintptr_t)in, sizeof(in), 0, 0};
        if (!strcmp(a, "read_outside"))
            cr.buf_gpa = end + 100;
        else if (!strcmp(a, "read_straddles"))
            cr.buf_gpa = end - 8;
        else if (!strcmp(a, "read_into_argv"))
            cr.buf_gpa = (uintptr_t)argv[0];
        else if (!strcmp(a, "read_len_zero"))
            cr.len = 0;
        else if (!strcmp(a, "read_len_huge"))
            cr.len = UINT32_MAX;
        else if (!strcmp(a, "read_pad"))
            cr._pad0 = 1;
        hypercall(HUSK_HC_CONSOLE_READ, (uintptr_t)&cr);
        printf("read %lld\n", (long long)cr.ret); /* read_ok: </dev/null */
        return cr.ret == 0 ? 0 : 1;
    } else if (!strcmp(a, "console_from_stub")) {
        cw = (struct husk_hc_console_write){TRAP_CODE_GPA, 16, 1, 0};
        hypercall(HUSK_HC_CONSOLE_WRITE, (uintptr_t)&cw);
    } else if (!strcmp(a, "console_from_argv")) {
        /* Allowed: argv[2] printed from where the monitor put it. */
        const char *s = argc > 2 ? argv[2] : "";
        cw = (struct husk_hc_console_write){(uintptr_t)s, (uint32_t)strlen(s),
                                            1, 0};
        hypercall(HUSK_HC_CONSOLE_WRITE, (uintptr_t)&cw);
        printf("\nfrom 0x%llx: %lld\n", (unsigned long long)(uintptr_t)s,
               (long long)cw.ret);
        return (uintptr_t)s < HUSK_LOAD_MIN && cw.ret == (int64_t)strlen(s) ? 0
                                                                            : 1;
    } else if (!strcmp(a, "console_from_env")) {
        /* Allowed too: an --env string from where the monitor put it. */
        extern char **environ;
        const char *s = environ[0] != NULL ? environ[0] : "";
        cw = (struct husk_hc_console_write){(uintptr_t)s, (uint32_t)strlen(s),
                                            1, 0};
        hypercall(HUSK_HC_CONSOLE_WRITE, (uintptr_t)&cw);
        printf("\nfrom 0x%llx: %lld\n", (unsigned long long)(uintptr_t)s,
               (long long)cw.ret);
        return (uintptr_t)s < HUSK_LOAD_MIN && cw.ret == (int64_t)strlen(s) ? 0
                                                                            : 1;
    } else if (!strcmp(a, "discard_stub")) {
        static struct husk_hc_mem_discard d = {TRAP_CODE_GPA, 0x1000};
        hypercall(HUSK_HC_MEM_DISCARD, (uintptr_t)&d);
    } else if (!strcmp(a, "wallclock_on_trap_stack")) {
        hypercall(HUSK_HC_WALLCLOCK, TRAP_STACK_TOP - 8);
    } else if (!strcmp(a, "poll_on_trap_stack")) {
        hypercall(HUSK_HC_POLL, TRAP_STACK_TOP - sizeof(struct husk_hc_poll));
    } else if (!strcmp(a, "wallclock_in_boot_info")) {
        hypercall(HUSK_HC_WALLCLOCK, BOOT_INFO_GPA);
    } else if (!strcmp(a, "port_write")) {
        __asm__ volatile("outb %%al, $0x80" ::"a"(0));
    } else if (!strcmp(a, "hlt")) {
        __asm__ volatile("hlt");
    } else if (!strcmp(a, "page_tables")) {
        /* The monitor's page tables are supervisor-only: this faults. */
        *(volatile uint64_t *)(uintptr_t)0x3000 = 0;
    } else if (!strcmp(a, "arg_at_end")) {
        /* argv[2] names the call: its struct starts at the first byte
         * past the end of memory. */
        hypercall((unsigned)atoi(argc > 2 ? argv[2] : "0"), end);
    } else if (!strcmp(a, "arg_straddles_call")) {
        /* The last 8 bytes of memory: any struct longer than that. */
        hypercall((unsigned)atoi(argc > 2 ? argv[2] : "0"), end - 8);
    } else if (!strcmp(a, "arg_unaligned")) {
        hypercall(HUSK_HC_WALLCLOCK, (uintptr_t)&cw + 4);
    } else if (!strcmp(a, "exit_pad")) {
        static struct husk_hc_exit e = {0, 1};
        hypercall(HUSK_HC_EXIT, (uintptr_t)&e);
    } else if (!strcmp(a, "abort_msg_outside")) {
        static struct husk_hc_abort ab;
        ab = (struct husk_hc_abort){end - 4, 16, 0};
        hypercall(HUSK_HC_ABORT, (uintptr_t)&ab);
    } else if (!strcmp(a, "abort_len_huge")) {
        static struct husk_hc_abort ab;
        ab = (struct husk_hc_abort){(uintptr_t)&ab, HUSK_ABORT_MSG_MAX + 1, 0};
        hypercall(HUSK_HC_ABORT, (uintptr_t)&ab);
    } else if (!strcmp(a, "abort_pad")) {
        static struct husk_hc_abort ab;
        ab = (struct husk_hc_abort){(uintptr_t)&ab, 4, 1};
        hypercall(HUSK_HC_ABORT, (uintptr_t)&ab);
    } else if (!strcmp(a, "console_stream")) {
        cw = (struct husk_hc_console_write){(uintptr_t)&cw, 4, 7, 0};
        hypercall(HUSK_HC_CONSOLE_WRITE, (uintptr_t)&cw);
    } else if (!strcmp(a, "console_buf_straddles")) {
        cw = (struct husk_hc_console_write){end - 5, 10, 1, 0};
        hypercall(HUSK_HC_CONSOLE_WRITE, (uintptr_t)&cw);
    } else if (!strcmp(a, "poll_timeout_huge")) {
        static struct husk_hc_poll pl;
        pl = (struct husk_hc_poll){HUSK_POLL_TIMEOUT_MAX + 1, 0, 0};
        hypercall(HUSK_HC_POLL, (uintptr_t)&pl);
    } else if (!strcmp(a, "poll_unknown_handle")) {
        static struct husk_hc_poll pl;
        pl = (struct husk_hc_poll){1000, 1ULL << 5, 0};
        hypercall(HUSK_HC_POLL, (uintptr_t)&pl);
    } else if (!strcmp(a, "poll_all_handles")) {
        static struct husk_hc_poll pl;
        pl = (struct husk_hc_poll){1000, UINT64_MAX, 0};
        hypercall(HUSK_HC_POLL, (uintptr_t)&pl);
    } else if (!strcmp(a, "discard_unaligned")) {
        static struct husk_hc_mem_discard d;
        d = (struct husk_hc_mem_discard){0x200001, 0x1000};
        hypercall(HUSK_HC_MEM_DISCARD, (uintptr_t)&d);
    } else if (!strcmp(a, "discard_zero")) {
        static struct husk_hc_mem_discard d = {0x200000, 0};
        hypercall(HUSK_HC_MEM_DISCARD, (uintptr_t)&d);
    } else if (!strcmp(a, "discard_past_end")) {
        static struct husk_hc_mem_discard d;
        d = (struct husk_hc_mem_discard){end - 0x1000, 0x2000};
        hypercall(HUSK_HC_MEM_DISCARD, (uintptr_t)&d);
    } else if (!strcmp(a, "discard_wraps")) {
        static struct husk_hc_mem_discard d;
        d = (struct husk_hc_mem_discard){UINT64_MAX - 0xfff, 0x2000};
        hypercall(HUSK_HC_MEM_DISCARD, (uintptr_t)&d);
    } else if (!strcmp(a, "store_4_bytes")) {
        __asm__ volatile(
            "movl %1, %0"
            : "=m"(*(volatile uint32_t *)(uintptr_t)(HUSK_HC_BASE +
                                                     8 * HUSK_HC_CONSOLE_WRITE))
            : "r"((uint32_t)(uintptr_t)&cw)
            : "memory");
    } else if (!strcmp(a, "store_1_byte")) {
        *(volatile uint8_t *)(uintptr_t)(HUSK_HC_BASE + 8) = 1;
    } else if (!strcmp(a, "load_beyond_memory")) {
        /* Past --mem and far from the hypercall page: not even mapped in
         * the guest's page tables, so a page fault. */
        volatile uint64_t v =
            *(volatile uint64_t *)(uintptr_t)(end + (1ULL << 30));
        (void)v;
    } else if (!strcmp(a, "store_beyond_memory")) {
        *(volatile uint64_t *)(uintptr_t)(HUSK_HC_BASE - (1ULL << 30)) = 1;
    } else if (!strcmp(a, "rdmsr")) {
        uint32_t lo, hi;
        __asm__ volatile("rdmsr"
                         : "=a"(lo), "=d"(hi)
                         : "c"(0xc0000080)); /* EFER */
        printf("EFER %x%08x\n", hi, lo);
    } else if (!strcmp(a, "wrmsr")) {
        __asm__ volatile("wrmsr" ::"c"(0xc0000082), "a"(0), "d"(0)); /* LSTAR */
    } else if (!strcmp(a, "ud2")) {
        __asm__ volatile("ud2");
    } else if (!strcmp(a, "int3")) {
        __asm__ volatile("int3");
    } else if (!strcmp(a, "cli")) {
        __asm__ volatile("cli");
    } else if (!strcmp(a, "syscall_insn")) {
        __asm__ volatile("syscall" ::"a"(60), "D"(0) : "rcx", "r11", "memory");
    } else if (!strcmp(a, "lgdt")) {
        static const struct __attribute__((packed)) {
            uint16_t limit;
            uint64_t base;
        } gdtr = {0, 0};
        __asm__ volatile("lgdt %0" ::"m"(gdtr));
    } else if (!strncmp(a, "block_", 6)) {
        return block_attack(a + 6, end);
    } else {
        printf("unknown attack\n");
        return 1;
    }
    printf("survived %s\n", a);
    return 0;
}
