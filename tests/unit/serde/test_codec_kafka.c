/* Unit tests: the KAFKA format (serde/fmt_kafka.c) - Kafka's primitive serializers. */
#include "serde_testutil.h"

#include <math.h>

typedef struct kcase {
    const char *spec;
    const uint8_t *bytes;
    int32_t len;
    const char *want;
} kcase;

static void test_kafka_decode(void **state)
{
    (void)state;
    static const uint8_t i1[] = {0, 0, 0, 1}, imin[] = {0x80, 0, 0, 0},
                         imax[] = {0x7f, 0xff, 0xff, 0xff}, ineg[] = {0xff, 0xff, 0xff, 0xfe};
    static const uint8_t l1[] = {0x00, 0x20, 0, 0, 0, 0, 0, 1},        /* 2^53 + 1 */
                         lmin[] = {0x80, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t d1[] = {0x3f, 0xf8, 0, 0, 0, 0, 0, 0},        /* 1.5 */
                         d2[] = {0x3e, 0xe4, 0xf8, 0xb5, 0x88, 0xe3, 0x68, 0xf1},   /* 1e-5 */
                         dnan[] = {0x7f, 0xf8, 0, 0, 0, 0, 0, 0};
    static const uint8_t s1[] = {'h', 0xc3, 0xa9, ',', '"'}, b1[] = {0, 1, 0xff};
    static const kcase cases[] = {
        {"V INT", i1, 4, "1"},
        {"V INT", imin, 4, "-2147483648"},
        {"V INT", imax, 4, "2147483647"},
        {"V INT", ineg, 4, "-2"},
        {"V BIGINT", l1, 8, "9007199254740993"},
        {"V BIGINT", lmin, 8, "-9223372036854775808"},
        {"V DOUBLE", d1, 8, "1.5"},
        {"V DOUBLE", d2, 8, "1.0E-5"},
        {"V DOUBLE", dnan, 8, "NaN"},
        {"V STRING", s1, 5, "'h\xc3\xa9,\"'"},
        {"V STRING", s1, 0, "''"},               /* zero bytes: an empty string, not NULL */
        {"V BYTES", b1, 3, "0x0001ff"},
        {"V BYTES", b1, 0, "0x"},
        {"V INT", i1, 3, "ERR: Error deserializing KAFKA message: Size of data received by "
                         "IntegerDeserializer is not 4"},
        {"V INT", l1, 8, "ERR: Error deserializing KAFKA message: Size of data received by "
                         "IntegerDeserializer is not 4"},
        {"V INT", i1, 0, "ERR: Error deserializing KAFKA message: Size of data received by "
                         "IntegerDeserializer is not 4"},
        {"V BIGINT", i1, 4, "ERR: Error deserializing KAFKA message: Size of data received by "
                            "LongDeserializer is not 8"},
        {"V DOUBLE", i1, 4, "ERR: Error deserializing KAFKA message: Size of data received by "
                            "DoubleDeserializer is not 8"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        for (int key = 0; key <= 1; key++) {
            tcodec tc;
            eddy_err err = {0};
            EXPECT_OK(tc_open(&tc, SERDE_KAFKA, 0, -1, key, cases[i].spec, &err), &err);
            const char *got = tc_decode(&tc, cases[i].bytes, cases[i].len);
            if (strcmp(got, cases[i].want) != 0)
                fail_msg("case %zu:\n  got  %s\n  want %s", i, got, cases[i].want);
            assert_str(tc_decode(&tc, NULL, -1), "NULLROW: null");
            tc_close(&tc);
        }
    }
}

static void test_kafka_encode(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        eddy_value v;
        const char *hex;   /* NULL: a null record */
    } cases[] = {
        {"V INT", {.kind = EDDY_T_INT, .u.i32 = 1}, "00000001"},
        {"V INT", {.kind = EDDY_T_INT, .u.i32 = INT32_MIN}, "80000000"},
        {"V INT", {.kind = EDDY_T_INT, .u.i32 = -2}, "fffffffe"},
        {"V BIGINT", {.kind = EDDY_T_BIGINT, .u.i64 = 9007199254740993LL}, "0020000000000001"},
        {"V BIGINT", {.kind = EDDY_T_BIGINT, .u.i64 = -1}, "ffffffffffffffff"},
        {"V DOUBLE", {.kind = EDDY_T_DOUBLE, .u.f64 = 1.5}, "3ff8000000000000"},
        {"V DOUBLE", {.kind = EDDY_T_DOUBLE, .u.f64 = -0.0}, "8000000000000000"},
        {"V DOUBLE", {.kind = EDDY_T_DOUBLE, .u.f64 = 1e-5}, "3ee4f8b588e368f1"},
        {"V STRING", {.kind = EDDY_T_STRING, .u.str = "ab", .n = 2}, "6162"},
        {"V STRING", {.kind = EDDY_T_STRING, .u.str = "", .n = 0}, ""},
        {"V BYTES", {.kind = EDDY_T_BYTES, .u.str = "\x00\xff", .n = 2}, "00ff"},
        {"V INT", {.kind = EDDY_T_INT, .null = 1}, NULL},
        {"V STRING", {.kind = EDDY_T_STRING, .null = 1}, NULL},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        tcodec tc;
        eddy_err err = {0};
        EXPECT_OK(tc_open(&tc, SERDE_KAFKA, 0, -1, false, cases[i].spec, &err), &err);
        size_t n;
        const char *got = tc_encode(&tc, &cases[i].v, &n);
        if (!cases[i].hex) {
            assert_str(got, "<null>");
        } else {
            char hex[64] = "";
            for (size_t k = 0; k < n; k++)
                snprintf(hex + 2 * k, 3, "%02x", (unsigned char)got[k]);
            assert_str(hex, cases[i].hex);
            /* And it reads back. */
            eddy_value back;
            EXPECT_OK(serde_decode(tc.s, (const uint8_t *)got, (int32_t)n, &back, &tc.a, &err),
                      &err);
            assert_false(back.null);
            assert_int_equal(back.kind, cases[i].v.kind);
            if (back.kind == EDDY_T_DOUBLE)
                assert_memory_equal(&back.u.f64, &cases[i].v.u.f64, 8);
            else if (back.kind == EDDY_T_STRING || back.kind == EDDY_T_BYTES)
                assert_memory_equal(back.u.str, cases[i].v.u.str, back.n);
            else if (back.kind == EDDY_T_BIGINT)
                assert_true(back.u.i64 == cases[i].v.u.i64);
            else
                assert_int_equal(back.u.i32, cases[i].v.u.i32);
        }
        tc_close(&tc);
    }
}

static void test_kafka_no_columns(void **state)
{
    (void)state;
    /* A keyless stream: KAFKA key with no columns ignores the key and writes null. */
    tcodec tc;
    eddy_err err = {0};
    EXPECT_OK(tc_open(&tc, SERDE_KAFKA, 0, -1, true, "", &err), &err);
    assert_str(tc_decode(&tc, "\x01\x02\x03", 3), "");
    assert_str(tc_encode(&tc, NULL, NULL), "<null>");
    tc_close(&tc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kafka_decode),
        cmocka_unit_test(test_kafka_encode),
        cmocka_unit_test(test_kafka_no_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
