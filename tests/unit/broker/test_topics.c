/* Unit tests: broker open/close, topic names, create/delete/list/describe, reopen, the data
 * directory lock, partition lookup, the default partitioner and producing by topic. */
#include "testutil.h"

#include "../../../broker/broker_int.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

static void create(fixture *f, const char *name, int parts, const broker_topic_config *cfg)
{
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_topic_create(f->b, name, parts, cfg, &err), &err);
}

static broker_record rec(const char *key, const char *value, int64_t ts)
{
    broker_record r = {0};
    r.key = (const uint8_t *)key;
    r.key_len = key ? (int32_t)strlen(key) : -1;
    r.value = (const uint8_t *)value;
    r.value_len = value ? (int32_t)strlen(value) : -1;
    r.timestamp = ts;
    return r;
}

/* Read every record of a partition from its start: values joined with ',' into 'out'; returns
 * the record count. Offsets are checked to increase. */
static int read_values(broker *b, const char *topic, int32_t p, char *out, size_t n)
{
    broker_log *log;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_log_get(b, topic, p, &log, &err), &err);
    int64_t off = broker_log_start_offset(log), end = broker_log_end_offset(log), last = -1;
    int count = 0;
    out[0] = '\0';
    while (off < end) {
        broker_fetch_result res;
        EXPECT_OK(broker_log_fetch(log, off, 1 << 20, &res, &err), &err);
        broker_iter it;
        broker_record r;
        broker_iter_init(&it, res.data, res.len, off);
        int rc;
        while ((rc = broker_iter_next(&it, &r, &err)) == 1) {
            assert_true(r.offset > last);
            last = r.offset;
            size_t l = strlen(out);
            snprintf(out + l, n - l, "%s%.*s", count ? "," : "", r.value_len, r.value);
            count++;
        }
        assert_int_equal(rc, 0);
        assert_true(res.next_offset > off);
        off = res.next_offset;
        broker_fetch_release(&res);
    }
    broker_log_release(log);
    return count;
}

/* ---------------------------------------------------------------------------------------------
 * Names
 * ------------------------------------------------------------------------------------------- */

static void test_topic_name_rules(void **state)
{
    (void)state;
    char n249[250], n250[251];
    memset(n249, 'a', 249);
    n249[249] = '\0';
    memset(n250, 'b', 250);
    n250[250] = '\0';
    static const char *const legal[] = {"a", "Z", "0", "orders", "my.topic_name-2", "...",
                                        "__consumer_offsets", "-", "_"};
    static const char *const illegal[] = {"", ".", "..", "a b", "a/b", "a\\b", "a~b", "t\xc3\xa4",
                                          "a:b", "a*", "a\n"};
    for (size_t i = 0; i < EDDY_ARRAY_LEN(legal); i++)
        if (!broker_topic_name_valid(legal[i]))
            fail_msg("'%s' should be legal", legal[i]);
    for (size_t i = 0; i < EDDY_ARRAY_LEN(illegal); i++)
        if (broker_topic_name_valid(illegal[i]))
            fail_msg("'%s' should be illegal", illegal[i]);
    assert_true(broker_topic_name_valid(n249));
    assert_false(broker_topic_name_valid(n250));
    assert_false(broker_topic_name_valid(NULL));
}

/* The 249-character limit holds for create too, and the topic works on disk. */
static void test_topic_create_name_limits(void **state)
{
    fixture *f = *state;
    char n249[250], n250[251];
    memset(n249, 'x', 249);
    n249[249] = '\0';
    memset(n250, 'y', 250);
    n250[250] = '\0';
    create(f, n249, 1, NULL);
    assert_int_equal(broker_topic_partitions(f->b, n249, NULL), 1);
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(broker_topic_create(f->b, n250, 1, NULL, &err), EDDY_EINVAL);
    assert_non_null(strstr(err.msg, "invalid topic name"));
    eddy_err_clear(&err);
    assert_int_equal(broker_topic_create(f->b, "a/b", 1, NULL, &err), EDDY_EINVAL);
    eddy_err_clear(&err);
    assert_int_equal(broker_topic_create(f->b, "..", 1, NULL, &err), EDDY_EINVAL);
}

/* ---------------------------------------------------------------------------------------------
 * Create, list, describe, delete
 * ------------------------------------------------------------------------------------------- */

static void test_topic_create_and_list(void **state)
{
    fixture *f = *state;
    create(f, "orders", 3, NULL);
    create(f, "alpha", 1, NULL);
    create(f, "__internal_x", 1, NULL);
    char **names;
    size_t n;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_topic_list(f->b, false, &names, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "alpha");
    assert_string_equal(names[1], "orders");
    broker_names_free(names, n);

    EXPECT_OK(broker_topic_list(f->b, true, &names, &n, &err), &err);
    assert_int_equal(n, 4);
    assert_string_equal(names[0], "__consumer_offsets");
    assert_string_equal(names[1], "__internal_x");
    assert_string_equal(names[2], "alpha");
    assert_string_equal(names[3], "orders");
    broker_names_free(names, n);

    assert_int_equal(broker_topic_partitions(f->b, "orders", &err), 3);
    assert_int_equal(broker_topic_partitions(f->b, "missing", &err), EDDY_ENOTFOUND);

    /* Directories and metadata on disk. */
    char path[1024];
    struct stat st;
    for (int p = 0; p < 3; p++) {
        snprintf(path, sizeof path, "%s/topics/orders/%d", f->dir, p);
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
    }
    snprintf(path, sizeof path, "%s/topics/orders/topic.json", f->dir);
    assert_int_equal(stat(path, &st), 0);
}

static void test_topic_create_errors(void **state)
{
    fixture *f = *state;
    create(f, "t", 2, NULL);
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(broker_topic_create(f->b, "t", 2, NULL, &err), EDDY_EEXIST);
    assert_non_null(strstr(err.msg, "already exists"));
    eddy_err_clear(&err);
    assert_int_equal(broker_topic_create(f->b, "u", 0, NULL, &err), EDDY_EINVAL);
    eddy_err_clear(&err);
    assert_int_equal(broker_topic_create(f->b, "u", -3, NULL, &err), EDDY_EINVAL);
    broker_topic_config c;
    broker_topic_config_default(&c);
    c.segment_bytes = 5;
    eddy_err_clear(&err);
    assert_int_equal(broker_topic_create(f->b, "u", 1, &c, &err), EDDY_EINVAL);
    assert_non_null(strstr(err.msg, "segment.bytes"));
    broker_topic_config_default(&c);
    c.cleanup_policy = 0;
    eddy_err_clear(&err);
    assert_int_equal(broker_topic_create(f->b, "u", 1, &c, &err), EDDY_EINVAL);
    /* Nothing was left behind by the failures. */
    assert_int_equal(broker_topic_partitions(f->b, "u", NULL), EDDY_ENOTFOUND);
    char path[1024];
    snprintf(path, sizeof path, "%s/topics/u", f->dir);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_equal(broker_topic_partitions(f->b, "t", NULL), 2);
}

static void test_topic_describe_offsets_and_sizes(void **state)
{
    fixture *f = *state;
    create(f, "d", 2, NULL);
    broker_record recs[5];
    int32_t parts[5] = {0, 0, 0, 1, 0};
    recs[0] = rec("a", "one", 1);
    recs[1] = rec("b", "two", 2);
    recs[2] = rec("c", "three", 3);
    recs[3] = rec("d", "four", 4);
    recs[4] = rec("e", "five", 5);
    eddy_err err;
    eddy_err_clear(&err);
    int touched = 0;
    EXPECT_OK(broker_produce(f->b, "d", recs, parts, 5, &touched, &err), &err);
    assert_int_equal(touched, 2);

    broker_topic_info info;
    EXPECT_OK(broker_topic_describe(f->b, "d", &info, &err), &err);
    assert_string_equal(info.name, "d");
    assert_int_equal(info.partitions, 2);
    assert_int_equal(info.config.segment_bytes, 1073741824);
    assert_int_equal(info.parts[0].partition, 0);
    assert_int_equal(info.parts[0].log_start_offset, 0);
    assert_int_equal(info.parts[0].log_end_offset, 4);
    assert_int_equal(info.parts[0].segments, 1);
    assert_int_equal(info.parts[1].partition, 1);
    assert_int_equal(info.parts[1].log_end_offset, 1);

    /* Sizes are the bytes of the segment files, i.e. of the encoded batches. */
    for (int p = 0; p < 2; p++) {
        char path[1024];
        struct stat st;
        snprintf(path, sizeof path, "%s/topics/d/%d/00000000000000000000.log", f->dir, p);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(info.parts[p].size_bytes, st.st_size);
    }
    eddy_buf one;
    eddy_buf_init(&one);
    EXPECT_OK(broker_batch_encode(&recs[3], 1, -1, 0, 0, &one, &err), &err);
    assert_int_equal(info.parts[1].size_bytes, one.len);
    eddy_buf_free(&one);
    broker_topic_info_free(&info);

    assert_int_equal(broker_topic_describe(f->b, "nope", &info, &err), EDDY_ENOTFOUND);
}

static void test_topic_delete(void **state)
{
    fixture *f = *state;
    create(f, "gone", 2, NULL);
    broker_record r = rec("k", "before-delete", 10);
    int32_t p0 = 0;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_produce(f->b, "gone", &r, &p0, 1, NULL, &err), &err);

    /* A reader holds a log handle and a fetch across the delete. */
    broker_log *log;
    EXPECT_OK(broker_log_get(f->b, "gone", 0, &log, &err), &err);
    broker_fetch_result res;
    EXPECT_OK(broker_log_fetch(log, 0, 1 << 20, &res, &err), &err);

    EXPECT_OK(broker_topic_delete(f->b, "gone", &err), &err);
    char path[1024];
    snprintf(path, sizeof path, "%s/topics/gone", f->dir);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/topics/gone~deleted", f->dir);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_equal(broker_topic_partitions(f->b, "gone", NULL), EDDY_ENOTFOUND);
    broker_log *log2;
    assert_int_equal(broker_log_get(f->b, "gone", 0, &log2, NULL), EDDY_ENOTFOUND);
    char **names;
    size_t n;
    EXPECT_OK(broker_topic_list(f->b, false, &names, &n, &err), &err);
    assert_int_equal(n, 0);
    broker_names_free(names, n);

    /* The held fetch still reads its bytes; the held handle refuses appends and waits. */
    broker_iter it;
    broker_record got;
    broker_iter_init(&it, res.data, res.len, 0);
    assert_int_equal(broker_iter_next(&it, &got, &err), 1);
    assert_int_equal(got.value_len, 13);
    assert_memory_equal(got.value, "before-delete", 13);
    broker_fetch_release(&res);
    eddy_err_clear(&err);
    assert_int_equal(broker_log_append(log, &r, 1, NULL, &err), EDDY_ECLOSED);
    assert_int_equal(broker_log_wait(log, 5, 1000), EDDY_ECLOSED);
    broker_log_release(log);

    eddy_err_clear(&err);
    assert_int_equal(broker_topic_delete(f->b, "gone", &err), EDDY_ENOTFOUND);

    /* The name can be used again and starts empty. */
    create(f, "gone", 1, NULL);
    broker_topic_info info;
    EXPECT_OK(broker_topic_describe(f->b, "gone", &info, &err), &err);
    assert_int_equal(info.partitions, 1);
    assert_int_equal(info.parts[0].log_end_offset, 0);
    broker_topic_info_free(&info);
}

static void test_topic_delete_internal_offsets_refused(void **state)
{
    fixture *f = *state;
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(broker_topic_delete(f->b, "__consumer_offsets", &err), EDDY_EINVAL);
    assert_int_equal(broker_topic_partitions(f->b, "__consumer_offsets", NULL), 1);
}

/* ---------------------------------------------------------------------------------------------
 * Reopen and the directory lock
 * ------------------------------------------------------------------------------------------- */

static void test_reopen_keeps_topics_and_config(void **state)
{
    fixture *f = *state;
    broker_topic_config c;
    broker_topic_config_default(&c);
    c.cleanup_policy = BROKER_CLEANUP_COMPACT | BROKER_CLEANUP_DELETE;
    c.retention_ms = 123456;
    c.segment_bytes = 65536;
    create(f, "kept", 3, &c);
    create(f, "plain", 1, NULL);
    broker_record recs[3] = {rec("x", "1", 1), rec("y", "2", 2), rec("z", "3", 3)};
    int32_t parts[3] = {2, 2, 0};
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_produce(f->b, "kept", recs, parts, 3, NULL, &err), &err);
    reopen(f);

    char **names;
    size_t n;
    EXPECT_OK(broker_topic_list(f->b, false, &names, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "kept");
    assert_string_equal(names[1], "plain");
    broker_names_free(names, n);

    broker_topic_info info;
    EXPECT_OK(broker_topic_describe(f->b, "kept", &info, &err), &err);
    assert_int_equal(info.partitions, 3);
    assert_int_equal(info.config.cleanup_policy, BROKER_CLEANUP_COMPACT | BROKER_CLEANUP_DELETE);
    assert_int_equal(info.config.retention_ms, 123456);
    assert_int_equal(info.config.segment_bytes, 65536);
    assert_int_equal(info.parts[0].log_end_offset, 1);
    assert_int_equal(info.parts[1].log_end_offset, 0);
    assert_int_equal(info.parts[2].log_end_offset, 2);
    broker_topic_info_free(&info);
    char vals[256];
    assert_int_equal(read_values(f->b, "kept", 2, vals, sizeof vals), 2);
    assert_string_equal(vals, "1,2");
}

static void test_second_open_fails_while_first_is_open(void **state)
{
    fixture *f = *state;
    broker *b2 = NULL;
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(broker_open(f->dir, NULL, &b2, &err), EDDY_EIO);
    assert_null(b2);
    assert_non_null(strstr(err.msg, "in use by another eddy process"));
    assert_non_null(strstr(err.msg, f->dir));

    /* The same from another process. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        broker *b3 = NULL;
        eddy_err e3;
        eddy_err_clear(&e3);
        int rc = broker_open(f->dir, NULL, &b3, &e3);
        _exit(rc == EDDY_EIO && strstr(e3.msg, "in use by another eddy process") ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    /* The failed open did not disturb the first broker, and closing releases the lock. */
    create(f, "still-works", 1, NULL);
    broker_close(f->b);
    f->b = NULL;
    eddy_err_clear(&err);
    EXPECT_OK(broker_open(f->dir, NULL, &b2, &err), &err);
    assert_int_equal(broker_topic_partitions(b2, "still-works", NULL), 1);
    broker_close(b2);
    fx_open(f);
}

/* A clean close leaves the marker; open consumes it. */
static void test_clean_shutdown_marker(void **state)
{
    fixture *f = *state;
    char path[1024];
    snprintf(path, sizeof path, "%s/.clean_shutdown", f->dir);
    assert_int_not_equal(access(path, F_OK), 0);
    broker_close(f->b);
    f->b = NULL;
    assert_int_equal(access(path, F_OK), 0);
    fx_open(f);
    assert_int_not_equal(access(path, F_OK), 0);
}

/* Leftovers of an interrupted create (no topic.json) or delete ('~deleted') go on open;
 * unrelated entries (bad names, plain files) are left alone. */
static void test_open_removes_leftovers(void **state)
{
    fixture *f = *state;
    broker_close(f->b);
    f->b = NULL;
    char a[1024], b[1024], c[1024];
    snprintf(a, sizeof a, "%s/topics/torn/0", f->dir);
    snprintf(b, sizeof b, "%s/topics/old~deleted/0", f->dir);
    snprintf(c, sizeof c, "%s/topics/not a topic", f->dir);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(eddy_mkdirs(a, &err), &err);
    EXPECT_OK(eddy_mkdirs(b, &err), &err);
    EXPECT_OK(eddy_mkdirs(c, &err), &err);
    char stray[1024];
    snprintf(stray, sizeof stray, "%s/topics/README", f->dir);
    EXPECT_OK(eddy_write_file_atomic(stray, "x", 1, &err), &err);
    fx_open(f);
    assert_int_equal(access(stray, F_OK), 0);
    assert_int_equal(broker_topic_partitions(f->b, "README", NULL), EDDY_ENOTFOUND);
    snprintf(a, sizeof a, "%s/topics/torn", f->dir);
    snprintf(b, sizeof b, "%s/topics/old~deleted", f->dir);
    assert_int_not_equal(access(a, F_OK), 0);
    assert_int_not_equal(access(b, F_OK), 0);
    assert_int_equal(access(c, F_OK), 0);
    assert_int_equal(broker_topic_partitions(f->b, "torn", NULL), EDDY_ENOTFOUND);
}

static void test_open_rejects_corrupt_topic_json(void **state)
{
    fixture *f = *state;
    create(f, "bad", 1, NULL);
    broker_close(f->b);
    f->b = NULL;
    char path[1024];
    snprintf(path, sizeof path, "%s/topics/bad/topic.json", f->dir);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(eddy_write_file_atomic(path, "{oops", 5, &err), &err);
    broker *b2 = NULL;
    assert_int_equal(broker_open(f->dir, NULL, &b2, &err), EDDY_ECORRUPT);
    assert_null(b2);
    assert_non_null(strstr(err.msg, "topic.json"));
    /* The failed open released the directory lock. */
    EXPECT_OK(eddy_write_file_atomic(path, "{\"partitions\":1}", 16, &err), &err);
    fx_open(f);
    assert_int_equal(broker_topic_partitions(f->b, "bad", NULL), 1);
}

/* ---------------------------------------------------------------------------------------------
 * Partitions and producing
 * ------------------------------------------------------------------------------------------- */

static void test_log_get(void **state)
{
    fixture *f = *state;
    create(f, "lg", 2, NULL);
    broker_log *log;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_log_get(f->b, "lg", 1, &log, &err), &err);
    assert_string_equal(broker_log_topic(log), "lg");
    assert_int_equal(broker_log_partition(log), 1);
    broker_log_release(log);
    assert_int_equal(broker_log_get(f->b, "lg", 2, &log, &err), EDDY_ENOTFOUND);
    assert_null(log);
    assert_int_equal(broker_log_get(f->b, "lg", -1, &log, NULL), EDDY_ENOTFOUND);
    assert_int_equal(broker_log_get(f->b, "zz", 0, &log, NULL), EDDY_ENOTFOUND);
}

static void test_partitioner_matches_kafka(void **state)
{
    fixture *f = *state;
    create(f, "keyed", 6, NULL);
    static const char *const keys[] = {"", "a", "key1", "customer-42", "0123456789abcdef",
                                       "\xff\xfe"};
    for (size_t i = 0; i < EDDY_ARRAY_LEN(keys); i++) {
        size_t len = strlen(keys[i]);
        for (int32_t n = 1; n <= 7; n++)
            assert_int_equal(
                broker_partition_for(f->b, "keyed", (const uint8_t *)keys[i], (int32_t)len, n),
                eddy_kafka_partition(keys[i], len, n));
    }
    /* Producing by key puts each record where the partitioner says, in order. */
    broker_record recs[12];
    char kbuf[12][16], vbuf[12][16];
    for (int i = 0; i < 12; i++) {
        snprintf(kbuf[i], sizeof kbuf[i], "key-%d", i % 4);
        snprintf(vbuf[i], sizeof vbuf[i], "v%d", i);
        recs[i] = rec(kbuf[i], vbuf[i], i);
    }
    eddy_err err;
    eddy_err_clear(&err);
    int touched;
    EXPECT_OK(broker_produce(f->b, "keyed", recs, NULL, 12, &touched, &err), &err);
    int expected_touched = 0;
    for (int32_t p = 0; p < 6; p++) {
        char want[256] = "", got[256];
        int nwant = 0;
        for (int i = 0; i < 12; i++) {
            if (eddy_kafka_partition(kbuf[i], strlen(kbuf[i]), 6) == p) {
                size_t l = strlen(want);
                snprintf(want + l, sizeof want - l, "%s%s", nwant ? "," : "", vbuf[i]);
                nwant++;
            }
        }
        expected_touched += nwant > 0;
        assert_int_equal(read_values(f->b, "keyed", p, got, sizeof got), nwant);
        assert_string_equal(got, want);
    }
    assert_int_equal(touched, expected_touched);
}

static void test_keyless_records_round_robin(void **state)
{
    fixture *f = *state;
    create(f, "rr", 4, NULL);
    broker_record recs[8];
    char vbuf[8][16];
    for (int i = 0; i < 8; i++) {
        snprintf(vbuf[i], sizeof vbuf[i], "n%d", i);
        recs[i] = rec(NULL, vbuf[i], i);
    }
    eddy_err err;
    eddy_err_clear(&err);
    int touched;
    EXPECT_OK(broker_produce(f->b, "rr", recs, NULL, 8, &touched, &err), &err);
    assert_int_equal(touched, 4);
    broker_topic_info info;
    EXPECT_OK(broker_topic_describe(f->b, "rr", &info, &err), &err);
    for (int p = 0; p < 4; p++)
        assert_int_equal(info.parts[p].log_end_offset, 2);
    broker_topic_info_free(&info);
    /* Consecutive keyless records go to consecutive partitions. */
    int32_t first = broker_partition_for(f->b, "rr", NULL, -1, 4);
    for (int i = 1; i <= 8; i++)
        assert_int_equal(broker_partition_for(f->b, "rr", NULL, -1, 4), (first + i) % 4);
}

static void test_produce_explicit_partitions_and_errors(void **state)
{
    fixture *f = *state;
    create(f, "ex", 3, NULL);
    broker_record recs[4] = {rec("a", "r0", 0), rec("a", "r1", 1), rec(NULL, "r2", 2),
                             rec("b", "r3", 3)};
    int32_t parts[4] = {2, 0, 2, 2};
    eddy_err err;
    eddy_err_clear(&err);
    int touched;
    EXPECT_OK(broker_produce(f->b, "ex", recs, parts, 4, &touched, &err), &err);
    assert_int_equal(touched, 2);
    char got[128];
    assert_int_equal(read_values(f->b, "ex", 2, got, sizeof got), 3);
    assert_string_equal(got, "r0,r2,r3");
    assert_int_equal(read_values(f->b, "ex", 0, got, sizeof got), 1);
    assert_string_equal(got, "r1");

    int32_t bad[1] = {3};
    eddy_err_clear(&err);
    assert_int_equal(broker_produce(f->b, "ex", recs, bad, 1, &touched, &err), EDDY_ENOTFOUND);
    assert_int_equal(touched, 0);
    eddy_err_clear(&err);
    assert_int_equal(broker_produce(f->b, "nope", recs, NULL, 1, NULL, &err), EDDY_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nope"));
}

/* More records than fit in one batch of max.message.bytes are split, keeping order. */
static void test_produce_splits_large_groups(void **state)
{
    fixture *f = *state;
    broker_topic_config c;
    broker_topic_config_default(&c);
    c.max_message_bytes = 1000;
    create(f, "big", 1, &c);
    enum { N = 200 };
    static char vbuf[N][24];
    broker_record recs[N];
    for (int i = 0; i < N; i++) {
        snprintf(vbuf[i], sizeof vbuf[i], "value-%04d", i);
        recs[i] = rec(NULL, vbuf[i], i);
    }
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_produce(f->b, "big", recs, NULL, N, NULL, &err), &err);
    static char got[N * 12];
    assert_int_equal(read_values(f->b, "big", 0, got, sizeof got), N);
    assert_memory_equal(got, "value-0000,value-0001,", 22);
    assert_non_null(strstr(got, "value-0198,value-0199"));
}

/* ---------------------------------------------------------------------------------------------
 * Allocation failures
 * ------------------------------------------------------------------------------------------- */

/* Each allocation of a create failing in turn: a clean error and nothing left behind, or a
 * complete topic. */
static void test_topic_create_allocation_failures(void **state)
{
    fixture *f = *state;
    int successes = 0;
    for (long n = 0; n < 200; n++) {
        eddy_err err;
        eddy_err_clear(&err);
        eddy_alloc_fail_after(n);
        int rc = broker_topic_create(f->b, "af", 3, NULL, &err);
        eddy_alloc_fail_after(-1);
        char path[1024];
        snprintf(path, sizeof path, "%s/topics/af", f->dir);
        if (rc == 0) {
            successes++;
            assert_int_equal(broker_topic_partitions(f->b, "af", NULL), 3);
            EXPECT_OK(broker_topic_delete(f->b, "af", &err), &err);
        } else {
            assert_int_equal(rc, EDDY_ENOMEM);
            assert_int_equal(err.code, EDDY_ENOMEM);
            assert_int_equal(broker_topic_partitions(f->b, "af", NULL), EDDY_ENOTFOUND);
        }
        assert_int_not_equal(access(path, F_OK), 0);
    }
    assert_true(successes > 0);
}

/* Each allocation of an open failing in turn: a clean error that releases the directory
 * lock, and the data is intact for the next open. */
static void test_open_allocation_failures(void **state)
{
    fixture *f = *state;
    create(f, "kept", 2, NULL);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_group_commit(f->b, "g", "kept", 1, 77, NULL, &err), &err);
    broker_close(f->b);
    f->b = NULL;
    int successes = 0;
    for (long n = 0; n < 300; n++) {
        broker *b2 = NULL;
        eddy_err_clear(&err);
        eddy_alloc_fail_after(n);
        int rc = broker_open(f->dir, NULL, &b2, &err);
        eddy_alloc_fail_after(-1);
        if (rc == 0) {
            successes++;
            broker_close(b2);
        } else {
            assert_int_equal(rc, EDDY_ENOMEM);
            assert_null(b2);
        }
    }
    assert_true(successes > 0);
    fx_open(f);
    assert_int_equal(broker_topic_partitions(f->b, "kept", NULL), 2);
    int64_t off;
    EXPECT_OK(broker_group_fetch(f->b, "g", "kept", 1, &off, &err), &err);
    assert_int_equal(off, 77);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topic_name_rules),
        T(test_topic_create_name_limits),
        T(test_topic_create_and_list),
        T(test_topic_create_errors),
        T(test_topic_describe_offsets_and_sizes),
        T(test_topic_delete),
        T(test_topic_delete_internal_offsets_refused),
        T(test_reopen_keeps_topics_and_config),
        T(test_second_open_fails_while_first_is_open),
        T(test_clean_shutdown_marker),
        T(test_open_removes_leftovers),
        T(test_open_rejects_corrupt_topic_json),
        T(test_log_get),
        T(test_partitioner_matches_kafka),
        T(test_keyless_records_round_robin),
        T(test_produce_explicit_partitions_and_errors),
        T(test_produce_splits_large_groups),
        T(test_topic_create_allocation_failures),
        T(test_open_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
