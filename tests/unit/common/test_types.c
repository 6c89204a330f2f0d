/* Unit tests: SQL types - constructors, text form and parser, equality, implicit casts,
 * coercion to a common type and arithmetic result types (common/types.c). */
#include "testutil.h"

static eddy_arena arena;

static int setup(void **state)
{
    (void)state;
    eddy_arena_init(&arena, 4096);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    eddy_arena_destroy(&arena);
    return 0;
}

static const eddy_type *T(const char *text)
{
    eddy_err err;
    eddy_err_clear(&err);
    const eddy_type *t = NULL;
    int rc = eddy_type_parse(&arena, text, strlen(text), &t, &err);
    if (rc)
        fail_msg("parse '%s': %s", text, err.msg);
    return t;
}

static void assert_type_text(const eddy_type *t, const char *want)
{
    eddy_buf b;
    eddy_buf_init(&b);
    assert_int_equal(eddy_type_format(t, &b), 0);
    assert_string_equal(eddy_buf_cstr(&b), want);
    eddy_buf_free(&b);
}

static void test_primitives_are_singletons(void **state)
{
    (void)state;
    assert_ptr_equal(EDDY_TYPE_INT, eddy_type_prim(EDDY_T_INT));
    assert_int_equal(EDDY_TYPE_INT->kind, EDDY_T_INT);
    assert_int_equal(EDDY_TYPE_TIMESTAMP->kind, EDDY_T_TIMESTAMP);
    assert_null(eddy_type_prim(EDDY_T_DECIMAL));
    assert_null(eddy_type_prim(EDDY_T_ARRAY));
    assert_null(eddy_type_prim(EDDY_T_KIND_COUNT_));
    assert_string_equal(eddy_type_kind_name(EDDY_T_INT), "INTEGER");
    assert_string_equal(eddy_type_kind_name(EDDY_T_STRING), "STRING");
    assert_string_equal(eddy_type_kind_name(EDDY_T_NULL), "NULL");
    assert_true(eddy_type_is_numeric(EDDY_TYPE_DOUBLE));
    assert_false(eddy_type_is_numeric(EDDY_TYPE_STRING));
    assert_true(eddy_type_is_time(EDDY_TYPE_DATE));
    assert_false(eddy_type_is_time(EDDY_TYPE_BIGINT));
}

/* Parse then print: ksqlDB's SqlType.toString forms. */
static void test_parse_and_format(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"INT", "INTEGER"},
        {"integer", "INTEGER"},
        {"BIGINT", "BIGINT"},
        {"boolean", "BOOLEAN"},
        {"Double", "DOUBLE"},
        {"VARCHAR", "STRING"},
        {"string", "STRING"},
        {"BYTES", "BYTES"},
        {"TIMESTAMP", "TIMESTAMP"},
        {"DATE", "DATE"},
        {"TIME", "TIME"},
        {"DECIMAL(4,2)", "DECIMAL(4, 2)"},
        {" decimal ( 38 , 0 ) ", "DECIMAL(38, 0)"},
        {"ARRAY<VARCHAR>", "ARRAY<STRING>"},
        {"array<array<int>>", "ARRAY<ARRAY<INTEGER>>"},
        {"MAP<STRING, INT>", "MAP<STRING, INTEGER>"},
        {"MAP<BIGINT,DECIMAL(10,3)>", "MAP<BIGINT, DECIMAL(10, 3)>"},
        {"STRUCT<a INT, b STRING>", "STRUCT<`A` INTEGER, `B` STRING>"},
        {"STRUCT<`a` INT, `B c` ARRAY<STRING>>", "STRUCT<`a` INTEGER, `B c` ARRAY<STRING>>"},
        {"STRUCT<>", "STRUCT< >"},
        {"STRUCT<s STRUCT<x DOUBLE>, m MAP<STRING, STRUCT<>>>",
         "STRUCT<`S` STRUCT<`X` DOUBLE>, `M` MAP<STRING, STRUCT< >>>"},
        {"STRUCT<`we``ird` INT>", "STRUCT<`we`ird` INTEGER>"},
        {"NULL", "NULL"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++)
        assert_type_text(T(cases[i].in), cases[i].out);
}

/* The printed form parses back to an equal type. */
static void test_format_round_trips(void **state)
{
    (void)state;
    static const char *texts[] = {
        "STRUCT<A INT, B ARRAY<MAP<STRING, DECIMAL(7, 3)>>, C STRUCT<D TIMESTAMP>>",
        "MAP<INTEGER, ARRAY<BYTES>>", "DECIMAL(1, 1)", "ARRAY<STRUCT<x DATE, y TIME>>",
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(texts); i++) {
        const eddy_type *t = T(texts[i]);
        eddy_buf b;
        eddy_buf_init(&b);
        assert_int_equal(eddy_type_format(t, &b), 0);
        const eddy_type *u = T(eddy_buf_cstr(&b));
        assert_true(eddy_type_equal(t, u));
        eddy_buf_free(&b);
    }
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct { const char *in; int code; const char *msg; } cases[] = {
        {"", EDDY_EPARSE, "expected a type name"},
        {"FOO", EDDY_EPARSE, "Cannot resolve unknown type: FOO"},
        {"ARRAY<INT", EDDY_EPARSE, "expected '>'"},
        {"ARRAY INT", EDDY_EPARSE, "expected '<'"},
        {"MAP<STRING>", EDDY_EPARSE, "expected ','"},
        {"DECIMAL(4)", EDDY_EPARSE, "expected ','"},
        {"DECIMAL(a,1)", EDDY_EPARSE, "expected a number"},
        {"INT INT", EDDY_EPARSE, "unexpected text"},
        {"STRUCT<A>", EDDY_EPARSE, "expected a type name"},
        {"STRUCT<`A INT>", EDDY_EPARSE, "unterminated"},
        {"DECIMAL(0,0)", EDDY_ETYPE, "DECIMAL precision must be >= 1: DECIMAL(0,0)"},
        {"DECIMAL(2,3)", EDDY_ETYPE, "DECIMAL precision must be >= scale: DECIMAL(2,3)"},
        {"DECIMAL(1001,3)", EDDY_ETYPE, "DECIMAL precision must be <= 1000"},
        {"STRUCT<a INT, A STRING>", EDDY_ETYPE, "Duplicate field names found in STRUCT"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        const eddy_type *t = NULL;
        int rc = eddy_type_parse(&arena, cases[i].in, strlen(cases[i].in), &t, &err);
        if (rc != cases[i].code || !strstr(err.msg, cases[i].msg))
            fail_msg("case '%s': rc %d msg '%s'", cases[i].in, rc, err.msg);
    }
}

static void test_constructors(void **state)
{
    (void)state;
    eddy_err err;
    eddy_err_clear(&err);
    const eddy_type *d;
    assert_int_equal(eddy_type_decimal(&arena, 4, 2, &d, &err), 0);
    assert_int_equal(d->precision, 4);
    assert_int_equal(d->scale, 2);
    assert_int_equal(eddy_type_decimal(&arena, 3, -1, &d, &err), EDDY_ETYPE);
    assert_string_equal(err.msg, "DECIMAL scale must be >= 0: DECIMAL(3,-1)");

    const eddy_type *arr = eddy_type_array(&arena, EDDY_TYPE_STRING);
    assert_int_equal(arr->kind, EDDY_T_ARRAY);
    assert_ptr_equal(arr->elem, EDDY_TYPE_STRING);
    const eddy_type *m = eddy_type_map(&arena, EDDY_TYPE_STRING, EDDY_TYPE_INT);
    assert_ptr_equal(m->key, EDDY_TYPE_STRING);
    assert_ptr_equal(m->elem, EDDY_TYPE_INT);

    char name[8] = "a";
    eddy_type_field f[2] = {{name, EDDY_TYPE_INT}, {"B", arr}};
    const eddy_type *s;
    eddy_err_clear(&err);
    assert_int_equal(eddy_type_struct(&arena, f, 2, &s, &err), 0);
    name[0] = 'z'; /* names are copied */
    assert_string_equal(s->fields[0].name, "a");
    uint32_t idx = 9;
    assert_non_null(eddy_type_field_find(s, "B", 1, &idx));
    assert_int_equal(idx, 1);
    assert_null(eddy_type_field_find(s, "b", 1, NULL)); /* exact, case-sensitive */
    assert_null(eddy_type_field_find(s, "A", 1, NULL));
    assert_null(eddy_type_field_find(EDDY_TYPE_INT, "A", 1, NULL));

    eddy_type_field empty[1] = {{"", EDDY_TYPE_INT}};
    eddy_err_clear(&err);
    assert_int_equal(eddy_type_struct(&arena, empty, 1, &s, &err), EDDY_ETYPE);

    /* Allocation failure inside the arena's first block allocation. */
    eddy_arena fresh;
    eddy_arena_init(&fresh, 1024);
    eddy_alloc_fail_after(0);
    assert_null(eddy_type_array(&fresh, EDDY_TYPE_INT));
    eddy_alloc_fail_after(0);
    eddy_err_clear(&err);
    assert_int_equal(eddy_type_decimal(&fresh, 4, 2, &d, &err), EDDY_ENOMEM);
    eddy_alloc_fail_after(-1);
    eddy_arena_destroy(&fresh);
}

static void test_equality(void **state)
{
    (void)state;
    static const struct { const char *a, *b; bool eq; } cases[] = {
        {"INT", "INTEGER", true},
        {"INT", "BIGINT", false},
        {"DECIMAL(4,2)", "DECIMAL(4, 2)", true},
        {"DECIMAL(4,2)", "DECIMAL(5,2)", false},
        {"DECIMAL(4,2)", "DECIMAL(4,1)", false},
        {"ARRAY<INT>", "ARRAY<INT>", true},
        {"ARRAY<INT>", "ARRAY<BIGINT>", false},
        {"MAP<STRING,INT>", "MAP<VARCHAR,INT>", true},
        {"MAP<STRING,INT>", "MAP<INT,INT>", false},
        {"STRUCT<A INT>", "STRUCT<`A` INT>", true},
        {"STRUCT<A INT>", "STRUCT<`a` INT>", false},
        {"STRUCT<A INT, B INT>", "STRUCT<B INT, A INT>", false},
        {"STRUCT<A INT>", "STRUCT<A INT, B INT>", false},
        {"STRUCT<>", "STRUCT<>", true},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++)
        if (eddy_type_equal(T(cases[i].a), T(cases[i].b)) != cases[i].eq)
            fail_msg("case %s vs %s", cases[i].a, cases[i].b);
    assert_true(eddy_type_equal(NULL, NULL));
    assert_false(eddy_type_equal(NULL, EDDY_TYPE_INT));
}

static void test_implicit_cast(void **state)
{
    (void)state;
    static const struct { const char *from, *to; bool ok; } cases[] = {
        {"INT", "INT", true},
        {"INT", "BIGINT", true},
        {"INT", "DECIMAL(2,0)", true},
        {"INT", "DOUBLE", true},
        {"BIGINT", "INT", false},
        {"DOUBLE", "DECIMAL(10,2)", false},
        {"DECIMAL(4,2)", "DECIMAL(5,2)", true},
        {"DECIMAL(4,2)", "DECIMAL(5,3)", true},
        {"DECIMAL(4,2)", "DECIMAL(4,3)", false}, /* fewer integer digits */
        {"DECIMAL(4,2)", "DECIMAL(4,1)", false}, /* smaller scale */
        {"DECIMAL(4,2)", "DOUBLE", true},
        {"STRING", "TIMESTAMP", true},
        {"STRING", "DATE", true},
        {"STRING", "TIME", true},
        {"STRING", "BYTES", true},
        {"STRING", "INT", false},
        {"INT", "STRING", false},
        {"BOOLEAN", "STRING", false},
        {"ARRAY<INT>", "ARRAY<BIGINT>", true},
        {"ARRAY<BIGINT>", "ARRAY<INT>", false},
        {"MAP<STRING,INT>", "MAP<STRING,DOUBLE>", true},
        {"STRUCT<A INT>", "STRUCT<A INT>", true},
        {"STRUCT<A INT>", "STRUCT<A BIGINT>", false},
        {"DATE", "TIMESTAMP", false},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++)
        if (eddy_type_can_implicitly_cast(T(cases[i].from), T(cases[i].to)) != cases[i].ok)
            fail_msg("case %s -> %s", cases[i].from, cases[i].to);
}

/* eddy_type_coerce with strict and lax rules; NULL expected = not coercible. */
static void test_coerce(void **state)
{
    (void)state;
    static const struct { const char *from, *to; bool lax; const char *want; } cases[] = {
        {"INT", "BIGINT", false, "BIGINT"},
        {"INT", "DOUBLE", false, "DOUBLE"},
        {"INT", "DECIMAL(4,2)", false, "DECIMAL(12, 2)"},
        {"BIGINT", "DECIMAL(4,2)", false, "DECIMAL(21, 2)"},
        {"DECIMAL(4,2)", "DECIMAL(5,1)", false, "DECIMAL(6, 2)"},
        {"DECIMAL(4,2)", "DOUBLE", false, "DOUBLE"},
        {"DOUBLE", "DECIMAL(4,2)", false, NULL},
        {"BIGINT", "INT", false, NULL},
        {"STRING", "INT", false, NULL},
        {"STRING", "INT", true, "INTEGER"},
        {"STRING", "BOOLEAN", true, "BOOLEAN"},
        {"STRING", "TIMESTAMP", false, "TIMESTAMP"},
        {"STRING", "BYTES", false, "BYTES"},
        {"INT", "STRING", false, NULL},
        {"INT", "STRING", true, "STRING"},
        {"DATE", "STRING", true, "STRING"},
        {"BYTES", "STRING", true, NULL},
        {"BOOLEAN", "BOOLEAN", false, "BOOLEAN"},
        {"NULL", "ARRAY<INT>", false, "ARRAY<INTEGER>"},
        {"ARRAY<INT>", "ARRAY<BIGINT>", false, "ARRAY<BIGINT>"},
        {"ARRAY<INT>", "ARRAY<STRING>", false, NULL},
        {"ARRAY<INT>", "MAP<STRING,INT>", false, NULL},
        {"MAP<STRING,INT>", "MAP<STRING,DOUBLE>", false, "MAP<STRING, DOUBLE>"},
        {"MAP<STRING,INT>", "MAP<STRING,BOOLEAN>", false, NULL},
        {"STRUCT<A INT, B STRING>", "STRUCT<A BIGINT, C DOUBLE>", false,
         "STRUCT<`A` BIGINT, `B` STRING, `C` DOUBLE>"},
        {"STRUCT<A INT>", "STRUCT<A BOOLEAN>", false, NULL},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        const eddy_type *out = (const eddy_type *)1;
        assert_int_equal(eddy_type_coerce(&arena, T(cases[i].from), T(cases[i].to),
                                          cases[i].lax, &out, &err), 0);
        if (!cases[i].want) {
            if (out)
                fail_msg("case %s -> %s: expected no coercion", cases[i].from, cases[i].to);
            continue;
        }
        if (!out)
            fail_msg("case %s -> %s: no coercion", cases[i].from, cases[i].to);
        assert_type_text(out, cases[i].want);
    }
}

static void test_common_type(void **state)
{
    (void)state;
    static const struct { const char *a, *b, *want; } cases[] = {
        {"INT", "BIGINT", "BIGINT"},
        {"BIGINT", "INT", "BIGINT"},
        {"DOUBLE", "DECIMAL(4,2)", "DOUBLE"},
        {"DECIMAL(4,2)", "INT", "DECIMAL(12, 2)"},
        {"NULL", "STRING", "STRING"},
        {"STRING", "NULL", "STRING"},
        {"TIMESTAMP", "STRING", "TIMESTAMP"},
        {"ARRAY<INT>", "ARRAY<DOUBLE>", "ARRAY<DOUBLE>"},
        {"INT", "STRING", NULL},
        {"BOOLEAN", "INT", NULL},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        const eddy_type *out = NULL;
        int rc = eddy_type_common(&arena, T(cases[i].a), T(cases[i].b), &out, &err);
        if (!cases[i].want) {
            assert_int_equal(rc, EDDY_ETYPE);
            assert_non_null(strstr(err.msg, "operator does not exist"));
            continue;
        }
        assert_int_equal(rc, 0);
        assert_type_text(out, cases[i].want);
    }
}

/* Operator.resultType with SqlDecimal's rules. */
static void test_arith_result_types(void **state)
{
    (void)state;
    static const struct { char op; const char *l, *r, *want; } cases[] = {
        {'+', "INT", "INT", "INTEGER"},
        {'+', "INT", "BIGINT", "BIGINT"},
        {'*', "BIGINT", "INT", "BIGINT"},
        {'/', "INT", "DOUBLE", "DOUBLE"},
        {'-', "DECIMAL(4,2)", "DOUBLE", "DOUBLE"},
        {'+', "STRING", "STRING", "STRING"},
        {'+', "DECIMAL(4,2)", "DECIMAL(4,2)", "DECIMAL(5, 2)"},
        {'+', "DECIMAL(4,2)", "DECIMAL(3,2)", "DECIMAL(5, 2)"},
        {'-', "DECIMAL(10,2)", "DECIMAL(4,3)", "DECIMAL(12, 3)"},
        {'*', "DECIMAL(4,2)", "DECIMAL(4,2)", "DECIMAL(9, 4)"},
        {'/', "DECIMAL(4,2)", "DECIMAL(4,2)", "DECIMAL(11, 7)"},
        {'/', "DECIMAL(2,1)", "DECIMAL(2,1)", "DECIMAL(8, 6)"},
        {'%', "DECIMAL(4,2)", "DECIMAL(4,2)", "DECIMAL(4, 2)"},
        {'%', "DECIMAL(10,2)", "DECIMAL(4,3)", "DECIMAL(4, 3)"},
        {'+', "DECIMAL(4,2)", "INT", "DECIMAL(13, 2)"},
        {'*', "BIGINT", "DECIMAL(4,2)", "DECIMAL(24, 2)"},
        {'+', "DECIMAL(38,0)", "DECIMAL(38,0)", "DECIMAL(39, 0)"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        const eddy_type *out = NULL;
        int rc = eddy_type_arith(&arena, cases[i].op, T(cases[i].l), T(cases[i].r), &out, &err);
        if (rc)
            fail_msg("case %s %c %s: %s", cases[i].l, cases[i].op, cases[i].r, err.msg);
        assert_type_text(out, cases[i].want);
    }
    static const struct { char op; const char *l, *r, *msg; } bad[] = {
        {'+', "INT", "STRING", "Unsupported arithmetic types. INTEGER STRING"},
        {'-', "STRING", "STRING", "Unsupported arithmetic types. STRING STRING"},
        {'+', "BOOLEAN", "INT", "Unsupported arithmetic types. BOOLEAN INTEGER"},
        {'*', "ARRAY<INT>", "INT", "Unsupported arithmetic types. ARRAY INTEGER"},
        {'+', "NULL", "INT", "Arithmetic on types null and INTEGER are not supported."},
        {'+', "DATE", "INT", "Unsupported arithmetic types. DATE INTEGER"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(bad); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        const eddy_type *out = NULL;
        assert_int_equal(eddy_type_arith(&arena, bad[i].op, T(bad[i].l), T(bad[i].r), &out, &err),
                         EDDY_ETYPE);
        assert_string_equal(err.msg, bad[i].msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_primitives_are_singletons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_and_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constructors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_equality, setup, teardown),
        cmocka_unit_test_setup_teardown(test_implicit_cast, setup, teardown),
        cmocka_unit_test_setup_teardown(test_coerce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_common_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arith_result_types, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
