/* Unit tests: COUNT, SUM, SUM_LIST, AVG, MIN, MAX, STDDEV_SAMP, STDDEV_SAMPLE, CORRELATION
 * (functions/agg_basic.c). Expected values follow ksqlDB's UDAFs and its query-validation
 * results: each step's result is what the aggregate emits after that row. */
#include "aggt.h"

static void test_count_skips_nulls_and_undoes(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("COUNT", 1, T1("STRING"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "BIGINT");
    assert_string_equal(aggt_type_str(c->state_type), "BIGINT");
    eddy_value empty = aggt_init(c);
    assert_string_equal(aggt_result(c, &empty), "0");
    const aggt_step steps[] = {
        {'+', "\"a\"", .want = "1"},  {'+', NULL, .want = "1"},  {'+', "\"b\"", .want = "2"},
        {'-', "\"a\"", .want = "1"},  {'-', NULL, .want = "1"},  {'-', "\"b\"", .want = "0"},
    };
    AGGT_RUN(c, steps);
}

static void test_count_star_counts_rows(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("count", 0, NULL, NULL);
    assert_int_equal(c->ncols, 0);
    const aggt_step steps[] = {
        {'+', .want = "1"}, {'+', .want = "2"}, {'-', .want = "1"}, {'+', .want = "2"},
    };
    eddy_value a = AGGT_RUN(c, steps);
    eddy_value b = AGGT_RUN(c, steps);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "4");
}

static void test_sum_int_wraps_like_java(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("SUM", 1, T1("INTEGER"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "INTEGER");
    const aggt_step steps[] = {
        {'+', "1", .want = "1"},
        {'+', NULL, .want = "1"},
        {'+', "2147483647", .want = "-2147483648"},
        {'-', "1", .want = "2147483647"},
        {'-', NULL, .want = "2147483647"},
        {'-', "2147483647", .want = "0"},
    };
    AGGT_RUN(c, steps);
}

static void test_sum_bigint_and_double(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("SUM", 1, T1("BIGINT"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "BIGINT");
    const aggt_step big[] = {
        {'+', "9223372036854775807", .want = "9223372036854775807"},
        {'+', "1", .want = "-9223372036854775808"},
        {'-', "9223372036854775807", .want = "1"},
    };
    AGGT_RUN(c, big);
    c = aggt_call("SUM", 1, T1("DOUBLE"), NULL);
    const aggt_step dbl[] = {
        {'+', "10.0", .want = "10.0"}, {'+', "10.0", .want = "20.0"},
        {'+', NULL, .want = "20.0"},   {'+', "-0.5", .want = "19.5"},
        {'-', "10.0", .want = "9.5"},
    };
    eddy_value a = AGGT_RUN(c, dbl);
    eddy_value b = AGGT_RUN(c, dbl);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "19.0");
}

static void test_sum_decimal_keeps_type_and_checks_overflow(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("SUM", 1, T1("DECIMAL(4, 1)"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "DECIMAL(4, 1)");
    const aggt_step steps[] = {
        {'+', "500.5", .want = "500.5"},
        {'+', "499.4", .want = "999.9"},
        {'-', "0.9", .want = "999.0"},
        {'+', NULL, .want = "999.0"},
    };
    eddy_value st = AGGT_RUN(c, steps);
    /* 999.0 + 1.0 needs four integer digits: an error, and the state is unchanged. */
    eddy_value one = aggt_val("1.0", c->arg_types[0]);
    fn_agg_ctx ctx = aggt_ctx();
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(fn_agg_add(c, &ctx, &st, &one, &err), EDDY_ERANGE);
    assert_string_equal(err.msg, "Numeric field overflow: A field with precision 4 and scale 1 "
                                 "must round to an absolute value less than 10^3.");
    assert_string_equal(aggt_result(c, &st), "999.0");
    /* Every DECIMAL type matches the DECIMAL overload exactly and keeps its type. */
    c = aggt_call("SUM", 1, T1("DECIMAL(2, 0)"), NULL);
    assert_string_equal(aggt_type_str(c->state_type), "DECIMAL(2, 0)");
    assert_null(c->casts[0]);
}

static void test_sum_list_sums_elements(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("SUM_LIST", 1, T1("ARRAY<INTEGER>"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "INTEGER");
    const aggt_step ints[] = {
        {'+', "[1, 1]", .want = "2"},          {'+', "[2, 2]", .want = "6"},
        {'+', "[100, 100]", .want = "206"},    {'+', "[100, 100, null]", .want = "406"},
        {'+', NULL, .want = "406"},            {'-', "[2, 2]", .want = "402"},
    };
    AGGT_RUN(c, ints);
    c = aggt_call("SUM_LIST", 1, T1("ARRAY<DOUBLE>"), NULL);
    const aggt_step dbls[] = {
        {'+', "[1.0, 1.0]", .want = "2.0"},
        {'+', "[2.0, 2.0]", .want = "6.0"},
        {'+', "[1.5, null]", .want = "7.5"},
    };
    AGGT_RUN(c, dbls);
    c = aggt_call("SUM_LIST", 1, T1("ARRAY<BIGINT>"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "BIGINT");
}

static void test_avg_of_long_int_double(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("AVG", 1, T1("BIGINT"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "DOUBLE");
    assert_string_equal(aggt_type_str(c->state_type), "STRUCT<`SUM` BIGINT, `COUNT` BIGINT>");
    const aggt_step longs[] = {
        {'+', "-1", .want = "-1.0"},
        /* 2^62, which Java's Double.toString prints with 17 digits */
        {'+', "9223372036854775807", .want = "4.6116860184273879E18"},
        {'+', "1", .want = "3.0744573456182584E18"},
        {'+', NULL, .want = "3.0744573456182584E18"},
    };
    AGGT_RUN(c, longs);
    c = aggt_call("AVG", 1, T1("DOUBLE"), NULL);
    const aggt_step dbls[] = {
        {'+', "2.3", .want = "2.3"},
        {'+', "-200000.6", .want = "-99999.15000000001"},
        {'+', "0.0", .want = "-66666.1"},
    };
    AGGT_RUN(c, dbls);
    /* An empty group averages to 0.0. */
    c = aggt_call("AVG", 1, T1("INTEGER"), NULL);
    eddy_value st = aggt_init(c);
    assert_string_equal(aggt_result(c, &st), "0.0");
}

static void test_avg_table_updates(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("AVG", 1, T1("INTEGER"), NULL);
    /* A table: alice=1, bob=2, alice=null, alice=4 (each update undoes the old row). */
    const aggt_step steps[] = {
        {'+', "1", .want = "1.0"}, {'+', "2", .want = "1.5"},  {'-', "1", .want = "2.0"},
        {'+', NULL, .want = "2.0"}, {'-', NULL, .want = "2.0"}, {'+', "4", .want = "3.0"},
    };
    eddy_value a = AGGT_RUN(c, steps);
    const aggt_step more[] = {{'+', "6", .want = "6.0"}};
    eddy_value b = AGGT_RUN(c, more);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "4.0");
}

static void test_avg_decimal_casts_to_double(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("AVG", 1, T1("DECIMAL(4, 2)"), NULL);
    assert_non_null(c->casts[0]);
    assert_string_equal(aggt_type_str(c->casts[0]), "DOUBLE");
    assert_string_equal(aggt_type_str(c->arg_types[0]), "DOUBLE");
}

static void test_min_max_skip_nulls(void **state)
{
    (void)state;
    fn_agg_call *mx = aggt_call("MAX", 1, T1("INTEGER"), NULL);
    fn_agg_call *mn = aggt_call("MIN", 1, T1("INTEGER"), NULL);
    assert_string_equal(aggt_type_str(mx->ret), "INTEGER");
    const aggt_step max_steps[] = {
        {'+', NULL, .want = "null"}, {'+', "5", .want = "5"},   {'+', "-3", .want = "5"},
        {'+', NULL, .want = "5"},    {'+', "7", .want = "7"},
    };
    const aggt_step min_steps[] = {
        {'+', NULL, .want = "null"}, {'+', "5", .want = "5"},   {'+', "-3", .want = "-3"},
        {'+', NULL, .want = "-3"},   {'+', "7", .want = "-3"},
    };
    eddy_value a = AGGT_RUN(mx, max_steps);
    eddy_value b = AGGT_RUN(mn, min_steps);
    (void)b;
    /* No undo: MIN and MAX are not table aggregation functions. */
    fn_agg_ctx ctx = aggt_ctx();
    eddy_value one = eddy_value_int(1);
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(fn_agg_undo(mx, &ctx, &a, &one, &err), EDDY_EUNSUPPORTED);
    assert_false(fn_aggregate_supports_undo(mx->fn));
    /* Merge: the larger (smaller) of the two; an empty session contributes nothing. */
    eddy_value empty = aggt_init(mx);
    assert_string_equal(aggt_merge(mx, &a, &empty, NULL), "7");
    assert_string_equal(aggt_merge(mx, &empty, &a, NULL), "7");
    assert_string_equal(aggt_merge(mx, &empty, &empty, NULL), "null");
}

static void test_min_max_other_types(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("MAX", 1, T1("STRING"), NULL);
    const aggt_step strs[] = {
        {'+', "\"b\"", .want = "\"b\""}, {'+', "\"ab\"", .want = "\"b\""},
        {'+', "\"ba\"", .want = "\"ba\""},
    };
    AGGT_RUN(c, strs);
    c = aggt_call("MIN", 1, T1("DOUBLE"), NULL);
    const aggt_step dbls[] = {
        {'+', "0.0", .want = "0.0"}, {'+', "-0.0", .want = "-0.0"}, {'+', "1e300", .want = "-0.0"},
    };
    AGGT_RUN(c, dbls);
    c = aggt_call("MAX", 1, T1("DECIMAL(4, 2)"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "DECIMAL(4, 2)");
    const aggt_step decs[] = {{'+', "1.50", .want = "1.50"}, {'+', "10.25", .want = "10.25"}};
    AGGT_RUN(c, decs);
    /* BYTES compare as Java's ByteBuffer does, with signed bytes: 0x7f > 0x80. */
    c = aggt_call("MAX", 1, T1("BYTES"), NULL);
    const aggt_step bytes[] = {
        {'+', "\"gA==\"", .want = "\"gA==\""}, {'+', "\"fw==\"", .want = "\"fw==\""},
        {'+', "\"AA==\"", .want = "\"fw==\""},
    };
    AGGT_RUN(c, bytes);
    c = aggt_call("MIN", 1, T1("TIMESTAMP"), NULL);
    const aggt_step ts[] = {{'+', "1000", .want = "1000"}, {'+', "-5", .want = "-5"}};
    AGGT_RUN(c, ts);
    /* No BOOLEAN overload. */
    eddy_err err;
    assert_int_equal(aggt_resolve("MAX", 1, T1("BOOLEAN"), NULL, &c, &err), EDDY_ETYPE);
    assert_non_null(strstr(err.msg, "Function 'MAX' does not accept parameters (BOOLEAN)"));
}

static void test_stddev_samp_is_ksqldb_variance(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("STDDEV_SAMP", 1, T1("DOUBLE"), NULL);
    assert_string_equal(aggt_type_str(c->state_type),
                        "STRUCT<`SUM` DOUBLE, `COUNT` BIGINT, `M2` DOUBLE>");
    const aggt_step steps[] = {
        {'+', "10.0", .want = "0.0"},
        {'+', "12.0", .want = "2.0"},
        {'+', "13.0", .want = "2.333333333333333"},
        {'+', "14.0", .want = "2.9166666666666665"},
        {'+', "16.0", .want = "5.0"},
        {'+', NULL, .want = "5.0"},
    };
    AGGT_RUN(c, steps);
    c = aggt_call("STDDEV_SAMP", 1, T1("INTEGER"), NULL);
    const aggt_step ints[] = {
        {'+', "10", .want = "0.0"}, {'+', "12", .want = "2.0"},
        {'-', "12", .want = "0.0"}, {'+', "14", .want = "8.0"},
    };
    AGGT_RUN(c, ints);
}

static void test_stddev_sample_takes_the_root_and_merges(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("STDDEV_SAMPLE", 1, T1("DOUBLE"), NULL);
    const aggt_step a_steps[] = {
        {'+', "10.0", .want = "0.0"}, {'+', "12.0", .want = "1.4142135623730951"},
    };
    const aggt_step b_steps[] = {
        {'+', "13.0", .want = "0.0"}, {'+', "14.0", .want = "0.7071067811865476"},
        {'+', "16.0", .want = "1.5275252316519468"},
    };
    eddy_value a = AGGT_RUN(c, a_steps);
    eddy_value b = AGGT_RUN(c, b_steps);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "2.23606797749979");
    eddy_value empty = aggt_init(c);
    assert_string_equal(aggt_merge(c, &a, &empty, NULL), "1.4142135623730951");
    /* STDDEV_SAMP over INT merges with integer means (ksqlDB's LongSum / count). */
    c = aggt_call("STDDEV_SAMP", 1, T1("INTEGER"), NULL);
    const aggt_step ia[] = {{'+', "10", .want = "0.0"}, {'+', "12", .want = "2.0"}};
    const aggt_step ib[] = {
        {'+', "13", .want = "0.0"}, {'+', "14", .want = "0.5"},
        {'+', "16", .want = "2.3333333333333335"},
    };
    a = AGGT_RUN(c, ia);
    b = AGGT_RUN(c, ib);
    /* M2 = 2 + 14/3 + 2*3*(11 - 14)^2/5 = 17.4666..; / 4 */
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "4.366666666666667");
}

static void test_correlation_skips_incomplete_pairs(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("CORRELATION", 2, T2("INTEGER", "INTEGER"), NULL);
    assert_string_equal(aggt_type_str(c->ret), "DOUBLE");
    const aggt_step alice[] = {
        {'+', "1", "8", .want = "\"NaN\""},
        {'+', "-1", "-2", .want = "1.0"},
        {'+', "-4", "-1", .want = "0.7455284088780169"},
        {'+', NULL, "-6", .want = "0.7455284088780169"},
    };
    AGGT_RUN(c, alice);
    const aggt_step bob[] = {
        {'+', "-3", "-2", .want = "\"NaN\""},
        {'+', "13", NULL, .want = "\"NaN\""},
        {'+', "3", "11", .want = "1.0"},
    };
    AGGT_RUN(c, bob);
}

static void test_correlation_table_updates_and_merge(void **state)
{
    (void)state;
    fn_agg_call *c = aggt_call("CORRELATION", 2, T2("DOUBLE", "DOUBLE"), NULL);
    const aggt_step steps[] = {
        {'+', "1.5", "8.0", .want = "\"NaN\""},
        {'+', "-3.5", "-2.0", .want = "1.0"},
        {'-', "1.5", "8.0", .want = "\"NaN\""},
        {'+', "-1.0", "-2.0", .want = "\"NaN\""},
        {'+', "-4.5", "-1.0", .want = "-0.7205766921228921"},
    };
    AGGT_RUN(c, steps);
    const aggt_step a_steps[] = {{'+', "-3.5", "-2.0", .want = "\"NaN\""}};
    const aggt_step b_steps[] = {
        {'+', "-1.0", "-2.0", .want = "\"NaN\""},
        {'+', "-4.5", "-1.0", .want = "-1.0"},
    };
    eddy_value a = AGGT_RUN(c, a_steps);
    eddy_value b = AGGT_RUN(c, b_steps);
    assert_string_equal(aggt_merge(c, &a, &b, NULL), "-0.7205766921228921");
    /* Mixed INT and DOUBLE arguments resolve to the DOUBLE overload with a cast. */
    c = aggt_call("CORRELATION", 2, T2("INTEGER", "DOUBLE"), NULL);
    assert_string_equal(aggt_type_str(c->arg_types[0]), "DOUBLE");
    assert_non_null(c->casts[0]);
    assert_null(c->casts[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_count_skips_nulls_and_undoes, aggt_setup,
                                        aggt_teardown),
        cmocka_unit_test_setup_teardown(test_count_star_counts_rows, aggt_setup, aggt_teardown),
        cmocka_unit_test_setup_teardown(test_sum_int_wraps_like_java, aggt_setup, aggt_teardown),
        cmocka_unit_test_setup_teardown(test_sum_bigint_and_double, aggt_setup, aggt_teardown),
        cmocka_unit_test_setup_teardown(test_sum_decimal_keeps_type_and_checks_overflow,
                                        aggt_setup, aggt_teardown),
        cmocka_unit_test_setup_teardown(test_sum_list_sums_elements, aggt_setup, aggt_teardown),
        cmocka_unit_test_setup_teardown(test_avg_of_long_int_double, aggt_setup, aggt_teardown),
        cmocka_unit_test_setup_teardown(test_avg_table_updates, aggt_setup, aggt_teardown),
        cmocka_unit_test_setup_teardown(test_avg_decimal_casts_to_double, aggt_setup,
                                        aggt_teardown),
        cmocka_unit_test_setup_teardown(test_min_max_skip_nulls, aggt_setup, aggt_teardown),
        cmocka_unit_test_setup_teardown(test_min_max_other_types, aggt_setup, aggt_teardown),
        cmocka_unit_test_setup_teardown(test_stddev_samp_is_ksqldb_variance, aggt_setup,
                                        aggt_teardown),
        cmocka_unit_test_setup_teardown(test_stddev_sample_takes_the_root_and_merges,
                                        aggt_setup, aggt_teardown),
        cmocka_unit_test_setup_teardown(test_correlation_skips_incomplete_pairs, aggt_setup,
                                        aggt_teardown),
        cmocka_unit_test_setup_teardown(test_correlation_table_updates_and_merge, aggt_setup,
                                        aggt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
