/* Unit tests: the exact-number JSON document model (serde/json.c) - parse, write, lookup,
 * errors with byte offsets. */
#include "serde_testutil.h"

/* Parse 'in' and write it back compactly. */
static char *roundtrip(eddy_arena *a, const char *in, eddy_err *err)
{
    serde_json *doc;
    if (serde_json_parse(in, strlen(in), a, &doc, err) != 0)
        return NULL;
    eddy_buf b;
    eddy_buf_init(&b);
    assert_int_equal(serde_json_write(doc, &b), 0);
    char *r = eddy_arena_strdup(a, eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    return r;
}

static void test_json_roundtrip(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"null", "null"},
        {" true ", "true"},
        {"false", "false"},
        {"0", "0"},
        {"-0", "-0"},
        {"1.50", "1.50"},                       /* number text kept exactly */
        {"2.0", "2.0"},
        {"-1.5E-7", "-1.5E-7"},
        {"1e400", "1e400"},
        {"123456789012345678901234567890", "123456789012345678901234567890"},
        {"\"\"", "\"\""},
        {"\"a\\\"b\\\\c\\/d\"", "\"a\\\"b\\\\c/d\""},
        {"\"\\b\\f\\n\\r\\t\"", "\"\\b\\f\\n\\r\\t\""},
        {"\"\\u0001\\u001F\"", "\"\\u0001\\u001f\""},
        {"\"\\u00e9\\u20AC\"", "\"\xc3\xa9\xe2\x82\xac\""},          /* é € */
        {"\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\""},               /* surrogate pair */
        {"\"\xf0\x9f\x98\x80 raw\"", "\"\xf0\x9f\x98\x80 raw\""},
        {"[]", "[]"},
        {"{}", "{}"},
        {" [ 1 , [ 2 , [ ] ] , { } ] ", "[1,[2,[]],{}]"},
        {"{\"a\" : 1, \"b\":{\"c\":[true,null]}}", "{\"a\":1,\"b\":{\"c\":[true,null]}}"},
        {"{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":2}"},                   /* duplicates kept */
        {"\t\r\n{\"k\\u0041\":\"v\"}\n", "{\"kA\":\"v\"}"},
    };
    eddy_arena a;
    eddy_arena_init(&a, 1024);
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err = {0};
        char *got = roundtrip(&a, cases[i].in, &err);
        if (!got)
            fail_msg("case %zu: %s", i, err.msg);
        assert_str(got, cases[i].out);
    }
    eddy_arena_destroy(&a);
}

static void test_json_nodes(void **state)
{
    (void)state;
    eddy_arena a;
    eddy_arena_init(&a, 1024);
    eddy_err err = {0};
    serde_json *doc;
    const char *in = "{\"n\":1.50,\"s\":\"x\\ny\",\"arr\":[1,\"2\"],\"Name\":1,\"NAME\":2,"
                     "\"name\":3,\"dup\":\"first\",\"dup\":\"last\",\"e\":\"\"}";
    EXPECT_OK(serde_json_parse(in, strlen(in), &a, &doc, &err), &err);
    assert_int_equal(doc->kind, SERDE_JSON_OBJECT);
    assert_int_equal(doc->n, 9);
    const serde_json *n = serde_json_get(doc, "n");
    assert_non_null(n);
    assert_int_equal(n->kind, SERDE_JSON_NUMBER);
    assert_int_equal(n->len, 4);
    assert_string_equal(n->text, "1.50");
    assert_true(serde_json_number_is_fractional(n));
    const serde_json *s = serde_json_get(doc, "s");
    assert_int_equal(s->kind, SERDE_JSON_STRING);
    assert_int_equal(s->len, 3);
    assert_memory_equal(s->text, "x\ny", 4);                      /* NUL-terminated */
    const serde_json *arr = serde_json_get(doc, "arr");
    assert_int_equal(arr->kind, SERDE_JSON_ARRAY);
    assert_int_equal(arr->n, 2);
    assert_false(serde_json_number_is_fractional(&arr->items[0]));
    assert_int_equal(arr->items[1].kind, SERDE_JSON_STRING);
    assert_false(serde_json_number_is_fractional(&arr->items[1]));
    /* Exact name first, then case-insensitive; the last of repeated names. */
    assert_string_equal(serde_json_get(doc, "NAME")->text, "2");
    assert_string_equal(serde_json_get(doc, "name")->text, "3");
    assert_string_equal(serde_json_get(doc, "nAmE")->text, "3");
    assert_string_equal(serde_json_get(doc, "dup")->text, "last");
    assert_string_equal(serde_json_get(doc, "N")->text, "1.50");
    assert_null(serde_json_get(doc, "missing"));
    assert_null(serde_json_get(arr, "n"));
    assert_int_equal(serde_json_get(doc, "e")->len, 0);
    assert_true(serde_json_number_is_fractional(&(serde_json){.kind = SERDE_JSON_NUMBER,
                                                              .text = "1e5", .len = 3}));
    eddy_arena_destroy(&a);
}

static void test_json_errors(void **state)
{
    (void)state;
    static const struct { const char *in; const char *msg; } cases[] = {
        {"", "Invalid JSON at byte 0: no content"},
        {"   ", "Invalid JSON at byte 3: no content"},
        {"{", "Invalid JSON at byte 1: unexpected end of input in object"},
        {"[1,]", "Invalid JSON at byte 3: unexpected character"},
        {"{\"a\":1,}", "Invalid JSON at byte 7: member name expected"},
        {"{\"a\" 1}", "Invalid JSON at byte 5: ':' expected"},
        {"{'a':1}", "Invalid JSON at byte 1: member name expected"},
        {"[1 2]", "Invalid JSON at byte 3: ',' or ']' expected"},
        {"01", "Invalid JSON at byte 1: leading zero in number"},
        {"-", "Invalid JSON at byte 1: invalid number"},
        {"1.", "Invalid JSON at byte 2: digit expected after decimal point"},
        {".5", "Invalid JSON at byte 0: unexpected character"},
        {"1e", "Invalid JSON at byte 2: digit expected in exponent"},
        {"+1", "Invalid JSON at byte 0: unexpected character"},
        {"NaN", "Invalid JSON at byte 0: unexpected character"},
        {"tru", "Invalid JSON at byte 0: unexpected character"},
        {"True", "Invalid JSON at byte 0: unexpected character"},
        {"nullx", "Invalid JSON at byte 0: unrecognized token"},
        {"\"abc", "Invalid JSON at byte 0: unterminated string"},
        {"\"a\x01\"", "Invalid JSON at byte 2: control character in string"},
        {"\"a\nb\"", "Invalid JSON at byte 2: control character in string"},
        {"\"\\x\"", "Invalid JSON at byte 1: invalid escape in string"},
        {"\"\\u12zz\"", "Invalid JSON at byte 5: bad hex digit in \\u escape"},
        {"\"\\u12", "Invalid JSON at byte 3: truncated \\u escape"},
        {"\"\\ud83d\"", "Invalid JSON at byte 1: unpaired surrogate in \\u escape"},
        {"\"\\ude00\"", "Invalid JSON at byte 1: unpaired surrogate in \\u escape"},
        {"\"\\ud83d\\u0041\"", "Invalid JSON at byte 1: unpaired surrogate in \\u escape"},
        {"\"\xc3\"", "Invalid JSON at byte 1: invalid UTF-8 in string"},
        {"\"\xc0\xaf\"", "Invalid JSON at byte 1: invalid UTF-8 in string"},       /* overlong */
        {"\"\xed\xa0\x80\"", "Invalid JSON at byte 1: invalid UTF-8 in string"},   /* surrogate */
        {"\"ok\\n\xff\"", "Invalid JSON at byte 5: invalid UTF-8 in string"},
        {"{} {}", "Invalid JSON at byte 3: unexpected content after the document"},
        {"1 2", "Invalid JSON at byte 2: unexpected content after the document"},
        {"12x", "Invalid JSON at byte 2: unexpected character after number"},
        {"/* c */ 1", "Invalid JSON at byte 0: unexpected character"},
    };
    eddy_arena a;
    eddy_arena_init(&a, 1024);
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err = {0};
        serde_json *doc = (serde_json *)&a;   /* must be reset to NULL on error */
        int rc = serde_json_parse(cases[i].in, strlen(cases[i].in), &a, &doc, &err);
        if (rc == 0)
            fail_msg("case %zu (%s) parsed", i, cases[i].in);
        assert_int_equal(rc, EDDY_EINVAL);
        assert_null(doc);
        assert_str(err.msg, cases[i].msg);
    }
    eddy_arena_destroy(&a);
}

static void test_json_nesting_limit(void **state)
{
    (void)state;
    eddy_arena a;
    eddy_arena_init(&a, 1 << 16);
    char buf[2100];
    for (int depth = 1000; depth <= 1001; depth++) {
        size_t n = 0;
        for (int i = 0; i < depth; i++)
            buf[n++] = '[';
        for (int i = 0; i < depth; i++)
            buf[n++] = ']';
        eddy_err err = {0};
        serde_json *doc;
        int rc = serde_json_parse(buf, n, &a, &doc, &err);
        if (depth == 1000) {
            assert_int_equal(rc, 0);
            int d = 0;
            for (const serde_json *v = doc; v->n; v = &v->items[0])
                d++;
            assert_int_equal(d, 999);
        } else {
            assert_int_equal(rc, EDDY_EINVAL);
            assert_str(err.msg, "Invalid JSON at byte 1000: nesting too deep");
        }
    }
    eddy_arena_destroy(&a);
}

static void test_json_large_document(void **state)
{
    (void)state;
    /* Many members: the scratch stack grows; every value keeps its place. */
    eddy_buf in;
    eddy_buf_init(&in);
    eddy_buf_printf(&in, "{");
    for (int i = 0; i < 5000; i++)
        eddy_buf_printf(&in, "%s\"k%d\":[%d,\"v%d\\t\"]", i ? "," : "", i, i, i);
    eddy_buf_printf(&in, "}");
    eddy_arena a;
    eddy_arena_init(&a, 4096);
    eddy_err err = {0};
    serde_json *doc;
    EXPECT_OK(serde_json_parse((const char *)in.data, in.len, &a, &doc, &err), &err);
    assert_int_equal(doc->n, 5000);
    assert_string_equal(doc->keys[4321], "k4321");
    assert_string_equal(doc->items[4321].items[0].text, "4321");
    assert_string_equal(doc->items[4321].items[1].text, "v4321\t");
    eddy_buf out;
    eddy_buf_init(&out);
    assert_int_equal(serde_json_write(doc, &out), 0);
    assert_int_equal(out.len, in.len);
    assert_memory_equal(out.data, in.data, in.len);
    eddy_buf_free(&out);
    eddy_buf_free(&in);
    eddy_arena_destroy(&a);
}

static void test_json_oom(void **state)
{
    (void)state;
    const char *in = "{\"a\":[1,2,{\"b\":\"x\\ny\"}],\"c\":\"long string long string\"}";
    /* Fail each allocation in turn: every failure is EDDY_ENOMEM, never a crash or leak. */
    for (long n = 0; n < 40; n++) {
        eddy_arena a;
        eddy_arena_init(&a, 64);
        eddy_err err = {0};
        serde_json *doc;
        eddy_alloc_fail_after(n);
        int rc = serde_json_parse(in, strlen(in), &a, &doc, &err);
        eddy_alloc_fail_after(-1);
        if (rc == 0) {
            assert_int_equal(doc->n, 2);
            eddy_arena_destroy(&a);
            break;
        }
        assert_int_equal(rc, EDDY_ENOMEM);
        eddy_arena_destroy(&a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_roundtrip),
        cmocka_unit_test(test_json_nodes),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_json_nesting_limit),
        cmocka_unit_test(test_json_large_document),
        cmocka_unit_test(test_json_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
