/*
 * bench/broker.c - append and fetch throughput of the embedded broker, through its public API
 * (include/eddy/broker.h), next to the raw write(2) rate of the same bytes.
 *
 * A broker is opened on a fresh scratch directory under $TMPDIR (or /tmp; removed at the end;
 * the filesystem is printed, since tmpfs and a disk-backed page cache differ). For each case
 * (value size v = 100 B or 1 KiB, p = 1 or 4 partitions, b = 1 or 1000 records per append) a
 * topic is created and these steps run, one line each:
 *
 *  append 1st  One thread calls broker_log_append() with b records per call, call i going to
 *              partition i % p (round robin over the partitions' logs), for min_first_s
 *              seconds or MAX_CASE_BYTES of log, whichever comes first. This sets the case's
 *              volume (the number of calls). Each record has an 8-byte key (its global
 *              sequence number, big-endian), a value of v bytes (a fixed pseudo-random
 *              pattern), no headers, and a timestamp. Setting the keys is part of the timed
 *              loop (it is the producer's work, a few ns a record). Nothing is fsync'ed: as in
 *              Kafka, appends land in the page cache (flush.messages keeps its default), so
 *              this measures encoding + CRC-32C + locking + pwrite(2) + index upkeep.
 *  append      The timed figure: the same calls again, each run into a new topic (created and
 *              deleted untimed), runs repeating until min_append_s in total.
 *  fetch 1st   One pass reading everything back (below), the first read through the
 *              segments' new mappings.
 *  (verify)    Untimed: every record's offset (dense from 0), key (the expected sequence
 *              number), value length and value bytes are checked, and the logs' end offsets
 *              and sizes must equal what was appended.
 *  fetch       The timed figure: full passes over all partitions until min_fetch_s, each with
 *              broker_log_fetch(max_bytes 1 MiB) + broker_iter_next(), checking that offsets
 *              are dense, summing key and value lengths and touching each key's first byte.
 *              Every pass must see every record. The data is hot in the page cache and the
 *              mappings are faulted in: a consumer reading a hot tail.
 *  write(2)    After the topic is deleted: the same number of chunks, each exactly the batch
 *              one append call wrote (broker_batch_encode() of the same records), written with
 *              write(2) to a plain file in the same directory, no fsync; runs (file removed
 *              between them, untimed) repeat until min_write_s. "of write" on the append line
 *              is append log MB/s divided by this MB/s.
 *
 * Why the repeated runs. Writing into page-cache pages the kernel has just freed can be many
 * times faster than writing into memory it has not used for a while: in a VM whose host backs
 * guest memory lazily and takes free pages back (free page reporting, balloon), first touches
 * fault on the host. Left alone this decides the append/write(2) ratio by the order of the
 * steps. So both timed writers run on the same footing: each run writes exactly the volume the
 * previous run freed just before. 'append 1st' shows the figure on whatever memory came first.
 * MAX_CASE_BYTES keeps a case's data small enough (256 MiB) that reading it back measures the
 * broker rather than the machine's page-table reach.
 *
 * Units. Mrec/s = 10^6 records/s, MB = 10^6 bytes. "pay" counts key + value bytes only; "log"
 * counts the record batches as stored in the segment files (61-byte batch header, per-record
 * varint framing, key, value), which is also exactly what the write(2) runs write. "records
 * NxK" = N records, K runs or passes. wall = CLOCK_MONOTONIC; cpu = CLOCK_PROCESS_CPUTIME_ID,
 * split into usr/sys by getrusage(). The broker runs no background thread here
 * (cleaner_interval_ms = 0), so cpu is the benchmark thread's; kernel writeback runs in kernel
 * threads and is not in it. A '~' after the result marks a measurement whose cpu was below 90%
 * of its wall time: the thread waited or was descheduled, usually by other load on the machine.
 *
 * Targets (issue 2), printed beside the figures and marked PASS or MISS:
 *   batched (1000) append of 100-byte records >= 2,000,000 records/s on one thread;
 *   fetch/scan >= 10,000,000 records/s (every fetch line);
 *   batched (1000) append of 1 KiB records >= 70% of the raw write(2) rate.
 * A missed target does not fail the run (exit 0); any error (an API call failing, a count or a
 * byte read back that does not match) exits 1.
 *
 * Usage: broker [MIN_APPEND_SECONDS [CASE]]. MIN_APPEND_SECONDS (default 1.0) scales every
 * step (the others take half of it); the whole run takes about 30 s on a 2-core machine at the
 * default. CASE runs one case only, e.g. "v1024-p1-b1000" (for profiling).
 */
#include "bench.h"

#include "eddy/broker.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>

#define KEY_LEN 8
#define MAX_VALUE 1024
#define FETCH_MAX_BYTES (1u << 20)
#define MAX_PARTS 4
#define MAX_CASE_BYTES (256u << 20) /* log bytes a case writes per run (header comment) */

#define TARGET_APPEND_RPS 2.0e6     /* batched append of 100-byte records */
#define TARGET_FETCH_RPS 10.0e6     /* fetch/scan */
#define TARGET_WRITE_RATIO 0.70     /* batched append of 1 KiB records vs raw write(2) */

static double min_first_s = 0.5;    /* first (volume-setting) append pass */
static double min_append_s = 1.0;   /* timed append runs, in total */
static double min_fetch_s = 0.5;    /* fetch passes, in total */
static double min_write_s = 0.5;    /* write(2) runs, in total */

typedef struct bench_case {
    int value_len;
    int parts;
    int batch;
} bench_case;

static const bench_case cases[] = {
    {100, 1, 1}, {100, 1, 1000}, {100, 4, 1}, {100, 4, 1000},
    {1024, 1, 1}, {1024, 1, 1000}, {1024, 4, 1}, {1024, 4, 1000},
};

typedef struct measure {
    uint64_t records;              /* records appended, scanned, or encoded in the bytes written */
    uint64_t payload;              /* key + value bytes */
    uint64_t log_bytes;            /* encoded batch bytes */
    int passes;                    /* runs or passes; 0 for a single first pass */
    bench_timer t;
} measure;

static uint8_t value_pattern[MAX_VALUE];
static volatile uint64_t sink;     /* keeps the scan's reads alive */

/* ---------------------------------------------------------------------------------------------
 * Records
 * ------------------------------------------------------------------------------------------- */

static void pattern_init(void)
{
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < sizeof value_pattern; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        value_pattern[i] = (uint8_t)x;
    }
}

/* Point recs[0..n) at their key slots and the value pattern (once per case). */
static void records_init(broker_record *recs, uint8_t *keys, int n, int value_len)
{
    for (int i = 0; i < n; i++) {
        memset(&recs[i], 0, sizeof recs[i]);
        recs[i].key = keys + (size_t)i * KEY_LEN;
        recs[i].key_len = KEY_LEN;
        recs[i].value = value_pattern;
        recs[i].value_len = value_len;
    }
}

/* Give recs[0..n) the keys seq0, seq0+1, ... and timestamp 'ts' (per append call). */
static inline void records_fill(broker_record *recs, uint8_t *keys, int n, uint64_t seq0,
                                int64_t ts)
{
    for (int i = 0; i < n; i++) {
        eddy_put_be64(keys + (size_t)i * KEY_LEN, seq0 + (uint64_t)i);
        recs[i].timestamp = ts;
    }
}

/* Global sequence number of the k-th record of partition p (calls go round robin). */
static uint64_t expected_seq(uint64_t k, int p, const bench_case *c)
{
    uint64_t call = (k / (uint64_t)c->batch) * (uint64_t)c->parts + (uint64_t)p;
    return call * (uint64_t)c->batch + k % (uint64_t)c->batch;
}

/* ---------------------------------------------------------------------------------------------
 * Topics
 * ------------------------------------------------------------------------------------------- */

static void topic_open(broker *b, const char *name, const bench_case *c, broker_log **logs)
{
    eddy_err err;
    eddy_err_clear(&err);
    bench_check(broker_topic_create(b, name, c->parts, NULL, &err), &err, "broker_topic_create");
    for (int p = 0; p < c->parts; p++)
        bench_check(broker_log_get(b, name, p, &logs[p], &err), &err, "broker_log_get");
}

static void topic_drop(broker *b, const char *name, const bench_case *c, broker_log **logs)
{
    eddy_err err;
    eddy_err_clear(&err);
    for (int p = 0; p < c->parts; p++) {
        broker_log_release(logs[p]);
        logs[p] = NULL;
    }
    bench_check(broker_topic_delete(b, name, &err), &err, "broker_topic_delete");
}

/* ---------------------------------------------------------------------------------------------
 * Measurements
 * ------------------------------------------------------------------------------------------- */

/* Append calls round robin over the partitions: exactly 'calls' of them, or, when 'calls' is
 * 0, until min_s seconds have passed or 'max_calls' were made (then up to a multiple of the
 * partition count). Returns the calls made and adds the time to m->t. */
static uint64_t run_append(broker_log **logs, const bench_case *c, broker_record *recs,
                           uint8_t *keys, int64_t ts0, uint64_t calls, double min_s,
                           uint64_t max_calls, measure *m)
{
    eddy_err err;
    eddy_err_clear(&err);
    uint64_t done = 0;
    uint64_t check_every = c->batch == 1 ? 256 : 1;
    int64_t next_base[MAX_PARTS] = {0};
    bench_timer t;
    bench_timer_start(&t);
    for (;;) {
        int p = (int)(done % (uint64_t)c->parts);
        records_fill(recs, keys, c->batch, done * (uint64_t)c->batch, ts0 + (int64_t)done);
        broker_append_info info;
        int rc = broker_log_append(logs[p], recs, (size_t)c->batch, &info, &err);
        bench_check(rc, &err, "broker_log_append");
        if (info.base_offset != next_base[p] ||
            info.last_offset != next_base[p] + c->batch - 1 || info.duplicate)
            bench_die("append to partition %d: offsets [%" PRId64 ", %" PRId64 "], expected "
                      "base %" PRId64, p, info.base_offset, info.last_offset, next_base[p]);
        next_base[p] += c->batch;
        done++;
        if (calls ? done == calls
                  : done % (uint64_t)c->parts == 0 &&
                        (done >= max_calls ||
                         (done % check_every == 0 && bench_elapsed(&t) >= min_s)))
            break;
    }
    bench_timer_stop(&t);
    bench_timer_add(&m->t, &t);
    m->records += done * (uint64_t)c->batch;
    m->payload += done * (uint64_t)c->batch * (uint64_t)(KEY_LEN + c->value_len);
    m->passes++;
    return done;
}

/* Read partition 'p' from its start to its end; returns the records seen and adds their key
 * and value bytes to *payload. With 'verify', checks every key and value byte as well. */
static uint64_t scan_partition(broker_log *log, int p, const bench_case *c, bool verify,
                               uint64_t *payload)
{
    eddy_err err;
    eddy_err_clear(&err);
    int64_t off = broker_log_start_offset(log), end = broker_log_end_offset(log);
    uint64_t n = 0, bytes = 0, touch = 0;
    while (off < end) {
        broker_fetch_result res;
        int rc = broker_log_fetch(log, off, FETCH_MAX_BYTES, &res, &err);
        bench_check(rc, &err, "broker_log_fetch");
        if (res.len == 0)
            bench_die("fetch of partition %d at offset %" PRId64 " returned nothing (end %" PRId64
                      ")", p, off, end);
        broker_iter it;
        broker_record r;
        broker_iter_init(&it, res.data, res.len, off);
        while ((rc = broker_iter_next(&it, &r, &err)) == 1) {
            if (r.offset != off)
                bench_die("partition %d: record offset %" PRId64 ", expected %" PRId64, p,
                          r.offset, off);
            bytes += (uint64_t)r.key_len + (uint64_t)r.value_len;
            touch += r.key_len > 0 ? r.key[0] : 0;
            if (verify) {
                uint64_t want = expected_seq((uint64_t)off, p, c);
                if (r.key_len != KEY_LEN || eddy_get_be64(r.key) != want)
                    bench_die("partition %d offset %" PRId64 ": wrong key (expected sequence %"
                              PRIu64 ")", p, off, want);
                if (r.value_len != c->value_len ||
                    memcmp(r.value, value_pattern, (size_t)c->value_len) != 0)
                    bench_die("partition %d offset %" PRId64 ": wrong value", p, off);
            }
            off++;
            n++;
        }
        bench_check(rc, &err, "broker_iter_next");
        if (res.next_offset != off)
            bench_die("partition %d: fetch said next offset %" PRId64 ", records ended at %"
                      PRId64, p, res.next_offset, off);
        broker_fetch_release(&res);
    }
    sink += touch;
    *payload += bytes;
    return n;
}

/* Full passes over every partition until min_s has passed (0: one pass); each pass must see
 * 'records'. */
static void run_fetch(broker_log **logs, const bench_case *c, uint64_t records, double min_s,
                      measure *m)
{
    bench_timer_start(&m->t);
    do {
        uint64_t n = 0;
        for (int p = 0; p < c->parts; p++)
            n += scan_partition(logs[p], p, c, false, &m->payload);
        if (n != records)
            bench_die("fetch pass %d read %" PRIu64 " records, %" PRIu64 " were written",
                      m->passes + 1, n, records);
        m->records += n;
        m->passes++;
    } while (bench_elapsed(&m->t) < min_s);
    bench_timer_stop(&m->t);
}

/* Runs of write(2) of 'calls' copies of 'chunk' to a new file in 'dir' (removed after each
 * run, untimed) until min_write_s of writing has passed. */
static void run_write(const char *dir, const uint8_t *chunk, size_t len, uint64_t calls,
                      measure *m)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/raw-write.bin", dir) >= (int)sizeof path)
        bench_die("path too long: %s", dir);
    do {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            bench_die("cannot create %s: %s", path, strerror(errno));
        bench_timer t;
        bench_timer_start(&t);
        for (uint64_t i = 0; i < calls; i++) {
            size_t done = 0;
            while (done < len) {
                ssize_t w = write(fd, chunk + done, len - done);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0)
                    bench_die("write to %s: %s", path, w < 0 ? strerror(errno) : "wrote nothing");
                done += (size_t)w;
            }
        }
        bench_timer_stop(&t);
        bench_timer_add(&m->t, &t);
        if (close(fd) != 0 || unlink(path) != 0)
            bench_die("cannot close or remove %s: %s", path, strerror(errno));
        m->log_bytes += (uint64_t)len * calls;
        m->passes++;
    } while (m->t.wall < min_write_s);
}

/* ---------------------------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------------------------- */

static int n_pass, n_miss;

static void print_header(void)
{
    printf("%-17s %-10s %10s %6s %6s %5s %5s %8s %9s %9s %8s  %-18s %s\n", "case", "op", "records",
           "wall s", "cpu s", "usr", "sys", "Mrec/s", "pay MB/s", "log MB/s", "of write",
           "target", "result");
}

/* One line; 'ratio' < 0 and 'target' NULL when not applicable; 'ok' is the verdict. */
static void print_line(const char *name, const char *op, const measure *m, double ratio,
                       const char *target, bool ok)
{
    char rbuf[16] = "";
    if (ratio >= 0)
        snprintf(rbuf, sizeof rbuf, "%.0f%%", ratio * 100);
    char recs[32];
    if (m->passes > 1)
        snprintf(recs, sizeof recs, "%" PRIu64 "x%d", m->records / (uint64_t)m->passes,
                 m->passes);
    else
        snprintf(recs, sizeof recs, "%" PRIu64, m->records);
    double w = m->t.wall > 0 ? m->t.wall : 1e-9;
    char line[256];
    int n = snprintf(line, sizeof line,
                     "%-17s %-10s %10s %6.3f %6.3f %5.2f %5.2f %8.3f %9.1f %9.1f %8s  %-18s "
                     "%s%s",
                     name, op, recs, m->t.wall, m->t.cpu, m->t.usr, m->t.sys,
                     (double)m->records / w / 1e6, (double)m->payload / w / 1e6,
                     (double)m->log_bytes / w / 1e6, rbuf, target ? target : "-",
                     target ? (ok ? "PASS" : "MISS") : "", m->t.cpu < 0.9 * m->t.wall ? "~" : "");
    while (n > 0 && (size_t)n < sizeof line && line[n - 1] == ' ')
        line[--n] = '\0';
    puts(line);
    if (target)
        *(ok ? &n_pass : &n_miss) += 1;
}

/* ---------------------------------------------------------------------------------------------
 * One case
 * ------------------------------------------------------------------------------------------- */

static void run_case(broker *b, const char *dir, const bench_case *c)
{
    eddy_err err;
    eddy_err_clear(&err);
    char name[64], label[32];
    snprintf(name, sizeof name, "v%d-p%d-b%d", c->value_len, c->parts, c->batch);
    snprintf(label, sizeof label, "v=%d p=%d b=%d", c->value_len, c->parts, c->batch);
    broker_log *logs[MAX_PARTS] = {NULL};

    broker_record *recs = eddy_calloc((size_t)c->batch, sizeof *recs);
    uint8_t *keys = eddy_malloc((size_t)c->batch * KEY_LEN);
    if (!recs || !keys)
        bench_die("out of memory");
    records_init(recs, keys, c->batch, c->value_len);

    /* The bytes one append call writes: the first call's batch, encoded as the log does. */
    int64_t ts0 = eddy_now_ms();
    eddy_buf chunk;
    eddy_buf_init(&chunk);
    records_fill(recs, keys, c->batch, 0, ts0);
    bench_check(broker_batch_encode(recs, (size_t)c->batch, -1, -1, -1, &chunk, &err), &err,
                "broker_batch_encode");

    /* First pass: sets the volume of the case; it writes into whatever memory the kernel
     * has, which may be fresh (see the header comment). */
    measure first = {0}, app = {0}, fet1 = {0}, fet = {0}, raw = {0};
    topic_open(b, name, c, logs);
    uint64_t max_calls = MAX_CASE_BYTES / chunk.len;
    uint64_t calls = run_append(logs, c, recs, keys, ts0, 0, min_first_s, max_calls, &first);
    first.log_bytes = calls * chunk.len;
    first.passes = 0;

    /* Timed runs of the same calls, each into a new topic, until min_append_s. */
    do {
        topic_drop(b, name, c, logs);
        topic_open(b, name, c, logs);
        run_append(logs, c, recs, keys, ts0, calls, 0, 0, &app);
    } while (app.t.wall < min_append_s);
    app.log_bytes = calls * chunk.len * (uint64_t)app.passes;

    /* The logs of the last run must hold exactly what was appended... */
    uint64_t records = calls * (uint64_t)c->batch;
    uint64_t payload = records * (uint64_t)(KEY_LEN + c->value_len);
    broker_topic_info info;
    bench_check(broker_topic_describe(b, name, &info, &err), &err, "broker_topic_describe");
    uint64_t end_sum = 0, size_sum = 0;
    for (int p = 0; p < info.partitions; p++) {
        end_sum += (uint64_t)(info.parts[p].log_end_offset - info.parts[p].log_start_offset);
        size_sum += (uint64_t)info.parts[p].size_bytes;
    }
    broker_topic_info_free(&info);
    if (end_sum != records || size_sum != calls * chunk.len)
        bench_die("%s: logs hold %" PRIu64 " records in %" PRIu64 " bytes, appended %" PRIu64
                  " records in %" PRIu64 " bytes", name, end_sum, size_sum, records,
                  calls * chunk.len);

    /* ... the first read through the new mapping, every record must read back unchanged
     * (untimed), then the timed scans. */
    run_fetch(logs, c, records, 0, &fet1);
    fet1.log_bytes = calls * chunk.len;
    fet1.passes = 0;
    uint64_t verified = 0, vpayload = 0;
    for (int p = 0; p < c->parts; p++)
        verified += scan_partition(logs[p], p, c, true, &vpayload);
    if (verified != records || vpayload != payload)
        bench_die("%s: read back %" PRIu64 " records (%" PRIu64 " payload bytes), wrote %"
                  PRIu64 " (%" PRIu64 ")", name, verified, vpayload, records, payload);
    run_fetch(logs, c, records, min_fetch_s, &fet);
    fet.log_bytes = calls * chunk.len * (uint64_t)fet.passes;
    topic_drop(b, name, c, logs);

    run_write(dir, chunk.data, chunk.len, calls, &raw);
    raw.records = records * (uint64_t)raw.passes;
    raw.payload = payload * (uint64_t)raw.passes;

    double ratio = ((double)app.log_bytes / app.t.wall) / ((double)raw.log_bytes / raw.t.wall);
    const char *atarget = NULL;
    bool aok = false;
    if (c->batch > 1 && c->value_len == 100) {
        atarget = ">= 2.00 Mrec/s";
        aok = (double)app.records / app.t.wall >= TARGET_APPEND_RPS;
    } else if (c->batch > 1 && c->value_len == 1024) {
        atarget = ">= 70% of write";
        aok = ratio >= TARGET_WRITE_RATIO;
    }
    print_line(label, "append 1st", &first, -1, NULL, false);
    print_line("", "append", &app, ratio, atarget, aok);
    print_line("", "fetch 1st", &fet1, -1, NULL, false);
    print_line("", "fetch", &fet, -1, ">= 10.0 Mrec/s",
               (double)fet.records / fet.t.wall >= TARGET_FETCH_RPS);
    print_line("", "write(2)", &raw, -1, NULL, false);
    fflush(stdout);

    eddy_buf_free(&chunk);
    eddy_free(keys);
    eddy_free(recs);
}

/* True when 'only' is NULL or names case 'c' ("v1024-p1-b1000"). */
static bool case_selected(const bench_case *c, const char *only)
{
    char id[64];
    snprintf(id, sizeof id, "v%d-p%d-b%d", c->value_len, c->parts, c->batch);
    return !only || strcmp(only, id) == 0;
}

int main(int argc, char **argv)
{
    if (argc > 3 || (argc >= 2 && (atof(argv[1]) <= 0 || atof(argv[1]) > 600))) {
        fprintf(stderr, "usage: %s [MIN_APPEND_SECONDS (default 1.0) [CASE (e.g. v1024-p1-b1000)]]"
                "\n", argv[0]);
        return 2;
    }
    const char *only = argc == 3 ? argv[2] : NULL;
    bool known = !only;
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++)
        known = known || case_selected(&cases[i], only);
    if (!known) {
        fprintf(stderr, "no case is called '%s' (cases are v{100,1024}-p{1,4}-b{1,1000})\n",
                only);
        return 2;
    }
    if (argc >= 2) {
        min_append_s = atof(argv[1]);
        min_first_s = min_fetch_s = min_write_s = min_append_s / 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    pattern_init();
    const char *dir = bench_tmpdir("broker");
    char fs[1024];
    bench_fs_describe(dir, fs, sizeof fs);

    printf("eddy bench/broker: append, fetch and raw write(2) throughput through the broker API\n");
    bench_print_machine();
    bench_print_load("at start");
    printf("data dir: %s on %s\n", dir, fs);
    printf("each record: %d-byte key + value of v bytes, no headers; appends are not fsync'ed "
           "(page cache).\n"
           "v = value bytes, p = partitions (append calls round robin, one thread), b = records "
           "per append call.\n"
           "Mrec/s = 10^6 records/s; MB = 10^6 bytes; pay = key+value bytes; log = record "
           "batches as stored,\n"
           "which is also what write(2) writes; of write = append log MB/s / write(2) log MB/s; "
           "NxK = N records, K runs.\n"
           "append 1st: sets the volume (<= %.2f s or %u MiB), on whatever memory the kernel "
           "gives. append (>= %.2f s)\n"
           "and write(2) (>= %.2f s): the same bytes again, each run into page-cache pages freed "
           "just before.\n"
           "fetch 1st: first read through new mappings; fetch (>= %.2f s): repeated full passes, "
           "1 MiB fetches.\n"
           "~ after a result: cpu < 90%% of wall (the thread waited or other load took the "
           "CPU).\n\n",
           KEY_LEN, min_first_s, MAX_CASE_BYTES >> 20, min_append_s, min_write_s, min_fetch_s);

    broker_options opts;
    broker_options_default(&opts);
    opts.cleaner_interval_ms = 0;
    eddy_err err;
    eddy_err_clear(&err);
    broker *b = NULL;
    char bdir[4096];
    if (snprintf(bdir, sizeof bdir, "%s/broker", dir) >= (int)sizeof bdir)
        bench_die("path too long: %s", dir);
    bench_check(broker_open(bdir, &opts, &b, &err), &err, "broker_open");

    bench_timer total;
    bench_timer_start(&total);
    print_header();
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++)
        if (case_selected(&cases[i], only))
            run_case(b, dir, &cases[i]);
    broker_close(b);
    bench_timer_stop(&total);
    printf("\n");
    bench_print_load("at end");

    printf("targets: %d PASS, %d MISS (batched append of 100 B >= 2,000,000 records/s; "
           "fetch >= 10,000,000 records/s;\nbatched append of 1 KiB >= 70%% of write(2)); "
           "total %.1f s wall\n", n_pass, n_miss, total.wall);
    if (sink == 42)
        printf("\n"); /* never: only keeps the scans' reads from being optimised away */
    return 0;
}
