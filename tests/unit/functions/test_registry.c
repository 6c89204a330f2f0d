/*
 * test_registry.c - the registry (sorted, case-insensitive lookup, metadata for SHOW
 * FUNCTIONS) and the signature matcher: every declared signature parses, exact matches win
 * over implicit casts, generics bind, variadic tails, fn_call_build's casts.
 */
#include <strings.h>

#include "fnt.h"

static void test_registry_sorted_and_complete(void **state)
{
    (void)state;
    int n = 0;
    const fn_scalar *prev = NULL, *f;
    eddy_err err;
    for (int i = 0; (f = fn_scalar_at(i)); i++, n++) {
        assert_non_null(f->description);
        assert_non_null(f->category);
        assert_non_null(f->eval);
        if (prev)
            assert_true(strcasecmp(prev->name, f->name) < 0);
        prev = f;
        /* resolving parses every signature: none may be malformed */
        fn_resolved r;
        eddy_err_clear(&err);
        int rc = fn_scalar_resolve(f, &fnt_arena, NULL, 0, &r, &err);
        if (rc)
            assert_null(strstr(err.msg, "internal"));
        assert_ptr_equal(fn_scalar_find(f->name), f);
    }
    assert_true(n >= 120);
    assert_null(fn_scalar_at(-1));
    assert_null(fn_scalar_at(n));
    assert_ptr_equal(fn_scalar_find("substring"), fn_scalar_find("SUBSTRING"));
    assert_ptr_equal(fn_scalar_find("Ucase"), fn_scalar_find("UCASE"));
    assert_null(fn_scalar_find("NO_SUCH_FUNCTION"));
    for (int i = 0; fn_table_at(i); i++)
        assert_non_null(fn_table_at(i)->description);
}

static void test_exact_match_beats_implicit_cast(void **state)
{
    (void)state;
    /* ABS(INTEGER) exists: no widening to BIGINT/DOUBLE */
    fn_expr *a = FNT_CALL("ABS", fnt_int(-1));
    assert_string_equal(fnt_type_str(a->type), "INTEGER");
    assert_int_equal(a->u.call.variant, 0);
    assert_int_equal(a->args[0]->kind, FN_LITERAL);
    /* SQRT only takes DOUBLE: the INTEGER argument gets a CAST node */
    fn_expr *s = FNT_CALL("SQRT", fnt_int(4));
    assert_int_equal(s->args[0]->kind, FN_CAST);
    assert_string_equal(fnt_type_str(s->args[0]->type), "DOUBLE");
    /* STRING to TIMESTAMP is an implicit cast too */
    fn_expr *u = FNT_CALL("UNIX_TIMESTAMP", fnt_str("1970-01-01T00:00:01"));
    assert_int_equal(u->args[0]->kind, FN_CAST);
    FNT_EXPECT(u, "1000");
    /* an INTEGER to a DECIMAL parameter becomes DECIMAL(10, 0) */
    fn_expr *r = FNT_CALL("ROUND", fnt_dec("1.25"), fnt_int(1));
    assert_string_equal(fnt_type_str(r->type), "DECIMAL(3, 2)");
    FNT_EXPECT(r, "1.30");
}

static void test_generics_and_variadics(void **state)
{
    (void)state;
    const eddy_type *as = fnt_type("ARRAY<STRING>");
    fn_expr *arr = fnt_node(FN_ARRAY, as, 1, fnt_str("a"));
    fn_expr *c = FNT_CALL("ARRAY_CONTAINS", arr, fnt_str("a"));
    assert_string_equal(fnt_type_str(c->type), "BOOLEAN");
    eddy_err err;
    fn_expr *bad[] = {arr, fnt_int(1)};
    assert_int_equal(fnt_resolve_err("ARRAY_CONTAINS", 2, bad, &err), EDDY_ETYPE);
    /* variadic: zero, one and many trailing arguments */
    FNT_EXPECT(FNT_CALL("CONCAT", fnt_str("a")), "a");
    FNT_EXPECT(FNT_CALL("CONCAT", fnt_str("a"), fnt_str("b"), fnt_str("c"), fnt_str("d")),
               "abcd");
    FNT_EXPECT(FNT_CALL("GREATEST", fnt_int(3)), "3");
    fn_expr *none[] = {0};
    assert_int_equal(fnt_resolve_err("COALESCE", 0, none, &err), EDDY_ETYPE);
    /* named as declared (Coalesce.NAME_TEXT), as ksqlDB's UdfIndex prints it */
    assert_non_null(strstr(err.msg, "Function 'COALESCE' does not accept parameters ()."));
    assert_non_null(strstr(err.msg, "Valid alternatives are:\nCOALESCE(T first, T others...)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_registry_sorted_and_complete, fnt_setup,
                                        fnt_teardown),
        cmocka_unit_test_setup_teardown(test_exact_match_beats_implicit_cast, fnt_setup,
                                        fnt_teardown),
        cmocka_unit_test_setup_teardown(test_generics_and_variadics, fnt_setup, fnt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
