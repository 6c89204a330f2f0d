/* Unit tests: format names, delimiters, and what each format can carry (serde/format.c,
 * serde/serde.c) with ksqlDB's messages. */
#include "serde_testutil.h"

static void test_format_parse(void **state)
{
    (void)state;
    static const struct { const char *name; serde_kind kind; } ok[] = {
        {"JSON", SERDE_JSON}, {"json", SERDE_JSON}, {"Delimited", SERDE_DELIMITED},
        {"KafkA", SERDE_KAFKA}, {"none", SERDE_NONE},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(ok); i++) {
        serde_format f;
        eddy_err err = {0};
        EXPECT_OK(serde_format_parse(ok[i].name, &f, &err), &err);
        assert_int_equal(f.kind, ok[i].kind);
        assert_int_equal(f.delimiter, ',');
        assert_int_equal(f.wrap_single, -1);
    }
    static const struct { const char *name; int code; const char *msg; } bad[] = {
        {"foo", EDDY_EINVAL, "Unknown format: FOO"},
        {"", EDDY_EINVAL, "Unknown format: "},
        {"JSONX", EDDY_EINVAL, "Unknown format: JSONX"},
        {"a-very-long-format-name-that-is-unknown-anyway",
         EDDY_EINVAL, "Unknown format: A-VERY-LONG-FORMAT-NAME-THAT-IS-UNKNOWN-ANYWAY"},
        {"avro", EDDY_EUNSUPPORTED, "The 'AVRO' format is not supported by eddy yet"},
        {"Protobuf_NoSR", EDDY_EUNSUPPORTED,
         "The 'PROTOBUF_NOSR' format is not supported by eddy yet"},
        {"JSON_SR", EDDY_EUNSUPPORTED, "The 'JSON_SR' format is not supported by eddy yet"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(bad); i++) {
        serde_format f;
        eddy_err err = {0};
        assert_int_equal(serde_format_parse(bad[i].name, &f, &err), bad[i].code);
        assert_str(err.msg, bad[i].msg);
    }
    assert_string_equal(serde_format_name(SERDE_JSON), "JSON");
    assert_string_equal(serde_format_name(SERDE_DELIMITED), "DELIMITED");
    assert_string_equal(serde_format_name(SERDE_KAFKA), "KAFKA");
    assert_string_equal(serde_format_name(SERDE_NONE), "NONE");
}

static void test_delimiter_parse(void **state)
{
    (void)state;
    static const struct { const char *in; char want; } ok[] = {
        {",", ','}, {";", ';'}, {"|", '|'}, {"TAB", '\t'}, {"SPACE", ' '},
        {"x", 'x'},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(ok); i++) {
        char d = 0;
        eddy_err err = {0};
        EXPECT_OK(serde_delimiter_parse(ok[i].in, &d, &err), &err);
        assert_int_equal(d, ok[i].want);
    }
    static const char *const empty_msg =
        "Delimiter cannot be empty, if you meant to have a tab or space for delimiter, please "
        "use the special values 'TAB' or 'SPACE'\nExample valid value: ';'";
    static const struct { const char *in; const char *msg; } bad[] = {
        {"", empty_msg},
        {" ", empty_msg},
        {"  \t", empty_msg},
        {"\t", empty_msg},            /* String.trim() removes it: use TAB */
        {"ab", "Invalid delimiter value: 'ab'. Delimiter must be a single character or "
               "TAB,SPACE\nExample valid value: ';'"},
        {"tab", "Invalid delimiter value: 'tab'. Delimiter must be a single character or "
                "TAB,SPACE\nExample valid value: ';'"},
        {"\xc2\xa7", "Invalid delimiter value: '\xc2\xa7'. Delimiter must be a single character "
                     "or TAB,SPACE\nExample valid value: ';'"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(bad); i++) {
        char d = 0;
        eddy_err err = {0};
        assert_int_equal(serde_delimiter_parse(bad[i].in, &d, &err), EDDY_EINVAL);
        assert_str(err.msg, bad[i].msg);
    }
}

static void test_create_checks(void **state)
{
    (void)state;
    static const struct {
        serde_kind kind;
        bool is_key;
        const char *spec;
        const char *msg;   /* NULL: accepted */
    } cases[] = {
        {SERDE_NONE, true, "", NULL},
        {SERDE_NONE, true, "K STRING", "The 'NONE' format can only be used when no columns are "
                                       "defined. Got: [`K` STRING KEY]"},
        {SERDE_NONE, false, "FOO INT", "The 'NONE' format can only be used when no columns are "
                                       "defined. Got: [`FOO` INTEGER]"},
        {SERDE_KAFKA, true, "", NULL},
        {SERDE_KAFKA, false, "V INT", NULL},
        {SERDE_KAFKA, false, "V BIGINT", NULL},
        {SERDE_KAFKA, false, "V DOUBLE", NULL},
        {SERDE_KAFKA, false, "V STRING", NULL},
        {SERDE_KAFKA, false, "V BYTES", NULL},
        {SERDE_KAFKA, false, "V0 INT; V1 STRING", "The 'KAFKA' format only supports a single "
                                                  "field. Got: [`V0` INTEGER, `V1` STRING]"},
        {SERDE_KAFKA, true, "F1 INT; F2 INT", "The 'KAFKA' format only supports a single field. "
                                              "Got: [`F1` INTEGER KEY, `F2` INTEGER KEY]"},
        {SERDE_KAFKA, false, "V0 BOOLEAN", "The 'KAFKA' format does not support type 'BOOLEAN'"},
        {SERDE_KAFKA, false, "V0 DECIMAL(4,2)", "The 'KAFKA' format does not support type "
                                                "'DECIMAL'"},
        {SERDE_KAFKA, false, "V0 TIMESTAMP", "The 'KAFKA' format does not support type "
                                             "'TIMESTAMP'"},
        {SERDE_KAFKA, false, "V0 ARRAY<INT>", "The 'KAFKA' format does not support type 'ARRAY'"},
        {SERDE_KAFKA, false, "V0 STRUCT<F0 STRING>", "The 'KAFKA' format does not support type "
                                                     "'STRUCT'"},
        {SERDE_DELIMITED, false, "A INT; B STRING; C DECIMAL(4,2); D BYTES; E TIMESTAMP", NULL},
        {SERDE_DELIMITED, true, "K ARRAY<DOUBLE>", "The 'DELIMITED' format does not support "
                                                   "type 'ARRAY', column: `K`"},
        {SERDE_DELIMITED, false, "A INT; FOO MAP<STRING, INT>", "The 'DELIMITED' format does not "
                                                    "support type 'MAP', column: `FOO`"},
        {SERDE_DELIMITED, false, "ROWKEY STRUCT<A INT>", "The 'DELIMITED' format does not "
                                                         "support type 'STRUCT', column: `ROWKEY`"},
        {SERDE_JSON, false, "M MAP<STRING, ARRAY<MAP<STRING, INT>>>; S STRUCT<A INT>", NULL},
        {SERDE_JSON, false, "FOO MAP<INT, DOUBLE>", "JSON only supports MAP types with STRING "
                                                    "keys"},
        {SERDE_JSON, true, "K STRUCT<F ARRAY<MAP<BIGINT, INT>>>", "JSON only supports MAP types "
                                                                  "with STRING keys"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        tcodec tc;
        eddy_err err = {0};
        int rc = tc_open(&tc, cases[i].kind, ',', -1, cases[i].is_key, cases[i].spec, &err);
        if (!cases[i].msg) {
            if (rc)
                fail_msg("case %zu: %s", i, err.msg);
            assert_non_null(tc.s);
            assert_int_equal(serde_get_format(tc.s)->kind, cases[i].kind);
        } else {
            assert_int_equal(rc, EDDY_ETYPE);
            assert_null(tc.s);
            assert_str(err.msg, cases[i].msg);
        }
        tc_close(&tc);
    }
}

static void test_wrap_single_check(void **state)
{
    (void)state;
    static const struct { serde_kind kind; bool wrap; int ncols; const char *msg; } cases[] = {
        {SERDE_JSON, true, 1, NULL},
        {SERDE_JSON, false, 1, NULL},
        {SERDE_KAFKA, false, 1, NULL},
        {SERDE_DELIMITED, false, 1, NULL},
        {SERDE_DELIMITED, true, 1,
         "Format 'DELIMITED' does not support 'WRAP_SINGLE_VALUE' set to 'true'."},
        {SERDE_KAFKA, true, 1, "Format 'KAFKA' does not support 'WRAP_SINGLE_VALUE' set to "
                               "'true'."},
        {SERDE_NONE, false, 0, "Format 'NONE' does not support 'WRAP_SINGLE_VALUE' set to "
                               "'false'."},
        {SERDE_JSON, false, 2, "'WRAP_SINGLE_VALUE' is only valid for single-field value "
                               "schemas"},
        {SERDE_DELIMITED, true, 2,
         "Format 'DELIMITED' does not support 'WRAP_SINGLE_VALUE' set to 'true'."},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err = {0};
        int rc = serde_check_wrap_single(cases[i].kind, cases[i].wrap, cases[i].ncols, &err);
        if (!cases[i].msg) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, EDDY_ETYPE);
            assert_str(err.msg, cases[i].msg);
        }
    }
}

static void test_null_record_and_none(void **state)
{
    (void)state;
    /* A null record is a null row in every format; NONE ignores bytes and encodes null. */
    static const struct { serde_kind kind; const char *spec; } cases[] = {
        {SERDE_JSON, "A INT; B STRING"}, {SERDE_DELIMITED, "A INT; B STRING"},
        {SERDE_KAFKA, "A BIGINT"}, {SERDE_NONE, ""},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        tcodec tc;
        eddy_err err = {0};
        EXPECT_OK(tc_open(&tc, cases[i].kind, ',', -1, false, cases[i].spec, &err), &err);
        const char *want = cases[i].kind == SERDE_KAFKA ? "NULLROW: null"
                           : cases[i].kind == SERDE_NONE ? "NULLROW: " : "NULLROW: null|null";
        assert_str(tc_decode(&tc, NULL, -1), want);
        if (cases[i].kind == SERDE_NONE) {
            assert_str(tc_decode(&tc, "anything", -1), "");
            assert_str(tc_encode(&tc, NULL, NULL), "<null>");
        }
        tc_close(&tc);
    }
    /* A key with no columns (KAFKA or JSON): the key bytes are ignored and written as null. */
    tcodec tc;
    eddy_err err = {0};
    EXPECT_OK(tc_open(&tc, SERDE_JSON, ',', -1, true, "", &err), &err);
    assert_str(tc_decode(&tc, "{\"whatever\":1}", -1), "");
    assert_str(tc_encode(&tc, NULL, NULL), "<null>");
    tc_close(&tc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_delimiter_parse),
        cmocka_unit_test(test_create_checks),
        cmocka_unit_test(test_wrap_single_check),
        cmocka_unit_test(test_null_record_and_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
