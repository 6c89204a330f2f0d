/* Unit tests: compact binary value encoding and order-preserving keys (common/binval.c). */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

static eddy_arena arena;

static int setup(void **state)
{
    (void)state;
    eddy_arena_init(&arena, 1 << 16);
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

static eddy_value COMP(eddy_type_kind kind, uint32_t n, ...)
{
    size_t cnt = kind == EDDY_T_MAP ? 2 * (size_t)n : n;
    eddy_value *items = eddy_arena_calloc(&arena, (cnt ? cnt : 1) * sizeof *items);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < cnt; i++)
        items[i] = va_arg(ap, eddy_value);
    va_end(ap);
    return eddy_value_composite(kind, items, n);
}

static eddy_value NUL(void) { return eddy_value_null(EDDY_T_NULL); }

static void text_of(const eddy_value *v, const eddy_type *t, char *buf, size_t cap)
{
    eddy_buf b;
    eddy_buf_init(&b);
    assert_int_equal(eddy_value_format(v, t, &b), 0);
    snprintf(buf, cap, "%s", eddy_buf_cstr(&b));
    eddy_buf_free(&b);
}

/* Encode, decode, and check the value is equal (and prints the same); also check every
 * truncation of the encoding is rejected with EDDY_ECORRUPT. Returns the encoded length. */
static size_t roundtrip(eddy_value v, const eddy_type *t, bool key)
{
    eddy_buf b;
    eddy_err err;
    eddy_buf_init(&b);
    eddy_err_clear(&err);
    if (key)
        EXPECT_OK(eddy_binval_encode_key(&v, t, &b, &err), &err);
    else
        EXPECT_OK(eddy_binval_encode(&v, t, &b, &err), &err);
    eddy_value out;
    size_t used = 0;
    if (key)
        EXPECT_OK(eddy_binval_decode_key(b.data, b.len, t, &arena, &out, &used, &err), &err);
    else
        EXPECT_OK(eddy_binval_decode(b.data, b.len, t, &arena, &out, &used, &err), &err);
    assert_int_equal(used, b.len);
    assert_int_equal(out.null, v.null);
    if (!v.null && t->kind != EDDY_T_MAP)
        assert_int_equal(eddy_value_compare(&out, &v), 0);
    if (!v.null)
        assert_true(eddy_value_equal(&out, &v));
    char want[512], got[512];
    text_of(&v, t, want, sizeof want);
    text_of(&out, t, got, sizeof got);
    if (t->kind != EDDY_T_MAP || !key)
        assert_string_equal(got, want);
    /* Every strict prefix is truncated input. The tail is copied into its own allocation so
     * ASan catches any read past the given length. */
    for (size_t cut = 0; cut < b.len; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, b.data, cut);
        eddy_err_clear(&err);
        int rc = key ? eddy_binval_decode_key(p, cut, t, &arena, &out, NULL, &err)
                     : eddy_binval_decode(p, cut, t, &arena, &out, NULL, &err);
        if (rc != EDDY_ECORRUPT)
            fail_msg("prefix %zu of %zu decoded (rc %d)", cut, b.len, rc);
        free(p);
    }
    size_t n = b.len;
    eddy_buf_free(&b);
    return n;
}

static void test_binval_roundtrips_primitives(void **state)
{
    (void)state;
    eddy_value vals[] = {
        eddy_value_bool(true), eddy_value_bool(false), eddy_value_int(0), eddy_value_int(-1),
        eddy_value_int(INT32_MAX), eddy_value_int(INT32_MIN), eddy_value_bigint(INT64_MIN),
        eddy_value_bigint(INT64_MAX), eddy_value_bigint(300), eddy_value_double(-0.0),
        eddy_value_double(1.5e300), eddy_value_double(INFINITY), eddy_value_double(-1e-300),
        S(""), S("hello"), S("a\0b"), eddy_value_bytes("\x00\xff\x01", 3),
        eddy_value_timestamp(-86400001), eddy_value_date(-719528), eddy_value_time(86399999),
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(vals); i++) {
        const eddy_type *t = eddy_type_prim((eddy_type_kind)vals[i].kind);
        roundtrip(vals[i], t, false);
        roundtrip(vals[i], t, true);
        roundtrip(eddy_value_null((eddy_type_kind)vals[i].kind), t, false);
        roundtrip(eddy_value_null((eddy_type_kind)vals[i].kind), t, true);
    }
    /* Compactness: small integers take one byte after the flag. */
    assert_int_equal(roundtrip(eddy_value_int(5), EDDY_TYPE_INT, false), 2);
    assert_int_equal(roundtrip(eddy_value_bigint(-64), EDDY_TYPE_BIGINT, false), 2);
    assert_int_equal(roundtrip(eddy_value_null(EDDY_T_INT), EDDY_TYPE_INT, false), 1);
    /* NaN keeps its bits in values and becomes the canonical NaN in keys. */
    eddy_value nan = eddy_value_double(NAN);
    roundtrip(nan, EDDY_TYPE_DOUBLE, false);
    roundtrip(nan, EDDY_TYPE_DOUBLE, true);
    /* The NULL type. */
    roundtrip(NUL(), EDDY_TYPE_NULL, false);
    roundtrip(NUL(), EDDY_TYPE_NULL, true);
}

static void test_binval_roundtrips_decimals(void **state)
{
    (void)state;
    const char *ds[] = {"0", "1.5", "-1.50", "12345678901234567890.123456789012345678",
                        "-99999999999999999999999999999999999999", "127", "128", "-128",
                        "-129", "255", "0.001"};
    for (size_t i = 0; i < EDDY_ARRAY_LEN(ds); i++) {
        eddy_value v = DEC(ds[i]);
        const eddy_type *t;
        eddy_err err;
        eddy_err_clear(&err);
        EXPECT_OK(eddy_type_decimal(&arena, 38, v.scale, &t, &err), &err);
        roundtrip(v, t, false);
        roundtrip(v, t, true);
        char got[64];
        text_of(&v, t, got, sizeof got);
        assert_string_equal(got, ds[i]);   /* the scale survives */
    }
    /* 1.5 is scale 1, unscaled 15: flag, scale, length, one byte. */
    assert_int_equal(roundtrip(DEC("1.5"), T("DECIMAL(2, 1)"), false), 4);
}

static void test_binval_roundtrips_composites(void **state)
{
    (void)state;
    const eddy_type *arr = T("ARRAY<INT>");
    roundtrip(COMP(EDDY_T_ARRAY, 0), arr, false);
    roundtrip(COMP(EDDY_T_ARRAY, 0), arr, true);
    eddy_value a = COMP(EDDY_T_ARRAY, 10, eddy_value_int(1), eddy_value_null(EDDY_T_INT),
                        eddy_value_int(-3), eddy_value_int(4), eddy_value_int(5),
                        eddy_value_int(6), eddy_value_int(7), eddy_value_int(8),
                        eddy_value_null(EDDY_T_INT), eddy_value_int(1000000));
    roundtrip(a, arr, false);
    roundtrip(a, arr, true);

    const eddy_type *mt = T("MAP<STRING, ARRAY<DOUBLE>>");
    eddy_value m = COMP(EDDY_T_MAP, 3, S("b"),
                        COMP(EDDY_T_ARRAY, 2, eddy_value_double(1.5), eddy_value_double(-2)),
                        S("a"), eddy_value_null(EDDY_T_ARRAY), S(""), COMP(EDDY_T_ARRAY, 0));
    roundtrip(m, mt, false);
    roundtrip(m, mt, true);

    const eddy_type *st = T("STRUCT<A STRING, M MAP<STRING, DOUBLE>, D DECIMAL(4, 1), "
                            "L ARRAY<STRUCT<X BOOLEAN, Y BYTES>>, E STRUCT<>>");
    eddy_value s = COMP(EDDY_T_STRUCT, 5, S("x"),
                        COMP(EDDY_T_MAP, 1, S("k"), eddy_value_double(2.25)), DEC("-12.5"),
                        COMP(EDDY_T_ARRAY, 2,
                             COMP(EDDY_T_STRUCT, 2, eddy_value_bool(true),
                                  eddy_value_bytes("\x01\x00", 2)),
                             COMP(EDDY_T_STRUCT, 2, eddy_value_null(EDDY_T_BOOLEAN),
                                  eddy_value_null(EDDY_T_BYTES))),
                        COMP(EDDY_T_STRUCT, 0));
    roundtrip(s, st, false);
    roundtrip(s, st, true);
    eddy_value s_nulls = COMP(EDDY_T_STRUCT, 5, eddy_value_null(EDDY_T_STRING),
                              eddy_value_null(EDDY_T_MAP), eddy_value_null(EDDY_T_DECIMAL),
                              eddy_value_null(EDDY_T_ARRAY), eddy_value_null(EDDY_T_STRUCT));
    roundtrip(s_nulls, st, false);
    roundtrip(s_nulls, st, true);
    /* A struct of five NULLs: flag and one bitmap byte. */
    assert_int_equal(roundtrip(s_nulls, st, false), 2);
}

static void test_binval_map_keys_ignore_entry_order(void **state)
{
    (void)state;
    const eddy_type *mt = T("MAP<STRING, INT>");
    eddy_value m1 = COMP(EDDY_T_MAP, 2, S("a"), eddy_value_int(1), S("b"), eddy_value_int(2));
    eddy_value m2 = COMP(EDDY_T_MAP, 2, S("b"), eddy_value_int(2), S("a"), eddy_value_int(1));
    eddy_value m3 = COMP(EDDY_T_MAP, 1, S("z"), eddy_value_int(9));
    eddy_buf b1, b2, b3;
    eddy_err err;
    eddy_err_clear(&err);
    eddy_buf_init(&b1);
    eddy_buf_init(&b2);
    eddy_buf_init(&b3);
    EXPECT_OK(eddy_binval_encode_key(&m1, mt, &b1, &err), &err);
    EXPECT_OK(eddy_binval_encode_key(&m2, mt, &b2, &err), &err);
    EXPECT_OK(eddy_binval_encode_key(&m3, mt, &b3, &err), &err);
    assert_int_equal(b1.len, b2.len);
    assert_memory_equal(b1.data, b2.data, b1.len);
    /* Smaller maps first. */
    assert_true(memcmp(b3.data, b1.data, EDDY_MIN(b1.len, b3.len)) < 0);
    eddy_buf_free(&b1);
    eddy_buf_free(&b2);
    eddy_buf_free(&b3);
}

/* Key order: sort values by eddy_value_compare and check the keys are strictly increasing
 * (the values below are distinct). */
static void check_order(const eddy_type *t, eddy_value *vals, size_t n)
{
    eddy_buf *keys = calloc(n, sizeof *keys);
    eddy_err err;
    eddy_err_clear(&err);
    for (size_t i = 0; i < n; i++) {
        eddy_buf_init(&keys[i]);
        EXPECT_OK(eddy_binval_encode_key(&vals[i], t, &keys[i], &err), &err);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = eddy_value_compare(&vals[i], &vals[j]);
            size_t m = EDDY_MIN(keys[i].len, keys[j].len);
            int k = memcmp(keys[i].data, keys[j].data, m);
            if (k == 0)
                k = keys[i].len < keys[j].len ? -1 : keys[i].len > keys[j].len;
            if ((c < 0) != (k < 0) || (c == 0) != (k == 0)) {
                char a[128], b[128];
                text_of(&vals[i], t, a, sizeof a);
                text_of(&vals[j], t, b, sizeof b);
                fail_msg("order of %s and %s: compare %d, keys %d", a, b, c, k);
            }
        }
    for (size_t i = 0; i < n; i++)
        eddy_buf_free(&keys[i]);
    free(keys);
}

static void test_binval_keys_preserve_order(void **state)
{
    (void)state;
    eddy_value ints[] = {eddy_value_null(EDDY_T_INT), eddy_value_int(INT32_MIN),
                         eddy_value_int(-1000), eddy_value_int(-1), eddy_value_int(0),
                         eddy_value_int(1), eddy_value_int(255), eddy_value_int(256),
                         eddy_value_int(INT32_MAX)};
    check_order(EDDY_TYPE_INT, ints, EDDY_ARRAY_LEN(ints));
    eddy_value bigs[] = {eddy_value_bigint(INT64_MIN), eddy_value_bigint(-1),
                         eddy_value_bigint(0), eddy_value_bigint(1LL << 40),
                         eddy_value_bigint(INT64_MAX), eddy_value_null(EDDY_T_BIGINT)};
    check_order(EDDY_TYPE_BIGINT, bigs, EDDY_ARRAY_LEN(bigs));
    eddy_value dbls[] = {eddy_value_double(-INFINITY), eddy_value_double(-1e300),
                         eddy_value_double(-1.5), eddy_value_double(-1e-300),
                         eddy_value_double(-0.0), eddy_value_double(0.0),
                         eddy_value_double(4.9e-324), eddy_value_double(1),
                         eddy_value_double(1.0000000000000002), eddy_value_double(INFINITY),
                         eddy_value_double(NAN), eddy_value_null(EDDY_T_DOUBLE)};
    check_order(EDDY_TYPE_DOUBLE, dbls, EDDY_ARRAY_LEN(dbls));
    eddy_value bools[] = {eddy_value_bool(true), eddy_value_bool(false),
                          eddy_value_null(EDDY_T_BOOLEAN)};
    check_order(EDDY_TYPE_BOOLEAN, bools, EDDY_ARRAY_LEN(bools));
    eddy_value decs[] = {DEC("-100.00"), DEC("-0.01"), DEC("0.00"), DEC("0.01"),
                         DEC("99.99"), DEC("100.00"), eddy_value_null(EDDY_T_DECIMAL)};
    check_order(T("DECIMAL(10, 2)"), decs, EDDY_ARRAY_LEN(decs));
    /* Strings: prefixes, NUL bytes, and UTF-16 order (U+FF5E sorts after U+1F600 in Java). */
    eddy_value strs[] = {S(""), S("a"), eddy_value_string("a\0", 2),
                         eddy_value_string("a\0b", 3), S("a\x01"), S("ab"), S("b"),
                         S("\xc3\xa9"), S("\xed\x9f\xbf"), S("\xf0\x9f\x98\x80"),
                         S("\xef\xbd\x9e"), S("\xee\x80\x80"), eddy_value_null(EDDY_T_STRING)};
    check_order(EDDY_TYPE_STRING, strs, EDDY_ARRAY_LEN(strs));
    eddy_value bytes[] = {eddy_value_bytes("", 0), eddy_value_bytes("\x00", 1),
                          eddy_value_bytes("\x00\x00", 2), eddy_value_bytes("\x01", 1),
                          eddy_value_bytes("\x7f", 1), eddy_value_bytes("\x80", 1),
                          eddy_value_bytes("\xff", 1), eddy_value_bytes("\xff\x00", 2)};
    check_order(EDDY_TYPE_BYTES, bytes, EDDY_ARRAY_LEN(bytes));
    eddy_value ts[] = {eddy_value_timestamp(-5), eddy_value_timestamp(0),
                       eddy_value_timestamp(1600000000000LL)};
    check_order(EDDY_TYPE_TIMESTAMP, ts, EDDY_ARRAY_LEN(ts));
    eddy_value dates[] = {eddy_value_date(-3), eddy_value_date(0), eddy_value_date(19000)};
    check_order(eddy_type_prim(EDDY_T_DATE), dates, EDDY_ARRAY_LEN(dates));
    eddy_value arrs[] = {
        eddy_value_null(EDDY_T_ARRAY), COMP(EDDY_T_ARRAY, 0),
        COMP(EDDY_T_ARRAY, 1, eddy_value_null(EDDY_T_INT)),
        COMP(EDDY_T_ARRAY, 1, eddy_value_int(-5)),
        COMP(EDDY_T_ARRAY, 2, eddy_value_int(-5), eddy_value_int(0)),
        COMP(EDDY_T_ARRAY, 1, eddy_value_int(1)),
        COMP(EDDY_T_ARRAY, 3, eddy_value_int(1), eddy_value_int(1), eddy_value_int(1)),
        COMP(EDDY_T_ARRAY, 1, eddy_value_int(2)),
    };
    check_order(T("ARRAY<INT>"), arrs, EDDY_ARRAY_LEN(arrs));
    eddy_value sts[] = {
        COMP(EDDY_T_STRUCT, 2, eddy_value_null(EDDY_T_STRING), eddy_value_int(9)),
        COMP(EDDY_T_STRUCT, 2, S(""), eddy_value_int(9)),
        COMP(EDDY_T_STRUCT, 2, S("a"), eddy_value_null(EDDY_T_INT)),
        COMP(EDDY_T_STRUCT, 2, S("a"), eddy_value_int(-1)),
        COMP(EDDY_T_STRUCT, 2, S("a"), eddy_value_int(3)),
        COMP(EDDY_T_STRUCT, 2, S("a\x01"), eddy_value_int(0)),
        COMP(EDDY_T_STRUCT, 2, S("b"), eddy_value_int(-7)),
    };
    check_order(T("STRUCT<S STRING, I INT>"), sts, EDDY_ARRAY_LEN(sts));
}

/* Decoding arbitrary bytes never crashes: mutate valid encodings byte by byte (ASan checks
 * the reads) and accept only 0 or EDDY_ECORRUPT. */
static void test_binval_decode_survives_corruption(void **state)
{
    (void)state;
    const eddy_type *t = T("STRUCT<A ARRAY<STRING>, M MAP<STRING, DECIMAL(6, 2)>, D DOUBLE, "
                           "I BIGINT, B BOOLEAN, S STRUCT<X INT>>");
    eddy_value v = COMP(EDDY_T_STRUCT, 6, COMP(EDDY_T_ARRAY, 2, S("ab"), S("")),
                        COMP(EDDY_T_MAP, 1, S("k"), DEC("1234.56")), eddy_value_double(2.5),
                        eddy_value_bigint(-77777), eddy_value_bool(true),
                        COMP(EDDY_T_STRUCT, 1, eddy_value_int(3)));
    for (int key = 0; key < 2; key++) {
        eddy_buf b;
        eddy_err err;
        eddy_buf_init(&b);
        eddy_err_clear(&err);
        if (key)
            EXPECT_OK(eddy_binval_encode_key(&v, t, &b, &err), &err);
        else
            EXPECT_OK(eddy_binval_encode(&v, t, &b, &err), &err);
        static const uint8_t pokes[] = {0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe, 0xff};
        for (size_t i = 0; i < b.len; i++)
            for (size_t k = 0; k < sizeof pokes; k++) {
                uint8_t *p = malloc(b.len);
                memcpy(p, b.data, b.len);
                p[i] = pokes[k];
                eddy_value out;
                eddy_err_clear(&err);
                int rc = key ? eddy_binval_decode_key(p, b.len, t, &arena, &out, NULL, &err)
                             : eddy_binval_decode(p, b.len, t, &arena, &out, NULL, &err);
                assert_true(rc == 0 || rc == EDDY_ECORRUPT);
                free(p);
            }
        eddy_buf_free(&b);
    }
    /* Specific rejections. */
    eddy_value out;
    eddy_err err;
    eddy_err_clear(&err);
    const uint8_t bad_flag[] = {2};
    assert_int_equal(eddy_binval_decode(bad_flag, 1, EDDY_TYPE_INT, &arena, &out, NULL, &err),
                     EDDY_ECORRUPT);
    const uint8_t bad_bool[] = {1, 2};
    assert_int_equal(
        eddy_binval_decode(bad_bool, 2, EDDY_TYPE_BOOLEAN, &arena, &out, NULL, &err),
        EDDY_ECORRUPT);
    const uint8_t big_int[] = {1, 0xff, 0xff, 0xff, 0xff, 0x1f};   /* beyond int32 */
    assert_int_equal(eddy_binval_decode(big_int, 6, EDDY_TYPE_INT, &arena, &out, NULL, &err),
                     EDDY_ECORRUPT);
    const uint8_t huge_array[] = {1, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0};  /* n = 2^31 - 1 */
    assert_int_equal(
        eddy_binval_decode(huge_array, 7, T("ARRAY<INT>"), &arena, &out, NULL, &err),
        EDDY_ECORRUPT);
    const uint8_t neg_len[] = {1, 0x01};   /* zig-zag -1 */
    assert_int_equal(
        eddy_binval_decode(neg_len, 2, EDDY_TYPE_STRING, &arena, &out, NULL, &err),
        EDDY_ECORRUPT);
    const uint8_t nonminimal_dec[] = {1, 0, 2, 0, 5};
    assert_int_equal(
        eddy_binval_decode(nonminimal_dec, 5, T("DECIMAL(3, 0)"), &arena, &out, NULL, &err),
        EDDY_ECORRUPT);
    const uint8_t bad_escape[] = {1, 'a', 0, 7};
    assert_int_equal(
        eddy_binval_decode_key(bad_escape, 4, EDDY_TYPE_STRING, &arena, &out, NULL, &err),
        EDDY_ECORRUPT);
}

static void test_binval_values_concatenate(void **state)
{
    (void)state;
    eddy_buf b;
    eddy_err err;
    eddy_buf_init(&b);
    eddy_err_clear(&err);
    eddy_value a = S("abc"), c = eddy_value_bigint(-9);
    EXPECT_OK(eddy_binval_encode(&a, EDDY_TYPE_STRING, &b, &err), &err);
    EXPECT_OK(eddy_binval_encode(&c, EDDY_TYPE_BIGINT, &b, &err), &err);
    eddy_value x, y;
    size_t u1, u2;
    EXPECT_OK(eddy_binval_decode(b.data, b.len, EDDY_TYPE_STRING, &arena, &x, &u1, &err), &err);
    EXPECT_OK(eddy_binval_decode(b.data + u1, b.len - u1, EDDY_TYPE_BIGINT, &arena, &y, &u2,
                                 &err),
              &err);
    assert_int_equal(u1 + u2, b.len);
    assert_int_equal(x.n, 3);
    assert_memory_equal(x.u.str, "abc", 3);
    assert_int_equal(y.u.i64, -9);
    /* A struct value whose field count does not match its type is refused, and 'out' is
     * left as it was. */
    size_t before = b.len;
    eddy_value bad = COMP(EDDY_T_STRUCT, 1, eddy_value_int(1));
    assert_int_equal(eddy_binval_encode(&bad, T("STRUCT<A INT, B INT>"), &b, &err),
                     EDDY_EINVAL);
    assert_int_equal(b.len, before);
    eddy_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_binval_roundtrips_primitives, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binval_roundtrips_decimals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binval_roundtrips_composites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binval_map_keys_ignore_entry_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_binval_keys_preserve_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binval_decode_survives_corruption, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_binval_values_concatenate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
