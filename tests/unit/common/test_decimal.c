/* Unit tests: exact DECIMAL numbers (common/decimal.c) and Java number semantics - int/long
 * arithmetic, Double.toString, Double.parseDouble, Integer.parseInt (common/arith.c). */
#include "testutil.h"
#include "../../../common/common_int.h"

#include <math.h>

static eddy_decimal D(const char *s)
{
    eddy_decimal d;
    eddy_err err;
    eddy_err_clear(&err);
    if (eddy_decimal_parse(s, strlen(s), &d, &err))
        fail_msg("parse '%s': %s", s, err.msg);
    return d;
}

static void assert_dec(const eddy_decimal *d, const char *want)
{
    eddy_buf b;
    eddy_buf_init(&b);
    assert_int_equal(eddy_decimal_format(d, false, &b), 0);
    if (strcmp(eddy_buf_cstr(&b), want) != 0)
        fail_msg("got '%s', want '%s'", eddy_buf_cstr(&b), want);
    eddy_buf_free(&b);
}

static void test_parse_format(void **state)
{
    (void)state;
    static const struct { const char *in, *plain; int scale; } cases[] = {
        {"1.50", "1.50", 2},
        {"-0.05", "-0.05", 2},
        {".5", "0.5", 1},
        {"5.", "5", 0},
        {"+1", "1", 0},
        {"-0", "0", 0},
        {"0.000", "0.000", 3},
        {"1E+2", "100", 0},
        {"1e2", "100", 0},
        {"1.5E-3", "0.0015", 4},
        {"12.345e1", "123.45", 2},
        {"000123.4500", "123.4500", 4},
        {"99999999999999999999999999999999999999", "99999999999999999999999999999999999999", 0},
        {"-9999999999999999999.9999999999999999999", "-9999999999999999999.9999999999999999999",
         19},
        {"0.00000000000000000000000000000000000000001",
         "0.00000000000000000000000000000000000000001", 41},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_decimal d = D(cases[i].in);
        assert_int_equal(d.scale, cases[i].scale);
        assert_dec(&d, cases[i].plain);
    }
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct { const char *in; int code; } cases[] = {
        {"", EDDY_EINVAL}, {".", EDDY_EINVAL}, {"1..2", EDDY_EINVAL}, {"1.2.3", EDDY_EINVAL},
        {"e5", EDDY_EINVAL}, {"1e", EDDY_EINVAL}, {"1e+", EDDY_EINVAL}, {"1 ", EDDY_EINVAL},
        {" 1", EDDY_EINVAL}, {"abc", EDDY_EINVAL}, {"--1", EDDY_EINVAL}, {"+", EDDY_EINVAL},
        {"1,5", EDDY_EINVAL}, {"NaN", EDDY_EINVAL},
        {"100000000000000000000000000000000000000", EDDY_ERANGE}, /* 39 digits */
        {"1E+40", EDDY_ERANGE},
        {"1E-300", EDDY_ERANGE},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        eddy_decimal d;
        int rc = eddy_decimal_parse(cases[i].in, strlen(cases[i].in), &d, &err);
        if (rc != cases[i].code)
            fail_msg("case '%s': rc %d (%s)", cases[i].in, rc, err.msg);
    }
}

/* BigDecimal.toString: exponent form when the adjusted exponent is below -6. */
static void test_java_tostring(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"0.0000001", "1E-7"},
        {"0.00000010", "1.0E-7"},
        {"-0.000000123", "-1.23E-7"},
        {"0.000001", "0.000001"},
        {"0.0000000000", "0E-10"},
        {"123.45", "123.45"},
        {"100", "100"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_decimal d = D(cases[i].in);
        eddy_buf b;
        eddy_buf_init(&b);
        assert_int_equal(eddy_decimal_format(&d, true, &b), 0);
        assert_string_equal(eddy_buf_cstr(&b), cases[i].out);
        eddy_buf_free(&b);
    }
    /* Scales beyond a value's 38 digits (arithmetic result types can reach them). */
    eddy_decimal tiny = {-1, 300};
    eddy_buf b;
    eddy_buf_init(&b);
    assert_int_equal(eddy_decimal_format(&tiny, false, &b), 0);
    assert_int_equal(b.len, 303);
    assert_memory_equal(b.data, "-0.000", 6);
    assert_int_equal(b.data[302], '1');
    b.len = 0;
    assert_int_equal(eddy_decimal_format(&tiny, true, &b), 0);
    assert_string_equal(eddy_buf_cstr(&b), "-1E-300");
    eddy_buf_free(&b);
}

static void test_compare(void **state)
{
    (void)state;
    static const struct { const char *a, *b; int want; } cases[] = {
        {"1.5", "1.50", 0}, {"1.49", "1.5", -1}, {"1.51", "1.5", 1}, {"-2", "1", -1},
        {"-1.5", "-1.49", -1}, {"0", "-0.00", 0}, {"0.001", "0", 1},
        {"99999999999999999999999999999999999999", "0.00000000000000000000000000000000000001", 1},
        {"-99999999999999999999999999999999999999", "0.1", -1},
        {"12345678901234567890123456789012345678", "1234567890123456789012345678901234567.8", 1},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_decimal a = D(cases[i].a), b = D(cases[i].b);
        if (eddy_decimal_cmp(&a, &b) != cases[i].want || eddy_decimal_cmp(&b, &a) != -cases[i].want)
            fail_msg("case %s vs %s", cases[i].a, cases[i].b);
    }
}

/* DecimalUtil.cast(String) (HALF_UP) and ensureFit (exact). */
static void test_parse_fit(void **state)
{
    (void)state;
    static const struct {
        const char *in; int p, s; bool exact; int code; const char *want;
    } cases[] = {
        {"1.234", 3, 2, false, 0, "1.23"},
        {"1.235", 3, 2, false, 0, "1.24"},
        {"-1.235", 3, 2, false, 0, "-1.24"},
        {"1.2", 4, 3, false, 0, "1.200"},
        {"1e2", 5, 2, false, 0, "100.00"},
        {"0.5", 1, 0, false, 0, "1"},
        {"0.4999", 1, 0, false, 0, "0"},
        {"0.00000000000000000000000000000000000000000000000005", 5, 2, false, 0, "0.00"},
        {"9.995", 3, 2, false, 0, "10.00"}, /* integer digits checked before rounding */
        {"123.4", 3, 1, false, EDDY_ERANGE, NULL},
        {"100", 2, 0, false, EDDY_ERANGE, NULL},
        {"-100", 3, 0, false, 0, "-100"},
        {"1.25", 3, 1, true, EDDY_ERANGE, NULL},
        {"1.20", 3, 1, true, 0, "1.2"},
        {"10", 6, 4, true, 0, "10.0000"},
        {"abc", 5, 2, false, EDDY_EINVAL, NULL},
        {"1234567890123456789012345678901234567890123456789012345678901234567890", 38, 0, false,
         EDDY_ERANGE, NULL},
        {"1.00000000000000000000000000000000000000000000000000000000000000000000000001", 38, 36,
         false, 0, "1.000000000000000000000000000000000000"},
        {"1.00000000000000000000000000000000000000000000000000000000000000000000000001", 38, 36,
         true, EDDY_ERANGE, NULL},
        {"12345678901234567890123456789012345678", 40, 2, false, EDDY_ERANGE, NULL},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        eddy_decimal d;
        int rc = eddy_decimal_parse_fit(cases[i].in, strlen(cases[i].in), cases[i].p, cases[i].s,
                                        cases[i].exact, &d, &err);
        if (rc != cases[i].code)
            fail_msg("case %zu '%s': rc %d (%s)", i, cases[i].in, rc, err.msg);
        if (rc == 0) {
            assert_int_equal(d.scale, cases[i].s);
            assert_dec(&d, cases[i].want);
        }
    }
    eddy_err err;
    eddy_err_clear(&err);
    eddy_decimal d;
    eddy_decimal_parse_fit("123.4", 5, 3, 1, false, &d, &err);
    assert_string_equal(err.msg, "Numeric field overflow: A field with precision 3 and scale 1 "
                                 "must round to an absolute value less than 10^2.");
}

/* Arithmetic with ksqlDB's result types: exact results only. */
static void test_arith(void **state)
{
    (void)state;
    static const struct {
        char op; const char *a, *b; int p, s; int code; const char *want;
    } cases[] = {
        {'+', "10.01", "5.10", 5, 2, 0, "15.11"},
        {'+', "10.01", "-5.00", 5, 2, 0, "5.01"},
        {'+', "10.01", "0.00", 5, 2, 0, "10.01"},
        {'-', "10.10", "5.10", 5, 2, 0, "5.00"},
        {'-', "10.10", "-5.00", 5, 2, 0, "15.10"},
        {'-', "1.5", "2.25", 4, 2, 0, "-0.75"},
        {'*', "10.10", "2.00", 9, 4, 0, "20.2000"},
        {'*', "10.10", "-2.00", 9, 4, 0, "-20.2000"},
        {'*', "10.10", "0.00", 9, 4, 0, "0.0000"},
        {'*', "-0.5", "-0.5", 3, 2, 0, "0.25"},
        {'/', "10.10", "2.00", 11, 7, 0, "5.0500000"},
        {'/', "10.10", "-2.00", 11, 7, 0, "-5.0500000"},
        {'/', "10.10", "0.00", 11, 7, EDDY_ERANGE, "Division by zero"},
        {'/', "0.00", "0.00", 11, 7, EDDY_ERANGE, "Division undefined"},
        {'/', "1.0", "3.0", 8, 6, EDDY_ERANGE, "Rounding necessary"},
        {'/', "1", "8", 12, 11, 0, "0.12500000000"},
        {'/', "1", "1024", 12, 11, 0, "0.00097656250"},
        {'/', "1", "4096", 12, 11, EDDY_ERANGE, "Rounding necessary"},
        {'/', "7", "0.5", 13, 6, 0, "14.000000"},
        {'%', "10.10", "2.00", 4, 2, 0, "0.10"},
        {'%', "10.10", "-2.00", 4, 2, 0, "0.10"},
        {'%', "-10.10", "2.00", 4, 2, 0, "-0.10"},
        {'%', "10.10", "0.00", 4, 2, EDDY_ERANGE, "Division by zero"},
        {'%', "5", "0.3", 2, 1, 0, "0.2"},
        {'%', "12345", "0.1", 2, 1, EDDY_ERANGE, "Division impossible"},
        {'+', "99999999999999999999999999999999999999", "1", 39, 0, EDDY_ERANGE,
         "Numeric overflow"},
        {'*', "10000000000000000000", "10000000000000000000", 41, 0, EDDY_ERANGE,
         "Numeric overflow"},
        {'+', "1.5", "1.5", 1, 0, 0, "3"}, /* 3.0 rounds to 1 digit without loss */
        {'+', "1.5", "1.6", 1, 0, EDDY_ERANGE, "Rounding necessary"},
        {'?', "1", "1", 1, 0, EDDY_EINVAL, "unknown arithmetic operator"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        eddy_decimal a = D(cases[i].a), b = D(cases[i].b), r;
        int rc = eddy_decimal_arith(cases[i].op, &a, &b, cases[i].p, cases[i].s, &r, &err);
        if (rc != cases[i].code)
            fail_msg("case %zu %s %c %s: rc %d (%s)", i, cases[i].a, cases[i].op, cases[i].b, rc,
                     err.msg);
        if (rc == 0)
            assert_dec(&r, cases[i].want);
        else if (!strstr(err.msg, cases[i].want))
            fail_msg("case %zu: message '%s'", i, err.msg);
    }
}

static void test_rescale(void **state)
{
    (void)state;
    eddy_err err;
    eddy_err_clear(&err);
    eddy_decimal d = D("1.25"), r;
    assert_int_equal(eddy_decimal_rescale(&d, 1, true, &r, &err), 0);
    assert_dec(&r, "1.3");
    d = D("-1.25");
    assert_int_equal(eddy_decimal_rescale(&d, 1, true, &r, &err), 0);
    assert_dec(&r, "-1.3");
    d = D("1.24");
    assert_int_equal(eddy_decimal_rescale(&d, 1, true, &r, &err), 0);
    assert_dec(&r, "1.2");
    assert_int_equal(eddy_decimal_rescale(&d, 1, false, &r, &err), EDDY_ERANGE);
    d = D("1.20");
    eddy_err_clear(&err);
    assert_int_equal(eddy_decimal_rescale(&d, 1, false, &r, &err), 0);
    assert_dec(&r, "1.2");
    assert_int_equal(eddy_decimal_rescale(&d, 5, false, &r, &err), 0);
    assert_dec(&r, "1.20000");
    d = D("12345678901234567890123456789012345678");
    assert_int_equal(eddy_decimal_rescale(&d, 1, false, &r, &err), EDDY_ERANGE);
}

/* DecimalUtil.cast from long, double and decimal. */
static void test_conversions(void **state)
{
    (void)state;
    static const struct { double v; int p, s; int code; const char *want; } dbl[] = {
        {1.5, 2, 1, 0, "1.5"},
        {0.1, 2, 1, 0, "0.1"},
        {2.5, 1, 0, 0, "3"},
        {-2.5, 1, 0, 0, "-3"},
        {1.05, 2, 1, 0, "1.1"},  /* 1.0500000000000000444 */
        {1.25, 2, 1, 0, "1.3"},
        {0.125, 3, 2, 0, "0.13"},
        {12.5, 3, 1, 0, "12.5"},
        {100.0, 3, 1, EDDY_ERANGE, NULL},
        {99.95, 3, 1, EDDY_ERANGE, NULL}, /* rounds to 100 at 3 digits first */
        {1e-10, 5, 2, 0, "0.00"},
        {123456.789, 10, 2, 0, "123456.79"},
        {-0.0, 3, 1, 0, "0.0"},
        {NAN, 3, 1, EDDY_EINVAL, NULL},
        {INFINITY, 3, 1, EDDY_EINVAL, NULL},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(dbl); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        eddy_decimal d;
        int rc = eddy_decimal_from_double(dbl[i].v, dbl[i].p, dbl[i].s, &d, &err);
        if (rc != dbl[i].code)
            fail_msg("double case %zu: rc %d (%s)", i, rc, err.msg);
        if (rc == 0)
            assert_dec(&d, dbl[i].want);
    }
    static const struct { int64_t v; int p, s; int code; const char *want; } lng[] = {
        {12345, 5, 0, 0, "12345"},
        {12345, 4, 0, EDDY_ERANGE, NULL},
        {12345, 7, 2, 0, "12345.00"},
        {-5, 1, 0, 0, "-5"},
        {0, 1, 1, 0, "0.0"},
        {INT64_MIN, 19, 0, 0, "-9223372036854775808"},
        {INT64_MAX, 38, 20, EDDY_ERANGE, NULL},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(lng); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        eddy_decimal d;
        int rc = eddy_decimal_from_i64(lng[i].v, lng[i].p, lng[i].s, &d, &err);
        if (rc != lng[i].code)
            fail_msg("long case %zu: rc %d (%s)", i, rc, err.msg);
        if (rc == 0)
            assert_dec(&d, lng[i].want);
    }
    static const struct { const char *v; int p, s; int code; const char *want; } dec[] = {
        {"1.25", 2, 1, 0, "1.3"},
        {"9.99", 2, 1, 0, "10.0"}, /* ksqlDB checks integer digits before rounding */
        {"123.45", 4, 2, EDDY_ERANGE, NULL},
        {"123.45", 5, 2, 0, "123.45"},
        {"-0.5", 1, 0, 0, "-1"},
        {"0.001", 5, 5, 0, "0.00100"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(dec); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        eddy_decimal x = D(dec[i].v), d;
        int rc = eddy_decimal_cast(&x, dec[i].p, dec[i].s, &d, &err);
        if (rc != dec[i].code)
            fail_msg("decimal case %zu: rc %d (%s)", i, rc, err.msg);
        if (rc == 0)
            assert_dec(&d, dec[i].want);
    }
    eddy_decimal x = D("0.1");
    assert_true(eddy_decimal_to_double(&x) == 0.1);
    x = D("-12345678901234567890.123456789");
    assert_true(eddy_decimal_to_double(&x) == -12345678901234567890.123456789);
    x = D("12.99");
    assert_int_equal(eddy_decimal_to_i64(&x), 12);
    x = D("-12.99");
    assert_int_equal(eddy_decimal_to_i64(&x), -12);
    x = D("18446744073709551621"); /* 2^64 + 5: longValue keeps the low 64 bits */
    assert_int_equal(eddy_decimal_to_i64(&x), 5);
}

/* ------------------------------------------------------------------------------------------
 * Java number semantics
 * ---------------------------------------------------------------------------------------- */

static void test_java_int_arith(void **state)
{
    (void)state;
    static const struct { char op; int32_t a, b; int code; int32_t want; } i32[] = {
        {'+', INT32_MAX, 1, 0, INT32_MIN},
        {'-', INT32_MIN, 1, 0, INT32_MAX},
        {'*', 65536, 65536, 0, 0},
        {'*', 46341, 46341, 0, -2147479015},
        {'/', -7, 2, 0, -3},
        {'%', -7, 2, 0, -1},
        {'%', 7, -2, 0, 1},
        {'/', INT32_MIN, -1, 0, INT32_MIN},
        {'%', INT32_MIN, -1, 0, 0},
        {'/', 1, 0, EDDY_ERANGE, 0},
        {'%', 0, 0, EDDY_ERANGE, 0},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(i32); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        int32_t r = 12345;
        int rc = eddy_arith_i32(i32[i].op, i32[i].a, i32[i].b, &r, &err);
        if (rc != i32[i].code || (rc == 0 && r != i32[i].want))
            fail_msg("int case %zu: rc %d r %d", i, rc, r);
        if (rc)
            assert_string_equal(err.msg, "/ by zero");
    }
    static const struct { char op; int64_t a, b; int code; int64_t want; } i64[] = {
        {'+', INT64_MAX, 1, 0, INT64_MIN},
        {'-', INT64_MIN, 1, 0, INT64_MAX},
        {'*', 4294967296LL, 4294967296LL, 0, 0},
        {'/', INT64_MIN, -1, 0, INT64_MIN},
        {'%', INT64_MIN, -1, 0, 0},
        {'/', -9, 4, 0, -2},
        {'%', -9, 4, 0, -1},
        {'/', 5, 0, EDDY_ERANGE, 0},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(i64); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        int64_t r = 12345;
        int rc = eddy_arith_i64(i64[i].op, i64[i].a, i64[i].b, &r, &err);
        if (rc != i64[i].code || (rc == 0 && r != i64[i].want))
            fail_msg("long case %zu: rc %d r %lld", i, rc, (long long)r);
    }
    assert_true(isinf(eddy_arith_f64('/', 1, 0)));
    assert_true(isnan(eddy_arith_f64('/', 0, 0)));
    assert_true(eddy_arith_f64('%', -7.5, 2) == -1.5);
    assert_true(eddy_arith_f64('*', 1.5, 2) == 3.0);
}

static void test_double_tostring(void **state)
{
    (void)state;
    static const struct { double v; const char *want; } cases[] = {
        {2.0, "2.0"},
        {0.001, "0.001"},
        {1.0E-4, "1.0E-4"},
        {1.0E7, "1.0E7"},
        {9999999.0, "9999999.0"},
        {1234567.0, "1234567.0"},
        {2147483648.9, "2.1474836489E9"},
        {NAN, "NaN"},
        {INFINITY, "Infinity"},
        {-INFINITY, "-Infinity"},
        {-0.0, "-0.0"},
        {0.0, "0.0"},
        {100.0, "100.0"},
        {100.5, "100.5"},
        {-1.25, "-1.25"},
        {0.1, "0.1"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333"},
        {2.0 / 3.0, "0.6666666666666666"},
        {1e21, "1.0E21"},
        {1.5e-5, "1.5E-5"},
        {123456789.0, "1.23456789E8"},
        {12345.678, "12345.678"},
        {1e16, "1.0E16"},
        {9223372036854775807.0, "9.223372036854776E18"},
        {1.7976931348623157E308, "1.7976931348623157E308"},
        {4.9E-324, "4.9E-324"},
        {2.2250738585072014E-308, "2.2250738585072014E-308"},
        {-3.0E-3, "-0.003"},
        {10.3, "10.3"},
        {1.0E-323, "9.9E-324"},
        {1e23, "1.0E23"},
        /* Java's FloatingDecimal prints an integer double from 2^54 to 2^63 from its long
         * value less 0-2 low digits, not with the shortest digits */
        {4611686018427387904.0, "4.6116860184273879E18"},
        {-4611686018427387904.0, "-4.6116860184273879E18"},
        {282879384806159008.0, "2.82879384806159008E17"},
        {18014398509481984.0, "1.8014398509481984E16"},
        {18014398509481988.0, "1.8014398509481988E16"},
        {1e18, "1.0E18"},
        {123456789012345678.0, "1.2345678901234568E17"},
        {4611686018427387904.0 + 1024, "4.6116860184273889E18"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        char buf[EDDY_DOUBLE_BUF];
        int n = eddy_double_format(cases[i].v, buf);
        assert_int_equal(n, (int)strlen(buf));
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("case %zu: got '%s' want '%s'", i, buf, cases[i].want);
    }
}

/* The fast paths of Double.toString and Double.parseDouble against the reference they
 * shortcut: glibc's exactly rounded printf (the shortest precision that reads back) and
 * strtod, over random bit patterns and random short decimals (the fast paths' own ground). */
static uint64_t xrand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void shortest_reference(double ad, char *digits, int *exp10)
{
    char buf[40];
    int p = 1;
    for (; p < 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, ad);
        if (strtod(buf, NULL) == ad)
            break;
    }
    snprintf(buf, sizeof buf, "%.*e", (p < 2 ? 2 : p) - 1, ad);
    int k = 0;
    const char *s = buf;
    for (; *s != 'e'; s++)
        if (*s != '.')
            digits[k++] = *s;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    *exp10 = atoi(s + 1);
}

static void test_double_fast_paths(void **state)
{
    (void)state;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 300000; i++) {
        double d;
        char text[64];
        if (i % 2) {
            uint64_t bits = xrand(&seed);
            memcpy(&d, &bits, sizeof d);
            if (!isfinite(d) || d == 0)
                continue;
            snprintf(text, sizeof text, "%.17g", d);
        } else {
            /* a short decimal: up to 15 digits, point anywhere, sometimes an exponent */
            uint64_t r = xrand(&seed);
            int nd = 1 + (int)(r % 15), point = (int)((r >> 8) % (uint64_t)(nd + 8));
            char *t = text;
            if (r & (1u << 20))
                *t++ = '-';
            for (int j = 0; j < nd; j++) {
                if (j == point)
                    *t++ = '.';
                *t++ = (char)('0' + (xrand(&seed) % 10));
            }
            if (r & (1u << 21))
                t += sprintf(t, "e%d", (int)((r >> 24) % 61) - 30);
            *t = '\0';
            d = strtod(text, NULL);
        }
        double got;
        eddy_err err;
        eddy_err_clear(&err);
        if (eddy_double_parse(text, strlen(text), &got, &err) != 0 || memcmp(&got, &d, sizeof d))
            fail_msg("parse '%s': got %.17g want %.17g", text, got, d);
        if (d == 0 || !isfinite(d))
            continue;
        char want[24], dg[24];
        int we, ge;
        shortest_reference(fabs(d), want, &we);
        int n = eddy__double_shortest(d, dg, &ge);
        if (n != (int)strlen(want) || strcmp(dg, want) != 0 || ge != we)
            fail_msg("shortest %.17g: got %s e%d want %s e%d", d, dg, ge, want, we);
    }
}

static void test_double_parse(void **state)
{
    (void)state;
    static const struct { const char *in; double want; } ok[] = {
        {"1.5", 1.5}, {" 1.5 ", 1.5}, {"1.5d", 1.5}, {"1e3f", 1000}, {".5", 0.5}, {"5.", 5},
        {"+1", 1}, {"-2.5E-3", -0.0025}, {"0x1.8p1", 3.0}, {"0X10P0", 16}, {"1e400", INFINITY},
        {"\t-0\n", -0.0}, {"Infinity", INFINITY}, {"-Infinity", -INFINITY},
        {"4.9E-324", 4.9E-324},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(ok); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        double d = 42;
        if (eddy_double_parse(ok[i].in, strlen(ok[i].in), &d, &err) != 0 || d != ok[i].want ||
            signbit(d) != signbit(ok[i].want))
            fail_msg("case '%s': %s -> %g", ok[i].in, err.msg, d);
    }
    eddy_err err;
    double d;
    assert_int_equal(eddy_double_parse("NaN", 3, &d, &err), 0);
    assert_true(isnan(d));
    static const char *bad[] = {"", "abc", "1.5.5", "inf", "nan", "infinity", "1e", "0x1.8",
                                "1 2", "--1", ".", "1.5x", "d", "0x", "+"};
    for (size_t i = 0; i < EDDY_ARRAY_LEN(bad); i++) {
        eddy_err_clear(&err);
        if (eddy_double_parse(bad[i], strlen(bad[i]), &d, &err) != EDDY_EINVAL)
            fail_msg("case '%s' parsed", bad[i]);
        assert_string_equal(err.msg, "For input string");
    }
}

static void test_int_parse(void **state)
{
    (void)state;
    static const struct { const char *in; int code; int32_t want; } i32[] = {
        {"123", 0, 123}, {"-2147483648", 0, INT32_MIN}, {"2147483647", 0, INT32_MAX},
        {"+5", 0, 5}, {"007", 0, 7}, {"2147483648", EDDY_EINVAL, 0},
        {"-2147483649", EDDY_EINVAL, 0}, {"", EDDY_EINVAL, 0}, {"-", EDDY_EINVAL, 0},
        {"1.0", EDDY_EINVAL, 0}, {" 1", EDDY_EINVAL, 0}, {"0x10", EDDY_EINVAL, 0},
        {"99999999999", EDDY_EINVAL, 0},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(i32); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        int32_t v = 0;
        int rc = eddy_i32_parse(i32[i].in, strlen(i32[i].in), &v, &err);
        if (rc != i32[i].code || (rc == 0 && v != i32[i].want))
            fail_msg("int case '%s': rc %d v %d", i32[i].in, rc, v);
    }
    static const struct { const char *in; int code; int64_t want; } i64[] = {
        {"9223372036854775807", 0, INT64_MAX}, {"-9223372036854775808", 0, INT64_MIN},
        {"9223372036854775808", EDDY_EINVAL, 0}, {"-9223372036854775809", EDDY_EINVAL, 0},
        {"10", 0, 10}, {"1e3", EDDY_EINVAL, 0},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(i64); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        int64_t v = 0;
        int rc = eddy_i64_parse(i64[i].in, strlen(i64[i].in), &v, &err);
        if (rc != i64[i].code || (rc == 0 && v != i64[i].want))
            fail_msg("long case '%s': rc %d", i64[i].in, rc);
    }
    size_t n = 7;
    const char *t = eddy_java_trim(" \t a b\n", &n);
    assert_int_equal(n, 3);
    assert_memory_equal(t, "a b", 3);
    n = 3;
    eddy_java_trim("   ", &n);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_format),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_java_tostring),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_parse_fit),
        cmocka_unit_test(test_arith),
        cmocka_unit_test(test_rescale),
        cmocka_unit_test(test_conversions),
        cmocka_unit_test(test_java_int_arith),
        cmocka_unit_test(test_double_tostring),
        cmocka_unit_test(test_double_parse),
        cmocka_unit_test(test_double_fast_paths),
        cmocka_unit_test(test_int_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
