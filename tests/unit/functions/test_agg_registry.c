/* Unit tests: the aggregate registry (functions/agg_registry.c): lookup, iteration, overload
 * resolution and its errors, literal parameters, the table-source check, state types. */
#include <strings.h>

#include "aggt.h"

static void test_agg_registry_lists_every_aggregate(void **state)
{
    (void)state;
    static const char *const names[] = {
        "ATTR", "AVG", "COLLECT_LIST", "COLLECT_SET", "CORRELATION", "COUNT", "COUNT_DISTINCT",
        "EARLIEST_BY_OFFSET", "HISTOGRAM", "LATEST_BY_OFFSET", "MAX", "MIN", "STDDEV_SAMP",
        "STDDEV_SAMPLE", "SUM", "SUM_LIST", "TOPK", "TOPKDISTINCT",
    };
    int n = 0;
    for (const fn_aggregate *f; (f = fn_aggregate_at(n)) != NULL; n++) {
        assert_true((size_t)n < EDDY_ARRAY_LEN(names));
        assert_string_equal(f->name, names[n]);
        assert_non_null(f->description);
        assert_true(f->nsigs > 0);
    }
    assert_int_equal(n, EDDY_ARRAY_LEN(names));
    assert_null(fn_aggregate_at(-1));
    assert_ptr_equal(fn_aggregate_find("latest_by_offset"), fn_aggregate_find("LATEST_BY_OFFSET"));
    assert_null(fn_aggregate_find("UCASE"));
    assert_null(fn_aggregate_find("COUNTS"));
}

static void test_agg_registry_undo_support(void **state)
{
    (void)state;
    static const char *const undo[] = {"ATTR", "AVG", "COLLECT_LIST", "CORRELATION", "COUNT",
                                       "HISTOGRAM", "STDDEV_SAMP", "STDDEV_SAMPLE", "SUM",
                                       "SUM_LIST"};
    for (int i = 0; fn_aggregate_at(i); i++) {
        const fn_aggregate *f = fn_aggregate_at(i);
        bool want = false;
        for (size_t k = 0; k < EDDY_ARRAY_LEN(undo); k++)
            want = want || strcmp(undo[k], f->name) == 0;
        if (fn_aggregate_supports_undo(f) != want)
            fail_msg("%s: undo %d", f->name, !want);
    }
}

static void test_agg_check_table_names_functions_without_undo(void **state)
{
    (void)state;
    fn_agg_call *sum = aggt_call("SUM", 1, T1("INTEGER"), NULL);
    fn_agg_call *min = aggt_call("MIN", 1, T1("INTEGER"), NULL);
    fn_agg_call *min2 = aggt_call("MIN", 1, T1("STRING"), NULL);
    fn_agg_call *max = aggt_call("MAX", 1, T1("INTEGER"), NULL);
    fn_agg_call *topk = aggt_call("TOPK", 2, T2("INTEGER", "INTEGER"), T2(NULL, "1"));
    eddy_err err;
    eddy_err_clear(&err);
    const fn_agg_call *ok[] = {sum};
    assert_int_equal(fn_agg_check_table(ok, 1, &err), 0);
    const fn_agg_call *one[] = {sum, min, min2};
    assert_int_equal(fn_agg_check_table(one, 3, &err), EDDY_ETYPE);
    assert_string_equal(err.msg, "The aggregation function MIN cannot be applied to a table "
                                 "source, only to a stream source.");
    eddy_err_clear(&err);
    const fn_agg_call *two[] = {min, max};
    assert_int_equal(fn_agg_check_table(two, 2, &err), EDDY_ETYPE);
    assert_string_equal(err.msg, "The aggregation functions MIN and MAX cannot be applied to a "
                                 "table source, only to a stream source.");
    eddy_err_clear(&err);
    const fn_agg_call *three[] = {topk, min, sum, max};
    assert_int_equal(fn_agg_check_table(three, 4, &err), EDDY_ETYPE);
    assert_string_equal(err.msg, "The aggregation functions TOPK, MIN and MAX cannot be applied "
                                 "to a table source, only to a stream source.");
}

static void test_agg_resolve_errors(void **state)
{
    (void)state;
    eddy_err err;
    fn_agg_call *c;
    assert_int_equal(aggt_resolve("SUM", 1, T1("STRING"), NULL, &c, &err), EDDY_ETYPE);
    assert_null(c);
    /* named as its @UdafDescription declares it ("SUM"), as ksqlDB's UdfIndex does */
    assert_true(strncmp(err.msg, "Function 'SUM' does not accept parameters (STRING).\nValid "
                                 "alternatives are:\nSUM(DECIMAL val)\n",
                        90) == 0);
    assert_int_equal(aggt_resolve("AVG", 2, T2("INTEGER", "INTEGER"), NULL, &c, &err),
                     EDDY_ETYPE);
    assert_int_equal(aggt_resolve("TOPK", 1, T1("INTEGER"), NULL, &c, &err), EDDY_ETYPE);
    assert_int_equal(aggt_resolve("HISTOGRAM", 1, T1("INTEGER"), NULL, &c, &err), EDDY_ETYPE);
    assert_int_equal(aggt_resolve("TOPK", 2, T2("BOOLEAN", "INTEGER"), T2(NULL, "3"), &c, &err),
                     EDDY_ETYPE);
}

static void test_agg_resolve_types_and_casts(void **state)
{
    (void)state;
    /* INT widens to the BIGINT overload only when no exact one exists: SUM has INTEGER. */
    fn_agg_call *c = aggt_call("SUM", 1, T1("INTEGER"), NULL);
    assert_int_equal(c->ncols, 1);
    assert_null(c->casts[0]);
    /* STDDEV over DECIMAL takes the DOUBLE overload. */
    c = aggt_call("STDDEV_SAMPLE", 1, T1("DECIMAL(10, 3)"), NULL);
    assert_string_equal(aggt_type_str(c->arg_types[0]), "DOUBLE");
    /* COUNT of a NULL literal. */
    c = aggt_call("COUNT", 1, (const char *const[]){NULL}, NULL);
    assert_int_equal(c->ncols, 1);
    assert_int_equal(c->arg_types[0]->kind, EDDY_T_NULL);
    const aggt_step steps[] = {{'+', NULL, .want = "0"}};
    AGGT_RUN(c, steps);
}

/* ksqlDB rejects aggregates whose intermediate type a value format cannot carry (DELIMITED:
 * no ARRAY, MAP or STRUCT); the planner checks state_type, which mirrors those types. */
static void test_agg_state_types_mirror_ksqldb(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int nargs;
        const char *types[3];
        const char *lits[3];
        const char *state;
    } cases[] = {
        {"COUNT", 1, {"INTEGER"}, {NULL}, "BIGINT"},
        {"SUM", 1, {"DOUBLE"}, {NULL}, "DOUBLE"},
        {"MIN", 1, {"DATE"}, {NULL}, "DATE"},
        {"AVG", 1, {"DOUBLE"}, {NULL}, "STRUCT<`SUM` DOUBLE, `COUNT` BIGINT>"},
        {"STDDEV_SAMP", 1, {"BIGINT"}, {NULL},
         "STRUCT<`SUM` BIGINT, `COUNT` BIGINT, `M2` DOUBLE>"},
        {"CORRELATION", 2, {"DOUBLE", "DOUBLE"}, {NULL, NULL},
         "STRUCT<`X_SUM` DOUBLE, `Y_SUM` DOUBLE, `X_SQUARED_SUM` DOUBLE, `Y_SQUARED_SUM` "
         "DOUBLE, `XY_SUM` DOUBLE, `COUNT` BIGINT>"},
        {"TOPK", 2, {"INTEGER", "INTEGER"}, {NULL, "3"}, "ARRAY<INTEGER>"},
        {"TOPKDISTINCT", 2, {"BIGINT", "INTEGER"}, {NULL, "3"}, "ARRAY<BIGINT>"},
        {"COLLECT_SET", 1, {"STRING"}, {NULL}, "ARRAY<STRING>"},
        {"HISTOGRAM", 1, {"STRING"}, {NULL}, "MAP<STRING, BIGINT>"},
        {"COUNT_DISTINCT", 1, {"STRING"}, {NULL}, "ARRAY<BIGINT>"},
        {"EARLIEST_BY_OFFSET", 1, {"BOOLEAN"}, {NULL}, "STRUCT<`SEQ` BIGINT, `VAL` BOOLEAN>"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        fn_agg_call *c = aggt_call(cases[i].name, cases[i].nargs, cases[i].types, cases[i].lits);
        if (strcmp(aggt_type_str(c->state_type), cases[i].state) != 0)
            fail_msg("%s: state %s", cases[i].name, aggt_type_str(c->state_type));
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, aggt_setup, aggt_teardown)
    const struct CMUnitTest tests[] = {
        T(test_agg_registry_lists_every_aggregate),
        T(test_agg_registry_undo_support),
        T(test_agg_check_table_names_functions_without_undo),
        T(test_agg_resolve_errors),
        T(test_agg_resolve_types_and_casts),
        T(test_agg_state_types_mirror_ksqldb),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
