/*
 * bench/state.c - throughput of the state stores (include/eddy/state.h): commit, restore from
 * a changelog, and a windowed-count workload, through the public API.
 *
 * A broker (no cleaner thread) and a state environment are opened on a scratch directory
 * under $TMPDIR (or /tmp; removed at the end). LMDB runs in its default non-durable mode
 * (MDB_NOSYNC, the broker's page-cache policy). Steps, one line each:
 *
 *  commit     One task, one key-value store. N = 1,000,000 puts of 32-byte values over
 *             500,000 keys (key i * 7919 mod 500,000, so every key is written twice, in
 *             different commits), with state_task_commit() every 10,000 puts. Reports puts/s
 *             over the whole loop, and the commit rate: records committed per second of
 *             commit time (changelog append + marker + one LMDB transaction each).
 *  restore    The task is closed, the LMDB files deleted, the env reopened, and the store
 *             rebuilt from its changelog (1,000,000 records + 100 markers) with
 *             state_task_restore(). Reports records applied per second of wall time, and
 *             the LMDB transactions used. Verified: the restored store holds exactly the
 *             500,000 keys with the values last written.
 *  resume     The task is closed and reopened with LMDB intact: the time to find the
 *             checkpoint (nothing is read from the changelog).
 *  window     One task, one window store (10 s tumbling windows). 1,000,000 events, one per
 *             millisecond of event time, half on one hot key and half spread over 10,000
 *             keys; each event does get + increment + put of an 8-byte count in its window;
 *             commit every 10,000 events, then state_window_expire(stream time - 60 s).
 *             Reports events/s, including commits and expiry.
 *
 * Target (issue 4): restore >= 300,000 records/s, printed beside the figure as PASS or MISS.
 * A missed target does not fail the run; an API error or a wrong value read back exits 1.
 *
 * Usage: state [N] (default 1000000 records for the commit and restore steps).
 */
#include "bench.h"

#include "eddy/broker.h"
#include "eddy/state.h"

#include <inttypes.h>

#define TARGET_RESTORE_RPS 300000.0
#define COMMIT_EVERY 10000

static broker *g_broker;
static state_env *g_env;
static char g_dir[4096];

static void open_env(void)
{
    eddy_err err;
    eddy_err_clear(&err);
    if (!g_broker) {
        broker_options o;
        broker_options_default(&o);
        o.cleaner_interval_ms = 0;
        bench_check(broker_open(g_dir, &o, &g_broker, &err), &err, "broker_open");
    }
    bench_check(state_env_open(g_dir, g_broker, NULL, &g_env, &err), &err, "state_env_open");
}

static state_task *open_task(const char *query, const char *store, state_store_kind kind,
                             int64_t wsize, state_store **s, state_restore_info *info)
{
    eddy_err err;
    eddy_err_clear(&err);
    state_task *t;
    bench_check(state_task_open(g_env, query, 0, 1, NULL, &t, &err), &err, "task_open");
    bench_check(state_store_open(t, store, kind, wsize, s, &err), &err, "store_open");
    bench_check(state_task_restore(t, info, &err), &err, "restore");
    return t;
}

static void commit(state_task *t, int64_t offset)
{
    eddy_err err;
    eddy_err_clear(&err);
    state_offset o = {"input", 0, offset};
    state_offsets in = {&o, 1};
    bench_check(state_task_commit(t, &in, &err), &err, "commit");
}

/* 32 bytes (plus a NUL) naming the key and the write. */
static void make_value(char *v, int64_t key, int64_t i)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "v%015" PRIu64 "-%015" PRIu64, (uint64_t)key % 1000000000000000,
             (uint64_t)i % 1000000000000000);
    memcpy(v, tmp, 33);
}

int main(int argc, char **argv)
{
    int64_t n = argc > 1 ? atoll(argv[1]) : 1000000;
    if (n < COMMIT_EVERY)
        n = COMMIT_EVERY;
    int64_t nkeys = n / 2;
    snprintf(g_dir, sizeof g_dir, "%s", bench_tmpdir("state"));
    char fs[256];
    bench_fs_describe(g_dir, fs, sizeof fs);
    bench_print_machine();
    printf("scratch: %s (%s)\n", g_dir, fs);
    bench_print_load("start");
    open_env();
    eddy_err err;
    eddy_err_clear(&err);

    /* ---- commit ---- */
    state_store *s;
    state_restore_info info;
    state_task *t = open_task("bench", "kv", STATE_KV, 0, &s, &info);
    char key[32], val[40];
    bench_timer all, ct, one;
    memset(&ct, 0, sizeof ct);
    bench_timer_start(&all);
    for (int64_t i = 0; i < n; i++) {
        int64_t k = (i * 7919) % nkeys;
        int kl = snprintf(key, sizeof key, "key-%010" PRId64, k);
        make_value(val, k, i);
        bench_check(state_kv_put(s, key, (size_t)kl, val, 32, &err), &err, "put");
        if ((i + 1) % COMMIT_EVERY == 0) {
            bench_timer_start(&one);
            commit(t, i + 1);
            bench_timer_stop(&one);
            bench_timer_add(&ct, &one);
        }
    }
    bench_timer_stop(&all);
    state_stats st;
    state_task_stats(t, &st);
    printf("commit   %8" PRId64 " puts  %7.0f puts/s overall (%.2f s); commit %7.0f records/s "
           "(%" PRId64 " commits, %.2f ms each, %" PRId64 " appends)\n",
           n, (double)n / all.wall, all.wall, (double)n / ct.wall, st.commits,
           ct.wall * 1e3 / (double)st.commits, st.changelog_appends);

    /* ---- restore ---- */
    state_task_close(t);
    state_env_close(g_env);
    char p[4200];
    snprintf(p, sizeof p, "%s/state", g_dir);
    bench_check(eddy_rmtree(p, &err), &err, "rm state");
    open_env();
    bench_timer rt;
    bench_timer_start(&rt);
    t = open_task("bench", "kv", STATE_KV, 0, &s, &info);
    bench_timer_stop(&rt);
    state_task_stats(t, &st);
    if (info.mode != STATE_RESTORE_REBUILT || info.restored != n)
        bench_die("restore applied %" PRId64 " records (mode %d), expected %" PRId64,
                  info.restored, (int)info.mode, n);
    double rps = (double)info.restored / rt.wall;
    printf("restore  %8" PRId64 " recs  %7.0f records/s (%.2f s wall, %.2f s cpu, %" PRId64
           " LMDB txns)  target >= %.0f: %s\n", info.restored, rps, rt.wall, rt.cpu,
           st.restore_txns, TARGET_RESTORE_RPS, rps >= TARGET_RESTORE_RPS ? "PASS" : "MISS");
    /* Verify: every key holds the value of its last write. */
    int64_t found = 0;
    for (int64_t i = n - nkeys; i < n; i++) {
        int64_t k = (i * 7919) % nkeys;
        int kl = snprintf(key, sizeof key, "key-%010" PRId64, k);
        make_value(val, k, i);
        const void *v;
        size_t vl;
        int rc = state_kv_get(s, key, (size_t)kl, &v, &vl, &err);
        bench_check(rc, &err, "get");
        if (rc != 1 || vl != 32 || memcmp(v, val, 32) != 0)
            bench_die("restored value of %s is wrong", key);
        found++;
    }
    if (found != nkeys)
        bench_die("restored %" PRId64 " keys, expected %" PRId64, found, nkeys);

    /* ---- resume ---- */
    state_task_close(t);
    bench_timer_start(&rt);
    t = open_task("bench", "kv", STATE_KV, 0, &s, &info);
    bench_timer_stop(&rt);
    if (info.mode != STATE_RESTORE_RESUMED || info.restored != 0)
        bench_die("resume did not use the checkpoint");
    printf("resume   checkpoint found in %.3f ms, 0 records read\n", rt.wall * 1e3);
    state_task_close(t);

    /* ---- window ---- */
    int64_t nev = 1000000;
    t = open_task("benchw", "win", STATE_WINDOW, 10000, &s, &info);
    bench_timer wt;
    bench_timer_start(&wt);
    uint64_t rng = 12345;
    int64_t expired = 0;
    for (int64_t i = 0; i < nev; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        int64_t k = (rng & 1) ? 0 : 1 + (int64_t)((rng >> 8) % 10000);
        int kl = snprintf(key, sizeof key, "user-%06" PRId64, k);
        int64_t ts = 1700000000000 + i;
        int64_t ws = ts - ts % 10000;
        const void *v;
        size_t vl;
        uint64_t cnt = 0;
        int rc = state_window_get(s, key, (size_t)kl, ws, &v, &vl, &err);
        bench_check(rc, &err, "window get");
        if (rc == 1 && vl == 8)
            memcpy(&cnt, v, 8);
        cnt++;
        bench_check(state_window_put(s, key, (size_t)kl, ws, &cnt, 8, &err), &err,
                    "window put");
        if ((i + 1) % COMMIT_EVERY == 0) {
            commit(t, i + 1);
            int64_t removed = 0;
            bench_check(state_window_expire(s, ts - 60000, &removed, &err), &err, "expire");
            expired += removed;
        }
    }
    bench_timer_stop(&wt);
    printf("window   %8" PRId64 " events %7.0f events/s (%.2f s, get+put+commit+expire, "
           "%" PRId64 " windows expired)\n", nev, (double)nev / wt.wall, wt.wall, expired);
    state_task_close(t);
    state_env_close(g_env);
    broker_close(g_broker);
    bench_print_load("end");
    return 0;
}
