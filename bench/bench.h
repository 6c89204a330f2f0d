/*
 * bench.h - helpers shared by the benchmarks in bench/ (header only: the Makefile builds every
 * bench/ .c file into its own program, so shared code cannot live in a .c file here).
 *
 *  - bench_timer: wall time (CLOCK_MONOTONIC), process CPU time (CLOCK_PROCESS_CPUTIME_ID) and
 *    its user/system split (getrusage) between bench_timer_start() and bench_timer_stop().
 *  - bench_print_machine(): CPU count, CPU model and memory, printed once at the top so that
 *    figures can be compared across machines; bench_print_load(): the load average, since
 *    other work on a small machine skews the figures.
 *  - bench_fs_describe(): the filesystem a directory lives on (statfs type plus the mount
 *    source from /proc/self/mountinfo), because tmpfs and a disk-backed page cache give very
 *    different write figures.
 *  - bench_tmpdir() / bench_die(): a private scratch directory under $TMPDIR (or /tmp) that is
 *    removed at exit, also when a benchmark stops on an error.
 *
 * Benchmarks report; they do not fail CI on a missed target. They exit non-zero only when
 * something actually goes wrong (bench_die).
 */
#ifndef EDDY_BENCH_H
#define EDDY_BENCH_H

#include "eddy/common.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------------
 * Scratch directory and fatal errors
 * ------------------------------------------------------------------------------------------- */

static char bench_tmp_path[4096];

static inline void bench_tmp_cleanup(void)
{
    if (bench_tmp_path[0]) {
        eddy_rmtree(bench_tmp_path, NULL);
        bench_tmp_path[0] = '\0';
    }
}

/* Print "bench: <message>" on stderr, remove the scratch directory and exit 1. */
static inline void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static inline void bench_die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("bench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    bench_tmp_cleanup();
    exit(1);
}

/* Die with the message of 'err' when 'rc' is an error. */
/* The optional event count argument: "prog [N]" with N a positive integer, else usage. */
static inline long bench_count_arg(int argc, char **argv, long dflt)
{
    if (argc < 2)
        return dflt;
    char *end;
    long n = strtol(argv[1], &end, 10);
    if (argc > 2 || *end || n <= 0) {
        fprintf(stderr, "usage: %s [N]   (N events, default %ld)\n", argv[0], dflt);
        exit(2);
    }
    return n;
}

static inline void bench_check(int rc, const eddy_err *err, const char *what)
{
    if (rc < 0)
        bench_die("%s: %s (%s)", what, err && err->msg[0] ? err->msg : "failed",
                  eddy_strerror(rc));
}

/* Create "<$TMPDIR or /tmp>/eddy-bench-<name>-XXXXXX", removed at exit. */
static inline const char *bench_tmpdir(const char *name)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(bench_tmp_path, sizeof bench_tmp_path, "%s/eddy-bench-%s-XXXXXX", base, name);
    if (!mkdtemp(bench_tmp_path)) {
        bench_tmp_path[0] = '\0';
        bench_die("cannot create a scratch directory under %s", base);
    }
    atexit(bench_tmp_cleanup);
    return bench_tmp_path;
}

/* ---------------------------------------------------------------------------------------------
 * Timing
 * ------------------------------------------------------------------------------------------- */

typedef struct bench_timer {
    struct timespec w0, c0;
    struct rusage r0;
    double wall, cpu, usr, sys;    /* seconds, set by bench_timer_stop() */
} bench_timer;

static inline double bench_ts_diff(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) * 1e-9;
}

static inline double bench_tv_diff(const struct timeval *a, const struct timeval *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_usec - a->tv_usec) * 1e-6;
}

/* Seconds of wall time since bench_timer_start(), without stopping. */
static inline double bench_elapsed(const bench_timer *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return bench_ts_diff(&t->w0, &now);
}

static inline void bench_timer_start(bench_timer *t)
{
    getrusage(RUSAGE_SELF, &t->r0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t->c0);
    clock_gettime(CLOCK_MONOTONIC, &t->w0);
}

static inline void bench_timer_stop(bench_timer *t)
{
    struct timespec w1, c1;
    struct rusage r1;
    clock_gettime(CLOCK_MONOTONIC, &w1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    getrusage(RUSAGE_SELF, &r1);
    t->wall = bench_ts_diff(&t->w0, &w1);
    t->cpu = bench_ts_diff(&t->c0, &c1);
    t->usr = bench_tv_diff(&t->r0.ru_utime, &r1.ru_utime);
    t->sys = bench_tv_diff(&t->r0.ru_stime, &r1.ru_stime);
}

/* Add the figures of a stopped timer 't' to 'sum' (for measurements taken in several runs). */
static inline void bench_timer_add(bench_timer *sum, const bench_timer *t)
{
    sum->wall += t->wall;
    sum->cpu += t->cpu;
    sum->usr += t->usr;
    sum->sys += t->sys;
}

/* ---------------------------------------------------------------------------------------------
 * Machine and filesystem
 * ------------------------------------------------------------------------------------------- */

/* First line of /proc/cpuinfo or /proc/meminfo starting with 'key', value part into 'out'. */
static inline void bench_proc_field(const char *file, const char *key, char *out, size_t n)
{
    snprintf(out, n, "unknown");
    FILE *f = fopen(file, "r");
    if (!f)
        return;
    char line[512];
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, kl) != 0)
            continue;
        char *v = strchr(line, ':');
        if (!v)
            continue;
        v++;
        while (*v == ' ' || *v == '\t')
            v++;
        v[strcspn(v, "\n")] = '\0';
        snprintf(out, n, "%s", v);
        break;
    }
    fclose(f);
}

static inline void bench_print_machine(void)
{
    char model[256], mem[64];
    struct utsname u;
    bench_proc_field("/proc/cpuinfo", "model name", model, sizeof model);
    bench_proc_field("/proc/meminfo", "MemTotal", mem, sizeof mem);
    if (uname(&u) != 0)
        snprintf(u.release, sizeof u.release, "unknown");
    printf("machine: nproc %ld, CPU \"%s\", RAM %s, Linux %s\n", sysconf(_SC_NPROCESSORS_ONLN),
           model, mem, u.release);
}

/* "load average 1.21 0.77 0.38 (2/180 running)": other work on the machine skews figures. */
static inline void bench_print_load(const char *when)
{
    double l1 = 0, l5 = 0, l15 = 0;
    char procs[64] = "?";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf %lf %lf %63s", &l1, &l5, &l15, procs) != 4)
            l1 = l5 = l15 = 0;
        fclose(f);
    }
    printf("load average %s: %.2f %.2f %.2f (%s running)\n", when, l1, l5, l15, procs);
}

static inline const char *bench_fs_name(long type)
{
    switch ((unsigned long)type) {
    case 0xEF53UL: return "ext2/3/4 (disk)";
    case 0x58465342UL: return "xfs (disk)";
    case 0x9123683EUL: return "btrfs (disk)";
    case 0xF2F52010UL: return "f2fs (disk)";
    case 0x2FC12FC1UL: return "zfs (disk)";
    case 0x01021994UL: return "tmpfs (RAM)";
    case 0x858458F6UL: return "ramfs (RAM)";
    case 0x794C7630UL: return "overlayfs";
    case 0x6969UL: return "nfs (network)";
    case 0x65735546UL: return "fuse";
    case 0x9FA0UL: return "proc";
    default: return "unknown";
    }
}

/* "ext2/3/4 (disk), /dev/vda mounted on /" for the filesystem holding 'dir'. */
static inline void bench_fs_describe(const char *dir, char *out, size_t n)
{
    struct statfs sf;
    struct stat st;
    char abs[4096];
    if (!realpath(dir, abs))
        snprintf(abs, sizeof abs, "%s", dir);
    dir = abs;
    if (statfs(dir, &sf) != 0 || stat(dir, &st) != 0) {
        snprintf(out, n, "unknown filesystem");
        return;
    }
    /* The mount whose device matches, with the longest mount point that prefixes 'dir'. */
    char src[256] = "?", mnt[1024] = "?";
    size_t best = 0;
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        unsigned maj, min;
        char mp[1024], fstype[64], source[256];
        char *sep = strstr(line, " - ");
        if (!sep || sscanf(line, "%*s %*s %u:%u %*s %1023s", &maj, &min, mp) != 3 ||
            sscanf(sep + 3, "%63s %255s", fstype, source) != 2)
            continue;
        size_t ml = strlen(mp);
        if (maj != major(st.st_dev) || min != minor(st.st_dev) || strncmp(dir, mp, ml) != 0)
            continue;
        if (ml >= best) {
            best = ml;
            snprintf(src, sizeof src, "%s", source);
            snprintf(mnt, sizeof mnt, "%s", mp);
        }
    }
    if (f)
        fclose(f);
    int w = snprintf(out, n, "%s [statfs type 0x%lx], %s mounted on %s",
                     bench_fs_name((long)sf.f_type), (unsigned long)sf.f_type, src, mnt);
    if (w >= (int)n && n > 4)
        memcpy(out + n - 4, "...", 4); /* truncated: say so */
}

#endif /* EDDY_BENCH_H */
