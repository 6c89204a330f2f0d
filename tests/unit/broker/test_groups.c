/* Unit tests: consumer group offsets (commit, fetch, overwrite, restart, compaction of
 * "__consumer_offsets"). */
#include "testutil.h"

#include "../../../broker/broker_int.h"

typedef struct fixture {
    char *dir;
    broker *b;
    int64_t now;
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

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    f->now = 1700000000000;
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

static void reopen(fixture *f)
{
    broker_close(f->b);
    f->b = NULL;
    fx_open(f);
}

static int64_t fetch(fixture *f, const char *group, const char *topic, int32_t p)
{
    int64_t off = -2;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_group_fetch(f->b, group, topic, p, &off, &err), &err);
    return off;
}

static void commit(fixture *f, const char *group, const char *topic, int32_t p, int64_t off)
{
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_group_commit(f->b, group, topic, p, off, "meta", &err), &err);
}

static void test_group_unknown_is_minus_one(void **state)
{
    fixture *f = *state;
    assert_int_equal(fetch(f, "g", "t", 0), -1);
    commit(f, "g", "t", 0, 5);
    assert_int_equal(fetch(f, "g", "t", 1), -1);
    assert_int_equal(fetch(f, "other", "t", 0), -1);
    assert_int_equal(fetch(f, "g", "u", 0), -1);
}

static void test_group_commit_fetch_overwrite(void **state)
{
    fixture *f = *state;
    commit(f, "g1", "orders", 0, 10);
    commit(f, "g1", "orders", 1, 20);
    commit(f, "g2", "orders", 0, 30);
    assert_int_equal(fetch(f, "g1", "orders", 0), 10);
    assert_int_equal(fetch(f, "g1", "orders", 1), 20);
    assert_int_equal(fetch(f, "g2", "orders", 0), 30);
    commit(f, "g1", "orders", 0, 11);
    commit(f, "g1", "orders", 0, 7);   /* going back is allowed, as in Kafka */
    assert_int_equal(fetch(f, "g1", "orders", 0), 7);
    assert_int_equal(fetch(f, "g1", "orders", 1), 20);
    assert_int_equal(fetch(f, "g2", "orders", 0), 30);
}

/* (group, topic) pairs whose concatenations are equal are still different keys. */
static void test_group_keys_do_not_collide(void **state)
{
    fixture *f = *state;
    commit(f, "a", "bc", 0, 1);
    commit(f, "ab", "c", 0, 2);
    commit(f, "a", "bc", 256, 3);
    assert_int_equal(fetch(f, "a", "bc", 0), 1);
    assert_int_equal(fetch(f, "ab", "c", 0), 2);
    assert_int_equal(fetch(f, "a", "bc", 256), 3);
    assert_int_equal(fetch(f, "a", "bc", 1), -1);
}

static void test_group_offsets_survive_reopen(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 50; i++)
        commit(f, "g", "t", i % 5, 100 + i);
    commit(f, "h", "t", 0, 1);
    reopen(f);
    for (int p = 0; p < 5; p++)
        assert_int_equal(fetch(f, "g", "t", p), 145 + p);
    assert_int_equal(fetch(f, "h", "t", 0), 1);
    assert_int_equal(fetch(f, "h", "t", 1), -1);
    /* And commits after the reopen keep working and persisting. */
    commit(f, "h", "t", 0, 2);
    reopen(f);
    assert_int_equal(fetch(f, "h", "t", 0), 2);
}

/* The offsets live in a 1-partition compacted internal topic, one record per commit, with
 * the documented JSON value. */
static void test_group_offsets_topic_format(void **state)
{
    fixture *f = *state;
    broker_topic_info info;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_topic_describe(f->b, "__consumer_offsets", &info, &err), &err);
    assert_int_equal(info.partitions, 1);
    assert_int_equal(info.config.cleanup_policy, BROKER_CLEANUP_COMPACT);
    assert_int_equal(info.parts[0].log_end_offset, 0);
    broker_topic_info_free(&info);

    f->now = 1234;
    EXPECT_OK(broker_group_commit(f->b, "grp", "tp", 3, 42, "hello \"x\"", &err), &err);
    broker_log *log;
    EXPECT_OK(broker_log_get(f->b, "__consumer_offsets", 0, &log, &err), &err);
    assert_int_equal(broker_log_end_offset(log), 1);
    broker_fetch_result res;
    EXPECT_OK(broker_log_fetch(log, 0, 1 << 20, &res, &err), &err);
    broker_iter it;
    broker_record r;
    broker_iter_init(&it, res.data, res.len, 0);
    assert_int_equal(broker_iter_next(&it, &r, &err), 1);
    static const uint8_t key[] = {0, 1, 0, 3, 'g', 'r', 'p', 0, 2, 't', 'p', 0, 0, 0, 3};
    assert_int_equal(r.key_len, sizeof key);
    assert_memory_equal(r.key, key, sizeof key);
    const char *want = "{\"offset\":42,\"metadata\":\"hello \\\"x\\\"\",\"commit_timestamp\":1234}";
    assert_int_equal(r.value_len, strlen(want));
    assert_memory_equal(r.value, want, strlen(want));
    assert_int_equal(r.timestamp, 1234);
    broker_fetch_release(&res);
    broker_log_release(log);
}

static void test_group_bad_arguments(void **state)
{
    fixture *f = *state;
    eddy_err err;
    int64_t off;
    eddy_err_clear(&err);
    assert_int_equal(broker_group_commit(f->b, "", "t", 0, 1, NULL, &err), EDDY_EINVAL);
    eddy_err_clear(&err);
    assert_int_equal(broker_group_commit(f->b, "g", "", 0, 1, NULL, &err), EDDY_EINVAL);
    eddy_err_clear(&err);
    assert_int_equal(broker_group_commit(f->b, "g", "t", -1, 1, NULL, &err), EDDY_EINVAL);
    eddy_err_clear(&err);
    assert_int_equal(broker_group_fetch(f->b, NULL, "t", 0, &off, &err), EDDY_EINVAL);
    /* NULL metadata is an empty string. */
    EXPECT_OK(broker_group_commit(f->b, "g", "t", 0, 9, NULL, &err), &err);
    assert_int_equal(fetch(f, "g", "t", 0), 9);
}

/* Compaction of "__consumer_offsets" keeps the latest commit per key: after rolling the
 * segment (segment.ms) and a clean, the topic holds one record per key and reopening still
 * finds the latest offsets. */
static void test_group_offsets_compact(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 40; i++)
        commit(f, "g", "t", i % 4, i);
    f->now += 8LL * 24 * 3600 * 1000;   /* past the default segment.ms (7 days) */
    broker_clean_stats st;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_clean_now(f->b, &st, &err), &err);
    assert_int_equal(st.records_removed, 36);
    assert_int_equal(st.segments_compacted, 1);

    broker_log *log;
    EXPECT_OK(broker_log_get(f->b, "__consumer_offsets", 0, &log, &err), &err);
    broker_fetch_result res;
    EXPECT_OK(broker_log_fetch(log, 0, 1 << 20, &res, &err), &err);
    broker_iter it;
    broker_record r;
    broker_iter_init(&it, res.data, res.len, 0);
    int n = 0;
    while (broker_iter_next(&it, &r, &err) == 1) {
        assert_int_equal(r.offset, 36 + n);
        n++;
    }
    assert_int_equal(n, 4);
    broker_fetch_release(&res);
    broker_log_release(log);

    reopen(f);
    for (int p = 0; p < 4; p++)
        assert_int_equal(fetch(f, "g", "t", p), 36 + p);
}

/* A commit whose allocations fail in turn either lands in both the table and the log or in
 * neither: what fetch says before a restart is what it says after. */
static void test_group_commit_allocation_failures(void **state)
{
    fixture *f = *state;
    int64_t want[3] = {-1, -1, -1};
    int failures = 0;
    for (long n = 0; n < 60; n++) {
        int32_t p = (int32_t)(n % 3);
        eddy_err err;
        eddy_err_clear(&err);
        eddy_alloc_fail_after(n / 3);
        int rc = broker_group_commit(f->b, "g", "t", p, n, "m", &err);
        eddy_alloc_fail_after(-1);
        if (rc == 0) {
            want[p] = n;
        } else {
            assert_int_equal(rc, EDDY_ENOMEM);
            failures++;
        }
        assert_int_equal(fetch(f, "g", "t", p), want[p]);
    }
    assert_true(failures > 0);
    assert_true(want[0] >= 0 && want[1] >= 0 && want[2] >= 0);
    reopen(f);
    for (int32_t p = 0; p < 3; p++)
        assert_int_equal(fetch(f, "g", "t", p), want[p]);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_group_unknown_is_minus_one),
        T(test_group_commit_fetch_overwrite),
        T(test_group_keys_do_not_collide),
        T(test_group_offsets_survive_reopen),
        T(test_group_offsets_topic_format),
        T(test_group_bad_arguments),
        T(test_group_offsets_compact),
        T(test_group_commit_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
