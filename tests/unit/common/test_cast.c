/* Unit tests: CAST (common/cast.c) - ksqlDB's CastEvaluator matrix, conversions, to-string
 * text, element-wise composite casts and unsupported pairs. */
#include "testutil.h"

#include <math.h>

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
    const eddy_type *t = NULL;
    eddy_err_clear(&err);
    if (eddy_type_parse(&arena, text, strlen(text), &t, &err))
        fail_msg("type '%s': %s", text, err.msg);
    return t;
}

static eddy_value S(const char *s) { return eddy_value_string(s, strlen(s)); }

static eddy_value DEC(const char *s)
{
    eddy_decimal d;
    eddy_err err;
    eddy_err_clear(&err);
    if (eddy_decimal_parse(s, strlen(s), &d, &err))
        fail_msg("decimal '%s': %s", s, err.msg);
    return eddy_value_decimal(&d);
}

static eddy_value ARR(eddy_type_kind kind, int n, ...)
{
    int total = kind == EDDY_T_MAP ? 2 * n : n;
    eddy_value *items = eddy_arena_calloc(&arena, (size_t)(total ? total : 1) * sizeof *items);
    assert_non_null(items);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < total; i++)
        items[i] = va_arg(ap, eddy_value);
    va_end(ap);
    return eddy_value_composite(kind, items, (uint32_t)n);
}

typedef struct cast_case {
    const char *from;
    eddy_value v;
    const char *to;
    int code;
    const char *want;   /* text of the result (eddy_value_format) or an error substring */
} cast_case;

static void run_cases(const cast_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const cast_case *c = &cases[i];
        const eddy_type *from = T(c->from), *to = T(c->to);
        eddy_err err;
        eddy_err_clear(&err);
        eddy_value out;
        memset(&out, 0xab, sizeof out);
        int rc = eddy_cast(&c->v, from, to, &arena, &out, &err);
        if (rc != c->code)
            fail_msg("case %zu %s -> %s: rc %d (%s)", i, c->from, c->to, rc, err.msg);
        if (rc) {
            if (!strstr(err.msg, c->want))
                fail_msg("case %zu %s -> %s: message '%s'", i, c->from, c->to, err.msg);
            continue;
        }
        if (out.kind != to->kind)
            fail_msg("case %zu %s -> %s: kind %d", i, c->from, c->to, out.kind);
        eddy_buf b;
        eddy_buf_init(&b);
        assert_int_equal(eddy_value_format(&out, to, &b), 0);
        if (strcmp(eddy_buf_cstr(&b), c->want) != 0)
            fail_msg("case %zu %s -> %s: got '%s' want '%s'", i, c->from, c->to,
                     eddy_buf_cstr(&b), c->want);
        eddy_buf_free(&b);
    }
}

static void test_numeric(void **state)
{
    (void)state;
    const cast_case cases[] = {
        {"INT", eddy_value_int(5), "BIGINT", 0, "5"},
        {"INT", eddy_value_int(5), "DOUBLE", 0, "5.0"},
        {"INT", eddy_value_int(5), "DECIMAL(3,1)", 0, "5.0"},
        {"INT", eddy_value_int(-12345), "DECIMAL(5,0)", 0, "-12345"},
        {"INT", eddy_value_int(12345), "DECIMAL(4,0)", EDDY_ERANGE, "Numeric field overflow"},
        {"INT", eddy_value_int(-7), "STRING", 0, "-7"},
        {"BIGINT", eddy_value_bigint(4294967303LL), "INT", 0, "7"},
        {"BIGINT", eddy_value_bigint(3000000000LL), "INT", 0, "-1294967296"},
        {"BIGINT", eddy_value_bigint(9007199254740993LL), "DOUBLE", 0, "9.007199254740992E15"},
        {"BIGINT", eddy_value_bigint(INT64_MAX), "DECIMAL(19,0)", 0, "9223372036854775807"},
        {"BIGINT", eddy_value_bigint(INT64_MIN), "STRING", 0, "-9223372036854775808"},
        {"DOUBLE", eddy_value_double(3.99), "INT", 0, "3"},
        {"DOUBLE", eddy_value_double(-3.99), "INT", 0, "-3"},
        {"DOUBLE", eddy_value_double(1e10), "INT", 0, "2147483647"},
        {"DOUBLE", eddy_value_double(-1e10), "INT", 0, "-2147483648"},
        {"DOUBLE", eddy_value_double(NAN), "INT", 0, "0"},
        {"DOUBLE", eddy_value_double(INFINITY), "BIGINT", 0, "9223372036854775807"},
        {"DOUBLE", eddy_value_double(-1e300), "BIGINT", 0, "-9223372036854775808"},
        {"DOUBLE", eddy_value_double(1e10), "BIGINT", 0, "10000000000"},
        {"DOUBLE", eddy_value_double(1.5), "DECIMAL(2,1)", 0, "1.5"},
        {"DOUBLE", eddy_value_double(1.25), "DECIMAL(2,1)", 0, "1.3"},
        {"DOUBLE", eddy_value_double(NAN), "DECIMAL(2,1)", EDDY_EINVAL, "Infinite or NaN"},
        {"DOUBLE", eddy_value_double(10.3), "STRING", 0, "10.3"},
        {"DOUBLE", eddy_value_double(1e7), "STRING", 0, "1.0E7"},
        {"DOUBLE", eddy_value_double(-0.0), "STRING", 0, "-0.0"},
        {"DOUBLE", eddy_value_double(NAN), "STRING", 0, "NaN"},
        {"DOUBLE", eddy_value_double(0.0001), "STRING", 0, "1.0E-4"},
        {"DECIMAL(4,2)", DEC("12.99"), "INT", 0, "12"},
        {"DECIMAL(4,2)", DEC("-12.99"), "BIGINT", 0, "-12"},
        {"DECIMAL(3,2)", DEC("1.25"), "DECIMAL(2,1)", 0, "1.3"},
        {"DECIMAL(3,2)", DEC("9.99"), "DECIMAL(2,1)", 0, "10.0"},
        {"DECIMAL(5,2)", DEC("123.45"), "DECIMAL(4,2)", EDDY_ERANGE, "Numeric field overflow"},
        {"DECIMAL(5,2)", DEC("123.45"), "DECIMAL(5,2)", 0, "123.45"},
        {"DECIMAL(2,1)", DEC("0.1"), "DOUBLE", 0, "0.1"},
        {"DECIMAL(3,2)", DEC("1.50"), "STRING", 0, "1.50"},
        {"DECIMAL(8,7)", DEC("0.0000001"), "STRING", 0, "0.0000001"},
        {"DECIMAL(20,0)", DEC("18446744073709551621"), "BIGINT", 0, "5"},
        {"BOOLEAN", eddy_value_bool(true), "STRING", 0, "true"},
        {"BOOLEAN", eddy_value_bool(false), "STRING", 0, "false"},
    };
    run_cases(cases, EDDY_ARRAY_LEN(cases));
}

static void test_from_string(void **state)
{
    (void)state;
    const cast_case cases[] = {
        {"STRING", S(" 42 "), "INT", 0, "42"},
        {"STRING", S("-2147483648"), "INT", 0, "-2147483648"},
        {"STRING", S("4.2"), "INT", EDDY_EINVAL, "For input string"},
        {"STRING", S("2147483648"), "INT", EDDY_EINVAL, "For input string"},
        {"STRING", S(""), "INT", EDDY_EINVAL, "For input string"},
        {"STRING", S("9223372036854775807"), "BIGINT", 0, "9223372036854775807"},
        {"STRING", S("1e3"), "BIGINT", EDDY_EINVAL, "For input string"},
        {"STRING", S(" 1.5 "), "DOUBLE", 0, "1.5"},
        {"STRING", S("1.5d"), "DOUBLE", 0, "1.5"},
        {"STRING", S("-1e-5"), "DOUBLE", 0, "-1.0E-5"},
        {"STRING", S("NaN"), "DOUBLE", EDDY_EINVAL, "Invalid double value"},
        {"STRING", S("Infinity"), "DOUBLE", EDDY_EINVAL, "Invalid double value"},
        {"STRING", S("1e400"), "DOUBLE", EDDY_EINVAL, "Invalid double value"},
        {"STRING", S("abc"), "DOUBLE", EDDY_EINVAL, "For input string"},
        {"STRING", S("1.234"), "DECIMAL(3,2)", 0, "1.23"},
        {"STRING", S("1.235"), "DECIMAL(3,2)", 0, "1.24"},
        {"STRING", S("  12.5 "), "DECIMAL(4,1)", 0, "12.5"},
        {"STRING", S("123.4"), "DECIMAL(3,1)", EDDY_ERANGE, "Numeric field overflow"},
        {"STRING", S("1,5"), "DECIMAL(3,1)", EDDY_EINVAL, "not a valid decimal"},
        {"STRING", S("true"), "BOOLEAN", 0, "true"},
        {"STRING", S("TRUE"), "BOOLEAN", 0, "true"},
        {"STRING", S("t"), "BOOLEAN", 0, "true"},
        {"STRING", S("tR"), "BOOLEAN", 0, "true"},
        {"STRING", S("yes"), "BOOLEAN", 0, "true"},
        {"STRING", S("Y"), "BOOLEAN", 0, "true"},
        {"STRING", S(" true "), "BOOLEAN", 0, "true"},
        {"STRING", S("false"), "BOOLEAN", 0, "false"},
        {"STRING", S("no"), "BOOLEAN", 0, "false"},
        {"STRING", S("trueX"), "BOOLEAN", 0, "false"},
        {"STRING", S("yess"), "BOOLEAN", 0, "false"},
        {"STRING", S(""), "BOOLEAN", 0, "false"},
        {"STRING", S("1"), "BOOLEAN", 0, "false"},
        {"STRING", S("2020-05-26T23:59:58.000"), "TIMESTAMP", 0, "2020-05-26T23:59:58.000"},
        {"STRING", S(" 2020-05-26 "), "TIMESTAMP", 0, "2020-05-26T00:00:00.000"},
        {"STRING", S("2020-05-26T23:59:58+0200"), "TIMESTAMP", 0, "2020-05-26T21:59:58.000"},
        {"STRING", S("bad"), "TIMESTAMP", EDDY_EINVAL, "Failed to parse timestamp"},
        {"STRING", S("2020-05-26"), "DATE", 0, "2020-05-26"},
        {"STRING", S("2020-05"), "DATE", 0, "2020-05-01"},
        {"STRING", S("2020-02-30"), "DATE", EDDY_EINVAL, "Failed to parse date"},
        {"STRING", S("01:34:20.123"), "TIME", 0, "01:34:20"},
        {"STRING", S("01:00"), "TIME", 0, "01:00"},
        {"STRING", S("1:00"), "TIME", EDDY_EINVAL, "Failed to parse time"},
        {"STRING", S("Y"), "BYTES", EDDY_EINVAL, "enough valid bits"},
        {"STRING", S("YWI=="), "BYTES", EDDY_EINVAL, "ending"},
        {"STRING", S("Y!=="), "BYTES", EDDY_EINVAL, "Illegal base64 character"},
        {"STRING", S("hello"), "STRING", 0, "hello"},
    };
    run_cases(cases, EDDY_ARRAY_LEN(cases));

    static const struct { const char *in, *want; size_t n; } b64[] = {
        {"YWJj", "abc", 3}, {"YWI", "ab", 2}, {"YWI=", "ab", 2}, {"YW==", "a", 1},
        {" YQ ", "a", 1}, {"", "", 0}, {"/+8=", "\xff\xef", 2},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(b64); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        eddy_value v = S(b64[i].in), out;
        assert_int_equal(eddy_cast(&v, EDDY_TYPE_STRING, EDDY_TYPE_BYTES, &arena, &out, &err), 0);
        assert_int_equal(out.kind, EDDY_T_BYTES);
        assert_int_equal(out.n, b64[i].n);
        if (b64[i].n)
            assert_memory_equal(out.u.str, b64[i].want, b64[i].n);
    }
}

static void test_time_kinds(void **state)
{
    (void)state;
    const cast_case cases[] = {
        {"TIMESTAMP", eddy_value_timestamp(1590537598123LL), "DATE", 0, "2020-05-26"},
        {"TIMESTAMP", eddy_value_timestamp(1590537598123LL), "TIME", 0, "23:59:58"},
        {"TIMESTAMP", eddy_value_timestamp(1590537598123LL), "STRING", 0,
         "2020-05-26T23:59:58.123"},
        {"TIMESTAMP", eddy_value_timestamp(-1), "DATE", 0, "1969-12-31"},
        {"TIMESTAMP", eddy_value_timestamp(-1), "TIME", 0, "23:59:59"},
        {"DATE", eddy_value_date(18408), "TIMESTAMP", 0, "2020-05-26T00:00:00.000"},
        {"DATE", eddy_value_date(-1), "TIMESTAMP", 0, "1969-12-31T00:00:00.000"},
        {"DATE", eddy_value_date(18408), "STRING", 0, "2020-05-26"},
        {"TIME", eddy_value_time(3600000), "STRING", 0, "01:00"},
        {"TIME", eddy_value_time(3600000), "TIMESTAMP", EDDY_ETYPE,
         "Cast of TIME to TIMESTAMP is not supported"},
        {"DATE", eddy_value_date(0), "TIME", EDDY_ETYPE, "Cast of DATE to TIME is not supported"},
    };
    run_cases(cases, EDDY_ARRAY_LEN(cases));
}

static void test_nulls_and_unsupported(void **state)
{
    (void)state;
    const cast_case cases[] = {
        {"INT", eddy_value_null(EDDY_T_INT), "STRING", 0, "null"},
        {"NULL", eddy_value_null(EDDY_T_NULL), "ARRAY<INT>", 0, "null"},
        {"STRING", eddy_value_null(EDDY_T_STRING), "DECIMAL(4,2)", 0, "null"},
        {"BOOLEAN", eddy_value_bool(true), "INT", EDDY_ETYPE,
         "Cast of BOOLEAN to INTEGER is not supported"},
        {"INT", eddy_value_int(1), "BOOLEAN", EDDY_ETYPE, "Cast of INTEGER to BOOLEAN"},
        {"BYTES", eddy_value_bytes("a", 1), "STRING", EDDY_ETYPE, "Cast of BYTES to STRING"},
        {"STRING", S("[1]"), "ARRAY<STRING>", EDDY_ETYPE,
         "Cast of STRING to ARRAY<STRING> is not supported"},
        {"ARRAY<BOOLEAN>", ARR(EDDY_T_ARRAY, 0), "ARRAY<INT>", EDDY_ETYPE,
         "Cast of ARRAY<BOOLEAN> to ARRAY<INTEGER>"},
        {"ARRAY<INT>", ARR(EDDY_T_ARRAY, 0), "MAP<STRING, INT>", EDDY_ETYPE, "not supported"},
        {"STRUCT<F0 INT>", ARR(EDDY_T_STRUCT, 1, eddy_value_int(1)), "STRUCT<F0 BOOLEAN>",
         EDDY_ETYPE, "Cast of STRUCT<`F0` INTEGER> to STRUCT<`F0` BOOLEAN> is not supported"},
        /* A NULL value of an unsupported pair is still an error (planning-time rule). */
        {"BOOLEAN", eddy_value_null(EDDY_T_BOOLEAN), "INT", EDDY_ETYPE, "not supported"},
    };
    run_cases(cases, EDDY_ARRAY_LEN(cases));
}

static void test_composites(void **state)
{
    (void)state;
    const cast_case cases[] = {
        {"ARRAY<INT>", ARR(EDDY_T_ARRAY, 2, eddy_value_int(1), eddy_value_int(3)), "STRING", 0,
         "[1, 3]"},
        {"ARRAY<STRING>", ARR(EDDY_T_ARRAY, 3, S("1"), S(" 2"), eddy_value_null(EDDY_T_STRING)),
         "ARRAY<INT>", 0, "[1, 2, null]"},
        {"ARRAY<STRING>", ARR(EDDY_T_ARRAY, 2, S("1"), S("x")), "ARRAY<INT>", EDDY_EINVAL,
         "For input string"},
        {"ARRAY<ARRAY<INT>>", ARR(EDDY_T_ARRAY, 1, ARR(EDDY_T_ARRAY, 1, eddy_value_int(7))),
         "ARRAY<ARRAY<STRING>>", 0, "[[7]]"},
        {"ARRAY<DOUBLE>", ARR(EDDY_T_ARRAY, 2, eddy_value_double(1), eddy_value_double(0.5)),
         "STRING", 0, "[1.0, 0.5]"},
        {"MAP<STRING, INT>", ARR(EDDY_T_MAP, 1, S("this"), eddy_value_int(1)), "STRING", 0,
         "{this=1}"},
        {"MAP<STRING, STRING>", ARR(EDDY_T_MAP, 2, S("1"), S("a"), S("01"), S("b")),
         "MAP<INT, STRING>", 0, "{1=b}"},
        {"MAP<STRING, DOUBLE>", ARR(EDDY_T_MAP, 1, S("k"), eddy_value_double(2.5)),
         "MAP<STRING, DECIMAL(3,2)>", 0, "{k=2.50}"},
        {"STRUCT<F0 INT, `f1` INT>", ARR(EDDY_T_STRUCT, 2, eddy_value_int(1), eddy_value_int(3)),
         "STRING", 0, "Struct{F0=1,f1=3}"},
        {"STRUCT<F0 INT, F1 STRING>", ARR(EDDY_T_STRUCT, 2, eddy_value_int(1), S("x")),
         "STRUCT<F0 STRING, F3 STRING>", 0, "Struct{F0=1}"},
        {"STRUCT<F0 INT, F1 STRING>", ARR(EDDY_T_STRUCT, 2, eddy_value_int(1), S("x")),
         "STRUCT<F1 STRING, F0 BIGINT>", 0, "Struct{F1=x,F0=1}"},
    };
    run_cases(cases, EDDY_ARRAY_LEN(cases));

    /* The F3 field of the target exists and is NULL. */
    eddy_err err;
    eddy_err_clear(&err);
    eddy_value src = ARR(EDDY_T_STRUCT, 2, eddy_value_int(1), S("x")), out;
    assert_int_equal(eddy_cast(&src, T("STRUCT<F0 INT, F1 STRING>"),
                               T("STRUCT<F0 STRING, F3 STRING>"), &arena, &out, &err), 0);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.u.items[0].kind, EDDY_T_STRING);
    assert_memory_equal(out.u.items[0].u.str, "1", 1);
    assert_true(out.u.items[1].null);
}

static void test_supported_matrix(void **state)
{
    (void)state;
    static const char *prims[] = {"BOOLEAN", "INT", "BIGINT", "DECIMAL(4,2)", "DOUBLE",
                                  "STRING", "TIMESTAMP", "DATE", "TIME", "BYTES"};
    /* Rows: from; columns: to, in the order of prims[]. */
    static const char *matrix[] = {
        "1....1....", /* BOOLEAN */
        ".11111....", /* INT */
        ".11111....", /* BIGINT */
        ".11111....", /* DECIMAL */
        ".11111....", /* DOUBLE */
        "1111111111", /* STRING */
        ".....1111.", /* TIMESTAMP */
        ".....111..", /* DATE */
        ".....1..1.", /* TIME */
        ".........1", /* BYTES */
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(prims); i++)
        for (size_t j = 0; j < EDDY_ARRAY_LEN(prims); j++) {
            bool want = matrix[i][j] == '1';
            if (eddy_cast_supported(T(prims[i]), T(prims[j])) != want)
                fail_msg("%s -> %s should be %s", prims[i], prims[j],
                         want ? "allowed" : "rejected");
        }
    assert_true(eddy_cast_supported(EDDY_TYPE_NULL, T("STRUCT<A INT>")));
    assert_true(eddy_cast_supported(T("ARRAY<STRING>"), T("STRING")));
    assert_true(eddy_cast_supported(T("MAP<STRING,INT>"), T("MAP<INT,STRING>")));
    assert_false(eddy_cast_supported(T("MAP<STRING,INT>"), T("MAP<INT,BOOLEAN>")));
    assert_true(eddy_cast_supported(T("STRUCT<A INT, B BOOLEAN>"), T("STRUCT<A STRING>")));
    assert_false(eddy_cast_supported(T("STRUCT<A INT>"), T("STRUCT<A ARRAY<INT>>")));
    assert_false(eddy_cast_supported(T("ARRAY<INT>"), T("INT")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_numeric, setup, teardown),
        cmocka_unit_test_setup_teardown(test_from_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nulls_and_unsupported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_composites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_supported_matrix, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
