/*
 * test_eval.c - fn_eval over every expression kind: NULL handling as ksqlDB's generated code,
 * errors (NULL result plus one processing-log entry), nested error handling.
 */
#include "fnt.h"

#define B EDDY_TYPE_BOOLEAN
#define I EDDY_TYPE_INT
#define S EDDY_TYPE_STRING

static fn_expr *cmp(int op, fn_expr *a, fn_expr *b)
{
    fn_expr *e = fnt_node(FN_CMP, B, 2, a, b);
    e->op = (uint8_t)op;
    return e;
}

static fn_expr *arith(char op, const eddy_type *t, fn_expr *a, fn_expr *b)
{
    fn_expr *e = fnt_node(FN_ARITH, t, 2, a, b);
    e->op = (uint8_t)op;
    return e;
}

static fn_expr *col(int i, const eddy_type *t)
{
    fn_expr *e = fnt_node(FN_COLUMN, t, 0);
    e->u.index = i;
    return e;
}

static void test_literals_and_columns(void **state)
{
    (void)state;
    FNT_EXPECT(fnt_int(7), "7");
    FNT_EXPECT(fnt_str("x"), "x");
    FNT_EXPECT(fnt_null(I), "NULL");
    eddy_value row[2] = {eddy_value_int(3), eddy_value_null(EDDY_T_STRING)};
    eddy_value v = fnt_eval_row(col(0, I), row);
    assert_int_equal(v.u.i32, 3);
    v = fnt_eval_row(col(1, S), row);
    assert_true(v.null);
    assert_int_equal(v.kind, EDDY_T_STRING);
}

static void test_comparisons_with_null_are_false(void **state)
{
    (void)state;
    static const struct {
        int op;
        int a, b;
        const char *want;
    } cases[] = {
        {FN_CMP_EQ, 1, 1, "true"},   {FN_CMP_EQ, 1, 2, "false"}, {FN_CMP_NEQ, 1, 2, "true"},
        {FN_CMP_LT, 1, 2, "true"},   {FN_CMP_LTE, 2, 2, "true"}, {FN_CMP_GT, 1, 2, "false"},
        {FN_CMP_GTE, 3, 2, "true"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++)
        FNT_EXPECT(cmp(cases[i].op, fnt_int(cases[i].a), fnt_int(cases[i].b)), cases[i].want);
    /* ksqlDB: "(a == null || b == null) ? false : ..." */
    FNT_EXPECT(cmp(FN_CMP_EQ, fnt_null(I), fnt_int(1)), "false");
    FNT_EXPECT(cmp(FN_CMP_NEQ, fnt_null(I), fnt_int(1)), "false");
    FNT_EXPECT(cmp(FN_CMP_EQ, fnt_null(I), fnt_null(I)), "false");
    /* mixed kinds widen */
    FNT_EXPECT(cmp(FN_CMP_EQ, fnt_int(2), fnt_dbl(2.0)), "true");
    FNT_EXPECT(cmp(FN_CMP_LT, fnt_str("a"), fnt_str("b")), "true");
    assert_int_equal(fnt_nlogged, 0);
}

static void test_and_or_not(void **state)
{
    (void)state;
    FNT_EXPECT(fnt_node(FN_AND, B, 2, fnt_bool(true), fnt_bool(true)), "true");
    FNT_EXPECT(fnt_node(FN_AND, B, 2, fnt_bool(true), fnt_bool(false)), "false");
    FNT_EXPECT(fnt_node(FN_OR, B, 2, fnt_bool(false), fnt_bool(true)), "true");
    FNT_EXPECT(fnt_node(FN_OR, B, 3, fnt_bool(false), fnt_bool(false), fnt_bool(false)),
               "false");
    FNT_EXPECT(fnt_node(FN_NOT, B, 1, fnt_bool(false)), "true");
    /* short-circuit: the NULL on the right is never unboxed */
    FNT_EXPECT(fnt_node(FN_AND, B, 2, fnt_bool(false), fnt_null(B)), "false");
    FNT_EXPECT(fnt_node(FN_OR, B, 2, fnt_bool(true), fnt_null(B)), "true");
    assert_int_equal(fnt_nlogged, 0);
    /* an unboxed NULL Boolean is an error: the expression is NULL and logged */
    FNT_EXPECT(fnt_node(FN_AND, B, 2, fnt_null(B), fnt_bool(false)), "NULL");
    assert_int_equal(fnt_nlogged, 1);
    FNT_EXPECT(fnt_node(FN_OR, B, 2, fnt_bool(false), fnt_null(B)), "NULL");
    FNT_EXPECT(fnt_node(FN_NOT, B, 1, fnt_null(B)), "NULL");
    assert_int_equal(fnt_nlogged, 3);
    assert_non_null(strstr(fnt_last_log, "NullPointerException"));
}

static void test_fn_eval_bool_treats_null_as_false(void **state)
{
    (void)state;
    fn_ctx ctx = {.arena = &fnt_batch, .log = fnt_log};
    bool b = true;
    assert_int_equal(fn_eval_bool(fnt_null(B), &ctx, &b), 0);
    assert_false(b);
    assert_int_equal(fn_eval_bool(fnt_bool(true), &ctx, &b), 0);
    assert_true(b);
    assert_int_equal(fn_eval_bool(fnt_node(FN_NOT, B, 1, fnt_null(B)), &ctx, &b), 0);
    assert_false(b);
}

static void test_is_null_and_distinct(void **state)
{
    (void)state;
    fn_expr *isn = fnt_node(FN_IS_NULL, B, 1, fnt_null(I));
    FNT_EXPECT(isn, "true");
    fn_expr *notnull = fnt_node(FN_IS_NULL, B, 1, fnt_int(1));
    notnull->negated = true;
    FNT_EXPECT(notnull, "true");
    static const struct {
        bool anull, bnull;
        int a, b;
        bool neg;
        const char *want;
    } cases[] = {
        {false, false, 1, 1, false, "false"}, {false, false, 1, 2, false, "true"},
        {true, false, 0, 2, false, "true"},   {true, true, 0, 0, false, "false"},
        {true, true, 0, 0, true, "true"},     {false, true, 1, 0, true, "false"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        fn_expr *e = fnt_node(FN_DISTINCT, B, 2,
                              cases[i].anull ? fnt_null(I) : fnt_int(cases[i].a),
                              cases[i].bnull ? fnt_null(I) : fnt_int(cases[i].b));
        e->negated = cases[i].neg;
        FNT_EXPECT(e, cases[i].want);
    }
}

static void test_between(void **state)
{
    (void)state;
    static const struct {
        int v, lo, hi;
        bool vnull, neg;
        const char *want;
    } cases[] = {
        {2, 1, 3, false, false, "true"},  {1, 1, 3, false, false, "true"},
        {3, 1, 3, false, false, "true"},  {4, 1, 3, false, false, "false"},
        {0, 1, 3, false, true, "true"},   {0, 1, 3, true, false, "false"},
        {0, 1, 3, true, true, "true"}, /* NOT (false): ksqlDB wraps in NotExpression */
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        fn_expr *e = fnt_node(FN_BETWEEN, B, 3, cases[i].vnull ? fnt_null(I) : fnt_int(cases[i].v),
                              fnt_int(cases[i].lo), fnt_int(cases[i].hi));
        e->negated = cases[i].neg;
        FNT_EXPECT(e, cases[i].want);
    }
    FNT_EXPECT(fnt_node(FN_BETWEEN, B, 3, fnt_str("b"), fnt_str("a"), fnt_str("c")), "true");
}

static void test_in_list(void **state)
{
    (void)state;
    FNT_EXPECT(fnt_node(FN_IN, B, 4, fnt_int(2), fnt_int(1), fnt_null(I), fnt_int(2)), "true");
    FNT_EXPECT(fnt_node(FN_IN, B, 3, fnt_int(5), fnt_int(1), fnt_null(I)), "false");
    FNT_EXPECT(fnt_node(FN_IN, B, 2, fnt_null(I), fnt_null(I)), "false");
    fn_expr *notin = fnt_node(FN_IN, B, 2, fnt_null(I), fnt_int(1));
    notin->negated = true;
    FNT_EXPECT(notin, "true");
    /* InListEvaluator coercions: strings parse as the other side's type, numbers widen */
    FNT_EXPECT(fnt_node(FN_IN, B, 2, fnt_int(10), fnt_str("10")), "true");
    FNT_EXPECT(fnt_node(FN_IN, B, 2, fnt_str("true"), fnt_bool(true)), "true");
    FNT_EXPECT(fnt_node(FN_IN, B, 2, fnt_big(3), fnt_int(3)), "true");
    FNT_EXPECT(fnt_node(FN_IN, B, 2, fnt_int(3), fnt_dbl(3.7)), "true"); /* (int) 3.7 */
    FNT_EXPECT(fnt_node(FN_IN, B, 2, fnt_dbl(3.0), fnt_int(3)), "true");
    FNT_EXPECT(fnt_node(FN_IN, B, 2, fnt_str("a"), fnt_str("b")), "false");
    /* arrays match element-wise, NULL elements equal */
    const eddy_type *ai = fnt_type("ARRAY<INT>");
    fn_expr *a1 = fnt_node(FN_ARRAY, ai, 2, fnt_int(1), fnt_null(I));
    fn_expr *a2 = fnt_node(FN_ARRAY, ai, 2, fnt_int(1), fnt_null(I));
    fn_expr *a3 = fnt_node(FN_ARRAY, ai, 1, fnt_int(1));
    FNT_EXPECT(fnt_node(FN_IN, B, 3, a1, a3, a2), "true");
    FNT_EXPECT(fnt_node(FN_IN, B, 2, a1, a3), "false");
}

static void test_like(void **state)
{
    (void)state;
    static const struct {
        const char *s, *p;
        char esc;
        const char *want;
    } cases[] = {
        {"hello", "h%", 0, "true"},     {"hello", "%llo", 0, "true"},
        {"hello", "h_llo", 0, "true"},  {"hello", "h_lo", 0, "false"},
        {"hello", "%", 0, "true"},      {"", "%", 0, "true"},
        {"", "_", 0, "false"},          {"a%b", "a\\%b", '\\', "true"},
        {"axb", "a\\%b", '\\', "false"}, {"a_b", "a!_b", '!', "true"},
        {"ab\ncd", "ab%", 0, "false"}, /* Java '.' stops at line terminators */
        {"héllo", "h_llo", 0, "true"},  {"a.c", "a.c", 0, "true"},
        {"abc", "a.c", 0, "false"},     {"HELLO", "hello", 0, "false"},
        {"aaa", "%a%a%a%", 0, "true"},  {"aa", "%a%a%a%", 0, "false"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        fn_expr *e = fnt_node(FN_LIKE, B, 2, fnt_str(cases[i].s), fnt_str(cases[i].p));
        e->u.escape = cases[i].esc;
        eddy_value v = fnt_eval(e);
        if (strcmp(fnt_fmt(&v, B), cases[i].want) != 0)
            fail_msg("'%s' LIKE '%s': got %s", cases[i].s, cases[i].p, fnt_fmt(&v, B));
    }
    fn_expr *nl = fnt_node(FN_LIKE, B, 2, fnt_str("a"), fnt_str("b"));
    nl->negated = true;
    FNT_EXPECT(nl, "true");
    assert_int_equal(fnt_nlogged, 0);
    /* pattern ending in the escape character: error -> NULL + log */
    fn_expr *bad = fnt_node(FN_LIKE, B, 2, fnt_str("a"), fnt_str("a!"));
    bad->u.escape = '!';
    FNT_EXPECT(bad, "NULL");
    assert_int_equal(fnt_nlogged, 1);
    assert_string_equal(fnt_last_log, "LIKE pattern must not end with escape character");
    FNT_EXPECT(fnt_node(FN_LIKE, B, 2, fnt_null(S), fnt_str("a")), "NULL");
    assert_int_equal(fnt_nlogged, 2);
}

static void test_arithmetic_and_errors(void **state)
{
    (void)state;
    FNT_EXPECT(arith('+', I, fnt_int(2), fnt_int(3)), "5");
    FNT_EXPECT(arith('-', I, fnt_int(2), fnt_int(3)), "-1");
    FNT_EXPECT(arith('*', I, fnt_int(2147483647), fnt_int(2)), "-2"); /* Java int wraps */
    FNT_EXPECT(arith('/', I, fnt_int(7), fnt_int(2)), "3");
    FNT_EXPECT(arith('%', I, fnt_int(-7), fnt_int(2)), "-1");
    FNT_EXPECT(arith('/', EDDY_TYPE_DOUBLE, fnt_dbl(1), fnt_dbl(0)), "Infinity");
    FNT_EXPECT(arith('+', EDDY_TYPE_DOUBLE, fnt_int(1), fnt_dbl(0.5)), "1.5");
    FNT_EXPECT(arith('+', S, fnt_str("a"), fnt_str("b")), "ab");
    FNT_EXPECT(arith('+', S, fnt_str("a"), fnt_null(S)), "anull"); /* Java concatenation */
    assert_int_equal(fnt_nlogged, 0);
    FNT_EXPECT(arith('/', I, fnt_int(1), fnt_int(0)), "NULL");
    assert_int_equal(fnt_nlogged, 1);
    assert_string_equal(fnt_last_log, "/ by zero");
    FNT_EXPECT(arith('+', I, fnt_null(I), fnt_int(1)), "NULL");
    assert_int_equal(fnt_nlogged, 2);
    FNT_EXPECT(fnt_node(FN_NEG, I, 1, fnt_int(5)), "-5");
    FNT_EXPECT(fnt_node(FN_NEG, EDDY_TYPE_DOUBLE, 1, fnt_dbl(0.5)), "-0.5");
    FNT_EXPECT(fnt_node(FN_NEG, I, 1, fnt_null(I)), "NULL");
    assert_int_equal(fnt_nlogged, 3);
    /* an error deep inside aborts the whole expression (no three-valued rescue) */
    FNT_EXPECT(fnt_node(FN_IS_NULL, B, 1, arith('/', I, fnt_int(1), fnt_int(0))), "NULL");
    assert_int_equal(fnt_nlogged, 4);
}

static void test_case(void **state)
{
    (void)state;
    fn_expr *c = fnt_node(FN_CASE, S, 5, cmp(FN_CMP_EQ, fnt_int(1), fnt_int(2)), fnt_str("a"),
                          cmp(FN_CMP_EQ, fnt_int(2), fnt_int(2)), fnt_str("b"), fnt_str("c"));
    c->u.has_else = true;
    FNT_EXPECT(c, "b");
    fn_expr *noelse = fnt_node(FN_CASE, S, 2, fnt_bool(false), fnt_str("a"));
    FNT_EXPECT(noelse, "NULL");
    fn_expr *els = fnt_node(FN_CASE, S, 3, fnt_bool(false), fnt_str("a"), fnt_str("z"));
    els->u.has_else = true;
    FNT_EXPECT(els, "z");
    /* the first true WHEN wins; later branches are not evaluated */
    fn_expr *lazy = fnt_node(FN_CASE, I, 4, fnt_bool(true), fnt_int(1), fnt_bool(true),
                             arith('/', I, fnt_int(1), fnt_int(0)));
    FNT_EXPECT(lazy, "1");
    assert_int_equal(fnt_nlogged, 0);
    /* a NULL condition is unboxed by SearchedCaseFunction: error */
    fn_expr *nc = fnt_node(FN_CASE, I, 2, fnt_null(B), fnt_int(1));
    FNT_EXPECT(nc, "NULL");
    assert_int_equal(fnt_nlogged, 1);
}

static void test_cast(void **state)
{
    (void)state;
    FNT_EXPECT(fnt_node(FN_CAST, S, 1, fnt_int(12)), "12");
    FNT_EXPECT(fnt_node(FN_CAST, I, 1, fnt_str(" 42 ")), "42");
    FNT_EXPECT(fnt_node(FN_CAST, I, 1, fnt_null(S)), "NULL");
    assert_int_equal(fnt_nlogged, 0);
    FNT_EXPECT(fnt_node(FN_CAST, I, 1, fnt_str("x")), "NULL");
    assert_int_equal(fnt_nlogged, 1);
}

static void test_struct_field_and_subscripts(void **state)
{
    (void)state;
    const eddy_type *st = fnt_type("STRUCT<A INT, B STRING>");
    fn_expr *s = fnt_node(FN_STRUCT, st, 2, fnt_int(1), fnt_str("x"));
    fn_expr *f = fnt_node(FN_FIELD, S, 1, s);
    f->u.index = 1;
    FNT_EXPECT(f, "x");
    fn_expr *fn = fnt_node(FN_FIELD, S, 1, fnt_null(st));
    fn->u.index = 1;
    FNT_EXPECT(fn, "NULL");
    FNT_EXPECT(s, "Struct{A=1,B=x}");

    const eddy_type *ai = fnt_type("ARRAY<INT>");
    fn_expr *arr = fnt_node(FN_ARRAY, ai, 3, fnt_int(10), fnt_int(20), fnt_int(30));
    static const struct {
        int idx;
        const char *want;
    } cases[] = {{1, "10"}, {3, "30"}, {-1, "30"}, {-3, "10"}, {0, "NULL"}, {4, "NULL"},
                 {-4, "NULL"}};
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++)
        FNT_EXPECT(fnt_node(FN_SUBSCRIPT, I, 2, arr, fnt_int(cases[i].idx)), cases[i].want);
    FNT_EXPECT(fnt_node(FN_SUBSCRIPT, I, 2, fnt_null(ai), fnt_int(1)), "NULL");
    assert_int_equal(fnt_nlogged, 0);

    const eddy_type *mt = fnt_type("MAP<STRING, INT>");
    fn_expr *m = fnt_node(FN_MAP, mt, 6, fnt_str("a"), fnt_int(1), fnt_str("b"), fnt_int(2),
                          fnt_str("a"), fnt_int(3));
    FNT_EXPECT(m, "{a=3, b=2}");
    FNT_EXPECT(fnt_node(FN_SUBSCRIPT, I, 2, m, fnt_str("b")), "2");
    FNT_EXPECT(fnt_node(FN_SUBSCRIPT, I, 2, m, fnt_str("z")), "NULL");
    FNT_EXPECT(fnt_node(FN_SUBSCRIPT, I, 2, m, fnt_null(S)), "NULL");
}

static void test_constructor_elements_catch_errors(void **state)
{
    (void)state;
    const eddy_type *ai = fnt_type("ARRAY<INT>");
    fn_expr *arr = fnt_node(FN_ARRAY, ai, 2, fnt_int(1), arith('/', I, fnt_int(1), fnt_int(0)));
    FNT_EXPECT(arr, "[1, null]");
    assert_int_equal(fnt_nlogged, 1);
}

static void test_nested_call_errors_only_null_the_argument(void **state)
{
    (void)state;
    /* IFNULL(CAST_FAILING_CALL, 7): the inner call's error makes that argument NULL */
    fn_expr *bad = FNT_CALL("TO_BYTES", fnt_str("abc"), fnt_str("hex")); /* odd hex: error */
    fn_expr *e = FNT_CALL("IFNULL", FNT_CALL("LEN", bad), fnt_int(7));
    FNT_EXPECT(e, "7");
    assert_int_equal(fnt_nlogged, 1);
    /* an arithmetic argument is not wrapped: its error aborts the whole expression */
    fn_expr *div = arith('/', I, fnt_int(1), fnt_int(0));
    FNT_EXPECT(FNT_CALL("IFNULL", div, fnt_int(7)), "NULL");
    assert_int_equal(fnt_nlogged, 2);
    /* FN_F_NULL_IN_NULL_OUT: UCASE(NULL) never calls the implementation */
    FNT_EXPECT(FNT_CALL("UCASE", fnt_null(S)), "NULL");
    assert_int_equal(fnt_nlogged, 2);
}

static void test_lambda_binding(void **state)
{
    (void)state;
    fn_expr *lam = fnt_lambda(2, 2, arith('+', I, fnt_var(2, I), fnt_var(3, I)));
    fn_ctx ctx = {.arena = &fnt_batch, .vars = fnt_vars, .log = fnt_log};
    eddy_value args[2] = {eddy_value_int(4), eddy_value_int(5)}, out;
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(fn_eval_lambda(lam, &ctx, args, 2, &out, &err), 0);
    assert_int_equal(out.u.i32, 9);
    args[1] = eddy_value_null(EDDY_T_INT);
    assert_int_not_equal(fn_eval_lambda(lam, &ctx, args, 2, &out, &err), 0);
    assert_non_null(strstr(err.msg, "NullPointerException"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_literals_and_columns, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_comparisons_with_null_are_false, fnt_setup,
                                        fnt_teardown),
        cmocka_unit_test_setup_teardown(test_and_or_not, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_fn_eval_bool_treats_null_as_false, fnt_setup,
                                        fnt_teardown),
        cmocka_unit_test_setup_teardown(test_is_null_and_distinct, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_between, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_in_list, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_like, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_arithmetic_and_errors, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_case, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_cast, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_struct_field_and_subscripts, fnt_setup,
                                        fnt_teardown),
        cmocka_unit_test_setup_teardown(test_constructor_elements_catch_errors, fnt_setup,
                                        fnt_teardown),
        cmocka_unit_test_setup_teardown(test_nested_call_errors_only_null_the_argument,
                                        fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_lambda_binding, fnt_setup, fnt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
