/*
 * test_collections.c - ARRAY and MAP functions and the table functions EXPLODE and
 * CUBE_EXPLODE, with NULL arrays, NULL elements and edge indexes.
 */
#include "fnt.h"

#define I(x) fnt_int(x)
#define S(x) fnt_str(x)
#define NI fnt_null(EDDY_TYPE_INT)
#define NS fnt_null(EDDY_TYPE_STRING)

static const eddy_type *AI, *AS, *MSI;

static fn_expr *arr(int n, fn_expr **items)
{
    fn_expr *e = fnt_node(FN_ARRAY, items[0]->type->kind == EDDY_T_STRING ? AS : AI, 0);
    e->nargs = (uint32_t)n;
    e->args = items;
    return e;
}
#define ARR(...) arr((int)(sizeof((fn_expr *[]){__VA_ARGS__}) / sizeof(fn_expr *)),           \
                     (fn_expr *[]){__VA_ARGS__})

static fn_expr *arr_empty(void)
{
    fn_expr *e = fnt_node(FN_ARRAY, AI, 0);
    e->nargs = 0;
    e->args = NULL;
    return e;
}

static fn_expr *map2(const char *k1, int v1, const char *k2, fn_expr *v2)
{
    return fnt_node(FN_MAP, MSI, 4, S(k1), I(v1), S(k2), v2);
}

typedef struct {
    fn_expr *e;
    const char *want;
} tcase;

static void run(const tcase *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        eddy_value v = fnt_eval(c[i].e);
        const char *got = fnt_fmt(&v, c[i].e->type);
        if (strcmp(got, c[i].want) != 0)
            fail_msg("case %zu (%s): got '%s', want '%s'", i, c[i].e->u.call.fn->name, got,
                     c[i].want);
    }
}

static int setup(void **state)
{
    fnt_setup(state);
    AI = fnt_type("ARRAY<INT>");
    AS = fnt_type("ARRAY<STRING>");
    MSI = fnt_type("MAP<STRING, INT>");
    return 0;
}

static void test_set_operations(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("ARRAY_DISTINCT", ARR(I(1), I(2), I(1), NI, NI)), "[1, 2, null]"},
        {FNT_CALL("ARRAY_DISTINCT", fnt_null(AI)), "NULL"},
        {FNT_CALL("ARRAY_EXCEPT", ARR(I(1), I(2), I(3), I(2)), ARR(I(3))), "[1, 2]"},
        {FNT_CALL("ARRAY_EXCEPT", ARR(I(1)), fnt_null(AI)), "NULL"},
        {FNT_CALL("ARRAY_INTERSECT", ARR(I(1), I(2), NI), ARR(NI, I(2), I(5))), "[2, null]"},
        {FNT_CALL("ARRAY_UNION", ARR(I(1), I(2)), ARR(I(2), I(3))), "[1, 2, 3]"},
        {FNT_CALL("ARRAY_CONCAT", ARR(I(1)), fnt_null(AI)), "[1]"},
        {FNT_CALL("ARRAY_CONCAT", fnt_null(AI), fnt_null(AI)), "NULL"},
        {FNT_CALL("ARRAY_CONTAINS", ARR(I(1), NI), NI), "true"},
        {FNT_CALL("ARRAY_CONTAINS", ARR(I(1)), I(2)), "false"},
        {FNT_CALL("ARRAY_CONTAINS", fnt_null(AI), I(2)), "false"},
        {FNT_CALL("ARRAY_REMOVE", ARR(I(1), I(2), I(1)), I(1)), "[2]"},
        {FNT_CALL("ARRAY_REMOVE", ARR(I(1), NI), NI), "[1]"},
    };
    run(c, EDDY_ARRAY_LEN(c));
}

static void test_array_functions(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("ARRAY_LENGTH", ARR(I(1), I(2))), "2"},
        {FNT_CALL("ARRAY_LENGTH", fnt_null(AI)), "NULL"},
        {FNT_CALL("ARRAY_MAX", ARR(I(1), NI, I(7), I(3))), "7"},
        {FNT_CALL("ARRAY_MIN", ARR(S("b"), S("a"), NS)), "a"},
        {FNT_CALL("ARRAY_MAX", ARR(NI)), "NULL"},
        {FNT_CALL("ARRAY_SORT", ARR(I(3), NI, I(1), I(2))), "[1, 2, 3, null]"},
        {FNT_CALL("ARRAY_SORT", ARR(I(3), NI, I(1)), S("desc")), "[3, 1, null]"},
        {FNT_CALL("ARRAY_SORT", ARR(I(3)), S("sideways")), "NULL"},
        {FNT_CALL("ARRAY_SORT", arr_empty()), "[]"},
        {FNT_CALL("ARRAY_JOIN", ARR(I(1), NI, I(3))), "1,null,3"},
        {FNT_CALL("ARRAY_JOIN", ARR(S("a"), S("b")), S("|")), "a|b"},
        {FNT_CALL("ARRAY_JOIN", ARR(S("a"), S("b")), NS), "ab"},
        {FNT_CALL("SLICE", ARR(I(1), I(2), I(3), I(4)), I(2), I(3)), "[2, 3]"},
        {FNT_CALL("SLICE", ARR(I(1), I(2)), NI, I(1)), "[1]"},
        {FNT_CALL("SLICE", ARR(I(1), I(2)), I(0), I(1)), "NULL"},
        {FNT_CALL("SLICE", ARR(I(1), I(2)), I(1), I(5)), "NULL"},
        {FNT_CALL("GENERATE_SERIES", I(1), I(4)), "[1, 2, 3, 4]"},
        {FNT_CALL("GENERATE_SERIES", I(4), I(0), I(-2)), "[4, 2, 0]"},
    };
    run(c, EDDY_ARRAY_LEN(c));
}

static void test_map_functions(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("AS_MAP", ARR(S("a"), S("b")), ARR(I(1))), "{a=1, b=null}"},
        {FNT_CALL("MAP_KEYS", map2("a", 1, "b", I(2))), "[a, b]"},
        {FNT_CALL("MAP_VALUES", map2("a", 1, "b", NI)), "[1, null]"},
        {FNT_CALL("MAP_KEYS", fnt_null(MSI)), "NULL"},
        {FNT_CALL("MAP_UNION", map2("a", 1, "b", I(2)), map2("b", 3, "c", I(4))),
         "{a=1, b=3, c=4}"},
        {FNT_CALL("MAP_UNION", fnt_null(MSI), map2("b", 3, "c", I(4))), "{b=3, c=4}"},
        {FNT_CALL("ENTRIES", map2("z", 1, "a", I(2)), fnt_bool(true)),
         "[Struct{K=a,V=2}, Struct{K=z,V=1}]"},
    };
    run(c, EDDY_ARRAY_LEN(c));
}

static void test_table_functions(void **state)
{
    (void)state;
    eddy_err err;
    eddy_err_clear(&err);
    const fn_table *ex = fn_table_find("explode"), *cube = fn_table_find("CUBE_EXPLODE");
    assert_non_null(ex);
    assert_non_null(cube);
    assert_null(fn_table_find("nope"));
    fn_arg a = {AI, 0};
    fn_resolved r;
    EXPECT_OK(fn_table_resolve(ex, &fnt_arena, &a, 1, &r, &err), &err);
    assert_string_equal(fnt_type_str(r.ret), "INTEGER");
    EXPECT_OK(fn_table_resolve(cube, &fnt_arena, &a, 1, &r, &err), &err);
    assert_string_equal(fnt_type_str(r.ret), "ARRAY<INTEGER>");

    fn_ctx ctx = {.arena = &fnt_batch};
    eddy_value items[3] = {eddy_value_int(1), eddy_value_null(EDDY_T_INT), eddy_value_int(3)};
    eddy_value in = eddy_value_composite(EDDY_T_ARRAY, items, 3), *out;
    uint32_t n;
    EXPECT_OK(ex->eval(&ctx, NULL, &in, 1, &out, &n, &err), &err);
    assert_int_equal(n, 3);
    assert_true(out[1].null);
    eddy_value nul = eddy_value_null(EDDY_T_ARRAY);
    EXPECT_OK(ex->eval(&ctx, NULL, &nul, 1, &out, &n, &err), &err);
    assert_int_equal(n, 0);
    /* CUBE_EXPLODE: NULL elements do not multiply the combinations */
    EXPECT_OK(cube->eval(&ctx, NULL, &in, 1, &out, &n, &err), &err);
    assert_int_equal(n, 4);
    const char *want[] = {"[null, null, null]", "[null, null, 3]", "[1, null, null]",
                          "[1, null, 3]"};
    for (uint32_t i = 0; i < n; i++)
        assert_string_equal(fnt_fmt(&out[i], AI), want[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_set_operations, setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_array_functions, setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_map_functions, setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_table_functions, setup, fnt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
