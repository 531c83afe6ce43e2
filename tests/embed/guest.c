/* guest.c: the guest of tests/embed-suite.sh, built with husk-cc. Its
 * main() initialises a counter (a call can tell a restored guest by it),
 * then it serves the functions below to tests/embed/host.c. */
#include <errno.h>
#include <husk.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t counter;

/* Bytes back as they came. */
static int echo(const void *in, size_t in_len, void *out, size_t out_cap,
                size_t *out_len)
{
    if (in_len > out_cap)
        return 7;
    memcpy(out, in, in_len);
    *out_len = in_len;
    return 0;
}
HUSK_EXPORT("echo", echo);

/* The input, upper-cased, with a checksum of it after. */
static int upper(const void *in, size_t in_len, void *out, size_t out_cap,
                 size_t *out_len)
{
    if (in_len + 4 > out_cap)
        return 7;
    const uint8_t *s = in;
    uint8_t *d = out;
    uint32_t sum = 0;
    for (size_t i = 0; i < in_len; i++) {
        d[i] = s[i] >= 'a' && s[i] <= 'z' ? (uint8_t)(s[i] - 32) : s[i];
        sum = sum * 31 + s[i];
    }
    memcpy(d + in_len, &sum, 4);
    *out_len = in_len + 4;
    return 0;
}
HUSK_EXPORT("upper", upper);

/* The counter, then one more. */
static int count(const void *in, size_t in_len, void *out, size_t out_cap,
                 size_t *out_len)
{
    (void)in, (void)in_len, (void)out_cap;
    memcpy(out, &counter, sizeof(counter));
    *out_len = sizeof(counter);
    counter++;
    return 0;
}
HUSK_EXPORT("count", count);

/* Its own error code, the input's first byte, and a message. */
static int fail(const void *in, size_t in_len, void *out, size_t out_cap,
                size_t *out_len)
{
    *out_len = (size_t)snprintf(out, out_cap, "failed as asked");
    return in_len > 0 ? ((const uint8_t *)in)[0] : 1;
}
HUSK_EXPORT("fail", fail);

/* More output than asked for: out_cap bytes plus one. */
static int overflow(const void *in, size_t in_len, void *out, size_t out_cap,
                    size_t *out_len)
{
    (void)in, (void)in_len;
    memset(out, 'x', out_cap);
    *out_len = out_cap; /* all of it: the host asked for less */
    return 0;
}
HUSK_EXPORT("overflow", overflow);

/* The host's "add" on the input (two uint32), then "missing". */
static int ask_host(const void *in, size_t in_len, void *out, size_t out_cap,
                    size_t *out_len)
{
    (void)out_cap;
    uint32_t sum = 0;
    size_t got = 0;
    if (husk_host_call("add", in, in_len, &sum, sizeof(sum), &got) != 0 ||
        got != sizeof(sum))
        return 10;
    char nothing[8];
    if (husk_host_call("missing", "", 0, nothing, sizeof(nothing), &got) !=
            -1 ||
        errno != ENOENT)
        return 11;
    memcpy(out, &sum, sizeof(sum));
    *out_len = sizeof(sum);
    return 0;
}
HUSK_EXPORT("ask_host", ask_host);

/* Prints a line (the embedder's console callback gets it). */
static int say(const void *in, size_t in_len, void *out, size_t out_cap,
               size_t *out_len)
{
    (void)out, (void)out_cap;
    printf("guest says: %.*s\n", (int)in_len, (const char *)in);
    fflush(stdout);
    *out_len = 0;
    return 0;
}
HUSK_EXPORT("say", say);

/* A fault. */
static int crash(const void *in, size_t in_len, void *out, size_t out_cap,
                 size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_cap, (void)out_len;
    volatile uintptr_t nowhere = 8; /* page 0 is never mapped */
    *(volatile int *)nowhere = 1;
    return 0;
}
HUSK_EXPORT("crash", crash);

/* Never returns. */
static int spin(const void *in, size_t in_len, void *out, size_t out_cap,
                size_t *out_len)
{
    (void)in, (void)in_len, (void)out, (void)out_cap, (void)out_len;
    for (volatile int i = 0;; i++)
        ;
    return 0;
}
HUSK_EXPORT("spin", spin);

int main(void)
{
    counter = 1000; /* what a fresh or restored guest starts from */
    printf("initialised\n");
    return 0;
}
