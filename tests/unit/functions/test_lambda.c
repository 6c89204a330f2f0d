/*
 * test_lambda.c - TRANSFORM, FILTER, REDUCE over arrays and maps, built the way the planner
 * does: lambda parameter types from fn_scalar_lambda_types, then fn_call_build.
 */
#include "fnt.h"

#define I(x) fnt_int(x)
#define S(x) fnt_str(x)
#define NI fnt_null(EDDY_TYPE_INT)

static fn_expr *arith(char op, const eddy_type *t, fn_expr *a, fn_expr *b)
{
    fn_expr *e = fnt_node(FN_ARITH, t, 2, a, b);
    e->op = (uint8_t)op;
    return e;
}

static fn_expr *cmp(int op, fn_expr *a, fn_expr *b)
{
    fn_expr *e = fnt_node(FN_CMP, EDDY_TYPE_BOOLEAN, 2, a, b);
    e->op = (uint8_t)op;
    return e;
}

/* The types of lambda argument 'i' (of 'nparams' params) in a call of 'name'. */
static void lambda_types(const char *name, fn_expr **args, int nargs, int i, int nparams,
                         const eddy_type **out)
{
    fn_arg fa[4];
    for (int k = 0; k < nargs; k++) {
        fa[k].type = args[k] ? args[k]->type : NULL;
        fa[k].lambda_params = args[k] ? 0 : nparams; /* lambdas here share arity */
    }
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(fn_scalar_lambda_types(fn_scalar_find(name), &fnt_arena, fa, nargs, i, out,
                                     nparams, &err), &err);
}

static void test_transform_array(void **state)
{
    (void)state;
    const eddy_type *ai = fnt_type("ARRAY<INT>");
    fn_expr *a = fnt_node(FN_ARRAY, ai, 3, I(1), I(2), I(3));
    fn_expr *args[2] = {a, NULL};
    const eddy_type *pt[1];
    lambda_types("TRANSFORM", args, 2, 1, 1, pt);
    assert_string_equal(fnt_type_str(pt[0]), "INTEGER");
    /* x => CAST(x * 10 AS STRING) */
    fn_expr *body = fnt_node(FN_CAST, EDDY_TYPE_STRING, 1,
                             arith('*', EDDY_TYPE_INT, fnt_var(0, pt[0]), I(10)));
    fn_expr *call = FNT_CALL("TRANSFORM", a, fnt_lambda(0, 1, body));
    assert_string_equal(fnt_type_str(call->type), "ARRAY<STRING>");
    FNT_EXPECT(call, "[10, 20, 30]");
    FNT_EXPECT(FNT_CALL("TRANSFORM", fnt_null(ai), fnt_lambda(0, 1, body)), "NULL");
    /* an error in the lambda (NULL * 10) aborts the whole expression */
    fn_expr *withnull = fnt_node(FN_ARRAY, ai, 2, I(1), NI);
    FNT_EXPECT(FNT_CALL("TRANSFORM", withnull, fnt_lambda(0, 1, body)), "NULL");
    assert_int_equal(fnt_nlogged, 1);
}

static void test_transform_map(void **state)
{
    (void)state;
    const eddy_type *m = fnt_type("MAP<STRING, INT>");
    fn_expr *mv = fnt_node(FN_MAP, m, 4, S("a"), I(1), S("b"), I(2));
    fn_expr *args[3] = {mv, NULL, NULL};
    const eddy_type *pt[2];
    lambda_types("TRANSFORM", args, 3, 1, 2, pt);
    assert_string_equal(fnt_type_str(pt[0]), "STRING");
    assert_string_equal(fnt_type_str(pt[1]), "INTEGER");
    fn_expr *kbody = arith('+', EDDY_TYPE_STRING, fnt_var(0, pt[0]), S("!"));
    fn_expr *vbody = arith('+', EDDY_TYPE_INT, fnt_var(1, pt[1]), I(100));
    fn_expr *call = FNT_CALL("TRANSFORM", mv, fnt_lambda(0, 2, kbody), fnt_lambda(0, 2, vbody));
    assert_string_equal(fnt_type_str(call->type), "MAP<STRING, INTEGER>");
    FNT_EXPECT(call, "{a!=101, b!=102}");
    /* colliding keys: Collectors.toMap's duplicate key error */
    fn_expr *same = FNT_CALL("TRANSFORM", mv, fnt_lambda(0, 2, S("k")), fnt_lambda(0, 2, vbody));
    FNT_EXPECT(same, "NULL");
    assert_non_null(strstr(fnt_last_log, "Duplicate key"));
}

static void test_filter(void **state)
{
    (void)state;
    const eddy_type *ai = fnt_type("ARRAY<INT>");
    fn_expr *a = fnt_node(FN_ARRAY, ai, 4, I(1), I(5), I(2), I(7));
    fn_expr *pred = cmp(FN_CMP_GT, fnt_var(0, EDDY_TYPE_INT), I(2));
    fn_expr *call = FNT_CALL("FILTER", a, fnt_lambda(0, 1, pred));
    assert_string_equal(fnt_type_str(call->type), "ARRAY<INTEGER>");
    FNT_EXPECT(call, "[5, 7]");
    /* a NULL element compares false (comparison with NULL), so it is dropped */
    fn_expr *wn = fnt_node(FN_ARRAY, ai, 2, NI, I(9));
    FNT_EXPECT(FNT_CALL("FILTER", wn, fnt_lambda(0, 1, pred)), "[9]");
    const eddy_type *m = fnt_type("MAP<STRING, INT>");
    fn_expr *mv = fnt_node(FN_MAP, m, 4, S("a"), I(1), S("b"), I(3));
    fn_expr *mp = cmp(FN_CMP_GT, fnt_var(1, EDDY_TYPE_INT), I(2));
    FNT_EXPECT(FNT_CALL("FILTER", mv, fnt_lambda(0, 2, mp)), "{b=3}");
    /* a lambda returning NULL is unboxed by Java: error */
    FNT_EXPECT(FNT_CALL("FILTER", a, fnt_lambda(0, 1, fnt_null(EDDY_TYPE_BOOLEAN))), "NULL");
    assert_int_equal(fnt_nlogged, 1);
}

static void test_reduce(void **state)
{
    (void)state;
    const eddy_type *ai = fnt_type("ARRAY<INT>");
    fn_expr *a = fnt_node(FN_ARRAY, ai, 3, I(1), I(2), I(3));
    fn_expr *args[3] = {a, I(0), NULL};
    const eddy_type *pt[2];
    lambda_types("REDUCE", args, 3, 2, 2, pt);
    assert_string_equal(fnt_type_str(pt[0]), "INTEGER");
    assert_string_equal(fnt_type_str(pt[1]), "INTEGER");
    fn_expr *body = arith('+', EDDY_TYPE_INT, fnt_var(0, pt[0]), fnt_var(1, pt[1]));
    fn_expr *call = FNT_CALL("REDUCE", a, I(10), fnt_lambda(0, 2, body));
    assert_string_equal(fnt_type_str(call->type), "INTEGER");
    FNT_EXPECT(call, "16");
    FNT_EXPECT(FNT_CALL("REDUCE", fnt_null(ai), I(10), fnt_lambda(0, 2, body)), "10");
    FNT_EXPECT(FNT_CALL("REDUCE", a, NI, fnt_lambda(0, 2, body)), "NULL");
    /* map: (s, k, v) => s + v */
    const eddy_type *m = fnt_type("MAP<STRING, INT>");
    fn_expr *mv = fnt_node(FN_MAP, m, 4, S("a"), I(4), S("b"), I(5));
    fn_expr *mb = arith('+', EDDY_TYPE_INT, fnt_var(0, EDDY_TYPE_INT), fnt_var(2, EDDY_TYPE_INT));
    FNT_EXPECT(FNT_CALL("REDUCE", mv, I(0), fnt_lambda(0, 3, mb)), "9");
    /* the state type must equal the lambda's result type (generic S) */
    eddy_err err;
    fn_expr *bad[] = {a, I(0), fnt_lambda(0, 2, S("x"))};
    assert_int_equal(fnt_resolve_err("REDUCE", 3, bad, &err), EDDY_ETYPE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_transform_array, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_transform_map, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_filter, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_reduce, fnt_setup, fnt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
