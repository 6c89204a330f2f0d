/* Unit tests: log compaction (latest record per key, offsets kept, tombstones and
 * delete.retention.ms, min.compaction.lag.ms, the active segment, re-encoded batches,
 * readers across a compaction, reopen), with a virtual clock. */
#include "testutil.h"

#include "../../../broker/broker_int.h"

#include <dirent.h>
#include <unistd.h>

typedef struct fixture {
    char *dir;
    broker *b;
    int64_t now;
    size_t bs;                   /* bytes of one single-record batch made by put() */
} fixture;

static int64_t clock_fn(void *ctx) { return ((fixture *)ctx)->now; }

static void fx_open(fixture *f)
{
    broker_options o;
    broker_options_default(&o);
    o.clock_ms = clock_fn;
    o.clock_ctx = f;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_open(f->dir, &o, &f->b, &err), &err);
}

static void reopen(fixture *f, bool clean)
{
    broker_close(f->b);
    f->b = NULL;
    if (!clean) {   /* as after a crash: the next open re-validates the active segments */
        char path[1024];
        snprintf(path, sizeof path, "%s/.clean_shutdown", f->dir);
        assert_int_equal(unlink(path), 0);
    }
    fx_open(f);
}

/* Keys "key-N" (5 bytes for N < 10), values "val-NNN" (7 bytes): every put() batch is the
 * same size. */
static broker_record mkrec(int key, int i, int64_t ts, char *kbuf, char *vbuf)
{
    snprintf(kbuf, 8, "key-%u", (unsigned)key % 10);
    snprintf(vbuf, 8, "val-%03u", (unsigned)i % 1000);
    broker_record r = {0};
    r.key = (const uint8_t *)kbuf;
    r.key_len = 5;
    r.value = (const uint8_t *)vbuf;
    r.value_len = 7;
    r.timestamp = ts;
    return r;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    f->now = 1000000;
    char k[8], v[8];
    broker_record r = mkrec(0, 0, 0, k, v);
    eddy_buf out;
    eddy_buf_init(&out);
    assert_int_equal(broker_batch_encode(&r, 1, -1, 0, 0, &out, NULL), 0);
    f->bs = out.len;
    eddy_buf_free(&out);
    fx_open(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    broker_close(f->b);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

static void create(fixture *f, const char *name, int policy, int64_t segment_bytes,
                   void (*tweak)(broker_topic_config *))
{
    broker_topic_config c;
    broker_topic_config_default(&c);
    c.cleanup_policy = policy;
    c.segment_bytes = segment_bytes;
    if (tweak)
        tweak(&c);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_topic_create(f->b, name, 1, &c, &err), &err);
}

/* Append one record (one batch): key 'key', value "val-<i>". */
static void put(fixture *f, const char *topic, int key, int i, int64_t ts)
{
    char k[8], v[8];
    broker_record r = mkrec(key, i, ts, k, v);
    int32_t p = 0;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_produce(f->b, topic, &r, &p, 1, NULL, &err), &err);
}

static void put_tombstone(fixture *f, const char *topic, int key, int64_t ts)
{
    char k[8], v[8];
    broker_record r = mkrec(key, 0, ts, k, v);
    r.value = NULL;
    r.value_len = -1;
    int32_t p = 0;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_produce(f->b, topic, &r, &p, 1, NULL, &err), &err);
}

/* Every record of partition 0 from 'from' as "offset:key=value" joined by ' ' (value "null"
 * for a tombstone). */
static void dump(fixture *f, const char *topic, int64_t from, char *out, size_t n)
{
    broker_log *log;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_log_get(f->b, topic, 0, &log, &err), &err);
    out[0] = '\0';
    int64_t off = from;
    while (off < broker_log_end_offset(log)) {
        broker_fetch_result res;
        EXPECT_OK(broker_log_fetch(log, off, 1 << 20, &res, &err), &err);
        broker_iter it;
        broker_record r;
        broker_iter_init(&it, res.data, res.len, off);
        int rc;
        while ((rc = broker_iter_next(&it, &r, &err)) == 1) {
            size_t l = strlen(out);
            if (r.value)
                snprintf(out + l, n - l, "%s%lld:%.*s=%.*s", l ? " " : "", (long long)r.offset,
                         r.key_len, r.key, r.value_len, r.value);
            else
                snprintf(out + l, n - l, "%s%lld:%.*s=null", l ? " " : "", (long long)r.offset,
                         r.key_len, r.key);
        }
        assert_int_equal(rc, 0);
        assert_true(res.next_offset > off);
        off = res.next_offset;
        broker_fetch_release(&res);
    }
    broker_log_release(log);
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

static broker_clean_stats clean(fixture *f)
{
    broker_clean_stats st;
    memset(&st, 0xff, sizeof st);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_clean_now(f->b, &st, &err), &err);
    return st;
}

/* Files in partition 0 of 'topic' ending with 'suffix'. */
static int count_files(fixture *f, const char *topic, const char *suffix)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/topics/%s/0", f->dir, topic);
    DIR *d = opendir(path);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    size_t sl = strlen(suffix);
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l >= sl && !strcmp(e->d_name + l - sl, suffix))
            n++;
    }
    closedir(d);
    return n;
}

/* 20 records, key i % 5, three batches per segment: closed segments hold offsets 0..17,
 * the active one 18..19. */
static void fill_twenty(fixture *f, const char *topic)
{
    create(f, topic, BROKER_CLEANUP_COMPACT, (int64_t)(3 * f->bs), NULL);
    for (int i = 0; i < 20; i++)
        put(f, topic, i % 5, i, 1000 + i);
    assert_int_equal(describe0(f, topic).segments, 7);
}

static const char *const TWENTY_COMPACTED =
    "13:key-3=val-013 14:key-4=val-014 15:key-0=val-015 16:key-1=val-016 17:key-2=val-017 "
    "18:key-3=val-018 19:key-4=val-019";

static void test_compaction_keeps_latest_per_key(void **state)
{
    fixture *f = *state;
    fill_twenty(f, "c");
    broker_clean_stats st = clean(f);
    /* The map covers the closed segments: 13..17 are the latest there; 18, 19 are active. */
    assert_int_equal(st.records_removed, 13);
    assert_int_equal(st.segments_deleted, 0);
    /* Segments 0..12 (nothing or 13,14 left) merge into one; [15,17] loses nothing. */
    assert_int_equal(st.segments_compacted, 5);
    char got[1024];
    dump(f, "c", 0, got, sizeof got);
    assert_string_equal(got, TWENTY_COMPACTED);

    broker_partition_info p = describe0(f, "c");
    assert_int_equal(p.log_start_offset, 0);
    assert_int_equal(p.log_end_offset, 20);
    assert_int_equal(p.segments, 3);
    assert_int_equal(p.size_bytes, (int64_t)(7 * f->bs));
    assert_int_equal(count_files(f, "c", ".log"), 3);
    assert_int_equal(count_files(f, "c", ".cleaned"), 0);
    assert_int_equal(count_files(f, "c", ".swap"), 0);

    /* Offsets inside a gap read from the next record that is left. */
    dump(f, "c", 5, got, sizeof got);
    assert_string_equal(got, TWENTY_COMPACTED);
    dump(f, "c", 14, got, sizeof got);
    assert_memory_equal(got, "14:key-4=val-014 15:", 20);

    /* A second pass finds nothing to do. */
    st = clean(f);
    assert_int_equal(st.records_removed, 0);
    assert_int_equal(st.segments_compacted, 0);

    /* Appends continue after the end. */
    put(f, "c", 7, 20, 2000);
    dump(f, "c", 19, got, sizeof got);
    assert_string_equal(got, "19:key-4=val-019 20:key-7=val-020");
}

static void test_compaction_leaves_active_segment(void **state)
{
    fixture *f = *state;
    create(f, "a", BROKER_CLEANUP_COMPACT, 1 << 20, NULL);
    for (int i = 0; i < 10; i++)
        put(f, "a", i % 2, i, 1000 + i);
    broker_clean_stats st = clean(f);
    assert_int_equal(st.records_removed, 0);
    assert_int_equal(st.segments_compacted, 0);
    char got[1024];
    dump(f, "a", 0, got, sizeof got);
    assert_int_equal(strlen(got), 10 * 15 + 9);   /* ten "N:key-K=val-NNN" */
    assert_memory_equal(got, "0:key-0=val-000 1:key-1=val-001", 31);
}

/* A tombstone that is the latest for its key is kept until its timestamp is older than
 * now - delete.retention.ms, then dropped with everything before it. */
static void tombstone_cfg(broker_topic_config *c)
{
    c->delete_retention_ms = 1000;
    c->segment_ms = 1;
}

static void test_compaction_tombstones(void **state)
{
    fixture *f = *state;
    f->now = 0;
    create(f, "t", BROKER_CLEANUP_COMPACT, 1 << 20, tombstone_cfg);
    put(f, "t", 1, 0, 100);
    put(f, "t", 2, 1, 100);
    put_tombstone(f, "t", 1, 5000);
    put(f, "t", 3, 3, 5000);

    /* The pass rolls the active segment (segment.ms = 1), then compacts it. */
    f->now = 5500;
    broker_clean_stats st = clean(f);
    assert_int_equal(st.records_removed, 1);
    char got[512];
    dump(f, "t", 0, got, sizeof got);
    assert_string_equal(got, "1:key-2=val-001 2:key-1=null 3:key-3=val-003");

    /* Exactly at the horizon it stays (5000 < 6000 - 1000 is false). */
    f->now = 6000;
    st = clean(f);
    assert_int_equal(st.records_removed, 0);

    f->now = 6001;
    st = clean(f);
    assert_int_equal(st.records_removed, 1);
    dump(f, "t", 0, got, sizeof got);
    assert_string_equal(got, "1:key-2=val-001 3:key-3=val-003");
    assert_int_equal(describe0(f, "t").log_end_offset, 4);
}

/* A tombstone followed by a new value for its key is an ordinary old record. */
static void test_compaction_tombstone_superseded(void **state)
{
    fixture *f = *state;
    f->now = 0;
    create(f, "t2", BROKER_CLEANUP_COMPACT, 1 << 20, tombstone_cfg);
    put(f, "t2", 1, 0, 100);
    put_tombstone(f, "t2", 1, 100);
    put(f, "t2", 1, 2, 100);
    f->now = 200;   /* well inside delete.retention.ms */
    broker_clean_stats st = clean(f);
    assert_int_equal(st.records_removed, 2);
    char got[256];
    dump(f, "t2", 0, got, sizeof got);
    assert_string_equal(got, "2:key-1=val-002");
}

/* Segments with records newer than now - min.compaction.lag.ms, and all after them, wait. */
static void lag_cfg(broker_topic_config *c) { c->min_compaction_lag_ms = 5000; }

static void test_compaction_respects_min_lag(void **state)
{
    fixture *f = *state;
    create(f, "l", BROKER_CLEANUP_COMPACT, (int64_t)(3 * f->bs), lag_cfg);
    /* Segments [0,2] max ts 2000, [3,5] 5000, [6,8] 8000, active [9,11]. */
    for (int i = 0; i < 12; i++)
        put(f, "l", i % 3, i, 1000 * i);

    f->now = 9000;   /* only [0,2] is old enough, and it has no duplicates */
    broker_clean_stats st = clean(f);
    assert_int_equal(st.records_removed, 0);

    f->now = 12000;   /* [0,2] and [3,5]: the second supersedes the first */
    st = clean(f);
    assert_int_equal(st.records_removed, 3);
    assert_int_equal(st.segments_compacted, 2);
    char got[1024];
    dump(f, "l", 0, got, sizeof got);
    assert_memory_equal(got, "3:key-0=val-003 4:key-1=val-004 5:key-2=val-005 6:", 50);

    f->now = 100000;   /* everything closed: [6,8] supersedes [3,5] */
    st = clean(f);
    assert_int_equal(st.records_removed, 3);
    dump(f, "l", 0, got, sizeof got);
    assert_memory_equal(got, "6:key-0=val-006 7:key-1=val-007 8:key-2=val-008 9:", 50);
}

/* A batch that keeps some of its records is re-encoded: same base offset and
 * lastOffsetDelta, original offsets, timestamps and headers, a valid CRC. */
static void roll_cfg(broker_topic_config *c) { c->segment_ms = 1; }

static void test_compaction_reencodes_partial_batch(void **state)
{
    fixture *f = *state;
    f->now = 0;
    create(f, "p", BROKER_CLEANUP_COMPACT, 1 << 20, roll_cfg);
    broker_header hdr = {"h", 1, (const uint8_t *)"hv", 2};
    broker_record recs[4] = {0};
    const char *keys[4] = {"a", "b", "a", "c"}, *vals[4] = {"1", "2", "3", "4"};
    for (int i = 0; i < 4; i++) {
        recs[i].key = (const uint8_t *)keys[i];
        recs[i].key_len = 1;
        recs[i].value = (const uint8_t *)vals[i];
        recs[i].value_len = 1;
        recs[i].timestamp = 100 + i;
    }
    recs[3].nheaders = 1;
    recs[3].headers = &hdr;
    eddy_err err;
    eddy_err_clear(&err);
    broker_log *log;
    EXPECT_OK(broker_log_get(f->b, "p", 0, &log, &err), &err);
    EXPECT_OK(broker_log_append(log, recs, 4, NULL, &err), &err);
    f->now = 10;
    broker_clean_stats st = clean(f);
    assert_int_equal(st.records_removed, 1);
    assert_int_equal(st.segments_compacted, 1);

    broker_fetch_result res;
    EXPECT_OK(broker_log_fetch(log, 0, 1 << 20, &res, &err), &err);
    EXPECT_OK(broker_batch_validate(res.data, res.len, &err), &err);
    broker_batch_header h;
    broker_batch_header_parse(res.data, &h);
    assert_int_equal(h.base_offset, 0);
    assert_int_equal(h.last_offset_delta, 3);
    assert_int_equal(h.record_count, 3);
    assert_int_equal(h.base_timestamp, 100);
    assert_int_equal(h.max_timestamp, 103);
    broker_iter it;
    broker_record r;
    broker_iter_init(&it, res.data, res.len, 0);
    static const int64_t want_off[3] = {1, 2, 3};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(broker_iter_next(&it, &r, &err), 1);
        assert_int_equal(r.offset, want_off[i]);
        assert_int_equal(r.timestamp, 100 + want_off[i]);
        assert_memory_equal(r.value, vals[want_off[i]], 1);
    }
    broker_header got[2];
    assert_int_equal(broker_record_headers(&r, got, 2), 1);
    assert_int_equal(got[0].key_len, 1);
    assert_memory_equal(got[0].value, "hv", 2);
    assert_int_equal(broker_iter_next(&it, &r, &err), 0);
    broker_fetch_release(&res);
    broker_log_release(log);
}

/* A fetch taken before the compaction keeps reading the old segment's bytes. */
static void test_compaction_reader_across_swap(void **state)
{
    fixture *f = *state;
    fill_twenty(f, "r");
    broker_log *log;
    broker_fetch_result res;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_log_get(f->b, "r", 0, &log, &err), &err);
    EXPECT_OK(broker_log_fetch(log, 0, 1 << 20, &res, &err), &err);
    assert_int_equal(res.len, 3 * f->bs);
    broker_clean_stats st = clean(f);
    assert_int_equal(st.records_removed, 13);

    broker_iter it;
    broker_record r;
    broker_iter_init(&it, res.data, res.len, 0);
    for (int i = 0; i < 3; i++) {
        char k[8], v[8];
        mkrec(i % 5, i, 0, k, v);
        assert_int_equal(broker_iter_next(&it, &r, &err), 1);
        assert_int_equal(r.offset, i);
        assert_memory_equal(r.key, k, 5);
        assert_memory_equal(r.value, v, 7);
    }
    assert_int_equal(broker_iter_next(&it, &r, &err), 0);
    EXPECT_OK(broker_batch_validate(res.data, f->bs, &err), &err);
    broker_fetch_release(&res);

    /* A new fetch sees the compacted log. */
    EXPECT_OK(broker_log_fetch(log, 0, 1 << 20, &res, &err), &err);
    broker_iter_init(&it, res.data, res.len, 0);
    assert_int_equal(broker_iter_next(&it, &r, &err), 1);
    assert_int_equal(r.offset, 13);
    broker_fetch_release(&res);
    broker_log_release(log);
}

static void test_compaction_survives_reopen(void **state)
{
    fixture *f = *state;
    fill_twenty(f, "o");
    clean(f);
    char got[1024];
    reopen(f, true);
    dump(f, "o", 0, got, sizeof got);
    assert_string_equal(got, TWENTY_COMPACTED);
    assert_int_equal(describe0(f, "o").segments, 3);
    reopen(f, false);
    dump(f, "o", 0, got, sizeof got);
    assert_string_equal(got, TWENTY_COMPACTED);
    broker_partition_info p = describe0(f, "o");
    assert_int_equal(p.log_start_offset, 0);
    assert_int_equal(p.log_end_offset, 20);
    /* And compaction keeps working on the reopened log. */
    broker_clean_stats st = clean(f);
    assert_int_equal(st.records_removed, 0);
}

/* cleanup.policy=compact,delete: retention first, then compaction of what is left. */
static void both_cfg(broker_topic_config *c) { c->retention_ms = 5000; }

static void test_compaction_with_retention(void **state)
{
    fixture *f = *state;
    create(f, "cd", BROKER_CLEANUP_COMPACT | BROKER_CLEANUP_DELETE, (int64_t)(3 * f->bs),
           both_cfg);
    for (int i = 0; i < 12; i++)
        put(f, "cd", i % 2, i, 1000 * i);
    f->now = 9500;   /* retention horizon 4500: [0,2] goes; [3,5], [6,8] are compacted */
    broker_clean_stats st = clean(f);
    assert_int_equal(st.segments_deleted, 1);
    assert_int_equal(st.records_removed, 4);
    char got[1024];
    dump(f, "cd", 3, got, sizeof got);
    assert_string_equal(got, "7:key-1=val-007 8:key-0=val-008 9:key-1=val-009 10:key-0=val-010 "
                             "11:key-1=val-011");
    assert_int_equal(describe0(f, "cd").log_start_offset, 3);
}

/* A pass whose allocations fail in turn returns EDDY_ENOMEM or succeeds; either way readers
 * see the latest record of every key, no temporary file is left, and a later pass (and a
 * reopen) ends in the fully compacted log. */
static void test_compaction_allocation_failures(void **state)
{
    fixture *f = *state;
    fill_twenty(f, "af");
    int failures = 0;
    char got[1024];
    for (long n = 0; n < 40; n++) {
        eddy_err err;
        eddy_err_clear(&err);
        broker_clean_stats st;
        eddy_alloc_fail_after(n);
        int rc = broker_clean_now(f->b, &st, &err);
        eddy_alloc_fail_after(-1);
        if (rc) {
            assert_int_equal(rc, EDDY_ENOMEM);
            failures++;
        }
        dump(f, "af", 0, got, sizeof got);
        assert_non_null(strstr(got, "13:key-3=val-013 14:key-4=val-014 15:key-0=val-015 "
                                    "16:key-1=val-016 17:key-2=val-017 18:key-3=val-018 "
                                    "19:key-4=val-019"));
        assert_int_equal(count_files(f, "af", ".cleaned"), 0);
        assert_int_equal(count_files(f, "af", ".swap"), 0);
    }
    assert_true(failures > 0);
    clean(f);
    dump(f, "af", 0, got, sizeof got);
    assert_string_equal(got, TWENTY_COMPACTED);
    reopen(f, false);
    dump(f, "af", 0, got, sizeof got);
    assert_string_equal(got, TWENTY_COMPACTED);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_compaction_keeps_latest_per_key),
        T(test_compaction_leaves_active_segment),
        T(test_compaction_tombstones),
        T(test_compaction_tombstone_superseded),
        T(test_compaction_respects_min_lag),
        T(test_compaction_reencodes_partial_batch),
        T(test_compaction_reader_across_swap),
        T(test_compaction_survives_reopen),
        T(test_compaction_with_retention),
        T(test_compaction_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
