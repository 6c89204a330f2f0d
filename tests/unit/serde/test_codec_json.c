/* Unit tests: the JSON format (serde/fmt_json.c) - decoding every type with ksqlDB's
 * coercions, field matching, wrapping, errors with paths; encoding. */
#include "serde_testutil.h"

#include <math.h>

typedef struct dcase {
    int wrap;            /* -1 default, 0 unwrapped, 1 wrapped */
    bool is_key;
    const char *spec;
    const char *in;
    const char *want;    /* rendered row, "NULLROW: ...", or "ERR: message" */
} dcase;

static void run_decode(const dcase *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tcodec tc;
        eddy_err err = {0};
        if (tc_open(&tc, SERDE_JSON, 0, cases[i].wrap, cases[i].is_key, cases[i].spec, &err))
            fail_msg("case %zu: %s", i, err.msg);
        const char *got = tc_decode(&tc, cases[i].in, -1);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu (%s):\n  got  %s\n  want %s", i, cases[i].in, got,
                     cases[i].want);
        tc_close(&tc);
    }
}

static void test_json_decode_fields(void **state)
{
    (void)state;
    static const dcase cases[] = {
        {-1, false, "ID INT; NAME STRING", "{\"ID\":1,\"NAME\":\"a\"}", "1|'a'"},
        /* Field order in the document does not matter; extra fields are ignored. */
        {-1, false, "ID INT; NAME STRING", "{\"X\":[1],\"NAME\":\"a\",\"ID\":1}", "1|'a'"},
        /* Missing fields and JSON null are NULL. */
        {-1, false, "ID INT; NAME STRING", "{\"ID\":null}", "null|null"},
        {-1, false, "ID INT; NAME STRING", "{}", "null|null"},
        /* Case: the member whose upper-cased name equals the column name. */
        {-1, false, "ID INT; NAME STRING", "{\"id\":1,\"Name\":\"a\"}", "1|'a'"},
        /* An exact match wins wherever it is. */
        {-1, false, "ID INT", "{\"id\":2,\"ID\":1}", "1"},
        {-1, false, "ID INT", "{\"ID\":1,\"id\":2}", "1"},
        /* Repeated names: the last value (Jackson's ObjectNode). */
        {-1, false, "ID INT", "{\"ID\":1,\"ID\":3}", "3"},
        {-1, false, "ID INT", "{\"id\":1,\"iD\":3}", "3"},
        /* A quoted lower-case column matches only exactly. */
        {-1, false, "id INT", "{\"ID\":5}", "null"},
        {-1, false, "id INT", "{\"id\":5}", "5"},
        {-1, false, "Mixed INT", "{\"MIXED\":5}", "null"},
        /* Nested STRUCT fields follow the same rules. */
        {-1, false, "S STRUCT<A INT, `b` STRING>",
         "{\"s\":{\"a\":1,\"B\":\"no\",\"b\":\"yes\",\"zz\":0}}", "{A:1,b:'yes'}"},
        {-1, false, "S STRUCT<A INT, B ARRAY<STRUCT<C STRING>>>",
         "{\"S\":{\"A\":1,\"B\":[{\"c\":\"x\"},null,{}]}}", "{A:1,B:[{C:'x'},null,{C:null}]}"},
        {-1, false, "S STRUCT<A INT>", "{\"S\":null}", "null"},
        /* MAP: keys are the member names; a repeated key keeps its last value. */
        {-1, false, "M MAP<STRING, INT>", "{\"M\":{\"a\":1,\"b\":null,\"a\":2}}",
         "{'a'=2,'b'=null}"},
        {-1, false, "M MAP<STRING, ARRAY<INT>>", "{\"M\":{}}", "{}"},
        {-1, false, "M MAP<STRING, MAP<STRING, BOOLEAN>>", "{\"M\":{\"x\":{\"Y\":true}}}",
         "{'x'={'Y'=true}}"},
        {-1, false, "A ARRAY<ARRAY<INT>>", "{\"A\":[[1,2],[],null,[null]]}",
         "[[1,2],[],null,[null]]"},
        /* Escaped names and values are decoded. */
        {-1, false, "aB STRING", "{\"a\\u0042\":\"x\\\"y\\u00e9\"}", "'x\"y\xc3\xa9'"},
        /* Anything after the first value is ignored (ObjectMapper.readTree). */
        {-1, false, "ID INT", "{\"ID\":1} trailing", "1"},
        /* A wrapped JSON null is a null row. */
        {-1, false, "ID INT; NAME STRING", "null", "NULLROW: null|null"},
        {-1, false, "ID INT; NAME STRING", " null ", "NULLROW: null|null"},
    };
    run_decode(cases, EDDY_ARRAY_LEN(cases));
}

/* A MAP iterates as ksqlDB's `new HashMap<>(size)` does: by Java hash bucket, then by
 * insertion (REDUCE and MAP_KEYS see this order). */
static void test_json_decode_map_in_java_hash_order(void **state)
{
    (void)state;
    static const dcase cases[] = {
        {-1, false, "M MAP<STRING, INT>",
         "{\"M\":{\"pear\":1,\"apple\":2,\"fig\":3,\"kiwi\":4,\"plum\":5}}",
         "{'plum'=5,'apple'=2,'pear'=1,'kiwi'=4,'fig'=3}"},
        /* Same bucket: insertion order. */
        {-1, false, "M MAP<STRING, INT>", "{\"M\":{\"zz\":1,\"a\":2,\"b\":3}}",
         "{'zz'=1,'a'=2,'b'=3}"},
        /* Hashes over UTF-16 code units: a surrogate pair counts twice. */
        {-1, false, "M MAP<STRING, INT>",
         "{\"M\":{\"caf\\u00e9\":1,\"\\ud83d\\ude00\":2,\"x\":3,\"y\":4}}",
         "{'\xf0\x9f\x98\x80'=2,'x'=3,'y'=4,'caf\xc3\xa9'=1}"},
    };
    run_decode(cases, EDDY_ARRAY_LEN(cases));
}

static void test_json_decode_numbers(void **state)
{
    (void)state;
    static const dcase cases[] = {
        {0, false, "V INT", "2147483647", "2147483647"},
        {0, false, "V INT", "-2147483648", "-2147483648"},
        {0, false, "V INT", "0", "0"},
        {0, false, "V INT", "-0", "0"},
        /* Java's intValue(): fraction truncated, then the low 32 bits. */
        {0, false, "V INT", "1.9", "1"},
        {0, false, "V INT", "-1.9", "-1"},
        {0, false, "V INT", "3000000000", "-1294967296"},
        {0, false, "V INT", "1e2", "100"},
        {0, false, "V INT", "12345678901234567890123", "1900168395"},
        {0, false, "V INT", "\"42\"", "42"},
        {0, false, "V INT", "\"+7\"", "7"},
        {0, false, "V INT", "\"-2147483648\"", "-2147483648"},
        {0, false, "V BIGINT", "9007199254740993", "9007199254740993"},
        {0, false, "V BIGINT", "9223372036854775807", "9223372036854775807"},
        {0, false, "V BIGINT", "-9223372036854775808", "-9223372036854775808"},
        {0, false, "V BIGINT", "9223372036854775808", "-9223372036854775808"},
        {0, false, "V BIGINT", "1.5e3", "1500"},
        {0, false, "V BIGINT", "12345.678e-2", "123"},
        {0, false, "V BIGINT", "1e-400", "0"},
        {0, false, "V BIGINT", "1e100", "0"},
        {0, false, "V BIGINT", "\"10827272222\"", "10827272222"},
        {0, false, "V DOUBLE", "1", "1.0"},
        {0, false, "V DOUBLE", "0.00001", "1.0E-5"},
        {0, false, "V DOUBLE", "1234.589", "1234.589"},
        {0, false, "V DOUBLE", "-0.0", "-0.0"},
        {0, false, "V DOUBLE", "1.7976931348623157E308", "1.7976931348623157E308"},
        {0, false, "V DOUBLE", "1e400", "Infinity"},
        {0, false, "V DOUBLE", "9007199254740993", "9.007199254740992E15"},
        {0, false, "V DOUBLE", "\"2.5\"", "2.5"},
        {0, false, "V DOUBLE", "\" 2.5 \"", "2.5"},
        {0, false, "V DOUBLE", "\"NaN\"", "NaN"},
        /* DECIMAL: numbers and strings, exact; the scale grows but never rounds. */
        {0, false, "V DECIMAL(4,2)", "1.5", "1.50"},
        {0, false, "V DECIMAL(4,2)", "10", "10.00"},
        {0, false, "V DECIMAL(4,2)", "10.10", "10.10"},
        {0, false, "V DECIMAL(4,2)", "-0.01", "-0.01"},
        {0, false, "V DECIMAL(4,2)", "\"12.34\"", "12.34"},
        {0, false, "V DECIMAL(4,2)", "1E1", "10.00"},
        {0, false, "V DECIMAL(6,4)", "0.0001", "0.0001"},
        {0, false, "V DECIMAL(21,19)", "10.1234512345123451234", "10.1234512345123451234"},
        {0, false, "V DECIMAL(38,0)", "99999999999999999999999999999999999999",
         "99999999999999999999999999999999999999"},
        /* Time kinds are numbers (or numeric strings). */
        {0, false, "V TIMESTAMP", "1600000000000", "ts:1600000000000"},
        {0, false, "V TIMESTAMP", "\"-5\"", "ts:-5"},
        {0, false, "V DATE", "18000", "date:18000"},
        {0, false, "V DATE", "-1", "date:-1"},
        {0, false, "V TIME", "3600000", "time:3600000"},
        {0, false, "V TIME", "86400000", "time:86400000"},
        {0, false, "V TIME", "0", "time:0"},
        {0, false, "V BOOLEAN", "true", "true"},
        {0, false, "V BOOLEAN", "false", "false"},
        {0, false, "V BYTES", "\"AQID\"", "0x010203"},
        {0, false, "V BYTES", "\"AQI=\"", "0x0102"},
        {0, false, "V BYTES", "\"AQ\"", "0x01"},
        {0, false, "V BYTES", "\"\"", "0x"},
    };
    run_decode(cases, EDDY_ARRAY_LEN(cases));
}

static void test_json_decode_strings(void **state)
{
    (void)state;
    /* STRING accepts any JSON value, as Jackson's asText() / ksqlDB's processString. */
    static const dcase cases[] = {
        {0, false, "V STRING", "\"hello\"", "'hello'"},
        {0, false, "V STRING", "\"\"", "''"},
        {0, false, "V STRING", "10", "'10'"},
        {0, false, "V STRING", "-0", "'0'"},
        {0, false, "V STRING", "1.50", "'1.50'"},
        {0, false, "V STRING", "-1.5E-7", "'-1.5E-7'"},
        {0, false, "V STRING", "0.0000001", "'1E-7'"},
        {0, false, "V STRING", "0.000001", "'0.000001'"},
        {0, false, "V STRING", "1e2", "'1E+2'"},
        {0, false, "V STRING", "12.5e1", "'125'"},
        {0, false, "V STRING", "-0.0", "'0.0'"},
        {0, false, "V STRING", "true", "'true'"},
        {0, false, "V STRING", "{\"a\":1,\"b\":[1,2.0,\"x\\n\"],\"a\":{}}",
         "'{\"a\":{},\"b\":[1,2.0,\"x\\n\"]}'"},
        {0, false, "V STRING", "[1,\"x\",null,[true,1e1],{\"k\":null}]",
         "'[1, x, null, [true, 1E+1], {\"k\":null}]'"},
        {0, false, "V STRING", "null", "null"},
        /* Empty input is Jackson's MissingNode: "" for STRING. */
        {0, false, "V STRING", "", "''"},
        {-1, false, "A STRING; B STRING", "{\"A\":12,\"B\":false}", "'12'|'false'"},
    };
    run_decode(cases, EDDY_ARRAY_LEN(cases));
}

static void test_json_decode_wrapping(void **state)
{
    (void)state;
    static const dcase cases[] = {
        /* Values: wrapped by default and with wrap 1, bare with wrap 0. */
        {-1, false, "V INT", "{\"V\":5}", "5"},
        {1, false, "V INT", "{\"V\":5}", "5"},
        {0, false, "V INT", "5", "5"},
        {0, false, "V ARRAY<STRING>", "[\"a\",\"b\",null]", "['a','b',null]"},
        {0, false, "V STRUCT<F0 INT>", "{\"f0\":1}", "{F0:1}"},
        {0, false, "V MAP<STRING, INT>", "{\"a\":1}", "{'a'=1}"},
        /* An unwrapped JSON null is a row whose one column is NULL, not a null row. */
        {0, false, "V INT", "null", "null"},
        /* Keys: one column is always bare; several are an object. */
        {-1, true, "K INT", "33", "33"},
        {1, true, "K BIGINT", "998877665544332211", "998877665544332211"},
        {-1, true, "K DECIMAL(6,4)", "12.3650", "12.3650"},
        {-1, true, "K STRUCT<F DOUBLE>", "{\"f\":45.67}", "{F:45.67}"},
        {-1, true, "K ARRAY<DOUBLE>", "[10.10]", "[10.1]"},
        {-1, true, "K STRING", "\"a\"", "'a'"},
        {-1, true, "A INT; B STRING", "{\"A\":1,\"b\":\"x\"}", "1|'x'"},
        /* When wrap is 0 but there are several columns, the record is still an object. */
        {0, false, "A INT; B STRING", "{\"A\":1,\"B\":\"x\"}", "1|'x'"},
    };
    run_decode(cases, EDDY_ARRAY_LEN(cases));
}

static void test_json_decode_errors(void **state)
{
    (void)state;
    static const dcase cases[] = {
        {-1, false, "ID INT", "{\"ID\":\"abc\"}",
         "ERR: Failed to deserialize value. Can't coerce string to type. targetType: INTEGER, "
         "path: $.ID"},
        {-1, false, "ID INT", "{\"ID\":\" 1\"}",
         "ERR: Failed to deserialize value. Can't coerce string to type. targetType: INTEGER, "
         "path: $.ID"},
        {-1, false, "ID INT", "{\"ID\":true}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: BooleanNode, "
         "requiredType: INTEGER, path: $.ID"},
        {-1, false, "ID BIGINT", "{\"ID\":[1]}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: ArrayNode, "
         "requiredType: BIGINT, path: $.ID"},
        {-1, false, "B BOOLEAN", "{\"B\":\"true\"}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: TextNode, "
         "requiredType: BOOLEAN, path: $.B"},
        {-1, false, "B BOOLEAN", "{\"B\":1}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: IntNode, "
         "requiredType: BOOLEAN, path: $.B"},
        {-1, false, "B BOOLEAN", "{\"B\":3000000000}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: LongNode, "
         "requiredType: BOOLEAN, path: $.B"},
        {-1, false, "B BOOLEAN", "{\"B\":30000000000000000000}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: BigIntegerNode, "
         "requiredType: BOOLEAN, path: $.B"},
        {-1, false, "B BOOLEAN", "{\"B\":1.0}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: DecimalNode, "
         "requiredType: BOOLEAN, path: $.B"},
        {-1, false, "D DOUBLE", "{\"D\":\"x\"}",
         "ERR: Failed to deserialize value. Can't coerce string to type. targetType: DOUBLE, "
         "path: $.D"},
        {-1, false, "D DOUBLE", "{\"D\":{}}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: ObjectNode, "
         "requiredType: DOUBLE, path: $.D"},
        {-1, false, "D DECIMAL(4,2)", "{\"D\":true}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: BooleanNode, "
         "requiredType: DECIMAL(4, 2), path: $.D"},
        {-1, false, "T TIME", "{\"T\":-1}",
         "ERR: Failed to deserialize value. Time values must use number of milliseconds "
         "greater than 0 and less than 86400000., path: $.T"},
        {-1, false, "T TIME", "{\"T\":86400001}",
         "ERR: Failed to deserialize value. Time values must use number of milliseconds "
         "greater than 0 and less than 86400000., path: $.T"},
        {-1, false, "T TIMESTAMP", "{\"T\":\"2020-01-01\"}",
         "ERR: Failed to deserialize value. Can't coerce string to type. targetType: TIMESTAMP, "
         "path: $.T"},
        {-1, false, "B BYTES", "{\"B\":\"!!\"}",
         "ERR: Failed to deserialize value. Value is not a valid Base64 encoded string, "
         "path: $.B"},
        {-1, false, "B BYTES", "{\"B\":12}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: IntNode, "
         "requiredType: BYTES, path: $.B"},
        {-1, false, "A ARRAY<INT>", "{\"A\":{}}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: ObjectNode, "
         "requiredType: ARRAY<INTEGER>, path: $.A"},
        {-1, false, "M MAP<STRING, INT>", "{\"M\":[]}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: ArrayNode, "
         "requiredType: MAP<STRING, INTEGER>, path: $.M"},
        {-1, false, "S STRUCT<A INT>", "{\"S\":\"x\"}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: TextNode, "
         "requiredType: STRUCT<`A` INTEGER>, path: $.S"},
        /* Paths through nested values. */
        {-1, false, "S STRUCT<L ARRAY<INT>>", "{\"S\":{\"L\":[1,\"x\"]}}",
         "ERR: Failed to deserialize value. Can't coerce string to type. targetType: INTEGER, "
         "path: $.S.L[1]"},
        {-1, false, "M MAP<STRING, INT>", "{\"M\":{\"k\":true}}",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: BooleanNode, "
         "requiredType: INTEGER, path: $.M.k.value"},
        {0, false, "A ARRAY<STRUCT<X BOOLEAN>>", "[{\"X\":true},{\"x\":0}]",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: IntNode, "
         "requiredType: BOOLEAN, path: $[1].X"},
        /* DECIMAL that does not fit. */
        {-1, false, "D DECIMAL(4,2)", "{\"D\":1.234}", NULL},
        {-1, false, "D DECIMAL(4,2)", "{\"D\":123.4}", NULL},
        {-1, false, "D DECIMAL(4,2)", "{\"D\":\"1.2.3\"}", NULL},
        /* The record is not an object. */
        {-1, false, "ID INT; NAME STRING", "[1]",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: ArrayNode, "
         "requiredType: STRUCT<`ID` INTEGER, `NAME` STRING>, path: $"},
        {-1, false, "ID INT", "5",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: IntNode, "
         "requiredType: STRUCT<`ID` INTEGER>, path: $"},
        {-1, false, "ID INT", "",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: MissingNode, "
         "requiredType: STRUCT<`ID` INTEGER>, path: $"},
        {0, false, "V INT", "",
         "ERR: Failed to deserialize value. Can't convert type. sourceType: MissingNode, "
         "requiredType: INTEGER, path: $"},
        {-1, true, "K INT", "\"x\"",
         "ERR: Failed to deserialize key. Can't coerce string to type. targetType: INTEGER, "
         "path: $"},
        /* Malformed JSON. */
        {-1, false, "ID INT", "{\"ID\":1,}",
         "ERR: Failed to deserialize value. Invalid JSON at byte 8: member name expected"},
        {-1, false, "ID INT", "{\"ID\":01}",
         "ERR: Failed to deserialize value. Invalid JSON at byte 7: leading zero in number"},
        {0, false, "V INT", "12x",
         "ERR: Failed to deserialize value. Invalid JSON at byte 2: unexpected character after "
         "number"},
        {-1, false, "ID INT", "{\"ID\":1",
         "ERR: Failed to deserialize value. Invalid JSON at byte 7: unexpected end of input in "
         "object"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        if (cases[i].want)
            continue;
        /* DECIMAL errors: the message comes from common/ (checked there); check the frame. */
        tcodec tc;
        eddy_err err = {0};
        EXPECT_OK(tc_open(&tc, SERDE_JSON, 0, cases[i].wrap, false, cases[i].spec, &err), &err);
        const char *got = tc_decode(&tc, cases[i].in, -1);
        if (strncmp(got, "ERR: Failed to deserialize value. ", 34) != 0 ||
            !strstr(got, ", path: $.D"))
            fail_msg("case %zu: %s", i, got);
        tc_close(&tc);
    }
    dcase with_msgs[EDDY_ARRAY_LEN(cases)];
    size_t n = 0;
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++)
        if (cases[i].want)
            with_msgs[n++] = cases[i];
    run_decode(with_msgs, n);
}

static void test_json_decode_borrows(void **state)
{
    (void)state;
    /* Strings without escapes and integer text for STRING point into the input. */
    tcodec tc;
    eddy_err err = {0};
    EXPECT_OK(tc_open(&tc, SERDE_JSON, 0, -1, false, "A STRING; B STRING; C STRING", &err), &err);
    const char *in = "{\"A\":\"plain\",\"B\":\"esc\\n\",\"C\":12}";
    eddy_value row[3];
    EXPECT_OK(serde_decode(tc.s, (const uint8_t *)in, (int32_t)strlen(in), row, &tc.a, &err),
              &err);
    const eddy_value *a = &row[tc.cols[0].index], *b = &row[tc.cols[1].index],
                     *c = &row[tc.cols[2].index];
    assert_ptr_equal(a->u.str, in + 6);
    assert_int_equal(a->n, 5);
    assert_true(b->u.str < in || b->u.str >= in + strlen(in));   /* unescaped copy */
    assert_memory_equal(b->u.str, "esc\n", 4);
    assert_ptr_equal(c->u.str, in + strlen(in) - 3);
    assert_int_equal(c->n, 2);
    tc_close(&tc);
}

/* ---------------------------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------------------------- */

/* Decode 'in' with a JSON codec of 'spec' (wrapped), encode with format ('wrap', 'is_key'). */
static const char *reencode(tcodec *out, const char *spec, const char *in, int wrap, bool is_key)
{
    tcodec src;
    eddy_err err = {0};
    EXPECT_OK(tc_open(&src, SERDE_JSON, 0, 1, false, spec, &err), &err);
    EXPECT_OK(tc_open(out, SERDE_JSON, 0, wrap, is_key, spec, &err), &err);
    eddy_value row[TMAX_COLS];
    EXPECT_OK(serde_decode(src.s, (const uint8_t *)in, (int32_t)strlen(in), row, &out->a, &err),
              &err);
    /* Both codecs put column i at the same row index (tc_columns). */
    const char *r = tc_encode(out, row, NULL);
    tc_close(&src);
    return r;
}

static void test_json_encode(void **state)
{
    (void)state;
    static const struct {
        int wrap;
        bool is_key;
        const char *spec, *in, *want;
    } cases[] = {
        {-1, false, "ID INT; NAME STRING", "{\"ID\":1,\"NAME\":\"a\"}",
         "{\"ID\":1,\"NAME\":\"a\"}"},
        {-1, false, "ID INT; NAME STRING", "{}", "{\"ID\":null,\"NAME\":null}"},
        /* Names as declared (a quoted lower-case column stays lower case). */
        {-1, false, "id INT; Odd\"Name BOOLEAN", "{\"id\":-2147483648,\"Odd\\\"Name\":false}",
         "{\"id\":-2147483648,\"Odd\\\"Name\":false}"},
        {-1, false, "B BIGINT", "{\"B\":9007199254740993}", "{\"B\":9007199254740993}"},
        {-1, false, "B BIGINT", "{\"B\":-9223372036854775808}", "{\"B\":-9223372036854775808}"},
        /* DOUBLE as Double.toString; NaN and infinities as strings (Jackson). */
        {-1, false, "D DOUBLE", "{\"D\":0.00001}", "{\"D\":1.0E-5}"},
        {-1, false, "D DOUBLE", "{\"D\":2}", "{\"D\":2.0}"},
        {-1, false, "D DOUBLE", "{\"D\":2147483648.9}", "{\"D\":2.1474836489E9}"},
        {-1, false, "D DOUBLE", "{\"D\":\"NaN\"}", "{\"D\":\"NaN\"}"},
        {-1, false, "D DOUBLE", "{\"D\":\"-Infinity\"}", "{\"D\":\"-Infinity\"}"},
        /* DECIMAL as plain digits with the type's scale. */
        {-1, false, "D DECIMAL(6,4)", "{\"D\":10}", "{\"D\":10.0000}"},
        {-1, false, "D DECIMAL(4,2)", "{\"D\":-0.5}", "{\"D\":-0.50}"},
        {-1, false, "D DECIMAL(10,9)", "{\"D\":1E-9}", "{\"D\":0.000000001}"},
        {-1, false, "S STRING", "{\"S\":\"a\\\"b\\\\c\\n\\u0001\\u00e9/\"}",
         "{\"S\":\"a\\\"b\\\\c\\n\\u0001\xc3\xa9/\"}"},
        {-1, false, "B BYTES", "{\"B\":\"AQID\"}", "{\"B\":\"AQID\"}"},
        {-1, false, "B BYTES", "{\"B\":\"AQ\"}", "{\"B\":\"AQ==\"}"},
        {-1, false, "T TIMESTAMP; D DATE; M TIME", "{\"T\":1600000000000,\"D\":-3,\"M\":1000}",
         "{\"T\":1600000000000,\"D\":-3,\"M\":1000}"},
        {-1, false, "S STRUCT<A INT, `b` ARRAY<MAP<STRING, DOUBLE>>>",
         "{\"S\":{\"A\":1,\"b\":[{\"x\":1.5,\"y\":null},null]}}",
         "{\"S\":{\"A\":1,\"b\":[{\"x\":1.5,\"y\":null},null]}}"},
        {-1, false, "S STRUCT<A INT, B STRING>", "{\"S\":{}}", "{\"S\":{\"A\":null,\"B\":null}}"},
        {-1, false, "A ARRAY<BIGINT>", "{\"A\":[]}", "{\"A\":[]}"},
        /* Unwrapped values and keys are bare; NULL is a null record. */
        {0, false, "V ARRAY<BIGINT>", "{\"V\":[12,34,null]}", "[12,34,null]"},
        {0, false, "V BOOLEAN", "{\"V\":true}", "true"},
        {0, false, "V BOOLEAN", "{\"V\":null}", "<null>"},
        {0, false, "V STRUCT<F0 INT>", "{\"V\":{\"F0\":1}}", "{\"F0\":1}"},
        {0, false, "V DECIMAL(4,2)", "{\"V\":99.99}", "99.99"},
        {0, false, "V STRING", "{\"V\":\"world\"}", "\"world\""},
        {-1, true, "K INT", "{\"K\":33}", "33"},
        {-1, true, "K STRING", "{\"K\":null}", "<null>"},
        {-1, true, "K STRUCT<F DOUBLE>", "{\"K\":{\"F\":45.67}}", "{\"F\":45.67}"},
        {-1, true, "A INT; B STRING", "{\"A\":1,\"B\":\"x\"}", "{\"A\":1,\"B\":\"x\"}"},
        {-1, true, "A INT; B STRING", "{}", "{\"A\":null,\"B\":null}"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        tcodec tc;
        const char *got = reencode(&tc, cases[i].spec, cases[i].in, cases[i].wrap,
                                   cases[i].is_key);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu:\n  got  %s\n  want %s", i, got, cases[i].want);
        tc_close(&tc);
    }
}

static void test_json_encode_values(void **state)
{
    (void)state;
    /* Values built directly: edge doubles, a MAP, and appending to a non-empty buffer. */
    tcodec tc;
    eddy_err err = {0};
    EXPECT_OK(tc_open(&tc, SERDE_JSON, 0, -1, false, "D DOUBLE; E DOUBLE; M MAP<STRING, INT>",
                      &err), &err);
    eddy_value items[4] = {eddy_value_string("k", 1), eddy_value_int(1),
                           eddy_value_string("", 0), eddy_value_null(EDDY_T_INT)};
    eddy_value row[3];
    row[tc.cols[0].index] = eddy_value_double(-0.0);
    row[tc.cols[1].index] = eddy_value_double(1e7);
    row[tc.cols[2].index] = eddy_value_composite(EDDY_T_MAP, items, 2);
    eddy_buf b;
    eddy_buf_init(&b);
    eddy_buf_append(&b, "prefix:", 7);
    bool is_null = true;
    EXPECT_OK(serde_encode(tc.s, row, &b, &is_null, &err), &err);
    assert_false(is_null);
    assert_str(eddy_buf_cstr(&b), "prefix:{\"D\":-0.0,\"E\":1.0E7,\"M\":{\"k\":1,\"\":null}}");
    eddy_buf_free(&b);
    tc_close(&tc);
}

static void test_json_roundtrip_through_codec(void **state)
{
    (void)state;
    /* decode(encode(row)) == row for a row with every type. */
    const char *spec = "A BOOLEAN; B INT; C BIGINT; D DOUBLE; E DECIMAL(8,3); F STRING; "
                       "G BYTES; H STRUCT<X TIMESTAMP, Y DATE, Z TIME>";
    const char *in = "{\"A\":true,\"B\":-7,\"C\":123456789012,\"D\":0.1,\"E\":-12345.678,"
                     "\"F\":\"\\u00e9\\t\",\"G\":\"/+8=\",\"H\":{\"X\":1,\"Y\":2,\"Z\":3}}";
    tcodec tc;
    eddy_err err = {0};
    EXPECT_OK(tc_open(&tc, SERDE_JSON, 0, -1, false, spec, &err), &err);
    const char *first = tc_decode(&tc, in, -1);
    eddy_value row[TMAX_COLS];
    EXPECT_OK(serde_decode(tc.s, (const uint8_t *)in, (int32_t)strlen(in), row, &tc.a, &err),
              &err);
    const char *enc = tc_encode(&tc, row, NULL);
    assert_str(tc_decode(&tc, enc, -1), first);
    assert_str(first, "true|-7|123456789012|0.1|-12345.678|'\xc3\xa9\t'|0xffef|"
                      "{X:ts:1,Y:date:2,Z:time:3}");
    tc_close(&tc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_decode_fields),
        cmocka_unit_test(test_json_decode_map_in_java_hash_order),
        cmocka_unit_test(test_json_decode_numbers),
        cmocka_unit_test(test_json_decode_strings),
        cmocka_unit_test(test_json_decode_wrapping),
        cmocka_unit_test(test_json_decode_errors),
        cmocka_unit_test(test_json_decode_borrows),
        cmocka_unit_test(test_json_encode),
        cmocka_unit_test(test_json_encode_values),
        cmocka_unit_test(test_json_roundtrip_through_codec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
