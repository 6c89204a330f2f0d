/* Unit tests: COLLECT_LIST, COLLECT_SET, HISTOGRAM, ATTR, COUNT_DISTINCT, TOPK, TOPKDISTINCT
 * (functions/agg_collect.c), against ksqlDB's UDAF semantics and query-validation results. */
#include "aggt.h"

static void test_collect_list_keeps_order_and_nulls(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("COLLECT_LIST", 1, T1("STRING"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "ARRAY<STRING>");
    const aggt_step steps[] = {
        {'+', "\"baz\"", .want = "[\"baz\"]"},
        {'+', "\"baz\"", .want = "[\"baz\",\"baz\"]"},
        {'+', "\"foo\"", .want = "[\"baz\",\"baz\",\"foo\"]"},
        {'+', NULL, .want = "[\"baz\",\"baz\",\"foo\",null]"},
    };
    eddy_value st = AGGT_RUN(c, steps);
    (void)st;
    eddy_value empty = aggt_init(c);
    assert_string_equal(aggt_result(c, &empty), "[]");
}

static void test_collect_list_undo_removes_last_equal(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("COLLECT_LIST", 1, T1("DOUBLE"), NULL);
    assert_true(fn_aggregate_supports_undo(c->fn));
    const aggt_step steps[] = {
        {'+', "5.4", .want = "[5.4]"},
        {'-', "5.4", .want = "[]"},
        {'+', "100.1", .want = "[100.1]"},
        {'+', "1.0", .want = "[100.1,1.0]"},
        {'+', "100.1", .want = "[100.1,1.0,100.1]"},
        {'-', "100.1", .want = "[100.1,1.0]"},
        {'-', "7.0", .want = "[100.1,1.0]"},
        {'+', NULL, .want = "[100.1,1.0,null]"},
        {'-', NULL, .want = "[100.1,1.0]"},
    };
    AGGT_RUN(c, steps);
}

static void test_collect_list_limit_and_merge(void **state)
{
    (void)state;
    aggt_config.collect_list_limit = 3;
    fn_agg_call *c = aggt_call("COLLECT_LIST", 1, T1("INTEGER"), NULL);
    assert_int_equal(c->limit, 3);
    const aggt_step a_steps[] = {{'+', "1", .want = "[1]"}, {'+', "2", .want = "[1,2]"}};
    const aggt_step b_steps[] = {
        {'+', "3", .want = "[3]"}, {'+', "4", .want = "[3,4]"}, {'+', "5", .want = "[3,4,5]"},
        {'+', "6", .want = "[3,4,5]"},
    };
    eddy_value a = AGGT_RUN(c, a_steps);
    eddy_value b = AGGT_RUN(c, b_steps);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "[1,2,3]");
    assert_string_equal(aggt_merge(c, &b, &a, NULL), "[3,4,5]");
    aggt_config.collect_list_limit = 1;
    c = aggt_call("COLLECT_LIST", 1, T1("INTEGER"), NULL);
    const aggt_step one[] = {{'+', "10", .want = "[10]"}, {'+', "20", .want = "[10]"}};
    AGGT_RUN(c, one);
    /* The limit of COLLECT_SET is its own setting. */
    c = aggt_call("COLLECT_SET", 1, T1("INTEGER"), NULL);
    assert_int_equal(c->limit, INT32_MAX);
}

static void test_collect_list_of_composites(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("COLLECT_LIST", 1, T1("STRUCT<A STRING, B BIGINT>"), NULL);
    const aggt_step steps[] = {
        {'+', "{\"A\": \"x\", \"B\": 1}", .want = "[{\"A\":\"x\",\"B\":1}]"},
        {'+', "{\"A\": null, \"B\": 2}", .want = "[{\"A\":\"x\",\"B\":1},{\"A\":null,\"B\":2}]"},
    };
    AGGT_RUN(c, steps);
    c = aggt_call("COLLECT_LIST", 1, T1("MAP<STRING, BIGINT>"), NULL);
    const aggt_step maps[] = {
        {'+', "{\"k\": 1}", .want = "[{\"k\":1}]"},
        {'+', "{}", .want = "[{\"k\":1},{}]"},
    };
    AGGT_RUN(c, maps);
    c = aggt_call("COLLECT_LIST", 1, T1("DECIMAL(4, 1)"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "ARRAY<DECIMAL(4, 1)>");
    const aggt_step decs[] = {
        {'+', "1.5", .want = "[1.5]"}, {'+', "-10.0", .want = "[1.5,-10.0]"},
    };
    AGGT_RUN(c, decs);
}

static void test_collect_set_distinct_in_insertion_order(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("COLLECT_SET", 1, T1("BOOLEAN"), NULL);
    assert_false(fn_aggregate_supports_undo(c->fn));
    const aggt_step steps[] = {
        {'+', "true", .want = "[true]"},
        {'+', "false", .want = "[true,false]"},
        {'+', "true", .want = "[true,false]"},
        {'+', NULL, .want = "[true,false,null]"},
        {'+', NULL, .want = "[true,false,null]"},
    };
    AGGT_RUN(c, steps);
    c = aggt_call("COLLECT_SET", 1, T1("ARRAY<INTEGER>"), NULL);
    const aggt_step arrays[] = {
        {'+', "[1, 2]", .want = "[[1,2]]"},
        {'+', "[2, 1]", .want = "[[1,2],[2,1]]"},
        {'+', "[1, 2]", .want = "[[1,2],[2,1]]"},
    };
    AGGT_RUN(c, arrays);
}

static void test_collect_set_limit_and_merge(void **state)
{
    (void)state;
    aggt_config.collect_set_limit = 3;
    fn_agg_call *c = aggt_call("COLLECT_SET", 1, T1("STRING"), NULL);
    const aggt_step a_steps[] = {
        {'+', "\"a\"", .want = "[\"a\"]"}, {'+', "\"b\"", .want = "[\"a\",\"b\"]"},
    };
    const aggt_step b_steps[] = {
        {'+', "\"b\"", .want = "[\"b\"]"}, {'+', "\"c\"", .want = "[\"b\",\"c\"]"},
        {'+', "\"d\"", .want = "[\"b\",\"c\",\"d\"]"},
        {'+', "\"e\"", .want = "[\"b\",\"c\",\"d\"]"},
    };
    eddy_value a = AGGT_RUN(c, a_steps);
    eddy_value b = AGGT_RUN(c, b_steps);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "[\"a\",\"b\",\"c\"]");
    /* Merging leaves its inputs alone. */
    assert_string_equal(aggt_result(c, &a), "[\"a\",\"b\"]");
}

static void test_histogram_counts_and_undoes(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("HISTOGRAM", 1, T1("STRING"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "MAP<STRING, BIGINT>");
    const aggt_step steps[] = {
        {'+', "\"baz\"", .want = "{\"baz\":1}"},
        {'+', "\"baz\"", .want = "{\"baz\":2}"},
        {'+', "\"foo\"", .want = "{\"baz\":2,\"foo\":1}"},
        {'-', "\"baz\"", .want = "{\"baz\":1,\"foo\":1}"},
        {'-', "\"baz\"", .want = "{\"foo\":1}"},
        {'-', "\"bar\"", .want = "{\"foo\":1}"},
    };
    eddy_value a = AGGT_RUN(c, steps);
    const aggt_step more[] = {
        {'+', "\"foo\"", .want = "{\"foo\":1}"}, {'+', "\"x\"", .want = "{\"foo\":1,\"x\":1}"},
    };
    eddy_value b = AGGT_RUN(c, more);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "{\"foo\":2,\"x\":1}");
    assert_string_equal(aggt_result(c, &a), "{\"foo\":1}");
}

static void test_histogram_keeps_at_most_1000_keys(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("HISTOGRAM", 1, T1("STRING"), NULL);
    eddy_value st = aggt_init(c);
    eddy_err err;
    eddy_err_clear(&err);
    for (int i = 0; i < 1001; i++) {
        char buf[16];
        int n = snprintf(buf, sizeof buf, "k%d", i);
        eddy_value v = eddy_value_string(buf, (size_t)n);
        fn_agg_ctx ctx = aggt_ctx();
        EXPECT_OK(fn_agg_add(c, &ctx, &st, &v, &err), &err);
    }
    assert_int_equal(st.n, 1000);
    /* A known key still counts. */
    eddy_value k0 = eddy_value_string("k0", 2);
    fn_agg_ctx ctx = aggt_ctx();
    EXPECT_OK(fn_agg_add(c, &ctx, &st, &k0, &err), &err);
    assert_int_equal(st.n, 1000);
    assert_int_equal(st.u.items[1].u.i64, 2);
    st = aggt_store(c, &st);
    assert_int_equal(st.n, 1000);
}

static void test_attr_single_value_or_null(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("ATTR", 1, T1("STRING"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "STRING");
    assert_string_equal(aggt_type_str(c->state_type),
                        "ARRAY<STRUCT<`VALUE` STRING, `COUNT` INTEGER>>");
    const aggt_step differ[] = {
        {'+', "\"1\"", .want = "\"1\""}, {'+', "\"2\"", .want = "null"},
        {'+', "\"3\"", .want = "null"},
    };
    AGGT_RUN(c, differ);
    const aggt_step nulls[] = {
        {'+', "\"1\"", .want = "\"1\""}, {'+', NULL, .want = "null"},
        {'+', "\"1\"", .want = "null"},
    };
    AGGT_RUN(c, nulls);
    const aggt_step all_null[] = {{'+', NULL, .want = "null"}, {'+', NULL, .want = "null"}};
    AGGT_RUN(c, all_null);
}

static void test_attr_table_with_tombstones(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("ATTR", 1, T1("STRING"), NULL);
    const aggt_step steps[] = {
        {'+', "\"1\"", .want = "\"1\""}, {'+', "\"1\"", .want = "\"1\""},
        {'-', "\"1\"", .want = "\"1\""}, {'-', "\"1\"", .want = "null"},
        {'+', "\"2\"", .want = "\"2\""}, {'+', "\"3\"", .want = "null"},
        {'-', "\"3\"", .want = "\"2\""}, {'-', "\"9\"", .want = "\"2\""},
    };
    eddy_value a = AGGT_RUN(c, steps);
    const aggt_step two[] = {{'+', "\"2\"", .want = "\"2\""}};
    const aggt_step three[] = {{'+', "\"3\"", .want = "\"3\""}};
    eddy_value b = AGGT_RUN(c, two);
    eddy_value d = AGGT_RUN(c, three);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "\"2\"");
    assert_string_equal(aggt_merge(c, &a, &d, NULL), "null");
    assert_string_equal(aggt_result(c, &a), "\"2\"");
}

static void test_attr_of_composites(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("ATTR", 1, T1("STRUCT<A STRING, B INT>"), NULL);
    const aggt_step steps[] = {
        {'+', "{\"A\": \"a\", \"B\": 1}", .want = "{\"A\":\"a\",\"B\":1}"},
        {'+', "{\"A\": \"a\", \"B\": 1}", .want = "{\"A\":\"a\",\"B\":1}"},
        {'+', "{\"A\": \"a\", \"B\": 2}", .want = "null"},
    };
    AGGT_RUN(c, steps);
    c = aggt_call("ATTR", 1, T1("ARRAY<INT>"), NULL);
    const aggt_step arrays[] = {
        {'+', "[1, 2, 3]", .want = "[1,2,3]"}, {'+', "[1, 2, 3]", .want = "[1,2,3]"},
    };
    AGGT_RUN(c, arrays);
}

static void test_count_distinct_counts_distinct_non_nulls(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("COUNT_DISTINCT", 1, T1("STRING"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "BIGINT");
    assert_false(fn_aggregate_supports_undo(c->fn));
    const aggt_step steps[] = {
        {'+', "\"one\"", .want = "1"}, {'+', "\"two\"", .want = "2"},
        {'+', "\"one\"", .want = "2"}, {'+', "\"two\"", .want = "2"},
        {'+', NULL, .want = "2"},
    };
    eddy_value a = AGGT_RUN(c, steps);
    const aggt_step other[] = {
        {'+', "\"two\"", .want = "1"}, {'+', "\"three\"", .want = "2"},
    };
    eddy_value b = AGGT_RUN(c, other);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "3");
    eddy_value empty = aggt_init(c);
    assert_string_equal(aggt_merge(c, &empty, &b, NULL), "2");
    /* Values of other types; maps equal regardless of entry order count once. */
    c = aggt_call("COUNT_DISTINCT", 1, T1("MAP<STRING, INT>"), NULL);
    const aggt_step maps[] = {
        {'+', "{\"a\": 1, \"b\": 2}", .want = "1"},
        {'+', "{\"b\": 2, \"a\": 1}", .want = "1"},
        {'+', "{\"a\": 1}", .want = "2"},
    };
    AGGT_RUN(c, maps);
    /* Many distinct values stay exact. */
    c = aggt_call("COUNT_DISTINCT", 1, T1("BIGINT"), NULL);
    eddy_value st = aggt_init(c);
    eddy_err err;
    eddy_err_clear(&err);
    for (int round = 0; round < 2; round++)
        for (int64_t i = 0; i < 5000; i++) {
            eddy_value v = eddy_value_bigint(i * 7919);
            fn_agg_ctx ctx = aggt_ctx();
            EXPECT_OK(fn_agg_add(c, &ctx, &st, &v, &err), &err);
        }
    st = aggt_store(c, &st);
    assert_string_equal(aggt_result(c, &st), "5000");
}

static void test_topk_descending_with_ties(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("TOPK", 2, T2("STRING", "INTEGER"), T2(NULL, "3"));
    assert_int_equal(c->ncols, 1);
    assert_int_equal(c->n, 3);
    assert_string_equal(aggt_type_str(c->ret), "ARRAY<STRING>");
    assert_false(fn_aggregate_supports_undo(c->fn));
    const aggt_step steps[] = {
        {'+', "\"a\"", .want = "[\"a\"]"},
        {'+', "\"b\"", .want = "[\"b\",\"a\"]"},
        {'+', "\"c\"", .want = "[\"c\",\"b\",\"a\"]"},
        {'+', "\"b\"", .want = "[\"c\",\"b\",\"b\"]"},
        {'+', "\"d\"", .want = "[\"d\",\"c\",\"b\"]"},
        {'+', NULL, .want = "[\"d\",\"c\",\"b\"]"},
        {'+', "\"a\"", .want = "[\"d\",\"c\",\"b\"]"},
    };
    AGGT_RUN(c, steps);
}

static void test_topk_with_other_columns(void **state)
{
    (void)state;
    fn_agg_call *c =
        aggt_call("TOPK", 3, T3("INTEGER", "STRING", "INTEGER"), T3(NULL, NULL, "3"));
    assert_int_equal(c->ncols, 2);
    assert_string_equal(aggt_type_str(c->ret),
                        "ARRAY<STRUCT<`sort_col` INTEGER, `col0` STRING>>");
    const aggt_step steps[] = {
        {'+', "0", "\"zero\"", .want = "[{\"sort_col\":0,\"col0\":\"zero\"}]"},
        {'+', "100", "\"one\"",
         .want = "[{\"sort_col\":100,\"col0\":\"one\"},{\"sort_col\":0,\"col0\":\"zero\"}]"},
        {'+', "99", "\"two\"",
         .want = "[{\"sort_col\":100,\"col0\":\"one\"},{\"sort_col\":99,\"col0\":\"two\"},"
                 "{\"sort_col\":0,\"col0\":\"zero\"}]"},
        {'+', NULL, "\"three\"",
         .want = "[{\"sort_col\":100,\"col0\":\"one\"},{\"sort_col\":99,\"col0\":\"two\"},"
                 "{\"sort_col\":0,\"col0\":\"zero\"}]"},
        /* A tie goes after the earlier equal value. */
        {'+', "100", NULL,
         .want = "[{\"sort_col\":100,\"col0\":\"one\"},{\"sort_col\":100,\"col0\":null},"
                 "{\"sort_col\":99,\"col0\":\"two\"}]"},
    };
    AGGT_RUN(c, steps);
    /* More columns: col0, col1. DECIMAL sorts as DOUBLE (implicit cast). */
    c = aggt_call("TOPK", 4, (const char *const[]){"DECIMAL(4, 1)", "BIGINT", "STRING", "INT"},
                  (const char *const[]){NULL, NULL, NULL, "2"});
    assert_string_equal(aggt_type_str(c->ret),
                        "ARRAY<STRUCT<`sort_col` DOUBLE, `col0` BIGINT, `col1` STRING>>");
    assert_non_null(c->casts[0]);
}

static void test_topk_merge(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("TOPK", 2, T2("BIGINT", "INTEGER"), T2(NULL, "3"));
    const aggt_step a_steps[] = {
        {'+', "5", .want = "[5]"}, {'+', "3", .want = "[5,3]"}, {'+', "1", .want = "[5,3,1]"},
    };
    const aggt_step b_steps[] = {{'+', "4", .want = "[4]"}, {'+', "3", .want = "[4,3]"}};
    eddy_value a = AGGT_RUN(c, a_steps);
    eddy_value b = AGGT_RUN(c, b_steps);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "[5,4,3]");
    eddy_value empty = aggt_init(c);
    assert_string_equal(aggt_merge(c, &empty, &b, NULL), "[4,3]");
    /* k must be a literal. */
    eddy_err err;
    fn_agg_call *bad;
    assert_int_equal(aggt_resolve("TOPK", 2, T2("BIGINT", "INTEGER"), NULL, &bad, &err),
                     EDDY_ETYPE);
    assert_string_equal(err.msg, "Parameter 2 passed to function TOPK must be a literal "
                                 "constant, but was expression: 'F0'");
}

static void test_topkdistinct(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("TOPKDISTINCT", 2, T2("INTEGER", "INTEGER"), T2(NULL, "3"));
    assert_string_equal(aggt_type_str(c->ret), "ARRAY<INTEGER>");
    const aggt_step steps[] = {
        {'+', "0", .want = "[0]"},         {'+', "100", .want = "[100,0]"},
        {'+', "99", .want = "[100,99,0]"}, {'+', "7", .want = "[100,99,7]"},
        {'+', "100", .want = "[100,99,7]"}, {'+', NULL, .want = "[100,99,7]"},
    };
    eddy_value a = AGGT_RUN(c, steps);
    const aggt_step b_steps[] = {{'+', "100", .want = "[100]"}, {'+', "50", .want = "[100,50]"}};
    eddy_value b = AGGT_RUN(c, b_steps);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "[100,99,50]");
    c = aggt_call("TOPKDISTINCT", 2, T2("STRING", "INTEGER"), T2(NULL, "3"));
    const aggt_step strs[] = {
        {'+', "\"a\"", .want = "[\"a\"]"},
        {'+', "\"b\"", .want = "[\"b\",\"a\"]"},
        {'+', "\"c\"", .want = "[\"c\",\"b\",\"a\"]"},
        {'+', "\"b\"", .want = "[\"c\",\"b\",\"a\"]"},
        {'+', "\"d\"", .want = "[\"d\",\"c\",\"b\"]"},
    };
    AGGT_RUN(c, strs);
    c = aggt_call("TOPKDISTINCT", 2, T2("DECIMAL(4, 1)", "INTEGER"), T2(NULL, "2"));
    assert_string_equal(aggt_type_str(c->ret), "ARRAY<DECIMAL(4, 1)>");
    const aggt_step decs[] = {
        {'+', "1.5", .want = "[1.5]"}, {'+', "10.0", .want = "[10.0,1.5]"},
        {'+', "2.0", .want = "[10.0,2.0]"},
    };
    AGGT_RUN(c, decs);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, aggt_setup, aggt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_collect_list_keeps_order_and_nulls),
        T(test_collect_list_undo_removes_last_equal),
        T(test_collect_list_limit_and_merge),
        T(test_collect_list_of_composites),
        T(test_collect_set_distinct_in_insertion_order),
        T(test_collect_set_limit_and_merge),
        T(test_histogram_counts_and_undoes),
        T(test_histogram_keeps_at_most_1000_keys),
        T(test_attr_single_value_or_null),
        T(test_attr_table_with_tombstones),
        T(test_attr_of_composites),
        T(test_count_distinct_counts_distinct_non_nulls),
        T(test_topk_descending_with_ties),
        T(test_topk_with_other_columns),
        T(test_topk_merge),
        T(test_topkdistinct),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
