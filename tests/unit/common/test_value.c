/* Unit tests: values (common/value.c, value arithmetic in common/arith.c) and the date/time
 * helpers (common/sqltime.c). */
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

static eddy_value *items(size_t n)
{
    eddy_value *v = eddy_arena_calloc(&arena, n * sizeof *v);
    assert_non_null(v);
    return v;
}

static void assert_text(const eddy_value *v, const eddy_type *t, const char *want)
{
    eddy_buf b;
    eddy_buf_init(&b);
    assert_int_equal(eddy_value_format(v, t, &b), 0);
    if (strcmp(eddy_buf_cstr(&b), want) != 0)
        fail_msg("got '%s' want '%s'", eddy_buf_cstr(&b), want);
    eddy_buf_free(&b);
}

static void test_layout(void **state)
{
    (void)state;
    assert_true(sizeof(eddy_value) <= 32);
    assert_int_equal(sizeof(eddy_value), 24);
    eddy_value v = eddy_value_null(EDDY_T_INT);
    assert_true(v.null);
    assert_int_equal(v.kind, EDDY_T_INT);
    eddy_decimal d = {-(((__int128)1) << 100) - 7, 5};
    v = eddy_value_decimal(&d);
    eddy_decimal back = eddy_value_get_decimal(&v);
    assert_true(back.unscaled == d.unscaled);
    assert_int_equal(back.scale, 5);
}

static void test_copy_is_deep(void **state)
{
    (void)state;
    char s1[] = "hello", s2[] = "key";
    eddy_value *inner = items(2), *m = items(2), *top = items(3);
    inner[0] = eddy_value_string(s1, 5);
    inner[1] = eddy_value_null(EDDY_T_STRING);
    m[0] = eddy_value_string(s2, 3);
    m[1] = eddy_value_bytes("\x01\x02", 2);
    top[0] = eddy_value_composite(EDDY_T_ARRAY, inner, 2);
    top[1] = eddy_value_composite(EDDY_T_MAP, m, 1);
    top[2] = DEC("-1.50");
    eddy_value src = eddy_value_composite(EDDY_T_STRUCT, top, 3), dst;
    eddy_arena other;
    eddy_arena_init(&other, 256);
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(eddy_value_copy(&other, &src, &dst, &err), 0);
    assert_true(eddy_value_equal(&src, &dst));
    s1[0] = 'J';
    s2[0] = 'K';
    assert_false(eddy_value_equal(&src, &dst));
    assert_memory_equal(dst.u.items[0].u.items[0].u.str, "hello", 5);
    assert_memory_equal(dst.u.items[1].u.items[0].u.str, "key", 3);
    assert_true(dst.u.items[0].u.items[1].null);
    assert_ptr_not_equal(dst.u.items, src.u.items);
    /* Allocation failure is reported. */
    eddy_arena_reset(&other);
    eddy_arena_destroy(&other);
    eddy_arena_init(&other, 256);
    eddy_alloc_fail_after(0);
    eddy_err_clear(&err);
    assert_int_equal(eddy_value_copy(&other, &src, &dst, &err), EDDY_ENOMEM);
    eddy_alloc_fail_after(-1);
    eddy_arena_destroy(&other);
}

/* Total order: a list sorted ascending; every pair compares consistently. */
static void test_compare_order(void **state)
{
    (void)state;
    eddy_value v[] = {
        eddy_value_null(EDDY_T_INT),
        eddy_value_double(-INFINITY),
        eddy_value_bigint(INT64_MIN),
        eddy_value_int(-5),
        DEC("-4.99"),
        eddy_value_double(-0.0),
        eddy_value_double(0.0),
        DEC("0.1"),
        eddy_value_double(0.30000000000000004),
        eddy_value_int(1),
        DEC("1.01"),
        eddy_value_bigint(10000000000LL),
        DEC("99999999999999999999999999999999999999"),
        eddy_value_double(1e300),
        eddy_value_double(INFINITY),
        eddy_value_double(NAN),
    };
    size_t n = EDDY_ARRAY_LEN(v);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = eddy_value_compare(&v[i], &v[j]);
            int want = (i > j) - (i < j);
            if ((c > 0) - (c < 0) != want)
                fail_msg("compare %zu vs %zu gave %d", i, j, c);
        }
}

static void test_compare_equal_across_kinds(void **state)
{
    (void)state;
    struct { eddy_value a, b; } eq[] = {
        {eddy_value_int(1), eddy_value_bigint(1)},
        {eddy_value_int(1), DEC("1.000")},
        {eddy_value_int(1), eddy_value_double(1.0)},
        {DEC("0.1"), eddy_value_double(0.1)},
        {DEC("1.50"), DEC("1.5")},
        {eddy_value_double(NAN), eddy_value_double(-NAN)},
        {eddy_value_null(EDDY_T_INT), eddy_value_null(EDDY_T_STRING)},
        {eddy_value_int(0), eddy_value_double(-0.0)},
        {eddy_value_bigint(1234567890123LL), eddy_value_double(1234567890123.0)},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(eq); i++) {
        if (!eddy_value_equal(&eq[i].a, &eq[i].b) || eddy_value_compare(&eq[i].b, &eq[i].a))
            fail_msg("pair %zu not equal", i);
        if (eddy_value_hash(&eq[i].a) != eddy_value_hash(&eq[i].b))
            fail_msg("pair %zu hashes differ", i);
    }
    eddy_value a = eddy_value_double(-0.0), b = eddy_value_double(0.0);
    assert_false(eddy_value_equal(&a, &b)); /* Double.equals */
    a = DEC("0.1");
    b = eddy_value_double(0.1000000001);
    assert_false(eddy_value_equal(&a, &b));
    a = eddy_value_int(1);
    b = eddy_value_int(2);
    assert_int_not_equal(eddy_value_hash(&a), eddy_value_hash(&b));
    a = S("1");
    b = eddy_value_int(1);
    assert_false(eddy_value_equal(&a, &b));
}

static void test_compare_strings_and_bytes(void **state)
{
    (void)state;
    static const struct { const char *a, *b; int want; } cases[] = {
        {"a", "b", -1},
        {"abc", "ab", 1},
        {"", "a", -1},
        {"B", "a", -1},
        {"\xc3\xa9", "z", 1},                  /* U+00E9 > 'z' */
        {"\xef\xbf\xbf", "\xf0\x9f\x98\x80", 1}, /* U+FFFF > U+1F600 in UTF-16 order */
        {"\xee\x80\x80", "\xf0\x90\x80\x80", 1}, /* U+E000 > U+10000 */
        {"\xed\x9f\xbf", "\xf0\x90\x80\x80", -1}, /* U+D7FF < U+10000 */
        {"x\xf0\x9f\x98\x80", "x\xf0\x9f\x98\x81", -1},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_value a = S(cases[i].a), b = S(cases[i].b);
        int c = eddy_value_compare(&a, &b);
        if ((c > 0) - (c < 0) != cases[i].want)
            fail_msg("case %zu: %d", i, c);
        int sc = 9;
        eddy_err err;
        eddy_err_clear(&err);
        assert_int_equal(eddy_value_sql_compare(&a, &b, &sc, &err), 0);
        assert_int_equal(sc, cases[i].want);
    }
    eddy_value x = eddy_value_bytes("\x01\xff", 2), y = eddy_value_bytes("\x01\x7f", 2);
    assert_true(eddy_value_compare(&x, &y) > 0); /* unsigned for the total order */
    int c;
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(eddy_value_sql_compare(&x, &y, &c, &err), 0);
    assert_int_equal(c, -1); /* ByteBuffer.compareTo: signed bytes */
}

static void test_compare_composites(void **state)
{
    (void)state;
    eddy_value *a1 = items(2), *a2 = items(3), *m1 = items(4), *m2 = items(4), *m3 = items(4);
    a1[0] = eddy_value_int(1);
    a1[1] = eddy_value_int(2);
    a2[0] = eddy_value_int(1);
    a2[1] = eddy_value_int(2);
    a2[2] = eddy_value_null(EDDY_T_INT);
    eddy_value x = eddy_value_composite(EDDY_T_ARRAY, a1, 2);
    eddy_value y = eddy_value_composite(EDDY_T_ARRAY, a2, 3);
    assert_true(eddy_value_compare(&x, &y) < 0);
    assert_false(eddy_value_equal(&x, &y));
    m1[0] = S("a"); m1[1] = eddy_value_int(1); m1[2] = S("b"); m1[3] = eddy_value_int(2);
    m2[0] = S("b"); m2[1] = eddy_value_int(2); m2[2] = S("a"); m2[3] = eddy_value_int(1);
    m3[0] = S("b"); m3[1] = eddy_value_int(3); m3[2] = S("a"); m3[3] = eddy_value_int(1);
    eddy_value p = eddy_value_composite(EDDY_T_MAP, m1, 2);
    eddy_value q = eddy_value_composite(EDDY_T_MAP, m2, 2);
    eddy_value r = eddy_value_composite(EDDY_T_MAP, m3, 2);
    assert_true(eddy_value_equal(&p, &q)); /* entry order does not matter */
    assert_int_equal(eddy_value_hash(&p), eddy_value_hash(&q));
    assert_true(eddy_value_compare(&p, &r) < 0);
    assert_true(eddy_value_compare(&r, &q) > 0);
    eddy_value s1 = eddy_value_composite(EDDY_T_STRUCT, a1, 2);
    eddy_value s2 = eddy_value_composite(EDDY_T_STRUCT, a1, 2);
    assert_true(eddy_value_equal(&s1, &s2));
    int c = 0;
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(eddy_value_sql_compare(&p, &r, &c, &err), 0);
    assert_int_equal(c, 1);
    assert_int_equal(eddy_value_sql_compare(&p, &q, &c, &err), 0);
    assert_int_equal(c, 0);
}

/* ksqlDB's comparison rules for predicates. */
static void test_sql_compare(void **state)
{
    (void)state;
    struct { eddy_value a, b; int code; int want; } cases[] = {
        {eddy_value_int(1), eddy_value_double(1.0), 0, 0},
        {eddy_value_int(2), eddy_value_bigint(10), 0, -1},
        {eddy_value_double(NAN), eddy_value_double(NAN), 0, EDDY_CMP_UNORDERED},
        {eddy_value_double(NAN), eddy_value_int(1), 0, EDDY_CMP_UNORDERED},
        {eddy_value_double(-0.0), eddy_value_double(0.0), 0, 0},
        /* long widened to double, as Java does: 2^53 + 1 == 2^53 */
        {eddy_value_bigint(9007199254740993LL), eddy_value_double(9007199254740992.0), 0, 0},
        {DEC("0.1"), eddy_value_double(0.1), 0, 0},
        {DEC("1.10"), eddy_value_int(1), 0, 1},
        {DEC("1.0"), eddy_value_double(NAN), EDDY_EINVAL, 0},
        {eddy_value_null(EDDY_T_INT), eddy_value_int(1), 0, EDDY_CMP_UNORDERED},
        {eddy_value_bool(true), eddy_value_bool(false), 0, 1},
        {eddy_value_date(18262), S("2020-01-01"), 0, 0},
        {S("2020-01-02"), eddy_value_date(18262), 0, 1},
        {eddy_value_date(1), eddy_value_timestamp(86400000), 0, 0},
        {eddy_value_timestamp(1000), S("1970-01-01T00:00:01"), 0, 0},
        {eddy_value_time(3600000), S("01:00"), 0, 0},
        {eddy_value_time(3600000), S("not a time"), EDDY_EINVAL, 0},
        {eddy_value_time(0), eddy_value_date(0), EDDY_ETYPE, 0},
        {S("1"), eddy_value_int(1), EDDY_ETYPE, 0},
        {eddy_value_bool(true), eddy_value_int(1), EDDY_ETYPE, 0},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        int c = 99;
        int rc = eddy_value_sql_compare(&cases[i].a, &cases[i].b, &c, &err);
        if (rc != cases[i].code || (rc == 0 && c != cases[i].want))
            fail_msg("case %zu: rc %d cmp %d (%s)", i, rc, c, err.msg);
    }
}

/* CAST(x AS STRING) text: Java's String.valueOf of ksqlDB's value objects. */
static void test_format(void **state)
{
    (void)state;
    eddy_value v = eddy_value_bool(true);
    assert_text(&v, EDDY_TYPE_BOOLEAN, "true");
    v = eddy_value_int(-1);
    assert_text(&v, EDDY_TYPE_INT, "-1");
    v = eddy_value_bigint(INT64_MIN);
    assert_text(&v, EDDY_TYPE_BIGINT, "-9223372036854775808");
    v = eddy_value_double(10.3);
    assert_text(&v, EDDY_TYPE_DOUBLE, "10.3");
    v = DEC("0.0000001");
    assert_text(&v, T("DECIMAL(8,7)"), "0.0000001");
    v = eddy_value_timestamp(1590537598000LL);
    assert_text(&v, EDDY_TYPE_TIMESTAMP, "2020-05-26T23:59:58.000");
    v = eddy_value_date(18262);
    assert_text(&v, EDDY_TYPE_DATE, "2020-01-01");
    v = eddy_value_time(3600000);
    assert_text(&v, EDDY_TYPE_TIME, "01:00");
    v = eddy_value_time(3605123);
    assert_text(&v, EDDY_TYPE_TIME, "01:00:05");
    v = eddy_value_null(EDDY_T_STRING);
    assert_text(&v, EDDY_TYPE_STRING, "null");

    eddy_value *a = items(3);
    a[0] = eddy_value_int(1);
    a[1] = eddy_value_null(EDDY_T_INT);
    a[2] = eddy_value_int(3);
    v = eddy_value_composite(EDDY_T_ARRAY, a, 3);
    assert_text(&v, T("ARRAY<INT>"), "[1, null, 3]");
    v = eddy_value_composite(EDDY_T_ARRAY, a, 0);
    assert_text(&v, T("ARRAY<INT>"), "[]");

    eddy_value *n = items(4);
    n[0] = eddy_value_double(1.0);
    n[1] = DEC("0.0000001");
    n[2] = eddy_value_timestamp(1500);
    n[3] = eddy_value_time(3600000);
    v = eddy_value_composite(EDDY_T_STRUCT, n, 4);
    assert_text(&v, T("STRUCT<D DOUBLE, `e` DECIMAL(8,7), T TIMESTAMP, TI TIME>"),
                "Struct{D=1.0,e=1E-7,T=1970-01-01 00:00:01.5,TI=01:00:00}");

    eddy_value *m = items(4);
    m[0] = S("this");
    m[1] = eddy_value_int(1);
    m[2] = S("that");
    m[3] = eddy_value_null(EDDY_T_INT);
    v = eddy_value_composite(EDDY_T_MAP, m, 2);
    assert_text(&v, T("MAP<STRING, INT>"), "{this=1, that=null}");

    eddy_value *s = items(3);
    s[0] = eddy_value_int(1);
    s[1] = eddy_value_null(EDDY_T_STRING);
    s[2] = S("x y");
    v = eddy_value_composite(EDDY_T_STRUCT, s, 3);
    assert_text(&v, T("STRUCT<F0 INT, `f1` STRING, f2 STRING>"), "Struct{F0=1,F2=x y}");
    s[0] = eddy_value_null(EDDY_T_INT);
    s[2] = eddy_value_null(EDDY_T_STRING);
    assert_text(&v, T("STRUCT<F0 INT, `f1` STRING, f2 STRING>"), "Struct{}");

    eddy_value *nested = items(2);
    nested[0] = eddy_value_composite(EDDY_T_ARRAY, a, 1);
    nested[1] = eddy_value_bytes("abc", 3);
    v = eddy_value_composite(EDDY_T_ARRAY, nested, 1);
    assert_text(&v, T("ARRAY<ARRAY<INT>>"), "[[1]]");
    assert_text(&nested[1], EDDY_TYPE_BYTES, "java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]");
}

static void test_value_arith(void **state)
{
    (void)state;
    eddy_err err;
    eddy_value out;
    eddy_value a = eddy_value_int(INT32_MAX), b = eddy_value_int(1);
    eddy_err_clear(&err);
    assert_int_equal(eddy_value_arith('+', &a, &b, EDDY_TYPE_INT, &arena, &out, &err), 0);
    assert_int_equal(out.u.i32, INT32_MIN);
    b = eddy_value_int(0);
    assert_int_equal(eddy_value_arith('/', &a, &b, EDDY_TYPE_INT, &arena, &out, &err),
                     EDDY_ERANGE);
    assert_string_equal(err.msg, "/ by zero");

    a = eddy_value_int(7);
    b = eddy_value_bigint(-2);
    eddy_err_clear(&err);
    assert_int_equal(eddy_value_arith('%', &a, &b, EDDY_TYPE_BIGINT, &arena, &out, &err), 0);
    assert_int_equal(out.kind, EDDY_T_BIGINT);
    assert_int_equal(out.u.i64, 1);

    /* DECIMAL(4,2) + INT -> DECIMAL(13, 2) */
    const eddy_type *rt;
    assert_int_equal(eddy_type_arith(&arena, '+', T("DECIMAL(4,2)"), EDDY_TYPE_INT, &rt, &err), 0);
    a = DEC("10.01");
    b = eddy_value_int(5);
    assert_int_equal(eddy_value_arith('+', &a, &b, rt, &arena, &out, &err), 0);
    assert_text(&out, rt, "15.01");
    assert_int_equal(eddy_type_arith(&arena, '/', T("DECIMAL(2,1)"), T("DECIMAL(2,1)"), &rt,
                                     &err), 0);
    a = DEC("1.0");
    b = DEC("3.0");
    assert_int_equal(eddy_value_arith('/', &a, &b, rt, &arena, &out, &err), EDDY_ERANGE);

    /* DECIMAL with DOUBLE is DOUBLE arithmetic. */
    eddy_err_clear(&err);
    a = DEC("10.01");
    b = eddy_value_double(5.1);
    assert_int_equal(eddy_value_arith('+', &a, &b, EDDY_TYPE_DOUBLE, &arena, &out, &err), 0);
    assert_text(&out, EDDY_TYPE_DOUBLE, "15.11");
    b = eddy_value_double(0);
    assert_int_equal(eddy_value_arith('/', &a, &b, EDDY_TYPE_DOUBLE, &arena, &out, &err), 0);
    assert_true(isinf(out.u.f64));

    a = S("ab");
    b = S("cd");
    assert_int_equal(eddy_value_arith('+', &a, &b, EDDY_TYPE_STRING, &arena, &out, &err), 0);
    assert_int_equal(out.n, 4);
    assert_memory_equal(out.u.str, "abcd", 4);
    assert_int_equal(eddy_value_arith('-', &a, &b, EDDY_TYPE_STRING, &arena, &out, &err),
                     EDDY_ETYPE);

    eddy_err_clear(&err);
    a = eddy_value_null(EDDY_T_INT);
    b = eddy_value_int(1);
    assert_int_equal(eddy_value_arith('*', &a, &b, EDDY_TYPE_INT, &arena, &out, &err), 0);
    assert_true(out.null);
    assert_int_equal(out.kind, EDDY_T_INT);

    a = eddy_value_bigint(1);
    assert_int_equal(eddy_value_arith('*', &a, &b, EDDY_TYPE_INT, &arena, &out, &err),
                     EDDY_ETYPE);

    eddy_err_clear(&err);
    a = eddy_value_int(INT32_MIN);
    assert_int_equal(eddy_value_negate(&a, &out, &err), 0);
    assert_int_equal(out.u.i32, INT32_MIN);
    a = DEC("-1.50");
    assert_int_equal(eddy_value_negate(&a, &out, &err), 0);
    assert_text(&out, T("DECIMAL(3,2)"), "1.50");
    a = eddy_value_double(0.0);
    assert_int_equal(eddy_value_negate(&a, &out, &err), 0);
    assert_text(&out, EDDY_TYPE_DOUBLE, "-0.0");
    a = S("x");
    assert_int_equal(eddy_value_negate(&a, &out, &err), EDDY_ETYPE);
}

/* ------------------------------------------------------------------------------------------
 * Dates and times
 * ---------------------------------------------------------------------------------------- */

static void test_civil(void **state)
{
    (void)state;
    static const struct { int64_t y; int m, d; int64_t days; } cases[] = {
        {1970, 1, 1, 0}, {1969, 12, 31, -1}, {2000, 3, 1, 11017}, {2020, 2, 29, 18321},
        {2020, 1, 1, 18262}, {1900, 3, 1, -25508}, {0, 3, 1, -719468}, {-1, 12, 31, -719529},
        {9999, 12, 31, 2932896}, {10000, 1, 1, 2932897},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        assert_int_equal(eddy_days_from_civil(cases[i].y, cases[i].m, cases[i].d),
                         cases[i].days);
        int64_t y;
        int m, d;
        eddy_civil_from_days(cases[i].days, &y, &m, &d);
        assert_int_equal(y, cases[i].y);
        assert_int_equal(m, cases[i].m);
        assert_int_equal(d, cases[i].d);
    }
    assert_int_equal(eddy_ts_days(-1), -1);
    assert_int_equal(eddy_ts_days(0), 0);
    assert_int_equal(eddy_ts_days(EDDY_MS_PER_DAY - 1), 0);
    assert_int_equal(eddy_ts_days(-EDDY_MS_PER_DAY), -1);
    assert_int_equal(eddy_ts_days(-EDDY_MS_PER_DAY - 1), -2);
}

static void test_time_format(void **state)
{
    (void)state;
    char buf[EDDY_TIME_BUF];
    static const struct { int64_t ms; const char *want; } ts[] = {
        {0, "1970-01-01T00:00:00.000"},
        {-1, "1969-12-31T23:59:59.999"},
        {1590537598123LL, "2020-05-26T23:59:58.123"},
        {253402300800000LL, "+10000-01-01T00:00:00.000"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(ts); i++) {
        assert_int_equal(eddy_timestamp_format(ts[i].ms, buf), (int)strlen(ts[i].want));
        assert_string_equal(buf, ts[i].want);
    }
    static const struct { int32_t days; const char *want; } ds[] = {
        {0, "1970-01-01"}, {-1, "1969-12-31"}, {2932897, "+10000-01-01"},
        {-719529, "-0001-12-31"}, {18321, "2020-02-29"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(ds); i++) {
        eddy_date_format(ds[i].days, buf);
        assert_string_equal(buf, ds[i].want);
    }
    static const struct { int32_t ms; const char *want; } tm[] = {
        {0, "00:00"}, {3600000, "01:00"}, {3605000, "01:00:05"}, {3605999, "01:00:05"},
        {86399999, "23:59:59"}, {60000, "00:01"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(tm); i++) {
        eddy_time_format(tm[i].ms, buf);
        assert_string_equal(buf, tm[i].want);
    }
}

static void test_timestamp_parse(void **state)
{
    (void)state;
    static const struct { const char *in; int code; int64_t want; } cases[] = {
        {"2020-05-26T23:59:58.000", 0, 1590537598000LL},
        {"2020-05-26T23:59:58.123", 0, 1590537598123LL},
        {"2020-05-26", 0, 1590451200000LL},
        {"2020-05", 0, 1588291200000LL},
        {"2020", 0, 1577836800000LL},
        {"2020-05-26T10", 0, 1590487200000LL},
        {"2020-05-26T10:30", 0, 1590489000000LL},
        {"2020-05-26T10:30:00.1", 0, 1590489000100LL},
        {"2020-05-26T10:30:00Z", 0, 1590489000000LL},
        {"2020-05-26T23:59:58.000+0200", 0, 1590530398000LL},
        {"2020-05-26T23:59:58.000+02:00", 0, 1590530398000LL},
        {"2020-05-26T23:59:58.000+02", 0, 1590530398000LL},
        {"2020-05-26T23:59:58-05:00", 0, 1590555598000LL},
        {"1969-12-31T23:59:59.999", 0, -1},
        {"2021-02-30", 0, 1614470400000LL}, /* SMART: clamped to 2021-02-28 */
        {"2020-05-26T24:00", 0, 1590537600000LL},
        {"2020-13-01", EDDY_EINVAL, 0},
        {"abc", EDDY_EINVAL, 0},
        {"2020-05-26T25:00", EDDY_EINVAL, 0},
        {"2020-05-26T10:00:00.1234", EDDY_EINVAL, 0},
        {"2020-05-26T10:00+25:00", EDDY_EINVAL, 0},
        {"2020-05T10:00", EDDY_EINVAL, 0},
        {"2020-05-32", EDDY_EINVAL, 0},
        {"20-05-26", EDDY_EINVAL, 0},
        {"", EDDY_EINVAL, 0},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        int64_t ms = 42;
        int rc = eddy_timestamp_parse(cases[i].in, strlen(cases[i].in), &ms, &err);
        if (rc != cases[i].code || (rc == 0 && ms != cases[i].want))
            fail_msg("case '%s': rc %d ms %lld (%s)", cases[i].in, rc, (long long)ms, err.msg);
        if (rc)
            assert_non_null(strstr(err.msg, "Failed to parse"));
    }
}

static void test_date_time_parse(void **state)
{
    (void)state;
    static const struct { const char *in; int code; int32_t want; } dates[] = {
        {"2020-05-26", 0, 18408}, {"2020-05", 0, 18383}, {"2020", 0, 18262},
        {"1969-12-31", 0, -1}, {"+10000-01-01", 0, 2932897}, {"-0001-12-31", 0, -719529},
        {"2021-02-30", EDDY_EINVAL, 0}, {"2021-02-29", EDDY_EINVAL, 0},
        {"2020-02-29", 0, 18321}, {"20-01-01", EDDY_EINVAL, 0}, {"2020-1-01", EDDY_EINVAL, 0},
        {"10000-01-01", EDDY_EINVAL, 0}, {"x", EDDY_EINVAL, 0}, {"2020-", EDDY_EINVAL, 0},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(dates); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        int32_t d = 42;
        int rc = eddy_date_parse(dates[i].in, strlen(dates[i].in), &d, &err);
        if (rc != dates[i].code || (rc == 0 && d != dates[i].want))
            fail_msg("date '%s': rc %d d %d", dates[i].in, rc, d);
    }
    static const struct { const char *in; int code; int32_t want; } times[] = {
        {"01:34:20.123", 0, 5660123}, {"01:34", 0, 5640000}, {"01:34:20", 0, 5660000},
        {"01:34:20.123456789", 0, 5660123}, {"23:59:59.999", 0, 86399999},
        {"00:00:00.5", 0, 500}, {"24:00", EDDY_EINVAL, 0}, {"1:34", EDDY_EINVAL, 0},
        {"01:60", EDDY_EINVAL, 0}, {"01", EDDY_EINVAL, 0}, {"01:34:20.1234567890", EDDY_EINVAL, 0},
        {"01:34:", EDDY_EINVAL, 0},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(times); i++) {
        eddy_err err;
        eddy_err_clear(&err);
        int32_t t = 42;
        int rc = eddy_time_parse(times[i].in, strlen(times[i].in), &t, &err);
        if (rc != times[i].code || (rc == 0 && t != times[i].want))
            fail_msg("time '%s': rc %d t %d", times[i].in, rc, t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_is_deep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compare_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compare_equal_across_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compare_strings_and_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compare_composites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sql_compare, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_arith, setup, teardown),
        cmocka_unit_test_setup_teardown(test_civil, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timestamp_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_date_time_parse, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
