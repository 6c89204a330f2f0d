/* Unit tests: the DELIMITED format (serde/fmt_delimited.c) - commons-csv 1.4 parsing and
 * minimal quoting, value parsing as Java does, errors. */
#include "serde_testutil.h"

typedef struct ccase {
    char delim;
    const char *spec;
    const char *in;
    const char *want;
} ccase;

static void run_decode(const ccase *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tcodec tc;
        eddy_err err = {0};
        if (tc_open(&tc, SERDE_DELIMITED, cases[i].delim, -1, false, cases[i].spec, &err))
            fail_msg("case %zu: %s", i, err.msg);
        const char *got = tc_decode(&tc, cases[i].in, -1);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu (%s):\n  got  %s\n  want %s", i, cases[i].in, got,
                     cases[i].want);
        tc_close(&tc);
    }
}

#define ISD "I INT; S STRING; D DECIMAL(4,2)"

static void test_delimited_decode(void **state)
{
    (void)state;
    static const ccase cases[] = {
        {0, ISD, "1,a,1.50", "1|'a'|1.50"},
        {0, ISD, "1,a,1.5", "1|'a'|1.50"},
        {0, ISD, "-2147483648,,", "-2147483648|null|null"},
        {0, ISD, ",,", "null|null|null"},
        /* Quoting: delimiters, doubled quotes and line breaks inside quotes are data. */
        {0, ISD, "1,\"a,b\",2", "1|'a,b'|2.00"},
        {0, ISD, "1,\"x\"\"y\",2", "1|'x\"y'|2.00"},
        {0, ISD, "1,\"\"\"\",2", "1|'\"'|2.00"},
        {0, ISD, "1,\"a\nb\r\nc\",2", "1|'a\nb\r\nc'|2.00"},
        {0, ISD, "\"1\",\"a\",\"2\"", "1|'a'|2.00"},
        /* A quoted empty field is NULL too. */
        {0, ISD, "1,\"\",2", "1|null|2.00"},
        /* Quotes inside an unquoted field are data. */
        {0, ISD, "1,a\"b\",2", "1|'a\"b\"'|2.00"},
        /* White space after the closing quote is skipped; none is trimmed elsewhere. */
        {0, ISD, "1,\"a\"  ,2", "1|'a'|2.00"},
        {0, ISD, "1, a ,2", "1|' a '|2.00"},
        /* Line ends: the first record is used; empty lines before it are skipped. */
        {0, ISD, "1,a,2\r\n", "1|'a'|2.00"},
        {0, ISD, "1,a,2\n9,z,9", "1|'a'|2.00"},
        {0, ISD, "\n\r\n1,a,2", "1|'a'|2.00"},
        {0, ISD, "1,a,2\rx", "1|'a'|2.00"},
        /* Other delimiters. */
        {'\t', ISD, "1\ta,b\t2", "1|'a,b'|2.00"},
        {' ', ISD, "1 \"a b\" 2", "1|'a b'|2.00"},
        {'|', ISD, "1|a|", "1|'a'|null"},
        {';', "S STRING", "a,b", "'a,b'"},
        /* One column. */
        {0, "S STRING", "hello world", "'hello world'"},
        {0, "S STRING", "\"\"", "null"},
    };
    run_decode(cases, EDDY_ARRAY_LEN(cases));
}

static void test_delimited_decode_types(void **state)
{
    (void)state;
    static const ccase cases[] = {
        {0, "B BOOLEAN", "true", "true"},
        {0, "B BOOLEAN", "TRUE", "true"},
        {0, "B BOOLEAN", "yes", "false"},       /* Boolean.parseBoolean */
        {0, "B BOOLEAN", "1", "false"},
        {0, "V INT", "2147483647", "2147483647"},
        {0, "V INT", "+5", "5"},
        {0, "V BIGINT", "9223372036854775807", "9223372036854775807"},
        {0, "V BIGINT", "-9007199254740993", "-9007199254740993"},
        {0, "V DOUBLE", "1.0E-5", "1.0E-5"},
        {0, "V DOUBLE", " 2.5 ", "2.5"},        /* Double.parseDouble trims */
        {0, "V DOUBLE", "0x1p4", "16.0"},
        {0, "V DOUBLE", "NaN", "NaN"},
        {0, "V DOUBLE", "1d", "1.0"},
        {0, "V DECIMAL(21,19)", "10.1234512345123451234", "10.1234512345123451234"},
        {0, "V DECIMAL(6,4)", "10.0000", "10.0000"},
        {0, "V DECIMAL(6,4)", "1", "1.0000"},
        {0, "V TIMESTAMP", "1600000000000", "ts:1600000000000"},
        {0, "V DATE", "-10", "date:-10"},
        {0, "V TIME", "1000", "time:1000"},
        {0, "V BYTES", "IQ==", "0x21"},
        {0, "V BYTES", "Iw", "0x23"},
        {0, "V STRING", "\xc3\xa9t\xc3\xa9", "'\xc3\xa9t\xc3\xa9'"},
    };
    run_decode(cases, EDDY_ARRAY_LEN(cases));
}

static void test_delimited_decode_errors(void **state)
{
    (void)state;
    static const ccase cases[] = {
        {0, ISD, "1,2",
         "ERR: Error deserializing delimited: Column count mismatch on deserialization. "
         "expected: 3, got: 2"},
        {0, ISD, "1,2,3,4",
         "ERR: Error deserializing delimited: Column count mismatch on deserialization. "
         "expected: 3, got: 4"},
        {0, ISD, "1,a,2,",
         "ERR: Error deserializing delimited: Column count mismatch on deserialization. "
         "expected: 3, got: 4"},
        {'\t', ISD, "1,a,2",
         "ERR: Error deserializing delimited: Column count mismatch on deserialization. "
         "expected: 3, got: 1"},
        {0, ISD, "", "ERR: Error deserializing delimited: No fields in record"},
        {0, ISD, "\r\n\n", "ERR: Error deserializing delimited: No fields in record"},
        {0, ISD, "1,\"a,2",
         "ERR: Error deserializing delimited: (startline 1) EOF reached before encapsulated "
         "token finished"},
        {0, ISD, "1,\"a\"x,2",
         "ERR: Error deserializing delimited: (line 1) invalid char between encapsulated token "
         "and delimiter"},
        /* A malformed later record fails the whole value (CSVParser.getRecords). */
        {0, ISD, "1,a,2\n\n\"open",
         "ERR: Error deserializing delimited: (startline 3) EOF reached before encapsulated "
         "token finished"},
        {0, "V INT", " 1", "ERR: Error deserializing delimited: For input string"},
        {0, "V INT", "2147483648", "ERR: Error deserializing delimited: For input string"},
        {0, "V INT", "1.0", "ERR: Error deserializing delimited: For input string"},
        {0, "V BIGINT", "x", "ERR: Error deserializing delimited: For input string"},
        {0, "V TIME", "86400001",
         "ERR: Error deserializing delimited: Time values must use number of milliseconds "
         "greater than 0 and less than 86400000."},
        {0, "V BYTES", "a b", "ERR: Error deserializing delimited: Value is not a valid Base64 "
                              "encoded string"},
    };
    run_decode(cases, EDDY_ARRAY_LEN(cases));
    /* DECIMAL errors carry common/'s message; check the frame and that it fails. */
    tcodec tc;
    eddy_err err = {0};
    EXPECT_OK(tc_open(&tc, SERDE_DELIMITED, 0, -1, false, "D DECIMAL(4,2)", &err), &err);
    const char *bad[] = {"1.234", "123", "abc", "1e"};
    for (size_t i = 0; i < EDDY_ARRAY_LEN(bad); i++) {
        const char *got = tc_decode(&tc, bad[i], -1);
        if (strncmp(got, "ERR: Error deserializing delimited: ", 36) != 0)
            fail_msg("'%s' gave %s", bad[i], got);
    }
    tc_close(&tc);
}

static void test_delimited_decode_borrows(void **state)
{
    (void)state;
    tcodec tc;
    eddy_err err = {0};
    EXPECT_OK(tc_open(&tc, SERDE_DELIMITED, 0, -1, false, "A STRING; B STRING; C STRING", &err),
              &err);
    const char *in = "plain,\"quoted, no escapes\",\"with \"\"escape\"\"\"";
    eddy_value row[3];
    EXPECT_OK(serde_decode(tc.s, (const uint8_t *)in, (int32_t)strlen(in), row, &tc.a, &err),
              &err);
    const eddy_value *a = &row[tc.cols[0].index], *b = &row[tc.cols[1].index],
                     *c = &row[tc.cols[2].index];
    assert_ptr_equal(a->u.str, in);
    assert_int_equal(a->n, 5);
    assert_ptr_equal(b->u.str, in + 7);
    assert_int_equal(b->n, 18);
    assert_int_equal(c->n, 13);
    assert_memory_equal(c->u.str, "with \"escape\"", 13);
    tc_close(&tc);
}

/* ---------------------------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------------------------- */

static void test_delimited_encode(void **state)
{
    (void)state;
    /* Each row comes from decoding a JSON record with the same columns. */
    static const struct { char delim; const char *spec, *json, *want; } cases[] = {
        {0, ISD, "{\"I\":1,\"S\":\"a\",\"D\":1.5}", "1,a,1.50"},
        {0, ISD, "{}", ",,"},
        {0, ISD, "{\"S\":\"x\"}", ",x,"},
        /* First field: quoted unless it starts with [0-9A-Za-z] (commons-csv 1.4). */
        {0, ISD, "{\"I\":-1,\"S\":\"-1\",\"D\":-0.5}", "\"-1\",-1,-0.50"},
        {0, "S STRING; I INT", "{\"S\":\"_x\",\"I\":-1}", "\"_x\",-1"},
        {0, "S STRING; I INT", "{\"S\":\"\\u00e9t\\u00e9\",\"I\":1}", "\"\xc3\xa9t\xc3\xa9\",1"},
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\"\\u00e9t\\u00e9\"}", "1,\xc3\xa9t\xc3\xa9"},
        /* Empty strings: quoted only when first. */
        {0, "S STRING; T STRING", "{\"S\":\"\",\"T\":\"\"}", "\"\","},
        /* Delimiter, quote, CR, LF anywhere; <= '#' first; <= ' ' last. */
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\"a,b\"}", "1,\"a,b\""},
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\"x\\\"y\"}", "1,\"x\"\"y\""},
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\"\\\"\"}", "1,\"\"\"\""},
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\"a\\nb\"}", "1,\"a\nb\""},
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\"a\\rb\"}", "1,\"a\rb\""},
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\" lead\"}", "1,\" lead\""},
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\"#x\"}", "1,\"#x\""},
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\"!\"}", "1,\"!\""},
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\"$x\"}", "1,$x"},
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\"trail \"}", "1,\"trail \""},
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\"tab\\t\"}", "1,\"tab\t\""},
        {0, "I INT; S STRING", "{\"I\":1,\"S\":\"a;b\"}", "1,a;b"},
        {';', "I INT; S STRING", "{\"I\":1,\"S\":\"a;b\"}", "1;\"a;b\""},
        {'\t', "I INT; S STRING", "{\"I\":1,\"S\":\"a,b\"}", "1\ta,b"},
        {'\t', "I INT; S STRING", "{\"I\":1,\"S\":\"a\\tb\"}", "1\t\"a\tb\""},
        {' ', "I INT; S STRING", "{\"I\":1,\"S\":\"a b\"}", "1 \"a b\""},
        /* Types. */
        {0, "B BOOLEAN; C BOOLEAN", "{\"B\":true,\"C\":false}", "true,false"},
        {0, "D DOUBLE; E DOUBLE", "{\"D\":0.00001,\"E\":2}", "1.0E-5,2.0"},
        {0, "D DOUBLE; E DOUBLE", "{\"D\":1e7,\"E\":-3.5}", "1.0E7,-3.5"},
        {0, "D DOUBLE", "{\"D\":\"NaN\"}", "NaN"},
        {0, "D DOUBLE", "{\"D\":\"-Infinity\"}", "\"-Infinity\""},
        {0, "I BIGINT; D DECIMAL(21,19)", "{\"I\":9223372036854775807,"
         "\"D\":10.1234512345123451234}", "9223372036854775807,10.1234512345123451234"},
        {0, "D DECIMAL(6,4)", "{\"D\":10}", "10.0000"},
        {0, "T TIMESTAMP; D DATE; M TIME", "{\"T\":1600000000000,\"D\":-10,\"M\":5}",
         "1600000000000,-10,5"},
        {0, "D DATE", "{\"D\":-10}", "\"-10\""},
        {0, "B BYTES; C BYTES", "{\"B\":\"IQ==\",\"C\":\"+/8=\"}", "IQ==,+/8="},
        {0, "B BYTES", "{\"B\":\"+/8=\"}", "\"+/8=\""},
        /* A single NULL column is an empty record, not a null one. */
        {0, "S STRING", "{}", ""},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        tcodec src, tc;
        eddy_err err = {0};
        EXPECT_OK(tc_open(&src, SERDE_JSON, 0, 1, false, cases[i].spec, &err), &err);
        EXPECT_OK(tc_open(&tc, SERDE_DELIMITED, cases[i].delim, -1, false, cases[i].spec, &err),
                  &err);
        eddy_value row[TMAX_COLS];
        EXPECT_OK(serde_decode(src.s, (const uint8_t *)cases[i].json,
                               (int32_t)strlen(cases[i].json), row, &tc.a, &err), &err);
        const char *got = tc_encode(&tc, row, NULL);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu:\n  got  [%s]\n  want [%s]", i, got, cases[i].want);
        /* What we write reads back to the same row (except empty strings, which are NULL). */
        if (!strstr(cases[i].json, "\"\"")) {
            const char *back = tc_decode(&tc, got, -1);
            const char *orig = tc_decode(&src, cases[i].json, -1);
            if (got[0] && strcmp(back, orig) != 0)
                fail_msg("case %zu round trip:\n  got  %s\n  want %s", i, back, orig);
        }
        tc_close(&src);
        tc_close(&tc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delimited_decode),
        cmocka_unit_test(test_delimited_decode_types),
        cmocka_unit_test(test_delimited_decode_errors),
        cmocka_unit_test(test_delimited_decode_borrows),
        cmocka_unit_test(test_delimited_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
