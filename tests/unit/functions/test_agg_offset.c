/* Unit tests: LATEST_BY_OFFSET and EARLIEST_BY_OFFSET (functions/agg_offset.c): single and n
 * forms, ignoreNulls, session-window merges as ksqlDB's query-validation tests show them. */
#include "aggt.h"

static void test_latest_single_ignores_nulls_by_default(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("LATEST_BY_OFFSET", 1, T1("INTEGER"), NULL);
    assert_int_equal(c->n, 0);
    assert_true(c->ignore_nulls);
    assert_string_equal(aggt_type_str(c->ret), "INTEGER");
    assert_string_equal(aggt_type_str(c->state_type), "STRUCT<`SEQ` BIGINT, `VAL` INTEGER>");
    assert_false(fn_aggregate_supports_undo(c->fn));
    const aggt_step steps[] = {
        {'+', NULL, .want = "null"}, {'+', "1", .want = "1"}, {'+', NULL, .want = "1"},
        {'+', "2", .want = "2"},
    };
    AGGT_RUN(c, steps);
    c = aggt_call("LATEST_BY_OFFSET", 2, T2("INTEGER", "BOOLEAN"), T2(NULL, "false"));
    assert_false(c->ignore_nulls);
    const aggt_step keep[] = {
        {'+', "1", .want = "1"}, {'+', NULL, .want = "null"}, {'+', "2", .want = "2"},
    };
    AGGT_RUN(c, keep);
}

static void test_latest_n_keeps_the_last_n_oldest_first(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("LATEST_BY_OFFSET", 2, T2("STRING", "INTEGER"), T2(NULL, "2"));
    assert_int_equal(c->n, 2);
    assert_string_equal(aggt_type_str(c->ret), "ARRAY<STRING>");
    assert_string_equal(aggt_type_str(c->state_type),
                        "ARRAY<STRUCT<`SEQ` BIGINT, `VAL` STRING>>");
    const aggt_step steps[] = {
        {'+', "\"a\"", .want = "[\"a\"]"},       {'+', NULL, .want = "[\"a\"]"},
        {'+', "\"b\"", .want = "[\"a\",\"b\"]"}, {'+', "\"c\"", .want = "[\"b\",\"c\"]"},
    };
    AGGT_RUN(c, steps);
    c = aggt_call("LATEST_BY_OFFSET", 3, T3("INTEGER", "INTEGER", "BOOLEAN"),
                  T3(NULL, "2", "false"));
    const aggt_step keep[] = {
        {'+', "1", .want = "[1]"}, {'+', NULL, .want = "[1,null]"},
        {'+', "2", .want = "[null,2]"},
    };
    AGGT_RUN(c, keep);
    eddy_value empty = aggt_init(c);
    assert_string_equal(aggt_result(c, &empty), "[]");
}

static void test_latest_merges_sessions(void **state)
{
    (void)state;
    /* Session windows: a session with 1, one with NULL, then 2 joins both (a new session's
     * state merged with each existing one, then the row added). */
    fn_agg_call *c = aggt_call("LATEST_BY_OFFSET", 3, T3("INTEGER", "INTEGER", "BOOLEAN"),
                               T3(NULL, "2", "false"));
    const aggt_step s1[] = {{'+', "1", .want = "[1]"}};
    const aggt_step s2[] = {{'+', NULL, .want = "[null]"}};
    eddy_value a = AGGT_RUN(c, s1);
    eddy_value b = AGGT_RUN(c, s2);
    eddy_value cur = aggt_init(c);
    assert_string_equal(aggt_merge(c, &cur, &a, &cur), "[1]");
    assert_string_equal(aggt_merge(c, &cur, &b, &cur), "[1,null]");
    const aggt_step add2[] = {{'+', "2", .want = "[null,2]"}};
    aggt_run_from(c, &cur, add2, 1);
    /* ksqlDB keeps the first n by sequence when merging n-lists. */
    const aggt_step s3[] = {
        {'+', "7", .want = "[7]"}, {'+', "8", .want = "[7,8]"}, {'+', "9", .want = "[8,9]"},
    };
    eddy_value d = AGGT_RUN(c, s3);
    assert_string_equal(aggt_merge(c, &d, &a, NULL), "[1,8]");

    /* Single form: the later one wins; with ignoreNulls a NULL value loses. */
    c = aggt_call("LATEST_BY_OFFSET", 1, T1("INTEGER"), NULL);
    const aggt_step one[] = {{'+', "1", .want = "1"}};
    const aggt_step later[] = {{'+', "5", .want = "5"}};
    a = AGGT_RUN(c, one);
    b = AGGT_RUN(c, later);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "5");
    assert_string_equal(aggt_merge(c, &b, &a, NULL), "5");
    eddy_value fresh = aggt_init(c);   /* newest sequence, NULL value */
    assert_string_equal(aggt_merge(c, &fresh, &a, NULL), "1");
    c = aggt_call("LATEST_BY_OFFSET", 2, T2("INTEGER", "BOOLEAN"), T2(NULL, "false"));
    a = AGGT_RUN(c, one);
    const aggt_step null_later[] = {{'+', NULL, .want = "null"}};
    b = AGGT_RUN(c, null_later);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "null");
}

static void test_earliest_single(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("EARLIEST_BY_OFFSET", 1, T1("INTEGER"), NULL);
    const aggt_step steps[] = {
        {'+', NULL, .want = "null"}, {'+', "1", .want = "1"}, {'+', "2", .want = "1"},
        {'+', NULL, .want = "1"},
    };
    eddy_value a = AGGT_RUN(c, steps);
    c = aggt_call("EARLIEST_BY_OFFSET", 2, T2("INTEGER", "BOOLEAN"), T2(NULL, "false"));
    const aggt_step keep[] = {{'+', NULL, .want = "null"}, {'+', "1", .want = "null"}};
    AGGT_RUN(c, keep);
    const aggt_step later[] = {{'+', "3", .want = "3"}};
    eddy_value b = AGGT_RUN(c, later);
    eddy_value empty = aggt_init(c);
    assert_string_equal(aggt_merge(c, &empty, &b, NULL), "3");
    assert_string_equal(aggt_merge(c, &b, &empty, NULL), "3");
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "1");
    assert_string_equal(aggt_merge(c, &b, &a, NULL), "1");
    /* DECIMAL keeps its type. */
    c = aggt_call("EARLIEST_BY_OFFSET", 2, T2("DECIMAL(3, 2)", "BOOLEAN"), T2(NULL, "true"));
    assert_string_equal(aggt_type_str(c->ret), "DECIMAL(3, 2)");
    const aggt_step decs[] = {{'+', "1.25", .want = "1.25"}, {'+', "2.50", .want = "1.25"}};
    AGGT_RUN(c, decs);
}

static void test_earliest_n(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("EARLIEST_BY_OFFSET", 2, T2("BIGINT", "INTEGER"), T2(NULL, "2"));
    const aggt_step steps[] = {
        {'+', NULL, .want = "[]"}, {'+', "1", .want = "[1]"}, {'+', "2", .want = "[1,2]"},
        {'+', "3", .want = "[1,2]"},
    };
    AGGT_RUN(c, steps);
    c = aggt_call("EARLIEST_BY_OFFSET", 3, T3("BIGINT", "INTEGER", "BOOLEAN"),
                  T3(NULL, "2", "false"));
    const aggt_step keep[] = {
        {'+', NULL, .want = "[null]"}, {'+', "1", .want = "[null,1]"},
        {'+', "2", .want = "[null,1]"},
    };
    AGGT_RUN(c, keep);
    /* Sessions: NULL (ignored), then 1, then a NULL joining both. */
    c = aggt_call("EARLIEST_BY_OFFSET", 3, T3("INTEGER", "INTEGER", "BOOLEAN"),
                  T3(NULL, "2", "true"));
    const aggt_step s1[] = {{'+', NULL, .want = "[]"}};
    const aggt_step s2[] = {{'+', "1", .want = "[1]"}};
    eddy_value a = AGGT_RUN(c, s1);
    eddy_value b = AGGT_RUN(c, s2);
    eddy_value cur = aggt_init(c);
    aggt_merge(c, &cur, &a, &cur);
    assert_string_equal(aggt_merge(c, &cur, &b, &cur), "[1]");
    const aggt_step add_null[] = {{'+', NULL, .want = "[1]"}};
    aggt_run_from(c, &cur, add_null, 1);
}

static void test_offset_literal_checks(void **state)
{
    (void)state;
    eddy_err err;
    fn_agg_call *c;
    assert_int_equal(aggt_resolve("EARLIEST_BY_OFFSET", 2, T2("INTEGER", "INTEGER"), NULL, &c,
                                  &err),
                     EDDY_ETYPE);
    assert_string_equal(err.msg, "Parameter 2 passed to function EARLIEST_BY_OFFSET must be a "
                                 "literal constant, but was expression: 'F0'");
    assert_int_equal(aggt_resolve("LATEST_BY_OFFSET", 2, T2("INTEGER", "INTEGER"),
                                  T2(NULL, "0"), &c, &err),
                     EDDY_EINVAL);
    assert_string_equal(err.msg, "latestN must be 1 or greater");
    assert_int_equal(aggt_resolve("EARLIEST_BY_OFFSET", 3, T3("INTEGER", "INTEGER", "BOOLEAN"),
                                  T3(NULL, "-1", "true"), &c, &err),
                     EDDY_EINVAL);
    assert_string_equal(err.msg, "earliestN must be 1 or greater");
    /* The ignoreNulls parameter must be BOOLEAN. */
    assert_int_equal(aggt_resolve("LATEST_BY_OFFSET", 2, T2("INTEGER", "STRING"),
                                  T2(NULL, "\"x\""), &c, &err),
                     EDDY_ETYPE);
}

static void test_offset_sequence_overflow_order(void **state)
{
    (void)state;
    /* A negative sequence (an overflowed counter) is later than a non-negative one. */
    fn_agg_call *c = aggt_call("LATEST_BY_OFFSET", 1, T1("INTEGER"), NULL);
    eddy_value st_a, st_b, v1 = eddy_value_int(1), v2 = eddy_value_int(2);
    eddy_err err;
    eddy_err_clear(&err);
    fn_agg_ctx ctx = {.arena = &aggt_batch, .seq = INT64_MAX};
    EXPECT_OK(fn_agg_init(c, &ctx, &st_a, &err), &err);
    EXPECT_OK(fn_agg_add(c, &ctx, &st_a, &v1, &err), &err);
    ctx.seq = INT64_MIN;
    EXPECT_OK(fn_agg_init(c, &ctx, &st_b, &err), &err);
    EXPECT_OK(fn_agg_add(c, &ctx, &st_b, &v2, &err), &err);
    assert_string_equal(aggt_merge(c, &st_a, &st_b, NULL), "2");
    assert_string_equal(aggt_merge(c, &st_b, &st_a, NULL), "2");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, aggt_setup, aggt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_latest_single_ignores_nulls_by_default),
        T(test_latest_n_keeps_the_last_n_oldest_first),
        T(test_latest_merges_sessions),
        T(test_earliest_single),
        T(test_earliest_n),
        T(test_offset_literal_checks),
        T(test_offset_sequence_overflow_order),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
