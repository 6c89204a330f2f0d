/* Unit tests: topic config defaults, parsing, validation, text form and topic.json. */
#include "testutil.h"

#include "../../../broker/broker_int.h"

#include <limits.h>

/* Field by field (the struct has padding). */
static void assert_config_equal(const broker_topic_config *a, const broker_topic_config *b)
{
    assert_int_equal(a->retention_ms, b->retention_ms);
    assert_int_equal(a->retention_bytes, b->retention_bytes);
    assert_int_equal(a->segment_bytes, b->segment_bytes);
    assert_int_equal(a->segment_ms, b->segment_ms);
    assert_int_equal(a->cleanup_policy, b->cleanup_policy);
    assert_int_equal(a->delete_retention_ms, b->delete_retention_ms);
    assert_true(a->flush_messages == b->flush_messages);
    assert_true(a->flush_ms == b->flush_ms);
    assert_int_equal(a->max_message_bytes, b->max_message_bytes);
    assert_int_equal(a->min_compaction_lag_ms, b->min_compaction_lag_ms);
}

static void test_config_defaults_are_kafkas(void **state)
{
    (void)state;
    broker_topic_config c;
    memset(&c, 0x5a, sizeof c);
    broker_topic_config_default(&c);
    assert_int_equal(c.retention_ms, 604800000);
    assert_int_equal(c.retention_bytes, -1);
    assert_int_equal(c.segment_bytes, 1073741824);
    assert_int_equal(c.segment_ms, 604800000);
    assert_int_equal(c.cleanup_policy, BROKER_CLEANUP_DELETE);
    assert_int_equal(c.delete_retention_ms, 86400000);
    assert_true(c.flush_messages == INT64_MAX);
    assert_true(c.flush_ms == INT64_MAX);
    assert_int_equal(c.max_message_bytes, 1048588);
    assert_int_equal(c.min_compaction_lag_ms, 0);
}

/* Every key with a legal value lands in its field. */
static void test_config_set_each_key(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value;
        size_t field;
        int64_t want;
    } cases[] = {
        {"retention.ms", "86400000", offsetof(broker_topic_config, retention_ms), 86400000},
        {"retention.ms", "-1", offsetof(broker_topic_config, retention_ms), -1},
        {"retention.bytes", "1048576", offsetof(broker_topic_config, retention_bytes), 1048576},
        {"retention.bytes", "-1", offsetof(broker_topic_config, retention_bytes), -1},
        {"segment.bytes", "14", offsetof(broker_topic_config, segment_bytes), 14},
        {"segment.bytes", "2147483647", offsetof(broker_topic_config, segment_bytes),
         2147483647},
        {"segment.ms", "1", offsetof(broker_topic_config, segment_ms), 1},
        {"delete.retention.ms", "0", offsetof(broker_topic_config, delete_retention_ms), 0},
        {"flush.messages", "1", offsetof(broker_topic_config, flush_messages), 1},
        {"flush.ms", "0", offsetof(broker_topic_config, flush_ms), 0},
        {"flush.ms", "9223372036854775807", offsetof(broker_topic_config, flush_ms), INT64_MAX},
        {"max.message.bytes", "2000", offsetof(broker_topic_config, max_message_bytes), 2000},
        {"min.compaction.lag.ms", "5000", offsetof(broker_topic_config, min_compaction_lag_ms),
         5000},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        broker_topic_config c;
        broker_topic_config_default(&c);
        eddy_err err;
        eddy_err_clear(&err);
        EXPECT_OK(broker_topic_config_set(&c, cases[i].key, cases[i].value, &err), &err);
        int64_t got;
        memcpy(&got, (char *)&c + cases[i].field, sizeof got);
        if (got != cases[i].want)
            fail_msg("%s=%s gave %lld", cases[i].key, cases[i].value, (long long)got);
    }
}

static void test_config_cleanup_policy_forms(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        int want;
    } cases[] = {
        {"delete", BROKER_CLEANUP_DELETE},
        {"compact", BROKER_CLEANUP_COMPACT},
        {"compact,delete", BROKER_CLEANUP_COMPACT | BROKER_CLEANUP_DELETE},
        {"delete,compact", BROKER_CLEANUP_COMPACT | BROKER_CLEANUP_DELETE},
        {"delete, compact", BROKER_CLEANUP_COMPACT | BROKER_CLEANUP_DELETE},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        broker_topic_config c;
        broker_topic_config_default(&c);
        c.cleanup_policy = 0;
        eddy_err err;
        eddy_err_clear(&err);
        EXPECT_OK(broker_topic_config_set(&c, "cleanup.policy", cases[i].value, &err), &err);
        assert_int_equal(c.cleanup_policy, cases[i].want);
    }
}

/* Bad values are EDDY_EINVAL, name key and value, and change nothing. */
static void test_config_rejects_bad_values(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value;
    } cases[] = {
        {"retention.ms", "-2"},
        {"retention.ms", "abc"},
        {"retention.ms", "12abc"},
        {"retention.ms", ""},
        {"retention.ms", " 5"},
        {"retention.ms", "5 "},
        {"retention.ms", "+5"},
        {"retention.ms", "1.5"},
        {"retention.ms", "99999999999999999999"},
        {"retention.bytes", "-2"},
        {"segment.bytes", "13"},
        {"segment.bytes", "2147483648"},
        {"segment.ms", "0"},
        {"delete.retention.ms", "-1"},
        {"flush.messages", "0"},
        {"flush.ms", "-1"},
        {"max.message.bytes", "-1"},
        {"max.message.bytes", "2147483648"},
        {"min.compaction.lag.ms", "-1"},
        {"cleanup.policy", "remove"},
        {"cleanup.policy", ""},
        {"cleanup.policy", "delete,delete"},
        {"cleanup.policy", "compact,"},
        {"cleanup.policy", "compactdelete"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        broker_topic_config c, before;
        broker_topic_config_default(&c);
        before = c;
        eddy_err err;
        eddy_err_clear(&err);
        int rc = broker_topic_config_set(&c, cases[i].key, cases[i].value, &err);
        if (rc != EDDY_EINVAL)
            fail_msg("%s='%s' returned %d", cases[i].key, cases[i].value, rc);
        assert_int_equal(err.code, EDDY_EINVAL);
        assert_non_null(strstr(err.msg, cases[i].key));
        if (*cases[i].value)
            assert_non_null(strstr(err.msg, cases[i].value));
        assert_config_equal(&c, &before);
    }
}

static void test_config_rejects_unknown_key(void **state)
{
    (void)state;
    broker_topic_config c;
    broker_topic_config_default(&c);
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(broker_topic_config_set(&c, "retention.hours", "5", &err), EDDY_EINVAL);
    assert_non_null(strstr(err.msg, "retention.hours"));
    eddy_err_clear(&err);
    assert_int_equal(broker_topic_config_set(&c, "", "5", &err), EDDY_EINVAL);
}

static void test_config_format_defaults(void **state)
{
    (void)state;
    broker_topic_config c;
    broker_topic_config_default(&c);
    eddy_buf out;
    eddy_buf_init(&out);
    assert_int_equal(broker_topic_config_format(&c, &out), 0);
    assert_non_null(eddy_buf_cstr(&out));
    assert_string_equal((char *)out.data,
                        "cleanup.policy=delete\n"
                        "delete.retention.ms=86400000\n"
                        "flush.messages=9223372036854775807\n"
                        "flush.ms=9223372036854775807\n"
                        "max.message.bytes=1048588\n"
                        "min.compaction.lag.ms=0\n"
                        "retention.bytes=-1\n"
                        "retention.ms=604800000\n"
                        "segment.bytes=1073741824\n"
                        "segment.ms=604800000\n");
    eddy_buf_free(&out);
}

/* Every formatted line parses back to the same config. */
static void test_config_format_round_trips(void **state)
{
    (void)state;
    broker_topic_config c, d;
    broker_topic_config_default(&c);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_topic_config_set(&c, "cleanup.policy", "compact,delete", &err), &err);
    EXPECT_OK(broker_topic_config_set(&c, "retention.ms", "-1", &err), &err);
    EXPECT_OK(broker_topic_config_set(&c, "segment.bytes", "4096", &err), &err);
    EXPECT_OK(broker_topic_config_set(&c, "flush.messages", "10", &err), &err);
    eddy_buf out;
    eddy_buf_init(&out);
    assert_int_equal(broker_topic_config_format(&c, &out), 0);
    char *text = eddy_buf_cstr(&out);
    assert_non_null(strstr(text, "cleanup.policy=compact,delete\n"));
    broker_topic_config_default(&d);
    int lines = 0;
    for (char *line = text; *line; lines++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        char *eq = strchr(line, '=');
        assert_non_null(eq);
        *eq = '\0';
        EXPECT_OK(broker_topic_config_set(&d, line, eq + 1, &err), &err);
        line = nl + 1;
    }
    assert_int_equal(lines, 10);
    assert_config_equal(&c, &d);
    eddy_buf_free(&out);
}

static void test_topic_meta_round_trips(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    broker_topic_config c, d;
    broker_topic_config_default(&c);
    c.cleanup_policy = BROKER_CLEANUP_COMPACT;
    c.retention_bytes = 12345;
    c.min_compaction_lag_ms = 77;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker__topic_meta_write(dir, 7, &c, &err), &err);
    int parts = 0;
    memset(&d, 0, sizeof d);
    EXPECT_OK(broker__topic_meta_read(dir, &parts, &d, &err), &err);
    assert_int_equal(parts, 7);
    assert_config_equal(&c, &d);

    /* The file is the documented JSON. */
    char path[1024], *text;
    snprintf(path, sizeof path, "%s/topic.json", dir);
    EXPECT_OK(eddy_read_file(path, &text, NULL, &err), &err);
    assert_non_null(strstr(text, "\"partitions\": 7"));
    assert_non_null(strstr(text, "\"retention.bytes\": \"12345\""));
    assert_non_null(strstr(text, "\"cleanup.policy\": \"compact\""));
    eddy_free(text);
    test_rmdir(dir);
}

static void write_text(const char *dir, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/topic.json", dir);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(eddy_write_file_atomic(path, text, strlen(text), &err), &err);
}

/* Missing keys keep defaults; integer values are accepted; bad files are EDDY_ECORRUPT. */
static void test_topic_meta_read_errors(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    broker_topic_config c;
    int parts;
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(broker__topic_meta_read(dir, &parts, &c, &err), EDDY_ENOTFOUND);

    write_text(dir, "{\"partitions\": 2, \"config\": {\"retention.ms\": 5000}}");
    eddy_err_clear(&err);
    EXPECT_OK(broker__topic_meta_read(dir, &parts, &c, &err), &err);
    assert_int_equal(parts, 2);
    assert_int_equal(c.retention_ms, 5000);
    assert_int_equal(c.segment_bytes, 1073741824);

    static const char *const bad[] = {
        "not json",
        "{\"config\": {}}",
        "{\"partitions\": 0}",
        "{\"partitions\": \"2\"}",
        "{\"partitions\": 1, \"config\": {\"nope\": \"1\"}}",
        "{\"partitions\": 1, \"config\": {\"segment.bytes\": \"1\"}}",
        "{\"partitions\": 1, \"config\": {\"segment.bytes\": true}}",
        "{\"partitions\": 1, \"config\": []}",
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(bad); i++) {
        write_text(dir, bad[i]);
        eddy_err_clear(&err);
        int rc = broker__topic_meta_read(dir, &parts, &c, &err);
        if (rc != EDDY_ECORRUPT)
            fail_msg("'%s' returned %d", bad[i], rc);
        assert_non_null(strstr(err.msg, "topic.json"));
    }
    test_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults_are_kafkas),
        cmocka_unit_test(test_config_set_each_key),
        cmocka_unit_test(test_config_cleanup_policy_forms),
        cmocka_unit_test(test_config_rejects_bad_values),
        cmocka_unit_test(test_config_rejects_unknown_key),
        cmocka_unit_test(test_config_format_defaults),
        cmocka_unit_test(test_config_format_round_trips),
        cmocka_unit_test(test_topic_meta_round_trips),
        cmocka_unit_test(test_topic_meta_read_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
