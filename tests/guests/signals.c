/* signals.c: signals, timers, rlimits and record locks within the one
 * process, one part per argument: "handler" (raise and kill run the
 * handler before they return, SA_SIGINFO, the mask while it runs,
 * SIG_IGN, SIGPIPE), "mask" (a blocked signal waits, rt_sigpending, it runs on
 * unblock; ppoll's mask; sigtimedwait), "resethand" (SA_RESETHAND, SA_NODEFER),
 * "default" (a signal with SIG_DFL ends the program with 128 + its
 * number), "abort_handler" (abort runs a SIGABRT handler, then still
 * aborts), "alarm" (alarm interrupts sleep and nanosleep with EINTR),
 * "itimer" (setitimer's periodic ticks wake pause and poll), "timer"
 * (timer_create, timer_settime relative and absolute, sigsuspend),
 * "rlimit" (with --mem=64M) and "lock" (fcntl's record locks). Every part
 * passes on Linux too but "rlimit", whose values are the guest's. Prints
 * "PART ok", or the first check that failed, and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t hits, last_sig, last_code, last_value;
static volatile sig_atomic_t had_context, self_blocked, other_blocked;

static bool blocked_now(int sig)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, sig) == 1;
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
    hits++;
    last_sig = sig;
    last_code = si->si_code;
    last_value = si->si_value.sival_int;
    had_context = uc != NULL;
    self_blocked = blocked_now(sig);
    other_blocked = blocked_now(SIGUSR2);
}

static void on_plain(int sig)
{
    hits++;
    last_sig = sig;
    self_blocked = blocked_now(sig);
}

static void catch (int sig, void (*fn)(int), int flags)
{
    struct sigaction sa = {.sa_handler = fn, .sa_flags = flags};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
}

static void catch_info(int sig, int flags, int also_block)
{
    struct sigaction sa = {.sa_sigaction = on_info,
                           .sa_flags = SA_SIGINFO | flags};
    sigemptyset(&sa.sa_mask);
    if (also_block != 0)
        sigaddset(&sa.sa_mask, also_block);
    CHECK(sigaction(sig, &sa, NULL) == 0);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void handler(void)
{
    catch_info(SIGUSR1, 0, SIGUSR2);
    hits = 0;
    CHECK(raise(SIGUSR1) == 0);
    CHECK(hits == 1 && last_sig == SIGUSR1 && last_code == SI_TKILL);
    CHECK(had_context && self_blocked && other_blocked);
    CHECK(!blocked_now(SIGUSR1) && !blocked_now(SIGUSR2));
    struct sigaction old;
    CHECK(sigaction(SIGUSR1, NULL, &old) == 0);
    CHECK(old.sa_sigaction == on_info && (old.sa_flags & SA_SIGINFO) &&
          sigismember(&old.sa_mask, SIGUSR2) == 1);
    catch (SIGUSR2, on_plain, 0);
    CHECK(kill(getpid(), SIGUSR2) == 0);
    CHECK(hits == 2 && last_sig == SIGUSR2);
    CHECK(signal(SIGUSR2, SIG_IGN) == on_plain);
    CHECK(raise(SIGUSR2) == 0 && hits == 2);
    CHECK(kill(getpid(), 0) == 0);
    FAILS(kill(getpid(), 65), EINVAL);
    FAILS(sigaction(SIGKILL, &old, NULL), EINVAL);

    /* A write with no reader raises SIGPIPE before it fails. */
    int p[2];
    CHECK(pipe(p) == 0 && close(p[0]) == 0);
    catch (SIGPIPE, on_plain, SA_RESTART);
    FAILS(write(p[1], "x", 1), EPIPE);
    CHECK(hits == 3 && last_sig == SIGPIPE);
    CHECK(close(p[1]) == 0);
}

static void mask(void)
{
    catch (SIGUSR1, on_plain, 0);
    sigset_t s, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    CHECK(sigprocmask(SIG_BLOCK, &s, NULL) == 0);
    CHECK(blocked_now(SIGUSR1)); /* the mask is kept */
    hits = 0;
    CHECK(raise(SIGUSR1) == 0 && raise(SIGUSR1) == 0);
    CHECK(hits == 0);
    CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) == 1);
    CHECK(sigprocmask(SIG_UNBLOCK, &s, NULL) == 0);
    CHECK(hits == 1); /* ran once, before sigprocmask returned */
    CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) == 0);

    /* ppoll's mask lets a blocked one through for the wait only. */
    CHECK(sigprocmask(SIG_BLOCK, &s, NULL) == 0);
    CHECK(raise(SIGUSR1) == 0 && hits == 1);
    sigset_t none;
    sigemptyset(&none);
    struct timespec one_s = {1, 0};
    FAILS(ppoll(NULL, 0, &one_s, &none), EINTR);
    CHECK(hits == 2 && blocked_now(SIGUSR1));
    CHECK(sigprocmask(SIG_UNBLOCK, &s, NULL) == 0 && hits == 2);

    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    CHECK(sigprocmask(SIG_BLOCK, &s, NULL) == 0);
    CHECK(raise(SIGUSR2) == 0);
    siginfo_t si;
    CHECK(sigwaitinfo(&s, &si) == SIGUSR2 && si.si_signo == SIGUSR2);
    CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR2) == 0);
    struct timespec ten_ms = {0, 10000000};
    double t0 = now_s();
    FAILS(sigtimedwait(&s, &si, &ten_ms), EAGAIN);
    CHECK(now_s() - t0 >= 0.009);
}

static void resethand(void)
{
    catch (SIGUSR1, on_plain, SA_RESETHAND | SA_NODEFER);
    hits = 0;
    CHECK(raise(SIGUSR1) == 0);
    CHECK(hits == 1 && !self_blocked);
    struct sigaction old;
    CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
    catch (SIGUSR2, on_plain, 0);
    CHECK(raise(SIGUSR2) == 0 && hits == 2 && self_blocked);
    CHECK(sigaction(SIGUSR2, NULL, &old) == 0 && old.sa_handler == on_plain);
}

static void by_default(void)
{
    printf("raising SIGUSR1\n");
    fflush(stdout);
    raise(SIGUSR1);
    printf("still here\n");
}

static void on_abort(int sig)
{
    (void)sig;
    printf("handler ran\n");
    fflush(stdout);
}

static void abort_handler(void)
{
    catch (SIGABRT, on_abort, 0);
    abort();
}

static void alarm_part(void)
{
    catch (SIGALRM, on_plain, 0);
    hits = 0;
    CHECK(alarm(5) == 0);
    CHECK(alarm(1) == 5); /* the old one's seconds left, rounded up */
    double t0 = now_s();
    unsigned left = sleep(3); /* interrupted after a second */
    double took = now_s() - t0;
    CHECK(hits == 1 && last_sig == SIGALRM);
    CHECK(left >= 1 && left <= 2);
    CHECK(took >= 0.9 && took < 2.0);
    CHECK(alarm(0) == 0);

    /* A loop that reads the clock is a loop of system calls. */
    CHECK(alarm(1) == 0);
    t0 = now_s();
    while (hits == 1 && now_s() - t0 < 3)
        ;
    CHECK(hits == 2 && now_s() - t0 < 1.5);

    struct itimerval v = {.it_value = {0, 50000}}; /* 50 ms */
    CHECK(setitimer(ITIMER_REAL, &v, NULL) == 0);
    struct timespec req = {2, 0}, rem = {0, 0};
    FAILS(nanosleep(&req, &rem), EINTR);
    CHECK(hits == 3 && rem.tv_sec >= 1);
}

static void itimer(void)
{
    catch (SIGALRM, on_plain, SA_RESTART);
    hits = 0;
    struct itimerval v = {.it_value = {0, 20000}, .it_interval = {0, 20000}};
    struct itimerval cur;
    double t0 = now_s();
    CHECK(setitimer(ITIMER_REAL, &v, NULL) == 0);
    CHECK(getitimer(ITIMER_REAL, &cur) == 0);
    CHECK(cur.it_interval.tv_usec == 20000 && cur.it_value.tv_usec > 0 &&
          cur.it_value.tv_usec <= 20000);
    for (int i = 0; i < 3; i++)
        FAILS(pause(), EINTR);
    CHECK(hits == 3);
    FAILS(poll(NULL, 0, 1000), EINTR); /* poll is never restarted */
    CHECK(hits == 4);
    double took = now_s() - t0;
    CHECK(took >= 0.07 && took < 0.5);
    struct itimerval off = {{0, 0}, {0, 0}};
    CHECK(setitimer(ITIMER_REAL, &off, &cur) == 0);
    CHECK(cur.it_interval.tv_usec == 20000);
    CHECK(getitimer(ITIMER_REAL, &cur) == 0 && cur.it_value.tv_sec == 0 &&
          cur.it_value.tv_usec == 0);
    int n = hits;
    usleep(50000);
    CHECK(hits == n); /* disarmed */
    FAILS(setitimer(ITIMER_REAL + 7, &v, NULL), EINVAL);
}

static void timer(void)
{
    int sig = SIGRTMIN + 1;
    catch_info(sig, 0, 0);
    hits = 0;
    struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = sig};
    sev.sigev_value.sival_int = 42;
    timer_t t;
    CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0);
    struct itimerspec v = {.it_value = {0, 30000000}}, cur;
    CHECK(timer_settime(t, 0, &v, NULL) == 0);
    CHECK(timer_gettime(t, &cur) == 0 && cur.it_value.tv_nsec > 0);
    sigset_t none;
    sigemptyset(&none);
    FAILS(sigsuspend(&none), EINTR);
    CHECK(hits == 1 && last_sig == sig && last_code == SI_TIMER &&
          last_value == 42);
    CHECK(timer_gettime(t, &cur) == 0 && cur.it_value.tv_sec == 0 &&
          cur.it_value.tv_nsec == 0);

    /* Absolute, on the wall clock: 20 ms from now. */
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    timer_t w;
    sev.sigev_value.sival_int = 7;
    CHECK(timer_create(CLOCK_REALTIME, &sev, &w) == 0);
    wall.tv_nsec += 20000000;
    if (wall.tv_nsec >= 1000000000) {
        wall.tv_sec++;
        wall.tv_nsec -= 1000000000;
    }
    struct itimerspec abs = {.it_value = wall};
    CHECK(timer_settime(w, TIMER_ABSTIME, &abs, NULL) == 0);
    struct timespec req = {1, 0};
    FAILS(nanosleep(&req, NULL), EINTR);
    CHECK(hits == 2 && last_value == 7);
    CHECK(timer_delete(w) == 0 && timer_delete(t) == 0);
    FAILS(timer_settime(t, 0, &v, NULL), EINVAL);
    FAILS(timer_create(12345, &sev, &t), EINVAL);
}

static void rlimit(void)
{
    struct rlimit r;
    CHECK(getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur == 1024 &&
          r.rlim_max == 1024);
    CHECK(getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur == 64 << 20);
    CHECK(getrlimit(RLIMIT_DATA, &r) == 0 && r.rlim_max == 64 << 20);
    CHECK(getrlimit(RLIMIT_STACK, &r) == 0 && r.rlim_cur == 4 << 20);
    CHECK(getrlimit(RLIMIT_CORE, &r) == 0 && r.rlim_max == 0);
    CHECK(getrlimit(RLIMIT_CPU, &r) == 0 && r.rlim_cur == RLIM_INFINITY);
    struct rlimit low = {256, 512};
    CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
    CHECK(prlimit(0, RLIMIT_NOFILE, NULL, &r) == 0 && r.rlim_cur == 256 &&
          r.rlim_max == 512);
    struct rlimit high = {256, 1024};
    FAILS(setrlimit(RLIMIT_NOFILE, &high), EPERM);
    struct rlimit inverted = {300, 200};
    FAILS(setrlimit(RLIMIT_NOFILE, &inverted), EINVAL);
    FAILS(prlimit(2, RLIMIT_NOFILE, NULL, &r), ESRCH);
    FAILS(getrlimit(99, &r), EINVAL);
}

static void lock(void)
{
    int fd = open("/tmp/locked", O_RDWR | O_CREAT, 0600);
    CHECK(fd >= 0);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10};
    CHECK(fcntl(fd, F_SETLK, &fl) == 0);
    CHECK(fcntl(fd, F_SETLKW, &fl) == 0);
    fl.l_type = F_RDLCK;
    CHECK(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK);
    fl.l_type = F_UNLCK;
    CHECK(fcntl(fd, F_SETLK, &fl) == 0);
    FAILS(fcntl(fd, F_GETLK, &fl), EINVAL);
    fl.l_type = 42;
    FAILS(fcntl(fd, F_SETLK, &fl), EINVAL);
    fl = (struct flock){.l_type = F_WRLCK, .l_whence = 9};
    FAILS(fcntl(fd, F_SETLK, &fl), EINVAL);
    fl = (struct flock){.l_type = F_WRLCK, .l_pid = 1};
    FAILS(fcntl(fd, F_OFD_SETLK, &fl), EINVAL);
    fl.l_pid = 0;
    CHECK(fcntl(fd, F_OFD_SETLK, &fl) == 0);
    fl.l_type = F_UNLCK; /* on Linux it would block this process's lockf */
    CHECK(fcntl(fd, F_OFD_SETLK, &fl) == 0);
    CHECK(lockf(fd, F_LOCK, 0) == 0 && lockf(fd, F_ULOCK, 0) == 0);
    int ro = open("/tmp/locked", O_RDONLY);
    CHECK(ro >= 0);
    fl = (struct flock){.l_type = F_WRLCK};
    FAILS(fcntl(ro, F_SETLK, &fl), EBADF);
    fl.l_type = F_RDLCK;
    CHECK(fcntl(ro, F_SETLK, &fl) == 0);
    CHECK(close(ro) == 0 && close(fd) == 0);
    FAILS(fcntl(fd, F_SETLK, &fl), EBADF);
    CHECK(unlink("/tmp/locked") == 0);
}

int main(int argc, char **argv)
{
    static const struct test_part parts[] = {{"handler", handler},
                                             {"mask", mask},
                                             {"resethand", resethand},
                                             {"default", by_default},
                                             {"abort_handler", abort_handler},
                                             {"alarm", alarm_part},
                                             {"itimer", itimer},
                                             {"timer", timer},
                                             {"rlimit", rlimit},
                                             {"lock", lock}};
    return run_part(argc, argv, parts, sizeof(parts) / sizeof(parts[0]));
}
