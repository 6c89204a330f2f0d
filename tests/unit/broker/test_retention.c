/* Unit tests: retention by time and by size, segment.ms rolls, and the background cleaner
 * thread. A virtual clock makes every time-based decision exact. */
#include "testutil.h"

#include "../../../broker/broker_int.h"

#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fixture {
    char *dir;
    broker *b;
    _Atomic int64_t now;
    size_t bs;                   /* bytes of one single-record batch made by put() */
    /* Background test: the cleaner thread signals each clock read. */
    pthread_t main_thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int bg_reads;
} fixture;

static int64_t clock_fn(void *ctx)
{
    fixture *f = ctx;
    if (!pthread_equal(pthread_self(), f->main_thread)) {
        pthread_mutex_lock(&f->mu);
        f->bg_reads++;
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
    }
    return atomic_load(&f->now);
}

static void fx_open_with(fixture *f, int interval_ms)
{
    broker_options o;
    broker_options_default(&o);
    o.clock_ms = clock_fn;
    o.clock_ctx = f;
    o.cleaner_interval_ms = interval_ms;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_open(f->dir, &o, &f->b, &err), &err);
}

static broker_record rec_for(int i, char *kbuf, char *vbuf, int64_t ts)
{
    snprintf(kbuf, 8, "k%03u", (unsigned)i % 1000);
    snprintf(vbuf, 16, "value-%03u", (unsigned)i % 1000);
    broker_record r = {0};
    r.key = (const uint8_t *)kbuf;
    r.key_len = 4;
    r.value = (const uint8_t *)vbuf;
    r.value_len = 9;
    r.timestamp = ts;
    return r;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    atomic_init(&f->now, 1000000);
    f->main_thread = pthread_self();
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    char k[8], v[16];
    broker_record r = rec_for(0, k, v, 0);
    eddy_buf out;
    eddy_buf_init(&out);
    assert_int_equal(broker_batch_encode(&r, 1, -1, 0, 0, &out, NULL), 0);
    f->bs = out.len;
    eddy_buf_free(&out);
    fx_open_with(f, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    broker_close(f->b);
    test_rmdir(f->dir);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f);
    return 0;
}

/* A 1-partition topic whose segments hold exactly two of put()'s batches. */
static void create(fixture *f, const char *name, int policy, int64_t retention_ms,
                   int64_t retention_bytes)
{
    broker_topic_config c;
    broker_topic_config_default(&c);
    c.segment_bytes = (int64_t)(2 * f->bs);
    c.cleanup_policy = policy;
    c.retention_ms = retention_ms;
    c.retention_bytes = retention_bytes;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_topic_create(f->b, name, 1, &c, &err), &err);
}

/* Append record i (one batch) with timestamp ts. */
static void put(fixture *f, const char *topic, int i, int64_t ts)
{
    char k[8], v[16];
    broker_record r = rec_for(i, k, v, ts);
    int32_t p = 0;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_produce(f->b, topic, &r, &p, 1, NULL, &err), &err);
}

static broker_partition_info describe0(fixture *f, const char *topic)
{
    broker_topic_info info;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_topic_describe(f->b, topic, &info, &err), &err);
    broker_partition_info p = info.parts[0];
    broker_topic_info_free(&info);
    return p;
}

/* Read partition 0 from its start and check it holds exactly records first..last. */
static void expect_records(fixture *f, const char *topic, int first, int last)
{
    broker_log *log;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_log_get(f->b, topic, 0, &log, &err), &err);
    assert_int_equal(broker_log_start_offset(log), first);
    int64_t off = first;
    int want = first;
    while (off < broker_log_end_offset(log)) {
        broker_fetch_result res;
        EXPECT_OK(broker_log_fetch(log, off, 1 << 20, &res, &err), &err);
        broker_iter it;
        broker_record r;
        broker_iter_init(&it, res.data, res.len, off);
        while (broker_iter_next(&it, &r, &err) == 1) {
            char k[8], v[16];
            rec_for(want, k, v, 0);
            assert_int_equal(r.offset, want);
            assert_int_equal(r.value_len, 9);
            assert_memory_equal(r.value, v, 9);
            want++;
        }
        off = res.next_offset;
        broker_fetch_release(&res);
    }
    assert_int_equal(want, last + 1);
    broker_log_release(log);
}

static bool segment_file_exists(fixture *f, const char *topic, int64_t base)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/topics/%s/0/%020lld.log", f->dir, topic, (long long)base);
    return access(path, F_OK) == 0;
}

static int clean(fixture *f, broker_clean_stats *st)
{
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_clean_now(f->b, st, &err), &err);
    return st->segments_deleted;
}

/* Ten records at t = 1000 i give segments [0,1] [2,3] [4,5] [6,7] and the active [8,9]. */
static void fill_ten(fixture *f, const char *topic)
{
    for (int i = 0; i < 10; i++)
        put(f, topic, i, 1000 * i);
    broker_partition_info p = describe0(f, topic);
    assert_int_equal(p.segments, 5);
    assert_int_equal(p.size_bytes, (int64_t)(10 * f->bs));
}

static void test_retention_by_time(void **state)
{
    fixture *f = *state;
    create(f, "t", BROKER_CLEANUP_DELETE, 10000, -1);
    fill_ten(f, "t");
    broker_clean_stats st;

    /* Horizon 4500 - 10000 < 0: nothing is old enough. */
    atomic_store(&f->now, 4500);
    assert_int_equal(clean(f, &st), 0);
    assert_int_equal(describe0(f, "t").log_start_offset, 0);

    /* Horizon 4500: segments with max timestamps 1000 and 3000 go; 5000 stays. */
    atomic_store(&f->now, 14500);
    assert_int_equal(clean(f, &st), 2);
    broker_partition_info p = describe0(f, "t");
    assert_int_equal(p.log_start_offset, 4);
    assert_int_equal(p.log_end_offset, 10);
    assert_int_equal(p.segments, 3);
    assert_int_equal(p.size_bytes, (int64_t)(6 * f->bs));
    assert_false(segment_file_exists(f, "t", 0));
    assert_false(segment_file_exists(f, "t", 2));
    assert_true(segment_file_exists(f, "t", 4));

    /* Reads below the start are out of range; the rest is intact. */
    broker_log *log;
    broker_fetch_result res;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_log_get(f->b, "t", 0, &log, &err), &err);
    assert_int_equal(broker_log_fetch(log, 0, 1 << 20, &res, &err), EDDY_ERANGE);
    eddy_err_clear(&err);
    assert_int_equal(broker_log_fetch(log, 3, 1 << 20, &res, &err), EDDY_ERANGE);
    broker_log_release(log);
    expect_records(f, "t", 4, 9);

    /* Much later (but within segment.ms) every closed segment goes, never the active one. */
    atomic_store(&f->now, 500000000);
    assert_int_equal(clean(f, &st), 2);
    p = describe0(f, "t");
    assert_int_equal(p.log_start_offset, 8);
    assert_int_equal(p.segments, 1);
    expect_records(f, "t", 8, 9);
    assert_int_equal(clean(f, &st), 0);
}

static void test_retention_by_bytes(void **state)
{
    fixture *f = *state;
    create(f, "s", BROKER_CLEANUP_DELETE, -1, (int64_t)(3 * f->bs));
    fill_ten(f, "s");
    broker_clean_stats st;
    /* 10 batches; dropping 2-batch segments while what is left stays >= 3 batches. */
    assert_int_equal(clean(f, &st), 3);
    broker_partition_info p = describe0(f, "s");
    assert_int_equal(p.log_start_offset, 6);
    assert_int_equal(p.size_bytes, (int64_t)(4 * f->bs));
    assert_int_equal(p.segments, 2);
    for (int64_t base = 0; base < 6; base += 2)
        assert_false(segment_file_exists(f, "s", base));
    expect_records(f, "s", 6, 9);
    assert_int_equal(clean(f, &st), 0);
}

/* Exactly at the limit: a segment goes only while the rest is still >= retention.bytes. */
static void test_retention_bytes_boundary(void **state)
{
    fixture *f = *state;
    create(f, "s", BROKER_CLEANUP_DELETE, -1, (int64_t)(8 * f->bs));
    fill_ten(f, "s");
    broker_clean_stats st;
    assert_int_equal(clean(f, &st), 1);
    assert_int_equal(describe0(f, "s").log_start_offset, 2);
    assert_int_equal(clean(f, &st), 0);
}

static void test_retention_disabled_and_compact_only(void **state)
{
    fixture *f = *state;
    create(f, "forever", BROKER_CLEANUP_DELETE, -1, -1);
    create(f, "compacted", BROKER_CLEANUP_COMPACT, 1, 1);
    fill_ten(f, "forever");
    fill_ten(f, "compacted");
    atomic_store(&f->now, INT64_MAX / 2);
    broker_clean_stats st;
    assert_int_equal(clean(f, &st), 0);
    assert_int_equal(st.records_removed, 0);   /* all keys distinct */
    expect_records(f, "forever", 0, 9);
    expect_records(f, "compacted", 0, 9);
}

/* The active segment is never deleted, however old; segment.ms rolls it so that a later
 * pass can. */
static void test_retention_spares_active_until_rolled(void **state)
{
    fixture *f = *state;
    broker_topic_config c;
    broker_topic_config_default(&c);
    c.retention_ms = 1000;
    c.segment_ms = 60000;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_topic_create(f->b, "a", 1, &c, &err), &err);
    put(f, "a", 0, 0);
    put(f, "a", 1, 0);
    broker_clean_stats st;
    atomic_store(&f->now, 1000000 + 59999);    /* created at 1000000: not yet segment.ms */
    assert_int_equal(clean(f, &st), 0);
    assert_int_equal(describe0(f, "a").segments, 1);
    expect_records(f, "a", 0, 1);

    /* The pass rolls first, then the now closed segment is past retention.ms. */
    atomic_store(&f->now, 1000000 + 60000);
    assert_int_equal(clean(f, &st), 1);
    broker_partition_info p = describe0(f, "a");
    assert_int_equal(p.segments, 1);
    assert_int_equal(p.log_start_offset, 2);
    assert_int_equal(p.log_end_offset, 2);
    assert_int_equal(p.size_bytes, 0);

    /* Appends continue at offset 2. */
    put(f, "a", 2, atomic_load(&f->now));
    expect_records(f, "a", 2, 2);
}

/* A fetch held across retention keeps reading the deleted segment's bytes. */
static void test_retention_reader_keeps_deleted_segment(void **state)
{
    fixture *f = *state;
    create(f, "r", BROKER_CLEANUP_DELETE, 10, -1);
    fill_ten(f, "r");
    broker_log *log;
    broker_fetch_result res;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_log_get(f->b, "r", 0, &log, &err), &err);
    EXPECT_OK(broker_log_fetch(log, 0, 1 << 20, &res, &err), &err);
    broker_clean_stats st;
    atomic_store(&f->now, 100000);
    assert_int_equal(clean(f, &st), 4);
    assert_int_equal(broker_log_start_offset(log), 8);
    broker_iter it;
    broker_record r;
    broker_iter_init(&it, res.data, res.len, 0);
    for (int i = 0; i < 2; i++) {
        char k[8], v[16];
        rec_for(i, k, v, 0);
        assert_int_equal(broker_iter_next(&it, &r, &err), 1);
        assert_int_equal(r.offset, i);
        assert_memory_equal(r.value, v, 9);
    }
    broker_fetch_release(&res);
    broker_log_release(log);
    /* Once the last reader let go, the file is gone. */
    assert_false(segment_file_exists(f, "r", 0));
}

/* Retention survives a restart: the log start is where the cleaner left it. */
static void test_retention_persists_across_reopen(void **state)
{
    fixture *f = *state;
    create(f, "p", BROKER_CLEANUP_DELETE, 10000, -1);
    fill_ten(f, "p");
    broker_clean_stats st;
    atomic_store(&f->now, 14500);
    assert_int_equal(clean(f, &st), 2);
    broker_close(f->b);
    f->b = NULL;
    fx_open_with(f, 0);
    broker_partition_info p = describe0(f, "p");
    assert_int_equal(p.log_start_offset, 4);
    assert_int_equal(p.log_end_offset, 10);
    expect_records(f, "p", 4, 9);
}

/* The background thread applies retention on its own (the test waits on the thread's clock
 * reads, not on time) and stops promptly on close. */
static void test_background_cleaner(void **state)
{
    fixture *f = *state;
    create(f, "bg", BROKER_CLEANUP_DELETE, 10000, -1);
    fill_ten(f, "bg");
    broker_close(f->b);
    f->b = NULL;
    atomic_store(&f->now, 14500);
    fx_open_with(f, 1);
    broker_log *log;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_log_get(f->b, "bg", 0, &log, &err), &err);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 20;
    pthread_mutex_lock(&f->mu);
    while (broker_log_start_offset(log) != 4)
        if (pthread_cond_timedwait(&f->cv, &f->mu, &dl) != 0)
            break;
    pthread_mutex_unlock(&f->mu);
    assert_int_equal(broker_log_start_offset(log), 4);
    broker_log_release(log);

    /* A long interval: close must not wait for it. */
    broker_close(f->b);
    f->b = NULL;
    fx_open_with(f, 3600 * 1000);
    int64_t t0 = eddy_monotonic_ms();
    broker_close(f->b);
    f->b = NULL;
    assert_true(eddy_monotonic_ms() - t0 < 2000);
    fx_open_with(f, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_retention_by_time),
        T(test_retention_by_bytes),
        T(test_retention_bytes_boundary),
        T(test_retention_disabled_and_compact_only),
        T(test_retention_spares_active_until_rolled),
        T(test_retention_reader_keeps_deleted_segment),
        T(test_retention_persists_across_reopen),
        T(test_background_cleaner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
