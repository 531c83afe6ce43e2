/* exhaust.c: a hostile guest that goes for the host's resources rather
 * than the ABI. argv[1] names the attack; tests/hostile-suite.sh measures
 * from outside what each one costs the host. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/husk_abi.h"
#include "tests/hostile/raw_hc.h"

static void hypercall(unsigned nr, const void *arg)
{
    raw_hypercall(nr, (uint64_t)(uintptr_t)arg);
}

/* write(1) COUNT bytes in whole console calls, as fast as it goes. */
static int console_flood(unsigned long long count)
{
    static char buf[HUSK_CONSOLE_MAX];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = i % 64 == 63 ? '\n' : 'x';
    while (count > 0) {
        size_t n = count < sizeof(buf) ? count : sizeof(buf);
        if (write(1, buf, n) != (ssize_t)n)
            return 1;
        count -= n;
    }
    return 0;
}

/* Every byte value, in order, on stdout: a pipe must get them as they
 * are (tests/hostile-suite.sh compares them). */
static int all_bytes(void)
{
    unsigned char b[256];
    for (int i = 0; i < 256; i++)
        b[i] = (unsigned char)i;
    return write(1, b, sizeof(b)) == sizeof(b) ? 0 : 1;
}

/* What a guest would send a terminal to pass for the monitor or to drive
 * the terminal: forged monitor lines, erasing the line above, hiding the
 * monitor's next line, the window title, the clipboard, a hyperlink, an
 * overwrite by carriage return, C1 controls; then it leaves a line
 * unfinished, on which the monitor's next line must not land. */
static int tty_attack(void)
{
    static const char attack[] =
        "husk: guest exited normally (forged)\n"
        "line one\n\x1b[1A\x1b[2Kerased\n"
        "\x1b]0;owned title\x07"
        "\x1b]52;c;aHVzaw==\x07"
        "\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07\n"
        "    : forged\rhusk\n"
        "\x9b"
        "2J\xc2\x9b"
        "2J\xe2\x80\x8bhusk: zero-width\n";
    fputs(attack, stdout);
    fflush(stdout);
    fputs("husk: on stderr (forged)\nunfinished\x1b[8m", stderr);
    return 3; /* the monitor's line "guest exited..." is not printed: a
               * status of 3 says the attack ran to its end */
}

/* Take memory a MiB at a time, touching every page, until there is none:
 * the guest must get NULL, and the host process no more than --mem. */
static int balloon(void)
{
    unsigned long mib = 0;
    char *p;
    while ((p = malloc(1 << 20)) != NULL) {
        memset(p, 0xa5, 1 << 20);
        mib++;
    }
    printf("balloon: %lu MiB\n", mib);
    return 0;
}

int main(int argc, char *argv[])
{
    const char *a = argc > 1 ? argv[1] : "";
    unsigned long long n = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
    static struct husk_hc_wallclock wc;
    if (!strcmp(a, "console_flood"))
        return console_flood(n);
    if (!strcmp(a, "hypercall_flood")) {
        /* n exits, the cheapest call: the monitor must not grow. */
        for (unsigned long long i = 0; i < n; i++)
            hypercall(HUSK_HC_WALLCLOCK, &wc);
        printf("hypercalls: %llu\n", n);
        return 0;
    }
    if (!strcmp(a, "hypercall_forever"))
        for (;;)
            hypercall(HUSK_HC_WALLCLOCK, &wc);
    if (!strcmp(a, "balloon"))
        return balloon();
    if (!strcmp(a, "all_bytes"))
        return all_bytes();
    if (!strcmp(a, "tty_attack"))
        return tty_attack();
    if (!strcmp(a, "sleep")) { /* a guest that waits: stop it from outside */
        sleep((unsigned)n);
        return 0;
    }
    printf("unknown attack\n");
    return 1;
}
