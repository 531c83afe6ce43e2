/* host.c: tests/embed-suite.sh's embedder. It links libhusk-host and
 * drives tests/embed/guest.c through every contract of husk-host.h.
 * Usage: host HUSK IMAGE BACKEND CALLS; prints "PASS name" or
 * "FAIL name: why" for each case. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "husk-host.h"

static const char *husk, *image, *backend;
static int failures;

static void result(const char *name, const char *why)
{
    if (why == NULL) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
    fflush(stdout);
}

/* The guest's output, gathered. */
static char console[65536];
static size_t console_len;
static void on_console(void *ctx, int stream, const void *buf, size_t len)
{
    (void)ctx, (void)stream;
    if (console_len + len < sizeof(console)) {
        memcpy(console + console_len, buf, len);
        console_len += len;
        console[console_len] = '\0';
    }
}

static int add(void *ctx, const void *in, size_t in_len, void *out,
               size_t out_cap, size_t *out_len)
{
    (void)ctx;
    uint32_t v[2];
    if (in_len != sizeof(v) || out_cap < 4)
        return 5;
    memcpy(v, in, sizeof(v));
    uint32_t sum = v[0] + v[1];
    memcpy(out, &sum, sizeof(sum));
    *out_len = sizeof(sum);
    return 0;
}

static struct husk_sandbox *start_with(unsigned timeout_ms, bool snapshot,
                                       const char *const *args)
{
    struct husk_sandbox_options o = {
        .husk = husk,
        .backend = backend,
        .mem_bytes = 32 << 20,
        .call_timeout_ms = timeout_ms,
        .args = args,
        .console = on_console,
        .snapshot = snapshot,
    };
    char err[512];
    struct husk_sandbox *sb = husk_sandbox_new(image, &o, err, sizeof(err));
    if (sb == NULL) {
        printf("FAIL start: %s\n", err);
        exit(1);
    }
    husk_sandbox_register(sb, "add", add, NULL);
    return sb;
}

static struct husk_sandbox *start(unsigned timeout_ms, bool snapshot)
{
    return start_with(timeout_ms, snapshot, NULL);
}

static uint64_t count(struct husk_sandbox *sb)
{
    uint64_t v = 0;
    size_t n;
    if (husk_sandbox_call(sb, "count", NULL, 0, &v, sizeof(v), &n) != HUSK_OK)
        return 0;
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: host HUSK IMAGE BACKEND CALLS\n");
        return 2;
    }
    husk = argv[1], image = argv[2], backend = argv[3];
    long calls = atol(argv[4]);
    static uint8_t in[HUSK_SANDBOX_DATA_MAX + 1],
        out[HUSK_SANDBOX_DATA_MAX + 8];
    size_t n;
    char why[256];

    struct husk_sandbox *sb = start(0, true);
    result("started", strstr(console, "initialised\n") != NULL
                          ? NULL
                          : "main()'s output did not reach the callback");

    /* Many calls, every result checked. */
    const char *bad = NULL;
    for (long i = 0; i < calls && bad == NULL; i++) {
        size_t len = (size_t)(i * 7919 % 300);
        for (size_t k = 0; k < len; k++)
            in[k] = (uint8_t)('a' + (i + k) % 26);
        int r = husk_sandbox_call(sb, "upper", in, len, out, sizeof(out), &n);
        uint32_t sum = 0, got;
        for (size_t k = 0; k < len; k++)
            sum = sum * 31 + in[k];
        if (r != HUSK_OK || n != len + 4)
            bad = "a call failed or its output has the wrong length";
        for (size_t k = 0; bad == NULL && k < len; k++)
            if (out[k] != in[k] - 32)
                bad = "an output byte is wrong";
        memcpy(&got, out + len, 4);
        if (bad == NULL && got != sum)
            bad = "an output checksum is wrong";
    }
    snprintf(why, sizeof(why), "%ld calls", calls);
    result("calls_checked", bad);

    /* The largest input and output, 1 MiB each way. */
    memset(in, 0x5a, HUSK_SANDBOX_DATA_MAX);
    int r = husk_sandbox_call(sb, "echo", in, HUSK_SANDBOX_DATA_MAX, out,
                              sizeof(out), &n);
    result("echo_1mib",
           r == HUSK_OK && n == HUSK_SANDBOX_DATA_MAX && memcmp(in, out, n) == 0
               ? NULL
               : husk_result_name(r));
    r = husk_sandbox_call(sb, "echo", in, HUSK_SANDBOX_DATA_MAX + 1, out,
                          sizeof(out), &n);
    result("input_too_large",
           r == HUSK_ERR_TOO_LARGE ? NULL : husk_result_name(r));
    r = husk_sandbox_call(sb, "overflow", NULL, 0, out, 16, &n);
    result("output_over_out_cap",
           r == HUSK_ERR_TOO_LARGE && n > 16 ? NULL : husk_result_name(r));
    r = husk_sandbox_call(sb, "nothing_here", NULL, 0, out, sizeof(out), &n);
    result("no_such_function",
           r == HUSK_ERR_NO_FUNCTION ? NULL : husk_result_name(r));
    uint8_t code = 42;
    r = husk_sandbox_call(sb, "fail", &code, 1, out, sizeof(out), &n);
    result("guest_error_code", r == HUSK_ERR_GUEST &&
                                       husk_sandbox_code(sb) == 42 && n == 15 &&
                                       memcmp(out, "failed as asked", 15) == 0
                                   ? NULL
                                   : husk_result_name(r));

    /* The guest calls the host: a registered function, and one that is
     * not (the guest gets ENOENT, and says so by succeeding). */
    uint32_t two[2] = {40, 2}, sum = 0;
    r = husk_sandbox_call(sb, "ask_host", two, sizeof(two), &sum, sizeof(sum),
                          &n);
    result("host_call", r == HUSK_OK && sum == 42 ? NULL
                        : r == HUSK_ERR_GUEST ? "the guest's host calls failed"
                                              : husk_result_name(r));

    console_len = 0;
    r = husk_sandbox_call(sb, "say", "hello", 5, out, sizeof(out), &n);
    result("console_callback",
           r == HUSK_OK && strstr(console, "guest says: hello\n") != NULL
               ? NULL
               : "the guest's line did not reach the callback");

    /* Calls with pauses between them: each time the monitor has given up
     * watching its box and sleeps, so each call rings it; and the line a
     * call prints is at the callback when the call returns. */
    const char *spaced = NULL;
    for (int i = 0; i < 20 && spaced == NULL; i++) {
        struct timespec pause = {0, 3000000};
        nanosleep(&pause, NULL);
        char word[16];
        int len = snprintf(word, sizeof(word), "word%d", i);
        char want[64];
        snprintf(want, sizeof(want), "guest says: %s\n", word);
        console_len = 0;
        console[0] = '\0';
        r = husk_sandbox_call(sb, "say", word, (size_t)len, out, sizeof(out),
                              &n);
        if (r != HUSK_OK)
            spaced = husk_result_name(r);
        else if (strstr(console, want) == NULL)
            spaced = "a line was not at the callback when its call returned";
    }
    result("calls_spaced", spaced);

    /* State: the counter goes on across calls, and a restore puts it back
     * to where it was when the guest started serving. */
    uint64_t a = count(sb), b = count(sb);
    result("state_kept", a >= 1000 && b == a + 1 ? NULL : "the counter");
    r = husk_sandbox_restore(sb);
    uint64_t c = count(sb);
    result("restore_resets_state",
           r == HUSK_OK && c == 1000 ? NULL : "the counter after a restore");

    /* That restore started a new monitor from the snapshot; the next ones
     * rewind it in place: the same process, and memory as the snapshot
     * has it each time, however much the calls between wrote. */
    pid_t restored = husk_sandbox_pid(sb);
    const char *rewind_why = NULL;
    for (int i = 0; i < 200 && rewind_why == NULL; i++) {
        size_t len = (size_t)(i % 16 + 1) << 16; /* 64 KiB to 1 MiB */
        memset(in, i, len);
        if ((r = husk_sandbox_restore(sb)) != HUSK_OK)
            rewind_why = husk_result_name(r);
        else if (husk_sandbox_pid(sb) != restored)
            rewind_why = "a new monitor, not a rewind in place";
        else if (count(sb) != 1000 || count(sb) != 1001)
            rewind_why = "the counter after a rewind";
        else if (husk_sandbox_call(sb, "echo", in, len, out, sizeof(out), &n) !=
                     HUSK_OK ||
                 n != len || memcmp(in, out, len) != 0)
            rewind_why = "an echo after a rewind";
    }
    result("rewind_in_place", rewind_why);
    int rr = husk_sandbox_restore(sb);
    r = husk_sandbox_call(sb, "ask_host", two, sizeof(two), &sum, sizeof(sum),
                          &n);
    c = count(sb);
    result("calls_after_rewind",
           rr == HUSK_OK && r == HUSK_OK && sum == 42 && c == 1000
               ? NULL
               : "a host call or the counter");

    /* A crash: reported, the sandbox stopped, then restorable. */
    r = husk_sandbox_call(sb, "crash", NULL, 0, out, sizeof(out), &n);
    result("crash_reported",
           r == HUSK_ERR_CRASHED && strstr(husk_sandbox_report(sb),
                                           "husk: guest crashed") != NULL
               ? NULL
               : husk_result_name(r));
    r = husk_sandbox_call(sb, "count", NULL, 0, out, sizeof(out), &n);
    result("stopped_after_crash",
           r == HUSK_ERR_STOPPED ? NULL : husk_result_name(r));
    r = husk_sandbox_restore(sb);
    result("calls_after_crash_and_restore",
           r == HUSK_OK && count(sb) == 1000 ? NULL : husk_result_name(r));
    husk_sandbox_free(sb);

    /* A call that never returns: the time limit stops the guest, and a
     * restore brings it back. */
    sb = start(300, true);
    r = husk_sandbox_call(sb, "spin", NULL, 0, out, sizeof(out), &n);
    result("timeout", r == HUSK_ERR_TIMEOUT ? NULL : husk_result_name(r));
    r = husk_sandbox_restore(sb);
    result("calls_after_timeout_and_restore",
           r == HUSK_OK && count(sb) == 1000 ? NULL : husk_result_name(r));
    husk_sandbox_free(sb);

    /* With a device, whose host side would not rewind with the guest,
     * every restore is a new monitor, and still a whole restore. */
    char disk[] = "/tmp/husk-embed-disk-XXXXXX";
    int disk_fd = mkstemp(disk);
    char block_arg[64];
    snprintf(block_arg, sizeof(block_arg), "--block:d=%s", disk);
    const char *const with_disk[] = {block_arg, NULL};
    const char *dev_why = NULL;
    if (disk_fd < 0 || ftruncate(disk_fd, 1 << 20) != 0) {
        dev_why = "cannot make the disk file";
    } else {
        char disk_image[4096];
        snprintf(disk_image, sizeof(disk_image), "%.*s-disk.husk",
                 (int)(strlen(image) - strlen(".husk")), image);
        const char *plain = image;
        image = disk_image;
        sb = start_with(0, true, with_disk);
        image = plain;
        pid_t before = 0;
        for (int i = 0; i < 3 && dev_why == NULL; i++) {
            count(sb);
            before = husk_sandbox_pid(sb);
            if ((r = husk_sandbox_restore(sb)) != HUSK_OK)
                dev_why = husk_result_name(r);
            else if (husk_sandbox_pid(sb) == before)
                dev_why = "rewound in place with a device";
            else if (count(sb) != 1000)
                dev_why = "the counter after a restore";
        }
        husk_sandbox_free(sb);
    }
    if (disk_fd >= 0) {
        close(disk_fd);
        unlink(disk);
    }
    result("restore_with_device_respawns", dev_why);

    /* Without a snapshot there is nothing to restore. */
    sb = start(0, false);
    r = husk_sandbox_restore(sb);
    result("restore_needs_snapshot",
           r == HUSK_ERR_STOPPED ? NULL : husk_result_name(r));
    husk_sandbox_free(sb);

    /* An image that is not there: NULL and one line. */
    struct husk_sandbox_options o = {.husk = husk, .backend = backend};
    char err[512];
    sb = husk_sandbox_new("/nonexistent.husk", &o, err, sizeof(err));
    result("bad_image", sb == NULL && strstr(err, "cannot open the image") &&
                                strchr(err, '\n') == NULL
                            ? NULL
                            : err);
    husk_sandbox_free(sb);
    return failures != 0;
}
