/*
 * test_math.c - mathematical, null-handling and conversion functions, with overload
 * resolution (implicit casts, generics, DECIMAL result types) and NULL/edge inputs.
 */
#include <math.h>

#include "fnt.h"

#define I(x) fnt_int(x)
#define L(x) fnt_big(x)
#define D(x) fnt_dbl(x)
#define DEC(x) fnt_dec(x)
#define S(x) fnt_str(x)
#define NI fnt_null(EDDY_TYPE_INT)
#define ND fnt_null(EDDY_TYPE_DOUBLE)
#define NUL fnt_null(EDDY_TYPE_NULL)

typedef struct {
    fn_expr *e;
    const char *want;
    const char *type;   /* expected result type, or NULL */
} tcase;

static void run(const tcase *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        eddy_value v = fnt_eval(c[i].e);
        const char *got = fnt_fmt(&v, c[i].e->type);
        if (strcmp(got, c[i].want) != 0)
            fail_msg("case %zu (%s): got '%s', want '%s'", i, c[i].e->u.call.fn->name, got,
                     c[i].want);
        if (c[i].type && strcmp(fnt_type_str(c[i].e->type), c[i].type) != 0)
            fail_msg("case %zu (%s): type %s, want %s", i, c[i].e->u.call.fn->name,
                     fnt_type_str(c[i].e->type), c[i].type);
    }
}

static void test_abs_ceil_floor_sign(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("ABS", I(-3)), "3", "INTEGER"},
        {FNT_CALL("ABS", I(INT32_MIN)), "-2147483648", "INTEGER"},
        {FNT_CALL("ABS", L(-3)), "3", "BIGINT"},
        {FNT_CALL("ABS", D(-1.5)), "1.5", "DOUBLE"},
        {FNT_CALL("ABS", DEC("-12.30")), "12.30", "DECIMAL(4, 2)"},
        {FNT_CALL("ABS", NI), "NULL", "INTEGER"},
        {FNT_CALL("CEIL", D(1.2)), "2.0", NULL},
        {FNT_CALL("CEIL", D(-1.2)), "-1.0", NULL},
        {FNT_CALL("CEIL", DEC("1.21")), "2.00", "DECIMAL(3, 2)"},
        {FNT_CALL("CEIL", DEC("-1.21")), "-1.00", NULL},
        {FNT_CALL("FLOOR", DEC("-1.21")), "-2.00", NULL},
        {FNT_CALL("FLOOR", D(1.7)), "1.0", NULL},
        {FNT_CALL("FLOOR", I(7)), "7", "INTEGER"},
        {FNT_CALL("SIGN", D(-0.5)), "-1", "INTEGER"},
        {FNT_CALL("SIGN", L(0)), "0", NULL},
        {FNT_CALL("SIGN", DEC("2.5")), "1", NULL},   /* implicit cast to DOUBLE */
    };
    run(c, EDDY_ARRAY_LEN(c));
}

static void test_round_trunc(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("ROUND", D(1.5)), "2", "BIGINT"},
        {FNT_CALL("ROUND", D(-1.5)), "-1", "BIGINT"},  /* Math.round */
        {FNT_CALL("ROUND", D(2.4)), "2", NULL},
        {FNT_CALL("ROUND", I(5)), "5", "BIGINT"},
        {FNT_CALL("ROUND", D(1.25), I(1)), "1.3", "DOUBLE"},
        {FNT_CALL("ROUND", D(-1.25), I(1)), "-1.2", NULL},  /* HALF_DOWN below zero */
        {FNT_CALL("ROUND", D(1234.5), I(-2)), "1200.0", NULL},
        {FNT_CALL("ROUND", DEC("1.45")), "1", "DECIMAL(1, 0)"},
        {FNT_CALL("ROUND", DEC("-1.5")), "-1", NULL},
        {FNT_CALL("ROUND", DEC("12.345"), I(2)), "12.350", "DECIMAL(5, 3)"},
        {FNT_CALL("ROUND", DEC("12.345"), I(-1)), "10.000", NULL},
        {FNT_CALL("ROUND", ND), "NULL", NULL},
        {FNT_CALL("ROUND", D(1.5), NI), "NULL", NULL},
        {FNT_CALL("TRUNC", D(-1.7)), "-1", "BIGINT"},
        {FNT_CALL("TRUNC", D(1.789), I(2)), "1.78", "DOUBLE"},
        {FNT_CALL("TRUNC", DEC("12.345"), I(1)), "12.300", NULL},
        {FNT_CALL("TRUNC", NI), "NULL", NULL},
    };
    run(c, EDDY_ARRAY_LEN(c));
    FNT_EXPECT(FNT_CALL("ROUND", NI), "NULL");   /* primitive int parameter: NPE */
    assert_int_equal(fnt_nlogged, 1);
}

static void test_double_functions(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("SQRT", I(16)), "4.0", "DOUBLE"},
        {FNT_CALL("SQRT", D(-1)), "NaN", NULL},
        {FNT_CALL("EXP", I(0)), "1.0", NULL},
        {FNT_CALL("LN", D(1)), "0.0", NULL},
        {FNT_CALL("LOG", D(1)), "0.0", NULL},
        {FNT_CALL("LOG", I(2), I(8)), "3.0", NULL},
        {FNT_CALL("LOG", I(1), I(8)), "NaN", NULL},
        {FNT_CALL("POWER", I(2), I(10)), "1024.0", NULL},
        {FNT_CALL("CBRT", D(27)), "3.0", NULL},
        {FNT_CALL("DEGREES", D(0)), "0.0", NULL},
        {FNT_CALL("ATAN2", D(0), D(1)), "0.0", NULL},
        {FNT_CALL("SQRT", ND), "NULL", NULL},
    };
    run(c, EDDY_ARRAY_LEN(c));
    eddy_value v = fnt_eval(FNT_CALL("RANDOM"));
    assert_true(v.u.f64 >= 0 && v.u.f64 < 1);
}

static void test_greatest_least(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("GREATEST", I(1), I(5), NI, I(3)), "5", "INTEGER"},
        {FNT_CALL("LEAST", I(4), NI, I(2)), "2", "INTEGER"},
        {FNT_CALL("GREATEST", S("a"), S("c"), S("b")), "c", "STRING"},
        {FNT_CALL("GREATEST", NI, NI), "NULL", NULL},
        {FNT_CALL("GREATEST", L(1), L(5)), "5", "BIGINT"},
        {FNT_CALL("GREATEST", D(1), D(NAN)), "NaN", "DOUBLE"},     /* Double.compareTo */
        /* The extreme argument as it is, its scale kept (ksqlDB's BigDecimal). */
        {FNT_CALL("LEAST", DEC("1.5"), DEC("12.25")), "1.5", "DECIMAL(4, 2)"},
        {FNT_CALL("GREATEST", DEC("1.5"), DEC("12.25")), "12.25", "DECIMAL(4, 2)"},
        {FNT_CALL("GREATEST", DEC("100.5"), DEC("0.125")), "100.5", "DECIMAL(6, 3)"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    eddy_err err;
    fn_expr *a1[] = {S("a"), I(1)};
    assert_int_equal(fnt_resolve_err("GREATEST", 2, a1, &err), EDDY_ETYPE);
    assert_non_null(strstr(err.msg, "Function 'greatest' does not accept parameters "
                                    "(STRING, INTEGER)."));
    fn_expr *a2[] = {NUL, NUL, NUL, NUL};
    assert_int_equal(fnt_resolve_err("LEAST", 4, a2, &err), EDDY_ETYPE);
    assert_non_null(strstr(err.msg, "Function 'least' cannot be resolved due to ambiguous "
                                    "method parameters (null, null, null, null)."));
    const eddy_type *d5030;
    EXPECT_OK(eddy_type_decimal(&fnt_arena, 50, 30, &d5030, &err), &err);
    fn_expr *a3[] = {I(1), L(2), fnt_null(d5030)};
    assert_int_equal(fnt_resolve_err("GREATEST", 3, a3, &err), EDDY_ETYPE);
    assert_non_null(strstr(err.msg, "cannot be resolved due to ambiguous method parameters "
                                    "(INTEGER, BIGINT, DECIMAL(50, 30))."));
    /* INTEGER, BIGINT: BIGINT..., DECIMAL... and DOUBLE... all accept with casts */
    fn_expr *a5[] = {I(1), L(2)};
    assert_int_equal(fnt_resolve_err("GREATEST", 2, a5, &err), EDDY_ETYPE);
    fn_expr *a4[] = {0};
    assert_int_equal(fnt_resolve_err("GREATEST", 0, a4, &err), EDDY_ETYPE);
    assert_non_null(strstr(err.msg, "Function 'greatest' does not accept parameters ()."));
}

static void test_geo_distance(void **state)
{
    (void)state;
    /* a quarter of a great circle: R * pi / 2 */
    eddy_value v = fnt_eval(FNT_CALL("GEO_DISTANCE", D(0), D(0), D(0), D(90)));
    assert_true(fabs(v.u.f64 - 6371 * M_PI / 2) < 1e-9);
    v = fnt_eval(FNT_CALL("GEO_DISTANCE", D(0), D(0), D(90), D(0), S(" Miles ")));
    assert_true(fabs(v.u.f64 - 3959 * M_PI / 2) < 1e-9);
    v = fnt_eval(FNT_CALL("GEO_DISTANCE", I(10), I(20), I(10), I(20), S("km")));
    assert_true(v.u.f64 == 0.0);
    FNT_EXPECT(FNT_CALL("GEO_DISTANCE", D(91), D(0), D(0), D(0)), "NULL");
    FNT_EXPECT(FNT_CALL("GEO_DISTANCE", D(1), D(0), D(0), D(0), S("parsecs")), "NULL");
    FNT_EXPECT(FNT_CALL("GEO_DISTANCE", ND, D(0), D(0), D(0)), "NULL");
    assert_int_equal(fnt_nlogged, 3);
}

static void test_null_functions(void **state)
{
    (void)state;
    const eddy_type *ai = fnt_type("ARRAY<INT>");
    const tcase c[] = {
        {FNT_CALL("COALESCE", NI, I(2), I(3)), "2", "INTEGER"},
        {FNT_CALL("COALESCE", NI, NI), "NULL", NULL},
        {FNT_CALL("COALESCE", NUL, S("x")), "x", "STRING"},
        {FNT_CALL("IFNULL", fnt_null(ai), fnt_node(FN_ARRAY, ai, 2, I(10), I(20))), "[10, 20]",
         "ARRAY<INTEGER>"},
        {FNT_CALL("IFNULL", S("a"), S("b")), "a", NULL},
        {FNT_CALL("NULLIF", I(1), I(1)), "NULL", NULL},
        {FNT_CALL("NULLIF", I(1), I(2)), "1", NULL},
        {FNT_CALL("NULLIF", I(1), NI), "1", NULL},
        {FNT_CALL("AS_VALUE", S("k")), "k", "STRING"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    /* generics do not widen: COALESCE(INTEGER, BIGINT) has no match */
    eddy_err err;
    fn_expr *a[] = {I(1), L(2)};
    assert_int_equal(fnt_resolve_err("COALESCE", 2, a, &err), EDDY_ETYPE);
}

static void test_bytes_conversions(void **state)
{
    (void)state;
    fn_expr *b4 = fnt_lit(eddy_value_bytes("\x00\x00\x01\x02", 4), EDDY_TYPE_BYTES);
    fn_expr *b8 = fnt_lit(eddy_value_bytes("\x3f\xf0\x00\x00\x00\x00\x00\x00", 8),
                          EDDY_TYPE_BYTES);
    const tcase c[] = {
        {FNT_CALL("INT_FROM_BYTES", b4), "258", "INTEGER"},
        {FNT_CALL("INT_FROM_BYTES", b4, S("LITTLE_ENDIAN")), "33619968", NULL},
        {FNT_CALL("DOUBLE_FROM_BYTES", b8), "1.0", NULL},
        {FNT_CALL("BIGINT_FROM_BYTES", b8), "4607182418800017408", NULL},
    };
    run(c, EDDY_ARRAY_LEN(c));
    FNT_EXPECT(FNT_CALL("INT_FROM_BYTES", b8), "NULL");
    assert_string_equal(fnt_last_log, "Number of bytes must be equal to 4, but found 8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_abs_ceil_floor_sign, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_round_trunc, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_double_functions, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_greatest_least, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_geo_distance, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_null_functions, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_bytes_conversions, fnt_setup, fnt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
